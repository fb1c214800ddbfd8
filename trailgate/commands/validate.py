"""``trailgate validate [POLICY]``: every problem as FILE:LINE:COL: message."""
from __future__ import annotations

import os

from trailgate import git
from trailgate import policies
from trailgate.display import from_user_directory
from trailgate.errors import GitError
from trailgate.errors import PolicyError


def validate(path: str | None) -> int:
    """Print problems on stdout, like a linter; exit 2 if there are any."""
    repo = None
    try:
        if path:
            # its signers file where every other command finds it: from the
            # repository's top level, or beside the policy outside one
            policy = policies.from_file(path, _repository())
        else:
            repo = git.repo()
            policy = policies.from_worktree(repo, None)
    except PolicyError as e:
        for problem in e.problems:
            print(problem)
        raise PolicyError(str(e)) from None
    rules = len(policy.rules)
    groups = len(policy.groups)
    print(f'{_shown(policy.source, repo)}: valid ({rules} rule{"s" if rules != 1 else ""}, '
          f'{groups} group{"s" if groups != 1 else ""})')
    return 0


def _repository() -> git.Repo | None:
    try:
        return git.repo()
    except GitError:
        return None


def _shown(source: str, repo: git.Repo | None) -> str:
    """The work tree's policy named as it is reached from the user's
    directory, a subdirectory too (a sparse checkout's, from the index, as
    the repository path it is)."""
    if repo is None or repo.toplevel is None:
        return source
    path = os.path.join(repo.toplevel, source)
    return from_user_directory(path) if os.path.exists(path) else source
