#!/usr/bin/env python3
"""Benchmark: ``trailgate check`` on a real public history, against bare ``git log``.

Budgets (the issue-12 table): ``check --format json`` over the whole history
<= 2x the wall time of ``git log --no-renames --name-only -z`` over the same
range, same run; max RSS of the trailgate process < 100 MB and flat as the
range grows.

The repository is any local clone (bare or not) of a public project with
many AI-marked commits; the figures in the issue note come from
Aider-AI/aider (13,138 commits on main, a third of them written with aider:
``(aider)`` authors, ``aider:`` subjects, ``Co-authored-by: aider``). It is
never modified: the policy is a file in the temporary directory, passed with
``--policy``, with one rule over ``**`` that asks every AI-assisted commit
for a senior review, so every AI-assisted commit is refused and reported.

    .venv/bin/python benchmarks/real_history_bench.py --repo PATH [--rev main] [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import benchlib
from check_bench import JSON_RATIO
from check_bench import TEXT_RATIO
from check_bench import _summary_numbers
from check_bench import checked

BUDGET_RSS_MB = 100.0
FLAT_SLACK_MB = 10.0
POLICY = """\
version: 1
groups:
  senior: ["Alice Archer <alice@example.com>", "Bob Builder <bob@example.com>"]
rules:
  - id: everything
    paths: ["**"]
    require:
      reviews: {trailer: Reviewed-by, group: senior, count: 1}
"""
_WRAPPER = (
    'import resource, sys\n'
    'from trailgate.main import main\n'
    'rc = main(sys.argv[1:])\n'
    'sys.stderr.write(f"\\nTRAILGATE-RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")\n'
    'raise SystemExit(rc)\n'
)


def own_rss(repo: str, env: dict[str, str], args: list[str]) -> float:
    run = benchlib.run_measured((benchlib.PYTHON, '-c', _WRAPPER, *args), repo, env,
                                stdout=subprocess.DEVNULL)
    for line in reversed(run.stderr.decode(errors='replace').splitlines()):
        if line.startswith('TRAILGATE-RSS '):
            return int(line.split()[1]) / 1024
    raise SystemExit(f'no RSS line from the wrapper: {run.stderr[-2000:]!r}')


def ranges(repo: str, env: dict[str, str], rev: str, sizes: list[int]) -> list[tuple[int, list[str]]]:
    """(commits, rev-list arguments) for about each size, and the whole history."""
    commits = benchlib.git(env, repo, 'rev-list', '--topo-order', rev).decode().split()
    found = []
    for size in sizes:
        if size < len(commits):
            found.append((size, [rev, f'^{commits[size]}']))  # about size commits: merges bring more
    found.append((len(commits), [rev]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repo', required=True, help='a local clone (bare or not) of a public repository')
    parser.add_argument('--rev', default='HEAD', help='the history to check (default HEAD)')
    parser.add_argument('--sizes', default='1000,5000',
                        help='smaller ranges for the flatness check, comma-separated (default 1000,5000)')
    parser.add_argument('--repeats', type=int, default=5, help='timed runs per range and command (default 5)')
    parser.add_argument('--no-bytecode-cache', action='store_true',
                        help='keep an inherited PYTHONDONTWRITEBYTECODE')
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)
    root = tempfile.mkdtemp(prefix='trailgate-real-bench-')
    env = benchlib.isolated_env(root, bytecode_cache=not args.no_bytecode_cache)
    policy = os.path.join(root, 'policy.yaml')
    with open(policy, 'w', encoding='utf-8') as f:
        f.write(POLICY)
    head = benchlib.git(env, repo, 'rev-parse', args.rev).decode().strip()
    print(f'repository: {repo} at {head[:12]} ({args.rev}); policy: one rule over ** (reviews)')
    print(f'  product: {benchlib.product_version()}')
    print(f'  {os.cpu_count()} CPUs, load average {benchlib.load()}')

    rows, over_budget, rss = [], [], {'text': [], 'json': []}
    sizes = sorted({int(size) for size in args.sizes.split(',') if size})
    for _, revisions in ranges(repo, env, head, sizes):
        tg = [benchlib.TRAILGATE, 'check', '--policy', policy]
        commands = {
            'git': ('git', 'log', '--no-renames', '--name-only', '-z', *revisions),
            'text': (*tg, *revisions),
            'json': (*tg, '--format', 'json', *revisions),
        }
        benchlib.run_measured(commands['git'], repo, env, keep_stdout=False)  # warm the cache
        runs: dict[str, list[benchlib.Run]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, argv in commands.items():
                if name == 'text':
                    run = checked(benchlib.run_measured(argv, repo, env, stdout=subprocess.DEVNULL), name)
                elif name == 'json':
                    run = checked(benchlib.run_measured(argv, repo, env, keep_stdout=False,
                                                        keep_head=1 << 16), name)
                else:
                    run = benchlib.run_measured(argv, repo, env, keep_stdout=False)
                runs[name].append(run)
        wall = {name: benchlib.median([run.seconds for run in found]) for name, found in runs.items()}
        cpu = {name: benchlib.median([run.cpu_seconds for run in found]) for name, found in runs.items()}
        own = {name: own_rss(repo, env, list(commands[name][1:])) for name in ('text', 'json')}
        summary = _summary_numbers(runs['json'][-1].stdout)
        checked_n = summary.get('checked', 0)
        ai = 100 * summary.get('ai_assisted', 0) / max(checked_n, 1)
        refused = 100 * summary.get('refused', 0) / max(checked_n, 1)
        rows.append((
            f'{checked_n}', f'{wall["git"]:.3f}', f'{cpu["git"]:.2f}',
            f'{wall["text"]:.3f}', f'{cpu["text"]:.2f}', f'{wall["text"] / wall["git"]:.2f}x',
            f'{wall["json"]:.3f}', f'{cpu["json"]:.2f}', f'{wall["json"] / wall["git"]:.2f}x',
            f'{own["text"]:.1f}', f'{own["json"]:.1f}', f'{runs["json"][-1].stdout_bytes / 1e6:.1f}',
            f'{ai:.0f}%', f'{refused:.0f}%',
        ))
        for name in ('text', 'json'):
            rss[name].append(own[name])
            if own[name] >= BUDGET_RSS_MB:
                over_budget.append(f'{checked_n} {name}: max RSS {own[name]:.1f} MB')
        if revisions == [head]:
            for name, budget in (('text', TEXT_RATIO), ('json', JSON_RATIO)):
                if wall[name] / wall['git'] > budget:
                    over_budget.append(f'{checked_n} {name}: {wall[name] / wall["git"]:.2f}x > {budget}x')
        print(f'  measured {checked_n} commits ({time.strftime("%H:%M:%S")}, load {benchlib.load()})',
              flush=True)

    print()
    print(f'trailgate check on {args.rev} and shorter ranges of it: median of {args.repeats} interleaved '
          f'runs, wall and CPU (user+sys, with git) seconds; RSS = the trailgate process alone')
    print(benchlib.table(
        ('commits', 'git log s', 'git cpu', 'text s', 'text cpu', 'text ratio', 'json s', 'json cpu',
         'json ratio', 'RSS text MB', 'RSS json MB', 'json MB', 'AI', 'refused'), rows))
    print(f'budget on the whole history: text <= {TEXT_RATIO}x, json <= {JSON_RATIO}x git log; '
          f'max RSS < {BUDGET_RSS_MB:.0f} MB, flat')
    for name, values in rss.items():
        print(f'  RSS {name} across ranges: {" -> ".join(f"{value:.1f}" for value in values)} MB')
        if len(values) > 1 and values[-1] > values[0] + FLAT_SLACK_MB:
            over_budget.append(f'{name}: RSS grows {values[0]:.1f} -> {values[-1]:.1f} MB')
    print(f'  {"MISS: " + "; ".join(over_budget) if over_budget else "PASS"}')
    shutil.rmtree(root, ignore_errors=True)
    return 1 if over_budget else 0


if __name__ == '__main__':
    sys.exit(main())
