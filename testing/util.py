"""Test helpers: real git in temporary directories, isolated from the user."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AUTHOR = ('Dev Eloper', 'dev@example.com')

# Never read the user's or the system's git config; fixed identity and dates.
GIT_ENV = {
    'GIT_CONFIG_GLOBAL': os.devnull,
    'GIT_CONFIG_NOSYSTEM': '1',
    'GIT_AUTHOR_NAME': AUTHOR[0],
    'GIT_AUTHOR_EMAIL': AUTHOR[1],
    'GIT_COMMITTER_NAME': AUTHOR[0],
    'GIT_COMMITTER_EMAIL': AUTHOR[1],
    'GIT_TERMINAL_PROMPT': '0',
    'NO_COLOR': '1',
}
STRIPPED = ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
            'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'TRAILGATE_POLICY', 'PRE_COMMIT',
            'GIT_AUTHOR_DATE', 'GIT_COMMITTER_DATE',
            'SSH_AUTH_SOCK', 'SSH_AGENT_PID')  # never the user's ssh-agent: tests make their own keys


def git_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED}
    env.update(GIT_ENV)
    env.update(extra)
    return env


def git(cwd: Path | str, *args: str, input: bytes | str | None = None,
        env: dict[str, str] | None = None, check: bool = True) -> str:
    if isinstance(input, str):
        input = input.encode()
    result = subprocess.run(
        ('git', *args), cwd=cwd, input=input, capture_output=True,
        env=env or git_env(),
    )
    if check and result.returncode:
        raise AssertionError(
            f'git {" ".join(args)} failed ({result.returncode}):\n'
            f'{result.stderr.decode(errors="replace")}',
        )
    return result.stdout.decode(errors='surrogateescape')


def init_repo(path: Path, bare: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, 'init', '-q', '-b', 'main', *(['--bare'] if bare else []), '.')
    if not bare:
        git(path, 'config', 'user.name', AUTHOR[0])
        git(path, 'config', 'user.email', AUTHOR[1])
        git(path, 'config', 'commit.gpgsign', 'false')
    return path


def write(path: Path, content: str | bytes = 'x\n') -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def trailgate(cwd: Path | str, *args: str, input: bytes | str | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess."""
    if isinstance(input, bytes):
        input = input.decode()
    return subprocess.run(
        (sys.executable, '-m', 'trailgate', *args), cwd=cwd, input=input,
        capture_output=True, text=True, env=env or git_env(),
    )


def plant_trailgate_package(work_tree: Path, marker: Path) -> None:
    """A ``trailgate/`` package in a work tree, as a clone or branch may bring:
    importing it writes ``marker`` and its hooks pass everything."""
    body = (f'open({str(marker)!r}, "w").close()\n'
            'def main(argv=None):\n    return 0\n')
    write(work_tree / 'trailgate' / '__init__.py', body)
    write(work_tree / 'trailgate' / 'main.py', 'from trailgate import main\n')
    write(work_tree / 'trailgate' / '__main__.py', 'raise SystemExit(0)\n')
