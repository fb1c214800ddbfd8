"""The starter policy that ``trailgate init`` writes, and its CODEOWNERS import."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from trailgate.commands.init import RESET_DAYS
from trailgate.commands.init import _parse_codeowners
from trailgate.commands.init import _reset_window
from trailgate.commands.init import _with_codeowners
from trailgate.commands.init import starter_text
from trailgate.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = ROOT / 'trailgate' / 'resources' / 'policy.example.yaml'
AT_ROOT = ROOT / 'policy.example.yaml'
WINDOW = re.compile(r'active: \{from: (\d{4}-\d{2}-\d{2}), until: (\d{4}-\d{2}-\d{2})\}')


def test_starter_text_validates() -> None:
    policy = load_policy(starter_text().encode(), '.trailgate/policy.yaml')
    assert [rule.id for rule in policy.rules] == [
        'tier1-payments', 'tier1-inventory', 'deploy-config',
    ]
    assert policy.policy_owners == 'senior'
    assert policy.overrides is not None
    assert policy.overrides.group == 'sre'


def test_starter_text_is_the_packaged_resource() -> None:
    assert starter_text() == PACKAGED.read_text(encoding='utf-8')


def test_root_example_is_a_symlink_to_the_packaged_resource() -> None:
    assert AT_ROOT.is_symlink()
    assert AT_ROOT.resolve() == PACKAGED.resolve()
    assert AT_ROOT.read_bytes() == PACKAGED.read_bytes()
    load_policy(AT_ROOT.read_bytes(), 'policy.example.yaml')


def test_starter_is_commented() -> None:
    comments = [line for line in starter_text().splitlines() if line.lstrip().startswith('#')]
    assert len(comments) >= 10


@pytest.mark.parametrize('today', [
    datetime.date(2026, 1, 1), datetime.date(2027, 2, 28), datetime.date(2028, 12, 31),
])
def test_reset_window_moves_to_today(today: datetime.date) -> None:
    text = _reset_window(starter_text(), today)
    windows = WINDOW.findall(text)
    until = today + datetime.timedelta(days=RESET_DAYS)
    assert windows == [(today.isoformat(), until.isoformat())]
    assert (until - today).days == 90  # as the contract's 2026-03-10..2026-06-08
    policy = load_policy(text.encode(), '.trailgate/policy.yaml')
    active = policy.rules[0].active
    assert active is not None
    assert (active.start, active.until) == (today, until)
    assert active.contains(today)
    assert active.contains(until)
    assert not active.contains(until + datetime.timedelta(days=1))


def test_reset_window_changes_nothing_else() -> None:
    original = starter_text()
    moved = _reset_window(original, datetime.date(2030, 5, 5))
    assert WINDOW.sub('W', original) == WINDOW.sub('W', moved)


def test_the_shipped_window_is_the_contract_one() -> None:
    assert WINDOW.findall(starter_text()) == [('2026-03-10', '2026-06-08')]


def test_reset_on_the_shipped_start_date_reproduces_the_example() -> None:
    assert _reset_window(starter_text(), datetime.date(2026, 3, 10)) == starter_text()


CODEOWNERS_TABLE = [
    ('', [], []),
    ('# comment only\n\n   \n', [], []),
    ('* @org/everyone\n', [], []),
    ('/services/payments/ @org/payments alice@example.com\n',
     ['/services/payments/'], ['alice@example.com']),
    ('*.tf sre@example.com # infra\n', ['*.tf'], ['sre@example.com']),
    ('docs/** @docs\n', ['docs/**'], []),
    ('a/ x@example.com\nb/ x@example.com y@example.com\na/ z@example.com\n',
     ['a/', 'b/'], ['x@example.com', 'y@example.com', 'z@example.com']),
    ('src/ not-an-email @user user@localhost <a@example.com>\n', ['src/'], []),
    ('[Backend]\nbackend/ dev@example.com\n', ['backend/'], ['dev@example.com']),
    ('/build/ \n', ['/build/'], []),
    ('  indented/  a@example.com  \n', ['indented/'], ['a@example.com']),
    ('x/ A@Example.COM\n', ['x/'], ['A@Example.COM']),
]


@pytest.mark.parametrize(('text', 'patterns', 'emails'), CODEOWNERS_TABLE)
def test_parse_codeowners(text: str, patterns: list[str], emails: list[str]) -> None:
    assert _parse_codeowners(text) == (patterns, emails)


def test_starter_with_codeowners_validates() -> None:
    text = _reset_window(starter_text(), datetime.date(2026, 4, 1))
    found = _parse_codeowners('/services/payments/ new@example.com\n*.sql "q"@example.com\n')
    text = _with_codeowners(text, *found)
    policy = load_policy(text.encode(), '.trailgate/policy.yaml')
    assert 'new@example.com' in policy.groups['senior']
    codeowners = [rule for rule in policy.rules if rule.id == 'codeowners']
    assert len(codeowners) == 1
    assert codeowners[0].paths.patterns == ('/services/payments/', '*.sql')
    assert codeowners[0].require.reviews is not None
    assert codeowners[0].require.reviews.group == 'senior'


def test_starter_without_codeowners_is_unchanged() -> None:
    assert _with_codeowners(starter_text(), [], []) == starter_text()


def test_codeowners_escaped_hash_path() -> None:
    assert _parse_codeowners('\\#notes.md a@example.com\n') == (['\\#notes.md'], ['a@example.com'])


def test_codeowners_gitlab_optional_section_header() -> None:
    assert _parse_codeowners('^[Docs] @docs-team\ndocs/ a@example.com\n') == (
        ['docs/'], ['a@example.com'],
    )


def test_no_comment_paragraph_is_repeated() -> None:
    paragraphs = [block for block in starter_text().split('\n\n') if block.lstrip().startswith('#')]
    repeated = {block for block in paragraphs if paragraphs.count(block) > 1}
    assert not repeated, repeated
