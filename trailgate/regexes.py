r"""Policy regexes: compiled once, refused when plainly dangerous, and
bounded in time when they run.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes
exponential time on a crafted message. A policy must not be able to stall
every developer's commit: a pattern with an unbounded repeat nested inside
another is refused when the policy is validated, and every search runs under
the ``regex`` module's timeout, so the patterns no static check can see
(``(a|a)*$``, ``\s*\s*\s*x``) end in a clear error instead of a hang.
"""
from __future__ import annotations

import importlib
import re
import sys
from typing import Any

from trailgate.errors import PolicyError

# re's own parser (re._parser since 3.11, sre_parse before): the exact
# structure Python will run, not a second guess at the syntax.
_NEW = sys.version_info >= (3, 11)
sre_parse: Any = importlib.import_module('re._parser' if _NEW else 'sre_parse')
sre_constants: Any = importlib.import_module('re._constants' if _NEW else 'sre_constants')

_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, 'POSSESSIVE_REPEAT', None))
_UNBOUNDED = sre_constants.MAXREPEAT


SEARCH_TIMEOUT = 1.0  # seconds one search of a policy regex may take


class PolicyPattern:
    """A policy regex (Python syntax) whose searches cannot run away."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: Any = None  # compiled at the first search: most hooks never search

    def search(self, text: str) -> Any:
        if self._compiled is None:
            import regex

            self._compiled = regex.compile(self.pattern, _regex_flags(self.flags) | regex.VERSION0)
        try:
            return self._compiled.search(text, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PolicyError(
                f'the policy regular expression {self.pattern!r} took more than '
                f'{SEARCH_TIMEOUT:g} s on one message (catastrophic backtracking); '
                f'simplify it in the policy',
            ) from None

    def __repr__(self) -> str:
        return f'PolicyPattern({self.pattern!r})'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PolicyPattern) and (other.pattern, other.flags) == (self.pattern, self.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))


def _regex_flags(flags: int) -> int:
    import regex

    result = 0
    for flag, equivalent in ((re.IGNORECASE, regex.IGNORECASE), (re.MULTILINE, regex.MULTILINE),
                             (re.DOTALL, regex.DOTALL), (re.VERBOSE, regex.VERBOSE)):
        if flags & flag:
            result |= equivalent
    return int(result)


def compile(pattern: str, flags: int = 0) -> PolicyPattern:
    return PolicyPattern(pattern, flags)


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused, or None."""
    import regex

    try:
        re.compile(pattern)
        regex.compile(pattern, regex.VERSION0)
        parsed = sre_parse.parse(pattern)
    except (re.error, regex.error) as e:
        return f'invalid regular expression {pattern!r}: {e}'
    except RecursionError:
        return f'regular expression {pattern!r} is nested too deeply'
    if _has_nested_unbounded_repeat(parsed, inside_repeat=False):
        return (
            f'regular expression {pattern!r} nests one unbounded repeat inside '
            f'another (like (a+)+), which can take exponential time; rewrite it'
        )
    return None


def _children(op: Any, arg: Any) -> list[Any]:
    """Sub-patterns of one parsed node."""
    if op in _REPEATS:
        return [arg[2]]
    if op is sre_constants.SUBPATTERN:
        return [arg[-1]]
    if op is sre_constants.BRANCH:
        return list(arg[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [arg[1]]
    if op is sre_constants.GROUPREF_EXISTS:
        return [branch for branch in arg[1:] if branch is not None]
    if getattr(sre_constants, 'ATOMIC_GROUP', None) is op:
        return [arg]
    return []


def _has_nested_unbounded_repeat(parsed: Any, inside_repeat: bool) -> bool:
    for op, arg in parsed:
        unbounded = op in _REPEATS and arg[1] == _UNBOUNDED
        if unbounded and inside_repeat:
            return True
        for child in _children(op, arg):
            if _has_nested_unbounded_repeat(child, inside_repeat or unbounded):
                return True
    return False
