"""Running git for a short answer (``run``, ``run_ok``, ``Started``): one
process through os.posix_spawnp, a pipe per stream, both read at once.

A stand-in ``git`` on PATH plays what a real one could do (fill both pipes,
never read its input, hang); every run that could hang runs in a child
Python with a deadline, so a regression fails instead of stopping the suite.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trailgate import git
from trailgate.errors import GitError

DEADLINE = 120  # seconds: only a hang comes near it


def fake_git(tmp_path: Path, script: str) -> dict[str, str]:
    """An environment whose PATH finds ``script`` (sh) as ``git`` first."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(exist_ok=True)
    program = bin_dir / 'git'
    program.write_text('#!/bin/sh\n' + textwrap.dedent(script))
    program.chmod(0o755)
    return {**os.environ, 'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}'}


def in_child(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``code`` (after ``from trailgate import git``) in a child Python."""
    return subprocess.run(
        (sys.executable, '-c', 'from trailgate import git\n' + textwrap.dedent(code)),
        capture_output=True, text=True, env=env, timeout=DEADLINE,
    )


# writes 300 kB to stderr before any stdout: a reader that drains stdout
# first waits forever on a git blocked on its full stderr pipe
BOTH_PIPES = """\
yes e | head -c 300000 >&2
yes o | head -c 1000000
exit "${FAKE_EXIT:-0}"
"""


def test_both_pipes_full_at_once(tmp_path: Path) -> None:
    result = in_child("""\
        out = git.run('anything')
        print(len(out), sorted(set(out)))
    """, fake_git(tmp_path, BOTH_PIPES))
    assert result.returncode == 0, result.stderr
    assert result.stdout == '1000000 [10, 111]\n'


def test_a_failure_carries_git_message(tmp_path: Path) -> None:
    env = {**fake_git(tmp_path, BOTH_PIPES), 'FAKE_EXIT': '3'}
    result = in_child("""\
        try:
            git.run('diff', '--cached')
        except git.GitError as e:
            print(repr(str(e)[:30]), len(str(e)))
        print(git.run_ok('diff'))
        started = git.start('var', '-l')
        print(started.answer()[0])
    """, env)
    assert result.returncode == 0, result.stderr
    message = 'git diff --cached failed: ' + '\n'.join('e' * 150000)
    assert result.stdout == f"{message[:30]!r} {len(message)}\nNone\n3\n"


def test_a_failure_names_the_subcommand_and_no_operand(tmp_path: Path) -> None:
    result = in_child("""\
        for args in (('--literal-pathspecs', 'ls-files', '-t', '-z', '--', 'pay'),
                     ('--literal-pathspecs', 'rev-list', '-n1', 'main', '--', 'pay'),
                     ('rev-parse', 'main', 'pay', '--'), ('--version',), ('-c', 'a.b=c')):
            try:
                git.run(*args)
            except git.GitError as e:
                print(e)
    """, fake_git(tmp_path, 'echo refused >&2\nexit 1\n'))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        'git ls-files -t failed: refused', 'git rev-list -n1 failed: refused', 'git rev-parse failed: refused',
        'git --version failed: refused', 'git -c failed: refused',
    ]


def test_input_larger_than_a_pipe(tmp_path: Path) -> None:
    data = os.urandom(3 << 20)
    oid = git.run('hash-object', '--stdin', input=data).decode().strip()
    assert oid == hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()


def test_input_git_never_reads(tmp_path: Path) -> None:
    env = fake_git(tmp_path, 'echo refused >&2\nexit 1\n')
    result = in_child("""\
        try:
            git.run('cat-file', '--batch', input=b'x' * (4 << 20))
        except git.GitError as e:
            print(e)
    """, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'git cat-file --batch failed: refused\n'


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', str(tmp_path))
    before = set(os.listdir('/proc/self/fd'))
    for call in (lambda: git.run('--version'), lambda: git.run_ok('--version'), lambda: git.start('var', '-l'),
                 git.repo):
        with pytest.raises(GitError, match='git is not installed or not on PATH'):
            call()
    assert set(os.listdir('/proc/self/fd')) == before  # no pipe end left open


def test_no_pipe_end_is_left_open(tmp_path: Path) -> None:
    before = set(os.listdir('/proc/self/fd'))
    git.run('--version')
    git.run_ok('rev-parse', '--verify', '--quiet', 'no-such-thing')
    git.start('--version').output()
    git.start('--version').abandon()
    assert set(os.listdir('/proc/self/fd')) == before


def test_git_inherits_none_of_our_descriptors(tmp_path: Path) -> None:
    """An inheritable descriptor of ours (one the hook itself inherited,
    say) is closed in git, as subprocess's close_fds would."""
    env = fake_git(tmp_path, 'ls /proc/self/fd\n')
    result = in_child("""\
        import os
        read_end, write_end = os.pipe()
        os.set_inheritable(write_end, True)
        print(write_end)
        print(git.run('x').decode().split())
    """, env)
    assert result.returncode == 0, result.stderr
    inherited, listing = result.stdout.split('\n')[:2]
    assert inherited.isdigit() and f"'{inherited}'" not in listing


def test_git_gets_sigpipe_back(tmp_path: Path) -> None:
    """Python ignores SIGPIPE; git, as any child of subprocess, must not."""
    env = fake_git(tmp_path, 'grep SigIgn /proc/self/status\n')
    result = in_child("print(git.run('x').decode().split()[1])", env)
    assert result.returncode == 0, result.stderr
    ignored = int(result.stdout.strip(), 16)
    assert not ignored & (1 << (13 - 1))  # SIGPIPE is 13 on Linux


def test_our_standard_streams_closed(tmp_path: Path) -> None:
    """With our stdin and stdout closed, a pipe gets their numbers: git's
    output must still come back whole (glibc before 2.29 leaves a descriptor
    that posix_spawn dup2s onto itself close-on-exec: git's stdout would be
    closed)."""
    result = in_child("""\
        import os
        os.close(0)
        os.close(1)
        out = git.run('hash-object', '--stdin', input=b'hello\\n')
        os.write(2, b'ANSWER ' + out)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stderr == 'ANSWER ce013625030ba8dba906f756967f9e9ca394464a\n'


def test_abandon_stops_and_reaps_git(tmp_path: Path) -> None:
    env = fake_git(tmp_path, 'sleep 600\n')
    result = in_child("""\
        import os
        started = git.start('var', '-l')
        pid = started._child.pid
        started.abandon()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            print('reaped')
    """, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'reaped\n'


def test_run_in_another_directory(tmp_path: Path) -> None:
    git.run('init', '-q', str(tmp_path / 'r'))
    top = git.run('rev-parse', '--show-toplevel', cwd=str(tmp_path / 'r')).decode().strip()
    assert Path(top).resolve() == (tmp_path / 'r').resolve()
