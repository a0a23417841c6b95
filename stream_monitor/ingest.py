"""The ingest hot path, pure: raw messages in, state updates and dead letters out.

A batch of Kafka messages (any partitions, any models) is decoded and validated in one
pass; valid events are grouped by (model, source partition) and by time bucket, binned
with numpy, and turned into one :class:`BatchUpdate` per group carrying the group's
offsets, so the store applies it exactly once. Every rejected message or envelope entry
becomes a :class:`schemas.DeadLetter` and is counted in the model's totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from schemas import DeadLetter, PredictionEvent, Rejection, RejectReason, decode_predictions
from stream_monitor.dead_letters import RawMessage, dead_letter

__all__ = ["Group", "Plan", "RawMessage", "group_update", "plan_batch"]
from stream_monitor.label_join import record_update
from stream_monitor.model_spec import INVALID_MODEL, ModelSpec
from stream_monitor.state import keys
from stream_monitor.state.updates import BatchUpdate, FieldValue, HashUpdate
from stream_monitor.stats.binning import columns_from_events
from stream_monitor.stats.model_windows import ModelWindows
from stream_monitor.targets import bucket_hashes


@dataclass
class Group:
    """The accepted events and dead-letter reasons of one model from one source partition."""

    model_id: str
    source: str
    events: list[tuple[int, PredictionEvent]] = field(default_factory=list)
    rejected: list[tuple[int, RejectReason]] = field(default_factory=list)

    def offsets(self) -> list[int]:
        return [o for o, _ in self.events] + [o for o, _ in self.rejected]

    def after(self, watermark: int) -> Group:
        """The part of this group above ``watermark`` (for a batch that overlaps a replay)."""
        return Group(
            self.model_id,
            self.source,
            [(o, e) for o, e in self.events if o > watermark],
            [(o, r) for o, r in self.rejected if o > watermark],
        )


@dataclass
class Plan:
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def group(self, model_id: str, source: str) -> Group:
        return self.groups.setdefault((model_id, source), Group(model_id, source))


def _check_event(event: PredictionEvent, specs: Mapping[str, ModelSpec]) -> Rejection | None:
    spec = specs.get(event.model_id)
    if spec is None:
        known = ", ".join(sorted(specs)) or "none"
        detail = f"model {event.model_id!r} is not configured; known models: {known}"
        return Rejection(RejectReason.UNKNOWN_MODEL, detail)
    return spec.check_features(event)


def _reject(plan: Plan, message: RawMessage, rejection: Rejection) -> None:
    letter = dead_letter(message, rejection)
    plan.dead_letters.append(letter)
    model = rejection.model_id if rejection.reason != RejectReason.UNKNOWN_MODEL else None
    plan.group(model or INVALID_MODEL, message.source).rejected.append(
        (message.offset, rejection.reason)
    )


def plan_batch(
    messages: Iterable[RawMessage], specs: Mapping[str, ModelSpec], max_bytes: int
) -> Plan:
    """Decode, validate and group a batch of prediction messages."""
    plan = Plan()
    for message in messages:
        decoded = decode_predictions(message.value, max_bytes)
        for rejection in decoded.rejections:
            _reject(plan, message, rejection)
        for index, event in enumerate(decoded.events):
            problem = _check_event(event, specs)
            if problem is None:
                plan.group(event.model_id, message.source).events.append((message.offset, event))
                continue
            at = index if len(decoded.events) + len(decoded.rejections) > 1 else None
            model = event.model_id if event.model_id in specs else None
            _reject(plan, message, Rejection(problem.reason, problem.detail, at, model))
    return plan


def _totals(group: Group) -> dict[str, FieldValue]:
    totals: dict[str, int] = defaultdict(int)
    totals["i:events"] += len(group.events)
    for _, reason in group.rejected:
        totals[f"i:dlq:{reason.value}"] += 1
    return {k: v for k, v in totals.items() if v}


def group_update(group: Group, spec: ModelSpec | None) -> BatchUpdate | None:
    """The state update of one group, or None when it holds nothing."""
    offsets = group.offsets()
    if not offsets:
        return None
    hashes = [HashUpdate(keys.totals(group.model_id), _totals(group))]
    if spec is not None and group.events:
        events = [e for _, e in group.events]
        hashes += _bucket_updates(spec, events)
        hashes.append(_clock_update(group.model_id, group.source, events))
        if spec.quality is not None:
            hashes += [record_update(spec, e) for e in events]
    return BatchUpdate(group.model_id, group.source, min(offsets), max(offsets), tuple(hashes))


def _clock_update(model_id: str, source: str, events: Sequence[PredictionEvent]) -> HashUpdate:
    """The newest event time from ``source``: the event clock of replays (docs/streaming.md)."""
    newest = max(e.timestamp.timestamp() for e in events)
    return HashUpdate(keys.event_clock(model_id), {f"{keys.MAX}{source}": newest})


def _bucket_updates(spec: ModelSpec, events: Sequence[PredictionEvent]) -> list[HashUpdate]:
    by_bucket: dict[int, list[PredictionEvent]] = defaultdict(list)
    for event in events:
        by_bucket[spec.windowing.bucket_of(event.timestamp.timestamp())].append(event)
    updates = []
    for start, bucket_events in sorted(by_bucket.items()):
        columns = columns_from_events(spec.profile, bucket_events)
        windows = ModelWindows.empty(spec.profile).add(spec.profile, columns)
        ttl = spec.windowing.window_seconds + spec.retention_seconds
        for key, fields in bucket_hashes(spec, start, bucket_events, columns, windows).items():
            updates.append(HashUpdate(key, fields, ttl))
    return updates
