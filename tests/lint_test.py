"""The code's own quality gates, run with the tests: strict mypy and ruff."""
from __future__ import annotations

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
