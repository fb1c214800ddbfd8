"""pre-push with ``protected``: judge what would land on a protected remote ref.

Real ``git push`` to a local bare remote without a server hook (only the
client decides), the hook installed directly or through pre-commit.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest

from testing.approvals import LEDGER
from testing.approvals import SIGNERS_PATH
from testing.approvals import entry
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.approvals import write_ledger
from testing.precommit import pre_commit
from testing.scenarios import ALICE
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import clone
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values
from testing.scenarios import unreviewed
from testing.scenarios import write_hooks
from testing.sshkeys import make_key
from testing.util import init_repo
from tests.commands.pre_push_test import accepted
from tests.commands.pre_push_test import good
from tests.commands.pre_push_test import refused


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY)
    publish(repo, origin)
    return Setup(repo, origin)


def reminded(result: Run, count: int) -> None:
    """Passed, with one line saying how many commits still need review."""
    assert result.returncode == 0, result
    lines = [line for line in result.stderr.splitlines() if 'reminder' in line]
    assert len(lines) == 1, result.stderr
    plural = 's' if count != 1 else ''
    assert f'reminder: {count} pushed commit{plural} will need review' in lines[0]
    assert 'main, release/*' in lines[0]
    assert ALICE not in result.stderr
    assert not any(line.startswith('refused') for line in result.stderr.splitlines())


def test_feature_branch_push_passes_with_a_reminder(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    unreviewed(repo)
    unreviewed(repo, 'worse\n', 'Another one')
    good(repo, 'fine\n')
    result = repo.run_git('push', '-u', 'origin', 'feature')
    accepted(result)
    reminded(result, 2)
    assert ref_values(origin)['refs/heads/feature'] == repo.head()


def test_feature_branch_push_without_anything_missing_is_silent(setup: Setup) -> None:
    repo, _ = setup
    repo.git('switch', '-q', '-c', 'feature')
    good(repo)
    result = repo.run_git('push', '-u', 'origin', 'feature')
    accepted(result)
    assert 'reminder' not in result.stderr


def test_a_refused_push_never_says_nothing_is_refused(setup: Setup) -> None:
    """A push of a feature branch and of main: main's commit is refused, and
    the feature branch's reminder does not say that nothing is."""
    repo, origin = setup
    before = ref_values(origin)
    repo.git('switch', '-q', '-c', 'feature')
    unreviewed(repo, 'later\n', 'Feature change')
    repo.git('switch', '-q', 'main')
    wrong = unreviewed(repo)
    result = repo.run_git('push', 'origin', 'main', 'feature')
    refused(result, wrong[:10])
    lines = [line for line in result.stderr.splitlines() if 'reminder' in line]
    assert len(lines) == 1, result.stderr
    assert 'nothing refused' not in lines[0], result.stderr
    assert 'the push is refused' in lines[0], result.stderr
    assert ref_values(origin) == before


def test_push_to_main_refused(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(repo.run_git('push', 'origin', 'main'), wrong[:10])
    assert ref_values(origin) == before


def test_new_protected_branch_refused(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'release/1')
    wrong = unreviewed(repo)
    refused(repo.run_git('push', 'origin', 'release/1'), wrong[:10])
    assert 'refs/heads/release/1' not in ref_values(origin)


def test_commits_already_on_a_feature_branch_are_judged_when_main_moves(setup: Setup) -> None:
    repo, origin = setup
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    accepted(repo.run_git('push', '-u', 'origin', 'feature'))
    before = ref_values(origin)
    refused(repo.run_git('push', 'origin', 'feature:main'), wrong[:10])
    refused(repo.run_git('push', 'origin', 'feature:refs/heads/release/9'), wrong[:10])
    assert ref_values(origin) == before


def test_two_refs_one_protected(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    repo.git('switch', '-q', 'main')
    repo.git('merge', '-q', '--ff-only', 'feature')
    refused(repo.run_git('push', 'origin', 'feature', 'main'), wrong[:10])
    assert ref_values(origin) == before


def test_url_push_uses_the_remote_policy_not_the_work_tree(tmp_path: Path) -> None:
    """The work tree's uncommitted policy judges nothing; a URL push gets the
    same trusted base (the remote's default branch) as a push to the name."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo')  # no protected key: every branch is protected
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    (repo.path / POLICY_PATH).write_text(EMPTY_POLICY)  # weakened, not committed
    for target in ('origin', str(origin.path), f'file://{origin.path}', f'file://{origin.path}/'):
        refused(repo.run_git('push', target, 'feature'), wrong[:10])
    repo.git('remote', 'remove', 'origin')  # a URL that is no configured remote at all
    refused(repo.run_git('push', f'file://{origin.path}', 'feature'), wrong[:10])
    assert 'refs/heads/feature' not in ref_values(origin)


def test_an_update_is_judged_by_the_policy_of_the_value_it_replaces(setup: Setup) -> None:
    """Not by the default branch's: a release branch keeps its rules when main drops them."""
    repo, origin = setup
    repo.git('push', '-q', '--no-verify', 'origin', 'main:refs/heads/release/1')
    repo.commit_ok(message('Drop the rules', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: EMPTY_POLICY})
    repo.git('push', '-q', '--no-verify', 'origin', 'main')
    repo.git('switch', '-q', '-c', 'fix', 'origin/release/1')
    wrong = unreviewed(repo)
    before = ref_values(origin)
    refused(repo.run_git('push', 'origin', 'fix:release/1'), wrong[:10])
    assert ref_values(origin) == before


TAGS_POLICY = PROTECTED_POLICY.replace('protected: [main, "release/*"]', 'protected: [main, "refs/tags/v*"]')


def _not_a_commit(result: Run, status: int = 1) -> None:
    """Refused before any commit is judged, saying what to push instead."""
    assert result.returncode != 0, f'the push went through: {result}'
    assert result.hooks.get('pre-push', status) == status, result
    assert 'not a commit (nor a tag of one)' in result.output, result.output
    assert 'push a commit, or a tag of one' in result.output, result.output
    assert 'no-verify' not in result.output and 'Traceback' not in result.output, result.output


def _not_commits(repo: Repo, wrong: str) -> dict[str, str]:
    """A name for (a tag of) the tree of ``wrong`` and one of its files."""
    repo.git('tag', '-a', '-m', 'Release', 'x-tree', f'{wrong}^{{tree}}')
    repo.git('tag', '-a', '-m', 'Release', 'x-blob', f'{wrong}:{CRITICAL}')
    return {'tag of a tree': 'x-tree', 'tree': f'{wrong}^{{tree}}', 'blob': f'{wrong}:{CRITICAL}',
            'tag of a blob': 'x-blob'}


@pytest.mark.parametrize('target', ['tag of a tree', 'tree', 'blob', 'tag of a blob'])
def test_a_protected_tag_cannot_point_at_what_is_not_a_commit(tmp_path: Path, target: str) -> None:
    """A protected tag pushed as (a tag of) the tree of an unreviewed commit,
    or one of its files: git log reads no commit in a tree, so nothing was
    judged and the AI change left for v1 without its reviews."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', TAGS_POLICY)
    publish(repo, origin)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    sha = repo.rev(_not_commits(repo, wrong)[target])
    _not_a_commit(repo.run_git('push', 'origin', f'{sha}:refs/tags/v1'))
    repo.git('tag', *(('-a', '-m', 'Release') if target.startswith('tag of') else ()), 'v1', sha)
    _not_a_commit(repo.run_git('push', 'origin', 'v1'))
    assert 'refs/tags/v1' not in ref_values(origin)
    accepted(repo.run_git('push', 'origin', f'{sha}:refs/tags/demo'))  # no protected ref: it passes
    repo.git('tag', '-f', 'v1', wrong)
    refused(repo.run_git('push', 'origin', 'v1'), wrong[:10])  # a commit is judged
    repo.git('push', '-q', '--no-verify', 'origin', f'{sha}:refs/tags/v1')
    accepted(repo.run_git('push', 'origin', ':refs/tags/v1'))  # a deletion adds nothing
    assert 'refs/tags/v1' not in ref_values(origin)


def _tag_holds_a_tree(repo: Repo, origin: Repo) -> str:
    """The remote's tag v1 holds the tree of a commit whose policy judges
    nothing (from before v1 was protected, or set on the server); this
    clone has it. Returns the tree."""
    repo.git('switch', '-q', '-c', 'feature')
    lax = repo.commit_ok(message('Nothing'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    repo.git('push', '-q', '--no-verify', 'origin', f'{lax}:refs/heads/lax')
    origin.git('update-ref', 'refs/tags/v1', f'{lax}^{{tree}}')
    repo.git('fetch', '-q', 'origin', 'refs/tags/v1:refs/tags/v1')
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    return repo.rev(f'{lax}^{{tree}}')


def test_a_protected_tag_that_holds_a_tree_is_judged_as_a_new_one(tmp_path: Path) -> None:
    """Its current value is no commit: no committed policy and no history
    to judge from, so the update is judged as a new protected ref's (as for
    a value this clone lacks), by the default branch, never by the tree's
    policy; and a tree pushed over it is refused too."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', TAGS_POLICY)
    publish(repo, origin)
    tree = _tag_holds_a_tree(repo, origin)
    wrong = unreviewed(repo)
    repo.git('tag', '-f', 'v1', f'{wrong}^{{tree}}')
    _not_a_commit(repo.run_git('push', '--force', 'origin', 'v1'))
    repo.git('tag', '-f', 'v1', wrong)
    refused(repo.run_git('push', '--force', 'origin', 'v1'), wrong[:10])
    assert ref_values(origin)['refs/tags/v1'] == tree


# -- the approvals ledger ----------------------------------------------------------

# a pattern that also names the approvals ledger, and a rule no ledger commit passes
EVERY_REF_POLICY = f"""\
version: 1
groups:
  senior: [alice@example.com]
protected: ["refs/**"]
rules:
  - id: {RULE}
    paths: ["**"]
    applies_to: all
    require:
      reviews: {{group: senior}}
"""


def _ledger_entries(tmp_path: Path, *changes: str) -> list[dict[str, bytes]]:
    """One signed record per change (any change: they approve nothing here)."""
    alice = make_key(tmp_path / 'keys', 'alice')
    return [entry(alice, change, 'alice@example.com') for change in changes]


def test_a_pattern_that_also_names_the_approvals_ledger_leaves_its_update_to_the_server(tmp_path: Path) -> None:
    """``refs/**`` names the approvals ledger too: pre-push judges no ledger
    commit as a commit, new ledger or update (as pre-receive judges it: as the
    ledger, never as commits); a branch in the same push is judged."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', EVERY_REF_POLICY)
    publish(repo, origin)
    one, two = _ledger_entries(tmp_path, 'c' * 64, 'd' * 64)
    first = write_ledger(repo, one)
    accepted(repo.run_git('push', 'origin', LEDGER))
    second = write_ledger(repo, two)
    wrong = repo.commit_ok(message('Tidy the readme'), {'README.txt': 'tidy\n'}, verify=False)
    result = repo.run_git('push', 'origin', 'HEAD:main', f'{LEDGER}:{LEDGER}')
    refused(result, wrong[:10])
    assert second[:10] not in result.stderr
    assert ref_values(origin)[LEDGER] == first
    accepted(repo.run_git('push', 'origin', f'{LEDGER}:{LEDGER}'))
    assert ref_values(origin)[LEDGER] == second


def test_the_approvals_ledger_is_no_pushed_commit_to_remind_of(tmp_path: Path) -> None:
    """Where no pattern names the ledger, its commits are not counted as
    commits that will need review before they land either."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', EVERY_REF_POLICY.replace('"refs/**"', 'main'))
    publish(repo, origin)
    write_ledger(repo, *_ledger_entries(tmp_path, 'c' * 64))
    result = repo.run_git('push', 'origin', LEDGER)
    accepted(result)
    assert 'reminder' not in result.stderr, result.stderr


def test_the_approvals_ledger_exempts_no_commit_of_a_new_protected_ref(tmp_path: Path) -> None:
    """A push to a URL sees every ref of the remote (``git ls-remote``), the
    ledger too: its commits are not on "another protected ref", so a new
    protected ref of them is judged; a branch holding them still exempts them."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', EVERY_REF_POLICY)
    publish(repo, origin)
    first = write_ledger(repo, *_ledger_entries(tmp_path, 'c' * 64))
    repo.git('push', '-q', '--no-verify', 'origin', f'{LEDGER}:{LEDGER}')
    repo.git('remote', 'remove', 'origin')  # no remote-tracking refs: the remote itself is asked
    url = f'file://{origin.path}'
    refused(repo.run_git('push', url, f'{first}:refs/heads/records'), first[:10])
    assert 'refs/heads/records' not in ref_values(origin)
    repo.git('push', '-q', '--no-verify', url, f'{first}:refs/heads/records')
    accepted(repo.run_git('push', url, f'{first}:refs/heads/copy'))  # on another protected ref


# -- stdin git never writes ---------------------------------------------------------

class Pushed(NamedTuple):
    repo: Repo
    url: str
    base: str  # main on the remote
    wrong: str  # an unreviewed commit on main, not pushed


@pytest.fixture(scope='module')
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Pushed:
    """Read only: the hook is run by hand and nothing is pushed."""
    directory = tmp_path_factory.mktemp('stdin')
    origin = bare_remote(directory / 'origin.git', pre_receive=False)
    repo = new_repo(directory / 'repo', PROTECTED_POLICY, hooks=False)
    publish(repo, origin)
    base = repo.head()
    return Pushed(repo, str(origin.path), base, unreviewed(repo))


def _pre_push(pushed: Pushed, text: str) -> Run:
    return pushed.repo.trailgate('pre-push', 'origin', pushed.url,
                                 input=text.format(wrong=pushed.wrong, upper=pushed.wrong.upper(), base=pushed.base))


MAIN = 'refs/heads/main {wrong} refs/heads/main {base}'


@pytest.mark.parametrize('text', [
    pytest.param('\n', id='an empty line'),
    pytest.param(f'\n{MAIN}\n', id='an empty line before a ref'),
    pytest.param(f'{MAIN}\n\n', id='an empty line after a ref'),
    pytest.param(' \t\n', id='a blank line'),
    pytest.param('refs/heads/main {wrong} refs/heads/main\n', id='three fields'),
    pytest.param(f'{MAIN} \n', id='a trailing space'),
    pytest.param('refs/heads/main {wrong}  refs/heads/main {base}\n', id='two spaces'),
    pytest.param(MAIN.replace(' ', '\t') + '\n', id='tabs'),
    pytest.param(f'{MAIN}\r\n', id='crlf'),
    pytest.param(' {wrong} refs/heads/main {base}\n', id='no local ref'),
    pytest.param('refs/heads/main {wrong} refs/heads/ma in {base}\n', id='a remote ref with a space'),
    pytest.param('refs/heads/main {wrong} refs/heads/main\x01 {base}\n', id='a remote ref with a control'),
    pytest.param('refs/heads/main {wrong} refs/heads/ma*n {base}\n', id='a remote ref with a glob'),
    pytest.param('refs/heads/main {wrong} main {base}\n', id='a short remote ref'),
    pytest.param('main {wrong} refs/heads/main {base}\0\n', id='a nul'),
    pytest.param('refs/heads/main {wrong:.12} refs/heads/main {base}\n', id='a short local sha'),
    pytest.param('refs/heads/main {wrong} refs/heads/main {base:.12}\n', id='a short remote sha'),
    pytest.param(f'refs/heads/main {"g" * 40} refs/heads/main {{base}}\n', id='a local sha not hex'),
    pytest.param(f'refs/heads/main {{wrong}} refs/heads/main {"g" * 40}\n', id='a remote sha not hex'),
    pytest.param('refs/heads/main HEAD refs/heads/main {base}\n', id='a local revision'),
    pytest.param('refs/heads/main --max-count=0 refs/heads/main {base}\n', id='an option'),
    pytest.param('refs/heads/main {upper} refs/heads/main {base}\n', id='an uppercase sha'),
])
def test_a_line_git_never_writes_is_an_error_not_a_pass(pushed: Pushed, text: str) -> None:
    result = _pre_push(pushed, text)
    assert result.returncode == 2, result
    assert 'unexpected pre-push input line' in result.stderr
    assert "run trailgate pre-push as git's pre-push hook" in result.stderr
    assert 'Traceback' not in result.output


@pytest.mark.parametrize('text', [
    pytest.param(MAIN, id='the only line'),
    pytest.param(f'refs/heads/feature {{base}} refs/heads/feature {"0" * 40}\n{MAIN}', id='the second line'),
])
def test_a_last_line_without_a_newline_is_judged(pushed: Pushed, text: str) -> None:
    result = _pre_push(pushed, text)
    assert result.returncode == 1, result
    assert pushed.wrong[:10] in result.stderr


# -- the pre-commit framework -----------------------------------------------------

@pytest.fixture
def framework(tmp_path: Path, pre_commit_setup) -> Setup:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    policy = PROTECTED_POLICY
    repo = new_repo(tmp_path / 'repo', policy, hooks=False,
                    files={'.pre-commit-config.yaml': pre_commit_setup.config})
    repo.env.update(pre_commit_setup.env)
    pre_commit(repo, 'install', '--hook-type', 'commit-msg', '--hook-type', 'pre-push')
    publish(repo, origin)
    return Setup(repo, origin)


def _framework_refused(result: Run, *needles: str) -> None:
    assert result.returncode != 0, result
    assert 'Failed' in result.output, result.output
    for needle in (RULE, *needles):
        assert needle in result.output, f'{needle!r} not in:\n{result.output}'


def test_framework_feature_push_passes_with_a_reminder(framework: Setup) -> None:
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    result = repo.commit('Unreviewed charge\n\nAssisted-by: Claude Code\n',
                         {'services/payments/charge.py': 'x\n'})
    assert result.returncode == 0, result  # commit-msg reminds on a feature branch
    assert 'needs review' in result.output
    result = repo.run_git('push', '-u', 'origin', 'feature')
    assert result.returncode == 0, result
    assert 'reminder: 1 pushed commit will need review' in result.output
    assert ref_values(origin)['refs/heads/feature'] == repo.head()
    # pushed again with nothing new: pre-commit passes no range at all
    result = repo.run_git('push', 'origin', 'feature')
    assert result.returncode == 0, result


@pytest.mark.parametrize('command', [
    ('push', 'origin', 'main'),
    ('push', 'origin', 'feature:main'),
    ('push', 'origin', 'feature', 'main'),  # pre-commit passes the first ref only
    ('push',),  # push.default: main to its upstream
])
def test_framework_refuses_what_lands_on_a_protected_branch(framework: Setup, command: tuple[str, ...]) -> None:
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    repo.git('push', '-q', '--no-verify', '-u', 'origin', 'feature')
    repo.git('switch', '-q', 'main')
    repo.git('merge', '-q', '--ff-only', 'feature')
    before = ref_values(origin)
    _framework_refused(repo.run_git(*command), wrong[:10])
    assert ref_values(origin) == before


def _tightened(tmp_path: Path, **options: Any) -> tuple[Setup, str]:
    """main: a first policy that guards no payments, then one that does
    (reviewed), published; the setup and the first commit."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', POLICY.replace('services/payments/**', 'services/nothing/**'), **options)
    old = repo.head()
    repo.commit_ok(message('Guard payments', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: POLICY}, verify=False)
    publish(repo, origin)
    return Setup(repo, origin), old


def test_a_protected_branch_taken_back_to_an_older_policy_is_refused_before_the_push(tmp_path: Path) -> None:
    """What the server refuses, pre-push says first: a force push of main back
    past its policy change adds no commit, yet the weaker policy it leaves
    would judge every later push. A force push that keeps the policy passes."""
    (repo, origin), old = _tightened(tmp_path)
    before = ref_values(origin)
    result = repo.run_git('push', '--force', 'origin', f'{old}:refs/heads/main')
    assert result.returncode != 0 and result.hooks.get('pre-push') == 1, result
    assert 'takes refs/heads/main back to another .trailgate/policy.yaml' in result.stderr
    assert ref_values(origin) == before
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    accepted(repo.run_git('push', 'origin', 'main'))
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    accepted(repo.run_git('push', '--force', 'origin', 'main'))


def test_a_new_protected_branch_at_an_older_policy_is_refused_before_the_push(tmp_path: Path) -> None:
    """What the server refuses, pre-push says first: an old commit as a new
    protected branch (every branch is, here) adds no commit, yet its weaker
    policy would judge every later push to it. The same branch with the
    default branch merged in passes."""
    (repo, origin), old = _tightened(tmp_path)
    before = ref_values(origin)
    result = repo.run_git('push', 'origin', f'{old}:refs/heads/hotfix')
    assert result.returncode != 0 and result.hooks.get('pre-push') == 1, result
    assert ('this update creates refs/heads/hotfix with another .trailgate/policy.yaml than the default branch '
            'main holds') in result.stderr, result.stderr
    assert ref_values(origin) == before
    repo.git('switch', '-q', '-c', 'hotfix', old)
    repo.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'Merge main', 'main')
    accepted(repo.run_git('push', 'origin', 'hotfix'))


def test_framework_refuses_a_new_protected_branch_at_an_older_policy(tmp_path: Path, pre_commit_setup) -> None:
    (repo, origin), old = _tightened(tmp_path, hooks=False,
                                     files={'.pre-commit-config.yaml': pre_commit_setup.config})
    repo.env.update(pre_commit_setup.env)
    pre_commit(repo, 'install', '--hook-type', 'pre-push')
    repo.git('switch', '-q', '-c', 'hotfix', old)
    # pre-commit skips the pre-push stage of a push that adds no commit: a fix on top
    repo.commit_ok(message('Fix'), {OTHER: 'fixed\n'}, verify=False)
    before = ref_values(origin)
    result = repo.run_git('push', 'origin', 'hotfix')
    assert result.returncode != 0 and 'Failed' in result.output, result.output
    assert 'this update creates refs/heads/hotfix with another .trailgate/policy.yaml' in result.output
    assert ref_values(origin) == before


def test_framework_head_is_pushed_to_the_branch_it_is_on_not_to_its_upstream(framework: Setup) -> None:
    """`git push origin aaa HEAD` on main updates the remote's main whatever
    main's upstream is; pre-commit names only the first ref (aaa)."""
    repo, origin = framework
    repo.git('push', '-q', '--no-verify', 'origin', 'main:aaa', 'main:zzz')
    repo.git('fetch', '-q', 'origin')
    repo.git('branch', '-q', '--set-upstream-to', 'origin/zzz', 'main')
    wrong = unreviewed(repo)
    repo.git('switch', '-q', '-c', 'aaa', 'origin/aaa')
    repo.commit_ok('Search tweak\n', {OTHER: 'tweak\n'})
    repo.git('switch', '-q', 'main')
    before = ref_values(origin)

    _framework_refused(repo.run_git('push', 'origin', 'aaa', 'HEAD'), wrong[:10])

    assert ref_values(origin) == before


@pytest.mark.parametrize('command', [
    ('-c', 'push.default=current', 'push', 'origin'),
    ('push', 'origin', 'HEAD'),
])
def test_framework_a_branch_following_main_is_pushed_to_its_own_name(
        framework: Setup, command: tuple[str, ...]) -> None:
    """A work branch made with `--track origin/main` goes to refs/heads/work:
    nothing lands on main, and the push is not refused."""
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'work', '--track', 'origin/main')
    unreviewed(repo)

    result = repo.run_git(*command)

    assert result.returncode == 0, result.output
    assert 'reminder: 1 pushed commit will need review' in result.output
    values = ref_values(origin)
    assert values['refs/heads/work'] == repo.head()
    assert values['refs/heads/main'] != repo.head()


@pytest.mark.parametrize('mode', ['simple', 'upstream', 'tracking', 'current'])
def test_framework_a_bare_push_of_a_feature_branch_lands_nothing_on_main(framework: Setup, mode: str) -> None:
    """`git push` with no refspec sends the current branch where push.default
    says (`tracking` is git's old name for `upstream`): a feature branch that
    tracks its own remote branch lands nothing on main, and is not refused."""
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    repo.git('push', '-q', '--no-verify', '-u', 'origin', 'feature')
    unreviewed(repo)

    result = repo.run_git('-c', f'push.default={mode}', 'push')

    assert result.returncode == 0, result.output
    assert 'reminder: 1 pushed commit will need review' in result.output
    assert ref_values(origin)['refs/heads/feature'] == repo.head()


@pytest.mark.parametrize('command', [
    ('push', '--all', 'origin'),
    ('push', '--tags', 'origin'),
    ('push', 'origin', 'refs/heads/*'),
])
def test_framework_pushing_every_branch_or_tag_judges_only_what_lands_on_a_protected_one(
        framework: Setup, command: tuple[str, ...]) -> None:
    """--all and --tags name their refs: a feature branch or a tag (release/*
    protects branches, not tags) is reminded of, never refused."""
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    unreviewed(repo)
    repo.git('tag', 'release/1')
    repo.git('switch', '-q', 'main')
    repo.commit_ok('Search tweak\n', {OTHER: 'tweak\n'})
    before = ref_values(origin)

    result = repo.run_git(*command)

    assert result.returncode == 0, result.output
    assert 'reminder: 1 pushed commit will need review' in result.output
    assert ref_values(origin) != before


@pytest.mark.parametrize('command', [
    ('push', '--all', 'origin'),
    ('push', '--tags', 'origin', 'main'),
])
def test_framework_pushing_every_branch_or_tag_still_refuses_what_lands_on_main(
        framework: Setup, command: tuple[str, ...]) -> None:
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    repo.commit_ok('Search tweak\n', {OTHER: 'tweak\n'})
    repo.git('tag', 'v1')
    repo.git('switch', '-q', 'main')
    wrong = unreviewed(repo)
    before = ref_values(origin)

    _framework_refused(repo.run_git(*command), wrong[:10])

    assert ref_values(origin) == before


def test_framework_a_stale_remote_tracking_branch_does_not_choose_the_judge(framework: Setup) -> None:
    """Someone else's push made main guard services/search; this clone fetched
    it under another remote name, so origin/main is stale. What the push adds
    to main is judged by main's policy as the remote has it, as git's own
    pre-push line says."""
    repo, origin = framework
    other = clone(origin, repo.path.parent / 'other', hooks=False)
    guarded = PROTECTED_POLICY.replace(
        'rules:\n', 'rules:\n  - id: search\n    paths: ["services/search/**"]\n'
        '    require:\n      reviews: {group: senior}\n', 1)
    other.commit_ok(message('Guard search', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: guarded}, verify=False)
    other.git('push', '-q', 'origin', 'main')
    repo.git('remote', 'add', 'upstream', str(origin.path))
    repo.git('fetch', '-q', 'upstream')
    repo.git('merge', '-q', '--ff-only', 'upstream/main')
    wrong = repo.commit_ok(message('AI search tweak', ASSISTED), {OTHER: 'tweak\n'}, verify=False)
    before = ref_values(origin)

    result = repo.run_git('push', 'origin', 'main')

    assert result.returncode != 0, result.output
    assert f'refused {wrong[:10]}' in result.output
    assert 'search: missing-review' in result.output
    assert ref_values(origin) == before


def _weakened_release_branch(origin: Repo, path: Path, fetch: str, env: dict[str, str]) -> tuple[Repo, str]:
    """A new repository that has the server's history without remote-tracking
    refs of its default branch (``fetch``: 'by-url', or 'trunk': the server's
    default is trunk and origin/HEAD was never set). On a new release/9: the
    policy emptied, then an unreviewed AI change. (the repository, that change)"""
    repo = Repo(init_repo(path), env=env)
    if fetch == 'by-url':
        repo.git('fetch', '-q', str(origin.path), 'main')
        repo.git('remote', 'add', 'origin', str(origin.path))
        start = 'FETCH_HEAD'
    else:
        repo.git('remote', 'add', 'origin', str(origin.path))
        repo.git('fetch', '-q', 'origin')
        start = 'origin/trunk'
    repo.git('switch', '-q', '-c', 'release/9', start)
    repo.commit_ok('Weaken the policy\n', {POLICY_PATH: EMPTY_POLICY}, verify=False)
    return repo, unreviewed(repo)


def _trunk_only(origin: Repo) -> None:
    origin.git('branch', '-m', 'main', 'trunk')
    origin.git('symbolic-ref', 'HEAD', 'refs/heads/trunk')


@pytest.mark.parametrize('fetch', ['by-url', 'trunk'])
def test_a_new_protected_ref_is_judged_by_the_server_s_default_branch_this_clone_has_not_fetched(
        setup: Setup, tmp_path: Path, fetch: str) -> None:
    """Without a remote-tracking default branch the work tree's policy, which
    the pushed branch emptied, judged the new protected ref: pushed with the
    hook passing. The remote is asked which its default branch is."""
    _, origin = setup
    if fetch == 'trunk':
        _trunk_only(origin)
    repo, wrong = _weakened_release_branch(origin, tmp_path / 'fresh', fetch, {})
    repo.install_hooks()
    before = ref_values(origin)

    refused(repo.run_git('push', 'origin', 'release/9'), wrong[:10])

    assert ref_values(origin) == before


def test_the_server_asked_for_its_default_branch_is_the_one_pushed_to(setup: Setup, tmp_path: Path) -> None:
    """git gives pre-push the URL it pushes to; a remote whose fetch URL is
    another (or unreachable) is asked there, not at the fetch URL: an honest
    push must not fail on a server it does not talk to."""
    _, origin = setup
    _trunk_only(origin)
    repo, wrong = _weakened_release_branch(origin, tmp_path / 'fresh', 'trunk', {})
    repo.git('remote', 'set-url', 'origin', str(tmp_path / 'nonexistent'))
    repo.git('remote', 'set-url', '--push', 'origin', str(origin.path))
    repo.install_hooks()
    before = ref_values(origin)

    refused(repo.run_git('push', 'origin', 'release/9'), wrong[:10])

    assert ref_values(origin) == before


@pytest.mark.parametrize('fetch', ['by-url', 'trunk'])
def test_framework_a_new_protected_ref_is_judged_by_the_server_s_default_branch_this_clone_has_not_fetched(
        framework: Setup, pre_commit_setup, tmp_path: Path, fetch: str) -> None:
    _, origin = framework
    if fetch == 'trunk':
        _trunk_only(origin)
    repo, wrong = _weakened_release_branch(origin, tmp_path / 'fresh', fetch, pre_commit_setup.env)
    pre_commit(repo, 'install', '--hook-type', 'pre-push')
    before = ref_values(origin)

    _framework_refused(repo.run_git('push', 'origin', 'release/9'), wrong[:10])

    assert ref_values(origin) == before


def _protect_release_tags(repo: Repo) -> None:
    """main's policy (on the remote too) also guards the tags refs/tags/v*."""
    guarded = PROTECTED_POLICY.replace('protected: [main, "release/*"]', 'protected: [main, "refs/tags/v*"]')
    repo.commit_ok(message('Guard release tags', REVIEW_ALICE, REVIEW_BOB), {POLICY_PATH: guarded}, verify=False)
    repo.git('push', '-q', '--no-verify', 'origin', 'main')


@pytest.mark.parametrize('command', [
    ('-c', 'push.followTags=true', 'push', 'origin', 'feature'),
    ('push', '--follow-tags', 'origin', 'feature'),
])
def test_framework_an_annotated_tag_that_follows_a_push_is_judged_where_it_lands(
        framework: Setup, command: tuple[str, ...]) -> None:
    """push.followTags (or --follow-tags) also pushes the annotated tags on
    what is pushed; pre-commit names only the branch, so a protected tag went
    unjudged under the config: an unreviewed AI commit became a release tag."""
    repo, origin = framework
    _protect_release_tags(repo)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    repo.git('tag', '-a', '-m', 'Release 1', 'v1')
    before = ref_values(origin)

    _framework_refused(repo.run_git(*command), wrong[:10])

    assert ref_values(origin) == before


def test_framework_an_annotated_tag_no_policy_guards_follows_a_feature_push(framework: Setup) -> None:
    """Following tags is no longer a push that cannot be known: an unguarded
    tag on a feature branch passes with the reminder, as its branch does."""
    repo, origin = framework
    _protect_release_tags(repo)
    repo.git('switch', '-q', '-c', 'feature')
    unreviewed(repo)
    repo.git('tag', '-a', '-m', 'Demo', 'demo-1')

    result = repo.run_git('push', '--follow-tags', 'origin', 'feature')

    assert result.returncode == 0, result.output
    assert 'reminder: 1 pushed commit will need review' in result.output
    assert 'refs/tags/demo-1' in ref_values(origin)


def _aaa_moved_on(repo: Repo) -> None:
    """The remote has a branch ``aaa`` that sorts before main, and this clone a
    new commit on it: a push of both gives pre-commit ``aaa`` as its one ref."""
    repo.git('push', '-q', '--no-verify', 'origin', 'main:aaa')
    repo.git('fetch', '-q', 'origin')
    repo.git('switch', '-q', '-c', 'aaa', 'origin/aaa')
    repo.commit_ok('Search tweak\n', {OTHER: 'tweak\n'})


@pytest.mark.parametrize('refspec', ['feature:heads/main', 'lightweight:main'])
def test_framework_a_short_destination_is_read_as_git_reads_it(framework: Setup, refspec: str) -> None:
    """git matches a destination that is not a full ref against the remote's
    refs first: ``feature:heads/main`` updates refs/heads/main, and so does a
    lightweight tag pushed to ``main``."""
    repo, origin = framework
    _aaa_moved_on(repo)
    repo.git('switch', '-q', '-c', 'feature', 'main')
    wrong = unreviewed(repo)
    repo.git('tag', 'lightweight')
    before = ref_values(origin)

    _framework_refused(repo.run_git('push', 'origin', 'aaa', refspec), wrong[:10])

    assert ref_values(origin) == before


def test_framework_a_short_destination_the_remote_lacks_is_a_new_branch_of_that_name(framework: Setup) -> None:
    """``feature:topic``, topic on no ref of the remote: git creates
    refs/heads/topic, which nothing protects; reminded of, never refused."""
    repo, origin = framework
    _aaa_moved_on(repo)
    repo.git('switch', '-q', '-c', 'feature', 'main')
    unreviewed(repo)

    result = repo.run_git('push', 'origin', 'aaa', 'feature:topic')

    assert result.returncode == 0, result.output
    assert 'reminder: 1 pushed commit will need review' in result.output
    assert ref_values(origin)['refs/heads/topic'] == repo.head()


def test_framework_a_mirror_remote_is_judged_whole(framework: Setup) -> None:
    """``remote.<name>.mirror`` makes a bare ``git push`` push every ref: not
    only the branch checked out."""
    repo, origin = framework
    _aaa_moved_on(repo)
    repo.git('switch', '-q', 'main')
    wrong = unreviewed(repo)
    repo.git('switch', '-q', 'aaa')
    before = ref_values(origin)

    _framework_refused(repo.run_git('-c', 'remote.origin.mirror=true', 'push', 'origin'), wrong[:10])

    assert ref_values(origin)['refs/heads/main'] == before['refs/heads/main']


def test_framework_a_push_that_cannot_be_known_is_judged_by_the_remote_s_policy_not_the_work_tree_s(
        framework: Setup) -> None:
    """A configured push refspec hides where `git push` sends what: every
    unpushed commit is judged, and by the policy of the remote's default
    branch, never by the work tree's, which the push itself may weaken."""
    repo, origin = framework
    repo.commit_ok(message('Drop the rules'), {POLICY_PATH: EMPTY_POLICY}, verify=False)
    wrong = unreviewed(repo)
    before = ref_values(origin)

    _framework_refused(repo.run_git('-c', 'remote.origin.push=refs/heads/main:refs/heads/main', 'push', 'origin'),
                       wrong[:10])

    assert ref_values(origin) == before


def test_framework_a_pattern_that_also_names_the_approvals_ledger_leaves_its_update_to_the_server(
        tmp_path: Path, pre_commit_setup) -> None:
    """Under pre-commit too, a push of the approvals ledger judges none of its commits."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', EVERY_REF_POLICY, hooks=False,
                    files={'.pre-commit-config.yaml': pre_commit_setup.config})
    repo.env.update(pre_commit_setup.env)
    pre_commit(repo, 'install', '--hook-type', 'pre-push')
    publish(repo, origin)
    one, two = _ledger_entries(tmp_path, 'c' * 64, 'd' * 64)
    first = write_ledger(repo, one)
    result = repo.run_git('push', 'origin', LEDGER)
    assert result.returncode == 0 and 'Passed' in result.output, result.output
    assert ref_values(origin)[LEDGER] == first
    second = write_ledger(repo, two)
    result = repo.run_git('push', 'origin', f'{LEDGER}:{LEDGER}')
    assert result.returncode == 0 and 'Passed' in result.output, result.output
    assert ref_values(origin)[LEDGER] == second


@pytest.mark.parametrize('command', [
    ('push', 'origin', 'feature', 'v1'),  # pre-commit passes the branch only
    ('push', 'origin', 'feature', 'x-tree:refs/tags/v1'),
    ('-c', 'remote.origin.mirror=true', 'push', 'origin'),  # the push cannot be known
])
def test_framework_a_protected_tag_pushed_with_a_branch_cannot_point_at_a_tree(
        framework: Setup, command: tuple[str, ...]) -> None:
    """A tag of a tree pushed alone never reaches the hook (pre-commit finds
    no commit to push and runs nothing: the server's pre-receive refuses it);
    pushed with a branch, it was dropped from what was judged."""
    repo, origin = framework
    _protect_release_tags(repo)
    repo.git('switch', '-q', '-c', 'feature')
    wrong = unreviewed(repo)
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    good(repo)
    repo.git('tag', '-a', '-m', 'Release', 'v1', _not_commits(repo, wrong)['tree'])
    repo.git('tag', '-d', 'x-blob')
    before = ref_values(origin)

    result = repo.run_git(*command)

    assert result.returncode != 0 and 'Failed' in result.output, result.output
    _not_a_commit(result)
    if 'mirror' not in command[1]:  # known exactly: the tag, where it lands
        assert 'refs/tags/v1 is protected' in result.output, result.output
    assert ref_values(origin) == before


def test_a_push_refused_as_a_whole_is_the_report_written(tmp_path: Path) -> None:
    """pre-push refusing a rollback wrote no report: an ``--output`` file kept
    the previous push's verdict, which said nothing was refused."""
    (repo, origin), old = _tightened(tmp_path)
    report = tmp_path / 'report.sarif'
    report.write_text('{"runs": [{"results": []}]}')  # an earlier push's
    lines = f'refs/heads/main {old} refs/heads/main {repo.head()}\n'
    result = repo.trailgate('pre-push', '--format', 'sarif', '--output', str(report), 'origin', str(origin.path),
                            input=lines)
    assert result.returncode == 1, result
    said = 'takes refs/heads/main back to another .trailgate/policy.yaml'
    (run,) = json.loads(report.read_text())['runs']
    (error,) = run['results']
    assert (error['ruleId'], error['level']) == ('TG000', 'error')
    assert said in error['message']['text']
    assert said in result.stderr


def test_a_policy_file_given_to_the_hook_judges_in_place_of_the_committed_one(tmp_path: Path) -> None:
    """``pre-push --policy PATH`` (an organisation's central policy): the file
    judges every pushed commit as it is, whatever the remote's committed
    policy says (here: nothing); and since the committed file judges
    nothing, taking main back past a change to it is no rollback to refuse."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', EMPTY_POLICY, hooks=False)
    first = repo.head()
    repo.commit_ok(message('Guard nothing else', REVIEW_ALICE, REVIEW_BOB),
                   {POLICY_PATH: EMPTY_POLICY + 'policy_owners: senior\ngroups: {senior: [alice@example.com]}\n'},
                   verify=False)
    publish(repo, origin)
    central = tmp_path / 'central.yaml'
    central.write_text(PROTECTED_POLICY)
    hooks = write_hooks(tmp_path / 'hooks', ('pre-push',), '--policy', str(central))
    repo.git('config', 'core.hooksPath', str(hooks))
    wrong = unreviewed(repo)
    result = repo.run_git('push', 'origin', 'main')
    refused(result, wrong[:10], 'central.yaml')
    assert ref_values(origin)['refs/heads/main'] != wrong
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    accepted(repo.run_git('push', '--force', 'origin', f'{first}:refs/heads/main'))
    assert ref_values(origin)['refs/heads/main'] == first


def test_framework_a_bare_push_under_push_default_matching_judges_every_branch_it_sends(framework: Setup) -> None:
    """push.default=matching makes a bare `git push` from a feature branch
    send every branch the remote has too, main among them; pre-commit names
    one ref at most (here the feature branch, first by name): the push is
    judged as one that cannot be known, and main's unreviewed commit is
    refused before it lands."""
    repo, origin = framework
    repo.git('switch', '-q', '-c', 'feature')
    repo.git('push', '-q', '--no-verify', '-u', 'origin', 'feature')
    repo.git('switch', '-q', 'main')
    wrong = unreviewed(repo)
    repo.git('switch', '-q', 'feature')
    repo.commit_ok(message('Search tweak'), {OTHER: 'tweak\n'}, verify=False)
    before = ref_values(origin)

    _framework_refused(repo.run_git('-c', 'push.default=matching', 'push'), wrong[:10])

    assert ref_values(origin) == before


def test_framework_a_short_destination_naming_a_protected_branch_this_clone_has_not_fetched(
        framework: Setup) -> None:
    """``feature:heads/release/1``, where the remote has release/1 and this
    clone has never fetched it: git matches the destination against the
    remote's own refs and updates the protected release/1. What this clone
    cannot tell is judged as landing on a protected ref, and refused."""
    repo, origin = framework
    _aaa_moved_on(repo)
    origin.git('branch', 'release/1', 'main')
    assert 'refs/remotes/origin/release/1' not in repo.git('for-each-ref', '--format=%(refname)')
    repo.git('switch', '-q', '-c', 'feature', 'main')
    wrong = unreviewed(repo)
    before = ref_values(origin)

    _framework_refused(repo.run_git('push', 'origin', 'aaa', 'feature:heads/release/1'), wrong[:10])

    assert ref_values(origin) == before


def test_a_push_refused_for_signed_approvals_says_how_to_fetch_them(tmp_path: Path) -> None:
    """Approvals are read from this clone's ledger, which `git fetch` does
    not bring: a push refused under a rule of signed reviews names the fetch
    of the remote's ledger that an author whose change was approved needs;
    one refused under typed reviews alone does not."""
    alice = make_key(tmp_path / 'keys', 'alice')
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    repo = new_repo(tmp_path / 'repo', signed_policy(1, 'alice@example.com') + 'protected: [main]\n',
                    files={SIGNERS_PATH: signers_file(('alice@example.com', alice))})
    publish(repo, origin)
    wrong = unreviewed(repo)
    hint = f"git fetch origin '+{LEDGER}:{LEDGER}'"
    result = repo.run_git('push', 'origin', 'main')
    refused(result, wrong[:10], 'trailgate approve')
    assert hint in result.stderr, result.stderr
    assert ref_values(origin)['refs/heads/main'] != wrong


def test_a_push_refused_for_typed_reviews_names_no_ledger_fetch(setup: Setup) -> None:
    repo, _origin = setup
    wrong = unreviewed(repo)
    result = repo.run_git('push', 'origin', 'main')
    refused(result, wrong[:10])
    assert LEDGER not in result.stderr, result.stderr
