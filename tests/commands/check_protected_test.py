"""``trailgate check`` with a target: refuse into a protected branch, report otherwise.

And ``--as-of``: a check judges ``active`` on the day it runs unless asked
to re-read history by commit date or on a given day.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from testing.scenarios import CRITICAL
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import bare_remote
from testing.scenarios import clone
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import policy
from testing.scenarios import publish
from testing.scenarios import unreviewed
from tests.commands.check_test import assert_error
from tests.commands.check_test import assert_refused
from tests.reports.json_format_test import VALIDATOR


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    repo.git('switch', '-q', '-c', 'feature')
    return repo


def reported(result: Run, *needles: str) -> None:
    assert result.returncode == 0, result
    assert 'needs review' in result.stdout, result.stdout
    assert 'nothing refused' in result.stdout
    assert 'fix:' not in result.stdout
    for needle in needles:
        assert needle in result.output, f'{needle!r} not in {result.output}'


@pytest.mark.parametrize('target', ['main', 'refs/heads/main', 'release/4'])
def test_into_a_protected_target_refused(repo: Repo, target: str) -> None:
    wrong = unreviewed(repo)
    assert_refused(repo.trailgate('check', '--target', target, 'main..HEAD'), wrong)


def test_into_an_unprotected_target_reported_and_passed(repo: Repo) -> None:
    unreviewed(repo)
    result = repo.trailgate('check', '--target', 'staging', 'main..HEAD')
    reported(result, 'the target staging is not protected')


@pytest.mark.parametrize('fmt', ['text', 'github'])
def test_a_target_s_hidden_characters_are_spelled_out(repo: Repo, fmt: str) -> None:
    """A branch name may hold a bidi override or a line separator (git
    accepts both): whoever pushes the branch picks the name a push
    pipeline's --target gives (GITHUB_REF), and the base branch of a pull
    request. What people read about it shows each such character, as
    every other gate shows a ref name."""
    unreviewed(repo)
    name = 'stag\u202eing\u2028x\x85y'
    repo.git('branch', name)
    result = repo.trailgate('check', '--target', name, '--format', fmt, 'main..HEAD')
    assert result.returncode == 0, result
    assert 'stag\\u202eing\\u2028x\\x85y is not protected' in result.stdout
    result = repo.trailgate('check', 'main..HEAD', '--format', fmt, env={'GITHUB_BASE_REF': name})
    assert result.returncode == 0, result
    assert 'trailgate check: target stag\\u202eing\\u2028x\\x85y (from GITHUB_BASE_REF)' in result.stderr
    assert not set('\u202e\u2028\x85') & set(result.output)


def test_without_a_target_judged_as_protected(repo: Repo) -> None:
    wrong = unreviewed(repo)
    assert_refused(repo.trailgate('check', 'main..HEAD'), wrong)


@pytest.mark.parametrize('variable', ['GITHUB_BASE_REF', 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME'])
def test_target_from_the_ci_variables(repo: Repo, variable: str) -> None:
    wrong = unreviewed(repo)
    result = repo.trailgate('check', 'main..HEAD', env={variable: 'main'})
    assert_refused(result, wrong)
    assert f'target main (from {variable})' in result.stderr
    result = repo.trailgate('check', 'main..HEAD', env={variable: 'staging'})
    reported(result, f'target staging (from {variable})')


def test_target_option_wins_over_the_variables(repo: Repo) -> None:
    wrong = unreviewed(repo)
    result = repo.trailgate('check', '--target', 'main', 'main..HEAD', env={'GITHUB_BASE_REF': 'staging'})
    assert_refused(result, wrong)
    assert 'GITHUB_BASE_REF' not in result.stderr


def test_empty_variable_is_no_target(repo: Repo) -> None:
    """GitHub sets GITHUB_BASE_REF empty outside pull requests."""
    wrong = unreviewed(repo)
    assert_refused(repo.trailgate('check', 'main..HEAD', env={'GITHUB_BASE_REF': ''}), wrong)


def _ci_checkout(tmp_path: Path) -> Repo:
    """A CI runner's clone of a remote whose main is protected, on the pull request's branch ``pr``."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    seed = new_repo(tmp_path / 'seed', PROTECTED_POLICY, hooks=False)
    publish(seed, origin)
    ci = clone(origin, tmp_path / 'ci', hooks=False)
    ci.git('switch', '-q', '-c', 'pr')
    return ci


def test_a_target_alone_checks_what_the_branch_adds(tmp_path: Path) -> None:
    """In CI: ``trailgate check`` with GITHUB_BASE_REF and nothing else."""
    ci = _ci_checkout(tmp_path)
    wrong = unreviewed(ci)
    assert_refused(ci.trailgate('check', env={'GITHUB_BASE_REF': 'main'}), wrong)
    assert_refused(ci.trailgate('check', '--target', 'origin/main'), wrong)
    result = ci.trailgate('check', '--target', 'staging', '--base', 'origin/main')
    reported(result)


def test_a_target_alone_is_judged_by_what_ci_fetched_not_a_stale_local_branch(tmp_path: Path) -> None:
    """A runner's local ``main`` (made by an earlier checkout, never updated
    by a fetch) may lag the remote's: ``--target main`` alone means the
    remote-tracking branch, whose policy and tip are what the change lands
    on; the stale branch's older, weaker policy would pass the change."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    weak = PROTECTED_POLICY.replace('services/payments/**', 'services/nothing/**')
    seed = new_repo(tmp_path / 'seed', weak, hooks=False)
    publish(seed, origin)
    ci = clone(origin, tmp_path / 'ci', hooks=False)
    stale = ci.rev('main')
    seed.commit_ok(message('Guard payments', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: PROTECTED_POLICY},
                   verify=False)
    seed.git('push', '-q', 'origin', 'main')
    ci.git('fetch', '-q', 'origin')
    ci.git('switch', '-q', '-c', 'pr', 'origin/main')
    assert ci.rev('main') == stale != ci.rev('origin/main')
    wrong = unreviewed(ci)
    for args, env in (((), {'GITHUB_BASE_REF': 'main'}), (('--target', 'main'), {})):
        result = ci.trailgate('check', *args, env=env)
        assert_refused(result, wrong)
        assert '1 commit checked' in result.stdout, result.stdout
        assert f'.trailgate/policy.yaml at {seed.head()[:12]}' in result.stdout, result.stdout


@pytest.mark.parametrize('local_main', [False, True])
def test_a_tag_named_like_the_target_branch_does_not_unprotect_it(tmp_path: Path, local_main: bool) -> None:
    """A CI checkout with tags: ``main`` as a short name is the branch, not a
    tag anyone may push; and beside a local branch ``main`` (where git finds
    the name ambiguous) the tag does not make the check an error either, which
    would stop every pull request's check that passes ``--target
    "$GITHUB_BASE_REF"``, as the recipes do."""
    ci = _ci_checkout(tmp_path)
    if not local_main:
        ci.git('branch', '-q', '-D', 'main')
    ci.git('tag', 'main', 'origin/main')
    wrong = unreviewed(ci)
    assert_refused(ci.trailgate('check', env={'GITHUB_BASE_REF': 'main'}), wrong)
    assert_refused(ci.trailgate('check', '--target', 'main', 'origin/main..HEAD'), wrong)
    for rest in (('--base', 'refs/remotes/origin/main'), ('refs/remotes/origin/main..HEAD',), ()):
        assert_refused(ci.trailgate('check', '--target', 'main', *rest), wrong)
        assert_refused(ci.trailgate('check', *rest, env={'GITHUB_BASE_REF': 'main'}), wrong)

@pytest.mark.parametrize('rest', [
    ('refs/remotes/origin/main..HEAD',), ('--base', 'refs/remotes/origin/main'),
])
def test_a_tag_named_like_a_remote_tracking_target_does_not_unprotect_it(tmp_path: Path, rest: tuple[str, ...]) -> None:
    """``--target origin/main`` with a tag ``origin/main`` (anyone who may push
    a tag can make one; a runner fetches every tag): git reads the short name
    as the tag, and the target became the branch ``origin/main``, which
    nothing protects, so the unreviewed commit passed on its way to main. The
    target is the remote-tracking branch, whatever tag shares its name."""
    ci = _ci_checkout(tmp_path)
    ci.git('branch', '-q', '-D', 'main')
    wrong = unreviewed(ci)
    assert_refused(ci.trailgate('check', '--target', 'origin/main', *rest), wrong)
    ci.git('tag', 'origin/main', 'HEAD')
    assert_refused(ci.trailgate('check', '--target', 'origin/main', *rest), wrong)
    assert_refused(ci.trailgate('check', '--target', 'refs/remotes/origin/main', *rest), wrong)


def _window(start: datetime.date, until: datetime.date) -> str:
    return policy(f'active: {{from: {start}, until: {until}}}')


def test_as_of(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', _window(datetime.date(2026, 3, 10), datetime.date(2026, 6, 8)),
                    hooks=False)
    base = repo.head()
    inside = '2026-04-01T12:00:00+00:00'
    wrong = repo.commit_ok('Charge\n\nAssisted-by: Claude Code\n', {'services/payments/charge.py': 'x\n'},
                           verify=False, env={'GIT_COMMITTER_DATE': inside, 'GIT_AUTHOR_DATE': inside})
    today = datetime.datetime.now(datetime.timezone.utc).date()
    result = repo.trailgate('check', f'{base}..HEAD')
    assert result.returncode == (1 if datetime.date(2026, 3, 10) <= today <= datetime.date(2026, 6, 8) else 0)
    assert_refused(repo.trailgate('check', '--as-of', 'commit', f'{base}..HEAD'), wrong)
    assert_refused(repo.trailgate('check', '--as-of', '2026-06-08', f'{base}..HEAD'), wrong)
    assert repo.trailgate('check', '--as-of', '2026-06-09', f'{base}..HEAD').returncode == 0
    for bad in ('yesterday', '2026-6-1', '2026-02-30', '20260601'):
        assert_error(repo.trailgate('check', '--as-of', bad, f'{base}..HEAD'), '--as-of')


# committer dates at the window's edges, each with the UTC day it falls on
EDGES = {
    '2026-03-10T01:00:00+05:00': '2026-03-09',  # the opening day where it was typed, not in UTC
    '2026-03-10T00:00:00+00:00': '2026-03-10',
    '2026-06-08T23:59:59+00:00': '2026-06-08',
    '2026-06-08T23:30:00-02:00': '2026-06-09',  # the closing day where it was typed, not in UTC
}


def test_as_of_judges_both_edges_of_the_window_in_utc(tmp_path: Path) -> None:
    """``from`` and ``until`` are inclusive UTC days: ``--as-of DAY`` opens
    the window on 2026-03-10 and closes it after 2026-06-08, and ``--as-of
    commit`` reads each committer date in UTC, whatever zone it was typed in."""
    repo = new_repo(tmp_path / 'repo', _window(datetime.date(2026, 3, 10), datetime.date(2026, 6, 8)),
                    hooks=False)
    base = repo.head()
    commits = {}
    for number, (date, day) in enumerate(EDGES.items()):
        commits[day] = repo.commit_ok('Charge\n\nAssisted-by: Claude Code\n', {CRITICAL: f'{number}\n'}, verify=False,
                                      env={'GIT_COMMITTER_DATE': date, 'GIT_AUTHOR_DATE': date})
    for closed in ('2026-03-09', '2026-06-09'):
        result = repo.trailgate('check', '--as-of', closed, '--format', 'json', f'{base}..HEAD')
        assert result.returncode == 0, result
        reasons = {rule['reason'] for commit in json.loads(result.stdout)['commits'] for rule in commit['rules']}
        assert reasons == {f'not active on {closed} (active 2026-03-10 to 2026-06-08)'}
    for open_day in ('2026-03-10', '2026-06-08'):
        assert_refused(repo.trailgate('check', '--as-of', open_day, f'{base}..HEAD'), *commits.values())
    assert_refused(repo.trailgate('check', '--as-of', 'commit', f'{base}..HEAD'),
                   commits['2026-03-10'], commits['2026-06-08'])
    report = json.loads(repo.trailgate('check', '--as-of', 'commit', '--format', 'json', f'{base}..HEAD').stdout)
    assert {commit['sha']: commit['date'] for commit in report['commits']} == {sha: day for day, sha in commits.items()}


def test_json_report_into_an_unprotected_target(repo: Repo) -> None:
    wrong = unreviewed(repo)
    result = repo.trailgate('check', '--target', 'staging', '--format', 'json', 'main..HEAD')
    assert result.returncode == 0, result
    document = json.loads(result.stdout)
    assert document['reminder'].startswith('the target staging is not protected')
    assert document['summary']['refused'] == 0 and document['summary']['needs_review'] == 1
    [entry] = document['commits']
    assert entry['sha'] == wrong and entry['refused'] is False and entry['fix'] is None
    assert entry['violations']


def test_every_format_into_an_unprotected_target_refuses_nothing(repo: Repo, tmp_path: Path) -> None:
    unreviewed(repo)
    summary = tmp_path / 'summary.md'
    result = repo.trailgate('check', '--target', 'staging', '--format', 'sarif', 'main..HEAD')
    assert result.returncode == 0, result
    results = json.loads(result.stdout)['runs'][0]['results']
    assert results and {r['level'] for r in results} == {'note'}
    assert all('Fix:' not in r['message']['text'] for r in results)
    result = repo.trailgate('check', '--target', 'staging', '--format', 'junit', 'main..HEAD')
    assert result.returncode == 0, result
    assert '<failure' not in result.stdout and 'failures="0"' in result.stdout
    assert 'needs review before it lands on a protected branch' in result.stdout
    result = repo.trailgate('check', '--target', 'staging', '--format', 'github', 'main..HEAD',
                            env={'GITHUB_STEP_SUMMARY': str(summary)})
    assert result.returncode == 0, result
    assert '::error' not in result.stdout and '::notice' in result.stdout
    assert 'needs review' in summary.read_text()


def _older_policy_merged_in(tmp_path: Path) -> tuple[Repo, str]:
    """main: a first policy without the payments rule, then the current one;
    the branch ``pr`` merges main's tip with its first commit, keeping the
    first policy (the merge's combined diff shows no change to it).
    Returns the repository and the first commit."""
    repo = new_repo(tmp_path / 'repo', POLICY.replace('services/payments/**', 'services/nothing/**'), hooks=False)
    old = repo.head()
    repo.commit_ok(message('Guard payments', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY}, verify=False)
    tip = repo.head()
    repo.git('switch', '-q', '-c', 'pr')
    repo.git('checkout', old, '--', POLICY_PATH)
    tree = repo.git('write-tree').strip()
    repo.git('reset', '-q', '--hard', repo.git('commit-tree', tree, '-p', tip, '-p', old, '-m', 'Merge').strip())
    return repo, old


@pytest.mark.parametrize('how', [('--base', 'main', '--target', 'main'), ('main..HEAD',)])
def test_a_change_that_merges_in_an_older_policy_is_refused(tmp_path: Path, how: tuple[str, ...]) -> None:
    """Landed, the merge would give main the weaker policy, which judges
    everything after it, though no commit of the range changes the policy."""
    repo, _ = _older_policy_merged_in(tmp_path)
    result = repo.trailgate('check', *how)
    assert result.returncode == 1, result
    (line,) = [line for line in result.stdout.splitlines() if 'refused:' in line]
    assert line.startswith('trailgate check: refused: this change gives '), line
    assert 'a .trailgate/policy.yaml that no commit it adds changes' in line
    assert 'Traceback' not in result.output
    # in a GitHub run it is an annotation too: no commit is refused
    github = repo.trailgate('check', *how, '--format', 'github')
    assert github.returncode == 1, github
    (line,) = [line for line in github.stdout.splitlines() if line.startswith('::error')]
    assert line.startswith('::error title=trailgate%3A the update is refused::trailgate check: refused: this change '
                           'gives '), line
    assert 'a .trailgate/policy.yaml that no commit it adds changes' in line


def test_every_report_of_a_landing_that_brings_an_older_policy_says_it_is_refused(tmp_path: Path) -> None:
    """The refusal is no commit's: a report that counted only commits said
    \"0 refused\" beside exit 1, and a CI reading it saw nothing wrong."""
    repo, _ = _older_policy_merged_in(tmp_path)
    said = 'a .trailgate/policy.yaml that no commit it adds changes'
    report = tmp_path / 'report'
    report.write_text('{"schema": "trailgate-report/1", "summary": {"refused": 0}}')  # a previous run's
    result = repo.trailgate('check', '--base', 'main', '--format', 'json', '--output', str(report))
    assert result.returncode == 1, result
    document = json.loads(report.read_text())
    (refusal,) = document['refusals']
    assert said in refusal['reason']
    assert document['summary']['refused'] == 0
    assert document['commits'], document
    VALIDATOR.validate(document)
    assert said in result.stdout  # people see it too, as text
    sarif = json.loads(repo.trailgate('check', '--base', 'main', '--format', 'sarif').stdout)
    (run,) = sarif['runs']
    (error,) = [r for r in run['results'] if r['level'] == 'error']
    assert error['ruleId'] == 'TG000'
    assert run['tool']['driver']['rules'][error['ruleIndex']]['name'] == 'update-refused'
    assert said in error['message']['text']
    junit = ElementTree.fromstring(repo.trailgate('check', '--base', 'main', '--format', 'junit').stdout)
    suite = junit.find('testsuite')
    assert suite is not None
    assert (suite.get('tests'), suite.get('failures')) == ('2', '1')
    (failure,) = junit.iter('failure')
    assert said in (failure.get('message') or '')


def test_a_branch_forked_before_a_policy_change_is_not_taken_for_one(tmp_path: Path) -> None:
    repo, old = _older_policy_merged_in(tmp_path)
    repo.git('switch', '-q', '-c', 'early', old)
    repo.commit_ok(message('Docs'), {'docs/x.md': 'x\n'}, verify=False)
    assert repo.trailgate('check', '--base', 'main', '--target', 'main').returncode == 0
    repo.commit_ok(message('Retune', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY + '# retuned\n'},
                   verify=False)  # the branch's own policy change, reviewed by the owners
    assert repo.trailgate('check', '--base', 'main', '--target', 'main').returncode == 0
