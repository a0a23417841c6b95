"""Behaviour every state store must share; run on the in-memory store and on real Redis."""

from __future__ import annotations

import uuid

from stream_monitor.state import keys
from stream_monitor.state.store import Store
from stream_monitor.state.updates import (
    Applied,
    BatchUpdate,
    HashUpdate,
    RowHashes,
    decode_vector,
    encode_vector,
)


def _update(model: str, first: int, last: int, n: int = 1) -> BatchUpdate:
    key = keys.bucket(model, 1_700_000_000, "age")
    fields = {"i:c:3": n, "f:sum": 1.5 * n, "lo:min": float(first), "hi:max": float(last)}
    return BatchUpdate(model, "predictions:0", first, last, (HashUpdate(key, fields, None),))


def check_store_contract(store: Store) -> None:
    model = f"m{uuid.uuid4().hex[:8]}"
    key = keys.bucket(model, 1_700_000_000, "age")

    assert store.apply([_update(model, 0, 9), _update(model, 10, 19)]) == [Applied.APPLIED] * 2
    assert store.read([key]) == [{"i:c:3": 2, "f:sum": 3.0, "lo:min": 0.0, "hi:max": 19.0}]
    assert store.watermark(model, "predictions:0") == 19

    # A replayed batch changes nothing; an overlapping one is refused for per-event filtering.
    assert store.apply([_update(model, 10, 19)]) == [Applied.DUPLICATE]
    assert store.apply([_update(model, 15, 25)]) == [Applied.OVERLAP]
    assert store.read([key])[0]["i:c:3"] == 2

    # Another source partition has its own watermark.
    other = BatchUpdate(model, "predictions:1", 0, 0, _update(model, 0, 0).hashes)
    assert store.apply([other]) == [Applied.APPLIED]
    assert store.read([key, keys.bucket(model, 0, "none")]) == [
        {"i:c:3": 3, "f:sum": 4.5, "lo:min": 0.0, "hi:max": 19.0},
        {},
    ]

    check_slot_leases(store, model)
    check_row_hashes(store, model)
    check_vectors(store, model)

    assert store.load_doc(model, "detectors") is None
    store.save_doc(model, "detectors", {"version": 1, "x": [1, 2.5, "a", None]})
    assert store.load_doc(model, "detectors") == {"version": 1, "x": [1, 2.5, "a", None]}


def check_vectors(store: Store, model: str) -> None:
    """``v:`` fields add element by element; a shorter vector counts as zero-padded."""
    key = keys.bucket(model, 1_700_000_060, "age")
    for first, vector in ((0, [1, 0, 2]), (1, [0, 5, 1, 7]), (2, [3])):
        fields = {"v:c": encode_vector(vector)}
        update = BatchUpdate(model, "vectors:0", first, first, (HashUpdate(key, fields),))
        assert store.apply([update]) == [Applied.APPLIED]
    assert [decode_vector(h["v:c"]) for h in store.read([key])] == [[4, 5, 3, 7]]


def check_slot_leases(store: Store, model: str) -> None:
    """One lease per model at a time; a commit needs the lease (or no other holder) and a
    slot above the last committed one, and saves the docs with it."""
    assert store.last_slot(model) is None
    token = store.lease_slot(model, 5, 60)
    assert token is not None
    assert store.lease_slot(model, 5, 60) is None  # held
    assert store.lease_slot(model, 6, 60) is None  # one slot of a model at a time
    assert store.commit_slot(model, 5, "not-the-token", {"alerts": {"v": 0}}) is False
    assert store.load_doc(model, "alerts") is None
    assert store.commit_slot(model, 5, token, {"alerts": {"v": 1}, "policy": {"v": 2}}) is True
    assert (store.last_slot(model), store.load_doc(model, "policy")) == (5, {"v": 2})
    assert store.commit_slot(model, 5, token, {"alerts": {"v": 9}}) is False  # done already
    assert store.lease_slot(model, 5, 60) is None
    assert store.lease_slot(model, 4, 60) is None
    later = store.lease_slot(model, 6, 60)
    assert later is not None and later != token
    assert store.commit_slot(model, 6, later, {}) is True
    assert (store.last_slot(model), store.load_doc(model, "alerts")) == (6, {"v": 1})


def _rows(model: str, ids: list[str], scores: list[float | None]) -> RowHashes:
    prefix = keys.prediction(model, "")
    columns = {"event_id": ids, "score": scores}
    return RowHashes(prefix, "s:rec", ids, {"kind": "p"}, columns, 60)


def check_row_hashes(store: Store, model: str) -> None:
    """Hashes given as columns read as the hashes they stand for; the newest write of a
    field wins, whether it came as a row or as a plain hash."""
    source = "rows:0"
    a, b, c = (keys.prediction(model, i) for i in ("a", "b", "c"))
    first = _rows(model, ["a", "b"], [0.5, None])
    assert first.hash_updates()[1] == HashUpdate(
        b, {"s:rec": '{"kind":"p","event_id":"b","score":null}'}, 60
    )
    assert store.apply([BatchUpdate(model, source, 0, 1, (), (first,))]) == [Applied.APPLIED]
    assert store.read([a, b, c]) == [h.fields for h in first.hash_updates()] + [{}]
    marked = HashUpdate(a, {"i:labelled": 1})
    plain = HashUpdate(b, {"s:rec": "plain"})
    assert store.apply([BatchUpdate(model, source, 2, 2, (marked, plain))]) == [Applied.APPLIED]
    assert store.read([a, b]) == [
        {**first.hash_updates()[0].fields, "i:labelled": 1},
        {"s:rec": "plain"},
    ]
    again = _rows(model, ["b", "b"], [0.25, 1.0])
    assert store.apply([BatchUpdate(model, source, 3, 3, (), (again,))]) == [Applied.APPLIED]
    assert store.read([b]) == [again.hash_updates()[1].fields]
    assert store.apply([BatchUpdate(model, source, 3, 3, (), (first,))]) == [Applied.DUPLICATE]
    assert store.read([b]) == [again.hash_updates()[1].fields]
