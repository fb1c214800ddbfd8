"""pre-receive with ``protected``: only protected refs are gated, and no side door.

A commit that first reaches the server on an unprotected ref (a branch, a
tag, ``refs/pull/*``, ``refs/notes/*``, any other ref) passes there, and is
judged when a protected ref later moves onto it, by fast-forward or merge.
Every push is ``--no-verify``: only the server decides.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from testing.scenarios import CRITICAL
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values
from testing.scenarios import unreviewed
from tests.commands.pre_receive_test import accepted
from tests.commands.pre_receive_test import good
from tests.commands.pre_receive_test import planted
from tests.commands.pre_receive_test import push
from tests.commands.pre_receive_test import refused
from tests.reports.json_format_test import VALIDATOR


def test_feature_branch_push_passes(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    result = push(repo, 'feature')
    accepted(result)
    assert ref_values(origin)['refs/heads/feature'] == wrong
    assert 'remote: trailgate pre-receive: reminder: 1 pushed commit will need review' in result.stderr
    assert 'refused' not in result.stderr.replace('nothing refused', '')


def test_push_to_main_refused(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push(repo, 'main'), wrong[:10], RULE)
    assert ref_values(origin) == before


def test_a_refused_push_never_says_nothing_is_refused(setup: Setup) -> None:
    """main's commit is refused: the feature branch's reminder, in the same
    push, does not say that nothing is (git updates none of the refs)."""
    repo, origin = setup
    before = ref_values(origin)
    repo.git('switch', '-q', '-c', 'feature')
    unreviewed(repo, 'later\n', 'Feature change')
    repo.git('switch', '-q', 'main')
    wrong = unreviewed(repo)
    result = push(repo, 'main', 'feature')
    refused(result, wrong[:10], RULE)
    assert 'reminder: 1 pushed commit will need review' in result.stderr, result.stderr
    assert 'nothing refused' not in result.stderr, result.stderr
    assert ref_values(origin) == before


def test_new_release_branch_refused(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'release/1.0')
    wrong = unreviewed(repo)
    refused(push(repo, 'release/1.0'), wrong[:10])
    assert 'refs/heads/release/1.0' not in ref_values(origin)


def test_a_globstar_segment_protects_the_branch_with_no_segment_there(tmp_path: Path) -> None:
    # as git's own ref globs read it: team/**/ready is team/ready too
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main, "team/**/ready"]\n', hooks=False)
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'team/ready')
    wrong = unreviewed(repo)
    refused(push(repo, 'team/ready'), wrong[:10], RULE)
    assert 'refs/heads/team/ready' not in ref_values(origin)


SIDE_DOORS = {
    'branch': 'refs/heads/lax',
    'tag': 'refs/tags/lax',
    'pull-request': 'refs/pull/7/head',
    'notes': 'refs/notes/lax',
    'other-ref': 'refs/anything/lax',
}


def _through(setup: Setup, side_ref: str) -> str:
    """An unreviewed AI commit on top of main, pushed (and accepted) on ``side_ref`` only."""
    repo, origin = setup
    wrong = unreviewed(repo)
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    accepted(push(repo, f'{wrong}:{side_ref}'))
    assert ref_values(origin)[side_ref] == wrong
    return wrong


@pytest.mark.parametrize('side_ref', SIDE_DOORS.values(), ids=SIDE_DOORS.keys())
def test_side_door_then_fast_forward(setup: Setup, side_ref: str) -> None:
    repo, origin = setup
    wrong = _through(setup, side_ref)
    before = ref_values(origin)
    refused(push(repo, f'{wrong}:refs/heads/main'), wrong[:10], RULE)
    assert ref_values(origin) == before


@pytest.mark.parametrize('side_ref', SIDE_DOORS.values(), ids=SIDE_DOORS.keys())
def test_side_door_then_merge(setup: Setup, side_ref: str) -> None:
    repo, origin = setup
    wrong = _through(setup, side_ref)
    repo.commit_ok(message('Unrelated'), {OTHER: 'x\n'}, verify=False)
    repo.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge it', wrong)
    before = ref_values(origin)
    refused(push(repo, 'main'), wrong[:10], RULE)
    assert ref_values(origin) == before


@pytest.mark.parametrize('side_ref', SIDE_DOORS.values(), ids=SIDE_DOORS.keys())
def test_side_door_then_new_protected_ref(setup: Setup, side_ref: str) -> None:
    repo, origin = setup
    wrong = _through(setup, side_ref)
    refused(push(repo, f'{wrong}:refs/heads/release/2'), wrong[:10])
    assert 'refs/heads/release/2' not in ref_values(origin)


def test_reviewed_commit_through_a_branch_lands(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    reviewed = good(repo)
    accepted(push(repo, 'feature'))
    accepted(push(repo, 'feature:main'))
    assert ref_values(origin)['refs/heads/main'] == reviewed


def _laundering_setup(tmp_path: Path) -> tuple[Setup, str]:
    """main: a first policy without the payments rule, then the current one.
    Returns the setup and the first commit (whose policy is weaker)."""
    origin = bare_remote(tmp_path / 'origin.git')
    weak = POLICY.replace('services/payments/**', 'services/nothing/**')
    repo = new_repo(tmp_path / 'repo', weak, hooks=False)
    old = repo.head()
    # no protected key: every branch is protected, as on a policy written before the key
    repo.commit_ok(message('Guard payments', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY},
                   verify=False)
    publish(repo, origin)
    return Setup(repo, origin), old


def _creates_older(ref: str) -> str:
    return f'this update creates {ref} with another .trailgate/policy.yaml than the default branch main holds'


def test_a_new_protected_ref_at_a_commit_with_an_older_policy_is_refused(tmp_path: Path) -> None:
    """An old commit as a new protected branch adds no commit to judge, but
    its weaker policy would judge every later push to the branch: an
    unreviewed change to payments would land there."""
    (repo, origin), old = _laundering_setup(tmp_path)
    before = ref_values(origin)
    refused(push(repo, f'{old}:refs/heads/lax'), _creates_older('refs/heads/lax'))
    wrong = unreviewed(repo)
    result = push(repo, f'{old}:refs/heads/lax', 'main:refs/heads/other')
    refused(result, _creates_older('refs/heads/lax'), wrong[:10], RULE)
    assert ref_values(origin) == before


def test_a_new_protected_ref_at_an_older_policy_is_refused_beside_its_commits(tmp_path: Path) -> None:
    """Its commits are judged as well, in the report: the refusal of the
    update comes with theirs, never in their place. (A commit the default
    branch's policy passes does not make the older policy right.)"""
    (repo, origin), old = _laundering_setup(tmp_path)
    repo.git('switch', '-q', '-c', 'lax', old)
    repo.commit_ok(message('Tidy'), {OTHER: 'tidy\n'}, verify=False)
    result = push(repo, 'lax')
    refused(result, '1 commit checked, 0 refused', _creates_older('refs/heads/lax'))
    assert 'refs/heads/lax' not in ref_values(origin)


def test_a_protected_tag_at_a_commit_with_an_older_policy_is_refused(tmp_path: Path) -> None:
    """A release tag too: a later force push of it would be judged by the
    policy it holds."""
    origin = bare_remote(tmp_path / 'origin.git')
    weak = POLICY.replace('services/payments/**', 'services/nothing/**')
    repo = new_repo(tmp_path / 'repo', weak + 'protected: [main, "refs/tags/v*"]\n', hooks=False)
    old = repo.head()
    repo.commit_ok(message('Guard payments', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY + 'protected: [main, "refs/tags/v*"]\n'}, verify=False)
    publish(repo, origin)
    repo.git('tag', 'v0.1', old)
    repo.git('tag', 'v0.2')
    result = push(repo, 'v0.1')
    refused(result, 'this update creates refs/tags/v0.1 with another .trailgate/policy.yaml',
            'tag a commit that holds the default branch')
    assert 'merge the default branch' not in result.stderr
    accepted(push(repo, 'v0.2'))
    assert set(ref_values(origin)) == {'refs/heads/main', 'refs/tags/v0.2'}


def test_a_new_protected_ref_that_merges_the_default_branch_first_lands(tmp_path: Path) -> None:
    (repo, origin), old = _laundering_setup(tmp_path)
    repo.git('switch', '-q', '-c', 'hotfix', old)
    repo.commit_ok(message('Fix'), {OTHER: 'fixed\n'}, verify=False)
    repo.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge main', 'main')
    accepted(push(repo, 'hotfix'))
    assert ref_values(origin)['refs/heads/hotfix'] == repo.head()


def test_a_new_protected_ref_that_changes_the_policy_in_its_own_commit_is_judged_by_it(tmp_path: Path) -> None:
    """A commit of its own that sets the policy is judged (and needs the
    policy owners), so it is no rollback: reviewed, it lands."""
    (repo, origin), old = _laundering_setup(tmp_path)
    repo.git('switch', '-q', '-c', 'weaker', old)
    weaker = POLICY.replace('services/payments/**', 'services/elsewhere/**')
    unowned = repo.commit_ok(message('Guard elsewhere'), {POLICY_PATH: weaker}, verify=False)
    refused(push(repo, 'weaker'), unowned[:10], 'policy')
    repo.git('commit', '-q', '--amend', '--no-verify', '--no-edit', '--trailer', REVIEW_ALICE)
    accepted(push(repo, 'weaker'))
    assert ref_values(origin)['refs/heads/weaker'] == repo.head()


def test_laundering_through_a_stale_branch_fast_forward(tmp_path: Path) -> None:
    (repo, origin), old = _laundering_setup(tmp_path)
    planted(repo, origin, f'{old}:refs/heads/lax')  # refused by the hook: an older policy as a new branch
    wrong = unreviewed(repo)
    accepted(push(repo, 'main:lax'))  # judged by lax's old (weaker) policy, or not at all
    before = ref_values(origin)
    refused(push(repo, 'main'), wrong[:10], RULE)  # main moves onto it: main's policy judges
    assert ref_values(origin) == before


def test_laundering_through_a_stale_branch_merge(tmp_path: Path) -> None:
    (repo, origin), old = _laundering_setup(tmp_path)
    planted(repo, origin, f'{old}:refs/heads/lax')
    repo.git('switch', '-q', '-c', 'lax-work')
    wrong = unreviewed(repo)
    accepted(push(repo, 'lax-work:lax'))
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Unrelated'), {OTHER: 'x\n'}, verify=False)
    repo.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge lax', 'lax-work')
    before = ref_values(origin)
    refused(push(repo, 'main'), wrong[:10], RULE)
    assert ref_values(origin) == before


def test_a_protected_branch_cannot_be_rewound_to_an_older_policy(tmp_path: Path) -> None:
    """A force push of main back to its first commit adds no commit to judge,
    but it would make the weaker policy there judge every later push."""
    (repo, origin), old = _laundering_setup(tmp_path)
    before = ref_values(origin)
    rollback = 'takes refs/heads/main back to another .trailgate/policy.yaml'
    refused(push(repo, '--force', f'{old}:refs/heads/main'), rollback)
    assert ref_values(origin) == before
    repo.git('reset', '-q', '--hard', old)
    unreviewed(repo)  # and with the change it was for, in the same push
    refused(push(repo, '--force', 'main'), rollback)
    assert ref_values(origin) == before


def test_without_policy_owners_a_protected_branch_may_be_rewound_to_an_older_policy(tmp_path: Path) -> None:
    """Where no ``policy_owners`` review changes to the policy, a commit that
    changes it needs no review, and neither does taking the ref back past one."""
    origin = bare_remote(tmp_path / 'origin.git')
    unowned = POLICY.replace('policy_owners: senior\n', '')
    assert unowned != POLICY
    repo = new_repo(tmp_path / 'repo', unowned.replace('services/payments/**', 'services/nothing/**'), hooks=False)
    old = repo.head()
    repo.commit_ok(message('Guard payments'), {POLICY_PATH: unowned}, verify=False)
    publish(repo, origin)
    accepted(push(repo, '--force', f'{old}:refs/heads/main'))
    assert ref_values(origin)['refs/heads/main'] == old


def test_a_protected_branch_deleted_and_pushed_again_at_an_older_policy_is_refused(tmp_path: Path) -> None:
    """A deletion adds nothing to judge and passes; pushing release/1 again at
    a commit from before its policy change would give it the older policy
    back (which judges every later push to it), as the refused force push
    would: it is a new protected ref, refused for the policy it would hold.
    ``receive.denyDeletes`` keeps the branch from being deleted at all."""
    (repo, origin), old = _laundering_setup(tmp_path)
    accepted(push(repo, 'main:refs/heads/release/1'))
    tip = ref_values(origin)['refs/heads/release/1']
    rollback = 'takes refs/heads/release/1 back to another .trailgate/policy.yaml'
    refused(push(repo, '--force', f'{old}:refs/heads/release/1'), rollback)
    accepted(push(repo, ':refs/heads/release/1'))
    refused(push(repo, f'{old}:refs/heads/release/1'), _creates_older('refs/heads/release/1'))
    assert 'refs/heads/release/1' not in ref_values(origin)

    accepted(push(repo, f'{tip}:refs/heads/release/1'))  # the reviewed policy again
    origin.git('config', 'receive.denyDeletes', 'true')
    deleted = push(repo, ':refs/heads/release/1')
    assert deleted.returncode != 0 and 'deletion prohibited' in deleted.stderr, deleted
    assert ref_values(origin)['refs/heads/release/1'] == tip


@pytest.mark.parametrize('first_parent', ['old policy', 'current tip'])
def test_a_merge_cannot_take_a_protected_branch_back_to_an_older_policy(tmp_path: Path, first_parent: str) -> None:
    """A fast-forward onto a merge of main's tip with its first commit that
    keeps the first commit's policy: no commit changes the policy by the
    paths it shows (the merge's combined diff shows none), yet main would
    hold the weaker policy, which would judge every later push."""
    (repo, origin), old = _laundering_setup(tmp_path)
    tip = repo.head()
    repo.git('switch', '-q', '-c', 'lax-merge')
    repo.git('checkout', old, '--', POLICY_PATH)  # the merge resolved to the weaker policy
    tree = repo.git('write-tree').strip()
    parents = (old, tip) if first_parent == 'old policy' else (tip, old)
    merge = repo.git('commit-tree', tree, '-p', parents[0], '-p', parents[1], '-m', 'Merge').strip()
    repo.git('reset', '-q', '--hard', merge)
    assert repo.run_git('diff', '--quiet', old, 'HEAD', '--', POLICY_PATH).returncode == 0
    before = ref_values(origin)
    refused(push(repo, 'lax-merge:main'), 'refs/heads/main')
    assert ref_values(origin) == before


def test_a_reviewed_policy_change_merged_from_a_branch_lands(tmp_path: Path) -> None:
    (repo, origin), _ = _laundering_setup(tmp_path)
    repo.git('switch', '-q', '-c', 'tighten')
    repo.commit_ok(message('Tighten', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY + '# reviewed\n'},
                   verify=False)
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    repo.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge tighten', 'tighten')
    accepted(push(repo, 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_a_force_push_that_keeps_the_policy_is_judged_on_its_commits(tmp_path: Path) -> None:
    (repo, origin), _ = _laundering_setup(tmp_path)
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    accepted(push(repo, 'main'))
    repo.git('reset', '-q', '--hard', 'HEAD~1')  # drops a commit that left the policy alone
    accepted(push(repo, '--force', 'main'))
    repo.commit_ok(message('Docs again'), {OTHER: 'p\n'}, verify=False)
    # a new history whose policy is the same
    repo.git('rebase', '-q', '--force-rebase', '--root', env={'GIT_COMMITTER_DATE': '2030-01-01T00:00:00Z'})
    assert repo.run_git('merge-base', '--is-ancestor', 'origin/main', 'main').returncode != 0
    accepted(push(repo, '--force', 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_a_force_push_whose_own_reviewed_commit_changes_the_policy_is_judged_on_its_commits(
        tmp_path: Path) -> None:
    """What the force push drops left the policy alone (its merge-base holds
    the ref's policy); what it adds changes it in a commit of its own, which
    the policy owners reviewed: no rollback, and the commits decide."""
    (repo, origin), _ = _laundering_setup(tmp_path)
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    accepted(push(repo, 'main'))
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    repo.commit_ok(message('Note it unreviewed'), {POLICY_PATH: POLICY + '# unreviewed\n'}, verify=False)
    refused(push(repo, '--force', 'main'), 'policy-owners')
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    repo.commit_ok(message('Note it', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY + '# reviewed\n'},
                   verify=False)
    accepted(push(repo, '--force', 'main'))
    assert ref_values(origin)['refs/heads/main'] == repo.head()


def test_an_old_branch_cannot_declare_itself_unprotected(tmp_path: Path) -> None:
    """release/1 exists from before; its policy protects only main; main's protects release/*."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main]\n', hooks=False)
    publish(repo, origin)
    accepted(push(repo, 'main:refs/heads/release/1'))
    repo.commit_ok(message('Guard releases', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: PROTECTED_POLICY},
                   verify=False)
    accepted(push(repo, 'main'))
    repo.git('switch', '-q', '-c', 'release/1', 'origin/main~1')
    wrong = unreviewed(repo)
    refused(push(repo, 'release/1'), wrong[:10])


def test_protected_tags(tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main, "refs/tags/v*"]\n', hooks=False)
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    repo.git('tag', '-a', '-m', 'Release', 'v1')
    repo.git('tag', 'nightly')
    accepted(push(repo, 'nightly'))
    refused(push(repo, 'v1'), wrong[:10])
    assert 'refs/tags/v1' not in ref_values(origin)


@pytest.mark.parametrize('target', ['tag of a tree', 'tree', 'blob'])
def test_a_protected_tag_cannot_point_at_what_is_not_a_commit(tmp_path: Path, target: str) -> None:
    """A protected tag pushed as (a tag of) the tree of an unreviewed commit,
    or one of its files: git log reads no commit in a tree, so nothing was
    judged and the AI change landed on v1 without its reviews, for anyone
    who archives or deploys the tag."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main, "refs/tags/v*"]\n', hooks=False)
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    value = {'tag of a tree': f'{wrong}^{{tree}}', 'tree': f'{wrong}^{{tree}}', 'blob': f'{wrong}:{CRITICAL}'}[target]
    repo.git('tag', *(('-a', '-m', 'Release') if target == 'tag of a tree' else ()), 'v1', value)
    refused(push(repo, 'v1'), 'refs/tags/v1', 'not a commit')
    assert 'refs/tags/v1' not in ref_values(origin)
    repo.git('tag', '-f', 'v1', wrong)
    refused(push(repo, 'v1'), wrong[:10], RULE)  # a commit is judged


def test_a_protected_tag_that_holds_a_tree_does_not_judge_its_update(tmp_path: Path) -> None:
    """A protected tag that points at a tree (from before it was protected,
    or set on the server) holding a policy that judges nothing: its update
    to an unreviewed commit was judged by that tree's policy, and passed."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main, "refs/tags/v*"]\n', hooks=False)
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'feature')
    lax = repo.commit_ok(message('Nothing'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    repo.git('push', '-q', '--no-verify', 'origin', f'{lax}:refs/heads/lax')
    origin.git('update-ref', 'refs/tags/v1', f'{lax}^{{tree}}')
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    wrong = unreviewed(repo)
    repo.git('tag', 'v1', wrong)
    refused(push(repo, '--force', 'v1'), 'refs/tags/v1', 'not a commit', status=2)
    assert origin.rev('refs/tags/v1') != wrong


def test_protected_main_judged_by_its_old_value_not_the_pushed_policy(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    repo.commit_ok(message('Protect nothing', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY + 'protected: []\n'}, verify=False)
    wrong = unreviewed(repo)
    refused(push(repo, 'main'), wrong[:10])
    assert ref_values(origin) == before



def test_a_default_branch_its_policy_does_not_protect_cannot_judge_new_refs(tmp_path: Path) -> None:
    """HEAD names develop, which takes any push: whoever weakens develop's policy
    would choose the judge of every new protected ref. The hook says so (exit 2)."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    accepted(push(repo, 'main:refs/heads/develop'))
    origin.git('symbolic-ref', 'HEAD', 'refs/heads/develop')
    repo.commit_ok(message('Protect nothing', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY + 'protected: [main]\n'}, verify=False)
    accepted(push(repo, 'HEAD:develop'))  # develop is not protected: anything goes
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/release/5'), 'is not protected by its own policy', status=2)
    refused(push(repo, 'HEAD:refs/heads/feature'), 'is not protected by its own policy', status=2)
    assert 'refs/heads/release/5' not in ref_values(origin)
    refused(push(repo, 'HEAD:main'), wrong[:10])  # an existing protected ref keeps its own judge


def test_a_push_through_a_symbolic_ref_is_judged_as_the_ref_it_moves(setup: Setup) -> None:
    """git gives the hook the name pushed to; an alias such as master -> main moves main."""
    repo, origin = setup
    origin.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/main')
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/alias'), wrong[:10], RULE)
    assert ref_values(origin) == before


# -- a filesystem that ignores case --------------------------------------------

CASE_ALIASES = {
    'protected branch': 'refs/heads/Main',
    'approvals ledger': 'refs/trailgate/Approvals',
}


@pytest.mark.parametrize('alias', CASE_ALIASES.values(), ids=CASE_ALIASES.keys())
def test_a_name_differing_only_in_case_is_refused_where_the_server_ignores_case(setup: Setup, alias: str) -> None:
    """On a case-insensitive filesystem ``refs/heads/Main`` is main's own file:
    a push to it would move main under a name no pattern guards."""
    repo, origin = setup
    origin.git('config', 'core.ignoreCase', 'true')
    before = ref_values(origin)
    unreviewed(repo)
    refused(push(repo, f'HEAD:{alias}'), 'differs only in case', 'core.ignoreCase')
    assert ref_values(origin) == before


def test_two_new_names_differing_only_in_case_are_refused_together(setup: Setup) -> None:
    repo, origin = setup
    origin.git('config', 'core.ignoreCase', 'true')
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    refused(push(repo, 'HEAD:refs/heads/topic', 'HEAD:refs/heads/Topic'), 'differs only in case')
    assert 'refs/heads/topic' not in ref_values(origin)


def test_a_decomposed_accent_is_the_same_name_where_the_server_ignores_case(setup: Setup) -> None:
    repo, origin = setup
    origin.git('config', 'core.ignoreCase', 'true')
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    accepted(push(repo, 'HEAD:refs/heads/caf\u00e9'))
    before = ref_values(origin)
    refused(push(repo, 'HEAD~1:refs/heads/cafe\u0301'), 'differs only in case')
    assert ref_values(origin) == before


def test_names_differing_in_case_are_separate_refs_where_the_server_does_not_ignore_case(setup: Setup) -> None:
    repo, origin = setup
    origin.git('config', 'core.ignoreCase', 'false')
    wrong = unreviewed(repo)
    accepted(push(repo, 'HEAD:refs/heads/Main'))  # an unprotected branch of its own, as git keeps it
    assert ref_values(origin)['refs/heads/Main'] == wrong
    assert ref_values(origin)['refs/heads/main'] != wrong


def test_a_new_protected_ref_is_judged_where_more_protected_tips_exist_than_a_command_line_holds(
        setup: Setup) -> None:
    """Every protected tip is a commit a new protected ref does not judge again:
    in a big repository (or one a pusher filled with release branches) there
    are more of them than the operating system lets a command line carry."""
    repo, origin = setup
    count = os.sysconf('SC_ARG_MAX') // 40 + 1000  # 41 bytes a tip: more than fit
    base = repo.head()
    origin.git('fast-import', '--quiet', input=''.join(
        f'commit refs/heads/release/old-{i}\ncommitter Dev <dev@example.com> 1767225600 +0000\n'
        f'data 8\n{i:07d}\nfrom {base}\n' for i in range(count)
    ))
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/release/new'), wrong[:10], RULE)
    assert 'refs/heads/release/new' not in ref_values(origin)


@pytest.mark.parametrize('what', ['commit', 'tree'])
def test_a_replace_ref_cannot_change_what_main_holds(setup: Setup, what: str) -> None:
    """refs/replace/<main's tip> (or its tree) makes every git on the server
    that honours replace refs (a deploy hook checking out main, git archive,
    a mirror) show the pushed object instead: main would hold an unreviewed
    change without moving. Pushing one is refused; deleting one is not."""
    repo, origin = setup
    tip = repo.head()
    repo.git('switch', '-q', '-c', 'evil')
    wrong = unreviewed(repo)
    replaced, replacement = (tip, wrong) if what == 'commit' else (
        repo.git('rev-parse', f'{tip}^{{tree}}').strip(), repo.git('rev-parse', f'{wrong}^{{tree}}').strip())
    accepted(push(repo, 'evil'))  # an unprotected branch takes it
    before = ref_values(origin)
    result = push(repo, f'{replacement}:refs/replace/{replaced}')
    assert result.returncode != 0 and result.hooks.get('pre-receive') == 1, result
    assert 'replace refs are not accepted' in result.stderr
    assert ref_values(origin) == before
    assert origin.git('show', f'main:{CRITICAL}') != 'bad = 1\n'
    origin.git('update-ref', f'refs/replace/{replaced}', replacement)  # as an administrator could
    assert origin.git('show', f'main:{CRITICAL}') == 'bad = 1\n'  # what it would have done
    accepted(push(repo, f':refs/replace/{replaced}'))
    assert origin.git('show', f'main:{CRITICAL}') != 'bad = 1\n'


def test_a_replace_ref_named_in_another_case_is_refused_where_case_is_ignored(setup: Setup) -> None:
    """Where the filesystem ignores case (core.ignoreCase: macOS, Windows),
    refs/REPLACE/<main's tip> is stored in refs/replace/, and git reads it
    as a replace ref. Where case counts, it is an ordinary unprotected ref."""
    repo, origin = setup
    tip = repo.head()
    repo.git('switch', '-q', '-c', 'evil')
    wrong = unreviewed(repo)
    accepted(push(repo, 'evil'))
    tree = repo.git('rev-parse', f'{tip}^{{tree}}').strip()
    accepted(push(repo, f'{wrong}^{{tree}}:refs/Replace/{tree}'))
    origin.git('config', 'core.ignoreCase', 'true')
    before = ref_values(origin)
    result = push(repo, f'{wrong}:refs/REPLACE/{tip}')
    assert result.returncode != 0 and result.hooks.get('pre-receive') == 1, result
    assert 'replace refs are not accepted' in result.stderr
    assert ref_values(origin) == before


def test_a_tag_named_like_a_missing_default_branch_does_not_judge_new_refs(tmp_path: Path) -> None:
    """While HEAD names a branch that does not exist, git reads a tag named
    ``refs/heads/master`` as that branch: its policy, which protects nothing,
    must not judge new protected refs (planted past the hook, as a mirror
    made before the hook was installed would hold it)."""
    origin = bare_remote(tmp_path / 'origin.git')
    origin.git('symbolic-ref', 'HEAD', 'refs/heads/master')
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'lax')
    repo.commit_ok(message('Protect nothing'), {POLICY_PATH: 'version: 1\nprotected: [master]\nrules: []\n'},
                   verify=False)
    refused(push(repo, 'HEAD:refs/tags/refs/heads/master'), 'is a name git reads as refs/heads/master', status=1)
    planted(repo, origin, 'HEAD:refs/tags/refs/heads/master')
    repo.git('switch', '-q', 'main')
    unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/release/9'), 'the default branch master does not exist', status=2)
    assert 'refs/heads/release/9' not in ref_values(origin)


@pytest.mark.parametrize('case', ['taken back to an older policy', 'a ref updated twice'])
def test_a_push_refused_as_a_whole_is_the_report_written(tmp_path: Path, case: str) -> None:
    """A push refused before its commits are judged wrote no report: an
    ``--output`` file kept the previous push's verdict, and a json report
    asked for on the terminal was never written."""
    (repo, origin), old = _laundering_setup(tmp_path)
    tip = repo.head()
    said, lines = {
        'taken back to an older policy': ('takes refs/heads/main back to another .trailgate/policy.yaml',
                                          f'{tip} {old} refs/heads/main\n'),
        'a ref updated twice': ('refs/heads/main', f'{tip} {old} refs/heads/main\n{tip} {old} refs/heads/main\n'),
    }[case]
    report = tmp_path / 'report.json'
    report.write_text('{"schema": "trailgate-report/1", "summary": {"refused": 0}}')  # an earlier push's
    result = origin.trailgate('pre-receive', '--format', 'json', '--output', str(report), input=lines)
    assert result.returncode == 1, result
    document = json.loads(report.read_text())
    VALIDATOR.validate(document)
    (refusal,) = document['refusals']
    assert said in refusal['reason']
    assert document['commits'] == []
    assert f'trailgate pre-receive: refused: {refusal["reason"]}' in result.stderr  # and the pusher reads it
    shown = origin.trailgate('pre-receive', '--format', 'json', input=lines)
    assert shown.returncode == 1, shown
    assert json.loads(shown.stderr)['refusals'] == document['refusals']
    text = origin.trailgate('pre-receive', input=lines)
    assert text.returncode == 1, text
    assert text.stderr == f'trailgate pre-receive: refused: {refusal["reason"]}\n'
