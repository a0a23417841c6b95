"""Behaviour every state store must share; run on the in-memory store and on real Redis."""

from __future__ import annotations

import uuid

from stream_monitor.state import keys
from stream_monitor.state.store import Store
from stream_monitor.state.updates import Applied, BatchUpdate, HashUpdate


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

    assert store.load_doc(model, "detectors") is None
    store.save_doc(model, "detectors", {"version": 1, "x": [1, 2.5, "a", None]})
    assert store.load_doc(model, "detectors") == {"version": 1, "x": [1, 2.5, "a", None]}


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
