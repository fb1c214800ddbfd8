"""Commit messages for differential tests of ``trailgate.trailers`` against real git.

Three things live here:

* ``HANDCRAFTED`` (and friends): named edge cases, one or more per numbered
  rule of git-semantics.md 1.1-1.9, plus the ``--parse`` inputs of git's own
  t/t7513-interpret-trailers.sh as far as they can be reconstructed;
* ``MessageGenerator``: deterministic (seeded ``random.Random``) messages built
  from the pieces git's trailer code cares about, and ``mutate`` for fuzzing;
* ``GitOracle``: real git in a scratch repository with isolated config, driven
  in batches (``fast-import`` + one ``git log``; one ``stripspace`` for many
  messages), so that thousands of messages cost a handful of processes.

Messages are ``str``; invalid UTF-8 is carried as surrogateescape, exactly as
trailgate decodes git's bytes. Every generated message is *canonical*: it
round-trips through ``encode``/``decode`` with surrogateescape unchanged.
"""
from __future__ import annotations

import itertools
import os
import random
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from trailgate.trailers import skip_blank_lines

ENCODING = 'utf-8'
ERRORS = 'surrogateescape'
CUT = '------------------------ >8 ------------------------'
GIT_SPACE = ' \t\r\n'
SHA = '0123456789abcdef0123456789abcdef01234567'


def scissors(comment_char: str = '#') -> str:
    """The cut line ``git commit -v`` writes (without its LF)."""
    return f'{comment_char} {CUT}'


def to_bytes(message: str) -> bytes:
    return message.encode(ENCODING, ERRORS)


def from_bytes(data: bytes) -> str:
    return data.decode(ENCODING, ERRORS)


def canonical(message: str) -> str:
    """``message`` as trailgate would see it after a bytes round trip."""
    return from_bytes(to_bytes(message))


def raw(data: bytes) -> str:
    """Bytes (possibly invalid UTF-8) as a surrogateescaped str."""
    return from_bytes(data)


def git_log_view(message: str) -> str:
    """The text ``%(trailers)`` parses for a stored commit ``message``.

    ``interpret-trailers`` does not skip leading blank lines, and a leading
    blank line decides where the title ends (git-semantics.md 1.2), so the
    two differ for messages that start with one: the product's
    ``skip_blank_lines`` is what makes them agree.
    """
    return skip_blank_lines(message)


def trailer_lines_bytes(trailers: Iterable[tuple[str, str]]) -> bytes:
    """Trailers as git prints them for ``--parse`` / ``%(trailers:unfold,only)``."""
    return b''.join(to_bytes(f'{key}: {value}\n') for key, value in trailers)


# ---------------------------------------------------------------------------
# Handcrafted cases
# ---------------------------------------------------------------------------


class Case(NamedTuple):
    name: str
    message: str


def _lines(*lines: str, end: str = '\n') -> str:
    return ''.join(line + end for line in lines)


SOB = 'Signed-off-by: A U Thor <author@example.com>'
SOB2 = 'Signed-off-by: C O Mitter <committer@example.com>'
PROSE = 'this is not a trailer'
CHERRY = f'(cherry picked from commit {SHA})'
VERBOSE_TAIL = _lines(
    '# Please enter the commit message for your changes. Lines starting',
    "# with '#' will be ignored, and an empty message aborts the commit.",
    '#',
    '# On branch main',
    '# Changes to be committed:',
    '#\tmodified:   f.c',
    '#',
    scissors(),
    '# Do not modify or remove the line above.',
    '# Everything below it will be ignored.',
    'diff --git a/f.c b/f.c',
    'index 0000000..1111111 100644',
    '--- a/f.c',
    '+++ b/f.c',
    '@@ -1 +1 @@',
    '-Reviewed-by: old',
    '+Signed-off-by: new',
)
DEPENDABOT = _lines(
    'Bump lodash from 4.17.20 to 4.17.21',
    '',
    'Bumps [lodash](https://github.com/lodash/lodash) from 4.17.20 to 4.17.21.',
    '- [Release notes](https://github.com/lodash/lodash/releases)',
    '- [Commits](https://github.com/lodash/lodash/compare/4.17.20...4.17.21)',
    '',
    '---',
    'updated-dependencies:',
    '- dependency-name: lodash',
    '  dependency-type: direct:production',
    '  update-type: version-update:semver-patch',
    '...',
    '',
    'Signed-off-by: dependabot[bot] <support@github.com>',
)


def _rule_cases() -> list[Case]:
    c: list[Case] = []

    def add(name: str, message: str) -> None:
        c.append(Case(name, message))

    # 1.0 bytes, NUL, git's ASCII classes -----------------------------------
    add('1.0 empty message', '')
    add('1.0 only LF', '\n')
    add('1.0 NUL truncates after trailer', 'subject\n\nKey: v\n\0Other: w\n')
    add('1.0 NUL inside value', 'subject\n\nKey: v\0alue\nOther: w\n')
    add('1.0 NUL hides whole block', 'subject\n\0\nKey: v\n')
    # 1.1(1) --- is not a divider with --no-divider ---------------------------
    add('1.1 --- line inside last paragraph is prose', 'subject\n\nbody\n---\nKey: v\n')
    add('1.1 --- paragraph before trailers', 'subject\n\n---\n\nKey: v\n')
    add('1.1 --- below trailers is prose (SoB 25%)', f'subject\n\n{SOB}\n---\n')
    add('1.1 --- below plain trailer rejects block', 'subject\n\nKey: v\n---\n')
    add('1.1 trailers then --- patch', f'subject\n\n{SOB}\n---\n f.c | 1 +\n\ndiff --git a/f.c\n')
    add('1.1 --- a/file.c', 'subject\n\nKey: v\n--- a/file.c\n+++ b/file.c\n')
    add('1.1 ---TAB', 'subject\n\nbody\n---\t\n\nKey: v\n')
    add('1.1 ---CRLF', 'subject\r\n\r\nbody\r\n---\r\n\r\nKey: v\r\n')
    add('1.1 --- at EOF without LF', 'subject\n\nKey: v\n---')
    add('1.1 ---- and ---x are prose', f'subject\n\n{SOB}\n----\n---x\n------ text\n')
    add('1.1 case 120 commit -s after --- body', f'subj\n\nbody\n---\nmore\n\n{SOB}\n')
    add('1.1 dependabot', DEPENDABOT)
    # 1.1(2) scissors -----------------------------------------------------
    cut = scissors()
    add('1.2 scissors cuts', f'subject\n\nKey: v\n{cut}\nOther: w\n')
    add('1.2 scissors at start empties', f'{cut}\nsubject\n\nKey: v\n')
    add('1.2 scissors at start after blank', f'\n{cut}\nsubject\n\nKey: v\n')
    add('1.2 scissors CRLF is only a comment', f'subject\n\nKey: v\n{cut}\r\nOther: w\n')
    add('1.2 scissors CRLF message', f'subject\r\n\r\nKey: v\r\n{cut}\r\nOther: w\r\n')
    add('1.2 scissors at EOF without LF', f'subject\n\nKey: v\n{cut}')
    add('1.2 scissors trailing space', f'subject\n\nKey: v\n{cut} \nOther: w\n')
    add('1.2 scissors leading space', f'subject\n\nKey: v\n {cut}\nOther: w\n')
    add('1.2 scissors 23 dashes', f'subject\n\nKey: v\n# {CUT[1:]}\nOther: w\n')
    add('1.2 scissors twice', f'subject\n\nKey: v\n{cut}\nA: b\n{cut}\nC: d\n')
    add('1.2 scissors after --- (2.39 hang without --no-divider)',
        f'subject\n\nmy-trailer: here\n---\n{cut}\n')
    add('1.2 scissors after SoB and ---', f'subject\n\n{SOB}\n---\n{cut}\ndiff\n')
    add('1.2 commit -v buffer', f'subject\n\nbody\n\nKey: v\n\n{VERBOSE_TAIL}')
    add('1.2 commit -v buffer with --- in body',
        f'subject\n\nbody\n---\nmore\n\nKey: v\n\n{VERBOSE_TAIL}')
    add('1.2 commit -v buffer, trailers glued to template',
        f'subject\n\nKey: v\n{VERBOSE_TAIL}')
    add('1.2 scissors inside title', f'subject\n{cut}\n\nKey: v\n')
    add('1.2 scissors between trailers', f'subject\n\nA: b\n{cut}\nC: d\n')
    # 1.1(3) trailing comments, blank lines, Conflicts ---------------------
    add('1.3 trailing blank lines', 'subject\n\nKey: v\n\n\n')
    add('1.3 trailing comments', 'subject\n\nKey: v\n# c1\n\n# c2\n')
    add('1.3 trailing whitespace-only lines', 'subject\n\nKey: v\n  \n\t\n')
    add('1.3 trailing CRLF blank lines', 'subject\n\nKey: v\n\r\n\r\n')
    add('1.3 old Conflicts block', f'subject\n\n{SOB}\n\nConflicts:\n\tf.c\n\tg.c\n')
    add('1.3 Conflicts glued to trailers', 'subject\n\nKey: v\nConflicts:\n\tf.c\n')
    add('1.3 Conflicts then prose is not a tail', 'subject\n\nKey: v\nConflicts:\n\tf.c\nmore\n')
    add('1.3 Conflicts CRLF is a trailer', 'subject\n\nKey: v\nConflicts:\r\n\tf.c\n')
    add('1.3 Conflicts with space-led path', 'subject\n\nKey: v\nConflicts:\n f.c\n')
    add('1.3 Conflicts then comments', 'subject\n\nKey: v\n\nConflicts:\n\tf.c\n# c\n\n')
    add('1.3 tail run starting at offset 0', '# a\n# b\n\n')
    add('1.3 leading blank run then trailers', '\n\nKey: v\n')
    add('1.3 only comments', '# a\n# b\n')
    # 1.2 title ------------------------------------------------------------
    add('1.4 single paragraph', 'subject line\nmore subject\n')
    add('1.4 only trailers, one paragraph', f'{SOB}\nReviewed-by: B <b@example.com>\n')
    add('1.4 only one trailer', 'Key: v\n')
    add('1.4 multi-line title', 'place of\ncode: change\n\nKey: v\n')
    add('1.4 empty first line', '\nKey: v\n')
    add('1.4 whitespace-only first line', ' \t\nKey: v\nOther: w\n')
    add('1.4 CR-only first line', '\r\nKey: v\n')
    add('1.4 comment then blank then trailer', '# comment\n\nKey: v\n')
    add('1.4 comment title only', '# comment\nKey: v\n')
    add('1.4 trailer title then trailers', 'Key: v\n\nOther: w\n')
    add('1.4 title blank then paragraph', '\nsubject\n\nKey: v\n')
    add('1.4 two blank lines then trailers', '\n\nKey: v\nOther: w\n')
    add('1.4 title comment inside', 'subject\n# c\nmore\n\nKey: v\n')
    # 1.3 the 25 % rule -----------------------------------------------------
    add('1.5 1 SoB + 3 prose accepted', f'subject\n\n{SOB}\n{PROSE}\n{PROSE}\n{PROSE}\n')
    add('1.5 1 SoB + 4 prose rejected', f'subject\n\n{SOB}\n' + f'{PROSE}\n' * 4)
    add('1.5 2 trailers + 6 prose accepted', f'subject\n\n{SOB}\nKey: v\n' + f'{PROSE}\n' * 6)
    add('1.5 2 trailers + 7 prose rejected', f'subject\n\n{SOB}\nKey: v\n' + f'{PROSE}\n' * 7)
    add('1.5 prose first, SoB last, 1+3', f'subject\n\n{PROSE}\n{PROSE}\n{PROSE}\n{SOB}\n')
    add('1.5 no SoB: 1 trailer + 1 prose rejected', f'subject\n\nKey: v\n{PROSE}\n')
    add('1.5 all plain trailers accepted', 'subject\n\nA: 1\nB: 2\nC: 3\n')
    add('1.5 cherry-pick sets R, not printed', f'subject\n\nKey: v\n{CHERRY}\n' + f'{PROSE}\n' * 6)
    add('1.5 cherry-pick only', f'subject\n\n{CHERRY}\n')
    add('1.5 cherry-pick + 3 prose', f'subject\n\n{CHERRY}\n' + f'{PROSE}\n' * 3 + 'Key: v\n')
    add('1.5 Signed-off-by:x no R', f'subject\n\nSigned-off-by:x\n{PROSE}\n')
    add('1.5 lowercase signed-off-by no R', f'subject\n\nsigned-off-by: x\n{PROSE}\n')
    add('1.5 Signed-off-by space colon no R', f'subject\n\nSigned-off-by : x\n{PROSE}\n')
    add('1.5 Signed-off-by two spaces R', f'subject\n\nSigned-off-by:  x\n{PROSE}\n')
    add('1.5 Signed-off-by: empty value R', f'subject\n\nSigned-off-by: \n{PROSE}\n')
    add('1.5 continuation below trailer not counted',
        f'subject\n\n{SOB}\nKey: v\n more\n more\n' + f'{PROSE}\n' * 6)
    add('1.5 continuation below prose counted',
        f'subject\n\n{SOB}\n{PROSE}\n more\n more\n{PROSE}\n')
    add('1.5 continuation at top of paragraph counted', 'subject\n\n lead\nKey: v\n')
    add('1.5 continuation below comment counted', f'subject\n\n{SOB}\n# c\n x\n y\n z\n w\n')
    add('1.5 comment inside block', 'subject\n\nA: 1\n# comment\nB: 2\n')
    add('1.5 comments do not count as prose', f'subject\n\n{SOB}\n' + '# c\n' * 9)
    add('1.5 whitespace-only separator line', 'subject\n\nbody\n \t \nKey: v\n')
    add('1.5 FF-only line is not blank', 'subject\n\nbody\n\x0c\nKey: v\n')
    add('1.5 VT-only line is not blank', 'subject\n\nbody\n\x0b\nKey: v\n')
    add('1.5 NBSP-only line is not blank', 'subject\n\nbody\n\u00a0\nKey: v\n')
    add('1.5 earlier paragraph not consulted', 'subject\n\nKey: v\n\nprose only\n')
    add('1.5 body Reviewed-by ignored', 'subject\n\nReviewed-by: X\n\nbody text\n\nKey: v\n')
    add('1.5 many paragraphs', 'subject\n\np1\n\nA: 1\n\np3\n\nB: 2\nC: 3\n')
    add('1.5 SoB 25% mixed with key-like prose',
        f'subject\n\nit is important: yes\n{SOB}\nnot a trailer\nnot either\n')
    # 1.4 separators and keys ---------------------------------------------
    for name, line in [
        ('Key : v', 'Key : v'), ('Key:v', 'Key:v'), ('Key\\t: v', 'Key\t: v'),
        ('Key  :  v', 'Key  :  v'), ('Key \\t:v', 'Key \t:v'), ('-: x', '-: x'),
        ('--: x', '--: x'), ('42: y', '42: y'), ('-Key-: x', '-Key-: x'),
        ('underscore', 'Key_x: v'), ('dot', 'Key.x: v'), ('unicode key', 'Révisé-par: v'),
        ('superscript', 'Key²: v'), ('NBSP in key', 'Key\u00a0X: v'),
        ('NBSP before colon', 'Key\u00a0: v'), ('fullwidth colon', 'Key\uff1a v'),
        (': value', ': value'), ('space in key', 'Reviewed by: X'), ('- fix', '- fix: x'),
        ('leading tab', '\tKey: v'), ('leading space', ' Key: v'), ('= sep', 'Key = v'),
        ('= glued', 'Key=v'), ('# sep', 'Bug #42'), ('http', 'http://example.com/x'),
        ('https', 'https://example.com/x'), ('Link https', 'Link: https://example.com/x'),
        ('See https', 'See https://example.com/x'), ('two colons', 'a: b: c'),
        ('SIGNED-OFF-BY', 'SIGNED-OFF-BY: a'), ('key then word', 'Key x: v'),
        ('VT in key', 'Ke\x0by: v'), ('FF before colon', 'Key\x0c: v'),
        ('CR before colon', 'Key\r: v'), ('U+2028 in key', 'Key\u2028: v'),
        ('digit-led', '1st-Reviewer: z'), ('colon only', ':'), ('key colon', 'K:'),
    ]:
        add(f'1.6 {name} (with a trailer)', f'subject\n\nA: 1\n{line}\n')
        add(f'1.6 {name} (alone)', f'subject\n\n{line}\n')
        add(f'1.6 {name} (under SoB)', f'subject\n\n{SOB}\n{line}\n')
    add('1.6 case variants kept',
        'subject\n\nSIGNED-OFF-BY: a\nsigned-off-by: b\nSigned-Off-By: c\n')
    add('1.6 duplicates kept', f'subject\n\n{SOB}\n{SOB}\nKey: 1\nKey: 1\n')
    add('1.6 5000-char key', 'subject\n\n' + 'K' * 5000 + ': v\n')
    # 1.5 continuation lines --------------------------------------------------
    add('1.7 space continuation', 'subject\n\nKey: a\n b\n c\n')
    add('1.7 tab continuation', 'subject\n\nKey: a\n\tb\n')
    add('1.7 CR-led continuation', 'subject\n\nKey: a\n\rb\n')
    add('1.7 FF-led line is not continuation', 'subject\n\nKey: a\n\x0cb\n')
    add('1.7 VT-led line is not continuation', 'subject\n\nKey: a\n\x0bb\n')
    add('1.7 continuation at top of accepted block', f'subject\n\n lead\n{SOB}\n')
    add('1.7 continuations at top, then trailers', f'subject\n\n lead\n\tmore\nKey: v\n{SOB}\n')
    add('1.7 continuation after prose dropped', f'subject\n\n{SOB}\n{PROSE}\n cont\n')
    add('1.7 continuation after comment dropped', 'subject\n\nA: 1\n# c\n cont\nB: 2\n')
    add('1.7 trailing whitespace-only glued', 'subject\n\nKey: v\n  \n\t\n')
    add('1.7 continuation of empty value', 'subject\n\nKey:\n value\n')
    add('1.7 continuation of cherry line', f'subject\n\n{CHERRY}\n more\nKey: v\n')
    add('1.7 continuation with colon', 'subject\n\nKey: v\n Other: w\n')
    add('1.7 t7513 unfold', 'subject\n\nfoo: continued\n  across\n  several lines\n')
    # 1.6 normalisation -----------------------------------------------------
    add('1.8 Key:value', 'subject\n\nKey:value\n')
    add('1.8 empty value', 'subject\n\nKey:\nOther:   \n')
    add('1.8 inner whitespace kept', 'subject\n\nKey: a   b\t\tc\n')
    add('1.8 case 121 unfold', 'subject\n\nKey: a  \n  b\t\n\tc\n')
    add('1.8 case 072 CRLF unfold', 'subject\r\n\r\nKey: a\r\n b\r\n')
    add('1.8 trailing CR trimmed', 'subject\r\n\r\nKey: v\r\nOther: w\r\n')
    add('1.8 VT FF NEL LS in values', 'subject\n\nKey: a\x0bb\x0cc\u0085d\u2028e\u2029f\n')
    add('1.8 value ends with VT', 'subject\n\nKey: v\x0b\nOther: \x0cw\x0c\n')
    add('1.8 value with NBSP edges', 'subject\n\nKey: \u00a0v\u00a0\n')
    add('1.8 100 kB value', 'subject\n\nKey: ' + 'v' * 100_000 + '\n')
    add('1.8 2000 trailers', 'subject\n\n' + ''.join(f'K{i}: v{i}\n' for i in range(2000)))
    # 1.7 comment lines -------------------------------------------------------
    add('1.9 #Key is a comment', 'subject\n\n#Key: v\nOther: w\n')
    add('1.9 ; line is prose with #', 'subject\n\n; note\nKey: v\n')
    add('1.9 # line is a comment', 'subject\n\n# note\nKey: v\n')
    add('1.9 comment-only last paragraph', 'subject\n\nKey: v\n\n# only\n# comments\n')
    add('1.9 comment between paragraphs', 'subject\n\nbody\n# c\nKey: v\n')
    add('1.9 indented # is not a comment', 'subject\n\nKey: v\n # x\n')
    # 1.9 quick reference -----------------------------------------------------
    add('1.10 no final LF', 'subject\n\nKey: v')
    add('1.10 CRLF everywhere', f'subject\r\n\r\nbody\r\n\r\n{SOB}\r\nKey: v\r\n')
    add('1.10 CR-only line endings', 'subject\r\rKey: v\r')
    add('1.10 unicode values',
        'subject\n\nReviewed-by: Jürgen Müller <jm@example.de>\nKey: 日本語\n')
    add('1.10 invalid UTF-8', raw(b'subject \xff\n\nKey: \xc3(\xfe\nOther: \xe2\x80\n'))
    add('1.10 invalid UTF-8 in key', raw(b'subject\n\nK\xffy: v\nOther: w\n'))
    add('1.10 template comments', 'subject\n\nKey: v\n\n' + VERBOSE_TAIL.split(cut)[0])
    return c


def _t7513_cases() -> list[Case]:
    """Inputs of t7513-interpret-trailers.sh (git 2.39), reconstructed."""
    basic = 'subject\n\nbody\n'
    complex_body = _lines(
        'my subject', '', 'my body which is long', 'and contains some special',
        'chars like : = ? !', '', '',
    )
    complex_trailers = _lines('Fixes: Z', 'Acked-by: Z', 'Reviewed-by: Z', 'Signed-off-by: Z')
    comments = _lines(
        '# comment', '', '# other comment', 'Cc: ', '# yet another comment',
        'Reviewed-by: Johan', 'Reviewed-by: ', '# last comment', '',
    )
    return [
        Case('t7513 with only a title', 'area: change\n'),
        Case('t7513 with multiline title', 'place of\ncode: change\n'),
        Case('t7513 non-trailer lines mixed with Signed-off-by',
             f'\n{PROSE}\n{PROSE}\nSigned-off-by: a <a@example.com>\n{PROSE}\n'),
        Case('t7513 non-trailer lines mixed with cherry picked from',
             f'\n{PROSE}\n{PROSE}\n(cherry picked from commit x)\n{PROSE}\n'),
        Case('t7513 non-trailer lines mixed with a non-configured trailer',
             f'\n{PROSE}\n{PROSE}\nI_am_not_configured: x\n{PROSE}\n'),
        Case('t7513 with all non-configured trailers',
             '\nI_am_not_configured: a\nI_am_not_configured_either: b\n'),
        Case('t7513 with non-trailer lines only', f'\n{PROSE}\n'),
        Case('t7513 line with leading whitespace is not trailer', '\n\ttoken: value\n'),
        Case('t7513 multiline field treated as one trailer for 25% check',
             '\nSigned-off-by: a <a@example.com>\nname: value on\n\tmultiple lines\n'
             + f'{PROSE}\n' * 6),
        Case('t7513 multiline field treated as atomic for placement',
             '\nanother: trailer\nname: value on\n\tmultiple lines\nanother: trailer\n'),
        Case('t7513 with complex message', complex_body + complex_trailers),
        Case('t7513 with message that has comments', basic + comments),
        Case('t7513 with message that has an old style conflict block',
             basic + comments + 'Conflicts:\n\n'),
        Case('t7513 with cut line', f'my subject\n{scissors()}\nignore this\n'),
        Case('t7513 only-trailers omits non-trailer in middle of block', _lines(
            'subject', '', 'it is important that the trailers below are signed-off-by',
            'so that they meet the "25% trailers Git knows about" heuristic', '',
            'Signed-off-by: nobody <nobody@nowhere>', PROSE,
            'Signed-off-by: somebody <somebody@somewhere>')),
        Case('t7513 unfold', _lines('subject', '', 'foo:', '\tcontinued', '\t  across',
                                    '\tseveral', '\t  lines')),
        Case('t7513 --parse combines --unfold and --only-trailers', _lines(
            'subject', '', 'body', '', 'Signed-off-by: nobody <nobody@nowhere>', 'foo:',
            '  continued', '    across', '  several lines')),
        Case('t7513 handling of --- lines in input', _lines(
            'subject', '', 'body', '', 'not-a-trailer: too soon',
            '------ this is just a line in the commit message with a bunch of',
            '------ dashes; it does not have any syntactic meaning.', '',
            'real-trailer: just right', '---', 'below the dashed line may be a patch, etc.',
            '', 'not-a-trailer: too late')),
        Case('t7513 suppress --- handling', _lines(
            'subject', '', 'This commit message has a "---" in it, but because we tell',
            'interpret-trailers not to respect that, it has no effect.', '',
            'not-a-trailer: too soon', '---', '', 'This is still the commit message body.',
            '', 'real-trailer: just right')),
        Case('t7513 with # separator is prose', 'subject\n\nBug #42\n'),
        Case('t7513 with message ending in blank lines', basic + '\n' + complex_trailers + '\n\n'),
        Case('t7513 empty message', ''),
        Case('t7513 with trailing whitespace in key', 'subject\n\nKey   : v\nBug  :  w\n'),
        Case('t7513 2.45 scissors after divider',
             f'subject\n\nmy-trailer: here\n---\n{scissors()}\n'),
    ]


def _semicolon_cases() -> list[Case]:
    """Cases whose meaning changes with ``core.commentChar=;``."""
    cut = scissors(';')
    return [
        Case(';1 ; line is a comment', 'subject\n\n; note\nKey: v\n'),
        Case(';2 # line is prose', 'subject\n\n# note\nKey: v\n'),
        Case(';3 ; scissors cuts', f'subject\n\nKey: v\n{cut}\nOther: w\n'),
        Case(';4 # scissors is prose', f'subject\n\nKey: v\n{scissors()}\nOther: w\n'),
        Case(';5 ; trailing comments', 'subject\n\nKey: v\n; c\n\n; d\n'),
        Case(';6 ; title comment', '; c\n\nKey: v\n'),
        Case(';7 ;Key is a comment', 'subject\n\n;Key: v\nOther: w\n'),
        Case(';8 ; comment breaks continuation', 'subject\n\nA: 1\n; c\n cont\nB: 2\n'),
        Case(';9 ; scissors at start', f'{cut}\nsubject\n\nKey: v\n'),
        Case(';10 ; comments in 25% block', f'subject\n\n{SOB}\n; a\n; b\n; c\n; d\nx\n'),
    ]


HANDCRAFTED: tuple[Case, ...] = tuple(_rule_cases() + _t7513_cases())
SEMICOLON_CASES: tuple[Case, ...] = tuple(_semicolon_cases())

# Buffers for git commit: (name, buffer). No NUL, valid UTF-8 (git commit
# rewrites invalid UTF-8 as Latin-1).
CLEANUP_CASES: tuple[Case, ...] = (
    Case('plain', 'subject\n\nbody\n\nKey: v\n'),
    Case('comments and trailing spaces', 'subject  \n# c\n\n\n\nbody\t\n# d\n\nKey: v \n'),
    Case('leading blank lines', '\n \n\t\nsubject\n\nKey: v\n'),
    Case('no final LF', 'subject\n\nKey: v'),
    Case('scissors mid message', f'subject\n\nKey: v\n{scissors()}\nOther: w\n'),
    Case('scissors at start', f'{scissors()}\nsubject\n'),
    Case('scissors CRLF', f'subject\n\nKey: v\n{scissors()}\r\nOther: w\n'),
    Case('scissors trailing space', f'subject\n\nKey: v\n{scissors()}  \nOther: w\n'),
    Case('scissors at EOF', f'subject\n\nKey: v\n{scissors()}'),
    Case('--- in body then scissors', f'subject\n\nbody\n---\nmore\n\nKey: v\n{scissors()}\nx\n'),
    Case('only comments', '# a\n# b\n'),
    Case('VT FF lines kept', 'subject\n\n\x0b\n\x0c\nKey: v\x0b\n'),
    Case('CRLF', 'subject\r\n\r\n\r\nbody\r\n\r\nKey: v\r\n'),
    Case('semicolon prose', 'subject\n; not a comment with #\n\nKey: v\n'),
    Case('dependabot', DEPENDABOT),
    Case('unicode', 'sübject\n\nReviewed-by: Jürgen\u2028x\n'),
)


# ---------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------

WORDS = (
    'fix', 'the', 'parser', 'for', 'trailers', 'when', 'a', 'line', 'is', 'blank', 'and',
    'update', 'docs', 'see', 'also', 'note', 'this', 'commit', 'refactor', 'remove', 'x',
    'Über', 'naïve', '日本語', 'emoji\U0001f600', 'chars', 'like', ':', '=', '?', '!',
)
GOOD_KEYS = (
    'Signed-off-by', 'Reviewed-by', 'Co-authored-by', 'Acked-by', 'Tested-by', 'Fixes',
    'Key', 'key', 'KEY', 'Change-Id', 'Link', 'Bug', 'Cc', 'Helped-by', 'Assisted-by',
    'AI-Assisted', 'Rollback-Plan', 'SIGNED-OFF-BY', 'signed-off-by', '-', '--', '42', '7',
    'a', 'X-Y-Z', '-Key-', 'http', 'https', 'Conflicts', 'K' * 300,
)
BAD_KEYS = (
    'Reviewed by', 'Reviewed_by', 'Révisé-par', 'Key\u00a0X', 'Key²', 'A.B', '', 'Key x',
    ' Key', '\tKey', 'Ke\x0by', 'Key\u2028', '(Key)', '#Key', 'Kéy', raw(b'K\xffy'),
)
SEPARATORS = (
    ': ', ': ', ': ', ': ', ':', ' : ', '\t: ', '  :  ', ':\t', ' \t:', ': \t ', '\uff1a ',
    ' = ', '=', ' #', '\u00a0: ', '\x0c: ',
)
NAMES = ('A U Thor <author@example.com>', 'Jürgen Müller <jm@example.de>', 'Z', 'me',
         'dependabot[bot] <support@github.com>', 'Some One <some.one@example.org>')
ODD_CHARS = (
    '\x0b', '\x0c', '\u0085', '\u2028', '\u2029', '\u00a0', '\u3000', '\x1c', '\x1f', '\r',
    '\t', ' ', ':', '#', ';', '-', '\uff1a', '\u00b2', 'é', '\U0001f600', raw(b'\xff'),
    raw(b'\xc3'), raw(b'\xe2\x80'), raw(b'\xed\xa0\x80'), '\x01', '\x7f',
)
BLANKS = ('', '', '', '', '', ' ', '\t', '\r', ' \t ', '  \r')
ODD_BLANKS = ('\x0b', '\x0c', '\u00a0', '\u2028', '\u0085', '\u3000')


class MessageGenerator:
    """Random commit messages from the pieces git's trailer code reacts to."""

    def __init__(self, seed: int, comment_char: str = '#') -> None:
        self.rng = random.Random(seed)
        self.cc = comment_char

    # -- small pieces --------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    def odd(self) -> str:
        return self.pick(ODD_CHARS)

    def words(self, low: int = 1, high: int = 8) -> str:
        out = ' '.join(self.pick(WORDS) for _ in range(self.rng.randint(low, high)))
        if self.chance(0.15):
            position = self.rng.randint(0, len(out))
            out = out[:position] + self.odd() + out[position:]
        return out

    def subject(self) -> str:
        if self.chance(0.1):
            return self.pick((
                'area: change', SOB, 'Key: v', f'{self.cc} comment subject', 'Revert "x"',
                'feat(parser): handle: colons', 'Fixup! a', '---', '-', 'http://x',
            ))
        return self.words(1, 7).capitalize()

    def value(self) -> str:
        roll = self.rng.random()
        if roll < 0.35:
            return self.pick(NAMES)
        if roll < 0.45:
            return ''
        if roll < 0.55:
            return self.pick(('https://example.com/a:b', '#123', SHA, '//x', 'a: b: c',
                              ': leading colon', 'x=y', '[bot]'))
        if roll < 0.7:
            return self.words(1, 5)
        if roll < 0.8:
            pad = self.pick((' ', '\t', '  ', '\r', '\x0b', '\u00a0', ' \t'))
            return pad + self.words(1, 3) + pad
        if roll < 0.9:
            return ''.join(self.odd() if self.chance(0.4) else self.pick(WORDS)
                           for _ in range(self.rng.randint(1, 6)))
        if roll < 0.97:
            return self.words(1, 2) + self.odd() + self.words(1, 2)
        return 'v' * self.rng.randint(1000, 20_000)

    def key(self) -> str:
        if self.chance(0.12):
            return self.pick(BAD_KEYS)
        return self.pick(GOOD_KEYS)

    def trailer(self) -> str:
        roll = self.rng.random()
        if roll < 0.25:
            return f'Signed-off-by: {self.value()}'
        if roll < 0.3:
            return self.pick(('Signed-off-by:x', 'Signed-off-by : x', 'Signed-off-by:  x',
                              'signed-off-by: x', 'Signed-off-by: ', 'Signed-off-by:'))
        separator = self.pick(SEPARATORS) if self.chance(0.3) else ': '
        return f'{self.key()}{separator}{self.value()}'

    def cherry(self) -> str:
        return self.pick((
            CHERRY, '(cherry picked from commit x)', '(cherry picked from commit)',
            '(cherry-picked from commit abc)', ' (cherry picked from commit abc)',
        ))

    def continuation(self) -> str:
        lead = self.pick((' ', '  ', '\t', '\r', ' \t', '\x0b', '\x0c', '\u00a0'))
        if self.chance(0.15):
            return lead
        return lead + self.pick((self.words(1, 4), self.trailer(), 'more: text'))

    def comment(self) -> str:
        cc = self.cc if self.chance(0.9) else self.pick(('#', ';', ' #'))
        return cc + self.pick(('', ' ', ' comment', 'Key: v', ' Signed-off-by: x',
                               '\tmodified: f.c', ' ' + self.words()))

    def prose(self) -> str:
        roll = self.rng.random()
        if roll < 0.6:
            return self.words()
        return self.pick((
            'See https://example.com/x', 'https://example.com/x', 'http://x', 'Link:https://x',
            'Note: this looks like a trailer', '- fix: x', '* item', 'Reviewed by: X',
            'Bug #42', 'a = b', 'Fixes #123', 'chars like : = ? !', '...', '- [x](y)',
            'x' * self.rng.randint(200, 8000), 'Conflicts:', '\x0c', '\x0b', '\u00a0',
        ))

    def divider(self) -> str:
        return self.pick(('---', '--- ', '---\t', '----', '---x', '--- a/file.c', '------ text',
                          '---\r'))

    def scissors(self) -> str:
        roll = self.rng.random()
        if roll < 0.7:
            return scissors(self.cc)
        return self.pick((
            scissors('#'), scissors(';'), scissors(self.cc) + ' ', ' ' + scissors(self.cc),
            scissors(self.cc) + '\r', f'{self.cc} {CUT[1:]}', f'{self.cc}{CUT}',
        ))

    def blank(self) -> str:
        return self.pick(ODD_BLANKS) if self.chance(0.05) else self.pick(BLANKS)

    def any_line(self) -> str:
        return self.rng.choice((
            self.trailer, self.trailer, self.trailer, self.prose, self.prose, self.comment,
            self.continuation, self.cherry, self.divider, self.blank, self.subject,
        ))()

    # -- paragraphs ----------------------------------------------------------

    def trailer_block(self) -> list[str]:
        """Trailers mixed with prose etc., sized around the 25 % boundary."""
        trailers = self.rng.choice((0, 1, 1, 2, 2, 3, 4, 6))
        prose = self.rng.choice((0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8))
        lines = [self.trailer() for _ in range(trailers)]
        if self.chance(0.3) and lines:
            lines[self.rng.randrange(len(lines))] = self.cherry()
        lines += [self.prose() for _ in range(prose)]
        self.rng.shuffle(lines)
        for _ in range(self.rng.choice((0, 0, 0, 1, 2, 3))):
            extra = self.rng.choice((self.continuation, self.continuation, self.comment,
                                     self.divider, self.cherry))()
            lines.insert(self.rng.randint(0, len(lines)), extra)
        return lines

    def paragraph(self) -> list[str]:
        if self.chance(0.3):
            return self.trailer_block()
        return [self.prose() for _ in range(self.rng.randint(1, 4))]

    def tail(self) -> list[str]:
        """What may follow the trailer block: comments, Conflicts, scissors."""
        out: list[str] = []
        for _ in range(self.rng.choice((1, 1, 2, 3))):
            roll = self.rng.random()
            if roll < 0.3:
                out += [self.comment() for _ in range(self.rng.randint(1, 3))]
            elif roll < 0.5:
                out += [self.blank() for _ in range(self.rng.randint(1, 3))]
            elif roll < 0.65:
                out += [self.pick(('Conflicts:', 'Conflicts:', 'Conflicts:\r', ' Conflicts:'))]
                out += [self.pick(('\t', '\t', ' ')) + f'f{i}.c'
                        for i in range(self.rng.randint(0, 3))]
            elif roll < 0.85:
                out += [self.scissors()]
                out += [self.any_line() for _ in range(self.rng.randint(0, 4))]
            else:
                out += [self.divider(), ' f.c | 1 +', '', 'diff --git a/f.c b/f.c',
                        '--- a/f.c', '+++ b/f.c']
        return out

    def lines(self) -> list[str]:
        lines: list[str] = []
        if self.chance(0.06):
            lines += [self.blank() for _ in range(self.rng.randint(1, 2))]
        if self.chance(0.05):
            lines.append(self.comment())
        lines += [self.subject() for _ in range(self.rng.choice((0, 1, 1, 1, 1, 2, 3)))]
        body = [self.paragraph() for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3)))]
        if self.chance(0.85):
            body.append(self.trailer_block())
        for paragraph in body:
            lines += [self.blank() for _ in range(self.rng.choice((1, 1, 1, 1, 2)))]
            lines += paragraph
        if self.chance(0.35):
            lines += self.tail()
        if self.chance(0.03):
            # a scissors line very early
            lines.insert(self.rng.randint(0, len(lines)), self.scissors())
        return lines

    def message(self) -> str:
        lines = self.lines()
        roll = self.rng.random()
        if roll < 0.07:
            text = ''.join(line + '\r\n' for line in lines)
        elif roll < 0.12:
            text = ''.join(line + self.pick(('\n', '\n', '\r\n')) for line in lines)
        elif roll < 0.13:
            text = ''.join(line + '\r' for line in lines)
        else:
            text = ''.join(line + '\n' for line in lines)
        if self.chance(0.1):
            text = text[:-1] if text.endswith('\n') else text
        if self.chance(0.08):
            text += self.pick(('\n', '\n\n', ' \n', f'{self.cc}\n', '\n' + self.blank()))
        return canonical(text)

    def messages(self, count: int) -> list[str]:
        return [self.message() for _ in range(count)]

    def interesting_lines(self, count: int) -> list[str]:
        """A pool of single lines (for Hypothesis to combine)."""
        return [canonical(self.any_line()) for _ in range(count)]


def generate(count: int, seed: int = 0, comment_char: str = '#') -> list[str]:
    return MessageGenerator(seed, comment_char).messages(count)


def mutate(rng: random.Random, message: str, donors: Sequence[str],
           comment_char: str = '#') -> str:
    """A few random edits of ``message`` (for fuzzing). Never adds NUL."""
    gen = MessageGenerator(rng.getrandbits(32), comment_char)

    def insert_char(text: str) -> str:
        position = rng.randint(0, len(text))
        char = rng.choice((*ODD_CHARS, '\n', '\n', '\n', '\r\n', comment_char, 'a', 'Z', '0'))
        return text[:position] + char + text[position:]

    def delete_span(text: str) -> str:
        if not text:
            return text
        start = rng.randrange(len(text))
        return text[:start] + text[start + rng.randint(1, 8):]

    def edit_lines(text: str) -> str:
        lines = text.split('\n')
        index = rng.randrange(len(lines))
        op = rng.randrange(6)
        if op == 0:
            lines.insert(index, lines[index])
        elif op == 1 and len(lines) > 1:
            del lines[index]
        elif op == 2:
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif op == 3:
            lines.insert(index, gen.any_line())
        elif op == 4:
            lines[index] = lines[index] + '\r' if not lines[index].endswith('\r') else \
                lines[index][:-1]
        else:
            lines.insert(index, rng.choice((gen.scissors(), gen.blank(), gen.comment(),
                                            gen.continuation(), 'Conflicts:', '\tf.c')))
        return '\n'.join(lines)

    def splice(text: str) -> str:
        donor = rng.choice(donors) if donors else ''
        return text[:rng.randint(0, len(text))] + donor[rng.randint(0, len(donor)):]

    def truncate(text: str) -> str:
        return text[:rng.randint(0, len(text))]

    ops: tuple[Callable[[str], str], ...] = (
        insert_char, insert_char, delete_span, edit_lines, edit_lines, edit_lines, splice,
        truncate,
    )
    for _ in range(rng.randint(1, 4)):
        message = rng.choice(ops)(message)
    return canonical(message.replace('\0', ''))


# ---------------------------------------------------------------------------
# Real git, batched
# ---------------------------------------------------------------------------

IDENTITY = {
    'GIT_AUTHOR_NAME': 'A U Thor', 'GIT_AUTHOR_EMAIL': 'author@example.com',
    'GIT_COMMITTER_NAME': 'C O Mitter', 'GIT_COMMITTER_EMAIL': 'committer@example.com',
}


def isolated_env(**extra: str) -> dict[str, str]:
    """The environment minus every GIT_* variable, with git's config isolated."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('GIT_')}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM='1', GIT_TERMINAL_PROMPT='0',
               **IDENTITY)
    env.update(extra)
    return env


class GitOracle:
    """A scratch repository and the git commands that define the semantics."""

    _counter = itertools.count()

    def __init__(self, path: Path | str | None = None) -> None:
        if path is None:
            self._tmp: tempfile.TemporaryDirectory[str] | None = tempfile.TemporaryDirectory(
                prefix='trailgate-oracle-')
            path = self._tmp.name
        else:
            self._tmp = None
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.git('init', '-q', '-b', 'main', '.')
        self.git_dir = self.path / '.git'

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> GitOracle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def git(self, *args: str, input: bytes | None = None, comment_char: str | None = None,
            timeout: float = 120, env: dict[str, str] | None = None) -> bytes:
        config = ('-c', f'core.commentChar={comment_char}') if comment_char else ()
        result = subprocess.run(
            ('git', *config, *args), cwd=self.path, input=input, capture_output=True,
            env=env or isolated_env(), timeout=timeout, check=False,
        )
        if result.returncode:
            raise RuntimeError(f'git {args[0]} failed ({result.returncode}): '
                               f'{result.stderr.decode(errors="replace")}')
        return result.stdout

    def interpret_trailers(self, message: str, comment_char: str = '#') -> bytes:
        """``git interpret-trailers --parse --no-divider`` (one process)."""
        return self.git('interpret-trailers', '--parse', '--no-divider',
                        input=to_bytes(message), comment_char=comment_char, timeout=20)

    def log_trailers(self, messages: Sequence[str], comment_char: str = '#') -> list[bytes]:
        """``%(trailers:unfold,only)`` of each message, stored verbatim as a commit.

        One ``fast-import`` (which stores messages byte for byte, no cleanup)
        and one ``git log`` for the whole batch.
        """
        number = next(self._counter)
        ref = f'refs/heads/batch{number}'.encode()
        marks = self.git_dir / f'batch{number}.marks'
        stream = bytearray()
        for index, message in enumerate(messages, 1):
            data = to_bytes(message)
            if b'\0' in data:
                raise ValueError(f'NUL in message {index - 1}: {message!r}')
            stream += b'commit %s\nmark :%d\ncommitter C <c@example.com> %d +0000\n' % (
                ref, index, 1_700_000_000 + index)
            stream += b'data %d\n%s\n' % (len(data), data)
        self.git('fast-import', '--quiet', '--done', f'--export-marks={marks}',
                 input=bytes(stream) + b'done\n')
        by_sha = {}
        for line in marks.read_text().splitlines():
            mark, sha = line.split()
            by_sha[sha.encode()] = int(mark[1:]) - 1
        out = self.git('log', '-z', '--format=%H%x00%(trailers:unfold,only)', ref.decode(),
                       comment_char=comment_char)
        fields = out[:-1].split(b'\0') if out else []
        results: list[bytes | None] = [None] * len(messages)
        for sha_bytes, trailers in zip(fields[::2], fields[1::2], strict=True):
            results[by_sha[sha_bytes]] = trailers
        missing = [i for i, r in enumerate(results) if r is None]
        if missing or len(fields) != 2 * len(messages):
            raise RuntimeError(f'git log lost commits {missing[:5]} ({len(fields)} fields)')
        return [r for r in results if r is not None]

    def stripspace(self, message: str, comment_char: str = '#') -> str:
        """``git stripspace --strip-comments`` (one process)."""
        return from_bytes(self.git('stripspace', '--strip-comments', input=to_bytes(message),
                                   comment_char=comment_char))

    def stripspace_batch(self, messages: Sequence[str], comment_char: str = '#') -> list[str]:
        """``git stripspace --strip-comments`` of each message, in one process.

        The messages are joined with a unique marker line. stripspace works
        line by line, except that it collapses blank runs and drops leading
        and trailing blank lines; at a marker those become at most one blank
        line on either side, which is removed again here.
        """
        marker = f'TRAILGATE-STRIPSPACE-SEPARATOR-{uuid.uuid4().hex}'
        if any(marker in m for m in messages):  # pragma: no cover - a uuid
            raise ValueError('marker collision')
        joined = ''.join(f'{m}\n{marker}\n' for m in messages)
        out = self.stripspace(joined, comment_char)
        pieces = out.split(f'{marker}\n')
        if len(pieces) != len(messages) + 1 or pieces[-1].strip('\n'):
            raise RuntimeError('stripspace batch lost a separator')
        results = []
        for piece in pieces[:-1]:
            body = piece.strip('\n')
            results.append(body + '\n' if body else '')
        return results
