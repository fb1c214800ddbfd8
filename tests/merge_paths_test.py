"""Every way a change reaches main, end to end against a bare server whose
pre-receive runs trailgate (the client's hooks are skipped: ``--no-verify``).

The developer's AI-assisted change to a critical path is pushed to a feature
branch first (unprotected: accepted), then lands on main by one of the
methods a forge or a maintainer uses. Unreviewed, main refuses it and stays
as it was; reviewed (the trailers in the commits that land), it is accepted.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import OTHER
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values

SUBJECT = 'Retry refunds on gateway timeout'


def push(repo: Repo, *refspecs: str) -> Run:
    return repo.run_git('push', '--no-verify', 'origin', *refspecs)


def trailers(reviewed: bool) -> tuple[str, ...]:
    return (ASSISTED, *APPROVALS) if reviewed else (ASSISTED,)


def feature(repo: Repo, reviewed: bool) -> str:
    """The AI-assisted change on a feature branch, pushed there (and accepted)."""
    repo.git('switch', '-q', '-c', 'feature', 'main')
    sha = repo.commit_ok(message(SUBJECT, *trailers(reviewed)), {CRITICAL: 'retries = 3\n'}, verify=False)
    result = push(repo, 'feature')
    assert result.returncode == 0, result
    return sha


def main_moves_on(repo: Repo) -> None:
    """Someone else lands an unrelated, human change on main meanwhile."""
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Tune search'), {OTHER: 'tuned\n'}, verify=False)
    assert push(repo, 'main').returncode == 0


def merge_commit(repo: Repo, reviewed: bool) -> None:
    feature(repo, reviewed)
    main_moves_on(repo)
    repo.git('merge', '-q', '--no-ff', '--no-verify', '--no-edit', 'feature')


def squash(repo: Repo, reviewed: bool) -> None:
    """As a forge squashes: one commit, the branch's messages in its body."""
    feature(repo, reviewed)
    main_moves_on(repo)
    repo.git('merge', '-q', '--squash', 'feature')
    repo.commit_ok(message(f'{SUBJECT} (#12)', *trailers(reviewed), body=f'* {SUBJECT}'), verify=False)


def local_squash(repo: Repo, reviewed: bool) -> None:
    """`git merge --squash`, committed with the message git wrote: the
    squashed commits' log, their messages (and AI marks) indented."""
    feature(repo, reviewed)
    main_moves_on(repo)
    repo.git('merge', '-q', '--squash', 'feature')
    text = (repo.path / '.git' / 'SQUASH_MSG').read_text()
    assert f'    {ASSISTED}' in text
    if reviewed:  # the squash commit carries its own reviews: the indented ones are not trailers
        text += '\n' + '\n'.join(trailers(reviewed)) + '\n'
    repo.commit_ok(text, verify=False)


def rebase_and_merge(repo: Repo, reviewed: bool) -> None:
    feature(repo, reviewed)
    main_moves_on(repo)
    repo.git('rebase', '-q', 'main', 'feature')
    repo.git('switch', '-q', 'main')
    repo.git('merge', '-q', '--ff-only', 'feature')


def fast_forward(repo: Repo, reviewed: bool) -> None:
    feature(repo, reviewed)
    repo.git('switch', '-q', 'main')
    repo.git('merge', '-q', '--ff-only', 'feature')


def main_into_feature_and_back(repo: Repo, reviewed: bool) -> None:
    feature(repo, reviewed)
    main_moves_on(repo)
    repo.git('switch', '-q', 'feature')
    repo.git('merge', '-q', '--no-ff', '--no-verify', '--no-edit', 'main')
    assert push(repo, 'feature').returncode == 0  # the feature branch takes main in: unprotected
    repo.git('switch', '-q', 'main')
    repo.git('merge', '-q', '--ff-only', 'feature')


def revert(repo: Repo, reviewed: bool) -> None:
    """An AI-assisted revert of a change that is on main (it changes the critical path too)."""
    repo.git('switch', '-q', 'main')
    landed = repo.commit_ok(message('Charge in cents', ASSISTED, *APPROVALS), {CRITICAL: 'cents = 1\n'},
                            verify=False)
    assert push(repo, 'main').returncode == 0
    repo.git('revert', '--no-edit', '--no-commit', landed)
    repo.commit_ok(message('Revert "Charge in cents"', *trailers(reviewed), body=f'This reverts commit {landed}.'),
                   verify=False)


def cherry_pick(repo: Repo, reviewed: bool) -> None:
    """From another branch (already on the server, unprotected) onto main."""
    picked = feature(repo, reviewed)
    repo.git('switch', '-q', 'main')
    main_moves_on(repo)
    repo.git('cherry-pick', picked)


PATHS: dict[str, Callable[[Repo, bool], None]] = {
    'merge-commit': merge_commit,
    'squash': squash,
    'local-squash': local_squash,
    'rebase-and-merge': rebase_and_merge,
    'fast-forward': fast_forward,
    'main-into-feature-then-back': main_into_feature_and_back,
    'revert': revert,
    'cherry-pick': cherry_pick,
}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    return repo


def origin_of(repo: Repo) -> Repo:
    return Repo(repo.path.parent / 'origin.git')


@pytest.mark.parametrize('path', PATHS.values(), ids=PATHS.keys())
def test_unreviewed_ai_change_refused(repo: Repo, path: Callable[[Repo, bool], None]) -> None:
    path(repo, False)
    before = ref_values(origin_of(repo))
    result = push(repo, 'main')
    assert result.returncode != 0, result
    assert result.hooks.get('pre-receive') == 1, result
    assert RULE in result.stderr and 'missing-review' in result.stderr
    assert ref_values(origin_of(repo)) == before


@pytest.mark.parametrize('path', PATHS.values(), ids=PATHS.keys())
def test_reviewed_change_accepted(repo: Repo, path: Callable[[Repo, bool], None]) -> None:
    path(repo, True)
    result = push(repo, 'main')
    assert result.returncode == 0, result
    assert result.hooks.get('pre-receive') == 0, result
    assert ref_values(origin_of(repo))['refs/heads/main'] == repo.head()
