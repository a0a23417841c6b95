"""The in-memory store of embedded runs: the same semantics as Redis, in one process."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from stream_monitor.state import keys
from stream_monitor.state.store import Hash
from stream_monitor.state.updates import (
    Applied,
    BatchUpdate,
    FieldValue,
    merge_field,
    validate_field_name,
)

_ADDED = (keys.INT, keys.FLOAT)
_NUMBERS = frozenset({int, float})


class MemoryStore:
    """Dict-backed :class:`~stream_monitor.state.store.Store` for embedded runs.

    Nothing expires: an embedded run keeps its buckets and join records until it ends.
    """

    def __init__(self) -> None:
        self._hashes: dict[str, Hash] = {}
        self._docs: dict[str, dict[str, Any]] = {}
        self._field_names: set[str] = set()
        """Field names already found valid (few distinct ones: checked once each)."""

    def apply(self, updates: Sequence[BatchUpdate]) -> list[Applied]:
        return [self._apply_one(u) for u in updates]

    def _apply_one(self, update: BatchUpdate) -> Applied:
        mark = self.watermark(update.model_id, update.source)
        if update.last_offset <= mark:
            return Applied.DUPLICATE
        if update.first_offset <= mark:
            return Applied.OVERLAP
        known = self._field_names  # a bad field name refuses the whole update, as in Redis
        for change in update.hashes:
            for name in change.fields:
                if name not in known:
                    validate_field_name(name)
                    known.add(name)
        for change in update.hashes:
            target = self._hashes.get(change.key)
            if target is None:
                self._hashes[change.key] = dict(change.fields)
            else:
                _merge_into(target, change.fields)
        self._hashes.setdefault(keys.watermarks(update.model_id), {})[update.source] = (
            update.last_offset
        )
        return Applied.APPLIED

    def watermark(self, model_id: str, source: str) -> int:
        return int(self._hashes.get(keys.watermarks(model_id), {}).get(source, -1))

    def read(self, keys_: Sequence[str]) -> list[Hash]:
        return [dict(self._hashes.get(k, {})) for k in keys_]

    def claim_slot(self, model_id: str, slot: int) -> bool:
        state = self._hashes.setdefault(keys.evaluation(model_id), {})
        if slot <= int(state.get("last_slot", -1)):
            return False
        state["last_slot"] = slot
        return True

    def load_doc(self, model_id: str, name: str) -> dict[str, Any] | None:
        doc = self._docs.get(f"{keys.evaluation(model_id)}:{name}")
        return copy.deepcopy(doc) if doc is not None else None

    def save_doc(self, model_id: str, name: str, doc: dict[str, Any]) -> None:
        self._docs[f"{keys.evaluation(model_id)}:{name}"] = copy.deepcopy(doc)


def _merge_into(target: Hash, fields: Mapping[str, FieldValue]) -> None:
    """``merge_field`` of each field into ``target``, with numbers that add inline."""
    for name, value in fields.items():
        current = target.get(name)
        if current is None:
            target[name] = value
        elif type(current) in _NUMBERS and type(value) in _NUMBERS and name.startswith(_ADDED):
            target[name] = current + value  # type: ignore[operator]
        else:
            target[name] = merge_field(name, current, value)
