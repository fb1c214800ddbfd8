"""Every output of an audit over a history an attacker wrote (``testing.hostile_audit``).

The page is opened in real Chromium: no element, attribute, script, style,
link or request of the attacker's; the charts are drawn; the text shows as
text, with controls spelled out; the page fits a wide and a narrow window.
The CSV has no formula and no control character a terminal or spreadsheet
acts on, the JSON none a terminal acts on, the terminal summary none at all.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.chromium import Browser
from testing.hostile_audit import ESCAPES
from testing.hostile_audit import build
from testing.util import trailgate
from tests.audit.browser_test import CHART_COUNT
from tests.audit.browser_test import CHARTS
from tests.audit.browser_test import SIZE
from tests.audit.browser_test import chromium  # noqa: F401  (the fixture)

# what an attacker's text would become if it were markup: none of it may exist
ATTACKER_ELEMENTS = ('script, img, iframe, object, embed, link, base, a, form, input, body style, '
                     'meta[http-equiv=refresh], svg:not(.chart) svg, foreignObject')
DOM = """JSON.stringify({
  elements: document.querySelectorAll(ATTACKER).length,
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
    .filter(name => name.startsWith('on')),
  heads: [document.querySelectorAll('head style').length, document.querySelectorAll('meta').length],
  hidden: getComputedStyle(document.body).display,
  text: document.body.innerText,
})""".replace('ATTACKER', json.dumps(ATTACKER_ELEMENTS))
# raw in a file a person opens or a terminal prints: C0 (but the CSV's and JSON's own line
# breaks), DEL, C1, bidi, zero-width and line-separator characters
RAW = re.compile('[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]')


class Outputs(NamedTuple):
    html: Path
    json: str
    csv: str
    text: str


@pytest.fixture(scope='module')
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    root = tmp_path_factory.mktemp('hostile')
    repo = build(root / 'repo')
    page, document, table = root / 'audit.html', root / 'audit.json', root / 'audit.csv'
    result = trailgate(repo, 'audit', '--lines', '--html', str(page), '--json', str(document), '--csv', str(table))
    assert result.returncode == 0, result.stderr
    return Outputs(page, document.read_text(encoding='utf-8'), table.read_text(encoding='utf-8'), result.stdout)


@pytest.mark.parametrize('width', [1100, 390])
def test_the_page_shows_the_attacker_s_text_as_text(chromium: str, outputs: Outputs, width: int) -> None:  # noqa: F811
    with Browser(chromium) as browser:
        session = browser.open(outputs.html.as_uri(), width=width)
        found = json.loads(browser.evaluate(session, DOM))
        charts = json.loads(browser.evaluate(session, CHARTS))
        page_width, _ = json.loads(browser.evaluate(session, SIZE))
        problems, requests = browser.problems(session), browser.requests(session)
    assert found['elements'] == 0 and found['handlers'] == []
    assert found['heads'] == [1, 4] and found['hidden'] == 'block'
    text = found['text']
    for shown in ('<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>', '<!-- <![CDATA[ ]]> -->',
                  '\\x1b[31mRED\\x1b[0m\\x1b]0;pwned\\x07', '\\u202egnp.exe', '\\u2028\\u2029', '\\x9b31mC1',
                  '\\xff\\xfe\\xc0\\x80', '<meta http-equiv=refresh'):
        assert shown in text, shown
    assert RAW.search(text.replace('\n', '').replace('\t', '')) is None
    assert len(charts) == CHART_COUNT
    assert [chart['title'] for chart in charts if not chart['marks']] == []
    assert page_width <= width, 'the page scrolls sideways'
    assert problems == []
    assert requests == [outputs.html.as_uri()]


def test_the_csv_has_no_formula_and_no_control_character(outputs: Outputs) -> None:
    rows = list(csv.reader(io.StringIO(outputs.csv)))
    cells = [cell for row in rows[1:] for cell in row]
    assert [cell for cell in cells if cell.startswith(('=', '+', '-', '@', '\t', '\r'))] == []
    assert RAW.search(outputs.csv) is None
    assert "'=HYPERLINK(\"http://evil.example\",\"x\") subject =HYPERLINK(\"http://evil.example\",\"x\")" in cells
    assert '\\x1b[31mRED' in outputs.csv and '\\x9b31mC1' in outputs.csv


def test_the_json_escapes_what_a_terminal_would_act_on_and_reads_back_the_same(outputs: Outputs) -> None:
    assert RAW.search(outputs.json) is None
    document = json.loads(outputs.json)
    subjects = {row['subject'] for row in document['unreviewed']['listed']}
    assert f'{ESCAPES.decode()} subject {ESCAPES.decode()}' in subjects
    assert '\u202egnp.exe subject \u202egnp.exe' in subjects


def test_the_terminal_summary_prints_no_control_character(outputs: Outputs) -> None:
    assert RAW.search(outputs.text) is None
    assert '<img src="http://evil.example/p.png"> subject' in outputs.text
