from __future__ import annotations

import pytest

from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from stream_monitor.state.updates import BatchUpdate, HashUpdate
from tests.state_contract import ListedRows, check_store_contract


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
    shard = keys.join_shard("m", 0, 0)

    def rows(ids: list[str], tag: str) -> ListedRows:
        return ListedRows([(shard, i, tag) for i in ids], keys.join_shards("m"))

    def plain(row_key: str) -> HashUpdate:
        return HashUpdate(shard, {f"s:r:{row_key}": "plain"})

    updates = [((), (rows(["a", "b"], "1"),)), ((plain("b"),), ()), ((), (rows(["c"], "2"),))]
    updates += [
        ((), (rows(["b"], "3"),)),
        ((plain("a"), plain("c")), ()),
        ((), (rows(["c"], "4"),)),
    ]
    for offset, (hashes, row_fields) in enumerate(updates):
        store.apply([BatchUpdate("m", "s", offset, offset, hashes, row_fields)])
    assert store.read([shard]) == [{"s:r:a": "plain", "s:r:b": "3", "s:r:c": "4"}]
