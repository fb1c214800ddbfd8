"""The policy: immutable data, and loading it from YAML with every problem
reported as ``FILE:LINE:COL: message``.

Structure is checked by the published JSON Schema itself
(``policy.schema.json``), interpreted here over YAML nodes so that each
problem keeps its position: the schema editors use and the validator cannot
drift apart. Meaning (groups that exist, unique rule ids, regexes, dates)
is checked after.
"""
from __future__ import annotations

import codecs
import datetime
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from trailgate import policy_cache
from trailgate.errors import PolicyError
from trailgate.model import email_of
from trailgate.model import fold_email
from trailgate.paths import PathMatcher
from trailgate.refs import Protected
from trailgate.regexes import PolicyPattern

Problem = tuple[int, int, str]

DEFAULT_POLICY_PATH = '.trailgate/policy.yaml'
MAX_POLICY_BYTES = 1024 * 1024
DEFAULT_DISCLOSURE_TRAILERS = ('Assisted-by', 'Generated-by')
REFUSE_ON_PROTECTED = 'protected-branches'
REFUSE_EVERYWHERE = 'every-branch'


class AiConfig(NamedTuple):
    builtin_signatures: bool = True
    disclosure_trailers: tuple[str, ...] = DEFAULT_DISCLOSURE_TRAILERS
    identities: tuple[PolicyPattern, ...] = ()
    markers: tuple[PolicyPattern, ...] = ()


class Reviews(NamedTuple):
    group: str
    trailer: str = 'Reviewed-by'
    count: int = 1  # type: ignore[assignment]  # the policy key; shadows tuple.count
    signed: bool = False


class Documentation(NamedTuple):
    trailer: str = 'Change-Doc'
    paths: PathMatcher | None = None
    patterns: tuple[PolicyPattern, ...] = ()


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

    def covers(self, path: str) -> bool:
        """Does the rule protect ``path`` (in ``paths``, not in ``exclude``)?"""
        if not self.paths.matches(path):
            return False
        return self.exclude is None or not self.exclude.matches(path)


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
    signers_path: str | None = None  # the allowed_signers file, repository-relative
    # the parsed allowed_signers (an AllowedSigners), attached where the policy is read
    signers: Any = None
    # allowed-signers files that the policy an update lands names, and this one (its
    # trusted base's) does not: in policy_paths too (``policies.landing``)
    landing_signers: frozenset[str] = frozenset()

    @property
    def signed_reviews(self) -> bool:
        """Does any requirement count only signed approvals?"""
        if self.signers_path is None:
            return False
        if self.policy_owners is not None:
            return True
        return any(rule.require.reviews is not None and rule.require.reviews.signed for rule in self.rules)

    def owner_reviews(self) -> Reviews | None:
        if self.policy_owners is None:
            return None
        return Reviews(group=self.policy_owners, signed=self.signers_path is not None)
    protected: Protected = Protected()
    refuse_commits: str = REFUSE_ON_PROTECTED  # where commit-msg refuses

    def commit_msg_refuses_on(self, branch: str | None) -> bool:
        """Does commit-msg refuse on ``branch`` (a full ref; None: detached HEAD)?

        Without a ``protected`` key every commit is refused, as before the key existed.
        """
        if self.commit_msg_refuses_on_every_branch():
            return True
        return branch is not None and self.protected.matches(branch)

    def commit_msg_refuses_on_every_branch(self) -> bool:
        return self.refuse_commits == REFUSE_EVERYWHERE or not self.protected.explicit

    def members(self, group: str) -> frozenset[str]:
        return self.groups.get(group, frozenset())

    def in_group(self, email: str, group: str) -> bool:
        return fold_email(email) in self.members(group)

    def with_source(self, source: str, policy_paths: frozenset[str]) -> Policy:
        if self.signers_path is not None:
            policy_paths |= {self.signers_path}
        return self._replace(source=source, policy_paths=policy_paths)


# -- loading ---------------------------------------------------------------


def load_policy(data: bytes, filename: str, cache_dir: str | None = None) -> Policy:
    """Parse and validate a policy; raise PolicyError with every problem.

    With ``cache_dir``, a policy already validated (same bytes, same
    trailgate) is rebuilt from its cache without YAML: the commit-msg hook
    runs on every commit.
    """
    if cache_dir is not None:
        cached = policy_cache.read(cache_dir, data)
        if cached is not None:
            return _build(cached)
    from trailgate import policy_check
    from trailgate import schema

    root = _compose(data, filename)
    problems = list(schema.validate_node(root))
    if not problems or not problems[0][2].startswith(schema.SHAPE_PREFIX):
        problems.extend(policy_check.semantic_problems(root))
    if problems:
        problems.sort(key=lambda problem: problem[:2])
        lines = tuple(f'{filename}:{line}:{col}: {message}' for line, col, message in problems)
        raise PolicyError(
            f'{filename}: the policy is invalid ({len(lines)} problem'
            f'{"s" if len(lines) != 1 else ""}); fix it, then run `trailgate validate`',
            lines,
        )
    raw = schema.to_python(root)
    policy = _build(raw)
    if cache_dir is not None:
        policy_cache.write(cache_dir, data, raw)
    return policy


def _check_events(events: Iterator[Any], filename: str) -> None:
    """Refuse aliases and runaway nesting from the event stream, before
    composing: libyaml's composer recurses and can crash on deep nesting, and
    aliases are how a "billion laughs" document grows."""
    import yaml

    from trailgate.schema import MAX_DEPTH
    from trailgate.schema import MAX_NODES

    depth = 0
    for count, event in enumerate(events):
        problem = None
        if isinstance(event, yaml.AliasEvent) or getattr(event, 'anchor', None):
            problem = 'YAML aliases (*name) are not allowed in a policy, nor anchors (&name); write the value out'
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                problem = f'the policy is nested more than {MAX_DEPTH} levels deep'
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if count > MAX_NODES:
            problem = f'the policy has more than {MAX_NODES} YAML nodes'
        if problem:
            mark = event.start_mark
            raise PolicyError(
                f'{filename}: the policy is not a usable YAML document',
                (f'{filename}:{mark.line + 1}:{mark.column + 1}: {problem}',),
            )


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
        body = data.removeprefix(codecs.BOM_UTF8)  # where e.start counts from
        line = body[:e.start].count(b'\n') + 1
        start = body.rfind(b'\n', 0, e.start) + 1
        column = len(body[start:e.start].decode('utf-8')) + 1
        raise PolicyError(
            f'{filename}: the policy is not UTF-8 text',
            (f'{filename}:{line}:{column}: not valid UTF-8 (byte {e.start + len(data) - len(body)})',),
        ) from None
    loader_class = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    try:
        _check_events(yaml.parse(text, Loader=loader_class), filename)
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
        line, col = _refused_character(text, e)
        raise PolicyError(
            f'{filename}: the policy is not valid YAML',
            (f'{filename}:{line}:{col}: YAML error: {e}',),
        ) from None
    if node is None:
        raise PolicyError(
            f'{filename}: the policy is empty',
            (f'{filename}:1:1: empty policy; start from `trailgate init`',),
        )
    return node


def _refused_character(text: str, error: Exception) -> tuple[int, int]:
    """Where the character the YAML reader refused stands, as LINE, COL
    (1:1 for another error). Its first: the reader refuses the first it
    meets. Not the error's own position, which counts characters in
    PyYAML and bytes in libyaml."""
    character = getattr(error, 'character', None)
    index = text.find(chr(character)) if isinstance(character, int) and 0 <= character < 0x110000 else -1
    if index < 0:
        return 1, 1
    return text.count('\n', 0, index) + 1, index - text.rfind('\n', 0, index)


def _build(raw: dict[str, Any]) -> Policy:
    from trailgate import regexes

    groups = {
        name: frozenset(fold_email(email_of(member) or '') for member in members)
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
        signers_path=raw.get('signers'),
        protected=Protected.from_patterns(raw.get('protected')),
        refuse_commits=raw.get('refuse_commits', REFUSE_ON_PROTECTED),
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
