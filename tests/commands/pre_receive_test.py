"""``trailgate pre-receive`` as a bare remote's hook, reached by real pushes.

Every push here is ``git push --no-verify``: the client's hooks are skipped,
only the server decides (inside git's push quarantine).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.precommit import SOURCE
from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values
from testing.scenarios import unreviewed
from testing.util import init_repo

HOOK = 'pre-receive'


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', hooks=False)
    publish(repo, origin)
    return Setup(repo, origin)


def push(repo: Repo, *args: str) -> Run:
    return repo.run_git('push', '--no-verify', 'origin', *args)


def planted(repo: Repo, origin: Repo, refspec: str) -> None:
    """``refspec`` pushed past the hook, as a mirror made before the hook
    was installed would hold it."""
    hook = origin.path / 'hooks' / 'pre-receive'
    saved = hook.read_bytes()
    hook.unlink()
    try:
        accepted(push(repo, refspec))
    finally:
        hook.write_bytes(saved)
        hook.chmod(0o755)


def good(repo: Repo, content: str = 'good = 1\n') -> str:
    return repo.commit_ok(message('Reviewed charge', ASSISTED, *APPROVALS), {CRITICAL: content},
                          verify=False)


def weaken(repo: Repo) -> str:
    """A commit that empties the policy, with the reviews policy_owners asks for."""
    return repo.commit_ok(message('Drop the rules', REVIEW_ALICE, REVIEW_BOB),
                          {POLICY_PATH: EMPTY_POLICY}, verify=False)


def refused(result: Run, *needles: str, status: int = 1) -> None:
    assert result.returncode != 0, f'the push went through: {result}'
    assert result.hooks.get(HOOK) == status, f'hook status is not {status}: {result}'
    assert 'pre-receive hook declined' in result.stderr
    assert 'Traceback' not in result.output
    remote_lines = '\n'.join(
        line for line in result.stderr.splitlines() if line.startswith('remote:')
    )
    for needle in needles:
        assert needle in remote_lines, f'{needle!r} not relayed as remote: in\n{result.stderr}'


def accepted(result: Run) -> None:
    assert result.returncode == 0, result
    assert result.hooks.get(HOOK, 0) == 0, result


def test_bad_commit_refused_remote_unchanged(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    wrong = unreviewed(repo)
    result = push(repo, 'main')
    refused(result, RULE, wrong[:10], 'missing-review', 'Unreviewed charge')
    assert ref_values(origin) == before
    # the quarantined objects were dropped with the push
    assert origin.run_git('cat-file', '-e', wrong).returncode != 0


def test_good_commits_accepted(setup: Setup) -> None:
    repo, origin = setup
    good(repo)
    repo.commit_ok(message('Human charge'), {CRITICAL: 'human\n'}, verify=False)
    repo.commit_ok(message('AI search', ASSISTED), {OTHER: 'ai\n'}, verify=False)
    result = push(repo, 'main')
    accepted(result)
    assert result.hooks[HOOK] == 0
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_break_glass_accepted_and_reported(setup: Setup) -> None:
    repo, origin = setup
    repo.commit_ok(message('Hotfix', ASSISTED, 'Break-Glass: payments down'),
                   {CRITICAL: 'hot\n'}, author='Carol <carol@example.com>', verify=False)
    result = push(repo, 'main')
    accepted(result)
    assert 'remote: overridden' in result.stderr
    assert 'payments down' in result.stderr
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_one_bad_commit_among_many(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    good(repo)
    wrong = unreviewed(repo, 'bad\n')
    good(repo, 'good again\n')
    result = push(repo, 'main')
    refused(result, wrong[:10], '3 commits checked, 1 refused')
    assert ref_values(origin) == before


def test_new_branch(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    refused(push(repo, 'feature'), wrong[:10])
    assert 'refs/heads/feature' not in ref_values(origin)
    repo.git('reset', '-q', '--hard', 'main')
    good(repo)
    accepted(push(repo, 'feature'))
    assert ref_values(origin)['refs/heads/feature'] == repo.head()


def test_new_branch_with_only_known_commits(setup: Setup) -> None:
    repo, origin = setup
    unreviewed(repo, subject='Old news')
    # already in the repository: it entered before the hook was installed
    publish_hook = origin.path / 'hooks' / 'pre-receive'
    saved = publish_hook.read_bytes()
    publish_hook.unlink()
    push(repo, 'main')
    publish_hook.write_bytes(saved)
    publish_hook.chmod(0o755)
    result = push(repo, 'main:refs/heads/copy')
    accepted(result)
    assert 'Old news' not in result.stderr


def test_multi_ref_push_refuses_every_ref(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    repo.git('switch', '-q', '-c', 'a')
    good(repo)
    repo.git('switch', '-q', '-c', 'b', 'main')
    wrong = unreviewed(repo)
    refused(push(repo, 'a', 'b'), wrong[:10])
    assert ref_values(origin) == before


def test_deletion_only_push(setup: Setup) -> None:
    repo, origin = setup
    repo.git('push', '-q', '--no-verify', 'origin', 'main:refs/heads/feature')
    result = push(repo, '--delete', 'feature')
    accepted(result)
    assert 'refs/heads/feature' not in ref_values(origin)


@pytest.mark.parametrize('annotated', [True, False], ids=['annotated', 'lightweight'])
def test_tag(setup: Setup, annotated: bool) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'local-only')
    wrong = unreviewed(repo)
    repo.git('tag', *(['-a', '-m', 'Release'] if annotated else []), 'v1')
    refused(push(repo, 'v1'), wrong[:10])
    assert 'refs/tags/v1' not in ref_values(origin)
    repo.git('tag', *(['-a', '-m', 'Release'] if annotated else []), 'v0', 'main')
    accepted(push(repo, 'v0'))
    assert 'refs/tags/v0' in ref_values(origin)


def test_force_push(setup: Setup) -> None:
    repo, origin = setup
    good(repo)
    accepted(push(repo, 'main'))
    published = repo.head()
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    wrong = unreviewed(repo)
    refused(push(repo, '--force', 'main'), wrong[:10])
    assert ref_values(origin)['refs/heads/main'] == published


def test_policy_from_the_old_value_of_the_ref(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    weaken(repo)
    wrong = unreviewed(repo)
    refused(push(repo, 'main'), wrong[:10])
    assert ref_values(origin) == before

    # once the weaker policy is the old value, it is the one that judges
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    accepted(push(repo, 'main'))
    unreviewed(repo)
    accepted(push(repo, 'main'))


def test_deleting_the_policy_does_not_escape_it(setup: Setup) -> None:
    repo, origin = setup
    removed = repo.commit_ok(message('Remove the policy', REVIEW_ALICE, REVIEW_BOB),
                             remove=[POLICY_PATH], verify=False)
    wrong = unreviewed(repo)
    before = ref_values(origin)
    result = push(repo, 'main')
    refused(result, wrong[:10], '2 commits checked, 1 refused')
    assert f'refused {removed[:10]}' not in result.stderr  # reviewed by policy owners
    assert ref_values(origin) == before


def test_new_ref_uses_the_default_branch_policy(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    weaken(repo)
    wrong = unreviewed(repo)
    refused(push(repo, 'feature'), wrong[:10])

    # an unrelated history with no policy of its own is judged by main's
    repo.git('switch', '-q', '--orphan', 'orphan')
    wrong = repo.commit_ok(message('Orphan', ASSISTED), {CRITICAL: 'orphan\n'}, verify=False)
    refused(push(repo, 'orphan'), wrong[:10])
    assert set(ref_values(origin)) == {'refs/heads/main'}


def test_a_protected_ref_whose_value_has_no_policy_is_judged_by_no_other(setup: Setup) -> None:
    """An unrelated history without a policy, once on a protected ref, is that
    ref's trusted base: its next update cannot be judged (exit 2), never by
    the default branch's policy in its place."""
    repo, origin = setup
    repo.git('switch', '-q', '--orphan', 'orphan')
    first = repo.commit_ok(message('Orphan'), {OTHER: 'o\n'}, verify=False)
    # a new ref that would hold no policy is refused for it (main's has policy_owners)
    refused(push(repo, 'orphan'), 'this update creates refs/heads/orphan with another .trailgate/policy.yaml')
    planted(repo, origin, 'orphan')
    repo.commit_ok(message('More'), {OTHER: 'p\n'}, verify=False)
    result = push(repo, 'orphan')
    refused(result, f'the base {first[:12]} has no .trailgate/policy.yaml', 'git update-ref', status=2)
    assert 'push a policy to the default branch first' not in result.output, result.output  # it would not help
    assert ref_values(origin)['refs/heads/orphan'] == first


def test_a_new_ref_where_the_default_branch_has_no_policy_is_told_to_push_one_there(tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', policy_text=None, hooks=False)
    publish(repo, origin)
    repo.git('branch', 'feature')
    result = push(repo, 'feature')
    refused(result, f'the base {repo.head()[:12]} has no .trailgate/policy.yaml',
            'push a policy to the default branch first', status=2)
    assert 'git update-ref' not in result.output, result.output  # the advice for an existing ref
    assert '`trailgate init`' in result.output, result.output  # no policy found at all
    assert 'refs/heads/feature' not in ref_values(origin)


def test_empty_repository_without_policy(setup: Setup, tmp_path: Path) -> None:
    repo, _ = setup
    empty = bare_remote(tmp_path / 'empty.git')
    repo.git('remote', 'add', 'empty', str(empty.path))
    result = repo.run_git('push', '--no-verify', 'empty', 'main')
    refused(result, '.trailgate/policy.yaml', status=2)
    assert ref_values(empty) == {}


def test_empty_repository_says_to_push_before_installing_the_hook(setup: Setup, tmp_path: Path) -> None:
    """The first push to a new server cannot bring the policy past a hook that
    needs one: the refusal says so, instead of asking for that very push."""
    repo, _ = setup
    empty = bare_remote(tmp_path / 'empty.git')
    repo.git('remote', 'add', 'empty', str(empty.path))
    result = repo.run_git('push', '--no-verify', 'empty', 'main')
    refused(result, 'the repository is empty', 'before installing the hook', '--policy PATH', status=2)
    assert 'push a policy to the default branch first' not in result.output, result.output
    # no policy found at all: the message names `trailgate init` (the contract's words)
    assert '`trailgate init`' in result.output, result.output


def test_empty_repository_with_a_configured_policy(setup: Setup, tmp_path: Path) -> None:
    repo, _ = setup
    central = tmp_path / 'central.yaml'
    central.write_text(POLICY)
    empty = bare_remote(tmp_path / 'empty.git', options=('--policy', str(central)))
    repo.git('remote', 'add', 'empty', str(empty.path))
    good(repo)
    accepted(repo.run_git('push', '--no-verify', 'empty', 'main'))
    wrong = unreviewed(repo)
    refused(repo.run_git('push', '--no-verify', 'empty', 'main'), wrong[:10])


def test_a_policy_kept_on_the_server_judges_a_force_push_on_its_commits_alone(setup: Setup, tmp_path: Path) -> None:
    """With --policy PATH, the repository's own policy file judges nothing: a
    force push that takes main back past a change to it adds no commit, and passes."""
    repo, _ = setup
    central = tmp_path / 'central.yaml'
    central.write_text(POLICY)
    server = bare_remote(tmp_path / 'server.git', options=('--policy', str(central)))
    repo.git('remote', 'add', 'server', str(server.path))
    first = repo.head()
    accepted(repo.run_git('push', '--no-verify', 'server', 'main'))
    weaken(repo)
    accepted(repo.run_git('push', '--no-verify', 'server', 'main'))
    accepted(repo.run_git('push', '--no-verify', '--force', 'server', f'{first}:refs/heads/main'))
    assert ref_values(server)['refs/heads/main'] == first

def test_a_policy_kept_on_the_server_need_not_protect_the_default_branch(setup: Setup, tmp_path: Path) -> None:
    """With --policy PATH, no branch's policy judges a new ref: the default
    branch may be unprotected, and new protected refs are still judged."""
    repo, _ = setup
    central = tmp_path / 'central.yaml'
    central.write_text(POLICY + 'protected: ["release/*"]\n')
    server = bare_remote(tmp_path / 'server.git', options=('--policy', str(central)))
    repo.git('remote', 'add', 'server', str(server.path))
    accepted(repo.run_git('push', '--no-verify', 'server', 'main'))
    repo.git('switch', '-q', '-c', 'release/1')
    wrong = unreviewed(repo)
    accepted(repo.run_git('push', '--no-verify', 'server', 'release/1:refs/heads/feature'))
    refused(repo.run_git('push', '--no-verify', 'server', 'release/1'), wrong[:10], RULE)
    assert 'refs/heads/release/1' not in ref_values(server)

def test_shipped_hook_script(tmp_path: Path) -> None:
    origin = Repo(init_repo(tmp_path / 'origin.git', bare=True))
    repo = new_repo(tmp_path / 'repo', hooks=False)
    publish(repo, origin)
    shutil.copy2(SOURCE / 'hooks' / 'pre-receive', origin.path / 'hooks' / 'pre-receive')
    wrong = unreviewed(repo)
    env = {'PATH': f'{Path(sys.executable).parent}:/usr/bin:/bin'}
    result = repo.run_git('push', '--no-verify', 'origin', 'main', env=env)
    assert result.returncode != 0, result
    assert 'pre-receive hook declined' in result.stderr
    assert f'remote: refused {wrong[:10]}' in result.stderr


def test_a_server_whose_head_names_a_missing_branch_says_which_and_how_to_point_it(tmp_path: Path) -> None:
    # `git init --bare` without init.defaultBranch points HEAD at master; the team pushes main
    origin = bare_remote(tmp_path / 'origin.git')
    origin.git('symbolic-ref', 'HEAD', 'refs/heads/master')
    repo = new_repo(tmp_path / 'repo', hooks=False)
    publish(repo, origin)
    repo.git('branch', 'feature')

    result = push(repo, 'feature')

    assert result.returncode != 0
    assert result.hooks[HOOK] == 2
    assert 'refs/heads/feature' not in ref_values(origin)
    assert 'the default branch master does not exist' in result.stderr, result.stderr
    assert 'git symbolic-ref HEAD refs/heads/<branch>' in result.stderr


class Incoming(NamedTuple):
    """A server whose main is at ``base``, holding ``wrong`` (an unreviewed
    change on top of it) as a push would: on no ref."""

    origin: Repo
    base: str
    wrong: str


@pytest.fixture(scope='module')
def incoming(tmp_path_factory: pytest.TempPathFactory) -> Incoming:
    root = tmp_path_factory.mktemp('incoming')
    origin = bare_remote(root / 'origin.git')
    repo = new_repo(root / 'repo', POLICY + 'protected: [main]\n', hooks=False)
    publish(repo, origin)
    base = repo.head()
    wrong = unreviewed(repo)
    accepted(push(repo, 'HEAD:refs/heads/feature'))
    origin.git('update-ref', '-d', 'refs/heads/feature')
    return Incoming(origin, base, wrong)


@pytest.mark.parametrize(('line', 'status'), [
    ('{base} {wrong} refs/heads/main\n', 1),  # as git writes it
    ('{base} {wrong} refs/heads/main', 1),  # no final newline
    ('\n{base} {wrong} refs/heads/main\n', 2),  # an empty line
    ('{base} {wrong} refs/heads/main\r\n', 2),
    ('{base} {wrong}\n', 2),
    ('{base} {wrong} refs/heads/main refs/heads/other\n', 2),
    ('{base}  {wrong} refs/heads/main\n', 2),
    ('{base} {wrong} refs/heads/main \n', 2),
    ('{base} {wrong:.12} refs/heads/main\n', 2),
    ('{base} {wrong}0 refs/heads/main\n', 2),
    ('{base} {wrong}{wrong:.24} refs/heads/main\n', 2),  # a SHA-256 id after a SHA-1 one
    ('{base} {wrong_upper} refs/heads/main\n', 2),
    ('{base} {not_hex} refs/heads/main\n', 2),
    ('{base} {wrong} main\n', 2),
    ('{base} {wrong} refs/heads/main/\n', 2),
    ('{base} {wrong} refs/heads/ma..in\n', 2),
    ('{base} {wrong} refs/heads/main.lock\n', 2),
    ('{base} {wrong} refs/heads/ma*n\n', 2),
    ('{base} {wrong} refs/heads//main\n', 2),
])
def test_pre_receive_input_git_would_never_write_fails_closed(incoming: Incoming, line: str, status: int) -> None:
    origin, base, wrong = incoming
    stdin = line.format(base=base, wrong=wrong, wrong_upper=wrong.upper(), not_hex='g' * len(wrong))

    result = origin.trailgate('pre-receive', input=stdin)

    assert result.returncode == status, result.output
    assert 'Traceback' not in result.output
    if status == 2:
        assert 'unexpected pre-receive input line' in result.stderr, result.stderr


def test_an_output_file_is_rewritten_by_every_push_never_left_from_an_earlier_one(tmp_path: Path) -> None:
    # --output FILE: the report of this push goes to FILE; a push that lands nothing on a protected
    # ref still writes its report (no commits), never leaving the refusal of an earlier push there
    report = tmp_path / 'report.json'
    origin = bare_remote(tmp_path / 'origin.git', True, ('--format', 'json', '--output', str(report)))
    repo = new_repo(tmp_path / 'repo', policy_text=PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    unreviewed(repo)
    refused(push(repo, 'HEAD:main'))
    assert json.loads(report.read_text())['summary']['refused'] == 1
    result = push(repo, 'HEAD:refs/heads/feature')
    assert result.returncode == 0, result.output
    written = json.loads(report.read_text())
    assert written['summary']['refused'] == 0, written
    assert written['summary']['checked'] == 0, written
