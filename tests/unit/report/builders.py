"""A small but complete run's outputs, built from the output schemas, for the report tests."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np

from schemas.outputs import (
    AlertEvent,
    AlertStatus,
    DeadLetter,
    DriftEvent,
    MetricEvent,
    RetrainAction,
    RetrainDecision,
    Severity,
    Target,
    TargetKind,
    TraceStep,
    Window,
)
from stream_monitor.report.data import OutputEvent
from stream_monitor.stats import ReferenceProfile, build_profile

MODEL: Final = "churn"
START: Final = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
WINDOWS: Final = 6
EVIL: Final = "<script>alert(1)</script>"
DRIFT_FROM: Final = 3
"""``age`` drifts in windows DRIFT_FROM.. (0-based)."""
TARGETS: Final = {
    ("feature", "age"): ("ks", "psi", "wasserstein"),
    ("feature", "plan"): ("chi2", "psi"),
    ("feature", EVIL): ("ks", "psi"),
    ("prediction", "score"): ("ks", "psi"),
}


def window(i: int) -> Window:
    end = START + timedelta(minutes=5 * (i + 1))
    return Window(start=end - timedelta(minutes=10), end=end, event_count=1000 + i)


def _drift(i: int, kind: str, name: str, statistic: str) -> DriftEvent:
    drifted = name == "age" and i >= DRIFT_FROM and statistic != "wasserstein"
    value = 0.3 + 0.05 * i if drifted else 0.02 + 0.005 * i
    return DriftEvent(
        model_id=MODEL,
        window=window(i),
        target=Target(kind=TargetKind(kind), name=name),
        statistic=statistic,
        value=value,
        p_value=1e-6 if drifted else 0.4,
        threshold=0.1,
        drift=drifted,
        detail="moved" if drifted else None,
    )


def drift_events() -> list[DriftEvent]:
    events = []
    for i in range(WINDOWS):
        for (kind, name), stats in TARGETS.items():
            events += [_drift(i, kind, name, s) for s in stats]
        share = 1 / 3 if i >= DRIFT_FROM else 0.0
        events.append(
            DriftEvent(
                model_id=MODEL,
                window=window(i),
                target=Target(kind=TargetKind.DATASET, name="dataset"),
                statistic="drift_share",
                value=share,
                threshold=0.5,
                drift=False,
            )
        )
    return events


def metric_events() -> list[MetricEvent]:
    events = []
    for i in range(WINDOWS):
        groups: dict[str, dict[str, float | None]] = {
            "operational": {
                "events": 1000.0 + i,
                "throughput_eps": 1.6 + 0.1 * i,
                "error_rate": 0.01,
                "errors": 0.0,
                "latency_p50_ms": 5.0 + i,
                "latency_p95_ms": 12.0 + i,
                "latency_p99_ms": 30.0 + 2 * i,
            },
            "quality": {
                "accuracy": None if i < 2 else 0.9 - 0.03 * i,
                "estimated_accuracy": 0.88 - 0.01 * i,
                "label_coverage": 0.2 * i / WINDOWS,
                "f1": None if i < 2 else 0.8,
                "roc_auc": None,
                "reference.accuracy": 0.91,
            },
            "data_quality": {
                "missing_rate.age": 0.3 if i >= 4 else 0.01,
                "missing_rate.plan": 0.0,
                "out_of_range_rate.age": 0.02,
                "invalid_rate.plan": 0.0,
                "reference.missing_rate.age": 0.01,
            },
        }
        events += [
            MetricEvent(model_id=MODEL, window=window(i), group=g, metrics=m)
            for g, m in groups.items()
        ]
    return events


def alert(rule: str, status: AlertStatus, minutes: int, **fields: object) -> AlertEvent:
    target = str(fields.pop("target", "age"))
    severity = Severity(str(fields.pop("severity", "critical")))
    return AlertEvent(
        model_id=MODEL,
        fingerprint=f"{rule}-{target}",
        rule=rule,
        status=status,
        severity=severity,
        starts_at=START + timedelta(minutes=minutes),
        labels={"alertname": rule, "model_id": MODEL, "target": target, "severity": severity},
        annotations={"summary": f"{rule} on {target}"},
        value=0.42,
        **fields,
    )


def alert_events() -> list[AlertEvent]:
    return [
        alert("feature_drift", AlertStatus.PENDING, 20),
        alert("feature_drift", AlertStatus.FIRING, 25),
        alert("feature_drift", AlertStatus.FIRING, 25),
        alert("feature_drift", AlertStatus.RESOLVED, 25, ends_at=START + timedelta(minutes=29)),
        alert("missing_values", AlertStatus.PENDING, 22, target="plan", severity="warning"),
        alert("latency_p99_high", AlertStatus.FIRING, 15, target="latency", severity="info"),
    ]


def decision() -> RetrainDecision:
    return RetrainDecision(
        model_id=MODEL,
        decision_id="d-1",
        decided_at=START + timedelta(minutes=30),
        action=RetrainAction.RETRAIN,
        priority="high",
        reasons=["feature age drifted for 3 windows", "accuracy fell 8% below reference"],
        evidence={"drifted_features": 1, "accuracy": 0.75},
        trace=[
            TraceStep(rule="sustained_drift", matched=True, detail="age drifted 3 windows"),
            TraceStep(rule="quality_drop", matched=False, detail="too few labels"),
        ],
    )


def dead_letter() -> DeadLetter:
    raw = b"{not json"
    return DeadLetter(
        reason="malformed_json",
        detail="line 1: expected a JSON object",
        source_topic="file",
        index=7,
        original=base64.b64encode(raw).decode(),
        original_size=len(raw),
    )


def outputs() -> list[OutputEvent]:
    return [
        *drift_events(),
        *metric_events(),
        *alert_events(),
        decision(),
        dead_letter(),
    ]


def profile() -> ReferenceProfile:
    rng = np.random.default_rng(7)
    n = 4000
    columns = {
        "age": list(rng.normal(40, 12, n)),
        "plan": list(
            rng.choice(["free", "pro", "team", "<b>bold</b>"], n, p=[0.5, 0.3, 0.15, 0.05])
        ),
        EVIL: list(rng.exponential(2.0, n)),
        "score": list(rng.beta(2, 5, n)),
    }
    return build_profile(columns)
