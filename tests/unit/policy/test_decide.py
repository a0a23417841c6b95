"""Every row of the decision table and every guardrail, with time passed in."""

from __future__ import annotations

import doctest
from datetime import timedelta
from typing import Any

import pytest

import stream_monitor.policy.decision
import stream_monitor.policy.history
from schemas.outputs import RetrainAction
from stream_monitor.policy import (
    ROWS,
    DataQualityIssue,
    PolicyConfig,
    PolicyInput,
    QualityInput,
    RetrainHistory,
    decide,
)
from tests.unit.policy.builders import (
    AGE_DRIFT,
    DRIFT,
    DROP,
    FEW_LABELS,
    IMPORTANCE,
    LABELLED,
    LATENCY,
    MISSING,
    NO_LABELS,
    NOW,
    QUALITY,
    RECENT,
    SCORE_DRIFT,
    SMALL_DROP,
    STABLE,
    ZIP_DRIFT,
    alert,
)


def _input(**fields: Any) -> PolicyInput:
    return PolicyInput(model_id="churn", model_version="3", now=NOW, **fields)


TABLE = [
    # (id, input fields, config fields, action, priority, matched row)
    ("broken data with drift: investigate, never retrain",
     {"alerts": [MISSING, DRIFT], "drift": AGE_DRIFT, "quality": DROP}, {},
     "investigate", "high", "broken_data"),
    ("broken data alone: investigate",
     {"alerts": [MISSING]}, {}, "investigate", "normal", "broken_data"),
    ("a fresh data-quality alert already blocks retraining",
     {"alerts": [alert("missing_rate_spike", "data_quality", 1), QUALITY], "quality": DROP}, {},
     "investigate", "high", "broken_data"),
    ("a reported schema change blocks retraining",
     {"alerts": [QUALITY], "quality": DROP,
      "data_quality": [DataQualityIssue(kind="schema_change", feature="plan")]}, {},
     "investigate", "high", "broken_data"),
    ("confirmed quality drop with enough labels: retrain",
     {"alerts": [QUALITY, DRIFT], "quality": DROP, "drift": AGE_DRIFT}, {},
     "retrain", "high", "confirmed_quality_drop"),
    ("quality alert on too few labels: investigate",
     {"alerts": [QUALITY], "quality": FEW_LABELS}, {},
     "investigate", "normal", "unconfirmed_quality_alert"),
    ("quality alert but the drop is below the floors: investigate",
     {"alerts": [QUALITY], "quality": SMALL_DROP}, {},
     "investigate", "normal", "unconfirmed_quality_alert"),
    ("quality alert without a reference quality: investigate",
     {"alerts": [QUALITY], "quality": QualityInput(value=0.8, labelled_since_training=2000)},
     {}, "investigate", "normal", "unconfirmed_quality_alert"),
    ("drift on important features without labels: investigate by default",
     {"alerts": [DRIFT], "drift": AGE_DRIFT, "quality": NO_LABELS},
     {"feature_importance": IMPORTANCE}, "investigate", "normal", "drift_without_labels"),
    ("drift on important features without labels: retrain when configured",
     {"alerts": [DRIFT], "drift": AGE_DRIFT, "quality": NO_LABELS},
     {"drift_without_labels": "retrain"}, "retrain", "normal", "drift_without_labels"),
    ("prediction drift always counts as important",
     {"alerts": [DRIFT], "drift": SCORE_DRIFT, "quality": NO_LABELS},
     {"feature_importance": IMPORTANCE}, "investigate", "normal", "drift_without_labels"),
    ("drift and a measured drop whose quality alert has not persisted: investigate",
     {"alerts": [DRIFT, alert("quality_drop", "quality", 5)], "drift": AGE_DRIFT, "quality": DROP},
     {}, "investigate", "normal", "drift_with_unconfirmed_drop"),
    ("drift on unimportant features: low-priority look",
     {"alerts": [DRIFT], "drift": ZIP_DRIFT, "quality": NO_LABELS},
     {"feature_importance": IMPORTANCE}, "investigate", "low", "drift_with_stable_quality"),
    ("drift with stable quality: investigate at low priority",
     {"alerts": [DRIFT], "drift": AGE_DRIFT, "quality": STABLE}, {},
     "investigate", "low", "drift_with_stable_quality"),
    ("drift with stable quality: none when configured",
     {"alerts": [DRIFT], "drift": AGE_DRIFT, "quality": STABLE},
     {"drift_with_stable_quality": "none"}, "none", "low", "drift_with_stable_quality"),
    ("transient blip: firing shorter than the persistence",
     {"alerts": [alert("quality_drop", "quality", 5)], "quality": DROP}, {},
     "none", "low", "transient_blip"),
    ("transient blip: resolved quickly",
     {"alerts": [alert("feature_drift", "drift", 10, status="resolved")], "drift": AGE_DRIFT},
     {}, "none", "low", "transient_blip"),
    ("transient blip: still pending",
     {"alerts": [alert("feature_drift", "drift", 30, status="pending")]}, {},
     "none", "low", "transient_blip"),
    ("persistence is configurable",
     {"alerts": [alert("quality_drop", "quality", 5)], "quality": DROP}, {"persistence": "5m"},
     "retrain", "high", "confirmed_quality_drop"),
    ("nothing: none",
     {}, {}, "none", "low", "nothing"),
    ("operational alerts are not a retraining signal",
     {"alerts": [LATENCY]}, {}, "none", "low", "nothing"),
    ("a quality drop without a persistent alert is not yet confirmed",
     {"quality": DROP}, {}, "none", "low", "nothing"),
    ("alerts of other models are ignored",
     {"alerts": [alert("quality_drop", "quality", model_id="fraud")], "quality": DROP}, {},
     "none", "low", "nothing"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "config", "action", "priority", "row"),
    [case[1:] for case in TABLE],
    ids=[case[0] for case in TABLE],
)
def test_decision_table(
    fields: dict[str, Any], config: dict[str, Any], action: str, priority: str, row: str
) -> None:
    decision = decide(_input(**fields), PolicyConfig.model_validate(config))
    assert (decision.action.value, decision.priority) == (action, priority)
    first_matched = next(step.rule for step in decision.trace if step.matched)
    assert first_matched == row
    assert decision.reasons and decision.reasons[0]


GUARDRAILS = [
    # (id, history, config, action, guardrail that matched)
    ("no history: retrain", RetrainHistory(), {}, "retrain", None),
    ("inside the cooldown: investigate, naming it",
     RetrainHistory(last_retrain_at=NOW - timedelta(hours=2), retrains_last_24h=1),
     {"daily_cap": 5}, "investigate", "guardrail_cooldown"),
    ("over the daily cap: investigate, naming it",
     RetrainHistory(last_retrain_at=NOW - timedelta(hours=2), retrains_last_24h=2),
     {"cooldown": "1h", "daily_cap": 2}, "investigate", "guardrail_daily_cap"),
    ("a cap of zero never retrains", RetrainHistory(), {"daily_cap": 0},
     "investigate", "guardrail_daily_cap"),
    ("after the cooldown: retrain again",
     RetrainHistory(last_retrain_at=NOW - timedelta(hours=25)), {}, "retrain", None),
    ("dry run: retrain, marked and not sent", RetrainHistory(), {"dry_run": True},
     "retrain", "guardrail_dry_run"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("history", "config", "action", "guardrail"),
    [case[1:] for case in GUARDRAILS],
    ids=[case[0] for case in GUARDRAILS],
)
def test_guardrails(
    history: RetrainHistory, config: dict[str, Any], action: str, guardrail: str | None
) -> None:
    inputs = _input(alerts=[QUALITY], quality=DROP, history=history)
    decision = decide(inputs, PolicyConfig.model_validate(config))
    assert decision.action.value == action
    matched = [s.rule for s in decision.trace if s.matched and s.rule.startswith("guardrail")]
    assert matched == ([guardrail] if guardrail else [])
    assert decision.dry_run is (guardrail == "guardrail_dry_run")
    if guardrail in ("guardrail_cooldown", "guardrail_daily_cap"):
        assert decision.evidence["guardrail"] == guardrail
        assert "held back by the" in decision.reasons[-1]
        assert decision.suggested_training_window is None


def test_a_retrain_suggests_the_recent_labelled_window() -> None:
    decision = decide(_input(alerts=[QUALITY], quality=DROP, recent_window=RECENT), PolicyConfig())
    assert decision.suggested_training_window == LABELLED
    unlabelled = _input(alerts=[DRIFT], drift=AGE_DRIFT, quality=NO_LABELS, recent_window=RECENT)
    retrain = decide(unlabelled, PolicyConfig(drift_without_labels="retrain"))
    assert retrain.suggested_training_window == RECENT


def test_every_row_and_guardrail_is_in_the_trace_in_order() -> None:
    decision = decide(_input(alerts=[QUALITY], quality=DROP), PolicyConfig())
    assert [s.rule for s in decision.trace] == [
        *(row.__name__ for row in ROWS),
        "guardrail_cooldown",
        "guardrail_daily_cap",
        "guardrail_dry_run",
    ]
    assert all(step.detail for step in decision.trace)


def test_evidence_holds_the_numbers_behind_the_decision() -> None:
    inputs = _input(alerts=[DRIFT], drift=AGE_DRIFT, quality=NO_LABELS)
    evidence = decide(inputs, PolicyConfig(feature_importance=IMPORTANCE)).evidence
    assert evidence["quality_estimated"] == 0.84
    assert evidence["estimated_drop_relative"] == pytest.approx(0.0667, abs=1e-4)
    assert evidence["drifted_targets"] == "age"
    assert evidence["drift_importance_share"] == pytest.approx(0.5)
    assert evidence["persistent_alerts"] == "feature_drift[age]"
    confirmed = decide(_input(alerts=[QUALITY], quality=DROP), PolicyConfig()).evidence
    assert confirmed["quality_drop_absolute"] == pytest.approx(0.1)
    assert confirmed["quality_drop_relative"] == pytest.approx(0.1111, abs=1e-4)
    assert confirmed["labelled_since_training"] == 2000


def test_same_inputs_and_time_give_the_same_decision() -> None:
    inputs = _input(alerts=[QUALITY, DRIFT], quality=DROP, drift=AGE_DRIFT)
    first, second = decide(inputs, PolicyConfig()), decide(inputs, PolicyConfig())
    assert first == second
    assert len(first.decision_id) == 32
    later = decide(inputs.model_copy(update={"now": NOW + timedelta(minutes=1)}), PolicyConfig())
    assert later.decision_id != first.decision_id
    reordered = inputs.model_copy(update={"alerts": [DRIFT, QUALITY]})
    assert decide(reordered, PolicyConfig()).decision_id == first.decision_id


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"feature_importance": {"age": -1}}, "importances must be finite numbers >= 0"),
        ({"feature_importance": {"age": 0}}, "at least one importance must be > 0"),
        ({"drift_without_labels": "page"}, "'investigate' or 'retrain'"),
        ({"importance_threshold": 2}, "less than or equal to 1"),
        ({"cooldown": "a day"}, "invalid duration 'a day'"),
        ({"daily_cap": -1}, "greater than or equal to 0"),
    ],
)
def test_config_errors_say_what_is_allowed(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PolicyConfig.model_validate(config)


def test_lower_is_better_metrics_drop_when_they_rise() -> None:
    mae = QualityInput(
        metric="mae", higher_is_better=False, value=12.0, reference=10.0,
        labelled_since_training=2000,
    )  # fmt: skip
    decision = decide(_input(alerts=[QUALITY], quality=mae), PolicyConfig())
    assert decision.action == RetrainAction.RETRAIN
    assert decision.evidence["quality_drop_relative"] == pytest.approx(0.2)


@pytest.mark.parametrize("module", [stream_monitor.policy.decision, stream_monitor.policy.history])
def test_docstring_examples_run(module: Any) -> None:
    assert doctest.testmod(module).failed == 0
