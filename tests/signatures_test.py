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


def sources(commit: Commit) -> set[str]:
    return {signal.source for signal in detect(AiConfig(), commit)}


def co_authored(*trailers: str) -> str:
    return 'Fix the parser\n\nHandle empty input.\n\n' + '\n'.join(trailers) + '\n'


CLAUDE_BOT = 'claude[bot] <209825114+claude[bot]@users.noreply.github.com>'
CLAUDE_ACTION_BOT = 'claude[bot] <41898282+claude[bot]@users.noreply.github.com>'
SWE_AGENT = 'copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>'
DEVIN_AI = 'Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>'
JULES = 'google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>'

# (signature id, message, author, committer)
POSITIVES: list[tuple[str, str, str, str | None]] = [
    ('claude-code-co-author',
     co_authored('Co-Authored-By: Claude <noreply@anthropic.com>'), HUMAN, None),
    ('claude-code-co-author',
     co_authored('Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>'),
     HUMAN, None),
    ('claude-code-co-author',
     co_authored('Co-authored-by: Claude Sonnet 4.5 <NoReply@Anthropic.com>'), HUMAN, None),
    ('claude-web-identity', 'Fix the parser\n', 'Claude <noreply@anthropic.com>', None),
    ('claude-web-identity', 'Fix the parser\n', HUMAN, 'Claude Code <noreply@anthropic.com>'),
    ('claude-code-footer',
     'Fix the parser\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n', HUMAN, None),
    ('claude-code-footer',
     'Fix the parser\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n'
     'Co-Authored-By: Claude <noreply@anthropic.com>\n', HUMAN, None),
    ('claude-code-footer', 'Fix the parser\n\n🤖 Generated with Claude Code\n', HUMAN, None),
    ('claude-session',
     co_authored('Claude-Session: https://claude.ai/code/session_01AbCdEf23'), HUMAN, None),
    ('claude-session',
     'Fix the parser\n\nhttps://claude.ai/code/session_01AbCdEf23\n', HUMAN, None),
    ('claude-bot', 'Fix the parser\n', CLAUDE_BOT, None),
    ('claude-bot', 'Fix the parser\n', CLAUDE_ACTION_BOT, None),
    ('claude-bot', co_authored(f'Co-authored-by: {CLAUDE_BOT}'), HUMAN, None),
    ('copilot-swe-agent', 'Initial plan\n', SWE_AGENT, SWE_AGENT),
    ('copilot-swe-agent', co_authored(f'Co-authored-by: {SWE_AGENT}'), HUMAN, None),
    ('copilot-agent-logs',
     co_authored('Agent-Logs-Url: https://github.com/octo/repo/sessions/'
                 '0b5c9a3e-1f2d-4c6b-9e8a-7d6f5e4c3b2a'), HUMAN, None),
    ('copilot-suggestion',
     co_authored('Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>'),
     HUMAN, None),
    ('copilot-suggestion',
     'Potential fix for pull request finding\n\n'
     'Co-authored-by: Copilot Autofix powered by AI '
     '<175728472+Copilot@users.noreply.github.com>\n', HUMAN, None),
    ('copilot-cli',
     co_authored('Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>'),
     HUMAN, None),
    ('copilot-cli-session',
     co_authored('Copilot-Session: 3f2c1b0a-9d8e-4f7a-8b6c-5d4e3f2a1b0c'), HUMAN, None),
    ('copilot-vscode', co_authored('Co-authored-by: Copilot <copilot@github.com>'), HUMAN, None),
    ('codex-co-author', co_authored('Co-authored-by: Codex <noreply@openai.com>'), HUMAN, None),
    ('codex-identity', 'Fix the parser\n', 'Codex <codex@openai.com>', None),
    ('cursor-agent',
     co_authored('Co-authored-by: Cursor <cursoragent@cursor.com>'), HUMAN, None),
    ('cursor-agent', 'Fix the parser\n', 'Cursor Agent <cursoragent@cursor.com>', None),
    ('cursor-made-with', co_authored('Made-with: Cursor'), HUMAN, None),
    ('aider-co-author',
     co_authored('Co-authored-by: aider (anthropic/claude-sonnet-4) <aider@aider.chat>'),
     HUMAN, None),
    ('aider-co-author',
     co_authored('Co-authored-by: aider (unknown-model) <aider@aider.chat>'), HUMAN, None),
    ('aider-co-author',  # v0.83.0-v0.84.0
     co_authored('Co-authored-by: aider (gemini/gemini-2.5-pro) <noreply@aider.chat>'), HUMAN, None),
    ('aider-co-author',  # the unreleased first draft, in aider's own history
     co_authored('Co-authored-by: aider (vertex_ai/gemini-2.5-pro) <noreply@aider.dev>'), HUMAN, None),
    ('aider-author-name', 'Fix the parser\n', 'Dev Eloper (aider) <dev@example.com>', None),
    ('aider-subject-prefix', 'aider: Fix the parser\n', HUMAN, None),
    ('devin', 'Fix the parser\n', DEVIN_AI, None),
    ('devin', 'Fix the parser\n', HUMAN,
     'devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>'),
    ('devin-footer',
     'Fix the parser\n\nGenerated with [Devin](https://cli.devin.ai/docs)\n'
     'Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>\n',
     HUMAN, None),
    ('jules', 'Fix the parser\n', JULES, None),
    ('jules', co_authored(f'Co-authored-by: {JULES}'), HUMAN, None),
    ('gemini-code-assist',
     co_authored('Co-authored-by: gemini-code-assist[bot] '
                 '<176961590+gemini-code-assist[bot]@users.noreply.github.com>'), HUMAN, None),
    ('amp', co_authored('Co-authored-by: Amp <amp@ampcode.com>'), HUMAN, None),
    ('amp-thread',
     co_authored('Amp-Thread-ID: https://ampcode.com/threads/'
                 'T-5a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d'), HUMAN, None),
    ('openhands', 'Fix the parser\n', 'openhands <openhands@all-hands.dev>', None),
    ('openhands',
     co_authored('Co-authored-by: OpenHands-Claude <openhands@all-hands.dev>'), HUMAN, None),
    ('openhands', 'Fix the parser\n', 'OpenHands <opendevin@all-hands.dev>', None),
    ('openhands', 'Fix the parser\n', 'OpenDevin <opendevin@opendevin.ai>', None),
    ('opencode', co_authored('Co-Authored-By: opencode <noreply@opencode.ai>'), HUMAN, None),
    ('crush', co_authored('Co-Authored-By: Crush <noreply@crush.charm.land>'), HUMAN, None),
    ('opencode-footer',  # the Go opencode: no link, and no trailer block under git's rules
     'Update agent prompt\n\n- Add patch tool\n\n🤖 Generated with opencode\n'
     'Co-Authored-By: opencode <noreply@opencode.ai>\n', HUMAN, None),
    ('opencode-footer',
     'Fix the parser\n\n🤖 Generated with [opencode](https://opencode.ai)\n\n'
     'Co-Authored-By: opencode <noreply@opencode.ai>\n', HUMAN, None),
    ('crush', co_authored('Co-Authored-By: Crush <crush@charm.land>'), HUMAN, None),
    ('crush', co_authored('Co-Authored-By: Charm Crush <crush@charm.land>'), HUMAN, None),
    ('crush-footer',
     'Fix the parser\n\n💘 Generated with Crush\n\nAssisted-by: Crush:glm-4.6\n', HUMAN, None),
    ('crush-footer', 'Fix the parser\n\n💖 Generated with Crush\n', HUMAN, None),
    ('crush-footer', 'Fix the parser\n\n🤖 Generated with Crush\n', HUMAN, None),
    ('qwen-code',
     co_authored('Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>'), HUMAN, None),
    ('warp', co_authored('Co-Authored-By: Warp <agent@warp.dev>'), HUMAN, None),
    ('warp', co_authored('Co-Authored-By: Oz <oz-agent@warp.dev>'), HUMAN, None),
    ('factory-droid',
     co_authored('Co-authored-by: factory-droid[bot] '
                 '<138933559+factory-droid[bot]@users.noreply.github.com>'), HUMAN, None),
    ('replit-agent',
     'Published your App\n\nReplit-Commit-Author: Agent\n'
     'Replit-Commit-Session-Id: 6e0c2a4f-1b3d-4e5f-8a7b-9c0d1e2f3a4b\n'
     'Replit-Commit-Checkpoint-Type: full_checkpoint\n', HUMAN, None),
    ('replit-agent', co_authored('Replit-Commit-Author: Assistant'), HUMAN, None),
    ('lovable', 'Changes\n',
     'gpt-engineer-app[bot] <159125892+gpt-engineer-app[bot]@users.noreply.github.com>', None),
]


@pytest.mark.parametrize(('signature_id', 'message', 'author', 'committer'), POSITIVES)
def test_real_marks_are_detected(signature_id: str, message: str, author: str,
                                 committer: str | None) -> None:
    commit = make_commit(message, author, committer)
    assert signature_id in sources(commit)


def test_every_signature_has_a_positive_example() -> None:
    assert {s.id for s in SIGNATURES} <= {case[0] for case in POSITIVES}


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
