"""Repository paths: .gitignore pattern matching as git does it, in time
linear in the path's length, and safe relative paths.

A pattern is read as git reads a line of a top-level .gitignore (dir.c) and
matched as git's wildmatch matches it, over the path's UTF-8 bytes. git
decides a path is matched when its own last matching pattern, or that of
one of its leading directories, is not a negation (a file under an excluded
directory cannot be re-included). Two exact engines give that answer:

- a walk over the path's components, every pattern advanced one component
  at a time (a ``**`` is a state that stays): pure Python, no import, used
  for ordinary paths, and whenever a negation may decide;
- one RE2 scan (linear time, no backtracking) of the whole path per list of
  patterns: for long paths, where a Python step per component would cost.

Neither runs under a timer: a path's verdict never depends on how fast the
machine is. A changed submodule (gitlink) ``p`` is matched as ``p/``: the
directory it stands for, everything under it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

# paths at least this long are first judged by RE2 (the walk costs a Python step per component)
LONG_PATH = 2048

_CLASSES = {
    b'alnum': b'0-9A-Za-z', b'alpha': b'A-Za-z', b'blank': b' \t', b'cntrl': b'\x00-\x1f\x7f',
    b'digit': b'0-9', b'graph': b'!-~', b'lower': b'a-z', b'print': b' -~',
    b'punct': b'!-/:-@[-`{-~', b'space': b'\t\n\r ', b'upper': b'A-Z', b'xdigit': b'0-9A-Fa-f',
}
_SLASH = ord('/')


class PatternError(ValueError):
    pass


# -- one component's glob ------------------------------------------------------

# a token of a glob: a literal byte (int), '?' (None), '*' (the str '*') or a
# bracket expression (frozenset of the bytes it matches, '/' never among them)
Token = int | None | str | frozenset[int]
STAR = '*'


def _byte_set(spec: bytes) -> frozenset[int]:
    """The bytes of a class written as ``a-z`` ranges and single bytes."""
    found: set[int] = set()
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == ord('-'):
            found.update(range(spec[i], spec[i + 2] + 1))
            i += 3
        else:
            found.add(spec[i])
            i += 1
    return frozenset(found)


def _bracket(pattern: bytes, start: int) -> tuple[frozenset[int], int]:
    """The bytes the bracket expression at ``pattern[start] == '['`` matches,
    and the index after its ``]``; read exactly as wildmatch.c reads it."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] in b'!^'
    if negated:
        i += 1
    members: set[int] = set()
    previous = 0
    first = True
    while first or pattern[i] != ord(']'):
        first = False
        if i >= len(pattern):
            raise PatternError('a "[" has no closing "]"')
        char = pattern[i]
        if char == ord('\\'):
            i += 1
            if i >= len(pattern):
                raise PatternError('a "[" has no closing "]"')
            char = pattern[i]
            members.add(char)
        elif char == ord('-') and previous and i + 1 < len(pattern) and pattern[i + 1] != ord(']'):
            i += 1
            high = pattern[i]
            if high == ord('\\'):
                i += 1
                if i >= len(pattern):
                    raise PatternError('a "[" has no closing "]"')
                high = pattern[i]
            members.update(range(previous, high + 1))
            char = 0
        elif char == ord('[') and i + 1 < len(pattern) and pattern[i + 1] == ord(':'):
            end = pattern.find(b']', i + 2)
            if end < 0:
                raise PatternError('a "[" has no closing "]"')
            name = pattern[i + 2:end]
            if name.endswith(b':') and end > i + 2:
                if name[:-1] not in _CLASSES:
                    raise PatternError(f'unknown character class [:{name[:-1].decode(errors="replace")}:]')
                members.update(_byte_set(_CLASSES[name[:-1]]))
                i = end
                char = 0
            else:  # no ":]": the "[" is an ordinary member
                members.add(char)
        else:
            members.add(char)
        previous = char
        i += 1
        if i >= len(pattern):
            raise PatternError('a "[" has no closing "]"')
    matched = frozenset(range(256)) - members if negated else frozenset(members)
    return matched - {_SLASH}, i + 1


def _tokens(pattern: bytes) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == ord('\\'):
            if i + 1 >= len(pattern):
                raise PatternError('it ends in a lone "\\"')
            escaped = chr(pattern[i + 1])
            if escaped.isascii() and escaped.isalnum():  # "services\payments": a Windows path, not an escape
                raise PatternError(f'"\\{escaped}" is "{escaped}" to git: a backslash escapes, and paths use "/"')
            tokens.append(pattern[i + 1])
            i += 2
        elif char == ord('?'):
            tokens.append(None)
            i += 1
        elif char == ord('*'):
            run = i
            while i < len(pattern) and pattern[i] == ord('*'):
                i += 1
            tokens.append('*' * (i - run))
        elif char == ord('['):
            members, i = _bracket(pattern, i)
            tokens.append(members)
        else:
            tokens.append(char)
            i += 1
    return tokens


class Glob:
    """One path component's glob: ``*``, ``?`` and brackets never match '/'."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tuple(STAR if isinstance(t, str) else t for t in tokens)
        self.literal = bytes(t for t in self.tokens if isinstance(t, int)) \
            if all(isinstance(t, int) for t in self.tokens) else None
        self.anything = self.tokens == (STAR,)

    def matches(self, component: bytes) -> bool:
        if self.literal is not None:
            return component == self.literal
        return self.anything or _glob_match(self.tokens, component)

    def regex(self) -> str:
        return ''.join(_token_regex(token) for token in self.tokens)


def _glob_match(tokens: tuple[Token, ...], text: bytes) -> bool:
    """Wildcard match with one backtrack point (the last '*'): O(len(text) * len(tokens))."""
    t = p = 0
    star_p = star_t = -1
    while t < len(text):
        if p < len(tokens) and tokens[p] == STAR:
            star_p, star_t = p, t
            p += 1
            continue
        if p < len(tokens) and _token_matches(tokens[p], text[t]):
            p += 1
            t += 1
            continue
        if star_p < 0:
            return False
        star_t += 1
        t = star_t
        p = star_p + 1
    return all(token == STAR for token in tokens[p:])


def _token_matches(token: Token, byte: int) -> bool:
    if token is None:
        return byte != _SLASH
    if isinstance(token, int):
        return token == byte
    return isinstance(token, frozenset) and byte in token


def _byte_regex(byte: int) -> str:
    return chr(byte) if chr(byte).isalnum() and byte < 0x80 else f'\\x{byte:02x}'


def _token_regex(token: Token) -> str:
    if token is None:
        return '[^/]'
    if isinstance(token, int):
        return _byte_regex(token)
    if isinstance(token, str):
        return '[^/]*'
    if not token:
        return '[^\\x00-\\xff]'
    ranges = []
    ordered = sorted(token)
    low = previous = ordered[0]
    for byte in [*ordered[1:], -1]:
        if byte != previous + 1:
            ranges.append(_byte_regex(low) if low == previous else f'{_byte_regex(low)}-{_byte_regex(previous)}')
            low = byte
        previous = byte
    return '[' + ''.join(ranges) + ']'


# -- one pattern ------------------------------------------------------------------

GLOBSTAR = None  # a segment of ``**``: any number of whole components (tested as ``is None``)


class Pattern(NamedTuple):
    """One .gitignore line, read as git's dir.c reads it."""

    text: str
    negated: bool
    directory_only: bool  # it ended in '/': matches directories only
    # no '/' but a trailing one: matched against each component (the basename)
    basename: Glob | None
    # otherwise the components from the top, GLOBSTAR for each '**' one; a
    # trailing '**' is GLOBSTAR then '*' (one component or more)
    segments: tuple[Glob | None, ...]

    def regex(self) -> str:
        """RE2 syntax over bytes: the whole text of a path (or leading directory) it matches."""
        if self.basename is not None:
            return '(?:.*/)?' + self.basename.regex()
        parts = []
        for index, segment in enumerate(self.segments):
            if segment is None:  # GLOBSTAR
                parts.append('(?:.*/)?')
            else:
                parts.append(segment.regex())
                if index + 1 < len(self.segments):
                    parts.append('/')
        return ''.join(parts)


def _trim_trailing_spaces(line: str) -> str:
    """git's trim_trailing_spaces: unescaped trailing spaces go."""
    i = 0
    last_space = None
    while i < len(line):
        if line[i] == ' ':
            if last_space is None:
                last_space = i
        else:
            if line[i] == '\\':
                i += 1
                if i >= len(line):
                    return line
            last_space = None
        i += 1
    return line[:last_space] if last_space is not None else line


def parse(text: str) -> Pattern:
    """A .gitignore line as a Pattern; PatternError for one git would read
    differently from its documentation, or could never match."""
    line = _trim_trailing_spaces(text)
    if not line.strip() or line.lstrip().startswith('#'):  # stricter than git: "  #x" is a slip, not a file
        raise PatternError('it is blank or a comment, so it matches nothing')
    negated = line.startswith('!')
    body = line[1:] if negated else line
    directory_only = body.endswith('/')
    if directory_only:
        body = body[:-1]
    data = body.encode('utf-8', 'surrogateescape')
    if b'/' not in data:
        if not data:
            raise PatternError('it names no path')
        basename = Glob(_tokens(data))
        _refuse_unmatchable([basename])
        return Pattern(text, negated, directory_only, basename, ())
    if data.startswith(b'/'):
        data = data[1:]
    if not data:
        raise PatternError('it names no path')
    segments: list[Glob | None] = []
    component: list[Token] = []
    for token in [*_tokens(data), _SLASH]:
        if token != _SLASH:
            component.append(token)
            continue
        stars = [t for t in component if isinstance(t, str) and len(t) > 1]
        if stars and len(component) > 1:
            raise PatternError('"**" is special only as a whole component (a/**/b, **/x, x/**); write "*" here')
        if stars:
            if not segments or segments[-1] is not GLOBSTAR:
                segments.append(GLOBSTAR)
        else:
            segments.append(Glob(component))
        component = []
    if segments[-1] is GLOBSTAR:
        segments.append(Glob([STAR]))
    _refuse_unmatchable(segments)
    return Pattern(text, negated, directory_only, None, tuple(segments))


def _refuse_unmatchable(segments: Sequence[Glob | None]) -> None:
    """git stores no path with an empty, "." or ".." component, so a
    pattern with one matches nothing: "./services/**" would switch a rule off."""
    if any(segment is not None and segment.literal in (b'', b'.', b'..') for segment in segments):
        raise PatternError('it has an empty, "." or ".." component, and no path in git has one, so it matches nothing')


# -- a list of patterns ---------------------------------------------------------


MEMO_LIMIT = 4096  # remembered steps per pattern: deep paths repeat their components


class _Automaton:
    """One pattern as a machine over a path's components: its state after
    each leading part of the path, and whether the pattern matches that part.
    For a basename pattern the state is unused; otherwise it is the set of
    segments reached (a ``**`` segment is a state that stays)."""

    def __init__(self, pattern: Pattern) -> None:
        self.pattern = pattern
        self.start: frozenset[int] = frozenset() if pattern.basename is not None else self._closure({0})
        self._memo: dict[tuple[frozenset[int], bytes], tuple[frozenset[int], bool]] = {}

    def _closure(self, states: set[int]) -> frozenset[int]:
        segments = self.pattern.segments
        pending = list(states)
        while pending:
            index = pending.pop()
            if index < len(segments) and segments[index] is None and index + 1 not in states:  # GLOBSTAR
                states.add(index + 1)
                pending.append(index + 1)
        return frozenset(states)

    def step(self, states: frozenset[int], component: bytes) -> tuple[frozenset[int], bool]:
        """The states after one more component, and whether the pattern matches the path so far."""
        key = (states, component)
        found = self._memo.get(key)
        if found is None:
            found = self._step(states, component)
            if len(self._memo) < MEMO_LIMIT:
                self._memo[key] = found
        return found

    def _step(self, states: frozenset[int], component: bytes) -> tuple[frozenset[int], bool]:
        if self.pattern.basename is not None:
            return states, self.pattern.basename.matches(component)
        segments = self.pattern.segments
        following = set()
        for index in states:
            if index == len(segments):
                continue
            segment = segments[index]
            if segment is None:  # GLOBSTAR
                following.add(index)
            elif segment.matches(component):
                following.add(index + 1)
        reached = self._closure(following)
        return reached, len(segments) in reached


class PathMatcher:
    """A list of .gitignore patterns (``!`` negation included), matched as
    git matches a .gitignore at the repository's top level:
    ``services/payments/**``, ``*.md`` at any depth, ``build/`` for
    everything below a directory. ``matches('deploy/')`` asks about the
    directory itself and everything under it (how a gitlink is judged).
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._parsed = tuple(parse(pattern) for pattern in self.patterns)
        starts = _literal_starts(self._parsed)
        # a path below one of the starts, or equal to a whole one, may match; no other can
        self._below = None if starts is None else tuple(start + b'/' for start, _ in starts)
        self._whole = frozenset(start for start, whole in starts or () if whole)
        self._automata = tuple(_Automaton(pattern) for pattern in self._parsed)
        self._scanners: tuple[Any, Any] | bool | None = None  # False: RE2 could not compile them

    def first_components(self) -> frozenset[str] | None:
        """The first component of every path that may match (the rest never
        do: see ``_literal_starts``); None when a path may match whatever its first."""
        if self._below is None:
            return None
        return frozenset(below.split(b'/', 1)[0].decode('utf-8', 'surrogateescape') for below in self._below)

    def matches(self, path: str) -> bool:
        data = path.encode('utf-8', 'surrogateescape')
        if self._below is not None and not (data.startswith(self._below) or data in self._whole):
            return False  # no include can match this path or any leading directory
        if len(data) >= LONG_PATH:
            verdict = self.scan(data)
            if verdict is not None:
                return verdict
        return self.walk(data)

    def walk(self, data: bytes) -> bool:
        """The exact answer, one component at a time, in pure Python."""
        automata = self._automata
        states = [automaton.start for automaton in automata]
        components = data.split(b'/')
        last = len(components) - 1
        for position, component in enumerate(components):
            decided: bool | None = None
            for index in range(len(automata) - 1, -1, -1):  # git: the last matching pattern decides
                automaton = automata[index]
                states[index], matched = automaton.step(states[index], component)
                if decided is None and matched and not (automaton.pattern.directory_only and position == last):
                    decided = not automaton.pattern.negated
            if decided:
                return True
        return False

    def scan(self, data: bytes) -> bool | None:
        """The same answer from two RE2 scans when no negation can decide
        it (nothing included, or no negation that follows an include matches
        the path or a leading directory); None when the walk must decide."""
        scanners = self._scanners_or_none()
        if scanners is None:
            return None
        includes, negations = scanners
        if includes.match(data) is None:
            return False
        if negations is None or negations.match(data) is None:
            return True
        return None

    def _scanners_or_none(self) -> tuple[Any, Any] | None:
        if self._scanners is None:
            includes = [p for p in self._parsed if not p.negated]
            first_include = next((i for i, p in enumerate(self._parsed) if not p.negated), len(self._parsed))
            negations = [p for p in self._parsed[first_include:] if p.negated]
            import re2

            try:
                self._scanners = (_compile_any(includes), _compile_any(negations) if negations else None)
            except re2.error:  # past RE2's own limits (program size): the walk is exact on its own
                self._scanners = False
        return self._scanners if isinstance(self._scanners, tuple) else None

    def __repr__(self) -> str:
        return f'PathMatcher({list(self.patterns)!r})'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathMatcher) and other.patterns == self.patterns

    def __hash__(self) -> int:
        return hash(self.patterns)

    @staticmethod
    def problem(pattern: str) -> str | None:
        """Why ``pattern`` is not a usable path pattern, or None."""
        try:
            parse(pattern)
        except PatternError as e:
            return f'invalid path pattern {pattern!r}: {e}'
        return None


def _literal_starts(patterns: Sequence[Pattern]) -> tuple[tuple[bytes, bool], ...] | None:
    """For each include, its leading literal components (``services/payments``
    for ``services/payments/**``) and whether that is the whole pattern: a
    path neither equal to one (when whole) nor below one matches nothing.
    None when some include can start anywhere (``*.md``, ``**/x``)."""
    starts = []
    for pattern in patterns:
        if pattern.negated:
            continue
        literals = []
        for segment in pattern.segments if pattern.basename is None else ():
            if segment is None or segment.literal is None:
                break
            literals.append(segment.literal)
        if not literals:
            return None
        starts.append((b'/'.join(literals), len(literals) == len(pattern.segments)))
    return tuple(starts)


def _compile_any(patterns: Sequence[Pattern]) -> Any:
    """One RE2 regex: some pattern matches the path itself or a leading directory."""
    import re2

    alternatives = [
        f'(?:{pattern.regex()})/.*' if pattern.directory_only else f'(?:{pattern.regex()})(?:/.*)?'
        for pattern in patterns
    ]
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes, as git matches them
    options.dot_nl = True  # a path may hold a newline
    options.never_capture = True
    options.log_errors = False
    options.max_mem = 64 << 20
    body = '|'.join(alternatives) if alternatives else '[^\\x00-\\xff]'
    return re2.compile(f'\\A(?:{body})\\z'.encode('latin-1'), options=options)


def safe_repo_path(value: str) -> str | None:
    """``value`` as a repository-relative path, or None if it is not one.

    Absolute paths, ``..`` or ``.`` components, empty components,
    backslashes and control characters never name a file in the commit.
    """
    value = value.strip(' \t')
    if not value or value.startswith('/') or '\\' in value:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return None
    parts = value.split('/')
    if any(part in ('', '.', '..') for part in parts):
        return None
    return value
