"""The merge trees a merge's own change is measured against: one ``git
merge-tree --stdin`` for every merge of a chunk where git has it (2.40+),
one ``git merge-tree`` per merge otherwise; both give exactly what ``git
merge-tree --write-tree`` gives for each pair, conflicts and unmergeable
pairs included."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from testing.util import write
from trailgate import git as tg_git

# a directory holding a git of 2.40 or later, to run the --stdin path where the system's git is older
NEWER_GIT = 'TRAILGATE_TEST_NEWER_GIT_DIR'
PAIRS = [('main', 'side'), ('main', 'conflict'), ('main', 'lonely'), ('side', 'conflict'),
         ('lonely', 'side'), ('side', 'main')]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """main and side merge cleanly, main and conflict conflict, lonely shares no history."""
    path = init_repo(tmp_path / 'repo')
    monkeypatch.chdir(path)
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)
    lines = [f'{n}\n' for n in range(30)]
    write(path / 'f', ''.join(lines))
    git(path, 'add', '-A')
    git(path, 'commit', '-q', '-m', 'base')
    for branch, line, text in (('side', 25, 'side'), ('conflict', 1, 'other'), ('main', 1, 'main')):
        if branch != 'main':
            git(path, 'checkout', '-q', '-b', branch, 'main')
        else:
            git(path, 'checkout', '-q', 'main')
        write(path / 'f', ''.join([*lines[:line], f'{text}\n', *lines[line + 1:]]))
        git(path, 'commit', '-q', '-am', branch)
    git(path, 'checkout', '-q', '--orphan', 'lonely')
    git(path, 'rm', '-q', '-rf', '--cached', '.')
    write(path / 'g', 'alone\n')
    git(path, 'add', 'g')
    git(path, 'commit', '-q', '-m', 'lonely')
    git(path, 'checkout', '-q', '-f', 'main')
    detect = tg_git.merge_tree_takes_stdin
    detect.cache_clear()
    yield path
    detect.cache_clear()  # a test may have asked a newer git


def _expected(repo: Path) -> list[str | None]:
    """``git merge-tree --write-tree`` per pair, run by the test: its tree, or None if it cannot merge."""
    found: list[str | None] = []
    for first, second in _shas(repo):  # the names given label the conflict markers
        result = git(repo, '-c', 'merge.conflictStyle=merge', 'merge-tree', '--write-tree', '--no-messages',
                     first, second, check=False)
        found.append(result.split('\n', 1)[0].strip() or None)
    return found


def _shas(repo: Path) -> list[tuple[str, str]]:
    return [(git(repo, 'rev-parse', a).strip(), git(repo, 'rev-parse', b).strip()) for a, b in PAIRS]


def _counting(monkeypatch: pytest.MonkeyPatch, calls: list[str], *names: str) -> None:
    for name in names:
        original = getattr(tg_git, name)

        def counted(*args: Any, _original: Callable[..., Any] = original, _name: str = name) -> Any:
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(tg_git, name, counted)


def test_one_merge_tree_per_merge_where_git_has_no_stdin(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tg_git, 'merge_tree_takes_stdin', lambda: False)
    calls: list[str] = []
    _counting(monkeypatch, calls, '_merged_trees', '_merge_result_tree')
    trees = tg_git.merge_result_trees(_shas(repo))
    assert trees == _expected(repo)
    assert trees[2] is None and trees[4] is None and trees[0] == trees[5]
    assert calls == ['_merge_result_tree'] * len(PAIRS)


def _git_with_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    directory = os.environ.get(NEWER_GIT)
    if directory:
        monkeypatch.setenv('PATH', f'{directory}{os.pathsep}{os.environ["PATH"]}')
    tg_git.merge_tree_takes_stdin.cache_clear()
    if not tg_git.merge_tree_takes_stdin():
        pytest.skip(f'{shutil.which("git")} is older than git 2.40 (no merge-tree --stdin); '
                    f'set {NEWER_GIT} to a directory holding a newer git')


def test_one_merge_tree_for_all_merges_with_stdin(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git_with_stdin(monkeypatch)
    expected = _expected(repo)
    calls: list[str] = []
    _counting(monkeypatch, calls, '_merged_trees', '_merge_result_tree')
    assert tg_git.merge_result_trees(_shas(repo)) == expected
    # git stops at a pair it cannot merge: that pair is asked alone, and the batch goes on after it
    assert calls == ['_merged_trees', '_merge_result_tree', '_merged_trees', '_merge_result_tree',
                     '_merged_trees'], calls
    calls.clear()
    clean = [pair for pair, tree in zip(_shas(repo), expected, strict=True) if tree is not None]
    assert tg_git.merge_result_trees(clean) == [tree for tree in expected if tree is not None]
    assert calls == ['_merged_trees']


def test_a_git_that_refuses_stdin_still_gives_every_tree(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Told that git has --stdin when it has not (or when the batch fails at once), each pair is asked alone."""
    monkeypatch.setattr(tg_git, 'merge_tree_takes_stdin', lambda: True)
    monkeypatch.setattr(tg_git, '_MERGE_TREE', (*tg_git._MERGE_TREE, '--no-such-option'))
    expected = _expected(repo)
    monkeypatch.setattr(tg_git, '_merge_result_tree', lambda first, second, where: f'alone {first[:7]} {second[:7]}')
    pairs = _shas(repo)
    assert tg_git.merge_result_trees(pairs) == [f'alone {a[:7]} {b[:7]}' for a, b in pairs]
    assert len(expected) == len(pairs)


@pytest.mark.parametrize('where', ['work tree', 'attributes file', 'subdirectory'])
def test_the_checkouts_attributes_do_not_reach_the_merge(repo: Path, tmp_path: Path, where: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """CI checks out the branch under review: its ``.gitattributes`` (or the
    runner's ``core.attributesFile``) could make git resolve a conflict by
    ``merge=union``, as its author resolved it, and change the conflict
    markers. git's merge is taken without them, as on a bare server."""
    expected = _expected(repo)
    attributes = 'f merge=union conflict-marker-size=3\n'
    if where == 'attributes file':
        write(tmp_path / 'attributes', attributes)
        git(repo, 'config', 'core.attributesFile', str(tmp_path / 'attributes'))
    else:
        write(repo / '.gitattributes', attributes)
    if where == 'subdirectory':
        write(repo / 'sub' / '.gitattributes', attributes)
        monkeypatch.chdir(repo / 'sub')
    assert _expected(repo) != expected  # git itself merges otherwise here
    assert tg_git.merge_result_trees(_shas(repo)) == expected
