from __future__ import annotations

import pytest

from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from stream_monitor.state.updates import BatchUpdate, HashUpdate, RowHashes
from tests.state_contract import check_store_contract


def test_memory_store_meets_the_store_contract() -> None:
    check_store_contract(MemoryStore())


def test_text_fields_take_the_last_value() -> None:
    store = MemoryStore()
    key = keys.bucket("m", 0, "age")
    for offset, text in enumerate(["a", "b"]):
        store.apply([BatchUpdate("m", "s", offset, offset, (HashUpdate(key, {"s:x": text}),))])
    assert store.read([key]) == [{"s:x": "b"}]


def test_field_without_merge_prefix_is_refused() -> None:
    update = BatchUpdate("m", "s", 0, 0, (HashUpdate("k", {"count": 1}),))
    with pytest.raises(ValueError, match="allowed prefixes: i:, f:, lo:, hi:, s:"):
        MemoryStore().apply([update])


def test_rows_and_plain_writes_read_in_the_order_applied_when_read_only_at_the_end() -> None:
    """The row index is built on the first read: what was written meanwhile, rows and
    plain hashes of the same field, still reads as the newest write of each key."""
    store = MemoryStore()
    prefix = keys.prediction("m", "")

    def rows(ids: list[str], tag: str) -> RowHashes:
        return RowHashes(prefix, "s:rec", ids, {}, {"tag": [tag] * len(ids)})

    def plain(row_key: str) -> HashUpdate:
        return HashUpdate(prefix + row_key, {"s:rec": "plain"})

    updates = [((), (rows(["a", "b"], "1"),)), ((plain("b"),), ()), ((), (rows(["c"], "2"),))]
    updates += [
        ((), (rows(["b"], "3"),)),
        ((plain("a"), plain("c")), ()),
        ((), (rows(["c"], "4"),)),
    ]
    for offset, (hashes, row_hashes) in enumerate(updates):
        store.apply([BatchUpdate("m", "s", offset, offset, hashes, row_hashes)])
    found = store.read([prefix + k for k in ("a", "b", "c", "d")])
    assert found == [{"s:rec": "plain"}, {"s:rec": '{"tag":"3"}'}, {"s:rec": '{"tag":"4"}'}, {}]
