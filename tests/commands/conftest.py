"""Fixtures shared by the command tests."""
from __future__ import annotations

from typing import NamedTuple

import pytest

from testing.precommit import config
from testing.precommit import pre_commit
from testing.precommit import snapshot
from testing.scenarios import Repo
from testing.util import init_repo


class PreCommitSetup(NamedTuple):
    config: str  # .pre-commit-config.yaml text for the snapshot of the current code
    env: dict[str, str]  # PRE_COMMIT_HOME shared by every test of the session


@pytest.fixture(scope='session')
def pre_commit_setup(tmp_path_factory: pytest.TempPathFactory) -> PreCommitSetup:
    """The hook environment, built once per session (it takes seconds)."""
    base = tmp_path_factory.mktemp('pre-commit')
    source, rev = snapshot(base / 'trailgate-src')
    setup = PreCommitSetup(config(source, rev), {'PRE_COMMIT_HOME': str(base / 'home')})
    warm = Repo(init_repo(base / 'warm'), env=setup.env)
    warm.write({'.pre-commit-config.yaml': setup.config})
    pre_commit(warm, 'install-hooks')
    return setup
