"""A new protected ref at an older policy, tried every way round: each push
here would leave a protected ref on a policy (or signer file) the policy
owners never reviewed for it, or lets a legitimate workflow through."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values
from testing.scenarios import unreviewed
from tests.commands.pre_receive_test import accepted
from tests.commands.pre_receive_test import push
from tests.commands.pre_receive_test import refused

WEAK = POLICY.replace('services/payments/**', 'services/nothing/**')
CREATES = 'with another .trailgate/policy.yaml than the default branch main holds'


def _two_policies(tmp_path: Path, protected: str = '') -> tuple[Setup, str]:
    """main: the weak policy, then the current one (reviewed). Returns the
    setup and main's first commit, which holds the weak one."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', WEAK + protected, hooks=False)
    old = repo.head()
    repo.commit_ok(message('Guard payments', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY + protected},
                   verify=False)
    publish(repo, origin)
    return Setup(repo, origin), old


def test_created_in_the_same_push_that_moves_the_default_branch(tmp_path: Path) -> None:
    (repo, origin), old = _two_policies(tmp_path)
    repo.commit_ok(message('Tidy'), {OTHER: 'tidy\n'}, verify=False)
    before = ref_values(origin)
    refused(push(repo, 'main', f'{old}:refs/heads/lax'), CREATES)
    assert ref_values(origin) == before


def test_two_new_refs_in_one_push(tmp_path: Path) -> None:
    (repo, origin), old = _two_policies(tmp_path)
    before = ref_values(origin)
    refused(push(repo, 'main:refs/heads/fine', f'{old}:refs/heads/lax'), CREATES)
    assert ref_values(origin) == before


def test_an_annotated_tag_and_a_tag_of_a_tag(tmp_path: Path) -> None:
    protected = 'protected: [main, "refs/tags/v*"]\n'
    (repo, origin), old = _two_policies(tmp_path, protected)
    repo.git('tag', '-a', '-m', 'Old', 'v0.1', old)
    repo.git('tag', '-a', '-m', 'Nested', 'v0.2', 'v0.1')
    before = ref_values(origin)
    refused(push(repo, 'v0.1'), 'creates refs/tags/v0.1')
    refused(push(repo, 'refs/tags/v0.2'), 'creates refs/tags/v0.2')
    assert ref_values(origin) == before


def test_a_ref_protected_by_a_full_ref_pattern(tmp_path: Path) -> None:
    (repo, origin), old = _two_policies(tmp_path, 'protected: [main, "refs/heads/deploy/**"]\n')
    refused(push(repo, f'{old}:refs/heads/deploy/eu/x'), CREATES)
    assert 'refs/heads/deploy/eu/x' not in ref_values(origin)


def test_through_a_symbolic_ref_to_a_missing_branch(tmp_path: Path) -> None:
    (repo, origin), old = _two_policies(tmp_path)
    origin.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/lax')
    before = ref_values(origin)
    refused(push(repo, f'{old}:refs/heads/alias'), 'refs/heads/lax')
    assert ref_values(origin) == before


def _hidden_by_a_merge(repo: Repo, old: str) -> str:
    """A merge of main and an innocuous commit on the old policy that keeps the old policy."""
    repo.git('switch', '-q', '-c', 'side', old)
    repo.commit_ok(message('Side'), {OTHER: 'side\n'}, verify=False)
    repo.git('switch', '-q', '-c', 'lax', 'main')
    repo.run_git('merge', '--no-ff', '--no-commit', '--no-verify', 'side')
    repo.git('checkout', 'side', '--', POLICY_PATH)
    repo.git('commit', '-q', '--no-verify', '-m', 'Merge side')
    return repo.head()


def test_a_merge_whose_combined_diff_hides_the_older_policy(tmp_path: Path) -> None:
    (repo, origin), old = _two_policies(tmp_path)
    _hidden_by_a_merge(repo, old)
    before = ref_values(origin)
    refused(push(repo, 'lax'), CREATES)
    assert ref_values(origin) == before


def test_a_merge_hiding_the_older_policy_pushed_first_to_an_unprotected_branch(tmp_path: Path) -> None:
    (repo, origin), old = _two_policies(tmp_path, 'protected: [main, "release/*"]\n')
    _hidden_by_a_merge(repo, old)
    accepted(push(repo, 'side', 'lax'))
    before = ref_values(origin)
    refused(push(repo, 'lax:refs/heads/release/2'), 'creates refs/heads/release/2')
    assert ref_values(origin) == before


def test_a_weakening_commit_pushed_first_to_an_unprotected_branch(tmp_path: Path) -> None:
    (repo, origin), _ = _two_policies(tmp_path, 'protected: [main, "release/*"]\n')
    repo.git('switch', '-q', '-c', 'lax')
    weakening = repo.commit_ok(message('Loosen'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    accepted(push(repo, 'lax'))
    before = ref_values(origin)
    refused(push(repo, 'lax:refs/heads/release/2'), weakening[:10])
    assert ref_values(origin) == before


def test_an_unrelated_history_with_its_own_weaker_policy(tmp_path: Path) -> None:
    """Every branch protected (no protected key): a root commit of another
    history, parked first under an unprotected ref, then made a branch."""
    (_repo, origin), _ = _two_policies(tmp_path)
    other = new_repo(tmp_path / 'other', None, hooks=False)
    other.commit_ok(message('Loosen'), {POLICY_PATH: EMPTY_POLICY}, verify=False)  # no owner's review
    other.git('remote', 'add', 'origin', str(origin.path))
    accepted(push(other, 'main:refs/pull/1/head'))
    before = ref_values(origin)
    refused(push(other, 'main:refs/heads/lax'), 'policy')
    assert ref_values(origin) == before


def test_an_unrelated_history_with_no_policy(tmp_path: Path) -> None:
    (_repo, origin), _ = _two_policies(tmp_path)
    other = new_repo(tmp_path / 'other', None, hooks=False)
    other.git('remote', 'add', 'origin', str(origin.path))
    before = ref_values(origin)
    refused(push(other, 'main:refs/heads/lax'), CREATES)
    assert ref_values(origin) == before


def _replayed(repo: Repo, commit: str) -> str:
    """``commit`` made again on its own parents, a second later: another
    commit with the same change (its reviews, typed or signed, count for it)."""
    parents = [arg for parent in repo.git('rev-list', '--parents', '-n1', commit).split()[1:]
               for arg in ('-p', parent)]
    body = repo.git('log', '-1', '--format=%B', commit)
    return repo.git('commit-tree', f'{commit}^{{tree}}', *parents, '-m', body,
                    env={'GIT_COMMITTER_DATE': '2030-01-01T00:00:00Z'}).strip()


def test_a_new_protected_ref_at_a_replay_of_the_commit_that_set_the_older_policy(tmp_path: Path) -> None:
    """The commit that set the older policy, made again (its reviews with
    it), is a commit the default branch does not hold: "set by a commit
    beyond" it, though the change it judges was reviewed long ago, from
    another version than the default branch's."""
    (repo, origin), old = _two_policies(tmp_path)
    again = _replayed(repo, old)
    before = ref_values(origin)
    refused(push(repo, f'{again}:refs/heads/lax'), CREATES)
    assert ref_values(origin) == before


def test_a_merge_cannot_take_main_back_through_a_replay_of_an_old_policy_change(tmp_path: Path) -> None:
    """A merge of main and a replay of the commit that set the older policy,
    keeping the replay's version: the merge's combined diff shows no change,
    and the replay carries its old reviews."""
    (repo, origin), old = _two_policies(tmp_path)
    again = _replayed(repo, old)
    repo.run_git('merge', '--no-ff', '--no-commit', '--no-verify', '--allow-unrelated-histories', again)
    repo.git('checkout', again, '--', POLICY_PATH)
    repo.git('commit', '-q', '--no-verify', '-m', 'Merge')
    before = ref_values(origin)
    refused(push(repo, 'main'), 'refs/heads/main')
    assert ref_values(origin) == before


def test_a_merge_cannot_take_main_back_through_a_replay_of_a_later_policy_change(tmp_path: Path) -> None:
    """The same with a commit that is no root: the second of three versions."""
    (repo, origin), _ = _two_policies(tmp_path)
    middle = repo.head()
    repo.commit_ok(message('Guard more', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY.replace('payments/**', 'payments/**", "services/cart/**')}, verify=False)
    accepted(push(repo, 'main'))
    again = _replayed(repo, middle)
    repo.run_git('merge', '--no-ff', '--no-commit', '--no-verify', again)
    repo.git('checkout', again, '--', POLICY_PATH)
    repo.git('commit', '-q', '--no-verify', '-m', 'Merge')
    before = ref_values(origin)
    refused(push(repo, 'main'), 'refs/heads/main')
    refused(push(repo, f'{again}:refs/heads/lax'), CREATES)
    assert ref_values(origin) == before


def test_an_old_weakening_made_again_on_top_of_main_is_refused(tmp_path: Path) -> None:
    """The owners once loosened the policy and tightened it again; the
    loosening, cherry-picked onto main (where it applies as it did), carries
    its reviews (typed here; a signed approval is of the change, and counts
    for it as well), so the commit passes the rules: landing it would give
    main back a version that the owners' review of now never saw."""
    (repo, origin), _ = _two_policies(tmp_path)
    loosened = repo.commit_ok(message('Loosen', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: WEAK}, verify=False)
    repo.commit_ok(message('Tighten again', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY}, verify=False)
    accepted(push(repo, 'main'))
    repo.git('cherry-pick', '--allow-empty', loosened, env={'GIT_COMMITTER_DATE': '2030-01-01T00:00:00Z'})
    assert repo.git('show', '-s', '--format=%B', 'HEAD').count('Reviewed-by') == 2
    before = ref_values(origin)
    refused(push(repo, 'main'), 'a commit makes an earlier change to it again')
    assert ref_values(origin) == before


# -- what a user does, and must be let do -------------------------------------


def test_a_release_branch_at_the_default_branch_s_tip(tmp_path: Path) -> None:
    (repo, _origin), _ = _two_policies(tmp_path, 'protected: [main, "release/*"]\n')
    accepted(push(repo, 'main:refs/heads/release/1'))


def test_a_reviewed_policy_change_and_a_release_branch_at_it_in_one_push(tmp_path: Path) -> None:
    (repo, origin), _ = _two_policies(tmp_path, 'protected: [main, "release/*"]\n')
    repo.commit_ok(message('Guard more', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY.replace('payments/**', 'payments/**", "services/cart/**') +
                    'protected: [main, "release/*"]\n'}, verify=False)
    accepted(push(repo, 'main', 'main:refs/heads/release/1'))
    assert ref_values(origin)['refs/heads/release/1'] == repo.head()


def test_a_release_branch_from_develop_that_carries_a_reviewed_policy_change(tmp_path: Path) -> None:
    """git-flow: the policy change lands on develop (protected) first, and a
    release branch is cut from develop before main has it."""
    protected = 'protected: [main, develop, "release/*"]\n'
    (repo, _origin), _ = _two_policies(tmp_path, protected)
    repo.git('switch', '-q', '-c', 'develop')
    repo.commit_ok(message('Guard more', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY.replace('payments/**', 'payments/**", "services/cart/**') + protected},
                   verify=False)
    accepted(push(repo, 'develop'))
    accepted(push(repo, 'develop:refs/heads/release/1'))


def test_an_old_ref_without_policy_owners(tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', WEAK.replace('policy_owners: senior\n', ''), hooks=False)
    old = repo.head()
    repo.commit_ok(message('Guard payments'), {POLICY_PATH: POLICY.replace('policy_owners: senior\n', '')},
                   verify=False)
    publish(repo, origin)
    accepted(push(repo, f'{old}:refs/heads/old'))


def test_a_new_branch_that_merges_main_after_its_own_work(tmp_path: Path) -> None:
    (repo, _origin), old = _two_policies(tmp_path)
    repo.git('switch', '-q', '-c', 'topic', old)
    repo.commit_ok(message('Work'), {OTHER: 'work\n'}, verify=False)
    repo.git('merge', '-q', '--no-verify', '-m', 'Merge main', 'main')
    accepted(push(repo, 'topic'))


def test_an_unreviewed_change_is_still_judged_on_a_new_branch_at_main(tmp_path: Path) -> None:
    (repo, _origin), _ = _two_policies(tmp_path)
    wrong = unreviewed(repo)
    refused(push(repo, 'main:refs/heads/fine'), wrong[:10], RULE)


KEYS = '.trailgate/keys'
POINTED = 'makes .trailgate/keys the allowed-signers file of '


@pytest.mark.parametrize('ref', ['refs/heads/release/1', 'refs/heads/main'])
def test_a_protected_ref_whose_policy_points_signers_at_a_file_main_already_holds(tmp_path: Path, ref: str) -> None:
    """main holds a file that is nobody's signer file, so any commit may fill
    it; a new release branch (or main itself) whose one commit (reviewed by
    the owners: its diff is the one line) points ``signers:`` at it would make
    keys nobody reviewed decide every later signed approval there. pre-push says so
    first, and the server refuses it; the same pointer with the file added
    in the reviewed commit itself passes."""
    protected = 'protected: [main, "release/*"]\n'
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + protected, hooks=False,
                    files={KEYS: 'bob@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMallory\n'})
    publish(repo, origin)
    repo.install_hooks(hooks=('pre-push',))
    repo.git('switch', '-q', '-c', 'lax')
    repo.commit_ok(message('Point signers at the keys', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY + protected + f'signers: {KEYS}\n'}, verify=False)
    before = ref_values(origin)
    client = repo.run_git('push', 'origin', f'lax:{ref}')
    assert client.returncode != 0 and client.hooks.get('pre-push') == 1, client
    assert POINTED + ref in client.stderr, client.stderr
    refused(push(repo, f'lax:{ref}'), POINTED + ref)
    assert ref_values(origin) == before
    repo.git('switch', '-q', '-c', 'fine', 'main')
    repo.commit_ok(message('Signers of their own', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY + protected + 'signers: .trailgate/signers\n',
                    '.trailgate/signers': 'alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAlice\n'},
                   verify=False)
    accepted(repo.run_git('push', 'origin', f'fine:{ref}'))
    assert ref_values(origin)[ref] == repo.head()
