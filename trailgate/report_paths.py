"""Where a report file may be written (``--output``, audit's ``--html``,
``--json`` and ``--csv``).

A report holds text anyone who could push wrote, and CI writes it in a
checkout of the change under review, whose commits choose what the work tree
holds. So a report is never written into the repository's git directory
(nor the common one of a worktree), where git reads configuration, nor
straight into its hooks directory, where git would run it; and never
through a symbolic link in the work tree, which a commit can put where the
report goes (``trailgate.sarif -> ~/.bashrc``, on a runner that keeps its
home between jobs).
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from trailgate import git


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _containing(path: str) -> Iterator[tuple[int, int]]:
    """The device and inode of each existing directory ``path`` is in: the same
    directory under another spelling (``.GIT`` on a case-insensitive file
    system, a bind mount) is the same pair."""
    directory = os.path.dirname(path)
    while True:
        found = _identity(directory)
        if found is not None:
            yield found
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _same_directory(one: str, other: str) -> bool:
    if one == other:
        return True
    found = _identity(one)
    return found is not None and found == _identity(other)


def _inside(path: str, directory: str) -> bool:
    if os.path.commonpath((path, directory)) == directory:
        return True
    found = _identity(directory)
    return found is not None and (found == _identity(path) or found in _containing(path))


def real_path(path: str) -> str:
    """The real path a write to ``path`` lands on (symbolic links followed)."""
    return os.path.realpath(os.path.abspath(path))


def _through_work_tree_link(path: str, toplevel: str) -> bool:
    """Is ``path`` in the work tree, and a symbolic link, or in a directory
    of it that a symbolic link leads out of?"""
    lexical = os.path.abspath(path)
    top = real_path(toplevel)
    if not (_inside(lexical, toplevel) or _inside(lexical, top)):
        return False
    directory = real_path(os.path.dirname(lexical))
    return os.path.islink(lexical) or not _inside(os.path.join(directory, 'x'), top)


def refusal(path: str, areas: git.GitAreas) -> str | None:
    """Why a report must not be written to ``path`` in the repository of
    ``areas`` (``git.git_areas()``), or None."""
    if areas.toplevel is not None and _through_work_tree_link(path, areas.toplevel):
        return ('it is reached through a symbolic link in the work tree, which a commit can put there; '
                'write the report elsewhere')
    where = real_path(path)
    inside = next((area for area in (areas.git_dir, areas.common_dir) if _inside(where, real_path(area))), None)
    if inside is None and _same_directory(os.path.dirname(where), real_path(areas.hooks)):
        inside = areas.hooks
    if inside is not None:
        return (f'it is inside {inside}, where git reads its configuration or runs hooks; '
                'write the report elsewhere')
    return None
