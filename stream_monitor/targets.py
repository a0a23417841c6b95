"""Which hashes one time bucket of a model is kept in, and reading a window back.

Per bucket: ``f:<feature>`` and ``o:<output>`` hold the target windows (see
:mod:`stream_monitor.state.codec`), ``ops`` the operational counters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stream_monitor.label_join import ESTIMATE, LABELS, OUTCOMES, QUALITY
from stream_monitor.model_spec import ModelSpec
from stream_monitor.quality import (
    ConfidenceEstimate,
    LabelCounters,
    LabelWindow,
    OperationalCounters,
)
from stream_monitor.quality.spec import QualityState
from stream_monitor.state import keys
from stream_monitor.state.codec import (
    OUT_OF_RANGE,
    out_of_range_counts,
    prefixed,
    unprefixed,
    window_fields,
    window_from_fields,
)
from stream_monitor.state.store import Store
from stream_monitor.state.updates import FieldValue, merge_field
from stream_monitor.stats.binning import BatchColumns
from stream_monitor.stats.model_windows import ModelWindows
from stream_monitor.stats.values import FloatArray, IntArray

OPS = "ops"
_OPS_EXTREMES = {"first_s": keys.MIN, "last_s": keys.MAX}


def feature_part(name: str) -> str:
    return f"f:{name}"


def output_part(name: str) -> str:
    return f"o:{name}"


@dataclass(frozen=True)
class EventColumns:
    """What the operational counters and the label side take of each event of a batch."""

    times_s: FloatArray
    is_error: npt.NDArray[np.bool_]
    latencies_ms: FloatArray
    """NaN where an event carried no latency."""
    scores: FloatArray
    """NaN where a prediction has no score."""

    def select(self, rows: IntArray) -> EventColumns:
        """The columns of the events at positions ``rows``."""
        return EventColumns(
            self.times_s[rows], self.is_error[rows], self.latencies_ms[rows], self.scores[rows]
        )


def bucket_hashes(
    spec: ModelSpec,
    start: int,
    count: int,
    columns: BatchColumns,
    windows: ModelWindows,
    per_event: EventColumns,
) -> dict[str, dict[str, FieldValue]]:
    """Bucket key -> fields to add, for the ``count`` events of one bucket (``columns``,
    ``windows`` and ``per_event``: theirs)."""
    model = spec.model_id
    hashes: dict[str, dict[str, FieldValue]] = {}
    for group, part, cols in (
        (windows.features, feature_part, columns.features),
        (windows.outputs, output_part, columns.outputs),
    ):
        profiles = spec.profile.features if group is windows.features else spec.profile.outputs
        outside = out_of_range_counts(profiles, {n: cols[n] for n in group})
        for name, window in group.items():
            if fields := window_fields(window, outside[name]):
                hashes[keys.bucket(model, start, part(name))] = fields
    ops = OperationalCounters().add(
        event_times_s=per_event.times_s,
        is_error=per_event.is_error,
        latencies_ms=per_event.latencies_ms,
    )
    hashes[keys.bucket(model, start, OPS)] = prefixed(ops.to_fields(), _OPS_EXTREMES)
    if spec.quality is not None:
        hashes.update(_label_side(spec, start, count, per_event.scores))
    return hashes


def _label_side(
    spec: ModelSpec, start: int, count: int, scores: FloatArray
) -> dict[str, dict[str, FieldValue]]:
    """Predictions awaiting labels (coverage) and the confidence-based quality estimate."""
    labels = LabelWindow()
    labels.add_predictions(count)
    hashes = {keys.bucket(spec.model_id, start, LABELS): prefixed(labels.to_fields())}
    scores = scores[~np.isnan(scores)]
    if scores.size and spec.quality is not None and spec.quality.task == "binary":
        estimate = ConfidenceEstimate(threshold=spec.quality.threshold)
        estimate.add(scores=scores)
        hashes[keys.bucket(spec.model_id, start, ESTIMATE)] = prefixed(estimate.to_fields())
    return hashes


@dataclass(frozen=True)
class QualityRead:
    """The label side of a window: quality of joined labels, coverage, outcomes, estimate."""

    quality: QualityState
    labels: LabelWindow
    outcomes: LabelCounters
    estimate: ConfidenceEstimate | None


@dataclass(frozen=True)
class WindowRead:
    """A model's sliding window read back from the store."""

    windows: ModelWindows
    out_of_range: dict[str, int]
    ops: OperationalCounters
    quality: QualityRead | None = None


def read_window(store: Store, spec: ModelSpec, end: int) -> WindowRead:
    """Merge the buckets of the window ending at ``end`` (one store round trip)."""
    starts = list(spec.windowing.buckets(end))
    parts = [feature_part(n) for n in spec.profile.features]
    parts += [output_part(n) for n in spec.profile.outputs] + [OPS]
    if spec.quality is not None:
        parts += [QUALITY, LABELS, OUTCOMES, ESTIMATE]
    hashes = store.read([keys.bucket(spec.model_id, s, p) for p in parts for s in starts])
    merged = {
        part: _merged(hashes[i * len(starts) : (i + 1) * len(starts)])
        for i, part in enumerate(parts)
    }
    windows = ModelWindows(
        features={
            n: window_from_fields(p, merged[feature_part(n)])
            for n, p in spec.profile.features.items()
        },
        outputs={
            n: window_from_fields(p, merged[output_part(n)])
            for n, p in spec.profile.outputs.items()
        },
    )
    out_of_range = {
        n: int(merged[feature_part(n)].get(OUT_OF_RANGE, 0)) for n in spec.profile.features
    }
    ops = OperationalCounters.from_fields(unprefixed(merged[OPS]))
    return WindowRead(windows, out_of_range, ops, _quality_read(spec, merged))


_ADDED = (keys.INT, keys.FLOAT)
_NUMBERS = frozenset({int, float})


def _merged(hashes: Iterable[Mapping[str, FieldValue]]) -> dict[str, FieldValue]:
    """:func:`~stream_monitor.state.updates.merge_hashes`, with the common case (numbers
    that add) inline: a window merges thousands of fields per evaluation."""
    merged: dict[str, FieldValue] = {}
    for fields in hashes:
        if not merged:
            merged.update(fields)
            continue
        for name, value in fields.items():
            current = merged.get(name)
            if current is None:
                merged[name] = value
            elif type(current) in _NUMBERS and type(value) in _NUMBERS and name.startswith(_ADDED):
                merged[name] = current + value  # type: ignore[operator]
            else:
                merged[name] = merge_field(name, current, value)
    return merged


def _quality_read(spec: ModelSpec, merged: dict[str, dict[str, FieldValue]]) -> QualityRead | None:
    if spec.quality is None:
        return None
    estimate = None
    if merged[ESTIMATE]:
        estimate = ConfidenceEstimate.from_fields(
            unprefixed(merged[ESTIMATE]), threshold=spec.quality.threshold
        )
    return QualityRead(
        quality=spec.quality.state_from_fields(unprefixed(merged[QUALITY])),
        labels=LabelWindow.from_fields(unprefixed(merged[LABELS])),
        outcomes=LabelCounters.from_fields(unprefixed(merged[OUTCOMES])),
        estimate=estimate,
    )
