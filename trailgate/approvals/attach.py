"""The edge between git and the core for signed reviews: compute the change
ids of the commits that need signed approvals (one ``git diff-tree`` per
chunk of commits), find their records in the ledger and in their trailers,
judge each at the gate's clock, and hand the results to the core as facts
on the ``Commit``. The core never runs git or verifies a signature.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Sequence

from trailgate import git
from trailgate.approvals import records
from trailgate.approvals import verifier
from trailgate.approvals.cache import Cache
from trailgate.approvals.changeid import change_id
from trailgate.approvals.ledger import Ledger
from trailgate.approvals.verifier import Result
from trailgate.model import Approval
from trailgate.model import Commit
from trailgate.policy import Policy


def change_requests(raws: Sequence[git.RawCommit]) -> tuple[list[str], list[bool]]:
    """One diff-tree request per commit, and whether it is a merge's own change.

    A merge's own change is what it adds to git's own merge of its two
    parents (conflict resolutions, evil edits); when git cannot merge them,
    or for an octopus, its whole diff against the first parent.
    """
    merges = [raw for raw in raws if len(raw.parents) == 2]
    trees = git.trees_of(raw.sha for raw in merges)
    merged = dict(zip((raw.sha for raw in merges),
                      git.merge_result_trees([(raw.parents[0], raw.parents[1]) for raw in merges]), strict=True))
    requests, own = [], []
    for raw in raws:
        request = raw.sha
        if len(raw.parents) == 2:
            tree = merged[raw.sha]
            request = f'{tree} {trees[raw.sha]}' if tree is not None else f'{raw.sha} {raw.parents[0]}'
        elif len(raw.parents) > 2:
            request = f'{raw.sha} {raw.parents[0]}'
        requests.append(request)
        own.append(len(raw.parents) == 2 and request != f'{raw.sha} {raw.parents[0]}')
    return requests, own


def change_ids(raws: Sequence[git.RawCommit], cache: Cache | None = None) -> list[tuple[str, bool]]:
    """(change id, has a change of its own) per commit, in order."""
    known = {raw.sha: cache.change(raw.sha) for raw in raws} if cache is not None else {}
    missing = [raw for raw in raws if known.get(raw.sha) is None]
    requests, merge_results = change_requests(missing)
    for raw, patch, is_merge_result in zip(missing, git.change_patches(requests), merge_results, strict=True):
        known[raw.sha] = (change_id(patch), bool(patch) or not is_merge_result)
        if cache is not None:
            cache.set_change(raw.sha, *known[raw.sha])  # type: ignore[misc]
    return [known[raw.sha] for raw in raws]  # type: ignore[misc]


def approvals_for(commit: Commit, change: str, policy: Policy, ledger: Ledger, now: float,
                  cache: Cache | None = None, blobs: dict[str, bytes] | None = None,
                  signed: dict[str, Result] | None = None) -> tuple[Approval, ...]:
    """Every record for ``change`` in the ledger and in the commit's trailers, judged.

    ``signed``: what verifying the signatures of some ledger blobs gave
    (their key, or why not), so that they are not verified again here.
    """
    signers = policy.signers
    author = commit.author.email
    found: list[Approval] = []
    oids = ledger.oids_for(change)
    verified = cache.verified_records() if cache is not None else {}
    if blobs is None:
        blobs = ledger.read([oid for oid in oids if oid not in verified])
    for oid in oids:
        known = verified.get(oid)
        if known is not None:
            found.append(records.judge_signed(*known, change, signers, author, now, 'ledger'))
            continue
        try:
            record = records.from_blob(blobs[oid])
        except records.RecordError as e:
            found.append(Approval('', '', change, 'ledger', f'unreadable record: {e}'))
            continue
        if record.change != change:
            found.append(records.judge(record, change, signers, author, now, 'ledger'))
            continue
        key = signed.get(oid) if signed is not None else None
        if key is None:
            key = verifier.verify_one(record.payload, record.signature, records.NAMESPACE)
        if isinstance(key, str):
            found.append(Approval(record.reviewer, '', record.change, 'ledger', f'bad signature: {key}'))
            continue
        if cache is not None:
            cache.set_record(oid, record.change, record.reviewer, key)
        found.append(records.judge_signed(record.change, record.reviewer, key, change, signers, author, now,
                                          'ledger'))
    for value in commit.trailer_values(records.TRAILER):
        try:
            record = records.from_trailer_value(value)
        except records.RecordError as e:
            found.append(Approval('', '', change, 'trailer', f'unreadable trailer: {e}'))
            continue
        found.append(records.judge(record, change, signers, author, now, 'trailer', cache))
    return tuple(found)


def attach(items: Sequence[tuple[git.RawCommit, Commit]], policy: Policy, ledger: Ledger,
           now: float | None = None, cache: Cache | None = None) -> list[Commit]:
    """The commits with their change ids and judged approvals."""
    return prepare(items, policy, ledger, now, cache)()


def prepare(items: Sequence[tuple[git.RawCommit, Commit]], policy: Policy, ledger: Ledger,
            now: float | None = None, cache: Cache | None = None,
            verifying: verifier.Verifier | None = None) -> Callable[[], list[Commit]]:
    """``attach`` in two steps: this one computes the change ids, reads the
    ledger records and hands their signatures to ``verifying`` (which may
    check them in another process); the function it returns waits for them
    and gives the commits with their judged approvals."""
    if not items:
        return lambda: []
    when = time.time() if now is None else now
    ids = change_ids([raw for raw, _ in items], cache)
    verified = cache.verified_records() if cache is not None else {}
    unknown = list(dict.fromkeys(oid for change, _ in ids for oid in ledger.oids_for(change) if oid not in verified))
    blobs = ledger.read(unknown)
    to_verify = _to_verify(ids, ledger, verified, blobs)
    requests = [(record.payload, record.signature) for record in to_verify.values()]
    results = (verifying or verifier.Verifier(records.NAMESPACE, threshold=len(requests) + 1)).submit(requests)

    def complete() -> list[Commit]:
        signed = dict(zip(to_verify, results(), strict=True))
        attached = []
        for (_, commit), (change, own) in zip(items, ids, strict=True):
            approvals = approvals_for(commit, change, policy, ledger, when, cache, blobs, signed)
            attached.append(commit._replace(change_id=change, own_change=own, approvals=approvals))
        return attached

    return complete


def _to_verify(ids: list[tuple[str, bool]], ledger: Ledger, verified: dict[str, tuple[str, str, bytes]],
               blobs: dict[str, bytes]) -> dict[str, records.Record]:
    """The ledger records whose signatures must be checked: each blob, found
    under a change id it names, not known to be verified already."""
    found: dict[str, records.Record] = {}
    for change, _ in ids:
        for oid in ledger.oids_for(change):
            if oid in verified or oid in found:
                continue
            try:
                record = records.from_blob(blobs[oid])
            except records.RecordError:
                continue
            if record.change == change:
                found[oid] = record
    return found
