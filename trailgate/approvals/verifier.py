"""Checking many SSH signatures of approval records, on the second core when
there are enough of them to pay for it.

A cold ``check`` of a long history verifies tens of thousands of
signatures, about 60 us of ed25519 arithmetic each, while the rest of the
check (reading commits, computing change ids, judging) waits. Above
``FORK_THRESHOLD`` signatures in one request, a forked worker process
verifies them, fed batches through a pipe while this process reads and
judges the next chunk of history; answers come back in the order asked.
Below it, or where ``os.fork`` is missing, they are verified here.

A worker that owes an answer is either working (running, using CPU) or
cannot answer at all. While waiting, this process looks at it every
``LOOK_EVERY`` seconds; after ``STALLED_LOOKS`` looks in a row that found
it unable to progress (stopped by a signal, or asleep without having used
any CPU since the look before), the check fails. The bound counts looks
at a worker that did nothing, never the time it takes: a slow machine's
worker is running or runnable when looked at, and a stop of the whole
check (Ctrl-Z, a suspended VM) costs no look while this process is
stopped too.

The worker only verifies: that a signature is valid in trailgate's
namespace, and with which key. Who that key may approve for is judged by
the caller against the trusted allowed-signers file, as for a signature
verified here. A worker that dies or answers anything malformed fails the
check (``VerifierError``, exit 2): never a pass.
"""
from __future__ import annotations

import contextlib
import gc
import os
import queue
import select
import signal
import struct
import threading
import time
import warnings
from collections.abc import Callable
from collections.abc import Sequence
from typing import IO

from trailgate import git
from trailgate.approvals import sshsig
from trailgate.errors import FatalError

FORK_THRESHOLD = 256  # signatures in one request before a worker is started
LOOK_EVERY = 0.5  # seconds between looks at a worker that owes an answer
STALLED_LOOKS = 20  # looks in a row at a worker unable to progress before the check fails
_U32 = struct.Struct('>I')
# a result frame: the number of answers, the size of what follows, and how long (in
# microseconds) the worker waited for the batch after answering the one before
_HEADER = struct.Struct('>III')
_MOST_PER_ANSWER = 5 + (1 << 17)  # status, size, and a key blob or a reason: far more than either takes
_OK, _BAD = b'\0', b'\1'

Result = bytes | str  # the signing key's blob, or why the signature is not valid
Request = tuple[bytes, str]  # (the signed message, its armoured signature)


class VerifierError(FatalError):
    """The worker verifying signatures stopped or answered nonsense."""


def verify_one(message: bytes, armored: str, namespace: str) -> Result:
    try:
        return sshsig.verify(message, armored, namespace).public_key
    except sshsig.SignatureError as e:
        return str(e)


class Verifier:
    """Verifies batches of signatures in ``namespace``; ``submit`` returns a
    function that gives the batch's results, in order, when called."""

    def __init__(self, namespace: str, threshold: int | None = None, share: float = 0.0) -> None:
        """``share``: the part of the first batch verified here, while the worker
        verifies the rest (``Share.MOST`` for a caller with nothing else to do)."""
        self.namespace = namespace
        self.threshold = FORK_THRESHOLD if threshold is None else threshold
        self.share = share
        self._worker: _Worker | None = None
        self._may_fork = hasattr(os, 'fork')

    def submit(self, requests: Sequence[Request]) -> Callable[[], list[Result]]:
        if self._worker is None and self._may_fork and len(requests) >= self.threshold:
            try:
                self._worker = _Worker(self.namespace, self.share)
            except OSError:  # no process to be had: verify here, as for a few
                self._may_fork = False
        if self._worker is None:
            namespace = self.namespace
            return lambda: verify_here(requests, namespace)
        return self._worker.submit(requests)

    def close(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.close()


def verify_here(requests: Sequence[Request], namespace: str) -> list[Result]:
    return [verify_one(message, armored, namespace) for message, armored in requests]


class Share:
    """How much of each batch this process verifies itself, from the end of
    the batch, while the worker verifies the rest: the two cores balanced.

    Starts at what the caller says (nothing, by default). After each batch
    it moves by the difference between the time this process waited for
    the worker's answers and the time the worker waited for the batch (it
    says how long), in signatures: half of that difference would balance
    the two if every batch took as long as the last, a quarter is taken,
    and never more than ``MOST_STEP`` of a batch at once, so that a
    moment's stall on a busy machine does not swing the split. Only the
    split depends on timing, never a result: each signature is verified
    once, here or there, the same way.
    """

    MOST = 0.5  # the worker always has as much as this process
    MOST_STEP = 0.1
    FIRST_COST = 70e-6  # seconds per signature here until one is measured

    def __init__(self, fraction: float = 0.0) -> None:
        self.fraction = min(self.MOST, max(0.0, fraction))
        self.cost = self.FIRST_COST

    def local_count(self, size: int) -> int:
        return int(size * self.fraction)

    def measured(self, count: int, seconds: float) -> None:
        if count:
            self.cost = seconds / count

    def after(self, size: int, waited: float, idle: float) -> None:
        """Adjust for the next batch, after one of ``size`` signatures for
        which this process waited ``waited`` seconds and the worker ``idle``."""
        if size:
            step = (waited - idle) / 4 / self.cost / size
            self.fraction += min(self.MOST_STEP, max(-self.MOST_STEP, step))
            self.fraction = min(self.MOST, max(0.0, self.fraction))


class _Worker:
    """A forked process that answers request frames with result frames."""

    def __init__(self, namespace: str, share: float = 0.0) -> None:
        # load what the child needs before forking: it must import nothing
        sshsig.load_backend()
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        git.widen_pipe(requests_write)
        git.widen_pipe(answers_write)
        try:
            with warnings.catch_warnings():
                # the worker touches nothing another thread of this process may hold
                # (no imports, no logging, no stdio): the multi-threaded fork warning does not apply
                warnings.simplefilter('ignore', DeprecationWarning)
                pid = os.fork()
        except OSError:
            for fd in (requests_read, requests_write, answers_read, answers_write):
                os.close(fd)
            raise
        if pid == 0:  # the child: serve, then leave without running anything of the parent's
            status = 1
            try:
                _keep_only(requests_read, answers_write)
                _serve(requests_read, answers_write, namespace)
                status = 0
            finally:
                os._exit(status)
        os.close(requests_read)
        os.close(answers_write)
        self.pid = pid
        self.namespace = namespace
        self.share = Share(share)
        self._requests: IO[bytes] = os.fdopen(requests_write, 'wb')
        self._answers = answers_read  # read unbuffered: polling it says whether an answer is there
        self._progress = _Progress(pid)
        self._closed = False
        self._expected: list[int] = []  # the number of signatures sent to the worker, per batch
        self._read_count = 0  # batches whose results were read
        # one thread writes the frames, in order, so that submitting never waits
        # for the worker (which waits for its answers to be read)
        self._frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._writer.start()

    def submit(self, requests: Sequence[Request]) -> Callable[[], list[Result]]:
        local = self.share.local_count(len(requests))
        sent, kept = requests[:len(requests) - local], requests[len(requests) - local:]
        self._frames.put(_request_frame(sent))
        self._expected.append(len(sent))
        position = len(self._expected) - 1
        return lambda: self._results(position, kept)

    def _write(self) -> None:
        while True:
            frame = self._frames.get()
            if frame is None:
                return
            try:
                self._requests.write(frame)
                self._requests.flush()
            except (OSError, ValueError):
                return  # the worker is gone: reading its answers says so

    def _results(self, position: int, kept: Sequence[Request]) -> list[Result]:
        """The worker's answers for batch ``position``, then this process's own
        for the end of the batch it kept, verified while the worker works."""
        if position != self._read_count:
            raise VerifierError('signature results were asked for out of order')
        started = time.perf_counter()
        here = verify_here(kept, self.namespace)
        self.share.measured(len(kept), time.perf_counter() - started)
        waited = self._wait_for_answers()
        results, idle = self._read_batch(self._expected[position])
        self.share.after(len(results) + len(here), waited, idle)
        self._read_count += 1
        return results + here

    def _wait_for_answers(self) -> float:
        """Seconds spent waiting for the worker's next answer to start (0: it was there)."""
        if self._closed:
            raise VerifierError(self._stopped())
        poller = select.poll()
        poller.register(self._answers, select.POLLIN)
        if poller.poll(0):
            return 0.0
        started = time.perf_counter()
        self._wait_readable(poller)
        return max(time.perf_counter() - started, 1e-9)

    def _wait_readable(self, poller: select.poll) -> None:
        """Until the answers pipe can be read (an answer, or its end), looking
        at the worker meanwhile: VerifierError once it has long been unable
        to give one."""
        self._progress.restart()
        while not poller.poll(int(LOOK_EVERY * 1000)):
            if self._progress.stalled():
                raise VerifierError(
                    'the process verifying approval signatures stopped making progress (stopped or '
                    'stuck) before it answered; nothing was allowed through')

    def _read_batch(self, count: int) -> tuple[list[Result], float]:
        """The worker's answers to a batch of ``count``, and how long it was idle before it."""
        header = self._read_exactly(_HEADER.size)
        if len(header) != _HEADER.size:
            raise VerifierError(self._stopped())
        answered, size, idle = _HEADER.unpack(header)
        if answered != count or size > count * _MOST_PER_ANSWER:
            raise VerifierError(self._stopped())
        body = self._read_exactly(size)
        if len(body) != size:
            raise VerifierError(self._stopped())
        return _parse_answers(body, count, self._stopped()), idle / 1e6

    def _read_exactly(self, size: int) -> bytes:
        parts = []
        remaining = size
        poller = select.poll()
        poller.register(self._answers, select.POLLIN)
        while remaining:
            self._wait_readable(poller)
            try:
                part = os.read(self._answers, min(remaining, 1 << 20))
            except OSError:
                part = b''
            if not part:
                break
            parts.append(part)
            remaining -= len(part)
        return b''.join(parts)

    def _stopped(self) -> str:
        return ('the process verifying approval signatures stopped before it answered; '
                'nothing was allowed through')

    def close(self) -> None:
        """Stop the worker, even one busy answering what will not be read, or
        stopped, or stuck: it is killed (it holds nothing to finish), which
        also ends the writer thread's wait on a request pipe it filled."""
        if not self._closed:
            self._closed = True
            os.close(self._answers)
        if not self._progress.reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self._frames.put(None)
        self._writer.join()
        with contextlib.suppress(OSError):
            self._requests.close()


class _Progress:
    """Looks at a worker that owes an answer: whether it has long been unable
    to progress. Linux's /proc says whether it runs and what CPU it used;
    elsewhere ``waitpid`` says only whether it is stopped by a signal, so a
    stuck one is waited for there."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.looks = 0  # looks in a row that found the worker unable to progress
        self.cpu: int | None = None
        self.stopped = False  # without /proc: waitpid reported a stop and no continue since
        self.reaped = False  # without /proc: waitpid reaped it (it ended), so its pid is no longer its own

    def restart(self) -> None:
        self.looks = 0
        self.cpu = None

    def stalled(self) -> bool:
        """Look once more; True after ``STALLED_LOOKS`` looks in a row at a
        worker neither running nor runnable nor in the kernel, that used no CPU since."""
        state, cpu = _process_state(self.pid) or (self._state_from_waitpid(), None)
        working = state in ('R', 'D') or cpu != self.cpu  # the first look finds it working
        self.cpu = cpu
        self.looks = 0 if working else self.looks + 1
        return self.looks >= STALLED_LOOKS

    def _state_from_waitpid(self) -> str:
        """'T' while the worker is stopped by a signal, else 'R'."""
        if self.reaped:
            return 'R'  # its answers pipe is at its end: the wait ends there
        pid, status = os.waitpid(self.pid, os.WNOHANG | os.WUNTRACED | os.WCONTINUED)
        if pid and os.WIFSTOPPED(status):
            self.stopped = True
        elif pid and os.WIFCONTINUED(status):
            self.stopped = False
        elif pid:
            self.reaped = True
        return 'T' if self.stopped else 'R'


def _process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, CPU clock ticks used) of a process, from Linux's
    /proc/PID/stat; None where it cannot be read."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            stat = f.read()
        fields = stat[stat.rindex(b')') + 2:].split()  # after the command name, which may hold anything
        return fields[0].decode('ascii'), int(fields[11]) + int(fields[12])  # state, utime + stime
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None


def _parse_answers(body: bytes, count: int, stopped: str) -> list[Result]:
    """A result frame's body, exactly: ``count`` answers and nothing after them."""
    results: list[Result] = []
    position = 0
    for _ in range(count):
        if position + 5 > len(body) or body[position:position + 1] not in (_OK, _BAD):
            raise VerifierError(stopped)
        ok = body[position:position + 1] == _OK
        (size,) = _U32.unpack_from(body, position + 1)
        start, position = position + 5, position + 5 + size
        if position > len(body):
            raise VerifierError(stopped)
        data = body[start:position]
        results.append(data if ok else data.decode('utf-8', 'replace'))
    if position != len(body):
        raise VerifierError(stopped)
    return results


def _keep_only(*kept: int) -> None:
    """In the worker: close every descriptor but stdio and ``kept`` (the
    parent's pipes to git must not stay open in a second process)."""
    start = 3
    for fd in sorted(kept):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, max(os.sysconf('SC_OPEN_MAX'), start))


def _request_frame(requests: Sequence[Request]) -> bytes:
    parts = [_U32.pack(len(requests))]
    for message, armored in requests:
        signature = armored.encode('ascii', 'surrogateescape')
        parts += (_U32.pack(len(message)), message, _U32.pack(len(signature)), signature)
    return b''.join(parts)


def _serve(requests_fd: int, answers_fd: int, namespace: str) -> None:
    gc.disable()  # nothing of the parent's may be finalised here
    requests = os.fdopen(requests_fd, 'rb')
    answers = os.fdopen(answers_fd, 'wb')
    while True:
        idle_since = time.perf_counter()
        header = requests.read(4)
        if not header:
            return
        idle = min(int((time.perf_counter() - idle_since) * 1e6), 0xFFFFFFFF)
        (count,) = _U32.unpack(header)
        out: list[bytes] = []
        for _ in range(count):
            message = requests.read(_U32.unpack(requests.read(4))[0])
            armored = requests.read(_U32.unpack(requests.read(4))[0]).decode('ascii', 'surrogateescape')
            found = verify_one(message, armored, namespace)
            if isinstance(found, bytes):
                out += (_OK, _U32.pack(len(found)), found)
            else:
                text = found.encode('utf-8', 'replace')
                out += (_BAD, _U32.pack(len(text)), text)
        body = b''.join(out)
        answers.write(_HEADER.pack(count, len(body), idle) + body)
        answers.flush()
