"""``trailgate validate [POLICY]``: every problem as FILE:LINE:COL: message."""
from __future__ import annotations

from trailgate import git
from trailgate import policies
from trailgate.errors import PolicyError


def validate(path: str | None) -> int:
    """Print problems on stdout, like a linter; exit 2 if there are any."""
    try:
        policy = policies.from_file(path, None) if path else policies.from_worktree(git.repo(), None)
    except PolicyError as e:
        for problem in e.problems:
            print(problem)
        raise PolicyError(str(e)) from None
    rules = len(policy.rules)
    groups = len(policy.groups)
    print(f'{policy.source}: valid ({rules} rule{"s" if rules != 1 else ""}, '
          f'{groups} group{"s" if groups != 1 else ""})')
    return 0
