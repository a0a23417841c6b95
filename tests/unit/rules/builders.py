"""Builders of drift and metric events, rules and engine runs for the alerting tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.outputs import AlertEvent, DriftEvent, MetricEvent, Target, TargetKind, Window
from stream_monitor.rules import AlertEngine, AlertingConfig, Rule, Silence
from stream_monitor.rules.signals import Event

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def window(minutes: float) -> Window:
    end = at(minutes)
    return Window(start=end - timedelta(minutes=10), end=end, event_count=500)


def drift(
    minutes: float,
    target: str = "age",
    *,
    flag: bool = True,
    value: float | None = None,
    statistic: str = "psi",
    kind: str = "feature",
    model_id: str = "churn",
) -> DriftEvent:
    return DriftEvent(
        model_id=model_id,
        window=window(minutes),
        target=Target(kind=TargetKind(kind), name=target),
        statistic=statistic,
        value=(0.3 if flag else 0.01) if value is None else value,
        threshold=0.2,
        drift=flag,
    )


def metric(
    minutes: float, group: str = "operational", model_id: str = "churn", **metrics: float | None
) -> MetricEvent:
    return MetricEvent.model_validate(
        {
            "model_id": model_id,
            "window": window(minutes).model_dump(),
            "group": group,
            "metrics": {name.replace("__", "."): value for name, value in metrics.items()},
        }
    )


def rule(**fields: Any) -> Rule:
    """An error-rate rule (> 0.05) unless fields say otherwise."""
    base: dict[str, Any] = {
        "name": "error_rate_high",
        "signal": {"kind": "metric", "group": "operational", "metric": "error_rate"},
        "op": ">",
        "threshold": 0.05,
        "annotations": {"summary": "{model_id} {target} {value} {threshold}"},
    }
    return Rule.model_validate({**base, **fields})


def engine(*rules: Rule, **config: Any) -> AlertEngine:
    return AlertEngine(AlertingConfig(rules=list(rules), **config))


class Run:
    """Drives an engine through evaluations, saving the state as JSON text in between."""

    def __init__(self, alert_engine: AlertEngine) -> None:
        self.engine = alert_engine
        self.saved = "{}"
        self.events: list[AlertEvent] = []

    @property
    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.saved)
        return loaded

    def step(
        self, minutes: float, events: Sequence[Event] = (), silences: Sequence[Silence] = ()
    ) -> list[AlertEvent]:
        state, emitted = self.engine.evaluate(self.state, events, at(minutes), silences)
        self.saved = json.dumps(state)
        self.events += emitted
        return emitted


def statuses(events: Sequence[AlertEvent]) -> str:
    return ",".join(e.status.value for e in events)
