"""Repository paths: .gitignore-style matching and safe relative paths."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class PathMatcher:
    """A list of .gitignore patterns (``!`` negation included), compiled once.

    A pattern matches a path as it would in a .gitignore at the repository's
    top level: ``services/payments/**``, ``*.md`` at any depth, ``build/``
    for everything below a directory.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        import pathspec

        self.patterns = tuple(patterns)
        self._spec: Any = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def matches(self, path: str) -> bool:
        return bool(self._spec.match_file(path))

    def __repr__(self) -> str:
        return f'PathMatcher({list(self.patterns)!r})'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathMatcher) and other.patterns == self.patterns

    def __hash__(self) -> int:
        return hash(self.patterns)

    @staticmethod
    def problem(pattern: str) -> str | None:
        """Why ``pattern`` is not a usable path pattern, or None."""
        import pathspec

        stripped = pattern.strip()
        if not stripped or stripped.startswith('#'):
            return f'{pattern!r} is blank or a comment, so it matches nothing'
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, TypeError) as e:
            return f'invalid path pattern {pattern!r}: {e}'
        return None


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
