"""The few chart kinds the audit draws, as inline SVG from the standard library.

Every chart has a ``<title>`` and a ``<desc>`` (its text alternative), axis
labels, and a native ``<title>`` tooltip on every mark. Colours come from
CSS classes, so the page's light, dark and print styles apply. All text
passes through ``esc``: names and subjects come from commits, which are
hostile (markup escaped; controls, bidi and zero-width characters spelled
out).
"""
from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from typing import NamedTuple

from trailgate.display import visible

WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 56
_IDS = itertools.count(1)


def esc(text: object) -> str:
    """Text safe inside HTML/SVG elements and quoted attributes. Every
    character that is not printable (controls, line breaks, bidi and
    zero-width characters, bytes that were not UTF-8) is spelled out as the
    text reports spell it, so the page shows what the bytes are."""
    return html.escape(visible(str(text)), quote=True)


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[:limit - 1] + '…'


class Segment(NamedTuple):
    value: float
    css: str  # class naming the series' colour
    tooltip: str


class Bar(NamedTuple):
    label: str
    segments: tuple[Segment, ...]
    zero: str = ''  # a tooltip for a tick on the baseline when the bar is empty but not absent


class Band(NamedTuple):
    """A shaded span of the time axis: bars ``first`` to ``last`` (inclusive)."""

    first: int
    last: int
    label: str


class Legend(NamedTuple):
    css: str
    label: str


def _open(title: str, description: str, width: int, height: int) -> tuple[str, str]:
    number = next(_IDS)
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="t{number} d{number}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="t{number}">{esc(title)}</title><desc id="d{number}">{esc(description)}</desc>'
    )
    return head, '</svg>'


def _ticks(value: float) -> tuple[float, int]:
    """(step, count) of whole-number gridlines covering ``value`` in at most 5 steps."""
    if value <= 0:
        return 1.0, 1
    rough = value / 4
    magnitude = 10.0 ** max(len(str(int(rough))) - 1, 0)
    step = next(n * magnitude for n in (1, 2, 5, 10) if n * magnitude >= rough)
    return step, max(1, -int(-value // step))


def _number(value: float, percent: bool) -> str:
    if percent:
        return f'{value:g}%'
    return f'{int(value):,}' if value == int(value) else f'{value:.1f}'


LEGEND_ROW = 16


def _legend_rows(legend: Sequence[Legend], x: int) -> list[list[tuple[int, Legend]]]:
    rows: list[list[tuple[int, Legend]]] = [[]]
    position = x
    for item in legend:
        width = 24 + 7 * len(item.label)
        if rows[-1] and position + width > WIDTH - RIGHT:
            rows.append([])
            position = x
        rows[-1].append((position, item))
        position += width
    return rows if legend else []


def _legend(legend: Sequence[Legend], x: int, y: int) -> str:
    parts = []
    for row in _legend_rows(legend, x):
        for position, item in row:
            parts.append(f'<rect class="{item.css}" x="{position}" y="{y - 9}" width="10" height="10"/>'
                         f'<text class="legend" x="{position + 14}" y="{y}">{esc(item.label)}</text>')
        y += LEGEND_ROW
    return ''.join(parts)


def columns(title: str, description: str, bars: Sequence[Bar], x_label: str, y_label: str,
            percent: bool = False, bands: Sequence[Band] = (), legend: Sequence[Legend] = (),
            height: int = 280) -> str:
    """Vertical bars over a time axis; segments stack."""
    extra = LEGEND_ROW * max(len(_legend_rows(legend, LEFT)) - 1, 0)
    height += extra
    head, tail = _open(title, description, WIDTH, height)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM - extra
    highest = max((sum(s.value for s in b.segments) for b in bars), default=0)
    step, count = _ticks(max(highest, 10.0) if percent else highest)
    top = step * count
    if percent and top > 100:  # a share axis never runs past 100%
        step, count, top = 25.0, 4, 100.0
    slot = plot_w / max(len(bars), 1)
    parts = [head]
    for band in bands:
        x = LEFT + band.first * slot
        w = (band.last - band.first + 1) * slot
        parts.append(
            f'<g class="band"><title>{esc(band.label)}</title>'
            f'<rect x="{x:.1f}" y="{TOP}" width="{w:.1f}" height="{plot_h}"/>'
            f'<text x="{x + 3:.1f}" y="{TOP + 12}">{esc(short(band.label, 40))}</text></g>',
        )
    for tick in range(count + 1):
        value = step * tick
        y = TOP + plot_h - plot_h * tick / count
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{_number(value, percent)}</text>')
    label_every = max(1, round(len(bars) / 12))
    for index, bar in enumerate(bars):
        x = LEFT + index * slot
        base = float(TOP + plot_h)
        if bar.zero and not any(segment.value > 0 for segment in bar.segments):
            parts.append(f'<rect class="s-zero" x="{x + slot * 0.1:.2f}" y="{base - 2:.2f}" '
                         f'width="{max(slot * 0.8, 0.8):.2f}" height="2"><title>{esc(bar.zero)}</title></rect>')
        for segment in bar.segments:
            h = plot_h * segment.value / top if top else 0
            if h <= 0:
                continue
            base -= h
            parts.append(f'<rect class="{segment.css}" x="{x + slot * 0.1:.2f}" y="{base:.2f}" '
                         f'width="{max(slot * 0.8, 0.8):.2f}" height="{h:.2f}">'
                         f'<title>{esc(segment.tooltip)}</title></rect>')
        if index % label_every == 0:
            parts.append(f'<text class="tick" x="{x + slot / 2:.1f}" y="{TOP + plot_h + 16}" '
                         f'text-anchor="middle">{esc(bar.label)}</text>')
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
        f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>'
        f'<text class="label" x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h + 34}" text-anchor="middle">'
        f'{esc(x_label)}</text>'
        f'<text class="label" transform="translate(14 {TOP + plot_h / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{esc(y_label)}</text>',
    )
    parts.append(_legend(legend, LEFT, TOP + plot_h + 52))
    parts.append(tail)
    return ''.join(parts)


def hbars(title: str, description: str, bars: Sequence[Bar], x_label: str, y_label: str,
          legend: Sequence[Legend] = ()) -> str:
    """Horizontal bars, one per category; segments stack."""
    row = 22
    left = 270
    height = TOP + row * max(len(bars), 1) + BOTTOM + LEGEND_ROW * max(len(_legend_rows(legend, left)) - 1, 0)
    head, tail = _open(title, description, WIDTH, height)
    plot_w = WIDTH - left - RIGHT - 60
    plot_h = row * max(len(bars), 1)
    step, count = _ticks(max((sum(s.value for s in b.segments) for b in bars), default=0))
    top = step * count
    parts = [head]
    for tick in range(count + 1):
        x = left + plot_w * tick / count
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>'
                     f'<text class="tick" x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
                     f'{_number(step * tick, False)}</text>')
    for index, bar in enumerate(bars):
        y = TOP + index * row
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + row * 0.65:.1f}" text-anchor="end">'
                     f'<title>{esc(bar.label)}</title>{esc(short(bar.label, 40))}</text>')
        x = float(left)
        for segment in bar.segments:
            w = plot_w * segment.value / top if top else 0
            if w <= 0:
                continue
            parts.append(f'<rect class="{segment.css}" x="{x:.2f}" y="{y + 3}" width="{w:.2f}" '
                         f'height="{row - 6}"><title>{esc(segment.tooltip)}</title></rect>')
            x += w
        total = sum(segment.value for segment in bar.segments)
        parts.append(f'<text class="value" x="{x + 4:.1f}" y="{y + row * 0.65:.1f}">{_number(total, False)}</text>')
    parts.append(
        f'<line class="axis" x1="{left}" x2="{left}" y1="{TOP}" y2="{TOP + plot_h}"/>'
        f'<text class="label" x="{left + plot_w / 2:.0f}" y="{TOP + plot_h + 36}" text-anchor="middle">'
        f'{esc(x_label)}</text>'
        f'<text class="label" x="8" y="{TOP - 10}">{esc(y_label)}</text>',
    )
    parts.append(_legend(legend, left, TOP + plot_h + 52))
    parts.append(tail)
    return ''.join(parts)
