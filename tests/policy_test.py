"""Loading a policy: defaults, and every problem as FILE:LINE:COL, all at once."""
from __future__ import annotations

import datetime
import marshal
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from trailgate import policy_cache
from trailgate.errors import PolicyError
from trailgate.policy import DEFAULT_DISCLOSURE_TRAILERS
from trailgate.policy import Policy
from trailgate.policy import Reviews
from trailgate.policy import load_policy
from trailgate.schema import MAX_DEPTH

FILE = 'policy.yaml'
PROBLEM_LINE = re.compile(r'^[^:]+:\d+:\d+: ')
ONE_MIB = 1024 * 1024  # the limit the refusal names

CONTRACT_EXAMPLE = r"""
version: 1                       # required; any other value is refused

ai:                              # what marks a commit as AI-assisted
  builtin_signatures: true       # the shipped catalogue of AI tool marks (default true)
  disclosure_trailers: [Assisted-by, Generated-by]   # default; a value of none/no/n/a does not mark
  identities: []                 # extra regexes over "Name <email>" of author, committer,
                                 # Co-authored-by
  markers: []                    # extra regexes over the message text

groups:                          # named sets of people, by email (case-insensitive);
  senior: [alice@example.com, "Bob Builder <bob@example.com>"]
  sre: [carol@example.com]

policy_owners: senior            # optional: any commit that changes the policy file
                                 # needs one review trailer from this group, AI or not

rules:
  - id: tier1-payments           # unique; kebab-case; named in every refusal
    paths: ["services/payments/**", "services/checkout/**"]   # .gitignore pattern syntax
    exclude: ["**/*.md"]         # optional
    applies_to: ai-assisted      # ai-assisted (default) | all
    exempt_authors: [senior]     # optional: groups whose own commits this rule skips
    active: {from: 2026-03-10, until: 2026-06-08}   # optional; inclusive dates, committer date, UTC
    require:
      reviews:                   # optional
        trailer: Reviewed-by     # default
        group: senior
        count: 2                 # distinct members of the group; default 1
      documentation:             # optional
        trailer: Change-Doc      # default
        paths: ["docs/changes/**"]      # value may be a file that exists in the commit
        patterns: ['^https://wiki\.example\.com/\S+$', '^[A-Z][A-Z0-9]+-[0-9]+$']
      trailers: [Rollback-Plan]  # optional: further trailers that must be present and non-empty

overrides:                       # optional break-glass
  trailer: Break-Glass           # its value is the reason, non-empty
  group: sre                     # only commits authored by this group may use it
"""

MINIMAL_RULE = """\
version: 1
groups: {senior: [alice@example.com]}
rules:
  - id: r
    paths: [src/**]
    require:
      reviews: {group: senior}
      documentation: {patterns: ['^X-[0-9]+$']}
overrides: {}
"""


def load(text: str | bytes) -> Policy:
    data = text.encode('utf-8') if isinstance(text, str) else text
    return load_policy(data, FILE)


def problems(text: str | bytes) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as info:
        load(text)
    lines = info.value.problems
    assert lines, 'a PolicyError must carry at least one problem line'
    for line in lines:
        assert PROBLEM_LINE.match(line), line
        assert line.startswith(f'{FILE}:'), line
    return lines


def only_problem(text: str | bytes) -> tuple[int, int, str]:
    lines = problems(text)
    assert len(lines) == 1, lines
    _, line, col, message = lines[0].split(':', 3)
    return int(line), int(col), message.strip()


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip('\n')


# -- valid policies and defaults ----------------------------------------------


def test_the_contract_example_loads() -> None:
    policy = load(CONTRACT_EXAMPLE)
    assert policy.groups['senior'] == frozenset({'alice@example.com', 'bob@example.com'})
    assert policy.people['senior'] == ('alice@example.com', 'Bob Builder <bob@example.com>')
    assert policy.groups['sre'] == frozenset({'carol@example.com'})
    assert policy.policy_owners == 'senior'
    (rule,) = policy.rules
    assert rule.id == 'tier1-payments'
    assert rule.applies_to == 'ai-assisted'
    assert rule.exempt_authors == ('senior',)
    assert rule.active is not None
    assert rule.active.start == datetime.date(2026, 3, 10)
    assert rule.active.until == datetime.date(2026, 6, 8)
    assert rule.paths.patterns == ('services/payments/**', 'services/checkout/**')
    assert rule.exclude is not None
    assert rule.exclude.patterns == ('**/*.md',)
    reviews = rule.require.reviews
    assert reviews is not None
    assert (reviews.trailer, reviews.group, reviews.count) == ('Reviewed-by', 'senior', 2)
    documentation = rule.require.documentation
    assert documentation is not None
    assert documentation.trailer == 'Change-Doc'
    assert documentation.paths is not None
    assert documentation.paths.patterns == ('docs/changes/**',)
    assert [p.pattern for p in documentation.patterns] == [
        r'^https://wiki\.example\.com/\S+$', r'^[A-Z][A-Z0-9]+-[0-9]+$',
    ]
    assert rule.require.trailers == ('Rollback-Plan',)
    assert policy.overrides is not None
    assert (policy.overrides.trailer, policy.overrides.group) == ('Break-Glass', 'sre')
    assert policy.ai.builtin_signatures is True
    assert policy.ai.disclosure_trailers == ('Assisted-by', 'Generated-by')


def test_defaults() -> None:
    policy = load(MINIMAL_RULE)
    assert policy.ai.builtin_signatures is True
    assert policy.ai.disclosure_trailers == DEFAULT_DISCLOSURE_TRAILERS == (
        'Assisted-by', 'Generated-by',
    )
    assert policy.ai.identities == ()
    assert policy.ai.markers == ()
    assert policy.policy_owners is None
    (rule,) = policy.rules
    assert rule.applies_to == 'ai-assisted'
    assert rule.exclude is None
    assert rule.active is None
    assert rule.exempt_authors == ()
    reviews = rule.require.reviews
    assert reviews is not None
    assert reviews.trailer == 'Reviewed-by'
    assert reviews.count == 1
    documentation = rule.require.documentation
    assert documentation is not None
    assert documentation.trailer == 'Change-Doc'
    assert documentation.paths is None
    assert rule.require.trailers == ()
    assert policy.overrides is not None
    assert policy.overrides.trailer == 'Break-Glass'
    assert policy.overrides.group is None


def test_no_overrides_section_means_no_break_glass() -> None:
    policy = load('version: 1\n')
    assert policy.overrides is None
    assert policy.rules == ()
    assert dict(policy.groups) == {}


def test_groups_compare_lower_cased_emails() -> None:
    policy = load('version: 1\ngroups: {senior: ["Alice <Alice@Example.COM>", BOB@example.com]}\n')
    assert policy.groups['senior'] == frozenset({'alice@example.com', 'bob@example.com'})
    assert policy.in_group('ALICE@example.com', 'senior')
    assert not policy.in_group('alice@example.com', 'nobody')


def test_markers_are_multiline_and_identities_are_not() -> None:
    policy = load("version: 1\nai: {markers: ['^Made by bot$'], identities: ['^bot']}\n")
    assert policy.ai.markers[0].search('subject\n\nMade by bot\n')
    assert policy.ai.identities[0].flags & re.MULTILINE == 0


def test_yaml_boolean_spellings_and_explicit_string_dates() -> None:
    policy = load(doc("""
        version: 1
        ai: {builtin_signatures: no}
        rules:
          - id: r
            paths: [x]
            active: {from: "2026-01-01"}
            require: {trailers: [X]}
        """))
    assert policy.ai.builtin_signatures is False
    assert policy.rules[0].active is not None
    assert policy.rules[0].active.start == datetime.date(2026, 1, 1)
    assert policy.rules[0].active.until is None


def test_an_open_end_of_an_active_window_reads_as_dots() -> None:
    rules = load(doc("""
        version: 1
        rules:
          - {id: a, paths: [x], active: {from: 2026-03-10}, require: {trailers: [X]}}
          - {id: b, paths: [x], active: {until: 2026-06-08}, require: {trailers: [X]}}
        """)).rules
    assert [str(rule.active) for rule in rules] == ['2026-03-10 to ...', '... to 2026-06-08']


# -- every error kind, positioned ------------------------------------------


@pytest.mark.parametrize(('text', 'line', 'col', 'fragment'), [
    ('version: 1\nrule: []\n', 2, 1, "unknown key 'rule' (did you mean 'rules'?)"),
    ('version: 1\nai:\n  builtin_signature: true\n', 3, 3,
     "ai.builtin_signature: unknown key 'builtin_signature' (did you mean 'builtin_signatures'?)"),
    ('version: 1\nrules:\n  - id: r\n    pths: [x]\n    paths: [x]\n    require: {trailers: [X]}\n',
     4, 5, "unknown key 'pths' (did you mean 'paths'?)"),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    require: {trailer: [X]}\n',
     5, 15, "unknown key 'trailer' (did you mean 'trailers'?)"),
    ('version: 1\noverides: {}\n', 2, 1, "(did you mean 'overrides'?)"),
    ('version: 1\nzzz: 1\n', 2, 1, "unknown key 'zzz' (allowed: "),
])
def test_unknown_keys_say_did_you_mean(text: str, line: int, col: int, fragment: str) -> None:
    got = only_problem(text)
    assert got[:2] == (line, col)
    assert fragment in got[2]


@pytest.mark.parametrize(('text', 'line', 'col', 'fragment'), [
    ('version: 1\nai: {builtin_signatures: "yes"}\n', 2, 26, 'must be true or false'),
    ('version: 1\nai: []\n', 2, 5, 'ai must be a mapping, not a list'),
    ('version: 1\nai:\n', 2, 4, 'ai must be a mapping, not null'),
    ('version: 1\nrules: {}\n', 2, 8, 'rules must be a list, not a mapping'),
    ('version: 1\nrules:\n  - id: r\n    paths: src/**\n    require: {trailers: [X]}\n',
     4, 12, 'paths must be a list'),
    ('version: 1\ngroups: {s: [a@example.com]}\n'
     'rules:\n  - id: r\n    paths: [x]\n    require: {reviews: {group: s, count: two}}\n',
     6, 42, 'count must be an integer'),
    ('version: 1\ngroups: {s: [a@example.com]}\n'
     'rules:\n  - id: r\n    paths: [x]\n    require: {reviews: {group: s, count: 0}}\n',
     6, 42, 'count must be at least 1'),
    ('version: 1\ngroups: {s: a@example.com}\n', 2, 13, 'groups.s must be a list'),
    ('version: 1\ngroups: {s: [not an email]}\n', 2, 14, 'is not valid here'),
    ('version: 1\nrules:\n  - id: Tier1\n    paths: [x]\n    require: {trailers: [X]}\n',
     3, 9, 'kebab-case'),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    applies_to: some\n'
     '    require: {trailers: [X]}\n', 5, 17, 'must be one of: ai-assisted, all'),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    require: {trailers: [Rollback Plan]}\n',
     5, 26, 'trailer key'),
    ('version: 1\nrules:\n  - id: r\n    paths: []\n    require: {trailers: [X]}\n',
     4, 12, 'needs at least 1 item'),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    require: {}\n', 5, 14,
     'needs at least one of'),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n', 3, 5, "missing required key 'require'"),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    require: {documentation: {}}\n',
     5, 30, 'needs paths or patterns'),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    active: {}\n'
     '    require: {trailers: [X]}\n', 5, 13, 'needs at least one of: from, until'),
    ('version: 1\nrules:\n  - id: r\n    paths: ["   "]\n    require: {trailers: [X]}\n',
     4, 13, 'blank or a comment'),
    ('version: 1\nrules:\n  - id: r\n    paths: ["a**/b"]\n    require: {trailers: [X]}\n',
     4, 13, '"**" is special only as a whole component'),
    ('version: 1\nrules:\n  - id: r\n    paths: [x]\n    exclude: ["[abc"]\n    require: {trailers: [X]}\n',
     5, 15, 'no closing "]"'),
])
def test_wrong_types_and_shapes(text: str, line: int, col: int, fragment: str) -> None:
    got = only_problem(text)
    assert got[:2] == (line, col), got
    assert fragment in got[2]


GROUPED = 'version: 1\ngroups: {senior: [a@example.com, b@example.com], sre: [c@example.com]}\n'


@pytest.mark.parametrize(('tail', 'line', 'col', 'where'), [
    ('policy_owners: seniors\n', 3, 16, 'policy_owners'),
    ('overrides: {group: sres}\n', 3, 20, 'overrides.group'),
    ('rules:\n  - id: r\n    paths: [x]\n    exempt_authors: [sre, juniors]\n'
     '    require: {trailers: [X]}\n', 6, 27, 'rules[0] (r).exempt_authors'),
    ('rules:\n  - id: r\n    paths: [x]\n    require:\n      reviews: {group: seniors}\n',
     7, 24, 'rules[0] (r).require.reviews.group'),
])
def test_unknown_group_names(tail: str, line: int, col: int, where: str) -> None:
    got = only_problem(GROUPED + tail)
    assert got[:2] == (line, col), got
    assert got[2].startswith(f'{where}: unknown group ')
    assert '(groups: senior, sre)' in got[2]


def test_unknown_group_without_any_groups() -> None:
    got = only_problem('version: 1\npolicy_owners: senior\n')
    assert got == (2, 16, "policy_owners: unknown group 'senior' (groups: none defined)")


def test_duplicate_rule_id() -> None:
    text = doc("""
        version: 1
        rules:
          - id: same
            paths: [a]
            require: {trailers: [X]}
          - id: same
            paths: [b]
            require: {trailers: [X]}
        """)
    got = only_problem(text)
    assert got[:2] == (6, 9)
    assert "duplicate rule id 'same' (first at line 3)" in got[2]


def test_a_rule_without_an_id_or_with_a_list_for_one_is_refused_where_written() -> None:
    assert only_problem('version: 1\nrules:\n  - paths: [x]\n    require: {trailers: [X]}\n') == (
        3, 5, "rules[0]: missing required key 'id'",
    )
    assert only_problem('version: 1\nrules:\n  - id: [r]\n    paths: [x]\n    require: {trailers: [X]}\n') == (
        3, 9, 'rules[0].id must be a string, not a list',
    )


def test_a_rule_cannot_take_the_id_of_the_policy_owners_check() -> None:
    # reports, prepare-commit-msg and approve would take it for the owners' check
    text = doc("""
        version: 1
        rules:
          - id: policy-owners
            paths: [a]
            require: {trailers: [X]}
        """)
    got = only_problem(text)
    assert got[:2] == (3, 9)
    assert "rule id 'policy-owners' is the name reports give the policy_owners check" in got[2]


def test_review_count_larger_than_the_group() -> None:
    text = GROUPED + (
        'rules:\n  - id: r\n    paths: [x]\n    require: {reviews: {group: sre, count: 2}}\n'
    )
    got = only_problem(text)
    assert got[:2] == (6, 44)
    assert 'no commit could ever pass' in got[2]


@pytest.mark.parametrize(('group', 'count', 'size'), [('sre', 2, '1 member'), ('senior', 3, '2 members')])
def test_review_count_larger_than_the_group_names_the_group_size(group: str, count: int, size: str) -> None:
    text = GROUPED + ('rules:\n  - id: r\n    paths: [x]\n'
                      f'    require: {{reviews: {{group: {group}, count: {count}}}}}\n')
    assert only_problem(text)[2] == (
        f"rules[0] (r).require.reviews.count: {count} reviews needed but group '{group}' has {size}; "
        'no commit could ever pass'
    )


def test_an_empty_group_cannot_give_the_default_single_review() -> None:
    text = ('version: 1\ngroups:\n  senior: []\n'
            'rules:\n  - id: r\n    paths: [x]\n    require: {reviews: {group: senior}}\n')
    assert only_problem(text) == (
        7, 32, "rules[0] (r).require.reviews.group: 1 review needed (the default count) but group 'senior' "
        'has 0 members; no commit could ever pass',
    )


def test_policy_owners_that_is_an_empty_group_is_an_error() -> None:
    text = 'version: 1\ngroups:\n  senior: []\npolicy_owners: senior\nrules: []\n'
    assert only_problem(text) == (
        4, 16, "policy_owners: group 'senior' has 0 members; no change to the policy could ever pass",
    )


@pytest.mark.parametrize(('count', 'read'), [
    ('1:10', 70), ('0x10', 16), ('020', 16), ('!!int 0o20', 16), ('0b11', 3), ('1_0', 10),
])
def test_a_count_in_another_yaml_integer_spelling_is_the_number_pyyaml_reads(count: str, read: int) -> None:
    text = GROUPED + f'rules:\n  - id: r\n    paths: [x]\n    require: {{reviews: {{group: sre, count: {count}}}}}\n'
    got = only_problem(text)
    assert got[2].startswith(f'rules[0] (r).require.reviews.count: {read} reviews needed'), got


def test_a_rule_that_requires_nothing_is_refused() -> None:
    # `require: {}` is refused by the schema; an empty trailers list said the
    # same in a form it let through, and the rule then passed every commit
    text = 'version: 1\nrules:\n  - id: r\n    paths: [x]\n    require: {trailers: []}\n'
    got = only_problem(text)
    assert got[:2] == (5, 25), got
    assert got[2].startswith('rules[0] (r).require: requires nothing'), got


def test_an_empty_trailers_list_beside_another_requirement_is_fine() -> None:
    load('version: 1\ngroups: {g: [a@example.com]}\nrules:\n  - id: r\n    paths: [x]\n'
         '    require: {reviews: {group: g}, trailers: []}\n')


@pytest.mark.parametrize('paths', ["['!src/**']", "['!src/**', '!lib/']"])
def test_paths_that_only_negate_are_refused(paths: str) -> None:
    # as in .gitignore, a '!' pattern only takes back what an earlier pattern
    # matched: with nothing before it the rule would match no path at all
    text = f'version: 1\nrules:\n  - id: r\n    paths: {paths}\n    require: {{trailers: [X]}}\n'
    got = only_problem(text)
    assert got[:2] == (4, 12), got
    assert got[2].startswith("rules[0] (r).paths: every pattern starts with '!'"), got


def test_a_negation_after_a_pattern_is_fine() -> None:
    policy = load("version: 1\nrules:\n  - id: r\n    paths: ['!x', 'src/**', '!src/vendor/']\n"
                  '    require: {trailers: [X]}\n')
    assert policy.rules[0].id == 'r'


def test_an_invalid_documentation_path_pattern_is_refused_where_written() -> None:
    got = only_problem('version: 1\nrules:\n  - id: r\n    paths: [x]\n'
                       '    require: {documentation: {paths: ["[abc"]}}\n')
    assert got[:2] == (5, 39), got
    assert got[2].startswith('rules[0] (r).require.documentation.paths: invalid path pattern'), got


def test_an_empty_list_needs_one_item_in_those_words() -> None:
    assert only_problem('version: 1\nrules:\n  - id: r\n    paths: []\n    require: {trailers: [X]}\n') == (
        4, 12, 'rules[0].paths needs at least 1 item',
    )

NO_MARKS = 'version: 1\nai:\n  builtin_signatures: false\n  disclosure_trailers: []\n'


def test_ai_assisted_rules_with_every_source_of_marks_off_are_refused() -> None:
    text = NO_MARKS + ('rules:\n  - id: a\n    paths: [x]\n    require: {trailers: [X]}\n'
                       '  - id: b\n    paths: [y]\n    applies_to: all\n    require: {trailers: [X]}\n'
                       '  - id: c\n    paths: [z]\n    applies_to: ai-assisted\n    require: {trailers: [X]}\n')
    got = only_problem(text)
    assert got[:2] == (3, 3), got
    assert got[2].startswith('ai: no commit can be marked AI-assisted'), got
    assert 'the ai-assisted rules a, c never apply' in got[2], got


@pytest.mark.parametrize('tail', [
    "  markers: ['^AI: ']\n", "  identities: ['bot@example[.]com']\n",
])
def test_one_source_of_marks_is_enough(tail: str) -> None:
    load(NO_MARKS + tail + 'rules:\n  - id: a\n    paths: [x]\n    require: {trailers: [X]}\n')


def test_no_source_of_marks_is_fine_when_every_rule_applies_to_all() -> None:
    load(NO_MARKS + 'rules:\n  - id: a\n    paths: [x]\n    applies_to: all\n    require: {trailers: [X]}\n')


@pytest.mark.parametrize('ai', ['{disclosure_trailers: []}', '{builtin_signatures: true, disclosure_trailers: []}'])
def test_the_builtin_signatures_alone_are_a_source_of_marks(ai: str) -> None:
    policy = load(f'version: 1\nai: {ai}\nrules:\n  - id: a\n    paths: [x]\n    require: {{trailers: [X]}}\n')
    assert policy.ai.builtin_signatures is True
    assert policy.ai.disclosure_trailers == ()


def test_group_member_listed_twice() -> None:
    got = only_problem('version: 1\ngroups: {s: [a@example.com, "A <A@EXAMPLE.com>"]}\n')
    assert got[:2] == (2, 29)
    assert 'a@example.com is listed twice' in got[2]


@pytest.mark.parametrize(('text', 'line', 'col', 'where'), [
    ("version: 1\nai: {markers: ['(']}\n", 2, 16, 'ai.markers'),
    ("version: 1\nai:\n  identities:\n    - '[a-'\n", 4, 7, 'ai.identities'),
    ("version: 1\nrules:\n  - id: r\n    paths: [x]\n"
     "    require: {documentation: {patterns: ['ok', '*bad']}}\n",
     5, 48, 'rules[0] (r).require.documentation.patterns'),
])
def test_invalid_regex(text: str, line: int, col: int, where: str) -> None:
    got = only_problem(text)
    assert got[:2] == (line, col), got
    assert got[2].startswith(f'{where}: invalid regular expression ')


@pytest.mark.parametrize('pattern', ['(a+)+$', '(a*)*b', '(x+x+)+y'])
def test_backtracking_shapes_are_ordinary_patterns_for_a_linear_engine(pattern: str) -> None:
    policy = load_policy(f"version: 1\nai:\n  markers: ['{pattern}']\n".encode(), 'p.yaml')
    assert [marker.pattern for marker in policy.ai.markers] == [pattern]


@pytest.mark.parametrize(('pattern', 'feature'), [
    ('(a)\\1', 'a backreference'), ('(?=a)a', 'a lookahead or lookbehind'), ('a++', 'a possessive repeat'),
])
def test_syntax_the_linear_engine_cannot_run_is_refused_where_written(pattern: str, feature: str) -> None:
    got = only_problem(f"version: 1\nai:\n  markers: ['{pattern}']\n")
    assert got[:2] == (3, 13)
    assert f'uses {feature}, which the linear-time regex engine (RE2) cannot run' in got[2], got


@pytest.mark.parametrize(('value', 'col'), [
    ('2026-02-30', 20), ('"2026-1-5"', 20), ('tomorrow', 20),
])
def test_invalid_date(value: str, col: int) -> None:
    text = f'version: 1\nrules:\n  - id: r\n    paths: [x]\n    active: {{from: {value}}}\n' \
        '    require: {trailers: [X]}\n'
    got = only_problem(text)
    assert got[:2] == (5, col), got
    assert 'rules[0] (r).active.from:' in got[2]
    assert 'is not a date (YYYY-MM-DD)' in got[2]


def test_from_after_until() -> None:
    text = doc("""
        version: 1
        rules:
          - id: r
            paths: [x]
            active:
              from: 2026-06-08
              until: 2026-03-10
            require: {trailers: [X]}
        """)
    got = only_problem(text)
    assert got[:2] == (6, 7)
    assert 'from 2026-06-08 is after until 2026-03-10' in got[2]


def test_from_equal_until_is_fine() -> None:
    load('version: 1\nrules:\n  - id: r\n    paths: [x]\n'
         '    active: {from: 2026-03-10, until: 2026-03-10}\n    require: {trailers: [X]}\n')


def test_an_empty_date_is_one_problem_not_a_date() -> None:
    assert only_problem('version: 1\nrules:\n  - id: r\n    paths: [x]\n    active: {from: ""}\n'
                        '    require: {trailers: [X]}\n') == (
        5, 20, "rules[0] (r).active.from: '' is not a date (YYYY-MM-DD)",
    )


@pytest.mark.parametrize(('text', 'line', 'col', 'fragment'), [
    ('version: 2\n', 1, 10, "version must be 1 (got '2')"),
    ('version: "1"\n', 1, 10, 'version must be 1'),
    ('version: true\n', 1, 10, 'version must be 1'),
    ('version:\n', 1, 9, 'version must be 1'),
    ('ai: {}\n', 1, 1, "the policy: missing required key 'version'"),
])
def test_version(text: str, line: int, col: int, fragment: str) -> None:
    got = only_problem(text)
    assert got[:2] == (line, col), got
    assert fragment in got[2]


@pytest.mark.parametrize(('text', 'fragment'), [
    ('version: [1]\nrules: []\n', 'version must be 1 (got a list)'),
    ('version: !!python/object/apply:os.system ["true"]\nrules: []\n', 'version must be 1 (got a list)'),
    ('version: 1\nrefuse_commits: {a: 1}\nrules: []\n',
     'refuse_commits must be one of: protected-branches, every-branch (got a mapping)'),
])
def test_a_list_or_mapping_where_a_value_belongs_is_named_by_its_kind(text: str, fragment: str) -> None:
    """Never the YAML parser's own objects: the message names what was found."""
    got = only_problem(text)
    assert fragment in got[2], got
    assert 'Node' not in got[2], got


@pytest.mark.parametrize('text', ['', '\n\n', '# only a comment\n'])
def test_empty_file(text: str) -> None:
    got = only_problem(text)
    assert got[:2] == (1, 1)
    assert 'empty policy' in got[2]


@pytest.mark.parametrize(('text', 'fragment'), [
    ('- version: 1\n', 'the policy must be a mapping, not a list'),
    ('version 1\n', "the policy must be a mapping, not a string ('version 1')"),
    ('1\n', 'the policy must be a mapping, not an integer'),
    ('~\n', 'the policy must be a mapping, not null'),
])
def test_not_a_mapping(text: str, fragment: str) -> None:
    got = only_problem(text)
    assert got[:2] == (1, 1)
    assert got[2].startswith(fragment)


def test_explicit_empty_document_is_refused() -> None:
    got = only_problem('---\n')
    assert got[2].startswith('the policy must be a mapping, not null')


@pytest.mark.parametrize(('text', 'line', 'col'), [
    ('version: 1\nrules: [\n', 3, 1),
    ('version: 1\nai: a: b\n', 2, 6),
    ('version: 1\ngroups:\n  s: [a@example.com\n  t: []\n', 4, 4),
    ('version: 1\nai: {builtin_signatures: true\n', 3, 1),
    ('version: 1\n---\nversion: 1\n', 2, 1),
])
def test_yaml_syntax_error_position(text: str, line: int, col: int) -> None:
    got = only_problem(text)
    assert got[:2] == (line, col), got
    assert got[2].startswith('YAML syntax error: ')


def test_duplicate_mapping_keys() -> None:
    text = 'version: 1\ngroups:\n  s: [a@example.com]\n  s: [b@example.com]\n'
    assert only_problem(text) == (4, 3, 'groups.s: duplicate key (first at line 3)')
    assert only_problem('version: 1\nversion: 1\n') == (
        2, 1, 'version: duplicate key (first at line 1)',
    )


def test_a_key_written_three_times_is_a_duplicate_of_the_first() -> None:
    assert [line.split(':', 1)[1] for line in problems('version: 1\nversion: 1\nversion: 1\n')] == [
        '2:1: version: duplicate key (first at line 1)',
        '3:1: version: duplicate key (first at line 1)',
    ]


@pytest.mark.parametrize(('text', 'line', 'col'), [
    ('version: 1\n1: x\n', 2, 1),
    ('version: 1\nai:\n  true: x\n', 3, 3),
    ('version: 1\n? [a, b]\n: x\n', 2, 3),
    ('version: 1\ngroups:\n  ~: [a@example.com]\n', 3, 3),
])
def test_non_string_keys(text: str, line: int, col: int) -> None:
    got = only_problem(text)
    assert got[:2] == (line, col), got
    assert 'keys must be strings' in got[2]


def test_tabs_in_indentation() -> None:
    got = only_problem('version: 1\nai:\n\tbuiltin_signatures: true\n')
    assert got[:2] == (3, 1)
    assert got[2].startswith('YAML syntax error')


def test_byte_order_mark_is_accepted_and_does_not_shift_columns() -> None:
    load(b'\xef\xbb\xbfversion: 1\n')
    assert only_problem(b'\xef\xbb\xbfversion: 2\n')[:2] == (1, 10)


def test_non_utf8_bytes() -> None:
    got = only_problem(b'version: 1\n# caf\xe9\nai: {}\n')
    assert got[:2] == (2, 6)
    assert 'not valid UTF-8' in got[2]


def test_non_utf8_bytes_are_located_at_their_column_in_characters() -> None:
    assert only_problem(b'version: 1\ngroups: {s: [\xc3\xa9t\xc3\xa9@x.y, caf\xe9@x.y]}\n')[:2] == (2, 26)
    assert only_problem(b'\xef\xbb\xbfab\xff: 1\n')[:2] == (1, 3)


def test_latin1_policy_on_first_line() -> None:
    assert only_problem(b'\xffversion: 1\n')[:2] == (1, 1)


@pytest.mark.parametrize(('text', 'line', 'col'), [
    ('version: 1\n# \x00\n', 2, 3),
    ('version: 1\ngroups: {s: [é@x.y, "\x07"]}\n', 2, 22),
    ('# 日本\nversion: 1\x1b\n', 2, 11),
])
def test_a_character_yaml_refuses_is_located_at_its_line_and_column(text: str, line: int, col: int) -> None:
    """Counted in characters, as every column is: libyaml's own position of
    it counts bytes, PyYAML's characters, and neither counts lines."""
    got = only_problem(text)
    assert got[:2] == (line, col), got
    assert got[2].startswith('YAML error: unacceptable character'), got


def test_non_utf8_byte_at_the_start_of_a_line_after_an_empty_one() -> None:
    assert only_problem(b'\n\xffversion: 1\n')[:2] == (2, 1)


def test_file_over_one_mebibyte() -> None:
    head = b'version: 1\n'
    exact = head + b'#' * (ONE_MIB - len(head) - 1) + b'\n'
    assert len(exact) == ONE_MIB
    load(exact)
    got = only_problem(exact + b'\n')
    assert got[:2] == (1, 1)
    assert 'file too large' in got[2]
    assert '1 MiB' in got[2]


BILLION_LAUGHS = doc("""
    version: 1
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    rules: *i
    """)


class ParserWork:
    """What loading a policy asked of the YAML library: events read from the
    parser, and whether a node graph was composed. The composer is where a
    billion laughs multiplies and where deep nesting recurses; a document
    refused from its event stream never reaches it."""

    def __init__(self) -> None:
        self.events = 0


@pytest.fixture
def yaml_work(monkeypatch: pytest.MonkeyPatch) -> ParserWork:
    """Count parser events; fail at once, instead of hanging, if the
    composer is reached (no policy in these tests may be composed)."""
    import yaml

    work = ParserWork()
    for name in ('CSafeLoader', 'SafeLoader'):
        base = getattr(yaml, name, None)
        if base is None:
            continue

        class Counting(base):  # type: ignore[valid-type,misc]
            def get_event(self) -> Any:
                work.events += 1
                return super().get_event()

            def get_single_node(self) -> Any:
                raise AssertionError(f'the policy reached the YAML composer after {work.events} events')

        monkeypatch.setattr(yaml, name, Counting)
    return work


def test_alias_bomb_is_refused_before_anything_is_composed(yaml_work: ParserWork) -> None:
    """Refused at the first anchor (line 2), from the event stream: a
    handful of events read, no node composed, whatever the machine."""
    line, col, message = only_problem(BILLION_LAUGHS)
    assert 'aliases' in message
    assert (line, col) == (2, 4)
    assert yaml_work.events <= 10, yaml_work.events


def test_any_alias_is_refused() -> None:
    text = 'version: 1\ngroups:\n  a: &people [x@example.com]\n  b: *people\n'
    got = only_problem(text)
    assert 'YAML aliases (*name) are not allowed' in got[2]


# The contract, not one parser version's wording: PyYAML may refuse deep
# nesting itself before trailgate's own limit sees it, at its own column.
NESTING = re.compile(r'\bnest(?:ed|ing)\b', re.IGNORECASE)


@pytest.mark.parametrize('depth', [60, 1000, 5000])
def test_deeply_nested_document_is_refused(depth: int, yaml_work: ParserWork) -> None:
    """Refused from the event stream at trailgate's limit, or earlier by the
    YAML parser's own: never composed, and never more events read than
    the limit allows, however deep the document goes."""
    line, col, message = only_problem('version: 1\nai: ' + '[' * depth + ']' * depth + '\n')
    assert NESTING.search(message), message
    assert line == 2
    assert 5 <= col <= 5 + depth, col  # on one of the brackets
    if depth == 60:  # under every parser's limit: trailgate's own, at the 50th bracket (level 51)
        assert col == 54
    assert yaml_work.events <= MAX_DEPTH + 10, yaml_work.events


def test_nesting_is_counted_from_the_collections_still_open() -> None:
    """Collections closed before count for nothing: the limit is the 50th
    level open at once, past three empty lists, and a long policy of many
    small rules is not nested at all."""
    line, col, message = only_problem('version: 1\nai: [[], [], [], ' + '[' * 60 + ']' * 60 + ']\n')
    assert (line, col) == (2, 66), message
    rules = ''.join(f'  - {{id: r{n}, paths: [x], require: {{trailers: [X]}}}}\n' for n in range(60))
    assert len(load('version: 1\nrules:\n' + rules).rules) == 60

_DEEP_SCRIPT = """
import sys
from trailgate.errors import PolicyError
from trailgate.policy import load_policy
depth = 200_000  # 400 kB: well under the 1 MiB size limit
try:
    load_policy(('version: 1\\nai: ' + '[' * depth + ']' * depth + '\\n').encode(), 'p.yaml')
except PolicyError as e:
    print(*e.problems)
    sys.exit(0)
sys.exit(3)
"""


def test_very_deeply_nested_document_is_refused_without_crashing() -> None:
    # In a child process: libyaml's recursive composer used to crash it with SIGSEGV.
    result = subprocess.run(
        [sys.executable, '-c', _DEEP_SCRIPT], capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-500:])
    assert NESTING.search(result.stdout), result.stdout
    assert re.match(r'p\.yaml:2:\d+: ', result.stdout), result.stdout


@pytest.mark.parametrize('text', [
    'version: 1:00\n',
    'version: !!int one\n',
])
def test_odd_yaml_integers_are_reported_not_crashed_on(text: str) -> None:
    problems(text)


@pytest.mark.parametrize('value', ['.inf', '-.Inf', '.NaN', '1:30.5'])
def test_yaml_floats_python_cannot_read_are_reported_not_crashed_on(value: str) -> None:
    assert only_problem(f'version: {value}\n') == (1, 10, f'version must be 1 (got {value!r})')


@pytest.mark.parametrize(('text', 'expected'), [
    ('01', 1), ('017', 15), ('0x1', 1), ('0b10', 2), ('1_0', 10), ('2.0', 2),
])
def test_yaml_1_1_integers_read_as_pyyaml_reads_them(text: str, expected: int) -> None:
    policy = load(
        'version: 1\ngroups: {s: [a@example.com, b@example.com, c@example.com, d@example.com,'
        ' e@example.com, f@example.com, g@example.com, h@example.com, i@example.com, j@example.com,'
        ' k@example.com, l@example.com, m@example.com, n@example.com, o@example.com]}\n'
        f'rules:\n  - id: r\n    paths: [x]\n    require: {{reviews: {{group: s, count: {text}}}}}\n',
    )
    reviews = policy.rules[0].require.reviews
    assert reviews is not None and reviews.count == expected


def test_group_member_with_trailing_newline_is_refused() -> None:
    problems('version: 1\ngroups:\n  senior:\n    - |\n      alice@example.com\n')


@pytest.mark.parametrize('value', ['"2026-W10-2"', '"20260310"'])
def test_only_yyyy_mm_dd_dates(value: str) -> None:
    problems(f'version: 1\nrules:\n  - id: r\n    paths: [x]\n    active: {{from: {value}}}\n'
             '    require: {trailers: [X]}\n')


# -- everything at once -------------------------------------------------------


FIVE_PROBLEMS = doc("""
    version: 1
    groups: {senior: [a@example.com]}
    rule: []
    rules:
      - id: Bad_Id
        paths: [x]
        require: {reviews: {group: nobody}}
      - id: ok
        paths: [x]
        active: {from: 2026-13-01}
        require: {documentation: {patterns: ['(']}}
    """)


def test_all_problems_are_reported_at_once() -> None:
    lines = problems(FIVE_PROBLEMS)
    positions = [tuple(int(n) for n in line.split(':')[1:3]) for line in lines]
    assert positions == [(3, 1), (5, 9), (7, 32), (10, 20), (11, 42)], lines
    assert len(lines) == 5


def test_problems_are_sorted_by_position_and_message_counts_them() -> None:
    with pytest.raises(PolicyError) as info:
        load(FIVE_PROBLEMS)
    assert '(5 problems)' in str(info.value)
    positions = [tuple(int(n) for n in line.split(':')[1:3]) for line in info.value.problems]
    assert positions == sorted(positions)


def test_problems_on_one_line_are_sorted_by_column_and_one_is_one_problem() -> None:
    text = ('version: 1\nrules:\n'
            '  - {id: r, exempt_authors: [ghosts], paths: [x], require: {trailers: [X]}, zzz: 1}\n')
    with pytest.raises(PolicyError) as info:
        load(text)
    assert [line.split(':')[1:3] for line in info.value.problems] == [['3', '30'], ['3', '77']], info.value.problems
    assert '(2 problems)' in str(info.value)
    with pytest.raises(PolicyError) as info:
        load('version: 2\n')
    assert '(1 problem)' in str(info.value)


def test_schema_and_semantic_problems_together() -> None:
    text = doc("""
        version: 3
        ai: {markers: ['(a)\\1'], identities: 5}
        policy_owners: ghosts
        rules:
          - id: a
            paths: [x]
            require: {trailers: [X]}
          - id: a
            paths: [y]
            exempt_authors: [ghosts]
            require: {trailers: [Y]}
        """)
    lines = problems(text)
    assert len(lines) == 6, lines
    messages = '\n'.join(lines)
    for fragment in ('version must be 1', 'uses a backreference', 'identities must be a list',
                     "policy_owners: unknown group 'ghosts'", "duplicate rule id 'a'",
                     "exempt_authors: unknown group 'ghosts'"):
        assert fragment in messages


def test_filename_is_the_prefix() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(b'version: 2\n', 'some/dir/.trailgate/policy.yaml')
    assert info.value.problems == (
        "some/dir/.trailgate/policy.yaml:1:10: version must be 1 (got '2')",
    )


# -- the validated-policy cache -------------------------------------------------


def test_cached_policy_equals_the_fresh_one(tmp_path: Path) -> None:
    fresh = load_policy(CONTRACT_EXAMPLE.encode(), FILE)
    first = load_policy(CONTRACT_EXAMPLE.encode(), FILE, cache_dir=str(tmp_path))
    assert (tmp_path / policy_cache.CACHE_FILE).exists()
    second = load_policy(CONTRACT_EXAMPLE.encode(), FILE, cache_dir=str(tmp_path))
    assert first == fresh
    assert second == fresh
    assert second.ai.markers == fresh.ai.markers
    rule = second.rules[0]
    assert rule.paths.matches('services/payments/a.py')
    assert rule.exclude is not None
    assert rule.exclude.matches('services/payments/README.md')


def test_cache_never_accepts_a_different_text(tmp_path: Path) -> None:
    load_policy(b'version: 1\n', FILE, cache_dir=str(tmp_path))
    with pytest.raises(PolicyError):
        load_policy(b'version: 2\n', FILE, cache_dir=str(tmp_path))


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / policy_cache.CACHE_FILE).write_text('{"code": 1, "text": [', encoding='utf-8')
    assert load_policy(b'version: 1\n', FILE, cache_dir=str(tmp_path)).rules == ()
    with pytest.raises(PolicyError):
        load_policy(b'version: 1\nzzz: 1\n', FILE, cache_dir=str(tmp_path))


def test_cache_whose_corrupt_count_cannot_be_allocated_is_ignored(tmp_path: Path) -> None:
    # a list of 2**31 - 1 items in 5 bytes: marshal allocates it before reading
    # the items, and fails with MemoryError where memory is short (here: limited)
    (tmp_path / policy_cache.CACHE_FILE).write_bytes(b'[\xff\xff\xff\x7f')
    program = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from trailgate.policy import load_policy
        print(load_policy(b'version: 1\\n', 'p.yaml', cache_dir={str(tmp_path)!r}).rules)
    """)
    done = subprocess.run([sys.executable, '-c', program], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, '()\n', '')


def test_cache_keeps_several_policies_and_serves_each_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f'version: 1\ngroups: {{team{n}: [p{n}@example.com]}}\n'.encode() for n in range(policy_cache.ENTRIES)]
    for text in texts:
        load_policy(text, FILE, cache_dir=str(tmp_path))
    import trailgate.policy as policy_module

    def composed(*args: object) -> None:
        raise AssertionError('validated again: the cache missed')

    monkeypatch.setattr(policy_module, '_compose', composed)
    for n, text in enumerate(texts):
        assert load_policy(text, FILE, cache_dir=str(tmp_path)).people == {f'team{n}': (f'p{n}@example.com',)}
    with pytest.raises(AssertionError, match='the cache missed'):
        load_policy(b'version: 1\n', FILE, cache_dir=str(tmp_path))


def test_cache_forgets_the_oldest_policy_beyond_its_size(tmp_path: Path) -> None:
    texts = [f'version: 1\ngroups: {{team{n}: [p{n}@example.com]}}\n'.encode() for n in range(policy_cache.ENTRIES + 1)]
    for text in texts:
        load_policy(text, FILE, cache_dir=str(tmp_path))
    assert policy_cache.read(str(tmp_path), texts[0]) is None
    assert all(policy_cache.read(str(tmp_path), text) is not None for text in texts[1:])


def test_cache_of_an_older_trailgate_is_not_used(tmp_path: Path) -> None:
    load_policy(b'version: 1\n', FILE, cache_dir=str(tmp_path))
    path = tmp_path / policy_cache.CACHE_FILE
    content = path.read_bytes()
    assert b'policy.py:' in content
    path.write_bytes(content.replace(b'policy.py:', b'policy.py;'))  # the same length: the file still loads
    assert policy_cache.read(str(tmp_path), b'version: 1\n') is None


def test_cache_entry_that_holds_no_validated_policy_is_not_used(tmp_path: Path) -> None:
    """An entry for the very text whose result is not what this trailgate
    writes (a damaged file, another tool's) is a miss: the text is validated."""
    text = b'version: 1\ngroups: {team: [p@example.com]}\n'
    load_policy(text, FILE, cache_dir=str(tmp_path))
    path = tmp_path / policy_cache.CACHE_FILE
    cached = marshal.loads(path.read_bytes())
    cached['entries'] = [{'data': text, 'raw': ['version', 1]}]
    path.write_bytes(marshal.dumps(cached))
    assert load_policy(text, FILE, cache_dir=str(tmp_path)).people == {'team': ('p@example.com',)}


def test_cache_stamp_covers_every_module_that_validates() -> None:
    stamped = {entry.split(':', 1)[0] for entry in policy_cache._code_stamp().split(';')}
    assert {'policy.py', 'policy_check.py', 'schema.py', 'regexes.py', 'model.py', 'paths.py',
            'policy.schema.json', 'policy_cache.py'} <= stamped


def test_protected_absent_means_every_branch_and_tag() -> None:
    policy = load('version: 1\nrules: []\n')
    assert not policy.protected.explicit
    assert policy.protected.matches('refs/heads/any/feature')
    assert policy.commit_msg_refuses_on('refs/heads/feature')
    assert policy.commit_msg_refuses_on(None)


def test_protected_branches_and_refs() -> None:
    policy = load('version: 1\nprotected: [main, "release/*", "refs/tags/v*"]\n')
    assert policy.protected.patterns == ('refs/heads/main', 'refs/heads/release/*', 'refs/tags/v*')
    assert policy.commit_msg_refuses_on('refs/heads/main')
    assert not policy.commit_msg_refuses_on('refs/heads/feature')
    assert not policy.commit_msg_refuses_on(None)  # detached HEAD: on no branch


def test_refuse_commits_every_branch() -> None:
    policy = load('version: 1\nprotected: [main]\nrefuse_commits: every-branch\n')
    assert policy.commit_msg_refuses_on('refs/heads/feature')


@pytest.mark.parametrize(('text', 'line', 'col', 'fragment'), [
    ('version: 1\nprotected: main\n', 2, 12, 'protected'),
    ('version: 1\nprotected: [main, 3]\n', 2, 19, 'protected[1]'),
    ('version: 1\nprotected:\n  - main\n  - "a b"\n', 4, 5, "protected: 'a b' holds ' '"),
    ('version: 1\nprotected:\n  - main\n  - "../x"\n', 4, 5, 'protected:'),
    ('version: 1\nprotected: [main, main]\n', 2, 19, "protected: 'main' is listed twice"),
    ('version: 1\nprotected: [main, refs/heads/main]\n', 2, 19, 'listed twice'),
    ('version: 1\nprotected: [""]\n', 2, 13, 'protected[0]'),
    ('version: 1\nrefuse_commits: always\n', 2, 17, 'refuse_commits'),
    ('version: 1\nprotect: [main]\n', 2, 1, 'protected'),
])
def test_protected_problems(text: str, line: int, col: int, fragment: str) -> None:
    got_line, got_col, message = only_problem(text)
    assert (got_line, got_col) == (line, col), message
    assert fragment in message


@pytest.mark.parametrize('path', ['../allowed_signers', '/etc/allowed_signers', 'a//b', './allowed_signers'])
def test_a_signer_file_outside_the_repository_is_refused_where_written(path: str) -> None:
    got = only_problem(f'version: 1\nsigners: "{path}"\n')
    assert got[:2] == (2, 10), got
    assert got[2] == f'signers: {path!r} is not a path inside the repository'


SIGNED_HEAD = 'version: 1\ngroups: {senior: [alice@example.com]}\nsigners: .trailgate/allowed_signers\n'


@pytest.mark.parametrize(('text', 'signed'), [
    ('version: 1\ngroups: {senior: [alice@example.com]}\npolicy_owners: senior\n', False),
    (SIGNED_HEAD, False),
    (SIGNED_HEAD + 'policy_owners: senior\n', True),
    (SIGNED_HEAD + 'rules:\n  - {id: r, paths: [x], require: {trailers: [X]}}\n', False),
    (SIGNED_HEAD + 'rules:\n  - {id: r, paths: [x], require: {reviews: {group: senior}}}\n', False),
    (SIGNED_HEAD + 'rules:\n  - {id: r, paths: [x], require: {trailers: [X]}}\n'
     '  - {id: s, paths: [x], require: {reviews: {group: senior, signed: true}}}\n', True),
])
def test_signed_reviews_are_asked_by_a_signed_rule_or_by_policy_owners_with_a_signer_file(
        text: str, signed: bool) -> None:
    assert load(text).signed_reviews is signed


def test_policy_owners_review_signed_exactly_when_the_policy_names_a_signer_file() -> None:
    typed = load('version: 1\ngroups: {senior: [alice@example.com]}\npolicy_owners: senior\n')
    assert typed.owner_reviews() == Reviews(group='senior', trailer='Reviewed-by', count=1, signed=False)
    signed = load(SIGNED_HEAD + 'policy_owners: senior\n')
    assert signed.owner_reviews() == Reviews(group='senior', trailer='Reviewed-by', count=1, signed=True)
    assert load(SIGNED_HEAD).owner_reviews() is None


@pytest.mark.parametrize(('key', 'pattern'), [
    ('markers', ''), ('markers', 'AI|'), ('markers', '^'), ('markers', '(?m)$'), ('markers', 'x*'),
    ('identities', ''), ('identities', '.*'), ('identities', '(bot)?'),
])
def test_an_ai_mark_that_matches_an_empty_text_is_refused(key: str, pattern: str) -> None:
    got = only_problem(f"version: 1\nai:\n  {key}: ['{pattern}']\n")
    assert got[:2] == (3, len(key) + 6), got
    assert got[2].startswith(f'ai.{key}: {pattern!r} matches an empty text, so it would mark every commit'), got


@pytest.mark.parametrize('pattern', ['x+', '^AI: ', 'bot@example[.]com$', '(?i)claude'])
def test_an_ai_mark_that_needs_some_text_is_accepted(pattern: str) -> None:
    policy = load_policy(f"version: 1\nai:\n  markers: ['{pattern}']\n".encode(), 'p.yaml')
    assert [marker.pattern for marker in policy.ai.markers] == [pattern]
