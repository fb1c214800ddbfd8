from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import POLICY_PATH
from testing.scenarios import Repo
from testing.scenarios import message
from testing.scenarios import new_repo
from trailgate import cli
from trailgate import main as main_module
from trailgate import reports


def test_cli_formats_are_the_report_formats() -> None:
    assert cli.FORMATS == reports.FORMATS


@pytest.mark.parametrize(('argv', 'code'), [
    (['--help'], 0),
    (['--version'], 0),
    (['check', '--help'], 0),
    (['no-such-command'], 2),
    (['check', '--format', 'yaml', 'HEAD~1..HEAD'], 2),
    (['commit-msg'], 2),
])
def test_usage_exit_codes(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_module.main(argv) == code
    assert 'Traceback' not in capsys.readouterr().err


def test_prepare_commit_msg_never_blocks_even_on_bad_usage() -> None:
    assert main_module.main(['prepare-commit-msg', '/nonexistent/dir/MSG']) == 0


# -- the hooks' plain path (no click) ------------------------------------------

@pytest.mark.parametrize(('argv', 'expected'), [
    (['commit-msg', 'MSG'], ('commit-msg', ('MSG',), None)),
    (['commit-msg', '--policy', 'p.yaml', 'MSG'], ('commit-msg', ('MSG',), 'p.yaml')),
    (['commit-msg', 'MSG', '--policy=p.yaml'], ('commit-msg', ('MSG',), 'p.yaml')),
    (['commit-msg', '--policy=', 'MSG'], ('commit-msg', ('MSG',), '')),
    (['prepare-commit-msg', 'MSG'], ('prepare-commit-msg', ('MSG',), None)),
    (['prepare-commit-msg', 'MSG', 'commit', 'HEAD'], ('prepare-commit-msg', ('MSG', 'commit', 'HEAD'), None)),
])
def test_plain_hook_calls(argv: list[str], expected: tuple[object, ...], tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('TRAILGATE_POLICY', raising=False)
    monkeypatch.delenv('TRAILGATE_DEBUG', raising=False)
    assert main_module.plain_hook_call(argv) == expected


@pytest.mark.parametrize('argv', [
    [], ['--debug', 'commit-msg', 'MSG'], ['check', 'a..b'], ['commit-msg'], ['commit-msg', '--help'],
    ['commit-msg', 'MSG', 'extra'], ['commit-msg', '-h'], ['commit-msg', '--', 'MSG'],
    ['commit-msg', '--policy'], ['commit-msg', '--policy', '-x', 'MSG'], ['commit-msg', ''],
    ['commit-msg', '--policy', 'a', '--policy', 'b', 'MSG'], ['commit-msg', '--pol', 'a', 'MSG'],
    ['commit-msg', 'DIR'], ['prepare-commit-msg', 'MSG', 'a', 'b', 'c'],
])
def test_other_shapes_go_through_click(argv: list[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'DIR').mkdir()
    assert main_module.plain_hook_call(argv) is None


def test_debug_environment_goes_through_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('TRAILGATE_DEBUG', '1')
    assert main_module.plain_hook_call(['commit-msg', 'MSG']) is None


def test_policy_environment_as_click_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('TRAILGATE_POLICY', 'env.yaml')
    assert main_module.plain_hook_call(['commit-msg', 'MSG']).policy == 'env.yaml'  # type: ignore[union-attr]
    assert main_module.plain_hook_call(['commit-msg', '--policy=p', 'MSG']).policy == 'p'  # type: ignore[union-attr]
    monkeypatch.setenv('TRAILGATE_POLICY', '')
    assert main_module.plain_hook_call(['commit-msg', 'MSG']).policy is None  # type: ignore[union-attr]


# Runs main() with the plain path ("plain") or with click parsing everything ("click"),
# then says whether click was imported.
_RUNNER = (
    'import sys\n'
    'import trailgate.main as m\n'
    'if sys.argv[1] == "click":\n'
    '    m.plain_hook_call = lambda args: None\n'
    'rc = m.main(sys.argv[2:])\n'
    'sys.stdout.write(f"\\nCLICK-LOADED {\'click\' in sys.modules}\\n")\n'
    'raise SystemExit(rc)\n'
)


def _both_ways(repo: Repo, argv: list[str], message_text: str | None,
               env: dict[str, str] | None = None) -> list[tuple[int, str, str, str | None]]:
    outcomes = []
    for way in ('plain', 'click'):
        msgfile = repo.path / '.git' / 'COMMIT_EDITMSG'
        if message_text is not None:
            msgfile.write_text(message_text)
        run = repo.run(sys.executable, '-c', _RUNNER, way, *argv, env=env)
        out, _, loaded = run.stdout.rpartition('\nCLICK-LOADED ')
        assert loaded.strip() == str(way == 'click' or argv[0] not in ('commit-msg', 'prepare-commit-msg')
                                     or 'DIR' in argv or '--help' in argv), (way, argv, run)
        after = msgfile.read_text() if msgfile.exists() else None
        outcomes.append((run.returncode, out, run.stderr, after))
    return outcomes


MSG = '.git/COMMIT_EDITMSG'
CASES = {
    'refused': (['commit-msg', MSG], message('Charge', CO_AUTHORED), None, 1),
    'accepted': (['commit-msg', MSG], message('Charge', CO_AUTHORED, *APPROVALS), None, 0),
    'human': (['commit-msg', MSG], message('Charge'), None, 0),
    'policy option': (['commit-msg', f'--policy={POLICY_PATH}', MSG], message('Charge', ASSISTED), None, 1),
    'missing policy': (['commit-msg', '--policy', 'nope.yaml', MSG], message('Charge', ASSISTED), None, 2),
    'policy from env': (['commit-msg', MSG], message('Charge', ASSISTED), {'TRAILGATE_POLICY': 'nope.yaml'}, 2),
    'missing message': (['commit-msg', 'no-such-file'], None, None, 2),
    'directory': (['commit-msg', 'DIR'], None, None, 2),
    'help': (['commit-msg', '--help'], None, None, 0),
    'prepare': (['prepare-commit-msg', MSG], message('Charge'), None, 0),
    'prepare message': (['prepare-commit-msg', MSG, 'message'], message('Charge'), None, 0),
    'prepare commit': (['prepare-commit-msg', MSG, 'commit', 'HEAD'], message('Charge'), None, 0),
    'prepare missing': (['prepare-commit-msg', 'no/such/file'], None, None, 0),
}


@pytest.mark.parametrize('case', CASES.values(), ids=CASES.keys())
def test_plain_path_and_click_agree(case: tuple[list[str], str | None, dict[str, str] | None, int],
                                    tmp_path: Path) -> None:
    """Same exit code, same output, same message file, whichever path ran."""
    argv, message_text, env, code = case
    repo = new_repo(tmp_path / 'repo', hooks=False)
    (repo.path / 'DIR').mkdir()
    repo.stage({CRITICAL: 'cents = 1\n'})
    plain, through_click = _both_ways(repo, argv, message_text, env)
    assert plain == through_click
    assert plain[0] == code


# -- what the hooks' plain path costs ---------------------------------------------

# Never loaded by commit-msg or prepare-commit-msg called as git calls them:
# the CLI framework, subprocess and what it brings (git runs through
# os.posix_spawnp), json (the policy cache is marshal), and YAML (the policy
# cache is warm).
NOT_ON_THE_HOOK_PATH = frozenset((
    'click', 'trailgate.cli', 'subprocess', 'selectors', 'threading', 'signal', 'json', 'yaml',
))
# What only a report needs: a commit that passes writes none.
REPORTING = frozenset(('trailgate.output', 'trailgate.reports', 'trailgate.targets'))
_MODULES_RUNNER = (
    'import sys\n'
    'import trailgate.main as m\n'
    'rc = m.main(sys.argv[1:])\n'
    'sys.stdout.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")\n'
    'raise SystemExit(rc)\n'
)
HOOK_RUNS = {
    'accepted': (['commit-msg', MSG], message('Charge', CO_AUTHORED, *APPROVALS), 0),
    'refused': (['commit-msg', MSG], message('Charge', CO_AUTHORED), 1),
    'prepare': (['prepare-commit-msg', MSG], message('Charge'), 0),
}


def _staged_repo(path: Path) -> Repo:
    repo = new_repo(path, hooks=False)
    repo.stage({CRITICAL: 'cents = 1\n'})
    return repo


@pytest.mark.parametrize('case', HOOK_RUNS.values(), ids=HOOK_RUNS.keys())
def test_hook_path_loads_neither_click_nor_subprocess(case: tuple[list[str], str, int], tmp_path: Path) -> None:
    argv, message_text, code = case
    repo = _staged_repo(tmp_path / 'repo')
    modules = []
    for _ in range(2):  # the first run fills the policy cache
        (repo.path / MSG).write_text(message_text)
        run = repo.run(sys.executable, '-c', _MODULES_RUNNER, *argv)
        assert run.returncode == code, run
        modules.append(set(run.stdout.rpartition('\nMODULES ')[2].split()))
    assert 'yaml' in modules[0]  # the cold run validated the policy
    assert modules[1] & NOT_ON_THE_HOOK_PATH == set()
    if argv[0] == 'commit-msg' and code == 0:
        assert modules[1] & REPORTING == set()


def test_hook_runs_with_the_collector_off_and_leaves_it_as_it_was(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    message_file = tmp_path / 'MSG'
    message_file.write_text('Charge\n')
    monkeypatch.delenv('TRAILGATE_DEBUG', raising=False)
    collecting: list[bool] = []
    monkeypatch.setattr(main_module, '_run_plain_hook', lambda call: collecting.append(gc.isenabled()) or 0)
    assert main_module.main(['commit-msg', str(message_file)]) == 0
    assert collecting == [False]
    assert gc.isenabled()


def test_the_console_script_module_loads_no_typing() -> None:
    """``typing``, and what it brings in (re, enum, contextlib), loads only
    once a hook has turned the collector off."""
    run = subprocess.run((sys.executable, '-c', 'import sys, trailgate.main; print(sorted(sys.modules))'),
                         capture_output=True, text=True, check=True)
    assert "'typing'" not in run.stdout, run.stdout


# Logs each git command line, then runs the real git.
_GIT_WRAPPER = '#!/bin/sh\nprintf "%s\\n" "$*" >> "$TRAILGATE_TEST_GIT_LOG"\nexec {git} "$@"\n'


def _git_commands(repo: Repo, argv: list[str], tmp_path: Path) -> list[str]:
    """The git commands one run of ``argv`` starts, each by its first word
    after trailgate's ``-c core.quotePath=false``."""
    wrapper = tmp_path / 'bin' / 'git'
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(_GIT_WRAPPER.format(git=shutil.which('git')))
    wrapper.chmod(0o755)
    log = tmp_path / 'git.log'
    log.unlink(missing_ok=True)
    env = {'PATH': f'{wrapper.parent}{os.pathsep}{os.environ["PATH"]}', 'TRAILGATE_TEST_GIT_LOG': str(log)}
    run = repo.trailgate(*argv, env=env)
    assert run.returncode in (0, 1), run
    lines = log.read_text().splitlines() if log.exists() else []
    return sorted(line.split()[2] for line in lines)


@pytest.mark.parametrize(('case', 'commands'), [
    ('accepted', ['diff', 'rev-parse', 'var']),
    # a refusal also asks which branch this is (protected or not)
    ('refused', ['diff', 'rev-parse', 'symbolic-ref', 'var']),
    ('prepare', ['diff', 'rev-parse', 'symbolic-ref', 'var']),
])
def test_git_processes_of_one_hook_run(case: str, commands: list[str], tmp_path: Path) -> None:
    argv, message_text, _ = HOOK_RUNS[case]
    repo = _staged_repo(tmp_path / 'repo')
    (repo.path / MSG).write_text(message_text)
    repo.trailgate(*argv)  # fills the policy cache
    (repo.path / MSG).write_text(message_text)
    assert _git_commands(repo, argv, tmp_path) == commands


# -- check's plain path ----------------------------------------------------------

def test_check_formats_are_click_s() -> None:
    assert main_module.CHECK_FORMATS == cli.FORMATS


def _click_check_params(argv: list[str]) -> dict[str, object] | None:
    """What click's check command would be called with; None if click refuses ``argv``."""
    import click

    try:
        with cli.check_command.make_context('check', list(argv[1:])) as context:
            return dict(context.params)
    except click.exceptions.ClickException:
        return None


PLAIN_CHECKS = [
    ['check', 'A..B'],
    ['check', 'A..B', 'C..D'],
    ['check'],
    ['check', '--base', 'origin/main'],
    ['check', '--base=origin/main', '--target', 'main', '-q'],
    ['check', 'A..B', '--format', 'json', '--output', 'out.json', '-v'],
    ['check', '--format=sarif', 'A..B', '--policy-rev', 'HEAD~2', '--as-of', 'commit'],
    ['check', '--policy', 'p.yaml', '--quiet', '--verbose', 'A..B'],
    ['check', '-q', '-q', 'A..B', '--as-of=2026-01-01'],
    ['check', 'refs/heads/x=y', '--target=a=b'],
]
CLICK_CHECKS = [
    ['check', '--help'], ['check', '-h'], ['check', '--', 'A..B'], ['check', '-'], ['check', ''],
    ['check', '--format', 'yaml', 'A..B'], ['check', '--format', 'JSON'], ['check', '--format='],
    ['check', '--base'], ['check', '--base='], ['check', '--base', '-q'], ['check', '--base', 'a', '--base', 'b'],
    ['check', '-qv'], ['check', '--quiet=1'], ['check', '--formats', 'json'], ['check', '--bas', 'x'],
    ['--debug', 'check', 'A..B'], ['audit', 'A..B'], ['check', '--output'], ['check', '-o', 'x'],
]


@pytest.mark.parametrize('argv', PLAIN_CHECKS)
def test_plain_check_arguments_are_click_s(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('TRAILGATE_POLICY', raising=False)
    monkeypatch.delenv('TRAILGATE_DEBUG', raising=False)
    call = main_module.plain_check_call(argv)
    assert call is not None
    assert call._asdict() == _click_check_params(argv)


@pytest.mark.parametrize('argv', CLICK_CHECKS)
def test_other_check_shapes_go_through_click(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('TRAILGATE_DEBUG', raising=False)
    assert main_module.plain_check_call(argv) is None


@pytest.mark.parametrize('value', ['env.yaml', ''])
def test_check_reads_the_policy_environment_as_click_does(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('TRAILGATE_POLICY', value)
    monkeypatch.delenv('TRAILGATE_DEBUG', raising=False)
    for argv in (['check', 'A..B'], ['check', '--policy', 'given.yaml', 'A..B']):
        call = main_module.plain_check_call(argv)
        assert call is not None
        assert call._asdict() == _click_check_params(argv)


@pytest.mark.parametrize('variable', ['TRAILGATE_DEBUG', '_TRAILGATE_COMPLETE'])
def test_debug_and_completion_take_check_through_click(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, '1')
    assert main_module.plain_check_call(['check', 'A..B']) is None


def test_random_check_arguments_parse_as_click_parses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the plain path accepts, click accepts and reads the same way."""
    import random

    monkeypatch.delenv('TRAILGATE_POLICY', raising=False)
    monkeypatch.delenv('TRAILGATE_DEBUG', raising=False)
    tokens = [
        'A..B', 'main', '', '-', '--', '-q', '-v', '-qv', '--quiet', '--verbose', '--quiet=', '--base', '--base=',
        '--base=x', '--target', '--policy-rev', '--as-of', '--policy', '--policy=p', '--format', '--format=json',
        '--format=text', 'json', 'github', 'yaml', '--output', '--output=o', '--help', '-h', '--debug', '=x', 'a=b',
    ]
    rng = random.Random(12)
    accepted = 0
    for _ in range(3000):
        argv = ['check', *rng.choices(tokens, k=rng.randrange(6))]
        call = main_module.plain_check_call(argv)
        if call is not None:
            accepted += 1
            assert call._asdict() == _click_check_params(argv), argv
    assert accepted > 300


def _check_both_ways(repo: Repo, argv: list[str], env: dict[str, str] | None = None) -> list[tuple[int, str, str]]:
    outcomes = []
    for way in ('plain', 'click'):
        runner = _RUNNER.replace('m.plain_hook_call = lambda args: None', 'm.plain_check_call = lambda args: None')
        run = repo.run(sys.executable, '-c', runner, way, *argv, env=env)
        out, _, loaded = run.stdout.rpartition('\nCLICK-LOADED ')
        assert loaded.strip() == str(way == 'click' or '--help' in argv), (way, argv, run)
        outcomes.append((run.returncode, out, run.stderr))
    return outcomes


CHECK_RUNS = {
    'refused': (['check', 'HEAD~2..HEAD'], 1),
    'json': (['check', '--format', 'json', 'HEAD~2..HEAD'], 1),
    'quiet, passing': (['check', '-q', 'HEAD~1..HEAD'], 0),
    'verbose github': (['check', '--format=github', '-v', 'HEAD~2..HEAD'], 1),
    'unknown revision': (['check', 'HEAD~2..nope'], 2),
    'no range': (['check'], 2),
    'bad as-of': (['check', '--as-of', 'someday', 'HEAD~1..HEAD'], 2),
    'missing policy file': (['check', '--policy', 'nope.yaml', 'HEAD~1..HEAD'], 2),
    'help': (['check', '--help'], 0),
}


@pytest.mark.parametrize('case', CHECK_RUNS.values(), ids=CHECK_RUNS.keys())
def test_plain_check_and_click_agree(case: tuple[list[str], int], tmp_path: Path) -> None:
    """Same exit code, same output, whichever path ran."""
    argv, code = case
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'cents = 1\n'}, verify=False)
    repo.commit_ok(message('Docs'), {'README.md': 'hello\n'}, verify=False)
    plain, through_click = _check_both_ways(repo, argv)
    assert plain == through_click
    assert plain[0] == code, plain


def test_plain_check_with_a_closed_pipe_exits_as_click_does(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'cents = 1\n'}, verify=False)
    outcomes = []
    for way in ('plain', 'click'):
        runner = _RUNNER.replace('m.plain_hook_call = lambda args: None', 'm.plain_check_call = lambda args: None')
        read, write = os.pipe()
        os.close(read)  # nobody reads the report
        try:
            run = subprocess.run((sys.executable, '-c', runner, way, 'check', 'HEAD~1..HEAD'), cwd=repo.path,
                                 stdout=write, stderr=subprocess.PIPE, env=repo._env(None, None))
        finally:
            os.close(write)
        outcomes.append((run.returncode, run.stderr))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 1, outcomes


_ASKED_RUNNER = (
    'import sys\n'
    'from trailgate import git\n'
    'started = git.start\n'
    'def start(*args, **options):\n'
    '    sys.stdout.write(f"ASKED {args[:2]} {\'trailgate.commands.check\' in sys.modules}\\n")\n'
    '    return started(*args, **options)\n'
    'git.start = start\n'
    'import trailgate.main as m\n'
    'raise SystemExit(m.main(sys.argv[1:]))\n'
)


@pytest.mark.parametrize(('argv', 'first_range'), [
    (['check', 'HEAD~1..HEAD'], 'HEAD~1..HEAD'),
    (['check', '--format', 'json', 'HEAD', '^HEAD~1'], 'HEAD'),
])
def test_plain_check_asks_git_about_the_repository_and_ranges_while_its_modules_load(
        argv: list[str], first_range: str, tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'cents = 1\n'}, verify=False)
    run = repo.run(sys.executable, '-c', _ASKED_RUNNER, *argv)
    assert run.returncode == 1, run
    first, second = run.stdout.split('\n')[:2]
    assert first == f"ASKED {('rev-parse', '--is-bare-repository')} False", run.stdout
    assert second == f"ASKED {('rev-parse', first_range)} False", run.stdout


@pytest.mark.parametrize('argv', [['check', 'HEAD'], ['prepare-commit-msg', 'MSG'], ['--debug', 'explain']])
def test_an_interrupt_main_catches_exits_130_never_0(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C where no command catches it (while its modules load, say): 130,
    as a shell reports SIGINT, even for the hook that never blocks."""

    def interrupted(args: list[str]) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(main_module, '_run', interrupted)
    assert main_module.main(argv) == 130
    assert capsys.readouterr().err == 'trailgate: interrupted\n'
