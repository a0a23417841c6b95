"""Binning whole batch columns against a frozen reference profile (the ingest hot path).

Numeric columns are float64 arrays (``NaN`` missing, ``+inf`` invalid, see
:mod:`stream_monitor.stats.values`); categorical columns are int64 codes through the
profile's vocabulary. One ``np.searchsorted`` and one ``np.bincount`` per numeric column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

import numpy as np

from schemas import PredictionEvent
from stream_monitor.stats.profile import (
    OUTPUT_NAMES,
    CategoricalProfile,
    NumericProfile,
    ReferenceProfile,
    TargetProfile,
)
from stream_monitor.stats.values import (
    ColumnValues,
    FloatArray,
    IntArray,
    category_codes,
    numeric_column,
)


def bin_numeric(profile: NumericProfile, values: FloatArray) -> IntArray:
    """Counts per fine cell of ``values``, plus a last entry counting missing (``NaN``).

    ``+inf`` falls in the last cell and ``-inf`` in the first; windows count them as
    invalid (see :meth:`NumericWindow.add <stream_monitor.stats.window.NumericWindow.add>`).

    >>> from stream_monitor.stats.build import build_profile
    >>> p = build_profile({"x": [float(i) for i in range(100)]}).features["x"]
    >>> counts = bin_numeric(p, np.array([-5.0, 50.0, np.nan, 1e9]))
    >>> len(counts) == p.n_cells + 1, counts[[0, -2, -1]].tolist()
    (True, [1, 1, 1])
    """
    return np.bincount(np.searchsorted(profile.edges, values), minlength=len(profile.edges) + 1)


def bin_categorical(profile: CategoricalProfile, codes: IntArray) -> IntArray:
    """Counts per vocabulary value, ``__other__``, missing and invalid (in that order).

    >>> p = CategoricalProfile(("a", "b"), np.array([3, 1, 0]), missing=0, invalid=0)
    >>> bin_categorical(p, np.array([0, 0, 2, 3, 4])).tolist()
    [2, 0, 1, 1, 1]
    """
    size = len(profile.vocabulary) + 3
    counts = np.bincount(codes, minlength=size)
    if len(counts) > size:
        raise ValueError(f"categorical codes must be in 0..{size - 1}; got {int(codes.max())}")
    return counts


def encode_column(profile: TargetProfile, values: ColumnValues) -> FloatArray | IntArray:
    """Values of one target as the array its window takes (floats or codes)."""
    if isinstance(profile, NumericProfile):
        return numeric_column(values)
    return category_codes(values, profile.lookup)


@dataclass(frozen=True)
class BatchColumns:
    """Per-target column arrays of one batch: what :meth:`ModelWindows.add` takes.

    Numeric targets hold float64 arrays, categorical targets int64 codes.
    """

    size: int
    features: dict[str, FloatArray | IntArray] = field(default_factory=dict)
    outputs: dict[str, FloatArray | IntArray] = field(default_factory=dict)

    def select(self, rows: IntArray) -> BatchColumns:
        """The batch of the rows at ``rows`` (positions, in the order given).

        Encoding is per value, so encoding a batch and selecting rows equals encoding the
        selected events.
        """
        return BatchColumns(
            size=len(rows),
            features={name: column[rows] for name, column in self.features.items()},
            outputs={name: column[rows] for name, column in self.outputs.items()},
        )


def encode_columns(
    profile: ReferenceProfile,
    features: Mapping[str, ColumnValues],
    outputs: Mapping[str, ColumnValues] | None = None,
) -> BatchColumns:
    """Encode raw columns of the profile's targets; a target with no column is all missing."""
    outputs = outputs or {}
    sizes = {len(v) for v in features.values()} | {len(v) for v in outputs.values()}
    if len(sizes) > 1:
        raise ValueError(f"all columns of a batch must have the same length; got {sorted(sizes)}")
    size = sizes.pop() if sizes else 0
    absent: list[object] = [None] * size
    return BatchColumns(
        size=size,
        features={
            name: encode_column(p, features.get(name, absent))
            for name, p in profile.features.items()
        },
        outputs={
            name: encode_column(p, outputs.get(name, absent)) for name, p in profile.outputs.items()
        },
    )


def columns_from_events(
    profile: ReferenceProfile, events: Sequence[PredictionEvent]
) -> BatchColumns:
    """The profile's targets of a list of events, as column arrays.

    Features the profile does not know are ignored; a known feature absent from an event
    is missing there.
    """
    features = _feature_columns(list(profile.features), [ev.features for ev in events])
    predictions = [ev.prediction for ev in events]
    outputs = {
        name: list(map(attrgetter(name), predictions))
        for name in OUTPUT_NAMES
        if name in profile.outputs
    }
    return encode_columns(profile, features, outputs)


def _feature_columns(
    names: list[str], rows: Sequence[Mapping[str, object]]
) -> dict[str, Sequence[object]]:
    """Feature name -> its value in each row (None where a row lacks it), read in one
    pass over the rows and transposed in C when every row has every name."""
    if len(names) > 1 and rows:
        try:
            values = list(map(itemgetter(*names), rows))
        except KeyError:
            pass
        else:
            return dict(zip(names, zip(*values, strict=True), strict=True))
    return {name: [row.get(name) for row in rows] for name in names}
