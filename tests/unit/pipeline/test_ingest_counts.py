"""What one ingest call reports per model and per label outcome (the Prometheus counters)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson

from stream_monitor.ingest import RawMessage
from stream_monitor.pipeline import Pipeline
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.state.memory import MemoryStore
from tests.pipeline_fixtures import MODEL, events, spec

TTL = 600


def _pipeline() -> Pipeline:
    s = replace(spec(), quality=QualitySpec(task="binary"), label_ttl_seconds=TTL)
    return Pipeline({s.model_id: s}, MemoryStore())


def _raw(
    values: list[dict[str, Any]], topic: str, partition: int = 0, first: int = 0
) -> list[RawMessage]:
    return [RawMessage(orjson.dumps(v), topic, partition, first + i) for i, v in enumerate(values)]


def _label(row: dict[str, Any], delay: float = 30.0, event_id: str | None = None) -> dict[str, Any]:
    eid = event_id or row["event_id"]
    return {"event_id": eid, "model_id": MODEL, "timestamp": row["timestamp"] + delay, "label": 1}


def test_prediction_batches_report_events_per_model_once() -> None:
    pipeline, rows = _pipeline(), events(20)
    first = pipeline.ingest(_raw(rows, "preds"))
    replayed = pipeline.ingest(_raw(rows, "preds"))
    assert first.by_model == {MODEL: 20} and first.outcomes == {}
    assert replayed.by_model == {} and replayed.duplicates == 20


def test_label_outcomes_are_counted_once_even_across_partitions_of_one_batch() -> None:
    pipeline, rows = _pipeline(), events(20)
    pipeline.ingest(_raw(rows, "preds"))
    joined = [_label(r) for r in rows[:8]]
    copies = [_label(r) for r in rows[:3]]  # the same labels again, on another partition
    unknown = [_label(rows[0], event_id=f"nobody-{i}") for i in range(2)]
    expired = [_label(r, delay=TTL + 1) for r in rows[10:11]]
    batch = _raw(joined + unknown + expired, "gt") + _raw(copies, "gt", partition=1)
    result = pipeline.ingest_labels(batch)
    assert result.outcomes == {
        (MODEL, "joined"): 8,
        (MODEL, "duplicate"): 3,
        (MODEL, "unknown_id"): 2,
        (MODEL, "expired"): 1,
    }
    assert result.by_model == {MODEL: len(batch)}
    again = pipeline.ingest_labels(batch)
    assert again.outcomes == {} and again.duplicates == len(batch)
