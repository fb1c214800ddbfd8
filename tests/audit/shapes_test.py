"""``audit`` over histories shaped to mislead: floods of tool names and directories, megabytes of
text, dates long ago and after today, --since/--until edges, empty ranges, merges only."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from testing.util import git
from testing.util import init_repo
from testing.util import trailgate
from tests.audit.html_format_test import Page

POLICY = 'version: 1\nrules:\n  - id: all\n    paths: ["**"]\n    require:\n      trailers: [Rollback-Plan]\n'
JAN_2026 = 1767225600


def _data(text: str) -> str:
    return f'data {len(text.encode())}\n{text}'


def dated_history(path: Path, commits: list[tuple[int, str]], policy: str = POLICY) -> Path:
    """One commit per (date, message), oldest first, each changing its own file."""
    init_repo(path)
    stream = []
    for mark, (when, text) in enumerate(commits, start=1):
        files = {'.trailgate/policy.yaml': policy} if mark == 1 else {f'f{mark}.txt': f'{mark}\n'}
        stream.append(f'commit refs/heads/main\nmark :{mark}\nauthor A <a@example.com> {when} +0000\n'
                      f'committer A <a@example.com> {when} +0000\n' + _data(text)
                      + (f'from :{mark - 1}\n' if mark > 1 else '')
                      + ''.join(f'M 100644 inline {name}\n' + _data(content) for name, content in files.items())
                      + '\n')
    git(path, 'fast-import', '--quiet', '--done', input=''.join(stream) + 'done\n')
    git(path, 'reset', '-q', '--hard', 'main')
    return path


def _audit(repo: Path, *args: str) -> tuple[dict[str, Any], str, str]:
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
    document, html, _ = _audit(dated_history(tmp_path / 'repo', commits))

    tools = {(row['id'], row['tool']): row['commits'] for row in document['tools']}
    assert tools[('claude-code-co-author', 'Claude Code')] == 3
    assert tools[('no-mark', '(no mark found)')] == 2
    junk = sum(count for (source, _), count in tools.items() if source in ('ai.disclosure_trailers', '(other)'))
    assert junk == 250 and tools[('(other)', '(other)')] >= 50
    assert 'No mark found: 2 of 255 commits' in _text(html)



def test_the_table_of_tools_holds_200_names_commits_wrote_and_folds_at_the_201st(tmp_path: Path) -> None:
    """The cap docs/audit-json.md gives: 200 names a commit wrote are 200
    rows; one more folds the lighter half, the first seen first among equals
    (git log lists the newest commit, and its Tool200, first)."""
    names = ''.join(f'Assisted-by: Tool{i}\n' for i in range(200))
    repo = dated_history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, f'Many\n\n{names}'),
                                             (JAN_2026 + 120, 'One more\n\nAssisted-by: Tool200\n')])
    full, _, _ = _audit(repo, 'HEAD~1')
    assert 'tools' not in full['folded']
    assert sum(row['id'] == 'ai.disclosure_trailers' for row in full['tools']) == 200
    over, _, _ = _audit(repo, 'HEAD')
    assert over['folded']['tools'] == 100
    rows = {row['tool']: row['commits'] for row in over['tools']}
    assert (rows['(other)'], len(rows)) == (100, 1 + 101 + 1)  # (other), the unfolded names, no-mark
    assert 'Tool200' not in rows and 'Tool98' not in rows and rows['Tool99'] == 1

def _text(html: str) -> str:
    page = Page()
    page.feed(html)
    return ''.join(page.text)


def test_a_few_commits_dated_long_before_the_rest_are_counted_but_not_drawn(tmp_path: Path) -> None:
    day = 86400
    commits = [(JAN_2026, 'Adopt the policy\n'), (0, 'Dated 1970\n\nAssisted-by: x\n')]
    commits += [(JAN_2026 + i * 3 * day, f'Change {i}\n') for i in range(1, 60)]  # to the end of June 2026
    document, html, _ = _audit(dated_history(tmp_path / 'repo', commits))

    periods = document['periods']
    assert document['granularity'] == 'month'
    assert periods[0]['start'] == '1970-01-01'
    assert sum(row['commits'] for row in periods) == 61
    text = _text(html)
    assert '1 commits dated from 1970-01-01 to before 2026-01-01' in text
    assert '6 months from 2026-01-01 to 2026-06-' in text


def test_an_empty_range_is_an_empty_report(tmp_path: Path) -> None:
    repo = dated_history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, 'Change\n')])
    for args in (('HEAD..HEAD',), ('--since', '2030-01-01')):
        document, html, table = _audit(repo, *args)
        assert document['totals']['commits'] == 0
        assert list(csv.reader(io.StringIO(table)))[1:] == []
        assert '<h1>' in html and 'no commits' in html


def test_merges_octopus_and_a_second_root(tmp_path: Path) -> None:
    repo = dated_history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, 'Base\n')])
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
    assert (totals['commits'], totals['merges'], totals['ai_assisted']) == (7, 2, 2)
    assert len(list(csv.DictReader(io.StringIO(table)))) == 7
    assert (merges_only['totals']['commits'], merges_only['totals']['merges']) == (2, 2)


def test_a_commit_touching_thousands_of_directories_does_not_push_out_the_real_ones(tmp_path: Path) -> None:
    repo = dated_history(tmp_path / 'repo', [(JAN_2026 + i, f'Change {i}\n') for i in range(30)])
    flood = ''.join(f'M 100644 inline junk{i}/f\n' + _data('x\n') for i in range(2_500))
    git(repo, 'fast-import', '--quiet', '--done', input=(
        f'commit refs/heads/main\nauthor E <e@example.com> {JAN_2026 + 99} +0000\n'
        f'committer E <e@example.com> {JAN_2026 + 99} +0000\n' + _data('Flood\n')
        + 'from refs/heads/main^0\n' + flood + '\ndone\n'))
    document, html, _ = _audit(repo)

    directories = {row['directory']: row['commits'] for row in document['directories']}
    assert (directories['(top level)'], directories['.trailgate']) == (29, 1)  # older than the flood
    assert sum(directories.values()) == 30 + 2_500 + 0  # every count is somewhere, (other) included
    assert document['folded']['directories'] >= 500
    assert 'the least counted half went into' in html


def test_a_flood_of_reviewers_folds_the_ones_seen_once_and_keeps_every_review(tmp_path: Path) -> None:
    """2,005 reviewers of one old commit, and one who reviewed the three
    newest: the table of reviewers is full, its lighter half goes into
    (other), the recurring reviewer keeps her row and no review is lost."""
    members = [f'r{i}@example.com' for i in range(2_005)]
    policy = ('version: 1\ngroups:\n  senior: [alice@example.com, ' + ', '.join(members) + ']\n'
              'rules:\n  - id: all\n    paths: ["**"]\n    require:\n      reviews: {group: senior}\n')
    flood = 'Flood\n\nAssisted-by: x\n' + ''.join(f'Reviewed-by: {member}\n' for member in members)
    commits = [(JAN_2026, 'Adopt the policy\n'), (JAN_2026 + 60, flood)]
    commits += [(JAN_2026 + 120 + i, 'Change\n\nAssisted-by: x\nReviewed-by: alice@example.com\n') for i in range(3)]
    document, _, _ = _audit(dated_history(tmp_path / 'repo', commits, policy))

    reviewers = {row['email'] or row['name']: row for row in document['reviewers']}
    assert reviewers['alice@example.com']['reviews'] == 3
    other = reviewers['(other)']
    assert other['reviews'] >= 1_000 and document['folded']['reviewers'] == other['reviews']
    assert sum(period['reviews'] for period in other['by_period']) == other['reviews']
    assert sum(row['reviews'] for row in document['reviewers']) == document['concentration']['reviews'] == 2_008


def test_the_500_newest_unreviewed_changes_are_listed_by_date_then_by_the_order_git_lists_them(
        tmp_path: Path) -> None:
    """500 changes, then two made before them (in history) that a skewed
    clock dated a day later than the oldest of the 500: git log lists those
    two last. The first of them to come (Between) takes the oldest one's place;
    the second, of the same date, comes later from git log, so counts as
    older and is left out."""
    day = 86400
    start = JAN_2026 - 1_100 * day
    commits = [(start, 'Adopt the policy\n')]
    commits += [(start + 3 * day, f'{name}\n\nAssisted-by: x\n') for name in ('Tie', 'Between')]
    commits += [(start + 2 * day * (i + 1), f'Change {i}\n\nAssisted-by: x\n') for i in range(500)]  # every other day
    document, _, _ = _audit(dated_history(tmp_path / 'repo', commits))

    unreviewed = document['unreviewed']
    assert unreviewed['total'] == 502
    assert [row['subject'] for row in unreviewed['listed']] == [f'Change {i}' for i in range(499, 0, -1)] + ['Between']


def test_a_range_of_commits_all_dated_after_today_says_so(tmp_path: Path) -> None:
    year_2100 = 4_102_444_800
    repo = dated_history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n'), (year_2100, 'From 2100\n')])

    result = trailgate(repo, 'audit', '--since', '2030-01-01')

    assert result.returncode == 0, result.stderr
    assert '(1 commits, all dated after the day of this report, since 2030-01-01)' in result.stdout
    assert 'commits: 1,' in result.stdout


def test_since_and_until_are_inclusive_utc_days_of_the_committer_date(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    march_10 = 1773100800  # 2026-03-10T00:00:00Z
    hour = 3600
    commits = (  # subject, author date, committer date as git writes them (seconds, offset)
        ('Policy', f'{march_10 - 9 * 24 * hour} +0000', f'{march_10 - 9 * 24 * hour} +0000'),
        ('Late in Baker Island', f'{march_10 + 35 * hour + 1800} -1200', f'{march_10 + 35 * hour + 1800} -1200'),
        ('Early in Kiribati', f'{march_10 + 10 * hour + 1800} +1400', f'{march_10 + 10 * hour + 1800} +1400'),
        ('Authored on the 10th', f'{march_10 + 12 * hour} +0000', f'{march_10 + 10 * 24 * hour} +0000'),
    )
    stream = []
    for mark, (subject, authored, committed) in enumerate(commits, start=1):
        files = {'.trailgate/policy.yaml': POLICY} if mark == 1 else {f'f{mark}': 'x\n'}
        stream.append(f'commit refs/heads/main\nmark :{mark}\nauthor A <a@example.com> {authored}\n'
                      f'committer A <a@example.com> {committed}\n' + _data(f'{subject}\n')
                      + (f'from :{mark - 1}\n' if mark > 1 else '')
                      + ''.join(f'M 100644 inline {name}\n' + _data(text) for name, text in files.items()) + '\n')
    git(repo, 'fast-import', '--quiet', '--done', input=''.join(stream) + 'done\n')

    def subjects(*args: str) -> list[str]:
        result = trailgate(repo, 'audit', '-q', '--csv', '-', *args)
        assert result.returncode == 0, result.stderr
        return [row['subject'] for row in csv.DictReader(io.StringIO(result.stdout))]

    assert subjects('--since', '2026-03-10', '--until', '2026-03-10') == ['Early in Kiribati']
    assert subjects('--since', '2026-03-11', '--until', '2026-03-11') == ['Late in Baker Island']
    assert subjects('--until', '2026-03-19') == ['Early in Kiribati', 'Late in Baker Island', 'Policy']
    assert subjects('--since', '2026-03-20') == ['Authored on the 10th']


def test_megabytes_of_commit_text_stay_out_of_the_reports(tmp_path: Path) -> None:
    repo = dated_history(tmp_path / 'repo', [(JAN_2026, 'Adopt the policy\n')])
    blob = git(repo, 'hash-object', '-w', '--stdin', input='x\n').strip()
    inner = git(repo, 'mktree', input=f'100644 blob {blob}\tf\n').strip()
    tree = git(repo, 'mktree', input=git(repo, 'ls-tree', 'HEAD') + f'040000 tree {inner}\t{"d" * 10_000}\n').strip()
    commit = (f'tree {tree}\nparent {git(repo, "rev-parse", "HEAD").strip()}\n'
              f'author {"N" * 1_000_000} <{"e" * 300_000}@x> {JAN_2026} +0000\ncommitter C <c@x> {JAN_2026} +0000\n\n'
              f'{"S" * 2_000_000}\n\nAssisted-by: x\n')
    git(repo, 'update-ref', 'refs/heads/main',
        git(repo, 'hash-object', '-w', '--literally', '-t', 'commit', '--stdin', input=commit).strip())

    document, html, table = _audit(repo)

    assert len(html) < 100_000 and len(json.dumps(document)) < 50_000 and len(table) < 10_000
    (listed,) = document['unreviewed']['listed']
    assert listed['subject'] == 'S' * 299 + '…' and len(listed['author']['email']) == 254
    assert 'd' * 254 + '…' in {row['directory'] for row in document['directories']}
