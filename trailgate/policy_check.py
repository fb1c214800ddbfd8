"""What the policy's schema cannot say: group references, unique rule ids,
duplicate members, regexes that compile (and cannot hang), valid dates and
windows, review counts a group can meet.

Runs on documents the schema refused too, so every node is type-checked.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from trailgate import refs
from trailgate import regexes
from trailgate import schema
from trailgate.model import POLICY_OWNERS_RULE
from trailgate.model import email_of
from trailgate.model import fold_email
from trailgate.paths import PathMatcher

Problem = tuple[int, int, str]
# YYYY-MM-DD only: fromisoformat alone also takes 2026-W10-2 and 20260310 on 3.11+
_DATE = re.compile(r'\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z')


def _map(node: Any) -> dict[str, tuple[Any, Any]]:
    """Mapping entries with string keys; empty for anything else."""
    if node is None or node.id != 'mapping':
        return {}
    return {k.value: (k, v) for k, v in node.value if k.id == 'scalar'}


def _seq(node: Any) -> list[Any]:
    return list(node.value) if node is not None and node.id == 'sequence' else []


def _scalars(node: Any) -> list[Any]:
    return [item for item in _seq(node) if item.id == 'scalar']


def _get(entries: dict[str, tuple[Any, Any]], key: str) -> Any:
    return entries[key][1] if key in entries else None


def semantic_problems(root: Any) -> Iterator[Problem]:
    top = _map(root)
    groups = _map(_get(top, 'groups'))
    for name, (_, members) in groups.items():
        yield from _member_problems(name, members)
    group_sizes = {name: len(_seq(members)) for name, (_, members) in groups.items()}
    checker = _GroupChecker(frozenset(groups))
    owners = _get(top, 'policy_owners')
    yield from checker.check(owners, 'policy_owners')
    if owners is not None and owners.id == 'scalar' and group_sizes.get(owners.value) == 0:
        yield (*schema.position(owners), f'policy_owners: group {owners.value!r} has 0 members; no change '
               f'to the policy could ever pass')
    yield from checker.check(_get(_map(_get(top, 'overrides')), 'group'), 'overrides.group')
    ai = _map(_get(top, 'ai'))
    for key in ('identities', 'markers'):
        for item in _scalars(_get(ai, key)):
            invalid = list(_regex_problems(item, f'ai.{key}'))
            yield from invalid or _matches_everything(item, f'ai.{key}')
    yield from _rules_problems(_get(top, 'rules'), group_sizes, checker)
    yield from _undetectable_problems(_get(top, 'ai'), _get(top, 'rules'))
    yield from _signers_problems(top)
    yield from _protected_problems(_get(top, 'protected'))


def _signers_problems(top: dict[str, tuple[Any, Any]]) -> Iterator[Problem]:
    signers = _get(top, 'signers')
    if signers is not None and signers.id == 'scalar':
        from trailgate.paths import safe_repo_path

        if safe_repo_path(str(signers.value)) is None:
            yield (*schema.position(signers), f'signers: {signers.value!r} is not a path inside the repository')
    if signers is not None:
        return
    for index, rule in enumerate(_seq(_get(top, 'rules'))):
        reviews = _map(_get(_map(_get(_map(rule), 'require')), 'reviews'))
        signed = _get(reviews, 'signed')
        if signed is not None and signed.id == 'scalar' and str(signed.value).lower() == 'true':
            yield (
                *schema.position(signed),
                f'rules[{index}].require.reviews.signed: signed reviews need `signers:`, the '
                f'allowed-signers file that names each reviewer\'s key',
            )


def _protected_problems(node: Any) -> Iterator[Problem]:
    seen: set[str] = set()
    for item in _scalars(node):
        value = str(item.value)
        if not value:
            continue  # the schema's minLength says so
        problem = refs.problem(value)
        if problem:
            yield (*schema.position(item), f'protected: {problem}')
        elif refs.full_pattern(value) in seen:
            yield (*schema.position(item), f'protected: {value!r} is listed twice')
        seen.add(refs.full_pattern(value))


class _GroupChecker:
    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def check(self, node: Any, what: str) -> Iterator[Problem]:
        if node is None or node.id != 'scalar' or node.value in self.names:
            return
        known = ', '.join(sorted(self.names)) or 'none defined'
        yield (*schema.position(node), f'{what}: unknown group {node.value!r} (groups: {known})')


def _member_problems(group: str, members: Any) -> Iterator[Problem]:
    seen: set[str] = set()
    for item in _scalars(members):
        email = fold_email(email_of(str(item.value)) or '')
        if email and email in seen:
            yield (*schema.position(item), f'groups.{group}: {email} is listed twice')
        seen.add(email)


def _regex_problems(node: Any, what: str) -> Iterator[Problem]:
    problem = regexes.problem(str(node.value))
    if problem:
        yield (*schema.position(node), f'{what}: {problem}')


def _matches_everything(node: Any, what: str) -> Iterator[Problem]:
    """An AI mark that matches an empty text marks every commit: a typo such as
    ``''`` or ``'x|'`` must not quietly put every commit under the AI rules."""
    if regexes.compile(str(node.value)).search('') is not None:
        yield (*schema.position(node),
               f'{what}: {node.value!r} matches an empty text, so it would mark every commit as '
               'AI-assisted; to apply a rule to every commit, give it applies_to: all')


def _rules_problems(rules: Any, group_sizes: dict[str, int], checker: _GroupChecker) -> Iterator[Problem]:
    seen_ids: dict[str, Any] = {}
    for index, rule_node in enumerate(_seq(rules)):
        rule = _map(rule_node)
        id_node = _get(rule, 'id')
        rule_id = id_node.value if id_node is not None and id_node.id == 'scalar' else '?'
        where = f'rules[{index}] ({rule_id})'
        if id_node is not None and rule_id in seen_ids:
            line, _ = schema.position(seen_ids[rule_id])
            yield (*schema.position(id_node), f'{where}: duplicate rule id {rule_id!r} (first at line {line})')
        if id_node is not None:
            seen_ids.setdefault(rule_id, id_node)
        if id_node is not None and rule_id == POLICY_OWNERS_RULE:
            yield (*schema.position(id_node),
                   f'{where}: rule id {rule_id!r} is the name reports give the policy_owners check; '
                   'choose another id')
        for key in ('paths', 'exclude'):
            for item in _scalars(_get(rule, key)):
                yield from _pattern_problems(item, f'{where}.{key}')
        yield from _negations_only_problems(_get(rule, 'paths'), f'{where}.paths')
        for group in _scalars(_get(rule, 'exempt_authors')):
            yield from checker.check(group, f'{where}.exempt_authors')
        yield from _window_problems(_get(rule, 'active'), where)
        require = _map(_get(rule, 'require'))
        yield from _nothing_required_problems(require, where)
        yield from _reviews_problems(_get(require, 'reviews'), group_sizes, checker, where)
        documentation = _map(_get(require, 'documentation'))
        for item in _scalars(_get(documentation, 'patterns')):
            yield from _regex_problems(item, f'{where}.require.documentation.patterns')
        for item in _scalars(_get(documentation, 'paths')):
            yield from _pattern_problems(item, f'{where}.require.documentation.paths')


def _undetectable_problems(ai_node: Any, rules: Any) -> Iterator[Problem]:
    """With every source of AI marks turned off, no commit is AI-assisted and
    each ``applies_to: ai-assisted`` rule is off."""
    ai = _map(ai_node)
    builtin = _get(ai, 'builtin_signatures')
    if builtin is None or schema.to_python(builtin) is not False:
        return
    disclosure = _get(ai, 'disclosure_trailers')
    if disclosure is None or _seq(disclosure) or disclosure.id != 'sequence':
        return
    if any(_seq(_get(ai, key)) for key in ('identities', 'markers')):
        return
    dead = []
    for rule_node in _seq(rules):
        rule = _map(rule_node)
        applies = _get(rule, 'applies_to')
        if applies is None or applies.value == 'ai-assisted':
            id_node = _get(rule, 'id')
            dead.append(str(id_node.value) if id_node is not None else '?')
    if dead:
        yield (*schema.position(ai_node), 'ai: no commit can be marked AI-assisted (builtin_signatures is false, '
               'and disclosure_trailers, identities and markers are empty), so the ai-assisted rules '
               f'{", ".join(dead)} never apply; turn a source of marks back on, or give them applies_to: all')


def _negations_only_problems(paths: Any, what: str) -> Iterator[Problem]:
    """As in .gitignore, a '!' pattern takes back only what an earlier one
    matched: a list of nothing else matches no path, and the rule is off."""
    patterns = _scalars(paths)
    if patterns and all(str(item.value).startswith('!') for item in patterns):
        yield (*schema.position(paths), f"{what}: every pattern starts with '!', which only takes back "
               'what an earlier pattern matched, so the rule matches no path; name the paths it covers')


def _nothing_required_problems(require: dict[str, tuple[Any, Any]], where: str) -> Iterator[Problem]:
    """``require: {trailers: []}`` is ``require: {}`` (which the schema
    refuses) in another form: a rule that lets every commit through."""
    trailers = _get(require, 'trailers')
    if set(require) == {'trailers'} and trailers.id == 'sequence' and not trailers.value:
        yield (*schema.position(trailers), f'{where}.require: requires nothing (trailers is empty), so the '
               'rule lets every commit through; name a trailer, or require reviews or documentation')


def _pattern_problems(node: Any, what: str) -> Iterator[Problem]:
    problem = PathMatcher.problem(str(node.value))
    if problem:
        yield (*schema.position(node), f'{what}: {problem}')


def _window_problems(active: Any, where: str) -> Iterator[Problem]:
    window = _map(active)
    dates = {}
    for key in ('from', 'until'):
        node = _get(window, key)
        if node is None or node.id != 'scalar':
            continue
        try:
            if not _DATE.match(node.value):
                raise ValueError(node.value)
            dates[key] = datetime.date.fromisoformat(node.value)
        except ValueError:
            yield (*schema.position(node), f'{where}.active.{key}: {node.value!r} is not a date (YYYY-MM-DD)')
    if len(dates) == 2 and dates['from'] > dates['until']:
        yield (*schema.position(active), f'{where}.active: from {dates["from"]} is after until {dates["until"]}')


def _reviews_problems(reviews_node: Any, group_sizes: dict[str, int], checker: _GroupChecker,
                      where: str) -> Iterator[Problem]:
    reviews = _map(reviews_node)
    group_node = _get(reviews, 'group')
    yield from checker.check(group_node, f'{where}.require.reviews.group')
    count_node = _get(reviews, 'count')
    if group_node is None or group_node.value not in group_sizes:
        return
    # without a count, the default of one review: an empty group can never give it
    count = 1 if count_node is None else schema.yaml_int(str(count_node.value))
    if count is None:
        return
    size = group_sizes[group_node.value]
    if count > size:
        key, needed = (('count', f'{count} reviews needed') if count_node else
                       ('group', '1 review needed (the default count)'))
        yield (
            *schema.position(count_node or group_node),
            f'{where}.require.reviews.{key}: {needed} but group '
            f'{group_node.value!r} has {size} member{"s" if size != 1 else ""}; '
            f'no commit could ever pass',
        )
