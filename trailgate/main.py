"""The ``trailgate`` console script. Every FatalError is caught here and
nowhere else.

The command line is click's (``trailgate.cli``), with two exceptions that
start without importing click: the two hooks git runs on every commit,
called with the plain arguments git gives them (click is a third of their
start-up), and ``check`` called with plain ranges and options (click is a
quarter of a short check's). Any other shape (help, an unknown or repeated
option, a directory where the message file should be, ``--debug``) goes
through click, so what the user sees never depends on which path ran.

Those two hooks also run with the cyclic garbage collector off. Loading
their modules allocates thousands of objects that live until the process
exits (classes, functions, the policy) and leaves no garbage cycles worth
collecting, so each of the collector's passes over them is pure cost: a
twentieth of a commit-msg run. So that its modules load with the collector
off too, this module imports nothing that ``typing`` would bring in.
"""
from __future__ import annotations

import collections
import errno
import gc
import os
import stat
import sys
from collections.abc import Sequence

from trailgate.errors import EXIT_ERROR
from trailgate.errors import FatalError
from trailgate.errors import PolicyError

# hook -> (fewest, most) positional arguments
_PLAIN_HOOKS = {'commit-msg': (1, 1), 'prepare-commit-msg': (1, 3)}


# the hook, its file and words, the --policy given (typing.NamedTuple would import typing)
HookCall = collections.namedtuple('HookCall', ('hook', 'arguments', 'policy'))


def _readable_file_or_absent(path: str) -> bool:
    """What click.Path(dir_okay=False) accepts without a message of its own."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    return not stat.S_ISDIR(mode) and os.access(path, os.R_OK)


def plain_hook_call(args: Sequence[str]) -> HookCall | None:
    """``args`` as a hook call, if it has the plain shape git (or the
    pre-commit framework) gives: the hook, its file and words, at most one
    ``--policy``. None for anything click must judge."""
    if not args or args[0] not in _PLAIN_HOOKS or os.environ.get('TRAILGATE_DEBUG'):
        return None
    arguments: list[str] = []
    policy: str | None = None
    rest = iter(args[1:])
    for arg in rest:
        if arg == '--policy' or arg.startswith('--policy='):
            value = arg[len('--policy='):] if '=' in arg else next(rest, None)
            if value is None or value.startswith('-') or policy is not None:
                return None
            policy = value
        elif not arg or arg.startswith('-'):
            return None
        else:
            arguments.append(arg)
    fewest, most = _PLAIN_HOOKS[args[0]]
    if not fewest <= len(arguments) <= most or not _readable_file_or_absent(arguments[0]):
        return None
    if policy is None:
        policy = os.environ.get('TRAILGATE_POLICY') or None
    return HookCall(args[0], tuple(arguments), policy)


# check's options that take a value (the keyword each becomes) and its flags;
# the formats as click's Choice lists them (a test keeps them equal)
_CHECK_OPTIONS = {
    '--base': 'base', '--target': 'target', '--policy-rev': 'policy_rev', '--as-of': 'as_of',
    '--policy': 'policy', '--format': 'format', '--output': 'output',
}
_CHECK_FLAGS = {'-q': 'quiet', '--quiet': 'quiet', '-v': 'verbose', '--verbose': 'verbose'}
CHECK_FORMATS = ('text', 'json', 'sarif', 'junit', 'github')


# check's arguments as its click command receives them (typing.NamedTuple would import typing)
CheckCall = collections.namedtuple(
    'CheckCall', ('ranges', 'base', 'target', 'policy_rev', 'as_of', 'policy', 'format', 'output', 'quiet', 'verbose'),
)


def plain_check_call(args: Sequence[str]) -> CheckCall | None:
    """``check``'s arguments as its click command would receive them, if
    they have a shape whose meaning is plain: ranges, each option at most
    once with a non-empty value that does not start with ``-``, the flags.
    None for anything click must judge (help, an unknown or repeated
    option, ``--``, a bad format, ``--debug``, shell completion)."""
    if not args or args[0] != 'check' or os.environ.get('TRAILGATE_DEBUG') or '_TRAILGATE_COMPLETE' in os.environ:
        return None
    ranges: list[str] = []
    options: dict[str, str] = {}
    flags = {'quiet': False, 'verbose': False}
    rest = iter(args[1:])
    for arg in rest:
        if not arg:
            return None
        if arg in _CHECK_FLAGS:
            flags[_CHECK_FLAGS[arg]] = True
        elif arg.startswith('-'):
            name, equals, value = arg.partition('=')
            keyword = _CHECK_OPTIONS.get(name)
            if keyword is None or keyword in options:
                return None
            found = value if equals else next(rest, None)
            if not found or found.startswith('-'):
                return None
            options[keyword] = found
        else:
            ranges.append(arg)
    if options.setdefault('format', 'text') not in CHECK_FORMATS:
        return None
    policy = options.get('policy') or os.environ.get('TRAILGATE_POLICY') or None
    return CheckCall(
        tuple(ranges), options.get('base'), options.get('target'), options.get('policy_rev'),
        options.get('as_of'), policy, options['format'], options.get('output'), flags['quiet'], flags['verbose'],
    )


def _run_check(call: CheckCall) -> int:
    """check, as its click command would run it."""
    # git says where the repository is, and what the ranges name, while check's modules load
    from trailgate import git

    repo_question = git.start(*git.REPO_QUESTION)
    ranges_question = None
    try:
        if call.ranges and not call.base and not any(value.startswith('-') for value in call.ranges):
            ranges_question = git.start(*git.ranges_question(call.ranges))
        from trailgate.commands.check import check
        from trailgate.output import Output

        out = Output(call.format, call.output, call.quiet, call.verbose)
        return check(call.ranges, call.base, call.policy_rev, call.policy, out, call.target, call.as_of,
                     repo_question, ranges_question)
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)  # as click does before it aborts
        return _aborted()
    except OSError as e:
        if e.errno != errno.EPIPE:
            raise
        # as click does: the reader went away; exit 1, and no word about the pipe at exit
        sys.stdout = _Pacified(sys.stdout)
        sys.stderr = _Pacified(sys.stderr)
        raise SystemExit(1) from None
    finally:
        repo_question.abandon()
        if ranges_question is not None:
            ranges_question.abandon()


class _Pacified:
    """A stream whose flush ignores a broken pipe (click's PacifyFlushWrapper)."""

    def __init__(self, wrapped: object) -> None:
        self._wrapped = wrapped

    def flush(self) -> None:
        try:
            getattr(self._wrapped, 'flush')()  # noqa: B009 (any stream)
        except OSError as e:
            if e.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> object:
        return getattr(self._wrapped, name)


def _run_hook(call: HookCall) -> int:
    """The hook, as its click command would run it (the collector off)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_plain_hook(call)
    finally:
        if collecting:
            gc.enable()


def _run_plain_hook(call: HookCall) -> int:
    try:
        if call.hook == 'commit-msg':
            return _commit_msg(call)
        from trailgate.commands.prepare_commit_msg import prepare_commit_msg

        msgfile, source, sha = (*call.arguments, '', '')[:3]
        return prepare_commit_msg(msgfile, source, sha, call.policy)
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)  # as click does before it aborts
        return _aborted()


def _commit_msg(call: HookCall) -> int:
    # git answers its questions while the hook's modules load
    from trailgate import git
    from trailgate import invocation

    questions = git.StagedQuestions(amending=invocation.is_amending())
    try:
        from trailgate.commands.commit_msg import commit_msg

        return commit_msg(call.arguments[0], call.policy, questions=questions)
    finally:
        questions.abandon()


def _aborted() -> int:
    print('trailgate: aborted', file=sys.stderr)
    return EXIT_ERROR


def _run(args: list[str]) -> int:
    call = plain_hook_call(args)
    if call is not None:
        return _run_hook(call)
    checking = plain_check_call(args)
    if checking is not None:
        return _run_check(checking)
    import click

    from trailgate.cli import cli

    try:
        result = cli.main(args=args, prog_name='trailgate', standalone_mode=False)
    except click.exceptions.Exit as e:
        return int(e.exit_code)
    except click.Abort:
        return _aborted()
    except click.ClickException as e:
        e.show()
        return EXIT_ERROR
    return int(result or 0)


def _print_fatal(error: FatalError) -> None:
    if isinstance(error, PolicyError) and error.problems:
        for problem in error.problems:
            print(problem, file=sys.stderr)
    print(f'trailgate: error: {error}', file=sys.stderr)


# prepare-commit-msg only adds hints: it must never stop a commit.
NEVER_BLOCKS = frozenset(('prepare-commit-msg',))


def _error_exit(args: Sequence[str]) -> int:
    command = next((arg for arg in args if not arg.startswith('-')), None)
    return 0 if command in NEVER_BLOCKS else EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        _remove_unwritten_reports()


def _remove_unwritten_reports() -> None:
    """An ``--output`` file the run did not write is removed: never left holding
    an earlier run's report (only a run that made a report loaded ``output``)."""
    output = sys.modules.get('trailgate.output')
    if output is None:
        return
    output.remove_unwritten()


def _main(argv: Sequence[str] | None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, 'reconfigure', None)
        if reconfigure is not None:
            reconfigure(errors='backslashreplace')
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(args)
    except FatalError as e:
        _print_fatal(e)
        return _error_exit(args)
    except KeyboardInterrupt:
        print('trailgate: interrupted', file=sys.stderr)
        return 130
    except Exception as e:  # fail closed: never a silent pass
        if os.environ.get('TRAILGATE_DEBUG'):
            import traceback

            traceback.print_exc()
        print(
            f'trailgate: internal error: {type(e).__name__}: {e} '
            f'(nothing was allowed through; rerun with --debug or TRAILGATE_DEBUG=1 '
            f'for the traceback)',
            file=sys.stderr,
        )
        return _error_exit(args)


if __name__ == '__main__':
    raise SystemExit(main())
