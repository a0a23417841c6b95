"""What a batch changes in the state, as plain data both stores apply the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import zip_longest
from operator import itemgetter
from typing import NamedTuple, Protocol

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


class RowFields(Protocol):
    """Many text fields given as columns (the label-join records of a batch, one per
    event): row ``i`` is the field ``prefix + row_keys[i]`` of the hash ``hash_key(i)``,
    whose value is ``text(i)``. Every hash key starts with ``hash_prefix``. The in-memory
    store keeps the columns as they are and writes a row's text only when it is read; the
    Redis store writes each hash's fields in one command (:meth:`by_hash`)."""

    @property
    def prefix(self) -> str:
        """The field names' prefix (a text field: ``s:``)."""
        ...

    @property
    def hash_prefix(self) -> str: ...

    @property
    def row_keys(self) -> Sequence[str]: ...

    @property
    def ttl_seconds(self) -> int | None:
        """Time to live of each hash written, refreshed by every write."""
        ...

    def __len__(self) -> int: ...

    def text(self, row: int, /) -> str: ...

    def texts(self) -> list[str]:
        """Every row's text (what :meth:`text` gives), encoded at once."""
        ...

    def hash_key(self, row: int, /) -> str: ...

    def by_hash(self) -> list[tuple[str, Sequence[int]]]:
        """Each hash written and its rows, in row order."""
        ...


def hash_fields(rows: RowFields) -> list[tuple[str, Sequence[str], Sequence[str]]]:
    """Each hash the rows write: (key, field names, texts), in row order."""
    texts, names = rows.texts(), list(map(rows.prefix.__add__, rows.row_keys))
    return [(key, _picked(names, at), _picked(texts, at)) for key, at in rows.by_hash()]


def _picked(values: Sequence[str], at: Sequence[int]) -> Sequence[str]:
    """The entries of ``values`` at positions ``at``."""
    return [values[at[0]]] if len(at) == 1 else itemgetter(*at)(values)


def field_updates(rows: RowFields) -> list[HashUpdate]:
    """What the rows write, as one hash update per hash."""
    return [
        HashUpdate(key, dict(zip(names, texts, strict=True)), rows.ttl_seconds)
        for key, names, texts in hash_fields(rows)
    ]


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
    rows: tuple[RowFields, ...] = ()
    """Fields given as columns, applied after ``hashes``."""


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


@dataclass(frozen=True)
class FirstFieldSearch:
    """Searches, each for the first of its candidate hashes that holds a field (a label's
    prediction record among the generations that may hold it). Search ``i`` looks for
    ``fields[i]`` in ``keys[starts[i]]``, ``keys[starts[i] + 1]``, ... (``counts[i]`` hashes,
    in that order) and, where found, also reads ``companions[i]`` from the same hash."""

    keys: Sequence[str]
    fields: Sequence[str]
    companions: Sequence[str]
    starts: Sequence[int]
    counts: Sequence[int]

    def __len__(self) -> int:
        return len(self.fields)


class FirstField(NamedTuple):
    """Where a search found its field: the index of the hash in ``keys``, the field's value
    and the companion's (None when absent)."""

    at: int
    value: FieldValue
    companion: FieldValue | None
