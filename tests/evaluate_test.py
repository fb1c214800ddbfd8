"""The pure rule engine: a Policy and a Commit in, violations out."""
from __future__ import annotations

import datetime
import math
import textwrap

import pytest

from trailgate import evaluate as evaluate_module
from trailgate.evaluate import POLICY_OWNERS_RULE
from trailgate.evaluate import Assessment
from trailgate.evaluate import Violation
from trailgate.evaluate import assess
from trailgate.evaluate import documentation_candidates
from trailgate.evaluate import evaluate
from trailgate.evaluate import may_need_signed_approvals
from trailgate.evaluate import needs_signed_approvals
from trailgate.model import Approval
from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.policy import Policy
from trailgate.policy import load_policy
from trailgate.trailers import parse_trailers

DAY = datetime.date(2026, 4, 1)
JUNIOR = Identity('Jay Junior', 'jay@example.com')
ALICE = Identity('Alice Archer', 'alice@example.com')
BOB = Identity('Bob Builder', 'bob@example.com')
CAROL = Identity('Carol Chen', 'carol@example.com')
AI = 'Assisted-by: some model'
SRC = frozenset({'src/app.py'})


def policy(text: str) -> Policy:
    return load_policy(textwrap.dedent(text).lstrip('\n').encode(), '.trailgate/policy.yaml')


def commit(
    *trailers: str,
    author: Identity = JUNIOR,
    paths: frozenset[str] | set[str] = SRC,
    day: datetime.date = DAY,
    existing: frozenset[str] | set[str] = frozenset(),
    body: str = 'Change things\n\nWhy it changes.\n',
) -> Commit:
    message = body + ('\n' + '\n'.join(trailers) + '\n' if trailers else '')
    return Commit(
        sha='0123456789abcdef0123456789abcdef01234567',
        message=message,
        trailers=parse_trailers(message),
        author=author,
        committer=author,
        date=day,
        paths=frozenset(paths),
        existing_files=frozenset(existing),
    )


def codes(violations: list[Violation]) -> list[str]:
    return [v.code for v in violations]


REVIEWS = policy("""
    version: 1
    groups:
      senior: [alice@example.com, "Bob Builder <bob@example.com>", "<dana@example.com>"]
    rules:
      - id: core
        paths: ["src/**"]
        require:
          reviews: {group: senior, count: 2}
    """)

ONE_REVIEW = policy("""
    version: 1
    groups:
      senior: [alice@example.com, "Bob Builder <bob@example.com>"]
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        require:
          reviews: {group: senior}
    """)


# -- reviews ---------------------------------------------------------------


def test_two_distinct_senior_reviews_pass() -> None:
    assert evaluate(REVIEWS, commit(AI, 'Reviewed-by: Alice <alice@example.com>',
                                    'Reviewed-by: bob@example.com')) == []


def test_evaluate_returns_a_list_of_violations() -> None:
    result = evaluate(REVIEWS, commit(AI))
    assert isinstance(result, list)
    assert all(isinstance(v, Violation) for v in result)
    (violation,) = result
    assert violation.rule == 'core'
    assert (violation.code, violation.name) == ('TG001', 'missing-review')
    assert violation.paths == ('src/app.py',)
    assert violation.needed == 2
    assert violation.overridden is None
    assert violation.fix_trailers() == (
        'Reviewed-by: alice@example.com', 'Reviewed-by: Bob Builder <bob@example.com>',
    )


@pytest.mark.parametrize('value', [
    'Alice Archer <alice@example.com>',
    'alice@example.com',
    'ALICE@EXAMPLE.COM',
    'Someone Else <Alice@Example.Com>',
    '<alice@example.com>',
    '  alice@example.com  ',
])
def test_review_value_forms_that_count(value: str) -> None:
    assert evaluate(ONE_REVIEW, commit(f'Reviewed-by: {value}')) == []


@pytest.mark.parametrize('value', [
    'аlice@example.com',  # Cyrillic а
    'alice@exаmple.com',  # Cyrillic а in the domain
    'alice@example.com.',
    'alice+tag@example.com',
    '"Alice" <alice@example.com> <evil@x>',
    'alice@example.com evil@x',
    'Alice <alice@example.com',
    'Alice alice@example.com>',
    '[alice@example.com]',
    '(alice@example.com)',
    'Alice <<alice@example.com>>',
    'Alice <alice@example.com> trailing',
    'Alice',
    '',
    'mailto:alice@example.com',
    'alice@example.com,bob@example.com',
])
def test_look_alike_reviews_do_not_count(value: str) -> None:
    assert codes(evaluate(ONE_REVIEW, commit(f'Reviewed-by: {value}'))) == ['TG001']


def test_kelvin_sign_look_alike_does_not_count() -> None:
    team = policy("""
        version: 1
        groups: {senior: [kate@example.com]}
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require: {reviews: {group: senior}}
        """)
    assert codes(evaluate(team, commit('Reviewed-by: \u212aate@example.com'))) == ['TG001']


def test_review_from_outside_the_group_does_not_count() -> None:
    assert codes(evaluate(ONE_REVIEW, commit('Reviewed-by: Carol <carol@example.com>'))) == [
        'TG001',
    ]


@pytest.mark.parametrize('value', [
    'Alice Archer <alice@example.com>',
    'Not Alice <ALICE@example.com>',
    'alice@EXAMPLE.com',
])
def test_author_never_reviews_their_own_commit(value: str) -> None:
    author = Identity('A. Archer', 'Alice@Example.com')
    assert codes(evaluate(ONE_REVIEW, commit(f'Reviewed-by: {value}', author=author))) == [
        'TG001',
    ]


def test_author_exclusion_leaves_the_others() -> None:
    met = commit('Reviewed-by: alice@example.com', 'Reviewed-by: bob@example.com', author=ALICE)
    assert evaluate(ONE_REVIEW, met) == []


def test_count_is_distinct_emails() -> None:
    same_twice = commit(
        AI, 'Reviewed-by: alice@example.com', 'Reviewed-by: Alice <ALICE@example.com>',
    )
    (violation,) = evaluate(REVIEWS, same_twice)
    assert violation.code == 'TG001'
    assert violation.needed == 1
    assert 'has 1: alice@example.com' in violation.missing
    assert 'alice@example.com' not in ' '.join(violation.suggestions)


def test_review_trailer_key_is_case_insensitive_and_configurable() -> None:
    assert evaluate(ONE_REVIEW, commit('reviewed-BY: alice@example.com')) == []
    acked = policy("""
        version: 1
        groups: {senior: [alice@example.com]}
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require: {reviews: {group: senior, trailer: Acked-by}}
        """)
    assert codes(evaluate(acked, commit('Reviewed-by: alice@example.com'))) == ['TG001']
    assert evaluate(acked, commit('Acked-by: alice@example.com')) == []


def test_review_in_the_body_is_not_a_trailer() -> None:
    body = 'Change things\n\nReviewed-by: alice@example.com\n\nMore words here.\n'
    assert codes(evaluate(ONE_REVIEW, commit(body=body))) == ['TG001']


def test_suggestions_skip_the_author_and_counted_reviewers() -> None:
    (violation,) = evaluate(REVIEWS, commit(AI, 'Reviewed-by: bob@example.com', author=ALICE))
    assert violation.suggestions == ('Reviewed-by: <dana@example.com>',)
    assert violation.needed == 1


def test_a_refused_review_says_how_many_from_whom() -> None:
    (one,) = evaluate(ONE_REVIEW, commit())
    assert one.missing == "needs 1 Reviewed-by trailer from distinct members of group 'senior', not the author"
    assert one.satisfy == 'Reviewed-by from any of: alice@example.com, Bob Builder <bob@example.com>'
    pair = policy("""
        version: 1
        groups:
          senior: [alice@example.com, bob@example.com]
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require:
              reviews: {group: senior, count: 2}
        """)
    (left,) = evaluate(pair, commit('Reviewed-by: bob@example.com', author=ALICE))
    assert left.missing == (
        "needs 2 Reviewed-by trailers from distinct members of group 'senior', not the author; has 1: bob@example.com"
    )
    assert left.satisfy == "no other member of group 'senior' is left to review"


# -- signed approvals (found and verified at the edge; the core counts them) --


def signed_policy(senior: str = 'alice@example.com, "Bob Builder <bob@example.com>", carol@example.com',
                  count: int = 2) -> Policy:
    return policy(f"""
        version: 1
        signers: .trailgate/allowed_signers
        groups:
          senior: [{senior}]
        rules:
          - id: core
            paths: ["src/**"]
            require:
              reviews: {{group: senior, count: {count}, signed: true}}
        """)


SIGNED = signed_policy()


def approval(reviewer: str, fingerprint: str, problem: str | None = None, person: str | None = None) -> Approval:
    return Approval(reviewer, fingerprint, 'c' * 64, 'ledger', problem, reviewer.lower() if person is None else person)


ALICE_SIGNS = approval('alice@example.com', 'SHA256:alice')
BOB_SIGNS = approval('bob@example.com', 'SHA256:bob')


@pytest.mark.parametrize(('approvals', 'met'), [
    ((ALICE_SIGNS, BOB_SIGNS), True),
    ((approval('ALICE@Example.com', 'SHA256:alice'), BOB_SIGNS), True),
    ((ALICE_SIGNS, approval('bob@example.com', 'SHA256:bob', 'signature does not verify')), False),
    ((ALICE_SIGNS, approval('carol@example.com', 'SHA256:carol')), False),  # the author's own
    ((ALICE_SIGNS, approval('eve@example.com', 'SHA256:eve')), False),  # not in the group
    ((ALICE_SIGNS, approval('alice@example.com', 'SHA256:alice2')), False),  # one reviewer, two keys
    # the allowed-signers file ties both keys to one person, or names no holder at all
    ((ALICE_SIGNS, approval('bob@example.com', 'SHA256:bob', person='alice@example.com')), False),
    ((ALICE_SIGNS, approval('bob@example.com', 'SHA256:bob', person='')), False),
])
def test_signed_approvals_that_count(approvals: tuple[Approval, ...], met: bool) -> None:
    signed = commit(AI, 'Reviewed-by: Bob Builder <bob@example.com>', author=CAROL)._replace(approvals=approvals)
    assert codes(evaluate(SIGNED, signed)) == ([] if met else ['TG005'])


def test_a_refused_signed_review_says_who_may_approve_and_how() -> None:
    (pushed,) = evaluate(SIGNED, commit(AI)._replace(change_id='c' * 64, approvals=(ALICE_SIGNS,)))
    assert pushed.missing == (
        f"needs 2 signed approvals of change {'c' * 64} from distinct members of group 'senior', "
        'not the author; has 1: alice@example.com'
    )
    assert pushed.satisfy == (
        "one of: Bob Builder <bob@example.com>, carol@example.com reviews it and runs "
        "`trailgate approve '0123456789ab^!'`"
    )
    (new,) = evaluate(signed_policy(count=1), commit(AI)._replace(sha=None))
    assert new.missing == "needs 1 signed approval from distinct members of group 'senior', not the author"
    assert new.satisfy.endswith(' reviews it once it is committed and runs `trailgate approve`')
    (alone,) = evaluate(signed_policy('alice@example.com, carol@example.com'),
                        commit(AI, author=CAROL)._replace(approvals=(ALICE_SIGNS,)))
    assert alone.satisfy.startswith("a member of group 'senior' reviews it and runs")


def test_a_clean_merge_needs_no_signed_approval_an_evil_one_does() -> None:
    merge = commit(AI)._replace(is_merge=True, own_change=False)
    assert evaluate(SIGNED, merge) == []
    assert codes(evaluate(SIGNED, merge._replace(own_change=True))) == ['TG005']
    assert codes(evaluate(SIGNED, merge._replace(is_merge=False))) == ['TG005']


MIXED = policy("""
    version: 1
    signers: .trailgate/allowed_signers
    policy_owners: senior
    groups:
      senior: [alice@example.com, bob@example.com]
    rules:
      - id: signed
        paths: ["src/**"]
        require:
          reviews: {group: senior, signed: true}
          documentation: {patterns: ['^PAY-[0-9]+$']}
      - id: typed
        paths: ["lib/**"]
        require:
          reviews: {group: senior}
      - id: rollback
        paths: ["bin/**"]
        require: {trailers: [Rollback-Plan]}
    """)


@pytest.mark.parametrize(('paths', 'may_need'), [
    ({'src/a.py'}, True),
    ({'lib/a.py', 'src/a.py', 'bin/a'}, True),
    ({'lib/a.py'}, False),
    ({'bin/a'}, False),
    ({'README.md'}, False),
    ({'.trailgate/policy.yaml'}, True),
    ({'.trailgate/allowed_signers'}, True),
])
def test_approvals_are_looked_for_where_a_signed_review_may_apply(paths: set[str], may_need: bool) -> None:
    sourced = MIXED.with_source('.trailgate/policy.yaml', frozenset({'.trailgate/policy.yaml'}))
    assert may_need_signed_approvals(sourced, frozenset(paths)) is may_need
    assert may_need_signed_approvals(policy(RANGE_POLICY), frozenset(paths)) is False  # no signers
    without_owners = SIGNED.with_source('.trailgate/policy.yaml', frozenset({'.trailgate/policy.yaml'}))
    assert may_need_signed_approvals(without_owners, frozenset(paths)) is ('src/a.py' in paths)


def test_a_commit_needs_signed_approvals_when_one_of_its_checks_is_signed() -> None:
    assert needs_signed_approvals(assess(MIXED, commit(AI, paths={'src/a.py', 'lib/a.py'})))
    assert not needs_signed_approvals(assess(MIXED, commit(AI, paths={'lib/a.py', 'bin/a'})))


def test_signed_approvals_are_counted_for_each_commit_of_a_range() -> None:
    approved = commit(AI)._replace(approvals=(ALICE_SIGNS, BOB_SIGNS))
    bare = commit(AI)
    assert [codes(evaluate(SIGNED, found)) for found in (bare, approved, bare, approved)] == [
        ['TG005'], [], ['TG005'], [],
    ]


# -- documentation -----------------------------------------------------------


DOCS = policy(r"""
    version: 1
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        require:
          documentation:
            paths: ["docs/changes/**"]
            patterns: ['^https://wiki\.example\.com/\S+$', '^[A-Z][A-Z0-9]+-[0-9]+$']
    """)


@pytest.mark.parametrize('value', ['PAY-123', 'https://wiki.example.com/page/1', 'A1-0'])
def test_documentation_pattern_match(value: str) -> None:
    assert evaluate(DOCS, commit(f'Change-Doc: {value}')) == []


@pytest.mark.parametrize('value', ['pay-123', 'PAY-', 'see PAY-123', 'http://wiki.example.com/x'])
def test_documentation_pattern_mismatch(value: str) -> None:
    violations = evaluate(DOCS, commit(f'Change-Doc: {value}'))
    assert [(v.code, v.name) for v in violations] == [('TG002', 'missing-documentation')]


def test_documentation_path_that_exists_counts() -> None:
    doc = 'docs/changes/2026-04-retry.md'
    assert evaluate(DOCS, commit(f'Change-Doc: {doc}', existing={doc})) == []


def test_documentation_path_that_does_not_exist_does_not_count() -> None:
    doc = 'docs/changes/2026-04-retry.md'
    assert codes(evaluate(DOCS, commit(f'Change-Doc: {doc}'))) == ['TG002']


def test_documentation_path_outside_paths_does_not_count_even_if_it_exists() -> None:
    assert codes(evaluate(DOCS, commit('Change-Doc: README.md', existing={'README.md'}))) == [
        'TG002',
    ]


@pytest.mark.parametrize('value', [
    'docs/changes/../../etc/passwd',
    '../docs/changes/x.md',
    'docs/changes/../changes/x.md',
    '/docs/changes/x.md',
    '/etc/passwd',
    './docs/changes/x.md',
    'docs/changes/./x.md',
    'docs\\changes\\x.md',
    'docs/changes\\x.md',
    'docs//changes/x.md',
    'docs/changes/x.md/',
])
def test_unsafe_documentation_paths_never_count(value: str) -> None:
    # Even if the edge were fooled into listing the literal value as existing.
    found = evaluate(DOCS, commit(f'Change-Doc: {value}', existing={value, 'docs/changes/x.md'}))
    assert codes(found) == ['TG002']
    assert documentation_candidates(DOCS, commit(f'Change-Doc: {value}')) == frozenset()


def test_documentation_candidates_are_the_safe_paths_under_paths() -> None:
    candidate = commit('Change-Doc: docs/changes/a.md', 'Change-Doc: PAY-1', 'Change-Doc: x.md')
    assert documentation_candidates(DOCS, candidate) == frozenset({'docs/changes/a.md'})


PATTERNS_ONLY = policy(r"""
    version: 1
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        require:
          documentation:
            patterns: ['^[A-Z][A-Z0-9]+-[0-9]+$']
    """)


def test_documentation_by_patterns_alone_names_no_file_and_takes_no_path() -> None:
    """A rule whose documentation has no ``paths`` looks up no file, and a
    path it names, even one that exists, does not meet it."""
    doc = 'docs/changes/a.md'
    assert documentation_candidates(PATTERNS_ONLY, commit(f'Change-Doc: {doc}', 'Change-Doc: PAY-1')) == frozenset()
    assert codes(evaluate(PATTERNS_ONLY, commit(f'Change-Doc: {doc}', existing={doc}))) == ['TG002']
    assert evaluate(PATTERNS_ONLY, commit('Change-Doc: PAY-1')) == []


def test_a_refused_documentation_says_what_counts_and_suggests_the_first_path() -> None:
    spec = policy(r"""
        version: 1
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require: {documentation: {paths: ["docs/changes/*.md", "adr/**"]}}
        """)
    (violation,) = evaluate(spec, commit())
    assert violation.satisfy == 'Change-Doc with a file under docs/changes/*.md, adr/** that exists in the commit'
    assert violation.fix_trailers() == ('Change-Doc: docs/changes/<name>.md',)
    (by_pattern,) = evaluate(DOCS, commit())
    assert by_pattern.satisfy.startswith(r'Change-Doc with a value matching ^https://wiki\.example\.com/\S+$ or ')
    assert by_pattern.satisfy.endswith(', or a file under docs/changes/** that exists in the commit')


def test_documentation_custom_trailer() -> None:
    spec = policy("""
        version: 1
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require: {documentation: {trailer: Design-Doc, patterns: ['^DD-[0-9]+$']}}
        """)
    assert codes(evaluate(spec, commit('Change-Doc: DD-1'))) == ['TG002']
    assert evaluate(spec, commit('design-doc: DD-1')) == []


# -- further trailers --------------------------------------------------------


TRAILERS = policy("""
    version: 1
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        require: {trailers: [Rollback-Plan, Risk]}
    """)


def test_extra_trailers_present_and_non_empty() -> None:
    assert evaluate(TRAILERS, commit('Rollback-Plan: revert', 'risk: low')) == []


@pytest.mark.parametrize('trailers', [
    ('Risk: low',),
    ('Rollback-Plan:', 'Risk: low'),
    ('Rollback-Plan:    ', 'Risk: low'),
])
def test_extra_trailer_missing_or_empty(trailers: tuple[str, ...]) -> None:
    violations = evaluate(TRAILERS, commit(*trailers))
    assert [(v.code, v.name, v.rule) for v in violations] == [
        ('TG003', 'missing-trailer', 'core'),
    ]
    assert 'Rollback-Plan' in violations[0].missing


def test_one_violation_per_unmet_requirement() -> None:
    assert codes(evaluate(TRAILERS, commit())) == ['TG003', 'TG003']


# -- applicability -----------------------------------------------------------


PATHS = policy("""
    version: 1
    rules:
      - id: core
        paths: ["services/payments/**", "deploy/", "*.tf", "!deploy/README"]
        exclude: ["*.md", "**/testdata/**", "!docs-required.md"]
        applies_to: all
        require: {trailers: [Rollback-Plan]}
    """)


@pytest.mark.parametrize(('path', 'applies'), [
    ('services/payments/api.py', True),
    ('services/payments/a/b/c.go', True),
    ('services/payments', False),
    ('services/paymentsx/api.py', False),
    ('other/services/payments/api.py', False),
    ('services/payments/README.md', False),
    ('services/payments/deep/x/NOTES.md', False),
    ('services/payments/docs-required.md', True),
    ('services/payments/testdata/case.json', False),
    ('deploy/prod.yaml', True),
    ('deploy/k8s/x.yaml', True),
    ('sub/deploy/x.yaml', True),
    ('deploy', False),
    ('deploy/README', True),  # git: nothing under the excluded directory deploy/ can be re-included
    ('main.tf', True),
    ('infra/modules/net/main.tf', True),
    ('main.tfvars', False),
    ('src/app.py', False),
])
def test_rule_paths_use_gitignore_semantics(path: str, applies: bool) -> None:
    found = evaluate(PATHS, commit(paths={path}))
    assert codes(found) == (['TG003'] if applies else [])


def test_violation_lists_only_the_protected_paths_touched() -> None:
    touched = {'services/payments/a.py', 'services/payments/README.md', 'src/x.py', 'main.tf'}
    (violation,) = evaluate(PATHS, commit(paths=touched))
    assert violation.paths == ('main.tf', 'services/payments/a.py')


WINDOW = policy("""
    version: 1
    rules:
      - id: reset
        paths: ["src/**"]
        applies_to: all
        active: {from: 2026-03-10, until: 2026-06-08}
        require: {trailers: [Rollback-Plan]}
      - id: open-start
        paths: ["lib/**"]
        applies_to: all
        active: {until: 2026-06-08}
        require: {trailers: [Rollback-Plan]}
      - id: open-end
        paths: ["bin/**"]
        applies_to: all
        active: {from: 2026-03-10}
        require: {trailers: [Rollback-Plan]}
    """)


@pytest.mark.parametrize(('day', 'applies'), [
    (datetime.date(2026, 3, 9), False),
    (datetime.date(2026, 3, 10), True),
    (datetime.date(2026, 4, 30), True),
    (datetime.date(2026, 6, 8), True),
    (datetime.date(2026, 6, 9), False),
])
def test_active_window_is_inclusive_at_both_ends(day: datetime.date, applies: bool) -> None:
    assert codes(evaluate(WINDOW, commit(), day)) == (['TG003'] if applies else [])


@pytest.mark.parametrize(('path', 'day', 'applies'), [
    ('lib/x', datetime.date(1970, 1, 1), True),
    ('lib/x', datetime.date(2026, 6, 8), True),
    ('lib/x', datetime.date(2026, 6, 9), False),
    ('bin/x', datetime.date(2026, 3, 9), False),
    ('bin/x', datetime.date(2026, 3, 10), True),
    ('bin/x', datetime.date(2999, 1, 1), True),
])
def test_half_open_windows(path: str, day: datetime.date, applies: bool) -> None:
    assert codes(evaluate(WINDOW, commit(paths={path}), day)) == (
        ['TG003'] if applies else []
    )


@pytest.mark.parametrize('unwindowed', [
    '',
    # a rule without a window beside it must not switch the windowed one to the commit's date
    '- id: always\n  paths: ["lib/**"]\n  require: {trailers: [Risk]}',
])
def test_window_is_judged_today_by_default_never_on_the_commit_date(unwindowed: str) -> None:
    today = datetime.datetime.now(datetime.timezone.utc).date()
    open_now = policy(f"""
        version: 1
        rules:
          - id: reset
            paths: ["src/**"]
            applies_to: all
            active: {{from: {today - datetime.timedelta(days=1)}, until: {today + datetime.timedelta(days=1)}}}
            require: {{trailers: [Rollback-Plan]}}
{textwrap.indent(unwindowed, ' ' * 10)}
        """)
    backdated = commit(day=datetime.date(2001, 1, 1))
    assert codes(evaluate(open_now, backdated)) == ['TG003']
    assert evaluate(open_now, backdated, 'commit') == []  # check --as-of commit: re-reading history


@pytest.mark.parametrize('remembered', [
    None,  # the first question
    # long ago: a process that outlives a day must not judge windows on the day it started
    (-math.inf, datetime.date(2001, 1, 1)),
])
def test_the_day_is_read_from_the_clock(monkeypatch: pytest.MonkeyPatch,
                                        remembered: tuple[float, datetime.date] | None) -> None:
    monkeypatch.setattr(evaluate_module, '_today', remembered)
    before = datetime.datetime.now(datetime.timezone.utc).date()
    day = evaluate_module.today()
    assert before <= day <= datetime.datetime.now(datetime.timezone.utc).date()


def test_as_of_commit_uses_the_commit_date_given_by_the_edge() -> None:
    # The edge passes the committer date converted to UTC; a 23:30 -05:00 commit on
    # 2026-06-08 is 2026-06-09 in UTC and so outside the window.
    eastern = datetime.timezone(datetime.timedelta(hours=-5))
    local = datetime.datetime(2026, 6, 8, 23, 30, tzinfo=eastern)
    utc_day = local.astimezone(datetime.timezone.utc).date()
    assert utc_day == datetime.date(2026, 6, 9)
    assert evaluate(WINDOW, commit(day=utc_day), 'commit') == []
    result = assess(WINDOW, commit(day=utc_day), 'commit').results[0]
    assert not result.applies
    assert 'not active on 2026-06-09' in result.reason


EXEMPT = policy("""
    version: 1
    groups:
      senior: [alice@example.com, "Bob <bob@example.com>"]
      sre: [carol@example.com]
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        exempt_authors: [senior, sre]
        require: {trailers: [Rollback-Plan]}
    """)


@pytest.mark.parametrize(('author', 'exempt'), [
    (ALICE, True),
    (Identity('Robert', 'BOB@example.com'), True),
    (CAROL, True),
    (JUNIOR, False),
    (Identity('Alice Archer', 'alice@example.org'), False),
])
def test_exempt_authors(author: Identity, exempt: bool) -> None:
    assert codes(evaluate(EXEMPT, commit(author=author))) == ([] if exempt else ['TG003'])


def test_exemption_reason_names_the_group() -> None:
    (result,) = assess(EXEMPT, commit(author=CAROL)).results
    assert (result.applies, result.reason) == (False, "author is exempt (group 'sre')")


def test_exemption_is_by_author_not_committer() -> None:
    message = 'Change\n'
    junior_by_alice = Commit(None, message, (), JUNIOR, ALICE, DAY, SRC)
    assert codes(evaluate(EXEMPT, junior_by_alice)) == ['TG003']


APPLIES = policy("""
    version: 1
    rules:
      - id: ai-only
        paths: ["src/**"]
        require: {trailers: [Rollback-Plan]}
      - id: everyone
        paths: ["src/**"]
        applies_to: all
        require: {trailers: [Risk]}
    """)


def test_applies_to_ai_assisted_skips_human_commits() -> None:
    found = evaluate(APPLIES, commit())
    assert [(v.rule, v.code) for v in found] == [('everyone', 'TG003')]
    results = assess(APPLIES, commit()).results
    assert results[0].reason == 'commit is not AI-assisted'


def test_applies_to_ai_assisted_catches_ai_commits() -> None:
    found = evaluate(APPLIES, commit(AI))
    assert [(v.rule, v.code) for v in found] == [('ai-only', 'TG003'), ('everyone', 'TG003')]


def test_no_disclosure_is_not_ai() -> None:
    assert [v.rule for v in evaluate(APPLIES, commit('Assisted-by: none'))] == ['everyone']


def test_untouched_rule_reports_why() -> None:
    results = assess(APPLIES, commit(AI, paths={'README'})).results
    assert [(r.applies, r.reason, r.paths) for r in results] == [
        (False, 'touches none of its paths', ()),
    ] * 2


# -- policy owners -----------------------------------------------------------


OWNED = policy("""
    version: 1
    groups:
      senior: [alice@example.com, bob@example.com]
    policy_owners: senior
    """)


def test_policy_change_needs_a_policy_owner_review_ai_or_not() -> None:
    (violation,) = evaluate(OWNED, commit(paths={'.trailgate/policy.yaml', 'src/x'}))
    assert violation.rule == POLICY_OWNERS_RULE == 'policy-owners'
    assert (violation.code, violation.name) == ('TG004', 'policy-owner-review')
    assert violation.paths == ('.trailgate/policy.yaml',)
    assert violation.fix_trailers() == ('Reviewed-by: alice@example.com',)


def test_policy_owner_review_passes() -> None:
    assert evaluate(OWNED, commit('Reviewed-by: Bob <bob@example.com>',
                                  paths={'.trailgate/policy.yaml'})) == []


def test_policy_owner_cannot_approve_their_own_policy_change() -> None:
    own = commit('Reviewed-by: alice@example.com', author=ALICE, paths={'.trailgate/policy.yaml'})
    assert codes(evaluate(OWNED, own)) == ['TG004']


def test_other_files_need_no_owner_review() -> None:
    assert evaluate(OWNED, commit(paths={'trailgate/policy.yaml', 'docs/policy.yaml'})) == []


def test_policy_paths_come_from_the_source() -> None:
    central = OWNED.with_source('org/policy.yaml', frozenset({'org/policy.yaml'}))
    assert codes(evaluate(central, commit(paths={'org/policy.yaml'}))) == ['TG004']
    assert evaluate(central, commit(paths={'.trailgate/policy.yaml'})) == []


def test_no_policy_owners_no_owner_rule() -> None:
    plain = policy('version: 1\n')
    assert evaluate(plain, commit(paths={'.trailgate/policy.yaml'})) == []
    assert assess(plain, commit(paths={'.trailgate/policy.yaml'})).results == ()


# -- break-glass ---------------------------------------------------------------


GLASS = policy("""
    version: 1
    groups:
      senior: [alice@example.com]
      sre: [carol@example.com]
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        require:
          reviews: {group: senior}
          trailers: [Rollback-Plan]
    overrides: {trailer: Break-Glass, group: sre}
    """)


def test_valid_break_glass_lets_the_commit_through_but_lists_violations() -> None:
    result = assess(GLASS, commit('Break-Glass: prod down, INC-42', author=CAROL))
    assert isinstance(result, Assessment)
    assert not result.refused
    assert result.override == 'prod down, INC-42'
    assert result.override_problem is None
    assert [(v.code, v.overridden) for v in result.violations] == [
        ('TG001', 'prod down, INC-42'), ('TG003', 'prod down, INC-42'),
    ]
    assert [v.overridden for v in evaluate(GLASS, commit('break-glass: x', author=CAROL))] == [
        'x', 'x',
    ]


def test_break_glass_from_outside_the_group_is_ignored() -> None:
    result = assess(GLASS, commit('Break-Glass: prod down', author=JUNIOR))
    assert result.refused
    assert result.override is None
    assert all(v.overridden is None for v in result.violations)
    assert result.override_problem is not None
    assert "not in group 'sre'" in result.override_problem


@pytest.mark.parametrize('value', ['', '   '])
def test_break_glass_needs_a_reason(value: str) -> None:
    result = assess(GLASS, commit(f'Break-Glass:{value}', author=CAROL))
    assert result.refused
    assert result.override is None
    assert result.override_problem is not None
    assert 'needs a reason' in result.override_problem


def test_break_glass_without_a_group_is_open_to_anyone() -> None:
    anyone = policy("""
        version: 1
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require: {trailers: [Rollback-Plan]}
        overrides: {}
        """)
    result = assess(anyone, commit('Break-Glass: hotfix', author=JUNIOR))
    assert not result.refused
    assert [v.overridden for v in result.violations] == ['hotfix']


def test_break_glass_without_overrides_section_does_nothing() -> None:
    result = assess(TRAILERS, commit('Break-Glass: hotfix'))
    assert result.refused
    assert (result.override, result.override_problem) == (None, None)


def test_break_glass_on_a_clean_commit_reports_no_override() -> None:
    clean = commit('Break-Glass: just because', 'Reviewed-by: alice@example.com',
                   'Rollback-Plan: revert', author=CAROL)
    result = assess(GLASS, clean)
    assert result.violations == ()
    assert result.override is None
    assert not result.refused


def test_break_glass_also_overrides_policy_owner_review() -> None:
    owned = policy("""
        version: 1
        groups: {senior: [alice@example.com]}
        policy_owners: senior
        overrides: {}
        """)
    result = assess(owned, commit('Break-Glass: rotate keys', paths={'.trailgate/policy.yaml'}))
    assert [(v.code, v.overridden) for v in result.violations] == [('TG004', 'rotate keys')]
    assert not result.refused


# -- the assessment ------------------------------------------------------------


def test_refused_and_ai_assisted() -> None:
    refused = assess(REVIEWS, commit(AI))
    assert refused.refused
    assert refused.ai_assisted
    assert refused.signals
    human = assess(REVIEWS, commit())
    assert not human.refused
    assert not human.ai_assisted
    assert human.violations == ()


def test_every_code_appears_in_one_assessment() -> None:
    everything = policy("""
        version: 1
        groups: {senior: [alice@example.com]}
        policy_owners: senior
        rules:
          - id: core
            paths: ["src/**"]
            applies_to: all
            require:
              reviews: {group: senior}
              documentation: {patterns: ['^X-[0-9]+$']}
              trailers: [Rollback-Plan]
        """)
    found = evaluate(everything, commit(paths={'src/a', '.trailgate/policy.yaml'}))
    assert sorted((v.code, v.name) for v in found) == [
        ('TG001', 'missing-review'),
        ('TG002', 'missing-documentation'),
        ('TG003', 'missing-trailer'),
        ('TG004', 'policy-owner-review'),
    ]


# -- what is worked out once per policy gives what each commit would get alone --

RANGE_POLICY = """
    version: 1
    groups:
      senior: ["Alice Archer <alice@example.com>", "Bob Builder <bob@example.com>", carol@example.com]
    rules:
      - id: core
        paths: ["src/**"]
        applies_to: all
        require:
          reviews: {group: senior, count: 2}
          documentation: {paths: ["docs/**"], patterns: ['^TICKET-[0-9]+$']}
          trailers: [Rollback-Plan]
      - id: docs
        paths: ["src/app.py", "docs/**"]
        active: {from: 2026-01-01, until: 2026-12-31}
        require:
          trailers: [Rollback-Plan]
    """


def test_a_range_judges_each_commit_as_if_it_were_alone() -> None:
    commits = [
        commit(author=ALICE), commit(author=BOB), commit(author=ALICE, paths={'src/a.py', 'src/b.py'}),
        commit('Reviewed-by: Bob Builder <bob@example.com>', 'Rollback-Plan: revert', author=ALICE),
        commit(author=JUNIOR, paths={'docs/x.md'}), commit(author=CAROL, day=datetime.date(2027, 1, 2)),
        commit('Change-Doc: TICKET-7', author=BOB), commit(author=ALICE, paths={'README.md'}),
    ]
    shared = policy(RANGE_POLICY)
    in_a_range = [assess(shared, found) for found in commits * 2]
    alone = [assess(policy(RANGE_POLICY), found) for found in commits * 2]
    assert in_a_range == alone
    by_alice, by_bob = in_a_range[0], in_a_range[1]
    assert 'alice@example.com' not in ' '.join(by_alice.violations[0].suggestions)
    assert 'bob@example.com' not in ' '.join(by_bob.violations[0].suggestions)
    assert 'alice@example.com' in ' '.join(by_bob.violations[0].suggestions)

