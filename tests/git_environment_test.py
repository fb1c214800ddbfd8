"""Configuration and environment that change what git prints or reads,
against the installed gates: each test is an attempt that once gave a wrong
verdict or garbage (see trailgate/git.py's ``_env`` and the report writers).

Real git in tmp directories, with the test identity and no user or system
configuration (``git_env()``); the variable under test is added on top.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from testing import scenarios
from testing.adversarial import TIMEOUT
from testing.sshkeys import make_key
from testing.util import git_env

# the standard policy without its policy-owners rule: a root commit that adds
# the policy file is then judged by the path rules alone
NO_OWNERS_POLICY = scenarios.POLICY.replace('policy_owners: senior\n', '')


def test_a_shallow_file_in_the_environment_hides_no_commit_from_check(tmp_path: Path) -> None:
    """GIT_SHALLOW_FILE names other shallow roots than the repository's:
    git's walk would stop there and show the root as a commit adding every file."""
    repo = scenarios.new_repo(tmp_path / 'repo', NO_OWNERS_POLICY, hooks=False)
    base = repo.head()
    hidden = scenarios.unreviewed(repo)
    tip = repo.commit_ok(scenarios.message('Harmless'), {scenarios.OTHER: 'x\n'}, verify=False)
    shallow = tmp_path / 'shallow'
    shallow.write_text(f'{tip}\n')
    env = {'GIT_SHALLOW_FILE': str(shallow)}
    assert repo.git('rev-list', f'{base}..HEAD', env=env).split() == [tip]  # git itself is fooled
    result = repo.trailgate('check', f'{base}..HEAD', env=env)
    assert result.returncode == 1, result
    assert hidden[:10] in result.stdout


def test_a_push_from_a_shallow_clone_cannot_launder_a_commit_it_leaves_out(tmp_path: Path) -> None:
    """With receive.shallowUpdate, receive-pack runs pre-receive with the
    pusher's shallow roots in GIT_SHALLOW_FILE: the pushed history ends where
    the pusher chose, after the AI-assisted change, which the server never
    sees. The gate reads the history without them: it cannot be judged (2)."""
    dev = scenarios.new_repo(tmp_path / 'dev', NO_OWNERS_POLICY, hooks=False)
    origin = scenarios.bare_remote(tmp_path / 'origin.git')
    scenarios.publish(dev, origin)
    scenarios.unreviewed(dev)
    dev.commit_ok(scenarios.message('Harmless'), {scenarios.OTHER: 'x\n'}, verify=False)
    shallow = scenarios.Repo(tmp_path / 'shallow')
    scenarios.git(tmp_path, 'clone', '-q', '--depth', '1', f'file://{dev.path}', str(shallow.path))
    origin.git('config', 'receive.shallowUpdate', 'true')
    before = scenarios.ref_values(origin)
    # forced: the clone cannot see that it fast-forwards
    pushed = shallow.run_git('push', '--force', str(origin.path), 'HEAD:main')
    assert pushed.returncode != 0 and pushed.hooks == {'pre-receive': 2}, pushed
    assert 'Traceback' not in pushed.output
    assert scenarios.ref_values(origin) == before


# -- the reports: a locale that does not write UTF-8 ------------------------------

SUBJECT = 'Caf\u00e9 \u20ac charge \U0001F916'


def _refused_with_a_non_ascii_subject(tmp_path: Path) -> tuple[scenarios.Repo, str]:
    repo = scenarios.new_repo(tmp_path / 'repo', hooks=False)
    base = repo.head()
    scenarios.unreviewed(repo, subject=SUBJECT)
    return repo, base


@pytest.mark.parametrize('locale', [{'PYTHONIOENCODING': 'ascii'}, {'PYTHONIOENCODING': 'latin-1'},
                                    {'LC_ALL': 'C', 'PYTHONUTF8': '0', 'PYTHONCOERCECLOCALE': '0'}])
@pytest.mark.parametrize('format', ['json', 'sarif', 'junit', 'github'])
def test_machine_formats_are_utf8_whatever_the_locale(tmp_path: Path, format: str, locale: dict[str, str]) -> None:
    """A report for a program is UTF-8 (JSON and SARIF by definition, the
    JUnit document declares it): under a locale or PYTHONIOENCODING that
    encodes otherwise, Python's own encoding of stdout gave ``\\xe9`` escapes,
    which no JSON parser reads, or another encoding's bytes."""
    repo, base = _refused_with_a_non_ascii_subject(tmp_path)
    result = subprocess.run((sys.executable, '-m', 'trailgate', 'check', f'{base}..HEAD', '--format', format),
                            cwd=repo.path, env=git_env(**locale), capture_output=True, timeout=TIMEOUT)
    assert result.returncode == 1, result
    text = result.stdout.decode('utf-8')
    if format in ('json', 'sarif'):
        json.loads(text)
    elif format == 'junit':
        ElementTree.fromstring(result.stdout)
    assert SUBJECT in text


@pytest.mark.parametrize('option', ['--json', '--csv'])
def test_audit_to_stdout_is_utf8_whatever_the_locale(tmp_path: Path, option: str) -> None:
    repo, base = _refused_with_a_non_ascii_subject(tmp_path)
    result = subprocess.run((sys.executable, '-m', 'trailgate', 'audit', f'{base}..HEAD', option, '-'),
                            cwd=repo.path, env=git_env(PYTHONIOENCODING='ascii'), capture_output=True,
                            timeout=TIMEOUT)
    assert result.returncode == 0, result
    text = result.stdout.decode('utf-8')
    if option == '--json':
        json.loads(text)
    assert SUBJECT in text


# -- a repository git will not use ----------------------------------------------


@pytest.mark.parametrize('command', [('check', 'HEAD~1..HEAD'), ('check', '--base', 'main'), ('explain',),
                                     ('audit',), ('validate',), ('commit-msg', 'MSG'), ('pre-push', 'origin')])
def test_a_repository_owned_by_another_user_is_an_error_that_says_so(tmp_path: Path, command: tuple[str, ...]) -> None:
    """A CI checkout owned by another user than the job's (a container job,
    say): git refuses the repository (``safe.directory``) and exits 128.
    Every command exits 2 with git's reason, not a claim that there is no
    repository."""
    repo, _ = _refused_with_a_non_ascii_subject(tmp_path)
    (repo.path / 'MSG').write_text(f'Speed up\n\n{scenarios.ASSISTED}\n')
    result = repo.trailgate(*command, env={'GIT_TEST_ASSUME_DIFFERENT_OWNER': '1'})
    assert result.returncode == 2, result
    assert 'safe.directory' in result.stderr and 'Traceback' not in result.output, result


# -- configuration that adds to git log's output ------------------------------------


@pytest.mark.parametrize('how', ['repository', 'command line'])
def test_log_show_signature_adds_nothing_to_what_audit_reads(tmp_path: Path, how: str) -> None:
    """``log.showSignature`` makes git log print each signed commit's
    verification ahead of its formatted line: ``audit --lines`` read it as
    a line of counts before any commit, and could not run."""
    repo, base = _refused_with_a_non_ascii_subject(tmp_path)
    key = make_key(tmp_path / 'keys', 'dev')
    repo.git('config', 'gpg.format', 'ssh')
    repo.git('config', 'user.signingKey', str(key.private))
    repo.commit_ok(scenarios.message('Signed'), {scenarios.OTHER: 'signed\n'}, verify=False, args=['-S'])
    plain = repo.trailgate('audit', f'{base}..HEAD', '--lines')
    assert plain.returncode == 0 and 'changed lines:' in plain.stdout, plain
    if how == 'repository':
        repo.git('config', 'log.showSignature', 'true')
        env = {}
    else:
        env = {'GIT_CONFIG_PARAMETERS': "'log.showsignature=true'"}
    assert 'ignature' in repo.git('log', '-1', '--format=%H', env=env)  # git prints it here
    assert repo.trailgate('audit', f'{base}..HEAD', '--lines', env=env) == plain


# -- checkouts -----------------------------------------------------------------------


@pytest.mark.parametrize('sparse_index', ['false', 'true'])
def test_commit_msg_in_a_sparse_checkout_that_leaves_the_policy_out(tmp_path: Path, sparse_index: str) -> None:
    """``git sparse-checkout set services`` leaves ``.trailgate/`` out of the
    work tree, not out of the index: commit-msg judged every commit "could
    not check" (no policy), so nothing could be committed. It reads the
    index's policy, which the commit will hold."""
    repo = scenarios.new_repo(tmp_path / 'repo')
    repo.git('config', 'index.sparse', sparse_index)
    repo.git('sparse-checkout', 'set', '--cone', 'services')
    assert not (repo.path / scenarios.POLICY_PATH).exists()
    refused = repo.commit(scenarios.message('Speed up', scenarios.ASSISTED), {scenarios.CRITICAL: 'x = 1\n'})
    assert refused.hooks == {'commit-msg': 1} and '(TG001)' in refused.stderr, refused
    repo.git('reset', '-q')
    accepted = repo.commit(scenarios.message('Speed up', scenarios.ASSISTED, *scenarios.APPROVALS),
                           {scenarios.CRITICAL: 'x = 2\n'})
    assert accepted.hooks == {'commit-msg': 0}, accepted


@pytest.mark.parametrize('variable', ['GIT_ICASE_PATHSPECS', 'GIT_GLOB_PATHSPECS'])
def test_a_global_pathspec_setting_does_not_stop_commit_msg(tmp_path: Path, variable: str) -> None:
    """A shell that sets GIT_ICASE_PATHSPECS=1 (or GIT_GLOB_PATHSPECS=1) for
    every git: the hook's own question with --literal-pathspecs (is the
    documentation file a regular file in the index?) made git refuse the
    two settings together, and no documented change could be committed."""
    repo = scenarios.new_repo(tmp_path / 'repo', files={'docs/changes/pay-1.md': 'the plan\n'})
    env = {variable: '1'}
    accepted = repo.commit(scenarios.message('Speed up', scenarios.ASSISTED, scenarios.REVIEW_ALICE,
                                             scenarios.REVIEW_BOB, 'Change-Doc: docs/changes/pay-1.md'),
                           {scenarios.CRITICAL: 'x = 1\n'}, env=env)
    assert accepted.hooks == {'commit-msg': 0}, accepted
    refused = repo.commit(scenarios.message('Speed up', scenarios.ASSISTED, scenarios.REVIEW_ALICE,
                                            scenarios.REVIEW_BOB, 'Change-Doc: docs/changes/missing.md'),
                          {scenarios.CRITICAL: 'x = 2\n'}, env=env)
    assert refused.hooks == {'commit-msg': 1} and '(TG002)' in refused.stderr, refused


# -- commit-msg: how git will clean the message up -----------------------------------


@pytest.mark.parametrize('verbose', [(), ('-v',)])
def test_comment_char_auto_with_a_line_that_starts_with_a_hash(tmp_path: Path, verbose: tuple[str, ...]) -> None:
    """Under core.commentChar=auto, a message with a line starting '#' (an
    issue number) makes git pick another comment character (';'), write its
    status lines with it, and strip only those: commit-msg stripped the '#'
    line and kept the ';' lines, whose paragraph hid the trailers, so an
    unreviewed AI-assisted change passed the hook and was refused later."""
    repo = scenarios.new_repo(tmp_path / 'repo')
    repo.git('config', 'core.commentChar', 'auto')
    editor = scenarios.editor(tmp_path / 'editor.py', '')  # the message as git wrote it
    base = repo.head()
    repo.stage({scenarios.CRITICAL: 'x = 1\n'})
    refused = repo.run('git', 'commit', '-q', '-e', *verbose, '-m', f'#12 Speed up\n\n{scenarios.ASSISTED}',
                       env=editor)
    assert refused.hooks == {'commit-msg': 1} and '(TG001)' in refused.stderr, refused
    reviewed = scenarios.message('#12 Speed up', scenarios.ASSISTED, *scenarios.APPROVALS)
    accepted = repo.run('git', 'commit', '-q', '-e', *verbose, '-m', reviewed, env=editor)
    assert accepted.hooks == {'commit-msg': 0}, accepted
    assert repo.git('log', '-1', '--format=%B').startswith('#12 Speed up\n')
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 0


def test_comment_char_auto_with_trailers_typed_below_git_s_lines(tmp_path: Path) -> None:
    """Under core.commentChar=auto, trailers typed below the comment lines git
    wrote: the last line is no comment, so commit-msg took git's choice for
    the whole text, which holds git's ';' lines, and cleaned up with another
    character than git's: it dropped the '#' line git kept (aider's mark) and
    passed what `trailgate check` refused. git's line that quotes the
    character (`; with ';' will be ignored`) names it."""
    repo = scenarios.new_repo(tmp_path / 'repo')
    repo.git('config', 'core.commentChar', 'auto')
    editor = scenarios.editor(tmp_path / 'editor.py', '', f'{scenarios.REVIEW_ALICE}\n')
    base = repo.head()
    repo.stage({scenarios.CRITICAL: 'x = 1\n'})
    text = 'Retry the charge\n\n# Aider chat conversation:\n\nUSER: retry on timeouts\n'

    refused = repo.run('git', 'commit', '-q', '-e', '-m', text, env=editor)

    assert refused.hooks == {'commit-msg': 1} and '(TG001)' in refused.stderr, refused
    assert 'aider' in refused.stderr, refused
    made = repo.run('git', 'commit', '-q', '--no-verify', '-e', '-m', text, env=editor)
    assert made.returncode == 0, made
    assert '\n# Aider chat conversation:\n' in repo.git('log', '-1', '--format=%B')  # git kept it
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 1  # what the other gates say


def test_comment_char_auto_sees_a_hash_line_after_a_blank_line(tmp_path: Path) -> None:
    """git's choice under core.commentChar=auto looks at the start of every
    line: commit-msg missed one that follows a blank line, so for a '#' line
    that opens a paragraph it chose '#' where git chose ';', dropped the line
    git kept (aider's mark) and passed what `trailgate check` refused."""
    repo = scenarios.new_repo(tmp_path / 'repo')
    repo.git('config', 'core.commentChar', 'auto')
    base = repo.head()
    text = 'Retry the charge\n\n# Aider chat conversation:\n\nUSER: retry on timeouts\n'

    refused = repo.commit(text, {scenarios.CRITICAL: 'x = 1\n'}, args=['--cleanup=strip'])

    assert refused.hooks == {'commit-msg': 1} and 'aider' in refused.stderr, refused
    repo.commit_ok(text, verify=False, args=['--cleanup=strip'])
    assert '\n# Aider chat conversation:\n' in repo.git('log', '-1', '--format=%B')  # git kept it
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 1  # what the other gates say


# -- partial clones ------------------------------------------------------------------


@pytest.mark.parametrize('filter', ['blob:none', 'tree:0'])
def test_a_partial_clone_fetches_what_it_lacks_or_cannot_check(tmp_path: Path, filter: str) -> None:
    """A CI's partial clone has no policy blob (nor, with tree:0, trees)
    until git fetches it from the promisor remote: with the remote there,
    the verdict is the full clone's; with it gone, exit 2, never a pass."""
    origin = scenarios.bare_remote(tmp_path / 'origin.git', pre_receive=False)
    origin.git('config', 'uploadpack.allowFilter', 'true')
    repo = scenarios.new_repo(tmp_path / 'repo', hooks=False)
    scenarios.publish(repo, origin)
    scenarios.unreviewed(repo)
    repo.git('push', '-q', 'origin', 'HEAD:refs/heads/feature')
    clones = []
    for name in ('with-remote', 'without-remote'):
        clone = scenarios.Repo(tmp_path / name)
        scenarios.git(tmp_path, 'clone', '-q', f'--filter={filter}', '--no-checkout', f'file://{origin.path}',
                      str(clone.path))
        clones.append(clone)
    with_remote, without_remote = clones
    verdict = with_remote.trailgate('check', 'origin/main..origin/feature')
    assert verdict.returncode == 1 and 'TG001' in verdict.stdout, verdict
    origin.path.rename(tmp_path / 'gone.git')
    for args in (('check', 'origin/main..origin/feature'), ('check', 'origin/main..origin/feature', '--format', 'json'),
                 ('audit', 'origin/main..origin/feature')):
        result = without_remote.trailgate(*args)
        assert result.returncode == 2 and 'Traceback' not in result.output, (args, result)
        assert 'trailgate: error: git' in result.stderr, (args, result)  # git could not read it


def _lazy_fetches(trace: Path) -> int:
    """How many fetches git ran for the objects a partial clone lacks (GIT_TRACE)."""
    return sum('built-in: git fetch' in line for line in trace.read_text().splitlines()) if trace.exists() else 0


def test_a_signed_check_in_a_partial_clone_fetches_the_patches_blobs_at_once(tmp_path: Path) -> None:
    """Signed approvals name a change by its canonical patch, which needs the
    file contents a blob:none clone lacks: git fetched them one commit at a
    time, a round trip to the remote per commit. They are fetched together."""
    from testing.approvals import SIGNERS_PATH
    from testing.approvals import signed_policy
    from testing.approvals import signers_file

    key = make_key(tmp_path, 'alice')
    origin = scenarios.bare_remote(tmp_path / 'origin.git', pre_receive=False)
    origin.git('config', 'uploadpack.allowFilter', 'true')
    repo = scenarios.new_repo(tmp_path / 'repo', signed_policy(count=1, seniors='alice@example.com'), hooks=False,
                              files={SIGNERS_PATH: signers_file(('alice@example.com', key))})
    scenarios.publish(repo, origin)
    commits = 8
    for number in range(commits):
        repo.commit_ok(scenarios.message(f'Charge {number}', scenarios.ASSISTED),
                       {f'services/payments/f{number}_{part}.py': f'{number} {part}\n' for part in range(2)},
                       verify=False)
    repo.git('push', '-q', 'origin', 'HEAD:refs/heads/feature')
    full = repo.trailgate('check', 'origin/main..HEAD')
    partial = scenarios.Repo(tmp_path / 'partial')
    scenarios.git(tmp_path, 'clone', '-q', '--filter=blob:none', '--no-checkout', f'file://{origin.path}',
                  str(partial.path))
    trace = tmp_path / 'trace'

    result = partial.trailgate('check', 'origin/main..origin/feature', env={'GIT_TRACE': str(trace)})

    assert (result.returncode, result.stdout.count('refused ')) == (full.returncode, full.stdout.count('refused '))
    assert result.returncode == 1 and result.stdout.count('refused ') == commits, result.output
    assert _lazy_fetches(trace) <= 3, trace.read_text()  # the policy, the signers file, the patches' blobs
