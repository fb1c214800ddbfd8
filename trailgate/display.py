"""Text from a commit or a push, made safe to print for people.

Subjects, paths, identities, trailer values and ref names come from whoever
made the commit or the push. Printed as they are, a control character drives
the reader's terminal, and a bidi override, an isolate or a zero-width
character makes a path or a subject look like another one (Trojan Source,
CVE-2021-42574). What a person reads about them shows every such character
as an escape instead, so the refusal shows what the bytes are. And a CI
runner reads its log for commands: GitHub Actions' legacy ``##[name]`` and
Azure Pipelines' ``##vso[`` wherever they stand in a line, so the second
``#`` of each is spelt out too.
"""
from __future__ import annotations

import os
import re

# the second "#" of a runner command that counts anywhere in a line
_RUNNER_COMMAND = re.compile(r'(?<=#)#(?=\[|vso\[)', re.IGNORECASE)


def visible(text: str) -> str:
    """``text`` with every character that Python's ``str.isprintable`` rejects
    (controls, format characters such as bidi marks and zero-width spaces,
    separators other than the space, surrogates, unassigned code points)
    written as ``\\x..``, ``\\u....`` or ``\\U........``; a byte that was not
    UTF-8 (read with surrogateescape) as ``\\x..``; the second ``#`` of
    ``##[`` and ``##vso[`` as ``\\x23``."""
    shown = text if text.isprintable() else ''.join(
        char if char.isprintable() else _escape(char) for char in text
    )
    return _RUNNER_COMMAND.sub(r'\\x23', shown) if '##' in shown else shown


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f'\\x{code - 0xDC00:02x}'
    if code <= 0xFF:
        return f'\\x{code:02x}'
    if code <= 0xFFFF:
        return f'\\u{code:04x}'
    return f'\\U{code:08x}'


def from_user_directory(path: str) -> str:
    """``path`` relative to where the user stands: the current directory, or
    under git (a hook, an alias), the subdirectory git started in, which it
    names in ``GIT_PREFIX`` after moving to the top level."""
    here = os.path.join(os.getcwd(), os.environ.get('GIT_PREFIX', ''))
    return os.path.relpath(os.path.abspath(path), here)
