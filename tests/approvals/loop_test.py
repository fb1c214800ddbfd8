"""The whole loop with real keys, a real bare server and its pre-receive hook:
an AI change is refused into main, two seniors approve it with
``trailgate approve --push``, it is accepted; then every attack of the
issue is refused, at the server and in CI."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from testing.approvals import LEDGER
from testing.approvals import SIGNERS_PATH
from testing.approvals import change_of
from testing.approvals import entry
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.approvals import write_ledger
from testing.scenarios import ALICE
from testing.scenarios import ASSISTED
from testing.scenarios import BOB
from testing.scenarios import CRITICAL
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import Repo
from testing.scenarios import bare_remote
from testing.scenarios import clone
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.sshkeys import Key
from testing.sshkeys import make_key
from trailgate.approvals import records
from trailgate.approvals.cache import CACHE_FILE

CAROL = 'Carol Chen <carol@example.com>'


class Keys(NamedTuple):
    alice: Key
    bob: Key
    carol: Key
    mallory: Key


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    directory = tmp_path_factory.mktemp('keys')
    return Keys(*(make_key(directory, name) for name in ('alice', 'bob', 'carol', 'mallory')))


class World(NamedTuple):
    dev: Repo
    origin: Repo
    alice: Repo
    bob: Repo
    keys: Keys


def _reviewer(origin: Repo, path: Path, who: str, key: Key) -> Repo:
    repo = clone(origin, path, hooks=False)
    name, email = who.split(' <')
    repo.git('config', 'user.name', name)
    repo.git('config', 'user.email', email.rstrip('>'))
    repo.git('config', 'user.signingKey', str(key.private))
    return repo


def make_world(tmp_path: Path, keys: Keys, policy: str | None = None, signers: str | None = None) -> World:
    signers = signers or signers_file(('alice@example.com', keys.alice), ('bob@example.com', keys.bob),
                                      ('carol@example.com', keys.carol))
    dev = new_repo(tmp_path / 'dev', policy or signed_policy(), hooks=False, files={SIGNERS_PATH: signers})
    origin = bare_remote(tmp_path / 'origin.git')
    publish(dev, origin)
    alice = _reviewer(origin, tmp_path / 'alice', ALICE, keys.alice)
    bob = _reviewer(origin, tmp_path / 'bob', BOB, keys.bob)
    return World(dev, origin, alice, bob, keys)


def ai_change(repo: Repo, content: str = 'retries = 3\n', subject: str = 'Retry charges', *trailers: str,
              author: str | None = None) -> str:
    return repo.commit_ok(message(subject, ASSISTED, *trailers), {CRITICAL: content}, verify=False,
                          author=author)


def push_main(repo: Repo) -> tuple[int, str]:
    result = repo.run_git('push', 'origin', 'HEAD:main')
    return result.hooks.get('pre-receive', 0 if result.returncode == 0 else -1), result.output


def fetch_ledger(repo: Repo) -> None:
    repo.git('fetch', '-q', 'origin', f'+{LEDGER}:{LEDGER}')


def check(repo: Repo) -> tuple[int, str]:
    result = repo.trailgate('check', 'origin/main..HEAD')
    return result.returncode, result.output


def approve(reviewer: Repo, dev: Repo, *args: str) -> tuple[int, str]:
    reviewer.git('fetch', '-q', str(dev.path), '+HEAD:refs/heads/review')  # the change may have been rebased
    result = reviewer.trailgate('approve', 'origin/main..review', '--yes', *args)
    return result.returncode, result.output


def test_the_whole_loop(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    sha = ai_change(dev)

    status, output = push_main(dev)
    assert status == 1, output
    assert 'trailgate approve' in output and 'Reviewed-by:' not in output
    assert check(dev)[0] == 1

    assert approve(world.alice, dev, '--push', 'origin')[0] == 0
    status, output = push_main(dev)
    assert status == 1 and 'has 1: alice@example.com' in output, output

    # bob's ledger does not have alice's record: his push must merge, not drop it
    code, output = approve(world.bob, dev, '--push', 'origin')
    assert code == 0, output
    remote_records = world.origin.git('ls-tree', '-r', '--name-only', LEDGER).split()
    assert len(remote_records) == 2

    assert check(dev)[0] == 1  # CI without the ledger fetched: nothing approves
    assert pre_push(dev)[0] == 1
    fetch_ledger(dev)
    code, output = check(dev)
    assert code == 0, output
    assert pre_push(dev)[0] == 0
    explained = dev.trailgate('explain', sha).stdout
    assert explained.count(': valid') == 2 and 'SHA256:' in explained
    status, output = push_main(dev)
    assert status == 0, output
    assert world.origin.rev('main') == sha


def test_typed_reviews_count_for_nothing_and_the_trailer_carrier_works(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev, 'x = 1\n', 'Typed', REVIEW_ALICE, REVIEW_BOB)
    assert push_main(dev)[0] == 1
    trailers = []
    for reviewer in (world.alice, world.bob):
        code, output = approve(reviewer, dev, '--trailer')
        assert code == 0, output
        trailers += [line for line in output.splitlines() if line.startswith(records.TRAILER)]
    assert len(trailers) == 2
    text = dev.git('log', '-1', '--format=%B')
    dev.git('commit', '-q', '--amend', '--no-verify', '-m', text.rstrip('\n') + '\n' + '\n'.join(trailers))
    assert check(dev)[0] == 0
    status, output = push_main(dev)
    assert status == 0, output


def test_without_a_protected_key_every_branch_waits_for_approval(tmp_path: Path, keys: Keys) -> None:
    """The signed policy names no ``protected``: every branch and tag is
    guarded, so a feature branch holding an unapproved AI change is refused
    too. A reviewer who fetched it from the author approves, with no range,
    what it adds over the server's default branch; then it lands."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    dev.git('switch', '-q', '-c', 'feature')
    sha = ai_change(dev)
    pushed = dev.run_git('push', '--no-verify', 'origin', 'feature')
    assert pushed.hooks.get('pre-receive') == 1 and f"trailgate approve '{sha[:12]}^!'" in pushed.stderr, pushed
    for reviewer in (world.alice, world.bob):
        reviewer.git('fetch', '-q', str(dev.path), 'feature:refs/heads/review')
        reviewer.git('switch', '-q', 'review')
        approved = reviewer.trailgate('approve', '--yes', '--push', 'origin')
        assert approved.returncode == 0 and sha[:10] in approved.output, approved
    pushed = dev.run_git('push', '--no-verify', 'origin', 'feature')
    assert pushed.returncode == 0 and pushed.hooks.get('pre-receive') == 0, pushed


def test_the_reviewer_cannot_approve_their_own_change(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    ai_change(world.dev, 'mine = 1\n', 'By alice', author=ALICE)
    code, output = approve(world.alice, world.dev)
    assert code == 1 and 'you (alice@example.com) are its author' in output


# -- attacks -------------------------------------------------------------------


def pre_push(repo: Repo) -> tuple[int, str]:
    head = repo.head()
    remote_main = repo.rev('origin/main')
    result = repo.trailgate('pre-push', 'origin', str(repo.path),
                            input=f'refs/heads/main {head} refs/heads/main {remote_main}\n')
    return result.returncode, result.output


def _refused_everywhere(world: World) -> None:
    """The pushed ledger is the server's; CI and pre-push read it after a fetch."""
    fetch_ledger(world.dev)
    code, output = check(world.dev)
    assert code == 1, output
    code, output = pre_push(world.dev)
    assert code == 1, output
    status, output = push_main(world.dev)
    assert status == 1, output


def _push_ledger(repo: Repo, force: bool = False) -> tuple[int, str]:
    result = repo.run_git('push', *(['--force'] if force else []), 'origin', f'{LEDGER}:{LEDGER}')
    return result.hooks.get('pre-receive', 0 if result.returncode == 0 else -1), result.output


def _approve_both(world: World) -> None:
    for reviewer in (world.alice, world.bob):
        code, output = approve(reviewer, world.dev, '--push', 'origin')
        assert code == 0, output


@pytest.mark.parametrize('variant', ['whitespace', 'mode'])
def test_an_approval_replayed_onto_a_different_change(tmp_path: Path, keys: Keys, variant: str) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev, 'if ready:\n    go()\n    log()\n')
    _approve_both(world)
    dev.git('reset', '-q', '--hard', 'HEAD~1')
    if variant == 'whitespace':
        ai_change(dev, 'if ready:\n    go()\nlog()\n')
    else:
        ai_change(dev, 'if ready:\n    go()\n    log()\n')
        (dev.path / CRITICAL).chmod(0o755)
        dev.git('commit', '-q', '--amend', '--no-verify', '-a', '--no-edit')
    _refused_everywhere(world)


def _forged(world: World, key: Key, reviewer: str) -> None:
    """Add a record signed with ``key`` naming ``reviewer`` to the server's
    ledger: well-formed, so the server keeps it, and judges it when it is read."""
    dev = world.dev
    write_ledger(dev, entry(key, change_of(dev), reviewer))
    status, output = _push_ledger(dev)
    assert status == 0, output


def _one_honest_approval(world: World) -> None:
    code, output = approve(world.bob, world.dev, '--push', 'origin')
    assert code == 0, output
    fetch_ledger(world.dev)


def test_a_key_not_in_the_signers_file(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    ai_change(world.dev)
    _one_honest_approval(world)
    _forged(world, keys.mallory, 'alice@example.com')
    _refused_everywhere(world)


def test_bobs_key_signing_as_alice(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    ai_change(world.dev)
    _one_honest_approval(world)
    _forged(world, keys.bob, 'alice@example.com')
    _refused_everywhere(world)
    assert 'belongs to bob@example.com' in world.dev.trailgate('explain').stdout


def test_the_author_approving_with_their_own_key(tmp_path: Path, keys: Keys) -> None:
    policy = signed_policy(2, 'alice@example.com, bob@example.com, carol@example.com')
    world = make_world(tmp_path, keys, policy)
    ai_change(world.dev, author=ALICE)
    _one_honest_approval(world)
    _forged(world, keys.alice, 'alice@example.com')
    _refused_everywhere(world)



@pytest.mark.parametrize('author', [ALICE, CAROL])
@pytest.mark.parametrize('bob_has_his_own_key', [False, True])
def test_a_key_listed_for_two_people_makes_them_one_person(
        tmp_path: Path, keys: Keys, author: str, bob_has_his_own_key: bool) -> None:
    """``alice,bob KEY_A``: the key could sign as either, so the file makes Alice
    and Bob one person, whichever of their keys signs (with ``bob KEY_B`` too):
    their approvals count once on Carol's change, and not at all on Alice's."""
    policy = signed_policy(2, 'alice@example.com, bob@example.com, carol@example.com')
    bobs = (('bob@example.com', keys.bob),) if bob_has_his_own_key else ()
    signers = f'alice@example.com,bob@example.com {keys.alice.public_line}\n' + signers_file(
        *bobs, ('carol@example.com', keys.carol),
    )
    world = make_world(tmp_path, keys, policy, signers)
    ai_change(world.dev, author=author)
    _forged(world, keys.alice, 'alice@example.com')
    _forged(world, keys.bob if bob_has_his_own_key else keys.alice, 'bob@example.com')
    if author == ALICE:
        _forged(world, keys.carol, 'carol@example.com')  # an honest second approval
    else:
        fetch_ledger(world.dev)
        code, output = check(world.dev)
        assert code == 1 and 'has 1:' in output, output
    _refused_everywhere(world)
    if author == ALICE:
        assert 'ties this key to the author' in world.dev.trailgate('explain').stdout
    if author == ALICE and bob_has_his_own_key:
        code, output = approve(world.bob, world.dev)  # approve says so before it signs
        assert code == 1 and 'ties your key to its author (alice@example.com)' in output, output


def test_an_approval_signed_in_gits_namespace(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev)
    _one_honest_approval(world)
    write_ledger(dev, entry(keys.alice, change_of(dev), 'alice@example.com', namespace='git'))
    status, output = _push_ledger(dev)
    assert status == 1 and 'not a well-formed approval record' in output, output
    code, output = check(dev)  # the local ledger holds it: it approves nothing there either
    assert code == 1, output
    assert 'namespace' in dev.trailgate('explain').stdout
    _refused_everywhere(world)


def test_a_key_expired_by_valid_before(tmp_path: Path, keys: Keys) -> None:
    signers = signers_file(('alice@example.com', keys.alice)) + signers_file(
        ('bob@example.com', keys.bob), options='valid-before="20200101Z"',
    ) + signers_file(('carol@example.com', keys.carol))
    world = make_world(tmp_path, keys, signers=signers)
    ai_change(world.dev)
    assert approve(world.alice, world.dev, '--push', 'origin')[0] == 0
    code, output = approve(world.bob, world.dev, '--push', 'origin')
    assert code == 2 and 'the key expired at 2020-01-01' in output, output  # approve signs nothing with it
    fetch_ledger(world.dev)
    _forged(world, keys.bob, 'bob@example.com')  # the holder of the expired key signs by hand
    _refused_everywhere(world)
    assert 'expired' in world.dev.trailgate('explain').stdout


def _remove_bobs_key(dev: Repo, keys: Keys) -> None:
    """The owners remove bob's key (approved by alice and carol, signed): the
    commit pushed to main, with its approvals."""
    dev.commit_ok(message('Remove bob'), {
        SIGNERS_PATH: signers_file(('alice@example.com', keys.alice), ('carol@example.com', keys.carol)),
        POLICY_PATH: signed_policy(2, 'alice@example.com, carol@example.com'),
    }, verify=False)
    removal_change = change_of(dev)
    write_ledger(dev, {**entry(keys.alice, removal_change, 'alice@example.com'),
                       **entry(keys.carol, removal_change, 'carol@example.com')})
    assert _push_ledger(dev)[0] == 0
    status, output = push_main(dev)
    assert status == 0, output


def test_a_removed_key_approves_nothing(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys, signed_policy(2, 'alice@example.com, bob@example.com, carol@example.com'))
    dev = world.dev
    ai_change(dev)
    _approve_both(world)
    fetch_ledger(dev)
    assert check(dev)[0] == 0
    change_base = dev.rev('HEAD~1')
    assert change_base
    dev.git('checkout', '-q', '-b', 'removal', change_base)
    _remove_bobs_key(dev, keys)
    dev.git('fetch', '-q', 'origin')
    dev.git('checkout', '-q', 'main')
    dev.git('rebase', '-q', 'origin/main')
    _refused_everywhere(world)


def test_a_new_branch_at_a_commit_from_before_a_key_was_removed_is_refused(tmp_path: Path, keys: Keys) -> None:
    """bob's key removed on main; a new protected branch (every branch is,
    here) created at a commit from before the removal would hold the older
    signer file, which judges every later push to it: bob's key would still
    approve there."""
    world = make_world(tmp_path, keys, signed_policy(2, 'alice@example.com, bob@example.com, carol@example.com'))
    dev = world.dev
    before_removal = world.origin.rev('main')
    assert before_removal
    _remove_bobs_key(dev, keys)
    said = 'this update creates refs/heads/release/1 with another'
    url = dev.git('remote', 'get-url', 'origin').strip()
    foreseen = dev.trailgate('pre-push', 'origin', url,
                             input=f'refs/heads/x {before_removal} refs/heads/release/1 {"0" * 40}\n')
    assert foreseen.returncode == 1 and said in foreseen.output, foreseen.output
    result = dev.run_git('push', 'origin', f'{before_removal}:refs/heads/release/1')
    assert result.returncode != 0 and result.hooks.get('pre-receive') == 1, result.output
    assert said in result.output, result.output
    assert world.origin.rev('refs/heads/release/1') is None


def _rotate_bobs_key(dev: Repo, keys: Keys) -> str:
    """bob's key replaced on main, a policy owner's signed approval with it; the commit."""
    rotated = dev.commit_ok(message('Rotate bob\'s key'), {SIGNERS_PATH: signers_file(
        ('alice@example.com', keys.alice), ('bob@example.com', keys.mallory), ('carol@example.com', keys.carol),
    )}, verify=False)
    write_ledger(dev, entry(keys.alice, change_of(dev), 'alice@example.com'))  # a policy owner's approval
    assert _push_ledger(dev)[0] == 0
    status, output = push_main(dev)
    assert status == 0, output
    return rotated


def test_a_rotated_key_is_not_restored_by_taking_main_back(tmp_path: Path, keys: Keys) -> None:
    """bob's key leaks and the owners replace it (signed); a force push of main
    back to before the rotation adds no commit, but would list the old key again."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    before = dev.head()
    rotated = _rotate_bobs_key(dev, keys)
    result = dev.run_git('push', '--force', 'origin', f'{before}:refs/heads/main')
    assert result.hooks.get('pre-receive') == 1, result.output
    assert f'back to another {SIGNERS_PATH}' in result.stderr, result.output
    assert world.origin.rev('main') == rotated


def test_a_rotated_key_is_not_restored_by_a_merge_beside_an_approved_policy_change(
        tmp_path: Path, keys: Keys) -> None:
    """A fast-forward onto a merge that keeps the signers file from before the
    rotation, then a commit changing the policy file that a policy owner
    approved (signed, for that change alone): the last commit to change one
    of the two files is not the one that set the other, which would list
    the old key again."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    before = dev.head()
    rotated = _rotate_bobs_key(dev, keys)
    dev.git('switch', '-q', '-c', 'keep', before)
    dev.git('merge', '-q', '-s', 'ours', '--no-verify', '-m', 'Merge main', 'main')
    dev.commit_ok(message('Name the tier'), {POLICY_PATH: signed_policy() + '# tier 1: the card path\n'},
                  verify=False)
    write_ledger(dev, entry(keys.alice, change_of(dev), 'alice@example.com'))
    assert _push_ledger(dev)[0] == 0
    result = dev.run_git('push', 'origin', 'HEAD:main')
    assert result.hooks.get('pre-receive') == 1, result.output
    assert 'that no commit it adds changes' in result.stderr and SIGNERS_PATH in result.stderr, result.output
    assert world.origin.rev('main') == rotated


def test_a_ledger_rewritten_to_drop_records_is_refused(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev)
    _approve_both(world)
    fetch_ledger(dev)
    ledger_before = dev.rev(LEDGER)
    write_ledger(dev, {'00/none/x': b'nothing'}, parent='', replace=True)
    status, output = _push_ledger(dev, force=True)
    assert status == 1 and 'append-only' in output
    status, output = dev.run_git('push', 'origin', f':{LEDGER}').hooks.get('pre-receive', -1), ''
    assert status == 1
    # a fast-forward whose tree drops a record is a rewrite too
    paths = dev.git('ls-tree', '-r', '--name-only', ledger_before or '').split()
    kept = {path: dev.git('cat-file', 'blob', f'{ledger_before}:{path}').encode() for path in paths[1:]}
    write_ledger(dev, kept, parent=ledger_before, replace=True)
    status, output = _push_ledger(dev)
    assert status == 1 and 'drops or changes 1 record' in output, output
    assert world.origin.rev(LEDGER) == ledger_before


def test_a_ledger_with_altered_or_garbled_records_passes_nothing(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev)
    _approve_both(world)
    fetch_ledger(dev)
    paths = dev.git('ls-tree', '-r', '--name-only', LEDGER).split()
    original = dev.git('cat-file', 'blob', f'{LEDGER}:{paths[0]}').encode()
    altered = original.replace(b'reviewer alice@example.com', b'reviewer carol@example.com')
    altered = altered.replace(b'reviewer bob@example.com', b'reviewer carol@example.com')
    garbled = original[:len(original) // 2]
    ledger_before = dev.rev(LEDGER) or ''
    # the server refuses a fast-forward that changes a record in place
    write_ledger(dev, {paths[0]: altered}, parent=ledger_before)
    status, output = _push_ledger(dev)
    assert status == 1 and 'drops or changes 1 record' in output, output
    # a fast-forward that replaces one honest record with an altered and a garbled one (as CI
    # would see a ledger rewritten elsewhere): nothing counts that should not
    write_ledger(dev, {paths[0]: altered, paths[0][:-1] + 'x': garbled}, parent=ledger_before)
    code, output = check(dev)
    assert code == 1, output
    explained = dev.trailgate('explain').stdout
    assert 'unreadable record' in explained and 'bad signature' in explained


def test_a_signer_file_widened_in_the_same_push(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    widened = dev.path / SIGNERS_PATH
    dev.commit_ok(message('Add a reviewer', REVIEW_ALICE, REVIEW_BOB),
                  {SIGNERS_PATH: widened.read_text() + signers_file(('mallory@example.com', keys.mallory))},
                  verify=False)
    dev.commit_ok(message('Policy', REVIEW_ALICE, REVIEW_BOB),
                  {POLICY_PATH: signed_policy(2, 'alice@example.com, mallory@example.com')}, verify=False)
    ai_change(dev)
    change = change_of(dev)
    write_ledger(dev, {**entry(keys.mallory, change, 'mallory@example.com'),
                       **entry(keys.mallory, change, 'alice@example.com')})
    assert _push_ledger(dev)[0] == 0
    _refused_everywhere(world)


def test_a_signer_file_widened_with_a_typed_owner_review_is_refused(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    widened = (dev.path / SIGNERS_PATH).read_text() + signers_file(('mallory@example.com', keys.mallory))
    dev.commit_ok(message('Add a reviewer', REVIEW_ALICE, REVIEW_BOB), {SIGNERS_PATH: widened}, verify=False)
    status, output = push_main(dev)
    assert status == 1 and 'TG006' in output, output
    assert check(dev)[0] == 1
    # the next push tries to use the new key: the base still has the old file
    dev.commit_ok(message('Use it'), {POLICY_PATH: signed_policy(1, 'alice@example.com, mallory@example.com')},
                  verify=False)
    ai_change(dev)
    for rev in ('HEAD~1', 'HEAD'):
        change = change_of(dev, rev)
        write_ledger(dev, entry(keys.mallory, change, 'mallory@example.com'))
    assert _push_ledger(dev)[0] == 0
    _refused_everywhere(world)


def test_the_server_ledger_in_the_same_push_counts(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev)
    for reviewer in (world.alice, world.bob):
        assert approve(reviewer, dev)[0] == 0
        reviewer.git('push', '-q', str(dev.path), f'{LEDGER}:refs/trailgate/from-{reviewer.path.name}')
    # the dev unites both reviewers' ledgers and pushes it with the change
    alice_tip = dev.rev('refs/trailgate/from-alice')
    bob_tip = dev.rev('refs/trailgate/from-bob')
    assert alice_tip and bob_tip
    dev.git('update-ref', LEDGER, alice_tip)
    blobs = {path: dev.git('cat-file', 'blob', f'{bob_tip}:{path}').encode()
             for path in dev.git('ls-tree', '-r', '--name-only', bob_tip).split()}
    write_ledger(dev, blobs)
    result = dev.run_git('push', 'origin', 'HEAD:main', f'{LEDGER}:{LEDGER}')
    assert result.hooks.get('pre-receive') == 0, result.output


def test_commit_msg_asks_for_approval_never_for_a_trailer(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    dev.install_hooks()
    result = dev.commit(message('Retry charges', ASSISTED, REVIEW_ALICE, REVIEW_BOB), {CRITICAL: 'x = 2\n'})
    assert result.hooks.get('commit-msg') == 1, result.output
    assert 'trailgate approve' in result.output
    assert '--trailer "Reviewed-by' not in result.output
    # the commit does not exist yet: no revision to approve (HEAD is its parent), and
    # with every branch refusing, the only way to make it is past the local hook
    assert 'approve HEAD' not in result.output
    assert 'commit-msg refuses it on every branch, so make it with `git commit --no-verify`' in result.output
    explained = dev.trailgate('explain', '--message', str(dev.path / '.git' / 'COMMIT_EDITMSG')).stdout
    assert 'Approve: a reviewer runs `trailgate approve` once it is committed' in explained, explained
    assert 'approve HEAD' not in explained


def test_a_refused_commit_msg_says_where_the_commit_can_be_made_and_approved(tmp_path: Path, keys: Keys) -> None:
    """Followed as printed: commit on another branch, where the reminder names
    only the reviewer's command; the reviewers approve; main takes it."""
    world = make_world(tmp_path, keys, signed_policy() + 'protected: [main]\n')
    dev = world.dev
    dev.install_hooks()
    change = message('Retry charges', ASSISTED)
    refused = dev.commit(change, {CRITICAL: 'x = 2\n'})
    assert refused.hooks.get('commit-msg') == 1, refused.output
    assert 'make it on a branch that is not protected (`git switch -c <branch>`, then commit again)' in refused.output
    assert 'approve HEAD' not in refused.output and 'once it is committed' in refused.output
    dev.git('switch', '-q', '-c', 'retry-charges')
    reminded = dev.commit(change)
    assert reminded.returncode == 0 and 'needs review Retry charges' in reminded.output, reminded.output
    assert 'a reviewer who has looked at it runs `trailgate approve`' in reminded.output
    assert 'Reviewed-by' not in reminded.output
    _approve_both(world)
    fetch_ledger(dev)
    assert push_main(dev)[0] == 0


def test_explain_shows_each_approval(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    ai_change(world.dev)
    _one_honest_approval(world)
    _forged(world, keys.mallory, 'alice@example.com')
    fetch_ledger(world.dev)
    explained = world.dev.trailgate('explain').stdout
    assert 'bob@example.com key SHA256:' in explained and '(ledger): valid' in explained
    assert 'alice@example.com key SHA256:' in explained and 'is not in' in explained
    assert 'Approve: a reviewer runs `trailgate approve' in explained


def _grow_the_file(world: World) -> tuple[list[str], str]:
    """A 30-line critical file, approved and on main: (its lines, main's tip)."""
    dev = world.dev
    lines = [f'line {n}\n' for n in range(30)]
    dev.commit_ok(message('Grow the file', ASSISTED), {CRITICAL: ''.join(lines)}, verify=False)
    _approve_both(world)
    fetch_ledger(dev)
    assert push_main(dev)[0] == 0
    return lines, dev.head()


def _approve_both_edits(world: World, grown: str) -> None:
    """Both reviewers approve main's and feature's edits on their own."""
    for reviewer in (world.alice, world.bob):
        for rev in ('main', 'feature'):
            reviewer.git('fetch', '-q', str(world.dev.path), f'{rev}:refs/heads/review-{rev}')
            code, output = reviewer.trailgate('approve', f'{grown}..review-{rev}', '--yes', '--push', 'origin')[:2]
            assert code == 0, output
    fetch_ledger(world.dev)


def test_a_clean_merge_needs_no_approval_an_evil_one_does(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys)
    dev = world.dev
    base = dev.head()
    lines, grown = _grow_the_file(world)
    dev.git('checkout', '-q', '-b', 'feature')
    ai_change(dev, ''.join([*lines[:25], 'feature\n', *lines[26:]]), 'Feature edit')
    dev.git('checkout', '-q', 'main')
    ai_change(dev, ''.join(['main\n', *lines[1:]]), 'Main edit')
    _approve_both_edits(world, grown)
    dev.git('merge', '-q', '--no-ff', '-m', f'Merge feature\n\n{ASSISTED}', 'feature')
    merge = dev.head()
    explained = dev.trailgate('explain', merge).stdout
    assert 'tier1-payments: applies' in explained, explained
    assert 'a clean merge: nothing of its own to approve' in explained
    code, output = check(dev)
    assert code == 0, output
    # the same merge with one more line of its own needs its own approval
    dev.git('reset', '-q', '--hard', 'HEAD~1')
    dev.git('merge', '-q', '--no-ff', '--no-commit', 'feature')
    (dev.path / CRITICAL).write_text((dev.path / CRITICAL).read_text() + 'evil = True\n')
    dev.git('commit', '-q', '-a', '--no-verify', '-m', f'Merge feature\n\n{ASSISTED}')
    _refused_everywhere(world)
    assert base
    assert 'evil = True' in dev.git('show', 'HEAD', '--', CRITICAL)


def test_a_conflict_resolved_by_a_union_attribute_in_the_checkout_is_the_merges_own(
    tmp_path: Path, keys: Keys,
) -> None:
    """The branch brings a ``.gitattributes`` saying ``merge=union`` for the
    file, and its merge resolves a conflict by keeping both sides. In CI the
    work tree is that branch: git's own merge read the attribute there, came
    out equal to the resolution, and the merge had nothing of its own to
    approve. git's merge is taken as on the bare server, where it conflicts."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    lines, grown = _grow_the_file(world)
    dev.git('checkout', '-q', '-b', 'feature')
    dev.commit_ok(message('Merge charges by union'), {'.gitattributes': f'{CRITICAL} merge=union\n'}, verify=False)
    ai_change(dev, ''.join(['feature\n', *lines[1:]]), 'Feature edit')
    dev.git('checkout', '-q', 'main')
    ai_change(dev, ''.join(['main\n', *lines[1:]]), 'Main edit')
    _approve_both_edits(world, grown)
    assert dev.run_git('merge', '-q', '--no-ff', '--no-commit', 'feature').returncode != 0  # it conflicts
    (dev.path / CRITICAL).write_text(''.join(['main\n', 'feature\n', *lines[1:]]))
    dev.git('commit', '-q', '-a', '--no-verify', '-m', f'Merge feature\n\n{ASSISTED}')
    assert (dev.path / '.gitattributes').exists()
    explained = dev.trailgate('explain', 'HEAD').stdout
    assert 'a clean merge: nothing of its own to approve' not in explained, explained
    _refused_everywhere(world)


def test_git_traces_on_stderr_change_no_verdict(tmp_path: Path, keys: Keys) -> None:
    """A CI job debugging git (GIT_TRACE=1 and the like, to stderr): the
    canonical patches' git diff-tree wrote its trace where trailgate reads
    complaints, and every signed change was 'could not check'."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev)
    _approve_both(world)
    fetch_ledger(dev)
    for variable, target in (('GIT_TRACE', '1'), ('GIT_TRACE', 'true'), ('GIT_TRACE_PERFORMANCE', '2'),
                             ('GIT_TRACE2', '2'), ('GIT_TRACE2_EVENT', '1'), ('GIT_TRACE_SETUP', '1')):
        (dev.path / '.git' / CACHE_FILE).unlink(missing_ok=True)  # the change ids computed again
        result = dev.trailgate('check', 'origin/main..HEAD', env={variable: target})
        assert result.returncode == 0, (variable, result.output)


@pytest.mark.parametrize('report', ['text', 'json', 'sarif', 'junit', 'github'])
def test_every_report_names_the_approve_command_never_a_trailer(tmp_path: Path, keys: Keys, report: str) -> None:
    world = make_world(tmp_path, keys)
    ai_change(world.dev, 'x = 3\n', 'Typed', REVIEW_ALICE, REVIEW_BOB)
    result = world.dev.trailgate('check', 'origin/main..HEAD', '--format', report)
    assert result.returncode == 1, result.output
    shown = result.output
    if report == 'sarif':  # the tool's rule catalogue documents every kind; the results are the refusal
        import json

        shown = json.dumps(json.loads(result.stdout)['runs'][0]['results'])
    assert 'trailgate approve' in shown
    assert 'TG005' in shown
    assert '--trailer' not in shown
    assert 'break-glass reason: None' not in shown


def test_approve_without_a_range_approves_what_the_branch_adds_over_its_protected_target(
        tmp_path: Path, keys: Keys) -> None:
    """The default range is over the protected branch the current one tracks
    (release/1 here), not over the remote's default branch."""
    world = make_world(tmp_path, keys, policy=signed_policy() + 'protected: [main, "release/*"]\n')
    dev, alice = world.dev, world.alice
    dev.git('checkout', '-q', '-b', 'release/1')
    ai_change(dev, 'retries = 2\n', 'Already on the release branch')
    hook = world.origin.path / 'hooks' / 'pre-receive'
    saved = hook.read_bytes()
    hook.unlink()
    try:
        dev.git('push', '-q', '--no-verify', 'origin', 'release/1')
    finally:
        hook.write_bytes(saved)
        hook.chmod(0o755)
    alice.git('fetch', '-q', 'origin')
    alice.git('checkout', '-q', '-b', 'review', '--track', 'origin/release/1')
    result = alice.trailgate('approve', '--yes')
    assert result.returncode == 0 and 'nothing to approve' in result.output, result.output

    wanted = ai_change(dev, 'retries = 3\n', 'Retry charges on the release')
    alice.git('fetch', '-q', str(dev.path), 'release/1')
    alice.git('merge', '-q', '--ff-only', 'FETCH_HEAD')
    result = alice.trailgate('approve', '--yes')
    assert result.returncode == 0 and 'recorded 1 approval(s)' in result.output, result.output
    assert wanted[:10] in result.output and 'Already on the release branch' not in result.output, result.output


def test_approve_push_pushes_an_approval_recorded_earlier(tmp_path: Path, keys: Keys) -> None:
    """`approve` then `approve --push`: nothing is left to sign, and the ledger is pushed all the same."""
    world = make_world(tmp_path, keys)
    ai_change(world.dev)
    code, output = approve(world.alice, world.dev)
    assert code == 0 and 'recorded 1 approval(s)' in output, output
    code, output = approve(world.alice, world.dev, '--push', 'origin')
    assert code == 0 and 'already approved by you' in output, output
    assert f'pushed {LEDGER}' in output, output
    assert world.origin.rev(LEDGER) == world.alice.rev(LEDGER)


def test_approve_push_with_a_pattern_that_also_names_the_ledger(tmp_path: Path, keys: Keys) -> None:
    """``protected: ["refs/**"]`` names the approvals ledger too, and every
    clone has the pre-push hook: ``approve --push`` pushes the approvals (the
    server judges the ledger as the ledger), and the change then lands."""
    world = make_world(tmp_path, keys, policy=signed_policy() + 'protected: ["refs/**"]\n')
    dev = world.dev
    for repo in (dev, world.alice, world.bob):
        repo.install_hooks()
    ai_change(dev)
    refused = dev.run_git('push', 'origin', 'HEAD:main')
    assert refused.returncode != 0 and refused.hooks.get('pre-push') == 1, refused
    for reviewer in (world.alice, world.bob):
        code, output = approve(reviewer, dev, '--push', 'origin')
        assert code == 0 and f'pushed {LEDGER}' in output, output
        assert world.origin.rev(LEDGER) == reviewer.rev(LEDGER)
    fetch_ledger(dev)
    landed = dev.run_git('push', 'origin', 'HEAD:main')
    assert landed.returncode == 0 and landed.hooks == {'pre-push': 0, 'pre-receive': 0}, landed


def test_approve_push_merges_a_ledger_pushed_between_its_fetch_and_its_push(tmp_path: Path, keys: Keys) -> None:
    """Two reviewers at once: alice's approval reaches the server after bob's
    ``approve --push`` fetched the ledger and before it pushes. Bob's push is
    rejected, fetches again, merges, and neither approval is lost."""
    import shutil
    import stat

    world = make_world(tmp_path, keys)
    ai_change(world.dev)
    assert approve(world.alice, world.dev)[0] == 0  # recorded, not pushed yet
    real_git = shutil.which('git')
    shims = tmp_path / 'shims'
    shims.mkdir()
    raced = tmp_path / 'raced'
    shim = shims / 'git'
    shim.write_text(
        '#!/bin/sh\n'
        f'if [ "$1" = push ] && [ ! -e {raced} ]; then\n'
        f'  touch {raced}\n'
        f'  {real_git} -C {world.alice.path} push -q --no-verify origin {LEDGER}:{LEDGER} || exit 99\n'
        'fi\n'
        f'exec {real_git} "$@"\n',
    )
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    world.bob.git('fetch', '-q', str(world.dev.path), 'HEAD:refs/heads/review')
    import os

    result = world.bob.trailgate('approve', 'origin/main..review', '--yes', '--push', 'origin',
                                 env={'PATH': f'{shims}{os.pathsep}{os.environ["PATH"]}'})
    assert result.returncode == 0, result.output
    assert raced.exists(), 'the push did not race'
    on_server = world.origin.git('ls-tree', '-r', '--name-only', LEDGER).split()
    assert len(on_server) == 2, on_server
    fetch_ledger(world.dev)
    assert check(world.dev)[0] == 0


def test_a_branch_or_tag_named_like_the_ledger_is_neither_pushed_nor_read(tmp_path: Path, keys: Keys) -> None:
    """While refs/trailgate/approvals is missing, git reads
    refs/tags/refs/trailgate/approvals (or a branch of that name) in its
    place: a ledger there would reach every gate, and CI's fetch, without
    the intake judging it."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    ai_change(dev)
    change = change_of(dev)
    write_ledger(dev, {**entry(keys.alice, change, 'alice@example.com'), 'junk': b'not a record'})
    for alias in ('refs/tags/refs/trailgate/approvals', 'refs/heads/refs/trailgate/approvals',
                  'refs/refs/trailgate/approvals', 'refs/remotes/refs/trailgate/approvals/HEAD'):
        result = dev.run_git('push', 'origin', f'{LEDGER}:{alias}')
        assert result.hooks.get('pre-receive') == 1, result.output
        assert 'reads as refs/trailgate/approvals' in result.output, result.output
    # in a clone, a branch of that name holding every approval the change needs is not the ledger
    write_ledger(dev, {**entry(keys.alice, change, 'alice@example.com'), **entry(keys.bob, change, 'bob@example.com')},
                 parent='', replace=True)
    assert check(dev)[0] == 0
    dev.git('update-ref', 'refs/heads/refs/trailgate/approvals', dev.rev(LEDGER) or '')
    dev.git('update-ref', '-d', LEDGER)
    assert check(dev)[0] == 1


def test_an_owner_turns_signed_reviews_on_and_the_loop_runs(tmp_path: Path, keys: Keys) -> None:
    """The bootstrap: main's policy has typed reviews. An owner writes the
    signer file with ``signers add`` and turns ``signed: true`` on; that
    commit is judged by main's policy as it was (one typed owner review),
    though commit-msg, reading the work tree's policy, asks for a signed one.
    From then on a change to the signer file needs a signed owner approval,
    and an AI change lands once a reviewer approves it."""
    signed = signed_policy(1)
    typed = signed.replace(f'signers: {SIGNERS_PATH}\n', '').replace(', signed: true', '')
    dev = new_repo(tmp_path / 'dev', typed, hooks=False)
    origin = bare_remote(tmp_path / 'origin.git')
    publish(dev, origin)
    owner = _reviewer(origin, tmp_path / 'owner', ALICE, keys.alice)
    owner.install_hooks()
    (owner.path / POLICY_PATH).write_text(signed)
    for email, key in (('alice@example.com', keys.alice), ('bob@example.com', keys.bob)):
        added = owner.trailgate('signers', 'add', email, str(key.public))
        assert added.returncode == 0, added.output
    owner.git('add', '-A')
    turned_on = message('Require signed reviews', REVIEW_BOB)
    refused = owner.run_git('commit', '-q', '-m', turned_on)
    assert refused.hooks.get('commit-msg') == 1 and '--no-verify' in refused.output, refused.output
    owner.git('commit', '-q', '--no-verify', '-m', turned_on)
    pushed = owner.run_git('push', 'origin', 'HEAD:main')
    assert pushed.returncode == 0 and pushed.hooks == {'pre-push': 0, 'pre-receive': 0}, pushed.output

    widened = (owner.path / SIGNERS_PATH).read_text() + f'carol@example.com {keys.carol.public_line}\n'
    owner.commit_ok(message('Add carol', REVIEW_BOB), {SIGNERS_PATH: widened}, verify=False)
    assert owner.run_git('push', 'origin', 'HEAD:main').hooks == {'pre-push': 1}  # the clone's gate
    on_server = owner.run_git('push', '--no-verify', 'origin', 'HEAD:main')
    assert on_server.hooks == {'pre-receive': 1}, on_server.output  # typed owner reviews count for nothing now

    dev.git('pull', '-q', '--no-rebase', 'origin', 'main')
    ai_change(dev)
    assert push_main(dev)[0] == 1
    bob = _reviewer(origin, tmp_path / 'bob', BOB, keys.bob)
    assert approve(bob, dev, '--push', 'origin')[0] == 0
    status, output = push_main(dev)
    assert status == 0, output
    fetch_ledger(dev)
    assert dev.trailgate('check', 'HEAD~1..HEAD').returncode == 0


@pytest.mark.parametrize('main_edits', ['far from the change', 'inside its context'])
def test_an_approved_change_rebased_onto_a_moved_main(tmp_path: Path, keys: Keys, main_edits: str) -> None:
    """Approved on a feature branch, then rebased onto a main that moved:
    the approval still counts when main's edit is away from the change's
    hunks, and not when it is within their context, where the refusal
    names the command that approves the rebased change."""
    world = make_world(tmp_path, keys)
    dev = world.dev
    lines, _ = _grow_the_file(world)
    dev.git('switch', '-q', '-c', 'feature')
    ai_change(dev, ''.join([*lines[:15], 'retries = 3\n', *lines[16:]]))
    _approve_both(world)
    fetch_ledger(dev)
    dev.git('switch', '-q', 'main')
    at = 0 if main_edits == 'far from the change' else 13
    dev.commit_ok(message('Tidy'), {CRITICAL: ''.join([*lines[:at], 'tidied\n', *lines[at + 1:]])}, verify=False,
                  author=CAROL)
    dev.git('push', '-q', '--no-verify', 'origin', 'main')
    dev.git('switch', '-q', 'feature')
    dev.git('rebase', '-q', 'main')
    assert 'tidied\n' in (dev.path / CRITICAL).read_text() and 'retries = 3\n' in (dev.path / CRITICAL).read_text()
    status, output = push_main(dev)
    if main_edits == 'far from the change':
        assert status == 0, output
        return
    assert status == 1 and "trailgate approve '" in output and 'Reviewed-by' not in output, output
    assert approve(world.alice, dev, '--push', 'origin')[0] == 0
    assert approve(world.bob, dev, '--push', 'origin')[0] == 0
    status, output = push_main(dev)
    assert status == 0, output


def test_an_author_whose_change_was_approved_elsewhere_is_told_to_fetch_the_approvals(tmp_path: Path,
                                                                                     keys: Keys) -> None:
    """``git fetch`` does not bring ``refs/trailgate/approvals``: the author's
    pre-push, reading this clone's ledger, refuses a change approved and
    pushed by its reviewer. The refusal names the fetch that ends it."""
    import re
    import shlex

    policy = signed_policy(1).replace('rules:', 'protected: [main]\nrules:')
    world = make_world(tmp_path, keys, policy=policy)
    dev = world.dev
    dev.install_hooks()
    dev.git('switch', '-q', '-c', 'feature')
    ai_change(dev)
    assert dev.run_git('push', '-q', 'origin', 'feature').returncode == 0
    assert approve(world.bob, dev, '--push', 'origin')[0] == 0
    dev.git('fetch', '-q', 'origin')
    refused = dev.run_git('push', 'origin', 'feature:main')
    assert refused.hooks.get('pre-push') == 1, refused.output
    fetch = re.search(r"git fetch origin '\+refs/trailgate/approvals:refs/trailgate/approvals'", refused.output)
    assert fetch, refused.output
    dev.git(*shlex.split(fetch.group(0))[1:])
    accepted = dev.run_git('push', 'origin', 'feature:main')
    assert accepted.returncode == 0 and accepted.hooks.get('pre-push') == 0, accepted.output


MOVED_SIGNERS = '.trailgate/signers'


def _move_the_signers_file(world: World, content: str | None = None) -> str:
    """A commit pointing signers: at another file (which it adds, holding
    ``content``, or nothing: it is already there), approved by a policy owner
    (signed, for that change alone) and the approval pushed; the commit."""
    dev = world.dev
    files = {POLICY_PATH: signed_policy(1).replace(SIGNERS_PATH, MOVED_SIGNERS)}
    if content is not None:
        files[MOVED_SIGNERS] = content
    moved = dev.commit_ok(message('Move the signers file'), files, verify=False)
    write_ledger(dev, entry(world.keys.alice, change_of(dev), 'alice@example.com'))
    assert _push_ledger(dev)[0] == 0
    return moved


def test_a_signers_file_moved_with_an_owners_approval_lands(tmp_path: Path, keys: Keys) -> None:
    world = make_world(tmp_path, keys, signed_policy(1))
    moved = _move_the_signers_file(world, (world.dev.path / SIGNERS_PATH).read_text())
    fetch_ledger(world.dev)
    assert check(world.dev)[0] == 0
    status, output = push_main(world.dev)
    assert status == 0, output
    assert world.origin.rev('main') == moved


def test_a_signers_file_moved_then_widened_in_the_same_push(tmp_path: Path, keys: Keys) -> None:
    """The policy owner approves the move of the file (the pointer and a
    verbatim copy); a second commit of the same push lists mallory's key for
    bob in the new file. The base's policy names the old file, but the new
    one is what the next push reads: changing it needs the owners too."""
    world = make_world(tmp_path, keys, signed_policy(1))
    dev = world.dev
    main = world.origin.rev('main')
    original = (dev.path / SIGNERS_PATH).read_text()
    _move_the_signers_file(world, original)
    dev.commit_ok(message('Tidy'), {MOVED_SIGNERS: original + signers_file(('bob@example.com', keys.mallory))},
                  verify=False)
    _refused_everywhere(world)
    status, output = push_main(dev)
    assert status == 1 and 'TG006' in output and f'[paths: {MOVED_SIGNERS}]' in output, output
    assert world.origin.rev('main') == main


def test_a_signers_file_moved_then_widened_is_refused_when_the_push_cannot_be_known(
        tmp_path: Path, keys: Keys) -> None:
    """Under the pre-commit framework, with pushes the hook cannot know
    (``remote.origin.push`` configured), pre-push judges every local branch
    by the default branch's policy: the signer file the pushed tips name is
    still the one whose change needs the owners."""
    world = make_world(tmp_path, keys, signed_policy(1))
    dev = world.dev
    original = (dev.path / SIGNERS_PATH).read_text()
    _move_the_signers_file(world, original)
    dev.commit_ok(message('Tidy'), {MOVED_SIGNERS: original + signers_file(('bob@example.com', keys.mallory))},
                  verify=False)
    fetch_ledger(dev)
    dev.git('config', 'remote.origin.push', 'refs/heads/main:refs/heads/main')
    result = dev.trailgate('pre-push', env={'PRE_COMMIT': '1', 'PRE_COMMIT_REMOTE_NAME': 'origin'})
    assert result.returncode == 1 and 'TG006' in result.output and f'[paths: {MOVED_SIGNERS}]' in result.output, \
        result.output


def test_signers_pointed_at_a_file_already_on_main(tmp_path: Path, keys: Keys) -> None:
    """A file on main that is nobody's signer file, so anyone may change it
    (here: mallory's key for bob), then the owner-approved commit that points
    signers: at it, whose diff is the one line: the file's keys were never
    reviewed as the signer file."""
    world = make_world(tmp_path, keys, signed_policy(1))
    dev = world.dev
    original = (dev.path / SIGNERS_PATH).read_text()
    dev.commit_ok(message('Keep a copy of the keys'),
                  {MOVED_SIGNERS: original + signers_file(('bob@example.com', keys.mallory))}, verify=False)
    status, output = push_main(dev)
    assert status == 0, output
    main = world.origin.rev('main')
    _move_the_signers_file(world)
    fetch_ledger(dev)
    code, output = check(dev)
    assert code == 1 and f'makes {MOVED_SIGNERS} the allowed-signers file' in output, output
    code, output = pre_push(dev)
    assert code == 1 and f'makes {MOVED_SIGNERS} the allowed-signers file' in output, output
    status, output = push_main(dev)
    assert status == 1 and f'makes {MOVED_SIGNERS} the allowed-signers file' in output, output
    assert world.origin.rev('main') == main


def test_signers_pointed_at_a_file_a_merge_brings_back(tmp_path: Path, keys: Keys) -> None:
    """A file main once held and dropped (nobody's signer file: mallory's key
    for bob in it), brought back by a merge of the commit that had it (the
    merge shows no change to it), then the owner-approved commit that points
    signers: at it and adds a line: its diff shows that line alone, and the
    file's last change is the push's own, but its keys came from outside it."""
    world = make_world(tmp_path, keys, signed_policy(1))
    dev = world.dev
    original = (dev.path / SIGNERS_PATH).read_text()
    widened = original + signers_file(('bob@example.com', keys.mallory))
    held = dev.commit_ok(message('Keep a copy of the keys'), {MOVED_SIGNERS: widened}, verify=False)
    dev.commit_ok(message('Drop the copy'), remove=[MOVED_SIGNERS], verify=False)
    status, output = push_main(dev)
    assert status == 0, output
    main = world.origin.rev('main')
    dev.git('switch', '-q', '-c', 'side', held)
    dev.git('merge', '-q', '--no-ff', '--no-commit', 'main')
    dev.git('checkout', held, '--', MOVED_SIGNERS)
    dev.git('commit', '-q', '--no-verify', '-m', 'Merge main')
    _move_the_signers_file(world, widened + '# moved\n')
    fetch_ledger(dev)
    code, output = check(dev)
    assert code == 1 and f'makes {MOVED_SIGNERS} the allowed-signers file' in output, output
    status, output = push_main(dev)
    assert status == 1 and f'makes {MOVED_SIGNERS} the allowed-signers file' in output, output
    assert world.origin.rev('main') == main
