#!/usr/bin/env python3
"""Where the wall time of ``trailgate check`` goes: its own CPU, waiting on
git's pipe, waiting on cat-file's answers, or waiting for a CPU.

Runs ``check`` on a generated history (``check_bench.py``'s generators) in
fresh processes, each through a wrapper that times every read of git log's
pipe and every wait for a cat-file answer, and takes its own CPU time and
its git children's from getrusage. What is left of the wall time is time
the process was ready to run and did not (the machine's other jobs):

    wall = own CPU + blocked on git log + blocked on cat-file + waiting for a CPU (+ start-up I/O)

    .venv/bin/python benchmarks/check_waits.py [--history ai-heavy] [--size 10000] [--runs 5] [--format text]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import benchlib
import check_bench

_WRAPPER = r'''
import json, resource, sys, time
from trailgate import git
blocked = {'git log': 0.0, 'cat-file': 0.0}

class Timed:
    def __init__(self, stream):
        self.stream = stream
    def read(self, size):
        start = time.perf_counter()
        try:
            return self.stream.read(size)
        finally:
            blocked['git log'] += time.perf_counter() - start

records = git._records
git._records = lambda stream, *a: records(Timed(stream), *a)
answer = git.CatFile._answer
def timed_answer(self, name):
    start = time.perf_counter()
    try:
        return answer(self, name)
    finally:
        blocked['cat-file'] += time.perf_counter() - start
git.CatFile._answer = timed_answer
from trailgate.main import main
start = time.perf_counter()
cpu = time.process_time()
rc = main(sys.argv[1:])
wall = time.perf_counter() - start
own = time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write('\nTRAILGATE-WAITS ' + json.dumps({
    'wall': wall, 'own cpu': own, **blocked,
    'git cpu': children.ru_utime + children.ru_stime,
}) + '\n')
raise SystemExit(rc)
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--history', choices=tuple(check_bench.HISTORIES), default='ai-heavy')
    parser.add_argument('--size', type=int, default=10_000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--format', default='text')
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix='trailgate-waits-')
    env = benchlib.isolated_env(root)
    work, refs, root_sha, _, _, _ = check_bench.build_repo(
        root, env, [args.size], 3000, 20260101, check_bench.HISTORIES[args.history])
    rng = f'{root_sha}..{refs[args.size]}'
    rows = []
    for _ in range(args.runs):
        git_log = benchlib.run_measured((*check_bench.GIT_LOG, rng), work, env, keep_stdout=False)
        run = benchlib.run_measured((benchlib.PYTHON, '-c', _WRAPPER, 'check', '--format', args.format, rng),
                                    work, env, stdout=subprocess.DEVNULL)
        line = [x for x in run.stderr.decode().splitlines() if x.startswith('TRAILGATE-WAITS ')][-1]
        found = json.loads(line.split(' ', 1)[1])
        found['waiting for a CPU'] = max(0.0, found['wall'] - found['own cpu'] - found['git log'] - found['cat-file'])
        found['baseline git log'] = git_log.seconds
        rows.append(found)
    keys = ('baseline git log', 'wall', 'own cpu', 'git log', 'cat-file', 'waiting for a CPU', 'git cpu')
    print(f'trailgate check --format {args.format} on {args.size} commits ({args.history}); '
          f'{os.cpu_count()} CPUs, load average {benchlib.load()}; seconds, median of {args.runs}')
    print(benchlib.table(
        ('baseline git log', 'tg wall', 'tg own cpu', 'blocked on git log', 'blocked on cat-file',
         'ready, not running', "tg's git cpu"),
        [[f'{benchlib.median([row[key] for row in rows]):.3f}' for key in keys]]))
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
