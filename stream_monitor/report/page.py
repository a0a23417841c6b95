"""The whole page: header summary, dead letters, then one section per model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from schemas.outputs import AlertStatus, DeadLetter
from stream_monitor.report.alerts import alerts_section
from stream_monitor.report.data import (
    Grouped,
    ModelOutputs,
    OutputEvent,
    group_outputs,
    target_drift,
)
from stream_monitor.report.decisions import decisions_section
from stream_monitor.report.distributions import distributions_section
from stream_monitor.report.drift import drift_section
from stream_monitor.report.markup import esc, note, table, truncate
from stream_monitor.report.metrics import metrics_section
from stream_monitor.report.scales import format_time
from stream_monitor.report.style import CSS
from stream_monitor.stats.profile import ReferenceProfile

CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""Nothing may load from anywhere: the page is complete as it is."""
Profiles = ReferenceProfile | Mapping[str, ReferenceProfile] | None


def _stat(value: object, label: str) -> str:
    return f'<div class="stat"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


def _stats(items: Iterable[tuple[object, str]]) -> str:
    return '<div class="stats">' + "".join(_stat(v, label) for v, label in items) + "</div>"


def _alert_counts(models: Iterable[ModelOutputs]) -> list[tuple[object, str]]:
    alerts = [a for m in models for a in m.alerts]
    by_status = Counter(a.status for a in alerts)
    counts: list[tuple[object, str]] = [(len({a.fingerprint for a in alerts}), "distinct alerts")]
    counts += [(by_status[s], f"{s.value} alert events") for s in AlertStatus]
    return counts


def _run_summary(grouped: Grouped) -> str:
    models = list(grouped.models.values())
    decisions = Counter(d.action.value for m in models for d in m.decisions)
    items: list[tuple[object, str]] = [
        (len(models), "models"),
        (sum(m.window_count() for m in models), "windows evaluated"),
        (sum(len(m.drift) for m in models), "drift statistics"),
        *_alert_counts(models),
        (sum(decisions.values()), "retraining decisions"),
        (len(grouped.dead_letters), "dead letters"),
    ]
    stamps = [t for m in models for t in m.times()]
    span = f"From {format_time(min(stamps))} to {format_time(max(stamps))}." if stamps else ""
    return _stats(items) + (note(span) if span else "")


def _dead_letters(dead: Sequence[DeadLetter]) -> str:
    if not dead:
        return ""
    by_reason: dict[str, list[DeadLetter]] = {}
    for letter in dead:
        by_reason.setdefault(letter.reason, []).append(letter)
    rows = [
        [
            f"<code>{esc(reason)}</code>",
            esc(len(letters)),
            esc(", ".join(sorted({d.source_topic for d in letters}))),
            esc(truncate(letters[0].detail, 200)),
        ]
        for reason, letters in sorted(by_reason.items(), key=lambda i: (-len(i[1]), i[0]))
    ]
    headers = ("Reason", "Count", "Source", "Example")
    return "<h3>Dead letters by reason</h3>" + table(headers, rows)


def _profile_for(profiles: Profiles, model_id: str) -> ReferenceProfile | None:
    if profiles is None or isinstance(profiles, ReferenceProfile):
        return profiles
    return profiles.get(model_id)


def _h3(index: int, part: str, title: str) -> str:
    return f'<h3 id="model-{index}-{part}">{esc(title)}</h3>'


def _model_section(index: int, model: ModelOutputs, profile: ReferenceProfile | None) -> str:
    x_range = model.time_range()
    targets = target_drift(model.drift)
    items: list[tuple[object, str]] = [
        (model.window_count(), "windows"),
        (sum(1 for t in targets if t.drifted_windows and t.kind != "dataset"), "targets drifted"),
        *_alert_counts([model]),
        (len(model.decisions), "retraining decisions"),
    ]
    return (
        f'<section id="model-{index}"><h2>Model <code>{esc(model.model_id)}</code></h2>'
        f"{_stats(items)}"
        f"{_h3(index, 'drift', 'Drift over time')}{drift_section(targets, x_range)}"
        f"{_h3(index, 'reference', 'Reference distributions')}{distributions_section(profile)}"
        f"{_h3(index, 'metrics', 'Quality and operational metrics')}"
        f"{metrics_section(model.metrics, x_range)}"
        f"{_h3(index, 'alerts', 'Alert timeline')}{alerts_section(model.alerts, x_range)}"
        f"{_h3(index, 'decisions', 'Retraining decisions')}"
        f"{decisions_section(model.decisions, x_range)}"
        "</section>"
    )


def _nav(models: Sequence[str]) -> str:
    if len(models) < 2:
        return ""
    links = "".join(f'<a href="#model-{i}">{esc(m)}</a>' for i, m in enumerate(models, 1))
    return f"<nav>Models: {links}</nav>"


def _no_data(profiles: Profiles) -> str:
    text = note("No data: the run produced no output events, so there is nothing to chart.")
    if isinstance(profiles, ReferenceProfile):
        text += f"<h3>Reference distributions</h3>{distributions_section(profiles)}"
    return f'<section class="empty">{text}</section>'


def render_page(outputs: Iterable[OutputEvent], profiles: Profiles, title: str) -> str:
    grouped = group_outputs(outputs)
    models = list(grouped.models.values())
    sections = "".join(
        _model_section(i, m, _profile_for(profiles, m.model_id)) for i, m in enumerate(models, 1)
    )
    if not models:
        sections = _no_data(profiles)
    body = (
        f"<h1>{esc(title)}</h1>{_run_summary(grouped)}{_nav([m.model_id for m in models])}"
        f"{_dead_letters(grouped.dead_letters)}{sections}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )
