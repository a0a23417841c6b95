"""The retraining decisions: a table with their reasons, evidence and rule trace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from schemas.outputs import RetrainDecision
from stream_monitor.report.markup import EM_DASH, badge, esc, note, table
from stream_monitor.report.scales import Scale, format_time, padded
from stream_monitor.report.svg import WIDE, svg_open, text, time_axis

ACTION_STYLE: Final = {"retrain": "critical", "investigate": "warning", "none": "info"}
ACTION_COLORS: Final = {"retrain": "#d62728", "investigate": "#ff9f1c", "none": "#1f77b4"}
STRIP_ROW: Final = 20
LABEL_WIDTH: Final = 170


def _reasons(decision: RetrainDecision) -> str:
    if not decision.reasons:
        return EM_DASH
    return (
        '<ul class="reasons">' + "".join(f"<li>{esc(r)}</li>" for r in decision.reasons) + "</ul>"
    )


def _trace(decision: RetrainDecision) -> str:
    if not decision.trace and not decision.evidence:
        return EM_DASH
    steps = "".join(
        f'<li class="{"matched" if s.matched else "unmatched"}">'
        f"{'✔' if s.matched else '✘'} <b>{esc(s.rule)}</b>: {esc(s.detail)}</li>"
        for s in decision.trace
    )
    evidence = "".join(
        f"<li><code>{esc(k)}</code> = {esc(v)}</li>" for k, v in decision.evidence.items()
    )
    body = f'<ul class="trace">{steps}</ul>' if steps else ""
    body += f'<p>Evidence:</p><ul class="trace">{evidence}</ul>' if evidence else ""
    return f"<details><summary>{len(decision.trace)} rules</summary>{body}</details>"


def _training_window(decision: RetrainDecision) -> str:
    window = decision.suggested_training_window
    if window is None:
        return EM_DASH
    start, end = format_time(window.start.timestamp()), format_time(window.end.timestamp())
    return esc(f"{start} to {end}")


def runs(decisions: Sequence[RetrainDecision]) -> list[list[RetrainDecision]]:
    """Decisions by time, consecutive ones with the same action, priority and reasons
    grouped (the policy decides every window; a steady verdict is one row)."""
    grouped: list[list[RetrainDecision]] = []
    for decision in sorted(decisions, key=lambda d: d.decided_at):
        key = (decision.action, decision.priority, decision.reasons, decision.dry_run)
        last = grouped[-1][-1] if grouped else None
        if last is not None and (last.action, last.priority, last.reasons, last.dry_run) == key:
            grouped[-1].append(decision)
        else:
            grouped.append([decision])
    return grouped


def _when(run: Sequence[RetrainDecision]) -> str:
    first = esc(format_time(run[0].decided_at.timestamp()))
    if len(run) == 1:
        return first
    last = esc(format_time(run[-1].decided_at.timestamp()))
    return f"{first}<br>to {last}<br><small>{len(run)} decisions</small>"


def _row(run: Sequence[RetrainDecision]) -> list[str]:
    decision = run[-1]
    action = decision.action.value
    dry = " " + badge("dry run", "info") if decision.dry_run else ""
    return [
        _when(run),
        badge(action, ACTION_STYLE.get(action, "info")) + dry,
        esc(decision.priority),
        _reasons(decision),
        _training_window(decision),
        _trace(decision),
    ]


def decisions_section(decisions: Sequence[RetrainDecision], x_range: tuple[float, float]) -> str:
    if not decisions:
        return note("No retraining decisions in this run.")
    headers = ("Decided at", "Action", "Priority", "Reasons", "Suggested training window")
    rows = (_row(run) for run in runs(decisions))
    explain = "Consecutive decisions with the same verdict are one row (trace: the last one)."
    return (
        f'<figure class="wide">{decision_strip(decisions, x_range)}</figure>'
        + note(explain)
        + table((*headers, "Rule trace and evidence"), rows)
    )


def decision_strip(decisions: Sequence[RetrainDecision], x_range: tuple[float, float]) -> str:
    """One mark per decision on a time axis, a row per action."""
    xs = Scale(*padded(*x_range, 300.0), LABEL_WIDTH, WIDE - 16)
    parts = []
    for i, action in enumerate(ACTION_STYLE):
        y = 12 + STRIP_ROW * i
        parts.append(text(LABEL_WIDTH - 8, y + 4, action, anchor="end", cls="row-label"))
        for d in (d for d in decisions if d.action.value == action):
            tip = f"{format_time(d.decided_at.timestamp())}: {action} ({'; '.join(d.reasons)})"
            parts.append(
                f'<circle cx="{xs(d.decided_at.timestamp())}" cy="{y}" r="4.5" '
                f'fill="{ACTION_COLORS[action]}"><title>{esc(tip)}</title></circle>'
            )
    axis_y = 12 + STRIP_ROW * len(ACTION_STYLE) - 6
    head = svg_open(
        "Retraining decisions over time", len(decisions), WIDE, axis_y + 40, {"kind": "decisions"}
    )
    return head + time_axis(xs, axis_y, grid_top=4) + "".join(parts) + "</svg>"
