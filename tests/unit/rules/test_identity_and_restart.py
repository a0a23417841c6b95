"""Fingerprints are stable label hashes; a restart from saved state neither loses nor repeats."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from schemas.outputs import AlertStatus
from stream_monitor.rules import active_alerts, alert_labels, fingerprint
from tests.unit.rules.builders import Run, at, engine, metric, rule

LABELS = {
    "alertname": "feature_drift",
    "category": "drift",
    "model_id": "churn",
    "severity": "warning",
    "target": "age",
}


def test_fingerprint_is_sha256_of_the_sorted_pairs_as_compact_json() -> None:
    text = (
        '[["alertname","feature_drift"],["category","drift"],["model_id","churn"],'
        '["severity","warning"],["target","age"]]'
    )
    assert fingerprint(LABELS) == hashlib.sha256(text.encode()).hexdigest()[:16]
    assert fingerprint(LABELS) == "4d0340b01124a135"  # golden: a change breaks every key


def test_fingerprint_is_the_same_in_another_process() -> None:
    code = f"from stream_monitor.rules import fingerprint; print(fingerprint({LABELS!r}))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.stdout.strip() == fingerprint(LABELS)


def test_fingerprint_ignores_label_order() -> None:
    assert fingerprint(dict(reversed(list(LABELS.items())))) == fingerprint(LABELS)


@pytest.mark.parametrize(
    "change",
    [
        {"alertname": "prediction_drift"},
        {"model_id": "fraud"},
        {"target": "plan"},
        {"severity": "critical"},
        {"team": "risk"},
        {"target": "age "},
    ],
)
def test_fingerprint_differs_when_any_label_differs(change: dict[str, str]) -> None:
    assert fingerprint({**LABELS, **change}) != fingerprint(LABELS)


def test_alert_labels_are_rule_model_target_severity_category_and_the_rules_labels() -> None:
    labels = alert_labels(
        rule="feature_drift",
        model_id="churn",
        target="age",
        severity="warning",
        category="drift",
        extra={"team": "risk"},
    )
    assert labels == {**LABELS, "team": "risk"}


def test_rule_labels_change_the_fingerprint_and_are_sent() -> None:
    plain, labelled = Run(engine(rule())), Run(engine(rule(labels={"team": "risk"})))
    [a] = plain.step(0, [metric(0, error_rate=0.1)])
    [b] = labelled.step(0, [metric(0, error_rate=0.1)])
    assert a.fingerprint != b.fingerprint
    assert b.labels["team"] == "risk"


def _drive(run: Run, minutes: range, value: float = 0.1) -> list[tuple[str, str]]:
    return [
        (e.status.value, e.starts_at.isoformat())
        for m in minutes
        for e in run.step(m, [metric(m, error_rate=value)])
    ]


def test_restart_continues_exactly_like_an_uninterrupted_run() -> None:
    rules = (rule(**{"for": "2x", "keep_firing_for": "2x"}),)
    values = [0.1, 0.1, 0.1, 0.0, 0.1, 0.0, 0.0, 0.0]
    steady = engine(*rules)
    state: dict[str, object] | None = None
    steady_events = []
    for minute, value in enumerate(values):
        state, emitted = steady.evaluate(state, [metric(minute, error_rate=value)], at(minute))
        steady_events += emitted
    restarted = Run(engine(*rules))  # a fresh engine per step, state through JSON text
    for minute, value in enumerate(values):
        restarted.engine = engine(*rules)
        restarted.step(minute, [metric(minute, error_rate=value)])
    assert restarted.events == steady_events
    assert json.loads(restarted.saved) == state


@pytest.mark.parametrize(
    ("restart_at", "replayed", "expected"),
    [
        (1, True, []),  # the last window again, a minute later: nothing new
        (1, False, []),  # a new window, condition still true: no duplicate
        (60, False, [("firing", "2025-03-01T12:00:00+00:00")]),  # repeat interval reached
    ],
)
def test_a_firing_alert_survives_a_restart_without_duplicates(
    restart_at: int, replayed: bool, expected: list[tuple[str, str]]
) -> None:
    before = Run(engine(rule()))
    assert _drive(before, range(1)) == [("firing", "2025-03-01T12:00:00+00:00")]
    after = Run(engine(rule()))
    after.saved = before.saved
    window = 0 if replayed else restart_at
    emitted = after.step(restart_at, [metric(window, error_rate=0.1)])
    assert [(e.status.value, e.starts_at.isoformat()) for e in emitted] == expected
    [alert] = active_alerts(after.state)
    assert (alert.status, alert.starts_at) == (AlertStatus.FIRING, at(0))


def test_a_restart_while_firing_still_resolves_the_same_episode() -> None:
    before = Run(engine(rule()))
    [firing] = before.step(0, [metric(0, error_rate=0.1)])
    after = Run(engine(rule()))
    after.saved = before.saved
    [resolved] = after.step(5, [metric(5, error_rate=0.0)])
    assert (resolved.fingerprint, resolved.starts_at) == (firing.fingerprint, firing.starts_at)
    assert resolved.status == AlertStatus.RESOLVED
