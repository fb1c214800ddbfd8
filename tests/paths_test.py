"""Repository paths: .gitignore-style matching and safe repository-relative paths."""
from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from testing.util import trailgate
from testing.workcount import growth
from trailgate.paths import LONG_PATH
from trailgate.paths import PathMatcher
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
    # git: 'src/**' matches the directory src/vendor, so nothing under it can be re-included
    (['src/**', '!src/vendor/**'], 'src/vendor/lib.py', True),
    (['src/**', '!src/vendor/', '!src/vendor/**'], 'src/vendor/lib.py', False),
    (['src/**', '!*.md', 'src/KEEP.md'], 'src/KEEP.md', True),
    (['src/**', '!*.md', 'src/KEEP.md'], 'src/OTHER.md', False),
    (['!src/**'], 'src/app.py', False),
    (['\\#hash'], '#hash', True),
    (['\\!bang'], '!bang', True),
    (['*'], 'anything/at/all', True),
    # git: a file under an excluded directory cannot be re-included
    (['docs/', '!docs/keep.md'], 'docs/keep.md', True),
    (['docs/**', '!docs/keep.md'], 'docs/keep.md', False),
    # a changed gitlink 'deploy' is matched as 'deploy/': the directory, everything under it
    (['deploy/'], 'deploy/', True),
    (['deploy/**'], 'deploy/', True),
    (['deploy'], 'deploy/', True),
    (['/deploy/*'], 'deploy/', True),
    (['**/deploy/**'], 'infra/deploy/', True),
    (['deploy/**', '!deploy/docs/**'], 'deploy/', True),
    (['deploy/*.yaml'], 'deploy/', False),
    (['*.tf'], 'deploy/', False),
    (['deploy/'], 'deploy', False),  # a file named deploy is not the directory
]


@pytest.mark.parametrize(('patterns', 'path', 'matches'), GITIGNORE_TABLE)
def test_gitignore_semantics(patterns: list[str], path: str, matches: bool) -> None:
    matcher = PathMatcher(patterns)
    assert matcher.matches(path) is matches
    assert matcher.walk(path.encode()) is matches
    assert matcher.scan(path.encode()) in (None, matches)


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
    ('\t', 'blank or a comment'),
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




# -- exact against git --------------------------------------------------------------


def ignored_by_git(tmp_path: Path, patterns: list[str], paths: list[str]) -> set[str]:
    """The paths git itself reads as matched by ``patterns`` in a top-level
    .gitignore (check-ignore: a path's last matching pattern, or a leading
    directory's, is not a negation). No path exists on disk: each is a file."""
    repo = tmp_path / 'ignore-repo'
    if not repo.exists():
        init_repo(repo)
    (repo / '.gitignore').write_bytes(''.join(f'{p}\n' for p in patterns).encode('utf-8', 'surrogateescape'))
    result = subprocess.run(
        ('git', 'check-ignore', '--no-index', '--stdin', '-z'), cwd=repo, env=git_env(),
        input=b''.join(p.encode('utf-8', 'surrogateescape') + b'\0' for p in paths),
        capture_output=True, timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return {p.decode('utf-8', 'surrogateescape') for p in result.stdout.split(b'\0') if p}


def assert_like_git(tmp_path: Path, patterns: list[str], paths: list[str]) -> None:
    ignored = ignored_by_git(tmp_path, patterns, paths)
    matcher = PathMatcher(patterns)
    for path in paths:
        expected = path in ignored
        data = path.encode('utf-8', 'surrogateescape')
        assert matcher.walk(data) is expected, (patterns, path[:200], len(path), 'walk')
        assert matcher.scan(data) in (None, expected), (patterns, path[:200], len(path), 'scan')
        assert matcher.matches(path) is expected, (patterns, path[:200], len(path))


DIFFERENTIAL_PATTERNS = [
    ['*.md'], ['build/'], ['/build/'], ['services/**'], ['services/**', '!services/docs/**'],
    ['docs/', '!docs/keep.md'], ['*.md', '!README.md'], ['!*.md', '*.md'],
    ['a/**/b', '!a/x/b'], ['**/testdata/**', 'testdata/keep'], ['src/', '!src/*.py', 'src/main.py'],
    ['*', '!*/'], ['dir', '!dir/file'], ['dir/**', '!dir/sub/'], ['*.tf', 'deploy/'],
    ['[a-c]*', '![!b]*/'], ['*[[:digit:]].txt'], ['[[:upper:]][[:punct:]]*'], ['[]x]'], ['[!]x]*'],
    ['[z-a]'], ['[a-]'], ['[\\]]'], ['[[:alpha:]-z]'], ['\\*'], ['a\\ '], ['trailing   '],
    ['?'], ['??/'], ['*/*'], ['/*/b'], ['**/x/**'], ['**'], ['/**'], ['a/**/**/b'], ['***/b'],
    ['doc[s]/', '!docs/keep.md'], ['[é]'], ['?.txt'], ['caf?'], ['x[[:space:]]y'], ['[[:alpha:]]x', '[[:alpha:]-]'],
    ['**/a', '!**/a/'], ['a/', '!a/'], ['!a', 'a/'], ['*.py', '!/top.py'],
    ['[-x]'], ['[a-\\c]'], ['[\\a-c]'], ['[[:]:]'], ['[!-]'],
]
DIFFERENTIAL_PATHS = [
    'README.md', 'docs/keep.md', 'docs/other.md', 'build/x', 'src/build/x', 'services/a.py',
    'services/docs/a.md', 'a/b', 'a/x/b', 'a/y/z/b', 'testdata/keep', 'x/testdata/y',
    'src/main.py', 'src/util.py', 'src/sub/util.py', 'dir', 'dir/file', 'dir/sub/file',
    'deploy/prod.yaml', 'infra/main.tf', 'top', 'top.py', 'x/top.py', 'a', 'b/c', 'ab/c', ']', 'x', ']x', 'z',
    '-', 'a-', '*', 'a ', 'a', 'trailing', 'trailing  ', 'file1.txt', 'A!b', 'é', 'é.txt', 'e.txt',
    'café', 'cafe', 'x y', 'x\ty', 'x\ny', 'a/a', 'a/a/a', 'x/a/b', 'q/x/r', '[', '[[:alpha:]',
]


@pytest.mark.parametrize('patterns', DIFFERENTIAL_PATTERNS)
def test_matcher_agrees_with_git(tmp_path: Path, patterns: list[str]) -> None:
    assert_like_git(tmp_path, patterns, DIFFERENTIAL_PATHS)


GLOB_PARTS = ['a', 'b', 'ab', '*', '?', '[ab]', '[!a]', 'a*', '*b', '**', '[[:alpha:]]', '\\*', 'é', '[a-b]*']
PATH_PARTS = ['a', 'b', 'ab', 'ba', 'aa', 'é', 'x.py', '*', '.a']


def generated_pattern(rng: random.Random) -> str:
    parts = [rng.choice(GLOB_PARTS) for _ in range(rng.randint(1, 4))]
    text = rng.choice(['', '', '/', '**/']) + '/'.join(parts) + rng.choice(['', '', '/', '/**'])
    return ('!' if rng.random() < 0.3 else '') + text


def test_matcher_agrees_with_git_on_generated_patterns(tmp_path: Path) -> None:
    rng = random.Random(8)
    paths = sorted({'/'.join(rng.choice(PATH_PARTS) for _ in range(rng.randint(1, 6))) for _ in range(150)})
    checked = 0
    for _ in range(120):
        patterns = [generated_pattern(rng) for _ in range(rng.randint(1, 4))]
        if any(PathMatcher.problem(p) for p in patterns):
            continue
        assert_like_git(tmp_path, patterns, paths)
        checked += 1
    assert checked > 60


# Deep and long paths, against patterns git itself can judge quickly on them
# (git's wildmatch takes time exponential in a chain of '**' links on a deep path).
LONG_PATHS = [
    'a/' * 3000 + 'b', 'a/' * 3000 + 'x.py', 'ab/' * 2000 + 'a', 'a' * 30_000, 'a' * 30_000 + '/b',
    'b/' + 'a' * 30_000 + '.py', 'payments/secrets/' * 1000 + 'notes.txt', 'payments/secrets/' * 1000 + 'x.py',
    'src/' + 'a/' * 3000 + 'keep/x.py',
]


@pytest.mark.parametrize('patterns', [
    ['**/b'], ['a/**'], ['a/**/b', '!a/a/**'], ['*'], ['b/', '!a/'], ['*.py', '!b/'], ['**/keep/', '!src/a/'],
    ['payments/**/*.py'], ['**/secrets/', '!**/payments/'], ['a*/'], ['a', '!a/'], ['src/**', '!**/keep/**'],
    ['[!b]*', '!a'], ['?b/', '!a/'], ['*.py', '!*/'], ['[a-c]b/', '!x'], ['[/]', 'a/**'],
])
def test_long_and_deep_paths_agree_with_git(tmp_path: Path, patterns: list[str]) -> None:
    assert_like_git(tmp_path, patterns, LONG_PATHS)


def test_a_globstar_chain_on_a_deep_path_is_judged_by_both_engines() -> None:
    """The path and pattern that used to time out: git itself needs minutes
    here. Judged by the walk, by RE2, and the same either way."""
    matcher = PathMatcher(['**/payments/**/secrets/**/*.py'])
    for path, expected in (('payments/secrets/' * 1000 + 'notes.txt', False),
                           ('payments/secrets/' * 1000 + 'x.py', True),
                           ('a/' * 50_000 + 'payments/b/secrets/c.py', True)):
        data = path.encode()
        assert matcher.scan(data) is expected
        assert matcher.walk(data) is expected
        assert matcher.matches(path) is expected


def test_a_long_path_is_decided_by_re2_without_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deep paths of a globstar chain are judged by one RE2 scan (linear
    time, no backtracking): the Python walk is not needed for them."""
    matcher = PathMatcher(['**/payments/**/secrets/**/*.py'])

    def no_walk(data: bytes) -> bool:
        raise AssertionError(f'walked a {len(data)}-byte path')

    monkeypatch.setattr(matcher, 'walk', no_walk)
    for path, expected in (('payments/secrets/' * 1000 + 'notes.txt', False),
                           ('payments/secrets/' * 1000 + 'x.py', True)):
        assert len(path) >= LONG_PATH
        assert matcher.matches(path) is expected


def walking(patterns: list[str], unit: str, tail: str) -> Callable[[int], Callable[[], Any]]:
    def call(repeats: int) -> Callable[[], Any]:
        matcher = PathMatcher(patterns)  # a fresh one: no steps remembered from another size
        data = (unit * repeats + tail).encode()
        return lambda: matcher.walk(data)
    return call


@pytest.mark.parametrize(('patterns', 'unit', 'tail'), [
    (['**/payments/**/secrets/**/*.py'], 'payments/secrets/', 'notes.txt'),
    (['**/payments/**/secrets/**/*.py'], 'payments/secrets/', 'x.py'),
    (['a/**/b', '!a/a/**'], 'a/', 'b'),
    (['src/**', '!**/keep/**'], 'a/', 'keep/x.py'),
    (['*a*a*a*a*b'], 'aaaaaaaaaaaaaaaaaaaa', ''),  # one long component: the glob's own backtracking
])
def test_the_walk_is_linear_in_the_path(patterns: list[str], unit: str, tail: str) -> None:
    """Counted, not timed: twice the path, about twice the Python executed
    (a backtracking matcher grows far faster)."""
    assert growth(walking(patterns, unit, tail), 500) < 2.5


@pytest.mark.parametrize(('pattern', 'fragment'), [
    ('a**/b', '"**" is special only as a whole component'),
    ('foo/b**', '"**" is special only as a whole component'),
    ('x/**y/z', '"**" is special only as a whole component'),
    ('[abc', 'no closing "]"'),
    ('a/[b', 'no closing "]"'),
    ('[[:nope:]]', 'unknown character class [:nope:]'),
    ('[[:alpha:]', 'no closing "]"'),
    ('a[', 'no closing "]"'),
    ('a[!', 'no closing "]"'),
    ('[a-', 'no closing "]"'),
    ('[a-\\', 'no closing "]"'),
    ('[[', 'no closing "]"'),
    ('a\\', 'lone "\\"'),
    ('/', 'names no path'),
    ('!/', 'names no path'),
])
def test_patterns_git_reads_against_its_documentation_are_refused(pattern: str, fragment: str) -> None:
    """git matches 'a**/b' against 'ab' and 'foo/b**' against 'foo/bx/y'
    (its documentation says '**' there is '*'), and never matches an
    unterminated bracket: a policy cannot mean either, so both are errors."""
    problem = PathMatcher.problem(pattern)
    assert problem is not None and fragment in problem, problem


NEVER_MATCHING = ['./services/**', 'services/./payments/**', 'services/../payments/**', 'services//payments/**',
                  'services/payments//', '//services/**', '.', '..', './', '!./services/**', 'services/..']
NEVER_MATCHED = ['services/payments/a.py', 'payments/a.py', 'services/a.py', 'a', '.a', 'services/payments/.x']


@pytest.mark.parametrize('pattern', NEVER_MATCHING)
def test_a_pattern_with_an_empty_dot_or_dot_dot_component_is_refused(tmp_path: Path, pattern: str) -> None:
    """No path git stores has an empty, "." or ".." component, so git
    matches such a pattern against nothing: a rule whose paths say
    "./services/**" would be silently off. It is a policy error instead."""
    assert ignored_by_git(tmp_path, [pattern.lstrip('!')], NEVER_MATCHED) == set()
    assert ignored_by_git(tmp_path, ['services/**', f'!{pattern.lstrip("!")}'], NEVER_MATCHED) \
        == {path for path in NEVER_MATCHED if path.startswith('services/')}
    problem = PathMatcher.problem(pattern)
    assert problem is not None and 'empty, "." or ".." component' in problem, problem


@pytest.mark.parametrize('pattern', ['services\\payments\\**', 'docs\\changes\\*.md', 'deploy\\prod.yaml'])
def test_a_backslash_before_a_letter_or_digit_is_refused(tmp_path: Path, pattern: str) -> None:
    """git reads a backslash as an escape: "services\\payments\\**" is
    "servicespayments*" then "*", never the Windows path it looks like.
    A letter or digit needs no escape, so the backslash can only be a slip."""
    assert ignored_by_git(tmp_path, [pattern], ['services/payments/a.py', 'docs/changes/a.md', 'deploy/prod.yaml']) \
        == set()
    problem = PathMatcher.problem(pattern)
    assert problem is not None and 'a backslash escapes' in problem, problem


@pytest.mark.parametrize('pattern', ['\\#hash', '\\!bang', 'a\\ ', '\\*', '\\?', '\\[x', '\\\\', 'a\\-b', '\\é'])
def test_a_backslash_before_anything_else_is_an_escape(pattern: str) -> None:
    assert PathMatcher.problem(pattern) is None


def test_a_path_outside_the_first_components_matches_nothing() -> None:
    rng = random.Random(9)
    paths = [*DIFFERENTIAL_PATHS, *('/'.join(rng.choice(PATH_PARTS) for _ in range(rng.randint(1, 5)))
                                    for _ in range(300))]
    lists = [*DIFFERENTIAL_PATTERNS, ['services/payments/**', 'a/b'], ['a', 'b/c/'], ['é/x', '!é/x/y']]
    lists += [[generated_pattern(rng) for _ in range(rng.randint(1, 3))] for _ in range(200)]
    screened = 0
    for patterns in lists:
        if any(PathMatcher.problem(p) for p in patterns):
            continue
        matcher = PathMatcher(patterns)
        firsts = matcher.first_components()
        if firsts is None:
            continue
        for path in paths:
            if path.split('/', 1)[0] not in firsts:
                screened += 1
                assert not matcher.matches(path), (patterns, path)
                assert not matcher.walk(path.encode('utf-8', 'surrogateescape')), (patterns, path)
    assert screened > 1000


# -- exact against git, through the installed CLI -------------------------------------

# Every .gitignore feature a policy may use; one rule each, judged in one check run.
CLI_PATTERNS = [
    ['*.md'], ['!*.md', '*.md'], ['*.md', '!README.md'], ['*.MD'], ['build/'], ['/build/'], ['docs/*.md'],
    ['src/**', '!src/vendor/**'], ['src/**', '!src/vendor/', '!src/vendor/**'], ['**/testdata/**'], ['a/**/b'],
    ['**/x'], ['x/**'], ['*/*'], ['/*/b'], ['file?.txt'], ['file[0-9].txt'], ['[!a]*'], ['\\#hash'], ['\\!bang'],
    ['a\\ '], ['trailing   '], ['.*'], ['.github/'], ['x y'], ['é/**'], ['caf?'], ['docs/', '!docs/keep.md'],
    ['dir', '!dir/file'], ['sub/'],
]
CLI_PATHS = [
    'README.md', 'readme.MD', 'docs/a.md', 'docs/keep.md', 'docs/sub/a.md', 'build/x', 'src/build/x', 'src/app.py',
    'src/vendor/lib.py', 'testdata/a', 'p/testdata/a', 'a/b', 'a/x/y/b', 'x', 'q/x', 'x/q', 'file1.txt',
    'file10.txt', 'b.txt', '#hash', '!bang', 'a ', 'trailing', '.hidden', '.github/workflows/ci.yml', 'x y',
    'x y/z', 'é/f', 'café', 'cafe', 'dir/file', 'dir/other', 'z/c/b', 'sub/f', 'n/sub', 'tab\there', 'new\nline',
]


def cli_policy(pattern_lists: list[list[str]]) -> str:
    rules = ''.join(
        f'  - id: rule-{number}\n    paths: {json.dumps(patterns)}\n    applies_to: all\n'
        f'    require:\n      trailers: [X-Needed]\n'
        for number, patterns in enumerate(pattern_lists)
    )
    return f'version: 1\nrules:\n{rules}'


def commits_adding_each_path(repo: Path, paths: list[str]) -> tuple[str, list[str]]:
    """A base commit holding the policy, and one child of it per path, adding
    that file alone (made with plumbing: the paths clash as files and directories)."""
    env = git_env(GIT_INDEX_FILE=str(repo / '.git' / 'scratch-index'))
    base_tree = git(repo, 'write-tree', env=env).strip()
    base = git(repo, 'commit-tree', base_tree, '-m', 'base', env=env).strip()
    children = []
    for number, path in enumerate(paths):
        blob = git(repo, 'hash-object', '-w', '--stdin', input=f'{number}\n').strip()
        git(repo, 'read-tree', base_tree, env=env)
        git(repo, 'update-index', '--add', '--cacheinfo', f'100644,{blob},{path}', env=env)
        tree = git(repo, 'write-tree', env=env).strip()
        children.append(git(repo, 'commit-tree', tree, '-p', base, '-m', f'path {number}', env=env).strip())
    return base, children


def test_check_applies_a_rule_to_the_paths_git_ignores(tmp_path: Path) -> None:
    """The contract's "paths are .gitignore pattern syntax", end to end: a
    rule applies to a commit adding a path exactly when ``git check-ignore``
    says a .gitignore of the rule's patterns ignores that path."""
    repo = init_repo(tmp_path / 'repo')
    env = git_env(GIT_INDEX_FILE=str(repo / '.git' / 'scratch-index'))
    policy_blob = git(repo, 'hash-object', '-w', '--stdin', input=cli_policy(CLI_PATTERNS)).strip()
    git(repo, 'update-index', '--add', '--cacheinfo', f'100644,{policy_blob},.trailgate/policy.yaml', env=env)
    base, children = commits_adding_each_path(repo, CLI_PATHS)
    result = trailgate(repo, 'check', '--format', 'json', *(f'{base}..{child}' for child in children))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    applied: dict[str, set[str]] = {f'rule-{number}': set() for number in range(len(CLI_PATTERNS))}
    for commit in report['commits']:
        path = CLI_PATHS[children.index(commit['sha'])]
        for rule in commit['rules']:
            if rule['applies']:
                applied[rule['rule']].add(path)
    assert len(report['commits']) == len(CLI_PATHS)
    for number, patterns in enumerate(CLI_PATTERNS):
        assert applied[f'rule-{number}'] == ignored_by_git(tmp_path, patterns, CLI_PATHS), patterns
    assert sum(map(len, applied.values())) > 2 * len(CLI_PATTERNS)
