"""``audit --html``: one self-contained page; hostile commit text stays text."""
from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from testing.audit_history import HOSTILE
from testing.audit_history import Expected
from testing.scenarios import CRITICAL
from testing.scenarios import message
from testing.scenarios import new_repo

EVIL = '<img src=x onerror=alert(1)>"\'</title></svg><script>alert(2)</script>&amp;'
TAGS = frozenset((
    'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'div', 'b', 'i', 'br', 'section',
    'figure', 'figcaption', 'svg', 'desc', 'g', 'rect', 'line', 'text', 'table', 'thead', 'tbody', 'tr',
    'th', 'td', 'code', 'a', 'details', 'summary', 'ul', 'li', 'span',
))


VOID = frozenset(('meta', 'br'))


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []  # the elements opened and not yet closed, innermost last
        self.misnested: list[str] = []  # end tags that close no element open there

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag not in VOID:
            self.open.append(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ('href', 'src', 'xlink:href'):
                self.links.append(value or '')

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)  # <rect ... />: opened and closed
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.misnested.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding='utf-8'))
    return page


def svg_charts(html: str) -> list[ElementTree.Element]:
    """Each chart of the page, parsed as the XML an SVG is: an attribute that
    lost a quote, say, swallows the next one and does not parse."""
    return [ElementTree.fromstring(chart) for chart in re.findall(r'<svg\b.*?</svg>', html, re.S)]


def test_generated_history_page(history: tuple[Path, Expected], tmp_path: Path) -> None:
    repo = history[0]
    out = tmp_path / 'audit.html'
    from testing.util import trailgate
    result = trailgate(repo, 'audit', '-q', '--lines', '--html', str(out))
    assert result.returncode == 0, result.stderr
    page = parse(out)
    assert page.tags <= TAGS
    # every element closed where it was opened: a stray end tag shows as text, or closes another
    assert (page.open, page.misnested) == ([], [])
    assert not any(name.startswith('on') for name in page.attributes)
    assert page.links == []
    text = ''.join(page.text)
    assert f'{HOSTILE} change' in text
    assert text.count('<script>') == text.count(HOSTILE)  # only ever as text
    for title in ('AI-marked share of commits per week', 'AI-marked share of changed lines per week',
                  'Commits by AI tool mark', 'Reviews counted per week, by reviewer'):
        assert title in text
    # each chart's axes labelled with numbers, shares and days
    charts = svg_charts(out.read_text())
    assert len(charts) == 8
    ticks = [tick.text for chart in charts for tick in chart.iter('{http://www.w3.org/2000/svg}text')
             if tick.get('class') == 'tick' and tick.text is not None]
    assert {'0', '10', '0%', '100%', '2026-03-02'} <= set(ticks), ticks
    assert all(re.fullmatch(r'[0-9][0-9,]*%?|[0-9]{4}-[0-9]{2}-[0-9]{2}', tick) for tick in ticks), ticks


def test_hostile_names_paths_reasons_and_remote(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.git('remote', 'add', 'origin', 'https://tok:en@github.com/o/r.git')
    evil_author = f'{EVIL.replace("<", "").replace(">", "")} <carol@example.com>'
    repo.commit_ok(message(EVIL, f'Assisted-by: {EVIL}', f'Break-Glass: {EVIL}', f'Reviewed-by: {EVIL}'),
                   {CRITICAL: 'x\n', f'{EVIL.replace("/", "")}/f': 'y\n', '<x>/g': 'z\n'},
                   verify=False, author=evil_author)
    repo.commit_ok(message(f'{EVIL} 2', f'Assisted-by: {EVIL}'), {CRITICAL: 'x2\n'}, verify=False)
    out = tmp_path / 'audit.html'
    result = repo.trailgate('audit', '-q', '--html', str(out))
    assert result.returncode == 0, result.stderr
    page = parse(out)
    assert page.tags <= TAGS, page.tags - TAGS
    assert not any(name.startswith('on') for name in page.attributes)
    assert page.links and all(link.startswith('https://github.com/o/r/commit/') for link in page.links)
    html = out.read_text()
    assert 'tok:en' not in html and 'tok' not in ''.join(page.links)
    assert "default-src 'none'" in html
    assert EVIL in ''.join(page.text)


def test_bidi_and_zero_width_characters_are_spelled_out(tmp_path: Path) -> None:
    # a right-to-left override makes a subject or a path read as something else
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.commit_ok(message('Tidy \u202echarge\u200b', 'Assisted-by: \u2066Claude'),
                   {CRITICAL: 'x\n', 'services/payments/\u202elive.py': 'y\n'}, verify=False)
    out = tmp_path / 'audit.html'

    result = repo.trailgate('audit', '-q', '--html', str(out))

    assert result.returncode == 0, result.stderr
    html = out.read_text()
    for hidden in ('\u202e', '\u200b', '\u2066'):
        assert hidden not in html, hidden
    assert 'Tidy \\u202echarge\\u200b' in ''.join(parse(out).text)


def test_a_period_without_ai_shows_a_tick_and_one_without_commits_shows_nothing(tmp_path: Path) -> None:
    from tests.audit.shapes_test import JAN_2026
    from tests.audit.shapes_test import dated_history

    day = 86400
    repo = dated_history(tmp_path / 'repo', [
        (JAN_2026, 'Adopt the policy\n'), (JAN_2026 + day, 'AI\n\nAssisted-by: x\n'),
        *((JAN_2026 + (60 + i) * day, f'Human {i}\n') for i in range(3)),  # March; none in February
        (JAN_2026 + 200 * day, 'Later\n\nAssisted-by: x\n'),  # July: the span is months, not weeks
    ])
    out = tmp_path / 'audit.html'

    result = repo_audit(repo, out)

    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert '<title>2026-03: 0 of 3 commits AI-marked (0.0%)</title>' in html
    assert '2026-02: 0 of 0' not in html
    assert html.count('class="s-zero"') == 1 + 1  # March's tick and its legend swatch
    assert len(svg_charts(html)) >= 1
    assert '4 months without commits (no mark)' in html
    assert 'by reviewer</title>' not in html  # no review counted: a sentence, not an empty chart
    assert 'No review was counted in this history, so there is no chart.' in html


def test_authors_of_one_name_are_told_apart(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    for email in ('pat@one.example', 'pat@two.example'):
        repo.commit_ok(message('Change', 'Assisted-by: x'), {f'{email}.txt': 'x\n'}, verify=False,
                       author=f'Pat Doe <{email}>')
    out = tmp_path / 'audit.html'

    result = repo_audit(repo.path, out)

    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert 'Pat Doe &lt;pat@one.example&gt;' in html and 'Pat Doe &lt;pat@two.example&gt;' in html


def repo_audit(repo: Path, out: Path) -> subprocess.CompletedProcess[str]:
    from testing.util import trailgate

    return trailgate(repo, 'audit', '-q', '--html', str(out))


class Tables(HTMLParser):
    """Every table of a page, as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == 'table':
            self.tables.append([])
        elif tag == 'tr':
            self.tables[-1].append([])
        elif tag in ('td', 'th'):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ('td', 'th') and self._cell is not None:
            self.tables[-1][-1].append(''.join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_the_page_s_figures_are_the_json_s(history: tuple[Path, Expected], tmp_path: Path) -> None:
    import json
    import re

    from testing.util import trailgate

    page, document = tmp_path / 'audit.html', tmp_path / 'audit.json'
    result = trailgate(history[0], 'audit', '-q', '--html', str(page), '--json', str(document))
    assert result.returncode == 0, result.stderr
    html, figures = page.read_text(), json.loads(document.read_text())
    tables = Tables()
    tables.feed(html)
    by_header = {tuple(table[0]): table[1:] for table in tables.tables}

    kpis = {label: value for value, label in re.findall(r'<div class="kpi"><b>([^<]*)</b>([^<]*)</div>', html)}
    totals, critical = figures['totals'], figures['critical']
    assert kpis['commits'] == f'{totals["commits"]:,}'
    assert kpis['AI-marked'].startswith(f'{totals["ai_assisted"]:,} (')
    assert kpis['unreviewed'] == f'{critical["unmet"]:,}'
    outcomes = ('met', 'unmet', 'overridden', 'not_required')
    assert kpis['critical AI changes'] == f'{sum(critical[key] for key in outcomes):,}'
    assert by_header[('week', 'commits', 'AI-marked', 'share')] == [
        [row['label'], f'{row["commits"]:,}', f'{row["ai_assisted"]:,}',
         f'{100 * row["ai_assisted"] / row["commits"]:.1f}%' if row['commits'] else '–'] for row in figures['periods']]
    assert by_header[('tool', 'mark id', 'commits')] == [
        [row['tool'], row['id'], f'{row["commits"]:,}'] for row in figures['tools']]
    assert by_header[('rule', 'commits touching', 'AI-marked', 'met', 'unmet', 'overridden', 'not required')] == [
        [row['rule'], *(f'{row[key]:,}' for key in ('commits', 'ai_assisted', 'met', 'unmet', 'overridden',
                                                    'not_required'))] for row in figures['rules']]
