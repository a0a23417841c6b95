"""`alerts tail` without Kafka: the line format and the follow loop on a fake source."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from schemas import AlertEvent
from stream_monitor.alerts_cli import RawAlert, Tail, format_alert
from stream_monitor.rules import alert_labels, fingerprint

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def alert(status: str = "firing", **fields: Any) -> AlertEvent:
    labels = alert_labels(
        rule="feature_drift",
        model_id="churn",
        target="age",
        severity="warning",
        category="drift",
        extra={},
    )
    base: dict[str, Any] = {
        "model_id": "churn",
        "fingerprint": fingerprint(labels),
        "rule": "feature_drift",
        "status": status,
        "severity": "warning",
        "starts_at": T0,
        "labels": labels,
        "annotations": {"summary": "Feature age of churn drifted"},
        "value": 0.31234,
    }
    return AlertEvent.model_validate(base | fields)


class FakeSource:
    """Messages, then silence; each poll advances the fake clock by its timeout when
    nothing comes."""

    def __init__(self, messages: Iterable[bytes | None]) -> None:
        self.messages = list(messages)
        self.now = 0.0
        self.polls = 0

    def clock(self) -> float:
        return self.now

    def poll(self, timeout: float) -> RawAlert | None:
        self.polls += 1
        if self.messages:
            value = self.messages.pop(0)
            if value is not None:
                return RawAlert(value, 0, self.polls)
        self.now += timeout
        return None


def _tail(source: FakeSource, **options: Any) -> tuple[list[str], list[str], int]:
    out: list[str] = []
    err: list[str] = []
    printed = Tail(source, out.append, err.append, clock=source.clock, **options).run()
    return out, err, printed


def test_a_firing_alert_is_one_line_with_every_field() -> None:
    event = alert()
    line = format_alert(event)
    assert line == (
        f"2026-03-01T12:00:00Z  FIRING   warning  churn  feature_drift  age  value=0.3123  "
        f"fp={event.fingerprint[:8]}"
    )
    assert "\n" not in line


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"status": "resolved", "ends_at": T0 + timedelta(minutes=30)}, "2026-03-01T12:30:00Z"),
        ({"value": None}, "value=n/a"),
        ({"silenced_by": "s-42"}, "[silenced by s-42]"),
        ({"inhibited_by": "0123456789abcdef"}, "[inhibited by 01234567]"),
        ({"status": "pending", "severity": "critical"}, "PENDING  critical"),
        (
            {"starts_at": datetime(2026, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))},
            "12:00:00Z",
        ),
    ],
)
def test_the_line_shows_status_time_value_and_marks(fields: dict[str, Any], shown: str) -> None:
    assert shown in format_alert(alert(**fields))


def test_max_stops_after_that_many_alerts() -> None:
    events = [alert().model_dump_json().encode() for _ in range(5)]
    out, err, printed = _tail(FakeSource(events), max_events=3)
    assert (len(out), err, printed) == (3, [], 3)


def test_timeout_stops_once_no_alert_came_for_that_long() -> None:
    source = FakeSource([None, alert().model_dump_json().encode(), None, None])
    out, _, printed = _tail(source, idle_timeout=2.0)
    assert printed == 1 and len(out) == 1
    assert source.now == pytest.approx(2.5)  # 0.5 s idle before it, then 2 s after it


def test_a_message_that_is_not_an_alert_is_reported_and_skipped() -> None:
    drift_event = b'{"type": "drift", "model_id": "churn"}'
    source = FakeSource([b"{broken", drift_event, alert("resolved").model_dump_json().encode()])
    out, err, printed = _tail(source, max_events=1)
    assert printed == 1 and "RESOLVED" in out[0]
    assert len(err) == 2
    assert err[0].startswith("skipped partition 0 offset 1: not an alert event")
    assert all("\n" not in line for line in err)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stream_monitor", "alerts", "tail", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_config_is_a_one_line_error(tmp_path: Path) -> None:
    done = _cli("--config", str(tmp_path / "nope.yaml"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: cannot read config {tmp_path / 'nope.yaml'}: No such file or directory"
    ]


def test_a_bad_max_is_refused_with_what_is_allowed(tmp_path: Path) -> None:
    done = _cli("--config", str(tmp_path / "c.yaml"), "--max", "0")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Invalid value for '--max'" in done.stderr
    assert "greater than or equal to 1" in done.stderr
