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

import json
import re
from collections.abc import Callable
from typing import IO
from typing import Any

from trailgate.detect import Signal
from trailgate.evaluate import Assessment
from trailgate.evaluate import RuleResult
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
    try:
        import orjson
    except ImportError:
        return _standard_dumps
    option = orjson.OPT_INDENT_2

    def fast(value: Any) -> str:
        return orjson.dumps(value, option=option).decode()

    return fast


_serialise: Callable[[Any], str] | None = None


def dumps(value: Any) -> str:
    """Stable, readable JSON text ending in a newline; never fails on surrogates."""
    global _serialise
    if _serialise is None:
        _serialise = _serialiser()
    try:
        return _serialise(value) + '\n'
    except (TypeError, ValueError):  # a lone surrogate (from bytes that were not UTF-8)
        return _serialise(clean(value)) + '\n'


def nested(value: Any, depth: int) -> str:
    """``value``'s JSON text as it stands ``depth`` arrays deep in a document:
    every line indented two spaces a level (the first too), no newline at the
    end. The serialiser indents it, wrapped in that many arrays that are then
    cut off: ``[``, a newline and the indentation before it, the same after."""
    wrapped = value
    for _ in range(depth):
        wrapped = [wrapped]
    text = dumps(wrapped)
    cut = depth * (depth + 1)  # '[\n' + '  [\n' + ... (and their closing lines)
    return text[cut:len(text) - cut - 1]


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


def _signal(signal: Signal) -> dict[str, Any]:
    return {'source': signal.source, 'tool': signal.tool, 'where': signal.where,
            'text': signal.text}


def _requirement(check: Check) -> dict[str, Any]:
    return {
        'code': check.kind.code,
        'name': check.kind.name,
        'met': check.met,
        'evidence': list(check.evidence),
        'missing': check.missing,
        'satisfy': check.satisfy,
    }


def _rule(result: RuleResult) -> dict[str, Any]:
    return {
        'rule': result.rule,
        'applies': result.applies,
        'reason': result.reason,
        'paths': list(result.paths),
        'requirements': [_requirement(check) for check in result.checks],
    }


def _violation(violation: Violation) -> dict[str, Any]:
    return {
        'rule': violation.rule,
        'code': violation.code,
        'name': violation.name,
        'missing': violation.missing,
        'satisfy': violation.satisfy,
        'suggestions': list(violation.suggestions),
        'needed': violation.needed,
        'paths': list(violation.paths),
        'overridden': violation.overridden is not None,
    }


def commit_entry(assessment: Assessment, gate: str, reminder: bool = False) -> dict[str, Any]:
    """One commit of the report, as the schema's ``commit`` object (with
    ``reminder``, nothing is refused: the findings are what it will need)."""
    commit = assessment.commit
    override = None if assessment.override is None else {'reason': assessment.override}
    return {
        'sha': commit.sha,
        'subject': commit.subject,
        'author': {'name': commit.author.name, 'email': commit.author.email},
        'date': commit.date.isoformat(),
        'ai_assisted': assessment.ai_assisted,
        'signals': [_signal(signal) for signal in assessment.signals],
        'rules': [_rule(result) for result in assessment.results if result.paths],
        'violations': [_violation(violation) for violation in assessment.violations],
        'override': override,
        'override_problem': assessment.override_problem,
        'refused': assessment.refused and not reminder,
        'fix': None if reminder else commit_fix(assessment, gate),
    }


def summary(report: Report) -> dict[str, int]:
    return {
        'checked': report.commits_checked,
        'refused': report.refused_count,
        'needs_review': report.needing_review_count,
        'overridden': report.overridden_count,
        'ai_assisted': report.ai_assisted_count,
    }


def _head(report: Report, commits: list[Any]) -> dict[str, Any]:
    return {
        'schema': SCHEMA,
        'gate': report.gate,
        'policy_source': report.policy_source,
        'reminder': report.reminder,
        'summary': summary(report),
        'commits': commits,
    }


def document(report: Report) -> dict[str, Any]:
    """The whole report as a JSON-ready tree (strings not yet cleaned)."""
    return _head(report, [commit_entry(a, report.gate, report.reminder is not None) for a in report.assessments])


def _entry_text(assessment: Assessment, gate: str, reminder: bool = False) -> str:
    """One commit's JSON text, indented as it sits in the report."""
    return nested(commit_entry(assessment, gate, reminder), 2)


_INDENT = ' ' * 4
_PLACEHOLDER = 'COMMITS'


def _head_and_tail(report: Report) -> tuple[str, str]:
    """The text around the commits: every key before them, and the closing brackets."""
    head, tail = dumps(_head(report, [_PLACEHOLDER])).split(f'{_INDENT}"{_PLACEHOLDER}"')
    return head, tail


def _empty(report: Report) -> str:
    return dumps(_head(report, []))


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    """The report as JSON text; ``color`` and ``verbose`` change nothing.

    Each commit is serialised on its own, so a long range never holds every
    commit's JSON tree at once: the same text as ``dumps(document(report))``.
    """
    if not report.assessments:
        return _empty(report)
    head, tail = _head_and_tail(report)
    reminder = report.reminder is not None
    commits = ',\n'.join(_entry_text(assessment, report.gate, reminder) for assessment in report.assessments)
    return f'{head}{commits}{tail}'


class Writer:
    """The same text as ``render``, commit by commit: ``add`` writes each
    commit's entry to ``body`` as it is judged; the summary goes in the head."""

    def __init__(self, body: IO[str], gate: str, color: bool = False, verbose: bool = False) -> None:
        self.body = body
        self.gate = gate
        self.entries = 0

    def add(self, assessment: Assessment) -> None:
        if self.entries:
            self.body.write(',\n')
        self.body.write(_entry_text(assessment, self.gate))
        self.entries += 1

    def head(self, report: Report) -> str:
        return _head_and_tail(report)[0] if self.entries else _empty(report)

    def tail(self, report: Report) -> str:
        return _head_and_tail(report)[1] if self.entries else ''
