"""A validated policy, cached as JSON next to the repository's git data.

An entry holds the policy's exact text and a stamp of this trailgate's
code, so an edit to either makes it miss (no hash: comparing the text is
exact, and cheaper than loading hashlib on every commit). A cache that cannot
be read or written is simply not used.
"""
from __future__ import annotations

import contextlib
import json
import os
from typing import Any

CACHE_FILE = 'trailgate-policy-cache.json'


def _code_stamp() -> str:
    """Every module of the package's top level: any of them may shape a policy."""
    here = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    with os.scandir(here) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith(('.py', '.json')):
                stat = entry.stat()
                stamps.append(f'{entry.name}:{stat.st_mtime_ns}:{stat.st_size}')
    return ';'.join(stamps)


def _text(data: bytes) -> str:
    return data.decode('utf-8', 'surrogateescape')


def read(cache_dir: str, data: bytes) -> dict[str, Any] | None:
    try:
        with open(os.path.join(cache_dir, CACHE_FILE), encoding='utf-8', errors='surrogateescape') as f:
            entry = json.load(f)
        if entry.get('code') != _code_stamp() or entry.get('text') != _text(data):
            return None
        raw: dict[str, Any] = entry['raw']
        return raw
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(cache_dir: str, data: bytes, raw: dict[str, Any]) -> None:
    entry = {'code': _code_stamp(), 'text': _text(data), 'raw': raw}
    path = os.path.join(cache_dir, CACHE_FILE)
    temporary = f'{path}.{os.getpid()}.tmp'
    try:
        with open(temporary, 'w', encoding='utf-8', errors='surrogateescape') as f:
            json.dump(entry, f)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)
