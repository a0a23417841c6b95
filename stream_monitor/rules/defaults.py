"""The default rule pack. ``docs/alerting.md`` justifies every threshold.

The drift rules read the engine's ``drift`` flag, which already carries its false-alarm
control (minimum window size, effect-size floor, Benjamini-Hochberg across features), so
they inherit its calibration instead of restating a threshold on a raw statistic.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stream_monitor.rules.config import Rule


class DefaultThresholds(BaseModel):
    """The tunable numbers of the default pack."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drift_statistics: tuple[str, ...] = Field(
        default=("ks", "chi2", "psi"),
        description="Whose drift flags make a target drifted: the engine's deciding statistics.",
    )
    dataset_drift_share: float = Field(default=0.3, gt=0, le=1)
    quality_metric: str = "accuracy"
    quality_higher_is_better: bool = True
    max_relative_quality_drop: float = Field(default=0.05, gt=0, lt=1)
    min_labelled_events: int = Field(
        default=500, ge=0, description="Labelled events a window needs for its quality to count."
    )
    quality_floor: float | None = Field(
        default=None, description="Also alert when the quality metric crosses this value."
    )
    max_error_rate: float = Field(default=0.05, gt=0, le=1)
    max_latency_p99_ms: float = Field(default=500.0, gt=0)
    max_missing_rate_increase: float = Field(default=0.1, gt=0, le=1)
    max_out_of_range_increase: float = Field(default=0.05, gt=0, le=1)
    max_invalid_rate_increase: float = Field(default=0.01, gt=0, le=1)
    runbook_base_url: str | None = Field(
        default=None, description="Each rule's runbook_url becomes <base>#<rule name>."
    )


def _rule(t: DefaultThresholds, name: str, summary: str, **fields: Any) -> Rule:
    annotations = {"summary": summary, "description": fields.pop("description", "")}
    if t.runbook_base_url:
        base = t.runbook_base_url.replace("{", "{{").replace("}", "}}")
        annotations["runbook_url"] = f"{base}#{name}"
    return Rule.model_validate({"name": name, "annotations": annotations, **fields})


def _drift_rules(t: DefaultThresholds) -> list[Rule]:
    flag = {"kind": "drift", "statistic": t.drift_statistics, "target": "*", "use": "flag"}
    return [
        _rule(
            t,
            "feature_drift",
            "Feature {target} of {model_id} drifted",
            description="A drift test flagged feature {target} (value {value}) in two "
            "consecutive evaluations, after the engine's false-alarm control.",
            signal={**flag, "target_kind": "feature"},
            severity="warning",
            for_="2x",
            keep_firing_for="2x",
        ),
        _rule(
            t,
            "prediction_drift",
            "Predictions of {model_id} drifted ({target})",
            description="The distribution of the model's output {target} moved away "
            "from the reference (value {value}).",
            signal={**flag, "target_kind": "prediction"},
            severity="critical",
            for_="2x",
            keep_firing_for="2x",
        ),
        _rule(
            t,
            "dataset_drift",
            "{value} of the features of {model_id} drifted",
            description="Share of drifted features {value} {threshold}.",
            signal={"kind": "drift", "target_kind": "dataset", "statistic": "drift_share"},
            op=">=",
            threshold=t.dataset_drift_share,
            severity="critical",
            for_="2x",
            keep_firing_for="2x",
        ),
    ]


def _quality_signal(t: DefaultThresholds, **extra: str) -> dict[str, Any]:
    return {
        "kind": "metric",
        "group": "quality",
        "metric": t.quality_metric,
        "require_at_least": {"labelled_events": t.min_labelled_events},
        **extra,
    }


def _quality_rules(t: DefaultThresholds) -> list[Rule]:
    metric, higher_is_better = t.quality_metric, t.quality_higher_is_better
    worse = "<" if higher_is_better else ">"
    drop = -t.max_relative_quality_drop if higher_is_better else t.max_relative_quality_drop
    hold = {"severity": "critical", "for_": "3x", "keep_firing_for": "2x"}
    rules = [
        _rule(
            t,
            "quality_drop",
            f"{metric} of {{model_id}} fell against its reference",
            description=f"Relative change of {metric} vs reference.{metric}: {{value}} "
            "{threshold}.",
            signal=_quality_signal(t, compare_to=f"reference.{metric}", change="relative"),
            op=worse,
            threshold=drop,
            **hold,
        ),
    ]
    if t.quality_floor is not None:
        floor = _rule(
            t,
            "quality_below_floor",
            f"{metric} of {{model_id}} is {{value}}",
            description=f"{metric} {{value}}, alert {{threshold}}.",
            signal=_quality_signal(t),
            op=worse,
            threshold=t.quality_floor,
            **hold,
        )
        rules.append(floor)
    return rules


def _operational_rules(t: DefaultThresholds) -> list[Rule]:
    return [
        _rule(
            t,
            "error_rate_high",
            "Error rate of {model_id} is {value}",
            description="Share of prediction events with status error {value} {threshold}.",
            signal={"kind": "metric", "group": "operational", "metric": "error_rate"},
            op=">",
            threshold=t.max_error_rate,
            severity="critical",
            for_="5m",
            keep_firing_for="5m",
        ),
        _rule(
            t,
            "latency_p99_high",
            "p99 latency of {model_id} is {value} ms",
            description="p99 of latency_ms {value} {threshold}.",
            signal={"kind": "metric", "group": "operational", "metric": "latency_p99_ms"},
            op=">",
            threshold=t.max_latency_p99_ms,
            severity="warning",
            for_="5m",
            keep_firing_for="5m",
        ),
    ]


def _data_quality_rule(
    t: DefaultThresholds, rate: str, limit: float, severity: str, what: str
) -> Rule:
    return _rule(
        t,
        f"{rate}_spike",
        f"{what} in feature {{target}} of {{model_id}} rose by {{value}}",
        description=f"{rate} minus its reference {{value}} {{threshold}}.",
        signal={
            "kind": "metric",
            "group": "data_quality",
            "metric": f"{rate}.*",
            "compare_to": f"reference.{rate}.*",
            "change": "delta",
            "baseline_default": 0.0,
        },
        op=">",
        threshold=limit,
        severity=severity,
        keep_firing_for="1x",
        for_="2x",
    )


def _data_quality_rules(t: DefaultThresholds) -> list[Rule]:
    return [
        _data_quality_rule(
            t, "missing_rate", t.max_missing_rate_increase, "critical", "Missing values"
        ),
        _data_quality_rule(
            t, "out_of_range_rate", t.max_out_of_range_increase, "warning", "Out-of-range values"
        ),
        _data_quality_rule(
            t, "invalid_rate", t.max_invalid_rate_increase, "critical", "Wrongly typed values"
        ),
    ]


def default_rules(thresholds: DefaultThresholds | None = None) -> list[Rule]:
    """The default pack: drift, quality, operational and data-quality rules."""
    t = thresholds or DefaultThresholds()
    return [
        *_drift_rules(t),
        *_quality_rules(t),
        *_operational_rules(t),
        *_data_quality_rules(t),
    ]
