"""allowed_signers files as owners write them, judged by trailgate and by
OpenSSH (``ssh-keygen -Y verify -n <trailgate's namespace>`` and
``-Y find-principals``) on the same real signature.

Every case either agrees with OpenSSH or is one of trailgate's deliberate,
documented strictnesses (README "Trust model", the contract's "Signed
approvals", ``trailgate/approvals/allowed_signers.py``): a file OpenSSH
reads more loosely is a policy error (exit 2 at every gate), never a
looser verdict. The case says which.
"""
from __future__ import annotations

import datetime
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.sshkeys import sign
from testing.sshkeys import ssh_env
from testing.sshkeys import ssh_verify
from trailgate.approvals import allowed_signers
from trailgate.approvals import records
from trailgate.approvals import sshsig
from trailgate.errors import PolicyError

REVIEWER = 'alice@example.com'
CHANGE = 'c0' * 32
AGREE = 'agree'
STRICT = 'strict: a policy error where OpenSSH reads the file'


class Signed(NamedTuple):
    key: Key
    message: bytes
    signature: str
    blob: bytes


@pytest.fixture(scope='module')
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    key = make_key(tmp_path_factory.mktemp('keys'), 'alice')
    message = records.payload(CHANGE, REVIEWER)
    signature = sign(key, records.NAMESPACE, message)
    return Signed(key, message, signature, sshsig.parse_public_key(key.public_line)[1])


def trailgate_verdict(text: str, principal: str, blob: bytes) -> bool | None:
    """Does the approval count (the gates' own judgement); None: a policy error."""
    try:
        parsed = allowed_signers.parse(text.encode(), 'allowed_signers')
    except PolicyError:
        return None
    return parsed.judge(blob, principal, records.NAMESPACE, time.time()) is None


def openssh_verdict(text: str, principal: str, signed: Signed, directory: Path) -> bool:
    path = directory / 'allowed_signers'
    path.write_bytes(text.encode())
    return ssh_verify(path, principal, records.NAMESPACE, signed.signature, signed.message, directory)


def openssh_principals(text: str, signed: Signed, directory: Path) -> set[str]:
    path = directory / 'allowed_signers'
    path.write_bytes(text.encode())
    sig = directory / 'found.sig'
    sig.write_text(signed.signature)
    result = subprocess.run(['ssh-keygen', '-Y', 'find-principals', '-f', str(path), '-s', str(sig)],
                            capture_output=True, text=True, env=ssh_env())
    return set(result.stdout.split()) if result.returncode == 0 else set()


def trailgate_principals(text: str, blob: bytes) -> set[str]:
    """The principals the file gives the key now, in any namespace (what find-principals lists)."""
    parsed = allowed_signers.parse(text.encode(), 'allowed_signers')
    now = time.time()
    return {p for line in parsed.lines_for_key(blob) if line.window_problem(now) is None for p in line.principals}


# (id, file with {key} for the signing key's public line, principal asked, expectation)
CASES = [
    ('plain', '{key}\n', REVIEWER, AGREE),
    ('comments-and-blank-lines', '# seniors\n\n   # indented comment\n\n{key}\n', REVIEWER, AGREE),
    ('crlf', '# seniors\r\n{key}\r\n', REVIEWER, AGREE),
    ('crlf-without-comment', '{key_no_comment}\r\n', REVIEWER, AGREE),
    ('leading-whitespace', ' \t{key}\n', REVIEWER, AGREE),
    ('tabs-between-fields', 'alice@example.com\t{bare_key}\n', REVIEWER, AGREE),
    ('several-principals', 'bob@example.com,alice@example.com {bare_key}\n', REVIEWER, AGREE),
    ('quoted-principals', '"bob@example.com,alice@example.com" {bare_key}\n', REVIEWER, AGREE),
    ('principal-listed-twice', 'alice@example.com,alice@example.com {bare_key}\n', REVIEWER, AGREE),
    ('other-principal', '{key}\n', 'bob@example.com', AGREE),
    ('principal-case-differs', '{key}\n', 'Alice@Example.com', AGREE),
    ('file-case-differs', 'Alice@Example.com {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-ours', 'alice@example.com namespaces="{ns}" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-git-only', 'alice@example.com namespaces="git" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-git-and-ours', 'alice@example.com namespaces="git,{ns}" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-pattern', 'alice@example.com namespaces="change-*@trailgate" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-one-character-pattern', 'alice@example.com namespaces="change-approval-v?@trailgate" {bare_key}\n',
     REVIEWER, AGREE),
    ('namespaces-one-character-too-many', 'alice@example.com namespaces="change-approval-v??@trailgate" {bare_key}\n',
     REVIEWER, AGREE),
    ('namespaces-negated', 'alice@example.com namespaces="*,!change-*" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-prefix-of-ours', 'alice@example.com namespaces="change-approval-v1" {bare_key}\n', REVIEWER,
     AGREE),
    ('namespaces-ours-and-more', 'alice@example.com namespaces="{ns}.org" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-star-then-another-version', 'alice@example.com namespaces="*-v2@trailgate" {bare_key}\n',
     REVIEWER, AGREE),
    ('namespaces-star-matching-nothing', 'alice@example.com namespaces="{ns}*" {bare_key}\n', REVIEWER, AGREE),
    ('namespaces-space-inside', 'alice@example.com namespaces="git, {ns}" {bare_key}\n', REVIEWER, AGREE),
    ('options-mixed-case', 'alice@example.com NameSpaces="{ns}",Valid-After="20200101" {bare_key}\n', REVIEWER,
     AGREE),
    ('a-git-line-and-our-line', 'alice@example.com namespaces="git" {bare_key}\n'
                                'alice@example.com namespaces="{ns}" {bare_key}\n', REVIEWER, AGREE),
    ('an-expired-line-and-a-valid-one', 'alice@example.com valid-before="20200101" {bare_key}\n'
                                        'alice@example.com valid-after="20200101" {bare_key}\n', REVIEWER, AGREE),
    ('valid-lowercase-z', 'alice@example.com valid-after="20200101z" {bare_key}\n', REVIEWER, AGREE),
    # deliberate strictness: each would let the file mean more than it shows, or hides a typo
    ('unknown-option', 'alice@example.com no-touch-required {bare_key}\n', REVIEWER, STRICT),
    ('unknown-option-with-value', 'alice@example.com foo="bar" {bare_key}\n', REVIEWER, STRICT),
    ('one-key-two-people', '{key}\nbob@example.com {bare_key}\n', 'bob@example.com', STRICT),
    ('wildcard', '* {bare_key}\n', REVIEWER, STRICT),
    ('domain-wildcard', '*@example.com {bare_key}\n', REVIEWER, STRICT),
    ('cert-authority', 'alice@example.com cert-authority {bare_key}\n', REVIEWER, STRICT),
    ('repeated-option', 'alice@example.com valid-after="20200101",valid-after="20210101" {bare_key}\n', REVIEWER,
     STRICT),
    ('unquoted-namespaces', 'alice@example.com namespaces={ns} {bare_key}\n', REVIEWER, STRICT),
]


def _fill(template: str, signed: Signed) -> str:
    line = signed.key.public_line
    no_comment = ' '.join(line.split()[:2])
    return template.format(key=f'{REVIEWER} {line}', bare_key=line, key_no_comment=f'{REVIEWER} {no_comment}',
                           ns=records.NAMESPACE)


@pytest.mark.parametrize(('template', 'principal', 'expectation'), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_trailgate_judges_an_allowed_signers_file_as_openssh_does(
    tmp_path: Path, signed: Signed, template: str, principal: str, expectation: str,
) -> None:
    text = _fill(template, signed)
    ours = trailgate_verdict(text, principal, signed.blob)
    if expectation == STRICT:
        assert ours is None, f'trailgate read a file it must refuse:\n{text}'
        return
    theirs = openssh_verdict(text, principal, signed, tmp_path)
    assert ours == theirs, f'trailgate {ours}, ssh-keygen -Y verify {theirs} for\n{text}'
    assert trailgate_principals(text, signed.blob) == openssh_principals(text, signed, tmp_path), text


# What OpenSSH does with each strict case: verifies (a looser verdict than
# trailgate will give: a wildcard is anyone, one key would count for two
# people), or skips the line (an unknown, repeated or malformed option, or a
# CA line for a plain key's signature), where trailgate stops the gate, so
# that a typo cannot quietly drop a reviewer's key or a line mean nothing.
OPENSSH_ON_STRICT = {
    'wildcard': True,
    'domain-wildcard': True,
    'one-key-two-people': True,
    'unknown-option': False,
    'unknown-option-with-value': False,
    'repeated-option': False,
    'unquoted-namespaces': False,
    'cert-authority': False,
}


def test_each_strict_case_is_one_openssh_reads_otherwise(tmp_path: Path, signed: Signed) -> None:
    strict = {name: (template, principal) for name, template, principal, expectation in CASES
              if expectation == STRICT}
    assert set(strict) == set(OPENSSH_ON_STRICT)
    for name, (template, principal) in strict.items():
        assert openssh_verdict(_fill(template, signed), principal, signed, tmp_path) == OPENSSH_ON_STRICT[name], name


# -- validity times in every form ssh-keygen takes, local time and UTC ---------------

ZONES = ['UTC', 'Etc/GMT-14', 'Etc/GMT+12']  # UTC+14 and UTC-12: a day's difference between them


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv('TZ', request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def _times(now: datetime.datetime) -> list[tuple[str, str]]:
    """(option, value) pairs around ``now`` (an aware datetime) in every format:
    local wall-clock time of the zone, and UTC with ``Z`` (and ``z``)."""
    local = now.astimezone()
    utc = now.astimezone(datetime.timezone.utc)
    hours = datetime.timedelta(hours=3)
    day = datetime.timedelta(days=1)
    values = []
    for clock, suffix in ((local, ''), (utc, 'Z'), (utc, 'z')):
        values += [
            ('valid-after', (clock - hours).strftime('%Y%m%d%H%M') + suffix),
            ('valid-after', (clock + hours).strftime('%Y%m%d%H%M') + suffix),
            ('valid-before', (clock + hours).strftime('%Y%m%d%H%M%S') + suffix),
            ('valid-before', (clock - hours).strftime('%Y%m%d%H%M%S') + suffix),
            ('valid-after', clock.strftime('%Y%m%d') + suffix),
            ('valid-before', (clock + day).strftime('%Y%m%d') + suffix),
            ('valid-before', (clock - day).strftime('%Y%m%d') + suffix),
        ]
    # a UTC wall-clock time read as local: right only if the zone's offset is taken
    values += [('valid-before', (utc + hours).strftime('%Y%m%d%H%M')),
               ('valid-after', (utc - hours).strftime('%Y%m%d%H%M'))]
    return values


def test_validity_times_agree_with_openssh_in_every_format_and_zone(tmp_path: Path, signed: Signed,
                                                                     zone: str) -> None:
    verdicts = []
    (tmp_path / 'candidate.sig').write_text(signed.signature)
    for option, value in _times(datetime.datetime.now(datetime.timezone.utc)):
        text = f'{REVIEWER} {option}="{value}" {signed.key.public_line}\n'
        (tmp_path / 'allowed_signers').write_text(text)
        theirs = subprocess.run(
            ['ssh-keygen', '-Y', 'verify', '-f', str(tmp_path / 'allowed_signers'), '-I', REVIEWER,
             '-n', records.NAMESPACE, '-s', str(tmp_path / 'candidate.sig')],
            input=signed.message, capture_output=True, env=ssh_env(TZ=zone),
        )
        verdicts.append((option, value, trailgate_verdict(text, REVIEWER, signed.blob), theirs.returncode == 0))
    disagreeing = [verdict for verdict in verdicts if verdict[2] != verdict[3]]
    assert not disagreeing, disagreeing
    assert {verdict[2] for verdict in verdicts} == {True, False}  # the matrix holds both verdicts


def test_a_validity_window_includes_both_of_its_instants_as_in_openssh(tmp_path: Path, signed: Signed) -> None:
    """OpenSSH refuses a key only before valid-after and after valid-before
    (``ssh-keygen -Y verify -Overify-time=``): both instants are valid."""
    text = f'{REVIEWER} valid-after="20260101000000Z",valid-before="20260102000000Z" {signed.key.public_line}\n'
    (tmp_path / 'allowed_signers').write_text(text)
    (tmp_path / 'candidate.sig').write_text(signed.signature)
    parsed = allowed_signers.parse(text.encode(), 'allowed_signers')
    verdicts = {}
    for instant in ('20251231235959Z', '20260101000000Z', '20260102000000Z', '20260102000001Z'):
        theirs = subprocess.run(
            ['ssh-keygen', '-Y', 'verify', '-f', str(tmp_path / 'allowed_signers'), '-I', REVIEWER,
             '-n', records.NAMESPACE, '-s', str(tmp_path / 'candidate.sig'), f'-Overify-time={instant}'],
            input=signed.message, capture_output=True, env=ssh_env(),
        )
        now = allowed_signers.parse_time(instant)
        assert now is not None
        ours = parsed.judge(signed.blob, REVIEWER, records.NAMESPACE, now) is None
        verdicts[instant] = (ours, theirs.returncode == 0)
    assert verdicts == {
        '20251231235959Z': (False, False), '20260101000000Z': (True, True),
        '20260102000000Z': (True, True), '20260102000001Z': (False, False),
    }
