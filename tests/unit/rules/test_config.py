"""Rule configuration: durations, comparisons, templates, and errors that say what is allowed."""

from __future__ import annotations

import doctest
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

import stream_monitor.rules.durations
import stream_monitor.rules.engine
import stream_monitor.rules.labels
import stream_monitor.rules.templates
from stream_monitor.rules import AlertingConfig, Hold, default_rules, parse_hold
from stream_monitor.rules.defaults import DefaultThresholds
from tests.unit.rules.builders import rule


@pytest.mark.parametrize(
    "module",
    [
        stream_monitor.rules.durations,
        stream_monitor.rules.engine,
        stream_monitor.rules.labels,
        stream_monitor.rules.templates,
    ],
)
def test_docstring_examples_run(module: Any) -> None:
    assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(
    ("text", "expected", "shown"),
    [
        ("30s", Hold(duration=timedelta(seconds=30)), "30s"),
        ("5m", Hold(duration=timedelta(minutes=5)), "5m"),
        ("1h30m", Hold(duration=timedelta(minutes=90)), "1h30m"),
        ("0", Hold(duration=timedelta(0)), "0s"),
        (0, Hold(duration=timedelta(0)), "0s"),
        (90, Hold(duration=timedelta(seconds=90)), "1m30s"),
        ("3x", Hold(evaluations=3), "3x"),
        ("0x", Hold(evaluations=0), "0x"),
        (timedelta(hours=2), Hold(duration=timedelta(hours=2)), "2h"),
    ],
)
def test_holds_parse_durations_and_counts(text: object, expected: Hold, shown: str) -> None:
    assert parse_hold(text) == expected
    assert str(parse_hold(text)) == shown


@pytest.mark.parametrize("text", ["5 minutes", "m5", "-1s", "3X", "1.5m", "", "x", -5])
def test_bad_holds_say_what_is_allowed(text: object) -> None:
    with pytest.raises(ValueError, match=r'a count of evaluations such as "3x"'):
        parse_hold(text)


@pytest.mark.parametrize(
    ("op", "threshold", "value", "holds"),
    [
        (">", 0.05, 0.06, True),
        (">", 0.05, 0.05, False),
        (">=", 0.05, 0.05, True),
        (">=", 0.05, 0.04, False),
        ("<", 0.8, 0.79, True),
        ("<", 0.8, 0.8, False),
        ("<=", 0.8, 0.8, True),
        ("<=", 0.8, 0.81, False),
        ("==", 1.0, 1.0, True),
        ("==", 1.0, 0.0, False),
        ("!=", 1.0, 0.0, True),
        ("!=", 1.0, 1.0, False),
    ],
)
def test_each_comparison(op: str, threshold: float, value: float, holds: bool) -> None:
    assert rule(op=op, threshold=threshold).holds(value, flagged=False) is holds


DRIFT_FLAG = {"kind": "drift", "target_kind": "feature", "use": "flag"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"op": "~"}, "Input should be '>', '>=', '<', '<=', '==' or '!='"),
        ({"op": None}, "needs op"),
        ({"threshold": float("inf")}, "finite"),
        ({"for": "soon"}, "invalid hold 'soon'"),
        ({"keep_firing_for": "-1x"}, "invalid hold"),
        ({"severity": "page"}, "'info', 'warning' or 'critical'"),
        ({"name": "has space"}, "should match pattern"),
        ({"labels": {"severity": "x"}}, "set by the engine"),
        ({"labels": {"team-a": "x"}}, "invalid label name"),
        ({"annotations": {"summary": "{feature}"}}, r"unknown placeholder \{feature\}"),
        ({"annotations": {"summary": "{value:.2f}"}}, "no format spec"),
        ({"annotations": {"summary": "{"}}, "literal brace"),
        ({"signal": {**DRIFT_FLAG, "statistic": "ks"}}, "takes no op or threshold"),
        ({"signal": {"kind": "drift", "target_kind": "feature"}},
         'or "\\*" is allowed only with use: flag'),
        ({"signal": {"kind": "drift", "target_kind": "feature", "statistic": ["ks", "psi"]}},
         'a list of statistics or "\\*" is allowed only with use: flag'),
        ({"signal": {**DRIFT_FLAG, "statistic": ["ks", "*"]}, "op": None, "threshold": None},
         "or \"\\*\" alone"),
        ({"signal": {**DRIFT_FLAG, "statistic": []}, "op": None, "threshold": None},
         "unknown statistic \\(\\): allowed are"),
        (
            {"signal": {"kind": "drift", "target_kind": "feature", "statistic": "kolmogorov"}},
            "unknown statistic 'kolmogorov': allowed are ks, chi2, psi",
        ),
        ({"signal": {"kind": "drift", "target_kind": "label"}}, "'feature', 'prediction'"),
        ({"signal": {"kind": "logs"}}, "'drift', 'metric'"),
        (
            {"signal": {"kind": "metric", "group": "data_quality", "metric": "missing_rate.*",
                        "compare_to": "reference.missing_rate"}},
            'must end in ".\\*" exactly when metric',
        ),
        ({"signal": {"kind": "metric", "group": "quality", "metric": "a b"}}, "invalid metric"),
        ({"extra_field": 1}, "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_config_errors_name_what_is_allowed(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rule(**fields)


def test_flag_rules_take_no_threshold_and_fire_on_the_flag() -> None:
    flag_rule = rule(signal=DRIFT_FLAG, op=None, threshold=None)
    assert flag_rule.holds(0.0, flagged=True) and not flag_rule.holds(9.9, flagged=False)
    assert flag_rule.describe_threshold() == "drift flag"


@pytest.mark.parametrize(
    ("signal", "category"),
    [
        (DRIFT_FLAG, "drift"),
        ({"kind": "metric", "group": "quality", "metric": "accuracy"}, "quality"),
        ({"kind": "metric", "group": "data_quality", "metric": "missing_rate.*"}, "data_quality"),
        ({"kind": "metric", "group": "operational", "metric": "error_rate"}, "operational"),
        ({"kind": "metric", "group": "monitor", "metric": "consumer_lag"}, "monitor"),
    ],
)
def test_category_defaults_from_the_signal(signal: dict[str, Any], category: str) -> None:
    fields = {"op": None, "threshold": None} if signal is DRIFT_FLAG else {}
    assert rule(signal=signal, **fields).category == category
    assert rule(signal=signal, category="quality", **fields).category == "quality"


def test_annotations_fill_placeholders() -> None:
    text = rule(
        annotations={"summary": "{rule}/{severity}: {model_id} {target} {value} {threshold}"}
    )
    assert text.annotate("churn", "error_rate", 0.0712345) == {
        "summary": "error_rate_high/warning: churn error_rate 0.07123 > 0.05"
    }


def test_rule_names_must_be_unique() -> None:
    with pytest.raises(ValidationError, match="'error_rate_high' is used twice"):
        AlertingConfig(rules=[rule(), rule()])


@pytest.mark.parametrize("field", ["repeat_interval", "stale_after"])
def test_intervals_must_be_positive(field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field} must be a positive duration"):
        AlertingConfig.model_validate({"rules": [], field: "0s"})


def test_config_round_trips_through_its_yaml_form() -> None:
    config = AlertingConfig(rules=default_rules(), repeat_interval="30m")
    dumped = config.model_dump(mode="json", by_alias=True)
    assert dumped["repeat_interval"] == "30m"
    assert dumped["rules"][0]["for"] == "2x"
    assert AlertingConfig.model_validate(dumped) == config


def test_default_pack_covers_every_signal_family() -> None:
    rules = {r.name: r for r in default_rules()}
    assert set(rules) == {
        "feature_drift",
        "prediction_drift",
        "dataset_drift",
        "quality_drop",
        "error_rate_high",
        "latency_p99_high",
        "missing_rate_spike",
        "out_of_range_rate_spike",
        "invalid_rate_spike",
    }
    assert str(rules["feature_drift"].for_) == "2x"
    assert rules["feature_drift"].severity == "warning"
    assert rules["prediction_drift"].severity == "critical"
    assert rules["missing_rate_spike"].severity == "critical"
    assert rules["missing_rate_spike"].category == "data_quality"
    assert rules["dataset_drift"].describe_threshold() == ">= 0.3"


def test_default_pack_is_tunable() -> None:
    tuned = DefaultThresholds(
        quality_floor=0.8, max_error_rate=0.01, runbook_base_url="https://wiki/{x}"
    )
    rules = {r.name: r for r in default_rules(tuned)}
    assert rules["quality_below_floor"].describe_threshold() == "< 0.8"
    assert rules["error_rate_high"].threshold == 0.01
    annotations = rules["error_rate_high"].annotate("churn", "error_rate", 0.2)
    assert annotations["runbook_url"] == "https://wiki/{x}#error_rate_high"


def test_lower_is_better_quality_alerts_on_a_rise() -> None:
    mae = DefaultThresholds(quality_metric="mae", quality_higher_is_better=False)
    rules = {r.name: r for r in default_rules(mae)}
    assert rules["quality_drop"].describe_threshold() == "> 0.05"
