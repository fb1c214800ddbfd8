"""AI-assistance detection: which marks in a commit say an AI helped.

Pure: works on a ``Commit`` and the policy's ``ai`` section. Every signal
records what matched and where, for ``explain`` and for reports.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from trailgate.model import Commit
from trailgate.policy import AiConfig
from trailgate.signatures import SIGNATURES
from trailgate.signatures import Signature

NOT_DISCLOSED = frozenset(('none', 'no', 'n/a'))


class Signal(NamedTuple):
    source: str  # a catalogue id, or where in the policy the pattern is
    tool: str
    where: str  # author, committer, "Co-authored-by trailer", "message line 3"
    text: str  # what matched

    def __str__(self) -> str:
        return f'{self.tool} [{self.source}] in {self.where}: {self.text}'


def _identities(commit: Commit) -> Iterator[tuple[str, str]]:
    """(place, "Name <email>") for author, committer and co-authors."""
    yield 'author', str(commit.author)
    yield 'committer', str(commit.committer)
    for value in commit.trailer_values('Co-authored-by'):
        yield 'co-author', value


def _line_number(text: str, offset: int) -> int:
    return text.count('\n', 0, offset) + 1


def _builtin_signals(signature: Signature, commit: Commit) -> Iterator[Signal]:
    if signature.kind == 'identity':
        for place, identity in _identities(commit):
            if place in signature.places and signature.pattern.search(identity):
                where = 'Co-authored-by trailer' if place == 'co-author' else place
                yield Signal(signature.id, signature.tool, where, identity)
    elif signature.kind == 'trailer':
        for trailer in commit.trailers:
            if trailer.key_is(signature.key) and signature.pattern.search(trailer.value):
                yield Signal(signature.id, signature.tool, f'{trailer.key} trailer', str(trailer))
    else:
        match = signature.pattern.search(commit.message)
        if match:
            where = f'message line {_line_number(commit.message, match.start())}'
            yield Signal(signature.id, signature.tool, where, match[0].strip())


def _policy_signals(ai: AiConfig, commit: Commit) -> Iterator[Signal]:
    disclosure = {key.lower() for key in ai.disclosure_trailers}
    for trailer in commit.trailers:
        if trailer.key.lower() in disclosure and trailer.value.strip().lower() not in NOT_DISCLOSED:
            where = f'{trailer.key} trailer'
            yield Signal('ai.disclosure_trailers', trailer.value, where, str(trailer))
    for index, pattern in enumerate(ai.identities):
        for place, identity in _identities(commit):
            if pattern.search(identity):
                where = 'Co-authored-by trailer' if place == 'co-author' else place
                yield Signal(f'ai.identities[{index}]', identity, where, identity)
    for index, pattern in enumerate(ai.markers):
        match = pattern.search(commit.message)
        if match:
            where = f'message line {_line_number(commit.message, match.start())}'
            yield Signal(f'ai.markers[{index}]', 'policy marker', where, match[0].strip())


def detect(ai: AiConfig, commit: Commit) -> tuple[Signal, ...]:
    """Every AI signal in ``commit``; empty means not AI-assisted."""
    signals: list[Signal] = []
    if ai.builtin_signatures:
        for signature in SIGNATURES:
            signals.extend(_builtin_signals(signature, commit))
    signals.extend(_policy_signals(ai, commit))
    return tuple(signals)
