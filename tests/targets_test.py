"""The protected branch a local branch is headed for, read from a real clone's refs."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.util import GIT_ENV
from testing.util import STRIPPED
from testing.util import git
from testing.util import init_repo
from testing.util import write
from trailgate.policy import Policy
from trailgate.refs import Protected
from trailgate.targets import Target
from trailgate.targets import protected_target


def policy(*patterns: str) -> Policy:
    return Policy({}, {}, (), protected=Protected.from_patterns(list(patterns)))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone on ``feature`` that knows origin's main, trunk and dev, and
    ``HEAD`` -> ``main`` there; no branch tracks anything yet."""
    for name in STRIPPED:
        monkeypatch.delenv(name, raising=False)
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    path = init_repo(tmp_path / 'repo')
    write(path / 'a.txt')
    git(path, 'add', 'a.txt')
    git(path, 'commit', '-q', '-m', 'First')
    git(path, 'remote', 'add', 'origin', str(tmp_path / 'nowhere.git'))
    for name in ('main', 'trunk', 'dev'):
        git(path, 'update-ref', f'refs/remotes/origin/{name}', 'HEAD')
    git(path, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main')
    git(path, 'switch', '-q', '-c', 'feature')
    monkeypatch.chdir(path)
    return path


def track(repo: Path, branch: str, upstream: str, remote: str = 'origin') -> None:
    git(repo, 'config', f'branch.{branch}.remote', remote)
    git(repo, 'config', f'branch.{branch}.merge', f'refs/heads/{upstream}')


def test_a_protected_branch_is_its_own_target_with_its_upstream(repo: Path) -> None:
    track(repo, 'main', 'trunk')
    assert protected_target(policy('main'), 'refs/heads/main') == Target('refs/heads/main', 'refs/remotes/origin/trunk')


def test_a_protected_branch_without_upstream_is_known_by_its_remote_tracking_ref(repo: Path) -> None:
    assert protected_target(policy('main'), 'refs/heads/main') == Target('refs/heads/main', 'refs/remotes/origin/main')


def test_a_protected_branch_only_this_clone_has_is_known_by_itself(repo: Path) -> None:
    git(repo, 'branch', 'stable')
    assert protected_target(policy('stable'), 'refs/heads/stable') == Target('refs/heads/stable', 'refs/heads/stable')


def test_a_protected_branch_nobody_has_yet_has_no_known_value(repo: Path) -> None:
    assert protected_target(policy('next'), 'refs/heads/next') == Target('refs/heads/next', None)


def test_the_protected_branch_tracked_comes_before_the_remote_default(repo: Path) -> None:
    track(repo, 'feature', 'trunk')
    assert protected_target(policy('main', 'trunk'), 'refs/heads/feature') == Target(
        'refs/heads/trunk', 'refs/remotes/origin/trunk')


def test_an_unprotected_upstream_falls_back_to_the_remote_default(repo: Path) -> None:
    track(repo, 'feature', 'dev')
    assert protected_target(policy('trunk', 'main'), 'refs/heads/feature') == Target(
        'refs/heads/main', 'refs/remotes/origin/main')


def test_an_upstream_in_this_clone_is_no_remote_branch(repo: Path) -> None:
    """``branch.feature.remote = .`` tracks a local branch: where it lands is not known from it."""
    git(repo, 'branch', 'team/trunk')
    track(repo, 'feature', 'team/trunk', remote='.')
    assert protected_target(policy('trunk'), 'refs/heads/feature') == Target(
        'refs/heads/trunk', 'refs/remotes/origin/trunk')


def test_a_remote_default_that_names_no_branch_is_passed_over(repo: Path) -> None:
    git(repo, 'update-ref', 'refs/remotes/stray', 'HEAD')
    git(repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/stray')
    assert protected_target(policy('trunk'), 'refs/heads/feature') == Target(
        'refs/heads/trunk', 'refs/remotes/origin/trunk')


def test_a_detached_head_is_headed_for_the_remote_default(repo: Path) -> None:
    git(repo, 'switch', '-q', '--detach')
    git(repo, 'update-ref', 'refs/remotes/origin/release/1', 'HEAD')
    git(repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/release/1')
    assert protected_target(policy('trunk', 'release/*'), None) == Target(
        'refs/heads/release/1', 'refs/remotes/origin/release/1')


def test_an_unprotected_remote_default_falls_back_to_a_literal_protected_branch(repo: Path) -> None:
    target = protected_target(policy('release/*', 'trunk'), 'refs/heads/feature')
    assert target == Target('refs/heads/trunk', 'refs/remotes/origin/trunk')
    assert target.name == 'trunk'


def test_a_wildcard_pattern_names_no_target(repo: Path) -> None:
    git(repo, 'update-ref', 'refs/remotes/origin/releases', 'HEAD')
    assert protected_target(policy('release?', 'trunk*'), 'refs/heads/feature') is None


def test_a_literal_branch_this_clone_does_not_know_is_no_target(repo: Path) -> None:
    git(repo, 'symbolic-ref', '-d', 'refs/remotes/origin/HEAD')
    assert protected_target(policy('next', 'stable'), 'refs/heads/feature') is None


def test_a_tag_pattern_names_no_branch_target(repo: Path) -> None:
    git(repo, 'tag', 'trunk')
    assert protected_target(policy('refs/tags/trunk'), 'refs/heads/feature') is None
