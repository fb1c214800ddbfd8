"""Plain immutable facts that flow from the git edge into the pure core."""
from __future__ import annotations

import datetime
import re
from typing import NamedTuple

# the id under which reports name the policy_owners check; no rule may take it
POLICY_OWNERS_RULE = 'policy-owners'
# "Name <email>" with nothing around it; the email holds no angle brackets.
_NAME_EMAIL = re.compile(r'\A([^<>]*)<([^<>\s]+)>\Z')
_BARE_EMAIL = re.compile(r'\A[^<>\s@]+@[^<>\s@]+\Z')


class Identity(NamedTuple):
    name: str
    email: str

    def __str__(self) -> str:
        return f'{self.name} <{self.email}>'


class Trailer(NamedTuple):
    key: str
    value: str

    def __str__(self) -> str:
        return f'{self.key}: {self.value}'

    def key_is(self, key: str) -> bool:
        return self.key.lower() == key.lower()


class Approval(NamedTuple):
    """One signed approval found for a commit, judged at the edge (the
    signature, the allowed-signers file, the gate's clock): the core only
    counts those without a ``problem``."""

    reviewer: str  # the email the signed payload names
    fingerprint: str  # the signing key's SHA256 fingerprint ('' if unreadable)
    change: str  # the change id the payload names
    carrier: str  # 'ledger' or 'trailer'
    problem: str | None  # why it does not count; None when it does
    person: str = ''  # who holds the key: the least email the allowed-signers file ties to it ('' counts nothing)


class Commit(NamedTuple):
    """One commit (or, for commit-msg, the commit about to be made).

    ``paths`` are the changed paths as the contract defines them.
    ``existing_files`` are those documentation-trailer values that name a
    regular file present in the commit (the index for commit-msg): the edge
    looks them up so that rules never call git.
    """

    sha: str | None
    message: str
    trailers: tuple[Trailer, ...]
    author: Identity
    committer: Identity
    date: datetime.date
    paths: frozenset[str]
    existing_files: frozenset[str] = frozenset()
    is_merge: bool = False
    is_root: bool = False  # no parents: `git rebase -i --root` rewrites it
    change_id: str | None = None  # set by the edge when a signed review applies
    own_change: bool = True  # False for a merge git made cleanly: nothing of its own
    approvals: tuple[Approval, ...] = ()

    @property
    def subject(self) -> str:
        return self.message.split('\n', 1)[0]

    @property
    def short_sha(self) -> str:
        return self.sha[:10] if self.sha else '(new commit)'

    def trailer_values(self, key: str) -> tuple[str, ...]:
        wanted = key.lower()
        return tuple(value for found, value in self.trailers if found.lower() == wanted)


def email_of(value: str) -> str | None:
    """The email in ``Name <email>`` or a bare ``email``; None otherwise.

    Anything else (two addresses, stray brackets, spaces in a bare address)
    is not an identity: a look-alike must not count as a reviewer.
    """
    value = value.strip(' \t')
    match = _NAME_EMAIL.match(value)
    if match:
        email = match[2]
    elif _BARE_EMAIL.match(value):
        email = value
    else:
        return None
    return email if _BARE_EMAIL.match(email) else None


_ASCII_LOWER = str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')


def fold_email(email: str) -> str:
    """An email for comparison: ASCII letters lower-cased, nothing else.

    ``str.lower`` would turn look-alikes into letters (the Kelvin sign
    U+212A becomes ``k``), so a homoglyph could pass for a group member.
    """
    return email.translate(_ASCII_LOWER)


def parse_identity(value: str) -> Identity | None:
    """``Name <email>`` -> Identity; a bare email gets an empty name."""
    email = email_of(value)
    if email is None:
        return None
    match = _NAME_EMAIL.match(value.strip(' \t'))
    name = match[1].strip(' \t') if match else ''
    return Identity(name, email)
