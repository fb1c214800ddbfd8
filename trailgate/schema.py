"""The policy's JSON Schema, applied to YAML nodes so problems keep positions.

Only the keywords ``policy.schema.json`` uses are interpreted: type,
properties, additionalProperties, propertyNames, required, minProperties,
anyOf (of ``required`` branches), enum, const, items, minItems, minLength,
minimum, pattern and $ref. ``format`` is left to the semantic checks in
``trailgate.policy``. A test runs ``jsonschema`` over the same documents and
asserts the same verdicts.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

Problem = tuple[int, int, str]

_TAG = 'tag:yaml.org,2002:'
_TYPE_NAMES = {
    'object': 'a mapping', 'array': 'a list', 'string': 'a string',
    'integer': 'an integer', 'boolean': 'true or false', 'null': 'null',
    'number': 'a number',
}
MAX_NODES = 100_000
MAX_DEPTH = 50
SHAPE_PREFIX = 'YAML shape: '


class _Invalid(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


@functools.lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    from importlib.resources import files

    text = files('trailgate').joinpath('policy.schema.json').read_text(encoding='utf-8')
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def position(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def yaml_int(text: str) -> int | None:
    """A YAML 1.1 integer scalar's value (as PyYAML reads it), or None."""
    value = text.replace('_', '')
    sign = -1 if value.startswith('-') else 1
    value = value.lstrip('+-')
    try:
        if value.startswith('0b'):
            return sign * int(value[2:], 2)
        if value.startswith('0x'):
            return sign * int(value[2:], 16)
        if value.startswith('0o'):
            return sign * int(value[2:], 8)
        if ':' in value:
            number = 0
            for part in value.split(':'):
                number = number * 60 + int(part, 10)
            return sign * number
        if len(value) > 1 and value.startswith('0'):
            return sign * int(value, 8)
        return sign * int(value, 10)
    except ValueError:
        return None


def _yaml_float(text: str) -> float | None:
    try:
        return float(text.replace('_', ''))
    except ValueError:
        return None


def node_type(node: Any) -> str:
    """The JSON type a node stands for; an integral float is an integer, as in JSON Schema."""
    kind = node.id
    if kind == 'mapping':
        return 'object'
    if kind == 'sequence':
        return 'array'
    tag = node.tag.removeprefix(_TAG)
    if tag == 'int':
        return 'integer' if yaml_int(node.value) is not None else 'string'
    if tag == 'float':
        number = _yaml_float(node.value)
        if number is None:
            return 'string'
        return 'integer' if number.is_integer() else 'number'
    if tag == 'bool':
        return 'boolean'
    if tag == 'null':
        return 'null'
    return 'string'


def to_python(node: Any) -> Any:
    """Plain data from a validated node tree (dates stay strings)."""
    kind = node_type(node)
    if kind == 'object':
        return {key.value: to_python(value) for key, value in node.value}
    if kind == 'array':
        return [to_python(item) for item in node.value]
    if kind == 'integer':
        number = yaml_int(node.value)
        return number if number is not None else int(float(node.value.replace('_', '')))
    if kind == 'number':
        return float(node.value.replace('_', ''))
    if kind == 'boolean':
        return node.value.lower() in ('true', 'yes', 'on', 'y')
    if kind == 'null':
        return None
    return node.value


def _check_shape(root: Any) -> None:
    """Refuse aliases, runaway nesting and size before anything walks it."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            message = 'YAML aliases (*name) are not allowed in a policy; write the value out'
            raise _Invalid((*position(node), SHAPE_PREFIX + message))
        seen.add(id(node))
        if depth > MAX_DEPTH or len(seen) > MAX_NODES:
            message = 'the policy is nested too deeply or is too large to be a policy'
            raise _Invalid((*position(node), SHAPE_PREFIX + message))
        if node.id == 'mapping':
            for key, value in node.value:
                stack.append((value, depth + 1))
                stack.append((key, depth + 1))
        elif node.id == 'sequence':
            stack.extend((item, depth + 1) for item in node.value)


def validate_node(root: Any) -> Iterator[Problem]:
    try:
        _check_shape(root)
    except _Invalid as e:
        yield e.problem
        return
    schema = policy_schema()
    yield from _validate(root, schema, schema, '')


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while '$ref' in schema:
        name = schema['$ref'].rsplit('/', 1)[1]
        merged = {**root['$defs'][name], **{k: v for k, v in schema.items() if k != '$ref'}}
        schema = merged
    return schema


def _label(path: str) -> str:
    return path or 'the policy'


def _found(node: Any, kind: str) -> str:
    """A scalar's text, or what kind of collection stands where a value belongs."""
    return _TYPE_NAMES[kind] if kind in ('object', 'array') else repr(node.value)


def _validate(node: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> Iterator[Problem]:
    schema = _resolve(schema, root)
    where = position(node)
    kind = node_type(node)
    if 'const' in schema:
        if kind != 'integer' or to_python(node) != schema['const']:
            yield (*where, f'{_label(path)} must be {schema["const"]} (got {_found(node, kind)})')
        return
    if 'enum' in schema:
        if kind != 'string' or node.value not in schema['enum']:
            options = ', '.join(schema['enum'])
            yield (*where, f'{_label(path)} must be one of: {options} (got {_found(node, kind)})')
        return
    expected = schema.get('type')
    if expected is not None and kind != expected:
        got = _TYPE_NAMES.get(kind, kind)
        if kind in ('string', 'integer', 'boolean', 'null', 'number'):
            got = f'{got} ({node.value!r})' if node.value else got
        yield (*where, f'{_label(path)} must be {_TYPE_NAMES[expected]}, not {got}')
        return
    if kind == 'object':
        yield from _validate_object(node, schema, root, path)
    elif kind == 'array':
        yield from _validate_array(node, schema, root, path)
    elif kind == 'string':
        yield from _validate_string(node, schema, path)
    elif kind == 'integer' and 'minimum' in schema and to_python(node) < schema['minimum']:
        yield (*where, f'{_label(path)} must be at least {schema["minimum"]}')


def _validate_object(node: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> Iterator[Problem]:
    properties: dict[str, Any] = schema.get('properties', {})
    additional = schema.get('additionalProperties', True)
    seen: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if node_type(key_node) != 'string' or key_node.id != 'scalar':
            got = _TYPE_NAMES.get(node_type(key_node), 'a value')
            yield (*position(key_node), f'{_label(path)}: keys must be strings, not {got}')
            continue
        key = key_node.value
        child = f'{path}.{key}' if path else key
        if key in seen:
            line, _ = position(seen[key])
            yield (*position(key_node), f'{child}: duplicate key (first at line {line})')
            continue
        seen[key] = key_node
        if 'propertyNames' in schema:
            yield from _validate(key_node, schema['propertyNames'], root, f'{child} (name)')
        if key in properties:
            yield from _validate(value_node, properties[key], root, child)
        elif additional is False:
            yield (*position(key_node), _unknown_key_message(child, key, properties))
        elif isinstance(additional, dict):
            yield from _validate(value_node, additional, root, child)
    for key in schema.get('required', ()):
        if key not in seen:
            yield (*position(node), f'{_label(path)}: missing required key {key!r}')
    if schema.get('minProperties') and not seen:
        options = ', '.join(properties)
        yield (*position(node), f'{_label(path)}: needs at least one of: {options}')
    if 'anyOf' in schema:
        branches = [branch.get('required', []) for branch in schema['anyOf']]
        if not any(all(key in seen for key in keys) for keys in branches):
            options = ' or '.join(' + '.join(keys) for keys in branches)
            yield (*position(node), f'{_label(path)}: needs {options}')


def _unknown_key_message(child: str, key: str, properties: dict[str, Any]) -> str:
    import difflib

    message = f'{child}: unknown key {key!r}'
    close = difflib.get_close_matches(key, list(properties), n=1, cutoff=0.6)
    if close:
        return f'{message} (did you mean {close[0]!r}?)'
    allowed = ', '.join(properties)
    return f'{message} (allowed: {allowed})'


def _validate_array(node: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> Iterator[Problem]:
    minimum = schema.get('minItems', 0)
    if len(node.value) < minimum:
        yield (*position(node), f'{_label(path)} needs at least {minimum} item{"s" if minimum != 1 else ""}')
    if 'items' in schema:
        for index, item in enumerate(node.value):
            yield from _validate(item, schema['items'], root, f'{path}[{index}]')


def _ecma_anchors(pattern: str) -> str:
    """JSON Schema's ``$`` is the end of the string; Python's also matches
    before a final newline, which would let ``"id\\n"`` through."""
    return pattern[:-1] + r'\Z' if pattern.endswith('$') and not pattern.endswith(r'\$') else pattern


def _validate_string(node: Any, schema: dict[str, Any], path: str) -> Iterator[Problem]:
    value = node.value
    if len(value) < schema.get('minLength', 0):
        yield (*position(node), f'{_label(path)} must not be empty')
    elif 'pattern' in schema and not re.search(_ecma_anchors(schema['pattern']), value):
        what = schema.get('description', f'the pattern {schema["pattern"]}')
        yield (*position(node), f'{_label(path)}: {value!r} is not valid here: {what}')
