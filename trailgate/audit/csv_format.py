"""``--csv FILE``: one row per commit, written as the history streams past.

Commit subjects, names and paths are written by whoever made the commit.
Every character a terminal or a spreadsheet would act on is spelled out as
in the text reports (``\x1b``, ``\u202e``; ``--csv -`` prints to the
terminal), and a cell that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's CSV
injection advice) is prefixed with ``'``.
"""
from __future__ import annotations

import csv
from typing import Protocol

from trailgate.audit.facts import CommitFacts
from trailgate.display import visible

COLUMNS = (
    'sha', 'date', 'author_name', 'author_email', 'subject', 'merge', 'ai_assisted', 'tools',
    'critical_rules', 'status', 'missing', 'reviewers', 'signed_reviews', 'break_glass', 'likely_squash',
    'directories', 'lines_added', 'lines_deleted',
)
_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


class Writable(Protocol):
    def write(self, text: str) -> object: ...


def cell(text: str) -> str:
    text = visible(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _flag(value: bool) -> str:
    return 'yes' if value else 'no'


class CsvWriter:
    def __init__(self, stream: Writable) -> None:
        self._writer = csv.writer(stream, lineterminator='\n')
        self._writer.writerow(COLUMNS)

    def write(self, facts: CommitFacts) -> None:
        lines = facts.lines
        self._writer.writerow((
            facts.sha,
            facts.date,
            cell(facts.author.name),
            cell(facts.author.email),
            cell(facts.subject),
            _flag(facts.is_merge),
            _flag(facts.ai_assisted),
            cell('; '.join(f'{source}={tool}' for source, tool in facts.tools)),
            cell('; '.join(facts.critical_rules)),
            facts.status or '',
            cell('; '.join(f'{m.rule}:{m.name}' for m in facts.missing)),
            cell('; '.join(reviewer.email for reviewer in facts.reviewers)),
            facts.signed_reviewers,
            cell(facts.break_glass or ''),
            _flag(facts.likely_squash),
            cell('; '.join(facts.directories)),
            '' if lines is None else lines.added,
            '' if lines is None else lines.deleted,
        ))
