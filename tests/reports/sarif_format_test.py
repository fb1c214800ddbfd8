"""The SARIF report: valid SARIF 2.1.0 (the official schema), as GitHub code scanning needs."""
from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import IO
from typing import Any
from typing import cast

import jsonschema
import pytest

from tests.reports import MIXED_MESSAGES
from tests.reports import PAYMENTS
from tests.reports import SHA_OVERRIDDEN
from tests.reports import SHA_REFUSED
from tests.reports import assessment
from tests.reports import head_shas
from tests.reports import judged
from tests.reports import mixed
from tests.reports import overridden
from tests.reports import passing
from tests.reports import refused
from tests.reports import repo_with_ai_commit
from tests.reports import report
from tests.reports import run_check
from trailgate import output
from trailgate.reports import Report
from trailgate.reports import render
from trailgate.reports import sarif_format
from trailgate.reports.sarif_format import uri
from trailgate.requirements import KINDS

SCHEMA_FILE = Path(__file__).resolve().parent.parent / 'data' / 'sarif-schema-2.1.0.json'
# RFC 3986 characters (the schema's uri-reference format is not checked without extras)
URI_REFERENCE = re.compile(r"\A(?:[A-Za-z0-9\-._~/!$&'()*+,;=:@]|%[0-9A-F]{2})*\Z")
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding='utf-8'))
VALIDATOR = jsonschema.Draft7Validator(
    SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
)


def _sarif(*assessments: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(report(*assessments), 'sarif'))
    VALIDATOR.validate(log)
    return log


def _results(*assessments: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = _sarif(*assessments)['runs'][0]['results']
    return results


def test_schema_file_is_the_sarif_2_1_0_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA['properties']['version']['enum'] == ['2.1.0']
    assert SCHEMA['$id'].endswith('/sarif-schema-2.1.0.json')
    # the copy tests/data/README.md traces to OASIS, with the licence that travels with it
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest == '6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7'
    assert digest in (SCHEMA_FILE.parent / 'README.md').read_text(encoding='utf-8')
    licence = ' '.join(SCHEMA_FILE.with_name('sarif-schema-2.1.0.LICENSE.md').read_text(encoding='utf-8').split())
    assert 'Copyright © OASIS Open' in licence and 'provided that the above copyright notice' in licence


def test_log_shape() -> None:
    log = _sarif()
    assert log['version'] == '2.1.0'
    assert log['$schema'].endswith('sarif-schema-2.1.0.json')
    (run,) = log['runs']
    driver = run['tool']['driver']
    assert driver['name'] == 'trailgate'
    assert driver['informationUri'].startswith('https://')
    assert driver['version']
    assert run['properties']['gate'] == 'check'


def test_one_rule_per_requirement_kind() -> None:
    rules = _sarif()['runs'][0]['tool']['driver']['rules']
    assert [r['id'] for r in rules] == [kind.code for kind in KINDS]
    assert [r['name'] for r in rules] == [kind.name for kind in KINDS]
    review = rules[0]
    assert review['id'] == 'TG001'
    assert review['name'] == 'missing-review'
    assert review['shortDescription']['text'] == 'Requires review trailers from a group'
    assert review['fullDescription']['text'].startswith('Checks that an AI-assisted change')
    assert review['help']['markdown'].startswith('## What it does\n')
    assert '## How to fix' in review['help']['text']


def test_refused_violations_are_errors() -> None:
    results = _results(refused())
    assert [(r['ruleId'], r['level']) for r in results] == [('TG001', 'error'), ('TG003', 'error')]
    first = results[0]
    assert first['ruleIndex'] == 0
    assert 'suppressions' not in first
    text = first['message']['text']
    assert SHA_REFUSED[:10] in text
    assert '"Speed up payments"' in text
    assert 'tier1-payments' in text and 'TG001' in text
    assert "needs 2 Reviewed-by trailers" in text
    assert 'Fix: git commit --amend --trailer "Reviewed-by: Alice Archer' in text
    location = first['locations'][0]['physicalLocation']
    assert location['artifactLocation']['uri'] == PAYMENTS
    assert location['region'] == {'startLine': 1}


def test_a_message_says_what_would_satisfy_each_rule() -> None:
    """A refusal names what is missing and what would satisfy it (the
    contract's refusal output), in the alert a person reads as in the text."""
    judged = refused()
    results = _results(judged)
    assert len(results) == len(judged.violations) == 2
    for result, violation in zip(results, judged.violations, strict=True):
        text = result['message']['text']
        assert f'({violation.code} {violation.name}): {violation.missing}. To satisfy: {violation.satisfy}.' in text


def test_fingerprints_name_commit_rule_and_code() -> None:
    results = _results(refused())
    fingerprints = [r['partialFingerprints']['trailgate/v1'] for r in results]
    assert fingerprints == [
        f'{SHA_REFUSED}:tier1-payments:TG001', f'{SHA_REFUSED}:tier1-payments:TG003',
    ]


def test_overridden_violations_are_suppressed_with_the_reason() -> None:
    results = _results(overridden())
    assert {r['level'] for r in results} == {'warning'}
    for result in results:
        assert result['suppressions'] == [
            {'kind': 'external', 'justification': 'outage INC-1234'},
        ]
        assert 'break-glass ("outage INC-1234")' in result['message']['text']
        assert 'Fix:' not in result['message']['text']
        assert SHA_OVERRIDDEN in result['partialFingerprints']['trailgate/v1']


def test_passing_commits_have_no_results() -> None:
    assert _results(passing()) == []


def test_unicode_and_surrogates() -> None:
    message = 'Zahlung für Käufer 🚀 \udcff\n\nAssisted-by: Claude\n'
    paths = ('services/payments/naïve file#1 \udce9.py',)
    text = render(report(assessment(message, paths=paths)), 'sarif')
    text.encode('utf-8')
    log = json.loads(text)
    VALIDATOR.validate(log)
    result = log['runs'][0]['results'][0]
    assert 'Zahlung für Käufer 🚀 \\xff' in result['message']['text']
    assert result['locations'][0]['physicalLocation']['artifactLocation']['uri'] == (
        'services/payments/na%C3%AFve%20file%231%20%E9.py'
    )


@pytest.mark.parametrize(('path', 'expected'), [
    ('services/payments/pay.py', 'services/payments/pay.py'),
    ('a b/c%d.py', 'a%20b/c%25d.py'),
    ('ünï/\udcff', '%C3%BCn%C3%AF/%FF'),
])
def test_uri(path: str, expected: str) -> None:
    assert uri(path) == expected
    assert URI_REFERENCE.match(expected)


def test_end_to_end_check_writes_sarif(tmp_path: Path) -> None:
    repo = repo_with_ai_commit(tmp_path)
    ai_sha, _ = head_shas(repo)
    output = tmp_path / 'report.sarif'
    result = run_check(repo, 'sarif', output)
    assert result.returncode == 1, result.stderr
    log = json.loads(output.read_text(encoding='utf-8'))
    VALIDATOR.validate(log)
    results = log['runs'][0]['results']
    assert [r['ruleId'] for r in results] == ['TG001', 'TG003']
    assert all(r['level'] == 'error' for r in results)
    assert all(ai_sha[:10] in r['message']['text'] for r in results)
    assert results[0]['partialFingerprints']['trailgate/v1'] == f'{ai_sha}:tier1-payments:TG001'
    assert results[0]['locations'][0]['physicalLocation']['artifactLocation']['uri'] == PAYMENTS


def _streamed(chosen: Report, body: IO[str]) -> str:
    writer = sarif_format.Writer(body, chosen.gate)
    for found in judged(len(chosen.assessments)):  # each assessment gone once it is added
        writer.add(found)
    head = writer.head(chosen)
    body.seek(0)
    return head + body.read() + writer.tail(chosen)


@pytest.mark.parametrize('batch', [1, 2, 5, 256])
def test_results_written_in_batches_are_the_whole_log(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_format, 'BATCH', batch)
    chosen = Report('check', mixed(3 * len(MIXED_MESSAGES) + 1), 'policy at abc')
    whole = render(chosen, 'sarif')  # every result built on its own
    results = json.loads(whole)['runs'][0]['results']
    assert len({result['message']['text'].partition(' Fix: ')[2] for result in results}) >= 3
    assert len({result['locations'][0]['physicalLocation']['artifactLocation']['uri'] for result in results}) >= 3
    assert _streamed(chosen, io.StringIO()) == whole
    assert _streamed(chosen, cast(IO[str], output.Spool(3000))) == whole


def test_results_with_much_text_are_not_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    small = io.StringIO()
    writer = sarif_format.Writer(small, 'check')
    writer.add(refused())
    assert small.getvalue() == ''  # held back for its batch
    monkeypatch.setattr(sarif_format, 'HELD', 10)
    large = io.StringIO()
    writer = sarif_format.Writer(large, 'check')
    writer.add(refused())
    assert large.getvalue().startswith('        {\n          "ruleId": ')


def test_a_message_spells_out_the_hidden_characters_of_a_commit() -> None:
    """A code-scanning page shows the message to people: a bidi override in
    a subject would make the alert read as something else."""
    hostile = assessment('Fix \u202etxt.exe\x1b[2J\u200b\n\nAssisted-by: Claude\n')
    (result,) = _results(hostile)[:1]
    text = result['message']['text']
    assert text.isprintable(), text
    assert '"Fix \\u202etxt.exe\\x1b[2J\\u200b"' in text
    assert result['properties']['commit'] == SHA_REFUSED
