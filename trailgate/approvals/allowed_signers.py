"""OpenSSH ``allowed_signers`` files (``ssh-keygen(1)``, ALLOWED SIGNERS),
as a repository's list of who may approve: parsed strictly, every problem
reported as ``FILE:LINE:COL: message`` like the policy's.

Each line is ``principals [options] keytype base64key [comment]``. Refused,
because each would let the file mean more than it shows: wildcard or
negated principals (``*``, ``?``, ``!``), ``cert-authority`` lines, unknown
or repeated options, and one key listed for two different sets of principals
(a key must count for one person; emails compare as ``fold_email`` folds
them). ``valid-after``/``valid-before`` are judged at the time the gate
runs, never at a time a signature claims.
"""
from __future__ import annotations

import calendar
import datetime
import time
from collections.abc import Mapping
from typing import NamedTuple

from trailgate.approvals import sshsig
from trailgate.errors import PolicyError

OPTIONS = ('namespaces', 'valid-after', 'valid-before')
KEY_TYPES = ('ssh-ed25519', 'ssh-rsa', *sshsig.ECDSA_CURVES)
MAX_FILE_BYTES = 1024 * 1024


class Signer(NamedTuple):
    principals: tuple[str, ...]
    key_type: str
    key: bytes  # the key blob, SSH wire format
    namespaces: tuple[str, ...] | None  # pattern-list, or None: any namespace
    valid_after: int | None  # seconds since the epoch
    valid_before: int | None
    line: int

    def emails(self) -> frozenset[str]:
        """The principals as emails compare (``fold_email``)."""
        from trailgate.model import fold_email

        return frozenset(fold_email(principal) for principal in self.principals)

    def allows_namespace(self, namespace: str) -> bool:
        return self.namespaces is None or match_pattern_list(namespace, self.namespaces)

    def namespace_problem(self, namespace: str, source: str) -> str | None:
        if self.allows_namespace(namespace):
            return None
        return f'{source} line {self.line} does not allow this key in namespace {namespace!r}'

    def window_problem(self, now: float) -> str | None:
        if self.valid_after is not None and now < self.valid_after:
            return f'the key is not valid before {_format_time(self.valid_after)} (allowed_signers line {self.line})'
        if self.valid_before is not None and now > self.valid_before:
            return f'the key expired at {_format_time(self.valid_before)} (allowed_signers line {self.line})'
        return None


class AllowedSigners(NamedTuple):
    signers: tuple[Signer, ...]
    source: str
    # each listed key's person (see ``person``), found once for the whole file:
    # a gate asks for one with every approval a push carries
    persons: Mapping[bytes, frozenset[str]]

    def lines_for_key(self, key: bytes) -> tuple[Signer, ...]:
        return tuple(signer for signer in self.signers if signer.key == key)

    def emails_with_keys(self) -> frozenset[str]:
        from trailgate.model import fold_email

        return frozenset(fold_email(p) for signer in self.signers for p in signer.principals)

    def person(self, key: bytes) -> frozenset[str]:
        """The folded emails of whoever holds ``key``. A line is one person
        (a key listed for several principals could sign as any of them), so
        lines that share a principal are the same person, transitively: two
        approvals from one person count once, and none from the author."""
        return self.persons.get(key, frozenset())

    def judge(self, key: bytes, principal: str, namespace: str, now: float) -> str | None:
        """None when ``key`` may sign as ``principal`` in ``namespace`` at
        ``now``; otherwise why not. As OpenSSH, any one line that allows it
        is enough (a key may have a line for git's namespace and another
        for trailgate's, or two validity windows)."""
        lines = self.lines_for_key(key)
        if not lines:
            return f'the key {sshsig.fingerprint(key)} is not in {self.source}'
        problems = []
        for signer in lines:
            if principal not in signer.principals:
                continue
            problem = signer.namespace_problem(namespace, self.source) or signer.window_problem(now)
            if problem is None:
                return None
            problems.append(problem)
        if problems:
            return problems[0]
        return (
            f'the key {sshsig.fingerprint(key)} belongs to {", ".join(lines[0].principals)} '
            f'in {self.source}, not to {principal}'
        )


def _format_time(seconds: int) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')


def match_pattern(name: str, pattern: str) -> bool:
    """ssh_config pattern match: ``*`` any run, ``?`` one character."""
    if not pattern:
        return not name
    if pattern[0] == '*':
        return any(match_pattern(name[i:], pattern[1:]) for i in range(len(name) + 1))
    if not name:
        return False
    if pattern[0] == '?' or pattern[0] == name[0]:
        return match_pattern(name[1:], pattern[1:])
    return False


def match_pattern_list(name: str, patterns: tuple[str, ...]) -> bool:
    """OpenSSH's pattern-list: a negated match (``!pattern``) wins."""
    matched = False
    for pattern in patterns:
        if pattern.startswith('!'):
            if match_pattern(name, pattern[1:]):
                return False
        elif match_pattern(name, pattern):
            matched = True
    return matched


class _Line:
    """One line's fields, split as OpenSSH splits them (double quotes group)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position] in ' \t':
            self.position += 1

    def field(self) -> tuple[int, str]:
        """The next whitespace-delimited field; quotes keep spaces inside."""
        self.skip_space()
        start = self.position
        quoted = False
        while self.position < len(self.text):
            char = self.text[self.position]
            if char == '"':
                quoted = not quoted
            elif char in ' \t' and not quoted:
                break
            self.position += 1
        if quoted:
            raise _Problem(start, 'unterminated double quote')
        return start, self.text[start:self.position]


class _Problem(Exception):
    def __init__(self, column: int, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def parse(data: bytes, filename: str) -> AllowedSigners:
    """Parse and validate a whole file; PolicyError lists every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise PolicyError(f'{filename}: the allowed-signers file is larger than 1 MiB',
                          (f'{filename}:1:1: file too large',))
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        row = data[:e.start].count(b'\n') + 1
        raise PolicyError(f'{filename}: the allowed-signers file is not UTF-8 text',
                          (f'{filename}:{row}:1: not valid UTF-8',)) from None
    signers: list[Signer] = []
    problems: list[tuple[int, int, str]] = []
    for number, raw_line in enumerate(text.split('\n'), start=1):
        line = raw_line.rstrip('\r')
        stripped = line.strip(' \t')
        if not stripped or stripped.startswith('#'):
            continue
        try:
            signers.append(_parse_line(line, number))
        except _Problem as problem:
            problems.append((number, problem.column + 1, problem.message))
    problems.extend(_shared_keys(signers))
    if problems:
        problems.sort()
        lines = tuple(f'{filename}:{row}:{col}: {message}' for row, col, message in problems)
        raise PolicyError(
            f'{filename}: the allowed-signers file is invalid ({len(lines)} problem'
            f'{"s" if len(lines) != 1 else ""})',
            lines,
        )
    return AllowedSigners(tuple(signers), filename, _persons(signers))


def _persons(signers: list[Signer]) -> dict[bytes, frozenset[str]]:
    """Each key's person: the folded emails of every line linked to its lines
    by a shared principal, transitively; in one pass over the file."""
    emails_of = [signer.emails() for signer in signers]
    lines_of: dict[str, list[int]] = {}
    for line, principals in enumerate(emails_of):
        for email in principals:
            lines_of.setdefault(email, []).append(line)
    persons: dict[bytes, frozenset[str]] = {}
    seen: set[int] = set()
    for first in range(len(signers)):
        if first in seen:
            continue
        seen.add(first)
        linked, todo = [first], [first]
        emails: set[str] = set()
        while todo:
            for email in emails_of[todo.pop()] - emails:  # each email's lines are visited once
                emails.add(email)
                for line in lines_of[email]:
                    if line not in seen:
                        seen.add(line)
                        linked.append(line)
                        todo.append(line)
        person = frozenset(emails)
        persons.update((signers[line].key, person) for line in linked)
    return persons


def _shared_keys(signers: list[Signer]) -> list[tuple[int, int, str]]:
    """A key listed again for other principals; the case of an email's ASCII
    letters makes no other principal, as wherever emails are compared."""
    problems = []
    owner: dict[bytes, Signer] = {}
    for signer in signers:
        first = owner.setdefault(signer.key, signer)
        if first is not signer and first.emails() != signer.emails():
            problems.append((
                signer.line, 1,
                f'this key is already listed for {", ".join(first.principals)} on line {first.line}: '
                f'one key must belong to one set of principals, or one person could approve as two',
            ))
    return problems


def _parse_line(text: str, number: int) -> Signer:
    line = _Line(text)
    column, principals_field = line.field()
    principals = _principals(principals_field, column)
    options: dict[str, str] = {}
    column, field = line.field()
    if field not in KEY_TYPES and not field.startswith(('sk-', 'ssh-', 'ecdsa-')):
        options = _options(field, column)
        column, field = line.field()
    key_type = field
    if not key_type:
        raise _Problem(column, 'missing the key type and key after the principals')
    key_column, encoded = line.field()
    if not encoded:
        raise _Problem(key_column, f'missing the base64 key after {key_type!r}')
    try:
        _, blob = sshsig.public_key_blob(key_type, encoded)
    except sshsig.SignatureError as e:
        raise _Problem(column, str(e)) from None
    namespaces = None
    if 'namespaces' in options:
        namespaces = tuple(options['namespaces'].split(','))
        if not all(namespaces):
            raise _Problem(0, 'namespaces="..." has an empty entry')
    return Signer(
        principals=principals,
        key_type=key_type,
        key=blob,
        namespaces=namespaces,
        valid_after=_time_option(options, 'valid-after'),
        valid_before=_time_option(options, 'valid-before'),
        line=number,
    )


def _principals(field: str, column: int) -> tuple[str, ...]:
    if field.startswith('"'):
        if len(field) < 2 or not field.endswith('"') or '"' in field[1:-1]:
            raise _Problem(column, 'principals: a quoted list must be one quoted string')
        field = field[1:-1]
    elif '"' in field:
        raise _Problem(column, 'principals: a stray double quote')
    principals = tuple(field.split(','))
    for principal in principals:
        if not principal:
            raise _Problem(column, 'principals: an empty entry in the comma-separated list')
        if any(char in principal for char in '*?!'):
            raise _Problem(
                column,
                f'principals: {principal!r} is a pattern; list each reviewer\'s email exactly '
                f'(a wildcard would let the key sign as anyone)',
            )
        if any(char in principal for char in ' \t<>'):
            raise _Problem(column, f'principals: {principal!r} is not a bare email')
    return principals


def _options(field: str, column: int) -> dict[str, str]:
    options: dict[str, str] = {}
    position = 0
    while position < len(field):
        end = position
        quoted = False
        while end < len(field) and (quoted or field[end] != ','):
            if field[end] == '"':
                quoted = not quoted
            end += 1
        option = field[position:end]
        name, equals, value = option.partition('=')
        name = name.lower()
        if name == 'cert-authority':
            raise _Problem(column + position, 'cert-authority lines are not supported: list each reviewer\'s own key')
        if name not in OPTIONS:
            raise _Problem(column + position, f'unknown option {name!r} (known: {", ".join(OPTIONS)})')
        if not equals or len(value) < 2 or not value.startswith('"') or not value.endswith('"'):
            raise _Problem(column + position, f'{name} needs a double-quoted value: {name}="..."')
        if name in options:
            raise _Problem(column + position, f'{name} is given twice')
        options[name] = value[1:-1]
        position = end + 1
        if end < len(field) and position == len(field):
            raise _Problem(column + end, 'a trailing comma after the options')
    return options


def _time_option(options: dict[str, str], name: str) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    parsed = parse_time(value)
    if parsed is None:
        raise _Problem(0, f'{name}={value!r} is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]')
    return parsed


def parse_time(value: str) -> int | None:
    """OpenSSH's validity times: local time, or UTC with a ``Z``."""
    utc = value.endswith(('Z', 'z'))  # OpenSSH takes either case
    digits = value[:-1] if utc else value
    formats = {8: '%Y%m%d', 12: '%Y%m%d%H%M', 14: '%Y%m%d%H%M%S'}
    if not digits.isdigit() or not digits.isascii() or len(digits) not in formats:
        return None
    try:
        moment = datetime.datetime.strptime(digits, formats[len(digits)])
    except ValueError:
        return None
    if utc:
        return calendar.timegm(moment.timetuple())
    return int(time.mktime(moment.timetuple()))


def format_line(email: str, public_key_line: str) -> str:
    """An allowed_signers line for ``trailgate signers add``: checked, comment kept."""
    fields = public_key_line.split()
    if len(fields) < 2:
        raise sshsig.SignatureError('not an OpenSSH public key: expected "TYPE BASE64 [comment]"')
    sshsig.public_key_blob(fields[0], fields[1])
    try:
        _principals(email, 0)
    except _Problem as problem:
        raise ValueError(problem.message) from None
    return ' '.join((email, *fields)) + '\n'
