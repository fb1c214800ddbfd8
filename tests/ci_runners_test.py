"""The CI recipes, run as each runner runs them: a bare server, a clone made the
way the runner makes it, its variables exactly, and the recipe's own lines
run by bash with the installed ``trailgate`` on PATH."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from testing.runners import GITHUB_IDENTITY
from testing.runners import ZERO_SHA
from testing.runners import forge_merge
from testing.runners import github_checkout
from testing.runners import github_push_checkout
from testing.runners import gitlab_checkout
from testing.runners import variables
from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import policy
from testing.scenarios import publish
from tests.ci_recipes_test import ROOT
from tests.ci_recipes_test import _scripts
from tests.ci_recipes_test import _trailgate_lines

# every change to the critical path needs its reviews, the forge's merges included
POLICY = policy('applies_to: all') + 'protected: [main, "release/*"]\n'
LINES = ''.join(f'line {n}\n' for n in range(1, 31))
PATH = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get('PATH', '')))


def _edit(line: int, to: str, text: str = LINES) -> str:
    lines = text.splitlines(keepends=True)
    lines[line - 1] = f'{to}\n'
    return ''.join(lines)


class Forge(NamedTuple):
    server: Repo
    reviewed: str  # pull request 1: a reviewed change to the critical file, which main also changed since
    unreviewed: str  # pull request 2: an AI-assisted change to it, unreviewed
    long_unreviewed: str  # merge request "long": the unreviewed change, then 25 more commits
    weakening: str  # pull request 3: empties the policy, and an unreviewed change rides along


@pytest.fixture(scope='module')
def forge(tmp_path_factory: pytest.TempPathFactory) -> Forge:
    root = tmp_path_factory.mktemp('forge')
    work = new_repo(root / 'work', POLICY, hooks=False, files={CRITICAL: LINES})
    server = bare_remote(root / 'server.git', pre_receive=False)
    publish(work, server)
    fork_point = work.head()
    work.git('switch', '-q', '-c', 'pr-1')
    reviewed = work.commit_ok(message('Retry charges', *APPROVALS), {CRITICAL: _edit(3, 'retries = 3')})
    work.git('switch', '-q', '-c', 'pr-2', fork_point)
    unreviewed = work.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: _edit(5, 'twice = 1')}, verify=False)
    work.git('switch', '-q', '-c', 'long', fork_point)
    long_unreviewed = work.commit_ok(message('Charge thrice', ASSISTED), {CRITICAL: _edit(7, 'x = 3')},
                                     verify=False)
    for n in range(25):
        work.commit_ok(message(f'Notes {n}'), {'notes.txt': f'{n}\n'})
    work.git('switch', '-q', '-c', 'pr-3', fork_point)
    work.commit_ok(message('Simplify the policy'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    weakening = work.commit_ok(message('Charge later', ASSISTED), {CRITICAL: _edit(9, 'later = 1')}, verify=False)
    work.git('switch', '-q', 'main')
    work.commit_ok(message('Log charges', *APPROVALS), {CRITICAL: _edit(28, 'log = True')})
    work.git('push', '-q', '--no-verify', 'origin', 'main', 'pr-1', 'pr-2', 'pr-3', 'long')
    for number, branch in ((1, 'pr-1'), (2, 'pr-2'), (3, 'pr-3')):
        forge_merge(work, server, 'main', branch, f'refs/pull/{number}/merge')
        work.git('push', '-q', '--no-verify', 'origin', f'{branch}:refs/pull/{number}/head')
    for ref, branch in (('refs/pipelines/10', 'long'), ('refs/pipelines/11', 'pr-1'), ('refs/pipelines/12', 'pr-2')):
        work.git('push', '-q', '--no-verify', 'origin', f'{branch}:{ref}')
    forge_merge(work, server, 'main', 'pr-1', 'refs/pipelines/21', "Merge branch 'pr-1' into 'main'")
    forge_merge(work, server, 'main', 'pr-2', 'refs/pipelines/22', "Merge branch 'pr-2' into 'main'")
    return Forge(server, reviewed, unreviewed, long_unreviewed, weakening)


def _run_lines(runner: Repo, lines: list[str], env: dict[str, str]) -> list[Run]:
    return [runner.run('bash', '-c', line, env={**env, 'PATH': PATH}) for line in lines]


def _github_checks(runner: Repo, env: dict[str, str]) -> list[Run]:
    """The workflow's trailgate check lines (the annotations and the SARIF runs)."""
    return _run_lines(runner, _trailgate_lines('ci/github-workflow.yml'), env)


def _gitlab_lines() -> list[str]:
    """The job's script, its installation aside: the fetches, then the check."""
    document = yaml.safe_load((ROOT / 'ci/gitlab-ci.yml').read_text())
    return [line for line in _scripts(document) if line.startswith(('git fetch', 'trailgate '))]


def _gitlab_job(runner: Repo, env: dict[str, str]) -> list[Run]:
    lines = _gitlab_lines()
    assert any(line.startswith('trailgate check') for line in lines)
    results = _run_lines(runner, lines, env)
    return [result for line, result in zip(lines, results, strict=True) if line.startswith('trailgate')]


def test_github_pull_request_refused_and_reviewed_passes(forge: Forge, tmp_path: Path) -> None:
    runner, env = github_checkout(forge.server, tmp_path / 'refused', 2, fetch_depth=0)
    annotations, *others = _github_checks(runner, env)
    for result in (annotations, *others):
        assert result.returncode == 1, result
        assert forge.unreviewed[:10] in result.stdout
    annotation = f'::error title=trailgate tier1-payments TG001,file={CRITICAL}::{forge.unreviewed[:10]}'
    assert annotation in annotations.stdout
    runner, env = github_checkout(forge.server, tmp_path / 'passed', 1, fetch_depth=0)
    for result in _github_checks(runner, env):
        assert result.returncode == 0, result


def test_github_pull_request_is_judged_by_its_target_s_policy_not_its_own(forge: Forge, tmp_path: Path) -> None:
    runner, env = github_checkout(forge.server, tmp_path / 'run', 3, fetch_depth=0)
    assert runner.git('show', f'HEAD:{POLICY_PATH}') == EMPTY_POLICY
    for result in _github_checks(runner, env):
        assert result.returncode == 1, result
        assert forge.weakening[:10] in result.stdout


def test_github_s_merge_of_a_pull_request_has_no_change_of_its_own(forge: Forge, tmp_path: Path) -> None:
    """Both sides changed the critical file, so GitHub's merge shows it in its
    combined diff; but it is git's own merge of its parents, never lands, and
    nobody can add a review to it: only the pull request's commits are judged."""
    runner, env = github_checkout(forge.server, tmp_path / 'run', 1, fetch_depth=0)
    merge = env['GITHUB_SHA']
    assert CRITICAL in runner.git('diff-tree', '-c', '--name-only', merge)
    result = runner.trailgate('check', '--base', 'origin/main', env=env)
    assert result.returncode == 0, result
    assert 'refs/pull/1/merge' in result.stderr
    assert '1 commit checked' in result.stdout
    # the same merge, not named by the runner's variables, is judged on its combined diff
    plain = runner.trailgate('check', '--base', 'origin/main')
    assert plain.returncode == 1, plain
    assert merge[:10] in plain.stdout


def test_a_merge_the_variables_call_github_s_is_judged_unless_it_is_git_s_own(forge: Forge, tmp_path: Path) -> None:
    """An evil merge (a change of its own, made while merging) named as the
    runner's merge is still judged on what it changed."""
    runner, env = github_checkout(forge.server, tmp_path / 'run', 1, fetch_depth=0)
    runner.git('switch', '-q', '--detach', 'refs/remotes/pull/1/merge')
    runner.write({CRITICAL: _edit(15, 'evil = 1', runner.git('show', f'HEAD:{CRITICAL}'))})
    runner.git('commit', '-q', '--amend', '--no-edit', '-a')
    evil = runner.head()
    result = runner.trailgate('check', '--base', 'origin/main', env={**env, 'GITHUB_SHA': evil})
    assert result.returncode == 1, result
    assert evil[:10] in result.stdout
    assert 'refs/pull/1/merge' not in result.stderr


def test_a_re_run_after_the_pull_request_landed_judges_nothing_already_on_the_base(tmp_path: Path) -> None:
    """A re-run checks out the same test merge; main now holds both its parents
    (GitHub merged the pull request), so they are both merge-bases of main and
    HEAD and git names one, here the pull request's head (the newer). A range
    from it would hold main's own commit, which the pull request did not add."""
    work = new_repo(tmp_path / 'work', POLICY, hooks=False, files={CRITICAL: LINES})
    server = bare_remote(tmp_path / 'server.git', pre_receive=False)
    publish(work, server)
    fork_point = work.head()
    on_main = work.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: _edit(25, 'twice = 1')}, verify=False)
    work.git('switch', '-q', '-c', 'pr-1', fork_point)
    later = {'GIT_AUTHOR_DATE': '2030-01-01T00:00:00Z', 'GIT_COMMITTER_DATE': '2030-01-01T00:00:00Z'}
    work.commit_ok(message('Retry charges', *APPROVALS), {CRITICAL: _edit(3, 'retries = 3')}, env=later)
    work.git('push', '-q', '--no-verify', 'origin', 'main', 'pr-1')
    forge_merge(work, server, 'main', 'pr-1', 'refs/pull/1/merge')
    work.git('switch', '-q', 'main')
    work.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge pull request #1', 'pr-1', env=GITHUB_IDENTITY)
    work.git('push', '-q', '--no-verify', 'origin', 'main')
    runner, env = github_checkout(server, tmp_path / 'run', 1, fetch_depth=0)
    assert len(runner.git('merge-base', '--all', 'refs/remotes/origin/main', 'HEAD').split()) == 2
    for result in _github_checks(runner, env):
        assert result.returncode == 0, result
        assert on_main[:10] not in result.stdout


def test_github_default_fetch_depth_cannot_check(forge: Forge, tmp_path: Path) -> None:
    runner, env = github_checkout(forge.server, tmp_path / 'run', 2, fetch_depth=1)
    for result in _github_checks(runner, env):
        assert result.returncode == 2, result
        assert 'fetch-depth: 0' in result.stderr


def test_gitlab_merge_request_pipeline(forge: Forge, tmp_path: Path) -> None:
    runner, env = gitlab_checkout(forge.server, tmp_path / 'refused', 'refs/pipelines/12', 'pr-2', git_depth=0)
    (result,) = _gitlab_job(runner, env)
    assert result.returncode == 1, result
    assert forge.unreviewed[:10] in result.stdout
    assert forge.unreviewed[:10] in (runner.path / 'trailgate-junit.xml').read_text()
    runner, env = gitlab_checkout(forge.server, tmp_path / 'passed', 'refs/pipelines/11', 'pr-1', git_depth=0)
    (result,) = _gitlab_job(runner, env)
    assert result.returncode == 0, result


def test_gitlab_default_git_depth_cutting_into_the_range_names_gitlab_s_setting(forge: Forge, tmp_path: Path) -> None:
    runner, env = gitlab_checkout(forge.server, tmp_path / 'run', 'refs/pipelines/10', 'long', git_depth=20)
    (result,) = _gitlab_job(runner, env)
    assert result.returncode == 2, result
    assert 'GIT_DEPTH: "0"' in result.stderr
    assert 'actions/checkout' not in result.stderr


def test_gitlab_merged_result_pipeline(forge: Forge, tmp_path: Path) -> None:
    runner, env = gitlab_checkout(forge.server, tmp_path / 'passed', 'refs/pipelines/21', 'pr-1', git_depth=0,
                                  merged_result=True)
    (result,) = _gitlab_job(runner, env)
    assert result.returncode == 0, result
    assert 'merged result' in result.stderr
    runner, env = gitlab_checkout(forge.server, tmp_path / 'refused', 'refs/pipelines/22', 'pr-2', git_depth=0,
                                  merged_result=True)
    (result,) = _gitlab_job(runner, env)
    assert result.returncode == 1, result
    assert forge.unreviewed[:10] in result.stdout


# -- the composite action, on a push -------------------------------------------

def _action_check_step() -> str:
    document = yaml.safe_load((ROOT / 'action.yml').read_text())
    (step,) = [step for step in document['runs']['steps'] if step.get('id') == 'check']
    script: str = step['run']
    return script


def _run_action(runner: Repo, env: dict[str, str], tmp_path: Path, base: str, before: str) -> dict[str, str]:
    """The action's check step as the runner runs it; what it wrote to GITHUB_OUTPUT."""
    outputs = tmp_path / 'github-output'
    result = runner.run('bash', '-e', '-c', _action_check_step(), env={
        **env, 'PATH': PATH, 'BASE': base, 'BEFORE': before, 'POLICY_REV': '',
        'RUNNER_TEMP': str(tmp_path), 'GITHUB_OUTPUT': str(outputs),
    })
    assert result.returncode == 0, result
    return dict(line.split('=', 1) for line in outputs.read_text().splitlines())


@pytest.mark.parametrize(('pushed', 'status'), [('main', '1'), ('release/9', '1'), ('feature', '0')])
def test_action_on_a_push_judges_what_the_push_added(tmp_path: Path, pushed: str, status: str) -> None:
    """On a push the runner checks out the pushed ref itself: judging it
    "against the default branch" would check nothing and pass."""
    work = new_repo(tmp_path / 'work', POLICY, hooks=False, files={CRITICAL: LINES})
    server = bare_remote(tmp_path / 'server.git', pre_receive=False)
    publish(work, server)
    before = work.head() if pushed == 'main' else ZERO_SHA
    work.git('switch', '-q', '-c', 'topic')
    work.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: _edit(5, 'twice = 1')}, verify=False)
    work.git('push', '-q', '--no-verify', 'origin', f'topic:refs/heads/{pushed}')
    runner, env = github_push_checkout(server, tmp_path / 'run', pushed)
    outputs = _run_action(runner, env, tmp_path, 'main', before)
    assert outputs['status'] == status


# -- variables that lie ----------------------------------------------------------

def test_a_base_branch_the_clone_does_not_have_cannot_be_checked(forge: Forge, tmp_path: Path) -> None:
    runner, env = github_checkout(forge.server, tmp_path / 'run', 2, fetch_depth=0)
    env = {**env, 'GITHUB_BASE_REF': 'gone'}
    for result in (*_github_checks(runner, env), runner.trailgate('check', env=env)):
        assert result.returncode == 2, result
        assert 'unknown revision' in result.stderr


def test_the_target_option_wins_over_the_variables_and_ranges_keep_their_base(forge: Forge, tmp_path: Path) -> None:
    runner, env = github_checkout(forge.server, tmp_path / 'run', 2, fetch_depth=0)
    into_staging = {**env, 'GITHUB_BASE_REF': 'staging'}
    reported = runner.trailgate('check', 'origin/main..HEAD', env=into_staging)
    assert reported.returncode == 0, reported
    assert 'the target staging is not protected' in reported.stdout
    refused = runner.trailgate('check', '--target', 'main', 'origin/main..HEAD', env=into_staging)
    assert refused.returncode == 1, refused
    assert forge.unreviewed[:10] in refused.stdout


def test_a_pull_request_run_on_its_target_s_checkout_is_an_error_not_a_pass(forge: Forge, tmp_path: Path) -> None:
    """pull_request_target checks out the base branch unless told otherwise:
    the base..HEAD range is then empty, and "0 commits checked" would pass."""
    runner, env = github_push_checkout(forge.server, tmp_path / 'run', 'main')
    env = {**env, 'GITHUB_EVENT_NAME': 'pull_request_target', 'GITHUB_BASE_REF': 'main'}
    for result in _github_checks(runner, env):
        assert result.returncode == 2, result
        assert 'holds none of the commits of the pull request' in result.stderr
    runner, env = gitlab_checkout(forge.server, tmp_path / 'gitlab', 'refs/heads/main', 'main', git_depth=0)
    (result,) = _gitlab_job(runner, env)
    assert result.returncode == 2, result
    assert 'merge request' in result.stderr


@pytest.mark.parametrize('line', [
    'trailgate check refs/remotes/origin/main..HEAD',
    'trailgate check "refs/remotes/origin/$GITHUB_BASE_REF..HEAD" --format github',
    'trailgate check refs/remotes/origin/main..',
])
def test_a_range_from_the_target_on_the_target_s_checkout_is_an_error_not_a_pass(
        forge: Forge, tmp_path: Path, line: str) -> None:
    """The README's range form of the check (``origin/main..HEAD``) run where
    ``pull_request_target`` checked out the base: the range is empty, and
    "0 commits checked" would pass a pull request none of whose commits
    were read, as with --base."""
    runner, env = github_push_checkout(forge.server, tmp_path / 'run', 'main')
    env = {**env, 'GITHUB_EVENT_NAME': 'pull_request_target', 'GITHUB_BASE_REF': 'main'}
    (result,) = _run_lines(runner, [line], env)
    assert result.returncode == 2, result
    assert 'holds none of the commits of the pull request' in result.stderr
    # outside a pull request, an empty range checks no commit and passes
    (result,) = _run_lines(runner, [line], {**env, 'GITHUB_EVENT_NAME': 'push'})
    assert result.returncode == 0, result


def test_a_new_branch_s_all_zero_before_is_an_error_that_says_what_to_check(forge: Forge, tmp_path: Path) -> None:
    """GitLab's branch pipeline for a new branch: CI_COMMIT_BEFORE_SHA is all zeros."""
    runner, _ = github_push_checkout(forge.server, tmp_path / 'run', 'pr-2')
    env = variables(CI='true', GITLAB_CI='true', CI_PIPELINE_SOURCE='push', CI_COMMIT_BEFORE_SHA=ZERO_SHA,
                    CI_COMMIT_SHA=runner.head(), CI_COMMIT_REF_NAME='pr-2')
    (result,) = _run_lines(runner, ['trailgate check "$CI_COMMIT_BEFORE_SHA..$CI_COMMIT_SHA"'], env)
    assert result.returncode == 2, result
    assert 'all-zero' in result.stderr and '--base <default branch>' in result.stderr


def test_a_tag_named_like_the_base_cannot_choose_the_judge(tmp_path: Path) -> None:
    """A tag ``origin/main`` (anyone who may push a tag can make it) is what git
    reads ``origin/main`` as: it would be the base, its policy the judge. The
    recipes name the base in full; a short name that names two refs is an error."""
    work = new_repo(tmp_path / 'work', POLICY, hooks=False, files={CRITICAL: LINES})
    server = bare_remote(tmp_path / 'server.git', pre_receive=False)
    publish(work, server)
    work.git('switch', '-q', '-c', 'pr-1')
    wrong = work.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: _edit(5, 'twice = 1')}, verify=False)
    work.git('push', '-q', '--no-verify', 'origin', 'pr-1')
    forge_merge(work, server, 'main', 'pr-1', 'refs/pull/1/merge')
    work.git('switch', '-q', '--detach', 'pr-1')
    work.commit_ok(message('Nothing to see'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    work.git('push', '-q', '--no-verify', 'origin', 'HEAD:refs/tags/origin/main')
    runner, env = github_checkout(server, tmp_path / 'run', 1, fetch_depth=0)
    assert runner.rev('refs/tags/origin/main')
    for result in _github_checks(runner, env):
        assert result.returncode == 1, result
        assert wrong[:10] in result.stdout
    short = runner.trailgate('check', '--base', 'origin/main', '--target', 'main', env=env)
    assert short.returncode == 2, short
    assert 'refs/tags/origin/main, refs/remotes/origin/main' in short.stderr
    assert runner.trailgate('check', 'origin/main..HEAD', env=env).returncode == 2


def _tagged_weakening(tmp_path: Path, tag: str) -> tuple[Repo, dict[str, str], str]:
    """A GitLab merge request pipeline, which fetches the change but not its
    target: the change empties the policy, tags that commit ``tag``, and adds
    an unreviewed change; the runner's fetch follows the tag."""
    work = new_repo(tmp_path / 'work', POLICY, hooks=False, files={CRITICAL: LINES})
    server = bare_remote(tmp_path / 'server.git', pre_receive=False)
    publish(work, server)
    work.git('switch', '-q', '-c', 'pr-1')
    work.commit_ok(message('Nothing to see'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    work.git('tag', tag)
    wrong = work.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: _edit(5, 'twice = 1')}, verify=False)
    work.git('push', '-q', '--no-verify', 'origin', 'pr-1', f'refs/tags/{tag}', 'pr-1:refs/pipelines/10')
    runner, env = gitlab_checkout(server, tmp_path / 'run', 'refs/pipelines/10', 'pr-1', git_depth=0)
    assert runner.rev(f'refs/tags/{tag}')
    return runner, env, wrong


def test_a_tag_named_like_the_target_branch_is_never_the_base(tmp_path: Path) -> None:
    """With no --base, the target's remote-tracking branch is the base, else the
    branch itself: a tag ``main`` where neither is fetched is an unknown base."""
    runner, env, _ = _tagged_weakening(tmp_path, 'main')
    for result in (runner.trailgate('check', env=env), runner.trailgate('check', '--target', 'main', env=env)):
        assert result.returncode == 2, result
        assert 'unknown revision' in result.stderr


def test_a_full_ref_name_that_is_missing_is_never_read_as_a_tag(tmp_path: Path) -> None:
    """git reads a missing ``refs/remotes/origin/main`` as the tag
    ``refs/tags/refs/remotes/origin/main``, which a pusher can make."""
    runner, env, _ = _tagged_weakening(tmp_path, 'refs/remotes/origin/main')
    for args in (('--base', 'refs/remotes/origin/main'), ('refs/remotes/origin/main..HEAD',)):
        result = runner.trailgate('check', *args, env=env)
        assert result.returncode == 2, result
        assert 'git would read it as refs/tags/refs/remotes/origin/main' in result.stderr
    with_main = runner.trailgate('check', env=env)
    assert with_main.returncode == 2, with_main


def test_a_base_the_runner_did_not_fetch_names_the_fetch(forge: Forge, tmp_path: Path) -> None:
    """gitlab-runner fetches the pipeline's ref and the source branch only: the
    recipe's own `git fetch` of the target left out, the base is missing."""
    runner, env = gitlab_checkout(forge.server, tmp_path / 'run', 'refs/pipelines/12', 'pr-2', git_depth=0)
    (result,) = _run_lines(runner, [line for line in _gitlab_lines() if line.startswith('trailgate check')], env)
    assert result.returncode == 2, result
    assert '`git fetch origin main` brings it' in result.stderr
