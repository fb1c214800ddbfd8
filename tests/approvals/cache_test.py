"""The approvals cache in .git: the ledger's index is reused only for the
ledger commit it was listed from, and an entry that is not the shape the
cache writes is not used."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import change_of
from testing.approvals import entry
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.approvals import write_ledger
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import Repo
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.sshkeys import Key
from testing.sshkeys import make_key
from trailgate import git
from trailgate import orjson_import
from trailgate.approvals.cache import CACHE_FILE
from trailgate.approvals.cache import VERSION
from trailgate.approvals.cache import Cache
from trailgate.approvals.ledger import Ledger


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Key, Key]:
    directory = tmp_path_factory.mktemp('keys')
    return make_key(directory, 'alice'), make_key(directory, 'bob')


def _approved_by_alice(tmp_path: Path, keys: tuple[Key, Key]) -> tuple[Repo, str, str]:
    """An AI change needing two signed approvals, alice's in the ledger;
    (repo, base, change id)."""
    alice, bob = keys
    repo = new_repo(tmp_path / 'repo', signed_policy(), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', alice), ('bob@example.com', bob))})
    base = repo.head()
    repo.commit_ok(message('Retry refunds', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    change = change_of(repo)
    write_ledger(repo, entry(alice, change, 'alice@example.com'))
    return repo, base, change


def test_a_record_added_after_a_cached_run_counts(tmp_path: Path, keys: tuple[Key, Key]) -> None:
    repo, base, change = _approved_by_alice(tmp_path, keys)
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 1  # one approval of two; the index cached
    assert json.loads((repo.path / '.git' / CACHE_FILE).read_bytes())['ledger'][0] == repo.rev(
        'refs/trailgate/approvals')
    write_ledger(repo, entry(keys[1], change, 'bob@example.com'))
    result = repo.trailgate('check', f'{base}..HEAD')
    assert result.returncode == 0, result.output


def test_a_ledger_an_earlier_run_listed_is_not_listed_again(tmp_path: Path, keys: tuple[Key, Key],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base, change = _approved_by_alice(tmp_path, keys)
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 1
    tip = repo.rev('refs/trailgate/approvals')
    assert tip is not None
    git_dir = str(repo.path / '.git')
    listed = Ledger(tip, git.CatFile(), local=False)
    listed.cache = Cache(None)
    monkeypatch.chdir(repo.path)
    expected = listed.oids_for(change)
    assert len(expected) == 1

    def no_listing(rev: str) -> list[tuple[str, str]]:
        raise AssertionError(f'ls-tree {rev}')

    monkeypatch.setattr(git, 'tree_blobs', no_listing)
    cached = Ledger(tip, git.CatFile(), local=False)
    cached.cache = Cache(git_dir)
    assert cached.oids_for(change) == expected


@pytest.mark.parametrize('ledger', [
    pytest.param('other', id='another ledger commit'),
    pytest.param({'x': 'not a list'}, id='an index value that is not a list'),
    pytest.param({'x': [1]}, id='a blob id that is not a string'),
    pytest.param('short', id='not a pair'),
])
def test_a_cached_index_of_another_commit_or_shape_is_not_used(tmp_path: Path, ledger: object) -> None:
    commit = '1' * 40
    if ledger == 'other':
        stored: object = ['2' * 40, {'x': ['3' * 40]}]
    elif ledger == 'short':
        stored = [commit]
    else:
        stored = [commit, ledger]
    (tmp_path / CACHE_FILE).write_text(json.dumps({'version': VERSION, 'changes': {}, 'signatures': {},
                                                   'records': {}, 'ledger': stored}))
    assert Cache(str(tmp_path)).ledger_index(commit) is None


def test_a_cached_index_of_the_same_commit_is_used(tmp_path: Path) -> None:
    commit, index = '1' * 40, {'ab' + 'c' * 62: ['3' * 40, '4' * 40]}
    cache = Cache(str(tmp_path))
    cache.set_ledger_index(commit, index)
    cache.write()
    assert Cache(str(tmp_path)).ledger_index(commit) == index


def test_a_merges_change_cached_before_merges_ignored_the_checkouts_attributes_is_not_used(tmp_path: Path) -> None:
    """Version 2 measured a merge's own change against git's merge as the
    checkout's .gitattributes made it: such an entry may say a merge has
    nothing of its own."""
    merge = '1' * 40
    (tmp_path / CACHE_FILE).write_text(json.dumps({'version': 2, 'changes': {merge: ['ab' * 32, False]},
                                                   'signatures': {}, 'records': {}, 'ledger': []}))
    assert Cache(str(tmp_path)).change(merge) is None


@pytest.mark.parametrize(('writer', 'reader'), [(True, True), (True, False), (False, True), (False, False)])
def test_what_a_run_writes_the_next_run_reads_with_orjson_or_without(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     writer: bool, reader: bool) -> None:
    monkeypatch.setattr(orjson_import, 'load', lambda: writer)
    written = Cache(str(tmp_path))
    written.set_change('1' * 40, 'ab' * 32, False)
    written.set_signer('cd' * 32, b'a key')
    written.set_record('2' * 40, 'ef' * 32, 'alice@example.com', b'another key')
    written.write()
    monkeypatch.setattr(orjson_import, 'load', lambda: reader)
    read = Cache(str(tmp_path))
    assert read.change('1' * 40) == ('ab' * 32, False)
    assert read.signer('cd' * 32) == b'a key'
    assert read.verified_records() == {'2' * 40: ('ef' * 32, 'alice@example.com', b'another key')}


SHA, DIGEST, BLOB = '1' * 40, 'cd' * 32, '2' * 40


@pytest.mark.parametrize('stored', [
    pytest.param([], id='not an object'),
    pytest.param({'changes': [], 'signatures': {}, 'records': {}}, id='changes not an object'),
    pytest.param({'changes': {}, 'signatures': [], 'records': {}}, id='signatures not an object'),
    pytest.param({'changes': {}, 'signatures': {}, 'records': []}, id='records not an object'),
    pytest.param({'changes': {SHA: ['ab' * 32]}}, id='a change without its own-change flag'),
    pytest.param({'changes': {SHA: [1, False]}}, id='a change id that is not a string'),
    pytest.param({'signatures': {DIGEST: 7}}, id='a key that is not a string'),
    pytest.param({'signatures': {DIGEST: 'not hex'}}, id='a key that is not hex'),
    pytest.param({'records': {BLOB: ['ef' * 32, 'alice@example.com']}}, id='a record without its key'),
    pytest.param({'records': {BLOB: {'a': 1, 'b': 2, 'c': 3}}}, id='a record that is not a list'),
    pytest.param({'records': {BLOB: ['ef' * 32, 'alice@example.com', 'not hex']}}, id='a record key not hex'),
    pytest.param({'ledger': [SHA, 5]}, id='a ledger index that is not an object'),
])
def test_a_cache_of_another_shape_is_not_used_and_is_written_anew(tmp_path: Path, stored: object) -> None:
    if isinstance(stored, dict):
        stored = {'version': VERSION, 'changes': {}, 'signatures': {}, 'records': {}, 'ledger': [], **stored}
    (tmp_path / CACHE_FILE).write_text(json.dumps(stored))
    cache = Cache(str(tmp_path))
    assert (cache.change(SHA), cache.signer(DIGEST), cache.verified_records(), cache.ledger_index(SHA)) == (
        None, None, {}, None)
    cache.set_change('3' * 40, 'ab' * 32, True)
    cache.write()
    assert Cache(str(tmp_path)).change('3' * 40) == ('ab' * 32, True)


def test_a_ledger_path_that_is_not_utf8_neither_fails_the_check_nor_drops_an_approval(
        tmp_path: Path, keys: tuple[Key, Key]) -> None:
    """A ledger fetched from a remote no gate guards (CI's, from a forge)
    holds a directory whose name is not UTF-8 where a change id would be:
    the index of the ledger is cached as JSON, which cannot hold such a
    name. The check still judges, and bob's approval still counts."""
    repo, base, change = _approved_by_alice(tmp_path, keys)
    write_ledger(repo, {change[:2] + '/' + change[:2] + '\udcff/x': b'not a record'})  # the byte 0xff
    write_ledger(repo, entry(keys[1], change, 'bob@example.com'))
    result = repo.trailgate('check', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    assert 'Traceback' not in result.output


def test_a_verified_record_stored_under_another_change_approves_only_its_own(tmp_path: Path,
                                                                            keys: tuple[Key, Key]) -> None:
    """Alice and bob approved one change; the very blobs of their records are
    put under a second change's directory too (the ledger's path is only an
    index; a git blob is the same object wherever it is). Once the cache
    knows the blob verifies, as whose approval of which change, it must
    still count only for the change its signed payload names: cold or warm."""
    repo, base, change = _approved_by_alice(tmp_path, keys)
    write_ledger(repo, entry(keys[1], change, 'bob@example.com'))
    approved = repo.head()
    wrong = repo.commit_ok(message('Refund twice', ASSISTED), {CRITICAL: 'x = 2\n'}, verify=False)
    other = change_of(repo)
    tip = repo.rev('refs/trailgate/approvals')
    moved = {}
    for line in repo.git('ls-tree', '-r', f'{tip}').splitlines():
        path = line.split('\t')[1]
        moved[f'{other[:2]}/{other}/{path.rsplit("/", 1)[1]}'] = repo.git('cat-file', 'blob', f'{tip}:{path}').encode()
    assert len(moved) == 2
    write_ledger(repo, moved)
    for run in ('cold', 'warm'):
        result = repo.trailgate('check', f'{base}..HEAD')
        assert result.returncode == 1, f'{run}: {result.output}'
        assert wrong[:10] in result.output and approved[:10] not in result.output, f'{run}: {result.output}'
