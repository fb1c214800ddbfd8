"""The audit page as a person sees it: rendered by real headless Chromium.

Chromium is Debian's package (``.ci/run`` installs it). Without it the test
is skipped, unless ``TRAILGATE_REQUIRE_CHROMIUM`` is set (as ``.ci/run``
does): then a missing browser fails it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.audit_history import Expected
from testing.chromium import Browser
from testing.chromium import executable
from testing.chromium import ink
from testing.util import trailgate

CHART_COUNT = 8  # share of commits, of lines, outcomes, tools, rules, reviewers, authors, directories
CHARTS = """JSON.stringify([...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  return {x: box.x + scrollX, y: box.y + scrollY, width: box.width, height: box.height,
          title: svg.querySelector('title').textContent,
          marks: [...svg.querySelectorAll('rect')].filter(r => r.getBBox().width * r.getBBox().height > 0).length};
}))"""
SIZE = 'JSON.stringify([document.documentElement.scrollWidth, document.documentElement.scrollHeight])'


@pytest.fixture(scope='module')
def chromium() -> str:
    found = executable()
    if found is None:
        if os.environ.get('TRAILGATE_REQUIRE_CHROMIUM'):
            pytest.fail('chromium is not installed (apt-get install -y chromium)')
        pytest.skip('chromium is not installed (apt-get install -y chromium)')
    return found


@pytest.fixture(scope='module')
def page(history: tuple[Path, Expected], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp('page') / 'audit.html'
    result = trailgate(history[0], 'audit', '-q', '--lines', '--html', str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize('mode', ['light', 'dark', 'print'])
def test_charts_are_drawn_with_no_errors_and_no_network(chromium: str, page: Path, mode: str) -> None:
    import json

    with Browser(chromium) as browser:
        session = browser.open(page.as_uri(), dark=mode == 'dark', print_media=mode == 'print')
        charts = json.loads(browser.evaluate(session, CHARTS))
        assert len(charts) == CHART_COUNT, [chart['title'] for chart in charts]
        for chart in charts:
            assert chart['width'] > 300 and chart['height'] > 80, chart
            assert chart['marks'] > 0, chart
            clip = {key: chart[key] for key in ('x', 'y', 'width', 'height')}
            share, colours = ink(browser.screenshot(session, {**clip, 'scale': 0.5}))
            assert share > 0.02 and colours >= 3, (chart['title'], share, colours)
        width, height = json.loads(browser.evaluate(session, SIZE))
        assert width <= 1100, 'the page scrolls sideways'
        shot = browser.screenshot(session, {'x': 0, 'y': 0, 'width': width, 'height': height, 'scale': 1})
        keep = os.environ.get('TRAILGATE_SCREENSHOTS')
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / f'audit-{mode}.png').write_bytes(shot)
        assert browser.problems(session) == []
        assert browser.requests(session) in ([], [page.as_uri()])


def test_the_checks_see_a_blank_chart_an_error_and_a_request(chromium: str, tmp_path: Path) -> None:
    """The checks above can fail: a page that fetches, logs an error and draws nothing."""
    import json

    bad = tmp_path / 'bad.html'
    bad.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head><body>'
        '<svg class="chart" width="600" height="200"><title>empty</title></svg>'
        '<img src="http://127.0.0.1:9/pixel.png" alt=""></body></html>',
    )
    with Browser(chromium) as browser:
        session = browser.open(bad.as_uri())
        (chart,) = json.loads(browser.evaluate(session, CHARTS))
        assert chart['marks'] == 0
        clip = {key: chart[key] for key in ('x', 'y', 'width', 'height')}
        share, colours = ink(browser.screenshot(session, {**clip, 'scale': 0.5}))
        assert share < 0.02 and colours < 3
        assert any('127.0.0.1:9' in url for url in browser.requests(session))
        assert browser.problems(session) != []


NARROW = """JSON.stringify([...document.querySelectorAll('.chart-box')].map(box => ({
  focusable: box.tabIndex === 0, scrolls: box.scrollWidth > box.clientWidth,
  chart: box.querySelector('svg.chart').getBoundingClientRect().width,
})))"""


def test_in_a_narrow_window_charts_keep_their_size_and_scroll_in_their_box(chromium: str, page: Path) -> None:
    import json

    with Browser(chromium) as browser:
        session = browser.open(page.as_uri(), width=390)
        boxes = json.loads(browser.evaluate(session, NARROW))
        width, _ = json.loads(browser.evaluate(session, SIZE))
        problems = browser.problems(session)
    assert len(boxes) == CHART_COUNT
    assert all(box['focusable'] and box['scrolls'] and box['chart'] >= 640 for box in boxes), boxes
    assert width <= 390, 'the page scrolls sideways'
    assert problems == []


def test_the_page_s_policy_refuses_any_style_or_script_but_its_own(chromium: str, page: Path, tmp_path: Path) -> None:
    """The second line of defence: were markup ever to get through, the
    Content-Security-Policy would still run no script and apply no style."""
    import json

    planted = tmp_path / 'planted.html'
    planted.write_text(page.read_text().replace(
        '</body>', '<style>body { display: none }</style><script>document.title = "ran"</script>'
        '<div style="display: none" id="inline">x</div></body>'))
    with Browser(chromium) as browser:
        session = browser.open(planted.as_uri())
        found = json.loads(browser.evaluate(session, 'JSON.stringify([getComputedStyle(document.body).display, '
                                                     'document.title, getComputedStyle(inline).display])'))
        problems = browser.problems(session)
    assert found[0] == 'block' and found[1] != 'ran' and found[2] == 'block'
    assert len(problems) >= 3 and all('Content Security Policy' in problem for problem in problems), problems
