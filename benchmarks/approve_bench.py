#!/usr/bin/env python3
"""Benchmark: ``trailgate approve --yes`` over a range of commits that each
need a signed approval: the processes it starts (git, ssh-keygen) and its
CPU and wall time.

Budget: the number of processes does not grow with the number of commits
(one ``ssh-keygen -Y sign`` per approve, a fixed number of git processes;
a git older than 2.40, which has no ``merge-tree --stdin``, adds one ``git
merge-tree`` per merge, counted and shown apart). Baseline: the same
approve over a range of ``--commits / 10`` commits, same repository, same run.

One ``git fast-import`` history: every commit is AI-assisted and edits one
of 20 files under ``services/payments/``; every tenth is a merge whose side
branch edits another file, and which adds a line of its own (so it needs an
approval of its own change: what it adds to git's merge of its parents).
The reviewer's key is an ed25519 key made by ``ssh-keygen`` without a
passphrase. Processes are counted by wrapper scripts for ``git`` and
``ssh-keygen`` put first on PATH, in runs of their own (the wrappers cost
time); the timed runs have no wrappers.

    .venv/bin/python benchmarks/approve_bench.py [--commits 100] [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import benchlib

POLICY = """\
version: 1
groups:
  senior: [alice@shop.example.com]
signers: .trailgate/allowed_signers
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 1, signed: true}
"""
WRAPPER = """\
#!/bin/sh
echo "$0 $*" >> "{log}"
exec "{real}" "$@"
"""


def _key(directory: str) -> tuple[str, str]:
    path = os.path.join(directory, 'alice')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path], check=True)
    with open(path + '.pub') as f:
        return path, f.read().strip()


def build(directory: str, env: dict[str, str], commits: int, public_line: str) -> str:
    repo = os.path.join(directory, 'repo')
    benchlib.git(env, directory, 'init', '-q', '-b', 'main', repo)
    stream = os.path.join(directory, 'stream')
    fi = benchlib.FastImport(stream)
    files = [f'services/payments/module{n:02}.py' for n in range(20)]
    person = ('Pat Junior', 'pat@shop.example.com')
    root = fi.commit('refs/heads/main', person, person, 1767225600, 'Root\n', [
        ('M', '.trailgate/policy.yaml', POLICY.encode()),
        ('M', '.trailgate/allowed_signers', f'alice@shop.example.com {public_line}\n'.encode()),
        *(('M', path, _body(path, 0)) for path in files),
    ])
    parent = root
    for n in range(1, commits + 1):
        message = f'Change {n}\n\nAssisted-by: Claude Code\n'
        when = 1767225600 + n
        if n % 10:
            parent = fi.commit('refs/heads/main', person, person, when, message,
                               [('M', files[n % 19], _body(files[n % 19], n))], parent=parent)
        else:
            side = fi.commit('refs/heads/side', person, person, when, message,
                             [('M', files[19], _body(files[19], n))], parent=parent)
            # the merge adds a line of its own: it needs its own approval
            parent = fi.commit('refs/heads/main', person, person, when, f'Merge {n}\n\nAssisted-by: Claude Code\n',
                               [('M', files[19], _body(files[19], n) + f'merged_{n} = True\n'.encode())],
                               parent=parent, merges=[side])
    fi.reset('refs/tags/root', root)
    fi.close()
    benchlib.fast_import(env, repo, stream)
    benchlib.git(env, repo, 'reset', '-q', '--hard', 'main')
    return repo


def _body(path: str, version: int) -> bytes:
    return ''.join([f'# {path}\n'] + [f'value_{i} = {f"v{version}" if i == version % 20 else i}\n'
                                      for i in range(20)]).encode()


def _wrappers(directory: str, log: str) -> str:
    bin_dir = os.path.join(directory, 'wrappers')
    os.makedirs(bin_dir, exist_ok=True)
    for name in ('git', 'ssh-keygen'):
        real = shutil.which(name)
        if real is None:
            raise SystemExit(f'{name} is not on PATH')
        path = os.path.join(bin_dir, name)
        with open(path, 'w') as f:
            f.write(WRAPPER.format(log=log, real=real))
        os.chmod(path, 0o755)
    return bin_dir


def _approve(repo: str, env: dict[str, str], revisions: str) -> benchlib.Run:
    benchlib.git(env, repo, 'update-ref', '-d', 'refs/trailgate/approvals')
    cache = os.path.join(repo, '.git', 'trailgate-approvals-cache.json')
    if os.path.exists(cache):
        os.unlink(cache)
    run = benchlib.run_measured([benchlib.TRAILGATE, 'approve', '--yes', revisions], repo, env)
    if run.returncode != 0:
        raise SystemExit(f'approve exited {run.returncode}: {run.stderr.decode()[-2000:]}')
    return run


def _processes(repo: str, env: dict[str, str], revisions: str, directory: str) -> dict[str, int]:
    """git, ssh-keygen and, among the git processes, git merge-tree (one per
    merge where git is older than 2.40, which has no merge-tree --stdin)."""
    log = os.path.join(directory, 'processes.log')
    if os.path.exists(log):
        os.unlink(log)
    wrapped = dict(env, PATH=_wrappers(directory, log) + os.pathsep + env['PATH'])
    _approve(repo, wrapped, revisions)
    with open(log) as f:
        calls = [line.split() for line in f]
    counts = {name: sum(1 for call in calls if os.path.basename(call[0]) == name) for name in ('git', 'ssh-keygen')}
    counts['merge-tree'] = sum(1 for call in calls if 'merge-tree' in call[1:])
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--commits', type=int, default=100)
    parser.add_argument('--repeats', type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='trailgate-approve-bench-') as directory:
        env = benchlib.isolated_env(directory)
        key, public_line = _key(directory)
        repo = build(directory, env, options.commits, public_line)
        for name, value in (('user.email', 'alice@shop.example.com'), ('user.signingKey', key)):
            benchlib.git(env, repo, 'config', name, value)
        small = max(1, options.commits // 10)
        ranges = {'small': f'main~{small}..main', 'full': 'root..main'}
        counts = {name: _processes(repo, env, revisions, directory) for name, revisions in ranges.items()}
        runs: dict[str, list[benchlib.Run]] = {name: [] for name in ranges}
        for _ in range(options.repeats):
            for name, revisions in ranges.items():
                runs[name].append(_approve(repo, env, revisions))
        print(f'approve --yes; load {benchlib.load()}')
        print(benchlib.table(['range', 'git processes', 'of them merge-tree', 'ssh-keygen processes',
                              'median CPU (s)', 'median wall (s)'], [
            [f'{revisions} ({small if name == "small" else options.commits} commits)',
             counts[name]['git'], counts[name]['merge-tree'], counts[name]['ssh-keygen'],
             f'{benchlib.median([r.cpu_seconds for r in runs[name]]):.2f}',
             f'{benchlib.median([r.seconds for r in runs[name]]):.2f}']
            for name, revisions in ranges.items()
        ]))
        per_merge = counts['full']['merge-tree'] > 1  # a git without merge-tree --stdin
        flat = all(counts['small'][name] - (counts['small']['merge-tree'] if name == 'git' and per_merge else 0)
                   == counts['full'][name] - (counts['full']['merge-tree'] if name == 'git' and per_merge else 0)
                   for name in ('git', 'ssh-keygen'))
        note = ' (besides one git merge-tree per merge: this git has no merge-tree --stdin)' if per_merge else ''
        print(f'processes {"do not grow" if flat else "GROW"} with the number of commits{note}')
        return 0 if flat else 1


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    raise SystemExit(main())
