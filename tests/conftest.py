"""Session set-up shared by every test.

The gates are tested as git runs them: each hook, ``check`` and
``pre-receive`` is a new ``python -m trailgate`` process, thousands of
them in a run. An installed trailgate has its bytecode; a source checkout
under an inherited ``PYTHONDONTWRITEBYTECODE=1`` (as some CI images set)
has none, and every one of those processes would compile trailgate again,
about half of each gate's start-up. The children get a bytecode cache of
their own instead, outside the source tree, made once for the run and
removed after it; xdist's workers inherit it from the controller.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHE = 'PYTHONPYCACHEPREFIX'
_OURS = 'TRAILGATE_TEST_PYCACHE'  # the directory this run made, so that only its maker removes it


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, 'workerinput') or _OURS in os.environ:
        return
    os.environ.pop('PYTHONDONTWRITEBYTECODE', None)
    if _CACHE not in os.environ:
        os.environ[_CACHE] = os.environ[_OURS] = tempfile.mkdtemp(prefix='trailgate-test-pycache-')


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, 'workerinput'):
        return
    made = os.environ.pop(_OURS, None)
    if made is not None and os.environ.get(_CACHE) == made:
        del os.environ[_CACHE]
        shutil.rmtree(made, ignore_errors=True)
