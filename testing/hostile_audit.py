"""A history written by an attacker, for the audit's outputs to render.

Commits are written as raw objects (``git hash-object --literally``,
``git mktree -z``), so names, emails, messages and paths hold what git's
porcelain would never write: markup, controls and escape sequences, bidi
overrides, bytes that are not UTF-8, line breaks in paths, a latin1 and a
UTF-7 message, identities git cannot parse and dates from 1970 to past 9999.
"""
from __future__ import annotations

from pathlib import Path

from testing.util import git
from testing.util import init_repo

POLICY = b"""\
version: 1
ai:
  markers: ['(?i)made by <[^\\n]*']
groups:
  senior: [alice@example.com, bob@example.com]
rules:
  - id: tier1
    paths: ["**"]
    require:
      reviews: {group: senior, count: 1}
overrides:
  group: senior
"""
ESCAPES = b'\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\rOVER\x08'
TEXTS = (
    b'<img src=x onerror=alert(1)>',
    b'</script><script>alert(2)</script>',
    b'<!-- <![CDATA[ ]]> -->',
    b'"\'&amp;&lt;',
    '\u2028\u2029'.encode(),
    b'\xff\xfe\xc0\x80\xed\xa0\x80',  # not UTF-8: read back as lone surrogates
    '\u202egnp.exe'.encode(),
    ESCAPES,
    '\u009b31mC1'.encode(),
    b'=HYPERLINK("http://evil.example","x")',
    b'+cmd|calc', b'-2+3', b'@SUM(1)', b'\t=1', b'\r=1',
    b'<svg onload=alert(3)>', b'javascript:alert(4)',
    b'<style>body{display:none}</style>', b'<a href="http://evil.example/">x</a>',
    b'<meta http-equiv=refresh content="0;url=http://evil.example/">',
    b'<base href="http://evil.example/">', b'<img src="http://evil.example/p.png">',
    b'x' * 400,  # one long word: the page must not scroll sideways
)
WHEN = b'1767225600 +0000'  # 2026-01-01
BROKEN_IDENTITIES = (
    b'<script>alert(6)</script> <s@x> ' + WHEN, b'no email ' + WHEN, b'a <b> c <d@x> ' + WHEN,
    b'x <y@x> 99999999999999999999 +0000', b'x <y@x> 0 -1200', b'x <y@x> 1767225600 +1400',
    b'x <y@x> 1767225600 +9999', b'x <y@x>',
)


class _Objects:
    def __init__(self, repo: Path) -> None:
        self.repo = repo

    def blob(self, data: bytes) -> bytes:
        return git(self.repo, 'hash-object', '-w', '--stdin', input=data).strip().encode()

    def tree(self, entries: list[tuple[bytes, bytes, bytes]]) -> bytes:
        """A tree of (mode, object id, name), sorted as git sorts them."""
        ordered = sorted(entries, key=lambda e: e[2] + (b'/' if e[0] == b'040000' else b''))
        data = b''.join(b'%s %s %s\t%s\0' % (mode, b'tree' if mode == b'040000' else b'blob', oid, name)
                        for mode, oid, name in ordered)
        return git(self.repo, 'mktree', '-z', input=data).strip().encode()

    def commit(self, tree: bytes, parents: list[bytes], author: bytes, message: bytes,
               headers: bytes = b'') -> bytes:
        body = (b'tree ' + tree + b'\n' + b''.join(b'parent ' + p + b'\n' for p in parents)
                + b'author ' + author + b'\ncommitter ' + author + b'\n' + headers + b'\n' + message)
        return git(self.repo, 'hash-object', '-w', '--literally', '-t', 'commit', '--stdin',
                   input=body).strip().encode()


def _message(text: bytes) -> bytes:
    return (text + b' subject ' + text + b'\n\nbody ' + text + b'\nMade by ' + text + b'\n\n'
            b'Co-authored-by: Claude <noreply@anthropic.com>\nAssisted-by: ' + text + b'\n'
            b'Reviewed-by: ' + text + b'\nBreak-Glass: ' + text + b'\n')


def build(path: Path) -> Path:
    repo = init_repo(path)
    objects = _Objects(repo)
    policy = objects.tree([(b'100644', objects.blob(POLICY), b'policy.yaml')])
    everything = [(b'040000', policy, b'.trailgate')]
    for index, text in enumerate(TEXTS):
        name = text.replace(b'/', b'_')
        inner = objects.tree([(b'100644', objects.blob(b'%d\n' % index), name + b'\nline2')])
        everything.append((b'040000', inner, name + b'%d' % index))
        everything.append((b'100644', objects.blob(b'top %d\n' % index), b'top-' + name + b'\n%d' % index))
    head = objects.commit(objects.tree(everything[:1]), [], b'A <a@x> ' + WHEN, b'Adopt the policy\n')
    for index, text in enumerate(TEXTS):
        identity = text.replace(b'<', b'').replace(b'>', b'') + b' <' + text.replace(b'>', b'') + b'@evil> ' + WHEN
        files = objects.tree([everything[0], (b'100644', objects.blob(b'%d' % index), text.replace(b'/', b'_'))])
        head = objects.commit(files, [head], identity, _message(text))
    whole = objects.tree(everything)
    head = objects.commit(whole, [head], b'B <b@x> ' + WHEN,
                          b'Every path\n\nAssisted-by: x\nReviewed-by: Alice <alice@example.com>\n')
    head = objects.commit(whole, [head], b'Jos\xe9 <jose@x> ' + WHEN,
                          b'Caf\xe9 <b>latin1</b>\n\nAssisted-by: \xc9ve\n', b'encoding latin1\n')
    head = objects.commit(whole, [head], b'U7 <u7@x> ' + WHEN,
                          b'+ADw-script+AD4-alert(5)+ADw-/script+AD4-\n\nAssisted-by: x\n', b'encoding UTF-7\n')
    head = objects.commit(whole, [head], b'BE <be@x> ' + WHEN, b'bogus \xff\n\nAssisted-by: x\n',
                          b'encoding x-no-such\n')
    for identity in BROKEN_IDENTITIES:
        head = objects.commit(whole, [head], identity, b'Broken identity\n\nAssisted-by: x\n')
    git(repo, 'update-ref', 'refs/heads/main', head.decode())
    return repo
