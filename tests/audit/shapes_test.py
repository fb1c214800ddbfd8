"""``audit`` over histories shaped to mislead: floods of tool names, dates far
in the past, empty ranges, merges only."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from testing.util import git
from testing.util import init_repo
from testing.util import trailgate
from tests.audit.html_format_test import Page

POLICY = 'version: 1\nrules:\n  - id: all\n    paths: ["**"]\n    require:\n      trailers: [Rollback-Plan]\n'
JAN_2026 = 1767225600


def _data(text: str) -> str:
    return f'data {len(text.encode())}\n{text}'


def _history(path: Path, commits: list[tuple[int, str]]) -> Path:
    """One commit per (date, message), oldest first, each changing its own file."""
    init_repo(path)
    stream = []
    for mark, (when, text) in enumerate(commits, start=1):
        files = {'.trailgate/policy.yaml': POLICY} if mark == 1 else {f'f{mark}.txt': f'{mark}\n'}
        stream.append(f'commit refs/heads/main\nmark :{mark}\nauthor A <a@example.com> {when} +0000\n'
                      f'committer A <a@example.com> {when} +0000\n' + _data(text)
                      + (f'from :{mark - 1}\n' if mark > 1 else '')
                      + ''.join(f'M 100644 inline {name}\n' + _data(content) for name, content in files.items())
                      + '\n')
    git(path, 'fast-import', '--quiet', '--done', input=''.join(stream) + 'done\n')
    git(path, 'reset', '-q', '--hard', 'main')
    return path


def _audit(repo: Path, *args: str) -> tuple[dict[str, object], str, str]:
    out = repo.parent
    result = trailgate(repo, 'audit', '-q', '--json', str(out / 'a.json'), '--html', str(out / 'a.html'),
                       '--csv', str(out / 'a.csv'), *args)
    assert result.returncode == 0, result.stderr
    return (json.loads((out / 'a.json').read_text()), (out / 'a.html').read_text(),
            (out / 'a.csv').read_text())


def test_a_flood_of_tool_names_folds_only_names_commits_wrote(tmp_path: Path) -> None:
    commits = [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, 'No mark\n')]
    commits += [(JAN_2026 + 120 + i, 'Claude\n\nCo-authored-by: Claude <noreply@anthropic.com>\n') for i in range(3)]
    commits += [(JAN_2026 + 600 + i, f'Junk\n\nAssisted-by: Junk{i}\n') for i in range(250)]  # newest: seen first
    document, html, _ = _audit(_history(tmp_path / 'repo', commits))

    tools = {(row['id'], row['tool']): row['commits'] for row in document['tools']}  # type: ignore[index]
    assert tools[('claude-code-co-author', 'Claude Code')] == 3
    assert tools[('no-mark', '(no mark found)')] == 2
    assert tools[('(other)', '(other)')] == 50
    assert 'No mark found: 2 of 255 commits' in _text(html)


def _text(html: str) -> str:
    page = Page()
    page.feed(html)
    return ''.join(page.text)


def test_a_few_commits_dated_long_before_the_rest_are_counted_but_not_drawn(tmp_path: Path) -> None:
    day = 86400
    commits = [(JAN_2026, 'Adopt the policy\n'), (0, 'Dated 1970\n\nAssisted-by: x\n')]
    commits += [(JAN_2026 + i * 3 * day, f'Change {i}\n') for i in range(1, 60)]  # to the end of June 2026
    document, html, _ = _audit(_history(tmp_path / 'repo', commits))

    periods = document['periods']
    assert document['granularity'] == 'month'
    assert periods[0]['start'] == '1970-01-01'  # type: ignore[index]
    assert sum(row['commits'] for row in periods) == 61  # type: ignore[union-attr]
    text = _text(html)
    assert '1 commits dated from 1970-01-01 to before 2026-01-01' in text
    assert '6 months from 2026-01-01 to 2026-06-' in text


def test_an_empty_range_is_an_empty_report(tmp_path: Path) -> None:
    repo = _history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, 'Change\n')])
    for args in (('HEAD..HEAD',), ('--since', '2030-01-01')):
        document, html, table = _audit(repo, *args)
        assert document['totals']['commits'] == 0  # type: ignore[index]
        assert list(csv.reader(io.StringIO(table)))[1:] == []
        assert '<h1>' in html and 'no commits' in html


def test_merges_octopus_and_a_second_root(tmp_path: Path) -> None:
    repo = _history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, 'Base\n')])
    git(repo, 'checkout', '-q', '--orphan', 'other')
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'Another root')
    for branch in ('a', 'b'):
        git(repo, 'checkout', '-q', '-b', branch, 'main')
        git(repo, 'commit', '-q', '--allow-empty', '-m', f'Empty {branch}\n\nAssisted-by: x')
    git(repo, 'checkout', '-q', 'main')
    git(repo, 'merge', '-q', '--no-ff', '-m', 'Octopus', 'a', 'b')
    git(repo, 'merge', '-q', '--no-ff', '--allow-unrelated-histories', '-m', 'Merge the other root', 'other')

    document, _, table = _audit(repo)
    merges_only, _, _ = _audit(repo, 'HEAD', '^a', '^b', '^other')

    totals = document['totals']
    assert (totals['commits'], totals['merges'], totals['ai_assisted']) == (7, 2, 2)  # type: ignore[index]
    assert len(list(csv.DictReader(io.StringIO(table)))) == 7
    assert (merges_only['totals']['commits'], merges_only['totals']['merges']) == (2, 2)  # type: ignore[index]
