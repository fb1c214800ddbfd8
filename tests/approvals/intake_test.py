"""The server keeps only well-formed records in the approvals ledger: a push
of ``refs/trailgate/approvals`` that adds anything else is refused by the
real pre-receive hook of a bare server, and the ledger stays as it was."""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from testing.approvals import LEDGER
from testing.approvals import SIGNERS_PATH
from testing.approvals import entry
from testing.approvals import merge_ledgers
from testing.approvals import record
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.approvals import write_ledger
from testing.scenarios import Repo
from testing.scenarios import bare_remote
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.sshkeys import sign_many
from testing.util import GIT_ENV
from trailgate import git as tg_git
from trailgate.approvals import intake
from trailgate.approvals import ledger
from trailgate.approvals import records
from trailgate.approvals import sshsig
from trailgate.approvals import verifier

CHANGE = hashlib.sha256(b'a change').hexdigest()
OTHER_CHANGE = hashlib.sha256(b'another change').hexdigest()
REFUSED = 'not a well-formed approval record'


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Key, Key]:
    directory = tmp_path_factory.mktemp('keys')
    return make_key(directory, 'alice'), make_key(directory, 'mallory')


class Server:
    def __init__(self, tmp_path: Path, alice: Key) -> None:
        signers = signers_file(('alice@example.com', alice))
        self.dev = new_repo(tmp_path / 'dev', signed_policy(1, 'alice@example.com'), hooks=False,
                            files={SIGNERS_PATH: signers})
        self.origin = bare_remote(tmp_path / 'origin.git')
        publish(self.dev, self.origin)

    def push(self) -> tuple[int, str]:
        result = self.dev.run_git('push', 'origin', f'{LEDGER}:{LEDGER}')
        return result.hooks.get('pre-receive', -1), result.output

    def accepted(self, note: str = '') -> str:
        status, output = self.push()
        assert status == 0, f'{note}\n{output}'
        assert self.origin.rev(LEDGER) == self.dev.rev(LEDGER)
        return output

    def refused(self, *expected: str) -> str:
        before = self.origin.rev(LEDGER)
        status, output = self.push()
        assert status == 1, output
        assert REFUSED in output, output
        for text in expected:
            assert text in output, output
        assert self.origin.rev(LEDGER) == before, 'a refused push moved the ledger'
        return output


@pytest.fixture
def server(tmp_path: Path, keys: tuple[Key, Key]) -> Server:
    return Server(tmp_path, keys[0])


def ledger_with(repo: Repo, entries: list[tuple[str, bytes | str, str]], parent: str | None = None) -> str:
    """A ledger commit on top of ``parent`` (default: the local ledger) adding
    (mode, content, path) entries; a gitlink's content is the commit it names."""
    parent = parent if parent is not None else repo.rev(LEDGER)
    lines = []
    for mode, content, path in entries:
        if mode == '160000':
            assert isinstance(content, str)
            lines.append(f'{mode} commit {content}\t{path}')
        else:
            data = content.encode() if isinstance(content, str) else content
            oid = repo.git('hash-object', '-w', '--stdin', input=data).strip()
            lines.append(f'{mode} blob {oid}\t{path}')
    with tempfile.TemporaryDirectory() as scratch:
        env = {'GIT_INDEX_FILE': os.path.join(scratch, 'index')}
        repo.git('read-tree', *([parent] if parent else ['--empty']), env=env)
        repo.git('update-index', '--add', '--index-info', input='\n'.join(lines) + '\n', env=env)
        tree = repo.git('write-tree', env=env).strip()
    commit = repo.git('commit-tree', tree, '-m', 'ledger', *(['-p', parent] if parent else [])).strip()
    repo.git('update-ref', LEDGER, commit)
    return commit


def record_path_of(blob: bytes) -> str:
    return ledger.record_path(records.from_blob(blob))


def _raw_tree(repo: Repo, content: bytes) -> str:
    """A tree object written as it is (git's own commands would refuse its shape)."""
    return repo.git('hash-object', '-w', '--literally', '-t', 'tree', '--stdin', input=content).strip()


def _tree_entry(mode: bytes, path: str, object_id: str) -> bytes:
    return mode + b' ' + path.encode() + b'\0' + binascii.unhexlify(object_id)


def _hand_written_ledger(repo: Repo, blob: bytes, leaf: str | None = None, times: int = 1) -> str:
    """Point the ledger at a commit whose tree names ``blob``'s record path
    ``times`` times, each for ``leaf`` (default: the record's blob); its root tree."""
    prefix, change, name = record_path_of(blob).split('/')
    leaf = leaf or repo.git('hash-object', '-w', '--stdin', input=blob).strip()
    leaves = _raw_tree(repo, _tree_entry(b'100644', name, leaf) * times)
    root = _raw_tree(repo, _tree_entry(b'40000', prefix, _raw_tree(repo, _tree_entry(b'40000', change, leaves))))
    repo.git('update-ref', LEDGER, repo.git('commit-tree', root, '-m', 'ledger').strip())
    return root


def with_signature(blob: bytes, signature: str) -> bytes:
    return records.from_blob(blob).payload + signature.encode()


def test_a_good_append_is_accepted_and_so_is_a_new_ledger(server: Server, keys: tuple[Key, Key]) -> None:
    alice, mallory = keys
    write_ledger(server.dev, entry(alice, CHANGE, 'alice@example.com'))
    server.accepted('a new ledger with one record')
    # a key that is not (yet) in the signers file makes a well-formed record too
    write_ledger(server.dev, entry(mallory, CHANGE, 'mallory@example.com'))
    server.accepted('an append by a key not in the signers file')
    assert len(server.origin.git('ls-tree', '-r', '--name-only', LEDGER).split()) == 2


def test_an_append_of_many_records_in_one_push_is_accepted(server: Server, keys: tuple[Key, Key],
                                                           tmp_path: Path) -> None:
    alice = keys[0]
    changes = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(60)]
    payloads = [records.payload(change, 'alice@example.com') for change in changes]
    signatures = sign_many(alice, records.NAMESPACE, payloads, tmp_path / 'many')
    blobs = [data + signature.encode() for data, signature in zip(payloads, signatures, strict=True)]
    write_ledger(server.dev, {record_path_of(blob): blob for blob in blobs[:30]})
    write_ledger(server.dev, {record_path_of(blob): blob for blob in blobs[30:]})  # two commits, one push
    server.accepted()
    assert len(server.origin.git('ls-tree', '-r', '--name-only', LEDGER).split()) == 60


def _bad_records(alice: Key) -> dict[str, tuple[str, bytes]]:
    """name -> (path, blob): each a record the server must not keep."""
    good = record(alice, CHANGE, 'alice@example.com')
    signature = records.from_blob(good).signature
    blob = sshsig.dearmor(signature)
    body = base64.b64encode(blob).decode()
    rewrapped = '\n'.join((sshsig.BEGIN, *(body[i:i + 64] for i in range(0, len(body), 64)), sshsig.END)) + '\n'
    flipped = bytearray(blob)
    flipped[-5] ^= 1
    not_sshsig = sshsig.armor(b'SSHSIG' + b'\0\0\0\1' + b'\0' * 12)
    trailing = sshsig.armor(blob + b'\0')
    cases = {
        'too large': good + b'x' * records.MAX_RECORD_BYTES,
        'garbled': good[:len(good) // 2],
        'not ascii': good.replace(b'trailgate', 'trailgäte'.encode()),
        'signature not sshsig': with_signature(good, not_sshsig),
        'signature with trailing bytes': with_signature(good, trailing),
        'armour not canonical': with_signature(good, rewrapped),
        'armour without its end line': with_signature(good, f'{sshsig.BEGIN}\n{body[:64]}\n'),
        'signature does not verify': with_signature(good, sshsig.armor(bytes(flipped))),
        'signed in git namespace': record(alice, CHANGE, 'alice@example.com', 'git'),
        'signed for another change': records.payload(OTHER_CHANGE, 'alice@example.com') + signature.encode(),
    }
    return {name: (_stored_at(data), data) for name, data in cases.items()}


def _stored_at(blob: bytes) -> str:
    """The record's own path when it parses; else a path of the same shape."""
    try:
        return record_path_of(blob)
    except records.RecordError:
        return f'{CHANGE[:2]}/{CHANGE}/{hashlib.sha256(blob).hexdigest()}'


@pytest.mark.parametrize(('case', 'reason'), [
    ('too large', 'too large'),
    ('garbled', 'not an approval record'),
    ('not ascii', 'not an approval record'),
    ('signature not sshsig', 'the signature is not valid'),
    ('signature with trailing bytes', 'trailing bytes'),
    ('armour not canonical', 'not in the armour ssh-keygen writes'),
    ('armour without its end line', 'the signature is not valid: not an SSH signature'),
    ('signature does not verify', 'does not verify'),
    ('signed in git namespace', 'namespace'),
    ('signed for another change', 'does not verify'),
])
def test_a_malformed_record_is_refused(server: Server, keys: tuple[Key, Key], case: str, reason: str) -> None:
    write_ledger(server.dev, entry(keys[0], OTHER_CHANGE, 'alice@example.com'))
    server.accepted()
    path, blob = _bad_records(keys[0])[case]
    write_ledger(server.dev, {path: blob})
    server.refused(reason)


def test_a_record_at_a_path_other_than_its_own_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    good = record(keys[0], CHANGE, 'alice@example.com')
    right = record_path_of(good)
    wrong_name = right[:-1] + ('0' if right[-1] != '0' else '1')
    for path in (wrong_name, f'{OTHER_CHANGE[:2]}/{OTHER_CHANGE}/{right.rsplit("/", 1)[1]}', 'README',
                 f'{CHANGE[:2]}/{right.rsplit("/", 1)[1]}', f'{right}/x', f'zz/{CHANGE}/{right.rsplit("/", 1)[1]}'):
        write_ledger(server.dev, {path: good}, parent='')
        output = server.refused()
        assert right not in output, 'the refusal must not name the path a record would need'


@pytest.mark.parametrize('mode', ['120000', '100755', '160000'])
def test_anything_but_a_regular_file_is_refused(server: Server, keys: tuple[Key, Key], mode: str) -> None:
    good = record(keys[0], CHANGE, 'alice@example.com')
    content: bytes | str = good if mode != '160000' else server.dev.head()
    ledger_with(server.dev, [(mode, content, record_path_of(good))], parent='')
    server.refused({'120000': 'symbolic link', '100755': 'executable', '160000': 'submodule'}[mode])


def test_a_directory_in_an_odd_place_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    write_ledger(server.dev, entry(keys[0], CHANGE, 'alice@example.com'))
    server.accepted()
    good = record(keys[0], OTHER_CHANGE, 'alice@example.com')
    write_ledger(server.dev, {f'notes/{record_path_of(good)}': good})
    server.refused('a directory where the ledger has none')


def test_a_bad_record_in_an_earlier_commit_of_the_push_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    """Removed again at the tip, the blob would still stay in the ledger's history."""
    write_ledger(server.dev, entry(keys[0], CHANGE, 'alice@example.com'))
    server.accepted()
    base = server.dev.rev(LEDGER)
    assert base
    junk = f'{CHANGE[:2]}/{CHANGE}/{"0" * 64}'
    write_ledger(server.dev, {junk: b'x' * 1000})
    tree = server.dev.git('rev-parse', f'{base}^{{tree}}').strip()
    tip = server.dev.git('commit-tree', tree, '-p', server.dev.rev(LEDGER) or '', '-m', 'undo').strip()
    server.dev.git('update-ref', LEDGER, tip)
    server.refused()


def test_a_merge_of_two_ledgers_is_judged_on_what_each_side_adds(server: Server, keys: tuple[Key, Key]) -> None:
    alice, mallory = keys
    write_ledger(server.dev, entry(alice, CHANGE, 'alice@example.com'))
    server.accepted()
    base = server.dev.rev(LEDGER) or ''
    ours = write_ledger(server.dev, entry(alice, OTHER_CHANGE, 'alice@example.com'), parent=base)
    theirs = write_ledger(server.dev, {f'{CHANGE[:2]}/{CHANGE}/{"1" * 64}': b'junk'}, parent=base)
    for good_side, bad_side in ((ours, theirs), (theirs, ours)):
        server.dev.git('update-ref', LEDGER, merge_ledgers(server.dev, good_side, bad_side))
        server.refused()
    # the same merge without the junk passes
    theirs = write_ledger(server.dev, entry(mallory, OTHER_CHANGE, 'mallory@example.com'), parent=base)
    server.dev.git('update-ref', LEDGER, merge_ledgers(server.dev, ours, theirs))
    server.accepted()


def test_many_records_are_verified_on_both_cores_as_here(server: Server, keys: tuple[Key, Key],
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the verifier's threshold the intake forks a worker and verifies on
    both cores: the same records are kept, the same refused, in the same order."""
    alice = keys[0]
    changes = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(8)]
    payloads = [records.payload(change, 'alice@example.com') for change in changes]
    signatures = sign_many(alice, records.NAMESPACE, payloads, tmp_path / 'many')
    good = {record_path_of(data + s.encode()): data + s.encode() for data, s in zip(payloads, signatures, strict=True)}
    bad = dict(_bad_records(alice).values())
    new = write_ledger(server.dev, {**good, **bad})
    monkeypatch.chdir(server.dev.path)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    forked: list[int] = []
    real_fork = os.fork

    def counted() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, 'fork', counted)
    found = []
    for threshold in (10_000, 1):
        monkeypatch.setattr(verifier, 'FORK_THRESHOLD', threshold)
        with tg_git.CatFile() as cat:
            found.append(intake.admit(new, None, cat))
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):  # reaped already: no worker outlives the intake
        os.waitpid(forked[0], os.WNOHANG)
    assert found[0] == found[1]
    assert len(found[0].verified) == len(good)
    assert len(found[0].refusals) == len(bad)


def test_junk_brought_by_a_merge_itself_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    """An entry neither parent holds is the merge's own, and is judged there."""
    alice, mallory = keys
    write_ledger(server.dev, entry(alice, CHANGE, 'alice@example.com'))
    server.accepted()
    base = server.dev.rev(LEDGER) or ''
    ours = write_ledger(server.dev, entry(alice, OTHER_CHANGE, 'alice@example.com'), parent=base)
    theirs = write_ledger(server.dev, entry(mallory, OTHER_CHANGE, 'mallory@example.com'), parent=base)
    evil = write_ledger(server.dev, {f'{CHANGE[:2]}/{CHANGE}/{"2" * 64}': b'junk'}, parent=ours)
    server.dev.git('update-ref', LEDGER, merge_ledgers(server.dev, ours, theirs, tree_of=(evil, theirs)))
    server.refused('not an approval record')


def _chain_of_merges(repo: Repo, blobs: list[bytes]) -> str:
    """Each record on a branch of its own off the current ledger, merged in
    turn into one line: the k-th merge holds k records its other parent lacks."""
    base = repo.rev(LEDGER) or ''
    tip = base
    for blob in blobs:
        side = write_ledger(repo, {record_path_of(blob): blob}, parent=base)
        tip = merge_ledgers(repo, side, tip)
    repo.git('update-ref', LEDGER, tip)
    return tip


def test_a_chain_of_merges_lists_each_record_once(server: Server, keys: tuple[Key, Key], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What an update adds grows with the records it brings, not with the
    square of its merges: a diff of each merge against each parent lists the
    k-th merge's k records again (about 2 million entries and gigabytes of
    memory for 2,000 merges of one record each)."""
    alice = keys[0]
    write_ledger(server.dev, entry(alice, CHANGE, 'alice@example.com'))
    server.accepted()
    old = server.dev.rev(LEDGER)
    changes = [hashlib.sha256(b'chain %d' % n).hexdigest() for n in range(40)]
    payloads = [records.payload(change, 'alice@example.com') for change in changes]
    blobs = [data + s.encode() for data, s in
             zip(payloads, sign_many(alice, records.NAMESPACE, payloads, tmp_path / 'chain'), strict=True)]
    new = _chain_of_merges(server.dev, blobs)
    monkeypatch.chdir(server.dev.path)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    listed = [added for _, added in tg_git.entries_added(new, old) if added.mode == intake.RECORD_MODE]
    assert sorted(added.path for added in listed) == sorted(record_path_of(blob) for blob in blobs)
    server.accepted()


def _many_entries(repo: Repo, count: int) -> str:
    """A ledger commit on top of the local one adding ``count`` blobs at
    record-shaped paths, from one ``git fast-import`` (their content is never read)."""
    parent = repo.rev(LEDGER)
    lines = [f'commit {LEDGER}', 'committer L <l@example.com> 1767225600 +0000', 'data 2', 'l']
    if parent:
        lines.append(f'from {parent}')
    for n in range(count):
        content = f'junk {n}'
        change = hashlib.sha256(content.encode()).hexdigest()
        lines += [f'M 100644 inline {change[:2]}/{change}/{"0" * 64}', f'data {len(content)}', content]
    repo.git('fast-import', '--quiet', input='\n'.join(lines) + '\n')
    return repo.rev(LEDGER) or ''


def test_an_update_adding_more_records_than_a_push_may_is_refused_unread(server: Server,
                                                                          keys: tuple[Key, Key]) -> None:
    write_ledger(server.dev, entry(keys[0], CHANGE, 'alice@example.com'))
    server.accepted()
    _many_entries(server.dev, intake.MAX_RECORDS + 1)
    status, output = server.push()
    assert status == 1, output
    assert f'adds more than {intake.MAX_RECORDS:,} records' in output, output
    assert 'not an approval record' not in output, 'the records were read'


def test_a_merge_of_more_than_two_ledgers_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    alice, mallory = keys
    write_ledger(server.dev, entry(alice, CHANGE, 'alice@example.com'))
    server.accepted()
    base = server.dev.rev(LEDGER) or ''
    sides = [write_ledger(server.dev, entry(key, change, email), parent=base)
             for key, change, email in ((alice, OTHER_CHANGE, 'alice@example.com'),
                                        (mallory, OTHER_CHANGE, 'mallory@example.com'),
                                        (mallory, CHANGE, 'mallory@example.com'))]
    with tempfile.TemporaryDirectory() as scratch:
        env = {'GIT_INDEX_FILE': os.path.join(scratch, 'index')}
        server.dev.git('read-tree', base, env=env)
        for side in sides:
            listing = server.dev.git('ls-tree', '-r', side)
            server.dev.git('update-index', '--index-info', input=listing, env=env)
        tree = server.dev.git('write-tree', env=env).strip()
    octopus = server.dev.git('commit-tree', tree, *(a for side in sides for a in ('-p', side)), '-m', 'octopus').strip()
    server.dev.git('update-ref', LEDGER, octopus)
    status, output = server.push()
    assert status == 1, output
    assert 'merges more than 2 ledgers' in output, output
    # the same records merged two at a time are accepted
    tip = sides[0]
    for side in sides[1:]:
        tip = merge_ledgers(server.dev, tip, side)
    server.dev.git('update-ref', LEDGER, tip)
    server.accepted()


def test_a_directory_naming_one_record_many_times_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    """A tree may hold one name many times (git fsck calls it duplicateEntries;
    only receive.fsckObjects refuses it): every gate would count the record
    again for each, without any limit on records seeing them."""
    root = _hand_written_ledger(server.dev, record(keys[0], CHANGE, 'alice@example.com'), times=50)
    assert server.dev.git('ls-tree', '-r', root).count('\n') == 50
    server.refused('holds twice')


_ID = CHANGE[:2] + '/' + CHANGE


@pytest.mark.parametrize(('mode', 'path', 'problem'), [
    ('040000', CHANGE[:2], None),
    ('040000', _ID, None),
    ('100644', f'{_ID}/{"0" * 64}', None),
    ('040000', 'zz', 'a directory where the ledger has none'),
    ('040000', CHANGE[:2].upper(), 'a directory where the ledger has none'),
    ('040000', f'{CHANGE[:2]}/{OTHER_CHANGE}', 'a directory where the ledger has none'),
    ('040000', f'{_ID}0', 'a directory where the ledger has none'),
    ('040000', _ID[:-1], 'a directory where the ledger has none'),
    ('040000', f'{_ID}/{"0" * 64}', 'a directory where the ledger has none'),
    ('040000', f'zz/zz{CHANGE[2:]}', 'a directory where the ledger has none'),
    ('100644', CHANGE[:2], 'a file where the ledger holds no records'),
    ('100644', _ID, 'a file where the ledger holds no records'),
    ('100644', f'{_ID}/{"0" * 64}/x', 'a file where the ledger holds no records'),
    ('100644', f'{CHANGE[:2]}/{OTHER_CHANGE}/{"0" * 64}', 'a file where the ledger holds no records'),
    ('100755', f'{_ID}/{"0" * 64}', 'an executable file; the ledger holds only records'),
    ('120000', f'{_ID}/{"0" * 64}', 'a symbolic link; the ledger holds only records'),
    ('160000', f'{_ID}/{"0" * 64}', 'a submodule; the ledger holds only records'),
    ('100664', f'{_ID}/{"0" * 64}', 'an entry of mode 100664; the ledger holds only records'),
])
def test_only_the_entries_approve_writes_have_the_shape_of_a_ledger(mode: str, path: str, problem: str | None) -> None:
    assert intake.shape_problem(tg_git.TreeEntry(mode, '0' * 40, path)) == problem


def test_a_refusal_shows_a_pushed_path_whole_up_to_its_limit() -> None:
    assert intake.shown('a' * intake.SHOWN_PATH) == 'a' * intake.SHOWN_PATH
    assert intake.shown('a' * (intake.SHOWN_PATH + 1)) == 'a' * intake.SHOWN_PATH + '...'


@pytest.mark.parametrize('junk', ['files', 'one name'])
def test_a_hostile_update_is_refused_after_a_bounded_number_of_entries(server: Server, keys: tuple[Key, Key],
                                                                      junk: str) -> None:
    """Enough to refuse: past MAX_REFUSALS bad entries (files where the
    ledger holds none, or one name a tree holds again and again), the rest
    of the update is not read, and the refusal counts no more of them."""

    count = intake.MAX_REFUSALS + 50
    if junk == 'files':
        write_ledger(server.dev, {f'junk/{n}': b'junk\n' for n in range(count)})
    else:
        _hand_written_ledger(server.dev, record(keys[0], CHANGE, 'alice@example.com'), times=count)
    server.refused(f'this update adds {intake.MAX_REFUSALS + 1} entries that are not')


def test_a_record_path_naming_a_tree_is_refused(server: Server, keys: tuple[Key, Key]) -> None:
    """A tree written by hand may name a tree as a regular file (mode 100644):
    git's push carries it to the hook, and a record that is no blob is none."""
    good = record(keys[0], CHANGE, 'alice@example.com')
    blob = server.dev.git('hash-object', '-w', '--stdin', input=good).strip()
    inner = server.dev.git('mktree', input=f'100644 blob {blob}\tx\n').strip()
    _hand_written_ledger(server.dev, good, leaf=inner)
    server.refused('the record is a tree, not a file')
