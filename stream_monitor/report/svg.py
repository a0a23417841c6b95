"""Inline SVG charts: time-series line charts and axes, drawn in Python, no script.

Every chart is an ``<svg class="chart">`` with a ``<title>`` and a ``data-series``
attribute holding the number of plotted marks (points or bars), so tests and readers
can tell an empty chart from a drawn one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from stream_monitor.report.markup import attrs, esc
from stream_monitor.report.scales import (
    Scale,
    nice_range,
    padded,
    time_label,
    time_ticks,
    value_ticks_format,
)

WIDTH: Final = 400
HEIGHT: Final = 210
WIDE: Final = 1040
"""Width of full-width charts (heat map, alert timeline)."""
LEFT, RIGHT, TOP, BOTTOM = 50, 14, 16, 36
MARKER_LIMIT: Final = 90
"""Series with more points than this are drawn without per-point markers (flags kept)."""
FLAG_COLOR: Final = "#d62728"
AXIS_COLOR: Final = "#888"
GRID_COLOR: Final = "#e6e6e6"
DASHED: Final = ' class="dashed"'
PALETTE: Final = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#843c39",
)  # fmt: skip


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    note: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]
    color: str = PALETTE[0]
    dashed: bool = False


@dataclass(frozen=True)
class HLine:
    """A horizontal reference line, e.g. a threshold (drawn dashed)."""

    y: float
    label: str
    color: str = "#444"


@dataclass(frozen=True)
class LineChart:
    title: str
    series: tuple[Series, ...]
    x_range: tuple[float, float]
    hlines: tuple[HLine, ...] = ()
    y_label: str = ""
    zero_based: bool = True
    """Always show 0 on the value axis (else only when the values come near it)."""
    data: Mapping[str, str] = field(default_factory=dict)
    """Extra ``data-*`` attributes (names without the prefix)."""


def svg_open(title: str, marks: int, width: int, height: int, data: Mapping[str, str]) -> str:
    """The opening ``<svg class="chart">`` tag and its ``<title>``."""
    extra = {f"data-{k}": v for k, v in data.items()}
    values: dict[str, object] = {"class": "chart", "viewBox": f"0 0 {width} {height}"}
    values |= {"role": "img", "data-series": marks, **extra}
    return f"<svg{attrs(values)}><title>{esc(title)}</title>"


def text(x: float, y: float, body: str, *, anchor: str = "middle", cls: str = "tick") -> str:
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}" class="{cls}">{esc(body)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}"{extra}/>'


def time_axis(scale: Scale, y: float, grid_top: float | None = None) -> str:
    """Ticks and ``HH:MM`` labels of a time scale along ``y``, with optional grid lines."""
    parts = [line(scale.start, y, scale.stop, y, AXIS_COLOR)]
    span = scale.hi - scale.lo
    for tick in time_ticks(scale.lo, scale.hi):
        x = scale(tick)
        if grid_top is not None:
            parts.append(line(x, grid_top, x, y, GRID_COLOR))
        parts.append(line(x, y, x, y + 4, AXIS_COLOR))
        parts.append(text(x, y + 15, time_label(tick, span)))
    parts.append(text(scale.stop, y + 29, "UTC", anchor="end", cls="axis-label"))
    return "".join(parts)


def value_axis(scale: Scale, ticks: Sequence[float], x: float, right: float) -> str:
    """Horizontal grid lines and labels of a vertical value scale at ``x``."""
    parts = [line(x, scale.start, x, scale.stop, AXIS_COLOR)]
    for tick, label in zip(ticks, value_ticks_format(ticks), strict=True):
        y = scale(tick)
        parts.append(line(x, y, right, y, GRID_COLOR))
        parts.append(text(x - 5, y + 4, label, anchor="end"))
    return "".join(parts)


def _y_extent(chart: LineChart) -> tuple[float, float]:
    values = [p.y for s in chart.series for p in s.points] + [h.y for h in chart.hlines]
    if not values:
        return 0.0, 1.0
    lo, hi = min(values), max(values)
    near_zero = 0 < lo < 0.5 * hi
    return (min(0.0, lo) if chart.zero_based or near_zero else lo), hi


def _marker(x: float, y: float, point: Point, color: str) -> str:
    fill, radius = (FLAG_COLOR, 4.0) if point.flagged else (color, 2.5)
    tip = f"<title>{esc(point.note)}</title>" if point.note else ""
    return f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{fill}">{tip}</circle>'


def _series(series: Series, xs: Scale, ys: Scale) -> str:
    coords = [(xs(p.x), ys(p.y)) for p in series.points]
    parts = []
    if len(coords) > 1:
        dash = ' stroke-dasharray="5 3"' if series.dashed else ""
        pts = " ".join(f"{x},{y}" for x, y in coords)
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{esc(series.color)}" '
            f'stroke-width="1.6"{dash}><title>{esc(series.label)}</title></polyline>'
        )
    all_markers = len(coords) <= MARKER_LIMIT
    for (x, y), point in zip(coords, series.points, strict=True):
        if all_markers or point.flagged:
            parts.append(_marker(x, y, point, esc(series.color)))
    return "".join(parts)


def _hline(h: HLine, ys: Scale, left: float, right: float) -> str:
    y = ys(h.y)
    dashed = ' stroke-dasharray="6 4" stroke-width="1.3"'
    label = text(right - 2, y - 4, h.label, anchor="end", cls="hline-label")
    return line(left, y, right, y, esc(h.color), dashed) + label


def line_chart(chart: LineChart) -> str:
    """A time-series chart: x is Unix seconds (UTC), one polyline per series."""
    lo, hi, ticks = nice_range(*_y_extent(chart))
    xs = Scale(*padded(*chart.x_range, 300.0), LEFT, WIDTH - RIGHT)
    ys = Scale(lo, hi, HEIGHT - BOTTOM, TOP)
    marks = sum(len(s.points) for s in chart.series)
    parts = [
        svg_open(chart.title, marks, WIDTH, HEIGHT, chart.data),
        value_axis(ys, ticks, LEFT, WIDTH - RIGHT),
        time_axis(xs, HEIGHT - BOTTOM),
        *(_hline(h, ys, LEFT, WIDTH - RIGHT) for h in chart.hlines),
        *(_series(s, xs, ys) for s in chart.series),
    ]
    if chart.y_label:
        parts.append(text(4, TOP - 6, chart.y_label, anchor="start", cls="axis-label"))
    parts.append("</svg>")
    return "".join(parts)


def legend(series: Sequence[Series], hlines: Sequence[HLine] = (), title: str = "") -> str:
    """An HTML legend of colour swatches (omitted for a lone series named as the chart)."""
    if not hlines and (not series or (len(series) == 1 and series[0].label == title)):
        return ""
    items = [
        f'<span class="key"><i style="background:{esc(s.color)};border-color:{esc(s.color)}"'
        f"{DASHED if s.dashed else ''}></i>{esc(s.label)}</span>"
        for s in series
    ]
    items += [
        f'<span class="key"><i{DASHED} style="border-color:{esc(h.color)}"></i>'
        f"{esc(h.label)}</span>"
        for h in hlines
    ]
    return f'<div class="legend">{"".join(items)}</div>'
