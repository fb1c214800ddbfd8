"""Forge links: only URLs whose shape is certain give one; credentials never survive."""
from __future__ import annotations

import pytest

from trailgate.audit.forge import parse_remote

SHA = 'a' * 40


@pytest.mark.parametrize(('url', 'link'), [
    ('https://github.com/owner/repo.git', f'https://github.com/owner/repo/commit/{SHA}'),
    ('git@github.com:owner/repo.git', f'https://github.com/owner/repo/commit/{SHA}'),
    ('ssh://git@github.com/owner/repo', f'https://github.com/owner/repo/commit/{SHA}'),
    ('https://user:s3cret@github.com/owner/repo', f'https://github.com/owner/repo/commit/{SHA}'),
    ('https://gitlab.com/group/sub/repo.git', f'https://gitlab.com/group/sub/repo/-/commit/{SHA}'),
    ('git@bitbucket.org:team/repo.git', f'https://bitbucket.org/team/repo/commits/{SHA}'),
    ('https://GitHub.com/o/r/', f'https://github.com/o/r/commit/{SHA}'),
])
def test_links(url: str, link: str) -> None:
    forge = parse_remote(url)
    assert forge is not None
    assert forge.commit_url(SHA) == link
    assert 's3cret' not in repr(forge)


@pytest.mark.parametrize('url', [
    None, '', '/srv/git/repo.git', 'file:///srv/repo', 'https://example.com/o/r',
    'https://github.com.evil.example/o/r', 'https://evil.example/github.com/o/r',
    'https://github.com/o', 'https://github.com/o/r/extra', 'https://github.com/../r',
    'https://github.com/o/r"><script>', 'https://github.com/o/r?x=1', 'https://github.com/o/r#x',
    'https://github.com/o/.git', 'git@github.com:/o/r', 'https://github.com/o/r x',
    'javascript:alert(1)//github.com/o/r',
])
def test_no_link_for_anything_else(url: str | None) -> None:
    assert parse_remote(url) is None


def test_only_full_hex_shas_are_linked() -> None:
    forge = parse_remote('https://github.com/o/r')
    assert forge is not None
    assert forge.commit_url('abc') is None
    assert forge.commit_url('"><x' + 'a' * 36) is None
