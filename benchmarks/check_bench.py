#!/usr/bin/env python3
"""Benchmark: ``trailgate check <root>..<tip>`` against bare ``git log``.

Budgets (the issue-12 table), at 10,000 commits:
- wall time of ``trailgate check`` (text report) <= 1.5x that of
  ``git log --no-renames --name-only -z`` over the same range, same
  repository, same run; ``--format json`` <= 2x;
- peak memory (max RSS) of the trailgate process < 100 MB for both, and
  flat as the range grows (1k, 10k, 50k commits).

Two generated histories (``--history``):
- ``realistic``: a monorepo's everyday history: a few thousand files, ~30%
  AI-assisted commits (Co-authored-by Claude, Assisted-by, Made-with:
  Cursor, the Claude Code footer), a tenth touching the policy's critical
  paths (some with the required trailers, some without; documentation
  trailers naming files that exist, files that do not, tickets and wiki
  links, so the cat-file lookups run), renames, deletions, Signed-off-by,
  break-glass, the occasional policy edit, and every ~50 commits a --no-ff
  merge of a short topic branch (fast-import ``merge``);
- ``ai-heavy``: the same generator with every commit under some rule and
  fewer compliant commits: ~30% AI-assisted, ~25% refused, the history a
  repository adopting trailgate audits.
One ``git fast-import`` stream writes each, with a branch ``bench-N`` at the
first point where ``<root>..bench-N`` holds at least N commits. The 20-rule
policy is committed in the root commit, the range's excluded side and so
the trusted base.

Each measurement is a fresh child, timed with os.wait4 (wall, CPU of the
child and every descendant it reaped, i.e. trailgate together with its git
processes); the baseline, trailgate's own git log, the text report and the
JSON report are run interleaved, ``--repeats`` times each, and medians are
printed. The Python process's own peak RSS is measured once per size and
format by a wrapper that prints getrusage(RUSAGE_SELF).ru_maxrss.

    .venv/bin/python benchmarks/check_bench.py [--history ai-heavy] [--sizes 1000,10000,50000] [--repeats 5]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

import benchlib

TEXT_RATIO = 1.5
JSON_RATIO = 2.0
BUDGET_SIZE = 10_000
BUDGET_RSS_MB = 100.0
FLAT_SLACK_MB = 10.0  # 50k commits may use this much more than 1k
START = 1735689600  # 2025-01-01T00:00:00Z

DEVELOPERS = (
    ('Pat Junior', 'pat@shop.example.com'), ('Quinn Quick', 'quinn@shop.example.com'),
    ('Ravi Rao', 'ravi@shop.example.com'), ('Sofia Silva', 'sofia@shop.example.com'),
    ('Tom Tran', 'tom@shop.example.com'), ('Uma Ueda', 'uma@shop.example.com'),
    ('Wen Wu', 'wen@shop.example.com'), ('Xavi Xu', 'xavi@shop.example.com'),
    ('Yara Young', 'yara@shop.example.com'), ('Zed Zimmer', 'zed@shop.example.com'),
    ('Ana Alves', 'ana@shop.example.com'), ('Ben Brandt', 'ben@shop.example.com'),
    ('Chloé Dubois', 'chloe@shop.example.com'), ('Jürgen Weiß', 'juergen@shop.example.com'),
)
EVERYONE = DEVELOPERS + tuple(p for people in benchlib.GROUPS.values() for p in people)
VERBS = ('Fix', 'Add', 'Refactor', 'Speed up', 'Simplify', 'Harden', 'Document', 'Remove',
         'Rename', 'Test', 'Handle', 'Log', 'Validate', 'Cache', 'Retry')
NOUNS = ('timeout handling', 'the retry loop', 'null totals', 'currency rounding', 'pagination',
         'the session cache', 'flaky test', 'error messages', 'config parsing', 'the CLI flags',
         'rate limiting', 'input validation', 'metrics labels', 'the health check', 'dead code')
WORDS = ('the', 'service', 'request', 'when', 'under', 'load', 'returns', 'value', 'customer',
         'order', 'before', 'after', 'this', 'change', 'keeps', 'behaviour', 'same', 'for',
         'callers', 'and', 'makes', 'tests', 'deterministic', 'with', 'retries', 'backoff')
AI_MARKS = (
    (0.40, ('Co-authored-by: Claude <noreply@anthropic.com>',)),
    (0.10, ('Co-authored-by: Claude Sonnet 4.5 <noreply@anthropic.com>',)),
    (0.15, ('Assisted-by: GitHub Copilot',)),
    (0.10, ('Assisted-by: ChatGPT (gpt-4o)',)),
    (0.15, ('Made-with: Cursor',)),
    (0.10, ('FOOTER', 'Co-authored-by: Claude <noreply@anthropic.com>')),
)
CLAUDE_FOOTER = '🤖 Generated with [Claude Code](https://claude.com/claude-code)'


class Mix(NamedTuple):
    """What share of commits does what."""

    ai: float  # AI-assisted
    critical: float  # touch a critical path
    compliant: float  # of those, carry every trailer the rule asks for


# A monorepo's everyday history: most commits touch nothing critical.
REALISTIC = Mix(ai=0.30, critical=0.10, compliant=0.6)
# A repository adopting trailgate audits its past: every commit is under some
# rule and every AI-assisted one without sign-off is refused (~25% refused).
AI_HEAVY = Mix(ai=0.30, critical=1.0, compliant=0.1)
HISTORIES = {'realistic': REALISTIC, 'ai-heavy': AI_HEAVY}


class History:
    """Generates the fast-import stream and remembers the repository's files."""

    def __init__(self, rng: random.Random, fi: benchlib.FastImport, n_files: int,
                 mix: Mix = REALISTIC) -> None:
        self.rng = rng
        self.mix = mix
        self.fi = fi
        self.when = START
        self.version: dict[str, int] = {}
        paths = benchlib.file_paths(n_files - 1)
        areas = benchlib.critical_dirs()
        self.critical: dict[str, list[str]] = {area: [] for area in areas}
        self.plain: list[str] = []  # modified anywhere, never renamed (topic branches use them)
        self.volatile: list[str] = []  # renamed and deleted on main only
        for path in paths:
            area = next((a for a in areas if path.startswith(a + '/')), None)
            if area is not None:
                self.critical[area].append(path)
            elif path.startswith(('tools/', 'web/pages/')):
                self.volatile.append(path)
            else:
                self.plain.append(path)
        self.docs: list[str] = []  # docs/changes files that exist
        self.doc_serial = 0
        self.created = 0  # commits after the root
        self.stats = {'ai': 0, 'critical': 0, 'compliant': 0, 'renames': 0, 'merges': 0,
                      'policy_edits': 0, 'break_glass': 0}

    # -- pieces ---------------------------------------------------------------

    def tick(self) -> int:
        self.when += self.rng.randint(120, 1200)
        return self.when

    def modify(self, path: str) -> tuple:
        self.version[path] = self.version.get(path, 0) + 1
        return ('M', path, benchlib.file_body(path, self.version[path]))

    def body(self) -> str:
        paragraphs = []
        for _ in range(self.rng.choice((0, 1, 1, 2, 3))):
            words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(8, 40))]
            lines, line = [], ''
            for word in words:
                if len(line) + len(word) > 70:
                    lines.append(line)
                    line = word
                else:
                    line = f'{line} {word}'.strip()
            lines.append(line)
            paragraphs.append('\n'.join(lines).capitalize())
        return '\n\n'.join(paragraphs)

    def message(self, subject: str, footer: list[str], trailers: list[str]) -> str:
        parts = [subject]
        body = self.body()
        if body:
            parts.append(body)
        if self.rng.random() < 0.02:  # a review line in the body is not a trailer
            parts.append('Reviewed-by: Alice Archer <alice@shop.example.com> said this looks fine.')
        parts.extend(footer)
        if trailers:
            parts.append('\n'.join(trailers))
        return '\n\n'.join(parts) + '\n'

    def ai_trailers(self) -> tuple[list[str], list[str]]:
        """(footer paragraphs, trailers) of one AI-assisted commit."""
        pick, total, marks = self.rng.random(), 0.0, AI_MARKS[-1][1]
        for share, candidate in AI_MARKS:
            total += share
            if pick < total:
                marks = candidate
                break
        footer = [CLAUDE_FOOTER] if 'FOOTER' in marks else []
        return footer, [mark for mark in marks if mark != 'FOOTER']

    def doc_value(self, changes: list[tuple]) -> str:
        choice = self.rng.random()
        if choice < 0.35:  # a new change document in the same commit: exists
            self.doc_serial += 1
            path = f'docs/changes/{self.doc_serial:05d}-change.md'
            changes.append(self.modify(path))
            self.docs.append(path)
            return path
        if choice < 0.55 and self.docs:  # an older one: exists
            return self.rng.choice(self.docs)
        if choice < 0.70:  # a file that is not there: looked up, not found
            return f'docs/changes/missing-{self.rng.randint(1, 99999)}.md'
        if choice < 0.85:
            return f'PAY-{self.rng.randint(100, 9999)}'
        return f'https://wiki.shop.example.com/changes/{self.rng.randint(1, 99999)}'

    # -- commits --------------------------------------------------------------

    def root(self) -> int:
        changes = [('M', '.trailgate/policy.yaml', benchlib.policy_yaml().encode())]
        for paths in (*self.critical.values(), self.plain, self.volatile):
            changes.extend(self.modify(path) for path in paths)
        senior = benchlib.SENIORS[0]
        return self.fi.commit('refs/heads/main', senior, senior, self.tick(),
                              'Initial import with the trailgate policy\n', changes)

    def ordinary(self, ref: str, parent: int, topic: bool = False) -> tuple[int, list[str]]:
        """One commit; returns its mark and the paths it set (for merges)."""
        rng = self.rng
        author = rng.choice(EVERYONE)
        changes: list[tuple] = []
        trailers: list[str] = []
        footer: list[str] = []
        ai = rng.random() < self.mix.ai
        if ai:
            self.stats['ai'] += 1
            footer, trailers = self.ai_trailers()
        elif rng.random() < 0.02:
            trailers.append('Assisted-by: none')
        subject = f'{rng.choice(VERBS)} {rng.choice(NOUNS)}'
        if rng.random() < self.mix.critical:
            self.stats['critical'] += 1
            rule = rng.choice(benchlib.RULES)
            files = self.critical[rule.area]
            for path in rng.sample(files, min(len(files), rng.randint(1, 3))):
                changes.append(self.modify(path))
            subject = f'{rule.area.split("/")[-1]}: {subject.lower()}'
            if rng.random() < 0.5 and not topic:
                author = rng.choice(benchlib.SENIORS + DEVELOPERS[:4])
            if rng.random() < self.mix.compliant:  # the trailers the rule asks for
                self.stats['compliant'] += 1
                people = [p for p in benchlib.GROUPS[rule.group] if p != author]
                for name, email in people[:rule.count]:
                    trailers.append(f'Reviewed-by: {name} <{email}>')
                if rule.documentation:
                    trailers.append(f'Change-Doc: {self.doc_value(changes)}')
                for key in rule.trailers:
                    trailers.append(f'{key}: revert and redeploy {rule.area}')
            elif rng.random() < 0.5:  # half-way: one review, maybe the author's own
                reviewer = rng.choice((author, *benchlib.GROUPS[rule.group]))
                trailers.append(f'Reviewed-by: {reviewer[0]} <{reviewer[1]}>')
            if rng.random() < 0.03:
                self.stats['break_glass'] += 1
                author = rng.choice(benchlib.SRE + DEVELOPERS[:2])
                trailers.append('Break-Glass: incident INC-4242, payments down')
        else:
            for path in rng.sample(self.plain, rng.randint(1, 4)):
                changes.append(self.modify(path))
        if not topic:
            roll = rng.random()
            if roll < 0.03 and self.volatile:  # rename (both paths count)
                self.stats['renames'] += 1
                index = rng.randrange(len(self.volatile))
                old = self.volatile[index]
                new = old.rsplit('/', 1)[0] + f'/r{self.created:05d}-' + old.rsplit('/', 1)[1]
                changes.append(('R', old, new))
                self.volatile[index] = new
                self.version[new] = self.version.pop(old, 0)
            elif roll < 0.04 and self.volatile:  # delete
                index = rng.randrange(len(self.volatile))
                changes.append(('D', self.volatile[index]))
                self.version.pop(self.volatile[index], None)
                self.volatile[index] = self.volatile[-1]
                self.volatile.pop()
            elif roll < 0.07:  # a new file
                path = f'src/app/new/f{self.created:06d}.py'
                changes.append(self.modify(path))
                self.volatile.append(path)
            elif roll < 0.0705:  # the policy itself (policy_owners)
                self.stats['policy_edits'] += 1
                text = benchlib.policy_yaml() + f'# revised {self.created}\n'
                changes.append(('M', '.trailgate/policy.yaml', text.encode()))
                subject = 'policy: clarify comments'
        if rng.random() < 0.2:
            trailers.append(f'Signed-off-by: {author[0]} <{author[1]}>')
        mark = self.fi.commit(ref, author, author, self.tick(),
                              self.message(subject, footer, trailers), changes, parent=parent)
        self.created += 1
        return mark, [change[1] for change in changes if change[0] == 'M']

    def merge(self, main_marks: list[int]) -> int:
        """A short topic branch forked a few commits back, merged --no-ff."""
        rng = self.rng
        fork = main_marks[-min(len(main_marks), rng.randint(1, 6))]
        tip, touched = fork, []
        for _ in range(rng.randint(1, 4)):
            tip, paths = self.ordinary('refs/heads/topic', tip, topic=True)
            touched.extend(paths)
        # the merge result keeps every topic change (files are whole contents)
        changes = [('M', path, benchlib.file_body(path, self.version[path]))
                   for path in dict.fromkeys(touched) if path in self.version]
        self.stats['merges'] += 1
        merger = rng.choice(benchlib.SENIORS)
        message = f"Merge branch 'topic/{self.created}' into main\n"
        mark = self.fi.commit('refs/heads/main', merger, merger, self.tick(), message, changes,
                              parent=main_marks[-1], merges=(tip,))
        self.created += 1
        return mark


def build_repo(root: str, env: dict[str, str], sizes: list[int], n_files: int, seed: int,
               mix: Mix = REALISTIC) -> tuple[str, dict[int, str], str, dict[str, int], float, float]:
    work = os.path.join(root, 'repo')
    os.makedirs(work)
    benchlib.git(env, work, 'init', '-q', '-b', 'main')
    stream = os.path.join(root, 'history.fi')
    start = time.perf_counter()
    fi = benchlib.FastImport(stream)
    history = History(random.Random(seed), fi, n_files, mix)
    main_marks = [history.root()]
    targets = sorted(sizes)
    tips: dict[int, int] = {}
    next_merge = 50
    while targets:
        if history.created >= next_merge:
            main_marks.append(history.merge(main_marks))
            next_merge = history.created + history.rng.randint(45, 55)
        else:
            mark, _ = history.ordinary('refs/heads/main', main_marks[-1])
            main_marks.append(mark)
        while targets and history.created >= targets[0]:
            target = targets.pop(0)
            tips[target] = main_marks[-1]
            fi.reset(f'refs/heads/bench-{target}', main_marks[-1])
    fi.reset('refs/heads/main', main_marks[-1])
    fi.reset('refs/heads/topic', main_marks[-1])
    fi.close()
    generate_seconds = time.perf_counter() - start
    import_seconds = benchlib.fast_import(env, work, stream)
    os.unlink(stream)
    root_sha = benchlib.git(env, work, 'rev-list', '--max-parents=0', 'main').decode().split()[0]
    refs = {size: f'bench-{size}' for size in tips}
    return work, refs, root_sha, history.stats, generate_seconds, import_seconds


# -- measuring --------------------------------------------------------------------

_WRAPPER = (
    'import resource, sys\n'
    'from trailgate.main import main\n'
    'rc = main(sys.argv[1:])\n'
    'own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n'
    'children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n'
    'sys.stderr.write(f"\\nTRAILGATE-RSS {own} {children}\\n")\n'
    'raise SystemExit(rc)\n'
)


def python_rss(work: str, env: dict[str, str], args: list[str]) -> tuple[float, float]:
    """(trailgate's own max RSS, its git children's max RSS), in MB."""
    run = benchlib.run_measured((benchlib.PYTHON, '-c', _WRAPPER, *args), work, env,
                                stdout=subprocess.DEVNULL)
    for line in reversed(run.stderr.decode(errors='replace').splitlines()):
        if line.startswith('TRAILGATE-RSS '):
            own, children = line.split()[1:]
            return int(own) / 1024, int(children) / 1024
    raise SystemExit(f'no RSS line from the wrapper: {run.stderr[-2000:]!r}')


def checked(run: benchlib.Run, what: str) -> benchlib.Run:
    if run.returncode not in (0, 1):
        sys.stderr.write(run.stderr.decode(errors='replace')[-4000:])
        raise SystemExit(f'{what} exited {run.returncode}')
    return run


def profile(work: str, env: dict[str, str], args: list[str], root: str, top: int) -> None:
    import pstats

    out = os.path.join(root, 'check.prof')
    subprocess.run((benchlib.PYTHON, '-m', 'cProfile', '-o', out, benchlib.TRAILGATE, *args),
                   cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for key in ('cumulative', 'tottime'):
        print(f'\ncProfile of `trailgate {" ".join(args)}`, top {top} by {key}:')
        stats = pstats.Stats(out, stream=sys.stdout)
        stats.strip_dirs().sort_stats(key).print_stats(top)


def _summary_numbers(head: bytes) -> dict[str, int]:
    text = head.decode(errors='replace')
    start = text.find('"summary"')
    end = text.find('}', start)
    try:
        summary: dict[str, int] = json.loads('{' + text[start:end + 1] + '}')['summary']
    except ValueError:
        return {}
    return summary


def measure_size(work: str, env: dict[str, str], rng: str, repeats: int) -> dict[str, list[benchlib.Run]]:
    """Interleaved runs: the baseline, trailgate's own git log, check (text), check --format json."""
    commands = {
        'git': (*GIT_LOG, rng),
        'tggit': (*TG_GIT_LOG, rng, '--'),
        'text': (benchlib.TRAILGATE, 'check', rng),
        'json': (benchlib.TRAILGATE, 'check', '--format', 'json', rng),
    }
    benchlib.run_measured(commands['git'], work, env, keep_stdout=False)  # warm the cache
    runs: dict[str, list[benchlib.Run]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, argv in commands.items():
            if name == 'text':
                run = benchlib.run_measured(argv, work, env, stdout=subprocess.DEVNULL)
            else:
                run = benchlib.run_measured(argv, work, env, keep_stdout=False, keep_head=1 << 16)
            runs[name].append(checked(run, ' '.join(argv[:4])) if name in ('text', 'json') else run)
    return runs


GIT_LOG = ('git', 'log', '--no-renames', '--name-only', '-z')
TG_GIT_LOG = ('git', 'log', '-z', '--root', '--no-renames', '-c', '--name-only', '--no-abbrev',
              '--format=%x00TGSTART%x00%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%ct%x00%B')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--history', choices=tuple(HISTORIES), default='realistic',
                        help='realistic (10%% of commits critical) or ai-heavy (every commit under a '
                             'rule, ~25%% refused); default realistic')
    parser.add_argument('--sizes', default='1000,10000,50000',
                        help='range sizes in commits, comma-separated (default 1000,10000,50000)')
    parser.add_argument('--files', type=int, default=3000, help='files in the repository (default 3000)')
    parser.add_argument('--repeats', type=int, default=5, help='timed runs per size and command (default 5)')
    parser.add_argument('--seed', type=int, default=20260101, help='history generator seed')
    parser.add_argument('--profile', type=int, metavar='SIZE', default=0,
                        help='also run trailgate once under cProfile on the SIZE range')
    parser.add_argument('--profile-format', default='text', help='report format of the profiled run')
    parser.add_argument('--profile-top', type=int, default=30, help='profile lines (default 30)')
    parser.add_argument('--no-bytecode-cache', action='store_true',
                        help='keep an inherited PYTHONDONTWRITEBYTECODE')
    parser.add_argument('--keep', action='store_true', help='keep the temporary repository')
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(',') if size})

    root = tempfile.mkdtemp(prefix='trailgate-check-bench-')
    env = benchlib.isolated_env(root, bytecode_cache=not args.no_bytecode_cache)
    work, refs, root_sha, stats, generate_s, import_s = build_repo(
        root, env, sizes, args.files, args.seed, HISTORIES[args.history])
    total = int(benchlib.git(env, work, 'rev-list', '--count', 'main'))
    print(f'repository: {work} ({args.history} history)')
    print(f'  product: {benchlib.product_version()}')
    print(f'  {total} commits, {args.files} files at the root, generated in {generate_s:.1f} s, '
          f'fast-import {import_s:.1f} s; seed {args.seed}')
    print(f'  after the root: {stats}')
    print(f'  ({100 * stats["ai"] / max(total - 1, 1):.0f}% AI-assisted, '
          f'{100 * stats["critical"] / max(total - 1, 1):.0f}% touching critical paths)')
    print(f'  policy: 20 rules at {root_sha[:12]} (root commit, the trusted base); '
          f'{os.cpu_count()} CPUs, load average {benchlib.load()}')

    rows, over_budget, rss = [], [], {'text': [], 'json': []}
    for size in sizes:
        rng = f'{root_sha}..{refs[size]}'
        commits = int(benchlib.git(env, work, 'rev-list', '--count', rng))
        runs = measure_size(work, env, rng, args.repeats)
        wall = {name: benchlib.median([run.seconds for run in found]) for name, found in runs.items()}
        cpu = {name: benchlib.median([run.cpu_seconds for run in found]) for name, found in runs.items()}
        own = {fmt: python_rss(work, env, ['check', *(['--format', 'json'] if fmt == 'json' else []), rng])[0]
               for fmt in ('text', 'json')}
        summary = _summary_numbers(runs['json'][-1].stdout)
        refused = 100 * summary.get('refused', 0) / max(commits, 1)
        ai = 100 * summary.get('ai_assisted', 0) / max(commits, 1)
        rows.append((
            f'{commits}', f'{wall["git"]:.3f}', f'{cpu["git"]:.2f}', f'{wall["tggit"]:.3f}',
            f'{wall["text"]:.3f}', f'{cpu["text"]:.2f}', f'{wall["text"] / wall["git"]:.2f}x',
            f'{wall["json"]:.3f}', f'{cpu["json"]:.2f}', f'{wall["json"] / wall["git"]:.2f}x',
            f'{own["text"]:.1f}', f'{own["json"]:.1f}', f'{runs["json"][-1].stdout_bytes / 1e6:.1f}',
            f'{ai:.0f}%', f'{refused:.0f}%',
        ))
        for fmt, budget in (('text', TEXT_RATIO), ('json', JSON_RATIO)):
            ratio = wall[fmt] / wall['git']
            rss[fmt].append(own[fmt])
            if size == BUDGET_SIZE and ratio > budget:
                over_budget.append(f'{size} {fmt}: time ratio {ratio:.2f}x > {budget}x')
            if own[fmt] >= BUDGET_RSS_MB:
                over_budget.append(f'{size} {fmt}: max RSS {own[fmt]:.1f} MB >= {BUDGET_RSS_MB:.0f} MB')
        print(f'  measured {commits} commits ({time.strftime("%H:%M:%S")}, load {benchlib.load()})',
              flush=True)

    print()
    print(f'trailgate check <root>..bench-N ({args.history}): median of {args.repeats} interleaved runs, '
          f'wall and CPU (user+sys, with git) seconds; text report to /dev/null, JSON drained '
          f'through a pipe; RSS = the trailgate process alone (RUSAGE_SELF, one run)')
    print(benchlib.table(
        ('commits', 'git log s', 'git cpu', "tg's git log s", 'text s', 'text cpu', 'text ratio',
         'json s', 'json cpu', 'json ratio', 'RSS text MB', 'RSS json MB', 'json MB', 'AI', 'refused'),
        rows))
    print("  git log = git log --no-renames --name-only -z RANGE (the budget's baseline);")
    print("  tg's git log = the exact git log trailgate runs (-c, --root, its --format), for reference")
    print()
    print(f'budget at ~{BUDGET_SIZE} commits: text <= {TEXT_RATIO}x, json <= {JSON_RATIO}x git log; '
          f'max RSS < {BUDGET_RSS_MB:.0f} MB at every size, flat as the range grows')
    for fmt, values in rss.items():
        print(f'  RSS {fmt} across sizes: {" -> ".join(f"{value:.1f}" for value in values)} MB')
        if len(values) > 1 and values[-1] > values[0] + FLAT_SLACK_MB:
            over_budget.append(f'{fmt}: RSS grows {values[0]:.1f} -> {values[-1]:.1f} MB')
    if BUDGET_SIZE not in sizes:
        print(f'  (no {BUDGET_SIZE}-commit range measured: the time budget was not checked)')
    print(f'  {"MISS: " + "; ".join(over_budget) if over_budget else "PASS"}')
    if args.profile:
        size = min(sizes, key=lambda s: abs(s - args.profile))
        fmt = ['--format', args.profile_format]
        profile(work, env, ['check', *fmt, f'{root_sha}..{refs[size]}'], root, args.profile_top)
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 1 if over_budget else 0


if __name__ == '__main__':
    raise SystemExit(main())
