"""What the CLI prints: live alerts, summaries and tables (rich)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from schemas import AlertEvent, RetrainDecision
from stream_monitor.replay import Output, ReplaySummary
from stream_monitor.rules import Silence
from stream_monitor.settings import Settings
from stream_monitor.stats.profile import NumericProfile, ReferenceProfile

DEMO_INTRO = (
    "[bold]stream-monitor demo[/bold]: one hour of a churn classifier in production, "
    "25 predictions/s.\n"
    "  minute 20: [yellow]income drifts[/yellow]   minute 35-43: [red]age is null for 40% "
    "of events[/red]   minute 45: [magenta]the world changes (quality drops)[/magenta]\n"
)
_STATUS_STYLE = {"pending": "yellow", "firing": "bold red", "resolved": "green"}


def alert_printer(console: Console) -> Callable[[Output], None]:
    """Prints each alert event as it happens, in event time."""

    def show(output: Output) -> None:
        if not isinstance(output, AlertEvent):
            return
        style = _STATUS_STYLE.get(output.status.value, "")
        at = (output.ends_at or output.starts_at).strftime("%H:%M")
        value = "" if output.value is None else f" value={output.value:.3g}"
        muted = f" (inhibited by {output.inhibited_by})" if output.inhibited_by else ""
        console.print(
            f"{at} [{style}]{output.status.value:>8}[/{style}] {output.severity.value:<8} "
            f"{output.labels.get('alertname', output.rule)} "
            f"[bold]{output.labels.get('target', '')}[/bold]{value}{muted}"
        )

    return show


def write_report(path: Path, outputs: Sequence[Output], reference: Path) -> Path:
    from stream_monitor.report import render_report
    from stream_monitor.specs import load_reference

    path.write_text(render_report(list(outputs), load_reference(reference)), encoding="utf-8")
    return path


def print_summary(
    console: Console,
    summary: ReplaySummary,
    seconds: float,
    outputs: Path | None,
    report: Path | None,
) -> None:
    counts = summary.counts
    console.print(
        f"\n{counts.lines} prediction messages ({counts.events} events counted, "
        f"{counts.dead_letters} dead letters), {counts.labels} labels, "
        f"{counts.evaluations} evaluations in {seconds:.1f} s"
    )
    table = Table(title="alerts that fired")
    for column in ("rule", "target", "severity", "first fired", "resolved"):
        table.add_column(column)
    for alert in _fired(summary.alerts):
        resolved = _resolved_at(summary.alerts, alert.fingerprint)
        table.add_row(
            alert.labels.get("alertname", alert.rule),
            alert.labels.get("target", ""),
            alert.severity.value,
            alert.starts_at.strftime("%H:%M"),
            resolved or "-",
        )
    console.print(table)
    _print_decisions(console, summary)
    if summary.dead_letters:
        reasons = ", ".join(f"{r}: {n}" for r, n in sorted(summary.dead_letters.items()))
        console.print(f"dead letters by reason: {reasons}")
    for label, path in (("outputs", outputs), ("report", report)):
        if path is not None:
            console.print(f"{label}: {path}")


def _print_decisions(console: Console, summary: ReplaySummary) -> None:
    decisions = [o for o in summary.kept if isinstance(o, RetrainDecision)]
    if not decisions:
        return
    actions = Counter(d.action.value for d in decisions)
    console.print(
        "retraining decisions: " + ", ".join(f"{a} x{n}" for a, n in sorted(actions.items()))
    )
    for action in ("retrain", "investigate"):
        first = next((d for d in decisions if d.action.value == action), None)
        if first is not None:
            console.print(
                f"  first {action} at {first.decided_at:%H:%M} ({first.priority}): "
                f"{first.reasons[0] if first.reasons else ''}"
            )


def _fired(alerts: Sequence[AlertEvent]) -> list[AlertEvent]:
    seen: dict[tuple[str, str], AlertEvent] = {}
    for alert in alerts:
        if alert.status.value == "firing":
            seen.setdefault((alert.fingerprint, alert.starts_at.isoformat()), alert)
    return list(seen.values())


def _resolved_at(alerts: Sequence[AlertEvent], fingerprint: str) -> str | None:
    for alert in alerts:
        if alert.fingerprint == fingerprint and alert.status.value == "resolved":
            return (alert.ends_at or alert.starts_at).strftime("%H:%M")
    return None


def profile_table(profile: ReferenceProfile) -> Table:
    table = Table(title="reference profile")
    for column in ("target", "kind", "count", "missing", "summary"):
        table.add_column(column)
    for group, targets in (("feature", profile.features), ("output", profile.outputs)):
        for name, target in targets.items():
            if isinstance(target, NumericProfile):
                summary = f"mean {target.mean:.4g}, sd {target.std:.4g}"
            else:
                summary = f"{len(target.vocabulary)} categories"
            kind = f"{group} {target.kind.value}"
            table.add_row(name, kind, str(target.count), str(target.missing), summary)
    return table


def settings_summary(settings: Settings) -> Table:
    table = Table(title="configuration")
    table.add_column("setting")
    table.add_column("value")
    table.add_row(
        "kafka", f"{settings.kafka.bootstrap_servers} ({settings.kafka.security_protocol})"
    )
    table.add_row("redis", settings.redis.url.split("@")[-1])
    table.add_row("alert rules", ", ".join(r.name for r in settings.alerting.rules))
    for model in settings.models:
        w = model.windows
        table.add_row(
            f"model {model.id}",
            f"{model.task}, reference {model.reference}, window {w.window}s every {w.interval}s",
        )
    return table


def silence_table(silences: Sequence[Silence], now: datetime) -> Table:
    table = Table(title="silences")
    for column in ("id", "state", "matchers", "until", "by", "comment"):
        table.add_column(column)
    for s in silences:
        state = "active" if s.is_active(now) else ("pending" if s.starts_at > now else "expired")
        matchers = ", ".join(f"{m.name}{m.op}{m.value}" for m in s.matchers)
        until = f"{s.ends_at:%Y-%m-%d %H:%M}"
        table.add_row(s.id, state, matchers, until, s.created_by, s.comment)
    return table
