"""The alert lifecycle, one evaluation per minute: pending -> firing -> resolved.

Each scenario feeds an error-rate rule (> 0.05) a value per evaluation and lists the
alert events each evaluation emits. A value token is a number, ``None`` (the metric is
null: unknown), ``"absent"`` (the model was evaluated but the metric is missing) or
``"skip"`` (the model was not evaluated at all).
"""

from __future__ import annotations

import pytest

from schemas.outputs import AlertStatus
from stream_monitor.rules import active_alerts
from tests.unit.rules.builders import Run, at, drift, engine, metric, rule, statuses

Value = float | str | None


def _events(minutes: int, value: Value) -> list[object]:
    if value == "skip":
        return []
    if value == "absent":
        return [metric(minutes, latency_p99_ms=10.0)]
    return [metric(minutes, error_rate=value)]  # type: ignore[arg-type]


LIFECYCLE = [
    # (id, for, keep_firing_for, values per minute, events per minute)
    ("for 3x: fires on the third true evaluation", "3x", "0s",
     [0.1, 0.1, 0.1, 0.0], ["pending", "", "firing", "resolved"]),
    ("for 2m: fires once 2 minutes have passed", "2m", "0s",
     [0.1, 0.1, 0.1, 0.0], ["pending", "", "firing", "resolved"]),
    ("for 90s: not at 1m, at 2m", "90s", "0s",
     [0.1, 0.1, 0.1], ["pending", "", "firing"]),
    ("for 0s fires at once, without pending", "0s", "0s",
     [0.1, 0.0], ["firing", "resolved"]),
    ("for 1x fires at once", "1x", "0s", [0.1], ["firing"]),
    ("pending that clears goes back to inactive silently", "3x", "0s",
     [0.1, 0.1, 0.0, 0.1, 0.0], ["pending", "", "", "pending", ""]),
    ("for counts consecutive evaluations only", "2x", "0s",
     [0.1, 0.0, 0.1, 0.1], ["pending", "", "pending", "firing"]),
    ("keep_firing_for 2x: resolves on the third false evaluation", "0s", "2x",
     [0.1, 0.0, 0.0, 0.0], ["firing", "", "", "resolved"]),
    ("keep_firing_for 2m: resolves 2 minutes after clearing", "0s", "2m",
     [0.1, 0.0, 0.0, 0.0], ["firing", "", "", "resolved"]),
    ("a true evaluation inside keep_firing_for keeps the episode", "0s", "2x",
     [0.1, 0.0, 0.1, 0.0, 0.0, 0.0], ["firing", "", "", "", "", "resolved"]),
    ("no keep_firing_for: flaps", "0s", "0s",
     [0.1, 0.0, 0.1], ["firing", "resolved", "firing"]),
    ("null is unknown: neither counts nor clears", "3x", "0s",
     [0.1, None, 0.1, 0.1], ["pending", "", "", "firing"]),
    ("null while firing keeps it firing", "0s", "0s",
     [0.1, None, None, 0.0], ["firing", "", "", "resolved"]),
    ("absent in an evaluation of the model is false", "0s", "0s",
     [0.1, "absent"], ["firing", "resolved"]),
    ("absent clears a pending alert", "2x", "0s",
     [0.1, "absent", 0.1], ["pending", "", "pending"]),
    ("a model not evaluated changes nothing", "0s", "0s",
     [0.1, "skip", "skip", 0.1, 0.0], ["firing", "", "", "", "resolved"]),
    ("equal to the threshold does not hold for >", "0s", "0s", [0.05], [""]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("hold", "keep", "values", "expected"),
    [case[1:] for case in LIFECYCLE],
    ids=[case[0] for case in LIFECYCLE],
)
def test_lifecycle(hold: str, keep: str, values: list[Value], expected: list[str]) -> None:
    run = Run(engine(rule(**{"for": hold, "keep_firing_for": keep})))
    got = [statuses(run.step(i, _events(i, v))) for i, v in enumerate(values)]  # type: ignore[arg-type]
    assert got == expected


def test_one_fingerprint_from_pending_to_resolved_with_start_and_end() -> None:
    run = Run(engine(rule(**{"for": "2x"})))
    for minute, value in enumerate([0.1, 0.2, 0.0]):
        run.step(minute, [metric(minute, error_rate=value)])
    pending, firing, resolved = run.events
    assert len({e.fingerprint for e in run.events}) == 1
    assert (pending.status, pending.starts_at, pending.value) == (AlertStatus.PENDING, at(0), 0.1)
    assert (firing.status, firing.starts_at, firing.value) == (AlertStatus.FIRING, at(1), 0.2)
    assert (resolved.starts_at, resolved.ends_at) == (at(1), at(2))
    assert firing.labels == {
        "alertname": "error_rate_high",
        "category": "operational",
        "model_id": "churn",
        "severity": "warning",
        "target": "error_rate",
    }
    assert firing.annotations == {"summary": "churn error_rate 0.2 > 0.05"}


@pytest.mark.parametrize(
    ("repeat", "minutes", "expected_firing_at"),
    [
        ("10m", range(0, 35, 5), [0, 10, 20, 30]),
        ("1h", range(0, 65, 5), [0, 60]),
        ("7m", range(0, 25, 5), [0, 10, 20]),
    ],
)
def test_firing_is_resent_every_repeat_interval_with_the_same_start(
    repeat: str, minutes: range, expected_firing_at: list[int]
) -> None:
    run = Run(engine(rule(), repeat_interval=repeat))
    for minute in minutes:
        run.step(minute, [metric(minute, error_rate=0.1)])
    assert [e.status for e in run.events] == [AlertStatus.FIRING] * len(expected_firing_at)
    assert {e.starts_at for e in run.events} == {at(0)}
    assert len({(e.fingerprint, e.status, e.starts_at) for e in run.events}) == 1


@pytest.mark.parametrize(("repeat", "sent_at"), [("10m", [0, 10, 20]), ("7m", [0, 10, 20]),
                                                 ("5m", [0, 5, 10, 15, 20])])  # fmt: skip
def test_firing_is_resent_when_the_repeat_interval_has_passed(
    repeat: str, sent_at: list[int]
) -> None:
    run = Run(engine(rule(), repeat_interval=repeat))
    sent = [m for m in range(0, 25, 5) if run.step(m, [metric(m, error_rate=0.1)])]
    assert sent == sent_at


def test_an_alert_without_observations_goes_stale_and_resolves() -> None:
    run = Run(engine(rule(**{"keep_firing_for": "1h"}), stale_after="30m"))
    run.step(0, [metric(0, error_rate=0.1)])
    assert statuses(run.step(29)) == ""
    assert statuses(run.step(30)) == "resolved"
    assert run.state["alerts"] == {}


def test_a_stale_pending_alert_is_dropped_without_an_event() -> None:
    run = Run(engine(rule(**{"for": "1h"}), stale_after="30m"))
    assert statuses(run.step(0, [metric(0, error_rate=0.1)])) == "pending"
    assert statuses(run.step(30)) == ""
    assert run.state["alerts"] == {}


def test_replayed_events_neither_advance_nor_clear_an_alert() -> None:
    run = Run(engine(rule(**{"for": "2x"})))
    first = [metric(0, error_rate=0.1)]
    assert statuses(run.step(0, first)) == "pending"
    assert statuses(run.step(1, first)) == ""  # the same window again: no second count
    assert statuses(run.step(2, [metric(1, error_rate=0.0), *first])) == ""
    assert run.state["alerts"] == {}


def test_a_backlog_of_windows_is_evaluated_in_window_order() -> None:
    run = Run(engine(rule(**{"for": "3x"})))
    backlog = [metric(m, error_rate=0.1) for m in (2, 0, 1)]
    assert statuses(run.step(5, backlog)) == "pending,firing"


def test_an_alert_of_a_removed_rule_resolves() -> None:
    run = Run(engine(rule(), rule(name="other")))
    run.step(0, [metric(0, error_rate=0.1)])
    run.engine = engine(rule(name="other"))
    assert [(e.rule, e.status.value) for e in run.step(1)] == [("error_rate_high", "resolved")]


@pytest.mark.parametrize(
    ("target", "events", "alerting_targets"),
    [
        ("*", [drift(0, "age"), drift(0, "plan"), drift(0, "city", flag=False)], ["age", "plan"]),
        ("age", [drift(0, "age"), drift(0, "plan")], ["age"]),
        ("*", [drift(0, "age", statistic="ks", flag=False), drift(0, "age")], ["age"]),
    ],
)
def test_wildcard_targets_yield_one_alert_per_target(
    target: str, events: list[object], alerting_targets: list[str]
) -> None:
    flag_rule = rule(
        name="feature_drift",
        signal={"kind": "drift", "target_kind": "feature", "target": target, "use": "flag"},
        op=None,
        threshold=None,
    )
    run = Run(engine(flag_rule))
    emitted = run.step(0, events)  # type: ignore[arg-type]
    assert sorted(e.labels["target"] for e in emitted) == alerting_targets
    assert len({e.fingerprint for e in emitted}) == len(alerting_targets)


def test_metric_wildcard_yields_one_alert_per_feature() -> None:
    missing = rule(
        name="missing_rate_spike",
        signal={"kind": "metric", "group": "data_quality", "metric": "missing_rate.*"},
        threshold=0.1,
    )
    run = Run(engine(missing))
    event = metric(0, "data_quality", missing_rate__age=0.5, missing_rate__plan=0.0,
                   missing_rate__city=0.2)  # fmt: skip
    assert sorted(e.labels["target"] for e in run.step(0, [event])) == ["age", "city"]
    healed = metric(1, "data_quality", missing_rate__age=0.5, missing_rate__plan=0.0)
    assert [e.labels["target"] for e in run.step(1, [healed])] == ["city"]


def test_alerts_of_each_model_are_separate() -> None:
    run = Run(engine(rule()))
    run.step(0, [metric(0, error_rate=0.1), metric(0, model_id="fraud", error_rate=0.1)])
    assert sorted(a.model_id for a in active_alerts(run.state)) == ["churn", "fraud"]
    run.step(1, [metric(1, error_rate=0.0)])  # only churn evaluated
    assert [a.model_id for a in active_alerts(run.state)] == ["fraud"]
    assert [a.model_id for a in active_alerts(run.state, model_id="fraud")] == ["fraud"]


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        engine(rule()).evaluate(None, [], at(0).replace(tzinfo=None))


def test_state_of_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"version 2 is not readable.*reads version 1"):
        engine(rule()).evaluate({"version": 2, "alerts": {}}, [], at(0))


def test_state_is_json_safe_and_versioned() -> None:
    run = Run(engine(rule(**{"for": "5m"})))
    run.step(0, [metric(0, error_rate=0.1)])
    [record] = run.state["alerts"].values()
    assert run.state["version"] == 1
    assert record["status"] == "pending"
    assert record["active_since"] == "2025-03-01T12:00:00Z"
