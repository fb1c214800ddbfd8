"""The code's own quality gates, run with the tests: strict mypy and ruff,
and no test verdict that depends on the machine's speed."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f'{name} is not installed (pip install -e ".[test]")')
    return found


def test_mypy_strict_passes() -> None:
    result = subprocess.run([_tool('mypy')], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_passes() -> None:
    result = subprocess.run(
        [_tool('ruff'), 'check', 'trailgate', 'testing', 'tests', 'benchmarks', 'scripts'],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Reading a clock in a test is how a verdict comes to depend on the machine's
# speed; time belongs in benchmarks/. A hang guard is a subprocess timeout
# and needs no clock. The files allowed to read one, and why:
CLOCKS = frozenset(('perf_counter', 'perf_counter_ns', 'monotonic', 'monotonic_ns', 'process_time',
                    'process_time_ns', 'thread_time', 'thread_time_ns', 'time', 'time_ns'))
CLOCK_READERS = {
    'testing/chromium.py': 'the deadline of a wait for the browser (a hang guard, never a verdict)',
    'tests/approvals/sshsig_test.py': '"now" for judging key validity windows, not a duration',
    'tests/approvals/allowed_signers_openssh_test.py': '"now" for validity windows, as ssh-keygen reads it',
}


def reads_a_clock(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in CLOCKS and isinstance(node.value, ast.Name) and node.value.id == 'time'
    if isinstance(node, ast.ImportFrom):
        return node.module == 'time' and any(alias.name in CLOCKS for alias in node.names)
    return False


def clock_reads(path: Path) -> list[int]:
    """The lines of ``path`` that read a clock: ``time.perf_counter()``,
    ``time.time()``, ... or such a function imported from ``time``."""
    return sorted(node.lineno for node in ast.walk(ast.parse(path.read_text(), str(path))) if reads_a_clock(node))


def test_no_test_reads_a_clock() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for folder in ('tests', 'testing') for path in sorted((ROOT / folder).rglob('*.py'))
        if (lines := clock_reads(path)) and str(path.relative_to(ROOT)) not in CLOCK_READERS
    }
    assert not found, f'tests must count work or guard hangs, not time (benchmarks/ time): {found}'
    for allowed in CLOCK_READERS:
        assert clock_reads(ROOT / allowed), f'{allowed} no longer reads a clock: drop it from CLOCK_READERS'
