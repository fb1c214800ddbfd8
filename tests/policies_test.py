"""Where the policy is read from: an explicit file, the work tree."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.approvals import signed_policy
from testing.scenarios import POLICY
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
