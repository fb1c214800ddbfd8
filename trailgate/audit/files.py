"""Where ``--html``, ``--json`` and ``--csv`` go: checked first, written whole or not at all.

Each file is written to a temporary file beside it and renamed over it only
once the audit has finished, so a failure (a git error, a full disk, Ctrl-C)
never leaves half a report where the last good one was. The rename also
means an existing file's mode is never kept: a report written over an
executable file is no longer executable.

A report holds text anyone who could push wrote: where it may go is
``report_paths``' to say, as for ``--output``.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TextIO

from trailgate.errors import UsageError
from trailgate.git import GitAreas
from trailgate.output import in_utf8
from trailgate.report_paths import real_path
from trailgate.report_paths import refusal

STDOUT = '-'


class Target:
    """One output file. ``open`` checks that it can be written before the
    audit starts; ``commit`` puts it in place; ``discard`` leaves what was there."""

    def __init__(self, option: str, path: str) -> None:
        self.option = option
        self.path = path
        self.stream: TextIO | None = None
        self._temporary: str | None = None

    def _error(self, why: str) -> UsageError:
        return UsageError(f'{self.option} {self.path}: cannot write: {why}')

    def check(self, areas: GitAreas | None) -> None:
        if self.path == STDOUT or areas is None:
            return
        why = refusal(self.path, areas)
        if why is not None:
            raise self._error(why)

    def open(self) -> None:
        if self.path == STDOUT:
            self.stream = in_utf8(sys.stdout)
            return
        where = real_path(self.path)
        try:
            # the path itself, not its real path: /dev/stdout's is /proc/self/fd/1's
            # target, which for a pipe is no path at all
            found = os.stat(self.path)
        except FileNotFoundError:
            found = None
        except OSError as e:
            raise self._error(e.strerror or str(e)) from None
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise self._error('it is a directory')
        if found is not None and not stat.S_ISREG(found.st_mode):  # a device or a pipe: nothing to replace
            self.stream = self._text(self._open_fd(self.path, os.O_WRONLY | os.O_TRUNC))
            return
        directory, name = os.path.split(where)
        for _ in range(100):
            temporary = os.path.join(directory, f'.{name}.{secrets.token_hex(4)}.tmp')
            with contextlib.suppress(FileExistsError):
                # the mode a new file gets from the umask: never a copy of the old file's
                fd = self._open_fd(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                self._temporary = temporary
                self.stream = self._text(fd)
                return
        raise self._error('no free temporary name beside it')

    def _open_fd(self, path: str, flags: int, mode: int = 0o666) -> int:
        try:
            return os.open(path, flags, mode)
        except FileExistsError:
            raise
        except OSError as e:
            raise self._error(e.strerror or str(e)) from None

    @staticmethod
    def _text(fd: int) -> TextIO:
        return os.fdopen(fd, 'w', encoding='utf-8', errors='surrogateescape', newline='')

    def write(self, text: str) -> None:
        assert self.stream is not None
        try:
            self.stream.write(text)
        except OSError as e:
            raise self._error(e.strerror or str(e)) from None

    def commit(self) -> None:
        stream, self.stream = self.stream, None
        if stream is None:
            return
        try:
            stream.flush()
            if self.path == STDOUT:
                return
            if self._temporary is not None:
                os.fsync(stream.fileno())
            stream.close()
            if self._temporary is not None:
                os.replace(self._temporary, real_path(self.path))
                self._temporary = None
        except OSError as e:
            with contextlib.suppress(OSError):
                stream.close()
            self.discard()
            raise self._error(e.strerror or str(e)) from None

    def discard(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None and self.path != STDOUT:
            with contextlib.suppress(OSError):
                stream.close()
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None


@contextlib.contextmanager
def opened(wanted: Iterable[tuple[str, str | None]], areas: GitAreas | None) -> Iterator[dict[str, Target]]:
    """The outputs asked for (option, path; no path: not asked), checked and
    opened before the audit starts, each put in place when the block ends
    normally and none when it raises."""
    found = {option: Target(option, path) for option, path in wanted if path}
    for target in found.values():
        target.check(areas)
    try:
        for target in found.values():
            target.open()
        yield found
    except BaseException:
        for target in found.values():
            target.discard()
        raise
    for target in found.values():
        target.commit()
