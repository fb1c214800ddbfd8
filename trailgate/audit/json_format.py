"""``--json FILE``: the audit's figures in the schema ``trailgate-audit/1``.

Published as ``trailgate/audit/audit.schema.json`` and described in
``docs/audit-json.md``. Within version 1 fields are only added.

Strings hold text anyone who could push wrote. JSON escapes the C0
controls itself; the characters it may leave raw that a terminal acts on
(DEL and the C1 controls, such as U+009B, a one-character escape sequence)
or that make text read as other text (bidi and zero-width characters, line
and paragraph separators) are written as ``\\uXXXX`` escapes too. A
parser reads the same strings back: only how they are written changes, so
``--json -`` on a terminal shows them as escapes.
"""
from __future__ import annotations

import re
from typing import Any

from trailgate.audit.facts import Missing
from trailgate.audit.forge import Forge
from trailgate.audit.methods import methods
from trailgate.audit.tally import SCHEMA
from trailgate.audit.tally import Summary
from trailgate.model import Identity
from trailgate.reports.json_format import dumps

# only ever inside a JSON string, so each can be replaced by its escape anywhere in the text
_RAW_IN_JSON = re.compile('[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]')


def _escaped(match: re.Match[str]) -> str:
    return f'\\u{ord(match[0]):04x}'


def _person(identity: Identity) -> dict[str, str]:
    return {'name': identity.name, 'email': identity.email}


def _tools(tools: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{'id': source, 'tool': tool} for source, tool in tools]


def _missing(missing: tuple[Missing, ...]) -> list[dict[str, str]]:
    return [{'rule': m.rule, 'code': m.code, 'name': m.name, 'missing': m.missing} for m in missing]


def document(summary: Summary, forge: Forge | None) -> dict[str, Any]:
    totals = summary.totals
    return {
        'schema': SCHEMA,
        'policy_source': summary.policy_source,
        'revisions': list(summary.revisions),
        'since': summary.since,
        'until': summary.until,
        'run_date': summary.run_date,
        'granularity': summary.granularity,
        'lines': summary.with_lines,
        'forge': None if forge is None else {'name': forge.name, 'project': forge.project},
        'totals': totals._asdict(),
        'periods': [row._asdict() for row in summary.periods],
        'windows': [{'rule': w.rule, 'from': w.start, 'until': w.until} for w in summary.windows],
        'tools': [row._asdict() for row in summary.tools],
        'authors': [row._asdict() for row in summary.authors],
        'directories': [row._asdict() for row in summary.directories],
        'rules': [row._asdict() for row in summary.rules],
        'critical': {
            'met': summary.critical['met'],
            'met_reviewed': {'typed': summary.reviewed_typed, 'signed': summary.reviewed_signed},
            'unmet': summary.critical['unmet'],
            'overridden': summary.critical['overridden'],
            'not_required': summary.critical['not-required'],
        },
        'reviewers': [
            {'name': row.name, 'email': row.email, 'reviews': row.reviews,
             'by_period': [{'start': start, 'reviews': count} for start, count in row.by_period]}
            for row in summary.reviewers
        ],
        'concentration': summary.concentration._asdict(),
        'unreviewed': {
            'total': summary.unreviewed_total,
            'listed': [
                {'sha': row.sha, 'date': row.date, 'author': _person(row.author), 'subject': row.subject,
                 'tools': _tools(row.tools), 'missing': _missing(row.missing),
                 'likely_squash': row.likely_squash,
                 'url': forge.commit_url(row.sha) if forge else None}
                for row in summary.unreviewed
            ],
        },
        'overrides': {
            'total': summary.overrides_total,
            'listed': [
                {'sha': row.sha, 'date': row.date, 'author': _person(row.author), 'reason': row.reason,
                 'rules': list(row.rules), 'inside_window': row.inside_window,
                 'url': forge.commit_url(row.sha) if forge else None}
                for row in summary.overrides
            ],
        },
        'folded': summary.folded,
        'methods': methods(summary),
    }


def render(summary: Summary, forge: Forge | None) -> str:
    return _RAW_IN_JSON.sub(_escaped, dumps(document(summary, forge)))
