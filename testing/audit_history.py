"""A generated history whose audit figures are known by construction.

``build`` writes it with one ``git fast-import`` and returns, next to the
repository, the figures the audit must find, counted from the recipe that
made each commit (never from trailgate).
"""
from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from testing.util import git
from testing.util import init_repo

START = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.timezone.utc)  # a Monday
DAYS = 60
WINDOW = (20, 39)  # days of the rule's active window, inclusive
POLICY = f"""\
version: 1
groups:
  senior: [alice@example.com, bob@example.com]
  sre: [carol@example.com]
rules:
  - id: tier1
    paths: ["pay/**"]
    active: {{from: {(START + datetime.timedelta(days=WINDOW[0])).date()}, \
until: {(START + datetime.timedelta(days=WINDOW[1])).date()}}}
    require:
      reviews: {{group: senior, count: 2}}
overrides:
  group: sre
"""
ATTRIBUTES = 'gen/** linguist-generated\n'
DEV = ('Dev Eloper', 'dev@example.com')
CAROL = ('Carol Chen', 'carol@example.com')
REVIEWS = 'Reviewed-by: Alice <alice@example.com>\nReviewed-by: Bob <bob@example.com>\n'
HOSTILE = '<script>alert(1)</script><svg onload=alert(2)>"\'&</svg> =HYPERLINK("x")'


class Recipe(NamedTuple):
    kind: str
    author: tuple[str, str]
    message: str
    path: str
    ai: bool
    tool: str | None  # catalogue id of its mark
    critical: bool


# one recipe per day, in a fixed cycle
CYCLE = (
    Recipe('ai-unreviewed', DEV, f'{HOSTILE} change\n\nCo-authored-by: Claude <noreply@anthropic.com>\n',
           'pay/a.py', True, 'claude-code-co-author', True),
    Recipe('ai-reviewed', DEV, f'Reviewed change\n\nMade-with: Cursor\n{REVIEWS}', 'pay/b.py', True,
           'cursor-made-with', True),
    Recipe('human', DEV, 'Human change\n', 'web/c.py', False, None, False),
    Recipe('ai-other', ('Dev Eloper (aider)', 'dev@example.com'), '=1+1 tweak\n', 'web/d.py', True,
           'aider-author-name', False),
    Recipe('ai-break-glass', CAROL, 'Hotfix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n'
           'Break-Glass: outage INC-1\n', 'pay/e.py', True, 'claude-code-co-author', True),
    Recipe('squash', DEV, 'Squashed feature (#12)\n\n* first step\n\n* second step\n', 'gen/f.txt', False,
           None, False),
)


class Expected(NamedTuple):
    commits: int
    ai: int
    tools: dict[str, int]
    met: int
    unmet: int
    overridden: int
    not_required: int
    squash: int
    break_glass_inside: int
    break_glass_outside: int
    lines: int
    ai_lines: int
    merges: int
    reviews: int
    directory_lines: dict[str, tuple[int, int]]  # top-level directory -> (lines, AI-assisted lines)


def _day(index: int) -> datetime.datetime:
    return START + datetime.timedelta(days=index)


def _data(text: str) -> str:
    return f'data {len(text.encode())}\n{text}'


def build(path: Path) -> tuple[Path, Expected]:
    init_repo(path)
    stream = []
    counts: Counter[str] = Counter()
    tools: Counter[str] = Counter()
    lines = ai_lines = reviews = 0
    by_directory: Counter[str] = Counter()
    ai_by_directory: Counter[str] = Counter()

    def commit(mark: int, when: datetime.datetime, author: tuple[str, str], message: str,
               files: dict[str, str], parents: tuple[int, ...]) -> None:
        stamp = f'{int(when.timestamp())} +0000'
        stream.append(f'commit refs/heads/main\nmark :{mark}\n'
                      f'author {author[0]} <{author[1]}> {stamp}\ncommitter {author[0]} <{author[1]}> {stamp}\n'
                      + _data(message))
        if parents:
            stream.append(f'from :{parents[0]}\n' + ''.join(f'merge :{p}\n' for p in parents[1:]))
        for name, content in files.items():
            stream.append(f'M 100644 inline {name}\n' + _data(content))
        stream.append('\n')

    commit(1, _day(0) - datetime.timedelta(hours=6), DEV,
           'Add the policy\n', {'.trailgate/policy.yaml': POLICY, '.gitattributes': ATTRIBUTES}, ())
    lines += POLICY.count('\n') + ATTRIBUTES.count('\n')
    by_directory['.trailgate'] += POLICY.count('\n')
    by_directory['(top level)'] += ATTRIBUTES.count('\n')
    for index in range(DAYS):
        recipe = CYCLE[index % len(CYCLE)]
        added = index % 5 + 1
        commit(index + 2, _day(index), recipe.author, recipe.message,
               {recipe.path: f'v{index}\n' * added}, (index + 1,))
        inside = WINDOW[0] <= index <= WINDOW[1]
        counts[recipe.kind] += 1
        if recipe.tool:
            tools[recipe.tool] += 1
        generated = recipe.path.startswith('gen/')
        previous = _previous_lines(recipe, index)
        changed = 0 if generated else added + previous
        lines += changed
        ai_lines += changed if recipe.ai else 0
        if not generated:
            by_directory[recipe.path.split('/')[0]] += changed
            ai_by_directory[recipe.path.split('/')[0]] += changed if recipe.ai else 0
        if recipe.kind in ('ai-unreviewed', 'ai-break-glass'):
            counts['unmet' if inside and recipe.kind == 'ai-unreviewed' else
                   'overridden' if inside else 'not-required'] += 1
            counts[f'break-glass-{"inside" if inside else "outside"}'] += recipe.kind == 'ai-break-glass'
        if recipe.kind == 'ai-reviewed':
            counts['met' if inside else 'not-required'] += 1
            reviews += 2 if inside else 0
    side = DAYS + 2
    commit(side, _day(DAYS - 1) + datetime.timedelta(hours=1), DEV, 'Side\n', {'side.txt': 'side\n'}, (DAYS + 1,))
    commit(side + 1, _day(DAYS - 1) + datetime.timedelta(hours=2), DEV, 'Merge side\n', {'side.txt': 'side\n'},
           (DAYS + 1, side))
    lines += 1
    by_directory['(top level)'] += 1  # side.txt; the clean merge's combined diff shows no path
    git(path, 'fast-import', '--quiet', '--done', input=''.join(stream) + 'done\n')
    git(path, 'reset', '-q', '--hard', 'main')
    ai = sum(1 for index in range(DAYS) if CYCLE[index % len(CYCLE)].ai)
    return path, Expected(
        commits=DAYS + 3, ai=ai, tools=dict(tools), met=counts['met'], unmet=counts['unmet'],
        overridden=counts['overridden'], not_required=counts['not-required'], squash=counts['squash'],
        break_glass_inside=counts['break-glass-inside'], break_glass_outside=counts['break-glass-outside'],
        lines=lines, ai_lines=ai_lines, merges=1, reviews=reviews,
        directory_lines={name: (count, ai_by_directory[name]) for name, count in by_directory.items()},
    )


def _previous_lines(recipe: Recipe, index: int) -> int:
    """Lines the commit deletes: what the last commit of the same recipe wrote to that path."""
    earlier = index - len(CYCLE)
    return earlier % 5 + 1 if earlier >= 0 else 0
