"""Every attempt in ``testing/adversarial.py`` against every gate, with real git.

One work repository and two bare remotes are shared by the whole module;
each case gets its own branch from the base commit. For each case the test
asserts, gate by gate, the verdict in ``docs/adversarial.md`` and the exact
requirements reported missing for each commit (so a refusal for the wrong
reason fails too), and that trailgate's trailers for every commit made equal
``git log --format=%(trailers:unfold,only)``.
"""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from testing.adversarial import CASES
from testing.adversarial import Arena
from testing.adversarial import Case
from testing.adversarial import Merge
from testing.adversarial import render_doc
from trailgate.evaluate import assess
from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.model import Trailer
from trailgate.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / 'docs' / 'adversarial.md'


@pytest.fixture(scope='module')
def arena(tmp_path_factory: pytest.TempPathFactory) -> Arena:
    return Arena(tmp_path_factory.mktemp('adversarial'))


KNOWN_BUGS: dict[str, str] = {}


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case.id])] if case.id in KNOWN_BUGS else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize('case', [_param(case) for case in CASES])
def test_attempt(arena: Arena, case: Case) -> None:
    outcome = arena.play(case)
    everything = '\n'.join([*(s.output for s in outcome.steps), *(g.output for g in outcome.gates.values())])
    assert 'Traceback' not in everything, everything

    gated = case.gated()
    results = [result for result in outcome.steps if result.verdict is not None]
    assert [r.verdict for r in results] == [s.hook for s in gated], everything
    for step, result in zip(gated, results, strict=True):
        assert result.codes == tuple(sorted(step.expected_hook_codes)), result.output

    expected_problems = {step.subject for step in case.history() if step.override_problem}
    expected_overridden = {step.subject for step in case.history() if step.overridden}
    for gate in ('check', 'pre-push', 'pre-receive'):
        found = outcome.gates[gate]
        assert found.verdict == case.expected(gate), f'{gate}: {found.output}'
        assert found.codes == case.expected_codes(), f'{gate}: {found.output}'
        assert found.override_problems == expected_problems, gate
        assert found.overridden == expected_overridden, gate

    assert outcome.trailer_disagreements == ()
    # the table is what the gates really answered
    assert [outcome.verdict(gate) for gate in ('commit-msg', 'check', 'pre-push', 'pre-receive')] == [
        case.expected(gate) for gate in ('commit-msg', 'check', 'pre-push', 'pre-receive')
    ]


def test_every_gate_refuses_every_attack() -> None:
    """Apart from the controls and the documented limits, every attempt is
    stopped at every gate (commit-msg: at least one of its commits)."""
    for case in CASES:
        if case.id.startswith('control-') or '**limit**' in case.note:
            continue
        for gate in ('check', 'pre-push', 'pre-receive'):
            assert case.expected(gate) == 'refused', (case.id, gate)
        assert any(step.hook != 'accepted' for step in case.gated()), case.id


def test_limits_are_documented() -> None:
    """The attempts that get through a gate say why: the contract, or the trust model."""
    readme = (ROOT / 'README.md').read_text()
    for phrase in ('## Trust model', 'Detection is evidence, not proof', 'Break-glass is audited, not prevented'):
        assert phrase in readme
    for case in CASES:
        if case.id.startswith('control-'):
            continue
        through = [gate for gate in ('commit-msg', 'check', 'pre-push', 'pre-receive')
                   if case.expected(gate) == 'accepted']
        if through:
            assert 'Trust model' in case.note or 'contract' in case.note, (case.id, through)


def test_merge_case_is_a_real_merge() -> None:
    assert any(isinstance(step, Merge) for case in CASES for step in case.steps)


def test_doc_table_matches_the_cases() -> None:
    assert DOC.read_text(encoding='utf-8') == render_doc(), (
        'docs/adversarial.md is stale: python -m testing.adversarial > docs/adversarial.md'
    )


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


KELVIN_POLICY = b"""\
version: 1
groups:
  senior: [kate@example.com, bob@example.com]
rules:
  - id: tier1
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 2}
"""


def test_kelvin_sign_is_not_a_member() -> None:
    """The one non-ASCII letter whose Unicode lower case is ASCII (U+212A
    -> k) must not turn a look-alike into a group member."""
    policy = load_policy(KELVIN_POLICY, 'policy.yaml')
    commit = Commit(
        sha=None, message='x\n\nAssisted-by: Claude Code\n',
        trailers=(Trailer('Assisted-by', 'Claude Code'), Trailer('Reviewed-by', 'bob@example.com'),
                  Trailer('Reviewed-by', '\u212aate@example.com')),
        author=Identity('Dev', 'dev@example.com'), committer=Identity('Dev', 'dev@example.com'),
        date=datetime.date(2026, 1, 1), paths=frozenset(('services/payments/a.py',)),
    )
    assert assess(policy, commit).refused
