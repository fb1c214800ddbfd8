"""The JUnit XML report: one test case per commit, a failure per refusing violation."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.reports import MIXED_MESSAGES
from tests.reports import PAYMENTS
from tests.reports import SHA_HUMAN
from tests.reports import SHA_OVERRIDDEN
from tests.reports import SHA_PASSING
from tests.reports import SHA_REFUSED
from tests.reports import assessment
from tests.reports import head_shas
from tests.reports import human
from tests.reports import judged as judged_lazily
from tests.reports import mixed
from tests.reports import overridden
from tests.reports import passing
from tests.reports import refused
from tests.reports import repo_with_ai_commit
from tests.reports import report
from tests.reports import run_check
from trailgate.evaluate import Assessment
from trailgate.reports import Report
from trailgate.reports import junit_format
from trailgate.reports import render
from trailgate.reports.junit_format import xml_text


def _parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode('utf-8'))


def _suite(root: ET.Element) -> ET.Element:
    (suite,) = root.findall('testsuite')
    return suite


def _case(root: ET.Element, sha: str) -> ET.Element:
    (case,) = [c for c in root.iter('testcase') if c.get('name', '').startswith(sha[:10])]
    return case


def test_one_suite_one_case_per_commit() -> None:
    root = _parse(render(report(), 'junit'))
    assert root.tag == 'testsuites'
    suite = _suite(root)
    assert suite.get('name') == 'trailgate check'
    assert suite.get('tests') == '4'
    assert suite.get('failures') == '1'
    assert suite.get('errors') == '0'
    cases = suite.findall('testcase')
    assert [c.get('name') for c in cases] == [
        f'{SHA_REFUSED[:10]} Speed up payments',
        f'{SHA_PASSING[:10]} Tidy payments',
        f'{SHA_OVERRIDDEN[:10]} Hotfix payments',
        f'{SHA_HUMAN[:10]} Hand-written change',
    ]
    assert {c.get('classname') for c in cases} == {'trailgate.check'}


def test_a_failure_per_unmet_requirement_of_a_refused_commit() -> None:
    root = _parse(render(report(), 'junit'))
    assert len(list(root.iter('failure'))) == 2
    failures = _case(root, SHA_REFUSED).findall('failure')
    assert [f.get('type') for f in failures] == ['TG001 missing-review', 'TG003 missing-trailer']
    review = failures[0]
    assert review.get('message', '').startswith('tier1-payments: needs 2 Reviewed-by')
    text = review.text or ''
    assert 'rule: tier1-payments' in text
    assert 'to satisfy: Reviewed-by from any of: Alice Archer <alice@example.com>' in text
    assert f'paths: {PAYMENTS}' in text
    assert 'fix: git commit --amend --trailer "Reviewed-by: Alice Archer' in text
    out = _case(root, SHA_REFUSED).findtext('system-out') or ''
    assert 'fix all: git commit --amend --trailer "Reviewed-by: Alice Archer' in out
    assert 'Rollback-Plan' in out
    assert 'AI-assisted: Claude' in out


def test_a_failure_lists_each_protected_path_it_is_about() -> None:
    """Every protected path the commit touches, one after another as the
    other reports list them; a path outside every rule is not one of them."""
    refund = 'services/payments/refund.py'
    two = assessment('Speed up payments\n\nAssisted-by: Claude\n', paths=(PAYMENTS, refund, 'README.md'))
    failures = _case(_parse(render(report(two), 'junit')), SHA_REFUSED).findall('failure')
    assert len(failures) == 2
    for failure in failures:
        assert f'\npaths: {PAYMENTS}, {refund}\n' in (failure.text or '')


def test_overridden_commit_is_not_a_failure_and_names_the_reason() -> None:
    case = _case(_parse(render(report(), 'junit')), SHA_OVERRIDDEN)
    assert case.findall('failure') == []
    out = case.findtext('system-out') or ''
    assert 'overridden by break-glass: outage INC-1234' in out
    assert 'tier1-payments: missing-review (TG001)' in out


def test_passing_commits_have_no_failure() -> None:
    root = _parse(render(report(), 'junit'))
    assert _case(root, SHA_PASSING).findall('failure') == []
    human = _case(root, SHA_HUMAN)
    assert list(human) == []


def test_empty_report_is_a_valid_suite() -> None:
    root = _parse(render(Report('pre-receive', (), 'none'), 'junit'))
    suite = _suite(root)
    assert suite.get('name') == 'trailgate pre-receive'
    assert suite.get('tests') == '0'
    assert suite.findall('testcase') == []


def test_text_xml_cannot_carry_is_dropped_and_surrogates_escaped() -> None:
    message = 'Bad\x01 bytes\x1b[31m \udcff für 🚀 \ufffe\n\nAssisted-by: Claude\n'
    text = render(report(assessment(message)), 'junit')
    text.encode('utf-8')
    name = _parse(text).find('testsuite/testcase')
    assert name is not None
    assert name.get('name') == f'{SHA_REFUSED[:10]} Bad bytes[31m \\xff für 🚀 '


def test_xml_text() -> None:
    assert xml_text('a\tb\nc\rd') == 'a\tb\nc\rd'
    assert xml_text('\x00\x08\x0b\x0c\x1f\x7f') == '\x7f'
    assert xml_text('\udc80') == '\\x80'


def test_gate_names_suite_and_class() -> None:
    root = _parse(render(report(refused(), gate='pre-push'), 'junit'))
    assert _suite(root).get('name') == 'trailgate pre-push'
    assert _case(root, SHA_REFUSED).get('classname') == 'trailgate.pre-push'


def test_end_to_end_check_writes_junit(tmp_path: Path) -> None:
    repo = repo_with_ai_commit(tmp_path)
    ai_sha, human_sha = head_shas(repo)
    output = tmp_path / 'junit.xml'
    result = run_check(repo, 'junit', output)
    assert result.returncode == 1, result.stderr
    root = ET.parse(output).getroot()
    suite = _suite(root)
    assert suite.get('tests') == '2'
    assert suite.get('failures') == '1'
    assert len(list(root.iter('failure'))) == 2
    assert _case(root, ai_sha).get('name') == f'{ai_sha[:10]} Speed up payments'
    assert _case(root, human_sha).findall('failure') == []


# -- the document as ElementTree builds it (the reference the text must equal) --


def _reference_element(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _reference_testcase(suite: ET.Element, judged: Assessment, gate: str, reminder: bool) -> None:
    commit = judged.commit
    case = _reference_element(suite, 'testcase', classname=f'trailgate.{gate}',
                              name=f'{commit.short_sha} {commit.subject}', time='0')
    if judged.refused and reminder:
        out = '\n'.join(
            f'needs review before it lands on a protected branch: {v.rule}: {v.name} ({v.code}): {v.missing}'
            for v in judged.violations if v.overridden is None
        )
    elif judged.refused:
        for violation in judged.violations:
            _reference_element(case, 'failure', junit_format.failure_text(judged, violation, gate),
                               message=f'{violation.rule}: {violation.missing}',
                               type=f'{violation.code} {violation.name}')
        out = junit_format._refused_out(judged, gate)
    elif judged.override is not None:
        out = junit_format._overridden_out(judged)
    else:
        out = '\n'.join(junit_format._signals_lines(judged))
    if out:
        _reference_element(case, 'system-out', out + '\n')


def _reference_render(report: Report) -> str:
    counts = junit_format._counts(report)
    root = ET.Element('testsuites', {'name': 'trailgate', **counts})
    suite = _reference_element(root, 'testsuite', name=f'trailgate {report.gate}', **counts)
    properties = ET.SubElement(suite, 'properties')
    _reference_element(properties, 'property', name='policy_source', value=report.policy_source)
    for judged in report.assessments:
        _reference_testcase(suite, judged, report.gate, report.reminder is not None)
    if report.refusals:
        case = _reference_element(suite, 'testcase', classname=f'trailgate.{report.gate}', name='update', time='0')
        for reason in report.refusals:
            _reference_element(case, 'failure', f'trailgate {report.gate}: refused: {reason}\n', message=reason,
                               type='TG000 update-refused')
    ET.indent(root)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{ET.tostring(root, encoding="unicode")}\n'


HOSTILE_SUBJECTS = (
    'Quotes " and \' & <tags> >',
    'Tab\there, CR\r and controls \x01\x1b[31m',
    'Bytes \udcff\udc80 and für 🚀 \ufffe\uffff',
    ']]> <![CDATA[ &amp; &#10;',
)


@pytest.mark.parametrize('reminder', [None, 'feature is not protected'])
@pytest.mark.parametrize('gate', ['check', 'pre-receive'])
def test_the_text_is_what_elementtree_writes(reminder: str | None, gate: str) -> None:
    hostile = tuple(
        assessment(f'{subject}\n\nAssisted-by: Claude <{subject}>\nBreak-Glass: {subject}\n', sha=str(n) * 40,
                   author='Carol Chen <carol@example.com>' if n % 2 else 'Dev Eloper <dev@example.com>')
        for n, subject in enumerate(HOSTILE_SUBJECTS, 5)
    )
    for chosen in ((), (refused(),), (refused(), passing(), overridden(), human(), *hostile)):
        found = Report(gate, chosen, '.trailgate/policy.yaml "at" <&> \udcff', reminder=reminder)
        assert render(found, 'junit') == _reference_render(found)
        refusing = found._replace(refusals=HOSTILE_SUBJECTS)  # an update refused as a whole, too
        assert render(refusing, 'junit') == _reference_render(refusing)


def test_streamed_test_cases_are_the_document() -> None:
    chosen = (refused(), passing(), overridden(), human())
    body = io.StringIO()
    writer = junit_format.Writer(body, 'check')
    for found in chosen:
        writer.add(found)
    whole = report(*chosen)
    assert writer.head(whole) + body.getvalue() + writer.tail(whole) == _reference_render(whole)


def test_many_commits_by_one_policy_are_the_document() -> None:
    """Commits that share what assess shares and need different fixes: each
    fix command, worked out once per report, is the commit's own."""
    chosen = Report('check', mixed(3 * len(MIXED_MESSAGES)), 'policy at abc')
    reference = _reference_render(chosen)
    assert len(set(re.findall(r'fix all: [^\n]*', reference))) >= 3
    body = io.StringIO()
    writer = junit_format.Writer(body, 'check')
    for found in judged_lazily(len(chosen.assessments)):  # each assessment gone once it is added
        writer.add(found)
    assert writer.head(chosen) + body.getvalue() + writer.tail(chosen) == reference
    assert render(chosen, 'junit') == reference
