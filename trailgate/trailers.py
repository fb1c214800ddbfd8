"""Trailer parsing exactly as git does it, in-process.

This is a port of git's ``trailer.c`` (``trailer_info_get``,
``find_trailer_start``, ``find_separator``, ``unfold_value``) and of
``ignore_non_trailer`` / ``wt_status_locate_end``, with the ``--no-divider``
semantics git uses for stored commit messages (``%(trailers)``): a ``---``
line does not end a commit message. The result equals
``git interpret-trailers --parse --no-divider`` with default configuration.

Git works on bytes with its own ASCII character classes, so nothing here uses
``str.isspace``, ``str.strip`` or ``str.splitlines``: messages are decoded
with ``surrogateescape`` and every class is spelt out.
"""
from __future__ import annotations

import re

from trailgate.model import Trailer

GIT_SPACE = ' \t\n\r'
_KEY_CHARS = frozenset(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-',
)
_GIT_GENERATED_PREFIXES = ('Signed-off-by: ', '(cherry picked from commit ')
_CUT_LINE = '------------------------ >8 ------------------------\n'
SEPARATORS = ':'


def git_strip(text: str) -> str:
    return text.strip(GIT_SPACE)


def _rstrip(text: str) -> str:
    return text.rstrip(GIT_SPACE)


def _is_space(char: str) -> bool:
    return char != '' and char in GIT_SPACE


def _next_line(text: str, start: int) -> int:
    end = text.find('\n', start)
    return len(text) if end == -1 else end + 1


# find_separator's walk as one match: key characters, then blanks (never
# first), then the separator
_SEPARATOR = re.compile(f'(?:[A-Za-z0-9-]+[ \\t]*)?[{re.escape(SEPARATORS)}]')


def find_separator(line: str) -> int:
    """Index of the key/value separator, or -1 (trailer.c find_separator).

    git walks the line: key characters (until the first blank), then blanks
    (not at the start), until a separator; anything else ends the walk.
    """
    match = _SEPARATOR.match(line)
    return match.end() - 1 if match else -1


def find_separator_walk(line: str) -> int:
    """``find_separator`` as trailer.c writes it, character by character (the reference)."""
    whitespace_found = False
    for index, char in enumerate(line):
        if char in SEPARATORS:
            return index
        if not whitespace_found and char in _KEY_CHARS:
            continue
        if index != 0 and char in ' \t':
            whitespace_found = True
            continue
        break
    return -1


def locate_cut_line(text: str, comment_char: str) -> int:
    """Where the scissors line starts, or len(text) (wt_status_locate_end)."""
    pattern = f'\n{comment_char} {_CUT_LINE}'
    if text.startswith(pattern[1:]):
        return 0
    found = text.find(pattern)
    return len(text) if found == -1 else found + 1


def _ignored_tail_length(text: str, comment_char: str) -> int:
    """Bytes of trailing comments, blank lines and Conflicts: block.

    A port of commit.c ``ignore_non_trailer``, quirks included: a run that
    starts at offset 0 is not remembered as such (``boc`` of 0 means unset).
    """
    if _plain(text, comment_char):
        # no comment line (so no scissors line) and no Conflicts: block:
        # the tail is the empty lines after the last line of text
        return len(text) - len(text.rstrip('\n')) - text.endswith('\n')
    return _ignored_tail_walk(text, comment_char)


def _ignored_tail_walk(text: str, comment_char: str) -> int:
    """``_ignored_tail_length`` line by line, as commit.c walks it."""
    length = len(text)
    cutoff = locate_cut_line(text, comment_char)
    begin_of_comments = 0
    in_old_conflicts_block = False
    line_start = 0
    while line_start < cutoff:
        first = text[line_start]
        if first == comment_char or first == '\n':
            if not begin_of_comments:
                begin_of_comments = line_start
        elif text.startswith('Conflicts:\n', line_start):
            in_old_conflicts_block = True
            if not begin_of_comments:
                begin_of_comments = line_start
        elif in_old_conflicts_block and first == '\t':
            pass
        elif begin_of_comments:
            begin_of_comments = 0
            in_old_conflicts_block = False
        line_start = _next_line(text, line_start)
    if begin_of_comments:
        return length - begin_of_comments
    return length - cutoff


def _plain(text: str, comment_char: str) -> bool:
    """Does no line start with the comment character, or with ``Conflicts:``?"""
    return (
        text[:1] not in ('', comment_char, '\n') and comment_char != '\n'
        and f'\n{comment_char}' not in text and 'Conflicts:\n' not in text
    )


def _end_of_title(lines: list[str], comment_char: str) -> int:
    """Index of the first blank line that is not a comment; ``len(lines)`` if none."""
    for index, line in enumerate(lines):
        if (line[:1] or '\n') != comment_char and not line.strip(' \t\r'):
            return index
    return len(lines)


def _body_lines(text: str, end: int) -> list[str]:
    """The lines of ``text[:end]`` without their LF (``end`` starts a line, or is the end)."""
    lines = text[:end].split('\n')
    if not lines[-1]:
        lines.pop()  # after the last LF: no line
    return lines


def _find_trailer_start(text: str, end: int, comment_char: str) -> int:
    """Start of the trailer block in ``text[:end]``; ``end`` if none.

    Walks the lines from the last one up to the title's end, as trailer.c
    does with offsets.
    """
    lines = _body_lines(text, end)
    end_of_title = _end_of_title(lines, comment_char)
    only_spaces = True
    recognized_prefix = False
    trailer_lines = non_trailer_lines = possible_continuation_lines = 0
    for index in range(len(lines) - 1, end_of_title - 1, -1):
        line = lines[index]
        if line.startswith(comment_char):
            non_trailer_lines += possible_continuation_lines
            possible_continuation_lines = 0
        elif line.strip(' \t\r') == '':
            if not only_spaces:
                non_trailer_lines += possible_continuation_lines
                if (recognized_prefix and trailer_lines * 3 >= non_trailer_lines) or (
                    trailer_lines and not non_trailer_lines
                ):
                    return len('\n'.join(lines[:index + 1])) + 1  # where the next line starts
                return end
        else:
            only_spaces = False
            if line.startswith(_GIT_GENERATED_PREFIXES):
                trailer_lines += 1
                possible_continuation_lines = 0
                recognized_prefix = True
            elif find_separator(line) >= 1 and not _is_space(line[0]):
                trailer_lines += 1
                possible_continuation_lines = 0
            elif _is_space(line[0]):
                possible_continuation_lines += 1
            else:
                non_trailer_lines += 1 + possible_continuation_lines
                possible_continuation_lines = 0
    return end


def _split_block(block: str) -> list[tuple[str, int]]:
    """Block lines, each continuation glued to the trailer above it, with
    the separator's index (``find_separator`` of the entry: a LF ends its
    walk, so the first line decides).

    Lines keep their LF, as in git, so that an empty line is a
    whitespace-led line too (it continues a trailer, or stands alone).
    """
    entries: list[tuple[str, int]] = []
    last_is_trailer = False
    for line in _lines_with_lf(block):
        if last_is_trailer and _is_space(line[0]):
            entry, separator = entries[-1]
            entries[-1] = (entry + line, separator)
            continue
        separator = find_separator(line)
        entries.append((line, separator))
        last_is_trailer = separator >= 1
    return entries


def _lines_with_lf(text: str) -> list[str]:
    lines = [line + '\n' for line in text.split('\n')]
    lines[-1] = lines[-1][:-1]
    return [line for line in lines if line]


def unfold(value: str) -> str:
    """Each LF and the whitespace after it become one space (unfold_value)."""
    if '\n' not in value:
        return git_strip(value)  # what the loop below gives a one-line value, without the loop
    out = []
    index = 0
    while index < len(value):
        char = value[index]
        index += 1
        if char == '\n':
            while index < len(value) and value[index] in GIT_SPACE:
                index += 1
            out.append(' ')
        else:
            out.append(char)
    return git_strip(''.join(out))


def parse_trailers(message: str, comment_char: str = '#') -> tuple[Trailer, ...]:
    """The trailers git reports for ``message`` (--parse --no-divider)."""
    text = message.split('\0', 1)[0]
    if SEPARATORS not in text:
        return ()  # every trailer line holds a separator: most messages end here
    end = len(text) - _ignored_tail_length(text, comment_char)
    start = _find_trailer_start(text, end, comment_char)
    if start == end:
        return ()
    trailers = []
    for entry, separator in _split_block(text[start:end]):
        if entry.startswith(comment_char):
            continue
        if separator >= 1:
            key = git_strip(entry[:separator])
            value = unfold(git_strip(entry[separator + 1:]))
            trailers.append(Trailer(key, value))
    return tuple(trailers)


def skip_blank_lines(message: str) -> str:
    """A stored message as ``%(trailers)`` and ``%s`` see it.

    pretty.c starts a commit's subject (and the text it hands the trailer
    code) after ``skip_blank_lines``: lines holding only SP/HT/CR, up to and
    including their LF. ``git commit`` never stores such lines, but
    ``--cleanup=verbatim``, ``commit-tree`` and imports can.
    """
    position = 0
    while position < len(message):
        end = message.find('\n', position)
        end = len(message) if end == -1 else end + 1
        if message[position:end].strip(GIT_SPACE):
            break
        position = end
    return message[position:]


CLEANUP_MODES = ('strip', 'whitespace', 'scissors', 'verbatim')
# what git tries, in this order, under core.commentChar=auto (builtin/commit.c)
AUTO_COMMENT_CHARS = '#;@!$%^&|:'


# git's line that names its comment character, as git writes it: the
# character, a space, and the character in the quotes of git's translations
# ("# ... with '#' will be ignored", „#“, «#», "#", “#”, 「#」)
_QUOTES = '\'"„“”«»「」‘’'
_HINT = rf'^([{re.escape(AUTO_COMMENT_CHARS)}]) [^\n]*[{_QUOTES}]\1[{_QUOTES}]'


def _hinted_comment_char(text: str) -> str | None:
    """The character git's own line that names it ("# ... with '#' will be
    ignored", in any translation) names, the last such line if several; None
    if there is none."""
    hints = re.findall(_HINT, text, re.MULTILINE)
    return hints[-1] if hints else None


def auto_comment_char(text: str, edited: bool) -> str:
    """The comment character ``git commit`` chose for ``text`` under
    ``core.commentChar=auto``: the first of ``AUTO_COMMENT_CHARS`` that starts
    no line of the message it began with ('#' if that holds no '#').

    Unedited, ``text`` is that message. Edited, git wrote its own lines after
    it with the character it chose, and the scissors line first with ``-v``:
    the character of the first scissors line, else the one git's line that
    names it quotes ("# ... with '#' will be ignored"; the last, since git
    writes its lines below the message), else the one the last line starts
    with if git could have chosen it, else git's choice for ``text``.
    """
    if edited:
        cuts = [(at, char) for char in AUTO_COMMENT_CHARS
                if (at := locate_cut_line(text, char)) < len(text)]
        if cuts:
            return min(cuts)[1]
        hinted = _hinted_comment_char(text)
        if hinted:
            return hinted
        last = text.rstrip('\n').rpartition('\n')[2][:1]
        if last and last in AUTO_COMMENT_CHARS:
            return last
    if '#' not in text:
        return '#'
    # every character after a LF or CR, as git looks (a blank line's LF starts the next line too)
    starts = {text[:1], *re.findall(r'(?<=[\n\r]).', text, re.DOTALL)}
    return next((char for char in AUTO_COMMENT_CHARS if char not in starts), '#')


def cleanup_message(text: str, comment_char: str = '#', mode: str = 'strip') -> str:
    """The message as ``git commit --cleanup=<mode>`` stores it.

    ``strip`` (git's default when an editor runs): everything from the
    scissors line on is removed, comment lines are dropped, trailing
    whitespace is trimmed from each line, runs of blank lines collapse to one
    and leading/trailing blank lines go (strbuf_stripspace). ``whitespace``
    (the default for ``-m`` and ``-F``) keeps comment lines; ``scissors``
    also cuts at the scissors line; ``verbatim`` changes nothing.
    """
    if mode == 'verbatim':
        return text
    if mode in ('strip', 'scissors'):
        text = text[:locate_cut_line(text, comment_char)]
    drop_comments = mode == 'strip' and bool(comment_char)
    lines: list[str] = []
    pending_blank = False
    for line in text.split('\n'):
        if drop_comments and line.startswith(comment_char):
            continue
        line = _rstrip(line)
        if not line:
            pending_blank = True
            continue
        if pending_blank and lines:
            lines.append('')
        pending_blank = False
        lines.append(line)
    return ''.join(f'{line}\n' for line in lines)
