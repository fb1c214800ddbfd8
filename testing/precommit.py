"""The pre-commit framework against the current trailgate source.

pre-commit installs a hook repository from a git revision, and the work in
progress in the source tree is not in any commit. ``snapshot`` copies the
work tree (tracked and untracked files, not ignored ones) into a fresh git
repository and commits it, so the framework always tests the current code.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from testing.scenarios import Repo
from testing.util import git
from testing.util import git_env
from testing.util import init_repo

SOURCE = Path(__file__).resolve().parent.parent
HOOK_IDS = ('trailgate-commit-msg', 'trailgate-pre-push')
# not part of what pip installs; left out to keep the snapshot small
SKIPPED = ('tests/', 'benchmarks/', '.ci/')


def snapshot(destination: Path, source: Path = SOURCE) -> tuple[Path, str]:
    """(repository, commit) holding the current work tree of ``source``."""
    listed = subprocess.run(
        ('git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'),
        cwd=source, capture_output=True, check=True, env=git_env(),
    ).stdout
    init_repo(destination)
    for name in sorted(set(listed.split(b'\0'))):
        if not name:
            continue
        relative = os.fsdecode(name)
        if relative.startswith(SKIPPED):
            continue
        path = source / relative
        if path.is_file() and not path.is_symlink():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    git(destination, 'add', '-A')
    git(destination, 'commit', '-q', '--no-verify', '-m', 'trailgate work tree snapshot')
    return destination, git(destination, 'rev-parse', 'HEAD').strip()


def config(repository: Path, rev: str, hook_ids: tuple[str, ...] = HOOK_IDS) -> str:
    hooks = ''.join(f'      - id: {hook_id}\n' for hook_id in hook_ids)
    return f'repos:\n  - repo: {repository}\n    rev: {rev}\n    hooks:\n{hooks}'


def pre_commit(repo: Repo, *args: str) -> str:
    """Run ``python -m pre_commit`` (this interpreter's) in ``repo``; must succeed."""
    result = repo.run(sys.executable, '-m', 'pre_commit', *args)
    assert result.returncode == 0, result.output
    return result.output
