"""The protected branch a local branch is headed for.

Reminders name it ("before it can land on main"), and ``trailgate approve``
approves what the current branch adds over it.
"""
from __future__ import annotations

from typing import NamedTuple

from trailgate import git
from trailgate.policy import Policy
from trailgate.refs import BRANCH_PREFIX

DEFAULT_REMOTE = 'origin'


class Target(NamedTuple):
    ref: str  # the protected branch, as the remote names it: refs/heads/main
    local: str | None  # the local ref holding its last known value (refs/remotes/origin/main), if any

    @property
    def name(self) -> str:
        return self.ref.removeprefix(BRANCH_PREFIX)


def _remote_branch(tracking: str) -> str | None:
    """``refs/remotes/origin/main`` -> ``refs/heads/main``."""
    parts = tracking.split('/', 3)
    if len(parts) == 4 and parts[:2] == ['refs', 'remotes']:
        return BRANCH_PREFIX + parts[3]
    return None


def _known_value(branch: str, remote: str) -> str | None:
    """The local ref holding ``branch``'s value: the remote-tracking ref, else the local branch."""
    name = branch.removeprefix(BRANCH_PREFIX)
    for ref in (f'refs/remotes/{remote}/{name}', branch):
        if git.exact_ref(ref):
            return ref
    return None


def _literal_branches(policy: Policy) -> list[str]:
    return [
        pattern for pattern in policy.protected.patterns
        if pattern.startswith(BRANCH_PREFIX) and not any(c in pattern for c in '*?')
    ]


def protected_target(policy: Policy, branch: str | None, remote: str = DEFAULT_REMOTE) -> Target | None:
    """The protected branch that ``branch`` (a full ref; None: detached HEAD) will land on.

    In order: the branch itself when it is protected; the branch it tracks
    when that is protected; the remote's default branch; the first protected
    branch named literally in the policy that this clone knows. None when
    nothing protected is known here.
    """
    if branch is not None and policy.protected.matches(branch):
        upstream = git.upstream_of(branch)
        return Target(branch, upstream or _known_value(branch, remote))
    candidates: list[tuple[str, str | None]] = []
    if branch is not None:
        upstream = git.upstream_of(branch)
        remote_side = _remote_branch(upstream) if upstream else None
        if upstream and remote_side:
            candidates.append((remote_side, upstream))
    head = git.symbolic_ref(f'refs/remotes/{remote}/HEAD')
    remote_default = _remote_branch(head) if head else None
    if head and remote_default:
        candidates.append((remote_default, head))
    candidates.extend((name, _known_value(name, remote)) for name in _literal_branches(policy))
    for ref, local in candidates:
        if policy.protected.matches(ref) and local is not None:
            return Target(ref, local)
    return None
