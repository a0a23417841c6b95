"""``/metrics`` of a real worker on the real broker and Redis, scraped by a real Prometheus,
and the monitor-health events on the metrics topic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tests.conftest import Services
from tests.integration.prometheus_util import Prometheus, samples, scrape, value
from tests.integration.worker_kafka import TopicReader, produce
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    counted,
    events,
    payloads,
    running,
    totals,
    wait_until,
    write_config,
)

N = 1000
CONTRACT = (
    "stream_monitor_events",
    "stream_monitor_labels",
    "stream_monitor_dead_letters",
    "stream_monitor_consumer_lag",
    "stream_monitor_processing_rate",
    "stream_monitor_redis_rtt_seconds",
    "stream_monitor_batch_duration_seconds",
    "stream_monitor_evaluations",
    "stream_monitor_drift_statistic",
    "stream_monitor_drift_detected",
    "stream_monitor_model_metric",
    "stream_monitor_alerts",
    "stream_monitor_retrain_decisions",
)


def labels_of(model: str, rows: list[dict[str, Any]]) -> list[bytes]:
    """A label 30 s after the first 600 predictions, 50 of them twice, and 20 labels for
    ids no prediction has."""
    labels = [
        {"event_id": r["event_id"], "model_id": model, "timestamp": r["timestamp"] + 30, "label": 1}
        for r in rows[:600]
    ]
    unknown = [{**labels[0], "event_id": f"nobody-{i}"} for i in range(20)]
    return [orjson.dumps(x) for x in labels + labels[:50] + unknown]


def test_metrics_endpoint_is_scraped_by_prometheus(services: Services, tmp_path: Path) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    rows = events(N)
    labels = labels_of(names.model, rows)
    bad = [b"not json", b"{}"]
    worker = WorkerProcess(config, tmp_path / "worker.log")
    prometheus = Prometheus(tmp_path / "prometheus", [f"127.0.0.1:{worker.port}"])
    with (
        running(worker),
        prometheus.running(),
        TopicReader(services.kafka_bootstrap, names.topic("metrics")) as metrics_topic,
    ):
        worker.wait_ready()
        produce(services.kafka_bootstrap, names.topic("predictions"), payloads(names.model, rows))
        produce(services.kafka_bootstrap, names.topic("predictions"), bad)
        wait_until(lambda: counted(services.redis_url, names.model) >= N, 60, "predictions")
        produce(services.kafka_bootstrap, names.topic("ground_truth"), labels)
        outcomes = {f"i:labels:{o}" for o in ("joined", "duplicate", "unknown_id")}

        def labels_counted() -> bool:
            found = totals(services.redis_url, names.model)
            return sum(v for k, v in found.items() if k in outcomes) >= len(labels)

        wait_until(labels_counted, 60, "every label counted")

        def scraped_events() -> list[dict[str, Any]]:
            found = prometheus.query(f'stream_monitor_events_total{{model="{names.model}"}}')
            return found if found and float(found[0]["value"][1]) >= N else []

        result = wait_until(scraped_events, 60, "Prometheus to scrape all events", every=0.5)
        messages = N + len(bad) + len(labels)

        def health_counted_all(records: list[dict[str, Any]]) -> bool:
            monitor = [r for r in records if r.get("group") == "monitor"]
            return sum(int(r["metrics"]["messages"]) for r in monitor) >= messages

        published = metrics_topic.wait_for(health_counted_all, 60, "health events of all messages")
        content_type, text = scrape(worker.port)

    assert float(result[0]["value"][1]) == N
    assert result[0]["metric"]["job"] == "stream-monitor"
    assert content_type.startswith("text/plain") and "version=0.0.4" in content_type
    series = samples(text)
    families = {name for name, _ in series}
    for name in CONTRACT:
        assert any(f.startswith(name) for f in families), f"{name} missing from /metrics"
    model = names.model
    assert value(series, "stream_monitor_events_total", model=model) == N
    outcome = "stream_monitor_labels_total"
    assert value(series, outcome, model=model, outcome="joined") == 600
    assert value(series, outcome, model=model, outcome="duplicate") == 50
    assert value(series, outcome, model=model, outcome="unknown_id") == 20
    letters = "stream_monitor_dead_letters_total"
    assert value(series, letters, reason="malformed_json") == 1
    assert value(series, letters, reason="missing_field") == 1
    lags = {
        dict(labels)["partition"]: v
        for (metric, labels), v in series.items()
        if metric == "stream_monitor_consumer_lag"
        and dict(labels)["topic"] == names.topic("predictions")
    }
    assert sorted(lags) == ["0", "1", "2", "3"] and set(lags.values()) == {0.0}
    assert (value(series, "stream_monitor_evaluations_total", model=model) or 0) >= 1
    gauge = "stream_monitor_model_metric"
    assert value(series, gauge, model=model, group="operational", name="events") is not None
    predictions = names.topic("predictions")
    batches = value(series, "stream_monitor_batch_duration_seconds_count", topic=predictions)
    assert batches is not None and batches >= 1
    monitor = [r for r in published if r.get("group") == "monitor"]
    assert all(r["model_id"] == "" for r in monitor)
    assert sum(int(r["metrics"]["messages"]) for r in monitor) == messages
    assert sum(int(r["metrics"]["dead_letters"]) for r in monitor) == len(bad)
    assert any(f"consumer_lag.{predictions}.0" in r["metrics"] for r in monitor)
    assert all(r["metrics"]["redis_rtt_ms"] is not None for r in monitor)
    health = value(series, gauge, model="", group="monitor", name="processing_rate")
    assert health is not None
