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


def python_lines(call: Callable[[], Any]) -> int:
    """The number of Python lines executed by ``call()``, in any module."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == 'line':
            count += 1
        return local

    def start(frame: FrameType, event: str, arg: Any) -> Any:
        return local

    previous = sys.gettrace()
    sys.settrace(start)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def growth(call_of_size: Callable[[int], Callable[[], Any]], size: int) -> float:
    """How many times more lines ``call_of_size(2 * size)`` executes than
    ``call_of_size(size)``: about 2 for linear work, 4 for quadratic."""
    return python_lines(call_of_size(2 * size)) / python_lines(call_of_size(size))
