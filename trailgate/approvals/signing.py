"""Signing an approval with the reviewer's SSH key, through ``ssh-keygen -Y
sign``, the key resolved as git resolves ``user.signingKey`` for
``gpg.format=ssh``: a key file (private, or a ``.pub`` whose private half
is in ssh-agent), a ``key::`` literal (agent only), or the first line
``gpg.ssh.defaultKeyCommand`` prints, when it is a literal key (``key::`` or
``ssh-``, git's test).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from typing import NamedTuple

from trailgate import git
from trailgate.approvals import records
from trailgate.approvals import sshsig
from trailgate.errors import UsageError

NO_KEY_HINT = (
    'no signing key: pass --key KEY, or set one as git does '
    '(git config user.signingKey ~/.ssh/id_ed25519.pub)'
)
NO_SSH_KEYGEN = 'ssh-keygen is not installed or not on PATH (OpenSSH 8.2 or newer)'
NO_AGENT_HINT = (' (the key is a public key whose private half must be in ssh-agent, and no agent is reachable: '
                 'start one, eval "$(ssh-agent -s)", then ssh-add PRIVATE_KEY)')
NOT_IN_AGENT_HINT = ' (load the private half of the key into ssh-agent first: ssh-add PRIVATE_KEY)'
PASSPHRASE_HINT = ' (where no terminal can ask for the passphrase, load the key into ssh-agent first: ssh-add KEY)'


class SigningKey(NamedTuple):
    path: str | None  # a key file for ssh-keygen -f
    literal: str | None  # an OpenSSH public key line, signed through the agent (-U)

    def public_line(self) -> str:
        if self.literal is not None:
            return self.literal
        assert self.path is not None
        public = self.path if self.path.endswith('.pub') else self.path + '.pub'
        try:
            with open(public, encoding='ascii') as f:
                return f.read().strip()
        except (OSError, UnicodeDecodeError):
            pass
        try:
            result = subprocess.run(('ssh-keygen', '-y', '-f', self.path), stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, errors='replace')
        except FileNotFoundError:
            raise UsageError(NO_SSH_KEYGEN) from None
        if result.returncode:
            raise UsageError(f'cannot read the public key of {self.path}: {_failure(result.stderr)}')
        return result.stdout.strip()

    def blob(self) -> bytes:
        try:
            return sshsig.parse_public_key(self.public_line())[1]
        except sshsig.SignatureError as e:
            raise UsageError(f'the signing key cannot sign approvals: {e}') from None


def _config(name: str) -> str | None:
    out = git.run_ok('config', '--get', name)
    return git.decode(out).strip() if out else None


def resolve(option: str | None, toplevel: str | None = None) -> SigningKey:
    """The key ``--key`` names (a path relative to the current directory), else
    git's: ``user.signingKey`` (a relative path is relative to the work
    tree's top level, where ``git commit -S`` runs ssh-keygen), else the
    first line of ``gpg.ssh.defaultKeyCommand``."""
    value = option
    relative_to = None
    if not value:
        value = _config('user.signingKey')
        relative_to = toplevel
    if not value:
        command = _config('gpg.ssh.defaultKeyCommand')
        if command:
            value = _default_key(command)
    if not value:
        raise UsageError(NO_KEY_HINT)
    if value.startswith('key::'):
        return SigningKey(None, value[len('key::'):].strip())
    if value.startswith('ssh-'):  # git's deprecated bare literal; any other value is a file, as in git
        return SigningKey(None, value.strip())
    path = os.path.expanduser(value)
    if relative_to is not None:
        path = os.path.join(relative_to, path)  # unchanged when it is absolute
    return SigningKey(path, None)


def _default_key(command: str) -> str:
    result = subprocess.run(command, shell=True, capture_output=True, text=True, errors='replace')
    if result.returncode:
        raise UsageError(f'gpg.ssh.defaultKeyCommand failed: {result.stderr.strip() or result.returncode}')
    first = result.stdout.split('\n', 1)[0]
    if first.startswith(('key::', 'ssh-')):  # git's test for a literal key, on the first line only
        return first
    raise UsageError('gpg.ssh.defaultKeyCommand succeeded but its first line is no key '
                     '(git wants `key::ssh-ed25519 AAAA...` or `ssh-ed25519 AAAA...` there)')


def sign_many(key: SigningKey, public_key: bytes, changes: list[str], reviewer: str) -> list[records.Record]:
    """One approval per change, in order, from one ``ssh-keygen -Y sign`` call
    (it signs each file it is given, writing ``FILE.sig``; an agent or a
    passphrase is asked once). Each signature must verify and be made by
    ``public_key``, the key's blob the reviewer was found by: an ssh-keygen
    first on PATH could sign with any key it holds."""
    payloads = [records.payload(change, reviewer) for change in changes]
    with tempfile.TemporaryDirectory(prefix='trailgate-sign-') as scratch:
        args = ['ssh-keygen', '-q', '-Y', 'sign', '-n', records.NAMESPACE]
        if key.literal is not None:
            path = os.path.join(scratch, 'key.pub')
            with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:  # its comment: any text
                f.write(key.literal + '\n')
            args += ['-U', '-f', path]
        else:
            assert key.path is not None
            args += ['-f', key.path]
        files = []
        for number, data in enumerate(payloads):
            files.append(os.path.join(scratch, f'approval-{number}'))
            with open(files[-1], 'wb') as f:
                f.write(data)
        try:
            result = subprocess.run([*args, *files], stdin=subprocess.DEVNULL, capture_output=True)
        except FileNotFoundError:
            raise UsageError(NO_SSH_KEYGEN) from None
        if result.returncode:
            raise UsageError(f'ssh-keygen could not sign: {_failure(git.decode(result.stderr))}')
        signatures = [_signature(f'{file}.sig') for file in files]
    signed = []
    for change, data, armored in zip(changes, payloads, signatures, strict=True):
        try:
            signature = sshsig.verify(data, armored, records.NAMESPACE)
        except sshsig.SignatureError as e:
            raise UsageError(f'ssh-keygen made a signature trailgate cannot verify: {e}') from None
        if signature.public_key != public_key:
            raise UsageError(
                f'ssh-keygen signed with another key ({sshsig.fingerprint(signature.public_key)}) than the one '
                f'asked for ({sshsig.fingerprint(public_key)}): nothing recorded; check which ssh-keygen is first '
                f'on PATH',
            )
        signed.append(records.Record(change, reviewer, armored))
    return signed


def _failure(stderr: str) -> str:
    """ssh-keygen's complaint, with the way out when it could not get a
    passphrase or the agent could not sign."""
    said = stderr.strip()
    if 'passphrase' in said:
        return f'{said}{PASSPHRASE_HINT}'
    if 'agent socket' in said:
        return f'{said}{NO_AGENT_HINT}'
    if 'key in agent' in said or 'No private key found' in said:  # also what a lone .pub without an agent gets
        return f'{said}{NOT_IN_AGENT_HINT if os.environ.get("SSH_AUTH_SOCK") else NO_AGENT_HINT}'
    return said


def _signature(path: str) -> str:
    try:
        with open(path, encoding='ascii') as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        raise UsageError('ssh-keygen wrote no signature it was asked for') from None
