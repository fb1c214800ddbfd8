#!/usr/bin/env python3
"""Where ``check`` and ``audit`` spend their CPU per commit, stage by stage.

A diagnosis, not a budget: git log's output for the range is captured once,
then each stage of trailgate's per-commit path runs over every commit of it
in this process, and its CPU time (best of ``--repeats``) is printed in
microseconds per commit:

- the pipe: git log's output cut into records (``_records``);
- the reader: a record into a ``RawCommit`` (one decode, the changed paths);
- the pre-screen: ``touches_nothing_protected``;
- parsing: a ``RawCommit`` into a ``Commit`` (its trailers);
- detection (``detect``) and rule evaluation (``assess``, detection included);
- report building and serialisation: each format's writer (``add`` into the
  spool ``check`` uses, then the head, body and tail copied to /dev/null);
- audit's own part: ``commit_facts`` and ``Tally.add``.

With ``--against DIR`` the same stages run a second time, in a child whose
``PYTHONPATH`` puts the trailgate package in DIR first (another checkout,
e.g. ``git archive main trailgate | tar -x -C DIR``), and both columns are
printed side by side.

    .venv/bin/python benchmarks/stages_bench.py [--history ai-heavy] [--size 10000]
    .venv/bin/python benchmarks/stages_bench.py --repo PATH --range REV.. [--policy FILE]
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import IO
from typing import Any
from typing import cast

import benchlib
import check_bench

STAGES = (
    ('pipe: records', 'records'),
    ('reader: RawCommit', 'raw'),
    ('pre-screen', 'prescreen'),
    ('parsing: Commit, trailers', 'commit'),
    ('detection', 'detect'),
    ('rule evaluation (with detection)', 'assess'),
    ('audit: assess as of commit dates', 'assess_commit'),
    ('text writer', 'text'),
    ('json writer', 'json'),
    ('sarif writer', 'sarif'),
    ('junit writer', 'junit'),
    ('audit: facts and tally', 'audit'),
)


def _best(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, found = float('inf'), None
    for _ in range(repeats):
        start = time.process_time()
        found = run()
        best = min(best, time.process_time() - start)
    return best, found


def measure(repo: str, revisions: list[str], policy_file: str | None, repeats: int) -> dict[str, float]:
    """Microseconds per commit for each stage, in this process, with the trailgate it imports."""
    os.chdir(repo)
    from trailgate import evaluate
    from trailgate import gather
    from trailgate import git
    from trailgate import output as reports_out
    from trailgate import policies
    from trailgate.audit.facts import commit_facts
    from trailgate.audit.tally import Tally
    from trailgate.commands.check import revision_arguments
    from trailgate.detect import detect
    from trailgate.reports import Report
    from trailgate.reports import writer

    found_repo = git.repo()
    arguments = revision_arguments(tuple(revisions), found_repo)
    if policy_file:
        policy = policies.from_file(policy_file, found_repo)
    else:
        with git.CatFile() as cat:
            base = next(rev[1:] for rev in arguments if rev.startswith('^'))
            policy = policies.at_revision(cat, base)
    assert policy is not None
    output = subprocess.run(git._cmd(['log', *git._LOG_OPTIONS, *arguments, '--']),
                            capture_output=True, env=git._env(), check=True).stdout
    results: dict[str, float] = {}

    def stage(key: str, run: Callable[[], Any]) -> Any:
        seconds, found = _best(repeats, run)
        results[key] = seconds
        return found

    records = stage('records', lambda: list(git._records(io.BytesIO(output))))
    raws = stage('raw', lambda: [git._raw_commit(record) for record in records])
    stage('prescreen', lambda: [evaluate.touches_nothing_protected(policy, raw.paths) for raw in raws])
    commits = stage('commit', lambda: [gather.to_commit(raw, '#') for raw in raws])
    stage('detect', lambda: [detect(policy.ai, commit) for commit in commits])
    assessments = stage('assess', lambda: [evaluate.assess(policy, commit) for commit in commits])
    by_commit_date = stage('assess_commit', lambda: [evaluate.assess(policy, commit, 'commit') for commit in commits])
    summary = Report('check', (), 'policy', checked=len(assessments), ai_assisted=0, refused_total=0,
                     overridden_total=0)
    sink = open(os.devnull, 'w', encoding='utf-8', errors='backslashreplace')  # noqa: SIM115 (closed below)
    for format in ('text', 'json', 'sarif', 'junit'):
        def write(format: str = format) -> None:
            body = reports_out.Spool(reports_out.SPOOL_BYTES)
            part = writer(format, cast(IO[str], body), 'check')
            for assessment in assessments:
                part.add(assessment)
            reports_out._copy(summary, part, cast(Any, body), sink)  # head, body and tail, as check writes them
            sink.flush()
            body.close()
        stage(format, write)
    sink.close()

    def audit() -> None:
        tally = Tally(policy, datetime.date.today(), False)
        nothing: frozenset[str] = frozenset()
        for assessment in by_commit_date:
            tally.add(commit_facts(policy, assessment, nothing.__contains__))
    stage('audit', audit)
    return {key: 1e6 * seconds / max(len(records), 1) for key, seconds in results.items()} | {
        'commits': len(records), 'megabytes': len(output) / 1e6,
    }


def _child(args: argparse.Namespace, repo: str, revisions: list[str], against: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(against))
    argv = [sys.executable, __file__, '--child', '--repo', repo, '--repeats', str(args.repeats),
            *(['--policy', args.policy] if args.policy else []), '--range', *revisions]
    done = subprocess.run(argv, capture_output=True, env=env, check=True)
    found: dict[str, float] = json.loads(done.stdout)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--history', choices=tuple(check_bench.HISTORIES), default='ai-heavy')
    parser.add_argument('--size', type=int, default=10_000, help='commits in the generated range (default 10000)')
    parser.add_argument('--repo', help='an existing repository instead of a generated history')
    parser.add_argument('--range', nargs='+', help='with --repo: the revisions (rev-list syntax)')
    parser.add_argument('--policy', help='with --repo: a policy file (default: the policy at the excluded side)')
    parser.add_argument('--repeats', type=int, default=5, help='runs of each stage; the best counts (default 5)')
    parser.add_argument('--against', help='also measure the trailgate package in this directory')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.update(GIT_CONFIG_GLOBAL='/dev/null', GIT_CONFIG_NOSYSTEM='1')
    if args.child:
        print(json.dumps(measure(args.repo, args.range, args.policy, args.repeats)))
        return 0
    root = None
    if args.repo:
        if not args.range:
            parser.error('--repo needs --range')
        repo, revisions = os.path.abspath(args.repo), args.range
    else:
        root = tempfile.mkdtemp(prefix='trailgate-stages-')
        env = benchlib.isolated_env(root)
        repo, refs, root_sha, _, _, _ = check_bench.build_repo(
            root, env, [args.size], 3000, 20260101, check_bench.HISTORIES[args.history])
        revisions = [f'{root_sha}..{refs[args.size]}']
        os.environ['HOME'] = root
    columns = {'this tree': _child(args, repo, revisions, os.path.join(os.path.dirname(__file__), '..'))}
    if args.against:
        columns = {'--against': _child(args, repo, revisions, args.against), **columns}
    first = next(iter(columns.values()))
    print(f'{repo} {" ".join(revisions)}: {first["commits"]:.0f} commits, {first["megabytes"]:.1f} MB of git log; '
          f'{os.cpu_count()} CPUs, load average {benchlib.load()}')
    print(f'microseconds of CPU per commit, best of {args.repeats} runs of each stage')
    print(benchlib.table(('stage', *columns), [
        (name, *(f'{found[key]:.2f}' for found in columns.values())) for name, key in STAGES
    ]))
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
