"""The facts the decision table reads, derived once from a policy input and config.

An alert *persists* when it is firing and has been for at least ``persistence``;
pending alerts, resolved alerts and shorter firing ones are *transient*. Only the
categories that say something about retraining count: drift, quality, data_quality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from schemas.outputs import AlertStatus
from stream_monitor.policy.config import PolicyConfig
from stream_monitor.policy.inputs import DriftedTarget, PolicyInput, QualityInput
from stream_monitor.rules.state import ActiveAlert

RELEVANT: Final = ("drift", "quality", "data_quality")


@dataclass(frozen=True)
class QualityFacts:
    """How far quality fell from the reference (positive = worse), and whether to trust it."""

    drop_absolute: float | None
    drop_relative: float | None
    estimated_drop_relative: float | None
    enough_labels: bool
    dropped: bool
    """A realised drop over both floors, on enough labels."""


@dataclass(frozen=True)
class Facts:
    persistent: tuple[ActiveAlert, ...]
    transient: tuple[ActiveAlert, ...]
    data_quality_alerts: tuple[ActiveAlert, ...]
    quality: QualityFacts
    drifted: tuple[DriftedTarget, ...]
    drift_weight: float
    important_drift: bool

    def persistent_in(self, category: str) -> tuple[ActiveAlert, ...]:
        return tuple(a for a in self.persistent if a.category == category)


def _drop(value: float | None, reference: float | None, quality: QualityInput) -> float | None:
    if value is None or reference is None:
        return None
    return reference - value if quality.higher_is_better else value - reference


def _relative(drop: float | None, reference: float | None) -> float | None:
    if drop is None or reference is None or reference == 0:
        return None
    return drop / abs(reference)


def quality_facts(quality: QualityInput, config: PolicyConfig) -> QualityFacts:
    drop = _drop(quality.value, quality.reference, quality)
    relative = _relative(drop, quality.reference)
    estimated = _relative(_drop(quality.estimated, quality.reference, quality), quality.reference)
    enough = quality.value is not None and (
        quality.labelled_since_training >= config.min_labelled_events
    )
    dropped = (
        enough
        and drop is not None
        and relative is not None
        and drop >= config.min_quality_drop_absolute
        and relative >= config.min_quality_drop_relative
    )
    return QualityFacts(drop, relative, estimated, enough, dropped)


def _persists(alert: ActiveAlert, inputs: PolicyInput, config: PolicyConfig) -> bool:
    firing = alert.status == AlertStatus.FIRING and alert.ends_at is None
    return firing and inputs.now - alert.starts_at >= config.persistence


def derive(inputs: PolicyInput, config: PolicyConfig) -> Facts:
    """The facts of one input; alerts of other models and other categories are left out."""
    relevant = sorted(
        (a for a in inputs.alerts if a.model_id == inputs.model_id and a.category in RELEVANT),
        key=lambda a: (a.category, a.rule, a.target, a.fingerprint),
    )
    persistent = tuple(a for a in relevant if _persists(a, inputs, config))
    firing_dq = tuple(
        a
        for a in relevant
        if a.category == "data_quality" and a.status == AlertStatus.FIRING and a.ends_at is None
    )
    drifted = tuple(sorted(inputs.drift, key=lambda d: (d.kind, d.name, d.statistic)))
    weight = _drift_weight(drifted, config)
    return Facts(
        persistent=persistent,
        transient=tuple(a for a in relevant if a not in persistent),
        data_quality_alerts=firing_dq,
        quality=quality_facts(inputs.quality, config),
        drifted=drifted,
        drift_weight=weight,
        important_drift=bool(drifted) and weight >= config.importance_threshold,
    )


def _drift_weight(drifted: tuple[DriftedTarget, ...], config: PolicyConfig) -> float:
    """Importance share of the drifted features; a drifted model output always weighs 1."""
    if any(d.kind == "prediction" for d in drifted):
        return 1.0
    return config.importance_share([d.name for d in drifted])


def describe(alerts: tuple[ActiveAlert, ...]) -> str:
    """``rule[target]`` of each alert, comma-separated (``-`` for none)."""
    return ", ".join(f"{a.rule}[{a.target}]" for a in alerts) or "-"
