"""The approvals ledger: ``refs/trailgate/approvals``, an append-only
history of commits whose tree holds one signed record per blob at
``<id[:2]>/<id>/<sha256 of the record>``. A path names its content, so two
ledgers always merge by union and no record is ever replaced.

The path is only an index: a record counts when its own signed payload
names the change being judged, wherever it is stored.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable

from trailgate import git
from trailgate.approvals import records
from trailgate.approvals.cache import Cache
from trailgate.errors import GitError
from trailgate.refs import APPROVALS_REF

REF = APPROVALS_REF
_CHANGE_ID = re.compile(r'\A[0-9a-f]{64}\Z')


def record_path(record: records.Record) -> str:
    digest = hashlib.sha256(records.to_blob(record)).hexdigest()
    return f'{record.change[:2]}/{record.change}/{digest}'


def tip(ref: str = REF) -> str | None:
    """The ledger's commit: the ref of that exact name, never a branch or tag git would read in its place."""
    return git.exact_ref(ref)


class Ledger:
    """The records of one ledger commit, read lazily: one ``ls-tree`` for the
    index (none when the cache holds that commit's), then only the blobs of
    the changes asked about."""

    def __init__(self, commit: str | None, cat: git.CatFile, local: bool = False) -> None:
        self.commit = commit
        self.cat = cat
        self.local = local  # read the repository's own ledger ref at first use
        self._index: dict[str, list[str]] | None = None
        self.cache: Cache | None = None  # what earlier runs computed (change ids, verified signatures)

    def _load(self) -> dict[str, list[str]]:
        if self._index is None:
            self._index = {}
            if self.local:
                self.commit = tip()
            if self.commit is not None:
                cached = self.cache.ledger_index(self.commit) if self.cache is not None else None
                self._index = cached if cached is not None else self._listed(self.commit)
        return self._index

    def _listed(self, commit: str) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for path, oid in git.tree_blobs(commit):
            parts = path.split('/')
            # a change id, as no other name can be asked for (nor cached: JSON holds no name git's bytes may be)
            if len(parts) == 3 and parts[0] == parts[1][:2] and _CHANGE_ID.match(parts[1]):
                index.setdefault(parts[1], []).append(oid)
        if self.cache is not None:
            self.cache.set_ledger_index(commit, index)
        return index

    def oids_for(self, change: str) -> list[str]:
        return self._load().get(change, [])

    def ask(self, oids: list[str]) -> None:
        """Ask git ahead for the blobs ``oids``; ``answers`` gives them."""
        self.cat.ask_objects(oids)

    def answers(self, oids: list[str]) -> dict[str, bytes]:
        """The blobs of the earliest ``ask`` not yet answered, which asked for ``oids``."""
        found = {}
        for oid in oids:
            obj = self.cat.object_answer(oid)
            if obj is None or obj[0] != 'blob':
                raise GitError(f'the approvals ledger {self.commit} names a missing object {oid}')
            found[oid] = obj[1]
        return found


def append(new: Iterable[records.Record], message: str, ref: str = REF) -> str | None:
    """Add records to the local ledger (one commit on top of it); its new
    tip, or None when every record was there already."""
    old = tip(ref)
    existing = {path for path, _ in git.tree_blobs(old)} if old else set()
    adding: dict[str, records.Record] = {}
    for record in new:
        path = record_path(record)
        if path not in existing:
            adding.setdefault(path, record)
    if not adding:
        return None
    oids = git.write_blobs([records.to_blob(record) for record in adding.values()])
    entries = [f'100644 blob {oid}\t{path}' for path, oid in zip(adding, oids, strict=True)]
    tree = _tree_with(old, entries)
    commit = git.commit_tree(tree, [old] if old else [], message)
    git.run('update-ref', '-m', 'trailgate approve', ref, commit, old or '0' * 40)
    return commit


def merge(local: str | None, remote: str, ref: str = REF) -> str:
    """A ledger holding every record of ``local`` and ``remote``; never drops one."""
    if local is None or git.is_ancestor(local, remote):
        git.run('update-ref', ref, remote, *([local] if local else []))
        return remote
    if git.is_ancestor(remote, local):
        return local
    have = {path for path, _ in git.tree_blobs(local)}
    # a record's depth only: an entry beside or inside a local record would replace it in git's index
    entries = [f'100644 blob {oid}\t{path}' for path, oid in git.tree_blobs(remote)
               if path not in have and path.count('/') == 2]
    tree = _tree_with(local, entries)
    commit = git.commit_tree(tree, [local, remote], 'Merge concurrent approvals')
    git.run('update-ref', '-m', 'trailgate approve: merge', ref, commit, local)
    return commit


def _tree_with(base: str | None, entries: list[str]) -> str:
    with tempfile.TemporaryDirectory(prefix='trailgate-ledger-') as scratch:
        env = {'GIT_INDEX_FILE': os.path.join(scratch, 'index')}
        if base:
            git.run_env(env, 'read-tree', base)
        else:
            git.run_env(env, 'read-tree', '--empty')
        # NUL-terminated: a path is taken as it is, never as a quoted name or as more lines than one
        git.run_env(env, 'update-index', '-z', '--add', '--index-info',
                    input=''.join(f'{entry}\0' for entry in entries).encode(git.ENCODING, git.ERRORS))
        return git.decode(git.run_env(env, 'write-tree')).strip()


def push(remote: str, attempts: int = 3) -> str:
    """Push the local ledger, merging what others pushed meanwhile; the pushed tip."""
    tracking = 'refs/trailgate/fetched-approvals'
    for _ in range(attempts):
        fetched = subprocess.run(
            ('git', 'fetch', '--quiet', '--no-tags', remote, f'+{REF}:{tracking}'),
            capture_output=True, env=git.hook_free_env(),
        )
        local = tip()
        if fetched.returncode == 0 and tip(tracking):
            remote_tip = tip(tracking)
            assert remote_tip is not None
            local = merge(local, remote_tip)
        elif fetched.returncode and b"couldn't find remote ref" not in fetched.stderr:
            raise GitError(f'git fetch {remote} {REF} failed: {git.decode(fetched.stderr).strip()}')
        if local is None:
            raise GitError('there is no local approvals ledger to push')
        pushed = subprocess.run(
            ('git', 'push', '--quiet', '--no-verify', remote, f'{local}:{REF}'),
            capture_output=True, env=git.hook_free_env(),
        )
        if pushed.returncode == 0:
            return local
        if b'hook declined' in pushed.stderr:  # the server's gate refused it: trying again cannot help
            raise GitError(f'{remote} refused {REF}: {git.decode(pushed.stderr).strip()}')
        if b'rejected' not in pushed.stderr and b'fetch first' not in pushed.stderr:
            raise GitError(f'git push {remote} {REF} failed: {git.decode(pushed.stderr).strip()}')
    raise GitError(f'{remote} kept moving its approvals ledger; run the command again')
