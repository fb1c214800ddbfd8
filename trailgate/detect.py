"""AI-assistance detection: which marks in a commit say an AI helped.

Pure: works on a ``Commit`` and the policy's ``ai`` section. Every signal
records what matched and where, for ``explain`` and for reports. The
catalogue is indexed once (emails and trailer keys in dicts, markers behind
one combined regex), because ``check`` runs it on every commit of a range.
"""
from __future__ import annotations

import functools
import importlib
import re
import sys
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.model import parse_identity
from trailgate.policy import AiConfig
from trailgate.signatures import SIGNATURES
from trailgate.signatures import Signature
from trailgate.trailers import parse_trailers
from trailgate.trailers import skip_blank_lines

NOT_DISCLOSED = frozenset(('none', 'no', 'n/a'))
# the email of "Name <email>" (blanks inside the brackets allowed: only git
# itself trims them) or of a bare "email"
_EMAIL = re.compile(r'<([^<>]*)>[ \t]*\Z|\A[ \t]*([^<>\s@]+@[^<>\s@]+)[ \t]*\Z')
_GITHUB_NOREPLY = re.compile(r'(?:[0-9]+\+)?([^@]+)@users\.noreply\.github\.com\Z')
_UNENCODABLE = re.compile('[\ud800-\udfff\ufffd]')


class Signal(NamedTuple):
    source: str  # a catalogue id, or where in the policy the pattern is
    tool: str
    where: str  # author, committer, "Co-authored-by trailer", "message line 3"
    text: str  # what matched

    def __str__(self) -> str:
        return f'{self.tool} [{self.source}] in {self.where}: {self.text}'


class _Catalogue(NamedTuple):
    by_email: dict[str, tuple[Signature, ...]]
    by_login: dict[str, tuple[Signature, ...]]  # GitHub Apps matched by login, with any id
    identity_patterns: tuple[Signature, ...]  # identities matched by regex
    by_trailer_key: dict[str, tuple[Signature, ...]]
    # each marker with text every match of it contains ('' when none is known):
    # a message without that text is not searched
    markers: tuple[tuple[Signature, str], ...]


def required_text(pattern: str, flags: int = 0) -> str:
    """The longest text that every match of ``pattern`` contains as written,
    or '' when none is known.

    Read from Python's own parse of the pattern: a run of literal characters
    at its top level is matched as it stands, one after another. Under
    IGNORECASE a letter also matches its other cases (and look-alikes such as
    the Kelvin sign), so only ASCII characters that are not letters count there.
    A policy pattern (RE2) reads its literals as Python does: it is accepted
    only where both engines compile it, and RE2 rejects Python's escapes it
    would read otherwise. Neither a lone surrogate nor U+FFFD counts: RE2
    searches text with lone surrogates replaced by U+FFFD. Where a class
    holds a POSIX class the engines part: RE2 reads ``[[:alpha:]]`` as one
    class, Python as a set, then a literal ``]``; no text is known there.
    """
    if '[:' in pattern:
        return ''
    parser = importlib.import_module('re._parser' if sys.version_info >= (3, 11) else 'sre_parse')
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # as regexes.problem: RE2 runs it
            parsed = parser.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return ''
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    best = run = ''
    for op, arg in parsed.data:
        char = chr(arg) if str(op) == 'LITERAL' else ''
        if char and not _UNENCODABLE.match(char) and (not ignore_case or (char.isascii() and not char.isalpha())):
            run += char
            if len(run) > len(best):
                best = run
        else:
            run = ''
    return best


@functools.lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    by_email: dict[str, list[Signature]] = {}
    by_login: dict[str, list[Signature]] = {}
    by_key: dict[str, list[Signature]] = {}
    for signature in SIGNATURES:
        for email in signature.emails:
            by_email.setdefault(email, []).append(signature)
        for login in signature.logins:
            by_login.setdefault(login, []).append(signature)
        if signature.kind == 'trailer':
            by_key.setdefault(signature.key.lower(), []).append(signature)
    return _Catalogue(
        by_email={email: tuple(found) for email, found in by_email.items()},
        by_login={login: tuple(found) for login, found in by_login.items()},
        identity_patterns=tuple(s for s in SIGNATURES if s.kind == 'identity' and not s.emails and not s.logins),
        by_trailer_key={key: tuple(found) for key, found in by_key.items()},
        markers=tuple(
            (s, required_text(s.pattern.pattern, s.pattern.flags)) for s in SIGNATURES if s.kind == 'marker'
        ),
    )


_PLACE_NAMES = {'co-author': 'Co-authored-by trailer', 'sign-off': 'Signed-off-by trailer'}


def _where(place: str) -> str:
    return _PLACE_NAMES.get(place, place)


def _line_number(text: str, offset: int) -> int:
    return text.count('\n', 0, offset) + 1


def _by_email(catalogue: _Catalogue, identity: str) -> tuple[Signature, ...]:
    """The catalogue's identities whose email (or GitHub App login) ``identity`` has."""
    match = _EMAIL.search(identity)
    if not match:
        return ()
    email = (match[1] if match[1] is not None else match[2]).strip(' \t').lower()
    found = catalogue.by_email.get(email, ())
    app = _GITHUB_NOREPLY.match(email)
    return found + tuple(s for s in catalogue.by_login.get(app[1], ()) if s not in found) if app else found


def _identity_signals(catalogue: _Catalogue, place: str, identity: str) -> tuple[Signal, ...]:
    patterned = (s for s in catalogue.identity_patterns if place in s.places and s.pattern.search(identity))
    return tuple(
        Signal(signature.id, signature.tool, _where(place), identity)
        for signature in (*(s for s in _by_email(catalogue, identity) if place in s.places), *patterned)
    )


_Matched = tuple[str, str, tuple[int, ...]]  # (place, "Name <email>", policy identity patterns matching)


class _Identities:
    """What each identity (in each place) matches, remembered across a
    range's commits: the same few people author most of them."""

    def __init__(self, ai: AiConfig) -> None:
        self.ai = ai
        self.catalogue = _catalogue() if ai.builtin_signatures else None
        self.disclosure = frozenset(key.lower() for key in ai.disclosure_trailers)
        self.markers = tuple((pattern, required_text(pattern.pattern, pattern.flags)) for pattern in ai.markers)
        self._found: dict[tuple[str, str], tuple[tuple[Signal, ...], tuple[int, ...]]] = {}
        self._people: dict[tuple[Identity, Identity], tuple[tuple[Signal, ...], tuple[_Matched, ...]]] = {}

    def people(self, author: Identity, committer: Identity) -> tuple[tuple[Signal, ...], tuple[_Matched, ...]]:
        """What author and committer match together: (the catalogue's signals, each place's policy matches)."""
        key = (author, committer)
        found = self._people.get(key)
        if found is None:
            signals: list[Signal] = []
            matched = []
            for place, identity in (('author', str(author)), ('committer', str(committer))):
                builtin, indexes = self.matches(place, identity)
                signals.extend(builtin)
                matched.append((place, identity, indexes))
            found = (tuple(signals), tuple(matched))
            if len(self._people) < MEMO_LIMIT:
                self._people[key] = found
        return found

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
    for signature, required in catalogue.markers:
        if required not in commit.message:
            continue
        match = signature.pattern.search(commit.message)
        if match:
            where = f'message line {_line_number(commit.message, match.start())}'
            yield Signal(signature.id, signature.tool, where, match[0].strip())


def _policy_signals(memo: _Identities, commit: Commit, matched: list[_Matched],
                    builtin: tuple[Signal, ...]) -> Iterator[Signal]:
    for trailer in commit.trailers:
        if trailer.key.lower() in memo.disclosure and trailer.value.strip().lower() not in NOT_DISCLOSED:
            text = str(trailer)
            if not any(signal.text == text for signal in builtin):  # the catalogue named its tool already
                yield Signal('ai.disclosure_trailers', trailer.value, f'{trailer.key} trailer', text)
    for index in range(len(memo.ai.identities)):
        for place, identity, indexes in matched:
            if index in indexes:
                yield Signal(f'ai.identities[{index}]', identity, _where(place), identity)
    for index, (pattern, required) in enumerate(memo.markers):
        if required not in commit.message:
            continue
        match = pattern.search(commit.message)
        if match:
            where = f'message line {_line_number(commit.message, match.start())}'
            yield Signal(f'ai.markers[{index}]', 'policy marker', where, match[0].strip())


CO_AUTHOR_KEY = 'co-authored-by'
SIGN_OFF_KEY = 'signed-off-by'

# `git merge --squash` writes this line, then each commit it squashes in git
# log's medium format, its message indented by four spaces
SQUASH_HEADER = 'Squashed commit of the following:\n'
_SQUASHED = re.compile(
    r'^commit (?P<sha>[0-9a-f]{40}(?:[0-9a-f]{24})?)\n'
    r'(?:Merge:[^\n]*\n)?'
    r'Author: (?P<author>[^\n]*)\n'
    r'(?:Date:[^\n]*\n)?'
    r'\n'
    r'(?P<body>(?:(?: {4}[^\n]*)?\n)*)',
    re.MULTILINE,
)
_NOBODY = Identity('', '')


def _squashed(commit: Commit) -> Iterator[tuple[str, Commit]]:
    """The commits a squash merge's message lists, as commits of their own
    (the author git printed, the message unindented): the marks the squash
    carries in its body. Read one level deep."""
    message = commit.message if commit.message.endswith('\n') else commit.message + '\n'
    for match in _SQUASHED.finditer(message):
        text = skip_blank_lines(''.join(f'{line[4:]}\n' for line in match['body'].split('\n')[:-1]))
        author = parse_identity(match['author']) or _NOBODY
        yield match['sha'][:12], commit._replace(
            sha=match['sha'], message=text, trailers=parse_trailers(text), author=author, committer=_NOBODY,
        )


def detect(ai: AiConfig, commit: Commit) -> tuple[Signal, ...]:
    """Every AI signal in ``commit``; empty means not AI-assisted. A squash
    merge's message also carries the signals of the commits it lists."""
    signals = _signals(ai, commit)
    if SQUASH_HEADER in commit.message:
        for short, squashed in _squashed(commit):
            signals.extend(
                signal._replace(where=f'{signal.where} of squashed commit {short}')
                for signal in _signals(ai, squashed)
            )
    return tuple(signals)


def _signals(ai: AiConfig, commit: Commit) -> list[Signal]:
    memo = _identities_for(ai)
    builtin, people = memo.people(commit.author, commit.committer)
    signals = list(builtin)
    matched = list(people)
    for key, value in commit.trailers:  # co-authors and sign-offs, after author and committer
        folded = key.lower()
        if folded == CO_AUTHOR_KEY:
            found, indexes = memo.matches('co-author', value)
            signals.extend(found)
            matched.append(('co-author', value, indexes))
        elif folded == SIGN_OFF_KEY and memo.catalogue is not None:
            signals.extend(memo.matches('sign-off', value)[0])  # the catalogue's only: not a policy place
    if memo.catalogue is not None:
        signals.extend(_trailer_signals(memo.catalogue, commit))
        signals.extend(_marker_signals(memo.catalogue, commit))
    signals.extend(_policy_signals(memo, commit, matched, tuple(signals)))
    return signals
