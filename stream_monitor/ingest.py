"""The ingest hot path, pure: raw messages in, state updates and dead letters out.

A batch of Kafka messages (any partitions, any models) is decoded and validated in one
pass; valid events are grouped by (model, source partition) and by time bucket, binned
with numpy, and turned into one :class:`BatchUpdate` per group carrying the group's
offsets, so the store applies it exactly once. Every rejected message or envelope entry
becomes a :class:`schemas.DeadLetter` and is counted in the model's totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from schemas import DeadLetter, PredictionEvent, Rejection, RejectReason, decode_predictions
from stream_monitor.dead_letters import RawMessage, dead_letter

__all__ = ["Group", "Plan", "RawMessage", "group_update", "plan_batch"]
from stream_monitor.accepted import AcceptedEvents
from stream_monitor.fast_decode import ORDER_STRIDE, FastPlan, fast_decode
from stream_monitor.join_records import JoinRecords
from stream_monitor.model_spec import INVALID_MODEL, ModelSpec
from stream_monitor.state import keys
from stream_monitor.state.updates import BatchUpdate, FieldValue, HashUpdate, RowFields
from stream_monitor.stats.binning import encode_columns
from stream_monitor.stats.model_windows import ModelWindows
from stream_monitor.stats.profile import OUTPUT_NAMES
from stream_monitor.stats.values import FloatArray, IntArray
from stream_monitor.targets import EventColumns, bucket_hashes
from stream_monitor.windowing import Windowing


@dataclass
class Group:
    """The accepted events and dead-letter reasons of one model from one source partition."""

    model_id: str
    source: str
    parts: list[AcceptedEvents] = field(default_factory=list)
    rejected: list[tuple[int, RejectReason]] = field(default_factory=list)

    @property
    def events(self) -> AcceptedEvents | None:
        """The accepted events in arrival order (None: there are none)."""
        if len(self.parts) > 1:
            self.parts = [AcceptedEvents.concat(self.parts)]
        return self.parts[0] if self.parts else None

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts)

    def offsets(self) -> list[int]:
        events = self.events
        return (events.offsets.tolist() if events is not None else []) + [
            o for o, _ in self.rejected
        ]

    def after(self, watermark: int) -> Group:
        """The part of this group above ``watermark`` (for a batch that overlaps a replay)."""
        events = self.events
        return Group(
            self.model_id,
            self.source,
            [events.after(watermark)] if events is not None else [],
            [(o, r) for o, r in self.rejected if o > watermark],
        )


@dataclass
class Plan:
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def group(self, model_id: str, source: str) -> Group:
        return self.groups.setdefault((model_id, source), Group(model_id, source))


def _unknown_model(event: PredictionEvent, specs: Mapping[str, ModelSpec]) -> Rejection:
    known = ", ".join(sorted(specs)) or "none"
    detail = f"model {event.model_id!r} is not configured; known models: {known}"
    return Rejection(RejectReason.UNKNOWN_MODEL, detail)


def _reject(plan: Plan, message: RawMessage, rejection: Rejection) -> None:
    """Dead-letter ``rejection``; only the first dead letter of a message carries its bytes."""
    last = plan.dead_letters[-1] if plan.dead_letters else None
    repeated = last is not None and (last.source_topic, last.partition, last.offset) == (
        message.topic,
        message.partition,
        message.offset,
    )
    letter = dead_letter(message, rejection, with_original=not repeated)
    plan.dead_letters.append(letter)
    model = rejection.model_id if rejection.reason != RejectReason.UNKNOWN_MODEL else None
    plan.group(model or INVALID_MODEL, message.source).rejected.append(
        (message.offset, rejection.reason)
    )


def plan_batch(
    messages: Sequence[RawMessage],
    specs: Mapping[str, ModelSpec],
    max_bytes: int,
    fast_path: bool = True,
) -> Plan:
    """Decode, validate and group a batch of prediction messages: the columnar fast path
    first, the pydantic schema for every message it leaves (same outcome, slower);
    ``fast_path=False``: every message by the schema."""
    plan = Plan()
    if fast_path:
        fast = fast_decode(messages, specs, max_bytes)
    else:
        fast = FastPlan(fallback=list(range(len(messages))))
    for (model_id, source), events in fast.accepted.items():
        plan.group(model_id, source).parts.append(events)
    accepted: dict[tuple[str, str], list[tuple[int, int, PredictionEvent]]] = defaultdict(list)
    for position in fast.fallback:
        message = messages[position]
        for index, event in enumerate(_decode_one(plan, message, specs, max_bytes)):
            row = (position * ORDER_STRIDE + index, message.offset, event)
            accepted[(event.model_id, message.source)].append(row)
    for (model_id, source), rows in accepted.items():
        names = list(specs[model_id].profile.features)
        plan.group(model_id, source).parts.append(AcceptedEvents.of_events(names, rows))
    return plan


def _decode_one(
    plan: Plan, message: RawMessage, specs: Mapping[str, ModelSpec], max_bytes: int
) -> list[PredictionEvent]:
    """The usable events of one message by its pydantic schema; the rest dead-lettered."""
    decoded = decode_predictions(message.value, max_bytes)
    for rejection in decoded.rejections:
        _reject(plan, message, rejection)
    usable = []
    several = len(decoded.events) + len(decoded.rejections) > 1
    for index, event in enumerate(decoded.events):
        spec = specs.get(event.model_id)
        problem = _unknown_model(event, specs) if spec is None else spec.check_features(event)
        if problem is None:
            usable.append(event)
            continue
        at = index if several else None
        model = event.model_id if spec is not None else None
        _reject(plan, message, Rejection(problem.reason, problem.detail, at, model))
    return usable


def _totals(group: Group) -> dict[str, FieldValue]:
    totals: dict[str, int] = defaultdict(int)
    totals["i:events"] += group.size
    for _, reason in group.rejected:
        totals[f"i:dlq:{reason.value}"] += 1
    return {k: v for k, v in totals.items() if v}


def group_update(group: Group, spec: ModelSpec | None) -> BatchUpdate | None:
    """The state update of one group, or None when it holds nothing."""
    offsets = group.offsets()
    if not offsets:
        return None
    hashes = [HashUpdate(keys.totals(group.model_id), _totals(group))]
    rows: tuple[RowFields, ...] = ()
    events = group.events
    if spec is not None and events is not None and len(events):
        hashes += _bucket_updates(spec, events)
        hashes.append(_clock_update(group.model_id, group.source, events.times_s))
        if spec.quality is not None:
            rows = (JoinRecords.of(spec, events),)
    first, last = min(offsets), max(offsets)
    return BatchUpdate(group.model_id, group.source, first, last, tuple(hashes), rows)


def _clock_update(model_id: str, source: str, times: FloatArray) -> HashUpdate:
    """The newest event time from ``source``: the event clock of replays (docs/streaming.md)."""
    return HashUpdate(keys.event_clock(model_id), {f"{keys.MAX}{source}": float(times.max())})


def _buckets(windowing: Windowing, times: FloatArray) -> list[tuple[int, IntArray | None]]:
    """Each time bucket's start and the positions of its events, in event order (None:
    all of them), by ascending start. Starts are :meth:`Windowing.bucket_of` of each time
    (numpy's ``floor_divide`` rounds as Python's ``//`` does)."""
    size = windowing.bucket_seconds
    starts = np.floor_divide(times, size).astype(np.int64) * size
    first = int(starts[0])
    if (starts == first).all():
        return [(first, None)]
    order = np.argsort(starts, kind="stable")
    ordered = starts[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    return [(int(starts[rows[0]]), rows) for rows in np.split(order, cuts)]


def _bucket_updates(spec: ModelSpec, events: AcceptedEvents) -> list[HashUpdate]:
    """The bucket hashes of a group's events: their columns are encoded once, then split
    by time bucket."""
    outputs = {n: events.outputs[n] for n in OUTPUT_NAMES if n in spec.profile.outputs}
    columns = encode_columns(spec.profile, events.features, outputs)
    per_event = EventColumns(
        times_s=events.times_s,
        is_error=events.is_error,
        latencies_ms=np.array(events.latencies_ms, dtype=np.float64),  # None -> NaN
        scores=np.array(events.outputs["score"], dtype=np.float64),
    )
    ttl = spec.windowing.window_seconds + spec.retention_seconds
    updates = []
    for start, rows in _buckets(spec.windowing, events.times_s):
        size, part_columns, part_event_columns = len(events), columns, per_event
        if rows is not None:
            size, part_columns, part_event_columns = (
                len(rows),
                columns.select(rows),
                per_event.select(rows),
            )
        windows = ModelWindows.empty(spec.profile).add(spec.profile, part_columns)
        hashes = bucket_hashes(spec, start, size, part_columns, windows, part_event_columns)
        updates += [HashUpdate(key, fields, ttl) for key, fields in hashes.items()]
    return updates
