"""Which refs a policy protects: the ``protected`` key, pure.

A pattern is a branch name (``main``, ``release/*``) or a full ref
(``refs/tags/v*``). ``*`` and ``?`` stay inside one path segment, ``**``
crosses segments (a ``**`` segment, as in ``team/**/ready``, also stands for
no segment at all, as in git's own ref globs), everything else is literal.
Without the key, every branch and tag is protected: the strict behaviour a
policy had before the key existed, so no policy silently weakens.
"""
from __future__ import annotations

import re
from typing import NamedTuple

BRANCH_PREFIX = 'refs/heads/'
# the approvals ledger: one signed record per (change id, reviewer)
APPROVALS_REF = 'refs/trailgate/approvals'
TAG_PREFIX = 'refs/tags/'
EVERY_BRANCH_AND_TAG = ('refs/heads/**', 'refs/tags/**')
# characters git forbids in ref names (git check-ref-format), and '[' which a glob would need
_FORBIDDEN = re.compile(r'[\x00-\x20\x7f~^:\\\[]')


def full_pattern(pattern: str) -> str:
    """``release/*`` -> ``refs/heads/release/*``; a full ref stays as it is."""
    return pattern if pattern.startswith('refs/') else BRANCH_PREFIX + pattern


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot name refs, or None."""
    if not pattern:
        return 'an empty ref pattern'
    found = _FORBIDDEN.search(pattern)
    if found:
        return f'{pattern!r} holds {found[0]!r}, which no ref name can hold'
    if pattern.startswith('/') or pattern.endswith('/') or '//' in pattern:
        return f'{pattern!r} has an empty path segment'
    if '..' in pattern or pattern.endswith('.lock') or '@{' in pattern:
        return f'{pattern!r} is not a valid ref name pattern'
    if '***' in pattern:
        return f'{pattern!r}: use * within a segment, ** across segments'
    if pattern in ('refs', 'refs/'):
        return f'{pattern!r} names no ref'
    return None


def is_ref_name(name: str) -> bool:
    """Is ``name`` a full ref name git accepts (git check-ref-format)?"""
    return (
        name.startswith('refs/') and problem(name) is None and not set(name) & set('*?') and not name.endswith('.')
        and not any(part.startswith('.') or part.endswith('.lock') for part in name.split('/'))
    )


def _translate(pattern: str) -> str:
    out = []
    position = 0
    while position < len(pattern):
        if pattern.startswith('**/', position) and (position == 0 or pattern[position - 1] == '/'):
            out.append('(?:.*/)?')  # a whole "**" segment, as in git's globs: any number of segments, or none
            position += 3
        elif pattern.startswith('**', position):
            out.append('.*')
            position += 2
        elif pattern[position] == '*':
            out.append('[^/]*')
            position += 1
        elif pattern[position] == '?':
            out.append('[^/]')
            position += 1
        else:
            out.append(re.escape(pattern[position]))
            position += 1
    return ''.join(out)


class Protected(NamedTuple):
    """The refs a policy guards. ``explicit`` is False when the key is absent."""

    patterns: tuple[str, ...] = EVERY_BRANCH_AND_TAG
    explicit: bool = False

    @classmethod
    def from_patterns(cls, patterns: list[str] | tuple[str, ...] | None) -> Protected:
        if patterns is None:
            return cls()
        return cls(tuple(full_pattern(p) for p in patterns), explicit=True)

    def _regex(self) -> re.Pattern[str]:
        return _compiled(self.patterns)

    def matches(self, ref: str) -> bool:
        """Is the full ref name ``ref`` (``refs/heads/main``) protected?"""
        return bool(self.patterns) and self._regex().fullmatch(ref) is not None

    def literal_refs(self) -> list[str]:
        """The full refs the patterns name without a wildcard."""
        return [pattern for pattern in self.patterns if not set(pattern) & set('*?')]

    def __str__(self) -> str:
        if not self.explicit:
            return 'every branch and tag (the policy has no protected key)'
        if not self.patterns:
            return 'nothing (protected: [])'
        return ', '.join(short(p) for p in self.patterns)


_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}


def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    regex = _CACHE.get(patterns)
    if regex is None:
        regex = _CACHE[patterns] = re.compile('|'.join(f'(?:{_translate(p)})' for p in patterns))
    return regex


NAMESPACES = 'refs/namespaces/'


def namespace_prefix(namespace: str) -> str | None:
    """Where git stores the refs of ``GIT_NAMESPACE=namespace``
    (git-namespaces(7)): ``a/b`` -> ``refs/namespaces/a/refs/namespaces/b/``;
    ``''`` -> ``''``. None when git would refuse the name."""
    parts = [part for part in namespace.split('/') if part]
    if namespace and not parts:
        return None
    if any(problem(part) or set(part) & set('*?') or part.startswith('.') for part in parts):
        return None
    return ''.join(f'{NAMESPACES}{part}/' for part in parts)


def short(ref: str) -> str:
    """``refs/heads/main`` -> ``main``; other refs stay whole."""
    return ref[len(BRANCH_PREFIX):] if ref.startswith(BRANCH_PREFIX) else ref
