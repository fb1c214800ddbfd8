"""The edge between git and the core for signed reviews: compute the change
ids of the commits that need signed approvals (one ``git diff-tree`` per
chunk of commits), find their records in the ledger and in their trailers,
judge each at the gate's clock, and hand the results to the core as facts
on the ``Commit``. The core never runs git or verifies a signature.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Iterable
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


def approvals_for(commit: Commit, change: str, policy: Policy, ledger: Ledger, now: float,
                  cache: Cache | None, parsed: dict[str, records.Record | str], signed: dict[str, Result],
                  standing: records.Standing) -> tuple[Approval, ...]:
    """Every record for ``change`` in the ledger and in the commit's trailers, judged.

    ``parsed``: ledger blobs already read, as records (or why they are not);
    ``signed``: what verifying the signatures of some of them gave (their
    key, or why not), so that neither is done again here; ``standing``: see
    ``records.judge_signed``.
    """
    signers = policy.signers
    author = commit.author.email
    found: list[Approval] = []
    oids = ledger.oids_for(change)
    verified = cache.verified_records() if cache is not None else {}
    for oid in oids:
        known = verified.get(oid)
        if known is not None:
            found.append(records.judge_signed(*known, change, signers, author, now, 'ledger', standing))
            continue
        record = parsed[oid]
        if isinstance(record, str):
            found.append(Approval('', '', change, 'ledger', f'unreadable record: {record}'))
            continue
        if record.change != change:
            found.append(records.judge(record, change, signers, author, now, 'ledger'))
            continue
        key = signed.get(oid)
        if key is None:
            key = verifier.verify_one(record.payload, record.signature, records.NAMESPACE)
        if isinstance(key, str):
            found.append(Approval(record.reviewer, '', record.change, 'ledger', f'bad signature: {key}'))
            continue
        if cache is not None:
            cache.set_record(oid, record.change, record.reviewer, key)
        found.append(records.judge_signed(record.change, record.reviewer, key, change, signers, author, now,
                                          'ledger', standing))
    for value in commit.trailer_values(records.TRAILER):
        try:
            trailer = records.from_trailer_value(value)
        except records.RecordError as e:
            found.append(Approval('', '', change, 'trailer', f'unreadable trailer: {e}'))
            continue
        found.append(records.judge(trailer, change, signers, author, now, 'trailer', cache))
    return tuple(found)


def parse_records(blobs: dict[str, bytes]) -> dict[str, records.Record | str]:
    """Each ledger blob as a record, or why it is not one."""
    parsed: dict[str, records.Record | str] = {}
    for oid, blob in blobs.items():
        try:
            parsed[oid] = records.from_blob(blob)
        except records.RecordError as e:
            parsed[oid] = str(e)
    return parsed


class Pending:
    """One chunk of commits on its way to their judged approvals, in steps, so
    that git and the verifier work on one chunk while this process works on
    another:

    1. ``ask_patches``: the patches of the commits whose change ids are not
       known yet are asked of git (``git.Patches``, one process for a range);
    2. ``ask_records``: their change ids, from the patches; the ledger records
       under those ids asked of git;
    3. ``submit``: the records parsed, their signatures handed to the verifier;
    4. ``complete``: the commits with their change ids and judged approvals.

    Each step is called once, in this order, and the chunks' steps in the
    order of the chunks (git answers in the order asked).
    """

    def __init__(self, items: Sequence[tuple[git.RawCommit, Commit]], policy: Policy, ledger: Ledger,
                 now: float | None, cache: Cache | None, verifying: verifier.Verifier | None,
                 patches: git.Patches) -> None:
        self.items = items
        self.policy = policy
        self.ledger = ledger
        self.when = time.time() if now is None else now
        self.cache = cache
        self.verifying = verifying
        self.patches = patches
        self.ids: dict[str, tuple[str, bool]] = {}
        if cache is not None:
            for raw, _ in items:
                known = cache.change(raw.sha)
                if known is not None:
                    self.ids[raw.sha] = known
        self._missing = [raw for raw, _ in items if raw.sha not in self.ids]
        self._merge_results: list[bool] = []
        self._unknown: list[str] = []
        self._parsed: dict[str, records.Record | str] = {}
        self._to_verify: list[str] = []
        self._results: Callable[[], list[Result]] = list

    def ask_patches(self) -> None:
        requests, self._merge_results = change_requests(self._missing)
        git.prefetch_patch_blobs(requests)
        self.patches.ask(requests)

    def ask_records(self) -> None:
        for raw, is_merge_result in zip(self._missing, self._merge_results, strict=True):
            patch = self.patches.answer()
            self.ids[raw.sha] = (change_id(patch), bool(patch) or not is_merge_result)
            if self.cache is not None:
                self.cache.set_change(raw.sha, *self.ids[raw.sha])
        verified = self.cache.verified_records() if self.cache is not None else {}
        self._unknown = list(dict.fromkeys(
            oid for raw, _ in self.items for oid in self.ledger.oids_for(self.ids[raw.sha][0])
            if oid not in verified
        ))
        self.ledger.ask(self._unknown)

    def submit(self) -> None:
        if not self._unknown:  # every record is known to verify, or there is none (a warm cache)
            return
        self._parsed = parse_records(self.ledger.answers(self._unknown))
        self._to_verify = _to_verify((self.ids[raw.sha][0] for raw, _ in self.items), self._parsed,
                                     self.ledger)
        requests = []
        for oid in self._to_verify:
            record = self._parsed[oid]
            assert isinstance(record, records.Record)
            requests.append((record.payload, record.signature))
        verifying = self.verifying or verifier.Verifier(records.NAMESPACE, threshold=len(requests) + 1)
        self._results = verifying.submit(requests)

    def complete(self) -> list[Commit]:
        signed = dict(zip(self._to_verify, self._results(), strict=True))
        standing: records.Standing = {}  # one policy, one clock: the same for every commit of the chunk
        attached = []
        for raw, commit in self.items:
            change, own = self.ids[raw.sha]
            approvals = approvals_for(commit, change, self.policy, self.ledger, self.when, self.cache,
                                      self._parsed, signed, standing)
            attached.append(commit._replace(change_id=change, own_change=own, approvals=approvals))
        return attached


def _to_verify(changes: Iterable[str], parsed: dict[str, records.Record | str], ledger: Ledger) -> list[str]:
    """The ledger records whose signatures must be checked: each blob read
    (not known to be verified already) that is a record, found under a change
    id it names."""
    found: dict[str, None] = {}
    for change in changes:
        for oid in ledger.oids_for(change):
            record = parsed.get(oid)
            if isinstance(record, records.Record) and record.change == change:
                found[oid] = None
    return list(found)
