"""test-constraints.txt pins everything README's test command installs, and
README and .ci/run install with it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pinned for 3.10 in test-constraints.txt
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
LOCK = (ROOT / 'test-constraints.txt').read_text(encoding='utf-8')


def _name(text: str) -> str:
    return re.sub(r'[-_.]+', '-', Requirement(text).name).lower()


def pinned() -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for line in LOCK.splitlines():
        if line.strip() and not line.startswith('#'):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == '==', line
            pins.setdefault(_name(line), []).append(specifier.version)
    return pins


def test_every_requirement_of_the_test_command_is_pinned() -> None:
    project = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))
    wanted = [
        *project['build-system']['requires'],
        *project['project']['dependencies'],
        *project['project']['optional-dependencies']['test'],
        'pip',
    ]
    pins = pinned()
    missing = [text for text in wanted if _name(text) not in pins]
    assert not missing, f'not in test-constraints.txt (run scripts/lock.py): {missing}'
    outside = [
        (text, version) for text in wanted for version in pins[_name(text)]
        if version not in Requirement(text).specifier
    ]
    assert not outside, f'pinned outside the range pyproject.toml allows: {outside}'


def test_readme_and_ci_install_from_the_lock() -> None:
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    ci = (ROOT / '.ci' / 'run').read_text(encoding='utf-8')
    command = next(line for line in readme.splitlines() if line.startswith('python3 -m venv .venv && '))
    assert command.count('-m pip install -c test-constraints.txt') == 2, command
    assert "--build-constraint test-constraints.txt -e '.[test]'" in command
    assert '-c test-constraints.txt' in ci and "--build-constraint test-constraints.txt -e '.[test]'" in ci
    assert command.endswith('&& .venv/bin/python -m pytest') and '.venv/bin/python -m pytest ||' in ci


FAKE_PYTHON = """#!/bin/sh
# stands in for python3 and the venv's python: pip and venv succeed, pytest exits $PYTEST_STATUS
case "$*" in
    *'-m pytest'*) exit "$PYTEST_STATUS" ;;
    *) exit 0 ;;
esac
"""


@pytest.mark.parametrize(('pytest_status', 'expected'), [(0, 0), (1, 1), (2, 2), (5, 1)])
def test_ci_run_passes_pytest_verdict_and_fails_when_nothing_ran(
    tmp_path: Path, pytest_status: int, expected: int,
) -> None:
    (tmp_path / '.ci').mkdir()
    shutil.copy(ROOT / '.ci' / 'run', tmp_path / '.ci' / 'run')
    bin_dir = tmp_path / 'bin'
    for python in (bin_dir / 'python3', tmp_path / '.venv' / 'bin' / 'python'):
        python.parent.mkdir(parents=True, exist_ok=True)
        python.write_text(FAKE_PYTHON)
        python.chmod(0o755)
    # a browser present, so the script installs none: run where chromium is missing,
    # it would install the real one (minutes, as root) in the middle of the suite
    (bin_dir / 'chromium').write_text('#!/bin/sh\nexit 0\n')
    (bin_dir / 'chromium').chmod(0o755)
    result = subprocess.run(
        ['bash', str(tmp_path / '.ci' / 'run')], capture_output=True, text=True, timeout=60,
        env={**os.environ, 'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}', 'PYTEST_STATUS': str(pytest_status)},
    )
    assert result.returncode == expected, result.stderr
    assert ('collected no tests' in result.stderr) is (pytest_status == 5), result.stderr
