"""Join records: one field per prediction in hashes sharded by event time and id, found
again by the labels that may join them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from schemas import GroundTruthEvent, PredictionEvent
from stream_monitor.accepted import AcceptedEvents
from stream_monitor.join_records import (
    GENERATIONS,
    LABELLED,
    RECORD,
    JoinRecords,
    RecordLookup,
    record_ttl_seconds,
    shard_seconds,
)
from stream_monitor.model_spec import ModelSpec
from stream_monitor.quality.labels import StoredPrediction
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from stream_monitor.state.updates import BatchUpdate, HashUpdate, field_updates
from tests.pipeline_fixtures import MODEL, START, spec

TTL = 3_600
_LABELS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8)
_SCORES = st.floats(0, 1)  # a prediction needs an output: a score, at least


def _spec() -> ModelSpec:
    return replace(spec(), quality=QualitySpec(task="binary"), label_ttl_seconds=TTL)


def _event(
    event_id: str, time_s: float, label: object = 1, score: float | None = 0.5
) -> PredictionEvent:
    prediction = {"label": label, "score": score}
    return PredictionEvent.model_validate(
        {
            "event_id": event_id,
            "model_id": MODEL,
            "model_version": "v7",
            "timestamp": time_s,
            "features": {"amount": 1.0, "age": 2.0, "country": "de"},
            "prediction": prediction,
        }
    )


def _records(events: list[PredictionEvent]) -> JoinRecords:
    rows = [(i, i, e) for i, e in enumerate(events)]
    return JoinRecords.of(_spec(), AcceptedEvents.of_events(("amount", "age", "country"), rows))


def _label(event_id: str, time_s: float) -> GroundTruthEvent:
    timestamp = datetime.fromtimestamp(time_s, UTC)
    return GroundTruthEvent(event_id=event_id, model_id=MODEL, timestamp=timestamp, label=1)


@given(st.lists(st.tuples(_LABELS, _SCORES, st.floats(0, 10 * TTL)), min_size=1, max_size=12))
def test_each_row_is_its_events_stored_prediction_in_its_shard(
    rows: list[tuple[object, float | None, float]],
) -> None:
    events = [_event(f"e{i}", START + t, label, score) for i, (label, score, t) in enumerate(rows)]
    records = _records(events)
    assert records.texts() == [records.text(i) for i in range(len(events))]
    seen: list[int] = []
    for key, at in records.by_hash():
        assert list(at) == sorted(at) and all(records.hash_key(i) == key for i in at)
        seen += at
    assert sorted(seen) == list(range(len(events)))
    store = MemoryStore()
    store.apply([BatchUpdate(MODEL, "p:0", 0, 0, (), (records,))])
    labels = [_label(e.event_id, e.timestamp.timestamp() + 1) for e in events]
    found = RecordLookup.of(_spec(), labels)
    records_found = found.found(store.find_first(found.search))
    assert {k: (r.prediction, r.labelled) for k, r in records_found.items()} == {
        e.event_id: (StoredPrediction.from_event(e), False) for e in events
    }


def test_a_label_finds_its_prediction_within_the_record_ttl_and_one_shard_early() -> None:
    store = MemoryStore()
    records = _records([_event("a", START)])
    store.apply([BatchUpdate(MODEL, "p:0", 0, 0, (), (records,))])
    size, ttl = shard_seconds(_spec()), record_ttl_seconds(_spec())
    assert size * GENERATIONS >= ttl
    delays = {-size: True, 0: True, TTL: True, ttl: True, ttl + 2 * size: False}
    for delay, expected in delays.items():
        lookup = RecordLookup.of(_spec(), [_label("a", START + delay)])
        assert len(lookup.search.keys) <= GENERATIONS + 2
        assert ("a" in lookup.found(store.find_first(lookup.search))) is expected, delay


def test_a_marked_record_is_found_labelled_in_the_hash_that_holds_it() -> None:
    store = MemoryStore()
    records = _records([_event("a", START), _event("b", START + 5 * TTL)])
    store.apply([BatchUpdate(MODEL, "p:0", 0, 1, (), (records,))])
    key = records.hash_key(0)
    assert key.startswith(keys.join_shards(MODEL)) and key != records.hash_key(1)
    store.apply([BatchUpdate(MODEL, "l:0", 0, 0, (HashUpdate(key, {LABELLED + "a": 1}),))])
    lookup = RecordLookup.of(_spec(), [_label("a", START + 10), _label("b", START + 5 * TTL)])
    found = lookup.found(store.find_first(lookup.search))
    assert (found["a"].key, found["a"].labelled, found["b"].labelled) == (key, True, False)
    assert field_updates(records)[0].fields == {RECORD + "a": records.text(0)}
