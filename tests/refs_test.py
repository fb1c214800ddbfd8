"""The ``protected`` patterns: branch names or full refs, segment-aware globs."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from trailgate.refs import Protected
from trailgate.refs import is_ref_name
from trailgate.refs import namespace_prefix
from trailgate.refs import problem


@pytest.mark.parametrize(('patterns', 'ref', 'protected'), [
    (['main'], 'refs/heads/main', True),
    (['main'], 'refs/heads/main2', False),
    (['main'], 'refs/heads/feature/main', False),
    (['main'], 'refs/tags/main', False),
    (['release/*'], 'refs/heads/release/1.0', True),
    (['release/*'], 'refs/heads/release/2.0/hotfix', False),
    (['release/**'], 'refs/heads/release/2.0/hotfix', True),
    (['release/*'], 'refs/heads/release', False),
    (['refs/tags/v*'], 'refs/tags/v1.2', True),
    (['refs/tags/v*'], 'refs/heads/v1.2', False),
    (['v?'], 'refs/heads/v1', True),
    (['v?'], 'refs/heads/v10', False),
    (['rel.x'], 'refs/heads/relAx', False),  # a dot is a dot, not a regex
    (['t**y'], 'refs/heads/team', False),
    (['te**/ready'], 'refs/heads/teready', False),  # only a whole '**' segment may stand for none
    ([], 'refs/heads/main', False),
])
def test_matches(patterns: list[str], ref: str, protected: bool) -> None:
    assert Protected.from_patterns(patterns).matches(ref) is protected


@pytest.mark.parametrize('ref', [
    'refs/heads/main', 'refs/heads/feature/x', 'refs/tags/v1',
])
def test_absent_key_protects_every_branch_and_tag(ref: str) -> None:
    assert Protected.from_patterns(None).matches(ref)


@pytest.mark.parametrize('ref', ['refs/pull/1/head', 'refs/notes/commits', 'refs/remotes/origin/main'])
def test_absent_key_leaves_other_refs_to_the_branches_they_reach(ref: str) -> None:
    assert not Protected.from_patterns(None).matches(ref)


@pytest.mark.parametrize('pattern', [
    '', 'has space', 'a..b', 'x:y', 'x~1', 'x^', 'back\\slash', '[ab]', '/main', 'main/', 'a//b',
    'x.lock', 'a@{1}', '***', 'refs',
])
def test_invalid_patterns(pattern: str) -> None:
    assert problem(pattern) is not None


@pytest.mark.parametrize('pattern', ['main', 'release/*', 'refs/tags/v*', 'team/**/ready', 'v?'])
def test_valid_patterns(pattern: str) -> None:
    assert problem(pattern) is None


def test_description() -> None:
    assert str(Protected.from_patterns(['main', 'refs/tags/v*'])) == 'main, refs/tags/v*'
    assert 'every branch and tag' in str(Protected.from_patterns(None))
    nothing = Protected.from_patterns([])
    assert str(nothing) == 'nothing (protected: [])'
    assert not nothing.matches('refs/heads/main')


@pytest.mark.parametrize(('namespace', 'prefix'), [
    ('', ''),
    ('ns', 'refs/namespaces/ns/'),
    ('a/b', 'refs/namespaces/a/refs/namespaces/b/'),
    ('a//b', 'refs/namespaces/a/refs/namespaces/b/'),
    ('/', None),
    ('a/../b', None),
    ('a b', None),
    ('x.lock', None),
    ('*', None),
    ('.hidden', None),
])
def test_namespace_prefix_is_where_git_stores_a_namespace_s_refs(namespace: str, prefix: str | None) -> None:
    assert namespace_prefix(namespace) == prefix


def test_literal_refs_are_the_patterns_without_a_wildcard() -> None:
    protected = Protected.from_patterns(['main', 'release/*', 'refs/tags/v1', 'hot?ix', '**'])
    assert protected.literal_refs() == ['refs/heads/main', 'refs/tags/v1']


# git's own ref globs (for-each-ref: wildmatch over the path): a "**" segment
# stands for any number of segments, none included. Literal patterns are left
# out: git reads those as prefixes, the policy as exact names.
GLOB_REFS = [
    'refs/heads/ready', 'refs/heads/team/ready', 'refs/heads/team/x/ready', 'refs/heads/team/x/y/ready',
    'refs/heads/teamready', 'refs/heads/release/1.0', 'refs/heads/release/2.0/hotfix', 'refs/heads/v1',
    'refs/tags/v1', 'refs/tags/team/ready', 'refs/notes/ready',
]


@pytest.fixture(scope='module')
def glob_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = init_repo(tmp_path_factory.mktemp('refs') / 'repo')
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'x')
    head = git(repo, 'rev-parse', 'HEAD').strip()
    git(repo, 'update-ref', '--stdin', input=''.join(f'create {ref} {head}\n' for ref in GLOB_REFS))
    git(repo, 'update-ref', '-d', 'refs/heads/main')
    return repo


@pytest.mark.parametrize('pattern', [
    'team/**/ready', '**/ready', 'team/**', 'release/*', 'release/**', '**', 'v?', 'refs/tags/**/ready',
    'refs/**/ready', 'refs/**', 'refs/tags/v*', 'te?m/*/ready', 'team/*/ready', 'refs/*/v1', '*/ready', 'tea*',
])
def test_glob_patterns_protect_the_refs_git_matches(glob_repo: Path, pattern: str) -> None:
    protected = Protected.from_patterns([pattern])
    by_git = git(glob_repo, 'for-each-ref', '--format=%(refname)', protected.patterns[0]).split()
    assert [ref for ref in GLOB_REFS if protected.matches(ref)] == sorted(by_git, key=GLOB_REFS.index)


@pytest.mark.parametrize('name', [
    'refs/heads/main', 'refs/heads/release/1.0', 'refs/trailgate/approvals', 'refs/heads/\u202elive\u200b',
    'refs/heads/a.b', 'refs/heads/x.lockx', 'refs/heads/@', 'main', 'HEAD', 'refs', 'refs/', 'refs/heads/',
    'refs/heads//main', '/refs/heads/main', 'refs/heads/ma..in', 'refs/heads/main.lock', 'refs/heads/x.lock/y',
    'refs/heads/.hidden', 'refs/heads/x/.y', 'refs/heads/main.', 'refs/heads/ma*n', 'refs/heads/ma?n',
    'refs/heads/ma[n', 'refs/heads/ma n', 'refs/heads/main\r', 'refs/heads/ma\tn', 'refs/heads/ma~n',
    'refs/heads/ma^n', 'refs/heads/ma:n', 'refs/heads/ma\\n', 'refs/heads/ma@{n', 'refs/heads/ma\x7fn',
])
def test_is_ref_name_as_git_check_ref_format(name: str) -> None:
    by_git = subprocess.run(['git', 'check-ref-format', name], capture_output=True, env=git_env()).returncode == 0
    assert is_ref_name(name) == (by_git and name.startswith('refs/'))
