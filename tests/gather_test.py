"""Judging a range: documentation files are looked up ahead of the verdicts
(``READ_AHEAD`` commits), and every verdict is the one a lookup per commit
gives."""
from __future__ import annotations

import gc
import select
from pathlib import Path

import pytest

from testing.approvals import signed_policy
from testing.scenarios import ALICE
from testing.scenarios import ASSISTED
from testing.scenarios import BOB
from testing.scenarios import CRITICAL
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import init
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.util import GIT_ENV
from testing.util import STRIPPED
from trailgate import gather
from trailgate import git
from trailgate import policies
from trailgate.policy import load_policy

COMMITS = 3 * gather.READ_AHEAD + 7


def _history(repo_path: Path) -> None:
    """AI-assisted reviewed commits naming a documentation file that is, by
    turns, added with the commit, older, missing, a symlink, a directory, an
    executable file, or a name with a backslash."""
    lines = []
    for n in range(COMMITS):
        kind = n % 7
        changes = [f'M 100644 inline {CRITICAL}', f'data {len(str(n)) + 1}', f'{n}']
        if kind == 0:
            doc = f'docs/changes/new-{n}.md'
            changes += [f'M 100644 inline {doc}', 'data 4', 'doc']
        elif kind == 1:
            doc = f'docs/changes/new-{n - 1}.md'
        elif kind == 2:
            doc = f'docs/changes/missing-{n}.md'
        elif kind == 3:
            doc = f'docs/changes/link-{n}.md'
            changes += [f'M 120000 inline {doc}', 'data 9', '../../etc']
        elif kind == 4:
            doc = 'docs/changes'
        elif kind == 5:
            doc = f'docs/changes/run-{n}.sh'
            changes += [f'M 100755 inline {doc}', 'data 4', 'run']
        else:
            doc = f'docs/changes/x{n}\\nevil.md'
        message = f'Change {n}\n\n{ASSISTED}\nReviewed-by: {ALICE}\nReviewed-by: {BOB}\nChange-Doc: {doc}\n'
        lines += [
            'commit refs/heads/main',
            f'committer Dev Eloper <dev@example.com> {1767225600 + n} +0000',
            f'data {len(message.encode())}', message,
            *(['from refs/heads/main^0'] if n == 0 else []),
            *changes, '',
        ]
    stream = '\n'.join(lines) + '\ndone\n'
    import subprocess

    subprocess.run(('git', 'fast-import', '--quiet', '--done'), cwd=repo_path, input=stream.encode(),
                   check=True, capture_output=True, env={**GIT_ENV, 'PATH': '/usr/bin:/bin'})


def _expected(repo_path: Path, sha: str, doc: str) -> bool:
    """A lookup of its own: is ``doc`` a regular file in ``sha``?"""
    out = git.run('ls-tree', '-z', '--full-tree', sha, '--', doc, cwd=str(repo_path))
    modes = [entry.split(b' ', 1)[0] for entry in out.split(b'\0') if entry]
    return '\n' not in doc and modes in ([b'100644'], [b'100755'])


@pytest.fixture
def git_here(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in STRIPPED:
        monkeypatch.delenv(name, raising=False)
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_here: None) -> Path:
    repo = new_repo(tmp_path / 'repo', POLICY, hooks=False)
    _history(repo.path)
    monkeypatch.chdir(repo.path)
    return repo.path


def test_looked_up_ahead_as_one_by_one(repo: Path) -> None:
    root = git.decode(git.run('rev-list', '--max-parents=0', 'main')).strip()
    with git.CatFile() as cat:
        policy = policies.at_revision(cat, root)
    assert policy is not None
    batch = gather.Batch(policy, (f'{root}..main',))
    judged = list(gather.judge([batch], git.repo()))
    assert len(judged) == COMMITS
    seen = set()
    for assessment in judged:
        commit = assessment.commit
        assert commit.sha is not None
        doc = commit.trailer_values('Change-Doc')[0]
        exists = _expected(repo, commit.sha, doc)
        seen.add(exists)
        assert (doc in commit.existing_files) == exists, (commit.subject, doc)
        assert assessment.refused == (not exists), (commit.subject, doc, assessment.violations)
    assert seen == {True, False}
    subjects = [a.commit.subject for a in judged]
    assert subjects == [f'Change {n}' for n in reversed(range(COMMITS))]


@pytest.mark.parametrize('every_signal', [True, False])
def test_each_commit_is_judged_on_its_own_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_here: None,
                                                every_signal: bool) -> None:
    """A root, a merge and the commits between, read with every signal or
    only where something protected changed: the root and the merge are
    known as such either way, and a commit that changes something
    protected is read in full and refused."""
    repo = Repo(init(tmp_path / 'repo'))
    monkeypatch.chdir(repo.path)
    repo.commit_ok(message('Start the shop'), {'README.txt': 'shop\n'}, verify=False)
    repo.git('switch', '-q', '-c', 'side')
    repo.commit_ok(message('Index search', ASSISTED, body='Faster.'), {OTHER: 'index = 1\n'}, verify=False)
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'charge = 2\n'}, verify=False)
    repo.git('merge', '-q', '--no-ff', '-m', 'Merge search', 'side')
    policy = load_policy(POLICY.encode(), POLICY_PATH)
    judged = list(gather.judge([gather.Batch(policy, ('main',))], git.repo(), every_signal=every_signal))
    facts = {a.commit.subject: (a.commit.is_root, a.commit.is_merge, a.refused) for a in judged}
    assert facts == {
        'Start the shop': (True, False, False),
        'Index search': (False, False, False),
        'Charge twice': (False, False, True),
        'Merge search': (False, True, False),
    }
    (search,) = (a.commit for a in judged if a.commit.subject == 'Index search')
    if every_signal:
        assert search.trailer_values('Assisted-by') == ('Claude Code',)
    else:  # nothing protected changed: only its subject was read
        assert (search.message, search.trailers) == ('Index search\n', ())


def test_an_error_midway_leaves_no_process_behind(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = git.decode(git.run('rev-list', '--max-parents=0', 'main')).strip()
    with git.CatFile() as cat:
        policy = policies.at_revision(cat, root)
    assert policy is not None
    judged = gather.judge([gather.Batch(policy, (f'{root}..main',))], git.repo())
    for _ in range(gather.READ_AHEAD // 2):
        next(judged)
    judged.close()  # the consumer stops early: the unread answers are dropped


def test_questions_sent_ahead_are_answered_before_their_answers_are_read(repo: Path) -> None:
    head = git.decode(git.run('rev-parse', 'main')).strip()
    with git.CatFile() as cat:
        cat.ask_regular_file(head, POLICY_PATH)
        cat.send_asked()
        stdout = cat._process.stdout
        assert stdout is not None
        # git answers though nobody has asked for the answer yet
        ready, _, _ = select.select([stdout], [], [], 60)
        assert ready, 'the question never reached git'
        assert cat.regular_file_answer()


def test_the_heap_is_frozen_only_while_a_range_is_judged() -> None:
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), gather.frozen_heap():
        assert gc.get_freeze_count() > 0
        raise RuntimeError
    assert gc.get_freeze_count() == 0


def test_each_batch_s_commits_are_judged_by_its_own_policy_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_here: None) -> None:
    """Batches of the same commits, two policies asking for signed approvals
    under rules of their own, then one that asks for none: a chunk never
    carries a commit of one batch into the next batch's policy, and the
    verdicts of the last come after those still in chunks."""
    repo = new_repo(tmp_path / 'repo', POLICY, hooks=False)
    monkeypatch.chdir(repo.path)
    for n in range(3):
        repo.commit_ok(message(f'Charge {n}', ASSISTED), {CRITICAL: f'charge = {n}\n'}, verify=False)
    first = load_policy(signed_policy(1).replace('tier1-payments', 'tier1-first').encode(), POLICY_PATH)
    second = load_policy(signed_policy(1).replace('tier1-payments', 'tier1-second').encode(), POLICY_PATH)
    typed = load_policy(POLICY.encode(), POLICY_PATH)
    assert first.signed_reviews and second.signed_reviews and not typed.signed_reviews
    batches = [gather.Batch(policy, ('main~3..main',)) for policy in (first, second, typed)]
    judged = list(gather.judge(batches, git.repo()))
    assert [(a.commit.subject, {v.rule for v in a.violations}) for a in judged] == [
        (f'Charge {n}', {rule}) for rule in ('tier1-first', 'tier1-second', RULE) for n in (2, 1, 0)
    ]


def test_a_policy_asking_for_signed_approvals_over_no_commit_judges_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_here: None) -> None:
    """No commit, so no chunk and no ledger read: nothing to judge, and no error."""
    repo = new_repo(tmp_path / 'repo', POLICY, hooks=False)
    monkeypatch.chdir(repo.path)
    signed = load_policy(signed_policy(1).encode(), POLICY_PATH)
    assert list(gather.judge([gather.Batch(signed, ('main..main',))], git.repo())) == []
    assert list(gather.judge([gather.Batch(signed, (), exact=())], git.repo())) == []
