"""Helpers for signed-approval tests: a signed policy, records signed with
real ssh-keygen keys, and ledgers written by hand (as an attacker would)."""
from __future__ import annotations

import os
import tempfile

from testing.scenarios import Repo
from testing.sshkeys import Key
from testing.sshkeys import sign
from trailgate.approvals import ledger
from trailgate.approvals import records

SIGNERS_PATH = '.trailgate/allowed_signers'
LEDGER = 'refs/trailgate/approvals'


def signed_policy(count: int = 2, seniors: str = 'alice@example.com, "Bob Builder <bob@example.com>"') -> str:
    return f"""\
version: 1
groups:
  senior: [{seniors}]
policy_owners: senior
signers: {SIGNERS_PATH}
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {{group: senior, count: {count}, signed: true}}
"""


def signers_file(*entries: tuple[str, Key], options: str = '') -> str:
    return ''.join(f'{email} {options + " " if options else ""}{key.public_line}\n' for email, key in entries)


def record(key: Key, change: str, reviewer: str, namespace: str = records.NAMESPACE) -> bytes:
    signature = sign(key, namespace, records.payload(change, reviewer))
    return records.payload(change, reviewer) + signature.encode()


def entry(key: Key, change: str, reviewer: str, namespace: str = records.NAMESPACE) -> dict[str, bytes]:
    """One signed record at the ledger path its content names, as ``approve`` stores it."""
    blob = record(key, change, reviewer, namespace)
    return {ledger.record_path(records.from_blob(blob)): blob}


def write_ledger(repo: Repo, blobs: dict[str, bytes], parent: str | None = None, replace: bool = False,
                 subject: str = 'ledger') -> str:
    """A ledger commit holding ``blobs`` (path -> content) on top of
    ``parent`` (default: the current local ledger), written with plumbing;
    with ``replace``, its tree holds nothing else. The local ref moves to it."""
    parent = parent if parent is not None else repo.rev(LEDGER)
    with tempfile.TemporaryDirectory() as scratch:
        env = {'GIT_INDEX_FILE': os.path.join(scratch, 'index')}
        if parent and not replace:
            repo.git('read-tree', parent, env=env)
        else:
            repo.git('read-tree', '--empty', env=env)
        for path, content in blobs.items():
            oid = repo.git('hash-object', '-w', '--stdin', input=content).strip()
            repo.git('update-index', '--add', '--cacheinfo', f'100644,{oid},{path}', env=env)
        tree = repo.git('write-tree', env=env).strip()
    args = ['commit-tree', tree, '-m', subject]
    if parent:
        args += ['-p', parent]
    commit = repo.git(*args).strip()
    repo.git('update-ref', LEDGER, commit)
    return commit


def merge_ledgers(repo: Repo, first: str, second: str, tree_of: tuple[str, str] | None = None) -> str:
    """A merge commit of the ledger commits ``first`` and ``second``, its tree
    git's merge of ``tree_of`` (default: of the two parents). No ref moves."""
    ours, theirs = tree_of or (first, second)
    tree = repo.git('merge-tree', '--write-tree', ours, theirs).split('\n')[0]
    return repo.git('commit-tree', tree, '-p', first, '-p', second, '-m', 'merge').strip()


def change_of(repo: Repo, rev: str = 'HEAD') -> str:
    """The change id trailgate computes for ``rev`` (through `trailgate explain`)."""
    result = repo.trailgate('explain', rev)
    for line in result.stdout.splitlines():
        if line.strip().startswith('change '):
            return line.split()[1]
    raise AssertionError(f'explain printed no change id:\n{result.output}')
