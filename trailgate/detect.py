"""AI-assistance detection: which marks in a commit say an AI helped.

Pure: works on a ``Commit`` and the policy's ``ai`` section. Every signal
records what matched and where, for ``explain`` and for reports. The
catalogue is indexed once (emails and trailer keys in dicts, markers behind
one combined regex), because ``check`` runs it on every commit of a range.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from trailgate.model import Commit
from trailgate.policy import AiConfig
from trailgate.signatures import SIGNATURES
from trailgate.signatures import LazyPattern
from trailgate.signatures import Signature

NOT_DISCLOSED = frozenset(('none', 'no', 'n/a'))
_ANGLE_EMAIL = re.compile(r'<([^<>]*)>[ \t]*\Z')


class Signal(NamedTuple):
    source: str  # a catalogue id, or where in the policy the pattern is
    tool: str
    where: str  # author, committer, "Co-authored-by trailer", "message line 3"
    text: str  # what matched

    def __str__(self) -> str:
        return f'{self.tool} [{self.source}] in {self.where}: {self.text}'


class _Catalogue(NamedTuple):
    by_email: dict[str, tuple[Signature, ...]]
    identity_patterns: tuple[Signature, ...]  # identities matched by regex
    by_trailer_key: dict[str, tuple[Signature, ...]]
    markers: tuple[Signature, ...]
    any_marker: re.Pattern[str]  # one search tells whether any marker can match


def _scoped(pattern: LazyPattern) -> str:
    flags = ''.join(
        letter for flag, letter in ((re.IGNORECASE, 'i'), (re.MULTILINE, 'm'), (re.DOTALL, 's'))
        if pattern.flags & flag
    )
    return f'(?{flags}:{pattern.pattern})' if flags else f'(?:{pattern.pattern})'


@functools.lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    by_email: dict[str, list[Signature]] = {}
    by_key: dict[str, list[Signature]] = {}
    for signature in SIGNATURES:
        for email in signature.emails:
            by_email.setdefault(email, []).append(signature)
        if signature.kind == 'trailer':
            by_key.setdefault(signature.key.lower(), []).append(signature)
    markers = tuple(s for s in SIGNATURES if s.kind == 'marker')
    return _Catalogue(
        by_email={email: tuple(found) for email, found in by_email.items()},
        identity_patterns=tuple(s for s in SIGNATURES if s.kind == 'identity' and not s.emails),
        by_trailer_key={key: tuple(found) for key, found in by_key.items()},
        markers=markers,
        any_marker=re.compile('|'.join(_scoped(s.pattern) for s in markers) or r'(?!)'),
    )


def _identities(commit: Commit) -> list[tuple[str, str]]:
    """(place, "Name <email>") for author, committer and co-authors."""
    found = [('author', str(commit.author)), ('committer', str(commit.committer))]
    found.extend(('co-author', value) for value in commit.trailer_values('Co-authored-by'))
    return found


def _where(place: str) -> str:
    return 'Co-authored-by trailer' if place == 'co-author' else place


def _line_number(text: str, offset: int) -> int:
    return text.count('\n', 0, offset) + 1


def _identity_signals(catalogue: _Catalogue, place: str, identity: str) -> tuple[Signal, ...]:
    match = _ANGLE_EMAIL.search(identity)
    candidates = catalogue.by_email.get(match[1].lower(), ()) if match else ()
    return tuple(
        Signal(signature.id, signature.tool, _where(place), identity)
        for signature in (*candidates, *catalogue.identity_patterns)
        if place in signature.places and signature.pattern.search(identity)
    )


class _Identities:
    """What each identity (in each place) matches, remembered across a
    range's commits: the same few people author most of them."""

    def __init__(self, ai: AiConfig) -> None:
        self.ai = ai
        self.catalogue = _catalogue() if ai.builtin_signatures else None
        self.disclosure = frozenset(key.lower() for key in ai.disclosure_trailers)
        self._found: dict[tuple[str, str], tuple[tuple[Signal, ...], tuple[int, ...]]] = {}

    def matches(self, place: str, identity: str) -> tuple[tuple[Signal, ...], tuple[int, ...]]:
        """(the catalogue's signals, the indexes of the policy's identity patterns that match)."""
        key = (place, identity)
        found = self._found.get(key)
        if found is None:
            builtin = _identity_signals(self.catalogue, place, identity) if self.catalogue else ()
            policy = tuple(index for index, pattern in enumerate(self.ai.identities) if pattern.search(identity))
            found = (builtin, policy)
            if len(self._found) < MEMO_LIMIT:
                self._found[key] = found
        return found


MEMO_LIMIT = 1 << 14  # identities remembered per policy
_MEMOS: dict[int, _Identities] = {}


def _identities_for(ai: AiConfig) -> _Identities:
    memo = _MEMOS.get(id(ai))
    if memo is None or memo.ai is not ai:
        if len(_MEMOS) > 8:
            _MEMOS.clear()
        memo = _MEMOS[id(ai)] = _Identities(ai)
    return memo


def _trailer_signals(catalogue: _Catalogue, commit: Commit) -> Iterator[Signal]:
    for trailer in commit.trailers:
        for signature in catalogue.by_trailer_key.get(trailer.key.lower(), ()):
            if signature.pattern.search(trailer.value):
                yield Signal(signature.id, signature.tool, f'{trailer.key} trailer', str(trailer))


def _marker_signals(catalogue: _Catalogue, commit: Commit) -> Iterator[Signal]:
    if not catalogue.any_marker.search(commit.message):
        return
    for signature in catalogue.markers:
        match = signature.pattern.search(commit.message)
        if match:
            where = f'message line {_line_number(commit.message, match.start())}'
            yield Signal(signature.id, signature.tool, where, match[0].strip())


def _policy_signals(ai: AiConfig, commit: Commit, disclosure: frozenset[str],
                    matched: list[tuple[str, str, tuple[int, ...]]]) -> Iterator[Signal]:
    for trailer in commit.trailers:
        if trailer.key.lower() in disclosure and trailer.value.strip().lower() not in NOT_DISCLOSED:
            yield Signal('ai.disclosure_trailers', trailer.value, f'{trailer.key} trailer', str(trailer))
    for index in range(len(ai.identities)):
        for place, identity, indexes in matched:
            if index in indexes:
                yield Signal(f'ai.identities[{index}]', identity, _where(place), identity)
    for index, pattern in enumerate(ai.markers):
        match = pattern.search(commit.message)
        if match:
            where = f'message line {_line_number(commit.message, match.start())}'
            yield Signal(f'ai.markers[{index}]', 'policy marker', where, match[0].strip())


def detect(ai: AiConfig, commit: Commit) -> tuple[Signal, ...]:
    """Every AI signal in ``commit``; empty means not AI-assisted."""
    memo = _identities_for(ai)
    signals: list[Signal] = []
    matched = []
    for place, identity in _identities(commit):
        builtin, indexes = memo.matches(place, identity)
        signals.extend(builtin)
        matched.append((place, identity, indexes))
    if memo.catalogue is not None:
        signals.extend(_trailer_signals(memo.catalogue, commit))
        signals.extend(_marker_signals(memo.catalogue, commit))
    signals.extend(_policy_signals(ai, commit, memo.disclosure, matched))
    return tuple(signals)
