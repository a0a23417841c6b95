"""A mergeable histogram with fixed log-spaced buckets, for latencies and label delays.

Bucket ``i >= 0`` holds the values in ``[m·γ^i, m·γ^(i+1))`` where ``m`` is
``min_value`` and ``γ = (1 + α) / (1 − α)`` for the relative error ``α``; values in
``[0, m)`` go to one *underflow* bucket. The boundaries depend only on ``(α, m)``, so two
histograms with the same parameters merge by adding integer counts bucket by bucket, and
in Redis each bucket is a hash field incremented with ``HINCRBY``. There is no upper
limit: indices grow with the logarithm of the value (about 115 buckets per decade at
α = 1%), and only non-empty buckets are stored.

A quantile is reported as the bucket's *relative midpoint* ``2·lo·hi / (lo + hi)``, which
is within ``(hi − lo) / (hi + lo) = α`` of any value in the bucket, relatively. The value
being estimated is the inverted-CDF sample quantile (Hyndman and Fan type 1, numpy's
``method="inverted_cdf"``): the order statistic of rank ``max(1, ceil(n·q))``. That order
statistic lies in the bucket :meth:`LogHistogram.quantile` picks, so the bound is rigorous
(up to float rounding of about 1e-16) for values up to :data:`MAX_VALUE` (1e300). In the
underflow bucket the estimate is 0, within ``min_value`` absolutely (a relative bound of 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np

from stream_monitor.quality._state import (
    Fields,
    FieldValue,
    FloatArray,
    IntArray,
    JSONObject,
    JSONValue,
    RawFields,
    add_counts,
    as_float_array,
    bincount_into,
    check_header,
    check_number,
    check_same,
    decode_fields,
    field_int,
    get_float,
    get_index_counts,
    get_int,
    index_counts_json,
    index_fields,
    nonzero,
)

MAX_VALUE = 1e300
"""Larger values are counted as this (no latency or delay comes near it; the clamp keeps
every edge a finite float)."""

UNDERFLOW_FIELD = "u"
"""The Redis hash field of the underflow bucket; other fields are bucket indices."""


@dataclass(frozen=True)
class QuantileEstimate:
    """A quantile read from a histogram.

    The exact inverted-CDF quantile ``x`` lies in ``[lower, upper)`` and
    ``|value − x| <= relative_error · x``.
    """

    value: float
    relative_error: float
    lower: float
    upper: float


class LogHistogram:
    """Counts of non-negative values in fixed log-spaced buckets.

    Parameters
    ----------
    relative_error
        The bound α on the relative error of every quantile, in (0, 0.5).
    min_value
        The smallest value with a relative bound; smaller values (and 0) share the
        underflow bucket. For latencies in milliseconds the default 0.01 ms is fine.

    Examples
    --------
    >>> histogram = LogHistogram().add(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    >>> estimate = histogram.quantile(0.5)
    >>> abs(estimate.value - 3.0) <= 0.01 * 3.0
    True
    """

    kind: ClassVar[str] = "log_histogram"
    version: ClassVar[int] = 1

    def __init__(self, *, relative_error: float = 0.01, min_value: float = 0.01) -> None:
        self._alpha = check_number(
            "LogHistogram", "relative_error", relative_error, low=0, high=0.5
        )
        self._min = check_number("LogHistogram", "min_value", min_value, low=0, high=math.inf)
        self._gamma = (1.0 + self._alpha) / (1.0 - self._alpha)
        self._log_gamma = math.log(self._gamma)
        self._counts: dict[int, int] = {}
        self._underflow = 0

    @property
    def relative_error(self) -> float:
        return self._alpha

    @property
    def min_value(self) -> float:
        return self._min

    @property
    def count(self) -> int:
        """How many values the histogram holds."""
        return self._underflow + sum(self._counts.values())

    @property
    def underflow(self) -> int:
        """How many values fell below ``min_value``."""
        return self._underflow

    @property
    def counts(self) -> dict[int, int]:
        """Non-empty buckets as ``{index: count}`` (a copy)."""
        return dict(self._counts)

    def bucket_bounds(self, index: int) -> tuple[float, float]:
        """``[lower, upper)`` of bucket ``index``."""
        lower, upper = self._edges(np.array([index, index + 1], dtype=np.int64))
        return float(lower), float(upper)

    def add(self, values: object) -> Self:
        """Count a batch of values (finite, >= 0); returns the histogram itself."""
        array = as_float_array("LogHistogram", "values", values)
        if array.size and not (np.isfinite(array).all() and (array >= 0).all()):
            bad = array[~(np.isfinite(array) & (array >= 0))][0]
            raise ValueError(f"LogHistogram: values must be finite and >= 0, got {bad!r}")
        small = array < self._min
        self._underflow += int(small.sum())
        bincount_into(self._counts, self.bucket_index(np.minimum(array[~small], MAX_VALUE)))
        return self

    def bucket_index(self, values: FloatArray) -> IntArray:
        """The bucket index of each value >= ``min_value``, exact against :meth:`bucket_bounds`.

        One log per value gives the index up to float rounding; one comparison with the
        bucket's own edges on each side fixes the rare value within an ulp of an edge.
        """
        logs = np.log(values) - math.log(self._min)
        index = np.floor(logs / self._log_gamma).astype(np.int64)
        index -= (values < self._edges(index)).astype(np.int64)
        index += (values >= self._edges(index + 1)).astype(np.int64)
        return index

    def quantile(self, q: float) -> QuantileEstimate | None:
        """The ``q`` quantile (inverted-CDF definition) with its bound; None when empty."""
        q = _check_quantile(q)
        n = self.count
        if n == 0:
            return None
        rank = max(1, math.ceil(n * q))
        if rank <= self._underflow:
            return QuantileEstimate(value=0.0, relative_error=1.0, lower=0.0, upper=self._min)
        indices = sorted(self._counts)
        cumulative = self._underflow + np.cumsum([self._counts[i] for i in indices])
        index = indices[int(np.searchsorted(cumulative, rank, side="left"))]
        lower, upper = self.bucket_bounds(index)
        midpoint = 2.0 / (1.0 / lower + 1.0 / upper)  # 2·lo·hi / (lo + hi), no overflow
        return QuantileEstimate(midpoint, self._alpha, lower, upper)

    @property
    def p50(self) -> QuantileEstimate | None:
        return self.quantile(0.5)

    @property
    def p95(self) -> QuantileEstimate | None:
        return self.quantile(0.95)

    @property
    def p99(self) -> QuantileEstimate | None:
        return self.quantile(0.99)

    def merge(self, other: LogHistogram) -> LogHistogram:
        """A new histogram holding the values of both (same parameters required)."""
        self._check_compatible(other)
        merged = self._empty_like()
        merged._counts = add_counts(self._counts, other._counts)
        merged._underflow = self._underflow + other._underflow
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "version": self.version,
            "relative_error": self._alpha,
            "min_value": self._min,
            "underflow": self._underflow,
            "counts": index_counts_json(self._counts),
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        histogram = cls(
            relative_error=get_float(state, "relative_error"),
            min_value=get_float(state, "min_value"),
        )
        histogram._underflow = get_int(state, "underflow")
        histogram._counts = get_index_counts(state, "counts")
        return histogram

    def to_fields(self) -> Fields:
        """Redis hash fields: ``"u"`` for the underflow bucket, ``"<index>"`` for the rest."""
        fields: Fields = {str(i): c for i, c in sorted(self._counts.items())}
        return nonzero(fields | {UNDERFLOW_FIELD: self._underflow})

    @classmethod
    def from_fields(
        cls, fields: RawFields, *, relative_error: float = 0.01, min_value: float = 0.01
    ) -> Self:
        return cls.from_decoded_fields(
            decode_fields(fields), relative_error=relative_error, min_value=min_value
        )

    @classmethod
    def from_decoded_fields(
        cls, fields: dict[str, FieldValue], *, relative_error: float, min_value: float
    ) -> Self:
        histogram = cls(relative_error=relative_error, min_value=min_value)
        histogram._underflow = field_int(fields, UNDERFLOW_FIELD)
        histogram._counts = index_fields(fields)
        if histogram._underflow < 0 or any(c < 0 for c in histogram._counts.values()):
            raise ValueError("LogHistogram: bucket counts must be >= 0")
        return histogram

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogHistogram):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"LogHistogram(relative_error={self._alpha!r}, min_value={self._min!r}, "
            f"count={self.count})"
        )

    def _edges(self, index: IntArray) -> FloatArray:
        """Lower edge of each bucket index; the one formula all edges come from."""
        return self._min * np.power(self._gamma, index.astype(np.float64))

    def _empty_like(self) -> LogHistogram:
        return LogHistogram(relative_error=self._alpha, min_value=self._min)

    def _check_compatible(self, other: LogHistogram) -> None:
        check_same("LogHistogram", "relative_error", self._alpha, other._alpha)
        check_same("LogHistogram", "min_value", self._min, other._min)


def _check_quantile(q: object) -> float:
    if isinstance(q, bool) or not isinstance(q, int | float) or not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile q must be a number in [0, 1], got {q!r}")
    return float(q)
