"""Validated policies, cached next to the repository's git data.

The file holds a stamp of this trailgate's code (and of the Python that
wrote it) and the few policies last validated, each as its exact bytes and
the validated result, so an edit to either makes it miss (no hash: comparing
the bytes is exact, and cheaper than loading hashlib on every commit).
Several entries, because the hooks judge by the work tree's policy and the
gates by a base revision's, which differ while a policy change is under way.

It is written with ``marshal``, which the interpreter has loaded already,
not ``json``, whose import cost the commit-msg hook more than reading the
cache. The file lives in ``$GIT_DIR``, trusted like the hooks beside it; a
cache that cannot be read, is not what this trailgate wrote, or cannot be
written is simply not used.
"""
from __future__ import annotations

import contextlib
import marshal
import os
import sys
from typing import Any

CACHE_FILE = 'trailgate-policy-cache'
ENTRIES = 4  # policies remembered, the most recently written first
_MAX_BYTES = 64 * 1024 * 1024


def _code_stamp() -> str:
    """Every module of the package's top level: any of them may shape a policy."""
    here = os.path.dirname(os.path.abspath(__file__))
    stamps = [f'python:{sys.hexversion}']
    with os.scandir(here) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith(('.py', '.json')):
                stat = entry.stat()
                stamps.append(f'{entry.name}:{stat.st_mtime_ns}:{stat.st_size}')
    return ';'.join(stamps)


def _entries(cache_dir: str) -> list[dict[str, Any]]:
    """The cached entries, if the file is this trailgate's; else none."""
    try:
        with open(os.path.join(cache_dir, CACHE_FILE), 'rb') as f:
            cached = marshal.loads(f.read(_MAX_BYTES))
    except (OSError, ValueError, EOFError, TypeError, MemoryError):  # MemoryError: a count past what fits
        return []
    if not isinstance(cached, dict) or cached.get('code') != _code_stamp():
        return []
    entries = cached.get('entries')
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def read(cache_dir: str, data: bytes) -> dict[str, Any] | None:
    for entry in _entries(cache_dir):
        raw = entry.get('raw')
        if entry.get('data') == data and isinstance(raw, dict):
            return raw
    return None


def write(cache_dir: str, data: bytes, raw: dict[str, Any]) -> None:
    kept = [entry for entry in _entries(cache_dir) if entry.get('data') != data]
    cached = {'code': _code_stamp(), 'entries': [{'data': data, 'raw': raw}, *kept][:ENTRIES]}
    path = os.path.join(cache_dir, CACHE_FILE)
    temporary = f'{path}.{os.getpid()}.tmp'
    try:
        content = marshal.dumps(cached)
        with open(temporary, 'wb') as f:
            f.write(content)
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.remove(temporary)
