"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins).

One ``<testsuite name="trailgate <gate>">`` holds one ``<testcase>`` per
commit checked, named ``<short sha> <subject>``. A refused commit gets one
``<failure>`` per unmet requirement (``type`` is ``<code> <name>``) and a
``<system-out>`` with the one command that fixes them all; a commit let through
by break-glass is not a failure: its ``<system-out>`` names the reason and what
was overridden. The suite's ``failures`` count is the number of refused
commits (failed test cases), not of ``<failure>`` elements. A refusal of the
update as a whole (``Report.refusals``) is one more failing test case, named
``update``, after the commits'.

Text that XML 1.0 cannot carry (control characters, lone surrogates from
undecodable bytes) is escaped or dropped, so the document always parses.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import IO

from trailgate.evaluate import Assessment
from trailgate.evaluate import Violation
from trailgate.reports import Report
from trailgate.reports.json_format import Fixes
from trailgate.reports.json_format import escape_surrogates

# Characters outside XML 1.0's Char production (surrogates are escaped first).
_NOT_XML = re.compile('[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def xml_text(text: str) -> str:
    """``text`` reduced to what an XML 1.0 document can hold."""
    if text.isascii() and text.isprintable():
        return text  # space to tilde: nothing to drop, no surrogate
    return _NOT_XML.sub('', escape_surrogates(text))


def _escaped(text: str, entities: tuple[tuple[str, str], ...]) -> str:
    text = xml_text(text)
    for char, entity in entities:
        if char in text:
            text = text.replace(char, entity)
    return text


def _attribute(value: str) -> str:
    """An attribute value as ElementTree writes it (its ``_escape_attrib``)."""
    return _escaped(value, _ATTRIBUTE_ENTITIES)


def _text(text: str) -> str:
    """Character data as ElementTree writes it (its ``_escape_cdata``)."""
    return _escaped(text, _TEXT_ENTITIES)


_TEXT_ENTITIES = (('&', '&amp;'), ('<', '&lt;'), ('>', '&gt;'))
_ATTRIBUTE_ENTITIES = (*_TEXT_ENTITIES, ('"', '&quot;'), ('\r', '&#13;'), ('\n', '&#10;'), ('\t', '&#09;'))


def _element(tag: str, text: str, **attributes: str) -> str:
    """``<tag attributes>text</tag>``, as ElementTree serialises an element with text."""
    return f'<{tag}{_attributes(attributes)}>{_text(text)}</{tag}>'


def _attributes(attributes: dict[str, str]) -> str:
    return ''.join(f' {name}="{_attribute(value)}"' for name, value in attributes.items())


def failure_text(assessment: Assessment, violation: Violation, gate: str, fixes: Fixes | None = None) -> str:
    fix = (fixes or Fixes()).violation(assessment, violation, gate)
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


def _refused_out(assessment: Assessment, gate: str, fixes: Fixes | None = None) -> str:
    lines = []
    fix = (fixes or Fixes()).commit(assessment, gate)
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


# ElementTree.indent's layout: two spaces a level; test cases sit at level 2
_CASE_INDENT = '\n    '
_CHILD_INDENT = '\n      '


def testcase(assessment: Assessment, gate: str, reminder: bool = False, fixes: Fixes | None = None) -> str:
    """One commit's ``<testcase>``, as it stands in the indented document
    (``fixes``: the report's, to work each fix command out once)."""
    if fixes is None:
        fixes = Fixes()
    commit = assessment.commit
    children: list[str] = []
    if assessment.refused and reminder:
        # not refused: the target is not protected; what it will need before it lands on one
        out = '\n'.join(
            f'needs review before it lands on a protected branch: {v.rule}: {v.name} ({v.code}): {v.missing}'
            for v in assessment.violations if v.overridden is None
        )
    elif assessment.refused:
        children.extend(
            _element('failure', failure_text(assessment, violation, gate, fixes),
                     message=f'{violation.rule}: {violation.missing}', type=f'{violation.code} {violation.name}')
            for violation in assessment.violations
        )
        out = _refused_out(assessment, gate, fixes)
    elif assessment.override is not None:
        out = _overridden_out(assessment)
    else:
        out = '\n'.join(_signals_lines(assessment))
    if out:
        children.append(_element('system-out', out + '\n'))
    name = _attribute(f'{commit.short_sha} {commit.subject}')
    start = f'<testcase classname="{_attribute(f"trailgate.{gate}")}" name="{name}" time="0"'
    if not children:
        return start + ' />'
    return f'{start}>{"".join(_CHILD_INDENT + child for child in children)}{_CASE_INDENT}</testcase>'


def _refusals_case(report: Report) -> str:
    """The update's refusals as a whole, a failing test case of their own
    (``update``) after the commits': one ``<failure>`` per refusal."""
    if not report.refusals:
        return ''
    failures = ''.join(
        _CHILD_INDENT + _element('failure', f'trailgate {report.gate}: refused: {reason}\n',
                                 message=reason, type='TG000 update-refused')
        for reason in report.refusals
    )
    classname = _attribute(f'trailgate.{report.gate}')
    return f'{_CASE_INDENT}<testcase classname="{classname}" name="update" time="0">{failures}{_CASE_INDENT}</testcase>'


def _counts(report: Report) -> dict[str, str]:
    update = 1 if report.refusals else 0
    return {
        'tests': str(report.commits_checked + update),
        'failures': str(report.refused_count + update),
        'errors': '0',
        'skipped': '0',
        'time': '0',
    }


def _skeleton(report: Report) -> tuple[str, str]:
    """The document without its test cases, cut where they go: ElementTree
    lays out the suite, its counts and properties."""
    counts = _counts(report)
    root = ET.Element('testsuites', {'name': 'trailgate', **counts})
    suite = ET.SubElement(root, 'testsuite', {'name': xml_text(f'trailgate {report.gate}'), **counts})
    properties = ET.SubElement(suite, 'properties')
    ET.SubElement(properties, 'property', {'name': 'policy_source', 'value': xml_text(report.policy_source)})
    ET.indent(root)
    document = f'<?xml version="1.0" encoding="UTF-8"?>\n{ET.tostring(root, encoding="unicode")}\n'
    head, properties_end, tail = document.rpartition('</properties>')
    return head + properties_end, _refusals_case(report) + tail


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    """The report as a JUnit XML document; ``color`` and ``verbose`` change nothing."""
    head, tail = _skeleton(report)
    reminder = report.reminder is not None
    fixes = Fixes()
    cases = ''.join(_CASE_INDENT + testcase(a, report.gate, reminder, fixes) for a in report.assessments)
    return f'{head}{cases}{tail}'


class Writer:
    """The same text as ``render``, commit by commit: ``add`` writes each
    commit's test case to ``body`` as it is judged; the counts go in the head."""

    def __init__(self, body: IO[str], gate: str, color: bool = False, verbose: bool = False) -> None:
        self.body = body
        self.gate = gate
        self.fixes = Fixes()

    def add(self, assessment: Assessment) -> None:
        self.body.write(_CASE_INDENT + testcase(assessment, self.gate, False, self.fixes))

    def head(self, report: Report) -> str:
        return _skeleton(report)[0]

    def tail(self, report: Report) -> str:
        return _skeleton(report)[1]
