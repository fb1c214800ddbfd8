"""``trailgate audit`` over a real long history (git.git) against ``git log``.

Budgets (issue 11): the audit of the whole history within **2x** the wall
time of ``git log --no-renames --name-only`` over the same range; with
``--lines`` within **1.5x** of ``git log --no-renames --numstat``; the
trailgate process's own peak RSS under **100 MB** at 10k and 80k commits.

The repository is a local copy of git.git (``--repo``); the benchmark works
in a ``git clone --bare --shared`` of it in a temporary directory, so the
copy is never written to. Each pair (baseline, audit) runs interleaved,
``--repeats`` times; the table gives medians and the ratios of medians, and
the load average, since the machine may be shared.

    .venv/bin/python benchmarks/audit_bench.py --repo /path/to/git.git
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import benchlib

POLICY = """\
version: 1
groups:
  maintainers: [gitster@pobox.com, peff@peff.net]
rules:
  - id: refs
    paths: ["refs/**", "refs.c", "refs.h"]
    active: {from: 2020-01-01, until: 2020-12-31}
    require:
      reviews: {group: maintainers}
  - id: transport
    paths: ["transport*.c", "connect.c", "upload-pack.c", "builtin/receive-pack.c"]
    applies_to: all
    require:
      reviews: {group: maintainers, count: 2}
      trailers: [Rollback-Plan]
"""
_WRAPPER = (
    'import resource, sys\n'
    'from trailgate.main import main\n'
    'rc = main(sys.argv[1:])\n'
    'sys.stderr.write(f"\\nTRAILGATE-RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")\n'
    'raise SystemExit(rc)\n'
)


def _range_of(env: dict[str, str], repo: str, size: int) -> str:
    """``HEAD~k..HEAD`` holding about ``size`` commits (first-parent bisection)."""
    spine = benchlib.git(env, repo, 'rev-list', '--first-parent', 'HEAD').decode().split()
    low, high = 1, len(spine) - 1
    while low < high:
        middle = (low + high) // 2
        count = int(benchlib.git(env, repo, 'rev-list', '--count', f'{spine[middle]}..HEAD'))
        if count < size:
            low = middle + 1
        else:
            high = middle
    return f'{spine[low]}..HEAD'


def _count(env: dict[str, str], repo: str, revision: str) -> int:
    return int(benchlib.git(env, repo, 'rev-list', '--count', revision))


def _own_rss_mb(env: dict[str, str], repo: str, args: list[str]) -> float:
    run = benchlib.run_measured((benchlib.PYTHON, '-c', _WRAPPER, *args), repo, env, stdout=subprocess.DEVNULL)
    for line in reversed(run.stderr.decode(errors='replace').splitlines()):
        if line.startswith('TRAILGATE-RSS '):
            return int(line.split()[1]) / 1024
    raise SystemExit(f'no RSS line: {run.stderr[-2000:]!r}')


def _timed(env: dict[str, str], repo: str, argv: list[str]) -> benchlib.Run:
    run = benchlib.run_measured(argv, repo, env, stdout=subprocess.PIPE, keep_stdout=False)
    if run.returncode:
        sys.stderr.write(run.stderr.decode(errors='replace')[-3000:])
        raise SystemExit(f'{" ".join(argv[:3])} exited {run.returncode}')
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--repo', required=True, help='a local copy of git.git (bare or not)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--memory-sizes', default='10000,80000')
    parser.add_argument('--skip-lines', action='store_true', help='leave out the --lines pair (the slow one)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='trailgate-audit-bench-') as home:
        env = benchlib.isolated_env(home)
        repo = os.path.join(home, 'git.git')
        benchlib.git(env, home, 'clone', '-q', '--bare', '--shared', os.path.abspath(args.repo), repo)
        policy = os.path.join(home, 'policy.yaml')
        with open(policy, 'w') as f:
            f.write(POLICY)
        total = _count(env, repo, 'HEAD')
        print(f'trailgate {benchlib.product_version()}; {total} commits in HEAD; load {benchlib.load()}')
        audit = [benchlib.TRAILGATE, 'audit', '-q', '--policy', policy]
        pairs = [('--name-only', ['git', 'log', '--no-renames', '--name-only', 'HEAD'], [*audit, 'HEAD'], 2.0)]
        if not args.skip_lines:
            pairs.append(('--numstat / --lines', ['git', 'log', '--no-renames', '--numstat', 'HEAD'],
                          [*audit, '--lines', 'HEAD'], 1.5))
        rows = []
        failed = False
        for name, baseline, command, budget in pairs:
            base_runs, audit_runs = [], []
            for _ in range(args.repeats):
                base_runs.append(_timed(env, repo, baseline))
                audit_runs.append(_timed(env, repo, command))
            base = benchlib.median([run.seconds for run in base_runs])
            mine = benchlib.median([run.seconds for run in audit_runs])
            cpu_base = benchlib.median([run.cpu_seconds for run in base_runs])
            cpu_mine = benchlib.median([run.cpu_seconds for run in audit_runs])
            ratio = mine / base
            verdict = 'PASS' if ratio <= budget else 'MISS'
            failed |= verdict == 'MISS'
            rows.append((name, f'{base:.2f}', f'{mine:.2f}', f'{ratio:.2f}x', f'{budget}x', verdict,
                         f'{cpu_base:.1f} / {cpu_mine:.1f} = {cpu_mine / cpu_base:.2f}x',
                         ' '.join(f'{run.seconds:.1f}' for run in base_runs),
                         ' '.join(f'{run.seconds:.1f}' for run in audit_runs)))
        print(benchlib.table(('pair', 'git log s', 'audit s', 'wall ratio', 'budget', '', 'CPU s (git log / audit)',
                              'git log runs', 'audit runs'), rows))
        print('wall time is the budget; CPU time (user+sys, with every child) shows what a loaded machine hides')
        memory_rows = []
        for size in (int(s) for s in args.memory_sizes.split(',') if s):
            revision = _range_of(env, repo, size)
            commits = _count(env, repo, revision)
            plain = _own_rss_mb(env, repo, ['audit', '-q', '--policy', policy, revision])
            lines = _own_rss_mb(env, repo, ['audit', '-q', '--lines', '--policy', policy, revision])
            verdict = 'PASS' if max(plain, lines) < 100 else 'MISS'
            failed |= verdict == 'MISS'
            memory_rows.append((commits, f'{plain:.1f}', f'{lines:.1f}', '< 100', verdict))
        print(benchlib.table(('commits', 'own RSS MB', 'with --lines', 'budget', ''), memory_rows))
        print(f'load after: {benchlib.load()}')
    return 1 if failed else 0


if __name__ == '__main__':
    raise SystemExit(main())
