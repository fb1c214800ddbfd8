"""What ``trailgate.ci`` reads from a runner's variables, one variable set at a time."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.runners import CI_VARIABLES
from testing.util import GIT_ENV
from testing.util import STRIPPED
from testing.util import git
from testing.util import init_repo
from testing.util import write
from trailgate import ci

SHA = 'ABCDEF0123456789abcdef0123456789ABCDEF01'


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No CI variable but those a test sets: the suite may itself run in a CI."""
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _set(runner: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    for name, value in variables.items():
        runner.setenv(name, value)


@pytest.mark.parametrize(('variables', 'expected'), [
    ({'GITHUB_EVENT_NAME': 'pull_request', 'GITHUB_REF': 'refs/pull/7/merge', 'GITHUB_SHA': SHA},
     ci.CiMerge(SHA.lower(), "GitHub's merge of the pull request (refs/pull/7/merge)")),
    ({'CI_MERGE_REQUEST_EVENT_TYPE': 'merged_result', 'CI_COMMIT_SHA': SHA},
     ci.CiMerge(SHA.lower(), "GitLab's merged result (merged_result pipeline)")),
    ({'CI_MERGE_REQUEST_EVENT_TYPE': 'merge_train', 'CI_COMMIT_SHA': SHA},
     ci.CiMerge(SHA.lower(), "GitLab's merged result (merge_train pipeline)")),
], ids=['github', 'gitlab merged result', 'gitlab merge train'])
def test_the_merge_a_ci_made(runner: pytest.MonkeyPatch, variables: dict[str, str], expected: ci.CiMerge) -> None:
    _set(runner, variables)
    assert ci.ci_merge() == expected


@pytest.mark.parametrize('variables', [
    pytest.param({'GITHUB_EVENT_NAME': 'push', 'GITHUB_REF': 'refs/pull/7/merge', 'GITHUB_SHA': SHA}, id='a push'),
    pytest.param({'GITHUB_EVENT_NAME': 'pull_request_target', 'GITHUB_REF': 'refs/pull/7/merge', 'GITHUB_SHA': SHA},
                 id='pull_request_target'),
    pytest.param({'GITHUB_EVENT_NAME': 'pull_request', 'GITHUB_REF': 'refs/pull/7/head', 'GITHUB_SHA': SHA},
                 id='the head of a pull request'),
    pytest.param({'GITHUB_EVENT_NAME': 'pull_request', 'GITHUB_REF': 'refs/pull/7/merge'}, id='github without a sha'),
    pytest.param({'CI_MERGE_REQUEST_EVENT_TYPE': 'detached', 'CI_COMMIT_SHA': SHA}, id='a detached pipeline'),
    pytest.param({'CI_MERGE_REQUEST_EVENT_TYPE': 'merged_result'}, id='gitlab without a sha'),
])
def test_no_merge_a_ci_made(runner: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    _set(runner, variables)
    assert ci.ci_merge() is None


@pytest.mark.parametrize(('variables', 'expected'), [
    ({'GITHUB_EVENT_NAME': 'pull_request'}, 'pull request (pull_request event)'),
    ({'GITHUB_EVENT_NAME': 'pull_request_target'}, 'pull request (pull_request_target event)'),
    ({'CI_PIPELINE_SOURCE': 'merge_request_event'}, 'merge request (merge request pipeline)'),
    ({'GITHUB_EVENT_NAME': 'push', 'CI_PIPELINE_SOURCE': 'push'}, None),
])
def test_the_change_under_review(runner: pytest.MonkeyPatch, variables: dict[str, str], expected: str | None) -> None:
    _set(runner, variables)
    assert ci.change_under_review() == expected


@pytest.mark.parametrize(('variables', 'named', 'not_named'), [
    ({'GITHUB_ACTIONS': 'true'}, '`fetch-depth: 0` in actions/checkout', 'GIT_DEPTH'),
    ({'GITLAB_CI': 'true'}, '`GIT_DEPTH: "0"` in the job\'s variables', 'fetch-depth'),
    ({}, '`fetch-depth: 0` in GitHub\'s actions/checkout, `GIT_DEPTH: "0"` in GitLab CI', None),
])
def test_the_shallow_hint_speaks_the_runner_s_words(runner: pytest.MonkeyPatch, variables: dict[str, str],
                                                    named: str, not_named: str | None) -> None:
    _set(runner, variables)
    hint = ci.shallow_hint()
    assert named in hint
    assert not_named is None or not_named not in hint


# -- git's own merge -------------------------------------------------------------

@pytest.fixture(scope='module')
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in STRIPPED:
            monkeypatch.delenv(name, raising=False)
        for name, value in GIT_ENV.items():
            monkeypatch.setenv(name, value)
        repo = init_repo(tmp_path_factory.mktemp('merges') / 'repo')
        monkeypatch.chdir(repo)
        yield _merges(repo)


def _merges(repo: Path) -> dict[str, str]:
    """Commits of main, topic and other; merges of them. main ends on git's own merge of topic."""

    def commit(name: str) -> str:
        write(repo / name)
        git(repo, 'add', name)
        git(repo, 'commit', '-q', '-m', name)
        return head()

    def head() -> str:
        return git(repo, 'rev-parse', 'HEAD').strip()

    shas = {'root': commit('root')}
    git(repo, 'switch', '-q', '-c', 'topic')
    shas['topic'] = commit('topic')
    git(repo, 'switch', '-q', '-c', 'other', 'main')
    shas['other'] = commit('other')
    git(repo, 'switch', '-q', 'main')
    shas['ours'] = commit('ours')
    git(repo, 'merge', '-q', '--no-edit', 'topic', 'other')
    shas['octopus'] = head()
    git(repo, 'reset', '-q', '--hard', shas['ours'])
    git(repo, 'merge', '-q', '--no-edit', 'topic')
    write(repo / 'evil')
    git(repo, 'add', 'evil')
    git(repo, 'commit', '-q', '--amend', '--no-edit')
    shas['evil'] = head()
    git(repo, 'reset', '-q', '--hard', shas['ours'])
    git(repo, 'merge', '-q', '--no-edit', 'topic')
    shas['clean'] = head()
    return shas


def test_git_s_own_merge_is_its_two_parents(history: dict[str, str]) -> None:
    assert ci.clean_merge_parents(history['clean']) == (history['ours'], history['topic'])


@pytest.mark.parametrize('name', ['evil', 'octopus', 'ours', 'root'])
def test_any_other_commit_is_no_clean_merge(history: dict[str, str], name: str) -> None:
    assert ci.clean_merge_parents(history[name]) is None


@pytest.mark.parametrize('revision', ['HEAD', 'main', '0' * 40], ids=['HEAD', 'a branch', 'no object'])
def test_only_an_object_id_that_names_a_commit_is_read(history: dict[str, str], revision: str) -> None:
    """The variables name the merge by its id: a name git would resolve, even
    to git's own merge, is not one."""
    assert git(Path.cwd(), 'rev-parse', 'HEAD').strip() == history['clean']
    assert ci.clean_merge_parents(revision) is None
