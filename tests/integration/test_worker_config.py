"""The worker's pieces that need no broker: Kafka client options, routing, the event clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
import redis

from schemas import AlertEvent, DriftEvent, Target, TargetKind, Window
from stream_monitor.dead_letters import RawMessage
from stream_monitor.pipeline import Pipeline
from stream_monitor.settings import KafkaSettings, TopicSettings
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.stream.evaluation import EventClock, due
from stream_monitor.stream.kafka_config import confluent_config
from stream_monitor.stream.publisher import output_record
from stream_monitor.windowing import Windowing
from tests.conftest import Services
from tests.pipeline_fixtures import START, events, spec


def test_sasl_ssl_settings_reach_the_kafka_clients(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    kafka = KafkaSettings(
        bootstrap_servers="a:9093,b:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="monitor",
        sasl_password_file=secret,
    )
    config = confluent_config(kafka)
    assert config["security.protocol"] == "SASL_SSL"
    assert (config["sasl.mechanism"], config["sasl.username"]) == ("SCRAM-SHA-512", "monitor")
    assert config["sasl.password"] == "s3cret"
    assert config["bootstrap.servers"] == "a:9093,b:9093"


def test_plaintext_needs_no_credentials() -> None:
    config = confluent_config(KafkaSettings())
    assert "sasl.username" not in config and config["security.protocol"] == "PLAINTEXT"


def test_outputs_are_routed_and_keyed() -> None:
    topics = TopicSettings()
    window = Window(
        start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 1, tzinfo=UTC), event_count=0
    )
    drift = DriftEvent(
        model_id="m",
        window=window,
        target=Target(kind=TargetKind.FEATURE, name="x"),
        statistic="psi",
        value=0.0,
        threshold=0.1,
        drift=False,
    )
    alert = AlertEvent(
        model_id="m",
        fingerprint="f1",
        rule="r",
        status="firing",
        severity="warning",
        starts_at=window.start,
        labels={},
        annotations={},
    )
    assert (output_record(drift, topics).topic, output_record(drift, topics).key) == (
        topics.drift,
        b"m",
    )
    assert (output_record(alert, topics).topic, output_record(alert, topics).key) == (
        topics.alerts,
        b"f1",
    )


def test_catch_up_after_a_long_stop_is_bounded_by_retention() -> None:
    windowing = Windowing(60, 300, 60, 0)
    assert due(windowing, 0, 600, retention=86_400) == list(range(60, 601, 60))
    assert due(windowing, 0, 6000, retention=600) == list(range(5460, 6001, 60))


def test_the_event_clock_is_the_slowest_partition_once_all_have_spoken(
    services: Services,
) -> None:
    model = f"clock-{uuid.uuid4().hex[:8]}"
    s = spec()
    s = type(s)(model, s.profile, s.windowing)
    store = RedisStore(redis.Redis.from_url(services.redis_url))
    pipeline = Pipeline({model: s}, store)
    clock = EventClock(store, "preds", partitions=3)
    rows = [orjson.dumps({**e, "model_id": model}) for e in events(300)]  # 0 s to 29.9 s
    pipeline.ingest([RawMessage(rows[i], "preds", 0, i) for i in range(200)])
    pipeline.ingest([RawMessage(rows[i], "preds", 1, i) for i in range(100)])
    assert clock.watermark(model) is None  # partition 2 has said nothing yet
    pipeline.ingest([RawMessage(rows[299], "preds", 2, 0)])
    assert clock.watermark(model) == START + 9.9  # partition 1 is the slowest
    pipeline.ingest([RawMessage(rows[5], "other", 0, 0)])  # another topic does not count
    assert clock.watermark(model) == START + 9.9
