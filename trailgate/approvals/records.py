"""Approval records: the signed payload, its two carriers (a blob in the
approvals ledger, a trailer line), and how either is judged.

The payload names its version, the change id and the reviewer; it is
signed in trailgate's own SSHSIG namespace, so neither a commit signature
(namespace ``git``) nor any other use of the key can pass for an approval.
Both carriers hold the same payload and signature and are judged by one
function: the signature, then the trusted base's allowed-signers file for
that key, that principal, this namespace, at the time the gate runs.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import TYPE_CHECKING
from typing import NamedTuple

from trailgate.approvals import sshsig
from trailgate.approvals.allowed_signers import AllowedSigners
from trailgate.model import Approval
from trailgate.model import fold_email

if TYPE_CHECKING:
    from trailgate.approvals.cache import Cache

NAMESPACE = 'change-approval-v1@trailgate'
HEADER = 'trailgate-approval v1'
TRAILER = 'Trailgate-Approval'
MAX_RECORD_BYTES = 16 * 1024
_CHANGE = re.compile(r'\A[0-9a-f]{64}\Z')
_EMAIL = re.compile(r'\A[^<>\s@",]+@[^<>\s@",]+\Z')


class RecordError(ValueError):
    """A record that cannot be parsed; it approves nothing."""


class Record(NamedTuple):
    change: str
    reviewer: str
    signature: str  # armoured SSHSIG

    @property
    def payload(self) -> bytes:
        return payload(self.change, self.reviewer)


def is_reviewer_email(text: str) -> bool:
    """Can a record name ``text`` as its reviewer: a plain ASCII email?"""
    return bool(_EMAIL.match(text)) and text.isascii()


def payload(change: str, reviewer: str) -> bytes:
    """The exact bytes a reviewer signs."""
    if not _CHANGE.match(change):
        raise RecordError('the change id is not 64 lower-case hex digits')
    if not is_reviewer_email(reviewer):
        raise RecordError(f'the reviewer {reviewer!r} is not a plain email')
    return f'{HEADER}\nchange {change}\nreviewer {reviewer}\n'.encode('ascii')


def to_blob(record: Record) -> bytes:
    return record.payload + record.signature.encode('ascii')


def from_blob(data: bytes) -> Record:
    """A ledger blob into a Record, exactly: three payload lines, the armour, nothing else."""
    if len(data) > MAX_RECORD_BYTES:
        raise RecordError('the record is too large')
    try:
        text = data.decode('ascii')
    except UnicodeDecodeError:
        raise RecordError('the record is not ASCII text') from None
    lines = text.split('\n', 3)
    if len(lines) != 4 or lines[0] != HEADER:
        raise RecordError(f'the record does not start with {HEADER!r} and its fields')
    change = _field(lines[1], 'change')
    reviewer = _field(lines[2], 'reviewer')
    payload(change, reviewer)
    signature = lines[3]
    if not signature.endswith('\n') or signature.count(sshsig.BEGIN) != 1:
        raise RecordError('the record does not end with one SSH signature')
    return Record(change, reviewer, signature)


def _field(line: str, name: str) -> str:
    key, space, value = line.partition(' ')
    if key != name or not space or not value:
        raise RecordError(f'the record has no {name!r} field where one belongs')
    return value


def to_trailer_value(record: Record) -> str:
    blob = sshsig.dearmor(record.signature)
    return f'{record.reviewer} {record.change} {base64.b64encode(blob).decode()}'


def from_trailer_value(value: str) -> Record:
    fields = value.strip(' \t').split(' ')
    if len(fields) != 3:
        raise RecordError(f'a {TRAILER} trailer holds "EMAIL CHANGE-ID SIGNATURE"')
    reviewer, change, encoded = fields
    payload(change, reviewer)
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RecordError(f'the {TRAILER} signature is not base64') from None
    if base64.b64encode(blob).decode() != encoded:
        raise RecordError(f'the {TRAILER} signature is not canonical base64')
    return Record(change, reviewer, sshsig.armor(blob))


def signing_key(record: Record, cache: Cache | None = None) -> bytes:
    """The key whose signature over the record's payload verifies in our
    namespace (remembered by the record's digest); SignatureError otherwise."""
    digest = hashlib.sha256(to_blob(record)).hexdigest()
    key = cache.signer(digest) if cache is not None else None
    if key is None:
        key = sshsig.verify(record.payload, record.signature, NAMESPACE).public_key
        if cache is not None:
            cache.set_signer(digest, key)
    return key


def judge(record: Record, change: str, signers: AllowedSigners, author: str, now: float,
          carrier: str, cache: Cache | None = None) -> Approval:
    """One record, judged for one change: an Approval, valid or with the reason it is not.

    ``cache`` may remember that the signature verifies and with which key;
    whether that key may approve as the reviewer, now, is judged every time.
    """
    if record.change != change:
        return Approval(record.reviewer, '', record.change, carrier,
                        f'it approves change {record.change[:12]}, not {change[:12]}')
    try:
        key = signing_key(record, cache)
    except (sshsig.SignatureError, RecordError) as e:
        return Approval(record.reviewer, '', record.change, carrier, f'bad signature: {e}')
    return judge_signed(record.change, record.reviewer, key, change, signers, author, now, carrier)


Standing = dict[tuple[bytes, str], tuple[str | None, frozenset[str]]]


def judge_signed(approved: str, reviewer: str, key: bytes, change: str, signers: AllowedSigners,
                 author: str, now: float, carrier: str, standing: Standing | None = None) -> Approval:
    """A verified signature by ``key`` of "``reviewer`` approves ``approved``", judged for ``change``.

    ``standing``: what ``signers`` say at ``now`` of each (key, reviewer)
    judged so far with them (many records share a few keys), filled in here.
    """
    if approved != change:
        return Approval(reviewer, sshsig.fingerprint(key), approved, carrier,
                        f'it approves change {approved[:12]}, not {change[:12]}')
    found = standing.get((key, reviewer)) if standing is not None else None
    if found is None:
        found = signers.judge(key, reviewer, NAMESPACE, now), signers.person(key)
        if standing is not None:
            standing[(key, reviewer)] = found
    problem, person = found
    if problem is None and _fold(author) in person:
        problem = 'the reviewer is the commit author (the allowed-signers file ties this key to the author)'
    return Approval(reviewer, sshsig.fingerprint(key), approved, carrier, problem, min(person, default=''))


def _fold(email: str) -> str:
    return fold_email(email)
