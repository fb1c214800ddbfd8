"""``trailgate pre-receive``: the server-side gate, which --no-verify cannot skip.

Runs in the bare repository inside git's push quarantine (the inherited
environment lets git see the incoming objects). Refs are not updated yet, so
``--not --all`` means "already in the repository before this push".
"""
from __future__ import annotations

import sys

from trailgate import git
from trailgate import policies
from trailgate.errors import PolicyError
from trailgate.errors import UsageError
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.gather import policy_sources
from trailgate.output import Output
from trailgate.policy import Policy


def _updates(text: str) -> list[tuple[str, str, str]]:
    updates = []
    for line in text.split('\n'):
        if not line.strip():
            continue
        fields = line.split(' ', 2)
        if len(fields) != 3:
            raise UsageError(f'unexpected pre-receive input line: {line!r}')
        old, new, ref = fields
        updates.append((old, new, ref))
    return updates


def _base(old: str) -> str | None:
    """The old value of the ref, or for a new ref the default branch."""
    if not git.is_null_oid(old):
        return old
    head = git.symbolic_ref('HEAD')
    return git.ref_exists(head) if head else None


def _policy_for(base: str | None, explicit: str | None, repo: git.Repo,
                cat: git.CatFile) -> Policy:
    if explicit:
        return policies.from_file(explicit, repo)
    policy = policies.at_revision(cat, base) if base else None
    if policy is None:
        where = f'the base {base[:12]}' if base else 'the default branch (it does not exist yet)'
        raise PolicyError(
            f'{where} has no .trailgate/policy.yaml, so this push cannot be judged; '
            f'push a policy to the default branch first, or configure the hook with '
            f'--policy PATH',
        )
    return policy


def _ledger_update(updates: list[tuple[str, str, str]]) -> tuple[str | None, str | None]:
    """(the approvals ledger to judge with, why its update is refused).

    The ledger is append-only: deleting it, replacing it with a history that
    does not contain the old one, or a new tip whose tree drops or changes a
    record the old tip held would lose approvals, so each is refused. An
    update in this push is what the push is judged with.
    """
    from trailgate.approvals import ledger

    current = ledger.tip()
    for old, new, ref in updates:
        if ref != ledger.REF:
            continue
        if git.is_null_oid(new):
            return current, f'{ledger.REF} is append-only: it cannot be deleted'
        if not git.is_null_oid(old) and not git.is_ancestor(old, new):
            return current, (
                f'{ledger.REF} is append-only: this update does not contain its current history '
                f'(fetch it, and let `trailgate approve --push` merge)'
            )
        if git.ref_exists(new) is None:
            return current, f'{ledger.REF} must point to a commit'
        if not git.is_null_oid(old):
            kept = set(git.tree_blobs(new))
            dropped = [path for path, oid in git.tree_blobs(old) if (path, oid) not in kept]
            if dropped:
                return current, (
                    f'{ledger.REF} is append-only: this update drops or changes {len(dropped)} '
                    f'record(s) it holds (e.g. {dropped[0]})'
                )
        return new, None
    return current, None


def pre_receive(policy_option: str | None, out: Output) -> int:
    from trailgate.approvals import ledger

    repo = git.repo()
    updates = _updates(git.read_hook_input())
    explicit = policies.explicit_path(policy_option)
    ledger_tip, ledger_problem = _ledger_update(updates)
    if ledger_problem:
        print(f'trailgate pre-receive: refused: {ledger_problem}', file=sys.stderr)
        return 1
    by_base: dict[str | None, list[str]] = {}
    for old, new, ref in updates:
        if ref == ledger.REF:
            continue
        if not git.is_null_oid(new):
            by_base.setdefault(_base(old), []).append(new)
    with git.CatFile() as cat:
        batches = [
            Batch(_policy_for(base, explicit, repo, cat), (*news, '--not', '--all'))
            for base, news in by_base.items()
        ]
    judged = judge(batches, repo, out.keeps_passing, ledger_tip=ledger_tip)
    summary = out.stream('pre-receive', judged, policy_sources(batches), stream='stderr', when_empty=False)
    return 1 if summary.refused_count else 0
