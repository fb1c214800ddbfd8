"""SSH signatures (OpenSSH's SSHSIG, ``ssh-keygen -Y sign``): a small strict
parser and in-process verification on ``cryptography``.

Strict as ``sshsig.c`` is, and stricter where that costs nothing: every
length is checked, trailing bytes anywhere are refused, the armour must be
exactly OpenSSH's, only ``sha256``/``sha512`` message hashes and
``rsa-sha2-256``/``rsa-sha2-512`` RSA signatures are accepted, the
namespace must equal the one expected, the reserved field must be empty.
FIDO (``sk-``) keys are refused: their signatures prove user presence only
if the verifier checks a flag that ``ssh-keygen -Y verify`` does not.

``cryptography`` is imported only when a signature is verified, so that
nothing on the commit-msg path pays for it.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import struct
from typing import Any
from typing import NamedTuple

MAGIC = b'SSHSIG'
VERSION = 1
BEGIN = '-----BEGIN SSH SIGNATURE-----'
END = '-----END SSH SIGNATURE-----'
MAX_LINE = 76
MAX_SIGNATURE_BYTES = 16 * 1024
HASHES = {'sha256': hashlib.sha256, 'sha512': hashlib.sha512}
RSA_SIGNATURES = {'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512'}
ECDSA_CURVES = {  # key type -> (curve name in the key, signature hash, coordinate bytes)
    'ecdsa-sha2-nistp256': ('nistp256', 'sha256', 32),
    'ecdsa-sha2-nistp384': ('nistp384', 'sha384', 48),
    'ecdsa-sha2-nistp521': ('nistp521', 'sha512', 66),
}
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 16384  # OpenSSH's largest bignum (SSHBUF_MAX_BIGNUM)
# OpenSSL's own cap on the public exponent of a large key; for keys of 3072
# bits or less it has none, so a pushed record could make every verification
# cost a private-key operation. ssh-keygen always makes e = 65537.
MAX_RSA_EXPONENT_BITS = 64
_B64 = frozenset(b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')


class SignatureError(ValueError):
    """The signature is malformed, of an unsupported kind, or does not verify."""


class Signature(NamedTuple):
    public_key: bytes  # the signer's key blob, in SSH wire format
    key_type: str
    namespace: str
    hash_algorithm: str
    signature: bytes  # the inner signature blob: string sig-type, string sig-bytes


@functools.lru_cache(maxsize=256)
def fingerprint(key_blob: bytes) -> str:
    """``SHA256:...`` as ``ssh-keygen -l`` prints it."""
    digest = base64.b64encode(hashlib.sha256(key_blob).digest()).decode().rstrip('=')
    return f'SHA256:{digest}'


class _Reader:
    """SSH wire format (RFC 4251), every length checked."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.position = 0
        self.what = what

    def take(self, size: int) -> bytes:
        end = self.position + size
        if size < 0 or end > len(self.data):
            raise SignatureError(f'{self.what} is truncated')
        chunk = self.data[self.position:end]
        self.position = end
        return chunk

    def uint32(self) -> int:
        value: int = struct.unpack('>I', self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.uint32())

    def text(self) -> str:
        raw = self.string()
        try:
            return raw.decode('ascii')
        except UnicodeDecodeError:
            raise SignatureError(f'{self.what} has a name that is not ASCII') from None

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise SignatureError(f'{self.what} has a negative integer')
        if raw[:1] == b'\0' and (len(raw) == 1 or not raw[1] & 0x80):  # zero is the empty string
            raise SignatureError(f'{self.what} has an integer with a needless leading zero')
        return int.from_bytes(raw, 'big')

    def end(self) -> None:
        if self.position != len(self.data):
            raise SignatureError(f'{self.what} has {len(self.data) - self.position} trailing bytes')


def _string(data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + data


def dearmor(armored: str) -> bytes:
    """The blob inside ``-----BEGIN SSH SIGNATURE-----`` armour, exactly."""
    canonical = _canonical_blob(armored)
    if canonical is not None:
        return canonical
    lines = armored.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if len(lines) < 3 or lines[0] != BEGIN or lines[-1] != END:
        raise SignatureError('not an SSH signature: it must start and end with the SSH SIGNATURE armour lines')
    body = lines[1:-1]
    for number, line in enumerate(body):
        last = number == len(body) - 1
        if not line or len(line) > MAX_LINE or not _B64.issuperset(line.encode('ascii', 'replace')):
            raise SignatureError('the SSH signature armour has a line that is not base64')
        if not last and '=' in line:
            raise SignatureError('the SSH signature armour has padding before its end')
    encoded = ''.join(body)
    if len(encoded) > MAX_SIGNATURE_BYTES * 2:
        raise SignatureError('the SSH signature is too large')
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError('the SSH signature armour is not valid base64') from None
    if base64.b64encode(blob).decode() != encoded:
        raise SignatureError('the SSH signature armour is not canonical base64')
    return blob


_ARMOR_START = BEGIN + '\n'
_ARMOR_END = '\n' + END + '\n'


def _canonical_blob(armored: str) -> bytes | None:
    """The blob of armour exactly as ``armor`` writes it (as ssh-keygen does),
    found with one decode and one comparison; None for any other text, which
    the line-by-line reading of ``dearmor`` then judges."""
    if not armored.startswith(_ARMOR_START) or not armored.endswith(_ARMOR_END):
        return None
    encoded = armored[len(_ARMOR_START):-len(_ARMOR_END)].replace('\n', '')
    if len(encoded) > MAX_SIGNATURE_BYTES * 2:
        return None
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return blob if armor(blob) == armored else None


def armor(blob: bytes) -> str:
    encoded = base64.b64encode(blob).decode()
    lines = [encoded[i:i + 70] for i in range(0, len(encoded), 70)]
    return '\n'.join((BEGIN, *lines, END)) + '\n'


def parse(blob: bytes) -> Signature:
    """An SSHSIG blob (PROTOCOL.sshsig) into its fields; nothing verified yet."""
    if len(blob) > MAX_SIGNATURE_BYTES:
        raise SignatureError('the SSH signature is too large')
    reader = _Reader(blob, 'the SSH signature')
    if reader.take(len(MAGIC)) != MAGIC:
        raise SignatureError('not an SSH signature (no SSHSIG magic)')
    version = reader.uint32()
    if version != VERSION:
        raise SignatureError(f'SSH signature version {version} is not supported (only {VERSION})')
    public_key = reader.string()
    namespace = reader.string()
    reserved = reader.string()
    hash_algorithm = reader.text()
    signature = reader.string()
    reader.end()
    if reserved:
        raise SignatureError('the SSH signature has a non-empty reserved field')
    if not namespace:
        raise SignatureError('the SSH signature has an empty namespace')
    if hash_algorithm not in HASHES:
        raise SignatureError(f'the SSH signature uses hash {hash_algorithm!r}; only sha256 and sha512 are accepted')
    try:
        namespace_text = namespace.decode('ascii')
    except UnicodeDecodeError:
        raise SignatureError('the SSH signature namespace is not ASCII') from None
    key_type = _Reader(public_key, 'the signing key').text()
    return Signature(public_key, key_type, namespace_text, hash_algorithm, signature)


def signed_data(namespace: str, hash_algorithm: str, message: bytes) -> bytes:
    """What the key actually signs: the preamble, the namespace and H(message)."""
    digest = HASHES[hash_algorithm](message).digest()
    return (MAGIC + _string(namespace.encode('ascii')) + _string(b'')
            + _string(hash_algorithm.encode('ascii')) + _string(digest))


def verify(message: bytes, armored: str, namespace: str) -> Signature:
    """Verify ``armored`` over ``message`` in ``namespace``; the parsed
    signature (whose ``public_key`` must still be looked up among the
    allowed signers), or SignatureError."""
    signature = parse(dearmor(armored))
    if signature.namespace != namespace:
        raise SignatureError(
            f'the signature was made for namespace {signature.namespace!r}, not {namespace!r}',
        )
    data = signed_data(namespace, signature.hash_algorithm, message)
    verify_raw(signature.public_key, signature.signature, data)
    return signature


def verify_raw(key_blob: bytes, signature_blob: bytes, data: bytes) -> None:
    """Check one SSH signature blob (string type, string bytes) over ``data``."""
    from cryptography.exceptions import InvalidSignature

    reader = _Reader(signature_blob, 'the signature')
    sig_type = reader.text()
    sig_bytes = reader.string()
    reader.end()
    key_type = _Reader(key_blob, 'the signing key').text()
    if key_type.startswith('sk-'):
        raise SignatureError(
            f'{key_type} (FIDO security key) signatures are not supported: use an ed25519, '
            f'ECDSA or RSA key, and keep it on another machine or behind ssh-add -c',
        )
    try:
        if key_type == 'ssh-ed25519':
            _verify_ed25519(key_blob, sig_type, sig_bytes, data)
        elif key_type in ECDSA_CURVES:
            _verify_ecdsa(key_blob, key_type, sig_type, sig_bytes, data)
        elif key_type == 'ssh-rsa':
            _verify_rsa(key_blob, sig_type, sig_bytes, data)
        else:
            raise SignatureError(f'key type {key_type!r} is not supported')
    except InvalidSignature:
        raise SignatureError('the signature does not verify: the message or signature was altered') from None


def load_backend() -> None:
    """Import everything verification uses from ``cryptography`` now (before a
    fork: the worker must not import)."""
    from cryptography.exceptions import InvalidSignature  # noqa: F401
    from cryptography.hazmat.primitives import hashes  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: F401
    from cryptography.hazmat.primitives.asymmetric import utils  # noqa: F401


# Keys are parsed and loaded once per run: a ledger holds many signatures by few keys.

@functools.lru_cache(maxsize=64)
def _ed25519_key(key_blob: bytes) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    reader = _Reader(key_blob, 'the ed25519 key')
    reader.text()
    point = reader.string()
    reader.end()
    if len(point) != 32:
        raise SignatureError('the ed25519 key has the wrong length')
    return Ed25519PublicKey.from_public_bytes(point)


def _verify_ed25519(key_blob: bytes, sig_type: str, sig_bytes: bytes, data: bytes) -> None:
    key = _ed25519_key(key_blob)
    if sig_type != 'ssh-ed25519':
        raise SignatureError(f'an ed25519 key cannot make a {sig_type!r} signature')
    if len(sig_bytes) != 64:
        raise SignatureError('the ed25519 signature has the wrong length')
    key.verify(sig_bytes, data)


@functools.lru_cache(maxsize=64)
def _ecdsa_key(key_blob: bytes, key_type: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    curve_name, _, size = ECDSA_CURVES[key_type]
    reader = _Reader(key_blob, 'the ECDSA key')
    reader.text()
    if reader.text() != curve_name:
        raise SignatureError(f'the {key_type} key names another curve')
    point = reader.string()
    reader.end()
    if len(point) != 1 + 2 * size or point[0] != 4:
        raise SignatureError('the ECDSA key is not an uncompressed point of its curve')
    curves: dict[str, ec.EllipticCurve] = {
        'nistp256': ec.SECP256R1(), 'nistp384': ec.SECP384R1(), 'nistp521': ec.SECP521R1(),
    }
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(curves[curve_name], point)
    except ValueError:
        raise SignatureError('the ECDSA key is not a point on its curve') from None


def _verify_ecdsa(key_blob: bytes, key_type: str, sig_type: str, sig_bytes: bytes, data: bytes) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    key = _ecdsa_key(key_blob, key_type)
    if sig_type != key_type:
        raise SignatureError(f'a {key_type} key cannot make a {sig_type!r} signature')
    algorithms: dict[str, hashes.HashAlgorithm] = {
        'sha256': hashes.SHA256(), 'sha384': hashes.SHA384(), 'sha512': hashes.SHA512(),
    }
    inner = _Reader(sig_bytes, 'the ECDSA signature')
    r = inner.mpint()
    s = inner.mpint()
    inner.end()
    if not r or not s:
        raise SignatureError('the ECDSA signature has a zero component')
    key.verify(encode_dss_signature(r, s), data, ec.ECDSA(algorithms[ECDSA_CURVES[key_type][1]]))


@functools.lru_cache(maxsize=64)
def _rsa_key(key_blob: bytes) -> tuple[Any, int]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    reader = _Reader(key_blob, 'the RSA key')
    reader.text()
    e, n = _rsa_numbers(reader)
    reader.end()
    try:
        return rsa.RSAPublicNumbers(e, n).public_key(), (n.bit_length() + 7) // 8
    except ValueError:
        raise SignatureError('the RSA key is not valid') from None


def _rsa_numbers(reader: _Reader) -> tuple[int, int]:
    """(e, n) of an RSA key, within the sizes OpenSSH and OpenSSL make."""
    e = reader.mpint()
    n = reader.mpint()
    if n.bit_length() < MIN_RSA_BITS:
        raise SignatureError(f'the RSA key has {n.bit_length()} bits; at least {MIN_RSA_BITS} are needed')
    if n.bit_length() > MAX_RSA_BITS:
        raise SignatureError(f'the RSA key has {n.bit_length()} bits; at most {MAX_RSA_BITS} are allowed')
    if e.bit_length() > MAX_RSA_EXPONENT_BITS:
        raise SignatureError(f'the RSA key\'s public exponent has more than {MAX_RSA_EXPONENT_BITS} bits')
    return e, n


def _verify_rsa(key_blob: bytes, sig_type: str, sig_bytes: bytes, data: bytes) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key, size = _rsa_key(key_blob)
    if sig_type not in RSA_SIGNATURES:
        raise SignatureError(f'RSA signature type {sig_type!r} is refused; only rsa-sha2-256 and rsa-sha2-512')
    if len(sig_bytes) != size:
        raise SignatureError('the RSA signature has the wrong length for its key')
    algorithm: hashes.HashAlgorithm = hashes.SHA256() if sig_type == 'rsa-sha2-256' else hashes.SHA512()
    key.verify(sig_bytes, data, padding.PKCS1v15(), algorithm)


def parse_public_key(text: str) -> tuple[str, bytes]:
    """``TYPE BASE64 [comment]`` (an OpenSSH public key line) -> (type, blob)."""
    fields = text.split()
    if len(fields) < 2:
        raise SignatureError('not an OpenSSH public key: expected "TYPE BASE64 [comment]"')
    return public_key_blob(fields[0], fields[1])


def public_key_blob(key_type: str, encoded: str) -> tuple[str, bytes]:
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError('the public key is not valid base64') from None
    reader = _Reader(blob, 'the public key')
    inner_type = reader.text()
    if inner_type != key_type:
        raise SignatureError(f'the public key says {key_type!r} outside and {inner_type!r} inside')
    if key_type.startswith('sk-'):
        raise SignatureError(f'{key_type} (FIDO security key) keys are not supported')
    if key_type.endswith('-cert-v01@openssh.com'):
        raise SignatureError('SSH certificates are not supported; list the key itself')
    if key_type not in ('ssh-ed25519', 'ssh-rsa', *ECDSA_CURVES):
        raise SignatureError(f'key type {key_type!r} is not supported')
    _check_key_shape(blob, key_type)
    return key_type, blob


def _check_key_shape(blob: bytes, key_type: str) -> None:
    reader = _Reader(blob, 'the public key')
    reader.text()
    if key_type == 'ssh-ed25519':
        if len(reader.string()) != 32:
            raise SignatureError('the ed25519 key has the wrong length')
    elif key_type == 'ssh-rsa':
        _rsa_numbers(reader)
    else:
        curve_name, _, size = ECDSA_CURVES[key_type]
        if reader.text() != curve_name or len(reader.string()) != 1 + 2 * size:
            raise SignatureError('the ECDSA key does not match its curve')
    reader.end()
