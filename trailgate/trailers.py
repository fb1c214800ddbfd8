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


def _line_at(text: str, start: int) -> str:
    """The line starting at ``start``, without its LF."""
    end = text.find('\n', start)
    return text[start:] if end == -1 else text[start:end]


def _next_line(text: str, start: int) -> int:
    end = text.find('\n', start)
    return len(text) if end == -1 else end + 1


def _last_line(text: str, length: int) -> int:
    """Offset of the last line in ``text[:length]`` (trailer.c last_line)."""
    if length == 0:
        return -1
    if length == 1:
        return 0
    newline = text.rfind('\n', 0, length - 1)
    return newline + 1


def _is_blank_line(text: str, start: int) -> bool:
    return _line_at(text, start).strip(' \t\r') == ''


def find_separator(line: str) -> int:
    """Index of the key/value separator, or -1 (trailer.c find_separator)."""
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


def _end_of_title(text: str, end: int, comment_char: str) -> int:
    position = 0
    while position < end:
        if text[position] != comment_char and _is_blank_line(text, position):
            break
        position = _next_line(text, position)
    return position


def _find_trailer_start(text: str, end: int, comment_char: str) -> int:
    """Start of the trailer block in ``text[:end]``; ``end`` if none."""
    end_of_title = _end_of_title(text, end, comment_char)
    only_spaces = True
    recognized_prefix = False
    trailer_lines = non_trailer_lines = possible_continuation_lines = 0
    position = _last_line(text, end)
    while position >= end_of_title:
        line = _line_at(text, position)
        if line.startswith(comment_char):
            non_trailer_lines += possible_continuation_lines
            possible_continuation_lines = 0
        elif line.strip(' \t\r') == '':
            if not only_spaces:
                non_trailer_lines += possible_continuation_lines
                if recognized_prefix and trailer_lines * 3 >= non_trailer_lines:
                    return _next_line(text, position)
                if trailer_lines and not non_trailer_lines:
                    return _next_line(text, position)
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
        position = _last_line(text, position)
    return end


def _split_block(block: str) -> list[str]:
    """Block lines, each continuation glued to the trailer above it.

    Lines keep their LF, as in git, so that an empty line is a
    whitespace-led line too (it continues a trailer, or stands alone).
    """
    entries: list[str] = []
    last_is_trailer = False
    for line in _lines_with_lf(block):
        if last_is_trailer and _is_space(line[0]):
            entries[-1] += line
            continue
        entries.append(line)
        last_is_trailer = find_separator(line) >= 1
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
    trailers = []
    for entry in _split_block(text[start:end]):
        if entry.startswith(comment_char):
            continue
        separator = find_separator(entry)
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
