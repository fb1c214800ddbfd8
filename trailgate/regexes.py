r"""Policy regexes: run by RE2, a linear-time engine, and checked once when
the policy is validated.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes
exponential time on a crafted message, and a hook would hang or have to give
up after a timeout, so that the same commit could pass on a fast machine and
fail on a loaded one. RE2 never backtracks: every search takes time linear
in the text, so no verdict waits on a timer. The price is the syntax RE2
cannot run in linear time (backreferences, lookaround, atomic groups,
possessive repeats, conditionals): such a pattern is refused when the policy
is validated, with the reason. ``\d``, ``\w``, ``\s`` and ``\b`` are ASCII
in RE2; ``$`` is the end of the text (or of a line, for ``ai.markers``).
"""
from __future__ import annotations

import re
import warnings
from typing import Any

_FLAGS = ((re.IGNORECASE, 'i'), (re.MULTILINE, 'm'), (re.DOTALL, 's'))
_LONE_SURROGATES = dict.fromkeys(range(55296, 57344), '�')
_UNSUPPORTED = {  # what RE2 refuses that Python accepts, by the node of Python's parse tree
    'GROUPREF': 'a backreference',
    'GROUPREF_EXISTS': 'a conditional group',
    'ASSERT': 'a lookahead or lookbehind',
    'ASSERT_NOT': 'a negative lookahead or lookbehind',
    'ATOMIC_GROUP': 'an atomic group',
    'POSSESSIVE_REPEAT': 'a possessive repeat',
}
MAX_MEMORY = 8 << 20  # RE2's budget for one compiled policy pattern


class PolicyPattern:
    """A policy regex, searched by RE2 in time linear in the text."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: Any = None  # compiled at the first search: most hooks never search

    def search(self, text: str) -> Any:
        if self._compiled is None:
            self._compiled = _compile(self.pattern, self.flags)
        try:
            return self._compiled.search(text)
        except UnicodeEncodeError:  # bytes git could not decode, kept as lone surrogates
            return self._compiled.search(text.translate(_LONE_SURROGATES))

    def __repr__(self) -> str:
        return f'PolicyPattern({self.pattern!r})'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PolicyPattern) and (other.pattern, other.flags) == (self.pattern, self.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))


def _options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEMORY
    return options


def _compile(pattern: str, flags: int) -> Any:
    import re2

    inline = ''.join(letter for flag, letter in _FLAGS if flags & flag)
    return re2.compile(f'(?{inline}){pattern}' if inline else pattern, options=_options())


def compile(pattern: str, flags: int = 0) -> PolicyPattern:
    return PolicyPattern(pattern, flags)


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused (not Python syntax, or not what RE2 can run), or None."""
    import re2

    try:
        with warnings.catch_warnings():
            # Python's warnings about sets it may one day read otherwise ("Possible nested
            # set"): RE2 runs the pattern, and a warning must not become an error
            # where PYTHONWARNINGS=error
            warnings.simplefilter('ignore')
            re.compile(pattern)
    except re.error as e:
        return f'invalid regular expression {pattern!r}: {e}'
    except RecursionError:
        return f'regular expression {pattern!r} is nested too deeply'
    try:
        _compile(pattern, 0)
    except re2.error as e:
        detail = e.args[0].decode(errors='replace') if e.args and isinstance(e.args[0], bytes) else str(e)
        unsupported = _unsupported_feature(pattern)
        if unsupported:
            return (
                f'regular expression {pattern!r} uses {unsupported}, which the linear-time regex '
                f'engine (RE2) cannot run; rewrite it without'
            )
        return f'invalid regular expression {pattern!r}: {detail}'
    return None


def _unsupported_feature(pattern: str) -> str | None:
    """The construct Python accepts and RE2 refuses, read from Python's own parse."""
    import importlib
    import sys

    parser: Any = importlib.import_module('re._parser' if sys.version_info >= (3, 11) else 'sre_parse')
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            parsed = parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    pending = [parsed]
    while pending:
        for op, arg in pending.pop():
            name = str(op)
            if name in _UNSUPPORTED:
                return _UNSUPPORTED[name]
            pending.extend(_subpatterns(arg))
    return None


def _subpatterns(arg: Any) -> list[Any]:
    found = []
    items = arg if isinstance(arg, (tuple, list)) else [arg]
    for item in items:
        if hasattr(item, 'data'):  # a SubPattern
            found.append(item)
        elif isinstance(item, (tuple, list)):
            found.extend(_subpatterns(item))
    return found
