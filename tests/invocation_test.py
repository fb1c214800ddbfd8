"""The ``git push`` command line, as the pre-commit framework's pre-push reads it."""
from __future__ import annotations

import os
from collections.abc import Iterator

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
    (['origin', 'tag', 'v1'], [('refs/tags/v1', None)]),  # git's `tag <name>` shorthand
    (['origin', 'main', 'tag', 'tag', '+tag'], [('main', None), ('refs/tags/tag', None), ('tag', None)]),
])
def test_pushed_refspecs(monkeypatch: pytest.MonkeyPatch, args: list[str],
                         expected: list[tuple[str, str | None]] | None) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.pushed_refspecs() == expected


def test_unknown_push(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: None)
    assert invocation.pushed_refspecs() is None
    assert invocation.pushed_sources() is None


@pytest.fixture
def ancestors(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, tuple[int, list[str] | None]]]:
    """The process tree above this one, as /proc would show it: pid -> (parent, argv)."""
    tree: dict[int, tuple[int, list[str] | None]] = {}
    monkeypatch.setattr(os, 'getppid', lambda: max(tree))
    monkeypatch.setattr(invocation, '_parent', lambda pid: tree[pid][0] if pid in tree else None)
    monkeypatch.setattr(invocation, '_argv', lambda pid: tree[pid][1] if pid in tree else None)
    invocation._git_process.cache_clear()
    yield tree
    invocation._git_process.cache_clear()


def test_git_command_found_among_the_ancestors(ancestors: dict[int, tuple[int, list[str] | None]]) -> None:
    ancestors.update({
        50: (1, ['/usr/bin/git', '-C', 'commit', '--no-pager', 'commit', '--amend']),
        70: (50, ['/bin/sh', '.git/hooks/commit-msg']),
        90: (70, ['python3', '-m', 'trailgate', 'commit-msg', '.git/COMMIT_EDITMSG']),
    })
    assert invocation.git_command('commit') == ['--amend']
    assert invocation.git_command('push') is None
    assert invocation.is_amending()


def test_git_as_the_first_process_of_a_container(ancestors: dict[int, tuple[int, list[str] | None]]) -> None:
    """`docker run --entrypoint git ... commit --amend`: git is pid 1 of its
    namespace, and its amend is an amend (else the amended commit is judged
    by nothing it changes, and passes)."""
    ancestors.update({1: (0, ['git', 'commit', '--amend']), 7: (1, ['/bin/sh', '.git/hooks/commit-msg'])})
    assert invocation.is_amending()


def test_git_command_unknown_past_an_unreadable_process(
        ancestors: dict[int, tuple[int, list[str] | None]]) -> None:
    ancestors.update({50: (1, ['git', 'commit', '--amend']), 70: (50, None), 90: (70, ['sh', 'hook'])})
    assert invocation.git_command('commit') is None
    assert not invocation.is_amending()


def test_git_command_looks_a_bounded_number_of_levels_up(
        ancestors: dict[int, tuple[int, list[str] | None]]) -> None:
    ancestors[100] = (1, ['git', 'commit', '--amend'])
    for pid in range(101, 101 + invocation._MAX_ANCESTORS):
        ancestors[pid] = (pid - 1, ['sh', 'wrapper'])
    assert invocation.git_command('commit') is None
    del ancestors[100 + invocation._MAX_ANCESTORS]
    invocation._git_process.cache_clear()
    assert invocation.git_command('commit') == ['--amend']


def test_this_process_in_proc() -> None:
    if not os.path.exists('/proc/self/stat'):
        pytest.skip('no /proc')
    assert invocation._parent(os.getpid()) == os.getppid()
    with open('/proc/self/cmdline', 'rb') as f:
        assert invocation._argv(os.getpid()) == [arg.decode('utf-8', 'surrogateescape')
                                                 for arg in f.read().split(b'\0')[:-1]]
    assert invocation._parent(-5) is None
    assert invocation._argv(-5) is None


@pytest.mark.parametrize(('argv', 'expected'), [
    (['git', 'commit', '-q'], ['-q']),
    (['/usr/lib/git-core/git', 'commit'], []),
    (['git', '-C', 'commit', 'commit', '--amend'], ['--amend']),  # -C's value is no subcommand
    (['git', '-c', 'a=b', '--git-dir', 'x', '--bare', 'commit', '-a'], ['-a']),
    (['git', '--no-pager', 'commit'], []),
    (['git', 'log', 'commit'], None),
    (['git', '--version'], None),
    (['git', '-C'], None),
    (['git'], None),
    ([], None),
    (['xgit', 'commit'], None),
    (['python3', 'commit'], None),
    (['sh', '-c', 'commit'], None),
])
def test_subcommand_args(argv: list[str], expected: list[str] | None) -> None:
    assert invocation._subcommand_args(argv, 'commit') == expected


@pytest.mark.parametrize(('args', 'amending'), [
    (['--amend'], True),
    (['-q', '--amen'], True),
    (['--am'], True),
    (['--a'], False),  # --all, --author: ambiguous, git refuses it
    (['--amendment'], False),
    (['-m', 'x'], False),
    (['--', '--amend'], False),  # a path
])
def test_is_amending(monkeypatch: pytest.MonkeyPatch, args: list[str], amending: bool) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.is_amending() is amending


def test_amend_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: None)
    assert invocation.is_amending() is False
    assert invocation.commit_cleanup_option() is None
    assert invocation.push_follows_tags() is None


@pytest.mark.parametrize(('args', 'mode'), [
    (['--cleanup=strip', '--cleanup=verbatim'], 'verbatim'),
    (['--cleanup=scissors', '-m', 'x'], 'scissors'),
    (['--cleanup=a=b'], 'a=b'),
    (['-q'], None),
    (['--cleanup=strip', '--', '--cleanup=verbatim'], 'strip'),
    # git also takes the mode as the next argument, and any unambiguous prefix of the option
    (['--cleanup', 'verbatim'], 'verbatim'),
    (['--clean=whitespace'], 'whitespace'),
    (['-m', '--cleanup=verbatim'], None),  # -m's value, not an option
])
def test_commit_cleanup_option(monkeypatch: pytest.MonkeyPatch, args: list[str], mode: str | None) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.commit_cleanup_option() == mode


@pytest.mark.parametrize(('args', 'follows'), [
    (['--follow-tags', 'origin'], True),
    (['--follow-tags', '--no-follow-tags', 'origin'], False),
    (['--no-follow-tags', 'origin', '--follow-tags'], True),
    (['origin', 'main'], None),
    (['origin', '--', '--follow-tags'], None),
])
def test_push_follows_tags(monkeypatch: pytest.MonkeyPatch, args: list[str], follows: bool | None) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.push_follows_tags() is follows


@pytest.mark.parametrize(('args', 'expected'), [
    (['origin', 'main', '+HEAD:refs/heads/x', 'v1:v1'], ['main', 'HEAD', 'v1']),
    (['-o', 'ci.skip', '--repo', 'origin', 'upstream', 'main'], ['main']),
    (['origin', 'refs/heads/*:refs/heads/*', ':gone', 'main'], ['main']),
    (['origin'], []),
    (['-', 'main'], ['main']),  # `-` is a positional argument
    (['origin', 'tag', 'v1', 'main'], ['refs/tags/v1', 'main']),
])
def test_pushed_sources(monkeypatch: pytest.MonkeyPatch, args: list[str], expected: list[str]) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.pushed_sources() == expected


@pytest.mark.parametrize(('args', 'expected'), [
    (['-q', '-F', '-'], []),
    (['-am', 'Retry'], ['-a']),
    (['-qa', '-m', 'x'], ['-a']),
    (['-ma'], []),  # the message "a"
    (['-pm', 'x'], ['-p']),
    (['-m', '-a'], []),  # the message "-a"
    (['--all', '--amend', '-m', 'x'], ['-a']),
    (['--inc', '-F', 'msg', 'src/a.py', '--author', 'A <a@example.com>', 'b.py'],
     ['-i', '--author=A <a@example.com>', '--', 'src/a.py', 'b.py']),
    (['-m', 'x', '--', '-a', 'c.py'], ['--', '-a', 'c.py']),
    (['-Sdeadbeef', '-uno', '--trailer', 'Assisted-by: x', 'a.py'], ['-Sdeadbeef', '--', 'a.py']),
    (['--author', 'A <a@example.com>', '--date=2026-01-02', '-m', 'x'],
     ['--author=A <a@example.com>', '--date=2026-01-02']),
    (['--gpg-sign', '--allow-empty', '-qS', '--amend', '--reset', '--signoff'],
     ['--gpg-sign', '--allow-empty', '-S', '--reset-author']),
    (['-o', '--message=x', 'a.py'], ['-o', '--', 'a.py']),
    # -C/-c <commit>: that commit's author and date, as git exported them to the hook
    (['-C', 'HEAD~2', '-a'], ['-a', '--author=Carol Coder <carol@example.com>', '--date=@1577914445 +0530']),
    (['-cHEAD', '--author', 'A <a@example.com>'],
     ['--author=Carol Coder <carol@example.com>', '--date=@1577914445 +0530']),
    (['--reuse=HEAD'], ['--author=Carol Coder <carol@example.com>', '--date=@1577914445 +0530']),
    (['--reedit-message', 'HEAD', '--date=now'],
     ['--author=Carol Coder <carol@example.com>', '--date=@1577914445 +0530']),
    (['-C', 'HEAD', '--reset-author'], []),  # git's own author, now: no fix's --reset-author without -C
    (['--amend', '-C', 'HEAD', '--reset-author'], ['--reset-author']),
])
def test_commit_repeated(monkeypatch: pytest.MonkeyPatch, args: list[str], expected: list[str]) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    monkeypatch.setenv('GIT_AUTHOR_NAME', 'Carol Coder')
    monkeypatch.setenv('GIT_AUTHOR_EMAIL', 'carol@example.com')
    monkeypatch.setenv('GIT_AUTHOR_DATE', '@1577914445 +0530')
    assert invocation.commit_repeated() == expected


def test_commit_repeated_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: None)
    assert invocation.commit_repeated() == []


@pytest.mark.parametrize(('args', 'shown'), [
    (['--status'], True),
    (['--no-status'], False),
    (['--no-status', '--status'], True),
    (['--no-st'], False),
    (['-m', '--no-status'], None),  # -m's value, not an option
    (['--', '--no-status'], None),  # a pathspec
    (['-v'], None),
])
def test_commit_status_option(monkeypatch: pytest.MonkeyPatch, args: list[str], shown: bool | None) -> None:
    monkeypatch.setattr(invocation, 'git_command', lambda subcommand: args)
    assert invocation.commit_status_option() is shown


@pytest.mark.parametrize(('argv', 'expected'), [
    (['git', 'commit', '-a'], []),
    (['git', '-C', 'sub', '-C', 'dir', 'commit'], ['-C', 'sub', '-C', 'dir']),
    (['git', '--no-pager', '-c', 'user.name=C C', '-p', 'commit'], ['-c', 'user.name=C C']),
    (['git', '--git-dir', 'x', '--work-tree=y', '--literal-pathspecs', 'commit'],
     ['--git-dir', 'x', '--work-tree=y', '--literal-pathspecs']),
    (['git', '--namespace', 'ns', '--bare', 'commit'], []),
])
def test_git_options_repeated(ancestors: dict[int, tuple[int, list[str] | None]], argv: list[str],
                              expected: list[str]) -> None:
    ancestors.update({50: (1, argv), 70: (50, ['/bin/sh', '.git/hooks/commit-msg'])})
    assert invocation.git_options_repeated('commit') == expected
