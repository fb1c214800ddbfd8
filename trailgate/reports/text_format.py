"""Text for people: one block per refused commit, the fix first."""
from __future__ import annotations

import re
from typing import IO

from trailgate.display import visible
from trailgate.evaluate import Assessment
from trailgate.model import Commit
from trailgate.reports import Report
from trailgate.requirements import SIGNED_KINDS
from trailgate.requirements import TYPED_REVIEW_KINDS
from trailgate.requirements import approve_command

SIGNED_CODES = frozenset(kind.code for kind in SIGNED_KINDS)
TYPED_REVIEW_CODES = frozenset(kind.code for kind in TYPED_REVIEW_KINDS)

_RED, _YELLOW, _GREEN, _BOLD, _DIM, _RESET = (
    '\033[31m', '\033[33m', '\033[32m', '\033[1m', '\033[2m', '\033[0m',
)


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, code: str, text: str) -> str:
        return f'{code}{text}{_RESET}' if self.color else text


def fix_trailers(assessment: Assessment) -> list[str]:
    """Trailer lines that would satisfy every unmet requirement, deduplicated."""
    lines: list[str] = []
    for violation in assessment.violations:
        for line in violation.fix_trailers():
            if line not in lines:
                lines.append(line)
    return lines


def shell_quote(text: str) -> str:
    """``text`` in double quotes for sh, as people write trailers on a command
    line; in single quotes if it holds a ``!``, which an interactive bash would
    expand from its history inside double quotes."""
    if '!' in text:
        return "'" + text.replace("'", "'\\''") + "'"
    for char in ('\\', '"', '$', '`'):
        text = text.replace(char, '\\' + char)
    return f'"{text}"'


def _shell_word(option: str) -> str:
    """``option`` as a shell word: bare if it is one, else quoted."""
    return option if re.fullmatch(r'[-\w=.@]+', option) else shell_quote(option)


def fix_command(assessment: Assessment, gate: str, message_file: str | None = None,
                amending: bool = False, cleanup: str = 'strip', repeated: tuple[str, ...] = (),
                comment_char: str | None = None, git_options: tuple[str, ...] = ()) -> str:
    """A ready-to-run command that adds the missing trailers.

    For commit-msg the commit was not made: commit again (amend again, for a
    refused ``--amend``) from the message git saved, cleaned up as git was
    to clean it (``cleanup``). After an editor (``strip``), ``-v`` makes git
    also cut the diff that ``commit -v`` saved below the scissors line.
    ``repeated``: the refused commit's arguments that made it what it was
    (``-a`` and pathspecs, whose staging git dropped with it; ``--author``).
    ``comment_char``: the one git cleaned up with under
    ``core.commentChar=auto``, where git would choose another for the saved
    message (which holds git's own comment lines). Otherwise amend.
    """
    trailers = ' '.join(f'--trailer {shell_quote(line)}' for line in fix_trailers(assessment))
    if gate == 'commit-msg':
        verbose = ' -v' if cleanup == 'strip' else ''
        source = f'{verbose} --cleanup={cleanup} -F {shell_quote(message_file)}' if message_file else ''
        cut = repeated.index('--') if '--' in repeated else len(repeated)
        again = ''.join(f' {_shell_word(option)}' for option in repeated[:cut + 1])
        again += ''.join(f' {shell_quote(path)}' for path in repeated[cut + 1:])
        config = ''.join(f' {_shell_word(option)}' for option in git_options)
        config += f' -c {shell_quote(f"core.commentChar={comment_char}")}' if comment_char else ''
        return f'git{config} commit{" --amend" if amending else ""} {trailers}{source}{again}'
    return f'git commit --amend {trailers} --no-edit'


def _title(assessment: Assessment, gate: str) -> str:
    commit = assessment.commit
    if gate == 'commit-msg':
        return visible(commit.subject) or '(empty message)'
    return f'{commit.short_sha} {visible(commit.subject)}'


def _signals_line(assessment: Assessment) -> str | None:
    if not assessment.signals:
        return None
    shown = '; '.join(f'{s.tool} ({s.where}: {s.text})' for s in assessment.signals[:3])
    more = len(assessment.signals) - 3
    return visible(f'AI-assisted: {shown}') + (f'; and {more} more' if more > 0 else '')


def _approval_needed(assessment: Assessment, every_branch: bool) -> str:
    """Who approves, and how. A commit refused by commit-msg does not exist
    yet, and only a commit can be approved: say where it can be made."""
    commit = assessment.commit
    if commit.sha:
        change = f' of change {commit.change_id}' if commit.change_id else ''
        return (f'needs signed approval{change}: a reviewer looks at it and runs '
                f'`{approve_command(commit)}` (typed review trailers do not count)')
    where = (
        'commit-msg refuses it on every branch, so make it with `git commit --no-verify` '
        '(pushes to a protected branch, CI and the server refuse it until it is approved)'
        if every_branch else
        'make it on a branch that is not protected (`git switch -c <branch>`, then commit again)'
    )
    return (f'needs signed approval (typed review trailers do not count), and only a commit can be '
            f'approved: {where}; then a reviewer looks at it and runs `{approve_command(commit)}`')


def rebase_onto(commit: Commit) -> str:
    """``git rebase -i``'s argument that lets one reword ``commit``."""
    return '--root' if commit.is_root else f'{commit.short_sha}~1'


def _block(assessment: Assessment, gate: str, style: _Style, message_file: str | None,
           amending: bool = False, cleanup: str = 'strip', every_branch: bool = False,
           repeated: tuple[str, ...] = (), comment_char: str | None = None,
           git_options: tuple[str, ...] = ()) -> list[str]:
    refused = assessment.refused
    label = style(_RED + _BOLD, 'refused') if refused else style(_YELLOW + _BOLD, 'overridden')
    lines = [f'{label} {style(_BOLD, _title(assessment, gate))}']
    signed = [v for v in assessment.violations if v.code in SIGNED_CODES and v.overridden is None]
    if refused and signed:
        lines.append(f'  {_approval_needed(assessment, every_branch)}')
    if refused and fix_trailers(assessment):
        fix = fix_command(assessment, gate, message_file, amending, cleanup, repeated, comment_char, git_options)
        lines.append(f'  fix: {fix}')
        if gate != 'commit-msg':
            lines.append(
                f'       (for an older commit: git rebase -i {rebase_onto(assessment.commit)}, '
                f'"reword" it and add the trailers)',
            )
    elif not refused:
        lines.append(f'  break-glass reason: {visible(assessment.override or "")}')
    signals = _signals_line(assessment)
    if signals:
        lines.append(f'  {style(_DIM, signals)}')
    for v in assessment.violations:
        mark = '-' if v.overridden else style(_RED, 'x')
        lines.append(
            f'  {mark} {v.rule}: {v.name} ({v.code}): {v.missing}; '
            f'to satisfy: {v.satisfy} [paths: {visible(", ".join(v.paths[:5]))}'
            f'{", ..." if len(v.paths) > 5 else ""}]',
        )
    if assessment.override_problem:
        lines.append(f'  note: {visible(assessment.override_problem)}')
    return lines


def _lines(assessment: Assessment, gate: str, style: _Style, verbose: bool,
           message_file: str | None, amending: bool = False, cleanup: str = 'strip',
           every_branch: bool = False, repeated: tuple[str, ...] = (),
           comment_char: str | None = None, git_options: tuple[str, ...] = ()) -> list[str]:
    """What one commit adds to the report (nothing for a pass unless ``verbose``)."""
    if assessment.violations:
        return [*_block(assessment, gate, style, message_file, amending, cleanup, every_branch, repeated,
                        comment_char, git_options), '']
    if verbose:
        verdict = 'AI-assisted, ' if assessment.ai_assisted else ''
        return [f'ok {_title(assessment, gate)} ({verdict}no requirement missing)']
    return []


def _summary(report: Report, style: _Style) -> str:
    refused = report.refused_count
    overridden = report.overridden_count
    count = report.commits_checked
    summary = (
        f'trailgate {report.gate}: {count} commit{"s" if count != 1 else ""} checked, '
        f'{refused} refused, {overridden} overridden by break-glass '
        f'(policy: {report.policy_source})'
    )
    return style(_RED if refused else _GREEN, summary)


def _tail(report: Report, style: _Style) -> str:
    """The summary, and what is refused of the update as a whole; a report of
    such refusals alone (no commit judged) is those refusals."""
    refusals = [style(_RED, f'trailgate {report.gate}: refused: {reason}') for reason in report.refusals]
    if refusals and not report.commits_checked:
        return '\n'.join(refusals)
    return '\n'.join([_summary(report, style), *refusals])


SIGNED_LATER = ('signed approvals come after the review: a reviewer who has looked at it runs '
                '`trailgate approve` (typed review trailers do not count)')
TYPED_LATER = ('review trailers go in after the review: they are added once the reviewers have reviewed '
               '(`git commit --amend --trailer "Reviewed-by: <who reviewed>"`, or in the squash commit '
               'that lands)')
EXPLAIN = '`trailgate explain` shows what a commit needs'


def reminder_status(refused: bool) -> str:
    """How a push's reminder ends: whether the push it comes with is refused
    for other commits (git then updates none of its refs)."""
    return ('the push is refused for what it lands on a protected ref (above).' if refused
            else 'nothing refused now.')


def review_later(assessments: tuple[Assessment, ...]) -> str:
    """How the reviews a reminder names get in: only the ways that count for them."""
    codes = {v.code for a in assessments for v in a.violations if not v.overridden}
    ways = [way for way, kinds in ((SIGNED_LATER, SIGNED_CODES), (TYPED_LATER, TYPED_REVIEW_CODES))
            if codes & kinds]
    return '; '.join((*ways, EXPLAIN))


def _reminder_block(assessment: Assessment, gate: str, style: _Style) -> list[str]:
    """What a commit will need before it can land on a protected ref: the
    requirements, never reviewers' names to type before a review happened."""
    lines = [f'{style(_YELLOW + _BOLD, "needs review")} {style(_BOLD, _title(assessment, gate))}']
    signals = _signals_line(assessment)
    if signals:
        lines.append(f'  {style(_DIM, signals)}')
    lines.extend(
        f'  - {v.rule}: {v.name} ({v.code}): {v.missing}' for v in assessment.violations if not v.overridden
    )
    return lines


def render_reminder(report: Report, color: bool = False, verbose: bool = False) -> str:
    style = _Style(color)
    lines: list[str] = []
    for assessment in report.assessments:
        if assessment.refused:
            lines.extend(_reminder_block(assessment, report.gate, style))
            lines.append('')
        elif assessment.violations:
            lines.extend(_block(assessment, report.gate, style, report.message_file, report.amending,
                                report.cleanup, report.every_branch, report.repeated, report.comment_char,
                                report.git_options))
            lines.append('')
        elif verbose:
            lines.append(f'ok {_title(assessment, report.gate)}')
    pending = len(report.needing_review)
    count = report.commits_checked
    if pending:
        lines.append(f'  ({review_later(report.needing_review)})')
    lines.append(style(_YELLOW if pending else _GREEN, (
        f'trailgate {report.gate}: reminder, nothing refused ({report.reminder}): '
        f'{pending} of {count} commit{"s" if count != 1 else ""} will need review before '
        f'{"they land" if pending != 1 else "it lands"} on a protected branch '
        f'(policy: {report.policy_source})'
    )))
    lines.extend(style(_RED, f'trailgate {report.gate}: refused: {reason}') for reason in report.refusals)
    return '\n'.join(lines) + '\n'


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    if report.reminder is not None:
        return render_reminder(report, color, verbose)
    style = _Style(color)
    lines: list[str] = []
    for assessment in report.assessments:
        lines.extend(_lines(assessment, report.gate, style, verbose, report.message_file, report.amending,
                            report.cleanup, report.every_branch, report.repeated, report.comment_char,
                            report.git_options))
    lines.append(_tail(report, style))
    return '\n'.join(lines) + '\n'


class Writer:
    """The same text as ``render``, commit by commit: ``add`` writes each
    commit's lines to ``body`` as it is judged; the summary is the tail."""

    def __init__(self, body: IO[str], gate: str, color: bool = False, verbose: bool = False) -> None:
        self.body = body
        self.gate = gate
        self.style = _Style(color)
        self.verbose = verbose

    def add(self, assessment: Assessment) -> None:
        lines = _lines(assessment, self.gate, self.style, self.verbose, None)
        if lines:
            self.body.write('\n'.join(lines) + '\n')

    def head(self, report: Report) -> str:
        return ''

    def tail(self, report: Report) -> str:
        return _tail(report, self.style) + '\n'
