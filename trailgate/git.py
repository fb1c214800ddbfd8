"""All git I/O. Everything else in trailgate works on plain data.

Git runs with the inherited environment (hooks depend on GIT_INDEX_FILE,
GIT_DIR and the receive quarantine), plus GIT_NO_REPLACE_OBJECTS and
GIT_GRAFT_FILE pointing at nothing and without GIT_SHALLOW_FILE, so that
neither ``refs/replace``, an ``info/grafts`` file nor a shallow file other
than the repository's own can show us a different history than the one
that was committed and pushed.
Paths are always NUL-separated; one ``git log -z`` streams a whole range.
"""
from __future__ import annotations

import collections
import contextlib
import datetime
import functools
import os
import re
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import IO
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple

from trailgate.errors import GitError
from trailgate.model import Identity

if TYPE_CHECKING:
    import queue
    import threading

ENCODING = 'utf-8'
# a path that cannot exist (a file under /dev/null): git reads no grafts and, unlike
# for an empty file, prints no deprecation advice
NO_GRAFT_FILE = os.path.join(os.devnull, 'no-grafts')
ERRORS = 'surrogateescape'
_RECORD = 'TGSTART'
ARGV_REVISIONS = 1 << 16  # bytes of revisions on git's command line; see _excluded_to_stdin
# sha, parents, author name/email, committer name/email, committer time, message
_LOG_FORMAT = f'%x00{_RECORD}%x00%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%ct%x00%B'
_LOG_OPTIONS = (
    '-z', '--root', '--no-renames', '-c', '--raw', '--no-ext-diff', '--ignore-submodules=none',
    '--no-relative', '--no-textconv', '--no-show-signature', '--no-color',
    '--encoding=UTF-8', '--no-abbrev', f'--format={_LOG_FORMAT}',
)


def decode(data: bytes) -> str:
    return data.decode(ENCODING, ERRORS)


def read_hook_input() -> str:
    """What git wrote to a hook's stdin (ref names are bytes to git); '' on a terminal."""
    if sys.stdin is None or sys.stdin.isatty():
        return ''
    raw = getattr(sys.stdin, 'buffer', None)  # absent when stdin is replaced by a text stream
    return decode(raw.read()) if raw is not None else sys.stdin.read()


# git's traces that a variable sends to stderr (1, 2, true) or to a descriptor
# (3-9): a failing git's message would carry them, and a git whose stderr is
# read as a complaint (diff-tree --stdin) would seem to fail. A trace to a
# file (an absolute path) or a socket stays: it is how git's work is counted.
_TRACES = ('GIT_TRACE', 'GIT_TRACE_PACK_ACCESS', 'GIT_TRACE_PACKET', 'GIT_TRACE_PACKFILE',
           'GIT_TRACE_PERFORMANCE', 'GIT_TRACE_SETUP', 'GIT_TRACE_SHALLOW', 'GIT_TRACE_CURL',
           'GIT_TRACE_REFS', 'GIT_TRACE_FSMONITOR', 'GIT_TRACE2', 'GIT_TRACE2_EVENT', 'GIT_TRACE2_PERF')
# every command given paths says how to read them (--literal-pathspecs); a
# global setting of another kind would make git refuse it
_PATHSPEC_MODES = ('GIT_LITERAL_PATHSPECS', 'GIT_GLOB_PATHSPECS', 'GIT_NOGLOB_PATHSPECS', 'GIT_ICASE_PATHSPECS')


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env['GIT_NO_REPLACE_OBJECTS'] = '1'
    env['GIT_GRAFT_FILE'] = NO_GRAFT_FILE
    env.pop('GIT_EXTERNAL_DIFF', None)
    # receive-pack sets it for a push from a shallow clone (receive.shallowUpdate):
    # the pusher's shallow roots would end the history we read; without it git
    # finds their parents missing and fails
    env.pop('GIT_SHALLOW_FILE', None)
    for name in _PATHSPEC_MODES:
        env.pop(name, None)
    for name in _TRACES:
        target = env.get(name)
        if target is not None and not (os.path.isabs(target) or target.startswith('af_unix:')):
            env[name] = '0'
    return env


def _cmd(args: Iterable[str]) -> tuple[str, ...]:
    return ('git', '-c', 'core.quotePath=false', *args)


# -- running git -----------------------------------------------------------
#
# Every git process that answers a question in one piece (all of those the
# commit hooks start) runs as a ``_Child``: os.posix_spawnp and a pipe for
# each stream. Importing subprocess (selectors, threading, signal, locale)
# would cost a hook more than the work it does; it is imported only by the
# streaming readers further down, which no commit hook reaches.

NOT_INSTALLED = 'git is not installed or not on PATH; install git and retry'
# Python ignores SIGPIPE and SIGXFSZ; git gets their defaults back, as subprocess
# gives them. The numbers come from the builtin module: ``signal`` builds enums.
_SIGNALS: Any = __import__('_signal')
_DEFAULT_SIGNALS = tuple(getattr(_SIGNALS, name) for name in ('SIGPIPE', 'SIGXFSZ') if hasattr(_SIGNALS, name))
_READ_SIZE = 1 << 16


def _inherited_descriptors() -> list[int]:
    """Our descriptors above stderr that a child would inherit: closed in
    it, as subprocess's ``close_fds`` does (Python's own are never inherited)."""
    for listing in ('/proc/self/fd', '/dev/fd'):
        try:
            names = os.listdir(listing)
        except OSError:
            continue
        found = []
        for name in names:
            fd = int(name)
            with contextlib.suppress(OSError):  # the listing's own descriptor, closed by now
                if fd > 2 and os.get_inheritable(fd):
                    found.append(fd)
        return found
    return []


def _close(fds: Iterable[int | None]) -> None:
    for fd in fds:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def _above_stdio(fd: int) -> int:
    """``fd``, or a copy of it above 2. When our own stdin or stdout is
    closed, a pipe can get its number, and posix_spawn would dup2 it onto
    itself, which glibc before 2.29 leaves close-on-exec (git's stdout closed)."""
    if fd > 2:
        return fd
    moved = _above_stdio(os.dup(fd))
    os.close(fd)
    return moved


def _pipe() -> tuple[int, int]:
    read_end, write_end = os.pipe()
    return _above_stdio(read_end), _above_stdio(write_end)


def _write_some(fd: int, pending: memoryview) -> memoryview:
    """What remains of ``pending`` after one write; nothing when git stopped
    reading (it exited: its exit code tells the rest)."""
    try:
        return pending[os.write(fd, pending):]
    except BlockingIOError:
        return pending
    except BrokenPipeError:
        return pending[:0]


class _Child:
    """One git process; its stdin is /dev/null, or a pipe when it is given
    input, and its stdout and stderr are pipes."""

    def __init__(self, argv: tuple[str, ...], env: dict[str, str], with_input: bool = False) -> None:
        ours: list[int] = []
        theirs: list[int] = []
        try:
            for _ in range(2):
                read_end, write_end = _pipe()
                ours.append(read_end)
                theirs.append(write_end)
            actions: list[tuple[Any, ...]] = [
                (os.POSIX_SPAWN_DUP2, theirs[0], 1),
                (os.POSIX_SPAWN_DUP2, theirs[1], 2),
            ]
            if with_input:
                read_end, write_end = _pipe()
                ours.append(write_end)
                theirs.append(read_end)
                actions.append((os.POSIX_SPAWN_DUP2, read_end, 0))
            else:
                actions.append((os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0))
            actions.extend((os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited_descriptors())
            self.pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsigdef=_DEFAULT_SIGNALS)
        except FileNotFoundError:
            _close(ours)
            raise GitError(NOT_INSTALLED) from None
        except OSError as e:
            _close(ours)
            raise GitError(f'could not run git: {e}') from None
        finally:
            _close(theirs)
        self._stdout: int | None = ours[0]
        self._stderr: int | None = ours[1]
        self._stdin: int | None = ours[2] if with_input else None

    def communicate(self, input: bytes = b'') -> tuple[int, bytes, bytes]:
        """(exit code, stdout, stderr) once git has exited; ``input`` is written
        to its stdin meanwhile, so that neither side waits on the other."""
        import select

        assert self._stdout is not None and self._stderr is not None, 'communicate once'
        stdout, stderr, stdin = self._stdout, self._stderr, self._stdin
        self._stdin = self._stdout = self._stderr = None
        received: dict[int, list[bytes]] = {stdout: [], stderr: []}
        reading = set(received)
        poller = select.poll()
        for fd in reading:
            poller.register(fd, select.POLLIN)
        pending = memoryview(input)
        if stdin is not None and pending:
            os.set_blocking(stdin, False)
            poller.register(stdin, select.POLLOUT)
        elif stdin is not None:
            os.close(stdin)
            stdin = None
        try:
            while reading or stdin is not None:
                for fd, _ in poller.poll():
                    if fd == stdin:
                        pending = _write_some(stdin, pending)
                        if not pending:
                            poller.unregister(stdin)
                            os.close(stdin)
                            stdin = None
                    elif data := os.read(fd, _READ_SIZE):
                        received[fd].append(data)
                    else:
                        poller.unregister(fd)
                        reading.discard(fd)
                        os.close(fd)
        finally:
            _close([*reading, stdin])
        return self._wait(), b''.join(received[stdout]), b''.join(received[stderr])

    def _wait(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def kill(self) -> None:
        """Stop it and reap it (its answer is not needed)."""
        _close((self._stdin, self._stdout, self._stderr))
        self._stdin = self._stdout = self._stderr = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, _SIGNALS.SIGKILL)
        self._wait()


def _failure(what: str, returncode: int, err: bytes) -> GitError:
    """The error for a git that exited ``returncode``, in git's own words."""
    return GitError(f'{what} failed: {decode(err).strip() or f"exit {returncode}"}')


def _output_of(args: tuple[str, ...], returncode: int, out: bytes, err: bytes) -> bytes:
    """stdout, or GitError with git's own message."""
    if returncode:
        raise _failure(f'git {_command_name(args)}', returncode, err)
    return out


def _command_name(args: tuple[str, ...]) -> str:
    """The subcommand and its first option, never an operand: a failure
    names the revision git names, not the first one given. Git's own
    options before the subcommand (``--literal-pathspecs``) are left out."""
    at = 0
    while at < len(args) - 1 and args[at].startswith('-'):
        at += 2 if args[at] in ('-c', '-C') else 1
    subcommand = args[at:at + 2] or args[:1]  # git's options alone: the first of them
    return ' '.join(subcommand) if len(subcommand) > 1 and subcommand[1].startswith('-') else subcommand[0]


def _reap(process: Any) -> tuple[int, bytes]:
    """(exit status, stderr) of a streaming git whose output is no longer read."""
    process.stdout.close()
    # closed already when the garbage collector finalised it before this generator
    err = b'' if process.stderr.closed else process.stderr.read()
    return process.wait(), err


def _streaming(args: list[str]) -> Any:
    """A git started with no input, whose stdout is read as it comes; read
    to its end or not, ``_reap`` it."""
    import subprocess

    try:
        process = subprocess.Popen(_cmd(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=_env())
    except FileNotFoundError:
        raise GitError(NOT_INSTALLED) from None
    assert process.stdout is not None and process.stderr is not None
    return process


def _communicate(argv: tuple[str, ...], env: dict[str, str], input: bytes | None) -> tuple[int, bytes, bytes]:
    return _Child(argv, env, with_input=input is not None).communicate(input or b'')


def run(*args: str, input: bytes | None = None, cwd: str | None = None) -> bytes:
    """Run git (in ``cwd``, if given); its stdout, or GitError with git's own message."""
    where = ('-C', cwd) if cwd is not None else ()
    return _output_of(args, *_communicate(_cmd((*where, *args)), _env(), input))


class Started:
    """A git process started ahead of the moment its answer is needed, so
    that the few a hook asks run side by side instead of one after another."""

    def __init__(self, *args: str, input: bytes | None = None) -> None:
        self.args = args
        self._input = input  # written when the answer is read: git starts up meanwhile
        self._child: _Child | None = _Child(_cmd(args), _env(), with_input=input is not None)

    def _finish(self) -> tuple[int, bytes, bytes]:
        assert self._child is not None, 'read once'
        child, self._child = self._child, None
        return child.communicate(self._input or b'')

    def output(self) -> bytes:
        """Its stdout, or GitError with git's own message (as ``run``)."""
        return _output_of(self.args, *self._finish())

    def answer(self) -> tuple[int, bytes]:
        """(exit code, stdout), for a question git may answer by failing."""
        returncode, out, _ = self._finish()
        return returncode, out

    def answer_and_error(self) -> tuple[int, bytes, bytes]:
        """(exit code, stdout, stderr), for a question git may answer by failing."""
        return self._finish()

    def abandon(self) -> None:
        """Not needed after all (an earlier question failed)."""
        if self._child is not None:
            child, self._child = self._child, None
            child.kill()


def start(*args: str, input: bytes | None = None) -> Started:
    return Started(*args, input=input)


def run_ok(*args: str, input: bytes | None = None) -> bytes | None:
    """Run git; stdout, or None when it exits non-zero (a question, not a failure)."""
    returncode, out, _ = _communicate(_cmd(args), _env(), input)
    return None if returncode else out


def approxidate(text: str) -> int | None:
    """Seconds since the epoch of a date as ``git log --since`` reads it
    (``2.weeks.ago``, ``yesterday``, ISO 8601, ...), or None where git's
    careful parser finds no date (``--since`` would quietly read it as now).
    As an expiry date, ``now`` and ``all`` read as the end of time and
    ``never`` and ``false`` as 0: the caller settles those words."""
    out = run_ok('-c', f'trailgate.date={text}', 'config', '--type=expiry-date', 'trailgate.date')
    return int(out) if out is not None and out.strip().isdigit() else None


# -- the repository ---------------------------------------------------------


class Repo(NamedTuple):
    git_dir: str
    toplevel: str | None  # None for a bare repository
    bare: bool
    shallow: bool


REPO_QUESTION = ('rev-parse', '--is-bare-repository', '--absolute-git-dir', '--is-shallow-repository',
                 '--show-toplevel')


def ranges_question(ranges: Iterable[str]) -> tuple[str, ...]:
    """The rev-parse that turns revision ranges (none starts with ``-``)
    into revisions; the trailing -- makes every argument a revision: a typo
    fails, never turns into a path."""
    return ('rev-parse', *ranges, '--')


def repo(started: Started | None = None) -> Repo:
    """Where the repository is; ``started``: its rev-parse, started ahead."""
    if started is None:
        started = Started(*REPO_QUESTION)
    returncode, stdout, stderr = started.answer_and_error()
    lines = decode(stdout).split('\n')
    # in a bare repository --show-toplevel fails after the other answers: that is expected
    complete = returncode == 0 or (lines[0] == 'true' and len(lines) >= 3)
    if not complete or len(lines) < 3 or lines[0] not in ('true', 'false'):
        raise GitError(_no_repository(stderr))
    bare = lines[0] == 'true'
    toplevel = None if bare or returncode or len(lines) < 4 else lines[3]
    return Repo(git_dir=lines[1], toplevel=toplevel, bare=bare, shallow=lines[2] == 'true')


NOT_A_REPOSITORY = 'not a git repository (or any parent up to the root); run trailgate inside a repository'


def _no_repository(err: bytes) -> str:
    """Why git found no repository to use: ours when there is none, git's own
    words when there is one git will not use (``safe.directory``, say)."""
    said = decode(err).strip()
    if not said or 'not a git repository' in said:
        return NOT_A_REPOSITORY
    return f'git cannot use this repository: {said}'


COMMENT_CHAR_QUESTION = ('config', '--get', 'core.commentChar')


def comment_char(started: Started | None = None) -> str:
    """core.commentChar as trailer parsing uses it ('auto' means '#');
    ``started``: its ``COMMENT_CHAR_QUESTION``, started ahead."""
    if started is None:
        value = run_ok(*COMMENT_CHAR_QUESTION)
    else:
        returncode, out = started.answer()
        value = None if returncode else out
    char = decode(value).rstrip('\n') if value else ''
    return char[:1] if char and char != 'auto' else '#'


def ignores_case() -> bool:
    """core.ignoreCase: git found the repository's filesystem case-insensitive,
    so ``refs/heads/Main`` and ``refs/heads/main`` may be one file."""
    value = run_ok('config', '--bool', '--get', 'core.ignoreCase')
    return decode(value).strip() == 'true' if value else False


def is_null_oid(sha: str) -> bool:
    """All zeros: git's "no object" (40 of them for SHA-1, 64 for SHA-256)."""
    return bool(sha) and set(sha) == {'0'}


class GitAreas(NamedTuple):
    """Where git reads configuration from and runs hooks, as absolute paths."""

    git_dir: str
    common_dir: str  # a worktree's repository
    hooks: str  # core.hooksPath may put it anywhere; git runs the files directly in it
    toplevel: str | None  # the work tree, whose files a commit chooses; None when bare


def git_areas() -> GitAreas:
    out = run('rev-parse', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks')
    git_dir, common_dir, hooks = (os.path.abspath(line) for line in decode(out).split('\n')[:3])
    return GitAreas(git_dir, common_dir, hooks, repo().toplevel)


def resolve_commit(rev: str) -> str:
    out = run_ok('rev-parse', '--verify', '--quiet', '--end-of-options', f'{rev}^{{commit}}')
    if not out:
        raise GitError(f'unknown revision {rev!r}: not a commit in this repository')
    return decode(out).strip()


def missing_commits(names: Iterable[str]) -> list[str]:
    """Those of ``names`` that do not name a commit here (one process)."""
    return ask_missing_commits(names).missing()


def ask_missing_commits(names: Iterable[str]) -> MissingCommits:
    """``missing_commits``, with git started now and answering when asked."""
    return MissingCommits(list(names))


class MissingCommits:
    """One ``git cat-file --batch-check`` started ahead: ``missing`` reads its
    answer; ``abandon`` stops it if that was never read."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self._question = start(
            'cat-file', '--batch-check=%(objecttype)',
            input=''.join(f'{name}^{{commit}}\n' for name in names).encode(),
        ) if names else None

    def missing(self) -> list[str]:
        if self._question is None:
            return []
        out = self._question.output()
        answers = decode(out).split('\n')[:len(self.names)]
        return [name for name, answer in zip(self.names, answers, strict=True) if answer != 'commit']

    def abandon(self) -> None:
        if self._question is not None:
            self._question.abandon()


def commit_exists(sha: str) -> bool:
    return run_ok('cat-file', '-e', f'{sha}^{{commit}}') is not None


def merge_base(a: str, b: str) -> str | None:
    out = run_ok('merge-base', a, b)
    return decode(out).strip() if out else None


def shallow_commits(git_dir: str) -> frozenset[str]:
    try:
        with open(os.path.join(git_dir, 'shallow'), encoding='ascii') as f:
            return frozenset(f.read().split())
    except FileNotFoundError:
        return frozenset()


def symbolic_ref(name: str, started: Started | None = None) -> str | None:
    """The ref ``name`` points at, if it is symbolic; ``started``: that
    question, started ahead."""
    if started is None:
        out = run_ok('symbolic-ref', '--quiet', name)
    else:
        returncode, out = started.answer()
        out = None if returncode else out
    return decode(out).strip() if out else None


def symbolic_target(name: str) -> str | None:
    """The ref ``name`` resolves to in the end, if it is symbolic (its target
    may be missing); GitError when git cannot resolve it (a loop, a chain
    deeper than git follows)."""
    returncode, out, err = _communicate(_cmd(('symbolic-ref', '--quiet', name)), _env(), None)
    if returncode == 1:
        return None
    if returncode:
        raise _failure(f'git symbolic-ref {name}', returncode, err)
    return decode(out).strip()


def current_branch(git_dir: str, head: Started | None = None) -> str | None:
    """The branch HEAD is on (an unborn one too), or during a rebase the branch
    being rebased; None on a detached HEAD. ``head``: ``git symbolic-ref
    --quiet HEAD``, started ahead."""
    ref = symbolic_ref('HEAD', head)
    if ref:
        return ref
    for state in ('rebase-merge', 'rebase-apply'):
        try:
            with open(os.path.join(git_dir, state, 'head-name'), encoding='utf-8') as f:
                name = f.read().strip()
        except (OSError, UnicodeDecodeError):
            continue
        if name.startswith('refs/heads/'):
            return name
    return None


def upstream_of(branch: str) -> str | None:
    """The remote-tracking ref ``branch`` (a full ref) is configured to follow, if any."""
    short = branch.removeprefix('refs/heads/')
    out = run_ok('rev-parse', '--symbolic-full-name', '--verify', '--quiet', f'{short}@{{upstream}}')
    return decode(out).strip() or None if out else None


def ref_exists(ref: str) -> str | None:
    out = run_ok('rev-parse', '--verify', '--quiet', f'{ref}^{{commit}}')
    return decode(out).strip() if out else None


def object_name(rev: str) -> str | None:
    """The object ``rev`` names, unpeeled (a tree, a blob, a tag), as ``git push`` sends it."""
    out = run_ok('rev-parse', '--verify', '--quiet', '--end-of-options', rev)
    return decode(out).strip() if out else None


def exact_ref(ref: str) -> str | None:
    """The commit that the ref named exactly ``ref`` (a full name) points at,
    if there is one. ``ref_exists`` asks ``rev-parse``, which reads a missing
    ``refs/x`` as ``refs/tags/refs/x`` or ``refs/heads/refs/x``."""
    out = run('for-each-ref', '--format=%(objecttype) %(objectname) %(refname)', ref)
    for line in decode(out).split('\n'):
        kind, _, rest = line.partition(' ')
        sha, _, name = rest.partition(' ')
        if name == ref and kind == 'commit':
            return sha
    return None


# a full object id (SHA-1 or SHA-256), as git prints it
OBJECT_ID = re.compile(r'[0-9a-f]{40}|[0-9a-f]{64}')


# git's rules for reading a ref name (``git help revisions``): where ``refs/X``
# itself is missing, each of these prefixes before it names a ref read as ``refs/X``
DWIM_PREFIXES = ('refs/', 'refs/tags/', 'refs/heads/', 'refs/remotes/')


def ref_values(*patterns: str) -> dict[str, str]:
    """Full ref name -> the object it names, for every ref under ``patterns`` (default: all)."""
    out = run('for-each-ref', '--format=%(objectname) %(refname)', *patterns)
    values = {}
    for line in decode(out).split('\n'):
        sha, _, ref = line.partition(' ')
        if ref:
            values[ref] = sha
    return values


class RefEntry(NamedTuple):
    sha: str
    target: str  # for a symbolic ref, the ref it resolves to in the end; else ''


def ref_listing(*patterns: str) -> dict[str, RefEntry]:
    """Full ref name -> what it names, for every ref under ``patterns``
    (default: all), in one ``for-each-ref`` that reads no object (asking
    each object's type costs a second per 100,000 refs). git leaves out a
    symbolic ref whose target is missing (or a loop): see ``maybe_symbolic``."""
    out = run('for-each-ref', '--format=%(objectname)%00%(refname)%00%(symref)', *patterns)
    listing = {}
    for line in decode(out).split('\n'):
        fields = line.split('\0')
        if len(fields) == 3:
            sha, ref, target = fields
            listing[ref] = RefEntry(sha, target)
    return listing


def maybe_symbolic(git_dir: str, ref: str) -> bool:
    """Whether ``ref``, which ``for-each-ref`` does not list, may still be a
    symbolic ref (one whose target is missing): with git's files backend such
    a ref is a file of its own; where refs are stored otherwise (reftable, a
    linked worktree's common directory) only git can say."""
    if os.path.isdir(os.path.join(git_dir, 'reftable')) or os.path.exists(os.path.join(git_dir, 'commondir')):
        return True
    return os.path.lexists(os.path.join(git_dir, *ref.split('/')))


def annotated_tags() -> dict[str, str]:
    """Full ref name -> tag object, for every tag that is an annotated tag object."""
    out = run('for-each-ref', '--format=%(objecttype) %(objectname) %(refname)', 'refs/tags/')
    tags = {}
    for line in decode(out).split('\n'):
        kind, _, rest = line.partition(' ')
        sha, _, ref = rest.partition(' ')
        if kind == 'tag' and ref:
            tags[ref] = sha
    return tags


def ls_remote(remote: str) -> tuple[dict[str, str], str | None]:
    """(full ref -> object, the ref HEAD points at) as ``remote`` has them now."""
    out = run('ls-remote', '--symref', '--', remote)
    values: dict[str, str] = {}
    head = None
    for line in decode(out).split('\n'):
        value, _, ref = line.partition('\t')
        if value.startswith('ref: ') and ref == 'HEAD':
            head = value[len('ref: '):]
        elif ref and not ref.endswith('^{}'):
            values[ref] = value
    return values, head


def full_ref_name(rev: str) -> str | None:
    """``main`` -> ``refs/heads/main``; None for something that is not a ref (a sha, HEAD~1)."""
    out = run_ok('rev-parse', '--symbolic-full-name', '--verify', '--quiet', '--end-of-options', rev)
    name = decode(out).strip() if out else ''
    return name if name.startswith('refs/') else None


def short_name_refs(name: str) -> tuple[str, ...]:
    """The refs git's rules for a short name try for ``name``, in git's order."""
    return (f'refs/{name}', f'refs/tags/{name}', f'refs/heads/{name}', f'refs/remotes/{name}',
            f'refs/remotes/{name}/HEAD')


def ambiguous_names(names: Iterable[str]) -> dict[str, list[str]]:
    """Those of ``names`` (short ref names) that name more than one existing
    ref, such as a tag named like a remote-tracking branch, with those refs
    in git's order (git takes the first); one process.

    A full name (``refs/...``) that is itself missing but that git would
    read as another ref (a tag ``refs/tags/refs/remotes/origin/main``) is
    returned too, with the refs git would read it as.
    """
    tried = {name: (name,) * name.startswith('refs/') + short_name_refs(name) for name in dict.fromkeys(names)}
    if not tried:
        return {}
    out = run('for-each-ref', '--format=%(refname)', *(ref for refs in tried.values() for ref in refs))
    existing = set(decode(out).split('\n'))
    found = {name: [ref for ref in refs if ref in existing] for name, refs in tried.items()}
    return {name: refs for name, refs in found.items()
            if (bool(refs) and refs[0] != name if name.startswith('refs/') else len(refs) > 1)}


def remote_urls() -> dict[str, str]:
    """remote name -> URL, from configuration."""
    out = run_ok('config', '-z', '--get-regexp', r'^remote\..*\.url$')
    urls = {}
    for entry in decode(out or b'').split('\0'):
        if '\n' in entry:
            key, url = entry.split('\n', 1)
            urls[key[len('remote.'):-len('.url')]] = url
    return urls


# -- the staged change (commit-msg) ----------------------------------------


REGULAR_MODES = ('100644', '100755')


def staged_diff(against: str | None = None) -> tuple[str, ...]:
    """The arguments of ``staged_changes``' git diff."""
    # .gitmodules' `ignore = all` is the committer's to set: never let it hide a change
    return ('diff', '--cached', '--no-renames', '--raw', '--no-abbrev', '-z', '--no-ext-diff',
            '--no-relative', '--ignore-submodules=none', *([against] if against else []), '--')


class StagedChanges(NamedTuple):
    paths: frozenset[str]  # as changed_paths gives them (a gitlink as ``path/``)
    modes: dict[str, str]  # each changed entry's mode in the index (``000000``: removed)


def staged_changes(against: str | None = None, started: Started | None = None) -> StagedChanges:
    """What the index changes relative to ``against`` (default HEAD, or the
    empty tree on an unborn branch); ``started``: that diff, started ahead."""
    out = started.output() if started is not None else run(*staged_diff(against))
    tokens = out.split(b'\0')[:-1] if out else []
    paths = changed_paths(tokens)
    modes = {decode(path): _modes(status)[-1] for status, path in zip(tokens[0::2], tokens[1::2], strict=True)}
    return StagedChanges(paths, modes)


GITLINK = '160000'
_NO_ENTRY = '000000'


def changed_paths(tokens: list[bytes]) -> frozenset[str]:
    """The paths of ``--raw -z`` output: one status token, then its path.

    A changed gitlink (submodule) ``p`` becomes ``p/``, the directory it
    stands for, so that ``p/`` and ``p/**`` match it; a path that is a
    gitlink on one side and a file on the other is both.
    """
    # one decode for all: no token holds a NUL, and UTF-8 never carries a sequence across one
    return _changed_paths(decode(b'\0'.join(tokens)).split('\0') if tokens else [])


def _changed_paths(tokens: list[str]) -> frozenset[str]:
    """``changed_paths`` of the decoded tokens."""
    if len(tokens) % 2:
        raise GitError('git diff --raw output ended in the middle of an entry')
    paths = set()
    for status, name in zip(tokens[0::2], tokens[1::2], strict=True):
        # the common status, one parent (``:<mode> <mode> <sha> <sha> <letter>``),
        # is judged by its two modes, once per pair; any other goes through _modes
        kinds = _ONE_PARENT[status[1:14]] if (
            len(status) > 14 and status[0] == ':' and status[14] == ' ' and status.count(' ') == 4
        ) else None
        if kinds is None:
            kinds = _kinds(_modes(status))
        if not name:
            raise GitError('git diff --raw output has an entry without a path')
        file, gitlink = kinds
        if gitlink:
            paths.add(name + '/')
        if file:
            paths.add(name)
    return frozenset(paths)


def _kinds(modes: list[str]) -> tuple[bool, bool]:
    """(a file or symlink on some side, a gitlink on some side)."""
    return any(mode not in _SUBMODULE_OR_NONE for mode in modes), GITLINK in modes


class _OneParent(dict[str, 'tuple[bool, bool] | None']):
    """``<mode> <mode>`` of a one-parent status -> its ``_kinds`` (None: not two modes)."""

    def __missing__(self, pair: str) -> tuple[bool, bool] | None:
        old, space, new = pair[:6], pair[6:7], pair[7:]
        if space != ' ' or len(new) != 6 or not (old.isdigit() and new.isdigit()):
            return None  # not remembered: anything can follow a colon
        kinds = _kinds([old, new])
        if len(self) < _PAIRS_REMEMBERED:
            self[pair] = kinds
        return kinds


_PAIRS_REMEMBERED = 256


_ONE_PARENT = _OneParent()


_SUBMODULE_OR_NONE = (GITLINK, _NO_ENTRY)


def _modes(status: str | bytes) -> list[str]:
    """The modes of one ``--raw`` status (``:100644 100644 <sha> <sha> M``,
    ``::`` and one more of each per further parent of a merge)."""
    text = decode(status) if isinstance(status, bytes) else status
    parents = len(text) - len(text.lstrip(':'))
    fields = text[parents:].split(' ')
    modes = fields[:parents + 1]
    if parents < 1 or len(fields) != 2 * (parents + 1) + 1 or not all(
        len(mode) == 6 and mode.isdigit() for mode in modes
    ):
        raise GitError(f'unexpected git diff --raw status {text[:200]!r}')
    return modes


def skips_worktree(path: str) -> bool:
    """Is ``path`` in the index but left out of the work tree (a sparse checkout)?"""
    out = run('--literal-pathspecs', 'ls-files', '-t', '-z', '--', path)
    return out == b'S ' + path.encode(ENCODING, ERRORS) + b'\0'


def index_regular_files(paths: Iterable[str]) -> frozenset[str]:
    """Those of ``paths`` that are regular files in the index."""
    paths = [p for p in paths if '\n' not in p]
    if not paths:
        return frozenset()
    out = run('--literal-pathspecs', 'ls-files', '-s', '-z', '--', *paths)
    found = set()
    for entry in decode(out).split('\0'):
        if '\t' in entry:
            info, path = entry.split('\t', 1)
            if info.split(' ', 1)[0] in REGULAR_MODES:
                found.add(path)
    return frozenset(found) & frozenset(paths)


_EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
_LATEST = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)


PIPE_SIZE = 1 << 20


def widen_pipe(fd: int) -> None:
    """Let the pipe ``fd`` hold up to ``PIPE_SIZE`` bytes where the system allows
    it (Linux), so that a writer asked ahead is not stopped by a reader busy
    elsewhere (64 KiB is a few hundred patches or records)."""
    import fcntl

    setting = getattr(fcntl, 'F_SETPIPE_SZ', None)
    if setting is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setting, PIPE_SIZE)


def _write_in_background(stdin: IO[bytes], request: bytes) -> threading.Thread:
    """Write a batch of requests from a thread, so that a git process that
    answers as it reads never fills its output pipe while we still write."""
    import threading

    def feed() -> None:
        stdin.write(request)
        stdin.flush()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    return writer


def utc_from_timestamp(text: str) -> datetime.datetime:
    """A date git printed as seconds since the epoch, in UTC.

    The committer types it: a crafted commit may carry any number, which
    ``datetime`` cannot hold past year 9999 (or none, which git prints as
    nothing). Such a date is held at the nearest end of the range, so that
    one commit cannot make a range impossible to judge or report.
    """
    try:
        seconds = int(text or 0)
    except ValueError:
        return datetime.datetime.fromtimestamp(0, datetime.timezone.utc)
    try:
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return _LATEST if seconds > 0 else _EARLIEST


_EPOCH_DAY = datetime.date(1970, 1, 1).toordinal()
_ORDINARY_SECONDS = 1 << 36  # dates up to year 4147: within what datetime holds


def utc_day(text: str) -> datetime.date:
    """``utc_from_timestamp(text).date()``, worked out from the day number
    for ordinary dates (UTC has 86,400 seconds a day)."""
    try:
        seconds = int(text or 0)
    except ValueError:
        seconds = 0
    if 0 <= seconds < _ORDINARY_SECONDS:
        return datetime.date.fromordinal(_EPOCH_DAY + seconds // 86400)
    return utc_from_timestamp(text).date()


def _parse_ident(value: str) -> tuple[Identity, datetime.datetime]:
    head, _, when = value.rpartition('> ')
    name, _, email = head.partition(' <')
    return Identity(name, email), utc_from_timestamp(when.split()[0] if when.split() else '')


class Vars(NamedTuple):
    """What ``git var -l`` knows: both identities git will use, and config."""

    author: Identity
    committer: Identity
    committed: datetime.datetime
    config: dict[str, str]

    @property
    def comment_char(self) -> str:
        char = self.config.get('core.commentchar', '')
        return char[:1] if char and char != 'auto' else '#'


def var_list(started: Started | None = None) -> Vars:
    """One process for the identities (env, config, dates as git parses them)
    and config; ``started``: ``git var -l``, started ahead."""
    out = started.output() if started is not None else run('var', '-l')
    values: dict[str, str] = {}
    for line in decode(out).split('\n'):
        key, sep, value = line.partition('=')
        if sep:
            values[key] = value
    author, _ = _parse_ident(values.get('GIT_AUTHOR_IDENT', ''))
    committer, committed = _parse_ident(values.get('GIT_COMMITTER_IDENT', ''))
    config = {key: value for key, value in values.items() if '.' in key}
    return Vars(author, committer, committed, config)


def parents_of_head() -> list[str]:
    """HEAD's parents, first parent first (none for a root commit or an unborn HEAD)."""
    out = run_ok('rev-parse', 'HEAD^@')
    return decode(out).split() if out else []


def empty_tree() -> str:
    return decode(run('hash-object', '-t', 'tree', '--stdin', input=b'')).strip()


class StagedQuestions:
    """What a commit hook asks git about the commit being made, started at
    once so that git answers while Python loads the rest of the hook: where
    the repository is, the identities and config (``git var -l``), the staged
    diff against HEAD (not when amending: that one is against HEAD's first
    parent), and with ``branch`` the branch HEAD is on. Each answer is read
    when first needed, so a failure is reported where it always was."""

    def __init__(self, amending: bool, branch: bool = False) -> None:
        self._started: list[Started] = []
        self._repo: Repo | None = None
        self._variables: Vars | None = None
        try:
            self._repo_question = self._start(*REPO_QUESTION)
            self._variables_question = self._start('var', '-l')
            self.diff = None if amending else self._start(*staged_diff())
            self._head = self._start('symbolic-ref', '--quiet', 'HEAD') if branch else None
        except BaseException:
            self.abandon()
            raise

    def _start(self, *args: str) -> Started:
        started = start(*args)
        self._started.append(started)
        return started

    def repo(self) -> Repo:
        if self._repo is None:
            self._repo = repo(self._repo_question)
        return self._repo

    def variables(self) -> Vars:
        if self._variables is None:
            self._variables = var_list(self._variables_question)
        return self._variables

    def current_branch(self) -> str | None:
        head, self._head = self._head, None
        return current_branch(self.repo().git_dir, head)

    def abandon(self) -> None:
        """Stop whatever is still unread (an earlier answer failed, or was enough)."""
        for started in self._started:
            started.abandon()


# -- objects ---------------------------------------------------------------


class CatFile:
    """One ``git cat-file --batch`` process for any number of lookups,
    started at the first one: a command that ends up asking nothing (a
    policy given as a file, a range without documentation trailers) starts
    no process and waits for none to end.

    Ways to ask, never mixed on one instance: ``get`` (and the helpers on
    it) waits for each answer; ``ask_regular_file`` asks ahead, a thread
    feeding git while the caller reads earlier answers with
    ``regular_file_answer``, so a range's lookups never wait for a round trip;
    ``ask_objects`` and ``object_answer`` do the same for whole objects.
    """

    def __init__(self) -> None:
        self._process: Any = None  # started by the first ``_pipes``
        self._asked: collections.deque[tuple[bytes, int] | None] = collections.deque()
        self._unsent: list[bytes] = []  # questions asked ahead, not yet handed to the feeder
        self._unsent_answers = 0  # answers handed to the feeder, not yet read
        self._trees: dict[bytes, dict[bytes, bytes]] = {}
        self._feed_failure: BaseException | None = None
        self._requests: queue.SimpleQueue[bytes | None] | None = None
        self._feeder: threading.Thread | None = None

    def _start(self) -> Any:
        import subprocess

        try:
            process = subprocess.Popen(
                _cmd(('cat-file', '--batch')), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env(),
            )
        except FileNotFoundError:
            raise GitError(NOT_INSTALLED) from None
        assert process.stdout is not None
        widen_pipe(process.stdout.fileno())
        return process

    def get(self, name: str) -> tuple[str, bytes] | None:
        """(type, content) of the object ``name``, or None if missing."""
        if '\n' in name:
            return None
        assert self._requests is None, 'this CatFile answers questions asked ahead'
        stdin, _ = self._pipes()
        stdin.write(name.encode(ENCODING, ERRORS) + b'\n')
        stdin.flush()
        found = self._answer(name)
        return None if found is None else found[1:]

    def _answer(self, name: str) -> tuple[bytes, str, bytes] | None:
        """(object id, type, content) of the next answer; None if missing."""
        _, stdout = self._pipes()
        header = stdout.readline()
        if not header:
            if self._feed_failure is not None:
                raise self._feed_failure
            raise GitError('git cat-file stopped unexpectedly')
        fields = header.split()
        if len(fields) != 3:
            return None  # "<name> missing" or "ambiguous"
        size = int(fields[2])
        content = stdout.read(size + 1)
        if len(content) != size + 1:
            raise GitError(f'git cat-file stopped in the middle of {name}')
        return fields[0], decode(fields[1]), content[:size]

    def get_many(self, names: list[str]) -> list[tuple[str, bytes] | None]:
        """``get`` for many objects, pipelined: the requests are written by a
        thread while the answers are read, so neither side waits on the other."""
        if not names:
            return []
        if any('\n' in name for name in names):
            raise GitError('an object name with a newline')
        stdin, stdout = self._pipes()
        writer = _write_in_background(stdin, b''.join(name.encode(ENCODING, ERRORS) + b'\n' for name in names))
        found: list[tuple[str, bytes] | None] = []
        try:
            for name in names:
                header = stdout.readline()
                if not header:
                    raise GitError('git cat-file stopped unexpectedly')
                fields = header.split()
                if len(fields) != 3:
                    found.append(None)
                    continue
                size = int(fields[2])
                content = stdout.read(size + 1)
                if len(content) != size + 1:
                    raise GitError(f'git cat-file stopped in the middle of {name}')
                found.append((decode(fields[1]), content[:size]))
        finally:
            writer.join()
        return found

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        """git's stdin and stdout; the first call starts git (only ever on
        the caller's thread: the feeder starts after it)."""
        if self._process is None:
            self._process = self._start()
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def close(self) -> None:
        self._stop_feeding()
        if self._process is None:
            return
        stdin, _ = self._pipes()
        stdin.close()
        if self._process.wait():
            raise GitError(f'git cat-file failed (exit {self._process.returncode})')

    def _abandon(self) -> None:
        """After an error: unread answers may keep git from ever finishing."""
        if self._process is None:
            self._stop_feeding()
            return
        self._process.kill()
        self._stop_feeding()
        for pipe in self._pipes():
            with contextlib.suppress(OSError):
                pipe.close()
        self._process.wait()

    def __enter__(self) -> CatFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
        else:
            self._abandon()

    def blob(self, rev: str, path: str) -> bytes | None:
        found = self.get(f'{rev}:{path}')
        return found[1] if found and found[0] == 'blob' else None

    def ask_regular_file(self, commit: str, path: str) -> None:
        """Ask ahead whether ``path`` is a regular file (not a symlink or
        submodule) in ``commit``; the answers come from
        ``regular_file_answer``, in the order asked."""
        tree, name = _directory_of(commit, path)
        if '\n' in tree:
            self._asked.append(None)
            return
        self._asked.append((name, len(commit) // 2))
        self._unsent.append(tree.encode(ENCODING, ERRORS) + b'\n')

    def send_asked(self) -> None:
        """Hand the questions asked so far to git now, not when the first of
        their answers is read: git answers while the caller works on."""
        if self._unsent:
            self._send()

    def regular_file_answer(self) -> bool:
        """The answer to the earliest question asked ahead not yet answered."""
        question = self._asked.popleft()
        if question is None:
            return False
        if self._unsent_answers == 0:
            self._send()
        self._unsent_answers -= 1
        name, hash_size = question
        found = self._answer('a tree')
        if found is None or found[1] != 'tree':
            return False
        return self._tree_modes(found[0], found[2], hash_size).get(name) in _REGULAR_MODE_BYTES

    def ask_objects(self, names: Sequence[str]) -> None:
        """Ask ahead for the objects ``names``; ``object_answer`` gives them,
        in the order asked, while git is still answering later questions."""
        if not names:
            return
        if any('\n' in name for name in names):
            raise GitError('an object name with a newline')
        self._unsent.extend(name.encode(ENCODING, ERRORS) + b'\n' for name in names)
        self._send()

    def object_answer(self, name: str) -> tuple[str, bytes] | None:
        """(type, content) of the object of the earliest ``ask_objects`` question
        not yet answered, which asked for ``name``; None if it is missing."""
        self._unsent_answers -= 1
        found = self._answer(name)
        return None if found is None else found[1:]

    def _tree_modes(self, oid: bytes, tree: bytes, hash_size: int) -> dict[bytes, bytes]:
        """Each entry's mode, by name, read once per tree: the commits of a
        range ask about the same few directories."""
        modes = self._trees.get(oid)
        if modes is None:
            modes = _tree_entries(tree, hash_size)
            if len(self._trees) >= TREES_REMEMBERED:
                self._trees.pop(next(iter(self._trees)))
            self._trees[oid] = modes
        return modes

    def _send(self) -> None:
        """Hand every question asked so far to the feeder, at once: each
        hand-over wakes a thread, so they are few."""
        if self._requests is None:
            import queue
            import threading
            self._pipes()  # git started here, before the feeder that writes to it
            self._requests = queue.SimpleQueue()
            self._feeder = threading.Thread(target=_feed_or_stop, args=(self, self._requests), daemon=True)
            self._feeder.start()
        self._requests.put(b''.join(self._unsent))
        self._unsent_answers += len(self._unsent)
        self._unsent.clear()

    def _feed(self, requests: queue.SimpleQueue[bytes | None]) -> None:
        stdin, _ = self._pipes()
        try:
            while True:
                request = requests.get()
                if request is None:
                    break
                stdin.write(request)
                stdin.flush()
        except (OSError, ValueError):
            pass  # git is gone: the reader finds out and says so

    def _stop_feeding(self) -> None:
        if self._requests is not None and self._feeder is not None:
            self._requests.put(None)
            self._feeder.join()


def _feed_or_stop(cat: CatFile, requests: queue.SimpleQueue[bytes | None]) -> None:
    """The feeder thread: if feeding fails in any way, git is stopped, so
    the reader gets an error instead of waiting for answers forever."""
    try:
        cat._feed(requests)
    except BaseException as e:
        cat._feed_failure = e  # raised again where the answers are read
        cat._process.kill()


def _directory_of(commit: str, path: str) -> tuple[str, bytes]:
    """(the object name of the tree holding ``path`` in ``commit``, the entry's name)."""
    directory, _, name = path.rpartition('/')
    tree = f'{commit}:{directory}' if directory else f'{commit}^{{tree}}'
    return tree, name.encode(ENCODING, ERRORS)


TREES_REMEMBERED = 32
_REGULAR_MODE_BYTES = (b'100644', b'100755')


def _tree_entries(tree: bytes, hash_size: int) -> dict[bytes, bytes]:
    """name -> mode (six digits) of every entry of a tree object; GitError if
    the tree is not made of whole ``<mode> <name>\\0<hash>`` entries."""
    entries: dict[bytes, bytes] = {}
    position = 0
    try:
        while position < len(tree):
            space = tree.index(b' ', position)
            nul = tree.index(b'\0', space)
            entries.setdefault(tree[space + 1:nul], tree[position:space].rjust(6, b'0'))
            position = nul + 1 + hash_size
    except ValueError:
        raise GitError('git cat-file gave a tree that is cut short') from None
    if position != len(tree):
        raise GitError('git cat-file gave a tree that is cut short')
    return entries


# -- ranges ----------------------------------------------------------------


class RawCommit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author: Identity
    committer: Identity
    date: datetime.date  # the committer date's day, in UTC
    message: str
    paths: frozenset[str]


def _read_to_nul(stream: IO[bytes], chunk_size: int) -> bytes:
    """The next chunk, extended until it holds a NUL (or the output ends).

    A token longer than a chunk (a pushed message or path of any size) is
    joined once here, not once per chunk: the pusher chooses its size.
    """
    chunk = stream.read(chunk_size)
    if not chunk or b'\0' in chunk:
        return chunk
    pieces = [chunk]
    while chunk and b'\0' not in chunk:
        chunk = stream.read(chunk_size)
        pieces.append(chunk)
    return b''.join(pieces)


def _tokens(stream: IO[bytes], chunk_size: int = 1 << 16) -> Iterator[bytes]:
    pending = b''
    while True:
        chunk = _read_to_nul(stream, chunk_size)
        if not chunk:
            break
        parts = (pending + chunk).split(b'\0')
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


def _records(stream: IO[bytes], chunk_size: int = 1 << 16) -> Iterator[list[bytes]]:
    """git log's NUL-separated tokens, one list per commit: the 8 fields, then paths.

    Every record starts with an empty token (paths are never empty) and the
    marker; the fixed fields follow, then any number of paths. A marker
    token starts a record only after an empty token and once the record
    before it has its 8 fields; anywhere else it is an ordinary token.
    Records are cut out of each chunk's token list (``list.index`` finds
    the markers), not walked token by token.
    """
    marker = _RECORD.encode()
    tokens: list[bytes] = []  # from the current record's marker on
    start = -1  # the current record's marker in tokens; -1: none yet
    scan = 0  # where the next marker may be
    empty_before = True  # was the token before tokens[0] empty?
    partial = b''
    while True:
        chunk = _read_to_nul(stream, chunk_size)
        if chunk:
            parts = (partial + chunk).split(b'\0')
            partial = parts.pop()
            tokens.extend(parts)
        elif partial:
            tokens.append(partial)
            partial = b''
        while True:
            try:
                found = tokens.index(marker, scan)
            except ValueError:
                break
            scan = found + 1
            if not (tokens[found - 1] == b'' if found else empty_before):
                continue
            if start >= 0:
                if found - start - 1 < 8:
                    continue
                yield _fields_and_paths(tokens[start + 1:found])
            start = found
        if start > 0:
            del tokens[:start]
            scan -= start
            start = 0
        elif start < 0 and tokens:  # nothing before the first record counts
            empty_before = tokens[-1] == b''
            tokens.clear()
            scan = 0
        if not chunk:
            break
    if start >= 0:
        yield _fields_and_paths(tokens[start + 1:])


def _fields_and_paths(tokens: list[bytes]) -> list[bytes]:
    return tokens[:8] + [token for token in tokens[8:] if token]


def _raw_commit(record: list[bytes]) -> RawCommit:
    if len(record) < 8:
        raise GitError('git log output ended in the middle of a commit')
    # one decode for all fields and paths: no token holds a NUL, and UTF-8
    # never carries a sequence across one
    tokens = decode(b'\0'.join(record)).split('\0')
    sha, parents, an, ae, cn, ce, ct, message = tokens[:8]
    entries = tokens[8:]
    if entries and entries[0].startswith('\n'):
        entries[0] = entries[0][1:]
    return RawCommit(
        sha=sha,
        parents=tuple(parents.split()),
        author=Identity(an, ae),
        committer=Identity(cn, ce),
        date=utc_day(ct),
        message=message,
        paths=_changed_paths(entries),
    )


def _excluded_to_stdin(revisions: list[str]) -> tuple[list[str], list[str] | None]:
    """(the command line's revisions, ``--stdin`` lines or None).

    The commits after a long ``--not`` (every protected tip of a big
    repository, whose number a pusher adds to) go to git's stdin as
    ``^commit`` lines: a command line holds ARG_MAX bytes (2 MiB on
    Linux), and git before 2.42 takes no ``--not`` on stdin. So do the
    tips before it when they are as many (a push of that many refs).
    """
    if '--not' not in revisions or sum(len(revision) + 1 for revision in revisions) <= ARGV_REVISIONS:
        return revisions, None
    at = revisions.index('--not')
    included, excluded = revisions[:at], revisions[at + 1:]
    if any(revision.startswith(('-', '^')) or '..' in revision for revision in excluded):
        return revisions, None
    if sum(len(revision) + 1 for revision in included) <= ARGV_REVISIONS:
        return included, [f'^{revision}' for revision in excluded]
    if any(revision.startswith(('-', '^')) or '..' in revision for revision in included):
        return revisions, None  # the tips of a push of as many refs: git reports what it cannot take
    return [], [*included, *(f'^{revision}' for revision in excluded)]


def log(revisions: Iterable[str], stdin_revisions: Iterable[str] | None = None) -> Iterator[RawCommit]:
    """Stream every commit of ``revisions`` (rev-list syntax), one process.

    With ``stdin_revisions``, those exact commits are shown (--no-walk).
    """
    yield from Log(revisions, stdin_revisions).commits()


def commits_of_each(ranges: Iterable[str]) -> Iterator[str]:
    """Every commit of each range (rev-list syntax), once, in order: their
    union, which git's one reading of them all is not."""
    listed: set[str] = set()
    for one in ranges:
        for sha in decode(run('rev-list', one, '--')).split():
            if sha not in listed:
                listed.add(sha)
                yield sha


def start_log(revisions: Iterable[str]) -> Log:
    """``log`` of ``revisions``, started now: git reads the history while
    the caller gets ready to judge it."""
    return Log(revisions)


class Log:
    """One ``git log`` process, started when made; ``commits`` reads it,
    once. One whose commits are not read to the end is stopped by
    ``abandon`` (or by the garbage collector closing ``commits``)."""

    def __init__(self, revisions: Iterable[str], stdin_revisions: Iterable[str] | None = None) -> None:
        args = ['log', *_LOG_OPTIONS]
        lines: Iterable[str] | None = stdin_revisions
        if stdin_revisions is not None:
            args += ['--no-walk=unsorted', '--stdin']
            walked = list(revisions)
        else:
            walked, lines = _excluded_to_stdin(list(revisions))
            if lines is not None:
                args.append('--stdin')
        args += [*walked, '--']
        import subprocess

        try:
            process = subprocess.Popen(
                _cmd(args), stdin=subprocess.PIPE if lines is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
            )
        except FileNotFoundError:
            raise GitError(NOT_INSTALLED) from None
        assert process.stdout is not None and process.stderr is not None
        self._process = process
        self._read = False
        if lines is not None:
            assert process.stdin is not None
            try:
                process.stdin.write(''.join(f'{rev}\n' for rev in lines).encode())
                process.stdin.close()
            except BaseException:
                self.abandon()
                raise

    def commits(self) -> Iterator[RawCommit]:
        assert not self._read, 'read once'
        self._read = True
        process = self._process
        assert process.stdout is not None
        unreadable: GitError | None = None
        try:
            for record in _records(process.stdout):
                yield _raw_commit(record)
        except GitError as e:  # output cut short: git's own failure, if it failed, says more
            unreadable = e
        finally:
            returncode, stderr = _reap(process)
        if returncode:
            raise _failure('git log', returncode, stderr)
        if unreadable is not None:
            raise unreadable

    def abandon(self) -> None:
        """Stop git if its commits were not all read (nothing, once they were)."""
        if self._process.returncode is None:
            self._process.kill()
            _reap(self._process)


# -- canonical patches for change ids ----------------------------------------

# Every option that shapes a patch, pinned: the reviewer's machine, CI and the
# server must print the same bytes for the same change, whatever their config.
_PATCH_CONFIG = (
    'diff.noprefix=false', 'diff.mnemonicPrefix=false', 'diff.suppressBlankEmpty=false',
    'diff.algorithm=myers', 'diff.indentHeuristic=true', 'diff.interHunkContext=0',
    'diff.relative=false', 'diff.orderFile=', 'diff.submodule=short', 'diff.ignoreSubmodules=none',
    'diff.renames=false', 'diff.context=3', 'core.quotePath=false',
)
_PATCH_OPTIONS = (
    'diff-tree', '--stdin', '-r', '-p', '--root', '--no-commit-id', '--no-renames', '--full-index',
    '--text', '--no-ext-diff', '--no-textconv', '--no-color', '--ignore-submodules=none',
    '--submodule=short', '--unified=3', '--diff-algorithm=myers', '--indent-heuristic',
    '--inter-hunk-context=0', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/',
)
_PATCH_END = b'trailgate-patch-end 6f1d2c'


def _patch_env() -> dict[str, str]:
    env = _env()
    for name in ('GIT_DIFF_OPTS', 'GIT_EXTERNAL_DIFF', 'GIT_DIFF_PATH_COUNTER', 'GIT_DIFF_PATH_TOTAL'):
        env.pop(name, None)
    return env


_TRUE = frozenset(('true', 'yes', 'on', '1'))


@functools.cache
def promisor_remote() -> str | None:
    """The remote a partial clone fetches the objects it lacks from, if this is one."""
    out = run_ok('config', '--get-regexp', r'^(remote\..*\.promisor|extensions\.partialclone)$')
    for line in decode(out or b'').split('\n'):
        key, _, value = line.partition(' ')
        if key == 'extensions.partialclone' and value:
            return value
        if key.startswith('remote.') and key.endswith('.promisor') and value.lower() in _TRUE:
            return key[len('remote.'):-len('.promisor')]
    return None


def prefetch_patch_blobs(requests: list[str]) -> None:
    """In a partial clone, fetch at once the blobs the canonical patches of
    ``requests`` will read: git would fetch them one patch at a time, a
    round trip to the remote per commit. Nothing in a full clone; a failed
    fetch is left for the patches themselves to report."""
    remote = promisor_remote()
    if remote is None or remote.startswith('-') or not requests:
        return
    out = run('diff-tree', '--stdin', '-r', '--raw', '-z', '--root', '--no-commit-id', '--no-renames',
              '--no-abbrev', '--ignore-submodules=none', input=''.join(f'{r}\n' for r in requests).encode())
    blobs: dict[str, None] = {}
    for token in decode(out).split('\0'):
        if token.startswith(':'):
            old_mode, new_mode, old, new = token[1:].split(' ')[:4]
            for mode, oid in ((old_mode, old), (new_mode, new)):
                if mode != GITLINK and not is_null_oid(oid):
                    blobs[oid] = None
    if blobs:
        run_ok('-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--no-tags', '--no-write-fetch-head',
               '--recurse-submodules=no', '--filter=blob:none', '--stdin', remote,
               input=''.join(f'{oid}\n' for oid in blobs).encode())


def change_patches(requests: Iterable[str]) -> Iterator[bytes]:
    """One canonical patch per request, in order, from one ``git diff-tree --stdin``.

    A request is a commit id (its diff against its parent, or for a root
    commit against the empty tree) or ``<old> <new>`` commit ids.
    """
    requests = list(requests)
    if not requests:
        return
    with Patches() as patches:
        patches.ask(requests)
        for _ in requests:
            yield patches.answer()


class Patches:
    """One ``git diff-tree --stdin`` for any number of canonical patches, asked
    ahead: ``ask`` hands requests to a thread feeding git, ``answer`` gives
    the patches in the order asked, so a range's patches are computed by git
    while the caller does other work, in one process however long the range.

    Requests are interleaved with a line git echoes back, which ends each patch.
    """

    READ_SIZE = 1 << 18

    def __init__(self) -> None:
        self._process: Any = None  # started at the first request
        self._asked: collections.deque[bytes] = collections.deque()  # requests whose patches are unread
        self._buffer = bytearray()  # git's output from the start of the next patch
        self._searched = 0  # how far the buffer is known to hold no end of a patch
        self._stderr: list[bytes] = []
        self._requests: queue.SimpleQueue[bytes | None] | None = None
        self._threads: list[threading.Thread] = []

    def _started(self) -> queue.SimpleQueue[bytes | None]:
        if self._requests is None:
            import queue
            import subprocess
            import threading

            args = ['git', *(item for setting in _PATCH_CONFIG for item in ('-c', setting)), *_PATCH_OPTIONS]
            try:
                self._process = subprocess.Popen(
                    args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_patch_env(),
                )
            except FileNotFoundError:
                raise GitError(NOT_INSTALLED) from None
            widen_pipe(self._process.stdout.fileno())
            self._requests = queue.SimpleQueue()
            self._threads = [threading.Thread(target=self._feed, args=(self._requests,), daemon=True),
                             threading.Thread(target=self._read_errors, daemon=True)]
            for thread in self._threads:
                thread.start()
        return self._requests

    def ask(self, requests: Sequence[str]) -> None:
        if not requests:
            return
        encoded = [request.encode('ascii') for request in requests]
        self._asked.extend(encoded)
        self._started().put(b''.join(request + b'\n' + _PATCH_END + b'\n' for request in encoded))

    def answer(self) -> bytes:
        """The patch of the earliest request not yet answered."""
        request = self._asked.popleft()
        end = self._end_of_patch()
        patch = bytes(self._buffer[:end])
        del self._buffer[:end + len(_PATCH_END) + 1]  # cheap: a bytearray drops its start in place
        self._searched = 0
        # a pair of trees is echoed before its patch, whatever --no-commit-id says
        if patch.startswith(request + b'\n'):
            patch = patch[len(request) + 1:]
        return patch

    def _end_of_patch(self) -> int:
        """Where the line ending the next patch starts, reading more as needed."""
        ending = b'\n' + _PATCH_END + b'\n'
        while True:
            if self._buffer.startswith(_PATCH_END + b'\n'):
                return 0
            found = self._buffer.find(ending, self._searched)
            if found >= 0:
                return found + 1
            self._searched = max(0, len(self._buffer) - len(ending) + 1)
            self._read_more()

    def _read_more(self) -> None:
        chunk = self._process.stdout.read1(self.READ_SIZE)
        if not chunk:
            raise self._failure()
        self._buffer += chunk

    def _feed(self, requests: queue.SimpleQueue[bytes | None]) -> None:
        stdin = self._process.stdin
        try:
            while True:
                request = requests.get()
                if request is None:
                    break
                stdin.write(request)
                stdin.flush()
            stdin.close()
        except (OSError, ValueError):
            pass  # git is gone: the reader finds out and says so

    def _read_errors(self) -> None:
        self._stderr.append(self._process.stderr.read())

    def _failure(self) -> GitError:
        """git stopped before answering everything asked: stop it, and say why."""
        returncode = self._stop()
        return GitError(f'git diff-tree failed: {self._error() or f"exit {returncode}"}')

    def _error(self) -> str:
        return decode(b''.join(self._stderr)).strip()

    def _stop(self) -> int:
        """Let git finish (or find it killed), and its threads end; its exit status."""
        if self._requests is None:
            return 0
        self._requests.put(None)
        self._threads[0].join()
        self._process.stdout.close()
        self._threads[1].join()
        return int(self._process.wait())

    def close(self) -> None:
        """Stop git; GitError if it failed or complained (when every patch asked for was read)."""
        unread = bool(self._asked) or bool(self._buffer)
        if unread and self._process is not None:
            self._process.kill()
        returncode = self._stop()
        if not unread and (returncode or self._error()):
            raise GitError(f'git diff-tree failed: {self._error() or f"exit {returncode}"}')

    def abandon(self) -> None:
        if self._process is not None:
            self._process.kill()
        self._stop()

    def __enter__(self) -> Patches:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()


_MERGE_TREE = ('-c', 'merge.conflictStyle=merge', '-c', 'merge.renames=true', '-c', 'diff.renames=true',
               '-c', 'merge.renormalize=false', '-c', f'core.attributesFile={os.devnull}',
               'merge-tree', '--write-tree', '--no-messages')
MERGE_TREE_STDIN_VERSION = (2, 40)


class _Detached(NamedTuple):
    """Where git merges: an empty directory that is its work tree and its
    working directory, so that no checkout's ``.gitattributes`` reaches the
    merge (``merge=union`` would resolve a conflict as its author chose,
    ``conflict-marker-size`` change the markers): git's merge, and so a
    merge's own change, is the same on the reviewer's machine, in CI (whose
    checkout is the branch under review) and on the server."""

    directory: str
    env: dict[str, str]

    def argv(self, *args: str) -> tuple[str, ...]:
        return ('git', '-C', self.directory, *_MERGE_TREE, *args)


@contextlib.contextmanager
def _detached(hash_size: int) -> Iterator[_Detached]:
    import tempfile

    git_dir = decode(run('rev-parse', '--absolute-git-dir')).strip()
    with tempfile.TemporaryDirectory(prefix='trailgate-merge-') as scratch:
        env = _patch_env()
        for name in ('GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'):
            if env.get(name):  # git resolves these from where it runs
                env[name] = os.path.abspath(env[name])
        env.pop('GIT_INDEX_FILE', None)
        env.update(GIT_DIR=git_dir, GIT_WORK_TREE=scratch, GIT_ATTR_NOSYSTEM='1',
                   # git 2.40 and later: attributes from the empty tree, not attr.tree's
                   GIT_ATTR_SOURCE=_empty_tree_id(hash_size))
        yield _Detached(scratch, env)


def _empty_tree_id(hash_size: int) -> str:
    """The id of the empty tree in a repository whose ids are ``hash_size`` hex digits."""
    import hashlib

    algorithm = hashlib.sha256 if hash_size == 64 else hashlib.sha1
    return algorithm(b'tree 0\0').hexdigest()


def merge_result_trees(pairs: Sequence[tuple[str, str]]) -> list[str | None]:
    """For each (first, second) commit pair, in order, the tree git's own merge
    of them gives (conflict markers and all), with pinned merge options; None
    where git cannot merge them. One ``git merge-tree --stdin`` for all of
    them where git has it (2.40 and later), else one ``git merge-tree`` each.
    """
    pairs = list(pairs)
    if any(any(c.isspace() for c in name) or not name for pair in pairs for name in pair):
        raise GitError('a commit name with a space')
    if not pairs:
        return []
    with _detached(len(pairs[0][0])) as where:
        if not merge_tree_takes_stdin():
            return [_merge_result_tree(first, second, where) for first, second in pairs]
        found: list[str | None] = []
        while len(found) < len(pairs):
            found += _merged_trees(pairs[len(found):], where)
            if len(found) < len(pairs):
                # git stopped at this pair (unrelated histories, say): it is asked alone,
                # exactly as without --stdin, and the batch goes on after it
                found.append(_merge_result_tree(*pairs[len(found)], where))
        return found


@functools.lru_cache(maxsize=1)
def merge_tree_takes_stdin() -> bool:
    """Whether the installed git has ``merge-tree --stdin`` (git 2.40)."""
    out = run_ok('version')
    numbers = re.match(r'git version (\d+)\.(\d+)', decode(out or b''))
    return numbers is not None and (int(numbers[1]), int(numbers[2])) >= MERGE_TREE_STDIN_VERSION


def _merged_trees(pairs: list[tuple[str, str]], where: _Detached) -> list[str | None]:
    """The trees of the leading pairs git merged before it stopped (all of
    them when it did not): ``--stdin`` prints, per pair, its clean flag and
    tree, any conflicted entries, and an empty field, each NUL-terminated."""
    request = ''.join(f'{first} {second}\n' for first, second in pairs).encode('ascii')
    returncode, out, _ = _communicate(where.argv('--stdin'), where.env, request)
    fields = out.split(b'\0')[:-1]  # each a NUL-terminated field; the rest is cut short
    trees: list[str | None] = []
    position = 0
    while len(trees) < len(pairs):
        try:
            end = fields.index(b'', position + 2)
        except ValueError:
            break  # git stopped before this pair's answer was whole
        clean, tree = fields[position:position + 2]
        if clean not in (b'0', b'1') or not re.fullmatch(rb'[0-9a-f]{40}|[0-9a-f]{64}', tree):
            raise GitError(f'git merge-tree --stdin printed an answer trailgate does not understand: {clean[:20]!r}')
        trees.append(tree.decode('ascii'))
        position = end + 1
    if returncode == 0 and len(trees) != len(pairs):
        raise GitError('git merge-tree --stdin did not answer for every merge')
    return trees


def _merge_result_tree(first: str, second: str, where: _Detached) -> str | None:
    """One pair's merge tree, one ``git merge-tree``; None when git cannot merge them."""
    returncode, out, _ = _communicate(where.argv(first, second), where.env, None)
    if returncode not in (0, 1):
        return None
    tree = decode(out).split('\n', 1)[0].strip()
    return tree or None


def trees_of(commits: Iterable[str]) -> dict[str, str]:
    """commit -> its tree id, in one process."""
    commits = list(commits)
    if not commits:
        return {}
    out = run('rev-parse', *(f'{sha}^{{tree}}' for sha in commits))
    trees = decode(out).split()
    if len(trees) != len(commits):
        raise GitError('git rev-parse did not name a tree for every commit')
    return dict(zip(commits, trees, strict=True))


# -- the approvals ledger ------------------------------------------------------


def hook_free_env() -> dict[str, str]:
    return _env()


def run_env(extra: dict[str, str], *args: str, input: bytes | None = None) -> bytes:
    """``run`` with extra environment (a temporary index, say)."""
    env = _env()
    env.update(extra)
    return _output_of(args, *_communicate(_cmd(args), env, input))


def tree_blobs(rev: str) -> list[tuple[str, str]]:
    """(path, blob id) of every blob in ``rev``'s tree, one process."""
    out = run('ls-tree', '-r', '-z', '--full-tree', rev)
    found = []
    for entry in decode(out).split('\0'):
        if '\t' not in entry:
            continue
        info, path = entry.split('\t', 1)
        fields = info.split(' ')
        if len(fields) == 3 and fields[1] == 'blob':
            found.append((path, fields[2]))
    return found


TREE_MODE = '040000'


class TreeEntry(NamedTuple):
    mode: str  # six octal digits, as git prints them
    oid: str
    path: str


_TREE_DIFF_OPTIONS = ('-z', '-r', '-t', '--raw', '--no-renames', '--no-abbrev', '--no-ext-diff',
                      '--ignore-submodules=none', '--no-relative', '--no-textconv')


def _raw_entries(out: bytes, statuses: str) -> list[tuple[str, TreeEntry]]:
    """(status, entry on the side that has one) of each ``--raw -z`` line whose
    status is one of ``statuses``; anything else in the output (commit ids)
    is skipped. For a deletion the entry is the old side; for a merge's
    combined line (``-c``), the merge's own."""
    return [(status, entry) for status, entry, _ in _raw_stream(iter(out.split(b'\0')), statuses)]


def _raw_stream(tokens: Iterator[bytes], statuses: str) -> Iterator[tuple[str, TreeEntry, str]]:
    """(status, entry, the commit line before it: '' in a diff-tree of two trees)."""
    commit = ''
    for raw in tokens:
        token = decode(raw).lstrip('\n')
        if not token.startswith(':'):
            commit = token.strip() or commit
            continue
        path = next(tokens, None)
        if path is None:
            raise GitError('git printed a raw diff line without its path')
        parents = len(token) - len(token.lstrip(':'))
        fields = token[parents:].split(' ')
        if len(fields) != 2 * parents + 3:
            raise GitError(f'unexpected raw diff line from git: {token[:80]!r}')
        if parents > 1:
            mode, oid = fields[parents], fields[2 * parents + 1]
            status = 'D' if is_null_oid(oid) else 'M'
        else:
            old_mode, new_mode, old_oid, new_oid, status = fields
            mode, oid = (old_mode, old_oid) if status == 'D' else (new_mode, new_oid)
        entry = TreeEntry(mode, oid, decode(path))
        if status[:1] in statuses:
            yield status[:1], entry, commit


def entries_added(new: str, old: str | None) -> Iterator[tuple[str, TreeEntry]]:
    """Every tree entry (trees too) that a commit of ``new`` not in ``old``
    holds and none of its parents holds at that path (the root's: all of
    them), streamed from one ``git log``: what an update of a ref from
    ``old`` to ``new`` brings. An entry a merge takes from one of its
    parents was brought by a commit of that parent's history, and is listed
    there (``-c``); a diff of each merge against each parent (``-m``) would
    list it again at every merge after it, which a chain of merges makes
    quadratic. Each entry comes with the commit that adds it; stop reading
    early and git is stopped."""
    args = ['log', *_TREE_DIFF_OPTIONS, '--no-show-signature', '-c', '--root', '--format=%H', new]
    if old is not None:
        args += ['--not', old]
    process = _streaming([*args, '--'])
    finished = False
    try:
        for _, entry, commit in _raw_stream(_tokens(process.stdout), 'AMT'):
            yield commit, entry
        finished = True
    finally:
        if not finished and process.returncode is None:
            process.kill()
        returncode, stderr = _reap(process)
    if returncode:
        raise _failure('git log', returncode, stderr)


def first_merge_of_more_than(parents: int, new: str, old: str | None) -> str | None:
    """A commit of ``new`` not in ``old`` with more than ``parents`` parents, if there is one."""
    args = ['rev-list', f'--min-parents={parents + 1}', '-n1', new]
    if old is not None:
        args += ['--not', old]
    return decode(run(*args, '--')).strip() or None


def entries_dropped(old: str, new: str) -> list[TreeEntry]:
    """The non-tree entries of ``old``'s tree that ``new``'s tree no longer
    holds as they were (deleted, or changed in place), one ``git diff-tree``."""
    out = run('diff-tree', *_TREE_DIFF_OPTIONS, old, new, '--')
    return [entry for _, entry in _raw_entries(out, 'DMT') if entry.mode != TREE_MODE]


def object_sizes(oids: Iterable[str]) -> dict[str, tuple[str, int]]:
    """oid -> (type, size) of the objects that exist, one ``git cat-file --batch-check``."""
    oids = list(dict.fromkeys(oids))
    if not oids:
        return {}
    if any('\n' in oid or ' ' in oid for oid in oids):
        raise GitError('an object name with a space or newline')
    out = run('cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)',
              input=''.join(f'{oid}\n' for oid in oids).encode())
    sizes = {}
    for line in decode(out).split('\n'):
        fields = line.split(' ')
        if len(fields) == 3 and fields[2].isdigit():
            sizes[fields[0]] = (fields[1], int(fields[2]))
    return sizes


def write_blobs(contents: list[bytes]) -> list[str]:
    """Store each of ``contents`` as a blob, in one ``git hash-object``; their ids, in order."""
    if not contents:
        return []
    import tempfile

    with tempfile.TemporaryDirectory(prefix='trailgate-blobs-') as scratch:
        paths = []
        for number, data in enumerate(contents):
            paths.append(os.path.join(scratch, str(number)))
            with open(paths[-1], 'wb') as f:
                f.write(data)
        out = run('hash-object', '-w', '--no-filters', '--stdin-paths',
                  input=''.join(f'{path}\n' for path in paths).encode(ENCODING, ERRORS))
    oids = decode(out).split()
    if len(oids) != len(contents):
        raise GitError('git hash-object did not store every blob')
    return oids


def commit_tree(tree: str, parents: Iterable[str], message: str) -> str:
    args = ['commit-tree', tree]
    for parent in parents:
        args += ['-p', parent]
    return decode(run(*args, input=message.encode())).strip()


def is_ancestor(ancestor: str, descendant: str) -> bool:
    return run_ok('merge-base', '--is-ancestor', ancestor, descendant) is not None


def last_change(tip: str, paths: Iterable[str]) -> str | None:
    """The commit that gave ``tip`` its version of ``paths``, as git's history
    simplification finds it: a merge that keeps one parent's version is
    followed to that parent. None if no commit ever changed them."""
    return decode(run('--literal-pathspecs', 'rev-list', '-n1', tip, '--', *paths)).strip() or None


def changes_of(tip: str, path: str) -> list[tuple[str, list[str]]]:
    """Every commit of ``tip``'s history that holds another version of
    ``path`` than one of its parents (a root commit that holds it included),
    side branches and merges too, each with its parents as it records them
    (never rewritten by the path limit): each version ``tip``'s history
    ever held was made by one of them. One git process (rev-list: no log.*
    setting, such as log.follow, changes what it walks)."""
    out = run('--literal-pathspecs', 'rev-list', '--full-history', '--format=%H %P', tip, '--', path)
    lines = (line.split() for line in decode(out).splitlines() if line and not line.startswith('commit '))
    return [(commit, parents) for commit, *parents in lines]


def parents(commit: str) -> list[str]:
    """The parents of ``commit``, as it records them (none: a root commit)."""
    return decode(run('rev-list', '--parents', '-n1', commit, '--')).split()[1:]


# -- audit: changed lines and linguist attributes ---------------------------


class Numstat(NamedTuple):
    sha: str
    files: tuple[tuple[int | None, int | None, str], ...]  # added, deleted (None: binary), path


def _numstat_entry(token: bytes) -> tuple[int | None, int | None, str]:
    added, tab, rest = token.lstrip(b'\n').partition(b'\t')
    deleted, tab2, path = rest.partition(b'\t')
    if not tab or not tab2 or not path:
        raise GitError(f'git log --numstat gave an unexpected line: {decode(token)[:80]!r}')

    def count(field: bytes) -> int | None:
        if field == b'-':
            return None
        if not field.isdigit():
            raise GitError(f'git log --numstat gave an unexpected count: {decode(field)!r}')
        return int(field)

    return count(added), count(deleted), decode(path)


def numstat(revisions: Iterable[str]) -> Iterator[Numstat]:
    """Changed lines of every non-merge commit of ``revisions``, in the order
    ``log`` lists them (one process; a merge's lines are its parents')."""
    args = [
        'log', '-z', '--root', '--no-merges', '--no-renames', '--numstat', '--no-ext-diff',
        '--ignore-submodules=none', '--no-relative', '--no-textconv', '--no-color', '--no-show-signature',
        f'--format=%x00{_RECORD}%x00%H', *revisions, '--',
    ]
    process = _streaming(args)
    marker = _RECORD.encode()
    sha: str | None = None
    files: list[tuple[int | None, int | None, str]] = []
    expect_sha = previous_empty = False
    try:
        for token in _tokens(process.stdout):
            if expect_sha:
                sha, expect_sha = decode(token), False
            elif token == marker and previous_empty:
                if sha is not None:
                    yield Numstat(sha, tuple(files))
                sha, files, expect_sha = None, [], True
            elif token.strip(b'\n'):
                if sha is None:
                    raise GitError('git log --numstat gave lines before any commit')
                files.append(_numstat_entry(token))
            previous_empty = token == b''
        if sha is not None:
            yield Numstat(sha, tuple(files))
    finally:
        returncode, stderr = _reap(process)
    if returncode:
        raise _failure('git log --numstat', returncode, stderr)


LINGUIST_ATTRIBUTES = ('linguist-generated', 'linguist-vendored')


def attribute_files(tip: str) -> list[tuple[str, str]]:
    """(blob, path) of every ``.gitattributes`` in ``tip``'s tree."""
    out = run('ls-tree', '-r', '-z', '--full-tree', tip)
    found = []
    for entry in decode(out).split('\0'):
        info, tab, path = entry.partition('\t')
        fields = info.split()
        if tab and len(fields) == 3 and fields[1] == 'blob' and path.rpartition('/')[2] == '.gitattributes':
            found.append((fields[2], path))
    return found


class Attributes:
    """The values of the attributes ``names`` for any number of paths, from
    one ``git check-attr --stdin`` process for the run: with
    ``attribute_files``, over a temporary index (in ``scratch``) holding only
    those ``.gitattributes`` (a tree's, so the work tree, or its absence in a
    bare repository, does not matter); without, as the work tree at
    ``toplevel`` holds them (what ``git diff`` there reads)."""

    def __init__(self, attribute_files: list[tuple[str, str]] | None, scratch: str | None, toplevel: str | None,
                 names: tuple[str, ...]) -> None:
        self.names = names
        self._cache: dict[str, tuple[str, ...]] = {}
        env = _env()
        import subprocess

        try:
            if attribute_files is not None:
                assert scratch is not None
                env['GIT_INDEX_FILE'] = os.path.join(scratch, 'attributes.index')
                index_info = ''.join(f'100644 {blob} 0\t{path}\0' for blob, path in attribute_files)
                subprocess.run(_cmd(('update-index', '-z', '--index-info')),
                               input=index_info.encode(ENCODING, ERRORS), capture_output=True, env=env, check=True)
            cached = ('--cached',) if attribute_files is not None else ()
            self._process = subprocess.Popen(
                _cmd(('check-attr', *cached, '--stdin', '-z', *names)),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                cwd=toplevel,  # check-attr takes paths relative to where it runs
            )
        except FileNotFoundError:
            raise GitError(NOT_INSTALLED) from None
        except subprocess.CalledProcessError as e:
            raise GitError(f'git update-index failed: {decode(e.stderr).strip()}') from None

    def values(self, paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Each of ``paths``' values of ``names`` (``set``, ``unset``,
        ``unspecified`` or a value), asked once per path."""
        paths = [path for path in dict.fromkeys(paths) if '\0' not in path]
        unknown = [path for path in paths if path not in self._cache]
        if unknown:
            self._ask(unknown)
        return {path: self._cache[path] for path in paths}

    def _ask(self, paths: list[str]) -> None:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        writer = _write_in_background(stdin, b''.join(path.encode(ENCODING, ERRORS) + b'\0' for path in paths))
        tokens: list[bytes] = []
        per_path = 3 * len(self.names)
        wanted = per_path * len(paths)
        pending = b''
        while len(tokens) < wanted:
            chunk = stdout.read1(1 << 16)  # type: ignore[attr-defined]
            if not chunk:
                raise GitError('git check-attr stopped unexpectedly')
            parts = (pending + chunk).split(b'\0')
            pending = parts.pop()
            tokens.extend(parts)
        writer.join()
        if pending or len(tokens) != wanted:
            raise GitError('git check-attr answered more than it was asked')
        for index, path in enumerate(paths):
            answers = tokens[index * per_path:(index + 1) * per_path]
            if decode(answers[0]) != path:
                raise GitError(f'git check-attr answered for another path than {path!r}')
            self._cache[path] = tuple(decode(value) for value in answers[2::3])

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        if self._process.wait():
            raise GitError(f'git check-attr failed (exit {self._process.returncode})')


class LinguistAttributes(Attributes):
    """Which paths ``tip``'s ``.gitattributes`` (``attribute_files``) mark
    linguist-generated or linguist-vendored."""

    def __init__(self, attribute_files: list[tuple[str, str]], scratch: str, toplevel: str | None) -> None:
        super().__init__(attribute_files, scratch, toplevel, LINGUIST_ATTRIBUTES)

    def excluded(self, paths: Iterable[str]) -> frozenset[str]:
        """Those of ``paths`` marked generated or vendored."""
        found = self.values(paths)
        return frozenset(path for path, values in found.items() if any(value in ('set', 'true') for value in values))
