"""Repository paths: .gitignore-style matching and safe repository-relative paths."""
from __future__ import annotations

import pytest

from trailgate.paths import PathMatcher
from trailgate.paths import compile_patterns
from trailgate.paths import safe_repo_path

GITIGNORE_TABLE = [
    # (patterns, path, matches)
    (['*.md'], 'README.md', True),
    (['*.md'], 'docs/guide/intro.md', True),
    (['*.md'], 'README.mdx', False),
    (['*.md'], 'docs.md/file.py', True),  # a directory named *.md: everything below it
    (['/*.md'], 'README.md', True),
    (['/*.md'], 'docs/README.md', False),
    (['docs/*.md'], 'docs/a.md', True),
    (['docs/*.md'], 'docs/sub/a.md', False),
    (['docs/*.md'], 'x/docs/a.md', False),
    (['services/payments/**'], 'services/payments/api.py', True),
    (['services/payments/**'], 'services/payments/a/b/c.py', True),
    (['services/payments/**'], 'services/payments', False),
    (['services/payments/**'], 'services/payments-v2/api.py', False),
    (['services/payments/**'], 'x/services/payments/api.py', False),
    (['services/payments'], 'services/payments/api.py', True),
    (['build/'], 'build/out.o', True),
    (['build/'], 'build/deep/out.o', True),
    (['build/'], 'src/build/out.o', True),
    (['build/'], 'build', False),
    (['/build/'], 'src/build/out.o', False),
    (['build'], 'build', True),
    (['build'], 'src/build', True),
    (['build'], 'build/out.o', True),
    (['**/testdata/**'], 'testdata/a.json', True),
    (['**/testdata/**'], 'pkg/x/testdata/a.json', True),
    (['**/testdata/**'], 'pkg/testdata2/a.json', False),
    (['a/**/b'], 'a/b', True),
    (['a/**/b'], 'a/x/y/b', True),
    (['a/**/b'], 'a/x/y/c', False),
    (['file?.txt'], 'file1.txt', True),
    (['file?.txt'], 'file10.txt', False),
    (['file[0-9].txt'], 'file7.txt', True),
    (['file[0-9].txt'], 'filex.txt', False),
    (['*.tf'], 'infra/modules/net/main.tf', True),
    (['*.tf'], 'main.tfvars', False),
    (['src/**', '!src/vendor/**'], 'src/app.py', True),
    (['src/**', '!src/vendor/**'], 'src/vendor/lib.py', False),
    (['src/**', '!*.md', 'src/KEEP.md'], 'src/KEEP.md', True),
    (['src/**', '!*.md', 'src/KEEP.md'], 'src/OTHER.md', False),
    (['!src/**'], 'src/app.py', False),
    (['\\#hash'], '#hash', True),
    (['\\!bang'], '!bang', True),
    (['*'], 'anything/at/all', True),
]


@pytest.mark.parametrize(('patterns', 'path', 'matches'), GITIGNORE_TABLE)
def test_gitignore_semantics(patterns: list[str], path: str, matches: bool) -> None:
    assert PathMatcher(patterns).matches(path) is matches


def test_matcher_value_semantics() -> None:
    a = PathMatcher(['src/**', '*.md'])
    assert a == PathMatcher(('src/**', '*.md'))
    assert a != PathMatcher(['*.md', 'src/**'])
    assert hash(a) == hash(PathMatcher(['src/**', '*.md']))
    assert a.patterns == ('src/**', '*.md')
    assert repr(a) == "PathMatcher(['src/**', '*.md'])"


def test_empty_matcher_matches_nothing() -> None:
    assert not PathMatcher([]).matches('src/app.py')


@pytest.mark.parametrize(('pattern', 'fragment'), [
    ('', 'blank or a comment'),
    ('   ', 'blank or a comment'),
    ('# services/**', 'blank or a comment'),
    ('  #x', 'blank or a comment'),
    ('!', 'invalid path pattern'),
    ('\\', 'invalid path pattern'),
])
def test_problem_patterns(pattern: str, fragment: str) -> None:
    problem = PathMatcher.problem(pattern)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize('pattern', [
    'services/**', '*.md', 'build/', '!keep.md', '\\#hash', '/anchored', 'a/**/b', '[ab].py',
])
def test_usable_patterns(pattern: str) -> None:
    assert PathMatcher.problem(pattern) is None


SAFE_TABLE = [
    ('docs/changes/a.md', 'docs/changes/a.md'),
    ('a', 'a'),
    ('  docs/a.md\t', 'docs/a.md'),
    ('docs/a b.md', 'docs/a b.md'),
    ('docs/..hidden', 'docs/..hidden'),
    ('docs/a..b.md', 'docs/a..b.md'),
    ('.github/x.yml', '.github/x.yml'),
    ('docs/ünïcödé.md', 'docs/ünïcödé.md'),
    ('', None),
    ('   ', None),
    ('/etc/passwd', None),
    ('//server/share', None),
    ('..', None),
    ('../x', None),
    ('docs/../x', None),
    ('docs/..', None),
    ('.', None),
    ('./x', None),
    ('docs/./x', None),
    ('docs//x', None),
    ('docs/', None),
    ('docs\\x.md', None),
    ('..\\x', None),
    ('C:\\x', None),
    ('docs/x\n.md', None),
    ('docs/x\r', None),
    ('docs/\x00x', None),
    ('docs/\x1bx', None),
    ('docs/\x7fx', None),
]


@pytest.mark.parametrize(('value', 'expected'), SAFE_TABLE)
def test_safe_repo_path(value: str, expected: str | None) -> None:
    assert safe_repo_path(value) == expected


DIFFERENTIAL_PATTERNS = [
    ['*.md'], ['build/'], ['/build/'], ['services/**'], ['services/**', '!services/docs/**'],
    ['docs/', '!docs/keep.md'], ['*.md', '!README.md'], ['!*.md', '*.md'],
    ['a/**/b', '!a/x/b'], ['**/testdata/**', 'testdata/keep'], ['src/', '!src/*.py', 'src/main.py'],
    ['*', '!*/'], ['dir', '!dir/file'], ['dir/**', '!dir/sub/'], ['*.tf', 'deploy/'],
]
DIFFERENTIAL_PATHS = [
    'README.md', 'docs/keep.md', 'docs/other.md', 'build/x', 'src/build/x', 'services/a.py',
    'services/docs/a.md', 'a/b', 'a/x/b', 'a/y/z/b', 'testdata/keep', 'x/testdata/y',
    'src/main.py', 'src/util.py', 'src/sub/util.py', 'dir', 'dir/file', 'dir/sub/file',
    'deploy/prod.yaml', 'infra/main.tf', 'top',
]


@pytest.mark.parametrize('patterns', DIFFERENTIAL_PATTERNS)
def test_matcher_agrees_with_pathspec_gitignore_spec(patterns: list[str]) -> None:
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    matcher = PathMatcher(patterns)
    for path in DIFFERENTIAL_PATHS:
        assert matcher.matches(path) == spec.match_file(path), (patterns, path)


def test_matcher_from_cached_regexes_behaves_the_same() -> None:
    patterns = ['services/**', '!services/docs/**', '*.tf']
    fresh = PathMatcher(patterns)
    rebuilt = PathMatcher(patterns, compile_patterns(patterns))
    assert rebuilt.compiled == fresh.compiled
    for path in DIFFERENTIAL_PATHS:
        assert rebuilt.matches(path) == fresh.matches(path)
