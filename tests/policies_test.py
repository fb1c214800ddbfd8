"""Where the policy is read from: an explicit file, the work tree."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.scenarios import POLICY
from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.util import git as run_git
from testing.util import init_repo
from testing.util import trailgate
from testing.util import write
from trailgate import git
from trailgate import policies
from trailgate.errors import PolicyError
from trailgate.policy import DEFAULT_POLICY_PATH


@pytest.mark.parametrize(('make', 'said'), [
    (lambda path: None, 'no such policy file; run `trailgate init`'),
    (lambda path: path.mkdir(), 'is a directory, not a policy file'),
    (lambda path: path.symlink_to(path), 'cannot read the policy: Too many levels of symbolic links'),
])
def test_an_explicit_policy_that_cannot_be_read_says_why(tmp_path: Path, make: Callable[[Path], object],
                                                        said: str) -> None:
    path = tmp_path / 'policy.yaml'
    make(path)
    with pytest.raises(PolicyError, match=re.escape(said)):
        policies.from_file(str(path), None)


def _repo(tmp_path: Path) -> git.Repo:
    path = init_repo(tmp_path / 'repo')
    return git.Repo(git_dir=str(path / '.git'), toplevel=str(path), bare=False, shallow=False)


def test_an_explicit_policy_inside_the_repository_is_a_policy_path(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to the file that judges is a policy change, wherever --policy
    names it; a bare repository has no paths to name it by."""
    repo = _repo(tmp_path)
    monkeypatch.chdir(tmp_path)
    inside = write(Path(repo.toplevel or '') / 'ci' / 'gate.yaml', POLICY)
    outside = write(tmp_path / 'elsewhere.yaml', POLICY)
    assert policies.from_file(str(inside), repo).policy_paths == {DEFAULT_POLICY_PATH, 'ci/gate.yaml'}
    assert policies.from_file(str(outside), repo).policy_paths == {DEFAULT_POLICY_PATH}
    assert policies.from_file(str(inside), None).policy_paths == {DEFAULT_POLICY_PATH}
    bare = repo._replace(toplevel=None, bare=True)
    assert policies.from_file(str(inside), bare).policy_paths == {DEFAULT_POLICY_PATH}


def test_an_explicit_policy_names_its_signer_file_from_the_repository_top(tmp_path: Path) -> None:
    """Outside a repository, from the policy's own directory."""
    repo = _repo(tmp_path)
    top = Path(repo.toplevel or '')
    policy = write(top / 'ci' / 'gate.yaml', signed_policy())
    bare = repo._replace(toplevel=None, bare=True)
    for found, expected in ((repo, top), (None, top / 'ci'), (bare, top / 'ci')):
        signers = expected / '.trailgate' / 'allowed_signers'
        with pytest.raises(PolicyError, match=re.escape(f'{signers}: the policy names')):
            policies.from_file(str(policy), found)


def test_the_policy_option_comes_before_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('TRAILGATE_POLICY', 'env.yaml')
    assert policies.explicit_path('option.yaml') == 'option.yaml'
    assert policies.explicit_path(None) == 'env.yaml'
    monkeypatch.setenv('TRAILGATE_POLICY', '')
    assert policies.explicit_path(None) is None
    assert policies.explicit_path('') is None


def test_a_bare_repository_has_no_work_tree_policy(tmp_path: Path) -> None:
    bare = init_repo(tmp_path / 'bare.git', bare=True)
    result = trailgate(bare, 'validate')
    assert result.returncode == 2, result
    assert 'bare repository: there is no work tree .trailgate/policy.yaml; pass --policy PATH' in result.stderr


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    directory = tmp_path_factory.mktemp('keys')
    return {name: make_key(directory, name) for name in ('alice', 'bob', 'carol')}


def test_a_signer_file_that_cannot_be_read_is_not_a_missing_one(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    top = Path(repo.toplevel or '')
    policy = write(top / DEFAULT_POLICY_PATH, signed_policy())
    (top / SIGNERS_PATH).mkdir()
    with pytest.raises(PolicyError, match=re.escape(
            f'{top / SIGNERS_PATH}: cannot read the allowed-signers file: Is a directory')):
        policies.from_file(str(policy), repo)


def test_a_member_whose_email_the_policy_text_spells_otherwise_is_named_at_its_start(
        tmp_path: Path, keys: dict[str, Key]) -> None:
    """An email written with a YAML escape is nowhere in the text as read:
    the problem is placed at 1:1, not at a position found by accident."""
    policy = write(tmp_path / 'policy.yaml', signed_policy(seniors='"alice\\x40example.com", bob@example.com'))
    write(tmp_path / SIGNERS_PATH, signers_file(('bob@example.com', keys['bob'])))
    with pytest.raises(PolicyError) as raised:
        policies.from_file(str(policy), None)
    assert raised.value.problems == (
        f'{policy}:1:1: groups.senior: alice@example.com signs approvals for this group '
        f'but has no key in {SIGNERS_PATH}',)


def test_a_member_without_a_key_on_the_line_after_a_blank_first_line(tmp_path: Path, keys: dict[str, Key]) -> None:
    """Line and column count from the very first byte, a newline too."""
    text = '\ngroups: {senior: [alice@example.com, bob@example.com]}\n' + signed_policy().replace(
        'groups:\n  senior: [alice@example.com, "Bob Builder <bob@example.com>"]\n', '')
    policy = write(tmp_path / 'policy.yaml', text)
    write(tmp_path / SIGNERS_PATH, signers_file(('alice@example.com', keys['alice'])))
    with pytest.raises(PolicyError) as raised:
        policies.from_file(str(policy), None)
    assert raised.value.problems == (
        f'{policy}:2:38: groups.senior: bob@example.com signs approvals for this group '
        f'but has no key in {SIGNERS_PATH}',)


@pytest.mark.parametrize('signers_in_work_tree', [False, True])
def test_a_sparse_checkout_reads_the_signer_file_where_it_reads_the_policy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: dict[str, Key], signers_in_work_tree: bool) -> None:
    """With .trailgate/ left out of the work tree, the policy comes from the
    index, and so does its signer file, unless the work tree has one."""
    repo = _repo(tmp_path)
    top = Path(repo.toplevel or '')
    write(top / DEFAULT_POLICY_PATH, signed_policy())
    write(top / SIGNERS_PATH, signers_file(('alice@example.com', keys['alice']), ('bob@example.com', keys['bob'])))
    write(top / 'services' / 'x.py')
    run_git(top, 'add', '-A')
    run_git(top, 'commit', '-q', '-m', 'Adopt the policy')
    run_git(top, 'sparse-checkout', 'set', '--cone', 'services')
    assert not (top / '.trailgate').exists()
    expected = {'alice@example.com', 'bob@example.com'}
    if signers_in_work_tree:
        write(top / SIGNERS_PATH, signers_file(*((f'{name}@example.com', key) for name, key in keys.items())))
        expected.add('carol@example.com')
    monkeypatch.chdir(top)
    assert policies.from_worktree(repo, None).signers.emails_with_keys() == expected


def test_a_signer_file_in_the_work_tree_is_read_there_though_marked_skip_worktree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: dict[str, Key]) -> None:
    """Outside a sparse checkout git keeps the skip-worktree bit of a file
    that is there (``update-index --skip-worktree``, to hide local edits):
    the work tree's signer file is still the one read."""
    repo = _repo(tmp_path)
    top = Path(repo.toplevel or '')
    policy = write(top / DEFAULT_POLICY_PATH, signed_policy())
    signers = write(top / SIGNERS_PATH, signers_file(('alice@example.com', keys['alice']),
                                                     ('bob@example.com', keys['bob'])))
    run_git(top, 'add', '-A')
    run_git(top, 'commit', '-q', '-m', 'Adopt the policy')
    run_git(top, 'update-index', '--skip-worktree', DEFAULT_POLICY_PATH, SIGNERS_PATH)
    policy.unlink()
    write(signers, signers_file(*((f'{name}@example.com', key) for name, key in keys.items())))
    monkeypatch.chdir(top)
    assert run_git(top, 'ls-files', '-t', SIGNERS_PATH) == f'S {SIGNERS_PATH}\n'
    assert policies.from_worktree(repo, None).signers.emails_with_keys() == {
        'alice@example.com', 'bob@example.com', 'carol@example.com'}

def test_a_policy_left_out_of_the_work_tree_that_is_no_file_in_the_index_is_no_policy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)
    top = Path(repo.toplevel or '')
    write(top / 'README')
    run_git(top, 'add', '-A')
    run_git(top, 'commit', '-q', '-m', 'First')
    head = run_git(top, 'rev-parse', 'HEAD').strip()
    run_git(top, 'update-index', '--add', '--cacheinfo', f'160000,{head},{DEFAULT_POLICY_PATH}')  # a submodule
    run_git(top, 'update-index', '--skip-worktree', DEFAULT_POLICY_PATH)
    monkeypatch.chdir(top)
    with pytest.raises(PolicyError, match=re.escape(f'no policy: {DEFAULT_POLICY_PATH} is not a file in the index')):
        policies.from_worktree(repo, None)


def test_a_missing_signer_file_is_named_with_its_hidden_characters_spelled_out(tmp_path: Path) -> None:
    """The name is the policy author's text: a bidi override in it must not reach a CI log as it is."""
    policy = write(tmp_path / 'policy.yaml', 'version: 1\ngroups: {senior: [a@example.com]}\n'
                                              'signers: "x\\u202ey"\nrules: []\n')
    with pytest.raises(PolicyError) as raised:
        policies.from_file(str(policy), None)
    assert '\u202e' not in str(raised.value)
    assert '(signers: x\\u202ey)' in str(raised.value)
