"""What a push may add to the approvals ledger: only well-formed records.

The ledger is append-only (pre-receive refuses a deletion or a rewrite), so
whatever is appended stays forever. An update of ``refs/trailgate/approvals``
is therefore refused when anything it adds, in its tip or in any commit on
the way there, is not a blob that trailgate's own ``approve`` could have
written: a regular file at ``ledger.record_path(record)``, inside the two
directories that path names, no larger than a record may be, parsed
exactly by ``records.from_blob``, its signature strict SSHSIG in canonical
armour that verifies over the record's payload in trailgate's namespace.

Whether the signing key is in the allowed-signers file is not asked here:
reviewers may be added to it later, and who may approve is judged when a
gate reads the record, against the trusted base's file at that time. A
record by a key nobody trusts is well-formed; it approves nothing.

The work is bounded in processes: one ``git log`` for every entry the
update adds, one ``git cat-file --batch-check`` for their sizes and one
``git cat-file --batch`` for the records' bytes, however many records.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from typing import NamedTuple

from trailgate import git
from trailgate.approvals import records
from trailgate.approvals import sshsig
from trailgate.approvals import verifier
from trailgate.approvals.ledger import record_path
from trailgate.display import visible

RECORD_MODE = '100644'
_PREFIX = re.compile(r'\A[0-9a-f]{2}\Z')
_HEX64 = re.compile(r'\A[0-9a-f]{64}\Z')
SHOWN_PATH = 100
# What one update may add, so that a push costs the server a bounded time and
# memory (each record is parsed and its signature verified, ~0.15 ms of CPU).
MAX_RECORDS = 10_000
MAX_ENTRIES = 5 * MAX_RECORDS  # a record comes with its directories, listed again for each commit that adds to them
MAX_PARENTS = 2  # trailgate merges two ledgers at a time; a merge of thousands costs git thousands of diffs
MAX_REFUSALS = 100


class Verified(NamedTuple):
    """A ledger blob whose record parsed and whose signature verified."""

    change: str
    reviewer: str
    key: bytes


class Refusal(NamedTuple):
    path: str
    reason: str

    def __str__(self) -> str:
        return f'{shown(self.path)}: {self.reason}'


class Intake(NamedTuple):
    refusals: list[Refusal]
    verified: dict[str, Verified]  # blob id -> its record, for the gate's cache
    too_much: str | None = None  # why the update is refused before its records are read


def shown(path: str) -> str:
    """A pushed path as a refusal may print it: short, nothing hidden (see ``display``)."""
    cut = path if len(path) <= SHOWN_PATH else path[:SHOWN_PATH] + '...'
    return visible(cut)


def _is_change_directory(parts: list[str]) -> bool:
    return bool(_PREFIX.match(parts[0]) and _HEX64.match(parts[1]) and parts[1][:2] == parts[0])


def shape_problem(entry: git.TreeEntry) -> str | None:
    """Why ``entry`` cannot be part of a ledger, judged by its mode and path alone."""
    parts = entry.path.split('/')
    if entry.mode == git.TREE_MODE:
        if (len(parts) == 1 and _PREFIX.match(parts[0])) or (len(parts) == 2 and _is_change_directory(parts)):
            return None
        return 'a directory where the ledger has none'
    if entry.mode != RECORD_MODE:
        kinds = {'120000': 'a symbolic link', '160000': 'a submodule', '100755': 'an executable file'}
        return f'{kinds.get(entry.mode, f"an entry of mode {entry.mode}")}; the ledger holds only records'
    if len(parts) != 3 or not _is_change_directory(parts):
        return 'a file where the ledger holds no records'
    return None


def unverified_record(path: str, data: bytes) -> tuple[str | None, records.Record | None]:
    """(why the blob ``data`` at ``path`` is not a well-formed record, or the
    record whose signature is all that is left to check)."""
    if len(data) > records.MAX_RECORD_BYTES:
        return 'the record is too large', None
    try:
        record = records.from_blob(data)
    except records.RecordError as e:
        return f'not an approval record: {e}', None
    if record_path(record) != path:
        return 'the record is stored at a path other than the one its content names', None
    try:
        if sshsig.armor(sshsig.dearmor(record.signature)) != record.signature:
            return 'the signature is not in the armour ssh-keygen writes', None
    except sshsig.SignatureError as e:
        return f'the signature is not valid: {e}', None
    return None, record


def judged(record: records.Record, key: verifier.Result) -> tuple[str | None, Verified | None]:
    """A well-formed record and what verifying its signature gave (its key, or why not)."""
    if isinstance(key, str):
        return f'the signature is not valid: {key}', None
    return None, Verified(record.change, record.reviewer, key)


def admit(new: str, old: str | None, cat: git.CatFile) -> Intake:
    """Judge everything the update of the ledger from ``old`` (None: a new
    ledger) to ``new`` adds."""
    octopus = git.first_merge_of_more_than(MAX_PARENTS, new, old)
    if octopus is not None:
        return Intake([], {}, f'commit {octopus[:12]} merges more than {MAX_PARENTS} ledgers; '
                              f'`trailgate approve --push` merges two at a time')
    refusals: list[Refusal] = []
    blobs: dict[str, list[str]] = {}  # blob id -> the record paths it is added at
    added = 0
    for listed, entry in enumerate(_unique(git.entries_added(new, old), refusals), 1):
        if listed > MAX_ENTRIES:
            return Intake([], {}, f'this update adds more than {MAX_ENTRIES:,} entries (records and their '
                                  f'directories); push a longer ledger one part of its history at a time')
        problem = shape_problem(entry)
        if problem is not None:
            refusals.append(Refusal(entry.path, problem))
        elif entry.mode == RECORD_MODE:
            added += 1
            if added > MAX_RECORDS:
                return Intake([], {}, f'this update adds more than {MAX_RECORDS:,} records; a push may add at most '
                                      f'that many (push a longer ledger one part of its history at a time)')
            blobs.setdefault(entry.oid, []).append(entry.path)
        if len(refusals) > MAX_REFUSALS:
            break  # enough to refuse; the rest of a hostile update is not read
    sizes = git.object_sizes(blobs)
    readable = []
    for oid, paths in blobs.items():
        kind, size = sizes.get(oid, ('missing', 0))
        if kind != 'blob':
            why = 'the record is missing from the push' if kind == 'missing' else f'the record is a {kind}, not a file'
            refusals.extend(Refusal(path, why) for path in paths)
        elif size > records.MAX_RECORD_BYTES:
            refusals.extend(Refusal(path, 'the record is too large') for path in paths)
        else:
            readable.append(oid)
    shaped: list[tuple[str, str, str | None, records.Record | None]] = []  # (blob, path, problem, record)
    for oid, found in zip(readable, cat.get_many(readable), strict=True):
        data = found[1] if found is not None and found[0] == 'blob' else b''
        shaped.extend((oid, path, *unverified_record(path, data)) for path in blobs[oid])
    signatures = {oid: record for oid, _, _, record in shaped if record is not None}
    # many records (a first push of a long ledger) are verified on both cores; this process has nothing else to do
    verifying = verifier.Verifier(records.NAMESPACE, share=verifier.Share.MOST)
    try:
        keys = dict(zip(signatures, verifying.submit(
            [(record.payload, record.signature) for record in signatures.values()])(), strict=True))
    finally:
        verifying.close()
    verified: dict[str, Verified] = {}
    for oid, path, problem, record in shaped:
        if record is not None:
            problem, accepted = judged(record, keys[oid])
            if accepted is not None:
                verified[oid] = accepted
        if problem is not None:
            refusals.append(Refusal(path, problem))
    return Intake(refusals, verified)


def _unique(entries: Iterable[tuple[str, git.TreeEntry]], refusals: list[Refusal]) -> Iterator[git.TreeEntry]:
    """Each (mode, object, path) once: two commits may bring the same entry.
    A path one commit lists twice is a tree naming an entry twice (git fsck's
    duplicateEntries), which every reader of the ledger would count again."""
    seen: set[git.TreeEntry] = set()
    commit, in_commit = '', set[str]()
    for added_by, entry in entries:
        if added_by != commit:
            commit, in_commit = added_by, set()
        if entry.path in in_commit:
            refusals.append(Refusal(entry.path, 'a name its directory holds twice'))
            if len(refusals) > MAX_REFUSALS:
                return
            continue
        in_commit.add(entry.path)
        if entry not in seen:
            seen.add(entry)
            yield entry
