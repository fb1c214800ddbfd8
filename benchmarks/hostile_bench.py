#!/usr/bin/env python3
"""Benchmark: the timings of the hostile-input tests, out of the test suite.

The tests (hostile_policy_test, hostile_repo_test, policy_test,
regexes_test, paths_test) judge correctness and count work; how long the
hostile inputs take is measured here, on inputs this script builds, beside
a baseline measured in the same run:

- hostile policies (billion laughs, 50,000-deep flow nesting, 200-deep block
  nesting, a file over 1 MiB) under ``trailgate validate``, against ``trailgate
  validate`` of the ordinary policy and ``python -c pass``;
- a 10 MB message and 100,000 trailers under ``trailgate commit-msg`` and
  ``trailgate check``, 200,000 changed paths and a 17,009-character path
  under ``trailgate check``, each against ``git log`` reading the same
  commits (message, trailers or paths) in the same repository;
- in process: validating a 2,000-alternative policy regex against Python's
  ``re.compile`` of the same pattern, and refusing the billion laughs
  against loading the ordinary policy.

Budgets are the wall-clock limits the tests used to assert (a 2-core
machine): each row prints PASS or MISS, the ratio to its baseline, and the
script exits 1 on a MISS. Load on the machine moves wall time; read the
printed load average and the CPU column before trusting a single MISS.

    .venv/bin/python benchmarks/hostile_bench.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import NamedTuple

import benchlib

from trailgate import regexes
from trailgate.errors import PolicyError
from trailgate.policy import load_policy

POLICY_PATH = '.trailgate/policy.yaml'
CHARGE = 'services/payments/charge.py'
POLICY = """\
version: 1
groups:
  senior: [alice@example.com, bob@example.com]
  sre: [carol@example.com]
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2}
      documentation: {patterns: ['^[A-Z]+-[0-9]+$']}
"""
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
AI = 'Assisted-by: Claude Code'
REVIEW = 'Reviewed-by: Alice Archer <alice@example.com>'
AI_MESSAGE = f'Speed up charge\n\n{AI}\n'


def billion_laughs() -> str:
    lines = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f'lol{i}: &a{i} [' + ', '.join([f'*a{i - 1}'] * 9) + ']' for i in range(1, 10)]
    return '\n'.join(lines) + '\n'


HOSTILE_POLICIES = {
    'alias bomb': billion_laughs(),
    'flow nesting 50,000 deep': '[' * 50_000,
    'block nesting 200 deep': ''.join('  ' * i + 'k:\n' for i in range(200)),
    'over 1 MiB': POLICY + '#' + 'x' * (1 << 20) + '\n',
}


class Row(NamedTuple):
    name: str
    seconds: float
    cpu_seconds: float
    baseline: str
    baseline_seconds: float
    budget: float
    problem: str  # '' when the verdict was the expected one


def measure(repeats: int, argv: Sequence[str], cwd: str, env: dict[str, str]) -> benchlib.Run:
    """The run with the median wall time of ``repeats``."""
    runs = sorted((benchlib.run_measured(argv, cwd, env) for _ in range(repeats)), key=lambda run: run.seconds)
    return runs[len(runs) // 2]


def median_of(repeats: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return benchlib.median(times)


def verdict_problem(run: benchlib.Run, expected: int) -> str:
    if b'Traceback' in run.stderr:
        return 'traceback'
    if run.returncode != expected:
        return f'exit {run.returncode}, expected {expected}'
    return ''


def commit(env: dict[str, str], repo: str, ref: str, message: bytes, files: dict[str, bytes],
           parent: str = 'main') -> None:
    """One commit on ``ref`` (from ``parent``), written with fast-import."""
    stream = bytearray(b'commit refs/heads/%s\n' % ref.encode())
    stream += b'committer Dev Eloper <dev@example.com> 1767225600 +0000\n'
    stream += b'data %d\n%s\nfrom refs/heads/%s\n' % (len(message), message, parent.encode())
    for path, content in files.items():
        stream += b'M 100644 inline %s\ndata %d\n%s\n' % (path.encode(), len(content), content)
    benchlib.git(env, repo, 'fast-import', '--quiet', '--done', input=bytes(stream) + b'done\n')


def make_repo(env: dict[str, str], repo: str, policy: str) -> None:
    os.makedirs(os.path.join(repo, '.trailgate'))
    benchlib.git(env, repo, 'init', '-q', '-b', 'main')
    with open(os.path.join(repo, POLICY_PATH), 'w') as f:
        f.write(policy)
    benchlib.git(env, repo, 'add', '-A')
    benchlib.git(env, repo, 'commit', '-q', '--no-verify', '-m', 'Add the trailgate policy')


def policy_rows(repeats: int, env: dict[str, str], repo: str) -> list[Row]:
    tg = benchlib.TRAILGATE
    empty = measure(repeats, (benchlib.PYTHON, '-c', 'pass'), repo, env)
    ordinary = measure(repeats, (tg, 'validate'), repo, env)
    rows = [Row('validate: ordinary policy', ordinary.seconds, ordinary.cpu_seconds, 'python -c pass',
                empty.seconds, 1.0, verdict_problem(ordinary, 0))]
    for name, text in HOSTILE_POLICIES.items():
        with open(os.path.join(repo, POLICY_PATH), 'w') as f:
            f.write(text)
        run = measure(repeats, (tg, 'validate'), repo, env)
        problem = verdict_problem(run, 2) or ('' if re.search(rb'policy\.yaml:\d+:\d+: ', run.stdout)
                                              else 'no FILE:LINE:COL')
        rows.append(Row(f'validate: {name}', run.seconds, run.cpu_seconds, 'validate: ordinary policy',
                        ordinary.seconds, 1.0, problem))
    with open(os.path.join(repo, POLICY_PATH), 'w') as f:
        f.write(POLICY)
    return rows


def message_rows(repeats: int, env: dict[str, str], repo: str, scratch: str) -> list[Row]:
    tg = benchlib.TRAILGATE
    big = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n' * 140_000
    messages = {
        '10 MB message': f'Speed up charge\n\n{big}\n{AI}\n',
        '100,000 trailers': 'Speed up charge\n\nCache the token.\n\n' + '\n'.join([REVIEW] * 100_000 + [AI]) + '\n',
    }
    rows = []
    for index, (name, message) in enumerate(messages.items()):
        ref = f'hostile{index}'
        commit(env, repo, ref, message.encode(), {CHARGE: b'x = %d\n' % index})
        msgfile = os.path.join(scratch, f'{ref}.MSG')
        with open(msgfile, 'w') as f:
            f.write(message)
        benchlib.git(env, repo, 'read-tree', ref)  # the change staged, as commit-msg sees it
        baseline = measure(repeats, ('git', 'log', '--format=%B%(trailers)', f'main..{ref}'), repo, env)
        for gate, argv in (('commit-msg', (tg, 'commit-msg', msgfile)), ('check', (tg, 'check', f'main..{ref}'))):
            run = measure(repeats, argv, repo, env)
            rows.append(Row(f'{gate}: {name}', run.seconds, run.cpu_seconds, 'git log %B%(trailers)',
                            baseline.seconds, 8.0, verdict_problem(run, 1)))
        benchlib.git(env, repo, 'read-tree', 'main')
    return rows


def path_rows(repeats: int, env: dict[str, str], root: str) -> list[Row]:
    tg = benchlib.TRAILGATE
    wide = os.path.join(root, 'wide')
    make_repo(env, wide, POLICY)
    count = 200_000
    stream = bytearray(b'blob\nmark :1\ndata 2\nx\n')
    stream += b'commit refs/heads/wide\ncommitter Dev Eloper <dev@example.com> 1767225600 +0000\n'
    stream += b'data %d\n%s\nfrom refs/heads/main\n' % (len(AI_MESSAGE), AI_MESSAGE.encode())
    stream += b''.join(b'M 100644 :1 services/payments/gen/d%03d/f%06d.py\n' % (i // 1000, i) for i in range(count))
    benchlib.git(env, wide, 'fast-import', '--quiet', '--done', input=bytes(stream) + b'done\n')
    deep = os.path.join(root, 'deep')
    make_repo(env, deep, GLOB_POLICY)
    deep_path = 'payments/secrets/' * 1000 + 'notes.txt'
    commit(env, deep, 'deep', AI_MESSAGE.encode(), {deep_path: b'x\n'})
    rows = []
    for name, repo, argv, expected, budget in (
        ('check: 200,000 paths', wide, (tg, 'check', 'main..wide', '--format', 'json'), 1, 60.0),
        (f'check: a {len(deep_path):,}-character path', deep, (tg, 'check', 'main..deep'), 0, 5.0),
    ):
        ref = argv[2].split('..')[1]
        baseline = measure(repeats, ('git', 'log', '--no-renames', '--name-only', '-z', f'main..{ref}'), repo, env)
        run = measure(repeats, argv, repo, env)
        rows.append(Row(name, run.seconds, run.cpu_seconds, 'git log --name-only', baseline.seconds, budget,
                        verdict_problem(run, expected)))
    return rows


def in_process_rows(repeats: int) -> list[Row]:
    rows = []
    for count in (2000, 4000):
        pattern = '^(?:' + '|'.join(f'word{i}' for i in range(count)) + ')$'

        def validate(p: str = pattern) -> None:
            re.purge()
            assert regexes.problem(p) is None

        def python_compile(p: str = pattern) -> None:
            re.purge()
            re.compile(p)

        seconds = median_of(repeats, validate)
        rows.append(Row(f'regexes.problem: {count:,} alternatives', seconds, seconds, 're.compile',
                        median_of(repeats, python_compile), 1.0, ''))
    ordinary = median_of(repeats, lambda: load_policy(POLICY.encode(), 'p.yaml'))

    def refuse_bomb() -> None:
        try:
            load_policy(HOSTILE_POLICIES['alias bomb'].encode(), 'p.yaml')
        except PolicyError:
            return
        raise AssertionError('the alias bomb was accepted')

    seconds = median_of(repeats, refuse_bomb)
    rows.append(Row('load_policy: alias bomb', seconds, seconds, 'load_policy: ordinary', ordinary, 0.5, ''))
    return rows


def milliseconds(seconds: float) -> str:
    return f'{seconds * 1000:.2f} ms' if seconds < 0.01 else f'{seconds * 1000:.0f} ms'


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or '').split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    print(f'load average: {benchlib.load()}')
    with tempfile.TemporaryDirectory() as root:
        env = benchlib.isolated_env(root)
        repo = os.path.join(root, 'repo')
        make_repo(env, repo, POLICY)
        rows = policy_rows(args.repeats, env, repo)
        rows += message_rows(args.repeats, env, repo, root)
        rows += path_rows(args.repeats, env, root)
    rows += in_process_rows(args.repeats)
    misses = [row for row in rows if row.problem or row.seconds > row.budget]
    print(benchlib.table(
        ('case', 'wall', 'cpu', 'baseline', 'baseline wall', 'ratio', 'budget', ''),
        [(row.name, milliseconds(row.seconds), milliseconds(row.cpu_seconds), row.baseline,
          milliseconds(row.baseline_seconds), f'{row.seconds / row.baseline_seconds:.1f}x', f'{row.budget:g} s',
          row.problem or ('MISS' if row in misses else 'PASS')) for row in rows],
    ))
    print('PASS' if not misses else f'MISS ({len(misses)})')
    return 1 if misses else 0


if __name__ == '__main__':
    sys.exit(main())
