"""SSH keys made by the real ``ssh-keygen`` in a test's temp directory.

Never touches ~/.ssh or the user's ssh-agent: ``SSH_AUTH_SOCK`` is removed
from every environment here (a test that wants an agent starts its own).
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NamedTuple

KEY_TYPES = (  # (ssh-keygen -t, -b) for every kind trailgate verifies
    ('ed25519', None),
    ('ecdsa', '256'),
    ('ecdsa', '384'),
    ('ecdsa', '521'),
    ('rsa', '3072'),
)


def ssh_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ('SSH_AUTH_SOCK', 'SSH_AGENT_PID')}
    env.update(extra)
    return env


class Key(NamedTuple):
    private: Path
    public: Path

    @property
    def public_line(self) -> str:
        return self.public.read_text().strip()


def make_key(directory: Path, name: str, key_type: str = 'ed25519', bits: str | None = None) -> Key:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    args = ['ssh-keygen', '-q', '-t', key_type, '-N', '', '-C', name, '-f', str(path)]
    if bits:
        args[4:4] = ['-b', bits]
    subprocess.run(args, check=True, capture_output=True, env=ssh_env())
    return Key(path, path.with_name(name + '.pub'))


def sign(key: Key, namespace: str, message: bytes, *options: str) -> str:
    result = subprocess.run(
        ['ssh-keygen', '-Y', 'sign', '-n', namespace, '-f', str(key.private), *options],
        input=message, capture_output=True, check=True, env=ssh_env(),
    )
    return result.stdout.decode()


def sign_many(key: Key, namespace: str, messages: list[bytes], directory: Path) -> list[str]:
    """Signatures of ``messages``, in order, from one ``ssh-keygen -Y sign`` call."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, data in enumerate(messages):
        path = directory / f'message-{number}'
        path.write_bytes(data)
        paths.append(path)
    subprocess.run(['ssh-keygen', '-q', '-Y', 'sign', '-n', namespace, '-f', str(key.private), *map(str, paths)],
                   capture_output=True, check=True, env=ssh_env())
    return [path.with_name(path.name + '.sig').read_text() for path in paths]


def ssh_verify(allowed_signers: Path, principal: str, namespace: str, signature: str,
               message: bytes, directory: Path) -> bool:
    """``ssh-keygen -Y verify``'s verdict."""
    sig_file = directory / 'candidate.sig'
    sig_file.write_text(signature)
    result = subprocess.run(
        ['ssh-keygen', '-Y', 'verify', '-f', str(allowed_signers), '-I', principal,
         '-n', namespace, '-s', str(sig_file)],
        input=message, capture_output=True, env=ssh_env(),
    )
    return result.returncode == 0
