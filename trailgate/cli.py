"""The command line: one click group, a subcommand per command, with its
help and option parsing.

``trailgate.main`` runs it (and catches every FatalError), except for the
hooks git runs on every commit when their arguments have the plain shape
git gives them: those skip click's import. Command modules are imported
inside each command so that each loads only what it needs.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

F = TypeVar('F', bound=Callable[..., Any])
FORMATS = ('text', 'json', 'sarif', 'junit', 'github')


def policy_option(function: F) -> F:
    return click.option(
        '--policy', 'policy', metavar='PATH', envvar='TRAILGATE_POLICY',
        help='Policy file to use as it is, instead of .trailgate/policy.yaml '
             '(env TRAILGATE_POLICY).',
    )(function)


def report_options(function: F) -> F:
    function = click.option(
        '--output', metavar='FILE',
        help='Write the report to FILE (-: the terminal); in a format other than text, the text report '
             'still goes to the terminal.',
    )(function)
    return click.option(
        '--format', 'format', type=click.Choice(FORMATS), default='text', show_default=True,
        help='Report format.',
    )(function)


def verbosity_options(function: F) -> F:
    function = click.option(
        '-q', '--quiet', is_flag=True, help='Print only refusals (a json, sarif or junit report is still whole).',
    )(function)
    return click.option('-v', '--verbose', is_flag=True, help='Also list commits that pass.')(function)


def _output(format: str = 'text', output: str | None = None,
            quiet: bool = False, verbose: bool = False) -> Any:
    from trailgate.output import Output

    return Output(format, output, quiet, verbose)


@click.group(context_settings={'help_option_names': ['-h', '--help']})
@click.version_option(package_name='trailgate', prog_name='trailgate')
@click.option('--debug', is_flag=True, envvar='TRAILGATE_DEBUG',
              help='Show a traceback on unexpected errors (env TRAILGATE_DEBUG=1).')
def cli(debug: bool) -> None:
    """Controlled friction on AI-assisted changes to critical code.

    Exit status: 0 nothing refused, 1 a commit was refused by the policy,
    2 the check could not be made.
    """
    if debug:
        os.environ['TRAILGATE_DEBUG'] = '1'


@cli.command('commit-msg', short_help='Hook: check a commit message and the staged change.')
@click.argument('msgfile', type=click.Path(dir_okay=False))
@policy_option
def commit_msg_command(msgfile: str, policy: str | None) -> int:
    """commit-msg hook: check MSGFILE against the staged change."""
    from trailgate.commands.commit_msg import commit_msg

    return commit_msg(msgfile, policy, _output())


@cli.command('prepare-commit-msg', short_help='Hook: hint the trailers a commit will need.')
@click.argument('msgfile', type=click.Path(dir_okay=False))
@click.argument('source', required=False, default='')
@click.argument('sha', required=False, default='')
@policy_option
def prepare_commit_msg_command(msgfile: str, source: str, sha: str, policy: str | None) -> int:
    """prepare-commit-msg hook: add hints naming the trailers needed."""
    from trailgate.commands.prepare_commit_msg import prepare_commit_msg

    return prepare_commit_msg(msgfile, source, sha, policy)


@cli.command('pre-push', short_help='Hook: check every commit a push would add.')
@click.argument('remote', required=False)
@click.argument('url', required=False)
@policy_option
@report_options
@verbosity_options
def pre_push_command(remote: str | None, url: str | None, policy: str | None, format: str,
                     output: str | None, quiet: bool, verbose: bool) -> int:
    """pre-push hook: check every commit the push would add."""
    from trailgate.commands.pre_push import pre_push

    return pre_push(remote, url, policy, _output(format, output, quiet, verbose))


@cli.command('pre-receive', short_help='Server hook: check every new commit of a push.')
@policy_option
@report_options
@verbosity_options
def pre_receive_command(policy: str | None, format: str, output: str | None,
                        quiet: bool, verbose: bool) -> int:
    """Server-side hook: check every new commit of a push."""
    from trailgate.commands.pre_receive import pre_receive

    return pre_receive(policy, _output(format, output, quiet, verbose))


@cli.command('check', short_help='CI: check every commit of revision ranges.')
@click.argument('ranges', nargs=-1, metavar='[RANGE]...')
@click.option('--base', metavar='REF',
              help="Check $(git merge-base REF HEAD)..HEAD, judged by REF's policy (its tip).")
@click.option('--target', 'target', metavar='REF',
              help='The branch the changes would land on: refused only if it is protected '
                   '(default: GITHUB_BASE_REF, CI_MERGE_REQUEST_TARGET_BRANCH_NAME; '
                   'without a target, judged as protected).')
@click.option('--policy-rev', metavar='REV', help='Read the policy as committed at REV.')
@click.option('--as-of', 'as_of', metavar='commit|YYYY-MM-DD',
              help="Judge rules' active windows on each commit's date or on a day "
                   '(default: today, when the check runs).')
@policy_option
@report_options
@verbosity_options
def check_command(ranges: tuple[str, ...], base: str | None, target: str | None, policy_rev: str | None,
                  as_of: str | None, policy: str | None, format: str, output: str | None,
                  quiet: bool, verbose: bool) -> int:
    """CI: check every commit in the revision ranges (e.g. origin/main..HEAD)."""
    from trailgate.commands.check import check

    return check(ranges, base, policy_rev, policy, _output(format, output, quiet, verbose), target, as_of)


@cli.command('audit', short_help='A report over history: AI share, reviews, overrides.')
@click.argument('ranges', nargs=-1, metavar='[RANGE]...')
@click.option('--since', metavar='DATE',
              help="Only commits with a commit date (UTC) on or after DATE's day "
                   '(YYYY-MM-DD, or as git reads it: 2.weeks.ago, yesterday).')
@click.option('--until', metavar='DATE',
              help="Only commits with a commit date (UTC) on or before DATE's day "
                   '(YYYY-MM-DD, or as git reads it: 2.weeks.ago, yesterday).')
@click.option('--lines', 'with_lines', is_flag=True,
              help='Also count changed lines (git numstat: several times slower).')
@click.option('--html', metavar='FILE', help='Write a self-contained HTML page with charts (-: standard output).')
@click.option('--json', 'json_file', metavar='FILE',
              help='Write the figures as JSON (trailgate-audit/1; -: standard output).')
@click.option('--csv', 'csv_file', metavar='FILE', help='Write one CSV row per commit (-: standard output).')
@click.option('--policy-rev', metavar='REV', help='Read the policy as committed at REV (default: the tip).')
@click.option('-q', '--quiet', is_flag=True, help='No summary or progress on the terminal.')
@policy_option
def audit_command(ranges: tuple[str, ...], since: str | None, until: str | None, with_lines: bool,
                  html: str | None, json_file: str | None, csv_file: str | None,
                  policy_rev: str | None, quiet: bool, policy: str | None) -> int:
    """A report over history (default: HEAD) for the people who own the policy.

    Several RANGEs are read as git log reads them: A..B C..D is B D ^A ^C,
    one set (check and approve take each range's commits instead)."""
    from trailgate.commands.audit import audit

    return audit(ranges, since, until, with_lines, html, json_file, csv_file, policy_rev, policy, quiet)


@cli.command('validate', short_help='Check a policy file; FILE:LINE:COL problems.')
@click.argument('policy_file', required=False, metavar='[POLICY]')
@policy_option
@click.pass_context
def validate_command(ctx: click.Context, policy_file: str | None, policy: str | None) -> int:
    """Validate a policy file; print every problem as FILE:LINE:COL: message.

    POLICY wins over TRAILGATE_POLICY; given with a different --policy, it
    is a usage error.
    """
    from trailgate.commands.validate import validate

    given = ctx.get_parameter_source('policy') is click.core.ParameterSource.COMMANDLINE
    if given and policy_file and policy and not _same_file(policy_file, policy):
        raise click.UsageError(
            f'two different policy files: POLICY {policy_file!r} and --policy {policy!r}; '
            'drop one of them')
    return validate(policy_file or policy)


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.normpath(first) == os.path.normpath(second)


@cli.command('explain', short_help='Why one commit passes or is refused.')
@click.argument('rev', required=False)
@click.option('--message', 'message_file', metavar='FILE',
              help='Explain a message not yet committed, against the staged change.')
@policy_option
def explain_command(rev: str | None, message_file: str | None, policy: str | None) -> int:
    """Show, for one commit (default HEAD), the AI signals, the rules and each requirement."""
    from trailgate.commands.explain import explain

    if message_file and rev is not None:
        raise click.UsageError(f'--message explains the staged change, not a commit: drop {rev!r}, '
                               'or drop --message to explain that commit')
    return explain(rev or 'HEAD', message_file, policy)


@cli.command('init', short_help='Write a starter .trailgate/policy.yaml.')
@click.option('--detect/--no-detect', default=True, show_default=True,
              help='Suggest critical paths and groups from CODEOWNERS.')
@click.option('--signed', is_flag=True,
              help='Signed reviews: name .trailgate/allowed_signers and require SSH-signed approvals.')
@click.option('--policy', 'policy', metavar='PATH',
              help='Write the starter to PATH instead of .trailgate/policy.yaml.')
def init_command(detect: bool, signed: bool, policy: str | None) -> int:
    """Write a commented starter .trailgate/policy.yaml (never overwrites)."""
    from trailgate.commands.init import init

    return init(detect, signed, policy)


@cli.command('install', short_help='Install the git hooks without pre-commit.')
@click.option('--hook-type', 'hook_types', multiple=True,
              type=click.Choice(('commit-msg', 'prepare-commit-msg', 'pre-push', 'pre-receive')),
              help='Hooks to install (default: commit-msg, prepare-commit-msg and pre-push; '
                   'pre-receive in a bare repository).')
@click.option('--force', is_flag=True, help='Replace foreign hooks, keeping a backup.')
@click.option('--uninstall', is_flag=True, help='Remove the hooks trailgate wrote.')
@click.option('--policy', 'policy', metavar='PATH',
              help='The hooks use this policy file as it is, instead of .trailgate/policy.yaml.')
def install_command(hook_types: tuple[str, ...], force: bool, uninstall: bool, policy: str | None) -> int:
    """Install the git hooks directly (without the pre-commit framework)."""
    from trailgate.commands.install import install

    return install(hook_types, force, uninstall, policy)


@cli.command('approve', short_help='Reviewer: sign approvals of the changes in ranges.')
@click.argument('ranges', nargs=-1, metavar='[RANGE]...')
@click.option('--key', 'key', metavar='KEY',
              help='SSH key to sign with (default: git config user.signingKey, resolved as git does).')
@click.option('--push', 'push', metavar='REMOTE', help='Also push refs/trailgate/approvals to REMOTE.')
@click.option('--trailer', is_flag=True, help='Print the approvals as trailer lines instead of recording them.')
@click.option('--yes', is_flag=True, help='Do not ask for confirmation on a terminal.')
@policy_option
def approve_command(ranges: tuple[str, ...], key: str | None, push: str | None, trailer: bool, yes: bool,
                    policy: str | None) -> int:
    """Sign one approval per change in RANGE that needs review (default:
    what the current branch adds over its protected target). Several RANGEs:
    each range's commits, as check reads them."""
    from trailgate.commands.approve import approve

    return approve(ranges, key, push, trailer, yes, policy)


@cli.group('signers', short_help='Manage the allowed-signers file.')
def signers_group() -> None:
    """The policy's allowed-signers file: whose SSH keys may approve."""


@signers_group.command('add', short_help='Add a reviewer\'s public key.')
@click.argument('email')
@click.argument('keyfile', type=click.Path(dir_okay=False))
@policy_option
def signers_add_command(email: str, keyfile: str, policy: str | None) -> int:
    """Add EMAIL with the public key in KEYFILE to the allowed-signers file."""
    from trailgate.commands.signers import add

    return add(email, keyfile, policy)
