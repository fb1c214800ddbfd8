"""Repository paths: .gitignore-style matching and safe relative paths."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trailgate.errors import PolicyError

# pathspec names the group that marks a match by a directory pattern
_DIR_MARK = 'ps_d'
# paths longer than this are matched under a timeout (no real checkout has them)
LONG_PATH = 1024
SEARCH_TIMEOUT = 1.0
Compiled = tuple[tuple[str, bool], ...]  # (regex, include) per pattern


def compile_patterns(patterns: Sequence[str]) -> Compiled:
    """pathspec's regexes for .gitignore ``patterns`` (blank lines dropped)."""
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(list(patterns))
    return tuple(
        (p.regex.pattern, bool(p.include))
        for p in spec.patterns
        if p.include is not None and p.regex is not None
    )


class PathMatcher:
    """A list of .gitignore patterns (``!`` negation included).

    A pattern matches a path as it would in a .gitignore at the repository's
    top level: ``services/payments/**``, ``*.md`` at any depth, ``build/``
    for everything below a directory. pathspec turns each pattern into a
    regex; the regexes can be cached so that a hook need not import pathspec,
    and are combined here as ``pathspec.GitIgnoreSpec`` combines them: the
    last matching pattern wins, except that a file pattern outranks an
    earlier directory pattern.
    """

    def __init__(self, patterns: Sequence[str], compiled: Compiled | None = None) -> None:
        self.patterns = tuple(patterns)
        self.compiled = compile_patterns(self.patterns) if compiled is None else compiled
        self._rules = [(re.compile(regex), include) for regex, include in self.compiled]
        self._bounded: list[tuple[Any, bool]] | None = None

    def matches(self, path: str) -> bool:
        rules = self._rules if len(path) <= LONG_PATH else self._bounded_rules()
        include = False
        priority = 0
        for regex, pattern_includes in rules:
            match = regex.search(path)
            if match is None:
                continue
            by_directory = bool(match.groupdict().get(_DIR_MARK))
            pattern_priority = 1 if by_directory else 2
            if (pattern_includes and by_directory) or pattern_priority >= priority:
                include = pattern_includes
                priority = pattern_priority
        return include

    def _bounded_rules(self) -> list[tuple[Any, bool]]:
        """The regexes under a timeout: ``**`` backtracks on very long paths."""
        if self._bounded is None:
            import regex

            self._bounded = [
                (_Bounded(regex.compile(pattern, regex.VERSION0), pattern), include)
                for pattern, include in self.compiled
            ]
        return self._bounded

    def __repr__(self) -> str:
        return f'PathMatcher({list(self.patterns)!r})'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathMatcher) and other.patterns == self.patterns

    def __hash__(self) -> int:
        return hash(self.patterns)

    @staticmethod
    def problem(pattern: str) -> str | None:
        """Why ``pattern`` is not a usable path pattern, or None."""
        stripped = pattern.strip()
        if not stripped or stripped.startswith('#'):
            return f'{pattern!r} is blank or a comment, so it matches nothing'
        try:
            compile_patterns([pattern])
        except (ValueError, TypeError) as e:
            return f'invalid path pattern {pattern!r}: {e}'
        return None


class _Bounded:
    def __init__(self, compiled: Any, pattern: str) -> None:
        self._compiled = compiled
        self._pattern = pattern

    def search(self, path: str) -> Any:
        try:
            return self._compiled.search(path, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PolicyError(
                f'matching a {len(path)}-character path against a policy path pattern took more '
                f'than {SEARCH_TIMEOUT:g} s; such paths cannot be judged',
            ) from None


def safe_repo_path(value: str) -> str | None:
    """``value`` as a repository-relative path, or None if it is not one.

    Absolute paths, ``..`` or ``.`` components, empty components,
    backslashes and control characters never name a file in the commit.
    """
    value = value.strip(' \t')
    if not value or value.startswith('/') or '\\' in value:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return None
    parts = value.split('/')
    if any(part in ('', '.', '..') for part in parts):
        return None
    return value
