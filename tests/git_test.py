"""Reading git's output: ``git diff --raw -z`` (changed paths, a gitlink as
its directory), and the range reader, which cuts git log's output into the
records a token-by-token reading gives (kept here as the reference),
whatever the chunking."""
from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from testing.util import AUTHOR
from testing.util import git as util_git
from testing.util import git_env
from testing.util import init_repo
from testing.util import write
from trailgate import git
from trailgate.errors import GitError
from trailgate.git import changed_paths
from trailgate.model import Identity

SHA = 'a' * 40
ZERO = '0' * 40


def raw(*entries: tuple[str, str]) -> list[bytes]:
    tokens = []
    for status, path in entries:
        tokens += [status.encode(), path.encode()]
    return tokens


@pytest.mark.parametrize(('status', 'expected'), [
    (f':100644 100644 {SHA} {SHA} M', {'deploy'}),
    (f':160000 160000 {SHA} {SHA} M', {'deploy/'}),
    (f':000000 160000 {ZERO} {SHA} A', {'deploy/'}),
    (f':160000 000000 {SHA} {ZERO} D', {'deploy/'}),
    (f':100644 160000 {SHA} {SHA} T', {'deploy', 'deploy/'}),  # a file replaced by a submodule: both
    (f':120000 100644 {SHA} {SHA} T', {'deploy'}),
    (f'::100644 100644 100644 {SHA} {SHA} {SHA} MM', {'deploy'}),
    (f'::160000 160000 160000 {SHA} {SHA} {SHA} MM', {'deploy/'}),
    (f':::100644 160000 100644 160000 {SHA} {SHA} {SHA} {SHA} MMM', {'deploy', 'deploy/'}),
])
def test_statuses(status: str, expected: set[str]) -> None:
    assert changed_paths(raw((status, 'deploy'))) == expected


def test_many_entries_and_odd_names() -> None:
    tokens = raw((f':100644 100644 {SHA} {SHA} M', 'a b'), (f':000000 160000 {ZERO} {SHA} A', ':x'),
                 (f':100644 000000 {SHA} {ZERO} D', 'new\nline'))
    assert changed_paths(tokens) == {'a b', ':x/', 'new\nline'}


@pytest.mark.parametrize('tokens', [
    [b':100644 100644 x y M'],  # a status without its path
    [b'deploy', b':100644 100644 x y M'],  # out of step
    [b':100644 100644 x M', b'p'],  # a field missing
    [b':10064 100644 x y M', b'p'],  # not a mode
    [b'::100644 100644 x y M', b'p'],  # a merge status with one parent's fields
    [b':100644 100644 x y M', b''],  # no path
])
def test_malformed_output_is_an_error(tokens: list[bytes]) -> None:
    with pytest.raises(GitError):
        changed_paths(tokens)


# -- the range reader ----------------------------------------------------------

MARKER = git._RECORD.encode()


def reference_records(tokens: Iterator[bytes]) -> Iterator[list[bytes]]:
    record: list[bytes] | None = None
    previous_empty = True
    for token in tokens:
        if token == MARKER and previous_empty and (record is None or len(record) >= 8):
            if record is not None:
                yield record
            record = []
        elif record is not None and (len(record) < 8 or token):
            record.append(token)
        previous_empty = token == b''
    if record is not None:
        yield record


def reference_raw_commit(record: list[bytes]) -> git.RawCommit:
    if len(record) < 8:
        raise GitError('git log output ended in the middle of a commit')
    sha, parents, an, ae, cn, ce, ct, message = (git.decode(field) for field in record[:8])
    entries = record[8:]
    if entries and entries[0].startswith(b'\n'):
        entries = [entries[0][1:], *entries[1:]]
    return git.RawCommit(
        sha=sha, parents=tuple(parents.split()), author=Identity(an, ae), committer=Identity(cn, ce),
        date=datetime.datetime.fromtimestamp(int(ct or 0), datetime.timezone.utc).date(),
        message=message, paths=changed_paths(entries),
    )


STATUS = f':100644 100644 {SHA} {SHA} M'.encode()
TOKEN = st.sampled_from([b'', b'', MARKER, STATUS, STATUS, b'\n' + STATUS, b'x', b'\n', b'\nsrc/a.py',
                         b'\xe2\x82', b'\xff\xfe', b'a\xc3', b'\xa9b', b'TGSTAR', b'1735689600', b'p/q r'])


def _stream(tokens: list[bytes]) -> bytes:
    return b'\0'.join(tokens)


@settings(max_examples=400)
@given(st.lists(TOKEN, max_size=60), st.integers(1, 40))
@example([b'', MARKER, *[b'x'] * 6, b'', MARKER, *[b'x'] * 8], 3)  # a message that is the marker, after no date
@example([b'', MARKER, *[b'x'] * 7, b'', MARKER, *[b'x'] * 8], 3)  # a marker right after an empty message
def test_records_as_token_by_token(tokens: list[bytes], chunk_size: int) -> None:
    data = _stream(tokens)
    expected = list(reference_records(git._tokens(io.BytesIO(data), chunk_size)))
    assert list(git._records(io.BytesIO(data), chunk_size)) == expected


@settings(max_examples=400)
@given(st.lists(TOKEN, min_size=0, max_size=14))
def test_raw_commit_as_field_by_field(record: list[bytes]) -> None:
    record = [*record[:6], b'1735689600', *record[6:]] if len(record) >= 8 else record
    try:
        expected: object = reference_raw_commit(record)
    except GitError as e:
        expected = str(e)
    try:
        found: object = git._raw_commit(record)
    except GitError as e:
        found = str(e)
    assert found == expected


@settings(max_examples=300)
@given(st.lists(st.sampled_from([b'', b'x', b'abc', b'\n', MARKER]), max_size=12), st.integers(1, 8))
def test_a_chunk_is_read_on_until_it_holds_a_nul_and_no_further(tokens: list[bytes], chunk_size: int) -> None:
    data = _stream(tokens)
    stream = io.BytesIO(data)
    pieces = []
    while piece := git._read_to_nul(stream, chunk_size):
        pieces.append(piece)
    assert b''.join(pieces) == data
    for piece in pieces:
        assert b'\0' not in piece[:-chunk_size]
    for piece in pieces[:-1]:
        assert b'\0' in piece[-chunk_size:]


def test_a_real_shape() -> None:
    head = [b'', MARKER, b'a' * 40, b'', b'Dev', b'dev@example.com', b'Dev', b'dev@example.com',
            b'1735689600', b'Subject\n\nAssisted-by: Claude\n']
    data = _stream([*head, b'\n' + STATUS, b'src/a.py', STATUS, b'docs/b.md', b'', *head, b''])
    records = list(git._records(io.BytesIO(data), 7))
    assert [git._raw_commit(r).paths for r in records] == [frozenset({'src/a.py', 'docs/b.md'}), frozenset()]


@pytest.mark.parametrize(('text', 'expected'), [
    ('1735689600', datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)),
    ('', datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)),
    ('99999999999999', datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)),
    ('18446744073709551615', datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)),
    ('-99999999999999', datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)),
    ('garbage', datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)),
])
def test_dates_beyond_datetime_are_held_at_its_ends(text: str, expected: datetime.datetime) -> None:
    assert git.utc_from_timestamp(text) == expected


@pytest.mark.parametrize('text', [
    '1735689600', '', '0', '86399', '86400', '-1', '-86401', ' 42 ', 'garbage', '99999999999999',
    str((1 << 36) - 1), str(1 << 36), '253402300799', '253402300800', '-62135596800', '-62135596801',
])
def test_the_day_is_that_of_the_timestamp(text: str) -> None:
    assert git.utc_day(text) == git.utc_from_timestamp(text).date()


def test_git_var_gives_both_identities_and_the_committer_date_in_utc(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in git_env(GIT_AUTHOR_NAME='Ann Author', GIT_AUTHOR_EMAIL='ann@example.com').items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv('GIT_AUTHOR_DATE', '2001-02-03T04:05:06+00:00')
    monkeypatch.setenv('GIT_COMMITTER_DATE', '2030-01-02T01:00:00+05:00')
    monkeypatch.chdir(init_repo(tmp_path / 'repo'))
    found = git.var_list()
    assert (found.author, found.committer) == (Identity('Ann Author', 'ann@example.com'), Identity(*AUTHOR))
    assert found.committed == datetime.datetime(2030, 1, 1, 20, tzinfo=datetime.timezone.utc)


def reference_changed_paths(tokens: list[bytes]) -> frozenset[str]:
    """Every status read by _modes, field by field."""
    if len(tokens) % 2:
        raise GitError('odd')
    paths = set()
    for status, path in zip(tokens[0::2], tokens[1::2], strict=True):
        modes = git._modes(status)
        name = git.decode(path)
        if not name:
            raise GitError('no path')
        if git.GITLINK in modes:
            paths.add(name + '/')
        if any(mode not in (git.GITLINK, '000000') for mode in modes):
            paths.add(name)
    return frozenset(paths)


MODE = st.sampled_from(['100644', '100755', '120000', '160000', '000000', '10064', '1006444', 'abcdef', '１00644'])
STATUS_TOKEN = st.builds(
    lambda colons, modes, tail: (':' * colons + ' '.join(modes) + tail).encode(),
    st.integers(0, 3), st.lists(MODE, min_size=1, max_size=4),
    st.sampled_from([f' {SHA} {SHA} M', f' {SHA} {SHA} {SHA} MM', ' x y M', '', f' {SHA} M', f' {SHA} {SHA} M ']),
)


@settings(max_examples=1500)
@given(st.lists(st.tuples(STATUS_TOKEN, st.sampled_from([b'p', b'q/r', b'', b'\xff']))))
def test_changed_paths_is_every_status_read_by_its_modes(entries: list[tuple[bytes, bytes]]) -> None:
    tokens = [token for entry in entries for token in entry]
    try:
        expected: object = reference_changed_paths(tokens)
    except GitError:
        expected = GitError
    try:
        found: object = changed_paths(tokens)
    except GitError:
        found = GitError
    assert found == expected


@pytest.mark.parametrize('stream', ['log', 'numstat'])
def test_a_stream_closed_after_its_pipes_were_finalised_ends_quietly(
        stream: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # When an error abandons a stream, the garbage collector may finalise the
    # child's pipe objects before the generator: closing it must not then read them.
    for name, value in git_env().items():
        monkeypatch.setenv(name, value)
    repo = init_repo(tmp_path / 'repo')
    for number in range(3):
        write(repo / f'f{number}', f'{number}\n')
        util_git(repo, 'add', '.')
        util_git(repo, 'commit', '-qm', f'commit {number}')
    monkeypatch.chdir(repo)
    commits = git.Log(['HEAD']).commits() if stream == 'log' else git.numstat(['HEAD'])
    next(commits)
    process = commits.gi_frame.f_locals['process']
    process.stderr.close()
    commits.close()
    assert process.returncode is not None


class _Tallied(bytes):
    """A chunk of git's output that tallies the bytes copied or searched
    when a partial token is joined to it."""

    work = 0

    def __radd__(self, other: bytes) -> _Tallied:
        _Tallied.work += len(other) + len(self)
        return _Tallied(other + bytes(self))

    def split(self, *args: object, **kwargs: object) -> list[bytes]:  # type: ignore[override]
        _Tallied.work += len(self)
        return bytes(self).split(*args, **kwargs)  # type: ignore[arg-type]


class _Chunks(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def read(self, size: int = -1) -> _Tallied:  # type: ignore[override]
        return _Tallied(self.data.read(size))


@pytest.mark.parametrize('read', [git._records, git._tokens])
def test_a_token_longer_than_many_chunks_is_read_in_linear_work(read: object) -> None:
    """A pushed message (or path) of 100 MB must not cost a gate minutes:
    its chunks are joined once, not once per chunk."""
    head = [b'', MARKER, b'a' * 40, b'', b'Dev', b'dev@example.com', b'Dev', b'dev@example.com', b'1735689600']
    message = b'Subject\n\n' + b'x' * (1 << 22)  # 4 MiB: 64 chunks of 64 KiB
    data = _stream([*head, message, b'\n' + STATUS, b'src/a.py', b''])
    _Tallied.work = 0
    found = list(read(_Chunks(data)))  # type: ignore[operator]
    assert message in (found[0] if read is git._records else found)
    assert _Tallied.work < 3 * len(data)


def _one_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit, under the tests' own git environment."""
    for name, value in git_env().items():
        monkeypatch.setenv(name, value)
    repo = init_repo(tmp_path / 'repo')
    write(repo / 'f', 'f\n')
    util_git(repo, 'add', '.')
    util_git(repo, 'commit', '-qm', 'one')
    return repo


def test_a_log_git_refuses_is_an_error_in_git_s_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _one_commit(tmp_path, monkeypatch)
    monkeypatch.chdir(repo)
    with pytest.raises(GitError, match=r"git log failed: .*no-such-ref"):
        list(git.log(['HEAD', 'no-such-ref']))


def _fake_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: bytes, status: int) -> None:
    """A ``git`` first on PATH that prints ``output`` and exits ``status``."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'out').write_bytes(output)
    script = bin_dir / 'git'
    script.write_text(f'#!/bin/sh\ncat "{bin_dir}/out"\necho "fatal: cut short" >&2\nexit {status}\n')
    script.chmod(0o755)
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')


@pytest.mark.parametrize(('status', 'error'), [
    (0, 'git log output ended in the middle of a commit'),
    (128, 'git log failed: fatal: cut short'),  # git's own failure says more
])
def test_a_log_whose_output_ends_in_a_commit_is_never_read_as_complete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int, error: str) -> None:
    whole = [b'', MARKER, SHA.encode(), b'', b'Dev', b'dev@example.com', b'Dev', b'dev@example.com',
             b'1735689600', b'Subject\n', b'\n' + STATUS, b'src/a.py']
    _fake_git(tmp_path, monkeypatch, _stream([*whole, b'', MARKER, b'b' * 40, b'']), status)
    commits = git.log(['HEAD'])
    assert next(commits).sha == SHA
    with pytest.raises(GitError, match=error):
        next(commits)


def test_a_log_of_more_tips_than_a_command_line_holds_reads_them_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A push of that many refs: the tips go to git's stdin as the excluded commits do."""
    for name, value in git_env().items():
        monkeypatch.setenv(name, value)
    repo = init_repo(tmp_path / 'repo')
    tips = []
    for number in range(6):
        write(repo / 'f', f'{number}\n')
        util_git(repo, 'add', '.')
        util_git(repo, 'commit', '-qm', f'commit {number}')
        tips.append(util_git(repo, 'rev-parse', 'HEAD').strip())
        util_git(repo, 'checkout', '-q', '--detach', tips[0])
    monkeypatch.chdir(repo)
    revisions = [*tips[1:], '--not', tips[0]]
    expected = [commit.sha for commit in git.log(revisions)]
    monkeypatch.setattr(git, 'ARGV_REVISIONS', 100)
    assert git._excluded_to_stdin(revisions)[0] == []
    assert [commit.sha for commit in git.log(revisions)] == expected
    assert sorted(expected) == sorted(tips[1:])


def test_exact_ref_is_a_commit_at_that_very_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """for-each-ref lists the refs below a name too: ``refs/trailgate/approvals/x``,
    which a push can make where the ledger's ref is missing, is not the
    ledger; nor is a ref of that name that holds a tag object a commit there."""
    repo = _one_commit(tmp_path, monkeypatch)
    head = util_git(repo, 'rev-parse', 'HEAD').strip()
    util_git(repo, 'update-ref', 'refs/trailgate/approvals/x', head)
    util_git(repo, 'tag', '-a', '-m', 'a tag', 'annotated', head)
    util_git(repo, 'update-ref', 'refs/remotes/origin/main', util_git(repo, 'rev-parse', 'annotated').strip())
    monkeypatch.chdir(repo)
    assert git.exact_ref('refs/trailgate/approvals') is None
    assert git.exact_ref('refs/remotes/origin/main') is None
    util_git(repo, 'update-ref', 'refs/remotes/origin/main', head)
    assert git.exact_ref('refs/remotes/origin/main') == head
    assert git.exact_ref('refs/trailgate/approvals/x') == head
