"""The typed fast path of ingest: each message decoded by msgspec straight into its
model's event structs (:mod:`stream_monitor.typed_schema`), then read as columns, with no
dict per event.

A message is taken here only when it decodes whole and every one of its events passes
the checks the structs leave to the columns (timestamps, a prediction with an output).
Every other message is left to the column checks of :mod:`stream_monitor.fast_decode`,
and from there to the pydantic schema: all paths give the same events and dead letters
(``tests/property/test_fast_decode.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import eq, itemgetter
from typing import Any, Final

import msgspec
import numpy as np

from stream_monitor import fast_checks as check
from stream_monitor.accepted import ORDER_STRIDE, OUTPUT_FIELDS, AcceptedEvents, Column, arrival
from stream_monitor.dead_letters import OFFSET_OF, VALUE_OF, RawMessage, byte_runs
from stream_monitor.model_spec import ModelSpec
from stream_monitor.stats.values import FloatArray, IntArray
from stream_monitor.typed_schema import Layout, TypedSchema, schema_of

_ERRORS: Final = (msgspec.MsgspecError, UnicodeDecodeError)
_ENVELOPE: Final = b'"events"'
"""Bytes of every envelope: a message holding them is decoded as one."""
_astuple: Final = msgspec.structs.astuple
CHUNK_BYTES: Final = 1 << 18
"""Messages are decoded and read as columns in runs of at most this many bytes (a larger
message alone): a run's event structs are read while they are still in the CPU's cache.
Reading 13 envelopes of 500 events (4.5 MB) as columns at once took twice as long per
event as one envelope at a time."""


@dataclass
class TypedPlan:
    parts: list[tuple[str, AcceptedEvents]] = field(default_factory=list)
    """(model, its events taken here), in arrival order within each part."""
    left: list[int] = field(default_factory=list)
    """Positions of the messages left to the other paths, ascending."""


@dataclass
class _Decoded:
    events: list[Any]
    message: IntArray
    """Position of each event's message in the batch."""
    order: IntArray
    left: set[int]


def _decode(values: Sequence[bytes], schema: TypedSchema, max_bytes: int) -> _Decoded:
    if values and _ENVELOPE not in values[0] and max(map(len, values)) <= max_bytes:
        # the common batch of single events: decoded in one pass (any failure: one by one)
        with contextlib.suppress(*_ERRORS):
            events = list(map(schema.event.decode, values))
            at = np.arange(len(events), dtype=np.int64)
            return _Decoded(events, at, at * ORDER_STRIDE, set())
    events, sizes, left = [], [], set()
    for position, value in enumerate(values):
        items: list[Any] = []
        if len(value) <= max_bytes:
            with contextlib.suppress(*_ERRORS):
                if _ENVELOPE in value:
                    items = schema.envelope.decode(value).events
                else:
                    items = [schema.event.decode(value)]
        if not items:
            left.add(position)
        events += items
        sizes.append(len(items))
    positions = np.arange(len(values), dtype=np.int64)
    at, order = arrival(positions, np.array(sizes, dtype=np.int64))
    return _Decoded(events, at, order, left)


def _by_model(events: list[Any]) -> dict[type, IntArray]:
    """The rows of each event struct (each model), by first appearance."""
    if len(kinds := set(map(type, events))) == 1:
        return {kinds.pop(): np.arange(len(events), dtype=np.int64)}
    rows: dict[type, list[int]] = {}
    for row, kind in enumerate(map(type, events)):
        rows.setdefault(kind, []).append(row)
    return {kind: np.array(r, dtype=np.int64) for kind, r in rows.items()}


def _features(rows: Sequence[Any], model: Layout) -> dict[str, Column]:
    """Each feature over the rows (numeric ones as float64, NaN: null)."""
    _, names, numeric = model
    if not names:
        return {}
    values = zip(*map(_astuple, rows), strict=True)
    return {
        name: _floats(column) if index < numeric else list(column)
        for index, (name, column) in enumerate(zip(names, values, strict=True))
    }


def _floats(column: Sequence[float | None]) -> FloatArray:
    """A numeric feature's values as float64 (NaN: null)."""
    try:
        return np.fromiter(column, dtype=np.float64, count=len(column))
    except TypeError:  # a null: only array() reads None as NaN
        return np.array(column, dtype=np.float64)


def _outputs(predictions: Sequence[Any]) -> tuple[dict[str, Column], check.Mask]:
    """The outputs of each prediction, and the rows whose prediction is doubtful."""
    scores, labels, values = map(list, zip(*map(_astuple, predictions), strict=True))
    bad = np.zeros(len(scores), dtype=np.bool_)
    if None in scores:  # a prediction needs at least one output
        bad = check.none_mask(scores) & check.none_mask(labels) & check.none_mask(values)
    return dict(zip(OUTPUT_FIELDS, (scores, labels, values), strict=True)), bad


def _accepted(
    events: Sequence[Any], model: Layout, order: IntArray, offsets: IntArray
) -> tuple[AcceptedEvents, check.Mask]:
    """The events (all of one model) as columns, and which of them are doubtful."""
    fields = zip(*map(_astuple, events), strict=True)
    ids, versions, times, features, predictions, latencies, statuses, *_ = fields
    times_s, odd_times = check.timestamps(times)
    outputs, no_output = _outputs(predictions)
    is_error = np.fromiter(map(eq, statuses, repeat("error")), dtype=np.bool_, count=len(ids))
    accepted = AcceptedEvents(
        order=order,
        offsets=offsets,
        times_s=times_s,
        event_ids=list(ids),
        versions=list(versions),
        features=_features(features, model),
        outputs=outputs,
        latencies_ms=list(latencies),
        is_error=is_error,
    )
    return accepted, odd_times | no_output


def typed_decode(
    messages: Sequence[RawMessage], specs: Mapping[str, ModelSpec], max_bytes: int
) -> TypedPlan:
    """Take the messages that certainly pass the schema of a model of ``specs`` (models
    the fast path vouches for); leave the rest."""
    schema = schema_of(specs)
    plan = TypedPlan()
    for start, end in byte_runs(messages, CHUNK_BYTES):
        run = _typed_run(messages[start:end], start, schema, max_bytes)
        plan.parts += run.parts
        plan.left += run.left
    return plan


def _typed_run(
    messages: Sequence[RawMessage], start: int, schema: TypedSchema, max_bytes: int
) -> TypedPlan:
    """:func:`typed_decode` of one run of messages, the first at position ``start``."""
    decoded = _decode(list(map(VALUE_OF, messages)), schema, max_bytes)
    if start:
        decoded.message += start
        decoded.order += start * ORDER_STRIDE
        decoded.left = {position + start for position in decoded.left}
    left = decoded.left
    parts: list[tuple[str, AcceptedEvents]] = []
    if decoded.events:
        offsets = np.fromiter(map(OFFSET_OF, messages), dtype=np.int64, count=len(messages))
        offsets = offsets[decoded.message - start]
        for kind, rows in _by_model(decoded.events).items():
            model = schema.layouts.get(kind)
            if model is None:  # an event of no configured model
                left.update(decoded.message[rows].tolist())
                continue
            events = decoded.events
            if len(rows) < len(events):
                events = _pick(events, rows)
            accepted, doubtful = _accepted(events, model, decoded.order[rows], offsets[rows])
            left.update(decoded.message[rows[doubtful]].tolist())
            parts.append((model[0], accepted))
    return TypedPlan(_without(parts, left), sorted(left))


def _pick(values: Sequence[Any], rows: IntArray) -> list[Any]:
    """The entries of ``values`` at ``rows``."""
    if len(rows) == 1:
        return [values[int(rows[0])]]
    return list(itemgetter(*rows.tolist())(values))


def _without(
    parts: list[tuple[str, AcceptedEvents]], left: set[int]
) -> list[tuple[str, AcceptedEvents]]:
    """The parts without the events of the messages ``left``."""
    if not left:
        return parts
    out = np.array(sorted(left), dtype=np.int64)
    kept = []
    for model, events in parts:
        rows = np.flatnonzero(~np.isin(events.order // ORDER_STRIDE, out))
        if rows.size:
            kept.append((model, events if rows.size == len(events) else events.select(rows)))
    return kept
