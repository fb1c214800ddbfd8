"""Where ``audit`` writes its reports: whole or not at all, never where git reads or runs them."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import Repo
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.util import git
from testing.util import git_env

OPTIONS = ('--html', '--json', '--csv')


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    found = new_repo(tmp_path / 'repo', hooks=False)
    found.commit_ok(message('AI change', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    return found


def _leftovers(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith('.tmp')]


def test_a_report_is_never_written_where_git_reads_or_runs_it(repo: Repo, tmp_path: Path) -> None:
    hooks = repo.path / '.git' / 'hooks'
    hook = hooks / 'post-checkout'
    hook.write_text('#!/bin/sh\nexit 0\n')
    hook.chmod(0o755)
    (repo.path / 'link').symlink_to(repo.path / '.git' / 'config')
    outside = tmp_path / 'shared-hooks'
    outside.mkdir()
    config = (repo.path / '.git' / 'config').read_bytes()
    for option in OPTIONS:
        for target in ('.git/audit.html', '.git/hooks/post-checkout', '.git', 'link', str(outside / 'pre-push')):
            if target == str(outside / 'pre-push'):
                git(repo.path, 'config', 'core.hooksPath', str(outside))
            result = repo.trailgate('audit', '-q', option, target)
            git(repo.path, 'config', '--unset-all', 'core.hooksPath', check=False)
            assert result.returncode == 2, (option, target, result)
            assert 'cannot write' in result.stderr and 'Traceback' not in result.stderr
    assert hook.read_text() == '#!/bin/sh\nexit 0\n'
    assert not (repo.path / '.git' / 'audit.html').exists() and os.listdir(outside) == []
    assert (repo.path / '.git' / 'config').read_bytes().startswith(config)
    assert _leftovers(repo.path / '.git') == [] and _leftovers(hooks) == []


def test_a_report_is_never_written_through_a_link_a_commit_put_there(repo: Repo, tmp_path: Path) -> None:
    """A checkout's symbolic link (to a shell profile, or a directory out of the
    work tree) is the commits' choice, not the reader's: no report goes through it."""
    home = tmp_path / 'home'
    home.mkdir()
    profile = home / '.bashrc'
    profile.write_text('# mine\n')
    (repo.path / 'audit.html').symlink_to(profile)
    (repo.path / 'reports').symlink_to(home)
    git(repo.path, 'add', 'audit.html', 'reports')
    git(repo.path, 'commit', '-qm', 'Reports')
    for option in OPTIONS:
        for target in ('audit.html', 'reports/.bashrc', 'reports/audit.json'):
            result = repo.trailgate('audit', '-q', option, target)
            assert result.returncode == 2, (option, target, result)
            assert f'{option} {target}: cannot write: it is reached through a symbolic link' in result.stderr
    assert profile.read_text() == '# mine\n' and os.listdir(home) == ['.bashrc']
    assert repo.trailgate('audit', '-q', '--json', 'audit.json').returncode == 0
    assert (repo.path / 'audit.json').read_text().startswith('{')


def test_a_failed_audit_leaves_the_previous_reports_as_they_were(repo: Repo, tmp_path: Path) -> None:
    out = tmp_path / 'out'
    out.mkdir()
    paths = {option: out / f'audit.{option[2:]}' for option in OPTIONS}
    for path in paths.values():
        path.write_text('the last good report\n')
    blob = git(repo.path, 'rev-parse', f'HEAD:{CRITICAL}').strip()
    (repo.path / '.git' / 'objects' / blob[:2] / blob[2:]).unlink()  # git log --numstat fails on it
    arguments = [item for option, path in paths.items() for item in (option, str(path))]

    result = repo.trailgate('audit', '-q', '--lines', *arguments)

    assert result.returncode == 2, result
    assert 'Traceback' not in result.stderr
    assert {path.read_text() for path in paths.values()} == {'the last good report\n'}
    assert _leftovers(out) == []


def test_a_report_written_over_an_executable_file_is_not_executable(repo: Repo, tmp_path: Path) -> None:
    target = tmp_path / 'report'
    target.write_text('#!/bin/sh\necho ran\n')
    target.chmod(0o755)

    result = repo.trailgate('audit', '-q', '--html', str(target))

    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith('<!DOCTYPE html>')
    assert not target.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.skipif(not os.path.exists('/dev/full'), reason='needs /dev/full (Linux)')
def test_a_full_disk_is_an_error_that_names_the_file(repo: Repo) -> None:
    for option in OPTIONS:
        result = repo.trailgate('audit', '-q', option, '/dev/full')
        assert result.returncode == 2, (option, result)
        assert f'{option} /dev/full: cannot write: No space left on device' in result.stderr
        assert 'internal error' not in result.stderr


def test_an_unwritable_path_is_an_error_before_the_history_is_read(repo: Repo, tmp_path: Path) -> None:
    for target in (tmp_path / 'missing' / 'audit.html', tmp_path):
        result = repo.trailgate('audit', '-q', '--html', str(target))
        assert result.returncode == 2, (target, result)
        assert 'cannot write' in result.stderr and 'Traceback' not in result.stderr


def test_the_git_directory_under_another_name_is_still_refused(repo: Repo, tmp_path: Path) -> None:
    """A bind mount here stands for what a case-insensitive file system does
    to ``.GIT/hooks``: another spelling of the same directory."""
    import shutil
    import subprocess
    import sys

    alias = tmp_path / 'alias'
    alias.mkdir()
    script = (f'mount --bind {repo.path / ".git"} {alias} && '
              f'{sys.executable} -m trailgate audit -q --html {alias / "hooks" / "pre-commit"}')
    if shutil.which('unshare') is None or subprocess.run(
            ('unshare', '-m', 'true'), capture_output=True).returncode:
        pytest.skip('needs unshare -m (a private mount namespace) to make a bind mount')
    result = subprocess.run(('unshare', '-m', 'sh', '-c', script), cwd=repo.path, capture_output=True, text=True,
                            env=git_env())
    if 'mount' in result.stderr and result.returncode not in (0, 2):
        pytest.skip(f'no bind mount here: {result.stderr.strip()}')
    assert result.returncode == 2, result
    assert 'cannot write' in result.stderr
    assert not (repo.path / '.git' / 'hooks' / 'pre-commit').exists()


def test_only_files_straight_in_a_shared_hooks_directory_are_refused(repo: Repo, tmp_path: Path) -> None:
    """git runs the files directly in core.hooksPath, not those below it: a
    hooks path set to a home directory must not refuse every report under it."""
    home = tmp_path / 'home'
    (home / 'reports').mkdir(parents=True)
    git(repo.path, 'config', 'core.hooksPath', str(home))

    straight_in = repo.trailgate('audit', '-q', '--html', str(home / 'post-checkout'))
    below = repo.trailgate('audit', '-q', '--html', str(home / 'reports' / 'audit.html'))

    assert straight_in.returncode == 2 and 'cannot write' in straight_in.stderr
    assert not (home / 'post-checkout').exists()
    assert below.returncode == 0, below.stderr
    assert (home / 'reports' / 'audit.html').read_text().startswith('<!DOCTYPE html>')


@pytest.mark.parametrize('option', OPTIONS)
def test_a_report_to_dev_stdout_reaches_a_pipe(repo: Repo, option: str) -> None:
    """/dev/stdout names the pipe the caller reads (``audit --json /dev/stdout | jq``),
    through /proc/self/fd/1, which is no file to put a temporary one beside."""
    result = repo.trailgate('audit', '-q', option, '/dev/stdout')
    assert result.returncode == 0, result
    expected = {'--html': '<!DOCTYPE html>', '--json': '"schema"', '--csv': 'sha'}[option]
    assert expected in result.stdout, result.stdout[:300]
