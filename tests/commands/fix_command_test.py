"""The fix a refusal prints is ready to run: run it, and the commit is made."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import editor
from testing.scenarios import message
from testing.scenarios import new_repo

# git does not tell commit-msg that it amends; trailgate looks at /proc (Linux)
needs_proc = pytest.mark.skipif(not os.path.exists('/proc/self/cmdline'),
                                reason='amend detection reads /proc')

REVIEWS_ONLY = """\
version: 1
groups:
  senior: [alice@example.com, "Bob Builder <bob@example.com>"]
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2}
"""


def _fix(stderr: str) -> str:
    match = re.search(r'^  fix: (.+)$', stderr, re.MULTILINE)
    assert match, stderr
    return match[1]


def test_commit_msg_fix_commits_the_saved_message_with_the_trailers(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    refused = repo.commit(message('Retry the charge', ASSISTED, body='Backs off on timeouts.'), {CRITICAL: 'x = 1\n'})
    assert refused.returncode != 0
    fix = _fix(refused.stderr)
    assert fix.startswith('git commit --trailer "Reviewed-by: alice@example.com"')

    fixed = repo.run('bash', '-c', fix)

    assert fixed.returncode == 0, fixed.output
    stored = repo.git('log', '-1', '--format=%B')
    assert stored.startswith('Retry the charge\n\nBacks off on timeouts.\n\n')
    assert 'Reviewed-by: alice@example.com\nReviewed-by: Bob Builder <bob@example.com>' in stored
    assert '#' not in stored


def test_check_fix_amends_the_refused_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    base = repo.head()
    repo.commit_ok(message('Retry the charge', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    checked = repo.run(sys.executable, '-m', 'trailgate', 'check', f'{base}..HEAD')
    assert checked.returncode == 1
    fix = _fix(checked.stdout)
    assert fix.startswith('git commit --amend --trailer "Reviewed-by: alice@example.com"')

    assert repo.run('bash', '-c', fix).returncode == 0
    assert repo.run(sys.executable, '-m', 'trailgate', 'check', f'{base}..HEAD').returncode == 0


def test_commit_msg_fix_after_commit_v_leaves_the_diff_out(tmp_path: Path) -> None:
    # `git commit -v` saves the diff below a scissors line in the message file
    _refused_in_an_editor_then_fixed(tmp_path, '-v')


def _refused_in_an_editor_then_fixed(tmp_path: Path, *args: str, config: tuple[str, str] | None = None) -> None:
    """A `git commit` with an editor, refused; its fix stores the message with
    the reviews and none of git's comment lines or `-v` diff."""
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    if config:
        repo.git('config', *config)
    repo.stage({CRITICAL: 'x = 1\n'})
    env = editor(tmp_path / 'edit.py', message('Retry the charge', ASSISTED))
    refused = repo.run('git', 'commit', '-q', *args, env=env)
    assert refused.returncode != 0
    if '-v' in args:
        assert '>8' in (repo.path / '.git' / 'COMMIT_EDITMSG').read_text()

    fixed = repo.run('bash', '-c', _fix(refused.stderr))

    assert fixed.returncode == 0, fixed.output
    stored = repo.git('log', '-1', '--format=%B')
    assert stored.startswith('Retry the charge\n\n')
    assert 'Reviewed-by: alice@example.com\nReviewed-by: Bob Builder <bob@example.com>' in stored
    assert 'diff --git' not in stored
    assert '#' not in stored


@needs_proc
def test_commit_msg_fix_of_a_refused_amend_amends(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    base = repo.head()
    repo.commit_ok(message('Draft the charge'), {CRITICAL: 'x = 1\n'})
    repo.stage({CRITICAL: 'x = 2\n'})
    refused = repo.commit(message('Retry the charge', ASSISTED), args=['--amend'])
    assert refused.returncode != 0

    fixed = repo.run('bash', '-c', _fix(refused.stderr))

    assert fixed.returncode == 0, fixed.output
    # the amend was made: one commit over the base, not a second one on the draft
    assert repo.git('rev-parse', 'HEAD~1').strip() == base
    assert repo.git('log', '-1', '--format=%s').strip() == 'Retry the charge'
    assert repo.git('show', 'HEAD:' + CRITICAL) == 'x = 2\n'


def test_commit_msg_fix_keeps_a_line_git_kept_after_commit_m(tmp_path: Path) -> None:
    # without an editor git keeps lines that start with '#': so does the fix
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    refused = repo.commit(message('Retry the charge', ASSISTED, body='#123 was the cause.'), {CRITICAL: 'x = 1\n'})
    assert refused.returncode != 0

    fixed = repo.run('bash', '-c', _fix(refused.stderr))

    assert fixed.returncode == 0, fixed.output
    assert '\n#123 was the cause.\n' in repo.git('log', '-1', '--format=%B')


@needs_proc
@pytest.mark.parametrize('staging', [['-a'], ['--', CRITICAL], ['-i', CRITICAL]])
def test_commit_msg_fix_stages_again_what_the_refused_commit_staged(tmp_path: Path, staging: list[str]) -> None:
    # `git commit -a` (or with paths) stages into an index of its own, which git
    # drops with the refused commit: the fix must stage it again, or commit nothing
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    base = repo.head()
    (repo.path / CRITICAL).write_text('x = 1\n')
    refused = repo.commit(message('Retry the charge', ASSISTED), args=staging)
    assert refused.returncode != 0
    assert repo.git('diff', '--cached', '--name-only') == ''

    fixed = repo.run('bash', '-c', _fix(refused.stderr))

    assert fixed.returncode == 0, fixed.output
    assert repo.git('rev-parse', 'HEAD~1').strip() == base
    assert repo.git('show', 'HEAD:' + CRITICAL) == 'x = 1\n'
    assert 'Reviewed-by: alice@example.com' in repo.git('log', '-1', '--format=%B')


@pytest.mark.parametrize('verbose', [[], ['-v']])
def test_commit_msg_fix_under_an_auto_comment_char_leaves_git_s_comments_out(
        tmp_path: Path, verbose: list[str]) -> None:
    # under core.commentChar=auto git picks a character no line of the message
    # starts with: for the saved message, which holds the '#' lines git wrote,
    # that is not '#', and they would be stored; the fix names the one git used
    _refused_in_an_editor_then_fixed(tmp_path, *verbose, config=('core.commentChar', 'auto'))


@needs_proc
def test_commit_msg_fix_keeps_the_author_the_refused_commit_named(tmp_path: Path) -> None:
    # `git commit --author` (a change committed on someone's behalf): the fix
    # makes the commit as that author again, whose reviews it was computed for
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    repo.stage({CRITICAL: 'x = 1\n'})
    refused = repo.commit(message('Retry the charge', ASSISTED), args=['--author', 'Carol Coder <carol@example.com>'])
    assert refused.returncode != 0

    fixed = repo.run('bash', '-c', _fix(refused.stderr))

    assert fixed.returncode == 0, fixed.output
    assert repo.git('log', '-1', '--format=%an <%ae>').strip() == 'Carol Coder <carol@example.com>'


@needs_proc
def test_commit_msg_fix_repeats_git_s_directory_before_commit(tmp_path: Path) -> None:
    # `git -C repo/services commit -- payments/charge.py`, run from outside the
    # work tree: the path is in that directory, and the fix, run from the same
    # place, must say it again (the hook runs at the top level, not there)
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    base = repo.head()
    (repo.path / CRITICAL).write_text('x = 1\n')
    refused = repo.run('git', '-C', 'repo/services', 'commit', '-q', '-F', '-', '--', 'payments/charge.py',
                       input=message('Retry the charge', ASSISTED), cwd=tmp_path)
    assert refused.returncode != 0
    fix = _fix(refused.stderr)
    assert fix.startswith('git -C "repo/services" commit '), fix

    fixed = repo.run('bash', '-c', fix, cwd=tmp_path)

    assert fixed.returncode == 0, fixed.output
    assert repo.git('rev-parse', 'HEAD~1').strip() == base
    assert repo.git('show', 'HEAD:' + CRITICAL) == 'x = 1\n'
    assert 'Reviewed-by: alice@example.com' in repo.git('log', '-1', '--format=%B')


@needs_proc
@pytest.mark.parametrize('reuse', [['-C'], ['--reedit-message'], ['-C', '--reset-author']])
def test_commit_msg_fix_of_a_commit_that_reused_another_s_authorship(tmp_path: Path, reuse: list[str]) -> None:
    # `git commit -C <commit>` (or -c, --reuse-message, --reedit-message) makes
    # the commit as that commit's author, at its date: the fix, which cannot
    # say -C with its -F, says --author and --date; --reset-author, which git
    # allows only with -C, -c or --amend, leaves both to git again
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    carol = {'GIT_AUTHOR_DATE': '2020-01-02T03:04:05+0530'}
    earlier = repo.commit_ok(message('Retry the charge', ASSISTED), {'README.txt': 'shop!\n'}, verify=False,
                             author='Carol Coder <carol@example.com>', env=carol)
    repo.stage({CRITICAL: 'x = 1\n'})
    refused = repo.run('git', 'commit', '-q', reuse[0], earlier, *reuse[1:], env={'GIT_EDITOR': 'true'})
    assert refused.returncode != 0

    fixed = repo.run('bash', '-c', _fix(refused.stderr))

    assert fixed.returncode == 0, fixed.output
    made = repo.git('log', '-1', '--format=%an <%ae> %ad', '--date=raw').strip()
    if '--reset-author' in reuse:
        assert made.startswith(repo.git('var', 'GIT_AUTHOR_IDENT').rsplit('>', 1)[0] + '>')
        assert not made.endswith('1577914445 +0530')
    else:
        assert made == 'Carol Coder <carol@example.com> 1577914445 +0530'
    assert 'Reviewed-by: alice@example.com' in repo.git('log', '-1', '--format=%B')
