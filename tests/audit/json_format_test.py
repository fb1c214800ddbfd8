"""``audit --json``: totals against a history whose counts are known by construction."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from testing.audit_history import DAYS
from testing.audit_history import HOSTILE
from testing.audit_history import Expected
from testing.util import trailgate

SCHEMA = json.loads(resources.files('trailgate.audit').joinpath('audit.schema.json').read_text())


def audit_json(repo: Path, *args: str) -> dict[str, Any]:
    out = repo.parent / 'audit.json'
    result = trailgate(repo, 'audit', '--json', str(out), *args)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(out.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document


@pytest.fixture(scope='module')
def document(history: tuple[Path, Expected]) -> dict[str, Any]:
    return audit_json(history[0], '--lines')


def test_totals_match_the_recipe(document: dict[str, Any], history: tuple[Path, Expected]) -> None:
    expected = history[1]
    totals = document['totals']
    assert document['schema'] == 'trailgate-audit/1'
    assert totals['commits'] == expected.commits
    assert totals['ai_assisted'] == expected.ai
    assert totals['no_mark'] == expected.commits - expected.ai
    assert totals['merges'] == expected.merges
    assert totals['likely_squash'] == expected.squash
    assert totals['lines'] == expected.lines
    assert totals['ai_lines'] == expected.ai_lines
    assert sum(row['commits'] for row in document['periods']) == expected.commits
    assert sum(row['ai_assisted'] for row in document['periods']) == expected.ai


def test_critical_outcomes_match_the_recipe(document: dict[str, Any], history: tuple[Path, Expected]) -> None:
    expected = history[1]
    critical = document['critical']
    assert (critical['met'], critical['unmet'], critical['overridden'], critical['not_required']) == (
        expected.met, expected.unmet, expected.overridden, expected.not_required)
    assert critical['met_reviewed'] == {'typed': expected.met, 'signed': 0}
    assert document['unreviewed']['total'] == expected.unmet
    dates = [row['date'] for row in document['unreviewed']['listed']]
    assert dates == sorted(dates, reverse=True)
    assert all(row['missing'][0]['name'] == 'missing-review' for row in document['unreviewed']['listed'])
    overrides = document['overrides']
    assert overrides['total'] == expected.break_glass_inside + expected.break_glass_outside
    assert sum(row['inside_window'] for row in overrides['listed']) == expected.break_glass_inside
    assert document['rules'][0]['unmet'] == expected.unmet


def test_tools_and_the_no_mark_bucket(document: dict[str, Any], history: tuple[Path, Expected]) -> None:
    expected = history[1]
    tools = {row['id']: row['commits'] for row in document['tools']}
    assert tools.pop('no-mark') == expected.commits - expected.ai
    assert tools == expected.tools
    assert document['tools'][-1]['id'] == 'no-mark'


def test_reviewers_and_concentration(document: dict[str, Any], history: tuple[Path, Expected]) -> None:
    expected = history[1]
    reviewers = {row['email']: row['reviews'] for row in document['reviewers']}
    assert reviewers == {'alice@example.com': expected.reviews // 2, 'bob@example.com': expected.reviews // 2}
    assert document['concentration'] == {
        'reviews': expected.reviews, 'reviewers': 2, 'top_share': 0.5, 'reviewers_for_80_percent': 2,
    }


def test_generated_paths_are_left_out_of_directories(document: dict[str, Any]) -> None:
    directories = {row['directory']: row for row in document['directories']}
    assert 'gen' not in directories
    assert document['totals']['excluded_paths'] == DAYS // 6
    assert directories['pay']['ai_assisted'] == directories['pay']['commits']
    assert set(directories) == {'pay', 'web', '.trailgate', '(top level)'}


def test_changed_lines_by_directory_match_the_recipe(document: dict[str, Any],
                                                    history: tuple[Path, Expected]) -> None:
    # each directory's figure starts from nothing: the first commit to touch it counts its lines, no more
    lines = {row['directory']: (row['lines'], row['ai_lines']) for row in document['directories']}
    assert lines == history[1].directory_lines
    assert sum(figure for figure, _ in lines.values()) == document['totals']['lines']


def test_weeks_for_a_short_span_and_windows_named(document: dict[str, Any]) -> None:
    assert document['granularity'] == 'week'
    assert len(document['periods']) == 9  # 60 days from a Monday
    assert document['windows'] == [{'rule': 'tier1', 'from': '2026-03-22', 'until': '2026-04-10'}]
    assert set(document['methods']) >= {'ai_share', 'ai_lines', 'tools', 'critical', 'coverage'}


def test_hostile_text_is_kept_as_data(document: dict[str, Any]) -> None:
    subjects = {row['subject'] for row in document['unreviewed']['listed']}
    assert f'{HOSTILE} change' in subjects


def test_since_and_until_by_commit_date(history: tuple[Path, Expected]) -> None:
    document = audit_json(history[0], '--since', '2026-03-09', '--until', '2026-03-15')
    assert document['totals']['commits'] == 7
    assert (document['since'], document['until']) == ('2026-03-09', '2026-03-15')
    assert document['totals']['lines'] is None
