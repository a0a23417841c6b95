"""The columnar fast path of ingest: a whole batch of messages decoded and validated at
once, without one pydantic object per event.

Messages are first decoded by msgspec into the typed structs of their model
(:mod:`stream_monitor.typed_decode`). Those it leaves are parsed with orjson, and their
events checked field by field over the batch (:mod:`stream_monitor.fast_checks`). A
message whose every event certainly passes the schema, belongs to a configured model and
carries exactly that model's features is accepted, as columns. Any other message (bad
JSON, a doubtful value, an unknown model, ...) is left to the pydantic path, which accepts
or rejects it with the reason: all paths give the same events and the same dead letters
(``tests/property/test_fast_decode.py``).
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import contains, eq, itemgetter
from typing import Any, Final

import numpy as np
import orjson

from schemas.events import MAX_EVENTS_PER_ENVELOPE, MAX_FEATURES_PER_EVENT
from stream_monitor import fast_checks as check
from stream_monitor.accepted import ORDER_STRIDE, OUTPUT_FIELDS, AcceptedEvents, arrival
from stream_monitor.dead_letters import OFFSET_OF, PARTITION_OF, TOPIC_OF, RawMessage
from stream_monitor.fast_features import feature_columns
from stream_monitor.model_spec import ModelSpec
from stream_monitor.stats.values import FloatArray, IntArray
from stream_monitor.typed_decode import typed_decode

__all__ = ["ORDER_STRIDE", "FastPlan", "fast_decode"]
_REQUIRED: Final = ("event_id", "model_id", "model_version", "timestamp", "features", "prediction")
_OPTIONAL: Final = ("latency_ms", "status", "error")
_MODEL_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_STATUSES: Final = frozenset({"ok", "error"})
_INF: Final = float("inf")


@dataclass
class FastPlan:
    accepted: dict[tuple[str, str], AcceptedEvents] = field(default_factory=dict)
    """(model, source) -> the events the fast path accepted."""
    fallback: list[int] = field(default_factory=list)
    """Positions of the messages left to the pydantic path."""


@dataclass
class _Rows:
    events: list[dict[str, Any]]
    message: IntArray
    """Position of each event's message in the batch."""
    order: IntArray
    fallback: set[int]


def _envelope_events(obj: dict[str, Any]) -> list[Any] | None:
    events = obj.get("events")
    if obj.keys() - {"type", "events"} or obj.get("type", "batch") != "batch":
        return None
    if type(events) is not list or not 1 <= len(events) <= MAX_EVENTS_PER_ENVELOPE:
        return None
    return events if set(map(type, events)) == {dict} else None


def _single_events(values: Sequence[bytes], max_bytes: int) -> list[dict[str, Any]] | None:
    """The common batch, parsed in one pass: every message one JSON object, no envelope."""
    if not values or max(map(len, values)) > max_bytes:
        return None
    try:
        events = list(map(orjson.loads, values))
    except orjson.JSONDecodeError:
        return None
    if set(map(type, events)) != {dict} or any(map(contains, events, repeat("events"))):
        return None
    return events


def _parse(messages: Sequence[RawMessage], positions: Sequence[int], max_bytes: int) -> _Rows:
    """The events of the messages at ``positions``."""
    values = [messages[p].value for p in positions]
    where = np.array(positions, dtype=np.int64)
    if (single := _single_events(values, max_bytes)) is not None:
        return _Rows(single, where, where * ORDER_STRIDE, set())
    events: list[dict[str, Any]] = []
    counts, fallback = [], set()
    for position, value in zip(positions, values, strict=True):
        obj = None
        if len(value) <= max_bytes:
            with contextlib.suppress(orjson.JSONDecodeError):
                obj = orjson.loads(value)
        items = None
        if type(obj) is dict:
            items = [obj] if "events" not in obj else _envelope_events(obj)
        if items is None:
            fallback.add(position)
            items = []
        events += items
        counts.append(len(items))
    at, order = arrival(where, np.array(counts, dtype=np.int64))
    return _Rows(events, at, order, fallback)


def _column(rows: Sequence[dict[str, Any]], name: str, default: Any = None) -> list[Any]:
    return list(map(dict.get, rows, repeat(name), repeat(default)))


def _key_problems(
    rows: Sequence[dict[str, Any]], allowed: frozenset[str], required: frozenset[str]
) -> check.Mask:
    """Rows missing a ``required`` key or holding one outside ``allowed``."""
    if all(required <= set(shape) <= allowed for shape in set(map(tuple, rows))):
        return np.zeros(len(rows), dtype=np.bool_)
    return check.rows(rows, lambda r: required <= r.keys() <= allowed)


def _dicts(column: list[Any]) -> tuple[list[dict[str, Any]], check.Mask]:
    """The column with every value that is not a dict replaced by {}, and those rows."""
    bad = check.of_type(column, dict)
    return ([v if type(v) is dict else {} for v in column] if bad.any() else column), bad


_EVENT_KEYS: Final = frozenset({*_REQUIRED, *_OPTIONAL})
_OUTPUT_KEYS: Final = frozenset(OUTPUT_FIELDS)


def _outputs(column: list[Any]) -> tuple[dict[str, list[Any]], check.Mask]:
    """The outputs of each prediction, and the rows whose prediction is doubtful."""
    rows, bad = _dicts(column)
    bad |= _key_problems(rows, _OUTPUT_KEYS, frozenset())
    outputs = {name: _column(rows, name) for name in OUTPUT_FIELDS}
    bad |= check.number(outputs["score"], 0.0, 1.0, optional=True)
    bad |= check.label(outputs["label"])
    bad |= check.number(outputs["value"], -_INF, _INF, optional=True)
    nothing = check.none_mask(outputs["score"]) & check.none_mask(outputs["label"])
    return outputs, bad | (nothing & check.none_mask(outputs["value"]))


@dataclass
class _Columns:
    """The fields of every event of a batch, and the rows the checks cannot vouch for."""

    doubtful: check.Mask
    times_s: FloatArray
    event_ids: Sequence[Any]
    model_ids: Sequence[Any]
    versions: Sequence[Any]
    features: list[dict[str, Any]]
    outputs: dict[str, list[Any]]
    latencies_ms: Sequence[Any]
    is_error: check.Mask


_DEFAULTS: Final = {"status": "ok"}


def _fields(rows: list[dict[str, Any]]) -> tuple[dict[str, Sequence[Any]], check.Mask]:
    """Each event field over the rows (its default where absent), and the rows missing
    a required field or holding an unknown one."""
    names = (*_REQUIRED, *_OPTIONAL)
    shapes = set(map(tuple, rows))
    if len(shapes) != 1 or not set(_REQUIRED) <= set(next(iter(shapes))) <= _EVENT_KEYS:
        bad = _key_problems(rows, _EVENT_KEYS, frozenset(_REQUIRED))
        return {n: _column(rows, n, _DEFAULTS.get(n)) for n in names}, bad
    [shape] = shapes
    found = dict(zip(shape, zip(*map(itemgetter(*shape), rows), strict=True), strict=True))
    count = len(rows)
    columns: dict[str, Sequence[Any]] = {
        n: found[n] if n in found else [_DEFAULTS.get(n)] * count for n in names
    }
    return columns, np.zeros(count, dtype=np.bool_)


def _columns(rows: list[dict[str, Any]], models: frozenset[str]) -> _Columns:
    fields, bad = _fields(rows)
    event_ids, model_ids = fields["event_id"], fields["model_id"]
    versions, latencies = fields["model_version"], fields["latency_ms"]
    statuses, errors = fields["status"], fields["error"]
    bad |= check.text(event_ids, 1, 128) | check.member(model_ids, models)
    bad |= check.text(versions, 1, 64) | check.number(latencies, 0.0, _INF, optional=True)
    bad |= check.member(statuses, _STATUSES) | check.optional_text(errors)
    times_s, doubtful_times = check.timestamps(fields["timestamp"])
    features, bad_features = _dicts(list(fields["features"]))
    outputs, bad_outputs = _outputs(list(fields["prediction"]))
    is_error = np.fromiter(map(eq, statuses, repeat("error")), dtype=np.bool_, count=len(rows))
    doubtful = bad | doubtful_times | bad_features | bad_outputs
    return _Columns(
        doubtful, times_s, event_ids, model_ids, versions, features, outputs, latencies, is_error
    )


def _fast(spec: ModelSpec) -> bool:
    """Whether the fast path can vouch for the model's feature names."""
    names = spec.profile.features
    return len(names) <= MAX_FEATURES_PER_EVENT and all(1 <= len(n) <= 128 for n in names)


def _accepted(
    columns: _Columns, rows: IntArray, order: IntArray, offsets: IntArray, spec: ModelSpec
) -> tuple[AcceptedEvents, check.Mask]:
    """The events at ``rows`` (all of one model), and which of them are doubtful."""
    pick: Callable[[Sequence[Any]], Sequence[Any]]
    if len(rows) == len(columns.event_ids):  # every row (rows ascend): the common case
        pick = tuple
    elif len(rows) > 1:
        pick = itemgetter(*rows.tolist())
    else:
        pick = lambda c: (c[int(rows[0])],)  # noqa: E731
    features, bad = feature_columns(spec, list(pick(columns.features)))
    events = AcceptedEvents(
        order=order[rows],
        offsets=offsets[rows],
        times_s=columns.times_s[rows],
        event_ids=list(pick(columns.event_ids)),
        versions=list(pick(columns.versions)),
        features=features,
        outputs={n: list(pick(c)) for n, c in columns.outputs.items()},
        latencies_ms=list(pick(columns.latencies_ms)),
        is_error=columns.is_error[rows],
    )
    return events, bad


def _by_value(values: Sequence[Any], rows: IntArray) -> dict[Any, IntArray]:
    """The rows (of ``rows``) holding each distinct value."""
    if len({values[i] for i in rows.tolist()}) == 1:
        return {values[int(rows[0])]: rows}
    keys = np.array([values[i] for i in rows.tolist()], dtype=object)
    return {k: rows[keys == k] for k in dict.fromkeys(keys.tolist())}


def _checked(
    messages: Sequence[RawMessage],
    positions: Sequence[int],
    specs: Mapping[str, ModelSpec],
    max_bytes: int,
) -> tuple[list[tuple[str, AcceptedEvents]], set[int]]:
    """The events of the messages at ``positions`` the column checks vouch for (by
    model), and the positions of the messages left to the pydantic path."""
    parsed = _parse(messages, positions, max_bytes)
    fallback = set(parsed.fallback)
    parts: list[tuple[str, AcceptedEvents]] = []
    if parsed.events:
        columns = _columns(parsed.events, frozenset(specs))
        fallback.update(parsed.message[columns.doubtful].tolist())
        offsets = np.fromiter(map(OFFSET_OF, messages), dtype=np.int64, count=len(messages))
        offsets = offsets[parsed.message]
        good = np.flatnonzero(~columns.doubtful)
        for model, rows in (_by_value(columns.model_ids, good) if good.size else {}).items():
            events, bad = _accepted(columns, rows, parsed.order, offsets, specs[model])
            fallback.update(parsed.message[rows[bad]].tolist())
            parts.append((model, events))
    return parts, fallback


def fast_decode(
    messages: Sequence[RawMessage],
    specs: Mapping[str, ModelSpec],
    max_bytes: int,
    typed: bool = True,
) -> FastPlan:
    """Accept what certainly passes the schema; leave the rest to the pydantic path.
    ``typed=False``: without the typed path (the column checks take every message)."""
    vouched = {m: s for m, s in specs.items() if _MODEL_ID.fullmatch(m) and _fast(s)}
    parts: list[tuple[str, AcceptedEvents]] = []
    left: Sequence[int] = range(len(messages))
    if typed and vouched:
        typed_plan = typed_decode(messages, vouched, max_bytes)
        parts, left = typed_plan.parts, typed_plan.left
    fallback: set[int] = set()
    if left:
        checked, fallback = _checked(messages, left, vouched, max_bytes)
        parts += checked
    return FastPlan(_split(parts, fallback, messages), sorted(fallback))


def _one_source(messages: Sequence[RawMessage]) -> bool:
    """Whether all messages come from one topic partition (no tuple per message)."""
    return len(set(map(TOPIC_OF, messages))) == len(set(map(PARTITION_OF, messages))) == 1


def _split(
    parts: list[tuple[str, AcceptedEvents]],
    fallback: set[int],
    messages: Sequence[RawMessage],
) -> dict[tuple[str, str], AcceptedEvents]:
    """The accepted events by (model, source), without those of fallback messages."""
    out: dict[tuple[str, str], list[AcceptedEvents]] = defaultdict(list)
    if _one_source(messages) and not fallback:  # the common batch: nothing to split
        for model, events in parts:
            out[(model, messages[0].source)].append(events)
        return {key: AcceptedEvents.concat(events) for key, events in out.items()}
    of_message = [m.source for m in messages]
    sources = list(dict.fromkeys(of_message))
    code = {s: i for i, s in enumerate(sources)}
    message_source = np.array([code[s] for s in of_message], dtype=np.int64)
    left_out = np.array(sorted(fallback), dtype=np.int64)
    for model, events in parts:
        at = events.order // ORDER_STRIDE
        kept = ~np.isin(at, left_out) if left_out.size else np.ones(len(at), dtype=np.bool_)
        for index, source in enumerate(sources):
            rows = np.flatnonzero(kept & (message_source[at] == index))
            if rows.size:
                part = events if rows.size == len(events) else events.select(rows)
                out[(model, source)].append(part)
    return {key: AcceptedEvents.concat(events) for key, events in out.items()}
