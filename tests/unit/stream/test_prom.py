"""The worker's Prometheus metrics: fed from real pipeline results, exposed in the text
format that ``prometheus_client.parser`` (and Prometheus) read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from stream_monitor.ingest import RawMessage
from stream_monitor.pipeline import ALERT_STATE, Pipeline, SlotRun
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.rules.state import AlertRecord, dump_state
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stream.health import HealthSample, health_event
from stream_monitor.stream.prom import CONTENT_TYPE, WorkerMetrics, evaluation_observer, observed
from tests.pipeline_fixtures import MODEL, START, events, spec

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(metrics: WorkerMetrics) -> Samples:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _get(samples: Samples, name: str, /, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def _run() -> tuple[WorkerMetrics, Pipeline, list[tuple[str, int, int]]]:
    s = replace(spec(), quality=QualitySpec(task="binary"))
    pipeline = Pipeline({MODEL: s}, MemoryStore())
    metrics, processed = WorkerMetrics(), []
    record = lambda topic, n, letters: processed.append((topic, n, letters))  # noqa: E731
    ingest = observed(pipeline.ingest, "preds", metrics, record)
    labels = observed(pipeline.ingest_labels, "gt", metrics, record, labels=True)
    rows = events(700)
    raw = [RawMessage(orjson.dumps(r), "preds", 0, i) for i, r in enumerate(rows)]
    ingest([*raw, RawMessage(b"not json", "preds", 0, len(rows))])
    truth = [
        {"event_id": r["event_id"], "model_id": MODEL, "timestamp": r["timestamp"] + 1, "label": 1}
        for r in rows[:100]
    ]
    labels([RawMessage(orjson.dumps(t), "gt", 0, i) for i, t in enumerate(truth + truth[:5])])
    return metrics, pipeline, processed


def test_ingest_feeds_events_labels_dead_letters_and_batch_durations() -> None:
    metrics, _, processed = _run()
    samples = _samples(metrics)
    assert _get(samples, "stream_monitor_events_total", model=MODEL) == 700
    assert _get(samples, "stream_monitor_labels_total", model=MODEL, outcome="joined") == 100
    assert _get(samples, "stream_monitor_labels_total", model=MODEL, outcome="duplicate") == 5
    assert _get(samples, "stream_monitor_dead_letters_total", reason="malformed_json") == 1
    count = "stream_monitor_batch_duration_seconds_count"
    assert _get(samples, count, topic="preds") == 1 and _get(samples, count, topic="gt") == 1
    assert processed == [("preds", 701, 1), ("gt", 105, 0)]


def test_evaluation_feeds_gauges_counters_and_alert_counts() -> None:
    metrics, pipeline, _ = _run()
    slot = START + 60
    outputs = pipeline.evaluate(MODEL, slot, float(slot))
    now = datetime.fromtimestamp(slot, UTC)
    firing = AlertRecord(
        fingerprint="f1", rule="r", model_id=MODEL, target="t", labels={"severity": "critical"},
        annotations={}, status="firing", active_since=now, last_observed_at=now,
    )  # fmt: skip
    docs = {ALERT_STATE: dump_state({"f1": firing})}
    evaluation_observer(metrics)(SlotRun(MODEL, slot, "token", list(outputs), docs))
    evaluation_observer(metrics)(SlotRun(MODEL, slot, "token", [], docs))  # nothing published
    samples = _samples(metrics)
    assert _get(samples, "stream_monitor_evaluations_total", model=MODEL) == 1
    gauge = "stream_monitor_model_metric"
    assert _get(samples, gauge, model=MODEL, group="operational", name="events") == 600
    assert _get(samples, gauge, model=MODEL, group="quality", name="accuracy") is not None
    drift = [k for k in samples if k[0] == "stream_monitor_drift_statistic"]
    assert drift and len(drift) == len(
        [k for k in samples if k[0] == "stream_monitor_drift_detected"]
    )
    alerts = "stream_monitor_alerts"
    assert _get(samples, alerts, model=MODEL, severity="critical", state="firing") == 1
    assert _get(samples, alerts, model=MODEL, severity="warning", state="pending") == 0
    actions = [k for k in samples if k[0] == "stream_monitor_retrain_decisions_total"]
    assert len(actions) == 1 and samples[actions[0]] == 1


def test_lags_of_revoked_partitions_are_dropped_and_health_sets_model_metrics() -> None:
    metrics = WorkerMetrics()
    metrics.lags({("preds", 0): 5, ("preds", 1): 0})
    metrics.lags({("preds", 1): 2})
    samples = _samples(metrics)
    assert _get(samples, "stream_monitor_consumer_lag", topic="preds", partition="1") == 2
    assert _get(samples, "stream_monitor_consumer_lag", topic="preds", partition="0") is None
    event = health_event(100.0, 110.0, {"preds": 50}, 5, HealthSample({("preds", 1): 2}, 0.002),
                         ["preds", "gt"])  # fmt: skip
    assert event.metrics["processing_rate"] == 5.0 and event.metrics["dead_letter_rate"] == 0.5
    assert event.metrics["processing_rate.gt"] == 0.0
    assert event.metrics["consumer_lag.preds.1"] == 2 and event.window.event_count == 50
    assert event.metrics["redis_rtt_ms"] == pytest.approx(2.0)
    metrics.metric_event(event)
    samples = _samples(metrics)
    assert _get(samples, "stream_monitor_model_metric", model="", group="monitor",
                name="messages") == 50  # fmt: skip


def test_content_type_is_the_classic_text_format() -> None:
    assert CONTENT_TYPE.startswith("text/plain; version=0.0.4")
