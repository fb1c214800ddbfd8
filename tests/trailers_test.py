"""trailgate.trailers agrees with real git (never mocked).

* ``parse_trailers`` vs ``git interpret-trailers --parse --no-divider``, one
  process per handcrafted case (with ``#`` and with ``core.commentChar=;``);
* ``parse_trailers`` vs ``git log --format=%(trailers:unfold,only)`` over
  thousands of generated messages stored verbatim with ``git fast-import``
  (a fixed number of processes per batch);
* ``cleanup_message`` vs ``git stripspace --strip-comments`` (batched) and vs
  the message a real ``git commit`` stores, given what its commit-msg hook saw;
* a Hypothesis property over lists of messages, one fast-import + log each.

Git's config is isolated (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1,
no GIT_* from the environment), and interpret-trailers always gets
``--no-divider`` plus a timeout (git < 2.45 loops forever on a ``---`` line
followed by a scissors line without it).
"""
from __future__ import annotations

import os
import random
import stat
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from testing import trailer_corpus as corpus
from trailgate import trailers
from trailgate.trailers import cleanup_message
from trailgate.trailers import parse_trailers

BULK = 5000
BULK_SEMICOLON = 1500


def ours(message: str, comment_char: str = '#') -> bytes:
    return corpus.trailer_lines_bytes(parse_trailers(message, comment_char))


def _show(data: bytes | str, limit: int = 400) -> str:
    text = repr(data)
    return text if len(text) <= limit else f'{text[:limit]}... ({len(data)} chars)'


Disagreement = tuple[str, bytes | str, bytes | str]  # message, git's output, ours


def report(disagreements: Sequence[Disagreement], total: int) -> str:
    lines = [f'{len(disagreements)} of {total} messages disagree with git:']
    for message, git, mine in disagreements:
        lines += [f'  message: {_show(message)}', f'    git:  {_show(git)}',
                  f'    ours: {_show(mine)}']
    return '\n'.join(lines)


@pytest.fixture(scope='module')
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[corpus.GitOracle]:
    with corpus.GitOracle(tmp_path_factory.mktemp('oracle')) as git:
        yield git


def compare_via_log(oracle: corpus.GitOracle, messages: Sequence[str],
                    comment_char: str = '#') -> list[Disagreement]:
    """Disagreements between %(trailers:unfold,only) and parse_trailers."""
    from_git = oracle.log_trailers(messages, comment_char)
    bad: list[Disagreement] = []
    for message, git in zip(messages, from_git, strict=True):
        mine = ours(corpus.git_log_view(message), comment_char)
        if git != mine:
            bad.append((message, git, mine))
    return bad


# -- handcrafted cases, one interpret-trailers per case ----------------------


def _ids(cases: Sequence[corpus.Case]) -> list[str]:
    return [case.name for case in cases]


def test_handcrafted_names_are_unique() -> None:
    names = _ids(corpus.HANDCRAFTED + corpus.SEMICOLON_CASES)
    assert len(names) == len(set(names))


@pytest.mark.parametrize('case', corpus.HANDCRAFTED, ids=_ids(corpus.HANDCRAFTED))
def test_handcrafted_matches_interpret_trailers(oracle: corpus.GitOracle,
                                                case: corpus.Case) -> None:
    git = oracle.interpret_trailers(case.message)
    assert ours(case.message) == git, report([(case.message, git, ours(case.message))], 1)


@pytest.mark.parametrize('case', corpus.HANDCRAFTED + corpus.SEMICOLON_CASES,
                         ids=_ids(corpus.HANDCRAFTED + corpus.SEMICOLON_CASES))
def test_handcrafted_matches_interpret_trailers_semicolon(oracle: corpus.GitOracle,
                                                          case: corpus.Case) -> None:
    git = oracle.interpret_trailers(case.message, ';')
    mine = ours(case.message, ';')
    assert mine == git, report([(case.message, git, mine)], 1)


def test_handcrafted_matches_git_log(oracle: corpus.GitOracle) -> None:
    cases = [c.message for c in corpus.HANDCRAFTED + corpus.SEMICOLON_CASES
             if '\0' not in c.message]
    bad = compare_via_log(oracle, cases)
    bad += compare_via_log(oracle, cases, ';')
    assert not bad, report(bad, 2 * len(cases))


class Expect(NamedTuple):
    name: str
    output: bytes


# What git itself prints for the boundary cases (so that a broken oracle, say
# one that always prints nothing, cannot pass the differential tests).
EXPECTED = (
    Expect('1.5 1 SoB + 3 prose accepted', f'{corpus.SOB}\n'.encode()),
    Expect('1.5 1 SoB + 4 prose rejected', b''),
    Expect('1.5 2 trailers + 6 prose accepted', f'{corpus.SOB}\nKey: v\n'.encode()),
    Expect('1.5 2 trailers + 7 prose rejected', b''),
    Expect('1.4 only trailers, one paragraph', b''),
    Expect('1.4 empty first line', b'Key: v\n'),
    Expect('1.4 comment then blank then trailer', b'Key: v\n'),
    Expect('1.5 cherry-pick sets R, not printed', b'Key: v\n'),
    Expect('1.2 scissors cuts', b'Key: v\n'),
    Expect('1.2 commit -v buffer with --- in body', b'Key: v\n'),
    Expect('1.1 case 120 commit -s after --- body', f'{corpus.SOB}\n'.encode()),
    Expect('1.1 dependabot', b'Signed-off-by: dependabot[bot] <support@github.com>\n'),
    Expect('1.8 case 121 unfold', b'Key: a   b\t c\n'),
    Expect('1.8 case 072 CRLF unfold', b'Key: a\r b\n'),
    Expect('1.6 https (alone)', b'https: //example.com/x\n'),
    Expect('1.0 NUL truncates after trailer', b'Key: v\n'),
    Expect('1.3 Conflicts CRLF is a trailer', b'Key: v\nConflicts: f.c\n'),
    Expect('t7513 suppress --- handling', b'real-trailer: just right\n'),
)


@pytest.mark.parametrize('expect', EXPECTED, ids=[e.name for e in EXPECTED])
def test_git_behaves_as_documented(oracle: corpus.GitOracle, expect: Expect) -> None:
    case = next(c for c in corpus.HANDCRAFTED if c.name == expect.name)
    assert oracle.interpret_trailers(case.message) == expect.output
    assert ours(case.message) == expect.output


def test_log_skips_leading_blank_lines_interpret_trailers_does_not(
        oracle: corpus.GitOracle) -> None:
    """Why the bulk tests parse ``git_log_view(message)``.

    ``%(trailers)`` parses the stored message from its subject on (pretty.c
    ``skip_blank_lines``); ``interpret-trailers`` starts at byte 0, where a
    blank first line makes an empty title. parse_trailers follows
    interpret-trailers; a caller holding a raw ``%B`` must skip leading
    blank lines itself to get what git log reports for the commit.
    """
    message = '\n \t\nKey: v\n'
    assert oracle.interpret_trailers(message) == b'Key: v\n' == ours(message)
    assert oracle.log_trailers([message]) == [b''] == [ours(corpus.git_log_view(message))]


# -- bulk differential tests: fast-import + one git log ---------------------


@pytest.fixture(scope='module')
def generated() -> list[str]:
    return corpus.generate(BULK, seed=20240501)


def test_corpus_exercises_the_rules(generated: list[str]) -> None:
    """The generated corpus reaches every situation it is meant to."""
    def share(predicate: Callable[[str], object]) -> float:
        return sum(1 for m in generated if predicate(m)) / len(generated)

    cut = corpus.scissors()
    assert share(lambda m: ours(m)) > 0.25
    assert share(lambda m: '\n#' in m) > 0.1
    assert share(lambda m: cut in m) > 0.05
    assert share(lambda m: '\r\n' in m) > 0.05
    assert share(lambda m: '\nConflicts:' in m) > 0.02
    assert share(lambda m: '\n---' in m) > 0.05
    assert share(lambda m: 'cherry picked' in m) > 0.05
    assert share(lambda m: '\n ' in m or '\n\t' in m) > 0.1
    assert share(lambda m: m.startswith(('\n', ' ', '\t', '\r'))) > 0.02
    assert share(lambda m: not m.endswith('\n')) > 0.05
    assert share(lambda m: any('\udc80' <= ch <= '\udcff' for ch in m)) > 0.02
    assert share(lambda m: any(ch in m for ch in '\x0b\x0c\u0085\u2028')) > 0.05
    assert share(lambda m: max(map(len, m.split('\n'))) > 1000) > 0.01


def test_generated_messages_match_git_log(oracle: corpus.GitOracle,
                                          generated: list[str]) -> None:
    bad = compare_via_log(oracle, generated)
    assert not bad, report(bad, len(generated))


def test_generated_messages_with_semicolon_comments_match_git_log(
        oracle: corpus.GitOracle) -> None:
    messages = corpus.generate(BULK_SEMICOLON, seed=7, comment_char=';')
    assert sum(1 for m in messages if '\n;' in m) > BULK_SEMICOLON // 10
    bad = compare_via_log(oracle, messages, ';')
    assert not bad, report(bad, len(messages))


def test_generated_messages_match_interpret_trailers(oracle: corpus.GitOracle,
                                                     generated: list[str]) -> None:
    """A sample straight through interpret-trailers (no log view), favouring
    messages whose first line is blank, where the two git paths differ."""
    leading = [m for m in generated if corpus.git_log_view(m) != m]
    sample = leading[:100] + generated[:150]
    bad = []
    for message in sample:
        git = oracle.interpret_trailers(message)
        if git != ours(message):
            bad.append((message, git, ours(message)))
    assert not bad, report(bad, len(sample))


# -- auto_comment_char ---------------------------------------------------------

# git's line that names its comment character, in some of its translations
_HINTS = (
    "{c} Please enter the commit message for your changes. Lines starting\n"
    "{c} with '{c}' will be ignored, and an empty message aborts the commit.\n",
    "{c} Bitte geben Sie eine Commit-Beschreibung für Ihre Änderungen ein. Zeilen,\n"
    "{c} die mit '{c}' beginnen, werden ignoriert, und eine leere Beschreibung\n",
    "{c} Пожалуйста, введите сообщение коммита для ваших изменений. Строки,\n"
    "{c} начинающиеся с «{c}» будут проигнорированы, а пустое сообщение\n",
    "{c} Podaj komunikat zapisu swoich zmian. Wiersze zaczynające się\n{c} od „{c}” będą ignorowane\n",
    '{c} Ange incheckningsmeddelandet för dina ändringar. Rader som inleds\n{c} med "{c}" kommer ignoreras\n',
    "{c} 請輸入描述您變更的提交訊息。開頭是「{c}」\n{c} 的行皆會忽略。\n",
)


@pytest.mark.parametrize('hint', _HINTS, ids=['en', 'de', 'ru', 'pl', 'sv', 'zh_TW'])
def test_auto_comment_char_is_the_one_git_s_line_quotes(hint: str) -> None:
    # a '#' line made git choose ';'; the trailers were typed below its lines
    text = ('Retry\n\n#12 was the cause\n\n' + hint.format(c=';') + ';\n; On branch main\n'
            'Reviewed-by: A <a@example.com>\n')
    assert trailers.auto_comment_char(text, edited=True) == ';'
    # a line of the message quoting a character is not git's: git's is below it
    text = "Retry\n\n# see '#' and ';'\n; with ';'\n\n" + hint.format(c='@') + 'Reviewed-by: A <a@example.com>\n'
    assert trailers.auto_comment_char(text, edited=True) == '@'


# -- cleanup_message ----------------------------------------------------------


def _has_cut_line(message: str, comment_char: str) -> bool:
    return f'\n{corpus.scissors(comment_char)}\n' in f'\n{message}'


def test_stripspace_batch_equals_one_process_per_message(oracle: corpus.GitOracle) -> None:
    messages = corpus.generate(40, seed=11) + [c.message for c in corpus.CLEANUP_CASES]
    messages = [m for m in messages if '\0' not in m]
    assert oracle.stripspace_batch(messages) == [oracle.stripspace(m) for m in messages]


@pytest.mark.parametrize('comment_char', ['#', ';'])
def test_cleanup_matches_stripspace(oracle: corpus.GitOracle, generated: list[str],
                                    comment_char: str) -> None:
    """Messages without a cut line: cleanup is ``stripspace --strip-comments``."""
    pool = generated if comment_char == '#' else corpus.generate(1000, 5, comment_char)
    pool = pool + [c.message for c in corpus.HANDCRAFTED + corpus.CLEANUP_CASES]
    messages = [m for m in pool if '\0' not in m and not _has_cut_line(m, comment_char)]
    from_git = oracle.stripspace_batch(messages, comment_char)
    bad = [(m, g, cleanup_message(m, comment_char))
           for m, g in zip(messages, from_git, strict=True)
           if g != cleanup_message(m, comment_char)]
    assert not bad, report(bad, len(messages))


class Committer:
    """A repository with a commit-msg hook that keeps the file it was given."""

    def __init__(self, path: Path) -> None:
        self.git = corpus.GitOracle(path)
        self.path = path
        self.capture = path.parent / f'{path.name}-seen'
        self.prepared = path.parent / f'{path.name}-prepared'
        hook = path / '.git' / 'hooks' / 'commit-msg'
        hook.write_text('#!/bin/sh\ncp "$1" "$TG_CAPTURE"\n')
        # The "editor" puts our text in front of git's own template (comments,
        # and with -v the scissors line and the diff), as a user typing would.
        self.editor = path.parent / f'{path.name}-editor'
        self.editor.write_text('#!/bin/sh\ncat "$TG_PREPARED" "$1" >"$1.tg" && mv "$1.tg" "$1"\n')
        for script in (hook, self.editor):
            script.chmod(script.stat().st_mode | stat.S_IXUSR)
        self.count = 0

    def commit(self, buffer: str, mode: str, comment_char: str = '#') -> tuple[str, str]:
        """(file the commit-msg hook saw, message git stored)."""
        self.count += 1
        # A staged change whose -v diff has its own '--- a/f' and scissors-like lines.
        (self.path / 'f.c').write_text(f'{self.count}\n--- x\n# {corpus.CUT}\n')
        self.git.git('add', 'f.c')
        self.prepared.write_bytes(corpus.to_bytes(buffer))
        args = {
            'editor -v': ('commit', '-q', '-v', '--allow-empty-message'),
            '-F -v strip': ('commit', '-q', '-v', '--cleanup=strip', '--allow-empty-message',
                            '-F', str(self.prepared)),
            # scissors cuts only when the message is edited (else it is whitespace)
            'editor scissors': ('commit', '-q', '--cleanup=scissors', '--allow-empty-message'),
        }[mode]
        env = corpus.isolated_env(TG_CAPTURE=str(self.capture), TG_PREPARED=str(self.prepared),
                                  GIT_EDITOR=str(self.editor))
        self.capture.unlink(missing_ok=True)
        self.git.git(*args, comment_char=comment_char if comment_char != '#' else None,
                     env=env)
        stored = self.git.git('cat-file', 'commit', 'HEAD').split(b'\n\n', 1)[1]
        return corpus.from_bytes(self.capture.read_bytes()), corpus.from_bytes(stored)

    def log_trailers(self, comment_char: str) -> bytes:
        return self.git.git('log', '-1', '--pretty=format:%(trailers:unfold,only)', 'HEAD',
                            comment_char=comment_char)


@pytest.fixture(scope='module')
def committer(tmp_path_factory: pytest.TempPathFactory) -> Committer:
    return Committer(tmp_path_factory.mktemp('commits') / 'repo')


def _check_commit(committer: Committer, oracle: corpus.GitOracle, buffer: str, mode: str,
                  comment_char: str) -> list[Disagreement]:
    seen, stored = committer.commit(buffer, mode, comment_char)
    cleaned = cleanup_message(seen, comment_char)
    bad: list[Disagreement] = []
    # What git log reports for the commit equals our parse of what git stored.
    git = committer.log_trailers(comment_char)
    mine = ours(stored, comment_char)
    if git != mine:
        bad.append((stored, git, mine))
    if mode == 'editor scissors':
        # --cleanup=scissors cuts but keeps comment lines; the product's "strip"
        # cleanup also drops them, which stripspace -s does to git's result.
        stored = oracle.stripspace(stored, comment_char)
    if cleaned != stored:
        bad.append((seen, stored, cleaned))
    elif mode != 'editor scissors' and ours(cleaned, comment_char) != git:
        # The commit-msg hook's view equals what git log reports for the commit.
        bad.append((seen, git, ours(cleaned, comment_char)))
    return bad


@pytest.mark.parametrize('comment_char', ['#', ';'])
@pytest.mark.parametrize('mode', ['editor -v', '-F -v strip', 'editor scissors'])
@pytest.mark.parametrize('case', corpus.CLEANUP_CASES, ids=_ids(corpus.CLEANUP_CASES))
def test_cleanup_matches_git_commit(committer: Committer, oracle: corpus.GitOracle,
                                    case: corpus.Case, mode: str, comment_char: str) -> None:
    buffer = case.message.replace(corpus.scissors(), corpus.scissors(comment_char))
    bad = _check_commit(committer, oracle, buffer, mode, comment_char)
    assert not bad, report(bad, 1)


def test_cleanup_of_generated_cut_lines_matches_git_commit(
        committer: Committer, oracle: corpus.GitOracle, generated: list[str]) -> None:
    """Generated messages holding a cut line (valid UTF-8: git commit would
    rewrite invalid bytes as Latin-1), through a real ``git commit -v``."""
    def valid(message: str) -> bool:
        return not any('\udc80' <= ch <= '\udcff' for ch in message)

    messages = [m for m in generated if _has_cut_line(m, '#') and valid(m)][:25]
    assert len(messages) == 25
    rng = random.Random(3)
    bad = []
    for message in messages:
        bad += _check_commit(committer, oracle, message,
                             rng.choice(('editor -v', '-F -v strip')), '#')
    assert not bad, report(bad, len(messages))


# -- Hypothesis -----------------------------------------------------------------

_POOL = (corpus.MessageGenerator(99).interesting_lines(300)
         + corpus.MessageGenerator(98, ';').interesting_lines(60)
         + [corpus.SOB, corpus.CHERRY, corpus.scissors(), 'Conflicts:', '\tf.c', '---', '',
            ' ', 'Key: v', ' cont', '# c'])
_ALPHABET = ('a', 'K', 'y', ':', '-', ' ', '\t', '\r', '\n', '#', ';', '(', '0',
             *(c for c in corpus.ODD_CHARS if len(c) == 1))
_line = st.one_of(
    st.sampled_from(_POOL),
    st.text(alphabet=st.sampled_from(_ALPHABET), max_size=10),
    st.builds(str.__add__, st.sampled_from(_POOL), st.text(st.sampled_from(_ALPHABET),
                                                           max_size=4)),
)


def _join(lines: list[str], newline: str, final: bool) -> str:
    text = newline.join(lines) + (newline if final else '')
    return corpus.canonical(text)


_message = st.builds(_join, st.lists(_line, max_size=12), st.sampled_from(('\n', '\n', '\r\n')),
                     st.booleans())


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(messages=st.lists(_message, min_size=1, max_size=25),
       comment_char=st.sampled_from(('#', '#', ';')))
def test_property_matches_git_log(oracle: corpus.GitOracle, messages: list[str],
                                  comment_char: str) -> None:
    bad = compare_via_log(oracle, messages, comment_char)
    assert not bad, report(bad, len(messages))


def test_environment_is_isolated() -> None:
    env = corpus.isolated_env()
    assert env['GIT_CONFIG_GLOBAL'] == os.devnull
    assert env['GIT_CONFIG_NOSYSTEM'] == '1'
    assert not {k for k in env if k.startswith('GIT_')} - {
        'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'GIT_TERMINAL_PROMPT', *corpus.IDENTITY}


# -- the shortcuts, against the walks they stand for ----------------------------

_LINE_PIECES = st.sampled_from(['Key', 'a-b', '9', ' ', '\t', ':', 'x y', '\n', '\r', 'é', '-', ''])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=8).map(''.join))
def test_find_separator_is_the_walk(line: str) -> None:
    assert trailers.find_separator(line) == trailers.find_separator_walk(line)


_MESSAGE_PIECES = st.sampled_from([
    'Subject', 'Key: value', '\n', '\n', '  \n', ' ', '#', ';', '# comment\n', 'Conflicts:\n', '\tfile.c\n',
    f'# {trailers._CUT_LINE}', '\r', 'x',
])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_MESSAGE_PIECES, max_size=12).map(''.join), st.sampled_from(['#', ';', ' ', '\t']))
def test_ignored_tail_shortcut_is_the_walk(text: str, comment_char: str) -> None:
    assert trailers._ignored_tail_length(text, comment_char) == trailers._ignored_tail_walk(text, comment_char)
