"""The plain hook scripts in ``hooks/``, run by real git through ``core.hooksPath``
or a bare repository's hooks directory, finding trailgate on ``PATH``.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import HOOKS
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.util import plant_trailgate_package
from testing.util import write

SOURCE = Path(__file__).resolve().parent.parent / 'hooks'
VENV_BIN = os.path.dirname(sys.executable)
WITH_TRAILGATE = {'PATH': VENV_BIN + os.pathsep + os.environ.get('PATH', os.defpath)}
GIT = shutil.which('git')


@pytest.fixture
def hooks(tmp_path: Path) -> Path:
    """A copy of the repository's hooks/ directory."""
    return Path(shutil.copytree(SOURCE, tmp_path / 'hooks'))


@pytest.fixture
def repo(tmp_path: Path, hooks: Path) -> Repo:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.git('config', 'core.hooksPath', str(hooks))
    return repo


def bin_dir(path: Path, python3: str) -> dict[str, str]:
    """A PATH of only ``git`` and a ``python3`` script with the given body."""
    path.mkdir()
    assert GIT, 'git is not on PATH'
    (path / 'git').symlink_to(GIT)
    script = write(path / 'python3', f'#!/bin/sh\n{python3}\n')
    script.chmod(0o755)
    return {'PATH': str(path)}


def no_traceback(result: Run) -> Run:
    assert 'Traceback' not in result.output, result.output
    return result


def test_the_scripts_are_executable_posix_sh() -> None:
    for hook in HOOKS:
        path = SOURCE / hook
        assert path.stat().st_mode & stat.S_IXUSR, f'{path} is not executable'
        assert path.read_text().startswith('#!/bin/sh\n')
        checked = subprocess.run(('sh', '-n', str(path)), capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_commit_refused_then_accepted(repo: Repo) -> None:
    before = repo.head()
    refused = no_traceback(repo.commit(message('Charge twice', CO_AUTHORED), {CRITICAL: 'twice = 1\n'},
                                       env=WITH_TRAILGATE))
    assert refused.returncode != 0, refused
    assert RULE in refused.stderr and 'refused' in refused.stderr
    assert repo.head() == before
    accepted = no_traceback(repo.commit(message('Charge twice', CO_AUTHORED, *APPROVALS), env=WITH_TRAILGATE))
    assert accepted.returncode == 0, accepted
    assert repo.head() != before


def test_push_refused(repo: Repo, tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    publish(repo, origin)
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    pushed = no_traceback(repo.run_git('push', 'origin', 'main', env=WITH_TRAILGATE))
    assert pushed.returncode != 0, pushed
    assert RULE in pushed.stderr
    assert origin.rev('main') != repo.head()
    repo.git('commit', '-q', '--amend', '--no-verify', '-m', message('Charge twice', ASSISTED, *APPROVALS))
    pushed = no_traceback(repo.run_git('push', 'origin', 'main', env=WITH_TRAILGATE))
    assert pushed.returncode == 0, pushed
    assert origin.rev('main') == repo.head()


def test_pre_receive_in_a_bare_repository(hooks: Path, tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    shutil.copy2(hooks / 'pre-receive', origin.path / 'hooks' / 'pre-receive')
    repo = new_repo(tmp_path / 'repo', hooks=False)
    publish(repo, origin)  # the policy reaches the server past its hook
    before = origin.rev('main')
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    pushed = no_traceback(repo.run_git('push', '--no-verify', 'origin', 'main', env=WITH_TRAILGATE))
    assert pushed.returncode != 0, pushed
    assert 'remote:' in pushed.stderr and RULE in pushed.stderr, pushed.stderr
    assert origin.rev('main') == before


@pytest.mark.parametrize('planted', [False, True], ids=['plain', 'work-tree-has-trailgate'])
def test_python3_module_when_trailgate_is_not_on_path(repo: Repo, tmp_path: Path, planted: bool) -> None:
    """No ``trailgate`` script on PATH, but a python3 that can import it. git
    runs hooks at the top of the work tree: ``python3 -m trailgate`` would
    import a ``trailgate/`` there (a clone's, a branch's) and pass."""
    env = bin_dir(tmp_path / 'bin', f'exec {sys.executable} "$@"')
    marker = tmp_path / 'planted-code-ran'
    if planted:
        plant_trailgate_package(repo.path, marker)
    before = repo.head()
    refused = no_traceback(repo.commit(message('Charge twice', CO_AUTHORED), {CRITICAL: 'twice = 1\n'},
                                       env=env))
    assert refused.returncode != 0, refused
    assert RULE in refused.stderr
    assert repo.head() == before
    assert not marker.exists()


# -- trailgate not installed ---------------------------------------------------------

def run_hook(hooks: Path, hook: str, *args: str, env: dict[str, str], cwd: Path) -> Run:
    result = subprocess.run((str(hooks / hook), *args), cwd=cwd, env={**os.environ, **env},
                            input='', capture_output=True, text=True)
    return Run(result.returncode, result.stdout, result.stderr, {})


def test_not_installed(repo: Repo, hooks: Path, tmp_path: Path) -> None:
    env = bin_dir(tmp_path / 'bin', 'exit 1')  # a python3 that cannot import trailgate
    before = repo.head()
    refused = repo.commit(message('Charge twice'), {CRITICAL: 'twice = 1\n'}, env=env)
    assert refused.returncode != 0, 'an unchecked commit went through'
    # from this repository: a bare `pip install trailgate` would run whatever a package
    # index serves under that name, in every later hook
    assert 'not installed' in refused.stderr, refused.stderr
    assert 'pip install <path to the trailgate repository>' in refused.stderr, refused.stderr
    assert repo.head() == before
    msgfile = write(tmp_path / 'COMMIT_EDITMSG', 'Charge twice\n')
    for hook in ('commit-msg', 'pre-push', 'pre-receive'):
        result = run_hook(hooks, hook, str(msgfile), env=env, cwd=repo.path)
        assert result.returncode != 0, f'{hook} let an unchecked change through'
        assert 'pip install <path to the trailgate repository>' in result.stderr, result.stderr
    hinted = run_hook(hooks, 'prepare-commit-msg', str(msgfile), 'message', env=env, cwd=repo.path)
    assert hinted.returncode == 0, hinted
    assert 'not installed' in hinted.stderr
    assert msgfile.read_text() == 'Charge twice\n'


def test_not_installed_prepare_commit_msg_never_blocks_a_commit(repo: Repo, hooks: Path,
                                                                tmp_path: Path) -> None:
    for hook in ('commit-msg', 'pre-push', 'pre-receive'):
        (hooks / hook).unlink()
    env = bin_dir(tmp_path / 'bin', 'exit 1')
    result = repo.commit(message('Charge twice'), {CRITICAL: 'twice = 1\n'}, env=env)
    assert result.returncode == 0, result
    assert 'no trailer hints' in result.stderr
    assert repo.git('log', '-1', '--format=%s') == 'Charge twice\n'
