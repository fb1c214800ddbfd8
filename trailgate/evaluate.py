"""The pure core: a policy and a commit in, a verdict out. Never calls git."""
from __future__ import annotations

import datetime
from typing import Literal
from typing import NamedTuple

from trailgate import requirements
from trailgate.detect import Signal
from trailgate.detect import detect
from trailgate.model import Commit
from trailgate.policy import Documentation
from trailgate.policy import Policy
from trailgate.policy import Rule
from trailgate.requirements import Check

POLICY_OWNERS_RULE = 'policy-owners'
AS_OF_COMMIT: Literal['commit'] = 'commit'
# the day `active` windows are judged on: a date, 'commit' (each commit's own
# committer date: only for re-reading history), or None (today, when the gate runs)
AsOf = datetime.date | Literal['commit'] | None
MEMO_LIMIT = 1 << 16  # paths remembered per policy


class Violation(NamedTuple):
    rule: str  # the rule id, or "policy-owners"
    code: str  # stable requirement code, e.g. TG001
    name: str  # kebab-case requirement name, e.g. missing-review
    missing: str
    satisfy: str
    suggestions: tuple[str, ...]  # trailer lines that would satisfy it
    paths: tuple[str, ...]  # the protected paths the commit touches
    needed: int = 1  # how many of the suggestions it takes
    overridden: str | None = None  # the break-glass reason, when overridden

    def fix_trailers(self) -> tuple[str, ...]:
        return self.suggestions[:self.needed]


class RuleResult(NamedTuple):
    rule: str
    paths: tuple[str, ...]  # protected paths touched (empty: not touched)
    applies: bool
    reason: str  # why it applies or not, in words
    checks: tuple[Check, ...]


class Assessment(NamedTuple):
    commit: Commit
    signals: tuple[Signal, ...]
    results: tuple[RuleResult, ...]
    violations: tuple[Violation, ...]
    override: str | None  # the valid break-glass reason
    override_problem: str | None  # why a break-glass trailer was ignored

    @property
    def ai_assisted(self) -> bool:
        return bool(self.signals)

    @property
    def refused(self) -> bool:
        return any(v.overridden is None for v in self.violations)


def today() -> datetime.date:
    """Today in UTC: the day a gate that runs now judges ``active`` on."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def judging_day(as_of: AsOf, commit: Commit) -> datetime.date:
    """The day ``active`` is judged on for ``commit``.

    Never the commit's own date unless asked for (``as_of='commit'``):
    committer dates are typed by the committer.
    """
    if as_of is None:
        return today()
    if as_of == AS_OF_COMMIT:
        return commit.date
    assert isinstance(as_of, datetime.date)
    return as_of


def evaluate(policy: Policy, commit: Commit, as_of: AsOf = None) -> list[Violation]:
    """Every unmet requirement; overridden ones carry the break-glass reason."""
    return list(assess(policy, commit, as_of).violations)


def assess(policy: Policy, commit: Commit, as_of: AsOf = None) -> Assessment:
    signals = detect(policy.ai, commit)
    index = _index_for(policy.rules)
    results = list(index.untouched)
    day = judging_day(as_of, commit) if any(rule.active for rule in policy.rules) else commit.date
    for position, paths in index.touched(commit.paths).items():
        results[position] = _rule_result(policy, policy.rules[position], commit, bool(signals), paths, day)
    owners = _policy_owners_result(policy, commit)
    if owners is not None:
        results.append(owners)
    override, override_problem = _break_glass(policy, commit)
    violations = tuple(
        Violation(
            result.rule, check.kind.code, check.kind.name, check.missing,
            check.satisfy, check.suggestions, result.paths, check.needed, override,
        )
        for result in results if result.applies
        for check in result.checks if not check.met
    )
    if not violations:
        override = None
    return Assessment(commit, signals, tuple(results), violations, override, override_problem)


def touches_nothing_protected(policy: Policy, paths: frozenset[str]) -> bool:
    """No rule covers any of ``paths``, and none is the policy file: whatever
    the message says, nothing can be required of such a commit."""
    if policy.policy_owners is not None and not paths.isdisjoint(policy.policy_paths):
        return False
    return not _index_for(policy.rules).touched(paths)


def unremarkable(policy: Policy, commit: Commit) -> Assessment:
    """The verdict on a commit that touches nothing protected, reached
    without reading its message: for reports that show only what needs
    attention (its AI signals are not looked for)."""
    results = _index_for(policy.rules).untouched
    return Assessment(commit, (), results, (), None, None)


class _RuleIndex:
    """Which rules cover each path, remembered across a range's commits
    (they touch the same paths again and again)."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self.untouched = tuple(
            RuleResult(rule.id, (), False, 'touches none of its paths', ()) for rule in rules
        )
        self._covering: dict[str, tuple[int, ...]] = {}
        # documentation trailer key (lower-cased) -> the rules' documentation
        # settings, one per set of paths: which values name a file to look up
        by_key: dict[str, dict[tuple[str, ...] | None, Documentation]] = {}
        for rule in rules:
            documentation = rule.require.documentation
            if documentation is not None:
                paths = documentation.paths.patterns if documentation.paths is not None else None
                by_key.setdefault(documentation.trailer.lower(), {}).setdefault(paths, documentation)
        self.documentation = {key: tuple(found.values()) for key, found in by_key.items()}

    def _rules_covering(self, path: str) -> tuple[int, ...]:
        found = self._covering.get(path)
        if found is None:
            found = tuple(
                position for position, rule in enumerate(self.rules) if rule.covers(path)
            )
            if len(self._covering) < MEMO_LIMIT:
                self._covering[path] = found
        return found

    def touched(self, paths: frozenset[str]) -> dict[int, tuple[str, ...]]:
        """Rule position -> the sorted paths of ``paths`` it covers."""
        hits: dict[int, list[str]] = {}
        for path in paths:
            for position in self._rules_covering(path):
                hits.setdefault(position, []).append(path)
        return {position: tuple(sorted(found)) for position, found in hits.items()}


_INDEXES: dict[int, _RuleIndex] = {}


def _index_for(rules: tuple[Rule, ...]) -> _RuleIndex:
    index = _INDEXES.get(id(rules))
    if index is None or index.rules is not rules:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        index = _INDEXES[id(rules)] = _RuleIndex(rules)
    return index


def _rule_result(
    policy: Policy, rule: Rule, commit: Commit, ai_assisted: bool, paths: tuple[str, ...],
    day: datetime.date,
) -> RuleResult:
    reason = _why_not_applied(policy, rule, commit, ai_assisted, paths, day)
    if reason is not None:
        return RuleResult(rule.id, paths, False, reason, ())
    return RuleResult(rule.id, paths, True, 'applies', _checks(policy, rule, commit))


def _why_not_applied(
    policy: Policy, rule: Rule, commit: Commit, ai_assisted: bool, paths: tuple[str, ...],
    day: datetime.date,
) -> str | None:
    if not paths:
        return 'touches none of its paths'
    if rule.active is not None and not rule.active.contains(day):
        return f'not active on {day} (active {rule.active})'
    for group in rule.exempt_authors:
        if policy.in_group(commit.author.email, group):
            return f'author is exempt (group {group!r})'
    if rule.applies_to == 'ai-assisted' and not ai_assisted:
        return 'commit is not AI-assisted'
    return None


def _checks(policy: Policy, rule: Rule, commit: Commit) -> tuple[Check, ...]:
    require = rule.require
    checks = []
    if require.reviews is not None:
        checks.append(requirements.check_reviews(require.reviews, policy, commit))
    if require.documentation is not None:
        checks.append(requirements.check_documentation(require.documentation, commit))
    checks.extend(requirements.check_trailer(key, commit) for key in require.trailers)
    return tuple(checks)


def _policy_owners_result(policy: Policy, commit: Commit) -> RuleResult | None:
    if policy.policy_owners is None:
        return None
    paths = tuple(sorted(commit.paths & policy.policy_paths))
    if not paths:
        return RuleResult(POLICY_OWNERS_RULE, (), False, 'does not change the policy or signer file', ())
    reviews = policy.owner_reviews()
    assert reviews is not None
    check = requirements.check_reviews(reviews, policy, commit, requirements.POLICY_OWNER_REVIEW)
    return RuleResult(POLICY_OWNERS_RULE, paths, True, 'changes the policy or signer file', (check,))


def _break_glass(policy: Policy, commit: Commit) -> tuple[str | None, str | None]:
    """(valid reason, why an attempted break-glass was ignored)."""
    overrides = policy.overrides
    if overrides is None:
        return None, None
    values = commit.trailer_values(overrides.trailer)
    if not values:
        return None, None
    if overrides.group is not None and not policy.in_group(commit.author.email, overrides.group):
        return None, (
            f'{overrides.trailer} ignored: the author {commit.author.email} is not '
            f'in group {overrides.group!r}'
        )
    reasons = [value.strip(' \t') for value in values if value.strip(' \t')]
    if not reasons:
        return None, f'{overrides.trailer} ignored: it needs a reason as its value'
    return '; '.join(reasons), None


def may_need_signed_approvals(policy: Policy, paths: frozenset[str]) -> bool:
    """Could a signed-approval requirement apply to a commit changing ``paths``?
    (Decided on paths alone, so the edge can find approvals before the one
    assessment; a commit it finds them for in vain is merely judged as usual.)"""
    if policy.signers_path is None:
        return False
    owners = policy.owner_reviews()
    if owners is not None and owners.signed and not paths.isdisjoint(policy.policy_paths):
        return True
    rules = policy.rules
    return any(
        rules[position].require.reviews is not None and rules[position].require.reviews.signed  # type: ignore[union-attr]
        for position in _index_for(rules).touched(paths)
    )


def needs_signed_approvals(assessment: Assessment) -> bool:
    """Is a signed-approval requirement among those that apply (met or not)?"""
    return any(
        check.kind in requirements.SIGNED_KINDS
        for result in assessment.results if result.applies for check in result.checks
    )


def documentation_candidates(policy: Policy, commit: Commit) -> frozenset[str]:
    """Paths named by documentation trailers that the edge must look up."""
    by_key = _index_for(policy.rules).documentation
    candidates = set()
    if by_key:
        for key, value in commit.trailers:
            for documentation in by_key.get(key.lower(), ()):
                path = requirements.documentation_path(documentation, value)
                if path is not None:
                    candidates.add(path)
    return frozenset(candidates)
