"""Reading ``git diff --raw -z``: changed paths, a gitlink as its directory."""
from __future__ import annotations

import pytest

from trailgate.errors import GitError
from trailgate.git import changed_paths

SHA = 'a' * 40
ZERO = '0' * 40


def raw(*entries: tuple[str, str]) -> list[bytes]:
    tokens = []
    for status, path in entries:
        tokens += [status.encode(), path.encode()]
    return tokens


@pytest.mark.parametrize(('status', 'expected'), [
    (f':100644 100644 {SHA} {SHA} M', {'deploy'}),
    (f':160000 160000 {SHA} {SHA} M', {'deploy/'}),
    (f':000000 160000 {ZERO} {SHA} A', {'deploy/'}),
    (f':160000 000000 {SHA} {ZERO} D', {'deploy/'}),
    (f':100644 160000 {SHA} {SHA} T', {'deploy', 'deploy/'}),  # a file replaced by a submodule: both
    (f':120000 100644 {SHA} {SHA} T', {'deploy'}),
    (f'::100644 100644 100644 {SHA} {SHA} {SHA} MM', {'deploy'}),
    (f'::160000 160000 160000 {SHA} {SHA} {SHA} MM', {'deploy/'}),
    (f':::100644 160000 100644 160000 {SHA} {SHA} {SHA} {SHA} MMM', {'deploy', 'deploy/'}),
])
def test_statuses(status: str, expected: set[str]) -> None:
    assert changed_paths(raw((status, 'deploy'))) == expected


def test_many_entries_and_odd_names() -> None:
    tokens = raw((f':100644 100644 {SHA} {SHA} M', 'a b'), (f':000000 160000 {ZERO} {SHA} A', ':x'),
                 (f':100644 000000 {SHA} {ZERO} D', 'new\nline'))
    assert changed_paths(tokens) == {'a b', ':x/', 'new\nline'}


@pytest.mark.parametrize('tokens', [
    [b':100644 100644 x y M'],  # a status without its path
    [b'deploy', b':100644 100644 x y M'],  # out of step
    [b':100644 100644 x M', b'p'],  # a field missing
    [b':10064 100644 x y M', b'p'],  # not a mode
    [b'::100644 100644 x y M', b'p'],  # a merge status with one parent's fields
    [b':100644 100644 x y M', b''],  # no path
])
def test_malformed_output_is_an_error(tokens: list[bytes]) -> None:
    with pytest.raises(GitError):
        changed_paths(tokens)
