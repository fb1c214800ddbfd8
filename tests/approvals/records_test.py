"""Approval records: the ledger blob and the trailer, read exactly, and one
record judged for one change."""
from __future__ import annotations

import base64

import pytest

from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.sshkeys import sign
from trailgate.approvals import allowed_signers
from trailgate.approvals import records

CHANGE = 'ab' * 32
OTHER = 'cd' * 32
ALICE = 'alice@example.com'
NOW = 1_767_225_600.0  # 2026-01-01: the gate's clock, fixed


@pytest.fixture(scope='module')
def alice(tmp_path_factory: pytest.TempPathFactory) -> Key:
    return make_key(tmp_path_factory.mktemp('keys'), 'alice')


@pytest.fixture(scope='module')
def good(alice: Key) -> records.Record:
    return records.Record(CHANGE, ALICE, sign(alice, records.NAMESPACE, records.payload(CHANGE, ALICE)))


def test_a_ledger_blob_reads_back_as_its_record(good: records.Record) -> None:
    assert records.from_blob(records.to_blob(good)) == good


def _blobs(good: records.Record) -> dict[str, bytes]:
    blob = records.to_blob(good)
    payload = records.payload(CHANGE, ALICE)
    signature = good.signature.encode()
    return {
        'another header': blob.replace(b'trailgate-approval v1', b'trailgate-approval v2'),
        'fields swapped': f'{records.HEADER}\nreviewer {ALICE}\nchange {CHANGE}\n'.encode() + signature,
        'field without a value': payload.replace(f'reviewer {ALICE}'.encode(), b'reviewer ') + signature,
        'field without a space': payload.replace(f'reviewer {ALICE}'.encode(), b'reviewer') + signature,
        'upper-case change id': payload.replace(CHANGE.encode(), CHANGE.upper().encode()) + signature,
        'reviewer not an email': payload.replace(ALICE.encode(), b'alice') + signature,
        'no signature': payload,
        'cut after the change': f'{records.HEADER}\nchange {CHANGE}'.encode(),
        'signature without its last newline': blob.rstrip(b'\n'),
        'two signatures': blob + signature,
    }


@pytest.mark.parametrize('case', [
    'another header', 'fields swapped', 'field without a value', 'field without a space',
    'upper-case change id', 'reviewer not an email', 'no signature', 'cut after the change',
    'signature without its last newline',
    'two signatures',
])
def test_a_blob_that_is_not_exactly_a_record_is_refused(good: records.Record, case: str) -> None:
    with pytest.raises(records.RecordError):
        records.from_blob(_blobs(good)[case])


def test_a_record_may_be_16_kib_and_no_more(good: records.Record) -> None:
    largest = records.to_blob(good).rstrip(b'\n') + b'=' * (records.MAX_RECORD_BYTES - len(records.to_blob(good)))
    assert len(largest) == 16 * 1024 - 1
    with pytest.raises(records.RecordError, match='does not end with one SSH signature'):
        records.from_blob(largest)
    with pytest.raises(records.RecordError, match='does not end with one SSH signature'):
        records.from_blob(largest + b'=')
    with pytest.raises(records.RecordError, match='too large'):
        records.from_blob(largest + b'\n=')


def test_a_non_ascii_reviewer_is_refused_though_it_looks_like_an_email() -> None:
    assert records.is_reviewer_email(ALICE)
    assert not records.is_reviewer_email('al\u00efce@example.com')
    with pytest.raises(records.RecordError, match='not a plain email'):
        records.payload(CHANGE, 'al\u00efce@example.com')


def test_a_trailer_value_reads_back_as_its_record_with_blanks_around_it(good: records.Record) -> None:
    value = records.to_trailer_value(good)
    assert records.from_trailer_value(value) == good
    assert records.from_trailer_value(f' \t{value}\t ') == good


def test_a_trailer_value_that_is_not_exactly_three_fields_is_refused(good: records.Record) -> None:
    reviewer, change, encoded = records.to_trailer_value(good).split(' ')
    padded = base64.b64decode(encoded) + b'\0' * ((1 - len(base64.b64decode(encoded))) % 3)
    canonical = base64.b64encode(padded).decode()
    assert canonical.endswith('==')
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    unused_bits_set = canonical[:-3] + alphabet[alphabet.index(canonical[-3]) | 1] + '=='
    assert records.from_trailer_value(f'{reviewer} {change} {canonical}').change == change
    cases = {
        'two fields': f'{reviewer} {change}',
        'four fields': f'{reviewer} {change} {encoded} extra',
        'two blanks': f'{reviewer}  {change} {encoded}',
        'not base64': f'{reviewer} {change} {encoded[:-4]}!!!!',
        'not canonical base64': f'{reviewer} {change} {unused_bits_set}',
        'upper-case change': f'{reviewer} {change.upper()} {encoded}',
    }
    for name, value in cases.items():
        with pytest.raises(records.RecordError):
            records.from_trailer_value(value)
            pytest.fail(name)


def _signers(text: str) -> allowed_signers.AllowedSigners:
    return allowed_signers.parse(text.encode(), 'allowed_signers')


def test_a_record_of_another_change_approves_nothing(alice: Key, good: records.Record) -> None:
    signers = _signers(f'{ALICE} {alice.public_line}\n')
    approval = records.judge(good, OTHER, signers, 'dev@example.com', NOW, 'ledger')
    assert approval.problem is not None and 'approves change abababababab, not cdcdcdcdcdcd' in approval.problem
    assert records.judge(good, CHANGE, signers, 'dev@example.com', NOW, 'ledger').problem is None


def test_the_authors_key_approves_nothing_of_theirs_whatever_the_case_of_the_authors_email(alice: Key) -> None:
    """The author's key signing as another principal of its own line is
    refused (allowed_signers_test); an author email in other letter case
    must not dodge that."""
    signers = _signers(f'{ALICE},alice@corp.example {alice.public_line}\n')
    as_other = records.Record(CHANGE, 'alice@corp.example',
                              sign(alice, records.NAMESPACE, records.payload(CHANGE, 'alice@corp.example')))
    approval = records.judge(as_other, CHANGE, signers, 'Alice@Example.COM', NOW, 'trailer')
    assert approval.problem is not None and 'commit author' in approval.problem
