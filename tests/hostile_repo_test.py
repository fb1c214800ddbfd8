"""Hostile repositories and environments for ``check`` and ``commit-msg``
(and ``explain`` where it applies): huge messages, huge commits, odd objects
and layouts, and a git that is missing or lies. In every case: no
traceback, no hang (every subprocess has a timeout), and never exit 0 for an
AI-assisted change to a critical path without its trailers.

No verdict here depends on the machine's speed: every subprocess has a hang
guard (testing.adversarial.TIMEOUT, far above a loaded machine's time), and
benchmarks/hostile_bench.py times the large cases against git itself.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testing import scenarios
from testing.adversarial import AI
from testing.adversarial import BASE_FILES
from testing.adversarial import CHARGE
from testing.adversarial import GITMODULES
from testing.adversarial import POLICY_PATH
from testing.adversarial import REVIEW_ALICE
from testing.adversarial import REVIEW_BOB
from testing.adversarial import Proc
from testing.adversarial import git
from testing.adversarial import init
from testing.adversarial import put
from testing.adversarial import run
from testing.adversarial import trailgate
from testing.adversarial import write_hooks
from testing.util import git_env
from trailgate import git as tg_git
from trailgate.errors import GitError
from trailgate.trailers import parse_trailers
from trailgate.trailers import skip_blank_lines

AI_MESSAGE = f'Speed up charge\n\n{AI}\n'
REAL_GIT = shutil.which('git') or '/usr/bin/git'


def make_repo(path: Path) -> Path:
    """A repository on main whose one commit holds the standard policy."""
    init(path)
    for name, content in BASE_FILES.items():
        put(path / name, content)
    git(path, 'add', '-A')
    git(path, 'commit', '-q', '--no-verify', '-m', 'Add the trailgate policy')
    return path


def stage_change(repo: Path, message: str = AI_MESSAGE, content: str = 'def charge():\n    return 2\n') -> Path:
    put(repo / CHARGE, content)
    git(repo, 'add', CHARGE)
    return put(repo.parent / f'{repo.name}.MSG', message)


def refused(proc: Proc, *codes: str) -> None:
    assert 'Traceback' not in proc.output, proc.output
    assert proc.returncode == 1, proc.output
    for code in codes:
        assert re.search(rf'\b{code}\b', proc.output), proc.output


def error(proc: Proc, *needles: str) -> None:
    assert 'Traceback' not in proc.output, proc.output
    assert proc.returncode == 2, proc.output
    assert proc.stderr.strip().splitlines()[-1].startswith('trailgate: '), proc.stderr
    for needle in needles:
        assert needle in proc.output, proc.output


def json_codes(proc: Proc) -> dict[str, list[str]]:
    report = json.loads(proc.stdout)
    return {c['subject']: sorted(v['code'] for v in c['violations']) for c in report['commits']}


def commit_tree(repo: Path, message: bytes, parent: str = 'HEAD') -> str:
    """A commit of the index with ``message`` stored byte for byte."""
    tree = git(repo, 'write-tree').strip()
    parent_sha = git(repo, 'rev-parse', parent).strip()
    header = (f'tree {tree}\nparent {parent_sha}\n'
              f'author Dev Eloper <dev@example.com> 1767225600 +0000\n'
              f'committer Dev Eloper <dev@example.com> 1767225600 +0000\n\n').encode()
    return git(repo, 'hash-object', '-t', 'commit', '-w', '--literally', '--stdin', input=header + message).strip()


@pytest.fixture(scope='module')
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp('hostile-repo') / 'repo')


# -- size -------------------------------------------------------------------


def test_ten_megabyte_message(repo: Path) -> None:
    body = ('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n' * 140_000)
    message = f'Speed up charge\n\n{body}\n{AI}\n'.encode()
    assert len(message) > 10_000_000
    msgfile = stage_change(repo, message.decode())
    hook = trailgate(repo, 'commit-msg', str(msgfile))
    refused(hook, 'TG001', 'TG002')
    sha = commit_tree(repo, message, 'main')
    git(repo, 'update-ref', 'refs/heads/big-message', sha)
    check = trailgate(repo, 'check', 'main..big-message')
    refused(check, 'TG001', 'TG002')
    git(repo, 'reset', '-q', '--hard', 'main')


def test_hundred_thousand_trailers(repo: Path) -> None:
    """One reviewer 100,000 times is still one reviewer."""
    trailers = '\n'.join([REVIEW_ALICE] * 100_000 + [AI])
    message = f'Speed up charge\n\nCache the token.\n\n{trailers}\n'
    msgfile = stage_change(repo, message)
    hook = trailgate(repo, 'commit-msg', str(msgfile))
    refused(hook, 'TG001', 'TG002')
    sha = commit_tree(repo, message.encode(), 'main')
    git(repo, 'update-ref', 'refs/heads/many-trailers', sha)
    check = trailgate(repo, 'check', 'main..many-trailers', '--format', 'json')
    assert check.returncode == 1, check.output
    assert json_codes(check) == {'Speed up charge': ['TG001', 'TG002']}
    theirs = git(repo, 'show', '-s', '--format=%(trailers:unfold,only)', sha)[:-1]
    ours = ''.join(f'{t.key}: {t.value}\n' for t in parse_trailers(skip_blank_lines(message)))
    assert ours == theirs
    git(repo, 'reset', '-q', '--hard', 'main')


def test_two_hundred_thousand_paths(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    count = 200_000
    stream = bytearray(b'blob\nmark :1\ndata 2\nx\n')
    message = AI_MESSAGE.encode()
    stream += b'commit refs/heads/wide\ncommitter Dev Eloper <dev@example.com> 1767225600 +0000\n'
    stream += b'data %d\n%s\nfrom refs/heads/main\n' % (len(message), message)
    stream += b''.join(b'M 100644 :1 services/payments/gen/d%03d/f%06d.py\n' % (i // 1000, i)
                       for i in range(count))
    started = run(('git', 'fast-import', '--quiet', '--done'), repo, input=bytes(stream) + b'done\n', timeout=300)
    assert started.returncode == 0, started.stderr
    check = trailgate(repo, 'check', 'main..wide', '--format', 'json', timeout=300)
    assert check.returncode == 1, check.stderr[-2000:]
    report = json.loads(check.stdout)
    (commit,) = report['commits']
    assert commit['refused'] and len(commit['violations'][0]['paths']) == count
    explain = trailgate(repo, 'explain', 'wide', timeout=300)
    refused(explain)
    assert f'paths   {count} changed' in explain.stdout


GLOB_POLICY = """\
version: 1
groups:
  senior: [alice@example.com, bob@example.com]
rules:
  - id: secrets
    paths: ["**/payments/**/secrets/**/*.py"]
    require:
      reviews: {group: senior}
"""


@pytest.mark.parametrize(('name', 'expected'), [('notes.txt', 0), ('charge.py', 1)])
def test_deep_path_against_a_globstar_policy(tmp_path: Path, name: str, expected: int) -> None:
    """A 17,009-character path that git's own wildmatch needs minutes for:
    judged, not timed (paths_test shows RE2 decides it and the walk is linear)."""
    repo = init(tmp_path / 'repo')
    put(repo / POLICY_PATH, GLOB_POLICY)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Add the trailgate policy')
    deep = 'payments/secrets/' * 1000 + name  # stored in git; no file system needed
    blob = git(repo, 'hash-object', '-w', '--stdin', input='x\n').strip()
    git(repo, 'update-index', '--add', '--cacheinfo', f'100644,{blob},{deep}')
    git(repo, 'commit', '-q', '-F', '-', input=AI_MESSAGE)
    proc = trailgate(repo, 'check', 'HEAD~1..HEAD')
    assert proc.returncode == expected and 'Traceback' not in proc.output, proc.output
    if expected:
        refused(proc, 'TG001')


# -- odd objects ----------------------------------------------------------------


def test_nul_byte_in_a_stored_message(repo: Path) -> None:
    """git stops reading a message at a NUL (%B, %(trailers)); so do we:
    reviews after it do not count, and nothing after it can forge a record."""
    hidden = f'{REVIEW_ALICE}\n{REVIEW_BOB}\nChange-Doc: PAY-123\n'
    forged = '\0\0TGSTART\0' + '0' * 40 + '\0\0Mallory\0m@x\0Mallory\0m@x\01767225600\0innocent'
    message = f'Speed up charge\n\n{AI}\n\0\n\n{hidden}{forged}\n'.encode()
    stage_change(repo)
    sha = commit_tree(repo, message, 'main')
    git(repo, 'update-ref', 'refs/heads/nul', sha)
    check = trailgate(repo, 'check', 'main..nul', '--format', 'json')
    assert check.returncode == 1, check.output
    assert json_codes(check) == {'Speed up charge': ['TG001', 'TG002']}
    assert git(repo, 'show', '-s', '--format=%(trailers:unfold,only)', sha) == f'{AI}\n\n'
    refused(trailgate(repo, 'explain', 'nul'))
    git(repo, 'reset', '-q', '--hard', 'main')


def test_nul_byte_in_a_new_message(tmp_path: Path) -> None:
    """git itself refuses to store it; the hook must not crash on it."""
    repo = make_repo(tmp_path / 'repo')
    write_hooks(tmp_path / 'hooks', ('commit-msg',))
    git(repo, 'config', 'core.hooksPath', str(tmp_path / 'hooks'))
    msgfile = stage_change(repo, f'Speed up charge\n\n{AI}\n\0\n\n{REVIEW_ALICE}\n{REVIEW_BOB}\nChange-Doc: PAY-123\n')
    before = git(repo, 'rev-parse', 'HEAD')
    result = run(('git', 'commit', '-q', '-F', str(msgfile)), repo)
    assert result.returncode != 0 and 'Traceback' not in result.output, result.output
    assert git(repo, 'rev-parse', 'HEAD') == before
    # and the hook reads the message as git would store it: up to the NUL
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG001', 'TG002')


def test_gitlink_in_a_critical_path(tmp_path: Path) -> None:
    """A submodule (gitlink) is a change to its path; as documentation it is
    not a file."""
    repo = make_repo(tmp_path / 'repo')
    other = git(repo, 'rev-parse', 'HEAD').strip()
    for path in ('services/payments/vendor', 'docs/changes/sub'):
        git(repo, 'update-index', '--add', '--cacheinfo', f'160000,{other},{path}')
    msgfile = put(tmp_path / 'MSG', f'Vendor the gateway\n\n{AI}\n{REVIEW_ALICE}\n{REVIEW_BOB}\n'
                                    f'Change-Doc: docs/changes/sub\n')
    hook = trailgate(repo, 'commit-msg', str(msgfile))
    refused(hook, 'TG002')
    assert '(TG001)' not in hook.output
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    check = trailgate(repo, 'check', 'main~1..main', '--format', 'json')
    assert check.returncode == 1 and json_codes(check) == {'Vendor the gateway': ['TG002']}, check.output


def test_pre_receive_with_submodule_ignore_all(tmp_path: Path) -> None:
    """A bare server does not read `.gitmodules` for diffs: even with
    `ignore = all` on its default branch, pre-receive sees a gitlink bump
    (the work-tree gates do not: see `submodule-ignore-all` in
    docs/adversarial.md)."""
    repo = make_repo(tmp_path / 'repo')
    put(repo / '.gitmodules', GITMODULES)
    git(repo, 'add', '.gitmodules')
    first = git(repo, 'rev-parse', 'HEAD').strip()
    git(repo, 'update-index', '--add', '--cacheinfo', f'160000,{first},services/payments/vendor')
    git(repo, 'commit', '-q', '-m', 'Vendor the card gateway')
    server = init(tmp_path / 'server.git', bare=True)
    git(repo, 'push', '-q', str(server), 'main')
    write_hooks(server / 'hooks', ('pre-receive',))
    second = git(repo, 'rev-parse', 'HEAD').strip()
    git(repo, 'update-index', '--cacheinfo', f'160000,{second},services/payments/vendor')
    git(repo, 'commit', '-q', '-F', '-', input=f'Bump the card gateway\n\n{AI}\n')
    pushed = run(('git', 'push', '-q', '--no-verify', str(server), 'main'), repo)
    assert 'Traceback' not in pushed.output
    assert pushed.returncode != 0 and '(TG001)' in pushed.stderr, pushed.output


def test_symlinks(tmp_path: Path) -> None:
    """A symlink in a critical path is a change to it; a symlink is no document;
    replacing the critical directory with a symlink deletes its files."""
    repo = make_repo(tmp_path / 'repo')
    os.symlink('../../README.txt', repo / 'services/payments/link.py')
    os.symlink('../../README.txt', repo / 'docs/changes/link.md')
    git(repo, 'add', '-A')
    msgfile = put(tmp_path / 'MSG', f'Link the readme\n\n{AI}\n{REVIEW_ALICE}\n{REVIEW_BOB}\n'
                                    f'Change-Doc: docs/changes/link.md\n')
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG002')
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    check = trailgate(repo, 'check', 'main~1..main', '--format', 'json')
    assert check.returncode == 1 and json_codes(check) == {'Link the readme': ['TG002']}, check.output

    git(repo, 'mv', 'services/payments', 'elsewhere')
    os.symlink('../elsewhere', repo / 'services/payments')
    put(repo / 'elsewhere/charge.py', 'def charge():\n    return 9\n')
    git(repo, 'add', '-A')
    msgfile = put(tmp_path / 'MSG', f'Move payments behind a symlink\n\n{AI}\n')
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG001', 'TG002')
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    refused(trailgate(repo, 'check', 'main~1..main'), 'TG001', 'TG002')


WEIRD_NAMES = (b'services/payments/new\nline.py', b'services/payments/bad\xff.py',
               b'services/payments/tab\there.py', b'services/payments/"quoted" \\ name.py',
               b'services/payments/-dash.py')


def test_file_names_with_newlines_and_invalid_utf8(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    for name in WEIRD_NAMES:
        path = os.path.join(os.fsencode(repo), name)
        with open(path, 'wb') as f:
            f.write(b'x\n')
    git(repo, 'add', '-A')
    msgfile = put(tmp_path / 'MSG', AI_MESSAGE)
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG001', 'TG002')
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    for format in ('text', 'json', 'sarif', 'junit', 'github'):
        check = trailgate(repo, 'check', 'main~1..main', '--format', format)
        assert check.returncode == 1 and 'Traceback' not in check.output, (format, check.output)
        check.stdout.encode('utf-8')  # a report is valid UTF-8 text
    check = trailgate(repo, 'check', 'main~1..main', '--format', 'json')
    paths = json.loads(check.stdout)['commits'][0]['violations'][0]['paths']
    assert 'services/payments/new\nline.py' in paths and 'services/payments/bad\\xff.py' in paths, paths
    assert len(paths) == len(WEIRD_NAMES)
    refused(trailgate(repo, 'explain'))


# -- layouts ---------------------------------------------------------------------


def test_empty_repository(tmp_path: Path) -> None:
    repo = init(tmp_path / 'repo')
    put(repo / POLICY_PATH, BASE_FILES[POLICY_PATH])
    error(trailgate(repo, 'check', 'main..HEAD'), 'unknown revision')
    error(trailgate(repo, 'check', '--base', 'main'), 'unknown revision')
    error(trailgate(repo, 'check', 'HEAD'))
    error(trailgate(repo, 'explain'), 'unknown revision')
    # the first commit: policy and payments code at once, AI-assisted
    msgfile = stage_change(repo)
    git(repo, 'add', POLICY_PATH)
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG001', 'TG002', 'TG004')
    refused(trailgate(repo, 'explain', '--message', str(msgfile)), 'TG001')


def test_detached_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    git(repo, 'checkout', '-q', '--detach')
    msgfile = stage_change(repo)
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG001', 'TG002')
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    refused(trailgate(repo, 'check', 'main..HEAD'), 'TG001', 'TG002')
    refused(trailgate(repo, 'check', '--base', 'main'), 'TG001', 'TG002')
    refused(trailgate(repo, 'explain'))


def test_unborn_branch(tmp_path: Path) -> None:
    """An orphan branch's first commit is a root commit: all its files changed."""
    repo = make_repo(tmp_path / 'repo')
    git(repo, 'checkout', '-q', '--orphan', 'fresh')
    msgfile = stage_change(repo)
    refused(trailgate(repo, 'commit-msg', str(msgfile)), 'TG001', 'TG002', 'TG004')
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    check = trailgate(repo, 'check', 'main..fresh', '--format', 'json')
    assert check.returncode == 1 and json_codes(check) == {'Speed up charge': ['TG001', 'TG002', 'TG004']}
    refused(trailgate(repo, 'explain', 'fresh'))


def test_linked_worktree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / 'repo')
    git(repo, 'worktree', 'add', '-q', '-b', 'wt', str(tmp_path / 'wt'), 'main')
    worktree = tmp_path / 'wt'
    write_hooks(tmp_path / 'hooks', ('commit-msg',))
    git(repo, 'config', 'core.hooksPath', str(tmp_path / 'hooks'))
    msgfile = stage_change(worktree)
    refused(trailgate(worktree, 'commit-msg', str(msgfile)), 'TG001', 'TG002')
    committed = run(('git', 'commit', '-q', '-F', str(msgfile)), worktree)
    assert committed.returncode != 0 and '(TG001)' in committed.stderr, committed.output
    git(worktree, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    refused(trailgate(worktree, 'check', 'main..HEAD'), 'TG001', 'TG002')
    refused(trailgate(repo, 'check', 'main..wt'), 'TG001', 'TG002')


def test_git_dir_only_layout(tmp_path: Path) -> None:
    """``git --git-dir=x.git --work-tree=.``: no .git in the work tree."""
    top = tmp_path / 'top'
    top.mkdir()
    layout = ('--git-dir=x.git', '--work-tree=.')
    git(top, *layout, 'init', '-q', '-b', 'main')
    git(top, *layout, 'config', 'commit.gpgsign', 'false')
    for name, content in BASE_FILES.items():
        put(top / name, content)
    git(top, *layout, 'add', '-A', '--', *BASE_FILES)
    git(top, *layout, 'commit', '-q', '--no-verify', '-m', 'Add the trailgate policy')
    write_hooks(tmp_path / 'hooks', ('commit-msg',))
    git(top, *layout, 'config', 'core.hooksPath', str(tmp_path / 'hooks'))
    put(top / CHARGE, 'def charge():\n    return 2\n')
    git(top, *layout, 'add', CHARGE)
    msgfile = put(tmp_path / 'MSG', AI_MESSAGE)
    committed = run(('git', *layout, 'commit', '-q', '-F', str(msgfile)), top)
    assert committed.returncode != 0 and '(TG001)' in committed.stderr, committed.output
    env = git_env(GIT_DIR=str(top / 'x.git'), GIT_WORK_TREE=str(top))
    refused(trailgate(top, 'commit-msg', str(msgfile), env=env), 'TG001', 'TG002')
    git(top, *layout, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    refused(trailgate(top, 'check', 'main~1..main', env=env), 'TG001', 'TG002')
    refused(trailgate(top, 'explain', env=env))
    error(trailgate(top, 'check', 'main~1..main'), 'not a git repository')


# -- a missing or lying git ---------------------------------------------------------


def env_with_path(directory: Path, **extra: str) -> dict[str, str]:
    env = git_env(**extra)
    env['PATH'] = str(directory)
    return env


@pytest.fixture(scope='module')
def refusable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with one refused commit (main~1..main) and a refused staged change."""
    repo = make_repo(tmp_path_factory.mktemp('refusable') / 'repo')
    put(repo / 'docs/changes/x.md', 'plan\n')
    msgfile = stage_change(repo, f'Speed up charge\n\n{AI}\nChange-Doc: docs/changes/x.md\n')
    git(repo, 'add', 'docs/changes/x.md')
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    put(repo / CHARGE, 'def charge():\n    return 3\n')
    git(repo, 'add', CHARGE)
    return repo


GATES = {
    'check': ('check', 'main~1..main'),
    'commit-msg': ('commit-msg', '../repo.MSG'),
    'explain': ('explain',),
}


@pytest.mark.parametrize('gate', GATES)
def test_the_refusable_repo_is_refused(refusable: Path, gate: str) -> None:
    refused(trailgate(refusable, *GATES[gate]), 'TG001')


@pytest.mark.parametrize('gate', GATES)
def test_git_missing(refusable: Path, tmp_path: Path, gate: str) -> None:
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / 'python')
    error(trailgate(refusable, *GATES[gate], env=env_with_path(bin_dir)), 'git is not installed')


FAKE_GIT = """\
#!/bin/sh
# a git that prints half its output, then fails: only for FAKE_GIT_TARGET
# (a subcommand, or "all"); anything else is the real git
real={real}
target="$FAKE_GIT_TARGET"
misbehave=
for arg in "$@"; do
    if [ "$target" = all ] || [ "$arg" = "$target" ]; then misbehave=1; fi
done
if [ -z "$misbehave" ]; then exec "$real" "$@"; fi
out=$(mktemp)
case " $* " in
    *" --batch "*) head -n 1 | "$real" "$@" > "$out" ;;  # one request, then end of input
    *) "$real" "$@" > "$out" ;;
esac
size=$(wc -c < "$out")
head -c $((size / 2)) "$out"
rm -f "$out"
exit 1
"""


@pytest.fixture(scope='module')
def fake_git(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bin_dir = tmp_path_factory.mktemp('fake-git')
    script = bin_dir / 'git'
    script.write_text(FAKE_GIT.format(real=shlex.quote(REAL_GIT)))
    script.chmod(0o755)
    return bin_dir


def fake_env(bin_dir: Path, target: str) -> dict[str, str]:
    env = git_env(FAKE_GIT_TARGET=target)
    env['PATH'] = f'{bin_dir}{os.pathsep}{env.get("PATH", "")}'
    return env


TARGETS = ('all', 'rev-parse', 'log', 'cat-file', '--batch', 'config', 'var', 'diff', 'ls-files', 'merge-base')


@pytest.mark.parametrize('target', TARGETS)
@pytest.mark.parametrize('gate', GATES)
def test_git_prints_half_then_fails(refusable: Path, fake_git: Path, gate: str, target: str) -> None:
    proc = trailgate(refusable, *GATES[gate], env=fake_env(fake_git, target))
    assert 'Traceback' not in proc.output, proc.output
    assert proc.returncode in (1, 2), proc.output
    if proc.returncode == 2:
        assert proc.stderr.strip().splitlines()[-1].startswith('trailgate: '), proc.stderr


TRUNCATED_POLICY_HEAD = """\
version: 1
groups:
  senior: [alice@example.com, "Bob Builder <bob@example.com>"]
policy_owners: senior
rules:
  - id: internal-docs
    paths: ["docs/internal/**"]
    require:
      reviews: {{group: senior}}
# {padding}
"""
TRUNCATED_POLICY_TAIL = """\
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2}
"""


def test_truncated_policy_blob_is_not_a_policy(tmp_path: Path, fake_git: Path) -> None:
    """Half of cat-file's answer ends inside a comment, leaving a valid policy
    without the payments rule: the check must not pass on it."""
    repo = init(tmp_path / 'repo')
    head = TRUNCATED_POLICY_HEAD.format(padding='p' * 600)
    policy = head + TRUNCATED_POLICY_TAIL
    put(repo / POLICY_PATH, policy)
    put(repo / CHARGE, 'def charge():\n    return 1\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Add the trailgate policy')
    msgfile = stage_change(repo)
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    blob = git(repo, 'rev-parse', f'HEAD~1:{POLICY_PATH}').strip()
    response = len(f'{blob} blob {len(policy)}\n') + len(policy) + 1
    cut = response // 2 - len(f'{blob} blob {len(policy)}\n')
    assert len(head) - 600 < cut < len(head) - 1, 'the cut must fall inside the padding comment'
    assert trailgate(repo, 'check', 'HEAD~1..HEAD').returncode == 1
    proc = trailgate(repo, 'check', 'HEAD~1..HEAD', env=fake_env(fake_git, '--batch'))
    assert 'Traceback' not in proc.output
    assert proc.returncode != 0, f'a truncated policy let the range through: {proc.output}'


@pytest.fixture(scope='module')
def many_paths(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One refused commit whose changed paths list the critical path last."""
    repo = make_repo(tmp_path_factory.mktemp('many-paths') / 'repo')
    for i in range(40):
        put(repo / f'aaa/file{i:03d}.txt', 'x\n')
    git(repo, 'add', '-A')
    msgfile = stage_change(repo)
    git(repo, 'commit', '-q', '--no-verify', '-F', str(msgfile))
    return repo


def test_check_with_git_log_cut_in_the_paths(many_paths: Path, fake_git: Path) -> None:
    refused(trailgate(many_paths, 'check', 'main~1..main'), 'TG001')
    error(trailgate(many_paths, 'check', 'main~1..main', env=fake_env(fake_git, 'log')), 'git log failed')


def test_explain_with_git_log_cut_in_the_paths(many_paths: Path, fake_git: Path) -> None:
    refused(trailgate(many_paths, 'explain'), 'TG001')
    proc = trailgate(many_paths, 'explain', env=fake_env(fake_git, 'log'))
    assert 'Traceback' not in proc.output
    assert proc.returncode != 0, proc.stdout


def test_fake_git_prints_half_then_fails(fake_git: Path, refusable: Path) -> None:
    """The fake really misbehaves (so the tests above test something)."""
    real = subprocess.run(('git', 'log', '-1'), cwd=refusable, capture_output=True, env=git_env(), timeout=120)
    fake = subprocess.run(('git', 'log', '-1'), cwd=refusable, capture_output=True,
                          env=fake_env(fake_git, 'log'), timeout=120)
    assert fake.returncode == 1 and fake.stdout == real.stdout[:len(real.stdout) // 2]


def test_grafts_cannot_hide_a_commit_from_any_gate(tmp_path: Path) -> None:
    """A CI checkout's .git/info/grafts (or GIT_GRAFT_FILE) rewrites the parents git
    reports; trailgate reads history with grafts ignored, as it ignores refs/replace."""
    repo = scenarios.new_repo(tmp_path / 'repo', hooks=False)
    base = repo.head()
    hidden = scenarios.unreviewed(repo)
    tip = repo.commit_ok(scenarios.message('Harmless'), {scenarios.OTHER: 'x\n'}, verify=False)
    graft = f'{tip} {base}\n'
    (repo.path / '.git' / 'info').mkdir(exist_ok=True)
    (repo.path / '.git' / 'info' / 'grafts').write_text(graft)
    assert repo.git('rev-list', f'{base}..HEAD').split() == [tip]  # git itself is fooled
    result = repo.trailgate('check', f'{base}..HEAD')
    assert result.returncode == 1, result
    assert hidden[:10] in result.stdout
    (repo.path / 'elsewhere-grafts').write_text(graft)
    (repo.path / '.git' / 'info' / 'grafts').unlink()
    result = repo.trailgate('check', f'{base}..HEAD', env={'GIT_GRAFT_FILE': str(repo.path / 'elsewhere-grafts')})
    assert result.returncode == 1, result
    assert hidden[:10] in result.stdout


def test_git_errors_carry_no_graft_advice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Grafts are switched off without git advising about them in every error."""
    repo = scenarios.new_repo(tmp_path / 'repo', hooks=False)
    monkeypatch.chdir(repo.path)
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)
    with pytest.raises(GitError) as info:
        tg_git.run('merge-base', 'HEAD', 'no-such-revision')
    assert 'Not a valid object name' in str(info.value) or 'no-such-revision' in str(info.value)
    assert 'hint' not in str(info.value) and 'graft' not in str(info.value), info.value


@pytest.mark.parametrize('stamp', ['99999999999999', '18446744073709551615', '-99999999999999'])
def test_a_commit_dated_beyond_what_python_can_hold_is_still_judged(tmp_path: Path, stamp: str) -> None:
    """A crafted committer date past year 9999 (or before year 1) must not make
    the range impossible to judge or report: the commit is refused like any other."""
    repo = make_repo(tmp_path / 'repo')
    stage_change(repo)
    tree = git(repo, 'write-tree').strip()
    parent = git(repo, 'rev-parse', 'HEAD').strip()
    body = (f'tree {tree}\nparent {parent}\nauthor Dev <dev@example.com> {stamp} +0000\n'
            f'committer Dev <dev@example.com> {stamp} +0000\n\n{AI_MESSAGE}')
    crafted = git(repo, 'hash-object', '-t', 'commit', '-w', '--stdin', input=body).strip()
    refused(trailgate(repo, 'check', f'{parent}..{crafted}'), 'TG001')
    refused(trailgate(repo, 'explain', crafted), 'TG001')
    audit = trailgate(repo, 'audit', crafted, '--json', str(tmp_path / 'audit.json'))
    assert audit.returncode == 0 and 'Traceback' not in audit.output, audit.output
