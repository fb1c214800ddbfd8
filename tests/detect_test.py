"""Policy-driven AI detection: disclosure trailers, identity and marker regexes."""
from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trailgate import detect as detect_module
from trailgate import regexes
from trailgate.detect import Signal
from trailgate.detect import detect
from trailgate.detect import required_text
from trailgate.model import Commit
from trailgate.model import Identity
from trailgate.policy import AiConfig
from trailgate.policy import load_policy
from trailgate.signatures import SIGNATURES
from trailgate.trailers import parse_trailers

HUMAN = Identity('Dev Eloper', 'dev@example.com')
CLAUDE_CO_AUTHOR = 'Co-Authored-By: Claude <noreply@anthropic.com>'


def ai_config(section: str) -> AiConfig:
    return load_policy(f'version: 1\nai: {section}\n'.encode(), 'p.yaml').ai


def commit(
    message: str,
    author: Identity = HUMAN,
    committer: Identity = HUMAN,
) -> Commit:
    return Commit(
        sha=None,
        message=message,
        trailers=parse_trailers(message),
        author=author,
        committer=committer,
        date=datetime.date(2026, 4, 1),
        paths=frozenset({'src/a.py'}),
    )


def with_trailers(*lines: str) -> Commit:
    return commit('Fix the thing\n\nBecause.\n\n' + '\n'.join(lines) + '\n')


DEFAULT = AiConfig()


# -- disclosure trailers ---------------------------------------------------------


@pytest.mark.parametrize('value', ['none', 'no', 'n/a', 'None', 'N/A', 'NO', 'NONE', ' n/a '])
def test_disclosure_values_that_do_not_mark(value: str) -> None:
    assert detect(DEFAULT, with_trailers(f'Assisted-by: {value}')) == ()
    assert detect(DEFAULT, with_trailers(f'Generated-by: {value}')) == ()


@pytest.mark.parametrize('value', [
    'Claude', 'yes', 'GPT-4o via ChatGPT', 'nope', 'n/a but', 'nonexistent',
])
def test_disclosure_values_that_mark(value: str) -> None:
    (signal,) = detect(DEFAULT, with_trailers(f'Assisted-by: {value}'))
    assert signal == Signal(
        'ai.disclosure_trailers', value, 'Assisted-by trailer', f'Assisted-by: {value}',
    )


def test_disclosure_key_is_case_insensitive() -> None:
    (signal,) = detect(DEFAULT, with_trailers('generated-BY: tool'))
    assert signal.where == 'generated-BY trailer'


def test_disclosure_in_the_body_is_not_a_trailer() -> None:
    message = 'Fix\n\nAssisted-by: Claude\n\nMore prose after it, so no trailer block.\n'
    assert detect(DEFAULT, commit(message)) == ()


def test_custom_disclosure_list_replaces_the_default() -> None:
    ai = ai_config('{disclosure_trailers: [AI-Used]}')
    assert ai.disclosure_trailers == ('AI-Used',)
    assert detect(ai, with_trailers('Assisted-by: Claude')) == ()
    (signal,) = detect(ai, with_trailers('AI-Used: Copilot'))
    assert (signal.source, signal.tool, signal.where) == (
        'ai.disclosure_trailers', 'Copilot', 'AI-Used trailer',
    )
    assert detect(ai, with_trailers('AI-Used: no')) == ()


def test_empty_disclosure_list_disables_disclosure() -> None:
    ai = ai_config('{disclosure_trailers: []}')
    assert detect(ai, with_trailers('Assisted-by: Claude', 'Generated-by: Copilot')) == ()


def test_every_disclosure_trailer_is_a_signal() -> None:
    found = detect(DEFAULT, with_trailers('Assisted-by: A', 'Generated-by: B', 'Assisted-by: none'))
    assert [s.tool for s in found] == ['A', 'B']


# -- identities ------------------------------------------------------------------


IDENTITIES = ai_config(r"{identities: ['<ai-bot@shop\.example\.com>$', '^Robo ']}")


def test_identity_regex_over_the_author() -> None:
    bot = Identity('Shop Bot', 'ai-bot@shop.example.com')
    (signal,) = detect(IDENTITIES, commit('Fix\n', author=bot))
    assert signal == Signal(
        'ai.identities[0]', 'Shop Bot <ai-bot@shop.example.com>', 'author',
        'Shop Bot <ai-bot@shop.example.com>',
    )


def test_identity_regex_over_the_committer() -> None:
    (signal,) = detect(IDENTITIES, commit('Fix\n', committer=Identity('Robo Cop', 'rc@x.org')))
    assert (signal.source, signal.where, signal.text) == (
        'ai.identities[1]', 'committer', 'Robo Cop <rc@x.org>',
    )


def test_identity_regex_over_co_authored_by() -> None:
    found = detect(IDENTITIES, with_trailers('Co-authored-by: Bot <ai-bot@shop.example.com>'))
    (signal,) = found
    assert (signal.source, signal.where, signal.text) == (
        'ai.identities[0]', 'Co-authored-by trailer', 'Bot <ai-bot@shop.example.com>',
    )


def test_identity_regex_matches_each_place() -> None:
    bot = Identity('Robo', 'r@example.com')
    found = detect(IDENTITIES, with_trailers('Co-Authored-By: Robo Two <r2@example.com>'))
    assert found[0].where == 'Co-authored-by trailer'
    found = detect(IDENTITIES, commit('Fix\n', author=bot, committer=bot))
    assert [s.where for s in found] == ['author', 'committer']


def test_identity_regex_is_not_run_over_other_trailers_or_the_body() -> None:
    found = detect(IDENTITIES, with_trailers('Reviewed-by: Bot <ai-bot@shop.example.com>'))
    assert found == ()
    assert detect(IDENTITIES, commit('Robo wrote this\n\nai-bot@shop.example.com\n')) == ()


# -- markers ---------------------------------------------------------------------


MARKERS = ai_config(r"{markers: ['^Generated by ShopGPT', 'prompt: \S+$']}")


def test_marker_is_multi_line() -> None:
    message = 'Fix the thing\n\nSome prose.\nGenerated by ShopGPT v2\n'
    (signal,) = detect(MARKERS, commit(message))
    assert signal == Signal(
        'ai.markers[0]', 'policy marker', 'message line 4', 'Generated by ShopGPT',
    )


def test_marker_dollar_matches_at_line_end() -> None:
    message = 'Fix\n\nprompt: make-it-fast\nmore text\n'
    (signal,) = detect(MARKERS, commit(message))
    assert (signal.source, signal.where, signal.text) == (
        'ai.markers[1]', 'message line 3', 'prompt: make-it-fast',
    )


def test_marker_anchor_is_not_mid_line() -> None:
    assert detect(MARKERS, commit('Fix\n\nNot Generated by ShopGPT\n')) == ()


@pytest.mark.filterwarnings('error')  # Python's re warns of a nested set: it must not escape
@pytest.mark.parametrize('pattern', [
    r'AI[[:space:]]generated', r'AI[^[:alpha:]]generated', r'AI[x[:space:]]generated', r'(?i)AI[[:space:]]GENERATED:',
])
def test_marker_with_a_posix_class_is_found(pattern: str) -> None:
    # RE2 reads [[:space:]] as one class; Python's parse reads a set, then a literal ']'
    ai = ai_config(f'{{markers: [{pattern!r}]}}')
    (signal,) = detect(ai, commit('Fix\n\nAI generated: yes\n'))
    assert signal.source == 'ai.markers[0]'


def test_marker_on_the_subject_line() -> None:
    (signal,) = detect(MARKERS, commit('Generated by ShopGPT: fix\n'))
    assert signal.where == 'message line 1'


# -- the built-in catalogue switch ------------------------------------------------------


def test_builtin_catalogue_detects_by_default() -> None:
    found = detect(DEFAULT, with_trailers(CLAUDE_CO_AUTHOR))
    assert found
    assert all(not s.source.startswith('ai.') for s in found)
    assert found[0].tool == 'Claude Code'


def test_builtin_signatures_false_disables_the_catalogue_only() -> None:
    ai = ai_config(
        "{builtin_signatures: false, markers: ['^Generated by ShopGPT'], "
        "identities: ['^Robo ']}",
    )
    assert ai.builtin_signatures is False
    assert detect(ai, with_trailers(CLAUDE_CO_AUTHOR)) == ()
    assert [s.source for s in detect(ai, with_trailers('Assisted-by: Claude'))] == [
        'ai.disclosure_trailers',
    ]
    assert [s.source for s in detect(ai, commit('Fix\n\nGenerated by ShopGPT\n'))] == [
        'ai.markers[0]',
    ]
    robo = Identity('Robo One', 'robo@example.com')
    assert [(s.source, s.where) for s in detect(ai, commit('Fix\n', author=robo))] == [
        ('ai.identities[0]', 'author'),
    ]


def test_catalogue_and_policy_signals_add_up() -> None:
    found = detect(DEFAULT, with_trailers(CLAUDE_CO_AUTHOR, 'Assisted-by: Claude Code'))
    sources = [s.source for s in found]
    assert sources[-1] == 'ai.disclosure_trailers'
    assert len(sources) >= 2


def test_plain_human_commit_has_no_signals() -> None:
    message = (
        'Fix retry in checkout\n\nClaude from QA noticed it.\n\n'
        'Reviewed-by: Alice <a@example.com>\n'
    )
    assert detect(DEFAULT, commit(message)) == ()


def test_signal_str_names_tool_source_and_place() -> None:
    (signal,) = detect(DEFAULT, with_trailers('Assisted-by: Claude'))
    assert str(signal) == (
        'Claude [ai.disclosure_trailers] in Assisted-by trailer: Assisted-by: Claude'
    )


def test_identities_remembered_across_commits_give_the_same_signals_in_order() -> None:
    """A range's commits share authors: what each identity matches is
    remembered per policy, and the signals keep their order (catalogue by
    identity, then the policy's patterns one by one)."""
    ai = ai_config("{identities: ['example\\.com>$', '^Claude '], markers: ['^Generated by X']}")
    other = ai_config("{identities: ['^Dev ']}")
    bot = Identity('Claude', 'noreply@anthropic.com')
    first = commit('Change\n\nGenerated by X\n', author=HUMAN, committer=bot)
    expected = [
        ('claude-web-identity', 'committer'),
        ('ai.identities[0]', 'author'),
        ('ai.identities[1]', 'committer'),
        ('ai.markers[0]', 'message line 3'),
    ]
    for _ in range(3):
        assert [(s.source, s.where) for s in detect(ai, first)] == expected
        assert [(s.source, s.where) for s in detect(other, first)] == [
            ('claude-web-identity', 'committer'), ('ai.identities[0]', 'author')]
    assert detect(ai, commit('Change\n')) == detect(ai_config("{identities: ['example\\.com>$', '^Claude ']}"),
                                                     commit('Change\n'))


# -- the text a marker's every match contains (the pre-screen) -------------------

# (pattern, flags, texts it matches: letters in other cases and look-alikes included)
MATCHING = [
    (r'^🤖 Generated with (?:Claude Code|x)', re.MULTILINE, ['body\n🤖 Generated with x']),
    (r'^https://claude\.ai/code/session_[a-z]+$', re.MULTILINE | re.IGNORECASE,
     ['HTTPS://CLAUDE.AI/CODE/SESSION_ABC', 'httpſ://claude.ai/code/ſession_ſ']),
    (r'(?i)kelvin: \d+ K', 0, ['KELVIN: 4 \u212a', '\u212aelvin: 12 k']),
    (r'ab*c:d{2}', 0, ['ac:dd', 'abbbc:dd']),
    (r'x(?i:YZ)-w', 0, ['xyz-w', 'xYz-w']),
    (r'(?:a|b)c\.d', 0, ['ac.d', 'bc.d']),
    (r'\Aaider: ', 0, ['aider: fix']),
    (r'[0-9]+', 0, ['7']),
    # not letters, yet each has another case: a circled letter, a Roman numeral
    (r'(?i)\u24b6: \u2160', 0, ['\u24d0: \u2170', '\u24b6: \u2160']),
]


@pytest.mark.parametrize(('pattern', 'flags', 'texts'), MATCHING)
def test_every_match_holds_the_required_text(pattern: str, flags: int, texts: list[str]) -> None:
    required = required_text(pattern, flags)
    for text in texts:
        assert re.search(pattern, text, flags), text
        assert required in text, (required, text)


def test_required_text_leaves_out_letters_that_case_folds_can_change() -> None:
    assert required_text('abc', re.IGNORECASE) == ''
    assert required_text('(?i)ab://c', 0) == '://'
    assert required_text('ab://c', 0) == 'ab://c'
    assert required_text('(unclosed', 0) == ''


def test_a_policy_marker_holding_u_fffd_finds_a_byte_that_is_not_utf_8() -> None:
    """RE2 searches a message read with an invalid byte as if the byte were
    U+FFFD: the pre-screen must not ask for a U+FFFD the message does not hold."""
    ai = ai_config('{markers: ["^bad \\uFFFD byte"]}')
    assert [s.source for s in detect(ai, commit('Fix\n\nbad \udcff byte\n'))] == ['ai.markers[0]']


def test_every_catalogue_marker_has_text_to_screen_by() -> None:
    markers = [signature for signature in SIGNATURES if signature.kind == 'marker']
    assert markers
    assert all(required_text(s.pattern.pattern, s.pattern.flags) for s in markers), [
        s.id for s in markers if not required_text(s.pattern.pattern, s.pattern.flags)
    ]


# policy markers run on RE2: the text Python's parse requires must be in RE2's every match
POLICY_MATCHING = [
    (r'^Generated by ShopGPT', re.MULTILINE, ['x\nGenerated by ShopGPT v2']),
    (r'\%done\.', 0, ['%done.']),
    (r'x{,2}y:z', 0, ['x{,2}y:z']),  # RE2 reads {,2} as text, Python as a repeat
    (r'a{b}c', 0, ['a{b}c']),
    (r'(?i)tool: \x41I', 0, ['TOOL: aI', 'tool: Ai']),
    (r'\x41\.\t', 0, ['A.\t']),
    (r'made by (?:bot|agent)\b', 0, ['made by agent']),
]


@pytest.mark.parametrize(('pattern', 'flags', 'texts'), POLICY_MATCHING)
def test_every_re2_match_holds_the_required_text(pattern: str, flags: int, texts: list[str]) -> None:
    assert regexes.problem(pattern) is None
    compiled = regexes.compile(pattern, flags)
    required = required_text(pattern, flags)
    assert required
    for text in texts:
        assert compiled.search(text), text
        assert required in text, (required, text)


_PATTERN_PIECES = st.sampled_from([
    'a', 'B', ':', '.', r'\.', '{', '}', ',', '2', '{,2}', '{2}', '(?:a|:)', '*', '?', r'\x41', r'\%', ' ', '^', '$',
    '[', ']', '[:', ':]', '[[:space:]]', '[^[:punct:]]', '[[.a.]]', r'\:',
])


@pytest.mark.filterwarnings('error')  # Python's re warns of a nested set: it must not escape
@settings(max_examples=400, deadline=None)
@given(st.booleans(), st.lists(_PATTERN_PIECES, min_size=1, max_size=6).map(''.join),
       st.lists(st.sampled_from(['a', 'A', 'b', 'B', ':', '.', '{', '}', ',', '2', ' ', '%', '\n', '[', ']']),
                max_size=12).map(''.join))
def test_no_re2_match_lacks_the_required_text(ignore_case: bool, pattern: str, text: str) -> None:
    pattern = f'(?i){pattern}' if ignore_case else pattern
    assume(regexes.problem(pattern) is None)
    if regexes.compile(pattern, re.MULTILINE).search(text):
        assert required_text(pattern, re.MULTILINE) in text


# -- a squash merge's message ------------------------------------------------------


# what `git merge --squash feature` leaves in SQUASH_MSG (git log's medium
# format, each message indented), as `git commit` stores it
SQUASHED = """\
Squashed commit of the following:

commit 9ad34d28eee7b010ecb0185e289f00cc9ed9d558
Author: Dev Eloper <dev@example.com>
Date:   Mon Nov 30 10:50:20 2026 +0000

    Retry the charge

    Co-authored-by: Claude <noreply@anthropic.com>

commit 1b2c3d4e5f60718293a4b5c6d7e8f90123456789
Author: Cursor Agent <cursoragent@cursor.com>
Date:   Mon Nov 30 10:40:00 2026 +0000

    Cache the card token
"""


def test_the_commits_a_squash_merge_lists_are_searched_for_marks() -> None:
    signals = detect(DEFAULT, commit(SQUASHED))
    assert [(s.source, s.where) for s in signals] == [
        ('claude-code-co-author', 'Co-authored-by trailer of squashed commit 9ad34d28eee7'),
        ('cursor-agent', 'author of squashed commit 1b2c3d4e5f60'),
    ]


def test_a_squash_merge_with_a_subject_of_its_own_is_searched_too() -> None:
    signals = detect(DEFAULT, commit('Retry card charges\n\n' + SQUASHED))
    assert {s.source for s in signals} == {'claude-code-co-author', 'cursor-agent'}


def test_the_squashed_commits_disclosure_trailers_count() -> None:
    text = SQUASHED.replace('Co-authored-by: Claude <noreply@anthropic.com>', 'Assisted-by: Claude Code')
    signals = detect(DEFAULT, commit(text))
    assert ('ai.disclosure_trailers', 'Assisted-by trailer of squashed commit 9ad34d28eee7') in {
        (s.source, s.where) for s in signals
    }


@pytest.mark.parametrize('end', ['\n', ''])
def test_the_last_line_of_a_squash_message_is_read(end: str) -> None:
    """The last commit listed ends the message (a stored message may lack its final newline)."""
    last = SQUASHED.split('\ncommit 1b2c')[0].rstrip('\n') + end
    signals = detect(DEFAULT, commit(last))
    assert [s.source for s in signals] == ['claude-code-co-author']


def test_a_log_quoted_without_the_squash_header_is_prose() -> None:
    text = 'Explain the bug\n\nSeen in:\n\n' + SQUASHED.split('\n\n', 1)[1]
    assert detect(DEFAULT, commit(text)) == ()


def test_a_human_squash_merge_has_no_signal() -> None:
    human = SQUASHED.replace('Co-authored-by: Claude <noreply@anthropic.com>', 'Signed-off-by: Dev <dev@example.com>')
    human = human.replace('Cursor Agent <cursoragent@cursor.com>', 'Dev Eloper <dev@example.com>')
    assert detect(DEFAULT, commit(human)) == ()


def test_nested_squash_logs_are_read_one_level_deep() -> None:
    # a hostile message nests the log many times: no recursion, no error
    text = SQUASHED
    for _ in range(50):
        text = 'Squashed commit of the following:\n\ncommit ' + '0' * 40 + '\nAuthor: A <a@example.com>\n\n' + \
            ''.join(f'    {line}\n' if line else '\n' for line in text.split('\n'))
    assert detect(DEFAULT, commit(text)) == ()


# -- an AI identity in a sign-off ------------------------------------------------------


@pytest.mark.parametrize(('line', 'source'), [
    ('Signed-off-by: Claude <noreply@anthropic.com>', 'claude-code-co-author'),
    ('Signed-off-by: Claude Opus 4.6 <noreply@anthropic.com>', 'claude-code-co-author'),
    ('signed-off-by: Cursor Agent <cursoragent@cursor.com>', 'cursor-agent'),
    ('Signed-off-by: Copilot <198982749+Copilot@users.noreply.github.com>', 'copilot-swe-agent'),
])
def test_an_ai_identity_signing_off_is_a_signal(line: str, source: str) -> None:
    # the kernel: "AI agents MUST NOT add Signed-off-by tags"; one that does marks the commit
    signals = detect(DEFAULT, with_trailers(line))
    assert [(s.source, s.where) for s in signals] == [(source, 'Signed-off-by trailer')]


@pytest.mark.parametrize('line', [
    'Reviewed-by: Claude <noreply@anthropic.com>',
    'Acked-by: Cursor Agent <cursoragent@cursor.com>',
    'Reported-by: Copilot <198982749+Copilot@users.noreply.github.com>',
])
def test_an_ai_identity_in_another_trailer_is_not_a_signal(line: str) -> None:
    # the catalogue's places: author, committer, Co-authored-by, Signed-off-by
    assert detect(DEFAULT, with_trailers(line)) == ()


def test_a_human_sign_off_is_not_a_signal() -> None:
    assert detect(DEFAULT, with_trailers('Signed-off-by: Claude Martin <cm@gmail.com>')) == ()


def test_policy_identities_do_not_search_sign_offs() -> None:
    # the contract's places for ai.identities: author, committer, Co-authored-by
    ai = ai_config("{builtin_signatures: false, identities: ['<bot@example\\.com>$']}")
    assert detect(ai, with_trailers('Signed-off-by: Bot <bot@example.com>')) == ()


# -- crafted messages: no hang, no crash, no tool named --------------------------------

MEGABYTE = 1 << 20
# each catalogue pattern's own start, then a megabyte that almost completes it:
# a backtracking search would never finish on these
_ALMOST = [
    '🤖 Generated with [Claude Code](https://claude.ai/' + 'a' * MEGABYTE,
    ('🤖 Generated with [Claude Code](https://claude.ai/' + 'a' * 40 + '\n') * (MEGABYTE // 80),
    'https://claude.ai/code/session_' + 'A' * MEGABYTE + '!',
    'claude-session:' + ' ' * MEGABYTE + 'x',
    '🤖 Generated with opencode' + ' ' * MEGABYTE + 'x',
    '# Aider chat conversation:' + ' ' * MEGABYTE + 'x',
    'Generated with [Devin](https://cli.devin.ai/docs' + 'x' * MEGABYTE,
    'aider: ' * (MEGABYTE // 7),
    '<' * MEGABYTE,
    ' (aider) <' * (MEGABYTE // 10),
    ',' * MEGABYTE + 'P',
]
_ALMOST_TRAILERS = [
    'Agent-Logs-Url: https://github.com/' + 'a/' * (MEGABYTE // 2),
    'Amp-Thread-ID: https://ampcode.com/threads/' + 'T' * MEGABYTE,
    'Copilot-Session: ' + '0-' * (MEGABYTE // 2),
    'Assisted-by: ' + ' via Crush' * (MEGABYTE // 10) + ' <crush@charm.land',
    'Co-authored-by: Claude ' + '< ' * (MEGABYTE // 2) + 'noreply@anthropic.com',
    'Co-authored-by: ' + 'a@' * (MEGABYTE // 2) + ' x',
    'Co-authored-by: Claude <' + ' ' * MEGABYTE + 'noreply@anthropic.com',
    'Co-authored-by: ' + 'a' * MEGABYTE + '@' + 'b' * MEGABYTE + ' x',
    'Co-authored-by: x <' + '1+' * (MEGABYTE // 2) + 'sweep-ai[bot]@users.noreply.github.com',
]
SLOW_POLICY = ai_config(
    "{identities: ['(?:a|a)+$', '(.*,){12}x', '<.*@.*\\.com>$'], "
    "markers: ['(?:a{1,30}){1,30}$', '\\s*\\s*\\s*\\s*\\s*\\s*\\s*\\s*x', '^(.*?,){11}P']}",
)


@pytest.mark.parametrize('text', _ALMOST, ids=range(len(_ALMOST)))
def test_a_megabyte_line_is_searched_without_backtracking(text: str) -> None:
    for ai in (DEFAULT, SLOW_POLICY):
        detect(ai, commit(f'Fix\n\n{text}\n'))
        detect(ai, commit(f'{text}\n'))
        detect(ai, commit('Fix\n', author=Identity(text, 'dev@example.com')))
    assert detect(DEFAULT, commit('Fix\n', author=Identity(text, 'dev@example.com'))) == ()


@pytest.mark.parametrize('line', _ALMOST_TRAILERS, ids=range(len(_ALMOST_TRAILERS)))
def test_a_megabyte_trailer_names_no_tool(line: str) -> None:
    assert [s for s in detect(DEFAULT, with_trailers(line)) if not s.source.startswith('ai.')] == []
    detect(SLOW_POLICY, with_trailers(line))


def test_a_disclosure_the_catalogue_names_is_one_signal_for_its_tool() -> None:
    """Crush writes ``Assisted-by: Crush:<model>``: the catalogue names Crush,
    and the same trailer is not a second tool ("Crush:auto") in the reports."""
    found = detect(DEFAULT, with_trailers('Assisted-by: Crush:auto'))
    assert [(s.source, s.tool) for s in found] == [('crush-assisted-by', 'Crush')]


def test_a_disclosure_the_catalogue_does_not_name_is_its_own_signal() -> None:
    found = detect(DEFAULT, with_trailers('Assisted-by: Crush:auto', 'Assisted-by: GPT-5 via chat'))
    assert [(s.source, s.tool) for s in found] == [
        ('crush-assisted-by', 'Crush'), ('ai.disclosure_trailers', 'GPT-5 via chat'),
    ]
    without_catalogue = detect(ai_config('{builtin_signatures: false}'), with_trailers('Assisted-by: Crush:auto'))
    assert [(s.source, s.tool) for s in without_catalogue] == [('ai.disclosure_trailers', 'Crush:auto')]


@pytest.mark.parametrize('line', [
    'Co-authored-by: noreply@anthropic.com',
    'Co-authored-by: Claude < noreply@anthropic.com >',
])
def test_a_co_author_email_is_read_bare_or_with_blanks_in_its_brackets(line: str) -> None:
    # git trims the blanks of an author's email, never of a trailer's
    assert [(s.source, s.where) for s in detect(DEFAULT, with_trailers(line))] == [
        ('claude-code-co-author', 'Co-authored-by trailer')]


def test_a_github_app_matched_by_its_login_is_one_signal() -> None:
    app = Identity('gemini-cli[bot]', '218195315+gemini-cli[bot]@users.noreply.github.com')
    assert [(s.source, s.where) for s in detect(DEFAULT, commit('Fix\n', author=app))] == [
        ('gemini-cli-bot', 'author')]


def test_what_an_earlier_policy_at_the_same_address_matched_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Identities are remembered per policy object, found by ``id``: a policy
    freed and another allocated at its address must not inherit its memo."""
    old, new = ai_config("{markers: ['^Old']}"), ai_config("{markers: ['^New']}")
    monkeypatch.setitem(detect_module._MEMOS, id(new), detect_module._Identities(old))
    assert [s.source for s in detect(new, commit('New\n'))] == ['ai.markers[0]']


def test_a_marker_is_reported_without_the_blanks_it_matched() -> None:
    ai = ai_config("{markers: ['^Generated by X[ \\t]*$']}")
    found = detect(ai, commit('Fix\n\nhttps://claude.ai/code/session_01ab \t\nGenerated by X \t\n'))
    assert [(s.source, s.text) for s in found] == [
        ('claude-session', 'https://claude.ai/code/session_01ab'), ('ai.markers[0]', 'Generated by X')]
