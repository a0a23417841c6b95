"""One retraining decision: the decision table, then the guardrails, with the full trace.

>>> from datetime import datetime, timezone
>>> now = datetime(2025, 1, 1, tzinfo=timezone.utc)
>>> decide(PolicyInput(model_id="churn", now=now), PolicyConfig()).action.value
'none'
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Final

from schemas.outputs import RetrainAction, RetrainDecision, Scalar, TraceStep
from stream_monitor.policy.config import PolicyConfig
from stream_monitor.policy.facts import Facts, derive, describe
from stream_monitor.policy.inputs import PolicyInput
from stream_monitor.policy.table import ROWS, Outcome, Row
from stream_monitor.rules.durations import format_duration

DECISION_ID_LENGTH: Final = 32
_NOTHING: Final = Outcome(RetrainAction.NONE, "low", "no row matched")


def decide(inputs: PolicyInput, config: PolicyConfig) -> RetrainDecision:
    """Decide retrain, investigate or none for one model at ``inputs.now``."""
    facts = derive(inputs, config)
    rows = [check(facts, inputs, config) for check in ROWS]
    chosen = next((row.outcome for row in rows if row.matched and row.outcome), _NOTHING)
    outcome, guard_rows, blocked = _guardrails(chosen, inputs, config)
    reasons = [chosen.reason, *(row.detail for row in guard_rows if row.matched)]
    return RetrainDecision(
        model_id=inputs.model_id,
        model_version=inputs.model_version,
        decision_id=decision_id(inputs, outcome.action, reasons),
        decided_at=inputs.now,
        action=outcome.action,
        priority=outcome.priority,
        reasons=reasons,
        evidence=_evidence(facts, inputs, config, blocked),
        suggested_training_window=outcome.training_window,
        dry_run=config.dry_run and outcome.action == RetrainAction.RETRAIN,
        trace=[
            TraceStep(rule=r.name, matched=r.matched, detail=r.detail) for r in rows + guard_rows
        ],
    )


def decision_id(inputs: PolicyInput, action: RetrainAction, reasons: list[str]) -> str:
    """A stable id: the SHA-256 of model, action, reasons and ``now`` (in UTC)."""
    now = inputs.now.astimezone(UTC).isoformat()
    text = json.dumps([inputs.model_id, action.value, reasons, now], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DECISION_ID_LENGTH]


def _guardrails(
    outcome: Outcome, inputs: PolicyInput, config: PolicyConfig
) -> tuple[Outcome, list[Row], str | None]:
    """Cooldown and daily cap turn a retrain into investigate; dry run only marks it."""
    retrain = outcome.action == RetrainAction.RETRAIN
    history = inputs.history
    last = history.last_retrain_at
    cooling = last is not None and inputs.now - last < config.cooldown
    capped = history.retrains_last_24h >= config.daily_cap
    rows = [
        Row(
            "guardrail_cooldown",
            retrain and cooling,
            f"retrain held back by the cooldown: last retrain "
            f"{last.isoformat() if last else 'never'}, cooldown {format_duration(config.cooldown)}",
        ),
        Row(
            "guardrail_daily_cap",
            retrain and capped,
            f"retrain held back by the daily cap: {history.retrains_last_24h} retrain(s) in "
            f"the last 24h, cap {config.daily_cap}",
        ),
    ]
    blocked = next((r.name for r in rows if r.matched), None)
    if blocked is not None:
        outcome = Outcome(RetrainAction.INVESTIGATE, outcome.priority, outcome.reason)
    dry = outcome.action == RetrainAction.RETRAIN and config.dry_run
    rows.append(Row("guardrail_dry_run", dry, "dry run: the decision is recorded, not sent"))
    return outcome, rows, blocked


def _evidence(
    facts: Facts, inputs: PolicyInput, config: PolicyConfig, blocked: str | None
) -> dict[str, Scalar]:
    quality, q = inputs.quality, facts.quality
    top = max(facts.drifted, key=lambda d: d.effect_size, default=None)
    last = inputs.history.last_retrain_at
    return {
        "quality_metric": quality.metric,
        "quality_value": quality.value,
        "quality_reference": quality.reference,
        "quality_estimated": quality.estimated,
        "quality_drop_absolute": q.drop_absolute,
        "quality_drop_relative": q.drop_relative,
        "estimated_drop_relative": q.estimated_drop_relative,
        "label_coverage": quality.label_coverage,
        "labelled_since_training": quality.labelled_since_training,
        "min_labelled_events": config.min_labelled_events,
        "drifted_targets": ",".join(d.name for d in facts.drifted),
        "top_drifted_target": top.name if top else None,
        "drift_importance_share": round(facts.drift_weight, 6),
        "persistent_alerts": describe(facts.persistent),
        "transient_alerts": describe(facts.transient),
        "data_quality_alerts": describe(facts.data_quality_alerts),
        "data_quality_issues": ",".join(i.kind for i in inputs.data_quality),
        "last_retrain_at": last.isoformat() if last else None,
        "retrains_last_24h": inputs.history.retrains_last_24h,
        "guardrail": blocked,
    }
