"""``trailgate audit``: the command line, its outputs and its exit codes."""
from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

from testing.audit_history import DAYS
from testing.audit_history import Expected
from testing.scenarios import ASSISTED
from testing.scenarios import CAROL
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import OTHER
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import policy
from testing.util import init_repo
from testing.util import trailgate
from testing.util import write
from tests.audit.conftest import history  # noqa: F401  (the session fixture)


def test_text_summary_and_exit_0(history: tuple[Path, Expected]) -> None:  # noqa: F811
    repo, expected = history
    result = trailgate(repo, 'audit')
    assert result.returncode == 0, result.stderr
    assert f'commits: {expected.commits}, AI-marked: {expected.ai}' in result.stdout
    assert f'{expected.unmet} unmet' in result.stdout
    assert '\x1b' not in result.stdout


def test_text_summary_lists_each_break_glass_override_with_its_reason(tmp_path: Path) -> None:
    # the contract: a valid break-glass trailer lets the commit through, and every report still
    # lists it as overridden, with the reason; the terminal summary lists unmet commits by name
    repo = new_repo(tmp_path / 'repo', hooks=False)
    sha = repo.commit_ok(message('Hotfix charges', ASSISTED, 'Break-Glass: checkout down, INC-42'),
                         {CRITICAL: 'x = 2\n'}, author=CAROL, verify=False)
    result = trailgate(repo.path, 'audit')
    assert result.returncode == 0, result.stderr
    assert '1 overridden by break-glass' in result.stdout
    line = next((line for line in result.stdout.splitlines() if line.startswith('  overridden ')), '')
    assert sha[:10] in line and 'carol@example.com' in line, result.stdout
    assert 'checkout down, INC-42' in line, result.stdout


def test_csv_one_row_per_commit_and_no_formulas(history: tuple[Path, Expected], tmp_path: Path) -> None:  # noqa: F811
    repo, expected = history
    out = tmp_path / 'audit.csv'
    result = trailgate(repo, 'audit', '-q', '--lines', '--csv', str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ''
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == expected.commits
    assert len({row['sha'] for row in rows}) == expected.commits
    assert sum(row['ai_assisted'] == 'yes' for row in rows) == expected.ai
    assert sum(int(row['lines_added'] or 0) + int(row['lines_deleted'] or 0) for row in rows
               if 'gen' not in row['directories'] and row['merge'] == 'no') >= expected.lines - DAYS
    formulas = [row['subject'] for row in rows if row['subject'].startswith(('=', '+', '-', '@'))]
    assert formulas == []
    assert "'=1+1 tweak" in {row['subject'] for row in rows}


def test_csv_lists_each_tool_and_each_rule_of_a_commit_separated(tmp_path: Path) -> None:
    """Two AI marks, two rules, two reviewers: one cell each, its items told
    apart by '; ', as a reader splits them."""
    two_rules = ''.join([
        'version: 1\ngroups: {senior: [alice@example.com, bob@example.com]}\nrules:\n',
        *(f'  - {{id: {rule}, paths: ["services/{rule}/**"], require: {{reviews: {{group: senior}}}}}}\n'
          for rule in ('payments', 'search')),
    ])
    repo = new_repo(tmp_path / 'repo', two_rules, hooks=False)
    repo.commit_ok(message('Both', ASSISTED, CO_AUTHORED), {CRITICAL: 'x = 1\n', OTHER: 'y = 1\n'}, verify=False)
    repo.commit_ok(message('Reviewed', ASSISTED, REVIEW_ALICE, REVIEW_BOB), {CRITICAL: 'x = 2\n'}, verify=False)
    out = tmp_path / 'audit.csv'
    result = trailgate(repo.path, 'audit', '-q', '--csv', str(out))
    assert result.returncode == 0, result.stderr
    rows = {row['subject']: row for row in csv.DictReader(io.StringIO(out.read_text()))}
    row = rows['Both']
    assert row['tools'] == 'claude-code-co-author=Claude Code; ai.disclosure_trailers=Claude Code'
    assert row['critical_rules'] == 'payments; search'
    assert row['missing'] == 'payments:missing-review; search:missing-review'
    assert rows['Reviewed']['reviewers'] == 'alice@example.com; bob@example.com'


def test_policy_from_the_tip_or_policy_rev(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.commit_ok(message('Unreviewed', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    result = trailgate(repo.path, 'audit', '--policy-rev', 'HEAD~1')
    assert result.returncode == 0, result.stderr
    assert '.trailgate/policy.yaml at' in result.stdout
    assert '1 unmet' in result.stdout


def test_explicit_policy_file_is_named(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    write(repo / 'a.txt')
    trailgate_policy = write(tmp_path / 'central.yaml', 'version: 1\nrules: []\n')
    from testing.util import git
    git(repo, 'add', 'a.txt')
    git(repo, 'commit', '-qm', 'a')
    result = trailgate(repo, 'audit', '--policy', str(trailgate_policy))
    assert result.returncode == 0, result.stderr
    assert str(trailgate_policy) in result.stdout


def test_could_not_run_exits_2(tmp_path: Path) -> None:
    plain = tmp_path / 'plain'
    plain.mkdir()
    assert trailgate(plain, 'audit').returncode == 2
    repo = new_repo(tmp_path / 'repo', hooks=False)
    for args in (('no-such-rev',), ('--since', 'garbage'), ('--policy-rev', 'nope'),
                 ('--json', str(tmp_path / 'missing' / 'x.json'))):
        result = trailgate(repo.path, 'audit', *args)
        assert result.returncode == 2, (args, result)
        assert 'Traceback' not in result.stderr
    result = trailgate(repo.path, 'audit', 'HEAD', '--', 'pay')  # no path limiting: a second revision
    assert result.returncode == 2
    assert result.stderr.startswith(
        "trailgate: error: unknown revision: HEAD pay (git rev-parse failed: fatal: bad revision 'pay')",
    ), result.stderr
    empty = init_repo(tmp_path / 'empty')
    write(empty / 'a.txt')
    from testing.util import git
    git(empty, 'add', 'a.txt')
    git(empty, 'commit', '-qm', 'a')
    result = trailgate(empty, 'audit')
    assert result.returncode == 2
    assert 'trailgate init' in result.stderr


def test_since_and_until_take_the_dates_git_takes(tmp_path: Path) -> None:
    """git's forms (2.weeks.ago, yesterday, an ISO time) name the UTC day they fall on."""
    repo = new_repo(tmp_path / 'repo', hooks=False)  # its policy commit is dated now
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=40)
    stamp = old.strftime('%Y-%m-%dT%H:%M:%SZ')
    repo.commit_ok(message('Old', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False,
                   env={'GIT_COMMITTER_DATE': stamp, 'GIT_AUTHOR_DATE': stamp})
    cases = {
        ('--since', '2.weeks.ago'): 1,
        ('--since', 'yesterday'): 1,
        ('--until', '3 weeks ago'): 1,
        ('--since', old.strftime('%Y-%m-%dT00:00:00Z')): 2,
        ('--until', old.strftime('%Y-%m-%d')): 1,
        ('--since', '1 year ago', '--until', 'now'): 2,
        ('--since', 'now'): 1,  # today, not an open end
    }
    for args, commits in cases.items():
        result = trailgate(repo.path, 'audit', *args)
        assert result.returncode == 0, (args, result.stderr)
        assert f'commits: {commits},' in result.stdout, (args, result.stdout)


def test_a_date_git_cannot_read_is_an_error_that_names_it(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    for option, value in (('--since', 'garbage'), ('--until', 'not a date'), ('--since', '2026-13-45'),
                          ('--since', ''), ('--until', 'never')):
        result = trailgate(repo.path, 'audit', option, value)
        assert result.returncode == 2, (option, value, result)
        assert f'{option}' in result.stderr and repr(value) in result.stderr, result.stderr
        assert 'Traceback' not in result.stderr


def test_a_written_day_that_git_reads_as_another_day_is_an_error(tmp_path: Path) -> None:
    """git's approxidate skips what it cannot place: 1960-01-01T00:00:00Z reads
    as 1 January of this year, 9999-12-31T23:59:59Z as 2012-12-31. A filter on
    a day the user did not write would count the wrong commits."""
    repo = new_repo(tmp_path / 'repo', hooks=False)
    for value in ('1960-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-13-01T00:00:00Z',
                  '2026-02-30T10:00:00Z', '10000-01-01', '2026-1-5T00:00:00Z'):
        result = trailgate(repo.path, 'audit', '--since', value, '--json', '-')
        assert result.returncode == 2, (value, result.stdout[:300])
        assert repr(value) in result.stderr, result.stderr
        assert 'Traceback' not in result.stderr
    # a time zone may move the written day by one, to the UTC day it falls on
    result = trailgate(repo.path, 'audit', '--since', '2026-03-09T23:30:00-05:00', '--json', '-')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)['since'] == '2026-03-10'


def test_a_dash_writes_to_standard_output_and_the_summary_moves_to_stderr(tmp_path: Path) -> None:
    import json

    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.commit_ok(message('AI', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    result = trailgate(repo.path, 'audit', '--json', '-')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)['totals']['commits'] == 2
    assert 'commits: 2,' in result.stderr
    result = trailgate(repo.path, 'audit', '-q', '--csv', '-')
    assert result.returncode == 0, result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 2
    result = trailgate(repo.path, 'audit', '-q', '--html', '-')
    assert result.returncode == 0 and result.stdout.startswith('<!DOCTYPE html>'), result.stdout[:80]
    assert not (repo.path / '-').exists()
    result = trailgate(repo.path, 'audit', '--json', '-', '--csv', '-')
    assert result.returncode == 2 and 'one of --json, --csv and --html' in result.stderr, result.stderr


def test_signed_approvals_are_counted_as_signed(tmp_path: Path) -> None:
    from testing.approvals import SIGNERS_PATH
    from testing.approvals import change_of
    from testing.approvals import record
    from testing.approvals import signed_policy
    from testing.approvals import signers_file
    from testing.approvals import write_ledger
    from testing.sshkeys import make_key

    alice, bob = make_key(tmp_path, 'alice'), make_key(tmp_path, 'bob')
    signers = signers_file(('alice@example.com', alice), ('bob@example.com', bob))
    repo = new_repo(tmp_path / 'repo', signed_policy(), hooks=False, files={SIGNERS_PATH: signers})
    repo.commit_ok(message('Approved change', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False)
    change = change_of(repo)
    write_ledger(repo, {
        f'{change[:2]}/{change}/a': record(alice, change, 'alice@example.com'),
        f'{change[:2]}/{change}/b': record(bob, change, 'bob@example.com'),
    })
    repo.commit_ok(message('Unapproved change', ASSISTED), {CRITICAL: 'a = 2\n'}, verify=False)
    out = tmp_path / 'audit.json'
    result = repo.trailgate('audit', '-q', '--json', str(out))
    assert result.returncode == 0, result
    import json
    document = json.loads(out.read_text())
    assert document['critical']['met'] == 1
    assert document['critical']['met_reviewed'] == {'typed': 0, 'signed': 1}
    assert document['critical']['unmet'] == 1
    assert {row['email']: row['reviews'] for row in document['reviewers']} == {
        'alice@example.com': 1, 'bob@example.com': 1}
    assert document['unreviewed']['listed'][0]['missing'][0]['name'] == 'missing-signed-approval'


def test_active_windows_by_commit_date(tmp_path: Path) -> None:
    """A report over history judges each commit by its own date (the gates judge by today)."""
    repo = new_repo(tmp_path / 'repo', policy('active: {from: 2020-01-01, until: 2020-12-31}'), hooks=False)
    inside = {'GIT_COMMITTER_DATE': '2020-06-01T12:00:00+00:00', 'GIT_AUTHOR_DATE': '2020-06-01T12:00:00+00:00'}
    base = repo.head()
    repo.commit_ok(message('Unreviewed', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False, env=inside)
    result = trailgate(repo.path, 'audit')
    assert result.returncode == 0, result.stderr
    assert '1 unmet' in result.stdout, result.stdout
    assert trailgate(repo.path, 'check', f'{base}..HEAD').returncode == 0  # the window is closed today


def test_a_shallow_clone_that_hides_part_of_the_range_exits_2(tmp_path: Path) -> None:
    origin = new_repo(tmp_path / 'origin', hooks=False)
    for index in range(3):
        origin.commit_ok(message(f'Change {index}', ASSISTED), {CRITICAL: f'x = {index}\n'}, verify=False)
    from testing.util import git

    git(tmp_path, 'clone', '-q', '--depth', '2', origin.path.as_uri(), 'shallow')
    for args in ((), ('HEAD~1..HEAD',), ('--since', '2000-01-01')):
        result = trailgate(tmp_path / 'shallow', 'audit', '--json', str(tmp_path / 'out.json'), *args)
        if args == ('HEAD~1..HEAD',):  # what the clone holds in full
            assert result.returncode == 0, result.stderr
            continue
        assert result.returncode == 2, (args, result)
        assert 'shallow' in result.stderr and 'Traceback' not in result.stderr
