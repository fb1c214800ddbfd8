"""Where reports go and how they look: format, --output, colour, verbosity."""
from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from collections.abc import Callable
from collections.abc import Iterable
from typing import IO
from typing import TextIO
from typing import cast

from trailgate.errors import UsageError
from trailgate.evaluate import Assessment
from trailgate.reports import EVERY_COMMIT_FORMATS
from trailgate.reports import Report
from trailgate.reports import Tally
from trailgate.reports import Writer
from trailgate.reports import prepare
from trailgate.reports import render
from trailgate.reports import writer

# a report body stays in memory up to this size, then goes to a temporary file
SPOOL_BYTES = 1024 * 1024
# formats read by programs, which read them as UTF-8 (JSON and SARIF are
# UTF-8 by definition, the JUnit document says so, a CI runner reads its
# workflow commands so): written in UTF-8 whatever the locale says
MACHINE_FORMATS = frozenset(('json', 'sarif', 'junit', 'github'))
# whole documents a consumer parses (a CI's report reader): --quiet never leaves one empty
DOCUMENT_FORMATS = frozenset(('json', 'sarif', 'junit'))


# the --output files this process was asked to write and has not written yet:
# a run that ends without its report leaves no earlier run's there (``remove_unwritten``)
_unwritten: set[str] = set()


def remove_unwritten() -> None:
    """Remove each ``--output`` file this run was to write and did not (it
    stopped at an error, or had nothing to report), so that the file is this
    run's report or absent, never an earlier run's verdict read as this one's.
    Only a regular file where a report may be written is removed."""
    for path in sorted(_unwritten):
        _unwritten.discard(path)
        try:
            _remove_if_a_report_may_be_there(path)
        except Exception:  # the run's own exit status stands: this is only tidying
            continue


def _remove_if_a_report_may_be_there(path: str) -> None:
    from trailgate import git
    from trailgate.report_paths import refusal

    if os.path.isfile(path) and not os.path.islink(path) and refusal(path, git.git_areas()) is None:
        os.remove(path)


def in_utf8(stream: TextIO) -> TextIO:
    """``stream``, made to write UTF-8 if the locale or PYTHONIOENCODING chose
    another encoding (its error handler is kept)."""
    encoding = getattr(stream, 'encoding', None)
    reconfigure = getattr(stream, 'reconfigure', None)
    if isinstance(encoding, str) and codecs.lookup(encoding).name != 'utf-8' and reconfigure is not None:
        stream.flush()
        reconfigure(encoding='utf-8')
    return stream


def use_color(stream: TextIO) -> bool:
    if os.environ.get('NO_COLOR'):
        return False
    if os.environ.get('FORCE_COLOR') or os.environ.get('PRE_COMMIT_COLOR') == 'always':
        return True
    return stream.isatty() and os.environ.get('TERM') != 'dumb'


class Output:
    def __init__(self, format: str = 'text', output: str | None = None,
                 quiet: bool = False, verbose: bool = False) -> None:
        self.format = format
        self.output = None if output == '-' else output  # '-': where the report goes without a file
        if self.output:
            _unwritten.add(self.output)
        self.quiet = quiet
        self.verbose = verbose

    def prepare(self) -> None:
        """Load what the report will be written with (its format's modules),
        ahead of the first commit: ``check`` does it while git starts up."""
        prepare(self.format)

    @property
    def keeps_passing(self) -> bool:
        """Does this output show commits that pass, so they must be kept?"""
        return self.verbose or self.format in EVERY_COMMIT_FORMATS

    def report(self, report: Report, stream: str = 'stdout') -> None:
        target = sys.stderr if stream == 'stderr' else sys.stdout
        if self.output:
            text = render(report, self.format, color=False, verbose=self.verbose)
            self._refuse_unsafe_output()
            try:
                with open(self.output, 'w', encoding='utf-8', errors='surrogateescape') as f:
                    f.write(text)
                _unwritten.discard(self.output)
            except OSError as e:
                raise UsageError(f'--output {self.output}: cannot write: {e.strerror}') from None
            if self.format != 'text' and report.refuses:
                # the file is for machines; people still see what was refused
                target.write(render(report, 'text', color=use_color(target)))
            return
        if self.quiet and not report.refuses and self.format not in DOCUMENT_FORMATS:
            return
        if self.format in MACHINE_FORMATS:
            target = in_utf8(target)
        target.write(render(report, self.format, color=use_color(target), verbose=self.verbose))
        target.flush()

    def refuse(self, gate: str, refusals: tuple[str, ...], policy_source: str, stream: str = 'stdout') -> Report:
        """Report an update refused as a whole, before any commit is judged,
        as a refused commit is reported: in the format asked for, where the
        report goes; with ``--output``, to that file (never left holding a
        previous run's report) and, for a format other than text, as text
        where the report would have gone."""
        report = Report(gate, (), policy_source, checked=0, ai_assisted=0, refused_total=0,
                        overridden_total=0, refusals=refusals)
        self.report(report, stream)
        return report

    def stream(self, gate: str, assessments: Iterable[Assessment], policy_source: str,
               stream: str = 'stdout', when_empty: bool = True, reminder: str | None = None,
               refusals: Callable[[], tuple[str, ...]] | None = None) -> Report:
        """Judge and report in one pass: what ``report(Report.collect(...))``
        shows, with each commit written out as it is judged, so memory stays
        flat however long the range. Nothing is shown before the last commit
        is judged (an error on the way shows only the error). Without
        ``when_empty``, a report of no commits is shown only when verbose
        (and still written to an ``--output`` file). ``refusals``, asked once
        every commit is judged: the update's refusals as a whole (``Report.refusals``).
        Returns the summary (the counts, no commits).
        """
        if reminder is not None:
            # nothing refused, only what the commits will need: rendered whole (no protected target)
            report = Report.collect(gate, assessments, policy_source, self.keeps_passing, reminder)
            report = report._replace(refusals=refusals() if refusals else ())
            if report.commits_checked or report.refusals or self.verbose or when_empty or self.output:
                self.report(report, stream)
            return report
        target = sys.stderr if stream == 'stderr' else sys.stdout
        parts: list[tuple[Writer, Spool]] = []
        for format, color, verbose in self._writers(target):
            body = Spool(SPOOL_BYTES)
            parts.append((writer(format, cast(IO[str], body), gate, color, verbose), body))
        try:
            tally = Tally()
            count = tally.add
            if len(parts) == 1:
                write = parts[0][0].add
                for assessment in assessments:
                    count(assessment)
                    write(assessment)
            else:
                for assessment in assessments:
                    count(assessment)
                    for part, _ in parts:
                        part.add(assessment)
            summary = tally.report(gate, policy_source)._replace(refusals=refusals() if refusals else ())
            # a file asked for with --output is this run's report, even of no commits: never one a
            # previous run left there
            if summary.commits_checked or summary.refusals or self.verbose or when_empty or self.output:
                self._emit(summary, parts, target)
        finally:
            for _, spool in parts:
                spool.close()
        return summary

    def _writers(self, target: TextIO) -> list[tuple[str, bool, bool]]:
        """(format, color, verbose) of each report ``report`` would render."""
        if not self.output:
            return [(self.format, use_color(target), self.verbose)]
        writers = [(self.format, False, self.verbose)]
        if self.format != 'text':
            writers.append(('text', use_color(target), False))
        return writers

    def _refuse_unsafe_output(self) -> None:
        assert self.output is not None
        from trailgate import git
        from trailgate.report_paths import refusal

        why = refusal(self.output, git.git_areas())
        if why is not None:
            raise UsageError(f'--output {self.output}: cannot write: {why}')

    def _emit(self, summary: Report, parts: list[tuple[Writer, Spool]], target: TextIO) -> None:
        if self.output:
            self._refuse_unsafe_output()
            try:
                with open(self.output, 'w', encoding='utf-8', errors='surrogateescape') as f:
                    _copy(summary, *parts[0], f)
                _unwritten.discard(self.output)
            except OSError as e:
                raise UsageError(f'--output {self.output}: cannot write: {e.strerror}') from None
            if len(parts) > 1 and summary.refuses:
                _copy(summary, *parts[1], target)
            return
        if self.quiet and not summary.refuses and self.format not in DOCUMENT_FORMATS:
            return
        if self.format in MACHINE_FORMATS:
            target = in_utf8(target)
        _copy(summary, *parts[0], target)
        target.flush()


class Spool:
    """A report body: what ``tempfile.SpooledTemporaryFile(max_size, 'w+',
    encoding='utf-8', errors='surrogatepass')`` holds, written and read the
    same way (a text layer over bytes, in memory, then in a temporary file
    once ``max_size`` characters are written), without loading ``tempfile``
    (and the random, shutil and compression modules it brings) for the
    reports that stay in memory, and without asking the position after
    every write."""

    def __init__(self, max_size: int) -> None:
        self._file: TextIO = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', errors='surrogatepass')
        self._room = max_size  # characters that may still go to memory; < 0: rolled over
        self._plain = True  # all written is UTF-8 without lone surrogates (its text's bytes)

    def write(self, text: str) -> int:
        if not text.isascii():
            self._plain = False  # it may hold a lone surrogate
        written = self._file.write(text)
        if self._room >= 0:
            self._room -= written
            if self._room < 0:
                self._roll_over()
        return written

    def write_utf8(self, data: bytes | memoryview) -> None:
        """What ``write`` of ``data``'s text writes, for UTF-8 that holds no
        lone surrogate (a serialiser's output): the bytes as they are,
        without decoding them to encode them again (they count as characters)."""
        self._file.flush()  # the text written before goes first
        self._file.buffer.write(data)
        if self._room >= 0:
            self._room -= len(data)
            if self._room < 0:
                self._roll_over()

    def _roll_over(self) -> None:
        import tempfile

        in_memory = self._file
        on_disk = tempfile.TemporaryFile(mode='w+', encoding='utf-8', errors='surrogatepass')  # noqa: SIM115
        # the spool holds its memory until the file holds it all: an interrupt
        # (Ctrl-C) part way leaves a spool that still closes
        try:
            in_memory.flush()
            buffer = in_memory.buffer
            assert isinstance(buffer, io.BytesIO)
            on_disk.buffer.write(buffer.getvalue())
            on_disk.seek(0, io.SEEK_END)
        except BaseException:
            on_disk.close()
            raise
        self._file = on_disk
        in_memory.close()

    @property
    def rolled_over(self) -> bool:
        return self._room < 0

    def seek(self, position: int) -> int:
        return self._file.seek(position)

    def read(self, size: int = -1) -> str:
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    def copy_to(self, out: TextIO) -> None:
        """Everything written, onto ``out``, a chunk at a time: as bytes onto
        its buffer when they are the bytes ``out`` would write of their text
        (only ASCII text and ``write_utf8`` were written, and ``out`` writes
        UTF-8 without changing newlines), else as text."""
        self._file.seek(0)
        raw = getattr(out, 'buffer', None)
        if self._plain and raw is not None and _writes_utf8_as_is(out):
            out.flush()
            source = self._file.buffer
            if self.rolled_over:
                _send_file(source, raw)
            while data := source.read(1 << 16):
                raw.write(data)
            return
        while text := self._file.read(1 << 16):
            out.write(text)


# what os.sendfile says when it cannot write to that file (a terminal, some special
# files) or would have to wait (a non-blocking pipe): the rest goes through this process
_NOT_SENT = frozenset((errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EAGAIN))


def _send_file(source: IO[bytes], out: IO[bytes]) -> None:
    """As much of ``source`` (a file, from its position) onto ``out``'s file
    as the kernel copies itself (os.sendfile: no pass through this
    process); ``source`` is left where that stopped, for the caller to
    copy the rest. Nothing is sent where ``out`` has no file descriptor."""
    try:
        target = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    out.flush()
    position = source.tell()
    end = os.fstat(source.fileno()).st_size
    try:
        while position < end:
            sent = os.sendfile(target, source.fileno(), position, end - position)
            if not sent:
                break
            position += sent
    except OSError as e:
        if e.errno not in _NOT_SENT:
            raise
    finally:
        source.seek(position)


def _writes_utf8_as_is(out: TextIO) -> bool:
    encoding = getattr(out, 'encoding', None)
    return isinstance(encoding, str) and codecs.lookup(encoding).name == 'utf-8' and os.linesep == '\n'


def _copy(summary: Report, part: Writer, body: Spool, out: TextIO) -> None:
    out.write(part.head(summary))
    body.copy_to(out)
    out.write(part.tail(summary))
