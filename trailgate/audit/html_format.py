"""``--html FILE``: one self-contained page with charts, for sending upward.

Nothing is fetched: styles are inline, charts are inline SVG (``svg``), and
there is no script at all; a Content-Security-Policy says so to the browser
as a second line of defence. Every chart has a title, axis labels, native
tooltips, a text alternative and a table beneath it, plus one sentence on
how it was computed. Light and dark follow the reader's setting; print gets
black on white.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Iterable
from collections.abc import Sequence
from typing import NamedTuple

from trailgate.audit import methods as m
from trailgate.audit.facts import NO_MARK
from trailgate.audit.forge import Forge
from trailgate.audit.svg import Band
from trailgate.audit.svg import Bar
from trailgate.audit.svg import Legend
from trailgate.audit.svg import Segment
from trailgate.audit.svg import columns
from trailgate.audit.svg import esc
from trailgate.audit.svg import hbars
from trailgate.audit.tally import OTHER
from trailgate.audit.tally import PeriodRow
from trailgate.audit.tally import Summary
from trailgate.audit.tally import span_without_dates

TOP = 15  # rows drawn in a category chart; its table lists more
# a year without commits after a few early ones: they are not drawn (a commit's date is whatever its maker wrote)
EMPTY_RUN = {'month': 12, 'week': 52}
EARLY_SHARE = 0.05
TABLE_ROWS = 200
REVIEWER_SERIES = 5

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --grid: #d0d7de;
  --ai: #1f6feb; --other: #afb8c1; --met: #1a7f37; --unmet: #cf222e; --over: #bf8700; --nr: #8c959f;
  --band: rgba(191, 135, 0, 0.16); --c0: #1f6feb; --c1: #8250df; --c2: #1a7f37; --c3: #bf8700;
  --c4: #cf222e; --c5: #8c959f; --link: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #30363d; --ai: #4493f8;
    --other: #6e7681; --met: #3fb950; --unmet: #f85149; --over: #d29922; --nr: #8b949e;
    --band: rgba(210, 153, 34, 0.22); --c0: #4493f8; --c1: #ab7df8; --c2: #3fb950; --c3: #d29922;
    --c4: #f85149; --c5: #8b949e; --link: #4493f8; } }
@media print { :root { --bg: #ffffff; --fg: #000000; --muted: #333333; --grid: #bbbbbb; --link: #000000; }
  figure, table { break-inside: avoid; } details { display: block; } }
body { background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem;
  border-bottom: 1px solid var(--grid); padding-bottom: 0.2rem; }
.meta, .method, figcaption { color: var(--muted); } .method { font-size: 0.9rem; }
a { color: var(--link); }
.kpis { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0; }
.kpi { border: 1px solid var(--grid); border-radius: 6px; padding: 0.5rem 0.9rem; flex: 1 1 7rem; }
.kpi b { display: block; font-size: 1.3rem; white-space: nowrap; }
figure { margin: 1rem 0; } svg.chart { max-width: 100%; min-width: 640px; height: auto; display: block; }
.chart-box { overflow-x: auto; } .chart-box:focus-visible { outline: 2px solid var(--link); }
svg text { fill: var(--fg); font-size: 11px; } svg .tick, svg .value { fill: var(--muted); }
svg .label { font-size: 12px; font-weight: 600; } svg .legend { font-size: 11px; }
svg .grid { stroke: var(--grid); stroke-width: 1; } svg .axis { stroke: var(--fg); stroke-width: 1; }
svg .band rect { fill: var(--band); } svg .band text { fill: var(--muted); font-size: 10px; }
.s-ai { fill: var(--ai); } .s-other { fill: var(--other); } .s-met { fill: var(--met); }
.s-unmet { fill: var(--unmet); } .s-over { fill: var(--over); } .s-nr { fill: var(--nr); }
.s-c0 { fill: var(--c0); } .s-c1 { fill: var(--c1); } .s-c2 { fill: var(--c2); }
.s-c3 { fill: var(--c3); } .s-c4 { fill: var(--c4); } .s-c5 { fill: var(--c5); }
.s-zero { fill: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; margin: 0.4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--grid); padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
td:first-child code, .nowrap { white-space: nowrap; }
.sw-band { fill: var(--band); stroke: var(--over); stroke-width: 1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
td.n { white-space: nowrap; } .table-box { overflow-x: auto; }
code { font-size: 0.85rem; } summary { cursor: pointer; color: var(--muted); }
"""
# the page's one style sheet, by its hash: no other style, inline or injected, applies; nothing loads
CSP = (f"default-src 'none'; style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
       "base-uri 'none'; form-action 'none'")


def _pct(part: int | None, whole: int | None) -> str:
    return f'{100 * part / whole:.1f}%' if part is not None and whole else '–'


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: frozenset[int] = frozenset(),
           raw: frozenset[int] = frozenset(), caption: str = 'Table') -> str:
    """A table; cells are escaped unless their column is in ``raw`` (already built here)."""
    head = ''.join(f'<th{" class=n" if i in numeric else ""} scope="col">{esc(h)}</th>'
                   for i, h in enumerate(headers))
    body = []
    count = 0
    for row in rows:
        count += 1
        if count > TABLE_ROWS:
            continue
        cells = ''.join(
            f'<td{" class=n" if i in numeric else ""}>{value if i in raw else esc(_cell(value))}</td>'
            for i, value in enumerate(row)
        )
        body.append(f'<tr>{cells}</tr>')
    more = f'<p class="method">{count - TABLE_ROWS} more rows in the JSON output.</p>' \
        if count > TABLE_ROWS else ''
    table = (f'<div class="table-box"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
             f'</div>{more}')
    if count > 25:
        return f'<details><summary>{esc(caption)} ({count} rows)</summary>{table}</details>'
    return table


def _cell(value: object) -> object:
    """Counts with thousands separators; everything else as it is."""
    return f'{value:,}' if isinstance(value, int) and not isinstance(value, bool) else value


def _section(title: str, method: str, chart: str, table: str) -> str:
    """A heading, the chart (in a box that scrolls sideways in a narrow window,
    so its text keeps a readable size), how it was computed, and its table."""
    box = (f'<div class="chart-box" tabindex="0" role="group" aria-label="{esc(title)}: chart">{chart}</div>'
           if chart else '')
    return (f'<section><h2>{esc(title)}</h2><figure>{box}<figcaption class="method">{esc(method)}'
            f'</figcaption></figure>{table}</section>')


def _bands(summary: Summary) -> list[Band]:
    periods = summary.periods
    bands = []
    for window in summary.windows:
        inside = [i for i, row in enumerate(periods)
                  if (window.until is None or row.start <= window.until)
                  and (window.start is None or _period_end(row, summary.granularity) >= window.start)]
        if inside:
            bands.append(Band(inside[0], inside[-1],
                              f'{window.rule} active {window.start or "…"} to {window.until or "…"}'))
    return bands


def _period_end(row: PeriodRow, granularity: str) -> str:
    if granularity == 'month':
        return row.start[:8] + '31'
    return (datetime.date.fromisoformat(row.start) + datetime.timedelta(days=6)).isoformat()


class Early(NamedTuple):
    commits: int
    first: str  # the first day of the first period left out
    before: str  # the first day of the first period drawn


def _drawn(summary: Summary) -> tuple[Summary, Early | None]:
    """The periods the time axis draws. One commit dated 1970, amid a history
    of last year's, would stretch the axis over 56 empty years and crush the
    real bars into a sliver: commits in the first periods, at most 5% of all,
    that a year or more without commits separates from the rest are left off
    the axis, and the page says how many and from when."""
    periods = summary.periods
    allowed = max(1, int(EARLY_SHARE * sum(row.commits for row in periods)))
    run = EMPTY_RUN.get(summary.granularity, 12)
    before = empty = start = 0
    for index, row in enumerate(periods):
        if before > allowed:
            break
        if row.commits == 0:
            empty += 1
            continue
        if empty >= run and before:
            start = index
        empty = 0
        before += row.commits
    if not start:
        return summary, None
    early = Early(sum(row.commits for row in periods[:start]), periods[0].start, periods[start].start)
    return summary._replace(periods=periods[start:]), early


def _share_chart(summary: Summary, lines: bool) -> str:
    unit = summary.granularity
    what = 'changed lines' if lines else 'commits'
    bars = []
    for row in summary.periods:
        whole, part = (row.lines or 0, row.ai_lines or 0) if lines else (row.commits, row.ai_assisted)
        label = row.label.removeprefix('week of ')
        tooltip = f'{row.label}: {part:,} of {whole:,} {what} AI-marked ({_pct(part, whole)})'
        if not part:  # a tick when there were commits and none AI-marked; nothing when there were none
            bars.append(Bar(label, (), tooltip if row.commits else ''))
            continue
        bars.append(Bar(label, (Segment(100 * part / whole, 's-ai', tooltip),)))
    title = f'AI-marked share of {what} per {unit}'
    t = summary.totals
    overall = _pct(t.ai_lines, t.lines) if lines else _pct(t.ai_assisted, t.commits)
    first = summary.periods[0].start if summary.periods else t.first_date
    quiet = sum(1 for row in summary.periods if not row.commits)
    description = (f'{len(bars)} {unit}s from {first} to {t.last_date}; overall {overall}; '
                   f'{quiet} {unit}s without commits (no mark); {len(summary.windows)} active windows shaded. '
                   f'The table below lists every {unit}.')
    legend = [Legend('s-ai', 'AI-marked share'), Legend('s-zero', f'{what}, none AI-marked')]
    if summary.windows:
        legend.append(Legend('sw-band', 'rule active window'))
    return columns(title, description, bars, f'{unit} (commit date, UTC)', 'AI-marked share',
                   percent=True, bands=_bands(summary), legend=legend)


def _share_table(summary: Summary, lines: bool) -> str:
    if lines:
        rows = [(r.label, r.lines, r.ai_lines, _pct(r.ai_lines, r.lines)) for r in summary.periods]
        return _table((summary.granularity, 'changed lines', 'AI-marked', 'share'), rows, frozenset((1, 2, 3)),
                      caption=f'Changed lines per {summary.granularity}')
    rows2 = [(r.label, r.commits, r.ai_assisted, _pct(r.ai_assisted, r.commits)) for r in summary.periods]
    return _table((summary.granularity, 'commits', 'AI-marked', 'share'), rows2, frozenset((1, 2, 3)),
                  caption=f'Commits per {summary.granularity}')


def _tools(summary: Summary) -> str:
    rows = summary.tools
    marked = [row for row in rows if (row.id, row.tool) != NO_MARK][:TOP]
    no_mark = rows[-1]
    bars = [Bar(f'{row.tool} [{row.id}]',
                (Segment(row.commits, 's-ai', f'{row.tool} [{row.id}]: {row.commits:,} commits'),))
            for row in marked]
    chart = hbars('Commits by AI tool mark', f'{len(rows) - 1} tool marks found; {no_mark.commits:,} commits have '
                  'no mark (not drawn, so the marks stay readable). The table below lists each.', bars, 'commits',
                  'tool [catalogue id]')
    note = (f'<p><b>No mark found: {no_mark.commits:,} of {summary.totals.commits:,} commits</b> '
            '(not drawn above). Absence of a mark is not evidence that no AI was used.</p>')
    table = note + _table(('tool', 'mark id', 'commits'), [(r.tool, r.id, r.commits) for r in rows],
                          frozenset((2,)), caption='Tool marks')
    return _section('By tool', m.methods(summary)[m.TOOLS], chart, table)


def _split(label: str, total: int, ai: int, what: str = 'commits') -> Bar:
    return Bar(label, (Segment(ai, 's-ai', f'{label}: {ai:,} AI-marked {what}'),
                       Segment(total - ai, 's-other', f'{label}: {total - ai:,} other {what}')))


SPLIT_LEGEND = (Legend('s-ai', 'AI-marked'), Legend('s-other', 'no mark found'))


def _person(name: str, email: str) -> str:
    """A person as a chart labels them: one name can stand for several emails."""
    return f'{name} <{email}>' if name and email else name or email


def _authors(summary: Summary) -> str:
    rows = summary.authors
    bars = [_split(_person(row.name, row.email), row.commits, row.ai_assisted) for row in rows[:TOP]]
    chart = hbars('Commits by author (most AI-marked first)', f'{len(rows)} authors; the {len(bars)} with the '
                  'most AI-marked commits are drawn. The table below lists them.', bars, 'commits', 'author',
                  legend=SPLIT_LEGEND)
    table = _table(('author', 'email', 'commits', 'AI-marked', 'share'),
                   [(r.name, r.email, r.commits, r.ai_assisted, _pct(r.ai_assisted, r.commits)) for r in rows],
                   frozenset((2, 3, 4)), caption='Authors')
    return _section('By author', m.methods(summary)[m.AUTHORS], chart, table)


def _directories(summary: Summary) -> str:
    rows = summary.directories
    bars = [_split(row.directory, row.commits, row.ai_assisted) for row in rows[:TOP]]
    excluded = summary.totals.excluded_paths
    chart = hbars('Commits by top-level directory (most AI-marked first)', f'{len(rows)} directories; '
                  f'{excluded:,} generated or vendored path changes left out. The table below lists them.',
                  bars, 'commits touching it', 'directory', legend=SPLIT_LEGEND)
    headers: tuple[str, ...] = ('directory', 'commits', 'AI-marked', 'share')
    table_rows: list[tuple[object, ...]] = [
        (r.directory, r.commits, r.ai_assisted, _pct(r.ai_assisted, r.commits)) for r in rows]
    if summary.with_lines:
        headers = (*headers, 'changed lines', 'AI-marked lines')
        table_rows = [(*row, r.lines, r.ai_lines) for row, r in zip(table_rows, rows, strict=True)]
    table = _table(headers, table_rows, frozenset(range(1, len(headers))), caption='Directories')
    return _section('By top-level directory', m.methods(summary)[m.DIRECTORIES], chart, table)


STATUS_SERIES = (('met', 's-met', 'requirements met'), ('unmet', 's-unmet', 'unmet: would be refused'),
                 ('overridden', 's-over', 'overridden by break-glass'),
                 ('not-required', 's-nr', 'not required: outside window or exempt'))
STATUS_LEGEND = tuple(Legend(css, label) for _, css, label in STATUS_SERIES)


def _rules(summary: Summary) -> str:
    bars = []
    for row in summary.rules:
        values = {'met': row.met, 'unmet': row.unmet, 'overridden': row.overridden, 'not-required': row.not_required}
        bars.append(Bar(row.rule, tuple(Segment(values[key], css, f'{row.rule}: {values[key]:,} {label}')
                                        for key, css, label in STATUS_SERIES)))
    chart = hbars('AI-marked commits touching each rule\'s paths', f'{len(bars)} rules. The table below gives '
                  'the counts.', bars, 'AI-marked commits', 'rule', legend=STATUS_LEGEND)
    table = _table(('rule', 'commits touching', 'AI-marked', 'met', 'unmet', 'overridden', 'not required'),
                   [tuple(row) for row in summary.rules], frozenset(range(1, 7)), caption='Rules')
    return _section('By rule', m.methods(summary)[m.RULES], chart, table)


def _critical(summary: Summary) -> str:
    critical = summary.critical
    bars = [Bar(label, (Segment(critical[key], css, f'{label}: {critical[key]:,} commits'),))
            for key, css, label in STATUS_SERIES]
    total = sum(critical.values())
    chart = hbars('Critical AI-marked changes by outcome', f'{total:,} AI-marked commits touched a rule\'s paths: '
                  + ', '.join(f'{critical[key]:,} {label}' for key, _, label in STATUS_SERIES) + '.',
                  bars, 'commits', 'outcome')
    rows = [(label, critical[key], _pct(critical[key], total)) for key, _, label in STATUS_SERIES]
    typed, signed = summary.reviewed_typed, summary.reviewed_signed
    rows.insert(1, ('  of which reviewed with signed approvals', signed, _pct(signed, total)))
    rows.insert(2, ('  of which reviewed by typed trailers only', typed, _pct(typed, total)))
    table = _table(('outcome', 'commits', 'share'), rows, frozenset((1, 2)))
    return _section('Critical AI changes: reviewed, unreviewed, overridden', m.methods(summary)[m.CRITICAL],
                    chart, table)


def _reviewers(summary: Summary) -> str:
    top = summary.reviewers[:REVIEWER_SERIES]
    index = {row.email: i for i, row in enumerate(top)}
    per_period: dict[str, list[int]] = {row.start: [0] * (REVIEWER_SERIES + 1) for row in summary.periods}
    for row in summary.reviewers:
        series = index.get(row.email, REVIEWER_SERIES)
        for start, count in row.by_period:
            if start in per_period:
                per_period[start][series] += count
    names = [_person(row.name, row.email) for row in top] + [''] * (REVIEWER_SERIES - len(top)) + [OTHER]
    bars = [Bar(row.label.removeprefix('week of '), tuple(
        Segment(count, f's-c{i}', f'{row.label}: {count} reviews by {names[i]}')
        for i, count in enumerate(per_period[row.start]))) for row in summary.periods]
    c = summary.concentration
    description = (f'{c.reviews:,} reviews by {c.reviewers:,} reviewers; the busiest did '
                   f'{100 * c.top_share:.1f}%; {c.reviewers_for_80_percent} reviewers did 80%.')
    legend = [Legend(f's-c{i}', names[i]) for i in range(len(top))] + (
        [Legend(f's-c{REVIEWER_SERIES}', OTHER)] if len(summary.reviewers) > REVIEWER_SERIES else [])
    chart = columns(f'Reviews counted per {summary.granularity}, by reviewer', description, bars,
                    f'{summary.granularity} (commit date, UTC)', 'reviews', legend=legend) if c.reviews else ''
    if not c.reviews:
        description = 'No review was counted in this history, so there is no chart.'  # not an empty one
    table = _table(('reviewer', 'email', 'reviews', 'share', f'{summary.granularity}s active', 'busiest'),
                   [(r.name, r.email, r.reviews, _pct(r.reviews, c.reviews), len(r.by_period),
                     max(r.by_period, key=lambda item: item[1])[0] if r.by_period else '')
                    for r in summary.reviewers], frozenset((2, 3, 4)), caption='Reviewers')
    return _section('Reviewer load and concentration', m.methods(summary)[m.REVIEWERS] + ' ' + description,
                    chart, table)


def _commit_link(sha: str, forge: Forge | None) -> str:
    url = forge.commit_url(sha) if forge else None
    text = f'<code>{esc(sha[:12])}</code>'
    return f'<a href="{esc(url)}">{text}</a>' if url else text


def _unreviewed(summary: Summary, forge: Forge | None) -> str:
    rows = []
    for row in summary.unreviewed:
        lacks = '<br>'.join(f'<b>{esc(x.rule)}</b>: {esc(x.name)} ({esc(x.code)}): {esc(x.missing)}'
                            for x in row.missing)
        tools = esc(', '.join(f'{tool} [{source}]' for source, tool in row.tools))
        subject = esc(row.subject) + (' <i>(likely squash merge)</i>' if row.likely_squash else '')
        date = f'<span class=nowrap>{esc(row.date)}</span>'
        author = esc(row.author.name or row.author.email)
        rows.append((_commit_link(row.sha, forge), date, author, subject, tools, lacks))
    shown = len(summary.unreviewed)
    note = (f'<p>{summary.unreviewed_total:,} unreviewed critical AI changes'
            + (f'; the newest {shown} are listed' if shown < summary.unreviewed_total else '') + '.</p>')
    table = _table(('commit', 'date', 'author', 'subject', 'AI marks', 'lacks'), rows,
                   raw=frozenset(range(6)), caption='Unreviewed critical AI changes') if rows else ''
    return (f'<section><h2>Unreviewed critical AI changes, newest first</h2>'
            f'<p class="method">{esc(m.methods(summary)[m.UNREVIEWED])}</p>{note}{table}</section>')


def _overrides(summary: Summary, forge: Forge | None) -> str:
    rows = [(_commit_link(row.sha, forge), esc(row.date), esc(row.author.name or row.author.email),
             esc(row.reason), esc(', '.join(row.rules) or '–'),
             'inside' if row.inside_window else 'outside') for row in summary.overrides]
    table = _table(('commit', 'date', 'who', 'reason', 'rules touched', 'window'), rows,
                   raw=frozenset(range(6)), caption='Break-glass uses') if rows else '<p>None.</p>'
    return (f'<section><h2>Break-glass overrides</h2><p class="method">{esc(m.methods(summary)[m.OVERRIDES])}'
            f'</p><p>{summary.overrides_total:,} commits carry a valid break-glass trailer.</p>{table}</section>')


def _coverage(summary: Summary, early: Early | None) -> str:
    t = summary.totals
    items = [
        f'{t.no_mark:,} of {t.commits:,} commits carry no AI mark. Absence of a mark is not evidence: '
        'every tool\'s mark can be switched off, and some tools leave none.',
        f'{t.likely_squash:,} commits look like squash merges ({t.ai_likely_squash:,} of them AI-marked). '
        + m.methods(summary)[m.COVERAGE],
        f'{t.merges:,} merge commits are counted as commits; their paths are those their combined diff shows.',
        f'{t.excluded_paths:,} path changes were left out of the directory figures because the tip\'s '
        '.gitattributes marks them linguist-generated or linguist-vendored.',
    ]
    if early is not None:
        items.append(f'{early.commits:,} commits dated from {early.first} to before {early.before}, a year or more '
                     'before the rest, are counted in the totals and tables but not drawn on the time axis.')
    if t.future_dated:
        items.append(f'{t.future_dated:,} commits are dated after the day of this report; they are counted in '
                     'the totals but not drawn on the time axis.')
    for table, folded in summary.folded.items():
        items.append(f'There were more distinct {table} than the report keeps apart: each time the table was '
                     f'full, the least counted half went into "{OTHER}" ({folded:,} in all). One seen again after '
                     'that counts only from then on, so its figure may be short.')
    return ('<section><h2>Coverage: what these figures cannot see</h2><ul>'
            + ''.join(f'<li>{esc(item)}</li>' for item in items) + '</ul></section>')


def _kpis(summary: Summary) -> str:
    t = summary.totals
    c = summary.critical
    cards = [
        ('commits', f'{t.commits:,}'),
        ('AI-marked', f'{t.ai_assisted:,} ({_pct(t.ai_assisted, t.commits)})'),
        *([('AI-marked lines', _pct(t.ai_lines, t.lines))] if t.lines is not None else []),
        ('critical AI changes', f'{sum(c.values()):,}'),
        ('unreviewed', f'{c["unmet"]:,}'),
        ('overridden', f'{c["overridden"]:,}'),
    ]
    return '<div class="kpis">' + ''.join(f'<div class="kpi"><b>{esc(value)}</b>{esc(label)}</div>'
                                          for label, value in cards) + '</div>'


def render(summary: Summary, forge: Forge | None) -> str:
    t = summary.totals
    summary, early = _drawn(summary)
    span = f'{t.first_date} to {t.last_date}' if t.first_date else span_without_dates(t)
    dates = ''.join(f', {name} {value}' for name, value in (('since', summary.since), ('until', summary.until))
                    if value)
    meta = (f'History: {" ".join(summary.revisions)} ({span}{dates}). Policy: {summary.policy_source}. '
            f'Report run on {summary.run_date}'
            + (f'; commits link to {forge.name} ({forge.project})' if forge else '') + '.')
    methods = m.methods(summary)
    share = _section(f'AI-marked share of commits per {summary.granularity}', methods[m.AI_SHARE],
                     _share_chart(summary, False), _share_table(summary, False))
    lines = _section(f'AI-marked share of changed lines per {summary.granularity}', methods[m.AI_LINES],
                     _share_chart(summary, True), _share_table(summary, True)) if summary.with_lines else ''
    body = ''.join((
        f'<h1>AI-assisted change and critical code</h1><p class="meta">{esc(meta)}</p>', _kpis(summary),
        share, lines, _critical(summary), _unreviewed(summary, forge), _tools(summary), _rules(summary),
        _reviewers(summary), _overrides(summary, forge), _authors(summary), _directories(summary),
        _coverage(summary, early),
    ))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        f'<title>trailgate audit: {esc(" ".join(summary.revisions))}</title><style>{STYLE}</style></head>'
        f'<body>{body}</body></html>\n'
    )
