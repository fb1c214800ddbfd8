"""Validated policies, cached as JSON next to the repository's git data.

The file holds a stamp of this trailgate's code and the few policies last
validated, each as its exact text and the validated result, so an edit to
either makes it miss (no hash: comparing the text is exact, and cheaper than
loading hashlib on every commit). Several entries, because the hooks judge
by the work tree's policy and the gates by a base revision's, which differ
while a policy change is under way. A cache that cannot be read or written
is simply not used.
"""
from __future__ import annotations

import contextlib
import json
import os
from typing import Any

CACHE_FILE = 'trailgate-policy-cache.json'
ENTRIES = 4  # policies remembered, the most recently written first


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


def _entries(cache_dir: str) -> list[dict[str, Any]]:
    """The cached entries, if the file is this trailgate's; else none."""
    try:
        with open(os.path.join(cache_dir, CACHE_FILE), encoding='utf-8', errors='surrogateescape') as f:
            cached = json.load(f)
        if cached.get('code') != _code_stamp():
            return []
        entries = cached['entries']
        return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def read(cache_dir: str, data: bytes) -> dict[str, Any] | None:
    text = _text(data)
    for entry in _entries(cache_dir):
        raw = entry.get('raw')
        if entry.get('text') == text and isinstance(raw, dict):
            return raw
    return None


def write(cache_dir: str, data: bytes, raw: dict[str, Any]) -> None:
    text = _text(data)
    kept = [entry for entry in _entries(cache_dir) if entry.get('text') != text]
    cached = {'code': _code_stamp(), 'entries': [{'text': text, 'raw': raw}, *kept][:ENTRIES]}
    path = os.path.join(cache_dir, CACHE_FILE)
    temporary = f'{path}.{os.getpid()}.tmp'
    try:
        with open(temporary, 'w', encoding='utf-8', errors='surrogateescape') as f:
            json.dump(cached, f)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)
