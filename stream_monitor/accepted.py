"""Accepted prediction events of one batch, as columns (the ingest hot path's currency).

Whether an event was validated by the columnar fast path
(:mod:`stream_monitor.fast_decode`) or by its pydantic schema, ingest sees the same
columns: one entry per event, in the order the events arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from schemas import PredictionEvent, Status
from schemas.events import MAX_EVENTS_PER_ENVELOPE
from stream_monitor.stats.values import FloatArray, IntArray

OUTPUT_FIELDS = ("score", "label", "value")
ORDER_STRIDE: Final = MAX_EVENTS_PER_ENVELOPE + 1
"""Order key of an event: message position * ORDER_STRIDE + position in the message."""


def arrival(positions: IntArray, sizes: IntArray) -> tuple[IntArray, IntArray]:
    """The message position and the order key of each event of the messages at
    ``positions``, which hold ``sizes`` events each."""
    at = np.repeat(positions, sizes)
    first = np.cumsum(sizes) - sizes
    inner = np.arange(len(at), dtype=np.int64) - np.repeat(first, sizes)
    return at, at * ORDER_STRIDE + inner


Column = Sequence[Any] | FloatArray
"""Raw values, or a numeric feature already read as float64 (NaN: null)."""


def _pick(column: Column, rows: IntArray) -> Column:
    """The entries of a column at ``rows``."""
    if isinstance(column, np.ndarray):
        return column[rows]
    if len(rows) == 0:
        return []
    if len(rows) == 1:
        return [column[int(rows[0])]]
    return list(itemgetter(*rows.tolist())(column))


@dataclass(frozen=True)
class AcceptedEvents:
    """Columns of accepted events: ``order`` sorts them into arrival order (message
    position, then position inside an envelope); ``features`` holds each expected
    feature's raw values, ``outputs`` the prediction's ``score``, ``label`` and ``value``
    (None where absent); ``latencies_ms`` holds None where an event has none."""

    order: IntArray
    offsets: IntArray
    times_s: FloatArray
    event_ids: list[str]
    versions: list[str]
    features: dict[str, Column]
    outputs: dict[str, Column]
    latencies_ms: Column
    is_error: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.event_ids)

    def select(self, rows: IntArray) -> AcceptedEvents:
        """The events at positions ``rows``, in the order given."""
        return AcceptedEvents(
            order=self.order[rows],
            offsets=self.offsets[rows],
            times_s=self.times_s[rows],
            event_ids=list(_pick(self.event_ids, rows)),
            versions=list(_pick(self.versions, rows)),
            features={n: _pick(c, rows) for n, c in self.features.items()},
            outputs={n: _pick(c, rows) for n, c in self.outputs.items()},
            latencies_ms=_pick(self.latencies_ms, rows),
            is_error=self.is_error[rows],
        )

    def after(self, watermark: int) -> AcceptedEvents:
        """The events with an offset above ``watermark``."""
        return self.select(np.flatnonzero(self.offsets > watermark))

    @classmethod
    def of_events(
        cls, names: Sequence[str], rows: Sequence[tuple[int, int, PredictionEvent]]
    ) -> AcceptedEvents:
        """Columns of validated events given as (order, offset, event); ``names``: the
        features to keep (each event holds exactly these)."""
        events = [e for _, _, e in rows]
        predictions = [e.prediction for e in events]
        get_features = itemgetter(*names) if names else (lambda _: ())
        values = [get_features(e.features) for e in events]
        columns = list(zip(*values, strict=True)) if len(names) > 1 else None
        return cls(
            order=np.array([o for o, _, _ in rows], dtype=np.int64),
            offsets=np.array([o for _, o, _ in rows], dtype=np.int64),
            times_s=np.array([e.timestamp.timestamp() for e in events], dtype=np.float64),
            event_ids=[e.event_id for e in events],
            versions=[e.model_version for e in events],
            features={
                n: list(columns[i]) if columns is not None else list(values)
                for i, n in enumerate(names)
            },
            outputs={f: list(map(attrgetter(f), predictions)) for f in OUTPUT_FIELDS},
            latencies_ms=[e.latency_ms for e in events],
            is_error=np.array([e.status is Status.ERROR for e in events], dtype=np.bool_),
        )

    @classmethod
    def concat(cls, parts: Sequence[AcceptedEvents]) -> AcceptedEvents:
        """All events of ``parts``, in arrival order."""
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        joined = cls(
            order=np.concatenate([p.order for p in parts]),
            offsets=np.concatenate([p.offsets for p in parts]),
            times_s=np.concatenate([p.times_s for p in parts]),
            event_ids=list(chain.from_iterable(p.event_ids for p in parts)),
            versions=list(chain.from_iterable(p.versions for p in parts)),
            features={n: _joined([p.features[n] for p in parts]) for n in first.features},
            outputs={n: _joined([p.outputs[n] for p in parts]) for n in first.outputs},
            latencies_ms=_joined([p.latencies_ms for p in parts]),
            is_error=np.concatenate([p.is_error for p in parts]),
        )
        if (np.diff(joined.order) >= 0).all():  # parts in arrival order already
            return joined
        return joined.select(np.argsort(joined.order, kind="stable"))


def _joined(columns: Sequence[Column]) -> Column:
    """One column of the parts' columns (float64 when all are; NaN reads as null)."""
    if all(isinstance(c, np.ndarray) for c in columns):
        return np.concatenate(columns)
    return list(
        chain.from_iterable(c.tolist() if isinstance(c, np.ndarray) else c for c in columns)
    )
