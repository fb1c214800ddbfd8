"""What a gate has already computed, kept next to the repository's git data
so that the next run over the same history does not compute it again:

- a commit's change id (a pure function of the commit and its parents);
- that a record's signature verifies, and with which key (a pure function of
  the record's bytes, keyed by their SHA-256, or for a ledger blob by its
  object id: git names a blob by its content, and detects SHA-1 collision
  attempts);
- the index of the ledger commit last listed: its records' blob ids by
  change id (a pure function of that commit), so that a run over an
  unchanged ledger lists no tree.

Neither entry says anything about trust: whether the key may approve, for
whom, and at what time, is judged on every run against the trusted base's
allowed-signers file and the gate's clock. A cache that cannot be read or
written is simply not used.
"""
from __future__ import annotations

import contextlib
import json
import os
from typing import Any

from trailgate import orjson_import

CACHE_FILE = 'trailgate-approvals-cache.json'
# 3: a merge's change id and own change are measured against a merge git makes
# without the checkout's attributes; those cached before may have been made with them
VERSION = 3
MAX_ENTRIES = 500_000


class Cache:
    def __init__(self, git_dir: str | None) -> None:
        self.path = os.path.join(git_dir, CACHE_FILE) if git_dir else None
        self.changes: dict[str, list[Any]] = {}  # commit sha -> [change id, own change]
        self.signatures: dict[str, str] = {}  # sha256(record) -> signing key blob, hex
        self.records: dict[str, list[str]] = {}  # ledger blob id -> [change, reviewer, key hex], verified
        self.ledger: list[Any] = []  # [ledger commit, {change id: [blob id, ...]}]
        self.dirty = False
        self._verified: dict[str, tuple[str, str, bytes]] | None = None
        if self.path is not None:
            self._read(self.path)

    def _read(self, path: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            with open(path, 'rb') as f:
                data = _loads(f.read())
            if isinstance(data, dict) and data.get('version') == VERSION:
                changes, signatures, records = data.get('changes'), data.get('signatures'), data.get('records')
                if isinstance(changes, dict) and isinstance(signatures, dict) and isinstance(records, dict):
                    self.changes, self.signatures, self.records = changes, signatures, records
                ledger = data.get('ledger')
                if isinstance(ledger, list):
                    self.ledger = ledger

    def change(self, sha: str) -> tuple[str, bool] | None:
        entry = self.changes.get(sha)
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str):
            return entry[0], bool(entry[1])
        return None

    def set_change(self, sha: str, change: str, own: bool) -> None:
        self.changes[sha] = [change, own]
        self.dirty = True

    def signer(self, record_digest: str) -> bytes | None:
        found = self.signatures.get(record_digest)
        if not isinstance(found, str):
            return None
        try:
            return bytes.fromhex(found)
        except ValueError:
            return None

    def set_signer(self, record_digest: str, key: bytes) -> None:
        self.signatures[record_digest] = key.hex()
        self.dirty = True

    def verified_records(self) -> dict[str, tuple[str, str, bytes]]:
        """Ledger blob id -> (change, reviewer, key) of records whose signature
        verified; malformed entries are dropped."""
        if self._verified is None:
            self._verified = {}
            keys: dict[str, bytes] = {}
            for oid, entry in self.records.items():
                if isinstance(entry, list) and len(entry) == 3 and all(isinstance(v, str) for v in entry):
                    try:
                        key = keys.get(entry[2]) or keys.setdefault(entry[2], bytes.fromhex(entry[2]))
                    except ValueError:
                        continue
                    self._verified[oid] = (entry[0], entry[1], key)
        return self._verified

    def set_record(self, oid: str, change: str, reviewer: str, key: bytes) -> None:
        self.records[oid] = [change, reviewer, key.hex()]
        self.verified_records()[oid] = (change, reviewer, key)
        self.dirty = True

    def ledger_index(self, commit: str) -> dict[str, list[str]] | None:
        """The index of ledger ``commit`` as an earlier run listed it, or None."""
        entry = self.ledger
        if len(entry) != 2 or entry[0] != commit or type(entry[1]) is not dict:
            return None
        index: dict[str, list[str]] = entry[1]
        for oids in index.values():
            if type(oids) is not list or not all(type(oid) is str for oid in oids):
                return None
        return index

    def set_ledger_index(self, commit: str, index: dict[str, list[str]]) -> None:
        self.ledger = [commit, index]
        self.dirty = True

    def write(self) -> None:
        if not self.dirty or self.path is None:
            return
        if len(self.changes) + len(self.signatures) + len(self.records) > MAX_ENTRIES:
            self.changes, self.signatures, self.records = {}, {}, {}
        if len(self.ledger) == 2 and isinstance(self.ledger[1], dict) and len(self.ledger[1]) > MAX_ENTRIES:
            self.ledger = []
        temporary = f'{self.path}.{os.getpid()}.tmp'
        with contextlib.suppress(OSError):
            with open(temporary, 'wb') as f:
                f.write(_dumps({'version': VERSION, 'changes': self.changes, 'signatures': self.signatures,
                                'records': self.records, 'ledger': self.ledger}))
            os.replace(temporary, self.path)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        self.dirty = False


def _loads(data: bytes) -> Any:
    """JSON through orjson where it is installed (several times faster on a
    cache of tens of thousands of entries), else the standard library."""
    if not orjson_import.load():
        return json.loads(data)
    import orjson

    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise ValueError(str(e)) from None


def _dumps(value: Any) -> bytes:
    if not orjson_import.load():
        return json.dumps(value).encode('ascii')
    import orjson

    return orjson.dumps(value)
