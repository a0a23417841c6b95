"""What a batch changes in the state, as plain data both stores apply the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import repeat, zip_longest
from typing import Any, Final, NamedTuple, Protocol

import msgspec

from stream_monitor.state import keys

FieldValue = int | float | str | bytes
"""bytes: a ``v:`` vector (msgpack array of integers)."""


class HashUpdate(NamedTuple):
    """Field changes of one hash; the field prefix (see :mod:`keys`) says how each merges.

    A named tuple: one is built per ingested event (its label-join record)."""

    key: str
    fields: Mapping[str, FieldValue]
    ttl_seconds: int | None = None
    """Time to live, refreshed by every update (wall clock in Redis; the in-memory store
    of embedded runs keeps everything for the life of the run)."""


_JSON: Final = msgspec.json.Encoder()


def _values(column: RowColumn, count: int) -> list[Any]:
    """The column's ``count`` values as a list (``tolist()`` when it has one)."""
    as_list = getattr(column, "tolist", None)
    return list(as_list()) if as_list is not None else [column[row] for row in range(count)]


class RowColumn(Protocol):
    """A column of :class:`RowHashes`: a list, or anything that gives a row's JSON value."""

    def __getitem__(self, row: int, /) -> Any: ...


@dataclass(frozen=True, eq=False)
class RowHashes:
    """Many small hashes as columns: row ``i`` is the hash ``prefix + row_keys[i]``
    holding one text field, ``field``, whose value is the JSON object of ``constants``
    then row ``i`` of each of ``columns`` (the label-join records of a batch, one per
    event). The in-memory store keeps the columns as they are and writes a row's text
    only when it is read; the Redis store writes every row's hash (:meth:`hash_updates`).
    Equal when the hashes they write are."""

    prefix: str
    field: str
    row_keys: Sequence[str]
    constants: Mapping[str, Any]
    columns: Mapping[str, RowColumn]
    """JSON values, one per row."""
    ttl_seconds: int | None = None

    def __len__(self) -> int:
        return len(self.row_keys)

    def text(self, row: int) -> str:
        """The field's value in row ``row``."""
        doc = dict(self.constants)
        for name, column in self.columns.items():
            doc[name] = column[row]
        return _JSON.encode(doc).decode()

    def texts(self) -> list[str]:
        """The field's value in every row (what :meth:`text` gives), encoded in one call
        (msgspec's JSON lines: a newline inside a value is escaped, so lines are rows)."""
        count = len(self)
        if not count:
            return []
        names = [*self.constants, *self.columns]
        values: list[Iterable[Any]] = [repeat(v, count) for v in self.constants.values()]
        values += [_values(column, count) for column in self.columns.values()]
        docs = [dict(zip(names, row, strict=True)) for row in zip(*values, strict=False)]
        return _JSON.encode_lines(docs).decode().split("\n")[:count]

    def hash_updates(self) -> list[HashUpdate]:
        """One hash update per row."""
        prefix, name, ttl = self.prefix, self.field, self.ttl_seconds
        return [
            HashUpdate(prefix + key, {name: text}, ttl)
            for key, text in zip(self.row_keys, self.texts(), strict=True)
        ]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RowHashes):
            return NotImplemented
        return self.hash_updates() == other.hash_updates()

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class BatchUpdate:
    """All changes one batch makes to one model, from one source partition.

    Applied only when ``first_offset`` is above the model's watermark for ``source``;
    a batch entirely at or below it is a replay and changes nothing.
    """

    model_id: str
    source: str
    first_offset: int
    last_offset: int
    hashes: tuple[HashUpdate, ...] = field(default_factory=tuple)
    rows: tuple[RowHashes, ...] = ()
    """Hashes given as columns, applied after ``hashes``."""


class Applied(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    OVERLAP = "overlap"


def encode_vector(values: Sequence[int]) -> bytes:
    """A ``v:`` field: a msgpack array of integers (Redis's Lua reads it with cmsgpack)."""
    return msgspec.msgpack.encode(values)


def decode_vector(raw: FieldValue) -> list[int]:
    if not isinstance(raw, bytes):
        raise ValueError(f"a vector field holds msgpack bytes, not {type(raw).__name__}")
    return msgspec.msgpack.decode(raw, type=list[int])


def add_vectors(current: FieldValue, value: FieldValue) -> bytes:
    """The element-wise sum of two ``v:`` fields (the shorter padded with zeros)."""
    pairs = zip_longest(decode_vector(current), decode_vector(value), fillvalue=0)
    return encode_vector([x + y for x, y in pairs])


def merge_field(name: str, current: FieldValue | None, value: FieldValue) -> FieldValue:
    """How one field of a hash merges a new value (the Lua script does the same)."""
    if current is None or name.startswith(keys.STRING):
        return value
    if name.startswith(keys.VECTOR):
        return add_vectors(current, value)
    if isinstance(current, str | bytes) or isinstance(value, str | bytes):
        raise ValueError(f"field {name!r} holds a number; only s: fields hold text")
    if name.startswith(keys.MIN):
        return min(current, value)
    if name.startswith(keys.MAX):
        return max(current, value)
    return current + value


def parse_field(name: str, raw: bytes | str) -> FieldValue:
    if name.startswith(keys.VECTOR):
        return raw.encode() if isinstance(raw, str) else raw
    text = raw.decode() if isinstance(raw, bytes) else raw
    if name.startswith(keys.STRING):
        return text
    return int(text) if name.startswith(keys.INT) else float(text)


def validate_field_name(name: str) -> None:
    if not name.startswith(keys.FIELD_KINDS):
        allowed = ", ".join(keys.FIELD_KINDS)
        raise ValueError(f"field {name!r} has no merge prefix; allowed prefixes: {allowed}")


def merge_hashes(hashes: Iterable[Mapping[str, FieldValue]]) -> dict[str, FieldValue]:
    """The hash of the union of buckets: every field merged by its prefix."""
    merged: dict[str, FieldValue] = {}
    for fields in hashes:
        for name, value in fields.items():
            merged[name] = merge_field(name, merged.get(name), value)
    return merged
