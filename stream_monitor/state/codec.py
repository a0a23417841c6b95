"""Windows <-> the flat, mergeable hash fields kept per (model, target, time bucket).

Numeric target: ``v:c`` (the fine-cell counts, one msgpack vector), ``i:miss``,
``i:inv``, ``i:oor`` (outside the reference's [min, max]), ``f:sum``, ``f:sq``, ``lo:min``,
``hi:max``. Categorical target: ``v:c`` (counts per code), ``i:miss``, ``i:inv``. Buckets
written before the vector field hold ``i:c:<cell>`` per non-zero cell; both are read.
Pure: no Redis here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from stream_monitor.state.updates import FieldValue, decode_vector, encode_vector
from stream_monitor.stats.profile import NumericProfile, TargetProfile
from stream_monitor.stats.values import IntArray
from stream_monitor.stats.window import CategoricalWindow, NumericWindow, TargetWindow

COUNTS = "v:c"
COUNT = "i:c:"
"""One cell's count (the layout before :data:`COUNTS`; still read)."""
MISSING = "i:miss"
INVALID = "i:inv"
OUT_OF_RANGE = "i:oor"


def _counts_to_fields(counts: IntArray) -> dict[str, FieldValue]:
    if not counts.any():
        return {}
    return {COUNTS: encode_vector(counts.astype(np.int64).tolist())}


def _add_counts(counts: IntArray, vector: FieldValue) -> None:
    """Add a ``v:c`` vector to ``counts`` (cells beyond ``counts`` are ignored)."""
    values = np.array(decode_vector(vector), dtype=np.int64)[: len(counts)]
    counts[: len(values)] += values


def window_fields(window: TargetWindow, out_of_range: int = 0) -> dict[str, FieldValue]:
    """The fields that add ``window`` to a bucket hash (zero parts left out)."""
    fields = _counts_to_fields(window.counts)
    for name, value in ((MISSING, window.missing), (INVALID, window.invalid)):
        if value:
            fields[name] = value
    if isinstance(window, NumericWindow) and window.count:
        fields.update({"f:sum": window.total, "f:sq": window.sum_squares})
        fields.update({"lo:min": window.min, "hi:max": window.max})
        if out_of_range:
            fields[OUT_OF_RANGE] = out_of_range
    return fields


def out_of_range_counts(
    profiles: Mapping[str, TargetProfile], columns: Mapping[str, np.ndarray[Any, Any]]
) -> dict[str, int]:
    """Each column's finite values outside its reference's [min, max] (0 for a
    categorical target), in a few numpy calls over all the numeric columns at once."""
    counts = dict.fromkeys(columns, 0)
    numeric = {
        name: profile
        for name, column in columns.items()
        if isinstance(profile := profiles[name], NumericProfile) and column.dtype.kind == "f"
    }
    if numeric:
        matrix = np.vstack([columns[n] for n in numeric])
        lows = np.array([p.min for p in numeric.values()], dtype=np.float64)[:, np.newaxis]
        highs = np.array([p.max for p in numeric.values()], dtype=np.float64)[:, np.newaxis]
        outside = np.isfinite(matrix) & ((matrix < lows) | (matrix > highs))
        counts.update(zip(numeric, np.count_nonzero(outside, axis=1).tolist(), strict=True))
    return counts


def window_from_fields(profile: TargetProfile, fields: Mapping[str, FieldValue]) -> TargetWindow:
    """The window a bucket hash (or the sum of several) describes."""
    size = profile.n_cells if isinstance(profile, NumericProfile) else len(profile.vocabulary) + 1
    counts = np.zeros(size, dtype=np.int64)
    if (vector := fields.get(COUNTS)) is not None:
        _add_counts(counts, vector)
    for name, value in fields.items():
        if name.startswith(COUNT):
            index = int(name[len(COUNT) :])
            if 0 <= index < size:
                counts[index] += int(value)
    missing, invalid = int(fields.get(MISSING, 0)), int(fields.get(INVALID, 0))
    if not isinstance(profile, NumericProfile):
        return CategoricalWindow(counts, missing, invalid)
    return NumericWindow(
        counts,
        missing,
        invalid,
        total=float(fields.get("f:sum", 0.0)),
        sum_squares=float(fields.get("f:sq", 0.0)),
        min=float(fields.get("lo:min", math.inf)),
        max=float(fields.get("hi:max", -math.inf)),
    )


def prefixed(
    fields: Mapping[str, FieldValue], extremes: Mapping[str, str] | None = None
) -> dict[str, FieldValue]:
    """Plain state fields with the merge prefix each needs: ints add, floats add, and the
    names in ``extremes`` merge by the prefix given (``lo:`` or ``hi:``)."""
    extremes = extremes or {}
    out: dict[str, FieldValue] = {}
    for name, value in fields.items():
        if name in extremes:
            out[extremes[name] + name] = value
        else:
            out[("i:" if isinstance(value, int) else "f:") + name] = value
    return out


def unprefixed(fields: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """The inverse of :func:`prefixed`."""
    return {name.split(":", 1)[1]: value for name, value in fields.items()}
