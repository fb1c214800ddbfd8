"""What a gate has already computed, kept next to the repository's git data
so that the next run over the same history does not compute it again:

- a commit's change id (a pure function of the commit and its parents);
- that a record's signature verifies, and with which key (a pure function of
  the record's bytes, keyed by their SHA-256).

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

CACHE_FILE = 'trailgate-approvals-cache.json'
VERSION = 1
MAX_ENTRIES = 500_000


class Cache:
    def __init__(self, git_dir: str | None) -> None:
        self.path = os.path.join(git_dir, CACHE_FILE) if git_dir else None
        self.changes: dict[str, list[Any]] = {}  # commit sha -> [change id, own change]
        self.signatures: dict[str, str] = {}  # sha256(record) -> signing key blob, hex
        self.dirty = False
        if self.path is not None:
            self._read(self.path)

    def _read(self, path: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            with open(path, encoding='ascii') as f:
                data = json.load(f)
            if isinstance(data, dict) and data.get('version') == VERSION:
                changes, signatures = data.get('changes'), data.get('signatures')
                if isinstance(changes, dict) and isinstance(signatures, dict):
                    self.changes, self.signatures = changes, signatures

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

    def write(self) -> None:
        if not self.dirty or self.path is None:
            return
        if len(self.changes) + len(self.signatures) > MAX_ENTRIES:
            self.changes, self.signatures = {}, {}
        temporary = f'{self.path}.{os.getpid()}.tmp'
        with contextlib.suppress(OSError):
            with open(temporary, 'w', encoding='ascii') as f:
                json.dump({'version': VERSION, 'changes': self.changes, 'signatures': self.signatures}, f)
            os.replace(temporary, self.path)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        self.dirty = False
