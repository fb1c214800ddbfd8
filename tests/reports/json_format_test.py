"""The JSON report: schema ``trailgate-report/1``, every commit, valid and stable."""
from __future__ import annotations

import io
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import IO
from typing import Any
from typing import cast

import jsonschema
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
from tests.reports import judged
from tests.reports import make_commit
from tests.reports import mixed
from tests.reports import overridden
from tests.reports import passing
from tests.reports import policy as report_policy
from tests.reports import refused
from tests.reports import repo_with_ai_commit
from tests.reports import report
from tests.reports import run_check
from trailgate import output
from trailgate.evaluate import Assessment
from trailgate.evaluate import assess
from trailgate.model import Identity
from trailgate.reports import Report
from trailgate.reports import json_format
from trailgate.reports import render
from trailgate.reports.json_format import escape_surrogates

SCHEMA = json.loads(resources.files('trailgate').joinpath('report.schema.json').read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
REFUSED_MESSAGE_ANY = 'Change\n\nAssisted-by: Claude\n'


def _json(*assessments: Any, gate: str = 'check') -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(report(*assessments, gate=gate), 'json'))
    VALIDATOR.validate(document)
    return document


def _commit(document: dict[str, Any], sha: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in document['commits'] if c['sha'] == sha]
    assert len(found) == 1, sha
    return found[0]


def test_schema_is_valid_and_shipped_as_package_data() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA['properties']['schema']['const'] == 'trailgate-report/1'


def test_top_level_and_summary() -> None:
    document = _json()
    assert list(document) == ['schema', 'gate', 'policy_source', 'reminder', 'summary', 'commits']
    assert document['reminder'] is None
    assert document['schema'] == 'trailgate-report/1'
    assert document['gate'] == 'check'
    assert document['policy_source'] == '.trailgate/policy.yaml at 0123456789ab'
    assert document['summary'] == {'checked': 4, 'refused': 1, 'needs_review': 1, 'overridden': 1,
                                   'ai_assisted': 3}


def test_every_commit_checked_appears_in_order() -> None:
    document = _json()
    assert [c['sha'] for c in document['commits']] == [
        SHA_REFUSED, SHA_PASSING, SHA_OVERRIDDEN, SHA_HUMAN,
    ]
    assert [c['refused'] for c in document['commits']] == [True, False, False, False]


def test_refused_commit() -> None:
    commit = _commit(_json(), SHA_REFUSED)
    assert commit['subject'] == 'Speed up payments'
    assert commit['author'] == {'name': 'Dev Eloper', 'email': 'dev@example.com'}
    assert commit['date'] == '2026-04-01'
    assert commit['override'] is None
    assert commit['override_problem'] is None
    assert [(v['rule'], v['code'], v['name']) for v in commit['violations']] == [
        ('tier1-payments', 'TG001', 'missing-review'),
        ('tier1-payments', 'TG003', 'missing-trailer'),
    ]
    review = commit['violations'][0]
    assert review['paths'] == [PAYMENTS]
    assert review['overridden'] is False
    assert review['needed'] == 2
    assert review['suggestions'] == [
        'Reviewed-by: Alice Archer <alice@example.com>', 'Reviewed-by: bob@example.com',
    ]
    assert 'group \'senior\'' in review['missing']
    assert commit['fix'] == (
        'git commit --amend --trailer "Reviewed-by: Alice Archer <alice@example.com>" '
        '--trailer "Reviewed-by: bob@example.com" --trailer "Rollback-Plan: <rollback plan>" --no-edit'
    )


def test_rules_and_requirements_of_a_passing_commit() -> None:
    commit = _commit(_json(), SHA_PASSING)
    assert commit['refused'] is False
    assert commit['violations'] == []
    assert commit['fix'] is None
    (rule,) = commit['rules']
    assert rule['rule'] == 'tier1-payments'
    assert rule['applies'] is True
    assert rule['paths'] == [PAYMENTS]
    assert [(r['code'], r['met']) for r in rule['requirements']] == [
        ('TG001', True), ('TG003', True),
    ]
    assert rule['requirements'][0]['evidence'] == [
        'Reviewed-by: Alice Archer <alice@example.com>', 'Reviewed-by: bob@example.com',
    ]


def test_rule_that_does_not_apply_says_why() -> None:
    commit = _commit(_json(), SHA_HUMAN)
    assert commit['ai_assisted'] is False
    assert commit['signals'] == []
    (rule,) = commit['rules']
    assert rule == {
        'rule': 'tier1-payments', 'applies': False, 'reason': 'commit is not AI-assisted',
        'paths': [PAYMENTS], 'requirements': [],
    }


def test_overridden_commit_carries_the_reason() -> None:
    commit = _commit(_json(), SHA_OVERRIDDEN)
    assert commit['refused'] is False
    assert commit['override'] == {'reason': 'outage INC-1234'}
    assert commit['fix'] is None
    assert [v['overridden'] for v in commit['violations']] == [True, True]


def test_ignored_break_glass_is_reported() -> None:
    attempt = assessment('Hotfix\n\nAssisted-by: Claude\nBreak-Glass: trust me\n')
    commit = _json(attempt)['commits'][0]
    assert commit['refused'] is True
    assert commit['override'] is None
    assert 'not in group \'sre\'' in commit['override_problem']


def test_ai_signals_are_recorded() -> None:
    commit = _commit(_json(), SHA_REFUSED)
    assert commit['ai_assisted'] is True
    assert commit['signals'] == [{
        'source': 'ai.disclosure_trailers', 'tool': 'Claude', 'where': 'Assisted-by trailer',
        'text': 'Assisted-by: Claude',
    }]


def test_builtin_signature_signal() -> None:
    message = 'Refactor\n\nCo-authored-by: Claude <noreply@anthropic.com>\n'
    commit = _json(assessment(message))['commits'][0]
    assert commit['ai_assisted'] is True
    assert commit['signals'][0]['where'] == 'Co-authored-by trailer'
    assert commit['signals'][0]['text'] == 'Claude <noreply@anthropic.com>'


def test_no_fix_when_no_trailer_could_satisfy() -> None:
    lonely = 'version: 1\ngroups: {senior: [dev@example.com]}\nrules:\n' \
        '  - id: core\n    paths: ["**"]\n    require: {reviews: {group: senior}}\n'
    commit = _json(assessment(REFUSED_MESSAGE_ANY, policy_text=lonely))['commits'][0]
    assert commit['refused'] is True
    assert commit['fix'] is None
    assert commit['violations'][0]['suggestions'] == []


def test_unicode_is_kept_and_surrogates_never_crash() -> None:
    message = 'Zahlung für Käufer 🚀 \udcff\udcfe end\n\nAssisted-by: Claude \udc80\n'
    text = render(report(assessment(message, paths=('services/payments/naïve \udce9.py',))),
                  'json')
    text.encode('utf-8')  # strict: no lone surrogate left
    assert '🚀' in text and 'für' in text  # ensure_ascii=False
    commit = json.loads(text)['commits'][0]
    VALIDATOR.validate(json.loads(text))
    assert commit['subject'] == 'Zahlung für Käufer 🚀 \\xff\\xfe end'
    assert commit['violations'][0]['paths'] == ['services/payments/naïve \\xe9.py']


@pytest.mark.parametrize('commits', [0, 1], ids=['no commit', 'a commit'])
def test_a_lone_surrogate_outside_the_commits_is_spelt_out(commits: int) -> None:
    """The policy's source and the update's refusals may name a file or ref
    whose bytes were not UTF-8: the document still ends its last line, as
    every report does, and parses."""
    chosen = Report('pre-receive', (refused(),)[:commits], '.trailgate/na\udce9ve.yaml at 0123456789ab',
                    refusals=('refs/heads/caf\udce9 is refused',))
    text = render(chosen, 'json')
    text.encode('utf-8')  # strict: no lone surrogate left
    assert text.endswith('}\n') and not text.endswith('\n\n')
    document = json.loads(text)
    VALIDATOR.validate(document)
    assert document['policy_source'] == '.trailgate/na\\xe9ve.yaml at 0123456789ab'
    assert document['refusals'] == [{'reason': 'refs/heads/caf\\xe9 is refused'}]
    assert len(document['commits']) == commits


@pytest.mark.parametrize(('raw', 'escaped'), [
    ('plain', 'plain'),
    ('\udcff', '\\xff'),
    ('a\ud800b', 'a\\ud800b'),
    ('🚀', '🚀'),
])
def test_escape_surrogates(raw: str, escaped: str) -> None:
    assert escape_surrogates(raw) == escaped


def test_commit_msg_gate_has_no_sha() -> None:
    document = _json(assessment(REFUSED_MESSAGE_ANY, sha=None), gate='commit-msg')
    commit = document['commits'][0]
    assert commit['sha'] is None
    assert commit['fix'].startswith('git commit --trailer')


def test_output_is_deterministic() -> None:
    first = render(report(refused(), passing(), overridden(), human()), 'json')
    second = render(report(refused(), passing(), overridden(), human()), 'json')
    assert first == second
    assert first.endswith('}\n')
    assert first.startswith('{\n  "schema": "trailgate-report/1",\n')


def test_empty_report() -> None:
    empty = Report('pre-push', (), 'none')
    document = json.loads(render(empty, 'json'))
    VALIDATOR.validate(document)
    assert document['commits'] == []
    assert document['summary'] == {'checked': 0, 'refused': 0, 'needs_review': 0, 'overridden': 0,
                                   'ai_assisted': 0}


def test_end_to_end_check_writes_json(tmp_path: Path) -> None:
    repo = repo_with_ai_commit(tmp_path)
    ai_sha, human_sha = head_shas(repo)
    output = tmp_path / 'report.json'
    result = run_check(repo, 'json', output)
    assert result.returncode == 1, result.stderr
    document = json.loads(output.read_text(encoding='utf-8'))
    VALIDATOR.validate(document)
    assert document['gate'] == 'check'
    assert document['summary'] == {'checked': 2, 'refused': 1, 'needs_review': 1, 'overridden': 0,
                                   'ai_assisted': 1}
    by_sha = {c['sha']: c for c in document['commits']}
    assert set(by_sha) == {ai_sha, human_sha}
    assert by_sha[ai_sha]['refused'] is True
    assert by_sha[ai_sha]['violations'][0]['paths'] == [PAYMENTS]
    assert by_sha[human_sha]['refused'] is False
    assert '.trailgate/policy.yaml' in document['policy_source']
    # people still see the refusal on the terminal
    assert f'refused {ai_sha[:10]} Speed up payments' in result.stdout


def test_render_streams_commits_yet_equals_the_whole_document() -> None:
    from tests.reports import assessment as make_assessment
    from trailgate.reports import Report
    from trailgate.reports.json_format import document
    from trailgate.reports.json_format import dumps
    from trailgate.reports.json_format import render

    several = tuple(make_assessment(f'Commit {n}\n\nAssisted-by: Claude\n') for n in range(3))
    for assessments in ((), several[:1], several):
        report = Report('check', assessments, 'policy at abc')
        assert render(report) == dumps(document(report))


# -- commits written a batch at a time -------------------------------------------

def _each_on_its_own(report: Report) -> str:
    """The report by the standard library, each commit's entry built with
    nothing shared with another commit's."""
    entries = [json_format.commit_entry(a, report.gate) for a in report.assessments]
    return json_format._standard_dumps(json_format._head(report, entries)) + '\n'


def _streamed(report: Report, assessments: Iterable[Assessment] | None = None, spool: bool = False) -> str:
    """The report by ``Writer``: into a text body, or as bytes into a spool
    that rolls over to a file in the middle of it."""
    body = output.Spool(3000) if spool else io.StringIO()
    writer = json_format.Writer(cast(IO[str], body), report.gate)
    for found in report.assessments if assessments is None else assessments:
        writer.add(found)
    head = writer.head(report)
    body.seek(0)
    return head + body.read() + writer.tail(report)


@pytest.mark.parametrize('batch', [1, 2, 3, 7, 256])
def test_commits_written_in_batches_are_the_commits_written_one_by_one(
        batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_format, 'BATCH', batch)
    chosen = Report('check', mixed(3 * len(MIXED_MESSAGES) + 1), 'policy at abc')
    fixes = {entry['fix'] for entry in json.loads(_each_on_its_own(chosen))['commits']}
    assert len(fixes - {None}) >= 3  # refusals that need different trailers
    expected = _each_on_its_own(chosen)
    assert render(chosen, 'json') == expected
    assert _streamed(chosen) == expected
    assert _streamed(chosen, spool=True) == expected
    # as a range is judged: each commit's assessment gone once it is added
    assert _streamed(chosen, judged(len(chosen.assessments))) == expected
    expected.encode('utf-8')  # strict: every lone surrogate spelt out


def test_only_the_commit_that_holds_a_lone_surrogate_is_cleaned(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = Report('check', mixed(len(MIXED_MESSAGES))[2:8], 'policy at abc')
    odd = chosen.assessments[-1].commit
    assert '\udcfe' in odd.author.name
    expected = _each_on_its_own(chosen)
    cleaned: list[Any] = []  # what clean was asked to clean (not its own recursive calls)
    depth = [0]
    original = json_format.clean

    def recording(value: Any) -> Any:
        if not depth[0]:
            cleaned.append(value)
        depth[0] += 1
        try:
            return original(value)
        finally:
            depth[0] -= 1

    monkeypatch.setattr(json_format, 'clean', recording)
    assert _streamed(chosen) == expected
    assert [[[entry['sha'] for entry in batch] for batch in value] for value in cleaned] == [[[odd.sha]]]


def _by(**identities: Identity) -> Assessment:
    """A refused commit whose author or committer is ``identities``."""
    return assess(report_policy(), make_commit(REFUSED_MESSAGE_ANY)._replace(**identities))


def test_commits_with_much_text_are_not_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    small = io.StringIO()
    writer = json_format.Writer(small, 'check')
    writer.add(refused())
    assert small.getvalue() == ''  # held back for its batch
    monkeypatch.setattr(json_format, 'HELD', 1000)
    for large in (assessment(REFUSED_MESSAGE_ANY * 40),
                  _by(author=Identity('Dev ' * 250, 'dev@example.com')),
                  _by(author=Identity('Dev', 'd' * 1000 + '@example.com')),
                  _by(committer=Identity('Claude ' * 150, 'noreply@anthropic.com')),
                  _by(committer=Identity('Claude', 'c' * 1000 + '@anthropic.com')),
                  assessment(REFUSED_MESSAGE_ANY, paths=tuple(f'services/payments/{n}.py' for n in range(4)))):
        body = io.StringIO()
        writer = json_format.Writer(body, 'check')
        writer.add(large)
        assert body.getvalue().startswith('    {\n      "sha": ')
