"""Behaviour every state store must share; run on the in-memory store and on real Redis."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from stream_monitor.state import keys
from stream_monitor.state.store import Store
from stream_monitor.state.updates import (
    Applied,
    BatchUpdate,
    FirstField,
    FirstFieldSearch,
    HashUpdate,
    decode_vector,
    encode_vector,
    field_updates,
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
    check_row_fields(store, model)
    check_first_fields(store, model)
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


@dataclass(frozen=True)
class ListedRows:
    """A :class:`RowFields` given row by row: (hash key, row key, text)."""

    rows: list[tuple[str, str, str]]
    hash_prefix: str
    prefix: str = "s:r:"
    ttl_seconds: int | None = 60

    @property
    def row_keys(self) -> list[str]:
        return [row_key for _, row_key, _ in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def text(self, row: int) -> str:
        return self.rows[row][2]

    def texts(self) -> list[str]:
        return [text for _, _, text in self.rows]

    def hash_key(self, row: int) -> str:
        return self.rows[row][0]

    def by_hash(self) -> list[tuple[str, Sequence[int]]]:
        at: dict[str, list[int]] = {}
        for row, (key, _, _) in enumerate(self.rows):
            at.setdefault(key, []).append(row)
        return list(at.items())


def check_row_fields(store: Store, model: str) -> None:
    """Fields given as columns read as the fields they stand for, in the hash of their
    row; the newest write of a field wins, whether it came as a row or as a plain hash."""
    source = "rows:0"
    old, new = keys.join_shard(model, 1, 7), keys.join_shard(model, 2, 7)
    first = ListedRows([(old, "a", "1"), (old, "b", "2"), (new, "c", "3")], keys.join_shards(model))
    assert field_updates(first) == [
        HashUpdate(old, {"s:r:a": "1", "s:r:b": "2"}, 60),
        HashUpdate(new, {"s:r:c": "3"}, 60),
    ]
    assert store.apply([BatchUpdate(model, source, 0, 1, (), (first,))]) == [Applied.APPLIED]
    assert store.read([old, new]) == [{"s:r:a": "1", "s:r:b": "2"}, {"s:r:c": "3"}]
    marked = HashUpdate(old, {"i:l:a": 1})
    plain = HashUpdate(old, {"s:r:b": "plain"})
    assert store.apply([BatchUpdate(model, source, 2, 2, (marked, plain))]) == [Applied.APPLIED]
    assert store.read([old]) == [{"s:r:a": "1", "i:l:a": 1, "s:r:b": "plain"}]
    again = ListedRows([(old, "b", "4"), (old, "b", "5")], keys.join_shards(model))
    assert store.apply([BatchUpdate(model, source, 3, 3, (), (again,))]) == [Applied.APPLIED]
    assert store.read([old])[0]["s:r:b"] == "5"
    assert store.apply([BatchUpdate(model, source, 3, 3, (), (first,))]) == [Applied.DUPLICATE]
    assert store.read([old])[0]["s:r:b"] == "5"
    many = ListedRows([(new, f"n{i}", str(i)) for i in range(2_500)], keys.join_shards(model))
    assert store.apply([BatchUpdate(model, source, 4, 4, (), (many,))]) == [Applied.APPLIED]
    written = store.read([new])[0]
    assert {n: written.get(f"s:r:n{n}") for n in (0, 7, 1234, 2499, 2500)} == {
        0: "0",
        7: "7",
        1234: "1234",
        2499: "2499",
        2500: None,
    }
    assert len(written) == 2_501  # the 2,500 rows and c


def check_first_fields(store: Store, model: str) -> None:
    """Each search finds its field in the first of its hashes that holds it, rows or plain
    fields alike, with the companion read from that same hash."""
    newest, middle, oldest = (keys.join_shard(model, g, 3) for g in (12, 11, 10))
    rows = ListedRows([(middle, "a", "[1]"), (oldest, "b", "[2]")], keys.join_shards(model))
    plain = {"s:r:a": "[0]", "i:l:b": 2, "s:r:c": "[3]"}
    marks = HashUpdate(middle, {"i:l:a": 1}), HashUpdate(oldest, plain)
    assert store.apply([BatchUpdate(model, "first:0", 0, 0, marks, (rows,))]) == [Applied.APPLIED]
    names = ["a", "b", "c", "a", "d"]
    search = FirstFieldSearch(
        [newest, middle, oldest],
        [f"s:r:{n}" for n in names],
        [f"i:l:{n}" for n in names],
        [0, 0, 1, 2, 0],
        [3, 2, 2, 1, 3],
    )
    assert store.find_first(search) == [
        FirstField(1, "[1]", 1),  # a: in the middle hash, before the oldest
        None,  # b: only in the oldest hash, beyond its two candidates
        FirstField(2, "[3]", None),  # c: a plain field, no companion
        FirstField(2, "[0]", None),  # a, from the oldest hash only
        None,  # d: nowhere
    ]
    assert store.find_first(FirstFieldSearch([], [], [], [], [])) == []
