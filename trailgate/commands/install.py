"""``trailgate install``: git hooks without the pre-commit framework.

Hooks go where git looks for them: ``git rev-parse --git-path hooks``
honours ``core.hooksPath`` and linked worktrees. A hook trailgate wrote
carries a marker line; any other hook is foreign and is only replaced with
``--force``, after a backup. With ``--policy PATH`` the hooks run with that
policy file (its absolute path), as a server that keeps its policy outside
the repository needs.
"""
from __future__ import annotations

import os
import shlex
import stat
import sys

from trailgate import git
from trailgate.errors import FatalError
from trailgate.errors import UsageError

DEFAULT_HOOKS = ('commit-msg', 'prepare-commit-msg', 'pre-push')
SERVER_HOOKS = ('pre-receive',)  # a bare repository receives pushes
MARKER = '# installed by `trailgate install`'
BACKUP_SUFFIX = '.trailgate-backup'


# -c, never -m: git runs a hook at the top of the work tree, and ``-m`` would
# import the work tree's own trailgate/ (a clone's, a branch's) in place of ours
RUN_WITHOUT_WORK_TREE = 'import sys; sys.path[:] = [p for p in sys.path if p]; ' \
    'from trailgate.main import main; sys.exit(main())'


def hook_script(hook: str, policy: str | None = None) -> str:
    python = shlex.quote(sys.executable)
    command = f'{hook} --policy {shlex.quote(policy)}' if policy else hook
    return (
        '#!/bin/sh\n'
        f'{MARKER}; remove with `trailgate install --uninstall`.\n'
        f'if [ -x {python} ]; then\n'
        f'    exec {python} -c {shlex.quote(RUN_WITHOUT_WORK_TREE)} {command} "$@"\n'
        'fi\n'
        'if command -v trailgate >/dev/null 2>&1; then\n'
        f'    exec trailgate {command} "$@"\n'
        'fi\n'
        f'echo "trailgate: not installed any more; run \\`trailgate install --uninstall\\` '
        f'or reinstall it" >&2\n'
        f'exit {0 if hook == "prepare-commit-msg" else 2}\n'
    )


def hooks_dir() -> str:
    path = git.decode(git.run('rev-parse', '--git-path', 'hooks')).strip()
    return os.path.abspath(path)


# where core.hooksPath, when set there, is the hooks directory of every repository
_SHARED_SCOPES = ('global', 'system')
INSTALL_HERE = 'git config core.hooksPath "$(git rev-parse --path-format=absolute --git-common-dir)/hooks"'


def _shared_hooks_path() -> tuple[str, str] | None:
    """(scope, file) when core.hooksPath comes from a config that every
    repository reads (global or system), not from this repository's own."""
    out = git.run_ok('config', '--show-origin', '--show-scope', '--get', 'core.hooksPath')
    scope, _, rest = git.decode(out or b'').partition('\t')
    origin, _, _ = rest.partition('\t')
    if scope in _SHARED_SCOPES:
        return scope, origin.removeprefix('file:')
    return None


def _shared_warning(directory: str) -> str | None:
    shared = _shared_hooks_path()
    if shared is None:
        return None
    scope, origin = shared
    return (
        f'note: core.hooksPath is set in the {scope} git config ({origin}): {directory} is the '
        f'hooks directory of every repository that does not set its own, so these hooks run in all '
        f'of them, and refuse commits in every repository without a policy. To install for this '
        f'repository only instead:\n'
        f'  trailgate install --uninstall\n'
        f'  {INSTALL_HERE}\n'
        f'  trailgate install'
    )


def _is_ours(path: str) -> bool:
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return MARKER in f.read(4096)
    except OSError:
        return False


def _write(path: str, content: str) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        f.write(content)
    mode = os.stat(path).st_mode
    os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _refusal(directory: str, hook: str, force: bool) -> str | None:
    """Why installing ``hook`` would destroy something, or None."""
    path = os.path.join(directory, hook)
    if not os.path.lexists(path) or _is_ours(path):
        return None
    if not force:
        return (
            f'{path} exists and was not written by trailgate; not overwriting it. '
            f'Use --force to replace it (a backup is kept as {hook}{BACKUP_SUFFIX}), '
            f'or call `trailgate {hook}` from it yourself'
        )
    if os.path.lexists(path + BACKUP_SUFFIX):
        return (
            f'{path} is foreign and {path}{BACKUP_SUFFIX} already holds an earlier hook; '
            f'move one of them away first (trailgate never deletes a hook it did not write)'
        )
    return None


def _install_one(directory: str, hook: str, policy: str | None) -> str:
    path = os.path.join(directory, hook)
    if os.path.lexists(path) and not _is_ours(path):
        os.replace(path, path + BACKUP_SUFFIX)
        _write(path, hook_script(hook, policy))
        return f'replaced {path} (backup: {path}{BACKUP_SUFFIX})'
    _write(path, hook_script(hook, policy))
    return f'installed {path}'


def _uninstall_one(directory: str, hook: str) -> str | None:
    path = os.path.join(directory, hook)
    if not os.path.lexists(path) or not _is_ours(path):
        return None
    os.remove(path)
    backup = path + BACKUP_SUFFIX
    if os.path.lexists(backup):
        os.replace(backup, path)
        return f'removed {path}; restored the previous hook from its backup'
    return f'removed {path}'


def install(hook_types: tuple[str, ...], force: bool, uninstall: bool, policy: str | None = None) -> int:
    repo = git.repo()  # not a repository: exit 2 with git's reason
    if policy is not None and not uninstall:
        if not os.path.isfile(policy):
            raise UsageError(f'--policy {policy}: no such policy file')
        policy = os.path.abspath(policy)  # hooks run in the top level, or in a bare repository
    directory = hooks_dir()
    hooks = hook_types or (SERVER_HOOKS if repo.bare else DEFAULT_HOOKS)
    if uninstall:
        messages = [m for m in (_uninstall_one(directory, hook) for hook in hooks) if m]
        print('\n'.join(messages) if messages else 'no trailgate hooks to remove')
        return 0
    # check every hook before writing any, so a refusal leaves nothing half-done
    for hook in hooks:
        refusal = _refusal(directory, hook, force)
        if refusal:
            raise FatalError(refusal)
    os.makedirs(directory, exist_ok=True)
    for hook in hooks:
        print(_install_one(directory, hook, policy))
    warning = _shared_warning(directory)
    if warning:
        print(warning, file=sys.stderr)
    return 0
