"""``trailgate prepare-commit-msg MSGFILE [SOURCE [SHA]]``: hint the trailers
the staged change will need, as comment lines in the editor. Never blocks.
"""
from __future__ import annotations

import os

from trailgate import git
from trailgate import invocation
from trailgate import regexes
from trailgate import staged
from trailgate.detect import detect
from trailgate.display import visible
from trailgate.evaluate import RuleResult
from trailgate.evaluate import assess
from trailgate.model import POLICY_OWNERS_RULE
from trailgate.model import Commit
from trailgate.policy import Policy
from trailgate.trailers import AUTO_COMMENT_CHARS
from trailgate.trailers import locate_cut_line

HINT_MARK = 'trailgate:'
# no hints for these: merges and squashes come with their own message
_SKIPPED_SOURCES = frozenset(('merge', 'squash'))
_KEEPS_COMMENTS = frozenset(('verbatim', 'whitespace'))


def _editor_will_open(source: str) -> bool:
    return staged.editor_runs() and source not in _SKIPPED_SOURCES


def _hint_lines(policy: Policy, result: RuleResult, ai_assisted: bool, remind: bool) -> list[str]:
    rule = next(rule for rule in policy.rules if rule.id == result.rule)
    # a path may hold a newline, which would end the comment: spelled out
    paths = ', '.join(visible(path) for path in result.paths[:3]) + (', ...' if len(result.paths) > 3 else '')
    lines = [f'{HINT_MARK} rule {rule.id} covers {paths}.']
    needs = 'before it lands on a protected branch it will need' if remind else 'it needs'
    if rule.applies_to == 'ai-assisted' and not ai_assisted:
        lines.append(f'  If this change is AI-assisted (say so with Assisted-by: <tool>), {needs}:')
    elif remind:
        lines.append('  Before it lands on a protected branch, it will need these trailers:')
    else:
        lines.append('  It needs these trailers at the end of the message:')
    require = rule.require
    if require.reviews is not None:
        reviews = require.reviews
        if reviews.signed:
            # a typed trailer counts for nothing here: say what does
            lines.append(f'    (no trailer: {reviews.count} signed approval(s) from group {reviews.group}; '
                         f'a reviewer runs `trailgate approve` after reviewing)')
        elif remind:
            # nobody has reviewed yet: no names to copy, the reviewers add theirs after the review
            lines.append(f'    {reviews.trailer}: <added after the review: {reviews.count} distinct of group '
                         f'{reviews.group}>')
        else:
            people = ', '.join(policy.people.get(reviews.group, ()))
            lines.append(f'    {reviews.trailer}: <{reviews.count} distinct of group {reviews.group}: {people}>')
    if require.documentation is not None:
        doc = require.documentation
        accepted = [p.pattern for p in doc.patterns]
        if doc.paths is not None:
            accepted.append('a committed file under ' + ', '.join(doc.paths.patterns))
        lines.append(f'    {doc.trailer}: <{" or ".join(accepted)}>')
    lines.extend(f'    {key}: <non-empty>' for key in require.trailers)
    return lines


def hints(policy: Policy, commit: Commit, remind: bool = False) -> list[str]:
    """Hint lines for every rule that would apply if the change were
    AI-assisted and whose trailers the message does not have yet; with
    ``remind`` (off a protected branch), as what it will need later."""
    anything = regexes.compile('')  # a marker every message matches: "what if it were AI-assisted?"
    as_if_ai = assess(policy._replace(ai=policy.ai._replace(markers=(anything,))), commit)
    ai_assisted = bool(detect(policy.ai, commit))
    lines: list[str] = []
    for result in as_if_ai.results:
        if not result.applies or result.rule == POLICY_OWNERS_RULE:
            continue
        if all(check.met for check in result.checks):
            continue  # the message already has what this rule needs
        lines.extend(_hint_lines(policy, result, ai_assisted, remind))
    return lines


def _insert(text: str, block: list[str], comment_char: str, below_cut: bool = False) -> str:
    """``text`` with the hint ``block`` above the scissors line (or at the end);
    with ``below_cut``, after git's comment lines that follow the scissors line."""
    commented = ''.join(f'{comment_char} {line}\n' for line in block)
    cut = locate_cut_line(text, comment_char)
    if below_cut:
        cut = _after_comment_lines(text, cut, comment_char)
    head, tail = text[:cut], text[cut:]
    if head and not head.endswith('\n'):
        head += '\n'
    return f'{head}{comment_char}\n{commented}{tail}'


def _after_comment_lines(text: str, start: int, comment_char: str) -> int:
    """Where the run of comment lines beginning at ``start`` ends."""
    at = start
    while at < len(text) and text.startswith(comment_char, at):
        end = text.find('\n', at)
        at = len(text) if end == -1 else end + 1
    return at


_FALSE = frozenset(('false', 'no', 'off', '0'))


def _auto_comment_char(raw: str, config: dict[str, str]) -> str | None:
    """The comment character git chose under ``core.commentChar=auto``, as the
    lines it wrote below the message show it: the status (unless
    ``commit.status`` or ``--no-status`` leaves it out), every line of it
    commented, and the scissors line before a ``-v`` diff. None: not seen."""
    cuts = [(at, char) for char in AUTO_COMMENT_CHARS if (at := locate_cut_line(raw, char)) < len(raw)]
    if cuts:
        return min(cuts)[1]
    said = invocation.commit_status_option()
    shown = said if said is not None else config.get('commit.status', 'true').lower() not in _FALSE
    last = raw.rstrip('\n').rpartition('\n')[2][:1]
    return last if shown and last and last in AUTO_COMMENT_CHARS else None


def prepare_commit_msg(msgfile: str, source: str, sha: str, policy_option: str | None) -> int:
    source = source or os.environ.get('PRE_COMMIT_COMMIT_MSG_SOURCE', '')
    if not _editor_will_open(source):
        return 0
    questions = staged.ask_git(branch=True)
    try:
        return _hint(msgfile, policy_option, questions)
    finally:
        questions.abandon()


def _hint(msgfile: str, policy_option: str | None, questions: git.StagedQuestions) -> int:
    config = questions.variables().config
    cleanup = invocation.commit_cleanup_option() or config.get('commit.cleanup', '')
    if cleanup in _KEEPS_COMMENTS:
        return 0  # git would store the hints in the commit
    if 'core.commentstring' in config or (config.get('core.commentchar', '#') != 'auto'
                                          and len(config.get('core.commentchar', '#')) > 1):
        return 0  # git 2.45+ comments with a string, older git with '#': a hint could become text
    raw = staged.read_message_file(msgfile)
    if config.get('core.commentchar') == 'auto':
        chosen = _auto_comment_char(raw, config)
        if chosen is None:
            return 0  # git picks its comment character per message: unseen, a hint could become text
        comment_char = chosen
    else:
        comment_char = config.get('core.commentchar', '#')[:1] or '#'
    commit, policy = staged.pending_commit(msgfile, policy_option, questions)
    if f'{comment_char} {HINT_MARK}' in raw:
        return 0  # already hinted: idempotent
    scissors = cleanup == 'scissors'
    if scissors and locate_cut_line(raw, comment_char) == len(raw):
        return 0  # git keeps comment lines above a scissors line, and there is none
    remind = not policy.commit_msg_refuses_on(questions.current_branch())
    lines = hints(policy, commit, remind)
    if lines:
        with open(msgfile, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write(_insert(raw, lines, comment_char, below_cut=scissors))
    return 0

