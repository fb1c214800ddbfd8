"""``--csv FILE``: one row per commit, written as the history streams past.

Cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) are prefixed with ``'``:
commit subjects and names are written by whoever made the commit.
"""
from __future__ import annotations

import csv
from typing import TextIO

from trailgate.audit.facts import CommitFacts
from trailgate.reports.json_format import escape_surrogates

COLUMNS = (
    'sha', 'date', 'author_name', 'author_email', 'subject', 'merge', 'ai_assisted', 'tools',
    'critical_rules', 'status', 'missing', 'reviewers', 'signed_reviews', 'break_glass', 'likely_squash',
    'directories', 'lines_added', 'lines_deleted',
)
_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def cell(text: str) -> str:
    text = escape_surrogates(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _flag(value: bool) -> str:
    return 'yes' if value else 'no'


class CsvWriter:
    def __init__(self, stream: TextIO) -> None:
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
