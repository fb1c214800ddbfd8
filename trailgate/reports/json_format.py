"""JSON for machines: every commit checked, in the schema ``trailgate-report/1``.

The schema is published as ``trailgate/report.schema.json`` and described in
``docs/report-json.md``. Output is deterministic: commits in the order they
were checked, keys in a fixed order, two-space indentation, UTF-8 text
(``ensure_ascii=False``).

Commit messages, names and paths are decoded from git's bytes with
``surrogateescape``, so they may hold lone surrogates that no UTF-8 encoder
accepts. Every string is passed through ``escape_surrogates`` first: a byte
that was not UTF-8 appears as the four characters ``\\xNN``.

This module also holds the small helpers the other machine formats (SARIF,
JUnit, GitHub) share.
"""
from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import IO
from typing import Any
from typing import TypeVar

from trailgate import orjson_import
from trailgate.detect import Signal
from trailgate.evaluate import Assessment
from trailgate.evaluate import Violation
from trailgate.reports import Report
from trailgate.reports.text_format import fix_command
from trailgate.requirements import Check

SCHEMA = 'trailgate-report/1'

_SURROGATE = re.compile('[\ud800-\udfff]')


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:  # a byte that surrogateescape could not decode
        return f'\\x{code - 0xDC00:02x}'
    return f'\\u{code:04x}'


def escape_surrogates(text: str) -> str:
    """``text`` with every lone surrogate spelt out, so it encodes as UTF-8."""
    return _SURROGATE.sub(_escape_one, text)


def clean(value: Any) -> Any:
    """A JSON-ready tree with every string (keys too) free of lone surrogates."""
    if isinstance(value, str):
        return escape_surrogates(value)
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    return value


def _standard_dumps(value: Any) -> str:
    return json.dumps(clean(value), ensure_ascii=False, indent=2)


def _serialiser() -> Callable[[Any], str]:
    """orjson when installed: the same text as the standard library's
    ``indent=2, ensure_ascii=False`` (tested), some forty times faster."""
    if not orjson_import.load():
        return _standard_dumps
    import orjson

    option = orjson.OPT_INDENT_2

    def fast(value: Any) -> str:
        return orjson.dumps(value, option=option).decode()

    return fast


def _utf8_serialiser() -> Callable[[Any], bytes]:
    """``_serialiser``'s text encoded as UTF-8: orjson's own bytes when installed."""
    if not orjson_import.load():
        def standard(value: Any) -> bytes:
            return _standard_dumps(value).encode()

        return standard
    import orjson

    option = orjson.OPT_INDENT_2

    def fast(value: Any) -> bytes:
        return orjson.dumps(value, option=option)

    return fast


_serialise: Callable[[Any], str] | None = None
_serialise_utf8: Callable[[Any], bytes] | None = None


def load_serialiser() -> None:
    """Import the serialiser now, not at the first report text: ``check``
    does it while git starts up (``prepare``), and orjson's import (most of
    a short JSON report's own cost) is then done while this process would
    wait for git."""
    global _serialise, _serialise_utf8
    if _serialise is None:
        _serialise = _serialiser()
    if _serialise_utf8 is None:
        _serialise_utf8 = _utf8_serialiser()


prepare = load_serialiser


def dumps(value: Any) -> str:
    """Stable, readable JSON text ending in a newline; never fails on surrogates."""
    global _serialise
    if _serialise is None:
        _serialise = _serialiser()
    try:
        return _serialise(value) + '\n'
    except (TypeError, ValueError):  # a lone surrogate (from bytes that were not UTF-8)
        return _serialise(clean(value)) + '\n'


def nested_utf8(values: list[Any], depth: int) -> bytes | memoryview:
    """The JSON texts of ``values`` (at least one) as consecutive items of an
    array ``depth`` arrays deep in a document, encoded as UTF-8: every line
    indented two spaces a level (the first too), the items joined by ``,``
    and a newline, no newline at the end. One call of the serialiser
    indents them, wrapped in ``depth - 1`` arrays around their own, which
    are then cut off: ``[``, a newline and the indentation before it, the
    same after. Only a value that holds a lone surrogate is cleaned, the
    others are serialised as they are."""
    global _serialise_utf8
    if _serialise_utf8 is None:
        _serialise_utf8 = _utf8_serialiser()
    wrapped = values
    for _ in range(depth - 1):
        wrapped = [wrapped]
    try:
        data = _serialise_utf8(wrapped)
    except (TypeError, ValueError):  # a lone surrogate (from bytes that were not UTF-8)
        if len(values) > 1:
            return b',\n'.join(nested_utf8([value], depth) for value in values)
        data = _serialise_utf8(clean(wrapped))
    cut = depth * (depth + 1)  # '[\n' + '  [\n' + ... (and their closing lines)
    return memoryview(data)[cut:len(data) - cut]


def violation_fix(assessment: Assessment, violation: Violation, gate: str) -> str | None:
    """The ready-to-run command that adds this violation's trailers, if any would."""
    if not violation.fix_trailers():
        return None
    return fix_command(assessment._replace(violations=(violation,)), gate)


def commit_fix(assessment: Assessment, gate: str) -> str | None:
    """One command that adds every trailer a refused commit lacks, if any would."""
    if not assessment.refused:
        return None
    if not any(v.fix_trailers() for v in assessment.violations):
        return None
    return fix_command(assessment, gate)


MEMO_LIMIT = 1 << 12  # parts remembered per report; forgotten all at once when full
_K = TypeVar('_K')
_V = TypeVar('_V')


def remember(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    """``value``, kept in ``memo`` under ``key``; a full memo is emptied first."""
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value


class Fixes:
    """``commit_fix`` and ``violation_fix`` for one report, each worked out
    once: a fix depends only on the gate and on each violation's
    suggestions and how many of them it takes."""

    def __init__(self) -> None:
        self._commits: dict[tuple[str, tuple[tuple[tuple[str, ...], int], ...]], str | None] = {}
        self._violations: dict[tuple[str, tuple[str, ...], int], str | None] = {}

    def commit(self, assessment: Assessment, gate: str) -> str | None:
        key = (gate, tuple([(violation.suggestions, violation.needed) for violation in assessment.violations]))
        try:
            return self._commits[key]
        except KeyError:
            pass
        return remember(self._commits, key, commit_fix(assessment, gate))

    def violation(self, assessment: Assessment, violation: Violation, gate: str) -> str | None:
        key = (gate, violation.suggestions, violation.needed)
        try:
            return self._violations[key]
        except KeyError:
            pass
        return remember(self._violations, key, violation_fix(assessment, violation, gate))


class Entries:
    """Commits as the schema's ``commit`` objects, for one report (with
    ``reminder``, nothing is refused: the findings are what it will need).

    What does not depend on the commit is built once per report: the
    requirement checks that ``assess`` shares between commits (it judges a
    requirement that no trailer of a commit speaks to once per range), the
    fix commands (``Fixes``), each date's text. Sequences stay tuples: both
    serialisers write them as arrays.
    """

    def __init__(self, gate: str, reminder: bool = False) -> None:
        self.gate = gate
        self.reminder = reminder
        self._requirements: dict[int, tuple[Check, dict[str, Any]]] = {}
        self._fix = Fixes().commit
        self._dates: dict[datetime.date, str] = {}

    def entry(self, assessment: Assessment) -> dict[str, Any]:
        commit = assessment.commit
        author = commit.author
        signals = assessment.signals
        violations = assessment.violations
        refused = bool(violations) and assessment.refused and not self.reminder
        override = assessment.override
        rules = []
        for result in assessment.results:
            if result.paths:  # a rule it touches
                checks = result.checks
                rules.append({
                    'rule': result.rule,
                    'applies': result.applies,
                    'reason': result.reason,
                    'paths': result.paths,
                    'requirements': [self._requirement(check) for check in checks] if checks else (),
                })
        date = commit.date
        day = self._dates.get(date)
        if day is None:
            day = self._date(date)
        return {
            'sha': commit.sha,
            'subject': commit.subject,
            'author': {'name': author.name, 'email': author.email},
            'date': day,
            'ai_assisted': bool(signals),
            'signals': [_signal(signal) for signal in signals] if signals else (),
            'rules': rules,
            'violations': [_violation(violation) for violation in violations] if violations else (),
            'override': None if override is None else {'reason': override},
            'override_problem': assessment.override_problem,
            'refused': refused,
            'fix': self._fix(assessment, self.gate) if refused else None,
        }

    def _date(self, date: datetime.date) -> str:
        return remember(self._dates, date, date.isoformat())

    def _requirement(self, check: Check) -> dict[str, Any]:
        # keyed by identity: the check is kept beside its part, so while it is
        # remembered its id names no other object
        found = self._requirements.get(id(check))
        if found is not None:
            return found[1]
        return remember(self._requirements, id(check), (check, _requirement(check)))[1]


def _signal(signal: Signal) -> dict[str, Any]:
    return {'source': signal.source, 'tool': signal.tool, 'where': signal.where,
            'text': signal.text}


def _requirement(check: Check) -> dict[str, Any]:
    return {
        'code': check.kind.code,
        'name': check.kind.name,
        'met': check.met,
        'evidence': check.evidence,
        'missing': check.missing,
        'satisfy': check.satisfy,
    }


def _violation(violation: Violation) -> dict[str, Any]:
    return {
        'rule': violation.rule,
        'code': violation.code,
        'name': violation.name,
        'missing': violation.missing,
        'satisfy': violation.satisfy,
        'suggestions': violation.suggestions,
        'needed': violation.needed,
        'paths': violation.paths,
        'overridden': violation.overridden is not None,
    }


def commit_entry(assessment: Assessment, gate: str, reminder: bool = False) -> dict[str, Any]:
    """One commit of the report, as the schema's ``commit`` object (with
    ``reminder``, nothing is refused: the findings are what it will need)."""
    return Entries(gate, reminder).entry(assessment)


def summary(report: Report) -> dict[str, int]:
    return {
        'checked': report.commits_checked,
        'refused': report.refused_count,
        'needs_review': report.needing_review_count,
        'overridden': report.overridden_count,
        'ai_assisted': report.ai_assisted_count,
    }


def _head(report: Report, commits: list[Any]) -> dict[str, Any]:
    head: dict[str, Any] = {
        'schema': SCHEMA,
        'gate': report.gate,
        'policy_source': report.policy_source,
        'reminder': report.reminder,
        'summary': summary(report),
    }
    if report.refusals:
        head['refusals'] = [{'reason': reason} for reason in report.refusals]
    head['commits'] = commits
    return head


def document(report: Report) -> dict[str, Any]:
    """The whole report as a JSON-ready tree (strings not yet cleaned)."""
    entry = Entries(report.gate, report.reminder is not None).entry
    return _head(report, [entry(assessment) for assessment in report.assessments])


_INDENT = ' ' * 4
_PLACEHOLDER = 'COMMITS'
_DEPTH = 2  # a commit's place in the report: the document, its commits
BATCH = 256  # commits serialised in one call
HELD = 1 << 22  # at most about this many characters of the commits' text held back for a batch
PATH_WEIGHT = 256  # what a changed path counts for in that


def _head_and_tail(report: Report) -> tuple[str, str]:
    """The text around the commits: every key before them, and the closing brackets."""
    head, tail = dumps(_head(report, [_PLACEHOLDER])).split(f'{_INDENT}"{_PLACEHOLDER}"')
    return head, tail


def _empty(report: Report) -> str:
    return dumps(_head(report, []))


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    """The report as JSON text; ``color`` and ``verbose`` change nothing.

    The commits are serialised a batch at a time, so a long range never holds
    every commit's JSON tree at once: the same text as ``dumps(document(report))``.
    """
    assessments = report.assessments
    if not assessments:
        return _empty(report)
    head, tail = _head_and_tail(report)
    entry = Entries(report.gate, report.reminder is not None).entry
    commits = ',\n'.join(
        str(nested_utf8([entry(assessment) for assessment in assessments[start:start + BATCH]], _DEPTH), 'utf-8')
        for start in range(0, len(assessments), BATCH)
    )
    return f'{head}{commits}{tail}'


class BatchWriter:
    """Items of one JSON array, written to ``body`` as they stand ``depth``
    arrays deep in the document, a batch at a time: ``BATCH`` items, fewer
    when their weight (what they hold of messages and paths) reaches
    ``HELD``, so memory stays flat. One call of the serialiser per batch;
    a body that takes UTF-8 as it is (``write_utf8``: a ``Spool``) gets its
    bytes. ``flush`` writes what is held back."""

    def __init__(self, body: IO[str], depth: int) -> None:
        load_serialiser()
        self.body = body
        self.depth = depth
        self.write_utf8: Callable[[bytes | memoryview], object] | None = getattr(body, 'write_utf8', None)
        self.written = 0  # items written to the body
        self.batch: list[Any] = []
        self.held = 0  # the batch's weight: what its items hold of commits' text, at most

    def flush(self) -> None:
        if not self.batch:
            return
        data = nested_utf8(self.batch, self.depth)
        if self.write_utf8 is not None:
            if self.written:
                self.write_utf8(b',\n')
            self.write_utf8(data)
        else:
            if self.written:
                self.body.write(',\n')
            self.body.write(str(data, 'utf-8'))
        self.written += len(self.batch)
        self.batch = []
        self.held = 0


class Writer(BatchWriter):
    """The same text as ``render``, commit by commit: ``add`` builds each
    commit's entry as it is judged, for the body a batch at a time; the
    summary goes in the head, which writes what is held back."""

    def __init__(self, body: IO[str], gate: str, color: bool = False, verbose: bool = False) -> None:
        super().__init__(body, _DEPTH)
        self.entry = Entries(gate).entry

    def add(self, assessment: Assessment) -> None:
        batch = self.batch
        batch.append(self.entry(assessment))
        commit = assessment.commit
        author, committer = commit.author, commit.committer  # a signal may quote the committer
        self.held += (len(commit.message) + len(author.name) + len(author.email) + len(committer.name)
                      + len(committer.email) + PATH_WEIGHT * len(commit.paths))
        if len(batch) >= BATCH or self.held >= HELD:
            self.flush()

    def head(self, report: Report) -> str:
        self.flush()
        return _head_and_tail(report)[0] if self.written else _empty(report)

    def tail(self, report: Report) -> str:
        self.flush()
        return _head_and_tail(report)[1] if self.written else ''
