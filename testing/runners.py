"""CI runners' checkouts, recreated with real git: a bare server repository,
a clone made the way each runner makes it, and the variables it sets.

``actions/checkout`` (pull_request): ``git init``, one fetch of the merge
GitHub made (``+<sha>:refs/remotes/pull/N/merge``; ``--depth=1`` by default,
with ``fetch-depth: 0`` every branch and tag first), then a detached checkout
of it. gitlab-runner (merge request pipelines): one fetch of
``refs/pipelines/<id>`` and the source branch, ``--depth $GIT_DEPTH``
(20 by default), then a detached checkout of ``CI_COMMIT_SHA``.
"""
from __future__ import annotations

from pathlib import Path

from testing.scenarios import Repo
from testing.util import git
from testing.util import git_env

ZERO_SHA = '0' * 40
# every variable these tests read, cleared unless a runner sets it: the suite
# may itself run in a CI whose variables would otherwise leak in
CI_VARIABLES = (
    'CI', 'GITHUB_ACTIONS', 'GITHUB_EVENT_NAME', 'GITHUB_BASE_REF', 'GITHUB_HEAD_REF', 'GITHUB_REF',
    'GITHUB_SHA', 'GITLAB_CI', 'CI_PIPELINE_SOURCE', 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME',
    'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'CI_MERGE_REQUEST_DIFF_BASE_SHA', 'CI_MERGE_REQUEST_EVENT_TYPE',
    'CI_COMMIT_SHA', 'CI_COMMIT_REF_NAME', 'CI_COMMIT_BEFORE_SHA',
)
GITHUB_IDENTITY = {'GIT_COMMITTER_NAME': 'GitHub', 'GIT_COMMITTER_EMAIL': 'noreply@github.com'}


def variables(**values: str) -> dict[str, str]:
    """The runner's variables: ``values``, every other CI variable empty."""
    return {**dict.fromkeys(CI_VARIABLES, ''), **values}


def forge_merge(work: Repo, server: Repo, base: str, head: str, ref: str,
                message: str = 'Merge into main') -> str:
    """The merge a forge makes of ``head`` into ``base`` to test a change,
    pushed to ``ref`` on the server (past its hooks); its sha."""
    work.git('switch', '-q', '--detach', base)
    work.git('merge', '-q', '--no-ff', '--no-verify', '-m', message, head, env=GITHUB_IDENTITY)
    sha = work.head()
    work.git('push', '-q', '--no-verify', str(server.path), f'HEAD:{ref}')
    work.git('switch', '-q', '-')
    return sha


def _init(path: Path, server: Repo) -> Repo:
    path.mkdir(parents=True)
    git(path, 'init', '-q', '.', env=git_env())
    runner = Repo(path)
    runner.git('remote', 'add', 'origin', str(server.path))
    runner.git('config', '--local', 'gc.auto', '0')
    return runner


def github_checkout(server: Repo, path: Path, number: int, fetch_depth: int = 1) -> tuple[Repo, dict[str, str]]:
    """actions/checkout of a pull request's ``refs/pull/N/merge``, and the
    variables a ``pull_request`` event sets."""
    ref = f'refs/pull/{number}/merge'
    sha = server.git('rev-parse', ref).strip()
    runner = _init(path, server)
    merge = f'+{sha}:refs/remotes/pull/{number}/merge'
    if fetch_depth == 0:
        runner.git('-c', 'protocol.version=2', 'fetch', '-q', '--prune', '--no-recurse-submodules', 'origin',
                   '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*', merge)
    else:
        runner.git('-c', 'protocol.version=2', 'fetch', '-q', '--no-tags', '--prune', '--no-recurse-submodules',
                   f'--depth={fetch_depth}', 'origin', merge)
    runner.git('checkout', '-q', '--force', f'refs/remotes/pull/{number}/merge')
    return runner, variables(
        CI='true', GITHUB_ACTIONS='true', GITHUB_EVENT_NAME='pull_request', GITHUB_BASE_REF='main',
        GITHUB_HEAD_REF=f'pr-{number}', GITHUB_REF=ref, GITHUB_SHA=sha,
    )


def github_push_checkout(server: Repo, path: Path, branch: str = 'main') -> tuple[Repo, dict[str, str]]:
    """actions/checkout with ``fetch-depth: 0`` for a ``push`` event: every
    branch and tag, ``branch`` checked out; ``GITHUB_BASE_REF`` is empty."""
    runner = _init(path, server)
    runner.git('-c', 'protocol.version=2', 'fetch', '-q', '--prune', '--no-recurse-submodules', 'origin',
               '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*')
    runner.git('checkout', '-q', '--force', '-B', branch, f'refs/remotes/origin/{branch}')
    return runner, variables(
        CI='true', GITHUB_ACTIONS='true', GITHUB_EVENT_NAME='push', GITHUB_REF=f'refs/heads/{branch}',
        GITHUB_SHA=runner.head(),
    )


def gitlab_checkout(server: Repo, path: Path, pipeline: str, source: str, git_depth: int = 20,
                    merged_result: bool = False) -> tuple[Repo, dict[str, str]]:
    """gitlab-runner's fetch for a merge request pipeline into main; ``pipeline``:
    the ref GitLab made for it (the source branch's head, or the merged result)."""
    sha = server.git('rev-parse', pipeline).strip()
    runner = _init(path, server)
    depth = [f'--depth={git_depth}'] if git_depth else []
    runner.git('-c', 'protocol.version=2', 'fetch', '-q', '--prune', *depth, 'origin',
               f'+{pipeline}:{pipeline}', f'+refs/heads/{source}:refs/remotes/origin/{source}')
    runner.git('checkout', '-q', '-f', sha)
    diff_base = server.git('merge-base', 'main', source).strip()
    return runner, variables(
        CI='true', GITLAB_CI='true', CI_PIPELINE_SOURCE='merge_request_event',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME='main', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=source,
        CI_MERGE_REQUEST_DIFF_BASE_SHA=diff_base, CI_COMMIT_SHA=sha, CI_COMMIT_REF_NAME=source,
        CI_MERGE_REQUEST_EVENT_TYPE='merged_result' if merged_result else 'detached',
    )
