"""At-least-once evaluation outputs: a slot leased and computed but never committed (the
worker died before or while publishing) is evaluated again from the same states and time,
and gives the same outputs; the states change once, at the commit."""

from __future__ import annotations

import orjson

from stream_monitor.ingest import RawMessage
from stream_monitor.pipeline import OutputEvent, Pipeline
from stream_monitor.state.memory import MemoryStore
from tests.pipeline_fixtures import MODEL, START, events, spec

SLOTS = [START + 300 + 60 * i for i in range(15)]  # windows ending 300 s .. 1140 s


def _pipeline() -> Pipeline:
    s = spec()
    pipeline = Pipeline({s.model_id: s}, MemoryStore())
    lines = [orjson.dumps(e) for e in events(12_000, shift_from=6000)]  # amount shifts at 600 s
    pipeline.ingest([RawMessage(line, "preds", 0, i) for i, line in enumerate(lines)])
    return pipeline


def _dumped(outputs: list[OutputEvent]) -> list[dict[str, object]]:
    return [o.model_dump(mode="json") for o in outputs]


def _uninterrupted() -> list[dict[str, object]]:
    pipeline = _pipeline()
    return [d for slot in SLOTS for d in _dumped(pipeline.evaluate(MODEL, slot, slot))]


def _firing(outputs: list[OutputEvent]) -> bool:
    return any(o.type == "alert" and o.status == "firing" for o in outputs)


def test_a_slot_evaluated_again_after_a_lost_lease_gives_the_same_outputs() -> None:
    pipeline = _pipeline()
    store = pipeline.store
    assert isinstance(store, MemoryStore)
    committed: list[dict[str, object]] = []
    lost: list[dict[str, object]] = []
    for slot in SLOTS:
        run = pipeline.begin(MODEL, slot, slot)
        assert run is not None
        if not lost and _firing(run.outputs):
            lost = _dumped(run.outputs)  # published, then the worker died before the commit
            assert pipeline.begin(MODEL, slot, slot) is None  # the lease still holds
            store.expire_leases()
            run = pipeline.begin(MODEL, slot, slot)
            assert run is not None
            assert _dumped(run.outputs) == lost  # same alerts, starts_at, decision id
        committed += _dumped(run.outputs)
        assert pipeline.commit(run)
    assert lost, "no alert fired"
    assert committed == _uninterrupted()  # the states moved once: nothing else changed


def test_state_is_committed_with_the_slot_and_only_then() -> None:
    pipeline = _pipeline()
    store = pipeline.store
    run = pipeline.begin(MODEL, SLOTS[0], SLOTS[0])
    assert run is not None
    assert set(run.docs) == {"alerts", "policy"}
    assert store.load_doc(MODEL, "alerts") is None and store.last_slot(MODEL) is None
    assert pipeline.commit(run)
    assert store.load_doc(MODEL, "alerts") == run.docs["alerts"]
    assert store.last_slot(MODEL) == SLOTS[0]
    assert not pipeline.commit(run)  # a second commit of the same run changes nothing
    assert pipeline.evaluate(MODEL, SLOTS[0], SLOTS[0]) == []


def test_a_commit_after_another_run_took_the_expired_lease_is_refused() -> None:
    pipeline = _pipeline()
    store = pipeline.store
    assert isinstance(store, MemoryStore)
    slow = pipeline.begin(MODEL, SLOTS[0], SLOTS[0])
    assert slow is not None
    store.expire_leases()
    fast = pipeline.begin(MODEL, SLOTS[0], SLOTS[0])
    assert fast is not None
    assert not pipeline.commit(slow)
    assert pipeline.commit(fast)
    assert _dumped(slow.outputs) == _dumped(fast.outputs)
