"""The in-memory store of embedded runs: the same semantics as Redis, in one process."""

from __future__ import annotations

import copy
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stream_monitor.state import keys
from stream_monitor.state.store import Hash
from stream_monitor.state.updates import (
    Applied,
    BatchUpdate,
    FieldValue,
    FirstField,
    FirstFieldSearch,
    RowFields,
    merge_field,
    validate_field_name,
)

_ADDED = (keys.INT, keys.FLOAT)
_NUMBERS = frozenset({int, float})


@dataclass
class _RowTable:
    """The :class:`RowFields` of one (hash prefix, field prefix), as applied: each row key
    -> its newest row, numbered across the parts in the order they were applied. A row key
    lives in one hash here, its newest (Redis keeps an older row of the same key in
    another hash too; the label join reads the newest either way).

    The index of row keys is brought up to date only when a row is read: a run whose
    records no label ever reads never hashes their keys. Until then the parts added and
    the keys shadowed wait, in order, in ``pending``."""

    parts: list[RowFields] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    newest: dict[str, int] = field(default_factory=dict)
    size: int = 0
    pending: list[tuple[int, RowFields] | str] = field(default_factory=list)
    """(first row, part) added, or a row key shadowed, since the index was last brought
    up to date."""

    def add(self, rows: RowFields) -> None:
        self.parts.append(rows)
        self.starts.append(self.size)
        self.pending.append((self.size, rows))
        self.size += len(rows)

    def shadow(self, row_key: str) -> None:
        """The row key's value is no longer the table's (a plain hash replaced it)."""
        if self.pending:
            self.pending.append(row_key)
        else:
            self.newest.pop(row_key, None)

    def text(self, row_key: str, hash_key: str) -> str | None:
        """The row's text if its newest write went to ``hash_key``."""
        self._index()
        row = self.newest.get(row_key)
        if row is None:
            return None
        part = bisect_right(self.starts, row) - 1
        rows, at = self.parts[part], row - self.starts[part]
        return rows.text(at) if rows.hash_key(at) == hash_key else None

    def row_keys(self) -> list[str]:
        self._index()
        return list(self.newest)

    def _index(self) -> None:
        for item in self.pending:
            if isinstance(item, str):
                self.newest.pop(item, None)
            else:
                start, rows = item
                rows_at = range(start, start + len(rows))
                self.newest.update(zip(rows.row_keys, rows_at, strict=True))
        self.pending.clear()


class MemoryStore:
    """Dict-backed :class:`~stream_monitor.state.store.Store` for embedded runs.

    Nothing expires by itself: an embedded run keeps its buckets and join records until it
    ends, and a slot lease until it is committed or :meth:`expire_leases` is called (what
    the passing of ``lease_seconds`` does in Redis; one process needs no clock for it).
    """

    def __init__(self) -> None:
        self._hashes: dict[str, Hash] = {}
        self._docs: dict[str, dict[str, Any]] = {}
        self._leases: dict[str, tuple[int, str]] = {}
        self._issued = 0
        self._field_names: set[str] = set()
        """Field names already found valid (few distinct ones: checked once each)."""
        self._tables: dict[tuple[str, str], _RowTable] = {}
        """(hash prefix, field prefix) -> the fields applied as columns (:class:`RowFields`)."""

    def apply(self, updates: Sequence[BatchUpdate]) -> list[Applied]:
        return [self._apply_one(u) for u in updates]

    def _apply_one(self, update: BatchUpdate) -> Applied:
        mark = self.watermark(update.model_id, update.source)
        if update.last_offset <= mark:
            return Applied.DUPLICATE
        if update.first_offset <= mark:
            return Applied.OVERLAP
        known = self._field_names  # a bad field name refuses the whole update, as in Redis
        for names in [*(c.fields for c in update.hashes), *([r.prefix] for r in update.rows)]:
            if not known.issuperset(names):
                for name in names:
                    validate_field_name(name)
                known.update(names)
        for change in update.hashes:
            self._shadow(change.key, change.fields)
            target = self._hashes.get(change.key)
            if target is None:
                self._hashes[change.key] = dict(change.fields)
            else:
                _merge_into(target, change.fields)
        for rows in update.rows:
            self._tables.setdefault((rows.hash_prefix, rows.prefix), _RowTable()).add(rows)
        self._hashes.setdefault(keys.watermarks(update.model_id), {})[update.source] = (
            update.last_offset
        )
        return Applied.APPLIED

    def watermark(self, model_id: str, source: str) -> int:
        return int(self._hashes.get(keys.watermarks(model_id), {}).get(source, -1))

    def _shadow(self, key: str, fields: Mapping[str, FieldValue]) -> None:
        """A field written as a plain hash replaces the value a row table holds for it."""
        for (hash_prefix, prefix), table in self._tables.items():
            if key.startswith(hash_prefix):
                for name in fields:
                    if name.startswith(prefix):
                        table.shadow(name[len(prefix) :])

    def read(self, keys_: Sequence[str]) -> list[Hash]:
        if not self._tables:
            return [dict(self._hashes.get(k, {})) for k in keys_]
        return [self._read_one(k) for k in keys_]

    def _read_one(self, key: str) -> Hash:
        fields = dict(self._hashes.get(key, {}))
        for (hash_prefix, prefix), table in self._tables.items():
            if key.startswith(hash_prefix):
                for row_key in table.row_keys():
                    if (text := table.text(row_key, key)) is not None:
                        fields[prefix + row_key] = text
        return fields

    def find_first(self, search: FirstFieldSearch) -> list[FirstField | None]:
        return [self._first(search, i) for i in range(len(search))]

    def _first(self, search: FirstFieldSearch, i: int) -> FirstField | None:
        start = search.starts[i]
        for at in range(start, start + search.counts[i]):
            value = self._field(search.keys[at], search.fields[i])
            if value is not None:
                return FirstField(at, value, self._field(search.keys[at], search.companions[i]))
        return None

    def _field(self, key: str, name: str) -> FieldValue | None:
        for (hash_prefix, prefix), table in self._tables.items():
            if key.startswith(hash_prefix) and name.startswith(prefix):
                text = table.text(name[len(prefix) :], key)
                if text is not None:
                    return text
        return self._hashes.get(key, {}).get(name)

    def lease_slot(self, model_id: str, slot: int, lease_seconds: float) -> str | None:
        if slot <= self._committed(model_id) or model_id in self._leases:
            return None
        self._issued += 1
        token = f"lease-{self._issued}"
        self._leases[model_id] = (slot, token)
        return token

    def commit_slot(
        self, model_id: str, slot: int, token: str, docs: Mapping[str, dict[str, Any]]
    ) -> bool:
        holder = self._leases.get(model_id)
        if slot <= self._committed(model_id) or holder not in (None, (slot, token)):
            return False
        self._hashes.setdefault(keys.evaluation(model_id), {})["last_slot"] = slot
        for name, doc in docs.items():
            self.save_doc(model_id, name, doc)
        self._leases.pop(model_id, None)
        return True

    def expire_leases(self) -> None:
        """Every lease ends uncommitted, as after ``lease_seconds`` in Redis."""
        self._leases.clear()

    def last_slot(self, model_id: str) -> int | None:
        raw = self._hashes.get(keys.evaluation(model_id), {}).get("last_slot")
        return None if raw is None else int(raw)

    def _committed(self, model_id: str) -> int:
        last = self.last_slot(model_id)
        return -1 if last is None else last

    def load_doc(self, model_id: str, name: str) -> dict[str, Any] | None:
        doc = self._docs.get(f"{keys.evaluation(model_id)}:{name}")
        return copy.deepcopy(doc) if doc is not None else None

    def save_doc(self, model_id: str, name: str, doc: dict[str, Any]) -> None:
        self._docs[f"{keys.evaluation(model_id)}:{name}"] = copy.deepcopy(doc)


def _merge_into(target: Hash, fields: Mapping[str, FieldValue]) -> None:
    """``merge_field`` of each field into ``target``, with numbers that add inline (the
    common case: counts)."""
    get, numbers = target.get, _NUMBERS
    for name, value in fields.items():
        current = get(name)
        if current is None:
            target[name] = value
        elif type(current) in numbers and type(value) in numbers and name.startswith(_ADDED):
            target[name] = current + value  # type: ignore[operator]
        else:
            target[name] = merge_field(name, current, value)
