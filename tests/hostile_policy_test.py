"""Hostile policy files: each one is refused with ``FILE:LINE:COL`` and exit 2,
without a traceback or a hang, by ``trailgate validate`` and
``trailgate commit-msg`` (policy in the work tree) and ``trailgate check``
(policy at the base of the range). A policy with a BOM is an ordinary policy.
No verdict here depends on the machine's speed: policy_test.py shows the
alias bomb and deep nesting are refused from the YAML event stream before
anything is composed, and benchmarks/hostile_bench.py times these runs.

One repository serves the module: its work tree gets each hostile policy in
turn, and ``fast-import`` writes, per case, a base commit holding the policy
and an AI-assisted change on top of it for ``check``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.adversarial import Proc
from testing.adversarial import git
from testing.adversarial import init
from testing.adversarial import put
from testing.adversarial import trailgate
from testing.scenarios import POLICY

POLICY_PATH = '.trailgate/policy.yaml'
CHARGE = 'services/payments/charge.py'
AI_MESSAGE = 'Speed up charge\n\nAssisted-by: Claude Code\n'
BASE = POLICY.encode()
NEXT_LINE = POLICY.count('\n') + 1  # the line after the standard policy
POSITION = re.compile(r'policy\.yaml:(\d+):(\d+): (.*)')
NESTING = r'(?i)\bnest(?:ed|ing)\b'


class Hostile(NamedTuple):
    id: str
    data: bytes
    # the LINE:COL reported, when it is certain; COL None: any column of LINE
    where: tuple[int, int | None] | None = None
    valid: bool = False  # an ordinary policy after all
    names: str | None = None  # a regex the reported problem must match


def billion_laughs() -> bytes:
    lines = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f'lol{i}: &a{i} [' + ', '.join([f'*a{i - 1}'] * 9) + ']' for i in range(1, 10)]
    return ('\n'.join(lines) + '\n').encode()


def with_line(text: str) -> bytes:
    return BASE + text.encode()


HOSTILE = (
    Hostile('alias-bomb', billion_laughs(), (1, 7)),
    Hostile('alias-in-policy', BASE.replace(b'  sre: [carol@example.com]', b'  sre: *senior'), (4, 8)),
    # Deep nesting: trailgate's limit (50 levels) or the YAML parser's own,
    # whichever comes first; PyYAML 6.0.4's scanner refuses flow level 1001.
    Hostile('deep-sequence', b'[' * 50_000, (1, None), names=NESTING),
    Hostile('deep-mapping', b'{a: ' * 50_000, (1, None), names=NESTING),
    Hostile('deep-block', b''.join(b'  ' * i + b'k:\n' for i in range(200)), (51, 101), names=NESTING),
    Hostile('huge', BASE + b'#' + b'x' * (1 << 20) + b'\n', (1, 1)),
    # syntax the linear-time engine (RE2) cannot run
    Hostile('backreference-marker', with_line("ai:\n  markers: ['(a+)\\1$']\n"), (NEXT_LINE + 1, 13),
            names='backreference'),
    Hostile('lookahead-identity', with_line("ai:\n  identities: ['^(?=x)y']\n"), (NEXT_LINE + 1, 16),
            names='lookahead'),
    Hostile('lookbehind-doc-pattern', BASE.replace(b"'^[A-Z]+-[0-9]+$'", b"'(?<!x)y$'"), names='lookbehind'),
    Hostile('int-key', with_line('1: x\n'), (NEXT_LINE, 1)),
    Hostile('null-key', with_line('~: x\n'), (NEXT_LINE, 1)),
    Hostile('sequence-key', with_line('? [a, b]\n: c\n'), (NEXT_LINE, 3)),
    Hostile('duplicate-key', with_line('version: 1\n'), (NEXT_LINE, 1)),
    Hostile('duplicate-group', BASE.replace(b'  sre: [carol@example.com]', b'  senior: [carol@example.com]'),
            (4, 3)),
    Hostile('tab-indent', BASE.replace(b'    paths: ["services/payments/**"]', b'\tpaths: ["services/payments/**"]')),
    Hostile('non-utf8', with_line('# caf') + b'\xe9\n', (NEXT_LINE, 6)),
    Hostile('utf16', POLICY.encode('utf-16'), (1, 1)),
    Hostile('nul-byte', BASE + b'\0\n', (NEXT_LINE, 1)),
    Hostile('empty', b'', (1, 1)),
    Hostile('blank', b'\n  \n\n', (1, 1)),
    Hostile('comments-only', b'# nothing here\n', (1, 1)),
    Hostile('scalar', b'version 1\n', (1, 1)),
    Hostile('sequence', b'- version: 1\n', (1, 1)),
    Hostile('version-string', BASE.replace(b'version: 1', b'version: "1"'), (1, 10)),
    Hostile('version-2', BASE.replace(b'version: 1', b'version: 2'), (1, 10)),
    Hostile('two-documents', BASE + b'---\nversion: 1\n', (NEXT_LINE, 1)),
    Hostile('python-tag', with_line('x: !!python/object/apply:os.system ["touch pwned"]\n'), (NEXT_LINE, 1)),
    Hostile('bom', b'\xef\xbb\xbf' + BASE, valid=True),
)
@pytest.fixture(scope='module')
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = init(tmp_path_factory.mktemp('hostile-policy') / 'repo')
    put(path / 'README.txt', 'shop\n')
    put(path / CHARGE, 'def charge():\n    return 1\n')
    git(path, 'add', '-A')
    git(path, 'commit', '-q', '-m', 'Start')
    stream = bytearray()
    for case in HOSTILE:
        for ref, charge, message in (('base', b'return 1\n', b'Add the policy\n'), ('head', b'return 2\n',
                                                                                     AI_MESSAGE.encode())):
            stream += b'commit refs/heads/%s/%s\n' % (ref.encode(), case.id.encode())
            stream += b'committer Dev Eloper <dev@example.com> 1767225600 +0000\n'
            stream += b'data %d\n%s\n' % (len(message), message)
            if ref == 'head':
                stream += b'from refs/heads/base/%s\n' % case.id.encode()
            else:
                stream += b'M 100644 inline %s\ndata %d\n%s\n' % (POLICY_PATH.encode(), len(case.data), case.data)
            stream += b'M 100644 inline %s\ndata %d\n%s\n' % (CHARGE.encode(), len(charge), charge)
    git(path, 'fast-import', '--quiet', '--done', input=bytes(stream) + b'done\n')
    put(path / CHARGE, 'def charge():\n    return 2\n')
    git(path, 'add', CHARGE)
    put(path / 'MSG', AI_MESSAGE)
    return path


def refused_with_position(
    proc: Proc, stream: str, where: tuple[int, int | None] | None, names: str | None = None,
) -> None:
    text = proc.stdout if stream == 'stdout' else proc.stderr
    assert proc.returncode == 2, proc.output
    assert 'Traceback' not in proc.stderr, proc.stderr
    found = POSITION.search(text)
    assert found, f'no FILE:LINE:COL on {stream}: {proc.output}'
    if where is not None:
        line, col = where
        assert int(found[1]) == line, text
        assert col is None or int(found[2]) == col, text
    if names is not None:
        assert re.search(names, found[3]), text


@pytest.mark.parametrize('case', HOSTILE, ids=[case.id for case in HOSTILE])
def test_hostile_policy(repo: Path, case: Hostile) -> None:
    put(repo / POLICY_PATH, case.data)
    runs = {
        'validate': trailgate(repo, 'validate'),
        'commit-msg': trailgate(repo, 'commit-msg', 'MSG'),
        'check': trailgate(repo, 'check', f'base/{case.id}..head/{case.id}'),
    }
    for gate, proc in runs.items():
        assert 'Traceback' not in proc.stderr, (gate, proc.stderr)
    if case.valid:
        assert [proc.returncode for proc in runs.values()] == [0, 1, 1], {g: p.output for g, p in runs.items()}
        return
    refused_with_position(runs['validate'], 'stdout', case.where, case.names)
    refused_with_position(runs['commit-msg'], 'stderr', case.where, case.names)
    refused_with_position(runs['check'], 'stderr', case.where, case.names)
    # check names the policy as committed at the base: <sha>:.trailgate/policy.yaml:LINE:COL
    assert re.search(r'[0-9a-f]{12}:\.trailgate/policy\.yaml:\d+:\d+: ', runs['check'].stderr), runs['check'].stderr


def test_anchor_without_alias_is_refused(repo: Path) -> None:
    put(repo / POLICY_PATH, BASE.replace(b'  senior: [', b'  senior: &seniors ['))
    refused_with_position(trailgate(repo, 'validate'), 'stdout', (3, 11))


# Regexes that take exponential (or high polynomial) time in Python's re, each
# with a message part it backtracks on for hours there (re.search on 28
# characters: (?:a|a)+$ 14 s, (?:a{1,30}){1,30}$ 9 s, (.*,){12}x 2.7 s, each
# doubling per character; eight adjacent \s* 0.45 s, O(n^8)) and one it matches.
SLOW_REGEXES = {
    '(?:a|a)+$': ('a' * 5000 + '!', 'a' * 5000),
    '(?:a{1,30}){1,30}$': ('a' * 5000 + '!', 'a' * 50),
    '(.*,){12}x': (',' * 5000, ',' * 12 + 'x'),
    '\\s*' * 8 + 'x': (' ' * 5000 + '!', ' ' * 5000 + 'x'),
}


@pytest.mark.parametrize('where', ('ai.markers', 'documentation.patterns'))
@pytest.mark.parametrize('pattern', SLOW_REGEXES)
def test_catastrophic_regex_is_judged_not_timed(tmp_path: Path, pattern: str, where: str) -> None:
    """Patterns that backtrack catastrophically in Python's re are valid
    policy regexes: RE2 searches them in linear time, so commit-msg and check
    give the ordinary verdict, the same on any machine, and never exit 2."""
    quoted = "'" + pattern.replace("'", "''") + "'"
    data = with_line(f'ai:\n  markers: [{quoted}]\n') if where == 'ai.markers' else \
        BASE.replace(b"'^[A-Z]+-[0-9]+$'", quoted.encode())
    repo = init(tmp_path / 'repo')
    put(repo / POLICY_PATH, data)
    put(repo / CHARGE, 'def charge():\n    return 1\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Add the policy')
    assert trailgate(repo, 'validate').returncode == 0
    for text, matches in zip(SLOW_REGEXES[pattern], (False, True), strict=True):
        if where == 'ai.markers':  # the marker alone makes the change AI-assisted
            message = f'Speed up charge\n\n{text}\n'
        else:
            message = f'Speed up charge\n\nAssisted-by: Claude Code\nChange-Doc: {text}\n'
        put(repo / CHARGE, f'def charge():\n    return {len(text)}{matches}\n')
        git(repo, 'add', CHARGE)
        put(tmp_path / 'MSG', message)
        hook = trailgate(repo, 'commit-msg', str(tmp_path / 'MSG'))
        git(repo, 'commit', '-q', '--no-verify', '-F', str(tmp_path / 'MSG'))
        check = trailgate(repo, 'check', 'HEAD~1..HEAD')
        for proc in (hook, check):
            assert 'Traceback' not in proc.output, proc.output
            if where == 'ai.markers':
                assert proc.returncode == (1 if matches else 0), (matches, proc.output)
            else:
                assert proc.returncode == 1, proc.output
                assert ('missing-documentation' in proc.output) is not matches, (matches, proc.output)
