"""Shared helpers for the trailgate benchmarks (plain stdlib).

Every repository a benchmark builds lives in a temporary directory and runs
git isolated from the machine's configuration: no global or system config,
identity from GIT_AUTHOR_* / GIT_COMMITTER_*. Big histories are written with
one ``git fast-import`` stream.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import NamedTuple

VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))
TRAILGATE = shutil.which('trailgate', path=VENV_BIN) or os.path.join(VENV_BIN, 'trailgate')
GITLINT = shutil.which('gitlint', path=VENV_BIN) or os.path.join(VENV_BIN, 'gitlint')
if not os.path.exists(TRAILGATE):
    sys.exit(f'{TRAILGATE}: no trailgate beside this Python; run the benchmarks with the venv\'s '
             f'(.venv/bin/python benchmarks/{os.path.basename(sys.argv[0])}), see benchmarks/README.md')
PYTHON = sys.executable

# Variables that would point git (or trailgate) somewhere else.
_DROP = (
    'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
    'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_CEILING_DIRECTORIES',
    'GIT_EXTERNAL_DIFF', 'GIT_TRACE', 'GIT_TRACE2', 'GIT_TRACE2_EVENT', 'GIT_TRACE2_PERF',
    'TRAILGATE_POLICY', 'TRAILGATE_DEBUG', 'PRE_COMMIT_FROM_REF', 'PRE_COMMIT_TO_REF',
    'PRE_COMMIT_REMOTE_NAME', 'PYTHONPROFILEIMPORTTIME', 'PYTHONDEVMODE',
)


def isolated_env(home: str, bytecode_cache: bool = True) -> dict[str, str]:
    """The environment of every child: isolated git, a fixed identity.

    ``bytecode_cache``: let Python cache compiled modules, as any installed
    package has them, but under ``home`` (PYTHONPYCACHEPREFIX) so that the
    source tree is never written to. Without it, an inherited
    PYTHONDONTWRITEBYTECODE=1 makes every run compile trailgate from source.
    """
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    if bytecode_cache:
        env.pop('PYTHONDONTWRITEBYTECODE', None)
        env['PYTHONPYCACHEPREFIX'] = os.path.join(home, 'pycache')
    env.update(
        GIT_CONFIG_GLOBAL='/dev/null',
        GIT_CONFIG_NOSYSTEM='1',
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, '.config'),
        GIT_AUTHOR_NAME='Pat Junior',
        GIT_AUTHOR_EMAIL='pat@shop.example.com',
        GIT_COMMITTER_NAME='Pat Junior',
        GIT_COMMITTER_EMAIL='pat@shop.example.com',
        GIT_AUTHOR_DATE='1767225600 +0000',  # 2026-01-01
        GIT_COMMITTER_DATE='1767225600 +0000',
        LC_ALL='C.UTF-8',
        NO_COLOR='1',
    )
    return env


def git(env: dict[str, str], cwd: str, *args: str, input: bytes | None = None) -> bytes:
    result = subprocess.run(
        ('git', *args), cwd=cwd, env=env, input=input, capture_output=True,
    )
    if result.returncode:
        raise SystemExit(
            f'git {" ".join(args)} failed ({result.returncode}): '
            f'{result.stderr.decode(errors="replace")}',
        )
    return result.stdout


def fast_import(env: dict[str, str], cwd: str, stream_path: str) -> float:
    """Feed a fast-import stream file to git; seconds taken."""
    start = time.perf_counter()
    with open(stream_path, 'rb') as f:
        result = subprocess.run(
            ('git', 'fast-import', '--quiet', '--done'), cwd=cwd, env=env, stdin=f,
            capture_output=True,
        )
    if result.returncode:
        raise SystemExit(f'git fast-import failed: {result.stderr.decode(errors="replace")}')
    return time.perf_counter() - start


class FastImport:
    """Writes a fast-import stream to a file."""

    def __init__(self, path: str) -> None:
        self._f = open(path, 'wb', buffering=1 << 20)  # noqa: SIM115
        self.mark = 0

    def next_mark(self) -> int:
        self.mark += 1
        return self.mark

    def data(self, payload: bytes) -> None:
        self._f.write(b'data %d\n' % len(payload))
        self._f.write(payload)
        self._f.write(b'\n')

    def commit(
        self, ref: str, author: tuple[str, str], committer: tuple[str, str], when: int,
        message: str, changes: Sequence[tuple], parent: int | None = None,
        merges: Sequence[int] = (), mark: int | None = None,
    ) -> int:
        """One commit. changes: ('M', path, bytes) | ('D', path) | ('R', old, new)."""
        mark = mark or self.next_mark()
        w = self._f.write
        w(f'commit {ref}\nmark :{mark}\n'.encode())
        w(f'author {author[0]} <{author[1]}> {when} +0000\n'.encode())
        w(f'committer {committer[0]} <{committer[1]}> {when} +0000\n'.encode())
        self.data(message.encode())
        if parent is not None:
            w(f'from :{parent}\n'.encode())
        for other in merges:
            w(f'merge :{other}\n'.encode())
        for change in changes:
            if change[0] == 'M':
                w(f'M 100644 inline {_quote(change[1])}\n'.encode())
                self.data(change[2])
            elif change[0] == 'D':
                w(f'D {_quote(change[1])}\n'.encode())
            elif change[0] == 'R':
                w(f'R {_quote(change[1])} {_quote(change[2])}\n'.encode())
            else:
                raise ValueError(change)
        w(b'\n')
        return mark

    def reset(self, ref: str, mark: int) -> None:
        self._f.write(f'reset {ref}\nfrom :{mark}\n\n'.encode())

    def close(self) -> None:
        self._f.write(b'done\n')
        self._f.close()


def _quote(path: str) -> str:
    if any(c in path for c in ' "\\\n'):
        raise ValueError(f'benchmark paths are plain: {path!r}')
    return path


# -- the policy ----------------------------------------------------------------

SENIORS = (
    ('Alice Archer', 'alice@shop.example.com'),
    ('Bob Builder', 'bob@shop.example.com'),
    ('Dana Dietrich', 'dana@shop.example.com'),
)
SRE = (('Carol Chen', 'carol@shop.example.com'), ('Erin Ekberg', 'erin@shop.example.com'))
SECURITY = (('Sam Secure', 'sam@shop.example.com'), ('Vic Vault', 'vic@shop.example.com'))
DBA = (('Dee Bea', 'dee@shop.example.com'), ('Dom Base', 'dom@shop.example.com'))
GROUPS = {'senior': SENIORS, 'sre': SRE, 'security': SECURITY, 'dba': DBA}
DOC_PATTERNS = (r'^https://wiki\.shop\.example\.com/\S+$', r'^[A-Z][A-Z0-9]+-[0-9]+$')


class RuleSpec(NamedTuple):
    id: str
    area: str  # the directory whose files the rule protects (for generators)
    paths: tuple[str, ...]
    group: str
    count: int
    documentation: bool
    trailers: tuple[str, ...]
    applies_to_all: bool = False
    exclude: bool = False
    exempt_seniors: bool = False
    active: tuple[str, str] | None = None


def _rules() -> tuple[RuleSpec, ...]:
    services = ('payments', 'checkout', 'inventory', 'pricing', 'auth', 'billing', 'ledger',
                'fraud', 'orders', 'refunds', 'tax', 'identity', 'shipping', 'wallet')
    extra = (
        ('deploy-config', 'deploy', ('deploy/**', '*.tf'), 'sre'),
        ('k8s-manifests', 'infra/k8s', ('infra/k8s/**',), 'sre'),
        ('db-migrations', 'db/migrations', ('db/migrations/**',), 'dba'),
        ('ci-workflows', '.github/workflows', ('.github/workflows/**',), 'sre'),
        ('security-code', 'security', ('security/**',), 'security'),
        ('crypto-lib', 'lib/crypto', ('lib/crypto/**',), 'security'),
    )
    specs = [(f'tier1-{name}', f'services/{name}', (f'services/{name}/**',),
              'security' if name in ('auth', 'identity') else 'senior') for name in services]
    specs += list(extra)
    windows = {3: ('2025-03-01', '2026-12-31'), 10: ('2024-01-01', '2030-12-31'),
               17: ('2025-06-01', '2027-06-30')}
    rules = []
    for index, (rule_id, area, paths, group) in enumerate(specs):
        rules.append(RuleSpec(
            id=rule_id, area=area, paths=paths, group=group,
            count=2 if group == 'senior' and index < 4 else 1,
            documentation=index < 8 or rule_id == 'db-migrations',
            trailers=('Rollback-Plan',) if index < 4 or rule_id == 'db-migrations' else (),
            applies_to_all=rule_id in ('deploy-config', 'ci-workflows', 'db-migrations'),
            exclude=index % 3 == 0,
            exempt_seniors=index % 5 == 2 and group == 'senior',
            active=windows.get(index),
        ))
    return tuple(rules)


RULES = _rules()


def critical_dirs() -> list[str]:
    """Directories under which a file is critical (for generating changes)."""
    return [rule.area for rule in RULES]


def _person(name_email: tuple[str, str]) -> str:
    return f'"{name_email[0]} <{name_email[1]}>"'


def policy_yaml() -> str:
    """A 20-rule policy: reviews everywhere, documentation (paths + patterns)
    on nine rules, extra trailers, excludes, exemptions, active windows."""
    lines = [
        '# trailgate benchmark policy: 20 rules',
        'version: 1',
        'ai:',
        '  builtin_signatures: true',
        '  disclosure_trailers: [Assisted-by, Generated-by]',
        "  identities: ['<ai-bot@shop\\.example\\.com>$']",
        "  markers: ['^Generated by ShopGPT']",
        'groups:',
    ]
    for name, people in GROUPS.items():
        lines.append(f'  {name}: [' + ', '.join(_person(p) for p in people) + ']')
    lines += ['policy_owners: senior', 'rules:']
    for rule in RULES:
        lines.append(f'  - id: {rule.id}')
        lines.append('    paths: [' + ', '.join(f'"{p}"' for p in rule.paths) + ']')
        if rule.exclude:
            lines.append('    exclude: ["**/*.md", "**/testdata/**"]')
        if rule.applies_to_all:
            lines.append('    applies_to: all')
        if rule.exempt_seniors:
            lines.append('    exempt_authors: [senior]')
        if rule.active:
            lines.append(f'    active: {{from: {rule.active[0]}, until: {rule.active[1]}}}')
        lines.append('    require:')
        lines.append(f'      reviews: {{trailer: Reviewed-by, group: {rule.group}, count: {rule.count}}}')
        if rule.documentation:
            lines.append('      documentation:')
            lines.append('        trailer: Change-Doc')
            lines.append('        paths: ["docs/changes/**"]')
            lines.append('        patterns: [' + ', '.join(f"'{p}'" for p in DOC_PATTERNS) + ']')
        if rule.trailers:
            lines.append('      trailers: [' + ', '.join(rule.trailers) + ']')
    lines += ['overrides:', '  trailer: Break-Glass', '  group: sre', '']
    return '\n'.join(lines)


# -- measuring -----------------------------------------------------------------


class Run(NamedTuple):
    seconds: float
    cpu_seconds: float  # user + system, the child and every descendant it reaped
    returncode: int
    maxrss_kb: int  # the child and every descendant it reaped (wait4)
    stdout: bytes  # all of it, or with keep_stdout=False its first keep_head bytes
    stderr: bytes
    stdout_bytes: int


def run_measured(
    argv: Sequence[str], cwd: str, env: dict[str, str], stdout: int | None = subprocess.PIPE,
    stderr: int | None = subprocess.PIPE, keep_stdout: bool = True, keep_head: int = 0,
) -> Run:
    """Run one fresh child; wall time, CPU time and max RSS from os.wait4 on it.

    ``keep_stdout=False`` drains a piped stdout, keeping only its size and
    first ``keep_head`` bytes, so that huge outputs cost this side no memory.
    """
    err_file = tempfile.TemporaryFile() if stderr == subprocess.PIPE else None  # noqa: SIM115
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=stdout,
                               stderr=err_file if err_file is not None else stderr,
                               stdin=subprocess.DEVNULL)
    out = b''
    size = 0
    if process.stdout is not None:
        if keep_stdout:
            out = process.stdout.read()
            size = len(out)
        else:
            while True:
                chunk = process.stdout.read(1 << 16)
                if not chunk:
                    break
                if len(out) < keep_head:
                    out += chunk[:keep_head - len(out)]
                size += len(chunk)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stdout is not None:
        process.stdout.close()
    err = b''
    if err_file is not None:
        err_file.seek(0)
        err = err_file.read()
        err_file.close()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, process.returncode, usage.ru_maxrss, out, err, size)


def load() -> str:
    try:
        return ' '.join(f'{value:.2f}' for value in os.getloadavg())
    except OSError:
        return '?'


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    out = []
    for n, row in enumerate(cells):
        out.append('  '.join(
            c.ljust(w) if n == 0 or i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip())
        if n == 0:
            out.append('  '.join('-' * w for w in widths))
    return '\n'.join(out)


# -- a repository's files ------------------------------------------------------

_PLAIN_DIRS = (
    'src/app', 'src/web', 'src/api', 'lib/util', 'lib/http', 'tests/unit', 'tests/integration',
    'web/components', 'web/pages', 'tools', 'docs/guide',
)


def file_paths(count: int, critical_share: float = 0.15) -> list[str]:
    """``count`` plausible repository paths: about ``critical_share`` of them
    under the policy's critical areas, the rest in ordinary code, tests, docs."""
    critical = critical_dirs()
    n_critical = int(count * critical_share)
    paths = []
    for i in range(n_critical):
        area = critical[i % len(critical)]
        sub = ('core', 'api', 'model', 'testdata', 'docs')[(i // len(critical)) % 5]
        ext = 'md' if sub == 'docs' else ('tf' if area == 'deploy' and i % 2 else 'py')
        paths.append(f'{area}/{sub}/f{i:05d}.{ext}')
    for i in range(count - n_critical):
        area = _PLAIN_DIRS[i % len(_PLAIN_DIRS)]
        ext = 'md' if area.startswith('docs') else ('ts' if area.startswith('web') else 'py')
        paths.append(f'{area}/m{(i // 40) % 97:02d}/f{i:05d}.{ext}')
    return paths


def file_body(path: str, version: int) -> bytes:
    return (
        f'# {path}\n# revision {version}\n'
        + ''.join(f'value_{n} = {version * 31 + n}  # generated\n' for n in range(6))
    ).encode()


def product_version() -> str:
    """Which trailgate is measured: the checkout's HEAD, and whether
    trailgate/ has uncommitted changes (read-only git calls)."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    try:
        head = subprocess.run(('git', '-C', top, 'rev-parse', '--short=12', 'HEAD'), env=env,
                              capture_output=True, check=True).stdout.decode().strip()
        dirty = subprocess.run(
            ('git', '--no-optional-locks', '-C', top, 'status', '--porcelain', '--', 'trailgate'),
            env=env, capture_output=True, check=True,
        ).stdout.decode().splitlines()
    except (OSError, subprocess.CalledProcessError):
        return f'{top} (not a git checkout)'
    return f'{top} at {head}' + (f' + {len(dirty)} uncommitted file(s) under trailgate/' if dirty else '')
