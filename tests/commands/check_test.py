"""``trailgate check``: the CI gate over revision ranges of real history."""
from __future__ import annotations

import json
import marshal
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CLAUDE
from testing.scenarios import CRITICAL
from testing.scenarios import DOC_TICKET
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import policy
from testing.util import GIT_ENV
from testing.util import STRIPPED
from testing.util import init_repo
from trailgate import git as tg_git
from trailgate import policy_cache
from trailgate.commands.check import check
from trailgate.main import main
from trailgate.output import Output


def short(sha: str) -> str:
    return sha[:10]


def refused_shas(result: Run) -> set[str]:
    """Short shas of the refused commits in a text report."""
    return {
        line.split()[1] for line in result.stdout.splitlines() if line.startswith('refused ')
    }


def assert_refused(result: Run, *shas: str) -> None:
    assert result.returncode == 1, result
    assert refused_shas(result) == {short(sha) for sha in shas}, result.stdout
    assert RULE in result.stdout or 'policy-owners' in result.stdout
    assert 'Traceback' not in result.output


def assert_accepted(result: Run) -> None:
    assert result.returncode == 0, result
    assert ' 0 refused' in result.stdout, result.stdout


def assert_error(result: Run, *needles: str) -> None:
    assert result.returncode == 2, result
    assert 'Traceback' not in result.output
    for needle in needles:
        assert needle in result.stderr, f'{needle!r} not in:\n{result.stderr}'


def bad(repo: Repo, content: str = 'bad = 1\n', subject: str = 'Unreviewed charge') -> str:
    return repo.commit_ok(message(subject, ASSISTED), {CRITICAL: content}, verify=False)


def good(repo: Repo, content: str = 'good = 1\n', subject: str = 'Reviewed charge') -> str:
    return repo.commit_ok(message(subject, ASSISTED, *APPROVALS), {CRITICAL: content},
                          verify=False)


def human(repo: Repo, content: str = 'human = 1\n') -> str:
    return repo.commit_ok(message('Human charge'), {CRITICAL: content}, verify=False)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return new_repo(tmp_path / 'repo', hooks=False)


# -- ranges --------------------------------------------------------------------

def test_range(repo: Repo) -> None:
    repo.git('switch', '-q', '-c', 'feature')
    good(repo)
    human(repo)
    wrong = bad(repo)
    repo.commit_ok(message('Docs', ASSISTED), {OTHER: 'o\n'}, verify=False)

    result = repo.trailgate('check', 'main..feature')
    assert_refused(result, wrong)
    assert '4 commits checked, 1 refused' in result.stdout
    assert 'Unreviewed charge' in result.stdout
    assert 'git commit --amend --trailer' in result.stdout
    assert f'.trailgate/policy.yaml at {repo.rev("main")[:12]}' in result.stdout

    assert_accepted(repo.trailgate('check', f'main..{wrong}~1'))
    assert_accepted(repo.trailgate('check', 'feature..feature'))
    # two ranges: the union
    assert_refused(repo.trailgate('check', f'main..{wrong}~1', f'{wrong}~1..{wrong}'), wrong)


def test_a_range_s_commit_that_another_range_excludes_is_still_checked(repo: Repo) -> None:
    """git reads ``A..B C..D`` as one set, ``B D ^A ^C``: the refused commit
    of the first range, reachable from the second's excluded side, would
    vanish. Each range's commits are checked, each once."""
    repo.git('switch', '-q', '-c', 'feature')
    start = repo.head()
    wrong = bad(repo)
    human(repo)
    tip = good(repo)
    assert wrong not in repo.git('rev-list', f'{start}..{wrong}', f'{wrong}..{tip}')  # git alone drops it

    result = repo.trailgate('check', f'{start}..{wrong}', f'{wrong}..{tip}')
    assert_refused(result, wrong)
    assert '3 commits checked, 1 refused' in result.stdout
    # overlapping ranges: each commit once
    result = repo.trailgate('check', f'{start}..{tip}', f'{wrong}..{tip}', '--format', 'json')
    assert result.returncode == 1, result
    assert [c['sha'] for c in json.loads(result.stdout)['commits']].count(tip) <= 1
    assert '3 commits checked' in repo.trailgate('check', f'{start}..{tip}', f'{wrong}..{tip}').stdout
    # empty ranges stay empty; rev-list syntax with ^ is read as git reads it
    assert_accepted(repo.trailgate('check', f'{tip}..{tip}', f'{wrong}..{wrong}'))
    assert_accepted(repo.trailgate('check', tip, f'^{wrong}'))


def test_ranges_that_are_all_empty_check_no_commit_not_head(repo: Repo) -> None:
    """Several ranges are read as their exact commits; none at all is no
    commit, never git's default of HEAD."""
    repo.git('switch', '-q', '-c', 'feature')
    wrong = bad(repo)
    result = repo.trailgate('check', f'{wrong}..{wrong}', 'main..main')
    assert_accepted(result)
    assert '0 commits checked' in result.stdout, result.stdout


def test_base_and_a_range_check_both(repo: Repo) -> None:
    """``--base`` adds its own range: the commits of ``HEAD~1..HEAD`` do not
    narrow what the branch adds over the base."""
    repo.git('switch', '-q', '-c', 'feature')
    wrong = bad(repo)
    good(repo)
    result = repo.trailgate('check', '--base', 'main', 'HEAD~1..HEAD')
    assert_refused(result, wrong)


def test_base_ranges_from_the_merge_base_but_is_judged_by_the_tip(repo: Repo) -> None:
    """A branch forked before the policy got stricter is judged by the stricter
    one: the pull request does not choose its judge by choosing its fork point."""
    repo.git('switch', '-q', '-c', 'feature')
    human(repo)
    repo.git('switch', '-q', 'main')
    bad(repo, subject='Bad on main')  # after the fork: not the feature's business
    stricter = repo.commit_ok(message('Stricter', REVIEW_ALICE, REVIEW_BOB),
                              {POLICY_PATH: policy('applies_to: all')}, verify=False)
    repo.git('switch', '-q', 'feature')

    # --base: merge-base(main, HEAD)..HEAD, judged by the policy at main's tip
    result = repo.trailgate('check', '--base', 'main')
    assert_refused(result, repo.head())
    assert f'at {stricter[:12]}' in result.stdout
    # A..B: judged by the policy at A: the same verdict
    assert_refused(repo.trailgate('check', 'main..HEAD'), repo.head())


def test_base_with_bad_commit(repo: Repo) -> None:
    repo.git('switch', '-q', '-c', 'feature')
    wrong = bad(repo)
    good(repo)
    assert_refused(repo.trailgate('check', '--base', 'main'), wrong)
    assert_error(repo.trailgate('check', '--base', 'no-such-branch'),
                 'unknown revision: no-such-branch (--base) is not a commit in this repository')


def test_policy_rev(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', policy_text=None, hooks=False)
    root = repo.head()
    repo.commit_ok(message('Add policy', REVIEW_ALICE), {POLICY_PATH: POLICY}, verify=False)
    with_policy = repo.head()
    wrong = bad(repo)

    assert_refused(repo.trailgate('check', f'{with_policy}..HEAD'), wrong)
    assert_error(repo.trailgate('check', f'{root}..HEAD'), '.trailgate/policy.yaml', root[:12])
    assert_refused(repo.trailgate('check', '--policy-rev', with_policy, f'{root}..HEAD'), wrong)
    assert_error(repo.trailgate('check', '--policy-rev', 'nope', f'{root}..HEAD'), 'nope')
    assert_error(repo.trailgate('check', '--policy-rev', root, f'{root}..HEAD'))


def test_no_policy_at_base_names_init(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', policy_text=None, hooks=False)
    bad(repo)
    assert_error(repo.trailgate('check', 'HEAD~1..HEAD'), 'trailgate init')


def test_explicit_policy_file(repo: Repo, tmp_path: Path) -> None:
    root = repo.head()
    human_change = human(repo)
    central = tmp_path / 'central.yaml'
    central.write_text(policy('applies_to: all'))
    assert_accepted(repo.trailgate('check', 'HEAD~1..HEAD'))
    assert_refused(repo.trailgate('check', '--policy', str(central), 'HEAD~1..HEAD'), human_change)
    assert_refused(repo.trailgate('check', 'HEAD~1..HEAD', env={'TRAILGATE_POLICY': str(central)}),
                   human_change)
    # the explicit file is used as it is: even with no excluded side (the root
    # commit, which adds the critical file, is refused too)
    assert_refused(repo.trailgate('check', '--policy', str(central), 'HEAD'),
                   human_change, root)
    missing = str(tmp_path / 'missing.yaml')
    assert_error(repo.trailgate('check', '--policy', missing, 'HEAD~1..HEAD'),
                 'missing.yaml')
    central.write_text('version: 2\n')
    assert_error(repo.trailgate('check', '--policy', str(central), 'HEAD~1..HEAD'),
                 'central.yaml:1:')


def _cat_file_batches(trace: Path) -> int:
    """How many ``git cat-file --batch`` processes a GIT_TRACE file shows."""
    return sum(line.split('built-in: git ', 1)[1].split() == ['cat-file', '--batch']
               for line in trace.read_text().splitlines() if 'built-in: git ' in line)


@pytest.mark.parametrize(('explicit', 'doc_file', 'expected'), [
    pytest.param(True, False, 0, id='policy-file-nothing-to-look-up'),
    pytest.param(False, False, 1, id='policy-at-base'),
    pytest.param(True, True, 1, id='policy-file-a-document-to-look-up'),
    pytest.param(False, True, 2, id='policy-at-base-a-document-to-look-up'),
])
def test_check_starts_a_cat_file_only_for_what_it_reads(repo: Repo, tmp_path: Path, explicit: bool,
                                                       doc_file: bool, expected: int) -> None:
    doc = 'docs/changes/pay-1.md'
    approvals = (REVIEW_ALICE, REVIEW_BOB, f'Change-Doc: {doc}' if doc_file else DOC_TICKET)
    repo.commit_ok(message('Reviewed charge', ASSISTED, *approvals),
                   {CRITICAL: 'c = 1\n', doc: '# PAY-1\n'}, verify=False)
    central = tmp_path / 'central.yaml'
    central.write_text(POLICY)
    trace = tmp_path / 'trace'
    options = ('--policy', str(central)) if explicit else ()
    result = repo.trailgate('check', *options, 'HEAD~1..HEAD', env={'GIT_TRACE': str(trace)})
    assert_accepted(result)
    assert _cat_file_batches(trace) == expected


def _in_process(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run trailgate in this process as in ``repo``, with the tests' git environment."""
    monkeypatch.chdir(repo.path)
    for key in STRIPPED:
        monkeypatch.delenv(key, raising=False)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def test_a_check_that_fails_before_reading_the_range_stops_the_git_log_it_started(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # git log starts before the policy loads; a policy that does not load leaves no git behind
    for number in range(300):
        bad(repo, f'bad = {number}\n', f'Unreviewed charge {number}')
    broken = tmp_path / 'broken.yaml'
    broken.write_text('version: 2\n')
    logs: list[subprocess.Popen[bytes]] = []

    class Recorded(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, args: tuple[str, ...], *rest: Any, **options: Any) -> None:
            super().__init__(args, *rest, **options)
            if 'log' in args:
                logs.append(self)

    monkeypatch.setattr(subprocess, 'Popen', Recorded)
    _in_process(repo, monkeypatch)
    assert main(['check', '--policy', str(broken), 'HEAD~300..HEAD']) == 2
    assert 'broken.yaml:1:' in capsys.readouterr().err
    assert len(logs) == 1
    assert logs[0].returncode is not None


def test_a_ranges_question_about_other_ranges_is_not_used(
        repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # a question asked ahead (about main..HEAD) that is not about the ranges checked (as when
    # --base adds one): stopped unread, and the ranges are asked about again
    repo.git('switch', '-q', '-c', 'feature')
    bad(repo)
    good(repo)
    _in_process(repo, monkeypatch)
    asked = tg_git.start(*tg_git.ranges_question(('main..HEAD',)))
    assert check(('HEAD~1..HEAD',), None, None, None, Output(), ranges_question=asked) == 0
    assert '1 commit checked, 0 refused' in capsys.readouterr().out


@pytest.mark.parametrize(('comment_char', 'expected'), [(None, 1), (';', 0)])
def test_check_reads_trailers_with_the_repository_s_comment_char(repo: Repo, comment_char: str | None,
                                                                 expected: int) -> None:
    # below a scissors line of core.commentChar nothing is part of the message: the reviews are
    # its trailers; with '#' the line is text, and the message has no trailers
    scissors = '\n; ------------------------ >8 ------------------------\nnot a trailer\n'
    repo.commit_ok(message('Reviewed charge', *APPROVALS) + scissors, {CRITICAL: 'c = 1\n'},
                   author=CLAUDE, verify=False)
    if comment_char is not None:
        repo.git('config', 'core.commentChar', comment_char)
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == expected


def test_a_policy_marker_with_a_posix_class_finds_the_commit(tmp_path: Path) -> None:
    # RE2 reads [[:space:]] as one class where Python's parse sees a literal ']'
    marked = POLICY + "ai:\n  markers: ['^AI[[:space:]]generated']\n"
    repo = new_repo(tmp_path / 'repo', policy_text=marked, hooks=False)
    unreviewed = repo.commit_ok(message('Charge fix', body='AI generated'), {CRITICAL: 'x = 1\n'}, verify=False)
    assert_refused(repo.trailgate('check', 'HEAD~1..HEAD'), unreviewed)


def test_policy_comes_from_the_base_not_the_range(repo: Repo) -> None:
    base = repo.head()
    weaken = repo.commit_ok(message('Drop the rules', REVIEW_ALICE, REVIEW_BOB),
                            {POLICY_PATH: EMPTY_POLICY}, verify=False)
    wrong = bad(repo)
    assert_refused(repo.trailgate('check', f'{base}..HEAD'), wrong)
    # had the weakened policy been the base, nothing would be refused
    assert_accepted(repo.trailgate('check', f'{weaken}..HEAD'))


@pytest.mark.parametrize(('symmetric', 'hint'), [
    ('main...feature', '`main..feature` or `--base main`'),
    ('main...', '`main..HEAD` or `--base main`'),
    ('...main', '`HEAD..main` or `--base HEAD`'),
])
def test_a_symmetric_difference_never_takes_its_policy_from_the_merge_base(
        repo: Repo, symmetric: str, hint: str) -> None:
    """git reads ``A...B`` as ``A B ^$(git merge-base A B)``: its excluded
    side is the merge-base, which the branch under review chooses. A branch
    forked before main's policy had its rules was judged by the old one."""
    repo.commit_ok(message('No rules yet'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    repo.git('branch', 'feature')
    repo.commit_ok(message('The rules'), {POLICY_PATH: POLICY}, verify=False)
    repo.git('switch', '-q', 'feature')
    wrong = bad(repo)
    assert_refused(repo.trailgate('check', 'main..feature'), wrong)
    assert_error(repo.trailgate('check', symmetric), 'merge-base', hint)
    # a policy the caller names judges the symmetric difference (main's own commits too) as asked
    for named in (('--policy-rev', 'main'), ('--base', 'main')):
        result = repo.trailgate('check', 'main...feature', *named)
        assert result.returncode == 1, result
        assert short(wrong) in refused_shas(result)


def test_base_policy_is_validated_once_and_never_serves_another_text(repo: Repo) -> None:
    """The base's policy is cached by its exact text, like the work tree's:
    a pre-push or a re-run does not validate it again, and a policy changed
    in the range can never be served for the base's."""
    cache = repo.path / '.git' / policy_cache.CACHE_FILE
    cache.unlink(missing_ok=True)
    base = repo.head()
    weaken = repo.commit_ok(message('Drop the rules', REVIEW_ALICE, REVIEW_BOB),
                            {POLICY_PATH: EMPTY_POLICY}, verify=False)
    wrong = bad(repo)
    assert_refused(repo.trailgate('check', f'{base}..HEAD'), wrong)
    texts = [entry['data'] for entry in marshal.loads(cache.read_bytes())['entries']]
    # the tip's policy is read too, for the signer file its landing would name: an entry of its own
    assert sorted(texts) == sorted([POLICY.encode(), EMPTY_POLICY.encode()])
    cache.unlink()
    assert_accepted(repo.trailgate('check', f'{weaken}..HEAD'))
    assert_refused(repo.trailgate('check', f'{base}..HEAD'), wrong)
    texts = [entry['data'] for entry in marshal.loads(cache.read_bytes())['entries']]
    assert sorted(texts) == sorted([POLICY.encode(), EMPTY_POLICY.encode()])


def test_policy_deleted_in_the_range(repo: Repo) -> None:
    base = repo.head()
    removed = repo.commit_ok(message('Remove the policy', ASSISTED), remove=[POLICY_PATH],
                             verify=False)
    wrong = bad(repo)
    result = repo.trailgate('check', f'{base}..HEAD')
    assert_refused(result, removed, wrong)
    assert 'policy-owners' in result.stdout


def test_unknown_revision(repo: Repo) -> None:
    assert_error(repo.trailgate('check', 'no-such-ref..HEAD'), 'no-such-ref')
    assert_error(repo.trailgate('check', 'HEAD..no-such-ref'), 'no-such-ref')
    assert_error(repo.trailgate('check', 'HEAD..' + 'f' * 40))
    assert_error(repo.trailgate('check'), 'give a revision range', '--base REF')
    assert_error(repo.trailgate('check', '--output=x', '--', 'HEAD~1..HEAD', '-x'))


@pytest.mark.parametrize('ranges', [
    ('HEAD~1..HEAD', 'HEAD~1..no-such-ref'),
    ('HEAD~1..HEAD', 'no-such-ref'),
], ids=['second-range', 'bare-name'])
def test_unknown_revision_next_to_a_valid_range(repo: Repo, ranges: tuple[str, ...]) -> None:
    bad(repo)
    good(repo)
    assert_error(repo.trailgate('check', *ranges), 'no-such-ref')


def test_missing_full_sha_base_is_an_unknown_revision(repo: Repo) -> None:
    bad(repo)
    result = repo.trailgate('check', 'f' * 40 + '..HEAD')
    assert_error(result, 'f' * 12)
    assert 'trailgate init' not in result.stderr


@pytest.mark.parametrize('args', [
    ('release..HEAD',), ('HEAD..release',), ('release...HEAD',), ('HEAD', '^release'),
    ('release~0..HEAD',), ('release^{commit}..HEAD',), ('--base', 'release'),
    ('HEAD~1..HEAD', '--policy-rev', 'release'),
])
def test_a_short_name_of_a_branch_and_a_tag_is_an_error_never_git_s_guess(
        repo: Repo, args: tuple[str, ...]) -> None:
    """git reads ``release`` as the tag when a branch has that name too: anyone
    who may push a tag would choose the base and its policy."""
    repo.git('branch', 'release')
    wrong = bad(repo)
    repo.git('tag', 'release', 'HEAD')
    assert_error(repo.trailgate('check', *args),
                 'release names more than one ref (refs/tags/release, refs/heads/release)')
    assert_refused(repo.trailgate('check', 'refs/heads/release..HEAD'), wrong)
    assert_accepted(repo.trailgate('check', 'refs/tags/release..HEAD'))


def test_the_fetch_a_missing_base_needs_is_quoted_for_the_shell(repo: Repo) -> None:
    """A branch name may hold `;`, `$(...)` and `|`: the fetch the message
    names must bring that branch, not run what its name says."""
    bad(repo)
    result = repo.trailgate('check', '--base', 'refs/remotes/origin/x;$(id)|y')
    assert_error(result, "`git fetch origin 'x;$(id)|y'` brings it")


def test_no_excluded_side(repo: Repo) -> None:
    assert_error(repo.trailgate('check', 'HEAD'), '--policy-rev')


def test_not_a_repository(tmp_path: Path) -> None:
    outside = Repo(tmp_path / 'plain', env={'GIT_CEILING_DIRECTORIES': str(tmp_path)})
    outside.path.mkdir()
    assert_error(outside.trailgate('check', 'HEAD~1..HEAD'), 'not a git repository')


# -- shallow clones ------------------------------------------------------------

@pytest.fixture(scope='module')
def upstream(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | Repo]:
    """main: policy, A, B; feature from A: F1 (bad), F2."""
    repo = new_repo(tmp_path_factory.mktemp('shallow') / 'upstream', hooks=False)
    facts: dict[str, str | Repo] = {'repo': repo, 'policy': repo.head()}
    facts['A'] = repo.commit_ok(message('A'), {OTHER: 'a\n'})
    repo.git('switch', '-q', '-c', 'feature')
    facts['F1'] = bad(repo)
    facts['F2'] = repo.commit_ok(message('F2'), {OTHER: 'f2\n'})
    repo.git('switch', '-q', 'main')
    facts['B'] = repo.commit_ok(message('B'), {'b.txt': 'b\n'})
    return facts


def _shallow_clone(upstream: dict[str, str | Repo], path: Path, *options: str) -> Repo:
    source = upstream['repo']
    assert isinstance(source, Repo)
    source.git('clone', '-q', *options, f'file://{source.path}', str(path))
    return Repo(path)


def test_shallow_clone_cutting_into_the_range(upstream: dict, tmp_path: Path) -> None:
    clone = _shallow_clone(upstream, tmp_path / 'clone', '--depth', '1', '--no-single-branch')
    # both tips are there, but the history between them is cut
    result = clone.trailgate('check', 'origin/main..origin/feature')
    assert_error(result, 'shallow', 'fetch')


def test_shallow_clone_without_the_base(upstream: dict, tmp_path: Path) -> None:
    clone = _shallow_clone(upstream, tmp_path / 'clone', '--depth', '1', '--branch', 'feature')
    result = clone.trailgate('check', f'{upstream["policy"]}..HEAD')
    assert_error(result, 'fetch')
    assert 'trailgate init' not in result.stderr


def test_shallow_clone_base_option_without_the_base(upstream: dict, tmp_path: Path) -> None:
    clone = _shallow_clone(upstream, tmp_path / 'clone', '--depth', '1', '--branch', 'feature')
    assert_error(clone.trailgate('check', '--base', str(upstream['policy'])), 'fetch')


def test_shallow_clone_without_a_merge_base(upstream: dict, tmp_path: Path) -> None:
    clone = _shallow_clone(upstream, tmp_path / 'clone', '--depth', '1', '--no-single-branch')
    clone.git('switch', '-q', 'feature')
    assert_error(clone.trailgate('check', '--base', 'origin/main'), 'shallow', 'fetch')


def test_shallow_clone_range_reaching_past_the_boundary(upstream: dict, tmp_path: Path) -> None:
    clone = _shallow_clone(upstream, tmp_path / 'clone', '--depth', '1', '--branch', 'feature')
    assert_error(clone.trailgate('check', 'HEAD~3..HEAD'), 'fetch')


def test_shallow_clone_deep_enough(upstream: dict, tmp_path: Path) -> None:
    clone = _shallow_clone(upstream, tmp_path / 'clone', '--depth', '3', '--branch', 'feature')
    # policy, A, F1, F2: A is the base; F1 and F2 are whole
    assert_refused(clone.trailgate('check', f'{upstream["A"]}..HEAD'), str(upstream['F1']))


# -- what a commit changes -----------------------------------------------------

@pytest.mark.parametrize(('source', 'target'), [
    (CRITICAL, 'services/legacy/charge.py'),
    ('README.txt', 'services/payments/README.txt'),
])
def test_rename_counts_both_paths(repo: Repo, source: str, target: str) -> None:
    base = repo.head()
    (repo.path / target).parent.mkdir(parents=True, exist_ok=True)
    repo.git('mv', source, target)
    moved = repo.commit_ok(message('Move', ASSISTED), verify=False)
    result = repo.trailgate('check', f'{base}..HEAD')
    assert_refused(result, moved)
    payments_path = source if source.startswith('services/payments/') else target
    assert payments_path in result.stdout


def test_merge_is_judged_on_its_combined_diff(repo: Repo) -> None:
    base = repo.head()
    repo.git('switch', '-q', '-c', 'side')
    good(repo)
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Main work'), {OTHER: 'main\n'})
    repo.git('merge', '-q', '--no-ff', '--no-verify', 'side', '-m', 'Merge side', '-m', ASSISTED)
    assert_accepted(repo.trailgate('check', f'{base}..HEAD'))


def test_evil_merge_refused(repo: Repo) -> None:
    base = repo.head()
    repo.git('switch', '-q', '-c', 'side')
    good(repo, 'side = 1\n')
    repo.git('switch', '-q', 'main')
    human(repo, 'main = 1\n')
    assert repo.run_git('merge', '-q', 'side').returncode == 1
    merge = repo.commit_ok(message('Merge side', ASSISTED), {CRITICAL: 'resolved = 1\n'},
                           verify=False)
    result = repo.trailgate('check', f'{base}..HEAD')
    assert_refused(result, merge)
    assert '3 commits checked' in result.stdout


def test_merge_brings_in_a_bad_commit(repo: Repo) -> None:
    base = repo.head()
    repo.git('switch', '-q', '-c', 'side')
    wrong = bad(repo)
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Main work'), {OTHER: 'main\n'})
    repo.git('merge', '-q', '--no-ff', '--no-verify', 'side', '-m', 'Merge side')
    assert_refused(repo.trailgate('check', f'{base}..HEAD'), wrong)
    # the merge alone is fine
    assert_accepted(repo.trailgate('check', 'HEAD^1..HEAD', f'^{wrong}'))


def test_root_commit(tmp_path: Path) -> None:
    repo = Repo(init_repo(tmp_path / 'repo'))
    files = {POLICY_PATH: POLICY, CRITICAL: 'c = 1\n'}
    root = repo.commit_ok(message('Start', ASSISTED, REVIEW_ALICE), files, verify=False)
    result = repo.trailgate('check', '--policy-rev', 'HEAD', 'HEAD')
    assert_refused(result, root)
    assert CRITICAL in result.stdout
    repo.commit_ok(message('Start', ASSISTED, *APPROVALS), args=['--amend'], verify=False)
    assert_accepted(repo.trailgate('check', '--policy-rev', 'HEAD', 'HEAD'))


def test_non_utf8_commit_encoding(repo: Repo) -> None:
    base = repo.head()
    repo.git('config', 'i18n.commitEncoding', 'ISO-8859-1')
    text = 'Caf\xe9 charge\n\nAssisted-by: Cl\xe9ment\n'
    latin = repo.commit_ok(text.encode('latin-1'), {CRITICAL: 'c = 1\n'}, verify=False)
    assert repo.git('cat-file', '-p', 'HEAD').count('encoding ISO-8859-1') == 1
    reviewed = text + f'Reviewed-by: Al\xefce Archer <alice@example.com>\n{REVIEW_BOB}\n'
    repo.commit_ok((reviewed + 'Change-Doc: PAY-9\n').encode('latin-1'), {CRITICAL: 'c = 2\n'},
                   verify=False)
    result = repo.trailgate('check', f'{base}..HEAD')
    assert_refused(result, latin)
    assert 'Caf\xe9 charge' in result.stdout
    assert 'Cl\xe9ment' in result.stdout


ODD_NAMES = {
    'sha': 'services/payments/' + 'a' * 40,
    'newline': 'services/payments/new\nline.py',
    'leading-newline': 'services/payments/\nleading.py',
    'marker': 'services/payments/TGSTART',
    'dashes': 'services/payments/--',
    'non-utf8': os.fsdecode(b'services/payments/\xff.py'),
}


@pytest.mark.parametrize('name', ODD_NAMES.values(), ids=ODD_NAMES.keys())
def test_odd_file_names(repo: Repo, name: str) -> None:
    base = repo.head()
    # top-level files named like a revision, the log's record marker, or a range
    decoys = {base: 'sha\n', 'TGSTART': 'marker\n', f'{base}..HEAD': 'range\n', '\nTGSTART': 'x\n'}
    before = repo.commit_ok(message('Decoys', ASSISTED), decoys, verify=False)
    repo.commit_ok(message('Empty', ASSISTED), args=['--allow-empty'], verify=False)
    wrong = repo.commit_ok(message('Odd', ASSISTED), {name: 'odd\n', 'TGSTART': 'again\n'},
                           verify=False)
    fine = repo.commit_ok(message('Odd', ASSISTED, *APPROVALS), {name: 'odder\n'}, verify=False)
    result = repo.trailgate('check', f'{base}..HEAD')
    assert_refused(result, wrong)
    assert '4 commits checked' in result.stdout
    assert_accepted(repo.trailgate('check', f'{base}..{before}'))
    assert_accepted(repo.trailgate('check', f'{wrong}..{fine}'))


def test_exact_refusal_output(repo: Repo) -> None:
    wrong = bad(repo)
    result = repo.trailgate('check', 'HEAD~1..HEAD')
    lines = result.stdout.splitlines()
    assert lines[0] == f'refused {short(wrong)} Unreviewed charge'
    assert lines[1].startswith('  fix: git commit --amend --trailer ')
    assert any(line.startswith(f'  x {RULE}: missing-review (TG001)') for line in lines)
    assert any(line.startswith(f'  x {RULE}: missing-documentation (TG002)') for line in lines)
    assert 'alice@example.com' in result.stdout and 'bob@example.com' in result.stdout


def test_older_commit_hint_names_the_rebase_that_reaches_it(repo: Repo) -> None:
    older = bad(repo)
    repo.commit_ok(message('Index faster'), {OTHER: 'fast = 1\n'}, verify=False)
    repo.git('checkout', '-q', '--orphan', 'elsewhere')
    root = bad(repo)  # `<sha>~1` does not exist for a first commit
    out = repo.trailgate('check', 'main~2..main', 'main..elsewhere').stdout
    hints = [line.strip() for line in out.splitlines() if 'for an older commit' in line]
    assert hints == [
        f'(for an older commit: git rebase -i {short(older)}~1, "reword" it and add the trailers)',
        '(for an older commit: git rebase -i --root, "reword" it and add the trailers)',
    ], out
    assert short(root) in out


@pytest.mark.parametrize('plain', [True, False], ids=['fast path', 'click'])
def test_output_dash_is_standard_output(repo: Repo, plain: bool) -> None:
    """`--output -` writes the report where it would go without --output, never to a file named '-'."""
    import json

    base = repo.head()
    wrong = bad(repo)
    extra = () if plain else ('--policy-rev', base)
    result = repo.trailgate('check', '--format', 'json', '--output', '-', *extra, f'{base}..HEAD')
    assert result.returncode == 1, result
    assert wrong in {commit['sha'] for commit in json.loads(result.stdout)['commits']}, result.stdout
    assert not (repo.path / '-').exists()


def _mode_only(repo: Repo) -> None:
    (repo.path / CRITICAL).chmod(0o755)
    repo.git('add', CRITICAL)


def _to_symlink(repo: Repo) -> None:
    (repo.path / CRITICAL).unlink()
    (repo.path / CRITICAL).symlink_to('../../README.txt')
    repo.git('add', CRITICAL)


def _delete(repo: Repo) -> None:
    repo.git('rm', '-q', CRITICAL)


def _add_submodule(repo: Repo) -> None:
    module = init_repo(repo.path.parent / 'module')
    (module / 'm.txt').write_text('m\n')
    repo.run_git('-C', str(module), 'add', 'm.txt')
    repo.run_git('-C', str(module), 'commit', '-q', '-m', 'module')
    repo.git('-c', 'protocol.file.allow=always', 'submodule', '-q', 'add', str(module), 'services/payments/vendored')


@pytest.mark.parametrize('change', [_mode_only, _to_symlink, _delete, _add_submodule])
def test_every_kind_of_change_to_a_critical_path_counts(repo: Repo, change: Callable[[Repo], None]) -> None:
    """A mode-only change, a file turned into a symlink, a deletion and a
    submodule (a gitlink, no file of its own) each touch the rule's paths."""
    base = repo.head()
    change(repo)
    changed = repo.commit_ok(message('Change a critical path', ASSISTED), verify=False)
    assert repo.git('diff', '--name-only', base, changed).strip()
    assert_refused(repo.trailgate('check', f'{base}..HEAD'), changed)
