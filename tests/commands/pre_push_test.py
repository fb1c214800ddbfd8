"""``trailgate pre-push`` through the real ``git push`` to a local bare remote.

The client hook is installed with ``core.hooksPath`` (a script running
``python -m trailgate pre-push``), the shipped ``hooks/pre-push``, or the
pre-commit framework with this repository's ``.pre-commit-hooks.yaml``. The
remote has no pre-receive hook here: only the client decides.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from testing.precommit import SOURCE
from testing.precommit import pre_commit
from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import clone
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values
from testing.scenarios import unreviewed
from trailgate.commands.pre_push import without_credentials

HOOK = 'pre-push'


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo')
    publish(repo, origin)
    return Setup(repo, origin)


def good(repo: Repo, content: str = 'good = 1\n') -> str:
    return repo.commit_ok(message('Reviewed charge', ASSISTED, *APPROVALS), {CRITICAL: content})


def refused(result: Run, *needles: str) -> None:
    assert result.returncode != 0, f'the push went through: {result}'
    assert result.hooks.get(HOOK) == 1, f'hook status is not 1 (refused): {result}'
    assert 'Traceback' not in result.output
    for needle in (RULE, *needles):
        assert needle in result.stderr, f'{needle!r} not in:\n{result.stderr}'


def accepted(result: Run) -> None:
    assert result.returncode == 0, result
    assert result.hooks.get(HOOK) == 0, f'the hook did not run or failed: {result}'


# -- one branch ----------------------------------------------------------------

def test_bad_commit_refused_then_amended_commit_accepted(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    wrong = unreviewed(repo)
    result = repo.run_git('push', 'origin', 'main')
    refused(result, wrong[:10], 'Unreviewed charge', 'git commit --amend --trailer')
    assert ref_values(origin) == before

    result = repo.commit(message('Unreviewed charge', ASSISTED, *APPROVALS), args=['--amend'])
    assert result.returncode == 0, result
    accepted(repo.run_git('push', 'origin', 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_every_new_commit_is_checked(setup: Setup) -> None:
    repo, origin = setup
    wrong = unreviewed(repo)
    good(repo)
    good(repo, 'good = 2\n')
    result = repo.run_git('push', 'origin', 'main')
    refused(result, wrong[:10], '3 commits checked, 1 refused')
    assert ref_values(origin)['refs/heads/main'] != repo.head()


def test_good_commits_accepted(setup: Setup) -> None:
    repo, origin = setup
    good(repo)
    repo.commit_ok(message('Human charge'), {CRITICAL: 'human\n'})
    repo.commit_ok(message('AI search', ASSISTED), {OTHER: 'ai\n'})
    accepted(repo.run_git('push', 'origin', 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_policy_comes_from_the_remote_commit(setup: Setup) -> None:
    repo, origin = setup
    repo.commit_ok(message('Drop the rules', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: EMPTY_POLICY})
    wrong = unreviewed(repo)
    before = ref_values(origin)
    refused(repo.run_git('push', 'origin', 'main'), wrong[:10])
    assert ref_values(origin) == before


def test_nothing_to_push(setup: Setup) -> None:
    repo, _ = setup
    result = repo.run_git('push', 'origin', 'main')
    accepted(result)
    assert 'up-to-date' in result.stderr


def test_dry_run_still_runs_the_hook(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    unreviewed(repo)
    refused(repo.run_git('push', '--dry-run', 'origin', 'main'))
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    good(repo)
    accepted(repo.run_git('push', '-n', 'origin', 'main'))
    assert ref_values(origin) == before


def test_no_verify_skips_the_hook(setup: Setup) -> None:
    repo, origin = setup
    unreviewed(repo)
    result = repo.run_git('push', '--no-verify', 'origin', 'main')
    assert result.returncode == 0 and HOOK not in result.hooks
    assert ref_values(origin)['refs/heads/main'] == repo.head()


# -- new branches, several refs, tags, deletions ----------------------------------

def test_new_branch_checks_only_commits_not_on_the_remote(setup: Setup) -> None:
    repo, origin = setup
    # a bad commit that is already on the remote (pushed past every hook)
    unreviewed(repo, subject='Old news')
    repo.git('push', '-q', '--no-verify', 'origin', 'main')
    repo.git('switch', '-q', '-c', 'feature')
    good(repo)
    result = repo.run_git('push', '-u', 'origin', 'feature')
    accepted(result)
    assert 'Old news' not in result.stderr

    repo.git('switch', '-q', '-c', 'feature2')
    wrong = unreviewed(repo, 'worse = 1\n')
    result = repo.run_git('push', 'origin', 'feature2')
    refused(result, wrong[:10])
    assert 'Old news' not in result.stderr
    assert 'refs/heads/feature2' not in ref_values(origin)


def test_new_branch_is_judged_by_the_default_branch_policy(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    repo.commit_ok(message('Drop the rules', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: EMPTY_POLICY})
    wrong = unreviewed(repo)
    refused(repo.run_git('push', 'origin', 'feature'), wrong[:10])
    assert 'refs/heads/feature' not in ref_values(origin)


def test_new_branch_with_nothing_new(setup: Setup) -> None:
    repo, origin = setup
    repo.git('branch', 'copy')
    accepted(repo.run_git('push', 'origin', 'copy'))
    assert ref_values(origin)['refs/heads/copy'] == repo.head()


def two_branches(repo: Repo, bad_branch: str = 'b') -> str:
    """Branch ``a`` with a reviewed commit and ``bad_branch`` (from main) with an
    unreviewed one; back on main. The unreviewed commit's sha."""
    repo.git('switch', '-q', '-c', 'a')
    good(repo)
    repo.git('switch', '-q', '-c', bad_branch, 'main')
    wrong = unreviewed(repo)
    repo.git('switch', '-q', 'main')
    return wrong


def test_multi_ref_push_where_the_second_ref_is_unreviewed(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    wrong = two_branches(repo)
    result = repo.run_git('push', 'origin', 'a', 'b')
    refused(result, wrong[:10])
    assert ref_values(origin) == before  # the whole push is aborted

    result = repo.run_git('push', 'origin', 'main', 'b:refs/heads/other')
    refused(result, wrong[:10])


def test_push_all_branches(setup: Setup) -> None:
    repo, origin = setup
    wrong = two_branches(repo, 'z')
    before = ref_values(origin)
    refused(repo.run_git('push', '--all', 'origin'), wrong[:10])
    assert ref_values(origin) == before


def test_local_ref_spelled_with_spaces(setup: Setup) -> None:
    """git prints the local ref as typed: `main@{0 minutes ago}` holds spaces."""
    repo, origin = setup
    wrong = unreviewed(repo)
    result = repo.run_git('push', 'origin', 'main@{0 minutes ago}:refs/heads/spaced')
    refused(result, wrong[:10])
    assert 'refs/heads/spaced' not in ref_values(origin)


@pytest.mark.parametrize('annotated', [True, False], ids=['annotated', 'lightweight'])
def test_tag_pointing_at_a_bad_commit(setup: Setup, annotated: bool) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'local-only')
    wrong = unreviewed(repo)
    repo.git('tag', *(['-a', '-m', 'Release 1'] if annotated else []), 'v1')
    repo.git('switch', '-q', 'main')
    result = repo.run_git('push', 'origin', 'v1')
    refused(result, wrong[:10])
    assert 'refs/tags/v1' not in ref_values(origin)
    refused(repo.run_git('push', '--tags', 'origin'), wrong[:10])


def test_tag_of_a_pushed_commit_accepted(setup: Setup) -> None:
    repo, origin = setup
    repo.git('tag', '-a', '-m', 'Release 1', 'v1')
    accepted(repo.run_git('push', 'origin', 'v1'))
    assert 'refs/tags/v1' in ref_values(origin)


def test_force_push(setup: Setup) -> None:
    repo, origin = setup
    good(repo)
    repo.git('push', '-q', 'origin', 'main')
    published = repo.head()
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    wrong = unreviewed(repo)
    result = repo.run_git('push', '--force', 'origin', 'main')
    refused(result, wrong[:10])
    assert ref_values(origin)['refs/heads/main'] == published

    # a force push that only drops commits adds nothing to check
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    accepted(repo.run_git('push', '--force', 'origin', 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_force_push_over_commits_this_clone_never_saw(setup: Setup, tmp_path: Path) -> None:
    repo, origin = setup
    other = clone(origin, tmp_path / 'other')
    good_elsewhere = good(other)
    other.git('push', '-q', 'origin', 'main')
    wrong = unreviewed(repo)
    assert not repo.rev(f'{good_elsewhere}^{{commit}}')
    result = repo.run_git('push', '--force', 'origin', 'main')
    refused(result, wrong[:10])
    assert ref_values(origin)['refs/heads/main'] == good_elsewhere


def test_delete_push(setup: Setup) -> None:
    repo, origin = setup
    repo.git('push', '-q', '--no-verify', 'origin', 'main:refs/heads/feature')
    accepted(repo.run_git('push', 'origin', '--delete', 'feature'))
    assert 'refs/heads/feature' not in ref_values(origin)


def test_delete_together_with_a_bad_commit(setup: Setup) -> None:
    repo, origin = setup
    repo.git('push', '-q', '--no-verify', 'origin', 'main:refs/heads/feature')
    wrong = unreviewed(repo)
    refused(repo.run_git('push', 'origin', ':refs/heads/feature', 'main'), wrong[:10])
    assert 'refs/heads/feature' in ref_values(origin)


# -- remotes given as URLs -------------------------------------------------------

def test_push_to_the_url_of_a_configured_remote(setup: Setup) -> None:
    repo, origin = setup
    wrong = unreviewed(repo)
    refused(repo.run_git('push', str(origin.path), 'main'), wrong[:10])
    refused(repo.run_git('push', f'file://{origin.path}', 'main'), wrong[:10])
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    good(repo)
    accepted(repo.run_git('push', str(origin.path), 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_push_to_an_unconfigured_url(setup: Setup, tmp_path: Path) -> None:
    repo, _ = setup
    elsewhere = bare_remote(tmp_path / 'elsewhere.git', pre_receive=False)
    wrong = unreviewed(repo)
    refused(repo.run_git('push', str(elsewhere.path), 'main'), wrong[:10])
    assert ref_values(elsewhere) == {}


# -- the shipped hooks/ scripts ------------------------------------------------------

def _path_with(*directories: str) -> str:
    return os.pathsep.join((*directories, os.environ.get('PATH', '')))


def test_shipped_hook_scripts(setup: Setup) -> None:
    repo, origin = setup
    env = {'PATH': _path_with(str(Path(sys.executable).parent))}
    repo.git('config', 'core.hooksPath', str(SOURCE / 'hooks'))
    result = repo.commit(message('Unreviewed charge', ASSISTED), {CRITICAL: 'x\n'}, env=env)
    assert result.returncode == 1 and RULE in result.stderr, result
    wrong = unreviewed(repo)
    result = repo.run_git('push', 'origin', 'main', env=env)
    assert result.returncode == 1 and RULE in result.stderr and wrong[:10] in result.stderr, result
    assert ref_values(origin)['refs/heads/main'] != repo.head()


def test_shipped_hook_refuses_without_trailgate(setup: Setup, tmp_path: Path) -> None:
    """No trailgate on PATH and no python that imports it: refuse, do not pass."""
    repo, origin = setup
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for tool in ('git', 'sh'):
        found = next(Path(d) / tool for d in os.environ['PATH'].split(os.pathsep)
                     if (Path(d) / tool).exists())
        (bin_dir / tool).symlink_to(found)
    repo.git('config', 'core.hooksPath', str(SOURCE / 'hooks'))
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    result = repo.run('git', 'push', 'origin', 'main',
                      env={'PATH': str(bin_dir)})
    assert result.returncode != 0, result
    assert 'not installed' in result.stderr
    assert ref_values(origin)['refs/heads/main'] != repo.head()


# -- the pre-commit framework --------------------------------------------------------

@pytest.fixture
def framework(tmp_path: Path, pre_commit_setup) -> Setup:
    """A clone whose hooks are pre-commit's, running this trailgate's manifest."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', hooks=False,
                    files={'.pre-commit-config.yaml': pre_commit_setup.config})
    repo.env.update(pre_commit_setup.env)
    pre_commit(repo, 'install', '--hook-type', 'commit-msg', '--hook-type', 'pre-push')
    publish(repo, origin)
    return Setup(repo, origin)


def _framework_refused(result: Run, *needles: str) -> None:
    assert result.returncode != 0, result
    assert 'trailgate' in result.output and 'Failed' in result.output, result.output
    for needle in (RULE, *needles):
        assert needle in result.output, f'{needle!r} not in:\n{result.output}'


def test_framework_commit_msg(framework: Setup) -> None:
    repo, _ = framework
    before = repo.head()
    result = repo.commit(message('Unreviewed charge', ASSISTED), {CRITICAL: 'x = 1\n'})
    _framework_refused(result, 'missing-review')
    assert repo.head() == before
    result = repo.commit(message('Reviewed charge', ASSISTED, *APPROVALS))
    assert result.returncode == 0, result
    assert 'Passed' in result.output
    assert repo.head() != before


@pytest.mark.skipif(not os.path.exists('/proc/self/cmdline'), reason='amend detection reads /proc')
def test_framework_commit_msg_amend(framework: Setup) -> None:
    """Under pre-commit, trailgate's parent is pre-commit, not git: amend still seen."""
    repo, _ = framework
    reviewed = repo.commit_ok(message('Reviewed charge', ASSISTED, *APPROVALS),
                              {CRITICAL: 'x = 2\n'})
    result = repo.commit(message('Reviewed charge', ASSISTED), args=['--amend'])
    _framework_refused(result, 'missing-review')
    assert repo.head() == reviewed


def test_framework_pre_push(framework: Setup) -> None:
    repo, origin = framework
    before = ref_values(origin)
    wrong = unreviewed(repo)
    _framework_refused(repo.run_git('push', 'origin', 'main'), wrong[:10])
    assert ref_values(origin) == before
    result = repo.commit(message('Unreviewed charge', ASSISTED, *APPROVALS), args=['--amend'])
    assert result.returncode == 0, result
    result = repo.run_git('push', 'origin', 'main')
    assert result.returncode == 0, result
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_framework_multi_ref_push(framework: Setup) -> None:
    """pre-commit passes one ref's range at most: the second ref must still be seen."""
    repo, origin = framework
    before = ref_values(origin)
    wrong = two_branches(repo)
    _framework_refused(repo.run_git('push', 'origin', 'a', 'b'), wrong[:10])
    assert ref_values(origin) == before


def test_framework_new_branch_push(framework: Setup) -> None:
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    good(repo)
    wrong = unreviewed(repo, 'worse\n')
    repo.commit_ok(message('More', ASSISTED), {OTHER: 'o\n'})
    _framework_refused(repo.run_git('push', '-u', 'origin', 'feature'), wrong[:10])
    assert 'refs/heads/feature' not in ref_values(origin)


def test_framework_tag_push(framework: Setup) -> None:
    repo, origin = framework
    repo.git('switch', '-q', '--detach')
    wrong = unreviewed(repo)
    repo.git('tag', '-a', '-m', 'Release', 'v1')
    repo.git('switch', '-q', 'main')
    _framework_refused(repo.run_git('push', 'origin', 'v1'), wrong[:10])
    assert 'refs/tags/v1' not in ref_values(origin)


def test_framework_tag_shorthand_push(framework: Setup) -> None:
    """`git push origin tag v1` pushes refs/tags/v1 (git's shorthand): its
    commits are judged, and `tag` is no ref the push sends."""
    repo, origin = framework
    repo.git('switch', '-q', '--detach')
    good(repo)
    repo.git('tag', 'v1')
    wrong = unreviewed(repo)
    repo.git('tag', 'v2')
    repo.git('switch', '-q', 'main')
    result = repo.run_git('push', 'origin', 'tag', 'v1')
    assert result.returncode == 0, result.output
    assert ref_values(origin)['refs/tags/v1'] == repo.git('rev-parse', 'v1').strip()
    result = repo.run_git('push', 'origin', 'tag', 'v2')
    _framework_refused(result, wrong[:10])
    assert 'not a commit' not in result.output, result.output
    assert 'refs/tags/v2' not in ref_values(origin)


def test_framework_multi_ref_push_with_a_detached_head(framework: Setup) -> None:
    repo, origin = framework
    before = ref_values(origin)
    repo.git('switch', '-q', '-c', 'a')
    good(repo)
    repo.git('switch', '-q', '--detach', 'main')
    wrong = unreviewed(repo)
    _framework_refused(repo.run_git('push', 'origin', 'a', 'HEAD:refs/heads/x'), wrong[:10])
    assert ref_values(origin) == before


def _run_by_hand(repo: Repo, from_ref: str, to_ref: str) -> Run:
    """`pre-commit run` of the pre-push stage, as a developer tries the hook before pushing."""
    return repo.run(sys.executable, '-m', 'pre_commit', 'run', 'trailgate-pre-push', '--hook-stage', 'pre-push',
                    '--from-ref', from_ref, '--to-ref', to_ref)


def test_framework_run_by_hand_judges_the_range_it_is_given(framework: Setup) -> None:
    repo, _ = framework
    repo.git('switch', '-q', '-c', 'side')
    unreviewed(repo)  # unpushed, but not in the range below
    repo.git('switch', '-q', 'main')
    good(repo)

    result = _run_by_hand(repo, 'origin/main', 'HEAD')

    assert result.returncode == 0, result.output
    assert '1 commit checked, 0 refused' in result.output


def test_framework_run_by_hand_refuses_what_the_range_holds(framework: Setup) -> None:
    repo, _ = framework
    base = repo.head()
    wrong = unreviewed(repo)
    good(repo)

    _framework_refused(_run_by_hand(repo, base, 'HEAD'), wrong[:10])


def test_framework_run_by_hand_without_a_range_says_what_to_give(framework: Setup) -> None:
    """`pre-commit run --all-files --hook-stage pre-push` names no push and no range:
    nothing is judged, and the hook says so instead of passing in silence."""
    repo, _ = framework
    unreviewed(repo)

    result = repo.run(sys.executable, '-m', 'pre_commit', 'run', '--all-files', '--hook-stage', 'pre-push')

    assert result.returncode == 0, result.output
    assert 'nothing checked' in result.output and '--from-ref' in result.output, result.output


def test_framework_run_by_hand_with_an_unknown_revision_is_an_error(framework: Setup) -> None:
    repo, _ = framework

    result = _run_by_hand(repo, 'no-such-ref', 'HEAD')

    assert result.returncode != 0
    assert 'no-such-ref' in result.output


def test_framework_push_of_a_new_protected_branch_is_judged_as_a_push_not_as_the_range_pre_commit_names(
        tmp_path: Path, pre_commit_setup) -> None:
    """pre-commit names first-unpushed^..tip for a new branch, and that base here is a commit
    of an unprotected branch: a real push must still be judged as the push it is."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False,
                    files={'.pre-commit-config.yaml': pre_commit_setup.config})
    repo.env.update(pre_commit_setup.env)
    pre_commit(repo, 'install', '--hook-type', 'commit-msg', '--hook-type', 'pre-push')
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    pushed = repo.run_git('push', 'origin', 'feature')
    assert pushed.returncode == 0, pushed
    good(repo)

    _framework_refused(repo.run_git('push', 'origin', 'feature:refs/heads/release/1'), wrong[:10])
    assert 'refs/heads/release/1' not in ref_values(origin)


@pytest.mark.parametrize(('url', 'shown'), [
    ('https://x-access-token:ghp_secret@github.com/o/r.git', 'https://github.com/o/r.git'),
    ('https://ghp_secret@github.com/o/r.git', 'https://github.com/o/r.git'),
    ('ssh://git:secret@host:22/r.git', 'ssh://host:22/r.git'),
    ('https://github.com/o/r@v1.git', 'https://github.com/o/r@v1.git'),
    ('git@github.com:o/r.git', 'git@github.com:o/r.git'),
    ('/srv/git/r@x.git', '/srv/git/r@x.git'),
    ('origin', 'origin'),
])
def test_a_url_s_credentials_never_reach_the_hint(url: str, shown: str) -> None:
    """The fetch hint names the push's URL when it is no remote's: git hides
    a URL's user and password in its own messages, and so does the hint."""
    assert without_credentials(url) == shown


def test_an_output_file_is_written_for_a_push_that_lands_nothing_on_a_protected_ref(tmp_path: Path) -> None:
    # --output FILE is the report of this push, whatever it holds: never the one an earlier push left
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', policy_text=PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    sha = unreviewed(repo)
    report = tmp_path / 'report.json'
    report.write_text('{"summary": {"refused": 1}}')  # an earlier push's
    zero = '0' * 40
    lines = f'refs/heads/feature {sha} refs/heads/feature {zero}\n'
    result = repo.trailgate('pre-push', '--format', 'json', '--output', str(report), 'origin', str(origin.path),
                            input=lines)
    assert result.returncode == 0, result.output
    written = json.loads(report.read_text())
    assert written['summary']['refused'] == 0, written
