"""Signals select values out of drift and metric events; wildcards yield one alert per target."""

from __future__ import annotations

from typing import Any

import pytest

from stream_monitor.rules import KNOWN_STATISTICS, DriftSignal, MetricSignal
from stream_monitor.rules.defaults import DefaultThresholds
from stream_monitor.rules.signals import Event
from tests.unit.rules.builders import drift, metric, rule


def _seen(signal: DriftSignal | MetricSignal, events: list[Event]) -> list[tuple[Any, ...]]:
    return [(o.target, o.source, o.value, o.flagged) for e in events for o in signal.observe(e)]


DRIFTS = [
    drift(0, "age", statistic="psi", value=0.3),
    drift(0, "age", statistic="ks", value=0.1, flag=False),
    drift(0, "plan", statistic="psi", value=0.02, flag=False),
    drift(0, "score", statistic="psi", value=0.4, kind="prediction"),
]


@pytest.mark.parametrize(
    ("signal", "seen"),
    [
        (
            {"target_kind": "feature", "statistic": "psi"},
            [("age", "psi", 0.3, True), ("plan", "psi", 0.02, False)],
        ),
        (
            {"target_kind": "feature", "target": "age", "statistic": "ks"},
            [("age", "ks", 0.1, False)],
        ),
        (
            {"target_kind": "feature", "target": "age", "use": "flag"},
            [("age", "psi", 0.3, True), ("age", "ks", 0.1, False)],
        ),
        ({"target_kind": "prediction", "use": "flag"}, [("score", "psi", 0.4, True)]),
        (
            {"target_kind": "feature", "statistic": ["ks", "chi2"], "use": "flag"},
            [("age", "ks", 0.1, False)],
        ),
        ({"target_kind": "dataset", "statistic": "drift_share"}, []),
    ],
)
def test_drift_signal_selects_by_kind_target_and_statistic(
    signal: dict[str, Any], seen: list[tuple[Any, ...]]
) -> None:
    assert _seen(DriftSignal.model_validate({"kind": "drift", **signal}), list(DRIFTS)) == seen


DQ = metric(
    0,
    "data_quality",
    missing_rate__age=0.3,
    missing_rate__plan=None,
    reference__missing_rate__age=0.05,
    out_of_range_rate__age=0.0,
    events=99,
)


@pytest.mark.parametrize(
    ("signal", "seen"),
    [
        (
            {"metric": "missing_rate.*"},
            [("age", "missing_rate.age", 0.3), ("plan", "missing_rate.plan", None)],
        ),
        ({"metric": "missing_rate.age"}, [("missing_rate.age", "missing_rate.age", 0.3)]),
        (
            {"metric": "missing_rate.*", "compare_to": "reference.missing_rate.*"},
            [("age", "missing_rate.age", pytest.approx(0.25)), ("plan", "missing_rate.plan", None)],
        ),
        (
            {
                "metric": "out_of_range_rate.*",
                "compare_to": "reference.out_of_range_rate.*",
                "baseline_default": 0.0,
            },
            [("age", "out_of_range_rate.age", 0.0)],
        ),
        (
            {"metric": "out_of_range_rate.*", "compare_to": "reference.out_of_range_rate.*"},
            [("age", "out_of_range_rate.age", None)],
        ),
        (
            {
                "metric": "missing_rate.*",
                "compare_to": "reference.missing_rate.*",
                "change": "relative",
            },
            [("age", "missing_rate.age", pytest.approx(5.0)), ("plan", "missing_rate.plan", None)],
        ),
        ({"metric": "invalid_rate.*"}, []),
        (
            {"metric": "missing_rate.age", "require_at_least": {"events": 100}},
            [("missing_rate.age", "missing_rate.age", None)],
        ),
    ],
)
def test_metric_signal_wildcards_and_baselines(
    signal: dict[str, Any], seen: list[tuple[Any, ...]]
) -> None:
    chosen = MetricSignal.model_validate({"kind": "metric", "group": "data_quality", **signal})
    assert [s[:3] for s in _seen(chosen, [DQ])] == seen


def test_metric_signal_reads_only_its_group() -> None:
    chosen = MetricSignal(group="quality", metric="accuracy")
    assert chosen.observe(metric(0, "operational", accuracy=0.9)) == []
    assert [o.value for o in chosen.observe(metric(0, "quality", accuracy=0.9))] == [0.9]


def test_relative_change_against_a_zero_baseline_is_unknown() -> None:
    chosen = MetricSignal(
        group="quality", metric="accuracy", compare_to="reference.accuracy", change="relative"
    )
    event = metric(0, "quality", accuracy=0.9, reference__accuracy=0.0)
    assert [o.value for o in chosen.observe(event)] == [None]


def test_a_rule_on_an_unknown_value_does_not_hold() -> None:
    assert rule().holds(None, flagged=False) is False


def test_known_statistics_are_the_drift_engines_names() -> None:
    registry = pytest.importorskip("stream_monitor.stats.registry")
    detectors = pytest.importorskip("stream_monitor.detectors")
    drift_step = pytest.importorskip("stream_monitor.drift")
    expected = {*registry.REGISTRY, drift_step.DRIFT_SHARE, *detectors.DETECTORS}
    assert set(KNOWN_STATISTICS) == expected


def test_the_default_drift_rules_read_the_engines_deciding_statistics() -> None:
    decision = pytest.importorskip("stream_monitor.stats.decision")
    deciding = {name for names in decision.DEFAULT_DECIDING.values() for name in names}
    assert set(DefaultThresholds().drift_statistics) == deciding
