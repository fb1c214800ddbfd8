"""How reports look and where they go: colour, --quiet, --verbose, --output, progress."""
from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO
from typing import NamedTuple
from typing import cast
from xml.etree import ElementTree

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.util import git_env
from trailgate import output
from trailgate import progress

ESC = '\033['
pty = pytest.importorskip('pty')


class History(NamedTuple):
    repo: Repo
    good: str
    bad: str

    @property
    def refused(self) -> str:
        """A range with one refused commit (and one that passes)."""
        return f'{self.good}~1..{self.bad}'

    @property
    def accepted(self) -> str:
        """A range with only a commit that passes."""
        return f'{self.good}~1..{self.good}'


@pytest.fixture(scope='module')
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    repo = new_repo(tmp_path_factory.mktemp('output') / 'repo', hooks=False)
    good = repo.commit_ok(message('Reviewed charge', ASSISTED, *APPROVALS), {CRITICAL: 'good = 1\n'},
                          verify=False)
    bad = repo.commit_ok(message('Unreviewed charge', ASSISTED), {CRITICAL: 'bad = 1\n'}, verify=False)
    return History(repo, good, bad)


def colour_env(**extra: str) -> dict[str, str]:
    """The isolated git environment without its NO_COLOR, on a capable terminal."""
    env = git_env(**{'TERM': 'xterm', **extra})
    for name in ('NO_COLOR', 'FORCE_COLOR', 'PRE_COMMIT_COLOR'):
        if name not in extra:
            env.pop(name, None)
    return env


def on_tty(cwd: Path, *args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run ``trailgate ARGS`` with stdout and stderr on a pseudo-terminal."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            (sys.executable, '-m', 'trailgate', *args), cwd=cwd, env=env,
            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
        )
    finally:
        os.close(follower)
    chunks = []
    try:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(leader)
    code = process.wait(timeout=60)
    text = b''.join(chunks).decode('utf-8', 'replace').replace('\r\n', '\n')
    assert 'Traceback' not in text, text
    return code, text


def piped(history: History, *args: str, env: dict[str, str] | None = None) -> Run:
    result = subprocess.run(
        (sys.executable, '-m', 'trailgate', *args), cwd=history.repo.path, env=env or git_env(),
        capture_output=True, text=True,
    )
    assert 'Traceback' not in result.stdout + result.stderr
    return Run(result.returncode, result.stdout, result.stderr, {})


# -- colour ----------------------------------------------------------------------

def test_colour_on_a_terminal(history: History) -> None:
    code, text = on_tty(history.repo.path, 'check', history.refused, env=colour_env())
    assert code == 1, text
    assert f'{ESC}31' in text, text
    assert 'refused' in text and RULE in text


def test_explain_in_colour_on_a_terminal(history: History) -> None:
    code, text = on_tty(history.repo.path, 'explain', history.bad, env=colour_env())
    assert code == 1, text
    assert f'{ESC}31' in text and 'MISSING' in text


def test_no_colour_when_piped(history: History) -> None:
    result = piped(history, 'check', history.refused, env=colour_env())
    assert result.returncode == 1, result
    assert 'refused' in result.stdout
    assert ESC not in result.output


@pytest.mark.parametrize('variables', [{'NO_COLOR': '1'}, {'NO_COLOR': '1', 'FORCE_COLOR': '1'},
                                       {'TERM': 'dumb'}])
def test_no_colour_on_a_terminal_when_asked(history: History, variables: dict[str, str]) -> None:
    code, text = on_tty(history.repo.path, 'check', history.refused, env=colour_env(**variables))
    assert code == 1, text
    assert 'refused' in text
    assert ESC not in text, text


def test_force_colour_when_piped(history: History) -> None:
    result = piped(history, 'check', history.refused, env=colour_env(FORCE_COLOR='1'))
    assert result.returncode == 1, result
    assert f'{ESC}31' in result.stdout


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(('tty', 'variables', 'expected'), [
    (True, {}, True),
    (False, {}, False),
    (True, {'NO_COLOR': '1'}, False),
    (True, {'NO_COLOR': '1', 'FORCE_COLOR': '1'}, False),
    (False, {'FORCE_COLOR': '1'}, True),
    (True, {'TERM': 'dumb'}, False),
])
def test_use_color(monkeypatch: pytest.MonkeyPatch, tty: bool, variables: dict[str, str],
                   expected: bool) -> None:
    for name in ('NO_COLOR', 'FORCE_COLOR', 'PRE_COMMIT_COLOR'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('TERM', 'xterm')
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert output.use_color(FakeTerminal(tty)) is expected


# -- verbosity -------------------------------------------------------------------

def test_quiet_prints_nothing_when_nothing_is_refused(history: History) -> None:
    result = piped(history, 'check', '--quiet', history.accepted)
    assert result.returncode == 0, result
    assert result.stdout == '' and result.stderr == ''
    loud = piped(history, 'check', history.accepted)
    assert '1 commit checked, 0 refused' in loud.stdout


@pytest.mark.parametrize('format', ['json', 'sarif', 'junit'])
def test_quiet_still_writes_a_whole_document(history: History, format: str) -> None:
    """`check -q --format sarif > trailgate.sarif` feeds a CI's report reader:
    an empty file where nothing is refused is a document it cannot parse."""
    result = piped(history, 'check', '--quiet', '--format', format, history.accepted)
    assert result.returncode == 0, result
    if format == 'junit':
        assert ElementTree.fromstring(result.stdout).get('tests') == '1'
    else:
        assert json.loads(result.stdout)
    assert result.stderr == ''


def test_quiet_still_prints_refusals(history: History) -> None:
    result = piped(history, 'check', '-q', history.refused)
    assert result.returncode == 1, result
    assert f'refused {history.bad[:10]} Unreviewed charge' in result.stdout
    assert RULE in result.stdout


def test_verbose_lists_passing_commits(history: History) -> None:
    result = piped(history, 'check', '--verbose', history.refused)
    assert result.returncode == 1, result
    assert f'ok {history.good[:10]} Reviewed charge' in result.stdout
    assert f'refused {history.bad[:10]}' in result.stdout
    quiet = piped(history, 'check', history.refused)
    assert not any(line.startswith('ok ') for line in quiet.stdout.splitlines())


# -- --output ----------------------------------------------------------------------

def test_output_file_gets_the_text_report(history: History, tmp_path: Path) -> None:
    report = tmp_path / 'report.txt'
    result = piped(history, 'check', '--output', str(report), history.refused, env=colour_env(FORCE_COLOR='1'))
    assert result.returncode == 1, result
    text = report.read_text()
    assert f'refused {history.bad[:10]}' in text and RULE in text
    assert ESC not in text, 'no colour in a file'
    assert 'refused' not in result.stdout


@pytest.mark.parametrize('format', ['json', 'sarif', 'junit', 'github'])
def test_output_file_in_a_machine_format_still_shows_refusals(history: History, tmp_path: Path,
                                                             format: str) -> None:
    report = tmp_path / f'report.{format}'
    result = piped(history, 'check', '--format', format, '--output', str(report), history.refused)
    assert result.returncode == 1, result
    text = report.read_text()
    assert history.bad[:10] in text or history.bad in text
    if format in ('json', 'sarif'):
        json.loads(text)
    assert f'refused {history.bad[:10]} Unreviewed charge' in result.stdout, 'people see the refusal'
    assert RULE in result.stdout


def test_output_file_for_an_accepted_range(history: History, tmp_path: Path) -> None:
    report = tmp_path / 'report.json'
    result = piped(history, 'check', '--format', 'json', '--output', str(report), history.accepted)
    assert result.returncode == 0, result
    assert result.stdout == ''
    assert json.loads(report.read_text())


def test_output_file_that_cannot_be_written(history: History, tmp_path: Path) -> None:
    result = piped(history, 'check', '--output', str(tmp_path), history.accepted)
    assert result.returncode == 2, result
    assert '--output' in result.stderr


def test_a_run_that_makes_no_report_leaves_no_earlier_one_in_its_output_file(tmp_path: Path) -> None:
    """--output FILE is this run's report or absent: a run that stops at an
    error (exit 2), or a pre-push with nothing pushed, removed nothing, and a
    CI that kept its work space between jobs read the earlier run's verdict."""
    repo = new_repo(tmp_path / 'repo', hooks=False)
    bad = repo.commit_ok(message('Unreviewed charge', ASSISTED), {CRITICAL: 'bad = 1\n'}, verify=False)
    report = tmp_path / 'report.json'
    stale = '{"schema": "trailgate-report/1", "summary": {"refused": 0}}'
    for run in (('check', 'no-such-rev..HEAD'), ('check', '--policy', str(tmp_path / 'missing.yaml'), 'HEAD~1..HEAD'),
                ('pre-push', 'origin', str(tmp_path / 'origin.git'))):
        report.write_text(stale)
        result = repo.trailgate(*run[:1], '--format', 'json', '--output', str(report), *run[1:], input='')
        assert result.returncode == (0 if run[0] == 'pre-push' else 2), (run, result)
        assert not report.exists(), run
    report.write_text(stale)
    written = repo.trailgate('check', '--format', 'json', '--output', str(report), f'{bad}~1..{bad}')
    assert written.returncode == 1, written
    assert json.loads(report.read_text())['summary']['refused'] == 1
    elsewhere = tmp_path / 'not-a-repository'
    elsewhere.mkdir()
    report.write_text(stale)  # where trailgate cannot tell a report may be written, it is left
    result = Repo(elsewhere).trailgate('check', '--format', 'json', '--output', str(report), 'HEAD~1..HEAD')
    assert result.returncode == 2, result
    assert report.read_text() == stale


def test_a_reminder_is_never_written_through_a_link_a_commit_put_there(tmp_path: Path) -> None:
    """The report of a range headed for an unprotected target (a reminder,
    rendered whole, not streamed) is refused the same places as a verdict."""
    home = tmp_path / 'home'
    home.mkdir()
    profile = home / '.bashrc'
    profile.write_text('# mine\n')
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    (repo.path / 'trailgate.sarif').symlink_to(profile)
    repo.git('add', 'trailgate.sarif')
    bad = repo.commit_ok(message('Unreviewed charge; echo owned', ASSISTED), {CRITICAL: 'bad = 1\n'}, verify=False)
    config = (repo.path / '.git' / 'config').read_bytes()
    for target in ('trailgate.sarif', '.git/config'):
        result = repo.trailgate('check', '--target', 'feature', '--format', 'sarif', '--output', target,
                                f'{bad}~1..{bad}')
        assert result.returncode == 2, (target, result)
        assert f'--output {target}: cannot write' in result.stderr, result.stderr
    assert profile.read_text() == '# mine\n' and os.listdir(home) == ['.bashrc']
    assert (repo.path / '.git' / 'config').read_bytes() == config
    written = repo.trailgate('check', '--target', 'feature', '--format', 'sarif', '--output', 'report.sarif',
                             f'{bad}~1..{bad}')
    assert written.returncode == 0, written  # a reminder: nothing refused
    assert json.loads((repo.path / 'report.sarif').read_text())['runs'][0]['results'][0]['level'] == 'note'


@pytest.mark.parametrize('format', ['text', 'sarif'])
def test_a_report_is_never_written_through_a_link_a_commit_put_there(tmp_path: Path, format: str) -> None:
    """CI writes ``--output trailgate.sarif`` in a checkout of the change under
    review: a commit that puts a symbolic link there (to the runner's
    ``~/.bashrc``, or a directory out of the work tree) must not get the
    report, whose text anyone who could push wrote, written where it leads;
    nor may the report land where git reads configuration or runs hooks."""
    home = tmp_path / 'home'
    home.mkdir()
    profile = home / '.bashrc'
    profile.write_text('# mine\n')
    repo = new_repo(tmp_path / 'repo', hooks=False)
    (repo.path / 'trailgate.sarif').symlink_to(profile)
    (repo.path / 'reports').symlink_to(home)
    repo.git('add', 'trailgate.sarif', 'reports')
    bad = repo.commit_ok(message('Unreviewed charge; echo owned', ASSISTED), {CRITICAL: 'bad = 1\n'}, verify=False)
    config = (repo.path / '.git' / 'config').read_bytes()
    for target in ('trailgate.sarif', 'reports/.bashrc', 'reports/new.sarif', str(repo.path / 'trailgate.sarif'),
                   '.git/config', '.git/report.sarif', '.git/hooks/post-checkout'):
        result = repo.trailgate('check', '--format', format, '--output', target, f'{bad}~1..{bad}')
        assert result.returncode == 2, (target, result)
        assert f'--output {target}: cannot write' in result.stderr, result.stderr
    assert profile.read_text() == '# mine\n' and os.listdir(home) == ['.bashrc']
    assert (repo.path / '.git' / 'config').read_bytes() == config
    assert not (repo.path / '.git' / 'hooks' / 'post-checkout').exists()
    assert not (repo.path / '.git' / 'report.sarif').exists()
    # a plain file of the work tree, or one out of it, is written as asked
    for target in ('report.out', str(tmp_path / 'report.out')):
        written = repo.trailgate('check', '--format', format, '--output', target, f'{bad}~1..{bad}')
        assert written.returncode == 1, written
        assert bad[:10] in (repo.path / target).read_text()


# -- progress ------------------------------------------------------------------------

def track(monkeypatch: pytest.MonkeyPatch, tty: bool, enabled: bool = True,
          interval: float = 0.0) -> tuple[list[int], str]:
    stream = FakeTerminal(tty)
    monkeypatch.setattr(sys, 'stderr', stream)
    indicator = progress.Progress('checking', enabled=enabled, interval=interval)
    items = list(indicator.track(range(3)))
    indicator.done()
    return items, stream.getvalue()


def test_progress_on_a_terminal_is_shown_and_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    items, shown = track(monkeypatch, tty=True)
    assert items == [0, 1, 2]
    assert '\rchecking: 3 commits' in shown
    assert shown.endswith('\r\033[K'), repr(shown)
    assert '\n' not in shown


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    items, shown = track(monkeypatch, tty=False)
    assert items == [0, 1, 2]
    assert shown == ''


def test_no_progress_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    assert track(monkeypatch, tty=True, enabled=False)[1] == ''


def test_nothing_to_clear_when_nothing_was_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    assert track(monkeypatch, tty=True, interval=3600)[1] == ''


def test_no_progress_debris_in_a_piped_check(history: History) -> None:
    result = piped(history, 'check', history.refused)
    assert '\r' not in result.output


# -- the report body's spool -------------------------------------------------------

SPOOLED_TEXTS = ['plain\n', 'cr\rcrlf\r\nlf\n', 'lone \udc80 surrogate\n', 'é ✓ 🚀\n', '']


def _spool_and_reference(max_size: int) -> tuple[output.Spool, IO[str]]:
    """A spool, and the spooled temporary file it stands in for."""
    import tempfile

    reference = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by the test)
        max_size=max_size, mode='w+', encoding='utf-8', errors='surrogatepass',
    )
    return output.Spool(max_size), cast(IO[str], reference)


def _assert_holds_the_same(spool: output.Spool, reference: IO[str], max_size: int) -> None:
    """Five rounds of SPOOLED_TEXTS read back alike, spilled to a file past ``max_size``."""
    spool.seek(0)
    reference.seek(0)
    assert spool.read() == reference.read()
    assert spool.rolled_over == (max_size < 5 * sum(map(len, SPOOLED_TEXTS)))
    spool.close()
    reference.close()


@pytest.mark.parametrize('max_size', [0, 7, 40, 1 << 20])
def test_the_spool_holds_what_a_spooled_temporary_file_holds(max_size: int) -> None:
    spool, reference = _spool_and_reference(max_size)
    for _ in range(5):
        for text in SPOOLED_TEXTS:
            assert spool.write(text) == reference.write(text)
    _assert_holds_the_same(spool, reference, max_size)


@pytest.mark.parametrize('max_size', [0, 7, 40, 1 << 20])
def test_utf8_written_as_bytes_is_what_its_text_would_write(max_size: int) -> None:
    spool, reference = _spool_and_reference(max_size)
    for _ in range(5):
        for text in SPOOLED_TEXTS:
            spool.write(text)
            reference.write(text)
            if '\udc80' not in text:
                data = f'[{text}]'.encode()
                spool.write_utf8(memoryview(data)[1:-1])
                reference.write(text)
    _assert_holds_the_same(spool, reference, max_size)


class _Counting(io.TextIOWrapper):
    """A stream over bytes that counts the text written to it."""

    texts = 0

    def write(self, text: str) -> int:
        self.texts += 1
        return super().write(text)


def _copied(spool: output.Spool, encoding: str = 'utf-8') -> tuple[bytes, int]:
    """What ``copy_to`` puts between a head and a tail on a stream in
    ``encoding`` that spells out what it cannot encode, and how many texts
    the stream was given."""
    out = _Counting(io.BytesIO(), encoding=encoding, errors='backslashreplace')
    out.write('head\n')
    spool.copy_to(out)
    out.write('tail\n')
    out.flush()
    raw = out.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue(), out.texts


@pytest.mark.parametrize('max_size', [0, 40, 1 << 20])
def test_a_spool_of_utf8_is_copied_as_bytes(max_size: int) -> None:
    spool = output.Spool(max_size)
    spool.write('plain, ')
    spool.write_utf8('é ✓ 🚀 \n'.encode() * 20)
    spool.write('end\n')
    assert spool.rolled_over == (max_size < 1 << 20)
    assert _copied(spool) == (('head\nplain, ' + 'é ✓ 🚀 \n' * 20 + 'end\ntail\n').encode(), 2)
    spool.close()


@pytest.mark.parametrize('max_size', [0, 1 << 20])
def test_a_spool_that_may_hold_lone_surrogates_is_copied_as_text(max_size: int) -> None:
    spool = output.Spool(max_size)
    spool.write_utf8('é '.encode())
    spool.write('lone \udc80 surrogate\n')
    copied, texts = _copied(spool)
    assert copied == 'head\né lone \\udc80 surrogate\ntail\n'.encode()
    assert texts > 2
    spool.close()


def test_a_spool_is_copied_as_text_onto_a_stream_in_another_encoding() -> None:
    spool = output.Spool(1 << 20)
    spool.write_utf8('é ✓\n'.encode())
    assert _copied(spool, 'latin-1')[0] == b'head\n\xe9 \\u2713\ntail\n'
    spool.close()


def test_the_spool_is_read_in_chunks_across_its_roll_over() -> None:
    spool = output.Spool(10)
    spool.write('a' * 8)
    spool.write('b' * 8)
    spool.write('c' * 8)
    assert spool.rolled_over
    spool.seek(0)
    assert [spool.read(10), spool.read(10), spool.read(10), spool.read(10)] == [
        'a' * 8 + 'bb', 'b' * 6 + 'cccc', 'c' * 4, '',
    ]
    spool.close()


class _Interrupting(io.BytesIO):
    def write(self, data: object) -> int:
        raise KeyboardInterrupt


def test_a_spool_interrupted_as_it_rolls_over_still_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C while check's report went to its temporary file made the report's
    # close fail ('underlying buffer has been detached'): an internal error in
    # place of the interrupt
    import tempfile

    spool = output.Spool(10)
    spool.write('a' * 8)
    monkeypatch.setattr(tempfile, 'TemporaryFile', lambda *args, **kwargs: io.TextIOWrapper(_Interrupting()))
    with pytest.raises(KeyboardInterrupt):
        spool.write('b' * 8)
    spool.close()


# -- copying a rolled-over spool: by the kernel where it can ---------------------------

ROLLED = ('é ✓ 🚀 \n' * 40).encode()


def _rolled_over_spool() -> output.Spool:
    spool = output.Spool(10)
    spool.write('plain, ')
    spool.write_utf8(ROLLED)
    spool.write('end\n')
    assert spool.rolled_over
    return spool


def _copied_onto_a_file(spool: output.Spool, path: Path) -> bytes:
    with open(path, 'w', encoding='utf-8') as out:
        out.write('head\n')
        spool.copy_to(out)
        out.write('tail\n')
    return path.read_bytes()


EXPECTED = b'head\nplain, ' + ROLLED + b'end\ntail\n'


def test_a_rolled_over_spool_is_sent_by_the_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[int] = []
    real = os.sendfile

    def counted(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        sent.append(count)
        return real(out_fd, in_fd, offset, count)

    monkeypatch.setattr(os, 'sendfile', counted)
    spool = _rolled_over_spool()
    assert _copied_onto_a_file(spool, tmp_path / 'out') == EXPECTED
    assert sent == [len(EXPECTED) - len('head\ntail\n')]
    spool.close()


def test_a_rolled_over_spool_is_sent_onto_a_pipe() -> None:
    spool = _rolled_over_spool()
    read_end, write_end = os.pipe()
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(_read_all(read_end)))
    reader.start()
    with open(write_end, 'w', encoding='utf-8') as out:
        out.write('head\n')
        spool.copy_to(out)
        out.write('tail\n')
    reader.join()
    assert received == [EXPECTED]
    spool.close()


def _read_all(fd: int) -> bytes:
    with open(fd, 'rb') as f:
        return f.read()


@pytest.mark.parametrize('code', [errno.EINVAL, errno.ENOSYS, errno.EAGAIN])
@pytest.mark.parametrize('before', [0, 1, 100])
def test_what_the_kernel_does_not_send_is_copied_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     code: int, before: int) -> None:
    # a terminal or special file refuses sendfile; a non-blocking pipe may take part of it
    real = os.sendfile
    calls: list[int] = []

    def partial(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        calls.append(offset)
        if len(calls) == 1 and before:
            return real(out_fd, in_fd, offset, min(count, before))
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, 'sendfile', partial)
    spool = _rolled_over_spool()
    assert _copied_onto_a_file(spool, tmp_path / 'out') == EXPECTED
    assert len(calls) == (2 if before else 1)
    spool.close()


def test_a_reader_that_went_away_is_an_error_as_when_writing() -> None:
    spool = _rolled_over_spool()
    read_end, write_end = os.pipe()
    os.close(read_end)
    out = open(write_end, 'w', encoding='utf-8')  # noqa: SIM115 (closed below)
    with pytest.raises(BrokenPipeError):
        spool.copy_to(out)
    with contextlib.suppress(BrokenPipeError):
        out.close()
    spool.close()
