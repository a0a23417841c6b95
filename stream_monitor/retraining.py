"""From one evaluation to the retraining policy's input, pure (time passed in)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from schemas import MetricEvent, TargetKind
from stream_monitor.model_spec import ModelSpec
from stream_monitor.monitor import Evaluation
from stream_monitor.policy import PolicyHistory
from stream_monitor.policy.inputs import DriftedTarget, PolicyInput, QualityInput
from stream_monitor.rules import active_alerts


def _quality(spec: ModelSpec, metrics: Mapping[str, float | None], labelled: int) -> QualityInput:
    return QualityInput(
        metric="accuracy",
        value=metrics.get("accuracy"),
        reference=spec.reference_quality.get("accuracy"),
        estimated=metrics.get("estimated_accuracy"),
        label_coverage=metrics.get("label_coverage"),
        labelled_since_training=labelled,
    )


def _drifted(evaluation: Evaluation) -> list[DriftedTarget]:
    drifted = []
    for target in evaluation.drift.drifted:
        deciding = [s for s in target.statistics if s.deciding and s.drift]
        if deciding and target.role in (TargetKind.FEATURE, TargetKind.PREDICTION):
            top = max(deciding, key=lambda s: s.result.value / max(s.result.threshold, 1e-12))
            drifted.append(
                DriftedTarget(
                    name=target.name,
                    kind="feature" if target.role == TargetKind.FEATURE else "prediction",
                    statistic=top.result.statistic,
                    effect_size=max(top.result.value, 0.0),
                )
            )
    return drifted


def policy_input(
    spec: ModelSpec,
    evaluation: Evaluation,
    alert_state: Mapping[str, Any] | None,
    history: PolicyHistory,
    labelled_total: int,
    now: datetime,
    dry_run: bool = False,
) -> PolicyInput:
    """The policy's input; ``dry_run`` (the policy's) picks the history it reads: a dry
    run's cooldown and cap count its own dry-run retrains."""
    quality: Mapping[str, float | None] = next(
        (
            m.metrics
            for m in evaluation.metrics
            if isinstance(m, MetricEvent) and m.group == "quality"
        ),
        {},
    )
    return PolicyInput(
        model_id=spec.model_id,
        now=now,
        alerts=active_alerts(alert_state, spec.model_id),
        quality=_quality(spec, quality, labelled_total),
        drift=_drifted(evaluation),
        history=history.summary(spec.model_id, now, dry_run=dry_run),
        recent_window=evaluation.drift.window,
    )
