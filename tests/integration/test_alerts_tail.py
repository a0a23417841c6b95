"""`stream-monitor alerts tail` on the real broker: the lines it prints, following new
alerts, and one-line errors for an unreachable broker or a missing topic."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from confluent_kafka.admin import AdminClient

from schemas import AlertEvent
from stream_monitor.rules import alert_labels, fingerprint
from stream_monitor.stream.admin import create_missing
from tests.conftest import Services, kafka_client_config
from tests.integration.worker_kafka import produce
from tests.integration.worker_util import Names, free_port

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _alert(target: str, status: str, **fields: object) -> AlertEvent:
    labels = alert_labels(
        rule="feature_drift",
        model_id="churn",
        target=target,
        severity="warning",
        category="drift",
        extra={},
    )
    return AlertEvent.model_validate(
        {
            "model_id": "churn",
            "fingerprint": fingerprint(labels),
            "rule": "feature_drift",
            "status": status,
            "severity": "warning",
            "starts_at": T0,
            "labels": labels,
            "annotations": {},
            "value": 0.25,
        }
        | fields
    )


def _config(tmp_path: Path, bootstrap: str, topic: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump({"kafka": {"bootstrap_servers": bootstrap}, "topics": {"alerts": topic}})
    )
    return path


def _tail(config: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "stream_monitor", "alerts", "tail", "--config", str(config)]
    return subprocess.Popen(
        [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _topic(services: Services) -> str:
    topic = Names().topic("alerts")
    admin = AdminClient(kafka_client_config(services.kafka_bootstrap))
    assert create_missing(admin, [topic], partitions=1, replication=1) == [topic]
    return topic


def _values(*alerts: AlertEvent) -> list[bytes]:
    return [a.model_dump_json().encode() for a in alerts]


def test_tail_from_the_beginning_prints_one_line_per_alert(
    services: Services, tmp_path: Path
) -> None:
    topic = _topic(services)
    firing = _alert("age", "firing")
    muted = _alert("income", "firing", silenced_by="s-1")
    resolved = _alert("age", "resolved", ends_at=T0 + timedelta(minutes=9), inhibited_by="f" * 16)
    produce(services.kafka_bootstrap, topic, [*_values(firing, muted, resolved), b"not json"])
    config = _config(tmp_path, services.kafka_bootstrap, topic)
    done = _tail(config, "--from-beginning", "--max", "3", "--timeout", "30")
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2026-03-01T12:00:00Z  FIRING   warning  churn  feature_drift  age")
    assert f"fp={firing.fingerprint[:8]}" in lines[0]
    assert "income" in lines[1] and lines[1].endswith("[silenced by s-1]")
    assert lines[2].startswith("2026-03-01T12:09:00Z  RESOLVED")
    assert lines[2].endswith("[inhibited by ffffffff]")

    idle = _tail(config, "--from-beginning", "--timeout", "3")
    out, err = idle.communicate(timeout=120)
    assert idle.returncode == 0
    assert len(out.splitlines()) == 3  # stopped once the topic had nothing more for 3 s
    assert "skipped partition 0 offset 3: not an alert event" in err


def test_tail_follows_alerts_published_after_it_started(services: Services, tmp_path: Path) -> None:
    topic = _topic(services)
    produce(services.kafka_bootstrap, topic, _values(_alert("old", "firing")))
    follower = _tail(_config(tmp_path, services.kafka_bootstrap, topic), "--max", "1")
    try:
        deadline = time.monotonic() + 60
        while follower.poll() is None and time.monotonic() < deadline:
            produce(services.kafka_bootstrap, topic, _values(_alert("new", "pending")))
            time.sleep(0.5)  # until the tail's consumer is assigned and reads one
        out, err = follower.communicate(timeout=30)
    finally:
        follower.kill()
    assert follower.returncode == 0, err
    [line] = out.splitlines()
    assert "PENDING" in line and " new " in line  # not the alert from before it started


def _one_line_error(config: Path) -> str:
    done = _tail(config, "--timeout", "5")
    _, err = done.communicate(timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    return line


def test_an_unreachable_broker_is_a_one_line_error(tmp_path: Path) -> None:
    bootstrap = f"127.0.0.1:{free_port()}"
    line = _one_line_error(_config(tmp_path, bootstrap, "sm-alerts"))
    assert line.startswith(f"error: cannot reach Kafka at {bootstrap} within 10 s")
    assert "kafka.bootstrap_servers" in line


def test_a_missing_alert_topic_is_a_one_line_error(services: Services, tmp_path: Path) -> None:
    line = _one_line_error(_config(tmp_path, services.kafka_bootstrap, "sm-no-such-topic"))
    assert "alert topic 'sm-no-such-topic' does not exist" in line
