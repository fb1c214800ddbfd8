"""One table of commits; every gate must give each the same verdict.

For each scenario a fresh repository (standard policy, client hooks through
``core.hooksPath``) publishes ``main`` to two bare remotes: ``origin`` with
no server hook and ``guarded`` whose pre-receive runs trailgate. Three
times: with no ``protected`` key (every branch protected) on ``main``; with
``protected: [main, "release/*"]`` on a new ``release/1`` (a protected
target: the same verdicts); and on ``feature`` (unprotected: every gate
passes, and reminds exactly where the others would refuse). Then:

* commit-msg:  the real ``git commit`` with the hook (if refused, the commit
  is made again with ``--no-verify`` so that the other gates see it);
* check:       ``trailgate check <base>..HEAD``;
* pre-push:    the real ``git push origin main`` with the hook;
* pre-receive: the real ``git push --no-verify guarded main``.
"""
from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.scenarios import ALICE
from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import BOB
from testing.scenarios import CAROL
from testing.scenarios import CLAUDE
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import DOC_TICKET
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import Repo
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import policy
from testing.scenarios import publish
from testing.scenarios import verdict

GATES = ('commit-msg', 'check', 'pre-push', 'pre-receive')
CHANGE = {CRITICAL: 'changed = 1\n'}
DOC_FILE = 'docs/changes/pay-123.md'


class Scenario(NamedTuple):
    id: str
    message: str | bytes
    expected: str  # accepted | refused
    files: Mapping[str, str | bytes] = CHANGE
    author: str | None = None
    remove: tuple[str, ...] = ()
    policy: str = POLICY
    env: Mapping[str, str] = {}  # for the commit only (dates)
    gitlinks: Mapping[str, str] = {}  # path -> revision: a submodule commit staged with the change
    base_gitlinks: Mapping[str, str] = {}  # the same, committed in the published base


TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def deploy_policy(pattern: str) -> str:
    """The standard rule over ``pattern`` instead of services/payments, for every commit."""
    return policy('applies_to: all').replace('"services/payments/**"', f'"{pattern}"')


# A submodule (gitlink) is one path to git, 'deploy', with no trailing slash;
# it stands for everything under it, so it is judged as the directory 'deploy/'.
DEPLOY = {'deploy': 'HEAD'}


def days(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def window(start: datetime.date, until: datetime.date) -> str:
    return policy(f'active: {{from: {start}, until: {until}}}')


# `trailgate init`'s starter window: from the day it is written, for 90 days
STARTER_WINDOW = window(days(0), days(90))
CLOSED_WINDOW = window(days(-90), days(-2))
FUTURE_WINDOW = window(days(2), days(90))


def committed_on(day: datetime.date) -> dict[str, str]:
    """A commit dated ``day``: committer and author dates are the committer's to type."""
    stamp = f'{day.isoformat()}T12:00:00+00:00'
    return {'GIT_COMMITTER_DATE': stamp, 'GIT_AUTHOR_DATE': stamp}


SCENARIOS = (
    Scenario('ai-critical-bare', message('Charge', ASSISTED), 'refused'),
    Scenario('ai-critical-approved', message('Charge', ASSISTED, *APPROVALS), 'accepted'),
    Scenario('co-authored', message('Charge', CO_AUTHORED), 'refused'),
    Scenario('co-authored-approved', message('Charge', CO_AUTHORED, *APPROVALS), 'accepted'),
    Scenario('ai-author', message('Charge'), 'refused', author=CLAUDE),
    Scenario('ai-author-approved', message('Charge', *APPROVALS), 'accepted', author=CLAUDE),
    Scenario('human-critical', message('Charge'), 'accepted'),
    Scenario('ai-other-path', message('Search', ASSISTED), 'accepted', files={OTHER: 'x\n'}),
    Scenario('disclosure-none', message('Charge', 'Assisted-by: none'), 'accepted'),
    Scenario('one-review-only', message('Charge', ASSISTED, REVIEW_ALICE, DOC_TICKET), 'refused'),
    Scenario('no-documentation', message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB),
             'refused'),
    Scenario('reviewer-is-author', message('Charge', ASSISTED, *APPROVALS), 'refused',
             author=ALICE),
    Scenario('same-reviewer-twice',
             message('Charge', ASSISTED, REVIEW_ALICE, 'Reviewed-by: ALICE@example.com',
                     DOC_TICKET), 'refused'),
    Scenario('reviews-in-body',
             f'Charge\n\n{REVIEW_ALICE}\n{REVIEW_BOB}\n\nWhy this change.\n\n'
             f'{ASSISTED}\n{DOC_TICKET}\n', 'refused'),
    Scenario('folded-review',
             message('Charge', ASSISTED, 'Reviewed-by: Alice Archer\n <alice@example.com>',
                     REVIEW_BOB, DOC_TICKET), 'accepted'),
    Scenario('lower-case-keys',
             message('Charge', 'assisted-by: Claude', f'reviewed-by: {ALICE}',
                     f'REVIEWED-BY: {BOB}', 'change-doc: PAY-1'), 'accepted'),
    Scenario('git-generated-prefix',
             'Charge\n\nSigned-off-by: Dev Eloper <dev@example.com>\nfree text line\n'
             f'more free text\n{ASSISTED}\n' + '\n'.join(APPROVALS) + '\n', 'accepted'),
    Scenario('commented-review',
             message('Charge', ASSISTED, REVIEW_ALICE, f'# {REVIEW_BOB}', DOC_TICKET),
             'refused'),
    Scenario('dashes-before-trailers',
             'Charge\n\nBump things.\n---\nupdated-dependencies: charge\n---\n\n'
             + '\n'.join(APPROVALS) + '\n', 'accepted', author=CLAUDE),
    Scenario('scissors-in-message',
             f'Charge\n\n{ASSISTED}\n{DOC_TICKET}\n'
             '# ------------------------ >8 ------------------------\n'
             f'{REVIEW_ALICE}\n{REVIEW_BOB}\n', 'refused'),
    Scenario('doc-file-in-commit',
             message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB, f'Change-Doc: {DOC_FILE}'),
             'accepted', files={**CHANGE, DOC_FILE: '# plan\n'}),
    Scenario('doc-file-missing',
             message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB, f'Change-Doc: {DOC_FILE}'),
             'refused'),
    Scenario('doc-dotdot',
             message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB,
                     'Change-Doc: docs/changes/../changes/pay-123.md'),
             'refused', files={**CHANGE, DOC_FILE: '# plan\n'}),
    Scenario('break-glass-sre', message('Hotfix', ASSISTED, 'Break-Glass: payments down'),
             'accepted', author=CAROL),
    Scenario('break-glass-not-sre', message('Hotfix', ASSISTED, 'Break-Glass: payments down'),
             'refused'),
    Scenario('break-glass-empty', message('Hotfix', ASSISTED, 'Break-Glass: '), 'refused',
             author=CAROL),
    Scenario('policy-change-unreviewed', message('Relax'), 'refused',
             files={POLICY_PATH: POLICY.replace('count: 2', 'count: 1')}),
    Scenario('policy-change-reviewed', message('Relax', REVIEW_BOB), 'accepted',
             files={POLICY_PATH: POLICY.replace('count: 2', 'count: 1')}),
    Scenario('move-out-of-critical', message('Move', ASSISTED), 'refused',
             files={'services/legacy/charge.py': 'def charge(): ...\n'}, remove=(CRITICAL,)),
    Scenario('delete-critical', message('Delete', ASSISTED), 'refused', files={},
             remove=(CRITICAL,)),
    Scenario('odd-file-name', message('Odd', ASSISTED), 'refused',
             files={'services/payments/new\nline \xe9.py': 'x\n'}),
    Scenario('non-utf8-name', message('Odd', ASSISTED, *APPROVALS), 'accepted',
             files={os.fsdecode(b'services/payments/\xff.py'): 'x\n'}),
    Scenario('crlf-message', message('Charge', ASSISTED, *APPROVALS).replace('\n', '\r\n'),
             'accepted'),
    Scenario('space-before-colon',
             message('Charge', ASSISTED, f'Reviewed-by : {ALICE}', f'Reviewed-by:{BOB}',
                     'Change-Doc:\tPAY-1'), 'accepted'),
    # `active` is judged when the gate runs, never on the date a commit carries
    Scenario('window-backdated', message('Charge', ASSISTED), 'refused', policy=STARTER_WINDOW,
             env=committed_on(days(-1))),
    Scenario('window-open-today', message('Charge', ASSISTED), 'refused', policy=STARTER_WINDOW),
    Scenario('window-dated-into-the-future', message('Charge', ASSISTED), 'refused',
             policy=STARTER_WINDOW, env=committed_on(days(400))),
    Scenario('window-closed-dated-inside', message('Charge', ASSISTED), 'accepted',
             policy=CLOSED_WINDOW, env=committed_on(days(-30))),
    Scenario('window-not-yet-open-dated-inside', message('Charge', ASSISTED), 'accepted',
             policy=FUTURE_WINDOW, env=committed_on(days(30))),
    Scenario('exempt-author', message('Charge', ASSISTED), 'accepted', author=BOB,
             policy=policy('exempt_authors: [senior]')),
    Scenario('not-exempt-author', message('Charge', ASSISTED), 'refused', author=CAROL,
             policy=policy('exempt_authors: [senior]')),
    Scenario('applies-to-all-human', message('Charge'), 'refused',
             policy=policy('applies_to: all')),
    Scenario('applies-to-all-approved', message('Charge', *APPROVALS), 'accepted',
             policy=policy('applies_to: all')),
    Scenario('excluded-path', message('Docs', ASSISTED), 'accepted',
             files={'services/payments/README.md': 'docs\n'},
             policy=policy('exclude: ["**/*.md"]')),
    Scenario('hash-subject', message('#42 Charge in cents', ASSISTED), 'refused'),
    Scenario('gitlink-bump-under-globstar', message('Bump deploy'), 'refused', files={},
             policy=deploy_policy('deploy/**'), gitlinks=DEPLOY, base_gitlinks={'deploy': 'HEAD'}),
    Scenario('gitlink-bump-approved', message('Bump deploy', *APPROVALS), 'accepted', files={},
             policy=deploy_policy('deploy/**'), gitlinks=DEPLOY, base_gitlinks={'deploy': 'HEAD'}),
    Scenario('gitlink-bump-under-directory', message('Bump deploy'), 'refused', files={},
             policy=deploy_policy('deploy/'), gitlinks=DEPLOY, base_gitlinks={'deploy': 'HEAD'}),
    Scenario('gitlink-added-under-globstar', message('Add deploy'), 'refused', files={},
             policy=deploy_policy('deploy/**'), gitlinks=DEPLOY),
    Scenario('gitlink-nested-under-globstar', message('Bump the gateway', ASSISTED), 'refused', files={},
             gitlinks={'services/payments/gateway': 'HEAD'}),
    Scenario('gitlink-beside-protected-files', message('Bump deploy'), 'accepted', files={},
             policy=deploy_policy('deploy/*.yaml'), gitlinks=DEPLOY, base_gitlinks={'deploy': 'HEAD'}),
    Scenario('latin1-message', 'Caf\xe9\n\nAssisted-by: Cl\xe9ment\n'.encode('latin-1'),
             'refused'),
    Scenario('latin1-message-approved',
             ('Caf\xe9\n\nAssisted-by: Cl\xe9ment\n' + '\n'.join(APPROVALS) + '\n')
             .encode('latin-1'), 'accepted'),
)


KNOWN_BUGS: dict[str, str] = {}


def stage_gitlinks(repo: Repo, gitlinks: Mapping[str, str]) -> None:
    for path, revision in gitlinks.items():
        repo.git('update-index', '--add', '--cacheinfo', f'160000,{repo.rev(revision)},{path}')


PROTECTED = 'protected: [main, "release/*"]\n'


def run_gates(tmp_path: Path, scenario: Scenario, object_format: str = 'sha1',
              branch: str | None = None) -> dict[str, str]:
    """Each gate's verdict. With ``branch``, the policy protects main and
    release/*, and the commit is made on ``branch`` and pushed there (and
    checked with ``--target branch``); an unprotected branch gets reminders."""
    text = scenario.policy + (PROTECTED if branch else '')
    repo = new_repo(tmp_path / 'repo', text, object_format=object_format)
    if scenario.base_gitlinks:
        stage_gitlinks(repo, scenario.base_gitlinks)
        repo.commit_ok(message('Vendor the submodules'), verify=False)
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False, object_format=object_format)
    publish(repo, origin, 'origin')
    publish(repo, bare_remote(tmp_path / 'guarded.git', object_format=object_format), 'guarded')
    if branch:
        repo.git('switch', '-q', '-c', branch)
    target = branch or 'main'
    base = repo.head()
    verdicts = {}

    stage_gitlinks(repo, scenario.gitlinks)
    files = dict(scenario.files)
    if branch and POLICY_PATH in files:
        files[POLICY_PATH] = str(files[POLICY_PATH]) + PROTECTED  # a policy edit keeps the key
    result = repo.commit(scenario.message, files, author=scenario.author,
                         remove=scenario.remove, env=scenario.env)
    verdicts['commit-msg'] = reminded(result.stderr, verdict(result.hooks.get('commit-msg', -1)))
    if result.returncode:
        retry = repo.commit(scenario.message, author=scenario.author, verify=False,
                            env=scenario.env)
        assert retry.returncode == 0, retry
    assert repo.head() != base

    result = repo.trailgate('check', *(['--target', branch] if branch else []), f'{base}..HEAD')
    verdicts['check'] = reminded(result.stdout, verdict(result.returncode))

    result = repo.run_git('push', 'origin', target)
    verdicts['pre-push'] = reminded(result.stderr, verdict(result.hooks.get('pre-push', -1)))
    assert (result.returncode == 0) == (verdicts['pre-push'] != 'refused'), result

    result = repo.run_git('push', '--no-verify', 'guarded', target)
    verdicts['pre-receive'] = reminded(result.stderr, verdict(result.hooks.get('pre-receive', -1)))
    assert (result.returncode == 0) == (verdicts['pre-receive'] != 'refused'), result
    return verdicts


def reminded(output: str, found: str) -> str:
    """An accepted commit whose gate printed a reminder of what it will need."""
    return 'reminded' if found == 'accepted' and ('needs review' in output or 'reminder:' in output) else found


@pytest.mark.parametrize('scenario', [
    pytest.param(s, id=s.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[s.id])]
                 if s.id in KNOWN_BUGS else [])
    for s in SCENARIOS
])
def test_every_gate_gives_the_same_verdict(tmp_path: Path, scenario: Scenario) -> None:
    assert run_gates(tmp_path, scenario) == dict.fromkeys(GATES, scenario.expected)


@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_into_a_protected_branch_every_gate_gives_the_same_verdict(tmp_path: Path, scenario: Scenario) -> None:
    assert run_gates(tmp_path, scenario, branch='release/1') == dict.fromkeys(GATES, scenario.expected)


@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_on_an_unprotected_branch_every_gate_reminds_and_passes(tmp_path: Path, scenario: Scenario) -> None:
    expected = 'reminded' if scenario.expected == 'refused' else 'accepted'
    assert run_gates(tmp_path, scenario, branch='feature') == dict.fromkeys(GATES, expected)


def test_scenario_ids_are_unique() -> None:
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)
    assert set(KNOWN_BUGS) <= {s.id for s in SCENARIOS}


SHA256_SCENARIOS = ('ai-critical-bare', 'doc-file-in-commit', 'doc-file-missing', 'delete-critical')


@pytest.mark.parametrize('scenario', [s for s in SCENARIOS if s.id in SHA256_SCENARIOS],
                         ids=lambda s: s.id)
def test_sha256_repository(tmp_path: Path, scenario: Scenario) -> None:
    """64-hex object names: zero shas, tree entries, documentation look-ups."""
    verdicts = run_gates(tmp_path, scenario, object_format='sha256')
    assert verdicts == dict.fromkeys(GATES, scenario.expected)
