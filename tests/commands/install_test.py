"""``trailgate install``: hooks written where git looks for them, working with real git.

Every hook here is run by git itself (``git commit``, ``git push``), never
called by hand; the layouts are made by git (``core.hooksPath``, ``git
worktree add``, a separate git directory, a bare repository).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.util import git
from testing.util import plant_trailgate_package

MARKER = '# installed by `trailgate install`'
BACKUP = '.trailgate-backup'
CLIENT = ('commit-msg', 'prepare-commit-msg', 'pre-push')
FOREIGN = '#!/bin/sh\n# the team linter\nexit 0\n'


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return new_repo(tmp_path / 'repo', hooks=False)


def install(repo: Repo, *args: str, cwd: Path | None = None) -> Run:
    result = repo.run(sys.executable, '-m', 'trailgate', 'install', *args, cwd=cwd)
    assert 'Traceback' not in result.output, result.output
    return result


def installed(repo: Repo, *args: str, cwd: Path | None = None) -> Run:
    result = install(repo, *args, cwd=cwd)
    assert result.returncode == 0, result.output
    return result


def git_hooks_dir(repo: Repo, cwd: Path | None = None) -> Path:
    """Where git itself runs hooks from, as git says."""
    where = cwd or repo.path
    answer = repo.run('git', 'rev-parse', '--git-path', 'hooks', cwd=where).stdout.strip()
    return (where / answer).resolve()


def assert_ours(path: Path) -> None:
    assert path.is_file(), f'{path} was not written'
    assert os.access(path, os.X_OK), f'{path} is not executable'
    assert MARKER in path.read_text(), path.read_text()


def assert_refused(repo: Repo, result: Run, before: str) -> None:
    assert result.returncode != 0, f'git commit succeeded: {result}'
    assert RULE in result.stderr, result.stderr
    assert 'Traceback' not in result.output
    assert repo.head() == before, 'a refused commit was made'


def assert_accepted(repo: Repo, result: Run, before: str) -> None:
    assert result.returncode == 0, result.output
    assert repo.head() != before


def gated_commits(repo: Repo) -> None:
    """The standard policy through the installed hooks: refused, then accepted."""
    before = repo.head()
    assert_refused(repo, repo.commit(message('Charge twice', CO_AUTHORED), {CRITICAL: 'twice = 1\n'}), before)
    assert_accepted(repo, repo.commit(message('Charge twice', CO_AUTHORED, *APPROVALS)), before)


# -- the default installation --------------------------------------------------

def test_install_writes_the_client_hooks_and_git_runs_them(repo: Repo) -> None:
    result = installed(repo)
    hooks = repo.path / '.git' / 'hooks'
    assert git_hooks_dir(repo) == hooks.resolve()
    for hook in CLIENT:
        assert_ours(hooks / hook)
        assert str(hooks / hook) in result.stdout
    assert not (hooks / 'pre-receive').exists(), 'a work tree repository gets no server hook'
    gated_commits(repo)


def test_installed_pre_push_refuses_a_real_push(repo: Repo, tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    publish(repo, origin)
    installed(repo)
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    pushed = repo.run_git('push', 'origin', 'main')
    assert pushed.returncode != 0, pushed
    assert RULE in pushed.stderr, pushed.stderr
    assert origin.rev('main') != repo.head()


def test_installed_hooks_never_run_the_work_tree_s_own_trailgate(repo: Repo, tmp_path: Path) -> None:
    """git runs hooks at the top of the work tree, where a clone or a branch
    may hold a ``trailgate/`` package: the hook runs the installed one."""
    installed(repo)
    marker = tmp_path / 'planted-code-ran'
    plant_trailgate_package(repo.path, marker)
    gated_commits(repo)
    assert not marker.exists()


def test_reinstalling_is_idempotent(repo: Repo) -> None:
    installed(repo)
    hooks = repo.path / '.git' / 'hooks'
    first = {hook: (hooks / hook).read_bytes() for hook in CLIENT}
    installed(repo)
    installed(repo, '--force')  # our own hooks are not foreign: no backup of them
    assert {hook: (hooks / hook).read_bytes() for hook in CLIENT} == first
    assert not list(hooks.glob(f'*{BACKUP}'))
    gated_commits(repo)


def test_hook_type_installs_only_the_named_hooks(repo: Repo) -> None:
    installed(repo, '--hook-type', 'commit-msg', '--hook-type', 'pre-push')
    hooks = repo.path / '.git' / 'hooks'
    assert_ours(hooks / 'commit-msg')
    assert_ours(hooks / 'pre-push')
    assert not (hooks / 'prepare-commit-msg').exists()
    gated_commits(repo)


def _orphaned(repo: Repo, hook: str) -> None:
    """Install ``hook`` alone, then take trailgate away from it: the Python
    it names is gone (a deleted virtualenv) and no ``trailgate`` is on PATH."""
    installed(repo, '--hook-type', hook)
    path = repo.path / '.git' / 'hooks' / hook
    text = path.read_text()
    assert sys.executable in text
    path.write_text(text.replace(sys.executable, str(repo.path / 'gone' / 'python')))


@pytest.mark.parametrize('hook', ['commit-msg', 'pre-push'])
def test_a_gate_whose_trailgate_is_gone_refuses(repo: Repo, hook: str, tmp_path: Path) -> None:
    """Fail closed: a gate hook that can no longer run trailgate exits 2, never 0."""
    _orphaned(repo, hook)
    without = {'PATH': os.pathsep.join(('/usr/bin', '/bin'))}
    assert repo.run('sh', '-c', 'command -v trailgate', env=without).returncode != 0
    before = repo.head()
    if hook == 'commit-msg':
        result = repo.commit(message('Charge twice', CO_AUTHORED), {CRITICAL: 'twice = 1\n'}, env=without)
        assert result.returncode != 0 and repo.head() == before, result.output
    else:
        origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
        publish(repo, origin)
        repo.commit_ok(message('Harmless'), {'README': 'shop\n'}, verify=False)
        result = repo.run_git('push', 'origin', 'main', env=without)
        assert result.returncode != 0 and origin.rev('main') == before, result.output
    assert 'trailgate: not installed any more' in result.stderr, result.stderr


def test_prepare_commit_msg_whose_trailgate_is_gone_lets_the_commit_through(repo: Repo) -> None:
    """prepare-commit-msg only adds hints: it never blocks, not even orphaned."""
    _orphaned(repo, 'prepare-commit-msg')
    before = repo.head()
    result = repo.commit(message('Harmless'), {'README': 'shop\n'}, env={'PATH': '/usr/bin:/bin'})
    assert result.returncode == 0 and repo.head() != before, result.output
    assert 'trailgate: not installed any more' in result.stderr, result.stderr


def test_unknown_hook_type_is_a_usage_error(repo: Repo) -> None:
    result = install(repo, '--hook-type', 'post-commit')
    assert result.returncode == 2, result
    assert not (repo.path / '.git' / 'hooks' / 'post-commit').exists()


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    outside = Repo(tmp_path, env={'GIT_CEILING_DIRECTORIES': str(tmp_path.parent)})
    result = install(outside)
    assert result.returncode == 2, result
    assert 'not a git repository' in result.stderr


# -- where the hooks go ---------------------------------------------------------

@pytest.mark.parametrize('where', ['relative', 'absolute'])
def test_install_honours_core_hooks_path(repo: Repo, tmp_path: Path, where: str) -> None:
    if where == 'relative':
        repo.git('config', 'core.hooksPath', '.githooks')
        expected = repo.path / '.githooks'
    else:
        expected = tmp_path / 'shared hooks'
        repo.git('config', 'core.hooksPath', str(expected))
    subdirectory = repo.path / 'services'  # a relative hooksPath is the top level's, not the cwd's
    installed(repo, cwd=subdirectory)
    assert git_hooks_dir(repo) == expected.resolve()
    for hook in CLIENT:
        assert_ours(expected / hook)
        assert not (repo.path / '.git' / 'hooks' / hook).exists()
    assert not (subdirectory / '.githooks').exists()
    gated_commits(repo)


@pytest.mark.parametrize('scope', ['global', 'system'])
def test_a_hooks_path_every_repository_shares_is_honoured_with_a_warning_and_the_way_to_install_here(
        repo: Repo, tmp_path: Path, scope: str) -> None:
    """core.hooksPath set in the global (or system) config is the hooks
    directory of every repository on the machine. install honours it, as the
    contract says, but warns that every repository without a policy will then
    refuse commits, and names the config and the way to install here alone."""
    shared = tmp_path / 'every repository hooks'
    config = tmp_path / 'shared.gitconfig'
    git(tmp_path, 'config', '--file', str(config), 'core.hooksPath', str(shared))
    variable = 'GIT_CONFIG_GLOBAL' if scope == 'global' else 'GIT_CONFIG_SYSTEM'
    repo.env.update({variable: str(config), 'GIT_CONFIG_NOSYSTEM': ''})

    result = install(repo)

    assert result.returncode == 0, result.output
    for hook in CLIENT:
        assert_ours(shared / hook)
    assert str(config) in result.stderr and 'every repository' in result.stderr, result.stderr
    gated_commits(repo)
    commands = [line.strip() for line in result.stderr.splitlines() if line.startswith('  ')]
    assert commands[0] == 'trailgate install --uninstall' and commands[1].startswith('git config'), commands
    assert install(repo, '--uninstall').returncode == 0
    assert not any((shared / hook).exists() for hook in CLIENT)
    repo.run('sh', '-c', commands[1])
    here = install(repo)
    assert here.returncode == 0 and 'every repository' not in here.stderr, here.output
    assert git_hooks_dir(repo) == (repo.path / '.git' / 'hooks').resolve()
    for hook in CLIENT:
        assert_ours(repo.path / '.git' / 'hooks' / hook)


def test_linked_worktree_installs_into_the_common_hooks_dir(repo: Repo, tmp_path: Path) -> None:
    repo.git('worktree', 'add', '-q', '-b', 'feature', str(tmp_path / 'wt'))
    worktree = Repo(tmp_path / 'wt')
    expected = git_hooks_dir(worktree)
    assert expected == (repo.path / '.git' / 'hooks').resolve()
    installed(worktree)
    for hook in CLIENT:
        assert_ours(expected / hook)
    assert not list((repo.path / '.git' / 'worktrees').glob('*/hooks'))
    gated_commits(worktree)  # a commit in the worktree is checked
    gated_commits(repo)  # and so is one in the main work tree


def test_linked_worktree_with_relative_hooks_path(repo: Repo, tmp_path: Path) -> None:
    repo.git('config', 'core.hooksPath', '.githooks')
    repo.git('worktree', 'add', '-q', '-b', 'feature', str(tmp_path / 'wt'))
    worktree = Repo(tmp_path / 'wt')
    installed(worktree)
    expected = git_hooks_dir(worktree)  # git resolves it from the worktree's top level
    for hook in CLIENT:
        assert_ours(expected / hook)
    gated_commits(worktree)


def test_git_dir_and_work_tree_in_the_environment(tmp_path: Path) -> None:
    """A "bare repository + GIT_WORK_TREE" layout (dotfiles style)."""
    store, home = tmp_path / 'store.git', tmp_path / 'home'
    home.mkdir()
    git(tmp_path, 'init', '-q', '-b', 'main', '--bare', str(store))
    repo = Repo(home, env={'GIT_DIR': str(store), 'GIT_WORK_TREE': str(home)})
    repo.git('config', 'core.bare', 'false')
    repo.commit_ok(message('Adopt trailgate', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY, CRITICAL: 'charge = 1\n'}, verify=False)
    installed(repo)
    for hook in CLIENT:
        assert_ours(store / 'hooks' / hook)
    assert not (home / '.git').exists()
    gated_commits(repo)
    # the same repository through `git --git-dir ... --work-tree ...`, from elsewhere
    (home / CRITICAL).write_text('thrice = 1\n')
    plain = Repo(tmp_path)
    plain.git('--git-dir', str(store), '--work-tree', str(home), 'add', CRITICAL)
    before = repo.head()
    result = plain.run_git('--git-dir', str(store), '--work-tree', str(home), 'commit', '-q',
                           '-m', 'Charge thrice', '-m', CO_AUTHORED)
    assert result.returncode != 0, result
    assert RULE in result.stderr
    assert repo.head() == before


def test_separate_git_dir(tmp_path: Path) -> None:
    """``.git`` is a file pointing at the real git directory."""
    store = tmp_path / 'store.git'
    git(tmp_path, 'init', '-q', '-b', 'main', '--separate-git-dir', str(store), str(tmp_path / 'repo'))
    repo = Repo(tmp_path / 'repo')
    repo.git('config', 'commit.gpgsign', 'false')
    repo.commit_ok(message('Adopt trailgate', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: POLICY, CRITICAL: 'charge = 1\n'}, verify=False)
    installed(repo)
    assert (repo.path / '.git').is_file()
    for hook in CLIENT:
        assert_ours(store / 'hooks' / hook)
    gated_commits(repo)


# -- foreign hooks ------------------------------------------------------------

@pytest.mark.parametrize('foreign', CLIENT)
def test_a_foreign_hook_is_never_overwritten_and_nothing_is_written(repo: Repo, foreign: str) -> None:
    hooks = repo.path / '.git' / 'hooks'
    (hooks / foreign).write_text(FOREIGN)
    (hooks / foreign).chmod(0o755)
    result = install(repo)
    assert result.returncode == 2, result
    assert '--force' in result.stderr, result.stderr
    assert str(hooks / foreign) in result.stderr
    assert (hooks / foreign).read_text() == FOREIGN
    for hook in CLIENT:
        if hook != foreign:
            assert not (hooks / hook).exists(), f'{hook} was written although {foreign} is foreign'
    assert not list(hooks.glob(f'*{BACKUP}'))


def test_every_foreign_hook_is_named_at_once(repo: Repo) -> None:
    hooks = repo.path / '.git' / 'hooks'
    for hook in ('commit-msg', 'pre-push'):
        (hooks / hook).write_text(FOREIGN)
    result = install(repo)
    assert result.returncode == 2, result
    # one run tells what to move away, not one hook per retry
    assert str(hooks / 'commit-msg') in result.stderr and str(hooks / 'pre-push') in result.stderr, result.stderr
    assert not (hooks / 'prepare-commit-msg').exists()


def test_a_pre_commit_framework_hook_points_to_its_manifest_hooks(repo: Repo) -> None:
    pre_commit = Path(sys.executable).with_name('pre-commit')
    repo.run(str(pre_commit), 'install', '--hook-type', 'commit-msg')
    hooks = repo.path / '.git' / 'hooks'
    before = (hooks / 'commit-msg').read_text()
    result = install(repo)
    assert result.returncode == 2, result
    assert 'pre-commit' in result.stderr and 'trailgate-commit-msg' in result.stderr, result.stderr
    assert '.pre-commit-config.yaml' in result.stderr, result.stderr
    assert (hooks / 'commit-msg').read_text() == before


def test_a_foreign_symlink_is_foreign(repo: Repo, tmp_path: Path) -> None:
    hooks = repo.path / '.git' / 'hooks'
    (hooks / 'commit-msg').symlink_to(tmp_path / 'nowhere')  # dangling
    result = install(repo)
    assert result.returncode == 2, result
    assert (hooks / 'commit-msg').is_symlink()
    assert not (hooks / 'pre-push').exists()


def test_force_replaces_a_foreign_hook_and_keeps_a_backup(repo: Repo) -> None:
    hooks = repo.path / '.git' / 'hooks'
    (hooks / 'commit-msg').write_text(FOREIGN)
    (hooks / 'commit-msg').chmod(0o755)
    result = installed(repo, '--force')
    assert_ours(hooks / 'commit-msg')
    backup = hooks / f'commit-msg{BACKUP}'
    assert backup.read_text() == FOREIGN
    assert os.access(backup, os.X_OK)
    assert backup.name in result.stdout
    for hook in ('prepare-commit-msg', 'pre-push'):
        assert_ours(hooks / hook)
        assert not (hooks / f'{hook}{BACKUP}').exists()
    gated_commits(repo)


def test_force_never_destroys_an_earlier_backup(repo: Repo) -> None:
    hooks = repo.path / '.git' / 'hooks'
    first, second = FOREIGN, '#!/bin/sh\n# another tool\nexit 0\n'
    (hooks / 'commit-msg').write_text(first)
    installed(repo, '--force')
    (hooks / 'commit-msg').write_text(second)  # another tool writes its hook over ours
    result = install(repo, '--force')
    assert result.returncode == 2, result.output
    assert f'commit-msg{BACKUP}' in result.output and 'already holds an earlier hook' in result.output
    assert (hooks / f'commit-msg{BACKUP}').read_text() == first, 'the original hook is gone'
    assert (hooks / 'commit-msg').read_text() == second


def test_uninstall_removes_only_its_own_hooks_and_restores_the_backup(repo: Repo) -> None:
    hooks = repo.path / '.git' / 'hooks'
    samples = sorted(path.name for path in hooks.iterdir())
    (hooks / 'commit-msg').write_text(FOREIGN)
    (hooks / 'commit-msg').chmod(0o755)
    (hooks / 'post-commit').write_text(FOREIGN)
    installed(repo, '--force')
    # another tool has since replaced our pre-push: it is not ours to remove
    (hooks / 'pre-push').write_text(FOREIGN)
    result = installed(repo, '--uninstall')
    assert (hooks / 'commit-msg').read_text() == FOREIGN
    assert os.access(hooks / 'commit-msg', os.X_OK)
    assert not (hooks / f'commit-msg{BACKUP}').exists()
    assert not (hooks / 'prepare-commit-msg').exists()
    assert (hooks / 'pre-push').read_text() == FOREIGN
    assert (hooks / 'post-commit').read_text() == FOREIGN
    assert 'restored' in result.stdout
    assert sorted(path.name for path in hooks.iterdir()) == sorted(
        [*samples, 'commit-msg', 'pre-push', 'post-commit'])
    # the hooks are gone: git commits without asking trailgate
    repo.commit_ok(message('Charge twice', CO_AUTHORED), {CRITICAL: 'twice = 1\n'})
    again = installed(repo, '--uninstall')
    assert 'no trailgate hooks' in again.stdout


def test_uninstall_honours_core_hooks_path(repo: Repo) -> None:
    repo.git('config', 'core.hooksPath', '.githooks')
    installed(repo)
    installed(repo, '--uninstall')
    assert list((repo.path / '.githooks').iterdir()) == []


# -- a bare repository ----------------------------------------------------------

def test_bare_repository_gets_pre_receive_and_it_refuses_a_bad_push(repo: Repo, tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    result = installed(origin)
    hooks = origin.path / 'hooks'
    assert_ours(hooks / 'pre-receive')
    assert str(hooks / 'pre-receive') in result.stdout
    for hook in CLIENT:
        assert not (hooks / hook).exists()
    publish(repo, origin)  # the policy reaches the server past its hook
    before = origin.rev('main')
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    pushed = repo.run_git('push', '--no-verify', 'origin', 'main')
    assert pushed.returncode != 0, pushed
    assert 'remote:' in pushed.stderr and RULE in pushed.stderr, pushed.stderr
    assert origin.rev('main') == before
    repo.git('commit', '-q', '--amend', '--no-verify', '-m', message('Charge twice', ASSISTED, *APPROVALS))
    accepted = repo.run_git('push', '--no-verify', 'origin', 'main')
    assert accepted.returncode == 0, accepted
    assert origin.rev('main') == repo.head()


def test_policy_option_configures_the_hooks_with_that_policy(tmp_path: Path) -> None:
    """`install --policy PATH` in a new server's bare repository: its first push,
    which carries no policy, is judged by that one (the refusal of an empty
    repository says to do exactly this)."""
    central = tmp_path / 'central policy.yaml'
    central.write_text(POLICY)
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    installed(origin, '--policy', str(central))
    assert_ours(origin.path / 'hooks' / 'pre-receive')
    repo = new_repo(tmp_path / 'repo', policy_text=None, hooks=False, files={'README': 'shop\n'})
    repo.git('remote', 'add', 'origin', str(origin.path))
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    pushed = repo.run_git('push', '--no-verify', 'origin', 'main')
    assert pushed.returncode != 0 and RULE in pushed.stderr, pushed
    assert origin.rev('main') is None
    repo.git('commit', '-q', '--amend', '--no-verify', '-m', message('Charge twice', ASSISTED, *APPROVALS))
    pushed = repo.run_git('push', '--no-verify', 'origin', 'main')
    assert pushed.returncode == 0, pushed
    assert 'central policy.yaml' in pushed.stderr, pushed.stderr


def test_policy_option_must_name_a_file(repo: Repo, tmp_path: Path) -> None:
    result = install(repo, '--policy', str(tmp_path / 'missing.yaml'))
    assert result.returncode == 2 and 'missing.yaml' in result.stderr, result
    assert not (git_hooks_dir(repo) / 'commit-msg').exists()


@pytest.mark.parametrize('hooks_path', ['/dev/null', 'a-file', 'a-file/hooks'])
def test_a_hooks_path_that_is_no_directory_is_an_error_that_says_so(repo: Repo, hooks_path: str) -> None:
    # `core.hooksPath=/dev/null` turns hooks off: install says why it cannot write there
    (repo.path / 'a-file').write_text('not a directory\n')
    repo.git('config', 'core.hooksPath', hooks_path)
    result = install(repo)
    assert result.returncode == 2, result.output
    assert 'internal error' not in result.output, result.output
    assert 'core.hooksPath' in result.stderr, result.stderr
    assert 'git config --show-origin core.hooksPath' in result.stderr, result.stderr
