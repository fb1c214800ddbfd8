"""Signatures verified in a forked worker give exactly what verifying them
here gives, in the order asked; a worker that dies fails the check (exit 2),
never passes it; a few signatures never pay for a fork."""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import change_of
from testing.approvals import entry
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.approvals import write_ledger
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.sshkeys import sign_many
from testing.util import GIT_ENV
from testing.util import STRIPPED
from trailgate import gather
from trailgate.approvals import records
from trailgate.approvals import sshsig
from trailgate.approvals import verifier
from trailgate.approvals.cache import CACHE_FILE
from trailgate.main import main


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Key, Key]:
    directory = tmp_path_factory.mktemp('keys')
    return make_key(directory, 'alice'), make_key(directory, 'bob')


@pytest.fixture(scope='module')
def requests(keys: tuple[Key, Key], tmp_path_factory: pytest.TempPathFactory) -> list[verifier.Request]:
    """Valid signatures, and each kind of invalid one, interleaved."""
    changes = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(12)]
    payloads = [records.payload(change, 'alice@example.com') for change in changes]
    signatures = sign_many(keys[0], records.NAMESPACE, payloads, tmp_path_factory.mktemp('signed'))
    in_git = sign_many(keys[1], 'git', payloads[:2], tmp_path_factory.mktemp('git'))
    tampered = sshsig.dearmor(signatures[0])
    tampered = tampered[:-3] + bytes([tampered[-3] ^ 1]) + tampered[-2:]
    found: list[verifier.Request] = list(zip(payloads, signatures, strict=True))
    found[3] = (payloads[4], signatures[3])  # a valid signature of another payload
    found[5] = (payloads[5], sshsig.armor(tampered))
    found[7] = (payloads[7], in_git[0])
    found[9] = (payloads[9], 'not armour at all\n')
    return found


def here(requests: list[verifier.Request]) -> list[verifier.Result]:
    return [verifier.verify_one(message, armored, records.NAMESPACE) for message, armored in requests]


@contextlib.contextmanager
def forks_counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    forked: list[int] = []
    real = os.fork

    def counted() -> int:
        pid = real()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, 'fork', counted)
    yield forked


def test_the_worker_answers_as_verifying_here_does_in_order(requests: list[verifier.Request],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    expected = here(requests)
    assert sum(isinstance(result, bytes) for result in expected) == 8  # the mix is as meant
    with forks_counted(monkeypatch) as forked:
        verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
        try:
            batches = [verifying.submit(requests[start:start + 4]) for start in range(0, len(requests), 4)]
            results = [result for batch in batches for result in batch()]
        finally:
            verifying.close()
    assert results == expected
    assert len(forked) == 1


def test_a_few_signatures_are_verified_here_without_a_fork(requests: list[verifier.Request],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with forks_counted(monkeypatch) as forked:
        verifying = verifier.Verifier(records.NAMESPACE)
        assert len(requests) < verifier.FORK_THRESHOLD
        results = verifying.submit(requests)()
        verifying.close()
    assert results == here(requests)
    assert forked == []


def dies_in_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verifying kills the worker (a fork of this process); here it would be a failed test."""
    parent = os.getpid()

    def dying(*args: Any) -> verifier.Result:
        if os.getpid() != parent:
            os._exit(3)
        raise AssertionError('verified outside the worker')

    monkeypatch.setattr(verifier, 'verify_one', dying)


def worker_fails(requests: list[verifier.Request], match: str) -> None:
    """Verifying ``requests`` in a worker fails with ``match``; the worker is closed."""
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        pending = verifying.submit(requests)
        with pytest.raises(verifier.VerifierError, match=match):
            pending()
    finally:
        verifying.close()


def test_a_worker_that_dies_fails_closed(requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    dies_in_the_worker(monkeypatch)
    worker_fails(requests, 'stopped before it answered')


def in_the_worker(monkeypatch: pytest.MonkeyPatch, then: Callable[[], object]) -> None:
    """Verifying runs ``then`` in the worker, then verifies as usual."""
    parent = os.getpid()
    real = verifier.verify_one

    def verify(message: bytes, armored: str, namespace: str) -> verifier.Result:
        if os.getpid() != parent:
            then()
        return real(message, armored, namespace)

    monkeypatch.setattr(verifier, 'verify_one', verify)


def stops_itself() -> None:
    os.kill(os.getpid(), signal.SIGSTOP)


def sleeps_for_good() -> None:
    time.sleep(3600)


def works_for_a_while() -> None:
    """Busy for 20 million steps of Python: far longer (a third of a second on
    a fast machine, more on a slower one) than the tenth of a second of looks
    that ``few_looks`` gives a worker unable to progress."""
    for _ in range(20_000_000):
        pass


@contextlib.contextmanager
def few_looks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Looks every 20 ms, 5 in a row: a worker unable to progress fails the
    check in a tenth of a second. The forked workers; any still alive after
    30 s is killed (the code before the looks waited on one for ever)."""
    monkeypatch.setattr(verifier, 'LOOK_EVERY', 0.02)
    monkeypatch.setattr(verifier, 'STALLED_LOOKS', 5)
    with forks_counted(monkeypatch) as forked:
        rescue = threading.Timer(30, lambda: [os.kill(pid, signal.SIGKILL) for pid in forked])
        rescue.start()
        try:
            yield forked
        finally:
            rescue.cancel()


@pytest.mark.parametrize('stuck', [stops_itself, sleeps_for_good], ids=['stopped', 'asleep'])
def test_a_worker_unable_to_progress_fails_closed_and_is_ended(
        requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch, stuck: Callable[[], None]) -> None:
    in_the_worker(monkeypatch, stuck)
    with few_looks(monkeypatch) as forked:
        worker_fails(requests, 'stopped making progress')
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(forked[0], os.WNOHANG)


def test_without_proc_a_stopped_worker_fails_closed_and_is_ended(
        requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    """Where /proc cannot be read (not Linux), waitpid says the worker is stopped."""
    monkeypatch.setattr(verifier, '_process_state', lambda pid: None)
    test_a_worker_unable_to_progress_fails_closed_and_is_ended(requests, monkeypatch, stops_itself)


def test_without_proc_a_worker_reaped_while_looked_at_is_not_waited_for_again(
        requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    """A look through waitpid at a worker that has died reaps it: the check
    still fails closed, and closing neither waits for it again nor signals
    a pid that is no longer its own."""
    monkeypatch.setattr(verifier, '_process_state', lambda pid: None)
    dies_in_the_worker(monkeypatch)
    signalled: list[int] = []
    monkeypatch.setattr(os, 'kill', lambda pid, sig: signalled.append(pid))
    with forks_counted(monkeypatch) as forked:
        verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
        pending = verifying.submit(requests)
        os.waitid(os.P_PID, forked[0], os.WEXITED | os.WNOWAIT)  # it has died, not yet reaped
        worker = verifying._worker
        assert worker is not None and not worker._progress.stalled()  # the look reaps it
        with pytest.raises(verifier.VerifierError, match='stopped before it answered'):
            pending()
        verifying.close()
    assert signalled == []


def test_a_worker_that_works_is_waited_for_however_long_it_takes(
        requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = here(requests)
    in_the_worker(monkeypatch, works_for_a_while)
    with few_looks(monkeypatch):
        verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
        try:
            assert verifying.submit(requests[:2])() == expected[:2]
        finally:
            verifying.close()


# -- through the gate -----------------------------------------------------------


def _check(repo: Path, monkeypatch: pytest.MonkeyPatch, threshold: int, *args: str) -> tuple[int, str, str]:
    """``trailgate check`` in this process (so the worker's settings apply), its cache removed first."""
    (repo / '.git' / CACHE_FILE).unlink(missing_ok=True)
    with pytest.MonkeyPatch.context() as m:
        m.chdir(repo)
        for key in STRIPPED:
            m.delenv(key, raising=False)
        for key, value in GIT_ENV.items():
            m.setenv(key, value)
        m.setattr(verifier, 'FORK_THRESHOLD', threshold)
        m.setattr(sys, 'stdin', io.StringIO(''))
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(['check', '--format', 'json', *args])
    return code, stdout.getvalue(), stderr.getvalue()


def _history(tmp_path: Path, keys: tuple[Key, Key]) -> tuple[Path, str]:
    alice, bob = keys
    repo = new_repo(tmp_path / 'repo', signed_policy(), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', alice), ('bob@example.com', bob))})
    base = repo.head()
    blobs: dict[str, bytes] = {}
    for number in range(6):
        repo.commit_ok(message(f'Change {number}', ASSISTED), {CRITICAL: f'x = {number}\n'}, verify=False)
        change = change_of(repo)
        blobs.update(entry(alice, change, 'alice@example.com'))
        if number % 2 == 0:  # every other change has its second approval
            blobs.update(entry(bob, change, 'bob@example.com'))
        if number == 3:  # and one signed by bob in git's namespace, which counts for nothing
            blobs.update(entry(bob, change, 'bob@example.com', namespace='git'))
    write_ledger(repo, blobs)
    return repo.path, base


def test_check_judges_the_same_with_the_worker(tmp_path: Path, keys: tuple[Key, Key],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base = _history(tmp_path, keys)
    here_code, here_out, _ = _check(repo, monkeypatch, 10_000, f'{base}..HEAD')
    with forks_counted(monkeypatch) as forked:
        worker_code, worker_out, _ = _check(repo, monkeypatch, 1, f'{base}..HEAD')
    assert len(forked) == 1
    assert (worker_code, worker_out) == (here_code, here_out)
    assert here_code == 1 and here_out.count('"sha"') >= 6


def test_check_exits_2_when_the_worker_dies(tmp_path: Path, keys: tuple[Key, Key],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base = _history(tmp_path, keys)
    dies_in_the_worker(monkeypatch)
    code, out, err = _check(repo, monkeypatch, 1, f'{base}..HEAD')
    assert code == 2, (out, err)
    assert 'stopped before it answered' in err


def test_check_exits_2_when_the_worker_is_stopped(tmp_path: Path, keys: tuple[Key, Key],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base = _history(tmp_path, keys)
    in_the_worker(monkeypatch, stops_itself)
    with few_looks(monkeypatch) as forked:
        code, out, err = _check(repo, monkeypatch, 1, f'{base}..HEAD')
    assert code == 2, (out, err)
    assert 'stopped making progress' in err and 'nothing was allowed through' in err
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)


def _diff_tree_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH runs git through a wrapper that logs each call; the log."""
    log = tmp_path / 'git-calls.log'
    wrappers = tmp_path / 'wrappers'
    wrappers.mkdir()
    real = shutil.which('git')
    assert real
    (wrappers / 'git').write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    (wrappers / 'git').chmod(0o755)
    monkeypatch.setenv('PATH', f'{wrappers}{os.pathsep}{os.environ["PATH"]}')
    return log


@pytest.mark.parametrize('chunk', [1, 2, 4])
def test_chunks_in_flight_judge_as_one_chunk_does_with_one_diff_tree(
        tmp_path: Path, keys: tuple[Key, Key], monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Several chunks in flight (git asked for patches and records ahead, the
    worker verifying, this process judging) give what one chunk gives, and
    one git diff-tree computes every change id of the range."""
    repo, base = _history(tmp_path, keys)
    one_code, one_out, _ = _check(repo, monkeypatch, 1, f'{base}..HEAD')
    log = _diff_tree_calls(tmp_path, monkeypatch)
    monkeypatch.setattr(gather, 'SIGNED_CHUNK', chunk)
    code, out, _ = _check(repo, monkeypatch, 1, f'{base}..HEAD')
    assert (code, out) == (one_code, one_out)
    assert code == 1 and out.count('"sha"') >= 6
    calls = log.read_text().splitlines()
    assert len([call for call in calls if ' diff-tree ' in f' {call} ']) == 1, calls


def test_a_worker_left_with_unread_answers_is_stopped(requests: list[verifier.Request],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that stops early (an error, or a reader that stops reading) closes
    the verifier with answers unread: the worker ends, and is reaped."""
    with forks_counted(monkeypatch) as forked:
        verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
        first = verifying.submit(requests)
        for _ in range(20):  # far more than the pipes hold, never read
            verifying.submit(requests * 10)
        assert first() == here(requests)
        verifying.close()
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)


# -- the two cores balanced ---------------------------------------------------------


def test_this_process_verifies_the_end_of_a_batch_while_a_slow_worker_works(
        requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker slower than this process: after the first batch, this process
    takes the end of each batch; every result comes back once, in order."""
    expected = here(requests)
    parent = os.getpid()
    verified_here: list[bytes] = []
    real = verifier.verify_one

    def slow_in_the_worker(message: bytes, armored: str, namespace: str) -> verifier.Result:
        if os.getpid() != parent:
            time.sleep(0.02)
        else:
            verified_here.append(message)
        return real(message, armored, namespace)

    monkeypatch.setattr(verifier, 'verify_one', slow_in_the_worker)
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        batches = [verifying.submit(requests)() for _ in range(3)]
    finally:
        verifying.close()
    assert batches == [expected] * 3
    assert verified_here, 'this process waited for the worker and verified nothing itself'
    assert len(verified_here) <= len(requests)  # at most half of each of the two later batches
    assert verified_here[-1] == requests[-1][0]  # the end of a batch, not its start


def test_the_share_follows_who_waited() -> None:
    share = verifier.Share()
    assert share.local_count(1000) == 0  # nothing before anything is known
    share.measured(10, 0.001)  # 100 us a signature here
    share.after(1000, waited=0.016, idle=0.0)  # waited for 160 signatures: takes a quarter, 40
    assert share.local_count(1000) == 40
    share.after(1000, waited=0.0, idle=0.008)  # the worker waited for 80: gives back 20
    assert share.local_count(1000) == 20
    share.after(1000, waited=1.0, idle=0.0)  # a long stall moves it one step only
    assert share.local_count(1000) == 120
    for _ in range(10):
        share.after(1000, waited=1.0, idle=0.0)
    assert share.local_count(1000) == 500  # never more than the worker's own
    for _ in range(10):
        share.after(1000, waited=0.0, idle=1.0)
    assert share.local_count(1000) == 0
    assert verifier.Share(0.9).local_count(1000) == 500


def lies_in_the_worker(monkeypatch: pytest.MonkeyPatch, answer: Callable[[int], bytes]) -> None:
    """The worker answers each batch with ``answer(count)`` instead of its results."""
    def serve(requests_fd: int, answers_fd: int, namespace: str) -> None:
        with os.fdopen(requests_fd, 'rb') as requests, os.fdopen(answers_fd, 'wb') as answers:
            header = requests.read(4)
            answers.write(answer(struct.unpack('>I', header)[0]))

    monkeypatch.setattr(verifier, '_serve', serve)


KEY = b'\0\0\0\x0bssh-ed25519' + b'\0\0\0\x20' + bytes(32)


@pytest.mark.parametrize('answer', [
    pytest.param(lambda count: struct.pack('>III', count + 1, 0, 0), id='another-count'),
    pytest.param(lambda count: struct.pack('>III', count, 1 << 31, 0), id='too-large'),
    pytest.param(lambda count: struct.pack('>III', count, 4, 0) + b'\0\0\0\0', id='too-few-answers'),
    pytest.param(lambda count: (struct.pack('>III', count, count * (5 + len(KEY)) + 1, 0)
                                + (b'\0' + struct.pack('>I', len(KEY)) + KEY) * count + b'\0'), id='trailing-byte'),
    pytest.param(lambda count: (struct.pack('>III', count, count * (5 + len(KEY)), 0)
                                + (b'\2' + struct.pack('>I', len(KEY)) + KEY) * count), id='unknown-status'),
    pytest.param(lambda count: (struct.pack('>III', count, count * (5 + len(KEY)), 0)
                                + (b'\0' + struct.pack('>I', len(KEY) + 1) + KEY) * count), id='answer-past-the-end'),
    pytest.param(lambda count: struct.pack('>II', count, 0), id='cut-short'),
    # every answer whole, but the frame ends a byte before the size its header gives
    pytest.param(lambda count: (struct.pack('>III', count, count * (5 + len(KEY)) + 1, 0)
                                + (b'\0' + struct.pack('>I', len(KEY)) + KEY) * count), id='body-cut-short'),
])
def test_a_worker_that_answers_nonsense_fails_closed(requests: list[verifier.Request],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     answer: Callable[[int], bytes]) -> None:
    lies_in_the_worker(monkeypatch, answer)
    worker_fails(requests, 'nothing was allowed through')


def test_a_well_formed_frame_is_read(requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the test above: the same framing, well formed, is accepted."""
    lies_in_the_worker(monkeypatch, lambda count: (struct.pack('>III', count, count * (5 + len(KEY)), 0)
                                                   + (b'\0' + struct.pack('>I', len(KEY)) + KEY) * count))
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        assert verifying.submit(requests)() == [KEY] * len(requests)
    finally:
        verifying.close()


# -- the bounds, held at their values -------------------------------------------


@pytest.mark.parametrize(('count', 'forks'), [(verifier.FORK_THRESHOLD - 1, 0), (verifier.FORK_THRESHOLD, 1)])
def test_a_worker_starts_at_the_threshold_never_below(monkeypatch: pytest.MonkeyPatch, count: int, forks: int) -> None:
    assert verifier.FORK_THRESHOLD == 256
    unsigned = [(b'message', 'no signature')] * count
    with forks_counted(monkeypatch) as forked:
        verifying = verifier.Verifier(records.NAMESPACE)
        try:
            results = verifying.submit(unsigned)()
        finally:
            verifying.close()
    assert len(forked) == forks
    assert results == [verifier.verify_one(b'message', 'no signature', records.NAMESPACE)] * count


def test_a_worker_is_stalled_after_twenty_looks_in_a_row_at_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    assert verifier.STALLED_LOOKS == 20
    monkeypatch.setattr(verifier, '_process_state', lambda pid: ('S', 7))  # asleep, the same CPU time at every look
    progress = verifier._Progress(os.getpid())
    assert not progress.stalled()  # the first look has no CPU time to compare with: it finds the worker working
    assert [progress.stalled() for _ in range(20)] == [False] * 19 + [True]


def _answers(count: int, sizes: list[int]) -> bytes:
    """A result frame of ``count`` valid-looking answers, the nth ``sizes[n]`` bytes of key blob."""
    body = b''.join(b'\0' + struct.pack('>I', sizes[n]) + bytes(sizes[n]) for n in range(count))
    return struct.pack('>III', count, len(body), 0) + body


@pytest.mark.parametrize(('past', 'accepted'), [(0, True), (1, False)], ids=['at-the-bound', 'one-past'])
def test_a_result_frame_is_read_up_to_its_bound(requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch,
                                                past: int, accepted: bool) -> None:
    """At most 5 + 2**17 bytes an answer, over the whole frame: one answer may be larger when others are smaller."""
    most = 1 << 17
    assert most + 5 == verifier._MOST_PER_ANSWER
    sizes = [most + past, *([most] * (len(requests) - 1))]
    lies_in_the_worker(monkeypatch, lambda count: _answers(count, sizes))
    if not accepted:
        worker_fails(requests, 'nothing was allowed through')
        return
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        assert verifying.submit(requests)() == [bytes(size) for size in sizes]
    finally:
        verifying.close()


def test_without_a_process_to_fork_signatures_are_verified_here(requests: list[verifier.Request],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed fork leaves no descriptor open, and is not tried again."""
    tries: list[int] = []

    def no_fork() -> int:
        tries.append(1)
        raise OSError(11, 'no process to be had')

    monkeypatch.setattr(os, 'fork', no_fork)
    descriptors = os.listdir('/proc/self/fd')
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        assert verifying.submit(requests)() == here(requests)
        assert verifying.submit(requests)() == here(requests)
    finally:
        verifying.close()
    assert tries == [1]
    assert os.listdir('/proc/self/fd') == descriptors


# -- asked for wrongly ----------------------------------------------------------


def test_results_asked_for_out_of_order_fail(requests: list[verifier.Request]) -> None:
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        verifying.submit(requests[:2])
        second = verifying.submit(requests[2:4])
        with pytest.raises(verifier.VerifierError, match='out of order'):
            second()
    finally:
        verifying.close()


def test_results_asked_for_after_close_never_read_what_holds_the_descriptor_now(
        requests: list[verifier.Request]) -> None:
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    pending = verifying.submit(requests)
    worker = verifying._worker
    assert worker is not None
    verifying.close()
    read, write = os.pipe()
    try:
        os.dup2(read, worker._answers)  # the closed descriptor's number, given to another file
        os.write(write, struct.pack('>III', len(requests), len(requests) * (5 + len(KEY)), 0)
                 + (b'\0' + struct.pack('>I', len(KEY)) + KEY) * len(requests))
        with pytest.raises(verifier.VerifierError, match='stopped before it answered'):
            pending()
    finally:
        for fd in {read, write, worker._answers}:
            os.close(fd)


def test_a_batch_sent_to_a_dead_worker_fails_the_check_and_nothing_else(
        requests: list[verifier.Request], monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer finds the worker's end of the pipe closed: it stops, without an error of its own."""
    dies_in_the_worker(monkeypatch)
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, 'excepthook', lambda found: failures.append(found.exc_value))
    verifying = verifier.Verifier(records.NAMESPACE, threshold=1)
    try:
        first = verifying.submit(requests)
        with pytest.raises(verifier.VerifierError, match='stopped before it answered'):
            first()
        verifying.submit(requests)
    finally:
        verifying.close()
    assert failures == []


def test_an_answer_may_be_empty_at_the_end_of_a_frame() -> None:
    """A reason (or a blob) of no bytes is still an answer, last in its frame too."""
    stopped = 'stopped'
    body = b'\0' + struct.pack('>I', len(KEY)) + KEY + b'\1' + struct.pack('>I', 0)
    assert verifier._parse_answers(body, 2, stopped) == [KEY, '']
    assert verifier._parse_answers(b'\0' + struct.pack('>I', 0), 1, stopped) == [b'']
    with pytest.raises(verifier.VerifierError, match='stopped'):
        verifier._parse_answers(body[:-1], 2, stopped)
