"""The generated history, built once per session (one fast-import)."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.audit_history import Expected
from testing.audit_history import build


@pytest.fixture(scope='session')
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Expected]:
    return build(tmp_path_factory.mktemp('audit') / 'repo')
