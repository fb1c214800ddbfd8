"""commit-msg with ``protected``: refuse on a protected branch, remind elsewhere.

Real ``git commit`` with the hook installed through ``core.hooksPath``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from testing.scenarios import ALICE
from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import init
from testing.scenarios import message
from testing.scenarios import new_repo
from tests.commands.commit_msg_test import accepted
from tests.commands.commit_msg_test import refused


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return new_repo(tmp_path / 'repo', PROTECTED_POLICY)


def ai_commit(repo: Repo, *trailers: str) -> Run:
    return repo.commit(message('Unreviewed charge', ASSISTED, *trailers), {CRITICAL: 'x = 1\n'})


def reminded(result: Run, repo: Repo, before: str) -> None:
    """Made, with a reminder that names what is missing but no reviewer to type."""
    accepted(result, repo, before)
    assert 'needs review Unreviewed charge' in result.stderr, result.stderr
    assert f'{RULE}: missing-review (TG001)' in result.stderr
    assert 'nothing refused' in result.stderr
    assert 'fix:' not in result.stderr
    assert ALICE not in result.stderr and 'alice@example.com' not in result.stderr
    # typed reviews: the way that counts, and not `trailgate approve`, which
    # has nothing to sign without `signers` (it exits 2)
    assert '--trailer "Reviewed-by: <who reviewed>"' in result.stderr
    assert 'trailgate approve' not in result.stderr


def test_refused_on_main(repo: Repo) -> None:
    before = repo.head()
    refused(ai_commit(repo), repo, before, RULE, 'fix: git commit --trailer')


def test_refused_on_a_release_branch(repo: Repo) -> None:
    repo.git('switch', '-q', '-c', 'release/2.0')
    refused(ai_commit(repo), repo, repo.head(), RULE)


def test_reminder_on_a_feature_branch(repo: Repo) -> None:
    repo.git('switch', '-q', '-c', 'feature')
    before = repo.head()
    result = ai_commit(repo)
    reminded(result, repo, before)
    assert 'feature is not protected; headed for main' in result.stderr


def test_reminder_names_the_protected_branches_when_no_target_is_known(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY.replace('[main, ', '[trunk, '))
    repo.git('switch', '-q', '-c', 'feature')
    result = ai_commit(repo)
    assert 'protected: trunk, release/*' in result.stderr


def test_reminder_on_a_detached_head(repo: Repo) -> None:
    repo.git('switch', '-q', '--detach')
    before = repo.head()
    reminded(ai_commit(repo), repo, before)


def test_nothing_printed_when_nothing_is_missing(repo: Repo) -> None:
    repo.git('switch', '-q', '-c', 'feature')
    result = ai_commit(repo, *APPROVALS)
    accepted(result, repo)
    assert result.stderr == ''


def test_refuse_commits_every_branch(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY + 'refuse_commits: every-branch\n')
    repo.git('switch', '-q', '-c', 'feature')
    refused(ai_commit(repo), repo, repo.head(), RULE)


def test_without_the_key_every_branch_refuses(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', POLICY)
    repo.git('switch', '-q', '-c', 'feature')
    refused(ai_commit(repo), repo, repo.head(), RULE)
    repo.git('switch', '-q', '--detach')
    refused(ai_commit(repo), repo, repo.head(), RULE)


@pytest.mark.parametrize(('branch', 'verdict'), [('main', 'refused'), ('feature', 'reminded')])
def test_first_commit_of_a_new_repository(tmp_path: Path, branch: str, verdict: str) -> None:
    path = init(tmp_path / 'repo')
    repo = Repo(path)
    repo.git('symbolic-ref', 'HEAD', f'refs/heads/{branch}')
    repo.install_hooks()
    result = repo.commit(message('Unreviewed charge', ASSISTED),
                         {POLICY_PATH: PROTECTED_POLICY, CRITICAL: 'x = 1\n'})
    if verdict == 'refused':
        refused(result, repo, None, RULE)
    else:
        assert result.returncode == 0, result
        assert 'needs review' in result.stderr


def test_rebase_reword_of_main_is_judged_on_main(repo: Repo) -> None:
    """During a rebase HEAD is detached; the branch being rebased decides."""
    repo.commit_ok(message('Reviewed charge', ASSISTED, *APPROVALS), {CRITICAL: 'x = 2\n'})
    before = repo.head()
    # reword HEAD, dropping the trailers: the rebase's commit --amend runs commit-msg
    editor = repo.path.parent / 'reword.py'
    editor.write_text(
        'import sys\n'
        'path = sys.argv[1]\n'
        'text = open(path).read()\n'
        'if "git-rebase-todo" in path:\n'
        '    text = text.replace("pick", "reword", 1)\n'
        'else:\n'
        '    text = "Unreviewed charge\\n\\nAssisted-by: Claude Code\\n"\n'
        'open(path, "w").write(text)\n',
    )
    env = {'GIT_EDITOR': f'{sys.executable} {editor}', 'GIT_SEQUENCE_EDITOR': f'{sys.executable} {editor}'}
    result = repo.run_git('rebase', '-i', 'HEAD~1', env=env)
    assert result.returncode != 0, result
    assert result.hooks.get('commit-msg') == 1, result
    repo.run_git('rebase', '--abort')
    assert repo.head() == before
