"""The fix a refusal prints is ready to run: run it, and the commit is made."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import message
from testing.scenarios import new_repo

REVIEWS_ONLY = """\
version: 1
groups:
  senior: [alice@example.com, "Bob Builder <bob@example.com>"]
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2}
"""


def _fix(stderr: str) -> str:
    match = re.search(r'^  fix: (.+)$', stderr, re.MULTILINE)
    assert match, stderr
    return match[1]


def test_commit_msg_fix_commits_the_saved_message_with_the_trailers(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    refused = repo.commit(message('Retry the charge', ASSISTED, body='Backs off on timeouts.'), {CRITICAL: 'x = 1\n'})
    assert refused.returncode != 0
    fix = _fix(refused.stderr)
    assert fix.startswith('git commit --trailer "Reviewed-by: alice@example.com"')

    fixed = repo.run('bash', '-c', fix)

    assert fixed.returncode == 0, fixed.output
    stored = repo.git('log', '-1', '--format=%B')
    assert stored.startswith('Retry the charge\n\nBacks off on timeouts.\n\n')
    assert 'Reviewed-by: alice@example.com\nReviewed-by: Bob Builder <bob@example.com>' in stored
    assert '#' not in stored


def test_check_fix_amends_the_refused_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', REVIEWS_ONLY)
    base = repo.head()
    repo.commit_ok(message('Retry the charge', ASSISTED), {CRITICAL: 'x = 1\n'}, verify=False)
    checked = repo.run(sys.executable, '-m', 'trailgate', 'check', f'{base}..HEAD')
    assert checked.returncode == 1
    fix = _fix(checked.stdout)
    assert fix.startswith('git commit --amend --trailer "Reviewed-by: alice@example.com"')

    assert repo.run('bash', '-c', fix).returncode == 0
    assert repo.run(sys.executable, '-m', 'trailgate', 'check', f'{base}..HEAD').returncode == 0
