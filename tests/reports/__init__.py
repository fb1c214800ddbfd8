"""Shared builders for the report tests: real policies, commits and assessments.

Assessments come from the real core (``load_policy``, ``parse_trailers``,
``assess``); end-to-end runs use a real git repository in a temporary
directory, isolated from the user's configuration by ``testing.util``.
"""
from __future__ import annotations

import datetime
import subprocess
from collections.abc import Iterator
from pathlib import Path

from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from testing.util import trailgate
from testing.util import write
from trailgate.evaluate import Assessment
from trailgate.evaluate import assess
from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.model import parse_identity
from trailgate.policy import Policy
from trailgate.policy import load_policy
from trailgate.reports import Report
from trailgate.trailers import parse_trailers

POLICY_YAML = """\
version: 1
groups:
  senior: ["Alice Archer <alice@example.com>", "bob@example.com"]
  sre: [carol@example.com]
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2}
      trailers: [Rollback-Plan]
overrides:
  trailer: Break-Glass
  group: sre
"""

DEV = 'Dev Eloper <dev@example.com>'
SRE = 'Carol Chen <carol@example.com>'
PAYMENTS = 'services/payments/pay.py'

REFUSED_MESSAGE = 'Speed up payments\n\nAssisted-by: Claude\n'
PASSING_MESSAGE = (
    'Tidy payments\n\nAssisted-by: Claude\n'
    'Reviewed-by: Alice Archer <alice@example.com>\nReviewed-by: bob@example.com\n'
    'Rollback-Plan: revert and redeploy\n'
)
OVERRIDDEN_MESSAGE = 'Hotfix payments\n\nAssisted-by: Claude\nBreak-Glass: outage INC-1234\n'
HUMAN_MESSAGE = 'Hand-written change\n'

SHA_REFUSED = '1' * 40
SHA_PASSING = '2' * 40
SHA_OVERRIDDEN = '3' * 40
SHA_HUMAN = '4' * 40


def policy(text: str = POLICY_YAML) -> Policy:
    return load_policy(text.encode(), 'policy.yaml')


def _identity(value: str) -> Identity:
    identity = parse_identity(value)
    assert identity is not None, value
    return identity


def make_commit(message: str, sha: str | None = SHA_REFUSED, author: str = DEV,
                paths: tuple[str, ...] = (PAYMENTS,)) -> Commit:
    return Commit(
        sha=sha,
        message=message,
        trailers=parse_trailers(message),
        author=_identity(author),
        committer=_identity(author),
        date=datetime.date(2026, 4, 1),
        paths=frozenset(paths),
    )


def assessment(message: str, sha: str | None = SHA_REFUSED, author: str = DEV,
               paths: tuple[str, ...] = (PAYMENTS,), policy_text: str = POLICY_YAML,
               ) -> Assessment:
    return assess(policy(policy_text), make_commit(message, sha, author, paths))


def refused() -> Assessment:
    return assessment(REFUSED_MESSAGE, SHA_REFUSED)


def passing() -> Assessment:
    return assessment(PASSING_MESSAGE, SHA_PASSING)


def overridden() -> Assessment:
    return assessment(OVERRIDDEN_MESSAGE, SHA_OVERRIDDEN, author=SRE)


def human() -> Assessment:
    return assessment(HUMAN_MESSAGE, SHA_HUMAN)


def report(*assessments: Assessment, gate: str = 'check') -> Report:
    chosen = assessments or (refused(), passing(), overridden(), human())
    return Report(gate, tuple(chosen), '.trailgate/policy.yaml at 0123456789ab')


# -- many commits by one policy -----------------------------------------------

ODD_PATH = 'services/payments/na\udce9ve.py'
LEDGER = 'services/ledger/book.py'
MIXED_POLICY = POLICY_YAML.replace('overrides:', """\
  - id: tier2-ledger
    paths: ["services/ledger/**"]
    require:
      reviews: {group: senior, count: 1}
overrides:""")
MIXED_MESSAGES = (
    ('Change\n\nAssisted-by: Claude\n', DEV, (PAYMENTS,)),
    ('Odd \udcff subject\n\nAssisted-by: Claude \udc80\n', DEV, (PAYMENTS,)),
    ('Half reviewed\n\nAssisted-by: Claude\nReviewed-by: Alice Archer <alice@example.com>\n', DEV, (PAYMENTS,)),
    ('Planned\n\nAssisted-by: Claude\nRollback-Plan: revert\n', DEV, (PAYMENTS, 'README.md')),
    ('Ledger\n\nAssisted-by: Claude\n', DEV, (LEDGER,)),  # the same suggestions, one needed, not two
    ('Hand-written\n', DEV, ('README.md',)),
    ('Hotfix\n\nAssisted-by: Claude\nBreak-Glass: outage\n', 'Carol Chen <carol@example.com>', (PAYMENTS,)),
    ('Odd path\n\nAssisted-by: Claude\n', 'Dev \udcfe Eloper <dev@example.com>', (ODD_PATH, PAYMENTS)),
    ('Tidy\n\nAssisted-by: Claude\nReviewed-by: Alice Archer <alice@example.com>\n'
     'Reviewed-by: bob@example.com\nRollback-Plan: revert and redeploy\n', DEV, (PAYMENTS,)),
)


def judged(count: int) -> Iterator[Assessment]:
    """``count`` assessments by one policy (so they share what ``assess``
    shares), cycling through refusals that need different fixes, passes,
    an override, three dates, and lone surrogates in subjects, trailers,
    names and paths."""
    one = policy(MIXED_POLICY)
    for n in range(count):
        message, author, paths = MIXED_MESSAGES[n % len(MIXED_MESSAGES)]
        commit = make_commit(message, f'{n:040x}', author, paths)._replace(date=datetime.date(2026, 4, 1 + n % 3))
        yield assess(one, commit)


def mixed(count: int) -> tuple[Assessment, ...]:
    return tuple(judged(count))



# -- end to end ------------------------------------------------------------


def repo_with_ai_commit(tmp_path: Path) -> Path:
    """A repository: a base commit with the policy, then an AI-assisted commit
    touching a protected path and a human commit elsewhere."""
    repo = init_repo(tmp_path / 'repo')
    write(repo / '.trailgate' / 'policy.yaml', POLICY_YAML)
    write(repo / 'README.md', 'shop\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Base with policy')
    write(repo / PAYMENTS, 'def pay():\n    return 1\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', REFUSED_MESSAGE)
    write(repo / 'README.md', 'shop, the docs\n')
    git(repo, 'commit', '-q', '-a', '-m', HUMAN_MESSAGE)
    return repo


def run_check(repo: Path, format: str, output: Path,
              **env: str) -> subprocess.CompletedProcess[str]:
    return trailgate(repo, 'check', '--format', format, '--output', str(output),
                     'HEAD~2..HEAD', env=git_env(**env))


def head_shas(repo: Path) -> tuple[str, str]:
    """(the AI-assisted commit, the human commit) of ``repo_with_ai_commit``."""
    return git(repo, 'rev-parse', 'HEAD~1').strip(), git(repo, 'rev-parse', 'HEAD').strip()
