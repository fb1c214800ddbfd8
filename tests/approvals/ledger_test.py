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
