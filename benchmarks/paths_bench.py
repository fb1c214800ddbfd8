#!/usr/bin/env python3
"""Benchmark: policy path patterns on very long and very deep paths.

Budget: every case judged by ``PathMatcher.matches`` (what the gates call)
in <= 100 ms, and with git's own answer wherever git gives one. Baseline,
measured in the same run on the same path and patterns: ``git
check-ignore --no-index`` with the patterns as a top-level .gitignore
(git's wildmatch; capped at --git-cap seconds, since on deep paths a chain
of ``**`` makes git's time grow exponentially). Also shown: each of the
matcher's two exact engines alone, the RE2 scan and the pure-Python walk.

    .venv/bin/python benchmarks/paths_bench.py [--repeats 5] [--git-cap 20]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import NamedTuple

import benchlib

from trailgate.paths import PathMatcher

BUDGET_S = 0.1
CHAIN = '**/payments/**/secrets/**/*.py'


class Case(NamedTuple):
    name: str
    patterns: tuple[str, ...]
    path: str
    expected: bool


CASES = (
    # tests/hostile_repo_test.py::test_deep_path_against_a_globstar_policy: 17,009 characters
    Case('17k deep, ** chain, no match', (CHAIN,), 'payments/secrets/' * 1000 + 'notes.txt', False),
    Case('17k deep, ** chain, match', (CHAIN,), 'payments/secrets/' * 1000 + 'n.py', True),
    Case('100k deep, ** chain, match', (CHAIN,), 'a/' * 49_985 + 'payments/b/secrets/c.py', True),
    Case('100k deep, ** chain, no match', (CHAIN,), 'payments/secrets/' * 5882 + 'notes.txt', False),
    Case('100k deep, 4 rules of **', ('**/x/**', 'a/**/b/**/c/**/d.py', '**/a/**/a/**/z', 'b/**'),
         'a/' * 50_000, False),
    Case('100k one component, stars', ('*a*a*a*a*b', '**/*a*a*b/**'), 'a' * 100_000, False),
    Case('100k deep, include + negation', ('**/ab/**', '!**/ab/'), 'ab/' * 33_333 + 'f.py', True),
    Case('100k deep, dir vs negated file', ('**/a/', '!a/a/a'), 'a/' * 50_000 + 'x', True),
)


def best_of(repeats: int, run: Callable[[], object]) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def git_answer(directory: str, case: Case, cap: float) -> tuple[float | None, bool | None]:
    """git's verdict and wall time, or (None, None) past ``cap`` seconds."""
    with open(os.path.join(directory, '.gitignore'), 'w', encoding='utf-8') as f:
        f.write(''.join(f'{pattern}\n' for pattern in case.patterns))
    start = time.perf_counter()
    try:
        result = subprocess.run(
            ('git', 'check-ignore', '--no-index', '--stdin', '-z'), cwd=directory,
            input=case.path.encode() + b'\0', capture_output=True, timeout=cap,
            env=benchlib.isolated_env(directory),
        )
    except subprocess.TimeoutExpired:
        return None, None
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f'git check-ignore failed: {result.stderr[-500:]!r}')
    return elapsed, result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--git-cap', type=float, default=20.0, help='seconds git may take per case')
    args = parser.parse_args()
    failures = []
    print(f'{"case":34} {"chars":>7} {"matches":>9} {"RE2 scan":>9} {"walk":>9} {"git":>10} {"git/matches":>11}')
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(('git', 'init', '-q', directory), check=True, env=benchlib.isolated_env(directory))
        for case in CASES:
            data = case.path.encode()
            matcher = PathMatcher(case.patterns)
            matcher.matches('warm/up')  # compile the RE2 scanners once, as a range's first path does
            seconds, verdict = best_of(args.repeats, lambda m=matcher, c=case: m.matches(c.path))
            scan_seconds, scanned = best_of(args.repeats, lambda m=matcher, d=data: m.scan(d))
            walk_seconds, walked = best_of(1, lambda m=matcher, d=data: m.walk(d))
            git_seconds, git_verdict = git_answer(directory, case, args.git_cap)
            git_text = f'>{args.git_cap:g} s' if git_seconds is None else f'{git_seconds * 1000:.1f} ms'
            ratio = '' if git_seconds is None else f'{git_seconds / seconds:.0f}x'
            scan_text = 'walk' if scanned is None else f'{scan_seconds * 1000:.2f} ms'
            print(f'{case.name:34} {len(case.path):>7} {seconds * 1000:>6.2f} ms {scan_text:>9} '
                  f'{walk_seconds * 1000:>6.1f} ms {git_text:>10} {ratio:>11}')
            for engine, answer in (('matches', verdict), ('walk', walked), ('scan', scanned)):
                if answer is not None and answer is not case.expected:
                    failures.append(f'{case.name}: {engine} says {answer}, expected {case.expected}')
            if git_verdict is not None and git_verdict is not case.expected:
                failures.append(f'{case.name}: git says {git_verdict}, expected {case.expected}')
            if seconds > BUDGET_S:
                failures.append(f'{case.name}: {seconds * 1000:.1f} ms > {BUDGET_S * 1000:.0f} ms')
    for failure in failures:
        print(f'MISS {failure}')
    print('PASS' if not failures else 'MISS')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
