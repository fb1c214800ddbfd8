"""``trailgate signers add EMAIL KEYFILE``: a line in the policy's allowed-signers file."""
from __future__ import annotations

import os

import click

from trailgate import git
from trailgate import policies
from trailgate.display import from_user_directory
from trailgate.errors import EXIT_OK
from trailgate.errors import UsageError


def add(email: str, keyfile: str, policy_option: str | None) -> int:
    from trailgate.approvals import allowed_signers

    repo = git.repo()
    path, owners = _signers_file(repo, policy_option)
    try:
        with open(keyfile, encoding='ascii') as f:
            key_line = f.read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f'{keyfile}: cannot read the public key: {e}') from None
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
    if any(signer.key == added.key and signer.principals == added.principals
           for signer in allowed_signers.parse(existing, path).signers):
        click.echo(f'{from_user_directory(path)} already lists this key for {email}; nothing changed')
        return EXIT_OK
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'wb') as f:
        f.write(existing + line.encode())
    guard = ('a policy owner must approve that change' if owners else
             'the policy names no policy_owners, so no approval guards changes to this file')
    click.echo(f'added {email} to {from_user_directory(path)}; commit it ({guard})')
    return EXIT_OK


def _signers_file(repo: git.Repo, policy_option: str | None) -> tuple[str, str | None]:
    """The file the work tree's policy names, read without requiring that it
    exists yet, and the policy's owners."""
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
    return os.path.join(repo.toplevel, policy.signers_path), policy.policy_owners
