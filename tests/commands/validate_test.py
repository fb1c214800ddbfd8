"""``trailgate validate [POLICY]``: every problem as FILE:LINE:COL: message, like a linter."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.util import init_repo
from testing.util import write

# one problem of each kind the contract names, at known places
INVALID = """\
version: 1
groups:
  senior: [alice@example.com]
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    requre:
      reviews: {group: senior}
  - id: tier1-payments
    paths: ["x/**"]
    active: {from: 2026-13-01}
    require:
      reviews: {group: seniors}
      documentation:
        patterns: ['(unclosed']
"""
# (line, what the message is about)
PROBLEMS = [
    (7, 'requre'),
    (9, 'duplicate'),
    (11, '2026-13-01'),
    (13, 'seniors'),
    (15, '(unclosed'),
]
LINE = re.compile(r'^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$')


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(init_repo(tmp_path / 'repo'))


def validate(repo: Repo, *args: str, code: int, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> Run:
    result = repo.run(sys.executable, '-m', 'trailgate', 'validate', *args, cwd=cwd, env=env)
    assert 'Traceback' not in result.output, result.output
    assert result.returncode == code, result
    return result


def problems(result: Run, file: str) -> list[tuple[int, int, str]]:
    """Every stdout line parsed as FILE:LINE:COL: message; each must parse."""
    found = []
    for line in result.stdout.splitlines():
        match = LINE.match(line)
        assert match, f'not FILE:LINE:COL: message: {line!r}'
        assert match['file'] == file, line
        found.append((int(match['line']), int(match['col']), match['message']))
    return found


def assert_every_problem(result: Run, file: str) -> None:
    found = problems(result, file)
    for line, needle in PROBLEMS:
        assert any(at == line and needle in text for at, _, text in found), (
            f'no problem on line {line} about {needle!r}:\n{result.stdout}')
    assert all(col >= 1 for _, col, _ in found)
    assert 'valid (' not in result.stdout
    assert 'invalid' in result.stderr


def test_valid_file(repo: Repo) -> None:
    write(repo.path / 'policy.yaml', POLICY)
    result = validate(repo, 'policy.yaml', code=0)
    assert 'valid' in result.stdout
    assert 'policy.yaml' in result.stdout


def test_a_valid_file_is_summed_up_in_counts(repo: Repo) -> None:
    write(repo.path / 'policy.yaml', POLICY)  # one rule, two groups
    assert validate(repo, 'policy.yaml', code=0).stdout == 'policy.yaml: valid (1 rule, 2 groups)\n'
    write(repo.path / 'two.yaml', 'version: 1\ngroups: {senior: [a@example.com]}\nrules:\n' + ''.join(
        f'  - {{id: r{n}, paths: ["x{n}/**"], require: {{reviews: {{group: senior}}}}}}\n' for n in (1, 2)))
    assert validate(repo, 'two.yaml', code=0).stdout == 'two.yaml: valid (2 rules, 1 group)\n'


def test_invalid_file_reports_every_problem(repo: Repo) -> None:
    write(repo.path / 'policy.yaml', INVALID)
    result = validate(repo, 'policy.yaml', code=2)
    assert_every_problem(result, 'policy.yaml')


def test_a_posix_class_validates_quietly_even_where_warnings_are_errors(repo: Repo) -> None:
    """Python's re warns of a "nested set" in ``[[:space:]]``, which RE2 (the
    engine that runs it) reads as a POSIX class: the warning is not ours to
    print, and must not become an exit 2 where PYTHONWARNINGS=error."""
    marker = "version: 1\nai: {markers: ['AI[[:space:]]generated']}\n"
    write(repo.path / 'policy.yaml', POLICY.replace('version: 1\n', marker, 1))
    result = repo.trailgate('validate', 'policy.yaml', env={'PYTHONWARNINGS': 'error'})
    assert result.returncode == 0, result.output
    assert 'valid' in result.stdout
    assert 'Warning' not in result.stderr


def test_the_policy_option(repo: Repo) -> None:
    write(repo.path / 'bad.yaml', INVALID)
    write(repo.path / 'good.yaml', POLICY)
    assert_every_problem(validate(repo, '--policy', 'bad.yaml', code=2), 'bad.yaml')
    assert 'valid' in validate(repo, '--policy', 'good.yaml', code=0).stdout


def test_the_policy_environment_variable(repo: Repo) -> None:
    write(repo.path / 'bad.yaml', INVALID)
    result = validate(repo, code=2, env={'TRAILGATE_POLICY': 'bad.yaml'})
    assert_every_problem(result, 'bad.yaml')


def test_a_policy_argument_wins_over_the_environment(repo: Repo) -> None:
    write(repo.path / 'bad.yaml', INVALID)
    write(repo.path / 'good.yaml', POLICY)
    result = validate(repo, 'good.yaml', code=0, env={'TRAILGATE_POLICY': 'bad.yaml'})
    assert result.stdout.startswith('good.yaml: valid'), result.stdout


def test_two_different_policy_files_on_the_command_line_are_a_usage_error(repo: Repo) -> None:
    write(repo.path / 'bad.yaml', INVALID)
    write(repo.path / 'good.yaml', POLICY)
    for args in (('good.yaml', '--policy', 'bad.yaml'), ('bad.yaml', '--policy', 'good.yaml')):
        result = validate(repo, *args, code=2)
        assert result.stdout == '', result.stdout
        assert "POLICY '" + args[0] + "'" in result.stderr and "--policy '" + args[2] + "'" in result.stderr
        assert 'drop one' in result.stderr
    result = validate(repo, 'good.yaml', '--policy', './good.yaml', code=0)
    assert result.stdout.startswith('good.yaml: valid'), result.stdout


def test_a_path_outside_any_repository(tmp_path: Path) -> None:
    outside = Repo(tmp_path, env={'GIT_CEILING_DIRECTORIES': str(tmp_path.parent)})
    path = write(tmp_path / 'central' / 'policy.yaml', INVALID)
    assert_every_problem(validate(outside, str(path), code=2), str(path))
    write(path, POLICY)
    assert 'valid' in validate(outside, str(path), code=0).stdout


def test_default_is_the_work_tree_policy(repo: Repo) -> None:
    write(repo.path / POLICY_PATH, POLICY)
    (repo.path / 'services').mkdir()
    for cwd in (repo.path, repo.path / 'services'):
        assert 'valid' in validate(repo, code=0, cwd=cwd).stdout
    write(repo.path / POLICY_PATH, INVALID)
    result = validate(repo, code=2, cwd=repo.path / 'services')
    found = problems(result, str(repo.path / POLICY_PATH))
    assert len(found) >= len(PROBLEMS)


def test_from_a_subdirectory_each_path_is_named_as_seen_from_there(repo: Repo) -> None:
    here = repo.path / 'services'
    here.mkdir()
    assert 'no policy: ../.trailgate/policy.yaml does not exist' in validate(repo, code=2, cwd=here).stderr
    write(repo.path / POLICY_PATH, POLICY)
    assert validate(repo, code=0, cwd=here).stdout.startswith('../.trailgate/policy.yaml: valid (')
    assert validate(repo, code=0).stdout.startswith('.trailgate/policy.yaml: valid (')


def test_the_work_tree_file_not_the_committed_one(repo: Repo) -> None:
    repo.commit_ok('Adopt trailgate\n', {POLICY_PATH: POLICY}, verify=False)
    write(repo.path / POLICY_PATH, INVALID)
    validate(repo, code=2)


@pytest.mark.parametrize(('text', 'needle'), [
    ('version: 2\n', 'version'),
    ('version: 1\nrules: [\n', 'YAML'),
    ('', 'empty'),
])
def test_broken_files_are_located(repo: Repo, text: str, needle: str) -> None:
    write(repo.path / 'policy.yaml', text)
    found = problems(validate(repo, 'policy.yaml', code=2), 'policy.yaml')
    assert found and any(needle in message for _, _, message in found), found


def test_missing_policy_names_trailgate_init(repo: Repo) -> None:
    result = validate(repo, code=2)
    assert 'trailgate init' in result.stderr
    assert result.stdout == ''


def test_missing_explicit_file(repo: Repo) -> None:
    result = validate(repo, 'nowhere.yaml', code=2)
    assert 'nowhere.yaml' in result.stderr
    assert 'trailgate init' in result.stderr


def test_outside_a_repository_without_a_file(tmp_path: Path) -> None:
    outside = Repo(tmp_path, env={'GIT_CEILING_DIRECTORIES': str(tmp_path.parent)})
    result = validate(outside, code=2)
    assert 'not a git repository' in result.stderr


@pytest.mark.parametrize('command', [('validate',), ('explain',), ('commit-msg', '.git/COMMIT_EDITMSG')])
def test_a_policy_that_is_not_a_regular_file_is_an_error_not_a_hang(repo: Repo, command: tuple[str, ...]) -> None:
    """A FIFO would block the read for ever (and with it every commit); a device never ends."""
    import os
    import subprocess

    (repo.path / POLICY_PATH).parent.mkdir()
    os.mkfifo(repo.path / POLICY_PATH)
    write(repo.path / '.git' / 'COMMIT_EDITMSG', 'Subject\n')
    result = subprocess.run((sys.executable, '-m', 'trailgate', *command), cwd=repo.path, capture_output=True,
                            text=True, timeout=60, env=repo._env(None, None))
    assert result.returncode == 2, result
    assert 'not a regular file' in result.stderr and 'Traceback' not in result.stderr, result.stderr


def test_a_path_pattern_that_matches_nothing_is_located(repo: Repo) -> None:
    """A "./" prefix (as a shell path is written) would switch the rule off:
    git matches no path against it."""
    text = POLICY.replace('"services/payments/**"', '"./services/payments/**"', 1)
    assert text != POLICY
    write(repo.path / 'policy.yaml', text)
    found = problems(validate(repo, 'policy.yaml', code=2), 'policy.yaml')
    line = text.splitlines().index('    paths: ["./services/payments/**"]') + 1
    assert [(at, message) for at, _, message in found if 'component' in message] == [
        (line, "rules[0] (tier1-payments).paths: invalid path pattern './services/payments/**': "
               'it has an empty, "." or ".." component, and no path in git has one, so it matches nothing'),
    ], found


def test_the_work_tree_policy_named_explicitly_finds_its_signers_file(repo: Repo, tmp_path: Path) -> None:
    """A policy file given explicitly (argument, --policy or TRAILGATE_POLICY)
    inside a repository is read as every other command reads it: its
    ``signers:`` path from the repository's top level, not from the policy's
    own directory (``.trailgate/.trailgate/allowed_signers``)."""
    from testing.approvals import SIGNERS_PATH
    from testing.approvals import signed_policy
    from testing.approvals import signers_file
    from testing.sshkeys import make_key

    alice, bob = make_key(tmp_path / 'keys', 'alice'), make_key(tmp_path / 'keys', 'bob')
    write(repo.path / POLICY_PATH, signed_policy())
    write(repo.path / SIGNERS_PATH, signers_file(('alice@example.com', alice), ('bob@example.com', bob)))
    assert 'valid (' in validate(repo, code=0).stdout
    for args, env in (((POLICY_PATH,), None), (('--policy', POLICY_PATH), None),
                      ((), {'TRAILGATE_POLICY': POLICY_PATH})):
        result = validate(repo, *args, code=0, env=env)
        assert result.stdout.startswith(f'{POLICY_PATH}: valid ('), result.stdout
    here = repo.path / 'services'
    here.mkdir()
    result = validate(repo, '../' + POLICY_PATH, code=0, cwd=here)
    assert result.stdout.startswith(f'../{POLICY_PATH}: valid ('), result.stdout


def test_a_missing_signers_file_is_a_problem_located_at_the_signers_key(repo: Repo) -> None:
    """Every problem is printed as FILE:LINE:COL: message, the signers file
    the policy names but that does not exist too: at its ``signers:`` line."""
    from testing.approvals import SIGNERS_PATH
    from testing.approvals import signed_policy

    text = '# the policy\n' + signed_policy()
    write(repo.path / POLICY_PATH, text)
    result = validate(repo, code=2)
    found = problems(result, str(repo.path / POLICY_PATH))
    line = text.splitlines().index(f'signers: {SIGNERS_PATH}') + 1
    assert [(at, col) for at, col, _ in found] == [(line, len('signers: ') + 1)], result.stdout
    assert SIGNERS_PATH in found[0][2] and 'does not exist' in found[0][2], found
    assert 'trailgate signers add' in result.output
