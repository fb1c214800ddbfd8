"""The ``git push`` command line, as the pre-commit framework's pre-push reads it."""
from __future__ import annotations

import pytest

from trailgate import invocation


@pytest.mark.parametrize(('args', 'expected'), [
    (['origin'], []),
    ([], []),
    (['-u', 'origin', 'feature'], [('feature', None)]),
    (['origin', 'feature:main', '+HEAD:refs/heads/x'], [('feature', 'main'), ('HEAD', 'refs/heads/x')]),
    (['--push-option', 'ci.skip', 'origin', 'v1'], [('v1', None)]),
    (['-o', 'x', '--force-with-lease', 'origin', 'a', 'b'], [('a', None), ('b', None)]),
    (['--all', 'origin'], [('refs/heads/*', None)]),
    (['--branches', 'origin'], [('refs/heads/*', None)]),
    (['--tags', 'origin', 'main'], [('refs/tags/*', None), ('main', None)]),
    (['origin', 'refs/tags/*', '+refs/heads/*:refs/heads/*'], [('refs/tags/*', None), ('refs/heads/*', None)]),
    (['origin', 'refs/heads/*:refs/heads/x/*'], None),
    (['--follow-tags', 'origin', 'main'], [('main', None)]),
    (['--mirror', 'origin'], None),
    (['origin', ':feature'], None),  # a deletion: nothing lands
])
def test_pushed_refspecs(monkeypatch: pytest.MonkeyPatch, args: list[str],
                         expected: list[tuple[str, str | None]] | None) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.pushed_refspecs() == expected


def test_unknown_push(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: None)
    assert invocation.pushed_refspecs() is None
    assert invocation.pushed_sources() is None
