"""``audit``'s figures against a small mixed history whose every figure is worked out by hand,
and against ``check --format json`` on the same commits."""
from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any
from typing import NamedTuple

import jsonschema
import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import signers_file
from testing.scenarios import Repo
from testing.scenarios import init
from testing.scenarios import message
from testing.sshkeys import make_key
from tests.audit.json_format_test import SCHEMA

DEV = 'Dev Eloper <dev@example.com>'
ALICE = 'Alice Archer <alice@example.com>'
BOB = 'Bob Builder <bob@example.com>'
CAROL = 'Carol Chen <carol@example.com>'
CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>'
CODEX = 'Co-authored-by: Codex <noreply@openai.com>'
COPILOT = 'Assisted-by: Copilot'

POLICY = f"""\
version: 1
groups:
  senior: [alice@example.com, bob@example.com]
  sre: [carol@example.com]
policy_owners: senior
signers: {SIGNERS_PATH}
rules:
  - id: pay
    paths: ["pay/**"]
    require: {{reviews: {{group: senior}}}}
  - id: auth
    paths: ["auth/**"]
    exempt_authors: [sre]
    require: {{reviews: {{group: senior, signed: true}}}}
  - id: infra
    paths: ["infra/**"]
    applies_to: all
    require: {{reviews: {{group: sre}}}}
  - id: pay-freeze
    paths: ["pay/**"]
    active: {{from: 2026-01-12}}
    require: {{reviews: {{group: sre}}}}
overrides: {{trailer: Break-Glass, group: sre}}
"""


class Step(NamedTuple):
    date: str  # committer and author date, as git reads it
    author: str
    text: str
    files: dict[str, str]
    remove: tuple[str, ...] = ()


# (subject -> what each figure below expects of it) is spelt out in the tests
STEPS = (
    Step('2026-01-06T10:00:00Z', DEV, message('Pay a', CLAUDE, f'Reviewed-by: {ALICE}'), {'pay/a.py': '1\n'}),
    Step('2026-01-07T10:00:00Z', DEV, message('Pay b and auth x', CLAUDE, CODEX, f'Reviewed-by: {ALICE}'),
         {'pay/b.py': '1\n', 'auth/x.py': '1\n'}),
    Step('2026-01-08T10:00:00Z', 'Alice Archer <ALICE@example.com>',
         message('Pay by a reviewer', COPILOT, f'Reviewed-by: {ALICE}'), {'pay/a.py': '2\n'}),
    Step('2026-01-09T10:00:00Z', BOB, message('Infra by bob', COPILOT, 'Break-Glass: prod is down'),
         {'infra/main.tf': '1\n'}),
    # 23:59:59 at -12:00 is noon the next day in UTC: Monday, the second week
    Step('2026-01-11T23:59:59-1200', CAROL, message('Infra by carol', COPILOT, 'Break-Glass: outage 42'),
         {'infra/main.tf': '2\n'}),
    # midnight at +14:00 is the day before in UTC: Sunday, the first week
    Step('2026-01-12T00:00:00+1400', DEV, message('Infra by a human', f'Reviewed-by: {CAROL}'),
         {'infra/main.tf': '3\n'}),
    Step('2026-01-13T10:00:00Z', DEV, message('Auth signed', CLAUDE, f'Reviewed-by: {ALICE}'), {'auth/x.py': '2\n'}),
    Step('2026-01-14T10:00:00Z', DEV, message('Move out of pay', CLAUDE, 'Reviewed-by: Zed <zed@example.com>'),
         {'lib/old.py': 'old\n'}, ('pay/old.py',)),
    Step('2026-01-15T10:00:00Z', DEV, message('Policy tweak', COPILOT),
         {'.trailgate/policy.yaml': POLICY + '# tweaked\n'}),
    Step('2026-01-16T10:00:00Z', DEV,
         message('Pay both rules', CLAUDE, 'Reviewed-by: bob@example.com', 'Reviewed-by: Bob Builder <BOB@example.com>',
                 f'Reviewed-by: {CAROL}'), {'pay/c.py': '1\n'}),
    Step('2026-01-17T10:00:00Z', CAROL, message('Auth by carol', CLAUDE), {'auth/x.py': '3\n'}),
    Step('2026-01-18T10:00:00Z', DEV, message('Docs', CLAUDE), {'docs/x.md': 'x\n'}),
)


def _commit(repo: Repo, step: Step) -> str:
    dates = {'GIT_AUTHOR_DATE': step.date, 'GIT_COMMITTER_DATE': step.date}
    return repo.commit_ok(step.text, step.files, author=step.author, verify=False, remove=step.remove,
                          env=dates)


@pytest.fixture(scope='module')
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    base = tmp_path_factory.mktemp('figures')
    keys = {name: make_key(base / 'keys', name) for name in ('alice', 'bob')}
    init(base / 'repo')
    repo = Repo(base / 'repo')
    signers = signers_file(('alice@example.com', keys['alice']), ('bob@example.com', keys['bob']))
    _commit(repo, Step('2026-01-05T10:00:00Z', DEV, 'Adopt the policy\n', {
        '.trailgate/policy.yaml': POLICY, SIGNERS_PATH: signers, 'README': 'shop\n', 'pay/old.py': 'old\n'}))
    for step in STEPS:
        sha = _commit(repo, step)
        if step.text.startswith('Auth signed'):
            approved = repo.trailgate('approve', '--key', str(keys['alice'].private), '--yes', f'{sha}~1..{sha}')
            assert approved.returncode == 0, approved.output
    return repo


def _audit(repo: Repo, *args: str) -> tuple[dict[str, Any], list[dict[str, str]], str]:
    out = repo.path.parent
    result = repo.trailgate('audit', '--json', str(out / 'a.json'), '--csv', str(out / 'a.csv'), *args)
    assert result.returncode == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / 'a.csv').read_text(encoding='utf-8'))))
    document = json.loads((out / 'a.json').read_text(encoding='utf-8'))
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document, rows, result.stdout


@pytest.fixture(scope='module')
def audited(mixed: Repo) -> tuple[dict[str, Any], list[dict[str, str]], str]:
    return _audit(mixed)


def _by_subject(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row['subject']: row for row in rows}


def test_counts_shares_and_utc_weeks(audited: tuple[dict[str, Any], list[dict[str, str]], str]) -> None:
    document, rows, _ = audited
    totals = document['totals']
    assert (totals['commits'], totals['ai_assisted'], totals['no_mark']) == (13, 11, 2)
    assert [(row['start'], row['commits'], row['ai_assisted']) for row in document['periods']] == [
        ('2026-01-05', 6, 4), ('2026-01-12', 7, 7)]
    dates = {subject: row['date'] for subject, row in _by_subject(rows).items()}
    assert (dates['Infra by carol'], dates['Infra by a human']) == ('2026-01-12', '2026-01-11')
    tools = {(row['id'], row['tool']): row['commits'] for row in document['tools']}
    assert tools == {('claude-code-co-author', 'Claude Code'): 7, ('ai.disclosure_trailers', 'Copilot'): 4,
                     ('codex-co-author', 'OpenAI Codex'): 1, ('no-mark', '(no mark found)'): 2}
    authors = {row['email'].lower(): (row['commits'], row['ai_assisted']) for row in document['authors']}
    assert authors == {'dev@example.com': (9, 7), 'carol@example.com': (2, 2), 'alice@example.com': (1, 1),
                       'bob@example.com': (1, 1)}


def test_each_rule_counts_its_own_outcome(audited: tuple[dict[str, Any], list[dict[str, str]], str]) -> None:
    # "Pay b and auth x" meets pay and misses auth; pay-freeze is not active before 2026-01-12;
    # carol is exempt from auth but not from infra
    document, _, _ = audited
    rules = {row['rule']: tuple(row[key] for key in ('commits', 'ai_assisted', 'met', 'unmet', 'overridden',
                                                     'not_required')) for row in document['rules']}
    assert rules == {
        'pay': (6, 5, 3, 2, 0, 0),
        'auth': (3, 3, 1, 1, 0, 1),
        'infra': (3, 2, 0, 1, 1, 0),
        'pay-freeze': (6, 5, 1, 1, 0, 3),
        'policy-owners': (2, 1, 0, 1, 0, 0),
    }


def test_critical_changes_reviewed_unreviewed_and_overridden(
        audited: tuple[dict[str, Any], list[dict[str, str]], str]) -> None:
    document, rows, _ = audited
    critical = document['critical']
    assert critical == {'met': 3, 'met_reviewed': {'typed': 2, 'signed': 1}, 'unmet': 5, 'overridden': 1,
                        'not_required': 1}
    statuses = {subject: row['status'] for subject, row in _by_subject(rows).items()}
    assert statuses == {
        'Adopt the policy': '', 'Pay a': 'met', 'Pay b and auth x': 'unmet', 'Pay by a reviewer': 'unmet',
        'Infra by bob': 'unmet', 'Infra by carol': 'overridden', 'Infra by a human': '', 'Auth signed': 'met',
        'Move out of pay': 'unmet', 'Policy tweak': 'unmet', 'Pay both rules': 'met', 'Auth by carol': 'not-required',
        'Docs': '',
    }
    assert [row['subject'] for row in document['unreviewed']['listed']] == [
        'Policy tweak', 'Move out of pay', 'Infra by bob', 'Pay by a reviewer', 'Pay b and auth x']
    assert [(row['reason'], row['inside_window']) for row in document['overrides']['listed']] == [
        ('outage 42', True)]


def test_reviewer_load_counts_each_counted_review_once_per_commit(
        audited: tuple[dict[str, Any], list[dict[str, str]], str]) -> None:
    # alice: "Pay a", "Pay b and auth x" (pay only) and "Auth signed" (typed and signed: once), never her
    # own commit; carol: a human's infra change and pay-freeze; bob twice in one commit is once; zed is
    # in no group
    document, _, _ = audited
    reviewers = {row['email']: (row['name'], row['reviews']) for row in document['reviewers']}
    assert reviewers == {'alice@example.com': ('Alice Archer', 3), 'carol@example.com': ('Carol Chen', 2),
                         'bob@example.com': ('Bob Builder', 1)}
    assert document['concentration'] == {'reviews': 6, 'reviewers': 3, 'top_share': 0.5,
                                         'reviewers_for_80_percent': 2}


def _check_outcome(commit: dict[str, Any]) -> str:
    touched = [rule for rule in commit['rules'] if rule['paths']]
    if not commit['ai_assisted'] or not touched:
        return ''
    if commit['refused']:
        return 'unmet'
    if commit['violations']:
        return 'overridden'
    return 'met' if any(rule['applies'] for rule in touched) else 'not-required'


def test_audit_agrees_with_check_commit_by_commit(
        mixed: Repo, audited: tuple[dict[str, Any], list[dict[str, str]], str]) -> None:
    _, rows, _ = audited
    result = mixed.trailgate('check', '--format', 'json', '--as-of', 'commit', '--policy-rev', 'HEAD', 'HEAD')
    assert result.returncode == 1, result.output
    report = json.loads(result.stdout)
    by_check = {commit['sha']: (_check_outcome(commit), [r['rule'] for r in commit['rules'] if r['paths']])
                for commit in report['commits']}
    by_audit = {row['sha']: (row['status'], row['critical_rules'].split('; ') if row['critical_rules'] else [])
                for row in rows}
    assert by_audit == by_check
    assert sum(status == 'unmet' for status, _ in by_audit.values()) == 5


def test_since_and_until_keep_exactly_the_csv_rows_of_those_utc_days(mixed: Repo) -> None:
    document, rows, summary = _audit(mixed, '--since', '2026-01-11', '--until', '2026-01-12')
    assert sorted(row['subject'] for row in rows) == ['Infra by a human', 'Infra by carol']
    assert document['totals']['commits'] == len(rows)
    assert 'since 2026-01-11, until 2026-01-12' in summary.splitlines()[0]


def test_a_stray_number_read_as_today_is_named_on_the_terminal(mixed: Repo) -> None:
    # git's approxidate reads `--since 0` as now: an empty report must say which day it read
    document, rows, summary = _audit(mixed, '--since', '0')
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert rows == [] and document['since'] in (today.isoformat(), (today - datetime.timedelta(days=1)).isoformat())
    assert f'since {document["since"]}' in summary.splitlines()[0]


def test_one_tool_written_in_two_cases_is_one_row(tmp_path: Path) -> None:
    init(tmp_path / 'repo')
    repo = Repo(tmp_path / 'repo')
    policy = 'version: 1\nrules:\n  - id: docs\n    paths: ["docs/**"]\n    require: {trailers: [Rollback-Plan]}\n'
    repo.commit_ok('Adopt the policy\n', {'.trailgate/policy.yaml': policy, 'README': 'shop\n'}, verify=False)
    for text in ('Assisted-by: claude', 'Assisted-by: Claude', 'Assisted-by: CLAUDE\nAssisted-by: Claude'):
        repo.commit_ok(message('Change', text), {'README': f'{text}\n'}, verify=False)

    document, rows, _ = _audit(repo)

    assert [(row['tool'].casefold(), row['commits']) for row in document['tools']] == [
        ('claude', 3), ('(no mark found)', 1)]
    assert [row['tools'].casefold() for row in rows] == ['ai.disclosure_trailers=claude'] * 3 + ['']


def test_the_message_git_merge_squash_writes_is_a_likely_squash(tmp_path: Path) -> None:
    init(tmp_path / 'repo')
    repo = Repo(tmp_path / 'repo')
    policy = 'version: 1\nrules:\n  - id: docs\n    paths: ["docs/**"]\n    require: {trailers: [Rollback-Plan]}\n'
    repo.commit_ok('Adopt the policy\n', {'.trailgate/policy.yaml': policy}, verify=False)
    repo.git('checkout', '-q', '-b', 'feature')
    repo.commit_ok(message('Inner', CLAUDE), {'a.txt': '1\n'}, verify=False)
    repo.git('checkout', '-q', 'main')
    repo.git('merge', '-q', '--squash', 'feature')
    repo.git('commit', '-q', '--no-edit')  # the subject is "Squashed commit of the following:"

    document, rows, _ = _audit(repo, 'main')

    assert (document['totals']['likely_squash'], document['totals']['ai_likely_squash']) == (1, 1)
    assert [row['likely_squash'] for row in rows] == ['yes', 'no']
