"""Fixtures shared by the command tests."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from testing.precommit import config
from testing.precommit import pre_commit
from testing.precommit import snapshot
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import Repo
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import new_repo
from testing.scenarios import publish
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


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    """A repository under the protected policy, published to a bare server
    (a test module that needs another set-up defines its own ``setup``)."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    return Setup(repo, origin)
