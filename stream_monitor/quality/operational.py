"""Per-window operational counters: events, errors, event-time span and latency histogram.

Times are Unix seconds (event time, passed in: nothing here reads a clock). ``events``,
``errors`` and the latency buckets add when merged; ``first_event_s`` and
``last_event_s`` merge by ``min`` and ``max`` (in Redis: a small Lua ``min``/``max``, or
skip them, the metrics do not need them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Self

import numpy as np

from schemas.events import PredictionEvent, Status
from stream_monitor.quality._state import (
    Extreme,
    Fields,
    JSONObject,
    JSONValue,
    RawFields,
    as_bool_array,
    as_float_array,
    check_header,
    check_lengths,
    decode_fields,
    field_float,
    field_int,
    get_int,
    get_optional_float,
    nonzero,
    under_prefix,
    with_prefix,
)
from stream_monitor.quality.latency import LogHistogram

LATENCY_PREFIX = "lat:"


class OperationalCounters:
    """What the operational metrics of one window are computed from.

    Parameters
    ----------
    latency_relative_error, latency_min_ms
        The latency histogram's parameters (see :class:`LogHistogram`).

    Examples
    --------
    >>> counters = OperationalCounters().add(
    ...     event_times_s=np.array([10.0, 11.0, 12.5]),
    ...     is_error=np.array([False, True, False]),
    ...     latencies_ms=np.array([5.0, np.nan, 7.0]),
    ... )
    >>> counters.events, counters.errors, counters.latency.count
    (3, 1, 2)
    """

    kind: ClassVar[str] = "operational_counters"
    version: ClassVar[int] = 1
    extreme_fields: ClassVar[dict[str, Extreme]] = {"first_s": "min", "last_s": "max"}

    def __init__(
        self, *, latency_relative_error: float = 0.01, latency_min_ms: float = 0.01
    ) -> None:
        self.events = 0
        self.errors = 0
        self.first_event_s: float | None = None
        self.last_event_s: float | None = None
        self.latency = LogHistogram(relative_error=latency_relative_error, min_value=latency_min_ms)

    def add(self, *, event_times_s: object, is_error: object, latencies_ms: object) -> Self:
        """Count a batch of events; a NaN latency means the event carried none."""
        times = as_float_array("OperationalCounters", "event_times_s", event_times_s)
        errors = as_bool_array("OperationalCounters", "is_error", is_error)
        latencies = as_float_array("OperationalCounters", "latencies_ms", latencies_ms)
        check_lengths("OperationalCounters", times=times, errors=errors, latencies=latencies)
        if times.size == 0:
            return self
        if not np.isfinite(times).all():
            raise ValueError("OperationalCounters: event_times_s must be finite Unix seconds")
        self.latency.add(latencies[~np.isnan(latencies)])
        self.events += int(times.size)
        self.errors += int(errors.sum())
        self.first_event_s = _extreme(min, self.first_event_s, float(times.min()))
        self.last_event_s = _extreme(max, self.last_event_s, float(times.max()))
        return self

    def add_events(self, events: Sequence[PredictionEvent]) -> Self:
        """Count validated prediction events (the edge's convenience over :meth:`add`)."""
        count = len(events)
        return self.add(
            event_times_s=np.fromiter(
                (e.timestamp.timestamp() for e in events), dtype=np.float64, count=count
            ),
            is_error=np.fromiter(
                (e.status is Status.ERROR for e in events), dtype=np.bool_, count=count
            ),
            latencies_ms=np.array([e.latency_ms for e in events], dtype=np.float64),  # None: NaN
        )

    def throughput(self, window_seconds: float) -> float:
        """Events per second over a window of ``window_seconds`` (> 0)."""
        if isinstance(window_seconds, bool) or not window_seconds > 0:
            raise ValueError(f"window_seconds must be a number > 0, got {window_seconds!r}")
        return self.events / float(window_seconds)

    @property
    def error_rate(self) -> float | None:
        """Share of events with status error; None for an empty window."""
        return self.errors / self.events if self.events else None

    def merge(self, other: OperationalCounters) -> OperationalCounters:
        merged = OperationalCounters()
        merged.latency = self.latency.merge(other.latency)
        merged.events = self.events + other.events
        merged.errors = self.errors + other.errors
        merged.first_event_s = _extreme(min, self.first_event_s, other.first_event_s)
        merged.last_event_s = _extreme(max, self.last_event_s, other.last_event_s)
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "version": self.version,
            "events": self.events,
            "errors": self.errors,
            "first_event_s": self.first_event_s,
            "last_event_s": self.last_event_s,
            "latency": self.latency.to_state(),
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        latency_state = state.get("latency")
        if not isinstance(latency_state, dict):
            raise ValueError("state: field 'latency' must be a log_histogram state")
        latency = LogHistogram.from_state(latency_state)
        counters = cls()
        counters.latency = latency
        counters.events = get_int(state, "events")
        counters.errors = get_int(state, "errors")
        counters.first_event_s = get_optional_float(state, "first_event_s")
        counters.last_event_s = get_optional_float(state, "last_event_s")
        counters._check_consistent()
        return counters

    def to_fields(self) -> Fields:
        fields = nonzero({"events": self.events, "errors": self.errors})
        if self.first_event_s is not None and self.last_event_s is not None:
            fields |= {"first_s": self.first_event_s, "last_s": self.last_event_s}
        return fields | with_prefix(LATENCY_PREFIX, self.latency.to_fields())

    @classmethod
    def from_fields(
        cls,
        fields: RawFields,
        *,
        latency_relative_error: float = 0.01,
        latency_min_ms: float = 0.01,
    ) -> Self:
        decoded = decode_fields(fields)
        counters = cls()
        counters.latency = LogHistogram.from_decoded_fields(
            under_prefix(LATENCY_PREFIX, decoded),
            relative_error=latency_relative_error,
            min_value=latency_min_ms,
        )
        counters.events = field_int(decoded, "events")
        counters.errors = field_int(decoded, "errors")
        if "first_s" in decoded and "last_s" in decoded:
            counters.first_event_s = field_float(decoded, "first_s")
            counters.last_event_s = field_float(decoded, "last_s")
        counters._check_consistent()
        return counters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OperationalCounters):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OperationalCounters(events={self.events}, errors={self.errors})"

    def _check_consistent(self) -> None:
        if not 0 <= self.errors <= self.events:
            raise ValueError(
                f"OperationalCounters: need 0 <= errors <= events, got {self.errors}, {self.events}"
            )


def _extreme(
    pick: Callable[[float, float], float], a: float | None, b: float | None
) -> float | None:
    if a is None or b is None:
        return b if a is None else a
    return float(pick(a, b))
