"""The signed-review policy keys: validation, the signer file, `signers add`,
`init --signed`, key resolution for `approve`."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import Repo
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.sshkeys import Key
from testing.sshkeys import make_key
from testing.sshkeys import ssh_env
from testing.util import git_env
from trailgate.approvals import signing


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    directory = tmp_path_factory.mktemp('keys')
    return {name: make_key(directory, name) for name in ('alice', 'bob', 'carol')}


def both(keys: dict[str, Key]) -> str:
    return signers_file(('alice@example.com', keys['alice']), ('bob@example.com', keys['bob']))


def validate(repo: Repo) -> tuple[int, str]:
    result = repo.trailgate('validate')
    return result.returncode, result.output


def test_a_signed_policy_with_every_key_validates(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)})
    assert validate(repo)[0] == 0


def test_a_member_without_a_key_is_an_error_at_the_members_position(tmp_path: Path, keys: dict[str, Key]) -> None:
    only_alice = signers_file(('alice@example.com', keys['alice']))
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: only_alice})
    code, output = validate(repo)
    assert code == 2
    assert '.trailgate/policy.yaml:3:' in output and 'bob@example.com signs approvals' in output


def test_a_member_without_a_key_is_named_at_the_line_and_column_of_the_email(tmp_path: Path,
                                                                           keys: dict[str, Key]) -> None:
    only_alice = signers_file(('alice@example.com', keys['alice']))
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: only_alice})
    code, output = validate(repo)
    assert code == 2
    assert '.trailgate/policy.yaml:3:45: groups.senior: bob@example.com signs approvals' in output, output


SPLIT = f"""\
version: 1
groups:
  senior: [alice@example.com]
  sre: [carol@example.com]
  juniors: [dan@example.com]
policy_owners: senior
signers: {SIGNERS_PATH}
rules:
  - {{id: signed, paths: [a/**], require: {{reviews: {{group: sre, signed: true}}}}}}
  - {{id: typed, paths: [b/**], require: {{reviews: {{group: juniors}}}}}}
"""


@pytest.mark.parametrize(('keyed', 'missing'), [
    (('alice', 'carol'), None),
    (('carol',), 'groups.senior: alice@example.com'),  # the policy owners sign
    (('alice',), 'groups.sre: carol@example.com'),  # a signed rule's group that is not the owners'
])
def test_the_owners_and_each_signed_rule_group_need_keys_and_a_typed_rule_group_none(
        tmp_path: Path, keys: dict[str, Key], keyed: tuple[str, ...], missing: str | None) -> None:
    entries = signers_file(*((f'{name}@example.com', keys[name]) for name in keyed))
    repo = new_repo(tmp_path / 'r', SPLIT, hooks=False, files={SIGNERS_PATH: entries})
    code, output = validate(repo)
    if missing is None:
        assert code == 0, output
    else:
        assert code == 2 and f'{missing} signs approvals for this group' in output, output
        assert 'dan@example.com' not in output, output


def test_without_policy_owners_only_the_signed_rule_groups_need_keys(tmp_path: Path, keys: dict[str, Key]) -> None:
    policy = SPLIT.replace('policy_owners: senior\n', '')
    entries = signers_file(('carol@example.com', keys['carol']))
    repo = new_repo(tmp_path / 'r', policy, hooks=False, files={SIGNERS_PATH: entries})
    code, output = validate(repo)
    assert code == 0, output


def test_signed_reviews_without_a_signer_file_is_an_error(tmp_path: Path) -> None:
    policy = signed_policy().replace(f'signers: {SIGNERS_PATH}\n', '')
    repo = new_repo(tmp_path / 'r', policy, hooks=False)
    code, output = validate(repo)
    assert code == 2 and 'signed reviews need `signers:`' in output


def test_a_missing_signer_file_is_an_error(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False)
    code, output = validate(repo)
    assert code == 2 and 'does not exist' in output and 'trailgate signers add' in output


@pytest.mark.parametrize(('line', 'fragment'), [
    ('* {key}', 'is a pattern'),
    ('alice@example.com cert-authority {key}', 'cert-authority'),
])
def test_wildcards_and_cert_authorities_in_the_signer_file_are_errors(
    tmp_path: Path, keys: dict[str, Key], line: str, fragment: str,
) -> None:
    text = both(keys) + line.format(key=keys['carol'].public_line) + '\n'
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: text})
    code, output = validate(repo)
    assert code == 2 and f'{SIGNERS_PATH}:3:' in output and fragment in output


def test_the_base_signer_file_is_checked_by_the_gates(tmp_path: Path, keys: dict[str, Key]) -> None:
    broken = both(keys) + f'* {keys["carol"].public_line}\n'
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: broken})
    repo.commit_ok(message('AI', ASSISTED), {CRITICAL: 'y = 1\n'}, verify=False)
    result = repo.trailgate('check', 'HEAD~1..HEAD')
    assert result.returncode == 2 and 'is a pattern' in result.output


def test_signers_add_builds_the_file(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', keys['alice']))})
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keys['bob'].public))
    assert result.returncode == 0, result.output
    assert 'commit it (a policy owner must approve that change)' in result.output
    assert (repo.path / SIGNERS_PATH).read_text() == both(keys)
    assert validate(repo)[0] == 0
    again = repo.trailgate('signers', 'add', 'carol@example.com', str(keys['bob'].public))
    assert again.returncode == 2 and 'already listed for bob@example.com' in again.output
    assert repo.trailgate('signers', 'add', '*', str(keys['carol'].public)).returncode == 2
    assert repo.trailgate('signers', 'add', 'carol@example.com', str(keys['carol'].private)).returncode == 2


def test_signers_add_says_when_nothing_guards_the_file(tmp_path: Path, keys: dict[str, Key]) -> None:
    """Without policy_owners no approval is needed to change the file: say so, not the opposite."""
    unowned = signed_policy().replace('policy_owners: senior\n', '')
    repo = new_repo(tmp_path / 'r', unowned, hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', keys['alice']))})
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keys['bob'].public))
    assert result.returncode == 0, result.output
    assert 'policy owner must approve' not in result.output
    assert 'no approval guards changes to this file' in result.output


@pytest.mark.parametrize('email', ['bob@example.com', 'Bob@Example.com'])
def test_signers_add_of_a_listed_key_for_the_same_reviewer_changes_nothing(tmp_path: Path, keys: dict[str, Key],
                                                                        email: str) -> None:
    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)})
    result = repo.trailgate('signers', 'add', email, str(keys['bob'].public))
    assert result.returncode == 0, result.output
    assert f'already lists this key for {email}' in result.output
    assert (repo.path / SIGNERS_PATH).read_text() == both(keys)


def test_init_signed_writes_a_signed_starter(tmp_path: Path) -> None:
    from testing.util import init_repo

    path = init_repo(tmp_path / 'r')
    repo = Repo(path)
    result = repo.trailgate('init', '--signed')
    assert result.returncode == 0, result.output
    text = (path / '.trailgate/policy.yaml').read_text()
    assert f'\nsigners: {SIGNERS_PATH}\n' in text and 'signed: true' in text
    assert (path / SIGNERS_PATH).exists()
    assert 'trailgate signers add' in result.output
    plain = init_repo(tmp_path / 'plain')
    (plain / 'src').mkdir()
    offered = Repo(plain).run(sys.executable, '-m', 'trailgate', 'init', cwd=plain / 'src')
    # the command it offers runs as printed, where init ran, and gives the signed starter
    command = re.search(r'`(rm [^`]* && trailgate init --signed)`', offered.output)
    assert command, offered.output
    bin_dir = str(Path(sys.executable).parent)
    ran = Repo(plain).run('bash', '-c', command.group(1), cwd=plain / 'src',
                          env={'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}'})
    assert ran.returncode == 0, ran.output
    assert 'signed: true' in (plain / '.trailgate/policy.yaml').read_text()


# -- key resolution, as git resolves user.signingKey -----------------------------


def _approve_env(repo: Repo, keys: dict[str, Key]) -> Repo:
    repo.commit_ok(message('AI', ASSISTED), {CRITICAL: 'z = 1\n'}, verify=False)
    repo.git('config', 'user.email', 'alice@example.com')
    return repo


@pytest.fixture
def agent() -> Iterator[dict[str, str]]:
    """A private ssh-agent for one test; killed after it."""
    directory = tempfile.mkdtemp(prefix='tg-agent-')  # unix socket paths must be short
    socket = os.path.join(directory, 's')
    result = subprocess.run(['ssh-agent', '-s', '-a', socket], capture_output=True, text=True, check=True,
                            env=ssh_env())
    pid = int(result.stdout.split('SSH_AGENT_PID=')[1].split(';')[0])
    try:
        yield {'SSH_AUTH_SOCK': socket, 'SSH_AGENT_PID': str(pid)}
    finally:
        os.kill(pid, signal.SIGTERM)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize('how', ['key file', 'key file without its .pub', 'public key with the agent', 'key:: literal',
                                 'defaultKeyCommand', 'defaultKeyCommand ssh-add -L'])
def test_approve_resolves_the_key_as_git_does(tmp_path: Path, keys: dict[str, Key], agent: dict[str, str],
                                             how: str) -> None:
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    alice = keys['alice']
    env = {**agent}
    if how == 'key file':
        repo.git('config', 'user.signingKey', str(alice.private))
    elif how == 'key file without its .pub':  # the public half is read from the private key (ssh-keygen -y)
        alone = tmp_path / 'alone' / 'id'
        alone.parent.mkdir()
        shutil.copy(alice.private, alone)
        repo.git('config', 'user.signingKey', str(alone))
    else:
        subprocess.run(['ssh-add', '-q', str(alice.private)], check=True, capture_output=True,
                       env={**ssh_env(), **agent})
        if how == 'public key with the agent':
            repo.git('config', 'user.signingKey', str(alice.public))
        elif how == 'key:: literal':
            repo.git('config', 'user.signingKey', f'key::{alice.public_line}')
        elif how == 'defaultKeyCommand':
            repo.git('config', 'gpg.ssh.defaultKeyCommand', 'ssh-add -L | sed "s/^/key::/"')
        else:  # git takes the first line when it is a literal key, with or without key::
            repo.git('config', 'gpg.ssh.defaultKeyCommand', 'ssh-add -L')
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--trailer', env={**git_env(), **env})
    assert result.returncode == 0, result.output
    assert result.stdout.startswith('Trailgate-Approval: alice@example.com ')


def test_approve_with_a_literal_key_whose_comment_is_not_ascii(tmp_path: Path, keys: dict[str, Key],
                                                               agent: dict[str, str]) -> None:
    """ssh-add -L prints each key's comment, which may be any text."""
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    alice = keys['alice']
    subprocess.run(['ssh-add', '-q', str(alice.private)], check=True, capture_output=True,
                   env={**ssh_env(), **agent})
    key_type, blob = alice.public_line.split()[:2]
    repo.git('config', 'user.signingKey', f'key::{key_type} {blob} Jos\u00e9 Ni\u00f1o')
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--trailer', env={**git_env(), **agent})
    assert result.returncode == 0, result.output
    assert result.stdout.startswith('Trailgate-Approval: alice@example.com ')


def test_approve_without_a_key_says_how_to_set_one(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes')
    assert result.returncode == 2 and 'user.signingKey' in result.output


def test_approve_takes_only_the_first_line_of_default_key_command_as_git_does(tmp_path: Path,
                                                                               keys: dict[str, Key]) -> None:
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    repo.git('config', 'gpg.ssh.defaultKeyCommand', f"printf 'no key here\\nkey::{keys['alice'].public_line}\\n'")
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--trailer')
    assert result.returncode == 2, result.output
    assert 'gpg.ssh.defaultKeyCommand' in result.stderr and 'first line' in result.stderr, result.stderr


@pytest.mark.parametrize('command', ["printf '\\377 not UTF-8\\n'", "printf 'no \\377 key' >&2; exit 3"])
def test_default_key_command_that_prints_bytes_that_are_not_utf8_is_named(tmp_path: Path, keys: dict[str, Key],
                                                                           command: str) -> None:
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    repo.git('config', 'gpg.ssh.defaultKeyCommand', command)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--trailer')
    assert result.returncode == 2, result.output
    assert 'gpg.ssh.defaultKeyCommand' in result.stderr, result.stderr
    assert 'internal error' not in result.stderr, result.stderr


def test_approve_with_a_key_not_in_the_file_refuses(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', str(keys['carol'].private))
    assert result.returncode == 2 and 'not in the allowed-signers file' in result.output


@pytest.mark.parametrize(('answer', 'expected'), [('n', 1), ('y', 0)])
def test_approve_asks_on_a_terminal(tmp_path: Path, keys: dict[str, Key], answer: str, expected: int) -> None:
    import pty
    import select
    import sys

    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, '-m', 'trailgate', 'approve', 'HEAD~1..HEAD', '--key', str(keys['alice'].private)],
        cwd=repo.path, stdin=secondary, stdout=secondary, stderr=secondary, env=git_env(), close_fds=True,
    )
    os.close(secondary)
    shown = b''
    try:
        while b'Sign 1 approval(s)?' not in shown:
            ready, _, _ = select.select([primary], [], [], 60)
            assert ready, shown
            shown += os.read(primary, 4096)
        os.write(primary, answer.encode() + b'\n')
        assert process.wait(timeout=60) == expected
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert b'protected paths: services/payments/charge.py' in shown and b'1 file changed' in shown
    assert (repo.rev('refs/trailgate/approvals') is not None) == (answer == 'y')


def test_commit_msg_never_loads_cryptography(tmp_path: Path, keys: dict[str, Key]) -> None:
    import sys

    repo = new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)})
    repo.stage({CRITICAL: 'w = 1\n'})
    (repo.path / 'MSG').write_text(message('AI', ASSISTED))
    probe = (
        'import sys\n'
        'from trailgate.main import main\n'
        'status = main(sys.argv[1:])\n'
        'print("loaded" if "cryptography" in sys.modules else "not loaded", status)\n'
    )
    result = repo.run(sys.executable, '-c', probe, 'commit-msg', 'MSG')
    assert result.stdout.strip().endswith('not loaded 1'), result.output
    repo.git('commit', '-q', '--no-verify', '-F', 'MSG')
    checked = repo.run(sys.executable, '-c', probe, 'check', 'HEAD~1..HEAD')
    assert checked.stdout.strip().endswith('not loaded 1'), checked.output  # no record to verify


@pytest.mark.parametrize('public_half', ['missing', 'beside it'])
def test_approve_without_ssh_keygen_says_so(tmp_path: Path, keys: dict[str, Key], public_half: str) -> None:
    """A key file without its ``.pub`` beside it: its public half is asked of
    ssh-keygen; with it, ssh-keygen is first needed to sign."""
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    lone = tmp_path / 'lone' / 'id'
    lone.parent.mkdir()
    shutil.copy(keys['alice'].private, lone)
    lone.chmod(0o600)
    if public_half == 'beside it':
        shutil.copy(keys['alice'].public, lone.with_name('id.pub'))
    only_git = tmp_path / 'bin'
    only_git.mkdir()
    git = shutil.which('git')
    assert git
    (only_git / 'git').symlink_to(git)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', str(lone), env={'PATH': str(only_git)})
    assert result.returncode == 2, result.output
    assert 'ssh-keygen is not installed' in result.stderr and 'internal error' not in result.stderr, result.stderr


def test_approve_records_nothing_that_ssh_keygen_signed_wrongly(tmp_path: Path, keys: dict[str, Key]) -> None:
    """approve verifies what ssh-keygen wrote before recording it: a broken or
    substituted ssh-keygen cannot put a record in the ledger that approves nothing."""
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    fake = tmp_path / 'bin' / 'ssh-keygen'
    fake.parent.mkdir()
    real = shutil.which('ssh-keygen')
    assert real
    # signs what it is given with the key it is given, in git's namespace: a signature, of no approval
    fake.write_text(f'#!/bin/sh\nshift 5\nexec {real} -q -Y sign -n git "$@"\n')
    fake.chmod(0o755)
    env = {'PATH': f'{fake.parent}{os.pathsep}{os.environ["PATH"]}'}
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', str(keys['alice'].private), env=env)
    assert result.returncode == 2, result.output
    assert 'ssh-keygen made a signature trailgate cannot verify' in result.stderr, result.stderr
    assert repo.rev('refs/trailgate/approvals') is None


ANOTHER_KEY_SSH_KEYGEN = """\
#!{python}
import os, sys
args = [arg for arg in sys.argv[1:] if arg != '-U']  # signs with a key file, not through the agent
if '-Y' in args and 'sign' in args:
    args[args.index('-f') + 1] = {other!r}
os.execv({real!r}, [{real!r}, *args])
"""


@pytest.mark.parametrize('how', ['key file', 'public key for the agent', 'key:: literal'])
def test_approve_records_nothing_that_ssh_keygen_signed_with_another_key(tmp_path: Path, keys: dict[str, Key],
                                                                        how: str) -> None:
    """A substituted ssh-keygen first on PATH signs with a key of its own (Bob's,
    listed in the file): a valid signature, of another key than the one asked
    for, so approve refuses it and neither records nor prints anything."""
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: both(keys)}),
                        keys)
    alice = keys['alice']
    key = {'key file': str(alice.private), 'public key for the agent': str(alice.public),
           'key:: literal': f'key::{alice.public_line}'}[how]
    fake = tmp_path / 'bin' / 'ssh-keygen'
    fake.parent.mkdir()
    fake.write_text(ANOTHER_KEY_SSH_KEYGEN.format(python=sys.executable, other=str(keys['bob'].private),
                                                  real=shutil.which('ssh-keygen')))
    fake.chmod(0o755)
    env = {'PATH': f'{fake.parent}{os.pathsep}{os.environ["PATH"]}'}
    for mode in ((), ('--trailer',)):
        result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', key, *mode, env=env)
        assert result.returncode == 2, result.output
        assert 'ssh-keygen signed with another key' in result.stderr, result.stderr
        assert 'Trailgate-Approval' not in result.stdout
    assert repo.rev('refs/trailgate/approvals') is None


@pytest.mark.parametrize('public_half', ['beside it', 'missing'])
def test_a_passphrase_key_with_no_agent_and_no_terminal_fails_with_the_way_out(
        tmp_path: Path, keys: dict[str, Key], public_half: str) -> None:
    """No controlling terminal (a new session), no agent: ssh-keygen cannot ask
    for the passphrase. approve must end, exit 2, and say what to do, never wait."""
    locked = tmp_path / 'locked' / 'id'
    locked.parent.mkdir()
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', 'secret', '-C', 'locked', '-f', str(locked)],
                   check=True, capture_output=True, env=ssh_env())
    signers = signers_file(('alice@example.com', Key(locked, locked.with_name('id.pub'))),
                           ('bob@example.com', keys['bob']))
    repo = _approve_env(new_repo(tmp_path / 'r', signed_policy(), hooks=False, files={SIGNERS_PATH: signers}), keys)
    if public_half == 'missing':
        locked.with_name('id.pub').unlink()
    no_agent = {k: v for k, v in git_env().items() if k not in ('SSH_AUTH_SOCK', 'SSH_AGENT_PID')}
    result = subprocess.run([sys.executable, '-m', 'trailgate', 'approve', 'HEAD~1..HEAD', '--yes', '--key',
                             str(locked)], cwd=repo.path, env=no_agent, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, start_new_session=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert signing.PASSPHRASE_HINT in result.stderr, result.stderr
    assert 'internal error' not in result.stderr


# -- where reviewers keep their keys: what git commit -S finds, approve finds ---------


def _signing_repo(tmp_path: Path, keys: dict[str, Key], *extra: tuple[str, Key], options: str = '') -> Repo:
    signers = signers_file(('alice@example.com', keys['alice']), ('bob@example.com', keys['bob']), *extra,
                           options=options)
    repo = new_repo(tmp_path / 'r', signed_policy(1), hooks=False, files={SIGNERS_PATH: signers})
    return _approve_env(repo, keys)


def _git_commit_signs(repo: Repo, cwd: Path, env: dict[str, str] | None = None) -> bool:
    """Does ``git commit -S`` find and use the key that the config names, from ``cwd``?"""
    repo.git('config', 'gpg.format', 'ssh')
    try:
        result = repo.run('git', 'commit', '-q', '-S', '--allow-empty', '--no-verify', '-m', 'signed', cwd=cwd,
                          env=env)
        return result.returncode == 0
    finally:
        if result.returncode == 0:
            repo.git('reset', '-q', '--soft', 'HEAD~1')
        repo.git('config', '--unset', 'gpg.format')


def test_a_relative_signing_key_is_found_from_a_subdirectory_as_git_finds_it(tmp_path: Path,
                                                                            keys: dict[str, Key]) -> None:
    """git runs ssh-keygen from the work tree's top level: ``user.signingKey =
    keys/alice`` means the same file from any subdirectory."""
    repo = _signing_repo(tmp_path, keys)
    (repo.path / 'keys').mkdir()
    shutil.copy(keys['alice'].private, repo.path / 'keys' / 'alice')
    (repo.path / 'keys' / 'alice').chmod(0o600)
    repo.git('config', 'user.signingKey', 'keys/alice')
    subdirectory = repo.path / 'services'
    assert _git_commit_signs(repo, subdirectory)
    result = repo.run(sys.executable, '-m', 'trailgate', 'approve', 'HEAD~1..HEAD', '--yes', cwd=subdirectory)
    assert result.returncode == 0, result.output
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == 0


def test_a_signing_key_under_the_home_directory(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _signing_repo(tmp_path, keys)
    home = tmp_path / 'home'
    (home / '.ssh').mkdir(parents=True)
    shutil.copy(keys['alice'].private, home / '.ssh' / 'id_ed25519')
    shutil.copy(keys['alice'].public, home / '.ssh' / 'id_ed25519.pub')
    (home / '.ssh' / 'id_ed25519').chmod(0o600)
    repo.git('config', 'user.signingKey', '~/.ssh/id_ed25519.pub')
    env = {**git_env(), 'HOME': str(home)}
    assert _git_commit_signs(repo, repo.path, env)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', env=env)
    assert result.returncode == 0, result.output
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == 0


@pytest.mark.parametrize('name', ['ecdsa-work', 'sk-yubikey'])
def test_a_key_file_named_like_a_key_type_is_a_file_as_git_reads_it(tmp_path: Path, keys: dict[str, Key],
                                                                   name: str) -> None:
    """git reads ``user.signingKey`` as a literal key only after ``key::`` or
    when it starts with ``ssh-``; any other value is a key file, whatever its name."""
    repo = _signing_repo(tmp_path, keys)
    shutil.copy(keys['alice'].private, repo.path / name)
    (repo.path / name).chmod(0o600)
    repo.git('config', 'user.signingKey', name)
    assert _git_commit_signs(repo, repo.path)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes')
    assert result.returncode == 0, result.output
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == 0


@pytest.mark.parametrize(('key_type', 'bits'), [('ecdsa', '256'), ('ecdsa', '384'), ('ecdsa', '521'),
                                                ('rsa', '3072')])
def test_ecdsa_and_rsa_keys_approve_and_rsa_signs_with_sha512(tmp_path: Path, keys: dict[str, Key], key_type: str,
                                                              bits: str) -> None:
    reviewer = make_key(tmp_path / 'keys', 'carol', key_type, bits)
    repo = _signing_repo(tmp_path, keys, ('carol@example.com', reviewer))
    repo.git('config', 'user.email', 'carol@example.com')
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', str(reviewer.private), '--trailer')
    assert result.returncode == 0, result.output
    from trailgate.approvals import records
    from trailgate.approvals import sshsig

    record = records.from_trailer_value(result.stdout.strip().split(': ', 1)[1])
    inner = sshsig.parse(sshsig.dearmor(record.signature)).signature
    signature_type = inner[4:4 + int.from_bytes(inner[:4], 'big')].decode()
    assert signature_type == ('rsa-sha2-512' if key_type == 'rsa' else f'{key_type}-sha2-nistp{bits}'), signature_type
    repo.git('commit', '-q', '--amend', '--no-edit', '--no-verify', '--trailer', result.stdout.strip())
    policy = signed_policy(1, 'carol@example.com')
    assert repo.trailgate('check', 'HEAD~1..HEAD', '--policy', _policy_file(tmp_path, policy)).returncode == 0


def _policy_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / 'policy.yaml'
    path.write_text(text)
    return str(path)


def test_a_central_policy_s_signers_come_from_the_trusted_base_not_the_change(tmp_path: Path,
                                                                              keys: dict[str, Key]) -> None:
    """An organisation's policy given with --policy names a repository path as
    its signers file. In CI the work tree is the pull request: read there, a
    change that puts its author's key on alice's line, with approvals that
    key signs as alice, approved itself and the AI change riding along. The
    file is read as the trusted base holds it, as with the repository's own
    policy (and as pre-receive, with no work tree, never reads the change's)."""
    from testing.approvals import change_of
    from testing.approvals import entry
    from testing.approvals import write_ledger

    mallory = make_key(tmp_path / 'keys', 'mallory')
    central = _policy_file(tmp_path, signed_policy(1, 'alice@example.com'))
    repo = new_repo(tmp_path / 'r', signed_policy(1, 'alice@example.com'), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', keys['alice']))})
    base = repo.head()
    swap = repo.commit_ok(message('Rotate a key'), {SIGNERS_PATH: signers_file(('alice@example.com', mallory))},
                          verify=False)
    charge = repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    write_ledger(repo, {**entry(mallory, change_of(repo, swap), 'alice@example.com'),
                        **entry(mallory, change_of(repo, charge), 'alice@example.com')})
    for args in ((f'{base}..HEAD',), ('--base', base), (f'{base}..HEAD', '--policy-rev', base)):
        result = repo.trailgate('check', '--policy', central, *args)
        assert result.returncode == 1, result.output
        assert swap[:10] in result.stdout and charge[:10] in result.stdout
    # without an excluded side there is no trusted base to read the signers from
    result = repo.trailgate('check', '--policy', central, 'HEAD')
    assert result.returncode == 2, result.output
    assert 'names signers (.trailgate/allowed_signers), which are read from a trusted base' in result.stderr


def test_a_merge_that_keeps_a_revoked_key_is_refused_under_a_central_policy(tmp_path: Path) -> None:
    """With the signers file read from the trusted base, a pull request that
    merges the target in but keeps its own, older signers file (a key main
    revoked) shows no change to it in any commit it adds; once landed, the
    revoked key approves every later change. As under the repository's own
    policy, landing it is refused for the policy owners to review."""
    old = make_key(tmp_path / 'keys', 'alice-old')
    new = make_key(tmp_path / 'keys', 'alice-new')
    central = _policy_file(tmp_path, signed_policy(1, 'alice@example.com'))
    repo = new_repo(tmp_path / 'r', signed_policy(1, 'alice@example.com'), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', old))})
    fork = repo.head()
    repo.commit_ok(message('Revoke a leaked key'), {SIGNERS_PATH: signers_file(('alice@example.com', new))},
                   verify=False)
    repo.git('switch', '-q', '-c', 'pr', fork)
    repo.git('merge', '-q', '-s', 'ours', '--no-verify', '-m', 'Merge main', 'main')
    result = repo.trailgate('check', '--policy', central, '--base', 'main', '--target', 'main')
    assert result.returncode == 1, result.output
    assert SIGNERS_PATH in result.stdout and 'that no commit it adds changes' in result.stdout, result.output
    # into a branch that is not protected, only reported
    protected = tmp_path / 'protected.yaml'
    protected.write_text(signed_policy(1, 'alice@example.com') + 'protected: [main]\n')
    result = repo.trailgate('check', '--policy', str(protected), '--base', 'main', '--target', 'staging')
    assert result.returncode == 0, result.output


def test_a_merge_that_keeps_a_revoked_key_is_refused_beside_an_approved_policy_change(tmp_path: Path) -> None:
    """After the merge that keeps the pull request's older signers file, a
    commit changes the policy file, with a policy owner's signed approval of
    that change alone. It is the last commit to change one of the two files,
    not the file the merge takes back: each file is judged on its own, and
    landing the revoked key is still refused."""
    from testing.approvals import change_of
    from testing.approvals import entry
    from testing.approvals import write_ledger
    from testing.scenarios import POLICY_PATH

    old = make_key(tmp_path / 'keys', 'alice-old')
    new = make_key(tmp_path / 'keys', 'alice-new')
    text = signed_policy(1, 'alice@example.com')
    repo = new_repo(tmp_path / 'r', text, hooks=False, files={SIGNERS_PATH: signers_file(('alice@example.com', old))})
    fork = repo.head()
    repo.commit_ok(message('Revoke a leaked key'), {SIGNERS_PATH: signers_file(('alice@example.com', new))},
                   verify=False)
    for branch, start in (('reworded', 'main'), ('pr', fork)):
        repo.git('switch', '-q', '-c', branch, start)
        if branch == 'pr':
            repo.git('merge', '-q', '-s', 'ours', '--no-verify', '-m', 'Merge main', 'main')
        reword = repo.commit_ok(message('Name the tier'), {POLICY_PATH: text + '# tier 1: the card path\n'},
                                verify=False)
        write_ledger(repo, entry(new, change_of(repo, reword), 'alice@example.com'))
    repo.git('switch', '-q', 'reworded')
    result = repo.trailgate('check', '--base', 'main', '--target', 'main')
    assert result.returncode == 0, result.output  # the approved change alone lands
    repo.git('switch', '-q', 'pr')
    result = repo.trailgate('check', '--base', 'main', '--target', 'main')
    assert result.returncode == 1, result.output
    assert SIGNERS_PATH in result.stdout and 'that no commit it adds changes' in result.stdout, result.output


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, 'big') + data


def _sha1_rsa_sshsig(key: Key, message: bytes, namespace: str) -> str:
    """An SSHSIG whose RSA signature is ``ssh-rsa`` (PKCS#1 v1.5 over SHA-1),
    which ssh-keygen no longer makes and OpenSSH refuses in SSHSIG."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric import rsa

    from trailgate.approvals import sshsig

    private = serialization.load_ssh_private_key(key.private.read_bytes(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    data = sshsig.signed_data(namespace, 'sha512', message)
    raw = private.sign(data, padding.PKCS1v15(), hashes.SHA1())
    blob = (b'SSHSIG' + (1).to_bytes(4, 'big') + _ssh_string(sshsig.parse_public_key(key.public_line)[1])
            + _ssh_string(namespace.encode()) + _ssh_string(b'') + _ssh_string(b'sha512')
            + _ssh_string(_ssh_string(b'ssh-rsa') + _ssh_string(raw)))
    return sshsig.armor(blob)


def test_an_rsa_approval_signed_with_sha1_counts_for_nothing_as_in_openssh(tmp_path: Path,
                                                                          keys: dict[str, Key]) -> None:
    from testing.approvals import write_ledger
    from testing.sshkeys import ssh_verify
    from trailgate.approvals import ledger
    from trailgate.approvals import records

    reviewer = make_key(tmp_path / 'keys', 'carol', 'rsa', '3072')
    repo = _signing_repo(tmp_path, keys, ('carol@example.com', reviewer))
    from testing.approvals import change_of

    change = change_of(repo)
    message = records.payload(change, 'carol@example.com')
    armored = _sha1_rsa_sshsig(reviewer, message, records.NAMESPACE)
    assert not ssh_verify(repo.path / SIGNERS_PATH, 'carol@example.com', records.NAMESPACE, armored, message,
                          tmp_path)
    record = records.Record(change, 'carol@example.com', armored)
    write_ledger(repo, {ledger.record_path(record): records.to_blob(record)})
    policy = _policy_file(tmp_path, signed_policy(1, 'carol@example.com'))
    result = repo.trailgate('check', 'HEAD~1..HEAD', '--policy', policy)
    assert result.returncode == 1, result.output
    explained = repo.trailgate('explain', '--policy', policy)
    assert "'ssh-rsa' is refused" in explained.output, explained.output


@pytest.mark.parametrize('agent_holds', ['another key', 'no agent'])
def test_a_key_only_an_agent_could_sign_with_fails_with_the_way_out(
    tmp_path: Path, keys: dict[str, Key], agent: dict[str, str], agent_holds: str,
) -> None:
    """``key::`` or a lone ``.pub``: the private half must come from ssh-agent.
    An agent without it, or no agent at all, is exit 2 naming what to run;
    git commit -S refuses the same configuration."""
    repo = _signing_repo(tmp_path, keys)
    env = {**git_env(), **agent} if agent_holds == 'another key' else git_env()
    if agent_holds == 'another key':
        subprocess.run(['ssh-add', '-q', str(keys['bob'].private)], check=True, capture_output=True,
                       env={**ssh_env(), **agent})
    lone = tmp_path / 'lone' / 'alice.pub'
    lone.parent.mkdir()
    shutil.copy(keys['alice'].public, lone)
    for value in (f'key::{keys["alice"].public_line}', str(lone)):
        repo.git('config', 'user.signingKey', value)
        assert not _git_commit_signs(repo, repo.path, env)
        result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', env=env)
        assert result.returncode == 2, result.output
        assert 'internal error' not in result.stderr, result.stderr
        hint = signing.NO_AGENT_HINT if agent_holds == 'no agent' else signing.NOT_IN_AGENT_HINT
        assert hint in result.stderr, result.stderr
    assert repo.rev('refs/trailgate/approvals') is None


def test_approve_with_stdin_closed_is_no_terminal(tmp_path: Path, keys: dict[str, Key]) -> None:
    """A script or an IDE task may run approve with no stdin at all: nothing can
    be asked, so it signs as with --yes (as with stdin at /dev/null), never a crash."""
    repo = _signing_repo(tmp_path, keys)
    repo.git('config', 'user.signingKey', str(keys['alice'].private))
    result = repo.run('sh', '-c', '"$0" -m trailgate approve HEAD~1..HEAD <&-', sys.executable)
    assert result.returncode == 0, result.output
    assert 'recorded 1 approval(s)' in result.stdout, result.output
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == 0


@pytest.mark.parametrize(('options', 'reason'), [
    ('namespaces="git"', "does not allow this key in namespace 'change-approval-v1@trailgate'"),
    ('valid-before="20200101Z"', 'the key expired at 2020-01-01'),
    ('valid-after="20990101Z"', 'not valid before 2099-01-01'),
])
def test_approve_refuses_before_signing_what_would_count_for_nothing(tmp_path: Path, keys: dict[str, Key],
                                                                     options: str, reason: str) -> None:
    """The reviewer's every line in the trusted file restricts the key away
    from trailgate's approvals: say why, sign nothing, record nothing."""
    repo = _signing_repo(tmp_path, keys)
    signers = (repo.path / SIGNERS_PATH).read_text().replace('alice@example.com ', f'alice@example.com {options} ')
    repo.commit_ok(message('Restrict alice'), {SIGNERS_PATH: signers}, verify=False)
    repo.commit_ok(message('AI', ASSISTED), {CRITICAL: 'z = 2\n'}, verify=False)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', str(keys['alice'].private))
    assert result.returncode == 2, result.output
    assert reason in result.stderr and 'your key cannot approve' in result.stderr, result.stderr
    assert repo.rev('refs/trailgate/approvals') is None


def test_a_key_with_a_git_line_and_an_approvals_line_approves(tmp_path: Path, keys: dict[str, Key]) -> None:
    """One allowed_signers file for git (``gpg.ssh.allowedSignersFile``) and
    trailgate: the key's git-only line does not hide its line for approvals."""
    repo = _signing_repo(tmp_path, keys)
    from trailgate.approvals import records

    signers = (repo.path / SIGNERS_PATH).read_text()
    alice_line = next(line for line in signers.splitlines() if line.startswith('alice@'))
    key = alice_line.split(' ', 1)[1]
    both_lines = signers.replace(alice_line, f'alice@example.com namespaces="git" {key}\n'
                                             f'alice@example.com namespaces="{records.NAMESPACE}" {key}')
    repo.commit_ok(message('Alice signs commits too'), {SIGNERS_PATH: both_lines}, verify=False)
    repo.commit_ok(message('AI', ASSISTED), {CRITICAL: 'z = 3\n'}, verify=False)
    result = repo.trailgate('approve', 'HEAD~1..HEAD', '--yes', '--key', str(keys['alice'].private))
    assert result.returncode == 0, result.output
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == 0


# -- signers add, with what owners pass --------------------------------------------------


def _owner_repo(tmp_path: Path, keys: dict[str, Key]) -> Repo:
    return new_repo(tmp_path / 'r', signed_policy(), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', keys['alice']))})


def test_signers_add_refuses_a_private_key_and_copies_nothing_of_it(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _owner_repo(tmp_path, keys)
    before = (repo.path / SIGNERS_PATH).read_bytes()
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keys['bob'].private))
    assert result.returncode == 2, result.output
    assert 'is a private key' in result.stderr and f'{keys["bob"].private}.pub' in result.stderr, result.stderr
    assert (repo.path / SIGNERS_PATH).read_bytes() == before
    secret = keys['bob'].private.read_text().splitlines()[1]
    assert secret not in result.output


@pytest.mark.parametrize(('content', 'fragment'), [
    ('{bob}\n{carol}\n', 'holds 2 lines'),
    ('no-port-forwarding,from="10.0.0.0/8" {bob}\n', 'preceded by options'),
    ('', 'no public key'),
])
def test_signers_add_refuses_a_file_that_is_not_one_public_key(tmp_path: Path, keys: dict[str, Key],
                                                               content: str, fragment: str) -> None:
    repo = _owner_repo(tmp_path, keys)
    before = (repo.path / SIGNERS_PATH).read_bytes()
    keyfile = tmp_path / 'given.pub'
    keyfile.write_text(content.format(bob=keys['bob'].public_line, carol=keys['carol'].public_line))
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keyfile))
    assert result.returncode == 2, result.output
    assert fragment in result.stderr, result.stderr
    assert (repo.path / SIGNERS_PATH).read_bytes() == before


def test_signers_add_refuses_a_certificate(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _owner_repo(tmp_path, keys)
    authority = make_key(tmp_path / 'ca', 'ca')
    shutil.copy(keys['bob'].public, tmp_path / 'bob.pub')
    subprocess.run(['ssh-keygen', '-q', '-s', str(authority.private), '-I', 'bob', '-n', 'bob@example.com',
                    str(tmp_path / 'bob.pub')], check=True, capture_output=True, env=ssh_env())
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(tmp_path / 'bob-cert.pub'))
    assert result.returncode == 2 and 'certificates are not supported' in result.stderr, result.output


@pytest.mark.parametrize('email', ['bob', 'Bob Builder <bob@example.com>', 'b\u00f3b@example.com', 'bob@',
                                   'bob@example.com,eve@example.com'])
def test_signers_add_refuses_what_no_approval_could_name(tmp_path: Path, keys: dict[str, Key], email: str) -> None:
    repo = _owner_repo(tmp_path, keys)
    before = (repo.path / SIGNERS_PATH).read_bytes()
    result = repo.trailgate('signers', 'add', email, str(keys['bob'].public))
    assert result.returncode == 2, result.output
    assert 'not a plain email' in result.stderr and 'internal error' not in result.stderr, result.stderr
    assert (repo.path / SIGNERS_PATH).read_bytes() == before


def test_signers_add_of_someone_in_no_group_says_their_approvals_will_not_count(tmp_path: Path,
                                                                                keys: dict[str, Key]) -> None:
    repo = _owner_repo(tmp_path, keys)
    result = repo.trailgate('signers', 'add', 'zed@elsewhere.example', str(keys['carol'].public))
    assert result.returncode == 0, result.output
    assert 'zed@elsewhere.example is in no group' in result.stderr, result.stderr
    quiet = repo.trailgate('signers', 'add', 'bob@example.com', str(keys['bob'].public))
    assert quiet.returncode == 0 and 'in no group' not in quiet.output, quiet.output


def test_signers_add_of_a_second_key_for_a_listed_reviewer_adds_it(tmp_path: Path, keys: dict[str, Key]) -> None:
    """A reviewer's new key (a rotation, a second machine) is a new line, not "already lists this key"."""
    repo = _owner_repo(tmp_path, keys)
    result = repo.trailgate('signers', 'add', 'alice@example.com', str(keys['carol'].public))
    assert result.returncode == 0 and 'already lists' not in result.output, result.output
    assert (repo.path / SIGNERS_PATH).read_text() == signers_file(('alice@example.com', keys['alice']),
                                                                   ('alice@example.com', keys['carol']))


def test_signers_add_skips_comment_and_blank_lines_of_the_key_file(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _owner_repo(tmp_path, keys)
    keyfile = tmp_path / 'bob.pub'
    keyfile.write_text(f'# bob\'s laptop, 2026\n\n   \n{keys["bob"].public_line}\n  # rotated yearly\n')
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keyfile))
    assert result.returncode == 0, result.output
    assert (repo.path / SIGNERS_PATH).read_text() == both(keys)


def test_signers_add_refuses_a_key_file_over_the_size_cap(tmp_path: Path, keys: dict[str, Key]) -> None:
    """One public key and 64 KiB of comments: too large for what it claims to be, refused unread."""
    from trailgate.commands.signers import MAX_KEY_FILE_BYTES

    repo = _owner_repo(tmp_path, keys)
    before = (repo.path / SIGNERS_PATH).read_bytes()
    keyfile = tmp_path / 'bob.pub'
    keyfile.write_text(f'{keys["bob"].public_line}\n' + '#\n' * (MAX_KEY_FILE_BYTES // 2))
    assert keyfile.stat().st_size > MAX_KEY_FILE_BYTES
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keyfile))
    assert result.returncode == 2 and 'too large for a public key file' in result.stderr, result.output
    assert (repo.path / SIGNERS_PATH).read_bytes() == before


def test_signers_add_of_a_key_file_it_cannot_read_is_a_usage_error(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _owner_repo(tmp_path, keys)
    before = (repo.path / SIGNERS_PATH).read_bytes()
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(tmp_path / 'missing.pub'))
    assert result.returncode == 2, result.output
    assert f'{tmp_path / "missing.pub"}: cannot read the public key' in result.stderr, result.stderr
    assert 'internal error' not in result.stderr and 'Traceback' not in result.stderr, result.stderr
    assert (repo.path / SIGNERS_PATH).read_bytes() == before


def test_signers_add_takes_a_key_whose_comment_starts_like_a_key_type(tmp_path: Path, keys: dict[str, Key]) -> None:
    """Only words before the key type are authorized_keys options; a comment after the key is not one."""
    repo = _owner_repo(tmp_path, keys)
    key_type, blob = keys['bob'].public_line.split()[:2]
    keyfile = tmp_path / 'bob.pub'
    keyfile.write_text(f'{key_type} {blob} ssh-ed25519-ci-runner\n')
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keyfile))
    assert result.returncode == 0, result.output
    assert (repo.path / SIGNERS_PATH).read_text().endswith(f'bob@example.com {key_type} {blob} ssh-ed25519-ci-runner\n')


def test_signers_add_keeps_a_comment_that_is_not_ascii(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = _owner_repo(tmp_path, keys)
    key_type, blob = keys['bob'].public_line.split()[:2]
    keyfile = tmp_path / 'bob.pub'
    keyfile.write_text(f'{key_type} {blob} Jos\u00e9@laptop\n', encoding='utf-8')
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keyfile))
    assert result.returncode == 0, result.output
    assert (repo.path / SIGNERS_PATH).read_text(encoding='utf-8').endswith(f'{blob} Jos\u00e9@laptop\n')
    assert validate(repo)[0] == 0


def test_signers_add_creates_the_file_the_policy_names(tmp_path: Path, keys: dict[str, Key]) -> None:
    policy = signed_policy(1, 'bob@example.com').replace(SIGNERS_PATH, 'security/reviewers/allowed_signers')
    repo = new_repo(tmp_path / 'r', policy, hooks=False)
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keys['bob'].public))
    assert result.returncode == 0, result.output
    created = repo.path / 'security' / 'reviewers' / 'allowed_signers'
    assert created.read_text() == signers_file(('bob@example.com', keys['bob']))
    assert not created.stat().st_mode & 0o111  # a data file, as git checks it out
    assert validate(repo)[0] == 0


def test_signers_add_without_signers_in_the_policy_names_the_key_to_set(tmp_path: Path, keys: dict[str, Key]) -> None:
    repo = new_repo(tmp_path / 'r', signed_policy(1).replace(f'signers: {SIGNERS_PATH}\n', '').replace(
        ', signed: true', ''), hooks=False)
    result = repo.trailgate('signers', 'add', 'bob@example.com', str(keys['bob'].public))
    assert result.returncode == 2, result.output
    assert 'add `signers: .trailgate/allowed_signers`' in result.stderr, result.stderr
