"""The published JSON Schema, and the hand interpreter that applies it to YAML nodes.

On structural documents (no group references, regexes or date values that
only the semantic checks know about) ``trailgate.schema.validate_node`` and
``jsonschema`` must reach the same verdict.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from trailgate import schema

SCHEMA_FILE = Path(schema.__file__).resolve().parent / 'policy.schema.json'
TIMESTAMP = 'tag:yaml.org,2002:timestamp'


class _NoTimestampLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, as JSON would have them."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def published() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding='utf-8'))
    return loaded


def hand_valid(text: str) -> bool:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return not list(schema.validate_node(node))


def jsonschema_valid(text: str) -> bool:
    instance = yaml.load(text, Loader=_NoTimestampLoader)
    return jsonschema.Draft202012Validator(published()).is_valid(instance)


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip('\n')


RULE = 'version: 1\nrules:\n  - id: r\n    paths: [src/**]\n'

VALID = {
    'minimal': 'version: 1\n',
    'empty-sections': 'version: 1\nai: {}\ngroups: {}\nrules: []\noverrides: {}\n',
    'full': d("""
        version: 1
        ai:
          builtin_signatures: false
          disclosure_trailers: [Assisted-by, AI-Used]
          identities: ['bot@example\\.com']
          markers: ['^Generated']
        groups:
          senior: [alice@example.com, "Bob Builder <bob@example.com>", "<c@example.com>"]
          sre.team_2: []
        policy_owners: senior
        rules:
          - id: tier1-payments
            paths: ["services/payments/**"]
            exclude: ["**/*.md"]
            applies_to: all
            exempt_authors: [senior]
            active: {from: 2026-03-10, until: 2026-06-08}
            require:
              reviews: {trailer: Reviewed-by, group: senior, count: 2}
              documentation:
                trailer: Change-Doc
                paths: ["docs/**"]
                patterns: ['^X-[0-9]+$']
              trailers: [Rollback-Plan]
        overrides: {trailer: Break-Glass, group: sre.team_2}
        """),
    'only-from': RULE + '    active: {from: 2026-01-01}\n    require: {trailers: [X]}\n',
    'only-until': RULE + '    active: {until: "2026-01-01"}\n    require: {trailers: [X]}\n',
    'doc-paths-only': RULE + '    require: {documentation: {paths: [docs/**]}}\n',
    'doc-patterns-only': RULE + "    require: {documentation: {patterns: ['x']}}\n",
    'doc-empty-lists': RULE + '    require: {documentation: {paths: [], patterns: []}}\n',
    'empty-trailers': RULE + '    require: {trailers: []}\n',
    'exclude-empty': RULE + '    exclude: []\n    require: {trailers: [X]}\n',
    'applies-default': RULE + '    applies_to: ai-assisted\n    require: {trailers: [X]}\n',
    'yaml-bool': 'version: 1\nai: {builtin_signatures: yes}\n',
    'hex-version': 'version: 0x1\n',
    'plus-version': 'version: +1\n',
    'count-big': RULE + '    require: {reviews: {group: g, count: 100}}\n',
    'reviews-group-only': RULE + '    require: {reviews: {group: g}}\n',
    'overrides-trailer-only': 'version: 1\noverrides: {trailer: Emergency}\n',
    'bare-email-person': 'version: 1\ngroups: {g: [a.b+c@sub.example.co]}\n',
    'date-like-group-name': 'version: 1\ngroups: {2026-01-01: []}\n',
    'quoted-keys': 'version: 1\n"ai": {"markers": []}\n',
}

INVALID = {
    'missing-version': 'ai: {}\n',
    'version-2': 'version: 2\n',
    'version-string': 'version: "1"\n',
    'version-bool': 'version: true\n',
    'version-null': 'version:\n',
    'not-mapping-list': '- version: 1\n',
    'not-mapping-scalar': 'version 1\n',
    'unknown-top': 'version: 1\nrule: []\n',
    'unknown-ai': 'version: 1\nai: {builtin_signature: true}\n',
    'ai-list': 'version: 1\nai: []\n',
    'ai-null': 'version: 1\nai:\n',
    'builtin-string': 'version: 1\nai: {builtin_signatures: "true"}\n',
    'disclosure-string': 'version: 1\nai: {disclosure_trailers: Assisted-by}\n',
    'disclosure-bad-key': 'version: 1\nai: {disclosure_trailers: ["Assisted by"]}\n',
    'identities-int': 'version: 1\nai: {identities: [1]}\n',
    'groups-list': 'version: 1\ngroups: [a@example.com]\n',
    'group-string': 'version: 1\ngroups: {g: a@example.com}\n',
    'group-null': 'version: 1\ngroups: {g:}\n',
    'group-name-space': 'version: 1\ngroups: {"bad name": []}\n',
    'group-name-dash-first': 'version: 1\ngroups: {-g: []}\n',
    'person-no-at': 'version: 1\ngroups: {g: [alice]}\n',
    'person-two-emails': 'version: 1\ngroups: {g: ["a@example.com b@example.com"]}\n',
    'person-stray-bracket': 'version: 1\ngroups: {g: ["A <a@example.com> <b@x.y>"]}\n',
    'policy-owners-list': 'version: 1\npolicy_owners: [g]\n',
    'policy-owners-bad-name': 'version: 1\npolicy_owners: "a b"\n',
    'rules-mapping': 'version: 1\nrules: {id: r}\n',
    'rule-no-id': 'version: 1\nrules:\n  - paths: [x]\n    require: {trailers: [X]}\n',
    'rule-no-paths': 'version: 1\nrules:\n  - id: r\n    require: {trailers: [X]}\n',
    'rule-no-require': RULE,
    'rule-id-upper': 'version: 1\nrules:\n  - id: R\n    paths: [x]\n'
                     '    require: {trailers: [X]}\n',
    'rule-id-double-dash': 'version: 1\nrules:\n  - id: a--b\n    paths: [x]\n'
                           '    require: {trailers: [X]}\n',
    'rule-id-int': 'version: 1\nrules:\n  - id: 1\n    paths: [x]\n    require: {trailers: [X]}\n',
    'rule-unknown-key': RULE + '    requires: {trailers: [X]}\n    require: {trailers: [X]}\n',
    'paths-empty': 'version: 1\nrules:\n  - id: r\n    paths: []\n    require: {trailers: [X]}\n',
    'paths-string': 'version: 1\nrules:\n  - id: r\n    paths: x\n    require: {trailers: [X]}\n',
    'paths-empty-string': 'version: 1\nrules:\n  - id: r\n    paths: [""]\n'
                          '    require: {trailers: [X]}\n',
    'exclude-int': RULE + '    exclude: [1]\n    require: {trailers: [X]}\n',
    'applies-to-other': RULE + '    applies_to: humans\n    require: {trailers: [X]}\n',
    'applies-to-null': RULE + '    applies_to:\n    require: {trailers: [X]}\n',
    'exempt-string': RULE + '    exempt_authors: senior\n    require: {trailers: [X]}\n',
    'active-empty': RULE + '    active: {}\n    require: {trailers: [X]}\n',
    'active-unknown': RULE + '    active: {since: 2026-01-01}\n    require: {trailers: [X]}\n',
    'active-int-date': RULE + '    active: {from: 20260101}\n    require: {trailers: [X]}\n',
    'require-empty': RULE + '    require: {}\n',
    'require-unknown': RULE + '    require: {review: {group: g}}\n',
    'reviews-no-group': RULE + '    require: {reviews: {count: 1}}\n',
    'reviews-count-zero': RULE + '    require: {reviews: {group: g, count: 0}}\n',
    'reviews-count-negative': RULE + '    require: {reviews: {group: g, count: -1}}\n',
    'reviews-count-string': RULE + '    require: {reviews: {group: g, count: "2"}}\n',
    'reviews-count-bool': RULE + '    require: {reviews: {group: g, count: true}}\n',
    'reviews-count-fraction': RULE + '    require: {reviews: {group: g, count: 1.5}}\n',
    'reviews-bad-trailer': RULE + '    require: {reviews: {group: g, trailer: "Reviewed by"}}\n',
    'doc-neither': RULE + '    require: {documentation: {trailer: Change-Doc}}\n',
    'doc-unknown': RULE + '    require: {documentation: {pattern: [x]}}\n',
    'trailers-string': RULE + '    require: {trailers: Rollback-Plan}\n',
    'trailers-bad-key': RULE + '    require: {trailers: ["Rollback:Plan"]}\n',
    'overrides-unknown': 'version: 1\noverrides: {reason: x}\n',
    'overrides-string': 'version: 1\noverrides: Break-Glass\n',
    'non-string-top-key': 'version: 1\n1: x\n',
}


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    document = published()
    assert document['$schema'] == 'https://json-schema.org/draft/2020-12/schema'
    jsonschema.Draft202012Validator.check_schema(document)


def test_the_package_loads_the_published_file() -> None:
    assert schema.policy_schema() == published()


def test_corpus_is_large_enough() -> None:
    assert len(VALID) + len(INVALID) >= 40
    assert not set(VALID) & set(INVALID)


@pytest.mark.parametrize('name', sorted(VALID))
def test_valid_corpus_agrees(name: str) -> None:
    text = VALID[name]
    assert jsonschema_valid(text), 'jsonschema refuses a corpus document meant to be valid'
    assert hand_valid(text), list(schema.validate_node(yaml.compose(text, Loader=yaml.SafeLoader)))


@pytest.mark.parametrize('name', sorted(INVALID))
def test_invalid_corpus_agrees(name: str) -> None:
    text = INVALID[name]
    assert not jsonschema_valid(text), 'jsonschema accepts a corpus document meant to be invalid'
    assert not hand_valid(text)


@pytest.mark.parametrize('text', [
    'version: 1.0\n',
    RULE + '    require: {reviews: {group: g, count: 2.0}}\n',
])
def test_integral_floats_agree(text: str) -> None:
    assert jsonschema_valid(text) == hand_valid(text)


def test_hand_problems_are_positioned() -> None:
    node = yaml.compose(INVALID['reviews-count-zero'], Loader=yaml.SafeLoader)
    problems = list(schema.validate_node(node))
    assert problems == [(5, 42, 'rules[0].require.reviews.count must be at least 1')]


def _resolved(entry: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    if '$ref' in entry:
        name = entry['$ref'].rsplit('/', 1)[1]
        return {**root['$defs'][name], **{k: v for k, v in entry.items() if k != '$ref'}}
    return entry


TOP_KEYS = sorted(published()['properties'])
RULE_KEYS = sorted(published()['$defs']['rule']['properties'])


@pytest.mark.parametrize('key', TOP_KEYS)
def test_every_top_level_key_has_a_description(key: str) -> None:
    root = published()
    assert _resolved(root['properties'][key], root).get('description')


@pytest.mark.parametrize('key', RULE_KEYS)
def test_every_rule_key_has_a_description(key: str) -> None:
    root = published()
    assert _resolved(root['$defs']['rule']['properties'][key], root).get('description')


def test_top_level_and_rule_keys_are_the_contract_ones() -> None:
    # refuse_commits is the issue-9 setting the contract leaves to us (where commit-msg refuses)
    top = ['version', 'ai', 'groups', 'protected', 'refuse_commits', 'policy_owners', 'signers', 'rules', 'overrides']
    rule = ['id', 'paths', 'exclude', 'applies_to', 'exempt_authors', 'active', 'require']
    assert (sorted(top), sorted(rule)) == (TOP_KEYS, RULE_KEYS)


def test_validate_node_refuses_an_alias_and_deep_nesting_itself() -> None:
    """Loading a policy refuses both from the event stream first; a node
    tree that did not come that way still gets its shape checked, to 50
    levels: the top mapping and 49 lists, where a scalar is a level too."""
    shape = 'YAML shape: '
    aliased = yaml.compose('version: 1\ngroups:\n  a: &p [x@example.com]\n  b: *p\n', Loader=yaml.SafeLoader)
    (problem,) = schema.validate_node(aliased)
    assert problem[2] == f'{shape}YAML aliases (*name) are not allowed in a policy; write the value out'

    def nested(opening: str, inner: str, closing: str, levels: int) -> list[str]:
        text = 'version: 1\nai: ' + opening * levels + inner + closing * levels + '\n'
        return [message for _, _, message in schema.validate_node(yaml.compose(text, Loader=yaml.SafeLoader))]

    too_deep = [f'{shape}the policy is nested too deeply or is too large to be a policy']
    assert nested('[', '', ']', 49) == ['ai must be a mapping, not a list']
    assert nested('[', '', ']', 50) == too_deep
    assert nested('[', 'x', ']', 48) == ['ai must be a mapping, not a list']
    assert nested('[', 'x', ']', 49) == too_deep
    # a mapping's key is as deep as its value
    assert nested('{a: ', '1', '}', 48) == [
        "ai.a: unknown key 'a' (allowed: builtin_signatures, disclosure_trailers, identities, markers)",
    ]
    assert nested('{a: ', '1', '}', 49) == too_deep
