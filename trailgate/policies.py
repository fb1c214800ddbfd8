"""Where the policy comes from: an explicit file, the work tree, or a
trusted base revision (so a change cannot weaken the policy that judges it).
"""
from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable

from trailgate import git
from trailgate.display import from_user_directory
from trailgate.display import visible
from trailgate.errors import PolicyError
from trailgate.policy import DEFAULT_POLICY_PATH
from trailgate.policy import Policy
from trailgate.policy import load_policy

NO_POLICY_HINT = 'run `trailgate init` to write a starter .trailgate/policy.yaml'


def _policy_paths(repo: git.Repo, explicit: str | None) -> frozenset[str]:
    """Repository paths whose change is a change to the policy."""
    paths = {DEFAULT_POLICY_PATH}
    if explicit and repo.toplevel:
        relative = os.path.relpath(os.path.abspath(explicit), repo.toplevel)
        if not relative.startswith('..') and not os.path.isabs(relative):
            paths.add(relative.replace(os.sep, '/'))
    return frozenset(paths)


def _read_regular(path: str) -> bytes:
    """The first 2 MiB of a regular file. Opened without blocking and checked
    before reading: a FIFO would wait for a writer for ever, a device never ends."""
    fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    with os.fdopen(fd, 'rb') as f:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(mode):
            raise PolicyError(f'{path}: not a regular file')
        return f.read(2 * 1024 * 1024)


def from_file(path: str, repo: git.Repo | None, signers_at: tuple[git.CatFile, str] | None = None) -> Policy:
    """The policy in the file ``path``; its allowed-signers file from the
    work tree (or, without one, beside the policy file), or as committed at
    the revision ``signers_at`` names: a gate's trusted base, never the
    change it judges."""
    try:
        data = _read_regular(path)
    except FileNotFoundError:
        raise PolicyError(f'{path}: no such policy file; {NO_POLICY_HINT}') from None
    except IsADirectoryError:
        raise PolicyError(f'{path}: is a directory, not a policy file') from None
    except OSError as e:
        raise PolicyError(f'{path}: cannot read the policy: {e.strerror}') from None
    policy = load_policy(data, path, cache_dir=repo.git_dir if repo else None)
    paths = _policy_paths(repo, path) if repo else frozenset((DEFAULT_POLICY_PATH,))
    policy = policy.with_source(path, paths)
    if policy.signers_path is not None and signers_at is not None:
        cat, rev = signers_at
        signers_name = f'{rev[:12]}:{policy.signers_path}'
        policy = with_signers(policy, data, path, cat.blob(rev, policy.signers_path), signers_name)
    elif policy.signers_path is not None:
        base = repo.toplevel if repo and repo.toplevel else os.path.dirname(os.path.abspath(path))
        signers_file = os.path.join(base, policy.signers_path)
        policy = with_signers(policy, data, path, _read_signers(signers_file), signers_file)
    return policy


def _read_signers(path: str) -> bytes | None:
    try:
        return _read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise PolicyError(f'{path}: cannot read the allowed-signers file: {e.strerror}') from None


def with_signers(policy: Policy, policy_data: bytes, policy_name: str, data: bytes | None,
                 signers_name: str) -> Policy:
    """The policy with its allowed-signers file parsed and checked against
    the groups: every member of a group whose reviews must be signed needs
    a key, or that requirement could silently be unreachable."""
    from trailgate.approvals import allowed_signers
    from trailgate.model import email_of
    from trailgate.model import fold_email

    if data is None:
        line, col = _signers_position(policy_data, policy.signers_path or '')
        raise PolicyError(
            f'{visible(signers_name)}: the policy names this allowed-signers file '
            f'(signers: {visible(policy.signers_path or "")}) '
            f'but it does not exist; create it with `trailgate signers add EMAIL KEY.pub`',
            (f'{policy_name}:{line}:{col}: signers: {visible(policy.signers_path or "")} does not exist '
             f'({visible(signers_name)}); create it with `trailgate signers add EMAIL KEY.pub`',),
        )
    signers = allowed_signers.parse(data, signers_name)
    with_keys = signers.emails_with_keys()
    problems = []
    for group in _signed_groups(policy):
        for member in policy.people.get(group, ()):
            email = email_of(member) or member
            if fold_email(email) not in with_keys:
                line, col = _position_of(policy_data, email)
                problems.append(
                    f'{policy_name}:{line}:{col}: groups.{group}: {email} signs approvals for this group '
                    f'but has no key in {policy.signers_path}',
                )
    if problems:
        raise PolicyError(
            f'{policy_name}: {len(problems)} reviewer{"s have" if len(problems) != 1 else " has"} no key '
            f'in {policy.signers_path}; add each with `trailgate signers add EMAIL KEY.pub`',
            tuple(problems),
        )
    return policy._replace(signers=signers)


def _signed_groups(policy: Policy) -> list[str]:
    groups = []
    owners = policy.owner_reviews()
    if owners is not None and owners.signed:
        groups.append(owners.group)
    for rule in policy.rules:
        reviews = rule.require.reviews
        if reviews is not None and reviews.signed and reviews.group not in groups:
            groups.append(reviews.group)
    return groups


_SIGNERS_KEY = re.compile(rb'^signers[ \t]*:[ \t]*', re.MULTILINE)


def _signers_position(data: bytes, signers_path: str) -> tuple[int, int]:
    """Where the top-level ``signers:`` value is written (a problem with the
    file it names is located there, as validate's FILE:LINE:COL)."""
    key = _SIGNERS_KEY.search(data)
    if key is None:
        return _position_of(data, signers_path)
    line_start = data.rfind(b'\n', 0, key.start()) + 1
    return data.count(b'\n', 0, key.start()) + 1, key.end() - line_start + 1


def _position_of(data: bytes, text: str) -> tuple[int, int]:
    index = data.find(text.encode('utf-8', 'surrogateescape'))
    if index < 0:
        return 1, 1
    line_start = data.rfind(b'\n', 0, index) + 1
    return data.count(b'\n', 0, index) + 1, index - line_start + 1


def explicit_path(option: str | None) -> str | None:
    return option or os.environ.get('TRAILGATE_POLICY') or None


def from_worktree(repo: git.Repo, explicit: str | None) -> Policy:
    """The policy for commit-msg, prepare-commit-msg, explain, validate."""
    if explicit:
        return from_file(explicit, repo)
    if repo.toplevel is None:
        raise PolicyError(
            f'this is a bare repository: there is no work tree {DEFAULT_POLICY_PATH}; '
            f'pass --policy PATH',
        )
    path = os.path.join(repo.toplevel, DEFAULT_POLICY_PATH)
    if not os.path.exists(path):
        if git.skips_worktree(DEFAULT_POLICY_PATH):
            return _from_index(repo)
        raise PolicyError(f'no policy: {from_user_directory(path)} does not exist; {NO_POLICY_HINT}')
    policy = from_file(path, repo)
    return policy.with_source(DEFAULT_POLICY_PATH, policy.policy_paths)


def _from_index(repo: git.Repo) -> Policy:
    """The policy of a sparse checkout that leaves it out of the work tree:
    the index's, which is what the next commit holds (and its allowed-signers
    file from the work tree, or from the index where it is left out too)."""
    with git.CatFile() as cat:
        data = cat.blob('', DEFAULT_POLICY_PATH)
        if data is None:
            raise PolicyError(f'no policy: {DEFAULT_POLICY_PATH} is not a file in the index; {NO_POLICY_HINT}')
        policy = load_policy(data, DEFAULT_POLICY_PATH, cache_dir=repo.git_dir)
        policy = policy.with_source(DEFAULT_POLICY_PATH, frozenset((DEFAULT_POLICY_PATH,)))
        if policy.signers_path is None:
            return policy
        assert repo.toplevel is not None
        signers_file = os.path.join(repo.toplevel, policy.signers_path)
        signers = _read_signers(signers_file)
        if signers is None and git.skips_worktree(policy.signers_path):
            signers = cat.blob('', policy.signers_path)
        return with_signers(policy, data, DEFAULT_POLICY_PATH, signers, signers_file)


def at_revision(cat: git.CatFile, rev: str, cache_dir: str | None = None) -> Policy | None:
    """The policy as committed at ``rev``, or None if it has none there;
    validated once per text with ``cache_dir`` (the repository's git
    directory), as a work-tree policy is."""
    data = cat.blob(rev, DEFAULT_POLICY_PATH)
    if data is None:
        return None
    name = f'{rev[:12]}:{DEFAULT_POLICY_PATH}'
    policy = load_policy(data, name, cache_dir=cache_dir)
    policy = policy.with_source(f'{DEFAULT_POLICY_PATH} at {rev[:12]}', frozenset((DEFAULT_POLICY_PATH,)))
    if policy.signers_path is not None:
        signers_name = f'{rev[:12]}:{policy.signers_path}'
        policy = with_signers(policy, data, name, cat.blob(rev, policy.signers_path), signers_name)
    return policy


def landing(policy: Policy, cat: git.CatFile, tips: Iterable[str], cache_dir: str | None) -> Policy:
    """``policy`` (a trusted base's, with ``policy_owners``) as the judge of
    an update that gives a ref each of ``tips``: the allowed-signers file
    that the committed policy at a tip names is the one the ref's next push
    reads, so a commit of the update that changes it changes the signer
    file, and needs the owners' review, whichever file the base's policy
    names. (A ``signers:`` edit an owner approves must not open a file that
    the same push fills with keys nobody reviewed.) A tip whose policy is
    missing or invalid names none: the next push there fails closed."""
    if policy.policy_owners is None:
        return policy
    named = set()
    for tip in dict.fromkeys(tips):
        data = cat.blob(tip, DEFAULT_POLICY_PATH)
        if data is None:
            continue
        try:
            signers_path = load_policy(data, f'{tip[:12]}:{DEFAULT_POLICY_PATH}', cache_dir=cache_dir).signers_path
        except PolicyError:
            continue
        if signers_path is not None and signers_path not in policy.policy_paths:
            named.add(signers_path)
    if not named:
        return policy
    return policy._replace(policy_paths=policy.policy_paths | named,
                           landing_signers=policy.landing_signers | named)
