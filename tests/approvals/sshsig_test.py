"""SSHSIG parsing and verification, held to the real ``ssh-keygen -Y verify``."""
from __future__ import annotations

import base64
import struct
import time
from pathlib import Path

import pytest

from testing.sshkeys import KEY_TYPES
from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.sshkeys import sign
from testing.sshkeys import ssh_verify
from trailgate.approvals import allowed_signers
from trailgate.approvals import sshsig
from trailgate.errors import PolicyError

NAMESPACE = 'test-approval@trailgate'
MESSAGE = b'trailgate-approval-v1\nchange 00ff\nreviewer alice@example.com\n'


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    directory = tmp_path_factory.mktemp('keys')
    made = {f'{kind}{bits or ""}': make_key(directory, f'{kind}{bits or ""}', kind, bits) for kind, bits in KEY_TYPES}
    made['other'] = make_key(directory, 'other')
    return made


def trailgate_verdict(signers_file: Path, principal: str, namespace: str, signature: str, message: bytes) -> bool:
    signers = allowed_signers.parse(signers_file.read_bytes(), str(signers_file))
    try:
        parsed = sshsig.verify(message, signature, namespace)
    except sshsig.SignatureError:
        return False
    return signers.judge(parsed.public_key, principal, namespace, time.time()) is None


def _flip_signature_byte(armored: str) -> str:
    blob = bytearray(sshsig.dearmor(armored))
    blob[-5] ^= 0x01
    return sshsig.armor(bytes(blob))


def _cases(key: Key, other: Key, hashalg: str, directory: Path) -> list[tuple[str, Path, str, str, str, bytes, bool]]:
    """(name, allowed_signers, principal, namespace, signature, message, expected)."""
    line = key.public_line
    plain = directory / 'plain'
    plain.write_text(f'alice@example.com {line}\n')
    expired = directory / 'expired'
    expired.write_text(f'alice@example.com valid-before="20200101Z" {line}\n')
    future = directory / 'future'
    future.write_text(f'alice@example.com valid-after="29990101Z" {line}\n')
    namespaced = directory / 'namespaced'
    namespaced.write_text(f'alice@example.com namespaces="git" {line}\n')
    unlisted = directory / 'unlisted'
    unlisted.write_text(f'alice@example.com {other.public_line}\n')
    options = ('-O', f'hashalg={hashalg}')
    good = sign(key, NAMESPACE, MESSAGE, *options)
    in_git = sign(key, 'git', MESSAGE, *options)
    return [
        ('valid', plain, 'alice@example.com', NAMESPACE, good, MESSAGE, True),
        ('tampered message', plain, 'alice@example.com', NAMESPACE, good, MESSAGE + b'x', False),
        ('tampered signature', plain, 'alice@example.com', NAMESPACE, _flip_signature_byte(good), MESSAGE, False),
        ('git namespace', plain, 'alice@example.com', NAMESPACE, in_git, MESSAGE, False),
        ('namespace not allowed for the key', namespaced, 'alice@example.com', NAMESPACE, good, MESSAGE, False),
        ('wrong principal', plain, 'bob@example.com', NAMESPACE, good, MESSAGE, False),
        ('expired key', expired, 'alice@example.com', NAMESPACE, good, MESSAGE, False),
        ('key not yet valid', future, 'alice@example.com', NAMESPACE, good, MESSAGE, False),
        ('key not listed', unlisted, 'alice@example.com', NAMESPACE, good, MESSAGE, False),
    ]


@pytest.mark.parametrize('hashalg', ['sha512', 'sha256'])
@pytest.mark.parametrize('key_name', [f'{kind}{bits or ""}' for kind, bits in KEY_TYPES])
def test_agrees_with_ssh_keygen(keys: dict[str, Key], key_name: str, hashalg: str, tmp_path: Path) -> None:
    cases = _cases(keys[key_name], keys['other'], hashalg, tmp_path)
    for name, signers, principal, namespace, signature, message, expected in cases:
        openssh = ssh_verify(signers, principal, namespace, signature, message, tmp_path)
        ours = trailgate_verdict(signers, principal, namespace, signature, message)
        assert (openssh, ours) == (expected, expected), (key_name, hashalg, name)


def _rsa_sha256_signature(key: Key, namespace: str, message: bytes) -> str:
    """An SSHSIG with an rsa-sha2-256 signature, which ssh-keygen does not make."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = serialization.load_ssh_private_key(key.private.read_bytes(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    _, blob = sshsig.parse_public_key(key.public_line)
    data = sshsig.signed_data(namespace, 'sha512', message)
    raw = private.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def string(value: bytes) -> bytes:
        return struct.pack('>I', len(value)) + value

    inner = string(b'rsa-sha2-256') + string(raw)
    sig = (b'SSHSIG' + struct.pack('>I', 1) + string(blob) + string(namespace.encode())
           + string(b'') + string(b'sha512') + string(inner))
    return sshsig.armor(sig)


def test_rsa_sha2_256_agrees_with_ssh_keygen(keys: dict[str, Key], tmp_path: Path) -> None:
    key = keys['rsa3072']
    signers = tmp_path / 'signers'
    signers.write_text(f'alice@example.com {key.public_line}\n')
    signature = _rsa_sha256_signature(key, NAMESPACE, MESSAGE)
    assert ssh_verify(signers, 'alice@example.com', NAMESPACE, signature, MESSAGE, tmp_path)
    assert trailgate_verdict(signers, 'alice@example.com', NAMESPACE, signature, MESSAGE)
    assert not trailgate_verdict(signers, 'alice@example.com', NAMESPACE, signature, MESSAGE + b'.')


# -- strictness, on a real ed25519 signature --------------------------------


@pytest.fixture
def good(keys: dict[str, Key]) -> str:
    return sign(keys['ed25519'], NAMESPACE, MESSAGE)


def _blob(armored: str) -> bytes:
    return sshsig.dearmor(armored)


def test_trailing_bytes_after_the_blob_are_refused(good: str) -> None:
    with pytest.raises(sshsig.SignatureError, match='trailing'):
        sshsig.verify(MESSAGE, sshsig.armor(_blob(good) + b'\0'), NAMESPACE)


def test_truncated_blob_is_refused(good: str) -> None:
    blob = _blob(good)
    for cut in (3, 10, 40, len(blob) - 1):
        with pytest.raises(sshsig.SignatureError):
            sshsig.verify(MESSAGE, sshsig.armor(blob[:cut]), NAMESPACE)


def _rebuild(blob: bytes, **fields: bytes) -> bytes:
    reader = sshsig._Reader(blob, 'test')
    reader.take(6)
    version = reader.uint32()
    parts = {name: reader.string() for name in ('key', 'namespace', 'reserved', 'hash', 'signature')}
    parts.update(fields)
    return b'SSHSIG' + struct.pack('>I', version) + b''.join(struct.pack('>I', len(v)) + v for v in parts.values())


@pytest.mark.parametrize(('field', 'value', 'message'), [
    ('hash', b'sha1', 'only sha256 and sha512'),
    ('hash', b'md5', 'only sha256 and sha512'),
    ('reserved', b'x', 'reserved'),
    ('namespace', b'', 'empty namespace'),
])
def test_fields_outside_openssh_rules_are_refused(good: str, field: str, value: bytes, message: str) -> None:
    with pytest.raises(sshsig.SignatureError, match=message):
        sshsig.parse(_rebuild(_blob(good), **{field: value}))


def test_version_two_is_refused(good: str) -> None:
    blob = bytearray(_blob(good))
    blob[9] = 2
    with pytest.raises(sshsig.SignatureError, match='version 2'):
        sshsig.parse(bytes(blob))


def test_a_signature_of_another_key_type_than_the_key_is_refused(keys: dict[str, Key]) -> None:
    ecdsa = sshsig.dearmor(sign(keys['ecdsa256'], NAMESPACE, MESSAGE))
    _, ed_key = sshsig.parse_public_key(keys['ed25519'].public_line)
    swapped = _rebuild(ecdsa, key=ed_key)
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify(MESSAGE, sshsig.armor(swapped), NAMESPACE)


@pytest.mark.parametrize('mangle', [
    lambda text: text.replace('-----BEGIN SSH SIGNATURE-----', '-----BEGIN SSH SIGNATURE----'),
    lambda text: text.replace('-----END SSH SIGNATURE-----\n', ''),
    lambda text: ' ' + text,
    lambda text: text.replace('\n', '\r\n'),
    lambda text: text.replace('\n', '\n\n', 2),
    lambda text: text + 'extra\n',
    lambda text: text.replace('-----END', '!!!!\n-----END'),
])
def test_armour_is_exact(good: str, mangle: object) -> None:
    assert callable(mangle)
    with pytest.raises(sshsig.SignatureError):
        sshsig.dearmor(mangle(good))


def test_non_canonical_base64_is_refused(good: str) -> None:
    lines = good.split('\n')
    last = lines[-3]
    assert last.endswith('=')
    # change the unused low bits of the last base64 digit before the padding
    stripped = last.rstrip('=')
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    digit = alphabet.index(stripped[-1])
    lines[-3] = stripped[:-1] + alphabet[digit ^ 1] + last[len(stripped):]
    with pytest.raises(sshsig.SignatureError):
        sshsig.dearmor('\n'.join(lines))


def test_fido_keys_are_refused_with_a_clear_message() -> None:
    blob = struct.pack('>I', 26) + b'sk-ssh-ed25519@openssh.com' + struct.pack('>I', 32) + b'k' * 32
    blob += struct.pack('>I', 4) + b'ssh:'
    encoded = base64.b64encode(blob).decode()
    with pytest.raises(sshsig.SignatureError, match='FIDO'):
        sshsig.parse_public_key(f'sk-ssh-ed25519@openssh.com {encoded}')
    with pytest.raises(sshsig.SignatureError, match='FIDO'):
        sshsig.verify_raw(blob, struct.pack('>I', 3) + b'abc' + struct.pack('>I', 0), b'')


def test_short_rsa_keys_are_refused(tmp_path: Path) -> None:
    key = make_key(tmp_path, 'short', 'rsa', '1024')
    with pytest.raises(sshsig.SignatureError, match='2048'):
        sshsig.parse_public_key(key.public_line)


def _rsa_blob(e: int, n: int) -> bytes:
    def mpint(value: int) -> bytes:
        raw = value.to_bytes(value.bit_length() // 8 + 1, 'big')  # a leading zero byte only where needed
        return struct.pack('>I', len(raw)) + raw

    return struct.pack('>I', 7) + b'ssh-rsa' + mpint(e) + mpint(n)


@pytest.mark.parametrize(('e', 'n', 'match'), [
    pytest.param((1 << 2047) + 1, (1 << 2047) + 3, 'exponent', id='a 2048-bit public exponent'),
    pytest.param(65537, (1 << 16384) + 1, 'at most 16384', id='a 16385-bit modulus'),
    pytest.param((1 << 64) + 1, (1 << 3071) + 1, 'exponent', id='a 65-bit public exponent'),
    pytest.param(65537, (1 << 2046) + 1, 'at least 2048', id='a 2047-bit modulus'),
])
def test_rsa_keys_that_would_make_verification_costly_are_refused(e: int, n: int, match: str) -> None:
    """OpenSSL caps the exponent only for keys over 3072 bits: a pushed
    record must not make each verification cost a private-key operation."""
    blob = _rsa_blob(e, n)
    encoded = base64.b64encode(blob).decode()
    with pytest.raises(sshsig.SignatureError, match=match):
        sshsig.parse_public_key(f'ssh-rsa {encoded}')
    signature = struct.pack('>I', 12) + b'rsa-sha2-256' + struct.pack('>I', 256) + b'\x01' * 256
    with pytest.raises(sshsig.SignatureError, match=match):
        sshsig.verify_raw(blob, signature, b'data')


def test_an_rsa_key_cryptography_cannot_load_is_refused_as_a_signature_error() -> None:
    """e = 1 is within every size bound; only loading the key finds it invalid."""
    blob = _rsa_blob(1, (1 << 3071) + 1)
    signature = struct.pack('>I', 12) + b'rsa-sha2-512' + struct.pack('>I', 384) + b'\x01' * 384
    with pytest.raises(sshsig.SignatureError, match='RSA key is not valid'):
        sshsig.verify_raw(blob, signature, b'data')


@pytest.mark.parametrize(('e', 'n'), [
    pytest.param(65537, (1 << 3071) + 1, id='the usual shape'),
    pytest.param((1 << 64) - 1, (1 << 3071) + 1, id='a 64-bit public exponent'),
    pytest.param(65537, (1 << 2047) + 1, id='a 2048-bit modulus'),
    pytest.param(65537, (1 << 16383) + 1, id='a 16384-bit modulus'),
])
def test_an_rsa_key_within_the_sizes_passes_the_size_checks(e: int, n: int) -> None:
    blob = _rsa_blob(e, n)
    assert sshsig.parse_public_key('ssh-rsa ' + base64.b64encode(blob).decode()) == ('ssh-rsa', blob)


def test_fingerprint_is_ssh_keygens(keys: dict[str, Key]) -> None:
    import subprocess

    for key in keys.values():
        printed = subprocess.run(
            ['ssh-keygen', '-l', '-f', str(key.public)], capture_output=True, text=True, check=True,
        )
        _, blob = sshsig.parse_public_key(key.public_line)
        assert sshsig.fingerprint(blob) == printed.stdout.split()[1]


def test_dsa_is_refused_where_ssh_keygen_still_accepts_it(tmp_path: Path) -> None:
    """ssh-keygen here still makes and verifies DSA keys (1024 bits, SHA-1):
    a deliberate divergence, refused with a message and at validation."""
    key = make_key(tmp_path, 'dsa', 'dsa')
    signers = tmp_path / 'signers'
    signers.write_text(f'alice@example.com {key.public_line}\n')
    signature = sign(key, NAMESPACE, MESSAGE)
    assert ssh_verify(signers, 'alice@example.com', NAMESPACE, signature, MESSAGE, tmp_path)
    with pytest.raises(sshsig.SignatureError, match="'ssh-dss' is not supported"):
        sshsig.verify(MESSAGE, signature, NAMESPACE)
    with pytest.raises(PolicyError) as raised:
        allowed_signers.parse(signers.read_bytes(), 'signers')
    assert 'ssh-dss' in raised.value.problems[0]


def _rewrapped(armored: str, width: int) -> str:
    encoded = base64.b64encode(sshsig.dearmor(armored)).decode()
    lines = [encoded[i:i + width] for i in range(0, len(encoded), width)]
    return '\n'.join((sshsig.BEGIN, *lines, sshsig.END)) + '\n'


def test_armour_lines_of_76_characters_are_read_and_longer_ones_refused(
    keys: dict[str, Key], good: str, tmp_path: Path,
) -> None:
    """PROTOCOL.sshsig armours in lines of 76 characters (ssh-keygen writes
    70): both are read, as OpenSSH reads them; a longer line is refused."""
    signers = tmp_path / 'signers'
    signers.write_text(f'alice@example.com {keys["ed25519"].public_line}\n')
    wide = _rewrapped(good, sshsig.MAX_LINE)
    assert max(len(line) for line in wide.split('\n')) == 76
    assert sshsig.dearmor(wide) == sshsig.dearmor(wide.rstrip('\n')) == sshsig.dearmor(good)
    assert ssh_verify(signers, 'alice@example.com', NAMESPACE, wide, MESSAGE, tmp_path)
    assert trailgate_verdict(signers, 'alice@example.com', NAMESPACE, wide, MESSAGE)
    with pytest.raises(sshsig.SignatureError, match='not base64'):
        sshsig.dearmor(_rewrapped(good, 77))


def test_a_signature_of_16_kib_is_read_and_a_larger_one_refused(good: str) -> None:
    blob = _blob(good)
    largest = blob + b'\0' * (16 * 1024 - len(blob))
    assert sshsig.dearmor(_rewrapped(sshsig.armor(largest), 76)) == largest
    with pytest.raises(sshsig.SignatureError, match='trailing'):
        sshsig.parse(largest)
    with pytest.raises(sshsig.SignatureError, match='too large'):
        sshsig.parse(largest + b'\0')


def test_a_name_that_is_not_ascii_is_refused(good: str) -> None:
    with pytest.raises(sshsig.SignatureError, match='not ASCII'):
        sshsig.parse(_rebuild(_blob(good), hash=b'sha\xff256'))


def _string(value: bytes) -> bytes:
    return struct.pack('>I', len(value)) + value


def _inner(armored: str) -> tuple[bytes, bytes]:
    """(signature type, signature bytes) of an armoured SSHSIG."""
    inner = sshsig._Reader(sshsig.parse(_blob(armored)).signature, 'test')
    return inner.string(), inner.string()


def _with_inner(armored: str, sig_type: bytes, sig_bytes: bytes) -> str:
    return sshsig.armor(_rebuild(_blob(armored), signature=_string(sig_type) + _string(sig_bytes)))


def _ecdsa_with(armored: str, r: bytes, s: bytes) -> str:
    """The ECDSA signature ``armored`` with its r and s replaced by these mpint bodies."""
    return _with_inner(armored, _inner(armored)[0], _string(r) + _string(s))


def _ecdsa_numbers(armored: str) -> tuple[bytes, bytes]:
    inner = sshsig._Reader(sshsig.parse(_blob(armored)).signature, 'test')
    inner.string()
    numbers = sshsig._Reader(inner.string(), 'test')
    return numbers.string(), numbers.string()


def test_ecdsa_integers_must_be_minimal_and_non_zero(keys: dict[str, Key]) -> None:
    """A zero r or s is refused as OpenSSH refuses it; a needless leading
    zero byte, which OpenSSH trims, is refused too, so that no second blob
    (a second ledger record) can be made of one signature."""
    signature = sign(keys['ecdsa256'], NAMESPACE, MESSAGE)
    r, s = _ecdsa_numbers(signature)
    assert sshsig.verify(MESSAGE, _ecdsa_with(signature, r, s), NAMESPACE)
    with pytest.raises(sshsig.SignatureError, match='needless leading zero'):
        sshsig.verify(MESSAGE, _ecdsa_with(signature, b'\0' + r, s), NAMESPACE)
    for zero in (_ecdsa_with(signature, b'', s), _ecdsa_with(signature, r, b'')):
        with pytest.raises(sshsig.SignatureError, match='zero component'):
            sshsig.verify(MESSAGE, zero, NAMESPACE)
    with pytest.raises(sshsig.SignatureError, match='trailing'):
        sshsig.verify(MESSAGE, _with_inner(signature, _inner(signature)[0], _string(r) + _string(s) + b'\0'),
                      NAMESPACE)
    with pytest.raises(sshsig.SignatureError, match='negative'):
        sshsig.verify(MESSAGE, _ecdsa_with(signature, r, b'\x80' + s), NAMESPACE)


@pytest.mark.parametrize(('body', 'expected'), [
    (b'', 0),
    (b'\x7f', 127),
    (b'\x00\x80', 128),
    (b'\x01\x00', 256),
    (b'\x01\x80', 384),
    (b'\x80', 'negative'),
    (b'\xff\xff', 'negative'),
    (b'\x00', 'needless leading zero'),
    (b'\x00\x7f', 'needless leading zero'),
    (b'\x00\x00\x80', 'needless leading zero'),
])
def test_an_mpint_has_one_encoding(body: bytes, expected: int | str) -> None:
    """RFC 4251 mpint: two's complement, no needless leading byte; zero is the empty string."""
    reader = sshsig._Reader(struct.pack('>I', len(body)) + body, 'test')
    if isinstance(expected, int):
        assert reader.mpint() == expected
    else:
        with pytest.raises(sshsig.SignatureError, match=expected):
            reader.mpint()


def test_a_blob_without_the_sshsig_magic_is_refused(good: str) -> None:
    """The magic is not part of what the key signs: only this check refuses it."""
    blob = _blob(good)
    with pytest.raises(sshsig.SignatureError, match='magic'):
        sshsig.verify(MESSAGE, sshsig.armor(b'SSHSIH' + blob[6:]), NAMESPACE)


@pytest.mark.parametrize('key_name', [f'{kind}{bits or ""}' for kind, bits in KEY_TYPES])
def test_a_key_blob_with_trailing_bytes_is_refused(keys: dict[str, Key], key_name: str) -> None:
    """As OpenSSH's sshkey_from_blob: the signature itself still verifies."""
    signature = sign(keys[key_name], NAMESPACE, MESSAGE)
    key = sshsig.parse(_blob(signature)).public_key
    with pytest.raises(sshsig.SignatureError, match='trailing'):
        sshsig.verify(MESSAGE, sshsig.armor(_rebuild(_blob(signature), key=key + b'\0')), NAMESPACE)


@pytest.mark.parametrize(('key_name', 'label'), [
    ('ed25519', b'ssh-ed448'),
    ('ecdsa256', b'ecdsa-sha2-nistp384'),
    ('rsa3072', b'ssh-rsa'),
])
def test_a_signature_labelled_with_another_algorithm_is_refused(keys: dict[str, Key], key_name: str,
                                                                label: bytes) -> None:
    """The bytes are the key's own valid signature; only the type named beside them is wrong."""
    signature = sign(keys[key_name], NAMESPACE, MESSAGE)
    assert sshsig.verify(MESSAGE, _with_inner(signature, *_inner(signature)), NAMESPACE)
    with pytest.raises(sshsig.SignatureError, match=repr(label.decode())):
        sshsig.verify(MESSAGE, _with_inner(signature, label, _inner(signature)[1]), NAMESPACE)


def test_an_ecdsa_key_must_be_an_uncompressed_point_as_openssh_reads_it(keys: dict[str, Key]) -> None:
    """The compressed form of the same key verifies the same signature in
    ``cryptography``; OpenSSH reads only the uncompressed one."""
    signature = sign(keys['ecdsa256'], NAMESPACE, MESSAGE)
    key = sshsig._Reader(sshsig.parse(_blob(signature)).public_key, 'test')
    key_type, curve, point = key.string(), key.string(), key.string()
    compressed = bytes((2 + (point[-1] & 1),)) + point[1:33]
    blob = _rebuild(_blob(signature), key=_string(key_type) + _string(curve) + _string(compressed))
    with pytest.raises(sshsig.SignatureError, match='uncompressed point'):
        sshsig.verify(MESSAGE, sshsig.armor(blob), NAMESPACE)


def _key_line(*fields: bytes) -> str:
    key_type = fields[0].decode()
    return f'{key_type} {base64.b64encode(b"".join(_string(field) for field in fields)).decode()}'


@pytest.mark.parametrize(('line', 'message'), [
    ('ssh-ed25519', 'expected "TYPE BASE64 \\[comment\\]"'),
    (_key_line(b'ssh-ed25519', b'k' * 31), 'ed25519 key has the wrong length'),
    (_key_line(b'ecdsa-sha2-nistp256', b'nistp384', b'\x04' + b'p' * 64), 'does not match its curve'),
    (_key_line(b'ecdsa-sha2-nistp256', b'nistp256', b'\x04' + b'p' * 96), 'does not match its curve'),
])
def test_a_public_key_of_the_wrong_shape_is_refused_when_it_is_listed(line: str, message: str) -> None:
    """Refused when the signer file is read, not only when a signature by it is verified."""
    with pytest.raises(sshsig.SignatureError, match=message):
        sshsig.parse_public_key(line)
