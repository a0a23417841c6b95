"""Quality, operational and data-quality metrics over time: small multiples of line charts.

A metric's ``reference.<name>`` value is drawn dashed on the metric's own chart; a few
related metrics share one chart (accuracy and its estimate, latency percentiles);
data-quality rates get one chart per kind of rate with a line per feature.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from schemas.outputs import MetricEvent
from stream_monitor.report.data import MetricSeries, metric_series
from stream_monitor.report.markup import esc, note
from stream_monitor.report.scales import format_number
from stream_monitor.report.svg import PALETTE, LineChart, Point, Series, legend, line_chart

GROUPS: Final = (
    ("quality", "Model quality"),
    ("operational", "Operational"),
    ("data_quality", "Data quality"),
    ("monitor", "Monitor health"),
)
REFERENCE: Final = "reference."
REFERENCE_COLOR: Final = "#7f7f7f"
MAX_FEATURE_LINES: Final = 10
COMBINED: Final[Mapping[str, tuple[str, ...]]] = {
    "accuracy": ("accuracy", "estimated_accuracy"),
    "latency (ms)": ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms"),
    "label delay (s)": ("label_delay_p50_s", "label_delay_p95_s", "label_delay_p99_s"),
}
FIRST: Final = (
    "accuracy", "f1", "roc_auc", "macro_f1", "mae", "rmse", "label_coverage",
    "throughput_eps", "error_rate", "latency (ms)",
)  # fmt: skip


@dataclass(frozen=True)
class Panel:
    title: str
    series: tuple[Series, ...]
    caption: str = ""


def _series(label: str, points: MetricSeries, color: str, dashed: bool = False) -> Series:
    pts = tuple(Point(t, v, f"{label}: {format_number(v)}") for t, v in points)
    return Series(label, pts, color, dashed)


def _plain_panels(series: Mapping[str, MetricSeries]) -> list[Panel]:
    """Charts of a flat group: combined charts, then one per metric with its reference."""
    used: set[str] = set()
    panels: list[Panel] = []
    groups = [(title, names) for title, names in COMBINED.items() if names[0] in series]
    groups += [(name, (name,)) for name in series if not name.startswith(REFERENCE)]
    for title, names in groups:
        present = [n for n in names if n in series and n not in used]
        if not present:
            continue
        used.update(present)
        lines = [_series(n, series[n], PALETTE[i]) for i, n in enumerate(present)]
        ref = REFERENCE + present[0]
        if ref in series:
            used.add(ref)
            lines.append(_series(ref, series[ref], REFERENCE_COLOR, dashed=True))
        panels.append(Panel(title, tuple(lines)))
    rest = [n for n in series if n not in used]
    panels += [Panel(n, (_series(n, series[n], REFERENCE_COLOR, dashed=True),)) for n in rest]
    order = {name: i for i, name in enumerate(FIRST)}
    return sorted(panels, key=lambda p: order.get(p.title, len(order)))


def _split(name: str) -> tuple[str, str, bool]:
    """``[reference.]family.feature`` -> (family, feature, is_reference)."""
    is_ref = name.startswith(REFERENCE)
    family, _, feature = name.removeprefix(REFERENCE).partition(".")
    return family, feature, is_ref


def _family_panel(family: str, current: dict[str, MetricSeries], refs: dict[str, float]) -> Panel:
    moving = {f: pts for f, pts in current.items() if any(v for _, v in pts)}
    ranked = sorted(moving, key=lambda f: -max(v for _, v in moving[f]))
    shown = ranked[:MAX_FEATURE_LINES]
    lines = []
    for i, feature in enumerate(sorted(shown)):
        ref = f" (ref {format_number(refs[feature])})" if feature in refs else ""
        lines.append(_series(feature + ref, current[feature], PALETTE[i % len(PALETTE)]))
    caption = []
    if len(ranked) > len(shown):
        caption.append(f"{len(ranked) - len(shown)} more features with smaller rates not drawn")
    zero = sorted(set(current) - set(moving))
    if zero:
        caption.append(f"0 in every window: {', '.join(zero)}")
    return Panel(family, tuple(lines), "; ".join(caption))


def _feature_panels(series: Mapping[str, MetricSeries]) -> list[Panel]:
    """Data-quality charts: one per rate, a line per feature with a non-zero rate."""
    families: dict[str, dict[str, MetricSeries]] = {}
    refs: dict[str, dict[str, float]] = {}
    for name, points in series.items():
        family, feature, is_ref = _split(name)
        if is_ref:
            refs.setdefault(family, {})[feature] = points[-1][1]
        else:
            families.setdefault(family, {})[feature] = points
    return [_family_panel(f, families[f], refs.get(f, {})) for f in families]


def _panel_html(panel: Panel, group: str, x_range: tuple[float, float]) -> str:
    caption = f'<p class="note">{esc(panel.caption)}</p>' if panel.caption else ""
    head = f"<figcaption><b>{esc(panel.title)}</b></figcaption>"
    if not panel.series:
        return f'<figure class="card">{head}{caption}</figure>'
    chart = LineChart(
        title=f"{panel.title} per window",
        series=panel.series,
        x_range=x_range,
        zero_based=False,
        data={"kind": "metric", "group": group, "metric": panel.title},
    )
    return (
        f'<figure class="card">{head}'
        f"{line_chart(chart)}{legend(panel.series, title=panel.title)}{caption}</figure>"
    )


def panels_of(events: Iterable[MetricEvent], group: str) -> tuple[list[Panel], list[str]]:
    """The group's charts, and the metrics left out because they are 0 in every window
    (data-quality rates note those per chart instead)."""
    series = metric_series(events, group)
    if group == "data_quality":
        return _feature_panels(series), []
    zero = [n for n, points in series.items() if not any(v for _, v in points)]
    moving = {n: points for n, points in series.items() if n not in zero}
    return _plain_panels(moving), zero


def metrics_section(events: Sequence[MetricEvent], x_range: tuple[float, float]) -> str:
    if not events:
        return note("No metric events for this model.")
    parts = []
    for group, title in GROUPS:
        panels, zero = panels_of(events, group)
        if not panels and not zero:
            continue
        body = "".join(_panel_html(p, group, x_range) for p in panels)
        zeros = note(f"0 in every window: {', '.join(zero)}") if zero else ""
        parts.append(f'<h4>{esc(title)}</h4><div class="grid">{body}</div>{zeros}')
    if not parts:
        return note("Metric events were found, but every value is empty (null).")
    return "".join(parts)
