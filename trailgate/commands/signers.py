"""``trailgate signers add EMAIL KEYFILE``: a line in the policy's allowed-signers file."""
from __future__ import annotations

import os

import click

from trailgate import git
from trailgate import policies
from trailgate.display import from_user_directory
from trailgate.display import visible
from trailgate.errors import EXIT_OK
from trailgate.errors import UsageError
from trailgate.policy import Policy

MAX_KEY_FILE_BYTES = 64 * 1024


def add(email: str, keyfile: str, policy_option: str | None) -> int:
    from trailgate.approvals import allowed_signers

    repo = git.repo()
    policy, path = _signers_file(repo, policy_option)
    _check_email(email)
    key_line = _public_key_line(keyfile)
    try:
        line = allowed_signers.format_line(email, key_line)
    except ValueError as e:
        raise UsageError(f'{keyfile}: {e}') from None
    existing = b''
    if os.path.exists(path):
        with open(path, 'rb') as f:
            existing = f.read()
    if existing and not existing.endswith(b'\n'):
        existing += b'\n'
    added = allowed_signers.parse(existing + line.encode(), path).signers[-1]  # the result must stay valid
    if any(signer.key == added.key and signer.emails() == added.emails()
           for signer in allowed_signers.parse(existing, path).signers):
        click.echo(f'{from_user_directory(path)} already lists this key for {email}; nothing changed')
        return EXIT_OK
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'wb') as f:
        f.write(existing + line.encode())
    guard = ('a policy owner must approve that change' if policy.policy_owners else
             'the policy names no policy_owners, so no approval guards changes to this file')
    click.echo(f'added {email} to {from_user_directory(path)}; commit it ({guard})')
    if not any(policy.in_group(email, group) for group in policy.groups):
        click.echo(f'note: {email} is in no group of the policy: their approvals count for nothing '
                   f'until a group lists them', err=True)
    return EXIT_OK


def _check_email(email: str) -> None:
    """The principal must be what a signed record can name: a plain ASCII email."""
    from trailgate.approvals.records import is_reviewer_email

    if not is_reviewer_email(email):
        raise UsageError(
            f'{visible(email)} is not a plain email: give the reviewer\'s email as the policy\'s groups list it '
            f'(e.g. alice@example.com), one per key',
        )


def _public_key_line(keyfile: str) -> str:
    """The one OpenSSH public key in ``keyfile``; a private key, several keys, or
    an ``authorized_keys`` line with options are refused, the file never echoed."""
    from trailgate.approvals.allowed_signers import KEY_TYPES

    try:
        with open(keyfile, 'rb') as f:
            data = f.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as e:
        raise UsageError(f'{keyfile}: cannot read the public key: {e.strerror or e}') from None
    if b'PRIVATE KEY' in data:
        raise UsageError(f'{keyfile} is a private key; give its public half ({keyfile}.pub): '
                         f'a private key must never be copied into the repository')
    if len(data) > MAX_KEY_FILE_BYTES:
        raise UsageError(f'{keyfile}: too large for a public key file')
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise UsageError(f'{keyfile}: not a public key file (not UTF-8 text)') from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith('#')]
    if not lines:
        raise UsageError(f'{keyfile}: no public key in the file')
    if len(lines) > 1:
        raise UsageError(f'{keyfile} holds {len(lines)} lines; give a file with one public key '
                         f'(run `trailgate signers add` once per key)')
    fields = lines[0].split()
    known = (*KEY_TYPES, 'sk-', 'ssh-', 'ecdsa-')
    if not fields[0].startswith(known) and any(field.startswith(known) for field in fields[1:]):
        raise UsageError(f'{keyfile}: the key is preceded by options, as in authorized_keys; '
                         f'give the public key alone (TYPE BASE64 [comment], as in ~/.ssh/id_ed25519.pub)')
    return lines[0]


def _signers_file(repo: git.Repo, policy_option: str | None) -> tuple[Policy, str]:
    """The work tree's policy and the signers file it names, read without
    requiring that the file exists yet."""
    from trailgate.policy import DEFAULT_POLICY_PATH
    from trailgate.policy import load_policy

    explicit = policies.explicit_path(policy_option)
    if repo.toplevel is None:
        raise UsageError('run trailgate signers add in a work tree')
    path = explicit or os.path.join(repo.toplevel, DEFAULT_POLICY_PATH)
    try:
        with open(path, 'rb') as f:
            policy = load_policy(f.read(), path)
    except FileNotFoundError:
        raise UsageError(f'{path}: no policy; {policies.NO_POLICY_HINT}') from None
    if policy.signers_path is None:
        raise UsageError(f'{path} names no signers file: add `signers: .trailgate/allowed_signers` to it first')
    return policy, os.path.join(repo.toplevel, policy.signers_path)
