"""``trailgate init``: a starter policy that validates, never written over another."""
from __future__ import annotations

import datetime
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing.scenarios import POLICY_PATH
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import bare_remote
from testing.util import init_repo

CODEOWNERS = """\
# Code owners: the last matching pattern wins.
*                         @shop/everyone
/services/payments/       zed@example.com @shop/payments
*.tf                      @shop/sre ops@example.com
docs/**/*.md              zed@example.com   # the docs team
[Web]
/apps/web/                web@example.com
"""
OWNER_EMAILS = ['zed@example.com', 'ops@example.com', 'web@example.com']
OWNER_PATHS = ['/services/payments/', '*.tf', 'docs/**/*.md', '/apps/web/']


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(init_repo(tmp_path / 'repo'))


def run(repo: Repo, *args: str, cwd: Path | None = None) -> Run:
    result = repo.run(sys.executable, '-m', 'trailgate', *args, cwd=cwd)
    assert 'Traceback' not in result.output, result.output
    return result


def init(repo: Repo, *args: str, cwd: Path | None = None) -> Run:
    result = run(repo, 'init', *args, cwd=cwd)
    assert result.returncode == 0, result.output
    return result


def written(repo: Repo) -> dict[str, Any]:
    data = yaml.safe_load((repo.path / POLICY_PATH).read_text())
    assert isinstance(data, dict)
    return data


def rule(policy: dict[str, Any], rule_id: str) -> dict[str, Any]:
    matches = [r for r in policy['rules'] if r['id'] == rule_id]
    assert len(matches) == 1, [r['id'] for r in policy['rules']]
    found: dict[str, Any] = matches[0]
    return found


def emails(members: list[str]) -> list[str]:
    return [m.rpartition('<')[2].rstrip('>').lower() for m in members]


def test_init_writes_a_policy_that_validate_accepts(repo: Repo) -> None:
    result = init(repo)
    assert POLICY_PATH in result.stdout
    assert 'trailgate validate' in result.stdout
    text = (repo.path / POLICY_PATH).read_text()
    assert text.lstrip().startswith('#'), 'the starter is commented'
    checked = run(repo, 'validate')
    assert checked.returncode == 0, checked.output
    assert 'valid' in checked.stdout
    policy = written(repo)
    assert policy['version'] == 1
    assert all(r['id'] != 'codeowners' for r in policy['rules'])


def test_init_from_a_subdirectory_writes_at_the_top_level(repo: Repo) -> None:
    (repo.path / 'services' / 'payments').mkdir(parents=True)
    init(repo, cwd=repo.path / 'services' / 'payments')
    assert (repo.path / POLICY_PATH).is_file()
    assert not (repo.path / 'services' / 'payments' / '.trailgate').exists()


def test_init_from_a_subdirectory_names_each_path_as_seen_from_there(repo: Repo) -> None:
    here = repo.path / 'services' / 'payments'
    here.mkdir(parents=True)
    result = init(repo, cwd=here)
    assert 'wrote ../../.trailgate/policy.yaml:' in result.stdout, result.stdout
    start_over = next(c for c in re.findall(r'`([^`]*)`', result.stdout) if 'init --signed' in c)
    bin_dir = str(Path(sys.executable).parent)
    ran = repo.run('bash', '-c', start_over, cwd=here,
                   env={'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}'})
    assert ran.returncode == 0, (start_over, ran.output)
    assert 'signed: true' in (repo.path / POLICY_PATH).read_text()
    assert 'public key to ../../.trailgate/allowed_signers with' in ran.stdout, ran.stdout
    again = run(repo, 'init', cwd=here)
    assert again.returncode == 2 and '../../.trailgate/policy.yaml already exists' in again.stderr, again.output


def test_init_policy_writes_where_it_is_told_and_names_it_in_what_it_offers(repo: Repo) -> None:
    """``--policy PATH``, a common option of the contract: the starter goes to PATH,
    and the commands init prints then read that file, run as printed."""
    (repo.path / 'ops').mkdir()
    result = init(repo, '--policy', 'ops/policy.yaml')
    assert (repo.path / 'ops' / 'policy.yaml').is_file() and not (repo.path / POLICY_PATH).exists()
    assert 'wrote ops/policy.yaml' in result.stdout
    offered = re.findall(r'`([^`]*)`', result.stdout)
    validate = next(c for c in offered if c.startswith('trailgate validate'))
    assert validate == 'trailgate validate --policy ops/policy.yaml'
    checked = run(repo, *validate.split()[1:])
    assert checked.returncode == 0 and 'ops/policy.yaml: valid' in checked.stdout, checked.output
    again = run(repo, 'init', '--policy', 'ops/policy.yaml')
    assert again.returncode == 2 and 'ops/policy.yaml already exists' in again.stderr
    signed = next(c for c in offered if 'init --signed' in c)
    bin_dir = str(Path(sys.executable).parent)
    ran = repo.run('bash', '-c', signed, env={'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}'})
    assert ran.returncode == 0, (signed, ran.output)
    assert 'signed: true' in (repo.path / 'ops' / 'policy.yaml').read_text()
    assert 'trailgate signers add EMAIL KEY.pub --policy ops/policy.yaml' in ran.stdout
    assert 'trailgate approve --policy ops/policy.yaml' in ran.stdout


def test_the_90_day_window_starts_today(repo: Repo) -> None:
    today = datetime.date.today()
    init(repo)
    windows = [r['active'] for r in written(repo)['rules'] if 'active' in r]
    assert windows, 'the starter has a reset window'
    for window in windows:
        assert window['from'] == today, window
        assert window['until'] == today + datetime.timedelta(days=90), window


@pytest.mark.parametrize('existing', ['version: 1\nrules: []\n', 'not: [valid\n', ''])
def test_init_never_overwrites_a_policy(repo: Repo, existing: str) -> None:
    path = repo.path / POLICY_PATH
    path.parent.mkdir()
    path.write_text(existing)
    result = run(repo, 'init')
    assert result.returncode == 2, result
    assert 'already exists' in result.stderr
    assert path.read_text() == existing


def test_init_never_writes_through_a_symlink(repo: Repo, tmp_path: Path) -> None:
    path = repo.path / POLICY_PATH
    path.parent.mkdir()
    path.symlink_to(tmp_path / 'elsewhere.yaml')  # dangling
    result = run(repo, 'init')
    assert result.returncode != 0, result
    assert not (tmp_path / 'elsewhere.yaml').exists()


def test_init_where_the_policy_directory_is_a_file(repo: Repo) -> None:
    (repo.path / '.trailgate').write_text('not a directory\n')
    result = run(repo, 'init')
    assert result.returncode == 2, result
    assert 'internal error' not in result.stderr
    assert '.trailgate' in result.stderr and 'not a directory' in result.stderr.lower(), result.stderr
    assert (repo.path / '.trailgate').read_text() == 'not a directory\n'


@pytest.mark.parametrize('place', ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'])
def test_codeowners_fill_the_senior_group_and_a_codeowners_rule(repo: Repo, place: str) -> None:
    (repo.path / place).parent.mkdir(parents=True, exist_ok=True)
    (repo.path / place).write_text(CODEOWNERS)
    result = init(repo)
    assert 'CODEOWNERS' in result.stdout
    policy = written(repo)
    senior = emails(policy['groups']['senior'])
    for email in OWNER_EMAILS:
        assert senior.count(email) == 1, senior
    assert not any(member.startswith('@') for member in policy['groups']['senior'])
    owners = rule(policy, 'codeowners')
    assert owners['paths'] == OWNER_PATHS
    assert owners['require']['reviews']['group'] == 'senior'
    checked = run(repo, 'validate')
    assert checked.returncode == 0, checked.output


def test_no_detect_ignores_codeowners(repo: Repo) -> None:
    (repo.path / '.github').mkdir()
    (repo.path / '.github' / 'CODEOWNERS').write_text(CODEOWNERS)
    init(repo, '--no-detect')
    policy = written(repo)
    assert all(r['id'] != 'codeowners' for r in policy['rules'])
    assert not set(OWNER_EMAILS) & set(emails(policy['groups']['senior']))


def test_codeowners_without_emails_or_paths(repo: Repo) -> None:
    (repo.path / 'CODEOWNERS').write_text('# nobody yet\n*  @shop/everyone\n')
    init(repo)
    policy = written(repo)
    assert all(r['id'] != 'codeowners' for r in policy['rules'])
    assert run(repo, 'validate').returncode == 0


def test_codeowners_with_one_owner_spelt_in_two_cases(repo: Repo) -> None:
    (repo.path / 'CODEOWNERS').write_text(
        '/services/payments/  Zed@Example.com\n/services/checkout/  zed@example.com\n',
    )
    result = run(repo, 'init')
    assert result.returncode == 0, result.output
    assert emails(written(repo)['groups']['senior']).count('zed@example.com') == 1


def test_a_codeowners_line_with_a_control_character_is_not_copied(repo: Repo) -> None:
    """Such a line (a corrupt file) made a starter that did not parse, and an
    error pointing into a policy file that was never written."""
    (repo.path / 'CODEOWNERS').write_text('docs/a\x01b  bad@example.com\n/services/  zed@example.com\n')
    init(repo)
    policy = written(repo)
    assert rule(policy, 'codeowners')['paths'] == ['/services/']
    assert 'bad@example.com' not in emails(policy['groups']['senior'])
    assert run(repo, 'validate').returncode == 0


def test_a_default_branch_whose_name_is_not_utf8_is_refused_by_name(repo: Repo) -> None:
    """A policy cannot name it, so it could not protect it: said, and nothing
    written (it was an internal error)."""
    repo.git('symbolic-ref', 'HEAD', os.fsdecode(b'refs/heads/caf\xe9'))
    result = run(repo, 'init')
    assert result.returncode == 2, result.output
    assert 'caf\\xe9' in result.stderr and 'not printable UTF-8' in result.stderr, result.stderr
    assert not (repo.path / '.trailgate').exists()


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    outside = Repo(tmp_path, env={'GIT_CEILING_DIRECTORIES': str(tmp_path.parent)})
    result = run(outside, 'init')
    assert result.returncode == 2, result
    assert 'not a git repository' in result.stderr
    assert not (tmp_path / '.trailgate').exists()


def test_in_a_bare_repository_is_an_error(tmp_path: Path) -> None:
    bare = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    result = run(bare, 'init')
    assert result.returncode == 2, result
    assert not (bare.path / '.trailgate').exists()


def test_protects_the_default_branch_and_releases(repo: Repo) -> None:
    result = init(repo)
    assert written(repo)['protected'] == ['main', 'release/*']
    assert 'protected: main, release/*' in result.stdout


def test_protects_the_branch_of_a_new_repository(tmp_path: Path) -> None:
    repo = Repo(tmp_path / 'repo')
    repo.path.mkdir()
    repo.git('init', '-q', '-b', 'trunk')
    init(repo)
    assert written(repo)['protected'] == ['trunk', 'release/*']


def test_on_a_detached_head_protects_the_configured_default_branch_else_main(repo: Repo) -> None:
    """No remote HEAD and no current branch to go by: git's own
    ``init.defaultBranch`` names it, and without one, ``main``."""
    repo.git('commit', '-q', '--allow-empty', '-m', 'first')
    repo.git('checkout', '-q', '--detach')
    repo.git('config', 'init.defaultBranch', 'trunk')
    init(repo)
    assert written(repo)['protected'] == ['trunk', 'release/*']
    os.remove(repo.path / POLICY_PATH)
    repo.git('config', '--unset', 'init.defaultBranch')
    init(repo)
    assert written(repo)['protected'] == ['main', 'release/*']


def test_protects_the_remote_default_branch(tmp_path: Path) -> None:
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    origin.git('symbolic-ref', 'HEAD', 'refs/heads/develop')
    seed = Repo(init_repo(tmp_path / 'seed'))
    seed.git('commit', '-q', '--allow-empty', '-m', 'first')
    seed.git('push', '-q', str(origin.path), 'main:develop')
    repo = Repo(tmp_path / 'clone')
    seed.git('clone', '-q', str(origin.path), str(repo.path))
    repo.git('switch', '-q', '-c', 'feature')
    init(repo)
    assert written(repo)['protected'] == ['develop', 'release/*']
