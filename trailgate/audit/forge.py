"""Links to a commit on the forge that ``origin`` names, parsed strictly.

Only the three public hosts are recognised (github.com, gitlab.com,
bitbucket.org), in the URL forms git accepts for them: ``https://host/...``,
``ssh://[user@]host[:port]/...`` and scp-like ``user@host:...``. Owner and
repository names must be made of the characters those forges allow; any
credentials in the URL are dropped, never echoed. Anything else gives no
link rather than a guess.
"""
from __future__ import annotations

import re
from typing import NamedTuple

_NAME = r'[A-Za-z0-9_][A-Za-z0-9._-]{0,99}'
_SCHEME = re.compile(
    r'\A(?:https?|ssh|git\+ssh)://(?:[^@/\s]+@)?(?P<host>[A-Za-z0-9.-]+)(?::[0-9]{1,5})?/(?P<path>[^?#\s]+)\Z',
)
_SCP = re.compile(r'\A(?:[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?!/)(?P<path>[^?#\s]+)\Z')
_SHA = re.compile(r'\A(?:[0-9a-f]{40}|[0-9a-f]{64})\Z')
_COMMIT_PATHS = {
    'github.com': '/commit/',
    'gitlab.com': '/-/commit/',
    'bitbucket.org': '/commits/',
}
_DEPTH = {'github.com': (2, 2), 'gitlab.com': (2, 20), 'bitbucket.org': (2, 2)}


class Forge(NamedTuple):
    host: str
    project: str  # owner/name (GitLab: group/subgroups/name)

    @property
    def name(self) -> str:
        return {'github.com': 'GitHub', 'gitlab.com': 'GitLab', 'bitbucket.org': 'Bitbucket'}[self.host]

    def commit_url(self, sha: str) -> str | None:
        if not _SHA.match(sha):
            return None
        return f'https://{self.host}/{self.project}{_COMMIT_PATHS[self.host]}{sha}'


def parse_remote(url: str | None) -> Forge | None:
    """The forge and project of a remote URL, or None for anything else."""
    if not url:
        return None
    match = _SCHEME.match(url) or _SCP.match(url)
    if match is None:
        return None
    host = match['host'].lower()
    if host not in _COMMIT_PATHS:
        return None
    path = match['path'].rstrip('/')
    path = path.removesuffix('.git')
    parts = path.split('/')
    low, high = _DEPTH[host]
    if not low <= len(parts) <= high:
        return None
    if any(not re.fullmatch(_NAME, part) or part.endswith('.') for part in parts):
        return None
    return Forge(host, '/'.join(parts))
