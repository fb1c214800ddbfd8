"""Merging two approvals ledgers (``trailgate approve --push`` after a
fetch): the local ref ends holding every record of both, and no record is
ever dropped or replaced."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.approvals import LEDGER
from testing.approvals import write_ledger
from testing.scenarios import Repo
from testing.scenarios import new_repo
from testing.util import GIT_ENV
from trailgate.approvals import ledger
from trailgate.approvals import records

# the ledger's paths, with any content: merging never reads a record
FIRST, SECOND, THIRD = (f'{c * 2}/{c * 64}/{"0" * 64}' for c in 'abc')


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    made = new_repo(tmp_path / 'repo', None, hooks=False)
    monkeypatch.chdir(made.path)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return made


def paths(repo: Repo, rev: str) -> set[str]:
    return set(repo.git('ls-tree', '-r', '--name-only', rev).split())


def test_a_ledger_behind_the_remote_is_moved_to_it(repo: Repo) -> None:
    local = write_ledger(repo, {FIRST: b'first'}, parent='')
    remote = write_ledger(repo, {SECOND: b'second'}, parent=local)
    repo.git('update-ref', LEDGER, local)
    assert ledger.merge(local, remote) == remote
    assert repo.rev(LEDGER) == remote


def test_no_local_ledger_takes_the_remote(repo: Repo) -> None:
    remote = write_ledger(repo, {FIRST: b'first'}, parent='')
    repo.git('update-ref', '-d', LEDGER)
    assert ledger.merge(None, remote) == remote
    assert repo.rev(LEDGER) == remote


def test_a_ledger_ahead_of_the_remote_stays(repo: Repo) -> None:
    remote = write_ledger(repo, {FIRST: b'first'}, parent='')
    local = write_ledger(repo, {SECOND: b'second'}, parent=remote)
    assert ledger.merge(local, remote) == local
    assert repo.rev(LEDGER) == local


def test_diverged_ledgers_merge_into_the_union_of_their_records(repo: Repo) -> None:
    base = write_ledger(repo, {FIRST: b'first'}, parent='')
    remote = write_ledger(repo, {SECOND: b'second'}, parent=base)
    local = write_ledger(repo, {THIRD: b'third'}, parent=base)
    merged = ledger.merge(local, remote)
    assert repo.rev(LEDGER) == merged
    assert repo.git('rev-parse', f'{merged}^1', f'{merged}^2').split() == [local, remote]
    assert paths(repo, merged) == {FIRST, SECOND, THIRD}
    for path, content in ((FIRST, 'first'), (SECOND, 'second'), (THIRD, 'third')):
        assert repo.git('cat-file', 'blob', f'{merged}:{path}') == content


def test_an_append_adds_each_record_the_ledger_lacks_once(repo: Repo) -> None:
    one, two = (records.Record(c * 64, 'alice@example.com', f'signature {c}\n') for c in 'ab')
    first = ledger.append([one], 'approve one')
    assert first is not None and repo.rev(LEDGER) == first
    assert ledger.append([one], 'approve one again') is None
    assert repo.rev(LEDGER) == first
    second = ledger.append([one, two, two], 'approve two')
    assert second is not None and repo.rev(LEDGER) == second
    assert repo.git('rev-parse', f'{second}^@').split() == [first]
    assert paths(repo, second) == {ledger.record_path(one), ledger.record_path(two)}
    assert repo.git('cat-file', 'blob', f'{second}:{ledger.record_path(two)}').encode() == records.to_blob(two)


# a directory name holding a newline and then a line of git's index-info that
# removes THIRD (mode 0), and a path in C quotes that names THIRD once unquoted
REMOVING = f'zz\n0 {"0" * 40}\t{THIRD}'
QUOTED = f'"{THIRD}"'


@pytest.mark.parametrize('hostile', [REMOVING, QUOTED], ids=['a-newline-then-a-removal', 'c-quotes'])
def test_a_remote_path_read_as_git_index_info_drops_or_changes_no_local_record(repo: Repo, hostile: str) -> None:
    """A remote no gate guards (a forge runs no pre-receive) holds a ledger
    whose paths git would read, a line at a time, as more than one path: a
    newline and a line removing the reviewer's own record, or C quotes
    around its path. Merged into ``approve --push``'s ledger, the record
    the reviewer just signed must still be there, as it was signed."""
    base = write_ledger(repo, {FIRST: b'first'}, parent='')
    remote = write_ledger(repo, {hostile: b'hostile'}, parent=base)
    local = write_ledger(repo, {THIRD: b'third'}, parent=base)
    merged = ledger.merge(local, remote)
    assert repo.git('cat-file', 'blob', f'{merged}:{THIRD}') == 'third'
    assert paths(repo, merged) >= {FIRST, THIRD}


def test_a_remote_path_that_is_not_utf8_is_merged_as_it_is(repo: Repo) -> None:
    """A path of bytes that are not UTF-8 in the remote's ledger: the merge
    keeps it byte for byte, rather than failing the reviewer's push."""
    hostile = 'zz/\udcff/x'  # the byte 0xff
    base = write_ledger(repo, {FIRST: b'first'}, parent='')
    remote = write_ledger(repo, {hostile: b'hostile'}, parent=base)
    local = write_ledger(repo, {THIRD: b'third'}, parent=base)
    merged = ledger.merge(local, remote)
    listed = repo.git('ls-tree', '-r', '-z', '--name-only', merged).split('\0')
    assert hostile in listed and THIRD in listed


def test_a_remote_on_another_history_holding_no_record_the_local_lacks_merges(repo: Repo) -> None:
    """The remote's ledger is not an ancestor of the local one, yet brings no
    record it lacks (a history rewritten elsewhere, the same records merged
    in another order): the merge holds the local records, nothing fails."""
    remote = write_ledger(repo, {FIRST: b'first'}, parent='')
    local = write_ledger(repo, {FIRST: b'first', SECOND: b'second'}, parent='')
    merged = ledger.merge(local, remote)
    assert repo.git('rev-parse', f'{merged}^1', f'{merged}^2').split() == [local, remote]
    assert paths(repo, merged) == {FIRST, SECOND}


@pytest.mark.parametrize('hostile', [THIRD.rsplit('/', 1)[0], THIRD[:2], f'{THIRD}/x'],
                         ids=['a-file-for-the-change', 'a-file-for-the-prefix', 'a-directory-for-the-record'])
def test_a_remote_entry_where_the_local_ledger_has_a_directory_or_a_record_replaces_nothing(
        repo: Repo, hostile: str) -> None:
    """The remote's ledger (any writer of a remote no gate guards) holds a
    file where the reviewer's record has a directory (its change id is no
    secret), or a directory where the record is a file: git's index keeps
    one of the two, and a merge that took the remote's would push a ledger
    without the approval the reviewer just signed, and keep it so locally."""
    base = write_ledger(repo, {FIRST: b'first'}, parent='')
    remote = write_ledger(repo, {hostile: b'hostile'}, parent=base)
    local = write_ledger(repo, {THIRD: b'third'}, parent=base)
    merged = ledger.merge(local, remote)
    assert repo.git('cat-file', 'blob', f'{merged}:{THIRD}') == 'third'
    assert repo.git('cat-file', 'blob', f'{merged}:{FIRST}') == 'first'
