"""Policy regexes: compiled once, and refused when they could hang a hook.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes
exponential time on a crafted message. A policy must not be able to stall
every developer's commit, so a pattern with an unbounded repeat nested inside
another unbounded repeat is refused up front.
"""
from __future__ import annotations

import importlib
import re
import sys
from typing import Any

# re's own parser (re._parser since 3.11, sre_parse before): the exact
# structure Python will run, not a second guess at the syntax.
_NEW = sys.version_info >= (3, 11)
sre_parse: Any = importlib.import_module('re._parser' if _NEW else 'sre_parse')
sre_constants: Any = importlib.import_module('re._constants' if _NEW else 'sre_constants')

_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, 'POSSESSIVE_REPEAT', None))
_UNBOUNDED = sre_constants.MAXREPEAT


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused, or None."""
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except re.error as e:
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
