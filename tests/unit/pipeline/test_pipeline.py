"""The shared pipeline on the in-memory store: exact counts, replays, dead letters, drift."""

from __future__ import annotations

import orjson

from schemas import RejectReason
from stream_monitor.embedded import Replay
from stream_monitor.ingest import RawMessage
from stream_monitor.pipeline import Pipeline
from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from tests.factories import encode
from tests.pipeline_fixtures import MODEL, events, spec


def _messages(payloads: list[bytes], first_offset: int = 0, partition: int = 0) -> list[RawMessage]:
    return [RawMessage(p, "preds", partition, first_offset + i) for i, p in enumerate(payloads)]


def _pipeline() -> Pipeline:
    s = spec()
    return Pipeline({s.model_id: s}, MemoryStore())


def _total_events(pipeline: Pipeline, model: str = MODEL) -> int:
    return int(pipeline.store.read([keys.totals(model)])[0].get("i:events", 0))


def test_replayed_and_overlapping_batches_count_each_event_once() -> None:
    pipeline = _pipeline()
    payloads = [encode(e) for e in events(100)]
    assert pipeline.ingest(_messages(payloads[:60])).events == 60
    replay = pipeline.ingest(_messages(payloads[:60]))
    assert (replay.events, replay.duplicates) == (0, 60)
    overlap = pipeline.ingest(_messages(payloads[40:], first_offset=40))
    assert (overlap.events, overlap.duplicates) == (40, 20)
    assert _total_events(pipeline) == 100


def test_bad_messages_are_dead_lettered_with_reasons_and_counted() -> None:
    pipeline = _pipeline()
    good = events(3)
    unknown_feature = {**good[1], "features": {**good[1]["features"], "colour": "red"}}
    missing_feature = {**good[2], "features": {"amount": 1.0}}
    payloads = [
        encode(good[0]),
        b"{broken",
        encode({**good[0], "event_id": "x", "model_id": "nobody"}),
        encode(unknown_feature),
        encode(missing_feature),
        encode({"events": [good[0], {"event_id": "half"}]}),
    ]
    result = pipeline.ingest(_messages(payloads))
    reasons = [(d.offset, d.reason, d.index) for d in result.dead_letters]
    assert reasons == [
        (1, RejectReason.MALFORMED_JSON, None),
        (2, RejectReason.UNKNOWN_MODEL, None),
        (3, RejectReason.UNKNOWN_FEATURE, None),
        (4, RejectReason.MISSING_FEATURE, None),
        (5, RejectReason.MISSING_FIELD, 1),
    ]
    assert "known models: fraud" in result.dead_letters[1].detail
    assert "colour" in result.dead_letters[2].detail
    assert result.events == 2
    totals = pipeline.store.read([keys.totals(MODEL), keys.totals("_invalid")])
    assert totals[0] == {
        "i:events": 2,
        "i:dlq:unknown_feature": 1,
        "i:dlq:missing_feature": 1,
    }
    # The envelope's bad entry has no model_id, so it counts under no model.
    assert totals[1] == {
        "i:dlq:malformed_json": 1,
        "i:dlq:unknown_model": 1,
        "i:dlq:missing_field": 1,
    }


def test_two_partitions_merge_into_the_same_window_as_one() -> None:
    stream = [encode(e) for e in events(3000)]
    one, two = _pipeline(), _pipeline()
    one.ingest(_messages(stream))
    two.ingest(_messages(stream[::2], partition=0))
    two.ingest(_messages(stream[1::2], partition=1))
    slot = 1_767_225_600 + 300
    a = one.evaluate_only(one.specs[MODEL], slot)
    b = two.evaluate_only(two.specs[MODEL], slot)
    assert a.drift.window.event_count == b.drift.window.event_count == 3000
    assert [e.model_dump() for e in a.events] == [e.model_dump() for e in b.events]


def test_replay_flags_the_shifted_feature_and_no_other() -> None:
    lines = [orjson.dumps(e) for e in events(12_000, shift_from=6000)]
    pipeline = _pipeline()
    outputs = list(Replay(pipeline, batch_size=1000).run(lines))
    flagged = {
        o.target.name
        for o in outputs
        if o.type == "drift" and o.drift and o.target.kind == "feature"
    }
    assert flagged == {"amount"}
    first = min(o.window.end.timestamp() for o in outputs if o.type == "drift" and o.drift)
    shift_at = 1_767_225_600 + 600
    assert shift_at < first <= shift_at + 120  # within two 60 s evaluation intervals
    firing = [o for o in outputs if o.type == "alert" and o.status == "firing"]
    # With 3 features, one drifted feature is a third of them: dataset drift too.
    assert {a.labels["target"] for a in firing} == {"amount", "dataset"}
