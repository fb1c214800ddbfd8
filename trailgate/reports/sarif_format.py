"""SARIF 2.1.0 for code scanning (GitHub ``upload-sarif`` and other viewers).

One run; the driver lists one rule per requirement kind (``TG001``...), with
help taken from the kind's documentation. Each violation is one result,
located on the first protected path the commit touches (line 1: the finding
is about the commit, not a line). Refusals are errors; violations let through
by break-glass are warnings carrying an external suppression with the reason.
A refusal of the update as a whole (``Report.refusals``) is an error of its
own rule, ``TG000 update-refused``, located on the policy file.
Messages are for people: a commit's hidden characters are spelled out there
(``display.visible``), its exact text stays in ``properties``.
``partialFingerprints`` name commit, rule and code, so that a re-upload of the
same findings does not open new alerts.
"""
from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Callable
from typing import IO
from typing import Any
from urllib.parse import quote

from trailgate.display import visible
from trailgate.evaluate import Assessment
from trailgate.evaluate import Violation
from trailgate.policy import DEFAULT_POLICY_PATH
from trailgate.reports import Report
from trailgate.reports.json_format import BATCH
from trailgate.reports.json_format import HELD
from trailgate.reports.json_format import PATH_WEIGHT
from trailgate.reports.json_format import BatchWriter
from trailgate.reports.json_format import Fixes
from trailgate.reports.json_format import dumps
from trailgate.reports.json_format import escape_surrogates
from trailgate.reports.json_format import load_serialiser
from trailgate.reports.json_format import remember
from trailgate.reports.json_format import violation_fix
from trailgate.requirements import KINDS
from trailgate.requirements import Kind

SARIF_SCHEMA = 'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json'
INFORMATION_URI = 'https://pypi.org/project/trailgate/'
FINGERPRINT = 'trailgate/v1'
_RULE_INDEX = {kind.code: index for index, kind in enumerate(KINDS)}


def prepare() -> None:
    """Load the serialiser ahead (``reports.prepare``): SARIF is written with JSON's."""
    load_serialiser()


def tool_version() -> str:
    try:
        return importlib.metadata.version('trailgate')
    except importlib.metadata.PackageNotFoundError:
        return '0'


def _section(doc: str, title: str) -> str:
    """The text under ``## title`` in a kind's documentation, unwrapped."""
    marker = f'## {title}\n'
    start = doc.find(marker)
    if start == -1:
        return ''
    body = doc[start + len(marker):].split('\n## ', 1)[0]
    return ' '.join(body.split())


def _rule(kind: Kind) -> dict[str, Any]:
    doc = inspect.cleandoc(kind.doc)
    return {
        'id': kind.code,
        'name': kind.name,
        'shortDescription': {'text': f'Requires {kind.summary}'},
        'fullDescription': {'text': _section(doc, 'What it does') or kind.summary},
        'help': {'text': doc, 'markdown': doc},
        'defaultConfiguration': {'level': 'error'},
        'properties': {'tags': ['trailgate', 'ai-assisted', kind.name]},
    }


def uri(path: str) -> str:
    """A repository-relative path as a URI reference, its bytes percent-encoded."""
    try:
        raw = path.encode('utf-8', 'surrogateescape')
    except UnicodeEncodeError:
        raw = escape_surrogates(path).encode('utf-8')
    return quote(raw, safe='/')


def _location(violation: Violation, to_uri: Callable[[str], str] = uri) -> dict[str, Any]:
    path = violation.paths[0] if violation.paths else DEFAULT_POLICY_PATH
    return {
        'physicalLocation': {
            'artifactLocation': {'uri': to_uri(path), 'uriBaseId': '%SRCROOT%'},
            'region': {'startLine': 1},
        },
    }


def message(assessment: Assessment, violation: Violation, gate: str, reminder: bool = False,
            fix_of: Callable[[Assessment, Violation, str], str | None] = violation_fix) -> str:
    """What a person reading the alert needs: which commit, what, and the fix;
    the hidden characters of the commit's text spelled out, as the text report
    does (a code-scanning page shows this to people; ``properties`` keep the data)."""
    return visible(_message(assessment, violation, gate, reminder, fix_of))


def _message(assessment: Assessment, violation: Violation, gate: str, reminder: bool,
             fix_of: Callable[[Assessment, Violation, str], str | None]) -> str:
    commit = assessment.commit
    if reminder and violation.overridden is None:
        return (
            f'Commit {commit.short_sha} "{commit.subject}" will need, before it lands on a protected '
            f'branch, rule {violation.rule} ({violation.code} {violation.name}): {violation.missing}.'
        )
    if violation.overridden is None:
        verdict = 'is refused by rule'
    else:
        verdict = f'was let through by break-glass ("{violation.overridden}") despite rule'
    text = (
        f'Commit {commit.short_sha} "{commit.subject}" {verdict} {violation.rule} '
        f'({violation.code} {violation.name}): {violation.missing}. '
        f'To satisfy: {violation.satisfy}.'
    )
    fix = fix_of(assessment, violation, gate) if violation.overridden is None else None
    return f'{text} Fix: {fix}' if fix else text


def _result(assessment: Assessment, violation: Violation, gate: str, reminder: bool,
            fix_of: Callable[[Assessment, Violation, str], str | None] = violation_fix,
            to_uri: Callable[[str], str] = uri) -> dict[str, Any]:
    sha = assessment.commit.sha or ''
    level = 'warning' if violation.overridden is not None else 'note' if reminder else 'error'
    result: dict[str, Any] = {
        'ruleId': violation.code,
        'ruleIndex': _RULE_INDEX[violation.code],
        'level': level,
        'message': {'text': message(assessment, violation, gate, reminder, fix_of)},
        'locations': [_location(violation, to_uri)],
        'partialFingerprints': {FINGERPRINT: f'{sha}:{violation.rule}:{violation.code}'},
        'properties': {
            'commit': sha,
            'rule': violation.rule,
            'requirement': violation.name,
            'paths': list(violation.paths),
        },
    }
    if violation.overridden is not None:
        result['suppressions'] = [{'kind': 'external', 'justification': violation.overridden}]
    return result


# a refusal of the update as a whole: no requirement kind's, so a rule of its own,
# listed after the kinds' and only in a log that has one
UPDATE_REFUSED = {
    'id': 'TG000',
    'name': 'update-refused',
    'shortDescription': {'text': 'Refuses an update of a protected ref as a whole'},
    'fullDescription': {'text': (
        'The update is refused whatever its commits: it would take a protected ref back to a policy '
        'or signer file it no longer has, point it at something that is not a commit, or the push '
        'breaks a rule of its own (a ref updated twice, the approvals ref rewritten).')},
    'help': {'text': 'The result\'s message says why and what to do next.',
             'markdown': 'The result\'s message says why and what to do next.'},
    'defaultConfiguration': {'level': 'error'},
    'properties': {'tags': ['trailgate']},
}


def _refusal_result(reason: str, gate: str, index: int) -> dict[str, Any]:
    return {
        'ruleId': UPDATE_REFUSED['id'],
        'ruleIndex': index,
        'level': 'error',
        'message': {'text': f'trailgate {gate}: refused: {reason}'},
        'locations': [{
            'physicalLocation': {
                'artifactLocation': {'uri': uri(DEFAULT_POLICY_PATH), 'uriBaseId': '%SRCROOT%'},
                'region': {'startLine': 1},
            },
        }],
    }


def log(report: Report, results: list[Any] | None = None) -> dict[str, Any]:
    """The SARIF log as a JSON-ready tree (``results``: in place of the
    commits' own; the update's refusals come after them)."""
    if results is None:
        results = [
            _result(assessment, violation, report.gate, report.reminder is not None)
            for assessment in report.assessments
            for violation in assessment.violations
        ]
    rules = [_rule(kind) for kind in KINDS]
    if report.refusals:
        results = [*results, *(_refusal_result(reason, report.gate, len(rules)) for reason in report.refusals)]
        rules.append(UPDATE_REFUSED)
    driver = {
        'name': 'trailgate',
        'informationUri': INFORMATION_URI,
        'version': tool_version(),
        'rules': rules,
    }
    run = {
        'tool': {'driver': driver},
        'results': results,
        'properties': {
            'gate': report.gate,
            'policySource': report.policy_source,
            'checked': report.commits_checked,
        },
    }
    return {'$schema': SARIF_SCHEMA, 'version': '2.1.0', 'runs': [run]}


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    """The report as a SARIF 2.1.0 log; ``color`` and ``verbose`` change nothing."""
    return dumps(log(report))


_RESULT_DEPTH = 4  # a result's place in the log: runs, the run, results, the result
_PLACEHOLDER = 'RESULTS'


class Writer(BatchWriter):
    """The same text as ``render``, commit by commit: ``add`` builds the
    results of each commit's violations as it is judged, for the body a
    batch at a time; the driver goes in the head (which writes what is held
    back), the counts in the tail. Each violation's fix command and each
    path's URI are worked out once per report."""

    def __init__(self, body: IO[str], gate: str, color: bool = False, verbose: bool = False) -> None:
        super().__init__(body, _RESULT_DEPTH)
        self.gate = gate
        self._fix = Fixes().violation
        self._uris: dict[str, str] = {}

    def add(self, assessment: Assessment) -> None:
        violations = assessment.violations
        if not violations:
            return
        commit = assessment.commit
        batch = self.batch
        for violation in violations:
            batch.append(_result(assessment, violation, self.gate, False, self._fix, self._uri))
            self.held += len(commit.message) + PATH_WEIGHT * len(violation.paths)
        if len(batch) >= BATCH or self.held >= HELD:
            self.flush()

    def _uri(self, path: str) -> str:
        found = self._uris.get(path)
        if found is None:
            found = remember(self._uris, path, uri(path))
        return found

    def _around(self, report: Report) -> tuple[str, str]:
        """The log's text before its results and after them."""
        if not self.written:
            return dumps(log(report, [])), ''
        placeholder = f'{"  " * _RESULT_DEPTH}"{_PLACEHOLDER}"'
        head, tail = dumps(log(report, [_PLACEHOLDER])).split(placeholder)
        return head, tail

    def head(self, report: Report) -> str:
        self.flush()
        return self._around(report)[0]

    def tail(self, report: Report) -> str:
        self.flush()
        return self._around(report)[1]
