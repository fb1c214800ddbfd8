"""One commit's contribution to the audit, derived from the pure core's verdict.

Pure: an ``Assessment`` and the policy in, a ``CommitFacts`` out. Nothing here
reads git; the caller supplies changed-line counts and the paths that
``.gitattributes`` marks as generated or vendored.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from trailgate.evaluate import Assessment
from trailgate.evaluate import RuleResult
from trailgate.model import Identity
from trailgate.model import email_of
from trailgate.model import fold_email
from trailgate.model import parse_identity
from trailgate.policy import Policy
from trailgate.requirements import MISSING_REVIEW
from trailgate.requirements import MISSING_SIGNED_APPROVAL
from trailgate.requirements import POLICY_OWNER_APPROVAL
from trailgate.requirements import POLICY_OWNER_REVIEW

# what happened to an AI-assisted change that touches a rule's paths
MET = 'met'  # every requirement met (reviewed as required)
UNMET = 'unmet'  # the policy would refuse it
OVERRIDDEN = 'overridden'  # unmet, let through by break-glass
NOT_REQUIRED = 'not-required'  # no rule applied: outside its window, or the author is exempt
STATUSES = (MET, UNMET, OVERRIDDEN, NOT_REQUIRED)

TOP_LEVEL = '(top level)'
NO_MARK = ('no-mark', '(no mark found)')
# GitHub's squash-and-merge and rebase-merge subjects end in "(#123)";
# `git merge --squash` writes "Squashed commit of the following:".
_PULL_REQUEST_SUBJECT = re.compile(r' \(#[0-9]+\)\Z')
_SQUASHED = re.compile(r'^Squashed commit of the following:$', re.MULTILINE)
_SQUASH_LIST_ITEM = re.compile(r'^\* \S', re.MULTILINE)
MAX_TOOL_NAME = 80
# a commit's text is as long as its maker likes: what the report keeps of it is cut (500 listed changes
# with a 20 MB subject each would be a 10 GB page)
MAX_TEXT = 300  # subjects, names, break-glass reasons
MAX_EMAIL = 254  # the longest address RFC 5321 allows
MAX_DIRECTORY = 255  # the longest file name most file systems allow


class Missing(NamedTuple):
    rule: str
    code: str
    name: str
    missing: str


class Lines(NamedTuple):
    """Changed lines of a commit (numstat); binary files count none."""

    added: int
    deleted: int
    by_directory: tuple[tuple[str, int], ...]  # top-level directory -> added + deleted

    @property
    def total(self) -> int:
        return self.added + self.deleted


class CommitFacts(NamedTuple):
    sha: str
    date: str  # committer date, UTC, YYYY-MM-DD
    author: Identity
    subject: str
    is_merge: bool
    ai_assisted: bool
    tools: tuple[tuple[str, str], ...]  # (catalogue id or policy key, tool name), distinct
    critical_rules: tuple[str, ...]  # rules whose paths it touches (and policy-owners for the policy file)
    status: str | None  # one of STATUSES for an AI-assisted critical change, else None
    rule_statuses: tuple[str, ...]  # each critical rule's own outcome, when ``status`` is set
    missing: tuple[Missing, ...]  # for UNMET and OVERRIDDEN
    reviewers: tuple[Identity, ...]  # reviews the policy counted (typed trailers or signed approvals)
    signed_reviewers: int  # how many of ``reviewers`` are signed approvals
    break_glass: str | None  # the valid break-glass reason, if the commit carries one
    break_glass_inside_window: bool  # it overrode something a rule required
    likely_squash: bool
    directories: tuple[str, ...]  # top-level directories of its paths, generated/vendored left out
    excluded_paths: int  # paths left out as generated or vendored
    lines: Lines | None


def cut(text: str, limit: int = MAX_TEXT) -> str:
    """``text``, or its first ``limit - 1`` characters and an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + '…'


def identity(found: Identity) -> Identity:
    """An identity as the report keeps it."""
    if len(found.name) <= MAX_TEXT and len(found.email) <= MAX_EMAIL:
        return found
    return Identity(cut(found.name), cut(found.email, MAX_EMAIL))


def top_level(path: str) -> str:
    directory, separator, _ = path.partition('/')
    return cut(directory, MAX_DIRECTORY) if separator else TOP_LEVEL


def likely_squash(message: str, is_merge: bool) -> bool:
    """Squashing folds several commits into one, often dropping their AI marks."""
    if is_merge:
        return False
    # git merge --squash writes it as the subject, and an edited message keeps it in the body
    if 'Squashed commit of the following:' in message and _SQUASHED.search(message):
        return True
    subject, _, body = message.partition('\n')
    subject = subject.rstrip()
    return (subject.endswith(')') and bool(_PULL_REQUEST_SUBJECT.search(subject))
            and bool(_SQUASH_LIST_ITEM.search(body)))


_EMAIL_TAIL = re.compile(r'\s*<[^<>]*>\s*\Z')


def tool_name(source: str, tool: str) -> str:
    """A tool's name for the tables: a disclosure trailer's value is cut to its
    agent (``Crush:glm-5`` -> ``Crush``, the kernel's AGENT:MODEL) and loses a
    trailing ``<email>``, so one tool is one row."""
    if source == 'ai.disclosure_trailers':
        tool = _EMAIL_TAIL.sub('', tool.split(':', 1)[0])
    return ' '.join(tool.split())[:MAX_TOOL_NAME] or '(unnamed)'


def _tools(assessment: Assessment) -> tuple[tuple[str, str], ...]:
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for signal in assessment.signals:
        name = tool_name(signal.source, signal.tool)
        found.setdefault((signal.source, name.casefold()), (signal.source, name))
    return tuple(found.values())


def _names_given(values: tuple[str, ...]) -> dict[str, str]:
    """Folded email -> the name the first ``Name <email>`` value among
    ``values`` gives it: a reviewer who wrote a bare email in one trailer may
    be named in another. One pass: a commit may carry thousands of reviews."""
    names: dict[str, str] = {}
    for value in values:
        found = parse_identity(value)
        if found is not None and found.name:
            names.setdefault(fold_email(found.email), found.name)
    return names


def _reviewers(assessment: Assessment) -> tuple[tuple[Identity, ...], int]:
    """The reviews the policy counted, and how many of them are signed approvals."""
    counted: dict[str, Identity] = {}
    signed: set[str] = set()
    names: dict[str, dict[str, str]] = {}  # trailer key -> its values' names
    for result in assessment.results:
        for check in result.checks:
            if check.kind in (MISSING_REVIEW, POLICY_OWNER_REVIEW):
                for line in check.evidence:
                    key, _, value = line.partition(':')
                    email = email_of(value.strip(' \t'))
                    if email is not None and fold_email(email) not in counted:
                        if key not in names:
                            names[key] = _names_given(assessment.commit.trailer_values(key))
                        name = names[key].get(fold_email(email), '')
                        counted[fold_email(email)] = identity(Identity(name, email))
            elif check.kind in (MISSING_SIGNED_APPROVAL, POLICY_OWNER_APPROVAL):
                for approval in assessment.commit.approvals:
                    if any(line.startswith(f'signed approval by {approval.reviewer} (') for line in check.evidence):
                        key = fold_email(approval.reviewer)
                        counted.setdefault(key, identity(Identity('', approval.reviewer)))
                        signed.add(key)
    return tuple(counted.values()), len(signed)


def _status(assessment: Assessment, critical_rules: tuple[str, ...]) -> str | None:
    if not assessment.ai_assisted or not critical_rules:
        return None
    if assessment.refused:
        return UNMET
    if assessment.violations:
        return OVERRIDDEN
    return MET if any(result.applies for result in assessment.results) else NOT_REQUIRED


def _rule_status(result: RuleResult, override: str | None) -> str:
    """What became of one rule on an AI-assisted change: a commit that meets one
    rule and misses another is met under the first."""
    if not result.applies:
        return NOT_REQUIRED
    if all(check.met for check in result.checks):
        return MET
    return OVERRIDDEN if override is not None else UNMET


def _break_glass(policy: Policy, assessment: Assessment) -> str | None:
    if assessment.override is not None:
        return cut(assessment.override)
    overrides = policy.overrides
    if overrides is None or assessment.override_problem is not None:
        return None
    reasons = [value.strip(' \t') for value in assessment.commit.trailer_values(overrides.trailer)]
    return cut('; '.join(reason for reason in reasons if reason)) or None


def commit_facts(
    policy: Policy, assessment: Assessment, is_excluded: Callable[[str], bool],
    lines: Lines | None = None,
) -> CommitFacts:
    commit = assessment.commit
    assert commit.sha is not None
    # the policy-owners result too: a change to the policy file is refused like any rule's
    touched = tuple(result for result in assessment.results if result.paths)
    critical = tuple(result.rule for result in touched)
    status = _status(assessment, critical)
    rule_statuses = tuple(
        _rule_status(result, assessment.override) for result in touched
    ) if status is not None else ()
    missing = tuple(
        Missing(v.rule, v.code, v.name, v.missing) for v in assessment.violations
    ) if status in (UNMET, OVERRIDDEN) else ()
    reviewers, signed = _reviewers(assessment)
    directories: dict[str, None] = {}
    excluded = 0
    for path in commit.paths:
        if is_excluded(path):
            excluded += 1
        else:
            directory, separator, _ = path.partition('/')  # top_level(path), without a call per path
            directories[directory if separator else TOP_LEVEL] = None
    return CommitFacts(
        sha=commit.sha,
        date=commit.date.isoformat(),
        author=identity(commit.author),
        subject=cut(commit.subject),
        is_merge=commit.is_merge,
        ai_assisted=assessment.ai_assisted,
        tools=_tools(assessment),
        critical_rules=critical,
        status=status,
        rule_statuses=rule_statuses,
        missing=missing,
        reviewers=reviewers,
        signed_reviewers=signed,
        break_glass=_break_glass(policy, assessment),
        break_glass_inside_window=assessment.override is not None,
        likely_squash=likely_squash(commit.message, commit.is_merge),
        directories=tuple(sorted({cut(directory, MAX_DIRECTORY) for directory in directories})),
        excluded_paths=excluded,
        lines=lines,
    )


def lines_of(numstat: tuple[tuple[int | None, int | None, str], ...],
             is_excluded: Callable[[str], bool]) -> Lines:
    """Add up numstat entries (None: a binary file), generated/vendored paths left out."""
    added = deleted = 0
    by_directory: dict[str, int] = {}
    for plus, minus, path in numstat:
        if is_excluded(path):
            continue
        plus, minus = plus or 0, minus or 0
        added += plus
        deleted += minus
        directory = top_level(path)
        by_directory[directory] = by_directory.get(directory, 0) + plus + minus
    return Lines(added, deleted, tuple(sorted(by_directory.items())))
