"""Fault injection: every function of ``trailgate.git`` (and every method of
``CatFile``) made to raise, one at a time, in a real repository.

``trailgate.main.main`` runs in-process for each gate, in scenarios whose
honest answer is a refusal (exit 1) or a pass (exit 0). A baseline run with
every function spied on records which functions each scenario reaches; a
fault in a function the scenario never reaches cannot change its answer
(the run is the same up to the call), so only reached functions are
faulted. A faulted run must exit 2 (never 0, never a silent pass), print
one line on stderr, and show a traceback only with ``--debug`` or
``TRAILGATE_DEBUG=1``. ``prepare-commit-msg`` never blocks by contract: a
fault there exits 0, still with its one line.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import io
import sys
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest

from testing.adversarial import AI
from testing.adversarial import BASE_FILES
from testing.adversarial import CHARGE
from testing.adversarial import POLICY_PATH
from testing.adversarial import REVIEW_ALICE
from testing.adversarial import REVIEW_BOB
from testing.adversarial import git
from testing.adversarial import init
from testing.adversarial import put
from testing.adversarial import trailgate
from testing.sshkeys import make_key
from testing.util import GIT_ENV
from testing.util import STRIPPED
from trailgate import git as tg_git
from trailgate import invocation
from trailgate.approvals.cache import CACHE_FILE
from trailgate.errors import GitError
from trailgate.main import main

FUNCTIONS = sorted(
    name for name, value in inspect.getmembers(tg_git, inspect.isfunction)
    if value.__module__ == tg_git.__name__ and not name.startswith('_')
)
METHODS = sorted(
    name for name, value in vars(tg_git.CatFile).items()
    # _abandon runs only after a failure, so no honest run reaches it
    if inspect.isfunction(value) and name not in ('_pipes', '_abandon')
)
TARGETS = [*FUNCTIONS, *(f'CatFile.{name}' for name in METHODS)]
FAULTS: dict[str, Callable[[], BaseException]] = {
    'GitError': lambda: GitError('injected fault'),
    'OSError': lambda: OSError(5, 'injected fault'),
    'RuntimeError': lambda: RuntimeError('injected fault'),
}
ZERO = '0' * 40
SIGNERS = '.trailgate/allowed_signers'
OK_MESSAGE = f'Speed up charge\n\n{AI}\n{REVIEW_ALICE}\n{REVIEW_BOB}\nChange-Doc: docs/changes/x.md\n'
BAD_MESSAGE = f'Speed up charge\n\n{AI}\n'


class Scenario(NamedTuple):
    name: str
    where: str  # 'repo', 'server' (bare) or 'shallow' (a depth-2 clone of repo)
    argv: tuple[str, ...]  # {c0} {c1} {c2} {ok} {bad} {url} {hint} are filled in
    stdin: str
    expected: int  # the honest answer
    amending: bool = False  # as under `git commit --amend`
    pushing: tuple[tuple[str, str | None], ...] | None = None  # the `git push` refspecs, under pre-commit


SCENARIOS = (
    Scenario('check-refused', 'repo', ('check', 'main~1..main'), '', 1),
    Scenario('check-accepted', 'repo', ('check', 'main~2..main~1'), '', 0),
    Scenario('check-two-ranges', 'repo', ('check', 'main~2..main~1', 'main~1..main'), '', 1),
    Scenario('check-base-json', 'repo', ('check', '--base', 'main~1', '--format', 'json'), '', 1),
    Scenario('commit-msg-refused', 'repo', ('commit-msg', '{bad}'), '', 1),
    Scenario('commit-msg-accepted', 'repo', ('commit-msg', '{ok}'), '', 0),
    Scenario('commit-msg-amend', 'repo', ('commit-msg', '{bad}'), '', 1, amending=True),
    Scenario('commit-msg-reminder', 'repo', ('commit-msg', '--policy', '{lax}', '{bad}'), '', 0),
    Scenario('commit-msg-sparse', 'sparse', ('commit-msg', '{bad}'), '', 1),  # the policy from the index
    Scenario('check-shallow', 'shallow', ('check', 'main~1..main'), '', 1),
    Scenario('explain-refused', 'repo', ('explain', 'main'), '', 1),
    Scenario('explain-accepted', 'repo', ('explain', 'main~1'), '', 0),
    Scenario('explain-message', 'repo', ('explain', '--message', '{bad}'), '', 1),
    Scenario('validate', 'repo', ('validate',), '', 0),
    Scenario('pre-push-refused', 'repo', ('pre-push', 'origin', '{url}'),
             'refs/heads/main {c2} refs/heads/main {c0}\n', 1),
    Scenario('pre-push-accepted', 'repo', ('pre-push', 'origin', '{url}'),
             'refs/heads/main {c1} refs/heads/main {c0}\n', 0),
    Scenario('pre-push-new-branch', 'repo', ('pre-push', 'origin', '{url}'),
             f'refs/heads/feature {{c2}} refs/heads/feature {ZERO}\n', 1),
    Scenario('pre-push-unconfigured-url', 'repo', ('pre-push', '{url2}', '{url2}'),
             f'refs/heads/feature {{c2}} refs/heads/feature {ZERO}\n', 1),
    Scenario('pre-push-framework', 'repo', ('pre-push',), '', 1, pushing=(('main', 'refs/heads/main'),)),
    Scenario('pre-push-framework-tree', 'repo', ('pre-push',), '', 1, pushing=(('main^{tree}', 'refs/heads/main'),)),
    Scenario('pre-receive-refused', 'server', ('pre-receive',), '{c0} {c2} refs/heads/main\n', 1),
    Scenario('pre-receive-accepted', 'server', ('pre-receive',), '{c0} {c1} refs/heads/main\n', 0),
    Scenario('pre-receive-new-ref', 'server', ('pre-receive',), f'{ZERO} {{c2}} refs/heads/feature\n', 1),
    Scenario('pre-receive-policy-change', 'server', ('pre-receive',), '{c0} {c_policy} refs/heads/main\n', 0),
    # a symbolic ref to a missing branch: the push creates that branch
    Scenario('pre-receive-symbolic-ref', 'server', ('pre-receive',), f'{ZERO} {{c2}} refs/heads/alias\n', 1),
    Scenario('prepare-commit-msg', 'repo', ('prepare-commit-msg', '{hint}'), '', 0),
    # signed approvals: change ids, the ledger, merges, signing and pushing the ledger
    Scenario('check-signed-accepted', 'signed', ('check', '{s0}..{s_ok}'), '', 0),
    Scenario('check-signed-refused', 'signed', ('check', '{s0}..{s_new}'), '', 1),
    Scenario('check-signed-merge', 'signed', ('check', '{s_new}..{s_merge}'), '', 1),
    Scenario('explain-signed', 'signed', ('explain', '{s_ok}'), '', 0),
    # a commit that is not HEAD: its fix rewords it, never amends HEAD
    Scenario('explain-refused-not-head', 'server', ('explain', '--policy', '{lax}', '{c2}'), '', 1),
    Scenario('pre-receive-signed-ledger', 'signed-server', ('pre-receive',),
             f'{ZERO} {{l_local}} refs/trailgate/approvals\n{{s0}} {{s_ok}} refs/heads/main\n', 0),
    Scenario('pre-receive-signed-ledger-append', 'signed-server', ('pre-receive',),
             '{l_server} {l_append} refs/trailgate/approvals\n{s0} {s_ok} refs/heads/main\n', 0),
    Scenario('approve-push', 'signed', ('approve', '{s_ok}..{s_new}', '--yes', '--key', '{carol_key}',
                                        '--push', 'origin'), '', 0),
    Scenario('audit-lines', 'repo', ('audit', '-q', '--lines', '--since', '10.years.ago'), '', 0),
    Scenario('audit-shallow', 'shallow', ('audit', '-q', 'main'), '', 2),
    Scenario('audit-signed', 'signed', ('audit', '-q', '{s0}..{s_merge}'), '', 0),
    Scenario('audit-files', 'repo', ('audit', '-q', '--html', '../audit.html', '--csv', '../audit.csv'), '', 0),
)
LEDGER = 'refs/trailgate/approvals'
SIGNED_POLICY = """\
version: 1
groups:
  senior: [alice@example.com, bob@example.com, carol@example.com]
policy_owners: senior
signers: .trailgate/allowed_signers
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2, signed: true}
"""
NEVER_BLOCKS = frozenset(('prepare-commit-msg',))


class World(NamedTuple):
    repo: Path
    server: Path
    shallow: Path
    values: dict[str, str]
    signed: Path
    signed_server: Path
    sparse: Path

    def cwd(self, scenario: Scenario) -> Path:
        return {'repo': self.repo, 'server': self.server, 'shallow': self.shallow, 'signed': self.signed,
                'signed-server': self.signed_server, 'sparse': self.sparse}[scenario.where]

    def reset_ledgers(self) -> None:
        """approve --push moves both ledgers, and every run caches what it
        computed: put all back, so every run does the same."""
        git(self.signed, 'update-ref', LEDGER, self.values['l_local'])
        git(self.signed_server, 'update-ref', LEDGER, self.values['l_server'])
        for git_dir in (self.signed / '.git', self.signed_server):
            (git_dir / CACHE_FILE).unlink(missing_ok=True)

    def argv(self, scenario: Scenario) -> list[str]:
        return [arg.format(**self.values) for arg in scenario.argv]

    def stdin(self, scenario: Scenario) -> str:
        return scenario.stdin.format(**self.values)


def build_world(root: Path) -> World:
    repo = init(root / 'repo')
    for name, content in BASE_FILES.items():
        put(repo / name, content)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Add the trailgate policy')
    put(repo / 'docs/changes/x.md', 'plan\n')
    put(repo / CHARGE, 'def charge():\n    return 2\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-F', '-', input=OK_MESSAGE)
    put(repo / CHARGE, 'def charge():\n    return 3\n')
    git(repo, 'commit', '-q', '-a', '-F', '-', input=BAD_MESSAGE)
    c0, c1, c2 = (git(repo, 'rev-parse', rev).strip() for rev in ('main~2', 'main~1', 'main'))
    git(repo, 'switch', '-q', '-c', 'policy-change', c0)  # the policy owners' change, on no branch
    put(repo / POLICY_PATH, BASE_FILES[POLICY_PATH] + '# agreed\n')
    git(repo, 'commit', '-q', '-a', '-m', f'Tighten the policy\n\n{REVIEW_ALICE}\n{REVIEW_BOB}\n')
    c_policy = git(repo, 'rev-parse', 'HEAD').strip()
    git(repo, 'switch', '-q', 'main')
    git(repo, 'branch', '-q', '-D', 'policy-change')
    server = init(root / 'server.git', bare=True)
    git(repo, 'remote', 'add', 'origin', str(server))
    git(repo, 'push', '-q', 'origin', f'{c2}:refs/heads/incoming', f'{c_policy}:refs/heads/incoming-policy',
        f'{c0}:refs/heads/main')
    git(server, 'update-ref', '-d', 'refs/heads/incoming-policy')
    git(server, 'update-ref', '-d', 'refs/heads/incoming')  # objects stay, unreferenced, as in quarantine
    git(repo, 'update-ref', '-d', 'refs/remotes/origin/incoming')
    git(repo, 'update-ref', '-d', 'refs/remotes/origin/incoming-policy')
    git(repo, 'remote', 'set-head', 'origin', 'main')
    git(server, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/aliased')
    unconfigured = root / 'unconfigured.git'
    git(root, 'clone', '-q', '--bare', str(server), str(unconfigured))
    shallow = root / 'shallow'
    git(root, 'clone', '-q', '--depth', '2', f'file://{repo}', str(shallow))
    sparse = root / 'sparse'  # a checkout without .trailgate/ in its work tree
    git(root, 'clone', '-q', str(repo), str(sparse))
    git(sparse, 'sparse-checkout', 'set', '--cone', 'services')
    for work_tree in (repo, sparse):
        put(work_tree / CHARGE, 'def charge():\n    return 4\n')
        git(work_tree, 'add', CHARGE)
    values = {
        'c0': c0, 'c1': c1, 'c2': c2, 'c_policy': c_policy, 'url': str(server), 'url2': str(unconfigured),
        'ok': str(put(root / 'OK_MSG', OK_MESSAGE)), 'bad': str(put(root / 'BAD_MSG', BAD_MESSAGE)),
        'hint': str(root / 'HINT_MSG'),
        # main is not protected: commit-msg reminds, naming the branch it is headed for
        'lax': str(put(root / 'lax.yaml', BASE_FILES[POLICY_PATH] + 'protected: [release]\n')),
    }
    signed, signed_server = build_signed(root, values)
    return World(repo, server, shallow, values, signed, signed_server, sparse)


def build_signed(root: Path, values: dict[str, str]) -> tuple[Path, Path]:
    """A repository with signed reviews: s_ok approved by alice and bob in the
    local ledger, s_new unapproved, an evil merge; a server whose ledger has
    a history of its own (so approve --push must merge)."""
    keys = {name: make_key(root / 'keys', name) for name in ('alice', 'bob', 'carol')}
    signers = ''.join(f'{name}@example.com {key.public_line}\n' for name, key in keys.items())
    repo = init(root / 'signed')
    for name, content in {**BASE_FILES, POLICY_PATH: SIGNED_POLICY, SIGNERS: signers}.items():
        put(repo / name, content)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Signed policy')
    put(repo / CHARGE, 'def charge():\n    return 5\n')
    git(repo, 'commit', '-q', '-a', '-F', '-', input=BAD_MESSAGE)
    put(repo / CHARGE, 'def charge():\n    return 6\n')
    git(repo, 'commit', '-q', '-a', '-F', '-', input=BAD_MESSAGE)
    s0, s_ok, s_new = (git(repo, 'rev-parse', rev).strip() for rev in ('main~2', 'main~1', 'main'))
    git(repo, 'checkout', '-q', '-b', 'side', s0)
    put(repo / 'services/payments/a.py', 'A = 2\n')
    git(repo, 'commit', '-q', '-a', '-F', '-', input=BAD_MESSAGE)
    git(repo, 'checkout', '-q', 'main')
    git(repo, 'merge', '-q', '--no-commit', 'side')
    put(repo / 'services/payments/evil.py', 'EVIL = 1\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Merge side')
    s_merge = git(repo, 'rev-parse', 'HEAD').strip()
    git(repo, 'reset', '-q', '--hard', s_new)
    server = init(root / 'signed-server.git', bare=True)
    git(repo, 'remote', 'add', 'origin', str(server))
    git(repo, 'push', '-q', 'origin', f'{s0}:refs/heads/main', f'{s_merge}:refs/heads/incoming')
    git(server, 'update-ref', '-d', 'refs/heads/incoming')
    for name in ('alice', 'bob'):
        approve = trailgate(repo, 'approve', f'{s0}..{s_ok}', '--yes', '--key', str(keys[name].private))
        assert approve.returncode == 0, approve
    l_local = git(repo, 'rev-parse', LEDGER).strip()
    git(repo, 'update-ref', '-d', LEDGER)
    approve = trailgate(repo, 'approve', f'{s_ok}..{s_new}', '--yes', '--key', str(keys['alice'].private))
    assert approve.returncode == 0, approve
    l_server = git(repo, 'rev-parse', LEDGER).strip()
    for name in ('bob', 'carol'):  # an append to the server's ledger
        approve = trailgate(repo, 'approve', f'{s0}..{s_ok}', '--yes', '--key', str(keys[name].private))
        assert approve.returncode == 0, approve
    l_append = git(repo, 'rev-parse', LEDGER).strip()
    git(repo, 'push', '-q', 'origin', f'{l_server}:{LEDGER}', f'{l_local}:refs/heads/incoming',
        f'{l_append}:refs/heads/incoming-append')
    git(server, 'update-ref', '-d', 'refs/heads/incoming')
    git(server, 'update-ref', '-d', 'refs/heads/incoming-append')
    git(repo, 'update-ref', LEDGER, l_local)
    values.update(s0=s0, s_ok=s_ok, s_new=s_new, s_merge=s_merge, l_local=l_local, l_server=l_server,
                  l_append=l_append, carol_key=str(keys['carol'].private))
    return repo, server


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def invoke(world: World, scenario: Scenario, capsys: pytest.CaptureFixture[str] | None,
           patch: Callable[[pytest.MonkeyPatch], None] = lambda m: None, debug: str = '') -> Result:
    """``main(argv)`` in-process, with the test environment and ``patch`` applied."""
    if scenario.name in NEVER_BLOCKS:
        put(Path(world.values['hint']), BAD_MESSAGE)  # it edits the file: start afresh
    if scenario.where.startswith('signed'):
        world.reset_ledgers()
    argv = world.argv(scenario)
    for value in vars(tg_git).values():
        if isinstance(value, functools._lru_cache_wrapper):  # each run asks git afresh, as a process would
            value.cache_clear()
    with pytest.MonkeyPatch.context() as m:
        m.chdir(world.cwd(scenario))
        for key in (*STRIPPED, 'TRAILGATE_DEBUG', 'GIT_EDITOR', 'FORCE_COLOR'):
            m.setenv(key, '')  # recorded, so that undo removes what main() sets
            m.delenv(key)
        for key, value in GIT_ENV.items():
            m.setenv(key, value)
        if debug == 'env':
            m.setenv('TRAILGATE_DEBUG', '1')
        elif debug == 'flag':
            argv = ['--debug', *argv]
        m.setattr(sys, 'stdin', io.StringIO(world.stdin(scenario)))
        if scenario.amending:
            m.setattr(invocation, 'is_amending', lambda: True)
        if scenario.pushing is not None:
            refspecs = list(scenario.pushing)
            m.setattr(invocation, 'pushed_refspecs', lambda: refspecs)
            m.setattr(invocation, 'push_follows_tags', lambda: True)  # --follow-tags: the tags are read too
            m.setenv('PRE_COMMIT', '1')
            m.setenv('PRE_COMMIT_REMOTE_NAME', 'origin')
        patch(m)
        if capsys is None:  # the module fixture has no capsys
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                returncode = main(argv)
            return Result(returncode, stdout.getvalue(), stderr.getvalue())
        capsys.readouterr()
        returncode = main(argv)
        out, err = capsys.readouterr()
    return Result(returncode, out, err)


def _owner_and_name(target: str) -> tuple[Any, str]:
    if target.startswith('CatFile.'):
        return tg_git.CatFile, target.split('.', 1)[1]
    return tg_git, target


def spy_all(calls: set[str]) -> Callable[[pytest.MonkeyPatch], None]:
    def patch(m: pytest.MonkeyPatch) -> None:
        for target in TARGETS:
            owner, name = _owner_and_name(target)
            original = getattr(owner, name)

            def spy(*args: Any, _original: Any = original, _target: str = target, **kwargs: Any) -> Any:
                calls.add(_target)
                return _original(*args, **kwargs)

            m.setattr(owner, name, spy)
    return patch


def fault(target: str, exception: str, calls: list[str]) -> Callable[[pytest.MonkeyPatch], None]:
    def patch(m: pytest.MonkeyPatch) -> None:
        owner, name = _owner_and_name(target)

        def raiser(*args: Any, **kwargs: Any) -> Any:
            calls.append(target)
            raise FAULTS[exception]()

        m.setattr(owner, name, raiser)
    return patch


class Baseline(NamedTuple):
    world: World
    reached: dict[str, frozenset[str]]  # scenario -> targets it calls


@pytest.fixture(scope='module')
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Baseline]:
    world = build_world(tmp_path_factory.mktemp('fail-closed'))
    reached = {}
    for scenario in SCENARIOS:
        calls: set[str] = set()
        result = invoke(world, scenario, None, spy_all(calls))
        assert result.returncode == scenario.expected, (scenario.name, result)
        assert 'Traceback' not in result.stderr, result.stderr
        reached[scenario.name] = frozenset(calls)
    yield Baseline(world, reached)


def one_line(stderr: str) -> str:
    lines = stderr.strip('\n').split('\n')
    assert len(lines) == 1 and lines[0].startswith('trailgate: '), stderr
    return lines[0]


@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_unfaulted(baseline: Baseline, scenario: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(baseline.world, scenario, capsys)
    assert result.returncode == scenario.expected, result
    assert 'Traceback' not in result.stderr


def test_every_target_is_reached_somewhere(baseline: Baseline) -> None:
    """Which functions no scenario reaches (so no fault there can matter here)."""
    reached = frozenset().union(*baseline.reached.values())
    never = sorted(set(TARGETS) - reached)
    # empty_tree: only an amended root commit needs it
    assert set(never) <= {'empty_tree'}, never
    print('\nnever reached:', ', '.join(never) or 'none')
    for scenario in SCENARIOS:
        print(f'{scenario.name}: {", ".join(sorted(baseline.reached[scenario.name]))}')


def faulted_runs(baseline: Baseline, target: str, exception: str, capsys: pytest.CaptureFixture[str],
                 scenarios: list[Scenario]) -> list[str]:
    """What went wrong in each faulted run (empty: every run failed closed)."""
    problems = []
    for scenario in scenarios:
        calls: list[str] = []
        result = invoke(baseline.world, scenario, capsys, fault(target, exception, calls))
        expected = 0 if scenario.name in NEVER_BLOCKS else 2
        lines = result.stderr.strip('\n').split('\n')
        if not calls:
            problems.append(f'{scenario.name}: the baseline reached {target}, the faulted run did not')
        elif result.returncode != expected:
            problems.append(f'{scenario.name}: exit {result.returncode}, not {expected}: {result}')
        elif len(lines) != 1 or not lines[0].startswith('trailgate: ') or 'injected fault' not in lines[0]:
            problems.append(f'{scenario.name}: not one line naming the fault on stderr: {result.stderr!r}')
        elif 'Traceback' in result.stderr:
            problems.append(f'{scenario.name}: a traceback without --debug')
    return problems


@pytest.mark.parametrize('exception', FAULTS)
@pytest.mark.parametrize('target', TARGETS)
def test_fault(baseline: Baseline, target: str, exception: str, capsys: pytest.CaptureFixture[str]) -> None:
    scenarios = [s for s in SCENARIOS if target in baseline.reached[s.name]]
    if not scenarios:
        pytest.skip(f'{target} is reached by no scenario')
    assert faulted_runs(baseline, target, exception, capsys, scenarios) == []
    # the traceback, with --debug or TRAILGATE_DEBUG=1, for what was not a FatalError
    scenario = scenarios[0]
    debug = 'env' if exception == 'OSError' else 'flag'
    result = invoke(baseline.world, scenario, capsys, fault(target, exception, []), debug=debug)
    assert result.returncode == (0 if scenario.name in NEVER_BLOCKS else 2), result
    if exception == 'GitError':
        assert 'Traceback' not in result.stderr  # an expected failure: its message says it all
    else:
        assert 'Traceback (most recent call last)' in result.stderr, result.stderr
        assert result.stderr.rstrip('\n').split('\n')[-1].startswith('trailgate: internal error: ')
