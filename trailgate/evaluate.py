"""The pure core: a policy and a commit in, a verdict out. Never calls git."""
from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Literal
from typing import NamedTuple

from trailgate import requirements
from trailgate.detect import Signal
from trailgate.detect import detect
from trailgate.model import POLICY_OWNERS_RULE
from trailgate.model import Commit
from trailgate.model import fold_email
from trailgate.policy import Documentation
from trailgate.policy import Policy
from trailgate.policy import Rule
from trailgate.requirements import Check

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


_today: tuple[float, datetime.date] | None = None  # (when asked, the answer)


def today() -> datetime.date:
    """Today in UTC: the day a gate that runs now judges ``active`` on.

    Read from the clock at most once a second: a range judges thousands of
    commits within the same second.
    """
    global _today
    now = time.monotonic()
    if _today is None or now - _today[0] >= 1.0:
        _today = (now, datetime.datetime.now(datetime.timezone.utc).date())
    return _today[1]


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
    index = _index_for(policy)
    touched = index.touched(commit.paths)
    results: list[RuleResult] | tuple[RuleResult, ...] = index.untouched
    applied = []  # the results that apply, in order (an untouched rule never does)
    keys = frozenset(key.lower() for key, _ in commit.trailers)  # the trailer keys it gives
    if touched:
        results = list(results)
        day = judging_day(as_of, commit) if index.windows else commit.date
        for position in sorted(touched):
            result = results[position] = _rule_result(
                index, policy.rules[position], commit, keys, bool(signals), touched[position], day,
            )
            if result.applies:
                applied.append(result)
    owners = _policy_owners_result(policy, commit)
    if owners is not None:
        results = (*results, owners)
        if owners.applies:
            applied.append(owners)
    override, override_problem = _break_glass(policy, commit, keys)
    violations = tuple(
        Violation(
            result.rule, check.kind.code, check.kind.name, check.missing,
            check.satisfy, check.suggestions, result.paths, check.needed, override,
        )
        for result in applied
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
    return not _index_for(policy).touched(paths)


def unremarkable(policy: Policy, commit: Commit) -> Assessment:
    """The verdict on a commit that touches nothing protected, reached
    without reading its message: for reports that show only what needs
    attention (its AI signals are not looked for)."""
    return Assessment(commit, (), _index_for(policy).untouched, (), None, None)


class _RuleIndex:
    """What a policy asks that does not depend on the commit, worked out
    once: which rules cover each path (remembered across a range's commits:
    they touch the same paths again and again), the results of rules a
    commit does not touch, and the requirement checks of a commit that gives
    no trailer for them."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        rules = policy.rules
        self.untouched = tuple(
            RuleResult(rule.id, (), False, 'touches none of its paths', ()) for rule in rules
        )
        self.windows = any(rule.active for rule in rules)
        # the rules that may cover a path, by its first component (a rule whose
        # patterns all start with literal directories covers nothing elsewhere)
        firsts = [rule.paths.first_components() for rule in rules]
        self._anywhere = tuple(position for position, found in enumerate(firsts) if found is None)
        by_first: dict[str, set[int]] = {}
        for position, found in enumerate(firsts):
            for first in found or ():
                by_first.setdefault(first, set(self._anywhere)).add(position)
        self._by_first = {first: tuple(sorted(positions)) for first, positions in by_first.items()}
        self._covering: dict[str, tuple[int, ...]] = {}
        self._touched_by_one: dict[str, Mapping[int, tuple[str, ...]]] = {}
        self._last: tuple[frozenset[str] | None, Mapping[int, tuple[str, ...]]] = (None, {})
        # documentation trailer key (lower-cased) -> the rules' documentation
        # settings, one per set of paths: which values name a file to look up
        by_key: dict[str, dict[tuple[str, ...] | None, Documentation]] = {}
        for rule in rules:
            documentation = rule.require.documentation
            if documentation is not None:
                paths = documentation.paths.patterns if documentation.paths is not None else None
                by_key.setdefault(documentation.trailer.lower(), {}).setdefault(paths, documentation)
        self.documentation = {key: tuple(found.values()) for key, found in by_key.items()}
        self._without_trailers: dict[tuple[object, ...], Check] = {}

    def _rules_covering(self, path: str) -> tuple[int, ...]:
        found = self._covering.get(path)
        if found is None:
            rules = self.policy.rules
            candidates = self._by_first.get(path.split('/', 1)[0], self._anywhere)
            found = tuple(position for position in candidates if rules[position].covers(path))
            if len(self._covering) < MEMO_LIMIT:
                self._covering[path] = found
        return found

    def touched(self, paths: frozenset[str]) -> Mapping[int, tuple[str, ...]]:
        """Rule position -> the sorted paths of ``paths`` it covers (read-only:
        a commit of one path shares its answer with every other)."""
        if len(paths) == 1:
            (path,) = paths
            found = self._touched_by_one.get(path)
            if found is None:
                found = dict.fromkeys(self._rules_covering(path), (path,))
                if len(self._touched_by_one) < MEMO_LIMIT:
                    self._touched_by_one[path] = found
            return found
        if paths is self._last[0]:  # asked again about the same commit (before and during its assessment)
            return self._last[1]
        hits: dict[int, list[str]] = {}
        for path in paths:
            for position in self._rules_covering(path):
                hits.setdefault(position, []).append(path)
        covered = {position: tuple(sorted(found)) for position, found in hits.items()}
        self._last = (paths, covered)
        return covered

    def without_trailers(self, key: tuple[object, ...], check: Callable[..., Check], *args: object) -> Check:
        """``check(*args)`` of a requirement no trailer of the commit speaks
        to: the same for every such commit (by the same author, for reviews),
        so ``key`` names it."""
        found = self._without_trailers.get(key)
        if found is None:
            found = check(*args)
            if len(self._without_trailers) < MEMO_LIMIT:
                self._without_trailers[key] = found
        return found


_INDEXES: dict[int, _RuleIndex] = {}


def _index_for(policy: Policy) -> _RuleIndex:
    index = _INDEXES.get(id(policy))
    if index is None or index.policy is not policy:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        index = _INDEXES[id(policy)] = _RuleIndex(policy)
    return index


def _rule_result(
    index: _RuleIndex, rule: Rule, commit: Commit, keys: frozenset[str], ai_assisted: bool,
    paths: tuple[str, ...], day: datetime.date,
) -> RuleResult:
    reason = _why_not_applied(index.policy, rule, commit, ai_assisted, day)
    if reason is not None:
        return RuleResult(rule.id, paths, False, reason, ())
    return RuleResult(rule.id, paths, True, 'applies', _checks(index, rule, commit, keys))


def _why_not_applied(policy: Policy, rule: Rule, commit: Commit, ai_assisted: bool, day: datetime.date) -> str | None:
    """Why a rule covering some of the commit's paths does not apply, or None."""
    if rule.active is not None and not rule.active.contains(day):
        return f'not active on {day} (active {rule.active})'
    for group in rule.exempt_authors:
        if policy.in_group(commit.author.email, group):
            return f'author is exempt (group {group!r})'
    if rule.applies_to == 'ai-assisted' and not ai_assisted:
        return 'commit is not AI-assisted'
    return None


def _checks(index: _RuleIndex, rule: Rule, commit: Commit, keys: frozenset[str]) -> tuple[Check, ...]:
    """The rule's requirements, met or not. A requirement whose trailer the
    commit does not carry is judged once per range (and author)."""
    policy = index.policy
    require = rule.require
    checks = []
    reviews = require.reviews
    if reviews is not None:
        if reviews.signed or reviews.trailer.lower() in keys:
            checks.append(requirements.check_reviews(reviews, policy, commit))
        else:
            checks.append(index.without_trailers(
                ('reviews', reviews, fold_email(commit.author.email)),
                requirements.check_reviews, reviews, policy, commit,
            ))
    documentation = require.documentation
    if documentation is not None:
        if documentation.trailer.lower() in keys:
            checks.append(requirements.check_documentation(documentation, commit))
        else:
            checks.append(index.without_trailers(
                ('documentation', id(documentation)), requirements.check_documentation, documentation, commit,
            ))
    for key in require.trailers:
        if key.lower() in keys:
            checks.append(requirements.check_trailer(key, commit))
        else:
            checks.append(index.without_trailers(('trailer', key), requirements.check_trailer, key, commit))
    return tuple(checks)


# the policy-owners result of a commit that changes neither the policy nor the signer file
_OWNERS_UNTOUCHED = RuleResult(POLICY_OWNERS_RULE, (), False, 'does not change the policy or signer file', ())


def _policy_owners_result(policy: Policy, commit: Commit) -> RuleResult | None:
    if policy.policy_owners is None:
        return None
    if commit.paths.isdisjoint(policy.policy_paths):
        return _OWNERS_UNTOUCHED
    paths = tuple(sorted(commit.paths & policy.policy_paths))
    reviews = policy.owner_reviews()
    assert reviews is not None
    check = requirements.check_reviews(reviews, policy, commit, requirements.POLICY_OWNER_REVIEW)
    return RuleResult(POLICY_OWNERS_RULE, paths, True, 'changes the policy or signer file', (check,))


def _break_glass(policy: Policy, commit: Commit, keys: frozenset[str]) -> tuple[str | None, str | None]:
    """(valid reason, why an attempted break-glass was ignored); ``keys``: the
    commit's trailer keys, lower-cased."""
    overrides = policy.overrides
    if overrides is None or overrides.trailer.lower() not in keys:
        return None, None
    values = commit.trailer_values(overrides.trailer)  # not empty: its key is among ``keys``
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
        for position in _index_for(policy).touched(paths)
    )


def needs_signed_approvals(assessment: Assessment) -> bool:
    """Is a signed-approval requirement among those that apply (met or not)?"""
    return any(
        check.kind in requirements.SIGNED_KINDS
        for result in assessment.results if result.applies for check in result.checks
    )


def documentation_candidates(policy: Policy, commit: Commit) -> frozenset[str]:
    """Paths named by documentation trailers that the edge must look up."""
    by_key = _index_for(policy).documentation
    candidates = set()
    if by_key:
        for key, value in commit.trailers:
            for documentation in by_key.get(key.lower(), ()):
                path = requirements.documentation_path(documentation, value)
                if path is not None:
                    candidates.add(path)
    return frozenset(candidates)
