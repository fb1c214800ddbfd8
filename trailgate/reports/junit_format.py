"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins).

One ``<testsuite name="trailgate <gate>">`` holds one ``<testcase>`` per
commit checked, named ``<short sha> <subject>``. A refused commit gets one
``<failure>`` per unmet requirement (``type`` is ``<code> <name>``) and a
``<system-out>`` with the one command that fixes them all; a commit let through
by break-glass is not a failure: its ``<system-out>`` names the reason and what
was overridden. The suite's ``failures`` count is the number of refused
commits (failed test cases), not of ``<failure>`` elements.

Text that XML 1.0 cannot carry (control characters, lone surrogates from
undecodable bytes) is escaped or dropped, so the document always parses.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from trailgate.evaluate import Assessment
from trailgate.evaluate import Violation
from trailgate.reports import Report
from trailgate.reports.json_format import commit_fix
from trailgate.reports.json_format import escape_surrogates
from trailgate.reports.json_format import violation_fix

# Characters outside XML 1.0's Char production (surrogates are escaped first).
_NOT_XML = re.compile('[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def xml_text(text: str) -> str:
    """``text`` reduced to what an XML 1.0 document can hold."""
    return _NOT_XML.sub('', escape_surrogates(text))


def _element(parent: ET.Element, tag: str, text: str | None = None,
             **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def failure_text(assessment: Assessment, violation: Violation, gate: str) -> str:
    fix = violation_fix(assessment, violation, gate)
    lines = [
        f'rule: {violation.rule}',
        f'missing: {violation.missing}',
        f'to satisfy: {violation.satisfy}',
        f'paths: {", ".join(violation.paths)}',
    ]
    if fix:
        lines.append(f'fix: {fix}')
    return '\n'.join(lines) + '\n'


def _signals_lines(assessment: Assessment) -> list[str]:
    return [f'AI-assisted: {signal}' for signal in assessment.signals]


def _refused_out(assessment: Assessment, gate: str) -> str:
    lines = []
    fix = commit_fix(assessment, gate)
    if fix:
        lines.append(f'fix all: {fix}')
    if assessment.override_problem:
        lines.append(f'note: {assessment.override_problem}')
    return '\n'.join([*lines, *_signals_lines(assessment)])


def _overridden_out(assessment: Assessment) -> str:
    lines = [f'overridden by break-glass: {assessment.override}']
    lines.extend(
        f'  overridden: {v.rule}: {v.name} ({v.code}): {v.missing}'
        for v in assessment.violations
    )
    return '\n'.join([*lines, *_signals_lines(assessment)])


def _testcase(suite: ET.Element, assessment: Assessment, gate: str, reminder: bool = False) -> None:
    commit = assessment.commit
    case = _element(suite, 'testcase', classname=f'trailgate.{gate}',
                    name=f'{commit.short_sha} {commit.subject}', time='0')
    if assessment.refused and reminder:
        # not refused: the target is not protected; what it will need before it lands on one
        out = '\n'.join(
            f'needs review before it lands on a protected branch: {v.rule}: {v.name} ({v.code}): {v.missing}'
            for v in assessment.violations if v.overridden is None
        )
    elif assessment.refused:
        for violation in assessment.violations:
            _element(case, 'failure', failure_text(assessment, violation, gate),
                     message=f'{violation.rule}: {violation.missing}',
                     type=f'{violation.code} {violation.name}')
        out = _refused_out(assessment, gate)
    elif assessment.override is not None:
        out = _overridden_out(assessment)
    else:
        out = '\n'.join(_signals_lines(assessment))
    if out:
        _element(case, 'system-out', out + '\n')


def _counts(report: Report) -> dict[str, str]:
    return {
        'tests': str(report.commits_checked),
        'failures': str(report.refused_count),
        'errors': '0',
        'skipped': '0',
        'time': '0',
    }


def tree(report: Report) -> ET.Element:
    """The ``<testsuites>`` element with its one ``<testsuite>``."""
    counts = _counts(report)
    root = ET.Element('testsuites', {'name': 'trailgate', **counts})
    suite = _element(root, 'testsuite', name=f'trailgate {report.gate}', **counts)
    properties = ET.SubElement(suite, 'properties')
    _element(properties, 'property', name='policy_source', value=report.policy_source)
    for assessment in report.assessments:
        _testcase(suite, assessment, report.gate, report.reminder is not None)
    return root


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    """The report as a JUnit XML document; ``color`` and ``verbose`` change nothing."""
    root = tree(report)
    ET.indent(root)
    body = ET.tostring(root, encoding='unicode')
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
