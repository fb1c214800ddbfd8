"""Identities in trailer values: what counts as ``Name <email>`` or a bare email."""
from __future__ import annotations

import datetime

import pytest

from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.model import Trailer
from trailgate.model import email_of
from trailgate.model import parse_identity

EMAIL_TABLE = [
    ('alice@example.com', 'alice@example.com'),
    ('Alice@Example.COM', 'Alice@Example.COM'),
    ('  alice@example.com\t', 'alice@example.com'),
    ('Alice Archer <alice@example.com>', 'alice@example.com'),
    ('Alice <alice@example.com>', 'alice@example.com'),
    ('Alice<alice@example.com>', 'alice@example.com'),
    ('<alice@example.com>', 'alice@example.com'),
    ('"Archer, Alice" <alice@example.com>', 'alice@example.com'),
    ('Dr. Alice (QA) <alice@example.com>', 'alice@example.com'),
    ('alice+tag@example.com', 'alice+tag@example.com'),
    ('alice@example.com.', 'alice@example.com.'),
    ('a@b', 'a@b'),
    ('', None),
    ('Alice', None),
    ('alice', None),
    ('alice@', None),
    ('@example.com', None),
    ('alice@@example.com', None),
    ('alice@example@com', None),
    ('alice@example.com evil@x', None),
    ('alice @example.com', None),
    ('"Alice" <alice@example.com> <evil@x>', None),
    ('Alice <alice@example.com> <evil@x>', None),
    ('Alice <alice@example.com', None),
    ('Alice alice@example.com>', None),
    ('Alice <<alice@example.com>>', None),
    ('Alice <alice@example.com> trailing', None),
    ('Alice <alice at example.com>', None),
    ('Alice <>', None),
    ('Alice <alice>', None),
    ('Alice < alice@example.com>', None),
    ('Alice <alice@example.com\n>', None),
    ('alice@example.com\nevil@x', None),
    ('<alice@example.com', None),
]


@pytest.mark.parametrize(('value', 'expected'), EMAIL_TABLE)
def test_email_of(value: str, expected: str | None) -> None:
    assert email_of(value) == expected


IDENTITY_TABLE = [
    ('Alice Archer <alice@example.com>', Identity('Alice Archer', 'alice@example.com')),
    ('  Alice   Archer   <alice@example.com>  ', Identity('Alice   Archer', 'alice@example.com')),
    ('alice@example.com', Identity('', 'alice@example.com')),
    ('<alice@example.com>', Identity('', 'alice@example.com')),
    ('Alice<alice@example.com>', Identity('Alice', 'alice@example.com')),
    ('Claude <noreply@anthropic.com>', Identity('Claude', 'noreply@anthropic.com')),
    ('Alice', None),
    ('Alice <alice@example.com> <evil@x>', None),
    ('', None),
]


@pytest.mark.parametrize(('value', 'expected'), IDENTITY_TABLE)
def test_parse_identity(value: str, expected: Identity | None) -> None:
    assert parse_identity(value) == expected


def test_identity_round_trips_through_str() -> None:
    identity = Identity('Alice Archer', 'alice@example.com')
    assert str(identity) == 'Alice Archer <alice@example.com>'
    assert parse_identity(str(identity)) == identity


def test_trailer_key_is_case_insensitive() -> None:
    trailer = Trailer('Reviewed-by', 'alice@example.com')
    assert trailer.key_is('REVIEWED-BY')
    assert not trailer.key_is('Reviewed')
    assert str(trailer) == 'Reviewed-by: alice@example.com'


def test_commit_helpers() -> None:
    who = Identity('A', 'a@example.com')
    commit = Commit(
        sha='0123456789abcdef', message='Subject line\n\nBody\n',
        trailers=(Trailer('Reviewed-by', 'x@y.z'), Trailer('reviewed-BY', 'p@q.r'),
                  Trailer('Other', 'v')),
        author=who, committer=who, date=datetime.date(2026, 1, 1), paths=frozenset(),
    )
    assert commit.subject == 'Subject line'
    assert commit.short_sha == '0123456789'
    assert commit.trailer_values('Reviewed-By') == ('x@y.z', 'p@q.r')
    assert commit.trailer_values('Missing') == ()
    assert commit._replace(sha=None).short_sha == '(new commit)'
    assert commit.existing_files == frozenset()
    assert commit.is_merge is False
