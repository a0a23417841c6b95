from __future__ import annotations

import pytest

from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from stream_monitor.state.updates import BatchUpdate, HashUpdate
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
