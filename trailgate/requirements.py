"""The requirement catalogue: what a rule can demand of a commit.

Each kind has a stable code and kebab-case name, named in every refusal and
report, and a docstring in the outline What it does / Why is this bad? /
Example / How to fix. Checks are pure: they read a ``Commit`` and the policy.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from trailgate.model import Commit
from trailgate.model import email_of
from trailgate.model import fold_email
from trailgate.paths import safe_repo_path
from trailgate.policy import Documentation
from trailgate.policy import Policy
from trailgate.policy import Reviews


class Kind(NamedTuple):
    code: str
    name: str
    summary: str
    doc: str


class Check(NamedTuple):
    """One requirement of one rule, met or not, and why."""

    kind: Kind
    met: bool
    evidence: tuple[str, ...]  # the trailer lines that satisfied it (or part of it)
    missing: str  # what is missing, when not met
    satisfy: str  # what would satisfy it
    suggestions: tuple[str, ...]  # trailer lines that would satisfy it
    needed: int = 1  # how many of the suggestions it takes


def missing_review() -> None:
    """## What it does
    Checks that an AI-assisted change to a critical path carries review
    trailers (default ``Reviewed-by``) from ``count`` distinct members of the
    rule's group. The commit's author never counts, under any name or case.

    ## Why is this bad?
    AI-assisted changes to Tier-1 code shipped without a senior engineer's
    eyes on them is how one bad deployment costs millions of orders. A
    senior sign-off recorded in the commit makes the review auditable.

    ## Example
    ```yaml
    require:
      reviews: {group: senior, count: 2}
    ```
    A commit by a junior engineer with one ``Reviewed-by: Alice
    <alice@example.com>`` is refused: it needs a second senior reviewer.

    ## How to fix
    Get the review, then add the trailer:
    ``git commit --amend --no-edit --trailer "Reviewed-by: Bob Builder <bob@example.com>"``.
    A value is ``Name <email>`` or a bare ``email``; the email must be listed
    in the group.
    """


def missing_documentation() -> None:
    """## What it does
    Checks that the commit names its documentation in a trailer (default
    ``Change-Doc``): a value matching one of the rule's ``patterns`` (a wiki
    link, a ticket id), or a repository-relative file under the rule's
    ``paths`` that exists in the commit. Absolute paths, ``..`` and files
    outside the repository never count.

    ## Why is this bad?
    A critical change without a written plan cannot be reviewed against its
    intent, and cannot be rolled back by someone who was not there.

    ## Example
    ```yaml
    require:
      documentation:
        paths: ["docs/changes/**"]
        patterns: ['^[A-Z][A-Z0-9]+-[0-9]+$']
    ```
    ``Change-Doc: docs/changes/2026-03-retry.md`` passes when that file is in
    the commit; ``Change-Doc: ../notes.md`` never does.

    ## How to fix
    File the ticket and name it
    (``git commit --amend --no-edit --trailer "Change-Doc: PAY-1234"``), or
    write the document and commit it with the trailer:
    ``git add docs/changes/<name>.md && git commit --amend --no-edit --trailer "Change-Doc: docs/changes/<name>.md"``.
    """


def missing_trailer() -> None:
    """## What it does
    Checks that each trailer listed in the rule's ``require.trailers`` is
    present in the commit's trailer block with a non-empty value.

    ## Why is this bad?
    Some facts must travel with a critical change, such as how to roll it
    back; a missing ``Rollback-Plan`` is found at 3 a.m., not at review.

    ## Example
    ```yaml
    require:
      trailers: [Rollback-Plan]
    ```
    ``Rollback-Plan:`` with nothing after it is refused.

    ## How to fix
    ``git commit --amend --no-edit --trailer "Rollback-Plan: revert and redeploy"``.
    """


def policy_owner_review() -> None:
    """## What it does
    Checks that a commit changing the policy file carries one review trailer
    (``Reviewed-by``) from the ``policy_owners`` group, AI-assisted or not.
    The commit's author never counts.

    ## Why is this bad?
    The policy is the control. A change that weakens it must be seen by the
    people who own it, or the control can be switched off quietly.

    ## Example
    ```yaml
    policy_owners: senior
    ```
    A commit that edits ``.trailgate/policy.yaml`` with no senior review is
    refused.

    ## How to fix
    ``git commit --amend --no-edit --trailer "Reviewed-by: Alice <alice@example.com>"``
    after a policy owner has reviewed it.
    """


def missing_signed_approval() -> None:
    """## What it does
    With ``reviews: {signed: true}``, checks that the change carries
    ``count`` valid signed approvals from distinct members of the rule's
    group, never the author. An approval is an SSH signature, made by
    ``trailgate approve``, over the change's id (a SHA-256 of its canonical
    diff) and the reviewer's email; it counts when the trusted base's
    allowed-signers file lists the signing key for that email, in force at
    the time the gate runs. Typed ``Reviewed-by`` trailers count for nothing.

    ## Why is this bad?
    A review trailer is a line anyone can type, an AI agent included. A
    signature can only be made with the reviewer's key, and binds to the
    exact change the reviewer saw: whitespace, modes and paths included.

    ## Example
    ```yaml
    signers: .trailgate/allowed_signers
    rules:
      - id: tier1-payments
        paths: ["services/payments/**"]
        require:
          reviews: {group: senior, count: 2, signed: true}
    ```
    An AI-assisted change to ``services/payments/`` with two typed
    ``Reviewed-by`` trailers is refused until two seniors approve it.

    ## How to fix
    Ask reviewers from the group to look at the change and run
    ``trailgate approve <range> --push origin`` (or ``--trailer``, for a
    flow without the approvals ref). Amending or rebasing the change over
    its own hunks makes a new change, which needs a new approval.
    """


def policy_owner_approval() -> None:
    """## What it does
    When the policy names ``signers``, checks that a commit changing the
    policy file or the allowed-signers file carries a valid signed approval
    (``trailgate approve``) from the ``policy_owners`` group, AI-assisted or
    not. Typed review trailers count for nothing here.

    ## Why is this bad?
    The signer file decides whose signatures count. If a typed review could
    change it, one push would add a key and the next would use it.

    ## Example
    ```yaml
    policy_owners: senior
    signers: .trailgate/allowed_signers
    ```
    A commit adding a line to ``.trailgate/allowed_signers`` with only a
    ``Reviewed-by`` trailer is refused.

    ## How to fix
    A policy owner reviews the change and runs ``trailgate approve <range>``.
    """


def _kind(code: str, function: Callable[[], None], summary: str) -> Kind:
    name = function.__name__.replace('_', '-')
    return Kind(code, name, summary, function.__doc__ or '')


MISSING_REVIEW = _kind('TG001', missing_review, 'review trailers from a group')
MISSING_DOCUMENTATION = _kind('TG002', missing_documentation, 'a documentation trailer')
MISSING_TRAILER = _kind('TG003', missing_trailer, 'a further trailer, non-empty')
POLICY_OWNER_REVIEW = _kind('TG004', policy_owner_review, 'a policy owner review for policy changes')
MISSING_SIGNED_APPROVAL = _kind('TG005', missing_signed_approval, 'signed approvals from a group')
POLICY_OWNER_APPROVAL = _kind('TG006', policy_owner_approval, 'a policy owner\'s signed approval for policy changes')
KINDS = (
    MISSING_REVIEW, MISSING_DOCUMENTATION, MISSING_TRAILER, POLICY_OWNER_REVIEW,
    MISSING_SIGNED_APPROVAL, POLICY_OWNER_APPROVAL,
)
SIGNED_KINDS = (MISSING_SIGNED_APPROVAL, POLICY_OWNER_APPROVAL)
TYPED_REVIEW_KINDS = (MISSING_REVIEW, POLICY_OWNER_REVIEW)


def _people(policy: Policy, group: str, exclude: set[str]) -> tuple[str, ...]:
    return tuple(person for person, email in _with_emails(policy.people.get(group, ())) if email not in exclude)


@functools.lru_cache(maxsize=256)
def _with_emails(people: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each entry as written, with its email folded (a group is asked about again and again)."""
    return tuple((person, fold_email(email_of(person) or '')) for person in people)


def approve_command(commit: Commit) -> str:
    """What a reviewer runs: that commit alone (``X^!``; a bare ``X`` is all of
    its history); a commit not made yet (commit-msg) has no name to give."""
    return f"trailgate approve '{commit.sha[:12]}^!'" if commit.sha else 'trailgate approve'


def check_signed_approvals(reviews: Reviews, policy: Policy, commit: Commit,
                           kind: Kind = MISSING_SIGNED_APPROVAL) -> Check:
    """Count the valid signed approvals the edge found; never a trailer."""
    if commit.is_merge and not commit.own_change:
        return Check(kind, True, ('a clean merge: nothing of its own to approve',), '', '', ())
    author = fold_email(commit.author.email)
    members = policy.members(reviews.group)
    counted: dict[str, str] = {}
    persons: set[str] = set()  # one person counts once, whichever key and email they sign with
    for approval in commit.approvals:
        email = fold_email(approval.reviewer)
        if (approval.problem is None and email != author and email in members and email not in counted
                and approval.person and approval.person not in persons):
            counted[email] = f'signed approval by {approval.reviewer} ({approval.fingerprint}, {approval.carrier})'
            persons.add(approval.person)
    met = len(counted) >= reviews.count
    plural = 's' if reviews.count != 1 else ''
    have = f'; has {len(counted)}: {", ".join(counted)}' if counted else ''
    change = f' of change {commit.change_id}' if commit.change_id else ''
    missing = (
        f'needs {reviews.count} signed approval{plural}{change} from distinct members of group '
        f'{reviews.group!r}, not the author{have}'
    )
    candidates = _people(policy, reviews.group, {author, *counted})
    who = f'one of: {", ".join(candidates)}' if candidates else f'a member of group {reviews.group!r}'
    once = '' if commit.sha else ' once it is committed'
    satisfy = f'{who} reviews it{once} and runs `{approve_command(commit)}`'
    return Check(kind, met, tuple(counted.values()), missing, satisfy, (), 0 if met else 1)


def check_reviews(reviews: Reviews, policy: Policy, commit: Commit, kind: Kind = MISSING_REVIEW) -> Check:
    if reviews.signed:
        signed_kind = POLICY_OWNER_APPROVAL if kind is POLICY_OWNER_REVIEW else MISSING_SIGNED_APPROVAL
        return check_signed_approvals(reviews, policy, commit, signed_kind)
    author = fold_email(commit.author.email)
    members = policy.members(reviews.group)
    counted: dict[str, str] = {}
    for value in commit.trailer_values(reviews.trailer):
        email = fold_email(email_of(value) or '')
        if email and email != author and email in members and email not in counted:
            counted[email] = f'{reviews.trailer}: {value}'
    met = len(counted) >= reviews.count
    plural = 's' if reviews.count != 1 else ''
    have = f'; has {len(counted)}: {", ".join(counted)}' if counted else ''
    missing = (
        f'needs {reviews.count} {reviews.trailer} trailer{plural} from distinct '
        f'members of group {reviews.group!r}, not the author{have}'
    )
    candidates = _people(policy, reviews.group, {author, *counted})
    satisfy = f'{reviews.trailer} from any of: {", ".join(candidates)}' if candidates else (
        f'no other member of group {reviews.group!r} is left to review'
    )
    suggestions = tuple(f'{reviews.trailer}: {person}' for person in candidates)
    needed = max(reviews.count - len(counted), 0)
    return Check(kind, met, tuple(counted.values()), missing, satisfy, suggestions, needed)


def documentation_satisfied_by(documentation: Documentation, value: str, existing_files: frozenset[str]) -> bool:
    if any(pattern.search(value) for pattern in documentation.patterns):
        return True
    path = documentation_path(documentation, value)
    return path is not None and path in existing_files


def documentation_path(documentation: Documentation, value: str) -> str | None:
    """The repository path ``value`` names under ``paths``, if any."""
    if documentation.paths is None:
        return None
    path = safe_repo_path(value)
    if path is None or not documentation.paths.matches(path):
        return None
    return path


def check_documentation(documentation: Documentation, commit: Commit) -> Check:
    evidence = tuple(
        f'{documentation.trailer}: {value}'
        for value in commit.trailer_values(documentation.trailer)
        if documentation_satisfied_by(documentation, value, commit.existing_files)
    )
    accepted = []
    if documentation.patterns:
        accepted.append('a value matching ' + ' or '.join(p.pattern for p in documentation.patterns))
    if documentation.paths is not None:
        accepted.append(
            'a file under ' + ', '.join(documentation.paths.patterns) + ' that exists in the commit',
        )
    example = '<link or ticket>'
    if documentation.paths is not None:
        example = documentation.paths.patterns[0].replace('**', '<name>').replace('*', '<name>')
    return Check(
        MISSING_DOCUMENTATION,
        bool(evidence),
        evidence,
        f'needs a {documentation.trailer} trailer naming its documentation',
        f'{documentation.trailer} with ' + ', or '.join(accepted),
        (f'{documentation.trailer}: {example}',),
    )


def check_trailer(key: str, commit: Commit) -> Check:
    present = tuple(
        f'{key}: {value}' for value in commit.trailer_values(key) if value.strip(' \t')
    )
    return Check(
        MISSING_TRAILER,
        bool(present),
        present,
        f'needs a non-empty {key} trailer',
        f'a {key} trailer with a value',
        (f'{key}: <{key.lower().replace("-", " ")}>',),
    )
