"""The decision table: rows in order, the first that matches decides.

Every row is evaluated for the trace, matched or not, so the audit record shows why the
earlier rows did not apply. ``docs/retraining.md`` gives each row's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from schemas.outputs import RetrainAction, Window
from stream_monitor.policy.config import PolicyConfig
from stream_monitor.policy.facts import Facts, describe
from stream_monitor.policy.inputs import PolicyInput
from stream_monitor.rules.durations import format_duration

Priority = Literal["low", "normal", "high"]


@dataclass(frozen=True)
class Outcome:
    action: RetrainAction
    priority: Priority
    reason: str
    training_window: Window | None = None


@dataclass(frozen=True)
class Row:
    """One row as evaluated: whether it matched, why, and its outcome if it did."""

    name: str
    matched: bool
    detail: str
    outcome: Outcome | None = None


Check = Callable[[Facts, PolicyInput, PolicyConfig], Row]


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.1%}"


def broken_data(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    issues = [f"{i.kind}[{i.feature or '-'}]" for i in inputs.data_quality]
    found = describe(f.data_quality_alerts)
    detail = f"firing data-quality alerts: {found}; reported issues: {', '.join(issues) or '-'}"
    if not f.data_quality_alerts and not issues:
        return Row("broken_data", False, detail)
    degraded = bool(f.drifted) or bool(f.persistent_in("drift")) or f.quality.dropped
    reason = (
        f"data-quality problem ({found if f.data_quality_alerts else ', '.join(issues)}): "
        "never retrain on broken data; fix the input first"
        + ("; drift or a quality drop is seen alongside it" if degraded else "")
    )
    outcome = Outcome(RetrainAction.INVESTIGATE, "high" if degraded else "normal", reason)
    return Row("broken_data", True, detail, outcome)


def confirmed_quality_drop(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    q, alerts = f.quality, f.persistent_in("quality")
    detail = (
        f"{inputs.quality.metric} drop {_pct(q.drop_relative)} (floors "
        f"{config.min_quality_drop_absolute:g} and {_pct(config.min_quality_drop_relative)}), "
        f"labelled {inputs.quality.labelled_since_training}/{config.min_labelled_events}, "
        f"persistent quality alerts: {describe(alerts)}"
    )
    if not (q.dropped and alerts):
        return Row("confirmed_quality_drop", False, detail)
    reason = (
        f"{inputs.quality.metric} fell {_pct(q.drop_relative)} below the reference on "
        f"{inputs.quality.labelled_since_training} labelled events, for at least "
        f"{format_duration(config.persistence)}"
    )
    window = inputs.quality.labelled_window or inputs.recent_window
    outcome = Outcome(RetrainAction.RETRAIN, "high", reason, window)
    return Row("confirmed_quality_drop", True, detail, outcome)


def unconfirmed_quality_alert(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    alerts = f.persistent_in("quality")
    why = (
        "not enough labels"
        if not f.quality.enough_labels
        else "no reference quality"
        if f.quality.drop_absolute is None
        else "drop below the floors"
    )
    detail = f"persistent quality alerts: {describe(alerts)}; realised drop confirmed: " + (
        "yes" if f.quality.dropped else f"no ({why})"
    )
    if not alerts or f.quality.dropped:
        return Row("unconfirmed_quality_alert", False, detail)
    reason = f"a quality alert persists but the realised drop is not confirmed ({why})"
    return Row(
        "unconfirmed_quality_alert",
        True,
        detail,
        Outcome(RetrainAction.INVESTIGATE, "normal", reason),
    )


def _drift_detail(f: Facts, config: PolicyConfig) -> str:
    names = ", ".join(f"{d.name}({d.statistic}={d.effect_size:.3g})" for d in f.drifted) or "-"
    return (
        f"persistent drift alerts: {describe(f.persistent_in('drift'))}; drifted: {names}; "
        f"importance share {f.drift_weight:.2f} (threshold {config.importance_threshold:g})"
    )


def drift_without_labels(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    detail = _drift_detail(f, config) + f"; enough labels: {f.quality.enough_labels}"
    if not (f.persistent_in("drift") and f.important_drift and not f.quality.enough_labels):
        return Row("drift_without_labels", False, detail)
    estimate = _pct(f.quality.estimated_drop_relative)
    reason = (
        f"drift on important features (importance share {f.drift_weight:.2f}) and too few "
        f"labels to measure quality; estimated {inputs.quality.metric} drop {estimate}"
    )
    if config.drift_without_labels == "retrain":
        outcome = Outcome(RetrainAction.RETRAIN, "normal", reason, inputs.recent_window)
    else:
        outcome = Outcome(RetrainAction.INVESTIGATE, "normal", reason)
    return Row("drift_without_labels", True, detail, outcome)


def drift_with_unconfirmed_drop(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    detail = _drift_detail(f, config) + f"; realised quality drop: {f.quality.dropped}"
    if not (f.persistent_in("drift") and f.important_drift and f.quality.dropped):
        return Row("drift_with_unconfirmed_drop", False, detail)
    reason = (
        f"drift on important features and {inputs.quality.metric} "
        f"{_pct(f.quality.drop_relative)} below the reference, but no quality alert has "
        f"persisted for {format_duration(config.persistence)} yet"
    )
    outcome = Outcome(RetrainAction.INVESTIGATE, "normal", reason)
    return Row("drift_with_unconfirmed_drop", True, detail, outcome)


def drift_with_stable_quality(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    detail = _drift_detail(f, config)
    unimportant = not f.important_drift
    stable = f.quality.enough_labels and not f.quality.dropped
    if not (f.persistent_in("drift") and (unimportant or stable)):
        return Row("drift_with_stable_quality", False, detail)
    why = "the drifted features matter little" if unimportant else "quality holds"
    reason = f"drift persists but {why}: worth a look, not a retrain"
    action = (
        RetrainAction.NONE
        if config.drift_with_stable_quality == "none"
        else (RetrainAction.INVESTIGATE)
    )
    return Row("drift_with_stable_quality", True, detail, Outcome(action, "low", reason))


def transient_blip(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    detail = (
        f"alerts firing less than {format_duration(config.persistence)}, pending or resolved: "
        f"{describe(f.transient)}"
    )
    if not f.transient or f.persistent:
        return Row("transient_blip", False, detail)
    reason = f"only transient alerts ({describe(f.transient)}): wait for them to persist"
    return Row("transient_blip", True, detail, Outcome(RetrainAction.NONE, "low", reason))


def nothing(f: Facts, inputs: PolicyInput, config: PolicyConfig) -> Row:
    quiet = not (f.persistent or f.transient or inputs.data_quality)
    detail = "no drift, quality or data-quality alert" if quiet else "not reached: alerts present"
    reason = "no retraining signal: no drift, quality or data-quality alert"
    return Row(
        "nothing", quiet, detail, Outcome(RetrainAction.NONE, "low", reason) if quiet else None
    )


ROWS: tuple[Check, ...] = (
    broken_data,
    confirmed_quality_drop,
    unconfirmed_quality_alert,
    drift_without_labels,
    drift_with_unconfirmed_drop,
    drift_with_stable_quality,
    transient_blip,
    nothing,
)
