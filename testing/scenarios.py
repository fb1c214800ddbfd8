"""Repositories for end-to-end tests of the hooks: real git, real hooks.

Every git command runs in a pytest tmp directory with ``git_env()`` (no user
or system configuration, fixed identity). Commits are made with the real
``git commit`` (hooks on, or ``--no-verify``); client hooks are installed
with ``core.hooksPath`` pointing at a directory of tiny sh scripts that run
``<this python> -m trailgate <hook>``; a bare remote gets the same kind of
script as its ``pre-receive`` hook.

When the environment holds ``TRAILGATE_TEST_STATUS`` (``Repo`` always sets
it), each hook script also appends ``<hook> <exit status>`` to that file, so
a test can tell a refusal (1) from an error (2) even though ``git commit``
and ``git push`` report any hook failure as their own exit 1.
"""
from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from testing.util import write

RULE = 'tier1-payments'
POLICY_PATH = '.trailgate/policy.yaml'
CRITICAL = 'services/payments/charge.py'
OTHER = 'services/search/index.py'

ALICE = 'Alice Archer <alice@example.com>'
BOB = 'Bob Builder <bob@example.com>'
CAROL = 'Carol Chen <carol@example.com>'
DEV = 'Dev Eloper <dev@example.com>'
CLAUDE = 'Claude <noreply@anthropic.com>'

CO_AUTHORED = f'Co-authored-by: {CLAUDE}'
ASSISTED = 'Assisted-by: Claude Code'
REVIEW_ALICE = f'Reviewed-by: {ALICE}'
REVIEW_BOB = f'Reviewed-by: {BOB}'
DOC_TICKET = 'Change-Doc: PAY-123'
# what the standard rule asks of an AI-assisted change to a critical path
APPROVALS = (REVIEW_ALICE, REVIEW_BOB, DOC_TICKET)

_POLICY_HEAD = """\
version: 1
groups:
  senior: [alice@example.com, "Bob Builder <bob@example.com>"]
  sre: [carol@example.com]
policy_owners: senior
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
"""
_POLICY_TAIL = """\
    require:
      reviews: {group: senior, count: 2}
      documentation:
        paths: ["docs/changes/**"]
        patterns: ['^[A-Z]+-[0-9]+$']
overrides:
  group: sre
"""


def policy(*rule_lines: str) -> str:
    """The standard policy, with extra keys in its one rule (``'applies_to: all'``)."""
    extra = ''.join(f'    {line}\n' for line in rule_lines)
    return _POLICY_HEAD + extra + _POLICY_TAIL


POLICY = policy()
# the standard policy guarding only main and release branches: the pull-request workflow
PROTECTED_POLICY = POLICY + 'protected: [main, "release/*"]\n'
# a policy that judges nothing: what a weakening commit would like to install
EMPTY_POLICY = 'version: 1\nrules: []\n'

HOOKS = ('commit-msg', 'prepare-commit-msg', 'pre-push', 'pre-receive')
CLIENT_HOOKS = ('commit-msg', 'pre-push')
STATUS_VARIABLE = 'TRAILGATE_TEST_STATUS'


def message(subject: str, *trailers: str, body: str | None = None) -> str:
    """A commit message: subject, optional body paragraph, trailer block."""
    text = subject.rstrip('\n') + '\n'
    if body:
        text += '\n' + body.rstrip('\n') + '\n'
    if trailers:
        text += '\n' + '\n'.join(trailers) + '\n'
    return text


def identity(value: str) -> tuple[str, str]:
    name, _, email = value.partition(' <')
    return name, email.rstrip('>')


def author_env(author: str) -> dict[str, str]:
    name, email = identity(author)
    return {'GIT_AUTHOR_NAME': name, 'GIT_AUTHOR_EMAIL': email}


def hook_script(hook: str, *options: str) -> str:
    argv = (sys.executable, '-m', 'trailgate', hook, *options)
    command = ' '.join(shlex.quote(part) for part in argv)
    return (
        '#!/bin/sh\n'
        f'# trailgate {hook}, installed by testing/scenarios.py\n'
        f'if [ -z "${STATUS_VARIABLE}" ]; then\n'
        f'    exec {command} "$@"\n'
        'fi\n'
        f'{command} "$@"\n'
        'status=$?\n'
        f'echo "{hook} $status" >> "${STATUS_VARIABLE}"\n'
        'exit $status\n'
    )


def write_hooks(directory: Path, hooks: Iterable[str] = HOOKS, *options: str) -> Path:
    """A directory of hook scripts running this interpreter's trailgate."""
    directory.mkdir(parents=True, exist_ok=True)
    for hook in hooks:
        path = directory / hook
        path.write_text(hook_script(hook, *options))
        path.chmod(0o755)
    return directory


class Run(NamedTuple):
    """A finished command, with what the test hook scripts reported."""

    returncode: int
    stdout: str
    stderr: str
    hooks: dict[str, int]  # hook name -> its last exit status

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def verdict(returncode: int) -> str:
    return {0: 'accepted', 1: 'refused'}.get(returncode, f'error {returncode}')


def _decode(data: bytes) -> str:
    return data.decode('utf-8', 'surrogateescape')


class Repo:
    """A repository in a tmp directory, driven by real git."""

    def __init__(self, path: Path, env: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.status_file = self.path.parent / f'.{self.path.name}.hook-status'
        self.env = git_env(**{STATUS_VARIABLE: str(self.status_file)}, **dict(env or {}))

    def __repr__(self) -> str:
        return f'Repo({str(self.path)!r})'

    def _env(self, author: str | None, env: Mapping[str, str] | None) -> dict[str, str]:
        merged = dict(self.env)
        if author:
            merged.update(author_env(author))
        merged.update(env or {})
        return merged

    def _hook_statuses(self) -> dict[str, int]:
        statuses: dict[str, int] = {}
        if self.status_file.exists():
            for line in self.status_file.read_text().splitlines():
                hook, _, status = line.rpartition(' ')
                statuses[hook] = int(status)
        return statuses

    def run(self, *args: str, input: bytes | str | None = None,
            env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Run:
        """Run ``args`` (a command) here; never raises on a non-zero exit."""
        if isinstance(input, str):
            input = input.encode()
        self.status_file.unlink(missing_ok=True)
        result = subprocess.run(
            args, cwd=cwd or self.path, input=input, capture_output=True,
            env=self._env(None, env),
        )
        return Run(result.returncode, _decode(result.stdout), _decode(result.stderr),
                   self._hook_statuses())

    def run_git(self, *args: str, input: bytes | str | None = None,
                env: Mapping[str, str] | None = None) -> Run:
        return self.run('git', *args, input=input, env=env)

    def git(self, *args: str, input: bytes | str | None = None,
            env: Mapping[str, str] | None = None) -> str:
        """Run git; its stdout, or AssertionError with its stderr."""
        result = self.run_git(*args, input=input, env=env)
        if result.returncode:
            raise AssertionError(
                f'git {" ".join(args)} failed ({result.returncode}) in {self.path}:\n'
                f'{result.stderr}',
            )
        return result.stdout

    def trailgate(self, *args: str, input: bytes | str | None = None,
                  env: Mapping[str, str] | None = None) -> Run:
        return self.run(sys.executable, '-m', 'trailgate', *args, input=input, env=env)

    def rev(self, rev: str = 'HEAD') -> str | None:
        """The commit (or object) ``rev`` names, or None."""
        result = self.run_git('rev-parse', '--verify', '--quiet', rev)
        return result.stdout.strip() or None

    def head(self) -> str:
        sha = self.rev('HEAD')
        assert sha, f'{self.path} has no HEAD commit'
        return sha

    def write(self, files: Mapping[str, str | bytes]) -> None:
        for name, content in files.items():
            write(self.path / name, content)

    def stage(self, files: Mapping[str, str | bytes] | None = None,
              remove: Iterable[str] = ()) -> None:
        files = files or {}
        self.write(files)
        if files:
            self.git('add', '--', *files)
        remove = list(remove)
        if remove:
            self.git('rm', '-q', '--', *remove)

    def commit(self, text: str | bytes, files: Mapping[str, str | bytes] | None = None, *,
               author: str | None = None, verify: bool = True, args: Iterable[str] = (),
               remove: Iterable[str] = (), env: Mapping[str, str] | None = None) -> Run:
        """Stage ``files`` (path -> content) and ``git commit -F -`` with ``text``."""
        self.stage(files, remove)
        options = ['-q', '-F', '-', *([] if verify else ['--no-verify']), *args]
        return self.run('git', 'commit', *options, input=text, env=self._env(author, env))

    def commit_ok(self, text: str | bytes, files: Mapping[str, str | bytes] | None = None,
                  **kwargs: object) -> str:
        """``commit`` that must succeed; the new HEAD."""
        result = self.commit(text, files, **kwargs)  # type: ignore[arg-type]
        assert result.returncode == 0, result.output
        return self.head()

    def install_hooks(self, directory: Path | None = None,
                      hooks: Iterable[str] = CLIENT_HOOKS) -> Path:
        """Client hooks through ``core.hooksPath`` (absolute path)."""
        directory = directory or self.path.parent / f'.{self.path.name}.hooks'
        write_hooks(directory, hooks)
        self.git('config', 'core.hooksPath', str(directory))
        return directory


def init(path: Path, bare: bool = False, object_format: str = 'sha1') -> Path:
    """``init_repo`` with a choice of object format (sha1 or sha256)."""
    if object_format == 'sha1':
        return init_repo(path, bare=bare)
    path.mkdir(parents=True, exist_ok=True)
    git(path, 'init', '-q', '-b', 'main', f'--object-format={object_format}',
        *(['--bare'] if bare else []), '.', env=git_env())
    if not bare:
        git(path, 'config', 'commit.gpgsign', 'false', env=git_env())
    return path


def new_repo(path: Path, policy_text: str | None = POLICY, hooks: bool = True,
             files: Mapping[str, str | bytes] | None = None,
             object_format: str = 'sha1') -> Repo:
    """A repository on ``main`` whose first commit holds the policy (and ``files``)."""
    init(path, object_format=object_format)
    repo = Repo(path)
    content: dict[str, str | bytes] = {'README.txt': 'shop\n', CRITICAL: 'def charge(): ...\n'}
    if policy_text is not None:
        content[POLICY_PATH] = policy_text
    content.update(files or {})
    repo.commit_ok(message('Add the trailgate policy', REVIEW_ALICE, REVIEW_BOB), content,
                   verify=False)
    if hooks:
        repo.install_hooks()
    return repo


def bare_remote(path: Path, pre_receive: bool = True, options: Iterable[str] = (),
                object_format: str = 'sha1') -> Repo:
    """A bare repository; its pre-receive hook runs ``trailgate pre-receive``."""
    init(path, bare=True, object_format=object_format)
    remote = Repo(path)
    if pre_receive:
        write_hooks(path / 'hooks', ('pre-receive',), *options)
    return remote


def publish(repo: Repo, remote: Repo, name: str = 'origin', branch: str = 'main') -> None:
    """Add ``remote`` as ``name`` and push ``branch`` to it past every hook."""
    hooks = remote.path / 'hooks' / 'pre-receive'
    saved = hooks.read_bytes() if hooks.exists() else None
    hooks.unlink(missing_ok=True)
    try:
        repo.git('remote', 'add', name, str(remote.path))
        repo.git('push', '-q', '--no-verify', '-u', name, branch)
        repo.git('remote', 'set-head', name, branch)
    finally:
        if saved is not None:
            hooks.write_bytes(saved)
            hooks.chmod(0o755)


def clone(remote: Repo, path: Path, hooks: bool = True) -> Repo:
    """A clone of ``remote`` with the test identity (and client hooks)."""
    git(path.parent, 'clone', '-q', str(remote.path), str(path), env=git_env())
    repo = Repo(path)
    repo.git('config', 'commit.gpgsign', 'false')
    if hooks:
        repo.install_hooks()
    return repo


def editor(path: Path, top: str, bottom: str = '', replace: bool = False) -> dict[str, str]:
    """Environment for an editor that puts ``top`` before what git wrote and
    ``bottom`` after it (``git commit -v`` puts the diff below a scissors line);
    with ``replace``, the file becomes ``top + bottom``.
    """
    keep = '' if replace else ' + text'
    path.write_text(
        'import sys\n'
        'with open(sys.argv[1], encoding="utf-8") as f:\n'
        '    text = f.read()\n'
        f'text = {top!r}{keep} + {bottom!r}\n'
        'with open(sys.argv[1], "w", encoding="utf-8") as f:\n'
        '    f.write(text)\n',
    )
    return {'GIT_EDITOR': f'{shlex.quote(sys.executable)} {shlex.quote(str(path))}'}


def unreviewed(repo: Repo, content: str = 'bad = 1\n', subject: str = 'Unreviewed charge') -> str:
    """An AI-assisted critical change without trailers, committed past commit-msg."""
    return repo.commit_ok(message(subject, ASSISTED), {CRITICAL: content}, verify=False)


def ref_values(remote: Repo) -> dict[str, str]:
    """Every ref of ``remote`` and the object it names."""
    lines = remote.git('for-each-ref', '--format=%(refname) %(objectname)').splitlines()
    return dict(line.split(' ', 1) for line in lines)


class Setup(NamedTuple):
    """A work repository and the bare remote it pushes to."""

    repo: Repo
    origin: Repo
