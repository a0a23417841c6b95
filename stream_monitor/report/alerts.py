"""The alert timeline: alert events folded into episodes, drawn as bars per fingerprint.

An episode is one pending-firing-resolved run of an alert. ``pending`` events carry the
time the condition became active, ``firing`` and ``resolved`` the time it started firing
(re-sends repeat it), and ``resolved`` the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from schemas.outputs import AlertEvent, AlertStatus
from stream_monitor.report.markup import EM_DASH, badge, esc, note, table, truncate
from stream_monitor.report.scales import Scale, format_number, format_time, padded
from stream_monitor.report.svg import WIDE, svg_open, text, time_axis

SEVERITY_COLORS: Final = {"critical": "#d62728", "warning": "#ff9f1c", "info": "#1f77b4"}
ROW: Final = 24
LABEL_WIDTH: Final = 170
STATUS_ORDER: Final = {AlertStatus.PENDING: 0, AlertStatus.FIRING: 1, AlertStatus.RESOLVED: 2}


@dataclass(frozen=True)
class Episode:
    fingerprint: str
    last: AlertEvent
    pending_at: float | None = None
    firing_at: float | None = None
    resolved_at: float | None = None

    @property
    def first_time(self) -> float:
        times = (self.pending_at, self.firing_at, self.resolved_at)
        return min(t for t in times if t is not None)

    @property
    def name(self) -> str:
        labels = self.last.labels
        target = labels.get("target", "")
        return f"{labels.get('alertname', self.last.rule)}{' · ' + target if target else ''}"


def _event_time(event: AlertEvent) -> float:
    if event.status is AlertStatus.RESOLVED and event.ends_at is not None:
        return event.ends_at.timestamp()
    return event.starts_at.timestamp()


def _fold(current: Episode | None, event: AlertEvent) -> tuple[Episode, bool]:
    """The episode after ``event``, and whether it is a new one."""
    at, fp = event.starts_at.timestamp(), event.fingerprint
    open_ = current is not None and current.resolved_at is None
    if event.status is AlertStatus.PENDING:
        if current is not None and open_ and (current.firing_at, current.pending_at) == (None, at):
            return replace(current, last=event), False
        return Episode(fp, event, pending_at=at), True
    resolved = None
    if event.status is AlertStatus.RESOLVED and event.ends_at is not None:
        resolved = event.ends_at.timestamp()
    if current is not None and open_ and current.firing_at in (None, at):
        return replace(current, last=event, firing_at=at, resolved_at=resolved), False
    return Episode(fp, event, firing_at=at, resolved_at=resolved), True


def episodes(alerts: Iterable[AlertEvent]) -> list[Episode]:
    """Alert events folded into episodes, ordered by their first time."""
    ordered = sorted(alerts, key=lambda e: (_event_time(e), STATUS_ORDER[e.status]))
    result: list[Episode] = []
    latest: dict[str, int] = {}
    for event in ordered:
        index = latest.get(event.fingerprint)
        episode, new = _fold(None if index is None else result[index], event)
        if new:
            latest[event.fingerprint] = len(result)
            result.append(episode)
        else:
            assert index is not None
            result[index] = episode
    return sorted(result, key=lambda e: (e.first_time, e.fingerprint))


def _bar(xs: Scale, y: float, lo: float, hi: float, color: str, tip: str, pending: bool) -> str:
    x1, x2 = xs(lo), xs(hi)
    style = f'fill="{color}" fill-opacity="0.35" stroke="{color}"' if pending else f'fill="{color}"'
    return (
        f'<rect x="{x1}" y="{y}" width="{max(x2 - x1, 3.0)}" height="{ROW - 8}" rx="3" '
        f'{style} class="alert-{"pending" if pending else "firing"}">'
        f"<title>{esc(tip)}</title></rect>"
    )


def _episode_marks(ep: Episode, xs: Scale, y: float, run_end: float) -> list[str]:
    color = SEVERITY_COLORS.get(ep.last.severity.value, "#7f7f7f")
    tip = f"{ep.name} ({ep.last.severity.value})"
    marks = []
    if ep.pending_at is not None:
        until = ep.firing_at
        if until is None:
            x = xs(ep.pending_at)
            return [
                f'<path d="M{x} {y} l6 {(ROW - 8) / 2} l-6 {(ROW - 8) / 2} l-6 -{(ROW - 8) / 2}z" '
                f'fill="white" stroke="{color}" stroke-width="1.5" class="alert-pending">'
                f"<title>{esc(tip)}: pending since {esc(format_time(ep.pending_at))}</title></path>"
            ]
        marks.append(_bar(xs, y, ep.pending_at, until, color, f"{tip}: pending", True))
    if ep.firing_at is not None:
        end = ep.resolved_at if ep.resolved_at is not None else run_end
        state = "resolved" if ep.resolved_at is not None else "still firing at the end of the run"
        marks.append(_bar(xs, y, ep.firing_at, end, color, f"{tip}: firing, {state}", False))
    return marks


def timeline(eps: Sequence[Episode], x_range: tuple[float, float]) -> str:
    """Horizontal bars per fingerprint over time (pending pale, firing solid)."""
    rows = list(dict.fromkeys(e.fingerprint for e in eps))
    names = {e.fingerprint: e.name for e in eps}
    height = 20 + ROW * len(rows) + 40
    xs = Scale(*padded(*x_range, 300.0), LABEL_WIDTH, WIDE - 16)
    axis_y = 14 + ROW * len(rows)
    parts: list[str] = []
    for i, fp in enumerate(rows):
        y = 14 + ROW * i
        parts.append(
            text(
                LABEL_WIDTH - 6,
                y + ROW / 2 + 4,
                truncate(names[fp], 26),
                anchor="end",
                cls="row-label",
            )
        )
        for ep in (e for e in eps if e.fingerprint == fp):
            parts += _episode_marks(ep, xs, y + 4, x_range[1])
    marks = sum(p.startswith(("<rect", "<path")) for p in parts)
    head = svg_open("Alert timeline", marks, WIDE, height, {"kind": "alerts"})
    return head + time_axis(xs, axis_y, grid_top=8) + "".join(parts) + "</svg>"


def _status_cell(ep: Episode) -> str:
    status = ep.last.status.value
    muted = ep.last.silenced_by or ep.last.inhibited_by
    extra = f" (muted by {muted})" if muted else ""
    return badge(status, status) + esc(extra)


def _row(ep: Episode) -> list[str]:
    labels = ep.last.labels
    summary = ep.last.annotations.get("summary") or ep.last.annotations.get("description", "")

    def when(t: float | None) -> str:
        return esc(format_time(t)) if t is not None else EM_DASH

    return [
        esc(labels.get("alertname", ep.last.rule)),
        esc(labels.get("target", EM_DASH)),
        badge(ep.last.severity.value, ep.last.severity.value),
        _status_cell(ep),
        when(ep.pending_at),
        when(ep.firing_at),
        when(ep.resolved_at),
        esc(format_number(ep.last.value)),
        esc(summary),
        f"<code>{esc(ep.fingerprint)}</code>",
    ]


def alerts_section(alerts: Sequence[AlertEvent], x_range: tuple[float, float]) -> str:
    if not alerts:
        return note("No alerts in this run.")
    eps = episodes(alerts)
    headers = [
        *("Alert", "Target", "Severity", "Last status", "Pending since", "Firing since"),
        *("Resolved at", "Value", "Summary", "Fingerprint"),
    ]
    return (
        f'<figure class="wide">{timeline(eps, x_range)}'
        "<figcaption>Pale: pending; solid: firing (until resolved or the end of the run); "
        "diamond: pending that did not fire. Colour: severity.</figcaption></figure>"
        + table(headers, (_row(e) for e in eps))
    )
