"""GitHub Actions workflow commands, and a Markdown job summary.

``render`` returns lines for the step's stdout: an ``::error`` annotation per
refused violation, a ``::warning`` per violation let through by break-glass
(with the reason) and per break-glass trailer that was ignored, and one
``::notice`` with the summary; an ``::error`` per refusal of the update as a
whole (``Report.refusals``). Values are escaped as the Actions runner
expects (``%``, CR and LF in messages; also ``:`` and ``,`` in properties);
text from a commit has its hidden characters spelled out first, and a path
that has any is never an annotation's ``file``.

Side effect, for this format only: when the environment variable
``GITHUB_STEP_SUMMARY`` names a file, ``render`` appends a Markdown job
summary to it (a table of the refused and overridden commits with rule,
requirement and fix), whose cells show a commit's text as text: never a
Markdown link or image, emphasis, code or HTML. (GitHub's autolinking may
still make a bare URL or email address a link, one that shows the address
it goes to.) If that file cannot be written, the returned text
carries one more ``::warning`` saying so; the verdict is never affected.
"""
from __future__ import annotations

import html
import os

from trailgate.display import visible
from trailgate.evaluate import Assessment
from trailgate.evaluate import Violation
from trailgate.reports import Report
from trailgate.reports.json_format import escape_surrogates
from trailgate.reports.json_format import violation_fix

SUMMARY_ENV = 'GITHUB_STEP_SUMMARY'
REFUSED_TITLE = 'trailgate: the update is refused'


# -- workflow commands -----------------------------------------------------


def escape_data(text: str) -> str:
    """A command's message, as the runner's ``escapeData``."""
    return text.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')


def escape_property(text: str) -> str:
    """A command's property value, as the runner's ``escapeProperty``."""
    return escape_data(text).replace(':', '%3A').replace(',', '%2C')


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line, e.g. ``::error title=...::message``."""
    props = ','.join(f'{key}={escape_property(value)}' for key, value in properties.items())
    return f'::{name}{" " + props if props else ""}::{escape_data(message)}'


def _title(assessment: Assessment) -> str:
    return f'{assessment.commit.short_sha} {visible(assessment.commit.subject)}'


def _location(violation: Violation) -> dict[str, str]:
    """The annotation's file: the first path that shows as itself. A property
    reaches the runner's log escaped only for ``%``, CR, LF, ``:`` and ``,``,
    so a path with an ANSI escape or a bidi override would drive the log
    viewer; with no such path the annotation names no file."""
    shown = next((path for path in violation.paths if _shows_as_itself(path)), None)
    return {'file': shown} if shown is not None else {}


def _shows_as_itself(path: str) -> bool:
    return path.isprintable() or all(char.isprintable() or char in '\r\n' for char in path)


def _error(assessment: Assessment, violation: Violation, gate: str) -> str:
    lines = [
        f'{_title(assessment)}: {violation.missing}',
        f'To satisfy: {violation.satisfy}',
    ]
    fix = violation_fix(assessment, violation, gate)
    if fix:
        lines.append(f'Fix: {fix}')
    return command('error', '\n'.join(lines),
                   title=f'trailgate {violation.rule} {violation.code}', **_location(violation))


def _warning(assessment: Assessment, violation: Violation) -> str:
    message = (
        f'{_title(assessment)}: let through by break-glass ({visible(violation.overridden or "")}); '
        f'{violation.missing}'
    )
    return command('warning', message,
                   title=f'trailgate {violation.rule} {violation.code} overridden',
                   **_location(violation))


def _reminder(assessment: Assessment, violation: Violation) -> str:
    """Not refused (the target is not protected): what the commit will need."""
    message = f'{_title(assessment)}: before it lands on a protected branch: {violation.missing}'
    return command('notice', message, title=f'trailgate {violation.rule} {violation.code} needs review',
                   **_location(violation))


def _commands(assessment: Assessment, gate: str, reminder: bool = False) -> list[str]:
    lines = [
        _reminder(assessment, v) if reminder and v.overridden is None
        else _error(assessment, v, gate) if v.overridden is None else _warning(assessment, v)
        for v in assessment.violations
    ]
    if assessment.override_problem:
        lines.append(command('warning', f'{_title(assessment)}: {visible(assessment.override_problem)}',
                             title='trailgate break-glass ignored'))
    return lines


def summary_line(report: Report) -> str:
    count = report.commits_checked
    reminded = (
        f'{report.needing_review_count} will need review ({report.reminder}), '
        if report.reminder is not None else ''
    )
    return (
        f'{count} commit{"s" if count != 1 else ""} checked, {report.refused_count} refused, {reminded}'
        f'{report.overridden_count} overridden by break-glass (policy: {report.policy_source})'
    )


# -- job summary -----------------------------------------------------------


# what Markdown reads in a table cell's text: escapes, code, emphasis,
# strikethrough, links and images, math, and the bar that ends the cell
_MARKDOWN = str.maketrans({char: '\\' + char for char in '\\`*_~[]$|'})


def _cell(text: str) -> str:
    """Plain text for a GitHub-flavoured Markdown table cell."""
    return html.escape(text, quote=False).translate(_MARKDOWN).replace('\n', '<br>')


def _code(text: str) -> str:
    return f'<code>{_cell(text)}</code>'


def _row(assessment: Assessment, violation: Violation, gate: str, reminder: bool = False) -> str:
    if violation.overridden is None and reminder:
        verdict = 'needs review'
        remedy = ''
    elif violation.overridden is None:
        verdict = 'refused'
        fix = violation_fix(assessment, violation, gate)
        remedy = _code(fix) if fix else _cell(violation.satisfy)
    else:
        verdict = f'overridden: {_cell(visible(violation.overridden))}'
        remedy = ''
    cells = [
        f'{_code(assessment.commit.short_sha)} {_cell(visible(assessment.commit.subject))}',
        verdict,
        _code(violation.rule),
        f'{violation.code} {violation.name}',
        _cell(violation.missing),
        remedy,
    ]
    return '| ' + ' | '.join(cells) + ' |'


def job_summary(report: Report) -> str:
    """The Markdown that goes into the job summary."""
    lines = [f'## trailgate {report.gate}', '', _cell(summary_line(report)), '']
    lines.extend(f'**Refused:** {_cell(reason)}\n' for reason in report.refusals)
    flagged = [a for a in report.assessments if a.violations]
    if not flagged:
        return '\n'.join([*lines, 'No commit is refused or overridden.', '', ''])
    lines.extend([
        '| Commit | Verdict | Rule | Requirement | Missing | Fix |',
        '| --- | --- | --- | --- | --- | --- |',
    ])
    lines.extend(_row(a, v, report.gate, report.reminder is not None) for a in flagged for v in a.violations)
    if report.refused_count:
        lines.extend([
            '',
            'To fix an older commit: <code>git rebase -i &lt;sha&gt;~1</code> '
            '(<code>--root</code> for a first commit), "reword" it and add the trailers.',
        ])
    return '\n'.join([*lines, '', ''])


def _append_summary(report: Report) -> str | None:
    """Append the job summary where Actions asks; a problem in words, or None."""
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return None
    try:
        with open(path, 'a', encoding='utf-8') as f:
            f.write(escape_surrogates(job_summary(report)))
    except OSError as e:
        return f'could not write the job summary to {path}: {e.strerror}'
    return None


def render(report: Report, color: bool = False, verbose: bool = False) -> str:
    """Workflow commands for stdout; appends the job summary (see the module doc)."""
    lines = [line for a in report.assessments for line in _commands(a, report.gate, report.reminder is not None)]
    lines.extend(command('error', f'trailgate {report.gate}: refused: {reason}', title=REFUSED_TITLE)
                 for reason in report.refusals)
    lines.append(command('notice', summary_line(report), title=f'trailgate {report.gate}'))
    problem = _append_summary(report)
    if problem:
        lines.append(command('warning', problem, title='trailgate job summary'))
    return escape_surrogates('\n'.join(lines) + '\n')
