"""Builders of policy inputs for the retraining-policy tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.outputs import AlertStatus, Severity, Window
from stream_monitor.policy import DriftedTarget, QualityInput
from stream_monitor.rules import ActiveAlert

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LABELLED = Window(start=NOW - timedelta(days=3), end=NOW, event_count=4000)
RECENT = Window(start=NOW - timedelta(hours=1), end=NOW, event_count=900)


def alert(
    rule: str,
    category: str,
    minutes: float = 60,
    *,
    status: str = "firing",
    target: str = "age",
    model_id: str = "churn",
) -> ActiveAlert:
    """An alert that started ``minutes`` before NOW (resolved ones ended a minute ago)."""
    return ActiveAlert(
        fingerprint=f"{rule}-{target}",
        rule=rule,
        model_id=model_id,
        target=target,
        category=category,
        severity=Severity.WARNING,
        status=AlertStatus(status),
        starts_at=NOW - timedelta(minutes=minutes),
        ends_at=NOW - timedelta(minutes=1) if status == "resolved" else None,
    )


DRIFT = alert("feature_drift", "drift")
QUALITY = alert("quality_drop", "quality", target="accuracy")
MISSING = alert("missing_rate_spike", "data_quality")
LATENCY = alert("latency_p99_high", "operational", target="latency_p99_ms")

DROP = QualityInput(
    value=0.80, reference=0.90, labelled_since_training=2000, label_coverage=0.4,
    labelled_window=LABELLED,
)  # fmt: skip
FEW_LABELS = QualityInput(value=0.80, reference=0.90, estimated=0.82, labelled_since_training=40)
NO_LABELS = QualityInput(reference=0.90, estimated=0.84, labelled_since_training=0)
STABLE = QualityInput(value=0.895, reference=0.90, labelled_since_training=2000)
SMALL_DROP = QualityInput(value=0.885, reference=0.90, labelled_since_training=2000)
AGE_DRIFT = [DriftedTarget(name="age", statistic="psi", effect_size=0.31)]
ZIP_DRIFT = [DriftedTarget(name="zip", statistic="psi", effect_size=0.25)]
SCORE_DRIFT = [DriftedTarget(name="score", kind="prediction", statistic="ks", effect_size=0.2)]
IMPORTANCE = {"age": 0.5, "plan": 0.45, "zip": 0.05}
