"""Where the policy comes from: an explicit file, the work tree, or a
trusted base revision (so a change cannot weaken the policy that judges it).
"""
from __future__ import annotations

import os

from trailgate import git
from trailgate.errors import PolicyError
from trailgate.policy import DEFAULT_POLICY_PATH
from trailgate.policy import Policy
from trailgate.policy import load_policy

NO_POLICY_HINT = 'run `trailgate init` to write a starter .trailgate/policy.yaml'


def _policy_paths(repo: git.Repo, explicit: str | None) -> frozenset[str]:
    """Repository paths whose change is a change to the policy."""
    paths = {DEFAULT_POLICY_PATH}
    if explicit and repo.toplevel:
        relative = os.path.relpath(os.path.abspath(explicit), repo.toplevel)
        if not relative.startswith('..') and not os.path.isabs(relative):
            paths.add(relative.replace(os.sep, '/'))
    return frozenset(paths)


def from_file(path: str, repo: git.Repo | None) -> Policy:
    try:
        with open(path, 'rb') as f:
            data = f.read(2 * 1024 * 1024)
    except FileNotFoundError:
        raise PolicyError(f'{path}: no such policy file; {NO_POLICY_HINT}') from None
    except IsADirectoryError:
        raise PolicyError(f'{path}: is a directory, not a policy file') from None
    except OSError as e:
        raise PolicyError(f'{path}: cannot read the policy: {e.strerror}') from None
    policy = load_policy(data, path, cache_dir=repo.git_dir if repo else None)
    paths = _policy_paths(repo, path) if repo else frozenset((DEFAULT_POLICY_PATH,))
    return policy.with_source(path, paths)


def explicit_path(option: str | None) -> str | None:
    return option or os.environ.get('TRAILGATE_POLICY') or None


def from_worktree(repo: git.Repo, explicit: str | None) -> Policy:
    """The policy for commit-msg, prepare-commit-msg, explain, validate."""
    if explicit:
        return from_file(explicit, repo)
    if repo.toplevel is None:
        raise PolicyError(
            f'this is a bare repository: there is no work tree {DEFAULT_POLICY_PATH}; '
            f'pass --policy PATH',
        )
    path = os.path.join(repo.toplevel, DEFAULT_POLICY_PATH)
    if not os.path.exists(path):
        raise PolicyError(f'no policy: {DEFAULT_POLICY_PATH} does not exist; {NO_POLICY_HINT}')
    policy = from_file(path, repo)
    return policy.with_source(DEFAULT_POLICY_PATH, policy.policy_paths)


def at_revision(cat: git.CatFile, rev: str) -> Policy | None:
    """The policy as committed at ``rev``, or None if it has none there."""
    data = cat.blob(rev, DEFAULT_POLICY_PATH)
    if data is None:
        return None
    policy = load_policy(data, f'{rev[:12]}:{DEFAULT_POLICY_PATH}')
    return policy.with_source(f'{DEFAULT_POLICY_PATH} at {rev[:12]}', frozenset((DEFAULT_POLICY_PATH,)))
