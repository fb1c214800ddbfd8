"""The short summary an audit prints on the terminal."""
from __future__ import annotations

from trailgate.audit.facts import NO_MARK
from trailgate.audit.tally import Summary
from trailgate.audit.tally import span_without_dates
from trailgate.display import visible
from trailgate.reports.json_format import escape_surrogates

SHOWN = 5




def percent(part: int, whole: int) -> str:
    return f'{100 * part / whole:.1f}%' if whole else 'n/a'


def render(summary: Summary) -> str:
    totals = summary.totals
    critical = summary.critical
    span = f'{totals.first_date} to {totals.last_date}' if totals.first_date else span_without_dates(totals)
    # the days as read: git reads a stray number (--since 0) as today, which only the report can show
    dates = ''.join(f', {name} {value}' for name, value in (('since', summary.since), ('until', summary.until))
                    if value)
    lines = [
        f'audit of {visible(" ".join(summary.revisions))} ({span}{dates}); policy: {summary.policy_source}',
        f'  commits: {totals.commits}, AI-marked: {totals.ai_assisted} '
        f'({percent(totals.ai_assisted, totals.commits)}), no mark found: {totals.no_mark}',
    ]
    if totals.lines is not None and totals.ai_lines is not None:
        lines.append(f'  changed lines: {totals.lines}, in AI-marked commits: {totals.ai_lines} '
                     f'({percent(totals.ai_lines, totals.lines)})')
    tools = [row for row in summary.tools if (row.id, row.tool) != NO_MARK][:SHOWN]
    if tools:
        lines.append('  tools: ' + ', '.join(f'{visible(row.tool)} [{row.id}] {row.commits}' for row in tools))
    lines.append(
        f'  critical AI changes: {critical["met"]} met, {critical["unmet"]} unmet, '
        f'{critical["overridden"]} overridden by break-glass, {critical["not-required"]} not required',
    )
    concentration = summary.concentration
    if concentration.reviews:
        top = summary.reviewers[0]
        lines.append(
            f'  reviews: {concentration.reviews} by {concentration.reviewers} reviewers; busiest '
            f'{visible(top.email)} ({percent(top.reviews, concentration.reviews)})',
        )
    for row in summary.unreviewed[:SHOWN]:
        lacks = ', '.join(f'{m.rule}: {m.name}' for m in row.missing)
        lines.append(f'  unmet {row.sha[:10]} {row.date} {visible(row.subject[:60])} ({lacks})')
    if summary.unreviewed_total > SHOWN:
        lines.append(f'  ... {summary.unreviewed_total - SHOWN} more unmet critical AI changes')
    # break-glass is audited, not prevented: each override is listed with its reason
    for override in summary.overrides[:SHOWN]:
        rules = f' ({", ".join(override.rules)})' if override.rules else ''
        lines.append(f'  overridden {override.sha[:10]} {override.date} by {visible(override.author.email)}: '
                     f'{visible(override.reason)}{rules}')
    if summary.overrides_total > SHOWN:
        lines.append(f'  ... {summary.overrides_total - SHOWN} more break-glass overrides')
    if totals.likely_squash:
        lines.append(f'  likely squash merges: {totals.likely_squash} (their AI marks may be lost)')
    if totals.future_dated:
        lines.append(f'  dated after today: {totals.future_dated} (counted, not on the time axis)')
    return escape_surrogates('\n'.join(lines)) + '\n'
