"""The allowed_signers parser: OpenSSH's format, minus everything that could
make the file mean more than it shows."""
from __future__ import annotations

import calendar
import datetime
from pathlib import Path

import pytest

from testing.sshkeys import Key
from testing.sshkeys import make_key
from trailgate.approvals import allowed_signers
from trailgate.approvals import sshsig
from trailgate.errors import PolicyError


@pytest.fixture(scope='module')
def alice(tmp_path_factory: pytest.TempPathFactory) -> Key:
    return make_key(tmp_path_factory.mktemp('keys'), 'alice')


@pytest.fixture(scope='module')
def bob(tmp_path_factory: pytest.TempPathFactory) -> Key:
    return make_key(tmp_path_factory.mktemp('keys'), 'bob')


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as raised:
        allowed_signers.parse(text.encode(), 'signers')
    return raised.value.problems


def blob(key: Key) -> bytes:
    return sshsig.parse_public_key(key.public_line)[1]


def test_plain_lines_comments_and_options(alice: Key, bob: Key) -> None:
    text = (
        '# the seniors\n\n'
        f'alice@example.com {alice.public_line}\n'
        '"bob@example.com,bob@corp.example" namespaces="git,change-*@trailgate",valid-before="20991231Z" '
        f'{bob.public_line}\n'
    )
    parsed = allowed_signers.parse(text.encode(), 'signers')
    assert [s.principals for s in parsed.signers] == [('alice@example.com',), ('bob@example.com', 'bob@corp.example')]
    assert [s.line for s in parsed.signers] == [3, 4]
    second = parsed.signers[1]
    assert second.namespaces == ('git', 'change-*@trailgate')
    assert second.allows_namespace('change-approval-v1@trailgate')
    assert not second.allows_namespace('other@trailgate')
    assert second.valid_before == calendar.timegm((2099, 12, 31, 0, 0, 0))
    assert parsed.emails_with_keys() == {'alice@example.com', 'bob@example.com', 'bob@corp.example'}


def test_judge_names_the_reason(alice: Key, bob: Key) -> None:
    parsed = allowed_signers.parse(
        f'alice@example.com valid-before="20200101Z" {alice.public_line}\nbob@example.com {bob.public_line}\n'.encode(),
        'signers',
    )
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
    assert parsed.judge(blob(bob), 'bob@example.com', 'ns', now) is None
    assert 'not to alice@example.com' in (parsed.judge(blob(bob), 'alice@example.com', 'ns', now) or '')
    assert 'expired' in (parsed.judge(blob(alice), 'alice@example.com', 'ns', now) or '')
    earlier = datetime.datetime(2019, 12, 31, tzinfo=datetime.timezone.utc).timestamp()
    assert parsed.judge(blob(alice), 'alice@example.com', 'ns', earlier) is None


@pytest.mark.parametrize(('principals', 'fragment'), [
    ('*', 'is a pattern'),
    ('*@example.com', 'is a pattern'),
    ('alice@example.com,!bob@example.com', 'is a pattern'),
    ('al?ce@example.com', 'is a pattern'),
    ('alice@example.com,', 'empty entry'),
    ('"alice@example.com', 'unterminated double quote'),
    ('"alice@example.com"bob@example.com', 'a quoted list must be one quoted string'),
    ('al"i"ce@example.com', 'a stray double quote'),
    ('<alice@example.com>', 'is not a bare email'),
])
def test_patterns_and_malformed_principals_are_errors(alice: Key, principals: str, fragment: str) -> None:
    found = problems(f'{principals} {alice.public_line}\n')
    assert len(found) == 1 and found[0].startswith('signers:1:1: ') and fragment in found[0]


@pytest.mark.parametrize(('options', 'fragment'), [
    ('cert-authority', 'cert-authority lines are not supported'),
    ('CERT-AUTHORITY', 'cert-authority lines are not supported'),
    ('no-touch-required', 'unknown option'),
    ('namespaces=git', 'double-quoted value'),
    ('namespaces="git",namespaces="x"', 'given twice'),
    ('valid-before="yesterday"', 'is not YYYYMMDD'),
    ('valid-after="20261340"', 'is not YYYYMMDD'),
    ('namespaces="git",', 'a trailing comma after the options'),
    ('namespaces="git,"', 'has an empty entry'),
])
def test_bad_options_are_errors_with_a_position(alice: Key, options: str, fragment: str) -> None:
    found = problems(f'# header\nalice@example.com {options} {alice.public_line}\n')
    assert len(found) == 1 and found[0].startswith('signers:2:') and fragment in found[0], found


def test_one_key_for_two_people_is_an_error(alice: Key) -> None:
    found = problems(f'alice@example.com {alice.public_line}\nbob@example.com {alice.public_line}\n')
    assert found == (
        'signers:2:1: this key is already listed for alice@example.com on line 1: one key must belong to '
        'one set of principals, or one person could approve as two',
    )


def test_one_key_for_one_email_spelled_in_two_cases_is_one_person(alice: Key, bob: Key) -> None:
    """Emails fold case everywhere (``fold_email``), the file's own linking of
    lines into persons included: two spellings of one email are one person."""
    text = (f'Alice@Example.com {alice.public_line}\nalice@example.com {alice.public_line}\n'
            f'bob@example.com {bob.public_line}\n')
    parsed = allowed_signers.parse(text.encode(), 'signers')
    assert parsed.person(blob(alice)) == {'alice@example.com'}
    assert parsed.judge(blob(alice), 'Alice@Example.com', 'ns', 0) is None
    assert parsed.judge(blob(alice), 'alice@example.com', 'ns', 0) is None


@pytest.mark.parametrize('second', ['bob@example.com', 'ALICE@example.com,bob@example.com', 'alice@example.co'])
def test_one_key_for_another_email_in_any_case_is_still_an_error(alice: Key, second: str) -> None:
    found = problems(f'Alice@example.com {alice.public_line}\n{second} {alice.public_line}\n')
    assert len(found) == 1 and found[0].startswith('signers:2:1: this key is already listed for Alice@example.com'), \
        found


def test_every_problem_at_once_in_line_order(alice: Key) -> None:
    found = problems(
        f'alice@example.com {alice.public_line}\n* {alice.public_line}\nbob@example.com {alice.public_line}\n'
        'carol@example.com\ndave@example.com ssh-ed25519\nerin@example.com ssh-ed25519 AAAA!\n'
    )
    assert [line.split(':')[1] for line in found] == ['2', '3', '4', '5', '6']
    assert 'already listed for alice@example.com' in found[1]
    assert found[2] == 'signers:4:18: missing the key type and key after the principals'
    assert found[3] == "signers:5:29: missing the base64 key after 'ssh-ed25519'"


def test_mismatched_or_truncated_keys_are_errors(alice: Key) -> None:
    kind, encoded = alice.public_line.split()[:2]
    assert 'inside' in problems(f'alice@example.com ssh-rsa {encoded}\n')[0]
    assert 'truncated' in problems(f'alice@example.com {kind} {encoded[:40]}\n')[0]


def test_format_line_checks_the_key(alice: Key) -> None:
    line = allowed_signers.format_line('alice@example.com', alice.public_line)
    assert line == f'alice@example.com {alice.public_line}\n'
    without_comment = ' '.join(alice.public_line.split()[:2])
    assert allowed_signers.format_line('alice@example.com', without_comment) == f'alice@example.com {without_comment}\n'
    for bad in ('ssh-ed25519 AAAA', 'ssh-ed25519', ''):
        with pytest.raises(sshsig.SignatureError):
            allowed_signers.format_line('alice@example.com', bad)
    with pytest.raises(ValueError, match='is a pattern'):
        allowed_signers.format_line('al*ce@example.com', alice.public_line)


def test_crlf_and_local_times(alice: Key, tmp_path: Path) -> None:
    line = f'alice@example.com valid-after="202601011230" {alice.public_line}\r\n'
    parsed = allowed_signers.parse(line.encode(), 's')
    assert parsed.signers[0].valid_after is not None


def test_judging_many_records_with_one_standing_gives_what_judging_each_alone_gives(alice: Key, bob: Key) -> None:
    """``records.judge_signed`` remembers what the file says of each (key,
    reviewer) across a chunk; a key judged for one reviewer says nothing of
    another reviewer, nor of whether the author owns it."""
    from trailgate.approvals import records

    signers = allowed_signers.parse(f'alice@example.com,carol@example.com {alice.public_line}\n'.encode(), 'signers')
    change = 'ab' * 32
    cases = [  # (key, reviewer, author)
        (blob(alice), 'alice@example.com', 'dave@example.com'),
        (blob(alice), 'bob@example.com', 'dave@example.com'),
        (blob(alice), 'carol@example.com', 'carol@example.com'),
        (blob(alice), 'alice@example.com', 'carol@example.com'),
        (blob(bob), 'bob@example.com', 'dave@example.com'),
        (blob(alice), 'alice@example.com', 'dave@example.com'),
    ]
    alone = [records.judge_signed(change, reviewer, key, change, signers, author, 0.0, 'ledger')
             for key, reviewer, author in cases]
    standing: records.Standing = {}
    together = [records.judge_signed(change, reviewer, key, change, signers, author, 0.0, 'ledger', standing)
                for key, reviewer, author in cases]
    assert together == alone
    assert [approval.problem is None for approval in alone] == [True, False, False, False, False, True]


def test_a_file_of_one_mebibyte_is_read_and_a_larger_one_refused(alice: Key) -> None:
    line = f'alice@example.com {alice.public_line}\n'.encode()
    exact = line + b'#' * (allowed_signers.MAX_FILE_BYTES - len(line) - 1) + b'\n'
    assert len(exact) == 1024 * 1024
    assert len(allowed_signers.parse(exact, 'signers').signers) == 1
    assert problems((exact + b'\n').decode()) == ('signers:1:1: file too large',)


def test_a_file_that_is_not_utf8_names_its_line() -> None:
    with pytest.raises(PolicyError) as raised:
        allowed_signers.parse(b'# seniors\n# caf\xe9\n', 'signers')
    assert raised.value.problems == ('signers:2:1: not valid UTF-8',)


def test_a_person_is_every_line_a_principal_links(alice: Key, bob: Key, tmp_path: Path) -> None:
    """A line is one person; lines sharing a principal (in any letter case) are
    the same person, however long the chain."""
    carol, dave = make_key(tmp_path, 'carol'), make_key(tmp_path, 'dave')
    signers = allowed_signers.parse((
        f'alice@example.com {alice.public_line}\n'
        f'Alice@Example.com,bob@example.com {bob.public_line}\n'
        f'bob@example.com,bob@corp.example {carol.public_line}\n'
        f'dave@example.com {dave.public_line}\n'
    ).encode(), 'signers')
    chain = {'alice@example.com', 'bob@example.com', 'bob@corp.example'}
    persons = [signers.person(blob(key)) for key in (alice, bob, carol, dave)]
    assert persons == [chain, chain, chain, {'dave@example.com'}]
    assert signers.person(b'not listed') == frozenset()


def test_persons_are_found_once_for_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gate asks for the person of every approval a push carries: asking
    must not read the file again each time (a 1 MiB file is ~9000 lines)."""
    import base64
    import struct

    from trailgate import model

    def key_blob(number: int) -> bytes:
        return struct.pack('>I', 11) + b'ssh-ed25519' + struct.pack('>I', 32) + number.to_bytes(32, 'big')

    count = 300
    text = ''.join(  # a chain listed backwards, then as many people on their own
        f'u{n}@example.com,u{n + 1}@example.com ssh-ed25519 {base64.b64encode(key_blob(n)).decode()}\n'
        for n in reversed(range(count))
    ) + ''.join(
        f'solo{n}@example.com ssh-ed25519 {base64.b64encode(key_blob(count + n)).decode()}\n'
        for n in range(count)
    )
    folded = []
    real_fold = model.fold_email

    def counted_fold(email: str) -> str:
        folded.append(email)
        return real_fold(email)

    monkeypatch.setattr(model, 'fold_email', counted_fold)
    signers = allowed_signers.parse(text.encode(), 'signers')
    persons = [signers.person(key_blob(n)) for n in range(2 * count)]
    assert persons[0] == persons[count - 1] == {f'u{n}@example.com' for n in range(count + 1)}
    assert persons[count] == {'solo0@example.com'}
    principals = 3 * count
    assert len(folded) <= 2 * principals, len(folded)  # each principal folded a bounded number of times
