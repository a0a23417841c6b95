"""Drift over time: an overview heat map (targets x windows) and a chart per target."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from statistics import median
from typing import Final

from stream_monitor.report.data import TargetDrift, WindowDrift
from stream_monitor.report.markup import esc, note, truncate
from stream_monitor.report.scales import Scale, format_number, format_time, padded
from stream_monitor.report.svg import (
    FLAG_COLOR,
    WIDE,
    HLine,
    LineChart,
    Point,
    Series,
    line_chart,
    svg_open,
    text,
    time_axis,
)

HEAT_ROW: Final = 18
HEAT_LABEL: Final = 190
CALM_COLOR: Final = "#bfe3c0"


def _window_note(target: TargetDrift, w: WindowDrift) -> str:
    verdict = f"drift (flagged by {', '.join(w.flagged_by)})" if w.drift else "no drift"
    text_ = (
        f"{target.label} · window ending {format_time(w.end)}: {target.statistic} "
        f"{format_number(w.value)} (threshold {format_number(w.threshold)}) · {verdict}"
    )
    return f"{text_} · {w.detail}" if w.detail else text_


def _step(targets: Sequence[TargetDrift]) -> float:
    """The typical gap between window ends (or the window length for a single window)."""
    ends = sorted({w.end for t in targets for w in t.windows})
    gaps = [b - a for a, b in pairwise(ends)]
    if gaps:
        return median(gaps)
    lengths = [w.end - w.start for t in targets for w in t.windows]
    return max(lengths, default=60.0) or 60.0


def _cells(target: TargetDrift, xs: Scale, y: float, step: float) -> list[str]:
    cells = []
    for w in target.windows:
        x1, x2 = xs(w.end - step), xs(w.end)
        color = FLAG_COLOR if w.drift else CALM_COLOR
        cells.append(
            f'<rect x="{x1}" y="{y}" width="{max(x2 - x1 - 0.5, 0.8):.1f}" '
            f'height="{HEAT_ROW - 3}" fill="{color}" class="{"drift" if w.drift else "calm"}">'
            f"<title>{esc(_window_note(target, w))}</title></rect>"
        )
    return cells


def heat_map(targets: Sequence[TargetDrift], x_range: tuple[float, float]) -> str:
    """One row per target, one cell per window, red where the target drifted."""
    step = _step(targets)
    lo, hi = padded(x_range[0] - step, x_range[1], 300.0)
    xs = Scale(lo, hi, HEAT_LABEL, WIDE - 16)
    parts: list[str] = []
    for i, target in enumerate(targets):
        y = 8 + HEAT_ROW * i
        label = truncate(target.label, 30)
        parts.append(text(HEAT_LABEL - 6, y + 12, label, anchor="end", cls="row-label"))
        parts += _cells(target, xs, y, step)
    axis_y = 10 + HEAT_ROW * len(targets)
    cells = sum(len(t.windows) for t in targets)
    head = svg_open("Drift by target and window", cells, WIDE, axis_y + 40, {"kind": "drift-map"})
    return head + "".join(parts) + time_axis(xs, axis_y) + "</svg>"


def _threshold(target: TargetDrift) -> float:
    return Counter(w.threshold for w in target.windows).most_common(1)[0][0]


def target_chart(target: TargetDrift, x_range: tuple[float, float]) -> str:
    """The plotted statistic of one target per window, its threshold and drifted windows."""
    points = tuple(Point(w.end, w.value, _window_note(target, w), w.drift) for w in target.windows)
    threshold = _threshold(target)
    chart = LineChart(
        title=f"Drift of {target.label}: {target.statistic} per window",
        series=(Series(target.statistic, points),),
        x_range=x_range,
        hlines=(HLine(threshold, f"threshold {format_number(threshold)}"),),
        y_label=target.statistic,
        data={"kind": "drift", "target": f"{target.kind}:{target.name}"},
    )
    drifted, total = target.drifted_windows, len(target.windows)
    status = f"drifted in {drifted} of {total} windows" if drifted else f"{total} windows, no drift"
    return (
        f'<figure class="card{" alarm" if drifted else ""}">'
        f"<figcaption><b>{esc(target.label)}</b> <span>{esc(target.statistic)} · "
        f"{esc(status)}</span></figcaption>"
        f"{line_chart(chart)}</figure>"
    )


def drift_section(targets: Sequence[TargetDrift], x_range: tuple[float, float]) -> str:
    if not targets:
        return note("No drift events for this model.")
    drifted = [t for t in targets if t.drifted_windows and t.kind != "dataset"]
    summary = (
        "Drifted: " + ", ".join(f"{t.label} ({t.drifted_windows})" for t in drifted)
        if drifted
        else "No target drifted in any window."
    )
    explain = (
        "Each chart plots one statistic of the target per window end: the deciding "
        "statistic that flagged drift most often (else PSI, KS, chi²…); the dashed line is "
        "its threshold; red points mark windows where the target drifted (one of its "
        "deciding statistics flagged it). Hover a point for details."
    )
    charts = "".join(target_chart(t, x_range) for t in targets)
    return (
        f'<p class="summary">{esc(summary)}</p>'
        f'<figure class="wide">{heat_map(targets, x_range)}<figcaption>Red: drifted; '
        "green: tested, no drift; blank: no statistic in that window.</figcaption></figure>"
        f'{note(explain)}<div class="grid">{charts}</div>'
    )
