"""The built-in AI signature catalogue: real marks match, look-alikes do not.

Every positive example is a mark quoted in
``shared/reference/ai-signatures.md``; every negative one is a false-positive
risk from its section (d).
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from testing.reference_marks import CLAUDE_BOT
from testing.reference_marks import LOOK_ALIKES
from testing.reference_marks import MARKS
from testing.reference_marks import LookAlike
from testing.reference_marks import Mark
from trailgate.detect import detect
from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.model import parse_identity
from trailgate.policy import AiConfig
from trailgate.signatures import ALL_PLACES
from trailgate.signatures import SIGNATURES
from trailgate.trailers import parse_trailers

HUMAN = 'Dev Eloper <dev@example.com>'
DOC = Path(__file__).resolve().parent.parent / 'docs' / 'signatures.md'
KEBAB = re.compile(r'\A[a-z0-9]+(?:-[a-z0-9]+)*\Z')


def _identity(value: str) -> Identity:
    identity = parse_identity(value)
    assert identity is not None, value
    return identity


def make_commit(message: str, author: str = HUMAN, committer: str | None = None) -> Commit:
    return Commit(
        sha=None,
        message=message,
        trailers=parse_trailers(message),
        author=_identity(author),
        committer=_identity(committer or author),
        date=datetime.date(2026, 8, 1),
        paths=frozenset(),
    )


def co_authored(*trailers: str) -> str:
    return 'Fix the parser\n\nHandle empty input.\n\n' + '\n'.join(trailers) + '\n'


@pytest.mark.parametrize('mark', MARKS, ids=[mark.id for mark in MARKS])
def test_real_marks_are_detected(mark: Mark) -> None:
    commit = make_commit(mark.message, mark.author, mark.committer)
    assert (mark.source, mark.tool, mark.where) in {(s.source, s.tool, s.where) for s in detect(AiConfig(), commit)}


def test_every_signature_has_a_positive_example() -> None:
    assert {s.id for s in SIGNATURES} <= {mark.source for mark in MARKS}


@pytest.mark.parametrize('look_alike', LOOK_ALIKES, ids=[case.id for case in LOOK_ALIKES])
def test_reference_look_alikes_are_not_detected(look_alike: LookAlike) -> None:
    assert detect(AiConfig(), make_commit(look_alike.message, look_alike.author, look_alike.committer)) == ()


NEGATIVES: list[tuple[str, str, str | None]] = [
    # People named after tools (d.1): match emails, never names.
    (co_authored('Co-Authored-By: Claude Martin <cm@gmail.com>'), HUMAN, None),
    ('Fix the parser\n', 'Claude Martin <cm@gmail.com>', None),
    ('Fix the parser\n', 'Jules YZERD <newtonlormont@gmail.com>', None),
    ('Fix the parser\n', 'Aiden Cline <aiden@example.org>', None),
    ('Fix the parser\n', 'Devin Smith <devin@example.org>', None),
    ('Fix the parser\n', 'Jean-Eudes Peloye <jean-eudes.peloye@adevinta.com>', None),
    ('Fix the parser\n', 'Gabriela Bogk <gabriela.bogk@adevinta.com>', None),
    # Vendor staff addresses (d.2).
    ('Fix the parser\n', HUMAN, 'Ashwin <ashwin@anthropic.com>'),
    ('Fix the parser\n', 'Xingyao <xingyao@all-hands.dev>', None),
    (co_authored('Co-authored-by: Mona <mona@github.com>'), HUMAN, None),
    ('Fix the parser\n', 'Sam <sam@openai.com>', None),
    ('Fix the parser\n', 'Zed Dev <dev@zed.dev>', None),
    # Co-authored-by is mostly human (d.4): the agents' requesters.
    (co_authored('Co-authored-by: octocat <583231+octocat@users.noreply.github.com>'),
     HUMAN, None),
    # Bots that are not AI (d.5); 41898282 alone is github-actions[bot].
    ('Fix the parser\n',
     'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>', None),
    ('Bump pytest\n',
     'dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>', None),
    ('Update dependency ruff\n',
     'renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>', None),
    ('Release v1.2.3\n', 'gemini-cli-robot <gemini-cli-robot@google.com>', None),
    # Words in prose (d.7).
    ('Update lock file\n\nRegenerated with `poetry update`.\n', HUMAN, None),
    ('Document commit rules\n\n'
     'Agents must never add Co-Authored-By: Claude <noreply@anthropic.com>\n'
     'Co-Authored-By: Claude <noreply@anthropic.com>\n'
     'is the line to strip, as is\n'
     '`🤖 Generated with [Claude Code](https://claude.ai/code)` and\n'
     'Generated with Crush or Made-with: Cursor.\n\n'
     'Signed-off-by: Dev Eloper <dev@example.com>\n', HUMAN, None),
    ('Use a cursor for the copilot codex query\n\nSee the claude-session docs.\n', HUMAN, None),
    ('docs: how to use aider: a guide\n', HUMAN, None),
    ('Compare editors\n\n🤖 Generated with opencode and then edited by hand\n', HUMAN, None),
    (co_authored('Made-with: love'), HUMAN, None),
    # Marks that do not prove AI authorship (d.8).
    (co_authored('Replit-Commit-Author: Deployment'), HUMAN, None),
    ('Fix the parser\n', HUMAN, 'Dev Eloper (aider) <dev@example.com>'),
    (co_authored('Co-Authored-By: claude-flow <ruv@ruv.net>'), HUMAN, None),
    ('Fix the parser\n', 'Codex <ehdwn1991@gmail.com>', None),
    # Placeholder identities (d.9).
    ('Fix the parser\n', 'Codex Test <codex@example.com>', None),
    # A generic subject is not a mark without the agent's identity.
    ('Initial plan\n', HUMAN, None),
]


@pytest.mark.parametrize(('message', 'author', 'committer'), NEGATIVES)
def test_look_alikes_are_not_detected(message: str, author: str,
                                      committer: str | None) -> None:
    commit = make_commit(message, author, committer)
    assert detect(AiConfig(), commit) == ()


def test_aider_suffix_counts_on_the_author_only() -> None:
    aider = 'Dev Eloper (aider) <dev@example.com>'
    signals = detect(AiConfig(), make_commit('Fix the parser\n', aider, aider))
    assert [(s.source, s.where) for s in signals] == [('aider-author-name', 'author')]


def test_claude_co_author_is_reported_as_a_trailer() -> None:
    message = co_authored('Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>')
    signals = detect(AiConfig(), make_commit(message))
    assert [(s.source, s.where) for s in signals] == [
        ('claude-code-co-author', 'Co-authored-by trailer'),
    ]


def test_builtin_signatures_can_be_switched_off() -> None:
    commit = make_commit('Fix the parser\n', CLAUDE_BOT)
    assert detect(AiConfig(builtin_signatures=False), commit) == ()


def test_ids_are_unique_and_kebab_case() -> None:
    ids = [s.id for s in SIGNATURES]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not KEBAB.match(i)] == []


def test_only_high_confidence_entries_ship() -> None:
    assert {s.evidence for s in SIGNATURES} <= {'SRC', 'OBS'}


def test_entries_are_well_formed() -> None:
    for signature in SIGNATURES:
        assert signature.kind in ('identity', 'trailer', 'marker'), signature.id
        assert signature.tool, signature.id
        assert bool(signature.key) == (signature.kind == 'trailer'), signature.id
        assert signature.places and signature.places <= ALL_PLACES, signature.id


def test_every_id_is_documented() -> None:
    doc = DOC.read_text(encoding='utf-8')
    rows = set(re.findall(r'^\| `([a-z0-9-]+)` \|', doc, re.MULTILINE))
    assert [s.id for s in SIGNATURES if s.id not in rows] == []
    assert rows <= {s.id for s in SIGNATURES}


def test_every_pattern_compiles_with_its_flags() -> None:
    """Patterns compile at their first search; each one must be a valid regex."""
    for signature in SIGNATURES:
        compiled = re.compile(signature.pattern.pattern, signature.pattern.flags)
        assert signature.pattern.search('') is None or compiled.search('') is not None, signature.id
