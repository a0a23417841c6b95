"""``simulate --to-kafka`` produces the scenario to the configured topics of a real broker."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import orjson
import yaml
from confluent_kafka import Consumer
from typer.testing import CliRunner

from stream_monitor import simulate
from stream_monitor.cli import app
from stream_monitor.simulate import Scenario, scaled
from tests.conftest import Services, kafka_client_config
from tests.integration.kafka_util import new_topic

MINUTES, RATE = 2, 5.0


def _read(bootstrap: str, topic: str, expected: int, timeout_s: float = 60.0) -> list[bytes]:
    """The values on ``topic``, once ``expected`` are there (or the time is up)."""
    consumer = Consumer(
        {
            **kafka_client_config(bootstrap),
            "group.id": f"test-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    values: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(values) < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=500, timeout=0.5):
                if message.error() is None:
                    values.append(message.value() or b"")
    finally:
        consumer.close()
    return values


def test_simulate_to_kafka_produces_every_event_and_label(
    services: Services, tmp_path: Path
) -> None:
    bootstrap = services.kafka_bootstrap
    predictions_topic, labels_topic = (
        new_topic(bootstrap, "sim-preds"),
        new_topic(bootstrap, "sim-gt"),
    )
    config = tmp_path / "config.yaml"
    topics = {"predictions": predictions_topic, "ground_truth": labels_topic}
    config.write_text(yaml.safe_dump({"topics": topics}))
    args = ["simulate", "--to-kafka", "--config", str(config), "--bootstrap", bootstrap]
    args += ["--minutes", str(MINUTES), "--rate", str(RATE), "--send-rate", "2000"]
    args += ["--out-dir", str(tmp_path / "sim")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output

    expected, labels = simulate.generate(scaled(Scenario(rate_eps=RATE), MINUTES * 60))
    got = _read(bootstrap, predictions_topic, len(expected))
    got_labels = _read(bootstrap, labels_topic, len(labels))
    assert len(got) == len(expected) == int(MINUTES * 60 * RATE)
    ids = sorted(orjson.loads(value)["event_id"] for value in got)
    assert ids == sorted(e["event_id"] for e in expected)
    assert len(got_labels) == len(labels) > 0
    assert (tmp_path / "sim" / "reference.json").exists()
