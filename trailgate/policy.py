"""The policy: immutable data, and loading it from YAML with every problem
reported as ``FILE:LINE:COL: message``.

Structure is checked by the published JSON Schema itself
(``policy.schema.json``), interpreted here over YAML nodes so that each
problem keeps its position: the schema editors use and the validator cannot
drift apart. Meaning (groups that exist, unique rule ids, regexes, dates)
is checked after.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from trailgate import schema
from trailgate.errors import PolicyError
from trailgate.model import email_of
from trailgate.paths import PathMatcher

Problem = tuple[int, int, str]

DEFAULT_POLICY_PATH = '.trailgate/policy.yaml'
MAX_POLICY_BYTES = 1024 * 1024
DEFAULT_DISCLOSURE_TRAILERS = ('Assisted-by', 'Generated-by')


class AiConfig(NamedTuple):
    builtin_signatures: bool = True
    disclosure_trailers: tuple[str, ...] = DEFAULT_DISCLOSURE_TRAILERS
    identities: tuple[re.Pattern[str], ...] = ()
    markers: tuple[re.Pattern[str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Reviews:
    group: str
    trailer: str = 'Reviewed-by'
    count: int = 1


class Documentation(NamedTuple):
    trailer: str = 'Change-Doc'
    paths: PathMatcher | None = None
    patterns: tuple[re.Pattern[str], ...] = ()


class Requirements(NamedTuple):
    reviews: Reviews | None = None
    documentation: Documentation | None = None
    trailers: tuple[str, ...] = ()


class Window(NamedTuple):
    start: datetime.date | None = None
    until: datetime.date | None = None

    def contains(self, day: datetime.date) -> bool:
        if self.start is not None and day < self.start:
            return False
        return self.until is None or day <= self.until

    def __str__(self) -> str:
        return f'{self.start or "..."} to {self.until or "..."}'


class Rule(NamedTuple):
    id: str
    paths: PathMatcher
    require: Requirements
    exclude: PathMatcher | None = None
    applies_to: str = 'ai-assisted'
    exempt_authors: tuple[str, ...] = ()
    active: Window | None = None

    def matching_paths(self, paths: frozenset[str]) -> tuple[str, ...]:
        hits = sorted(path for path in paths if self.paths.matches(path))
        if self.exclude is not None:
            exclude = self.exclude
            hits = [path for path in hits if not exclude.matches(path)]
        return tuple(hits)


class Override(NamedTuple):
    trailer: str = 'Break-Glass'
    group: str | None = None


class Policy(NamedTuple):
    groups: Mapping[str, frozenset[str]]  # group -> lower-cased emails
    people: Mapping[str, tuple[str, ...]]  # group -> entries as written
    rules: tuple[Rule, ...]
    ai: AiConfig = AiConfig()
    policy_owners: str | None = None
    overrides: Override | None = None
    policy_paths: frozenset[str] = frozenset((DEFAULT_POLICY_PATH,))
    source: str = DEFAULT_POLICY_PATH  # where it was read, for reports

    def members(self, group: str) -> frozenset[str]:
        return self.groups.get(group, frozenset())

    def in_group(self, email: str, group: str) -> bool:
        return email.lower() in self.members(group)

    def with_source(self, source: str, policy_paths: frozenset[str]) -> Policy:
        return self._replace(source=source, policy_paths=policy_paths)


# -- loading ---------------------------------------------------------------


def load_policy(data: bytes, filename: str) -> Policy:
    """Parse and validate a policy; raise PolicyError with every problem."""
    root = _compose(data, filename)
    problems = list(schema.validate_node(root))
    if not problems or not problems[0][2].startswith(schema.SHAPE_PREFIX):
        problems.extend(_semantic_problems(root))
    if problems:
        problems.sort(key=lambda problem: problem[:2])
        lines = tuple(f'{filename}:{line}:{col}: {message}' for line, col, message in problems)
        raise PolicyError(
            f'{filename}: the policy is invalid ({len(lines)} problem'
            f'{"s" if len(lines) != 1 else ""}); fix it, then run `trailgate validate`',
            lines,
        )
    return _build(schema.to_python(root))


def _compose(data: bytes, filename: str) -> Any:
    import yaml

    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(
            f'{filename}: the policy is {len(data)} bytes; the limit is '
            f'{MAX_POLICY_BYTES} (1 MiB)',
            (f'{filename}:1:1: file too large ({len(data)} bytes, limit 1 MiB)',),
        )
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b'\n') + 1
        raise PolicyError(
            f'{filename}: the policy is not UTF-8 text',
            (f'{filename}:{line}:1: not valid UTF-8 (byte {e.start})',),
        ) from None
    loader_class = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = ' '.join(str(part) for part in (e.context, e.problem) if part)
        raise PolicyError(
            f'{filename}: the policy is not valid YAML',
            (f'{filename}:{line}:{col}: YAML syntax error: {problem}',),
        ) from None
    except yaml.YAMLError as e:
        raise PolicyError(
            f'{filename}: the policy is not valid YAML',
            (f'{filename}:1:1: YAML error: {e}',),
        ) from None
    if node is None:
        raise PolicyError(
            f'{filename}: the policy is empty',
            (f'{filename}:1:1: empty policy; start from `trailgate init`',),
        )
    return node


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


def _semantic_problems(root: Any) -> Iterator[Problem]:
    """What the schema cannot say: references, uniqueness, regexes, dates.

    Runs on documents the schema refused too, so every node is type-checked.
    """
    top = _map(root)
    groups = _map(_get(top, 'groups'))
    for name, (_, members) in groups.items():
        yield from _member_problems(name, members)
    group_sizes = {name: len(_seq(members)) for name, (_, members) in groups.items()}
    checker = _GroupChecker(frozenset(groups))
    yield from checker.check(_get(top, 'policy_owners'), 'policy_owners')
    yield from checker.check(_get(_map(_get(top, 'overrides')), 'group'), 'overrides.group')
    ai = _map(_get(top, 'ai'))
    for key in ('identities', 'markers'):
        for item in _scalars(_get(ai, key)):
            yield from _regex_problems(item, f'ai.{key}')
    yield from _rules_problems(_get(top, 'rules'), group_sizes, checker)


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
        email = (email_of(str(item.value)) or '').lower()
        if email and email in seen:
            yield (*schema.position(item), f'groups.{group}: {email} is listed twice')
        seen.add(email)


def _regex_problems(node: Any, what: str) -> Iterator[Problem]:
    from trailgate import regexes

    problem = regexes.problem(str(node.value))
    if problem:
        yield (*schema.position(node), f'{what}: {problem}')


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
        for key in ('paths', 'exclude'):
            for item in _scalars(_get(rule, key)):
                yield from _pattern_problems(item, f'{where}.{key}')
        for group in _scalars(_get(rule, 'exempt_authors')):
            yield from checker.check(group, f'{where}.exempt_authors')
        yield from _window_problems(_get(rule, 'active'), where)
        require = _map(_get(rule, 'require'))
        yield from _reviews_problems(_get(require, 'reviews'), group_sizes, checker, where)
        documentation = _map(_get(require, 'documentation'))
        for item in _scalars(_get(documentation, 'patterns')):
            yield from _regex_problems(item, f'{where}.require.documentation.patterns')
        for item in _scalars(_get(documentation, 'paths')):
            yield from _pattern_problems(item, f'{where}.require.documentation.paths')


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
    if group_node is None or count_node is None or group_node.value not in group_sizes:
        return
    try:
        count = int(count_node.value)
    except (TypeError, ValueError):
        return
    size = group_sizes[group_node.value]
    if count > size:
        yield (
            *schema.position(count_node),
            f'{where}.require.reviews.count: {count} reviews needed but group '
            f'{group_node.value!r} has {size} member{"s" if size != 1 else ""}; '
            f'no commit could ever pass',
        )


def _build(raw: dict[str, Any]) -> Policy:
    from trailgate import regexes

    groups = {
        name: frozenset((email_of(member) or '').lower() for member in members)
        for name, members in (raw.get('groups') or {}).items()
    }
    ai_raw = raw.get('ai', {})
    ai = AiConfig(
        builtin_signatures=ai_raw.get('builtin_signatures', True),
        disclosure_trailers=tuple(ai_raw.get('disclosure_trailers', DEFAULT_DISCLOSURE_TRAILERS)),
        identities=tuple(regexes.compile(p) for p in ai_raw.get('identities', ())),
        markers=tuple(regexes.compile(p, re.MULTILINE) for p in ai_raw.get('markers', ())),
    )
    overrides = None
    if 'overrides' in raw:
        overrides = Override(**raw['overrides'])
    return Policy(
        groups=groups,
        people={name: tuple(members) for name, members in (raw.get('groups') or {}).items()},
        rules=tuple(_build_rule(rule) for rule in raw.get('rules', ())),
        ai=ai,
        policy_owners=raw.get('policy_owners'),
        overrides=overrides,
    )


def _build_rule(raw: dict[str, Any]) -> Rule:
    from trailgate import regexes

    require = raw['require']
    documentation = None
    if 'documentation' in require:
        doc = require['documentation']
        documentation = Documentation(
            trailer=doc.get('trailer', 'Change-Doc'),
            paths=PathMatcher(doc['paths']) if doc.get('paths') else None,
            patterns=tuple(regexes.compile(p) for p in doc.get('patterns', ())),
        )
    active = None
    if 'active' in raw:
        window = raw['active']
        active = Window(
            start=datetime.date.fromisoformat(window['from']) if 'from' in window else None,
            until=datetime.date.fromisoformat(window['until']) if 'until' in window else None,
        )
    return Rule(
        id=raw['id'],
        paths=PathMatcher(raw['paths']),
        exclude=PathMatcher(raw['exclude']) if raw.get('exclude') else None,
        applies_to=raw.get('applies_to', 'ai-assisted'),
        exempt_authors=tuple(raw.get('exempt_authors', ())),
        active=active,
        require=Requirements(
            reviews=Reviews(**require['reviews']) if 'reviews' in require else None,
            documentation=documentation,
            trailers=tuple(require.get('trailers', ())),
        ),
    )
