"""Label-join records in the store: where each prediction's record lives and how a label
finds it. Pure code; the stores only see hashes and fields.

A prediction ``id`` at event time ``t`` leaves the text field ``s:r:<id>`` in the hash
:func:`keys.join_shard` ``(model, g, s)``: ``g = floor(t / W)``, the *generation* (``W``:
:func:`shard_seconds`, an eighth of the record TTL, at least a bucket), and ``s`` the
*subshard*, ``crc32(id) mod`` :data:`SUBSHARDS`. A joined label marks the record with
``i:l:<id>`` in the same hash. A batch of events writes a few hashes (one command each),
not one key per event, and a hash expires as a whole a record TTL after its last write.

A label at time ``T`` looks its id up in the generations ``g(T - ttl)`` to ``g(T) + 1``
of the id's subshard (at most ten hashes), newest first: the first record found is its
prediction. A label may be stamped up to ``W`` before its prediction and still join.

The record is the JSON array ``[model_version, timestamp_s, label, score, value]`` (the
event id is the field's name).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec
import numpy as np

from schemas import GroundTruthEvent
from stream_monitor.accepted import AcceptedEvents
from stream_monitor.model_spec import ModelSpec
from stream_monitor.quality.labels import StoredPrediction
from stream_monitor.state import keys
from stream_monitor.state.updates import (
    FieldValue,
    FirstField,
    FirstFieldSearch,
    HashUpdate,
    field_updates,
)
from stream_monitor.stats.values import FloatArray, IntArray

RECORD: Final = "s:r:"
LABELLED: Final = "i:l:"
SUBSHARDS: Final = 64
GENERATIONS: Final = 8
"""Generations per record TTL: a label looks in at most ``GENERATIONS + 2`` hashes."""


class _Record(msgspec.Struct, array_like=True):
    model_version: str
    timestamp_s: float
    label: str | int | bool | None
    score: float | None
    value: float | None


_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final = msgspec.json.Decoder(_Record)


def record_ttl_seconds(spec: ModelSpec) -> int:
    """How long a record is kept: the label TTL plus a window (labels a little later than
    the TTL still find their record, and count as expired, not unknown)."""
    return spec.label_ttl_seconds + spec.windowing.window_seconds


def shard_seconds(spec: ModelSpec) -> int:
    """``W``, the event time one generation of join-record hashes spans."""
    return max(spec.windowing.bucket_seconds, -(-record_ttl_seconds(spec) // GENERATIONS))


def subshard(event_id: str) -> int:
    return zlib.crc32(event_id.encode()) % SUBSHARDS


def _floats(values: Sequence[Any] | FloatArray) -> list[float | None]:
    """JSON numbers: ``float`` of each value, None kept (NaN is written as null)."""
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False).tolist()  # type: ignore[no-any-return]
    return [None if v is None else float(v) for v in values]


@dataclass(frozen=True, eq=False)
class JoinRecords:
    """The join records of a batch's accepted events, as columns: a :class:`RowFields`
    whose texts are encoded only when a store needs them. Equal when they write the same
    fields."""

    model_id: str
    shard_seconds: int
    ttl_seconds: int | None
    events: AcceptedEvents
    prefix: str = RECORD

    @classmethod
    def of(cls, spec: ModelSpec, events: AcceptedEvents) -> JoinRecords:
        return cls(spec.model_id, shard_seconds(spec), record_ttl_seconds(spec), events)

    @property
    def hash_prefix(self) -> str:
        return keys.join_shards(self.model_id)

    @property
    def row_keys(self) -> Sequence[str]:
        return self.events.event_ids

    def __len__(self) -> int:
        return len(self.events)

    def _records(self) -> Iterator[tuple[Any, ...]]:
        """Each record's fields, in :class:`_Record` order (msgspec writes a tuple as the
        same JSON array, without a struct per record)."""
        events = self.events
        outputs = events.outputs
        return zip(
            events.versions,
            events.times_s.tolist(),
            outputs["label"],
            _floats(outputs["score"]),
            _floats(outputs["value"]),
            strict=True,
        )

    def text(self, row: int) -> str:
        events = self.events
        score, value = (events.outputs[name][row] for name in ("score", "value"))
        record = _Record(
            events.versions[row],
            float(events.times_s[row]),
            events.outputs["label"][row],
            *_floats([score, value]),
        )
        return _ENCODER.encode(record).decode()

    def texts(self) -> list[str]:
        if not len(self):
            return []
        return _ENCODER.encode_lines(self._records()).decode().split("\n")[: len(self)]

    def hash_key(self, row: int) -> str:
        generation = int(self.events.times_s[row] // self.shard_seconds)
        return keys.join_shard(self.model_id, generation, subshard(self.row_keys[row]))

    def by_hash(self) -> list[tuple[str, Sequence[int]]]:
        ids = self.row_keys
        subshards = np.fromiter(map(zlib.crc32, map(str.encode, ids)), np.int64, len(ids))
        generations = np.floor_divide(self.events.times_s, self.shard_seconds).astype(np.int64)
        shards = generations * SUBSHARDS + subshards % SUBSHARDS
        order = np.argsort(shards, kind="stable")
        cuts = np.flatnonzero(np.diff(shards[order])) + 1
        groups: list[IntArray] = np.split(order, cuts) if len(order) else []
        return [(self._shard_key(int(shards[rows[0]])), rows.tolist()) for rows in groups]

    def _shard_key(self, shard: int) -> str:
        generation, sub = divmod(shard, SUBSHARDS)
        return keys.join_shard(self.model_id, generation, sub)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JoinRecords):
            return NotImplemented
        return field_updates(self) == field_updates(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class FoundRecord:
    """A label's prediction as stored: the hash holding it, and whether it was labelled."""

    key: str
    prediction: StoredPrediction
    labelled: bool


def _generations(spec: ModelSpec, truths: Sequence[GroundTruthEvent]) -> tuple[IntArray, IntArray]:
    """Per label, the oldest and the newest generation that may hold its record."""
    size, ttl = shard_seconds(spec), record_ttl_seconds(spec)
    times = np.fromiter((t.timestamp.timestamp() for t in truths), np.float64, len(truths))
    oldest = np.floor_divide(times - ttl, size).astype(np.int64)
    return oldest, np.floor_divide(times, size).astype(np.int64) + 1


@dataclass(frozen=True)
class RecordLookup:
    """Where the labels of a group look for their records: :attr:`search` asks the store
    (:meth:`Store.find_first`), :meth:`found` reads the answer.

    A label's candidates are the generations ``g(T - ttl)`` to ``g(T) + 1`` of its subshard,
    newest first. The hashes of a subshard are listed once, newest first, so each label's
    candidates are one run of :attr:`FirstFieldSearch.keys`."""

    truths: Sequence[GroundTruthEvent]
    search: FirstFieldSearch

    @classmethod
    def of(cls, spec: ModelSpec, truths: Sequence[GroundTruthEvent]) -> RecordLookup:
        ids = [t.event_id for t in truths]
        subshards = list(map(subshard, ids))
        oldest, newest = (g.tolist() for g in _generations(spec, truths))
        wanted: dict[int, set[int]] = defaultdict(set)
        for sub, first, last in zip(subshards, oldest, newest, strict=True):
            wanted[sub].update(range(first, last + 1))
        hashes: list[str] = []
        position: dict[tuple[int, int], int] = {}
        for sub in sorted(wanted):
            for generation in sorted(wanted[sub], reverse=True):
                position[(sub, generation)] = len(hashes)
                hashes.append(keys.join_shard(spec.model_id, generation, sub))
        search = FirstFieldSearch(
            hashes,
            [RECORD + i for i in ids],
            [LABELLED + i for i in ids],
            [position[(sub, last)] for sub, last in zip(subshards, newest, strict=True)],
            [last - first + 1 for first, last in zip(oldest, newest, strict=True)],
        )
        return cls(truths, search)

    def found(self, answers: Sequence[FirstField | None]) -> dict[str, FoundRecord]:
        """Event id -> its record, from the store's answer to :attr:`search`."""
        records = {}
        for truth, answer in zip(self.truths, answers, strict=True):
            if answer is not None:
                record = _DECODER.decode(str(answer.value))
                prediction = StoredPrediction(truth.event_id, *msgspec.structs.astuple(record))
                labelled = int(answer.companion or 0) > 0
                key = self.search.keys[answer.at]
                records[truth.event_id] = FoundRecord(key, prediction, labelled)
        return records


def labelled_marks(marked: Sequence[tuple[str, str]]) -> list[HashUpdate]:
    """The markers of joined records, given as (hash, event id): one update per hash."""
    fields: dict[str, dict[str, FieldValue]] = defaultdict(dict)
    for key, event_id in marked:
        fields[key][LABELLED + event_id] = 1
    return [HashUpdate(key, marks) for key, marks in fields.items()]
