"""Silences and inhibition mute notifications; the alert still runs and says why it is muted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from stream_monitor.rules import Matcher, Silence, active_alerts, is_silenced, silenced_by
from tests.unit.rules.builders import Run, at, drift, engine, metric, rule, statuses

LABELS = {"alertname": "feature_drift", "model_id": "churn", "target": "age", "severity": "warning"}


def silence(
    *matchers: tuple[str, str, str], sid: str = "s1", start: float = 0, end: float = 60
) -> Silence:
    return Silence(
        id=sid,
        matchers=[Matcher(name=n, op=op, value=v) for n, op, v in matchers],
        starts_at=at(start),
        ends_at=at(end),
        created_by="ana",
        comment="known upstream change",
    )


@pytest.mark.parametrize(
    ("matcher", "silenced"),
    [
        (("model_id", "=", "churn"), True),
        (("model_id", "=", "fraud"), False),
        (("model_id", "!=", "fraud"), True),
        (("model_id", "!=", "churn"), False),
        (("target", "=~", "a.e"), True),
        (("target", "=~", "ag"), False),  # anchored: must match the whole value
        (("target", "=~", "ag|plan"), False),
        (("target", "=~", "age|plan"), True),
        (("target", "!~", "plan|city"), True),
        (("target", "!~", "a.*"), False),
        (("team", "=", "risk"), False),  # a missing label reads as ""
        (("team", "!=", "risk"), True),
    ],
)
def test_each_matcher_op(matcher: tuple[str, str, str], silenced: bool) -> None:
    assert (
        is_silenced(LABELS, [silence(("alertname", "=", "feature_drift"), matcher)], at(1))
        is silenced
    )


@pytest.mark.parametrize(
    ("now", "silenced"),
    [(-1, False), (0, True), (59.9, True), (60, False), (120, False)],
)
def test_a_silence_applies_from_its_start_until_just_before_its_end(
    now: float, silenced: bool
) -> None:
    assert is_silenced(LABELS, [silence(("model_id", "=", "churn"))], at(now)) is silenced


def test_silenced_by_names_the_first_matching_silence_by_id() -> None:
    silences = [silence(("model_id", "=", "churn"), sid=s) for s in ("s9", "s2", "s5")]
    assert silenced_by(LABELS, silences, at(1)) == "s2"
    assert silenced_by(LABELS, [], at(1)) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at": at(0)}, "ends_at .* must be after starts_at"),
        ({"matchers": []}, "at least 1 item"),
        ({"matchers": [{"name": "team", "op": "!=", "value": "x"}]}, "would match every alert"),
        ({"matchers": [{"name": "t", "op": "=~", "value": "("}]}, "invalid regular expression"),
        ({"matchers": [{"name": "t", "op": "~", "value": "x"}]}, "'=', '!=', '=~' or '!~'"),
        ({"starts_at": datetime(2025, 1, 1)}, "timezone"),
        ({"comment": ""}, "comment"),
        ({"created_by": ""}, "created_by"),
    ],
)
def test_silence_errors_say_what_is_allowed(fields: dict[str, Any], message: str) -> None:
    base = silence(("model_id", "=", "churn")).model_dump()
    with pytest.raises(ValidationError, match=message):
        Silence.model_validate({**base, **fields})


def _run_with_silence(*silences: Silence) -> tuple[Run, list[str]]:
    run = Run(engine(rule(**{"for": "1x", "keep_firing_for": "0s"}), repeat_interval="10m"))
    plan = [0.1, 0.1, 0.1, 0.1, 0.0]
    return run, [
        statuses(run.step(m * 10, [metric(m * 10, error_rate=v)], silences))
        for m, v in enumerate(plan)
    ]


SILENCE_CASES = [
    # (silence window in minutes, events at minutes 0, 10, 20, 30, 40)
    ("silenced throughout: no event at all", (0, 60), ["", "", "", "", ""]),
    ("expires: the firing event comes then", (0, 15), ["", "", "firing", "firing", "resolved"]),
    ("starts later: repeats stop, resolved still closes it", (5, 60),
     ["firing", "", "", "", "resolved"]),
    ("not yet started", (50, 60), ["firing", "firing", "firing", "firing", "resolved"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("window", "expected"), [c[1:] for c in SILENCE_CASES], ids=[c[0] for c in SILENCE_CASES]
)
def test_a_silenced_alert_emits_no_firing_event(
    window: tuple[int, int], expected: list[str]
) -> None:
    start, end = window
    _, got = _run_with_silence(silence(("alertname", "=", "error_rate_high"), start=start, end=end))
    assert got == expected


def test_a_silenced_alert_shows_as_silenced() -> None:
    s = silence(("model_id", "=", "churn"), sid="maint-1")
    run = Run(engine(rule()))
    assert run.step(0, [metric(0, error_rate=0.1)], [s]) == []
    [alert] = active_alerts(run.state)
    assert (alert.status.value, alert.silenced_by, alert.shown_as) == (
        "firing",
        "maint-1",
        "silenced",
    )
    assert alert.suppressed


def test_a_silenced_pending_alert_emits_no_pending_event() -> None:
    run = Run(engine(rule(**{"for": "5x"})))
    assert run.step(0, [metric(0, error_rate=0.1)], [silence(("model_id", "=", "churn"))]) == []
    assert active_alerts(run.state)[0].shown_as == "silenced"


def test_the_resolved_event_of_a_silenced_alert_carries_the_silence() -> None:
    s = silence(("model_id", "=", "churn"), start=5)
    run = Run(engine(rule()))
    run.step(0, [metric(0, error_rate=0.1)], [s])
    [resolved] = run.step(10, [metric(10, error_rate=0.0)], [s])
    assert (resolved.status.value, resolved.silenced_by) == ("resolved", "s1")


DQ_RULE = rule(
    name="missing_rate_spike",
    signal={"kind": "metric", "group": "data_quality", "metric": "missing_rate.*"},
    threshold=0.1,
    severity="critical",
)
DRIFT_RULE = rule(
    name="feature_drift",
    signal={"kind": "drift", "target_kind": "feature", "use": "flag"},
    op=None,
    threshold=None,
)


def _dq(minute: int, rate: float, model_id: str = "churn") -> Any:
    return metric(minute, "data_quality", model_id=model_id, missing_rate__age=rate)


INHIBITION_CASES = [
    # (id, events per minute, (rule, status) emitted per minute)
    ("dq firing inhibits drift of the same model",
     [[_dq(0, 0.5), drift(0)]], [[("missing_rate_spike", "firing")]]),
    ("dq of another model does not inhibit",
     [[_dq(0, 0.5, "fraud"), drift(0)]],
     [[("feature_drift", "firing"), ("missing_rate_spike", "firing")]]),
    ("drift fires once the dq alert resolves",
     [[_dq(0, 0.5), drift(0)], [_dq(1, 0.0), drift(1)]],
     [[("missing_rate_spike", "firing")],
      [("missing_rate_spike", "resolved"), ("feature_drift", "firing")]]),
    ("a drift alert already sent is muted, then closed by its resolved event",
     [[drift(0)], [_dq(1, 0.5), drift(1)], [_dq(2, 0.5), drift(2, flag=False)]],
     [[("feature_drift", "firing")], [("missing_rate_spike", "firing")],
      [("feature_drift", "resolved")]]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "expected"),
    [c[1:] for c in INHIBITION_CASES],
    ids=[c[0] for c in INHIBITION_CASES],
)
def test_inhibition(steps: list[list[Any]], expected: list[list[tuple[str, str]]]) -> None:
    run = Run(engine(DQ_RULE, DRIFT_RULE))
    got = [
        [(e.rule, e.status.value) for e in run.step(m, events)] for m, events in enumerate(steps)
    ]
    assert [sorted(g) for g in got] == [sorted(e) for e in expected]


def test_an_inhibited_alert_names_its_inhibitor() -> None:
    run = Run(engine(DQ_RULE, DRIFT_RULE))
    [dq_event] = run.step(0, [_dq(0, 0.5), drift(0)])
    by_rule = {a.rule: a for a in active_alerts(run.state)}
    assert by_rule["feature_drift"].inhibited_by == dq_event.fingerprint
    assert by_rule["feature_drift"].shown_as == "inhibited"
    assert by_rule["missing_rate_spike"].inhibited_by is None
    resolved = run.step(1, [_dq(1, 0.5), drift(1, flag=False)])
    assert resolved == []  # never notified, so no resolved event either


def test_a_pending_dq_alert_does_not_inhibit() -> None:
    run = Run(engine(rule(**DQ_RULE.model_dump(by_alias=True) | {"for": "3x"}), DRIFT_RULE))
    got = sorted((e.rule, e.status.value) for e in run.step(0, [_dq(0, 0.5), drift(0)]))
    assert got == [("feature_drift", "firing"), ("missing_rate_spike", "pending")]


def test_inhibition_is_configurable() -> None:
    run = Run(engine(DQ_RULE, DRIFT_RULE, inhibit_rules=[]))
    assert len(run.step(0, [_dq(0, 0.5), drift(0)])) == 2


def test_time_passes_only_through_now() -> None:
    run = Run(engine(rule(**{"for": "10m"})))
    run.step(0, [metric(0, error_rate=0.1)])
    assert statuses(run.step(10, [metric(10, error_rate=0.1)])) == "firing"
    assert at(10) - at(0) == timedelta(minutes=10)
