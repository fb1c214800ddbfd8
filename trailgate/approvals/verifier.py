"""Checking many SSH signatures of approval records, on the second core when
there are enough of them to pay for it.

A cold ``check`` of a long history verifies tens of thousands of
signatures, about 60 us of ed25519 arithmetic each, while the rest of the
check (reading commits, computing change ids, judging) waits. Above
``FORK_THRESHOLD`` signatures in one request, a forked worker process
verifies them, fed batches through a pipe while this process reads and
judges the next chunk of history; answers come back in the order asked.
Below it, or where ``os.fork`` is missing, they are verified here.

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
import struct
import threading
import warnings
from collections.abc import Callable
from collections.abc import Sequence
from typing import IO

from trailgate.approvals import sshsig
from trailgate.errors import FatalError

FORK_THRESHOLD = 256  # signatures in one request before a worker is started
_U32 = struct.Struct('>I')
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

    def __init__(self, namespace: str, threshold: int | None = None) -> None:
        self.namespace = namespace
        self.threshold = FORK_THRESHOLD if threshold is None else threshold
        self._worker: _Worker | None = None
        self._may_fork = hasattr(os, 'fork')

    def submit(self, requests: Sequence[Request]) -> Callable[[], list[Result]]:
        if self._worker is None and self._may_fork and len(requests) >= self.threshold:
            try:
                self._worker = _Worker(self.namespace)
            except OSError:  # no process to be had: verify here, as for a few
                self._may_fork = False
        if self._worker is None:
            namespace = self.namespace
            return lambda: [verify_one(message, armored, namespace) for message, armored in requests]
        return self._worker.submit(requests)

    def close(self) -> None:
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.close()


class _Worker:
    """A forked process that answers request frames with result frames."""

    def __init__(self, namespace: str) -> None:
        # load what the child needs before forking: it must import nothing
        sshsig.load_backend()
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
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
        self._requests: IO[bytes] = os.fdopen(requests_write, 'wb')
        self._answers: IO[bytes] = os.fdopen(answers_read, 'rb')
        self._expected: list[int] = []  # the size of each batch submitted
        self._read_count = 0  # batches whose results were read
        # one thread writes the frames, in order, so that submitting never waits
        # for the worker (which waits for its answers to be read)
        self._frames: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._writer.start()

    def submit(self, requests: Sequence[Request]) -> Callable[[], list[Result]]:
        self._frames.put(_request_frame(requests))
        self._expected.append(len(requests))
        position = len(self._expected) - 1
        return lambda: self._read_batch(position)

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

    def _read_batch(self, position: int) -> list[Result]:
        if position != self._read_count:
            raise VerifierError('signature results were asked for out of order')
        count = self._expected[position]
        header = self._answers.read(4)
        if len(header) != 4 or _U32.unpack(header)[0] != count:
            raise VerifierError(self._stopped())
        results: list[Result] = []
        for _ in range(count):
            status = self._answers.read(1)
            size = self._answers.read(4)
            if len(size) != 4 or status not in (_OK, _BAD):
                raise VerifierError(self._stopped())
            data = self._answers.read(_U32.unpack(size)[0])
            if len(data) != _U32.unpack(size)[0]:
                raise VerifierError(self._stopped())
            results.append(data if status == _OK else data.decode('utf-8', 'replace'))
        self._read_count += 1
        return results

    def _stopped(self) -> str:
        return ('the process verifying approval signatures stopped before it answered; '
                'nothing was allowed through')

    def close(self) -> None:
        """Stop the worker, even one busy answering what will not be read:
        its answers pipe is closed first, so it cannot wait on it."""
        self._answers.close()
        self._frames.put(None)
        self._writer.join()
        with contextlib.suppress(OSError):
            self._requests.close()
        os.waitpid(self.pid, 0)


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
        header = requests.read(4)
        if not header:
            return
        (count,) = _U32.unpack(header)
        out = [header]
        for _ in range(count):
            message = requests.read(_U32.unpack(requests.read(4))[0])
            armored = requests.read(_U32.unpack(requests.read(4))[0]).decode('ascii', 'surrogateescape')
            found = verify_one(message, armored, namespace)
            if isinstance(found, bytes):
                out += (_OK, _U32.pack(len(found)), found)
            else:
                text = found.encode('utf-8', 'replace')
                out += (_BAD, _U32.pack(len(text)), text)
        answers.write(b''.join(out))
        answers.flush()
