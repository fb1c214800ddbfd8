"""Work counts instead of timers: how much Python a call executes.

A test that asserts "this took less than a second" judges the machine, not
the code: it fails on a loaded CI runner and passes a quadratic algorithm
on a fast laptop. The number of Python lines a call executes is the same on
every machine (for a given Python), so tests compare it across input sizes:
doubling the input of a linear algorithm about doubles the count, a
quadratic one quadruples it. Work done in C (RE2, libyaml) is not counted;
those engines are chosen for their own guarantees, which tests check
structurally. The timings themselves live in ``benchmarks/``.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

# Far above what any call measured here executes (about 1.4 million lines for
# the largest), far below what a super-linear algorithm runs into on these
# inputs: past it the call is stopped and the test fails instead of hanging.
LINE_LIMIT = 20_000_000


class _TooMuchWork(BaseException):
    """Raised inside the traced call; a BaseException, so that no ``except
    Exception`` in the code under test can swallow it."""


def python_lines(call: Callable[[], Any], limit: int = LINE_LIMIT) -> int:
    """The number of Python lines executed by ``call()``, in any module;
    AssertionError as soon as it passes ``limit``."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == 'line':
            count += 1
            if count > limit:
                raise _TooMuchWork
        return local

    def start(frame: FrameType, event: str, arg: Any) -> Any:
        return local

    previous = sys.gettrace()
    sys.settrace(start)
    try:
        call()
    except _TooMuchWork:
        raise AssertionError(f'stopped after {limit} Python lines: far more work than expected') from None
    finally:
        sys.settrace(previous)
    return count


def growth(call_of_size: Callable[[int], Callable[[], Any]], size: int) -> float:
    """How many times more lines ``call_of_size(2 * size)`` executes than
    ``call_of_size(size)``: about 2 for linear work, 4 for quadratic. The
    larger call is stopped past 10 times the smaller one's count (returned
    as a growth of 10), so that a runaway algorithm fails without hanging."""
    small = python_lines(call_of_size(size))
    try:
        large = python_lines(call_of_size(2 * size), limit=10 * small)
    except AssertionError:
        return 10.0
    return large / small
