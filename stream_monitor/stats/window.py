"""Window state: mergeable counts of one target (or all targets of a model) over a window.

A window is the sum of the batches binned into it: ``merge`` is associative and gives the
window of the union, exactly for the integer parts (counts, missing, invalid) and up to
float rounding for the sums. State is a JSON-safe dict with a ``version`` key.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import numpy as np

from stream_monitor.stats.jsonread import JsonReader
from stream_monitor.stats.profile import CategoricalProfile, FeatureKind, NumericProfile
from stream_monitor.stats.values import FloatArray, IntArray

WINDOW_STATE_VERSION: Final = 1


@dataclass(eq=False)
class NumericWindow:
    """Fine-cell counts and moments of one numeric target; raw values while few.

    ``raw`` keeps the valid values while there are at most ``raw_limit`` of them (for
    exact KS and Wasserstein), and is ``None`` once the window outgrew the limit.
    """

    counts: IntArray
    missing: int = 0
    invalid: int = 0
    total: float = 0.0
    sum_squares: float = 0.0
    min: float = math.inf
    max: float = -math.inf
    raw: FloatArray | None = None
    raw_limit: int = 0

    @classmethod
    def empty(cls, profile: NumericProfile, raw_limit: int = 0) -> NumericWindow:
        raw = np.empty(0, dtype=np.float64) if raw_limit > 0 else None
        return cls(np.zeros(profile.n_cells, dtype=np.int64), raw=raw, raw_limit=raw_limit)

    @property
    def kind(self) -> FeatureKind:
        return FeatureKind.NUMERIC

    @property
    def count(self) -> int:
        """Number of valid (finite) values."""
        return int(self.counts.sum())

    @property
    def mean(self) -> float | None:
        count = self.count
        return self.total / count if count else None

    def add(self, profile: NumericProfile, values: FloatArray) -> NumericWindow:
        """Add a batch column (``NaN`` missing, ``±inf`` invalid) in place; returns self."""
        add_numeric_columns([(self, profile, np.asarray(values, dtype=np.float64))])
        return self

    def _add_binned(
        self, binned: IntArray, moments: _Moments, row: int, values: FloatArray
    ) -> None:
        self.counts += binned[:-1]
        self.missing += int(binned[-1])
        above, below = moments.above[row], moments.below[row]
        if above or below:  # ±inf were binned into the outer cells: they are invalid
            self.counts[-1] -= above
            self.counts[0] -= below
            self.invalid += above + below
        self.total += moments.totals[row]
        self.sum_squares += moments.squares[row]
        self.min = min(self.min, moments.lows[row])
        self.max = max(self.max, moments.highs[row])
        if self.raw is not None:
            valid = values[np.isfinite(values)]
            fits = self.raw.size + valid.size <= self.raw_limit
            self.raw = np.concatenate([self.raw, valid]) if fits else None

    def merge(self, other: NumericWindow) -> NumericWindow:
        """The window of the union of both (a new object)."""
        _check_cells(self.counts, other.counts)
        raw_limit = min(self.raw_limit, other.raw_limit)
        raw = None
        if self.raw is not None and other.raw is not None:
            union = np.concatenate([self.raw, other.raw])
            raw = union if union.size <= raw_limit else None
        return NumericWindow(
            counts=self.counts + other.counts,
            missing=self.missing + other.missing,
            invalid=self.invalid + other.invalid,
            total=self.total + other.total,
            sum_squares=self.sum_squares + other.sum_squares,
            min=min(self.min, other.min),
            max=max(self.max, other.max),
            raw=raw,
            raw_limit=raw_limit,
        )

    @classmethod
    def from_state(cls, state: Any) -> NumericWindow:
        """Inverse of :meth:`to_state`; raises ValueError naming what is wrong."""
        r = _state_reader(state, FeatureKind.NUMERIC)
        raw = None if r.value("raw") is None else r.array("raw", np.float64)
        low, high = r.optional_number("min"), r.optional_number("max")
        return cls(
            counts=r.counts("counts"),
            missing=r.count("missing"),
            invalid=r.count("invalid"),
            total=r.number("sum"),
            sum_squares=r.number("sum_squares"),
            min=math.inf if low is None else low,
            max=-math.inf if high is None else high,
            raw=raw,
            raw_limit=r.count("raw_limit"),
        )

    def to_state(self) -> dict[str, Any]:
        count = self.count
        return {
            "version": WINDOW_STATE_VERSION,
            "kind": FeatureKind.NUMERIC.value,
            "counts": self.counts.tolist(),
            "missing": self.missing,
            "invalid": self.invalid,
            "sum": self.total,
            "sum_squares": self.sum_squares,
            "min": self.min if count else None,
            "max": self.max if count else None,
            "raw": None if self.raw is None else self.raw.tolist(),
            "raw_limit": self.raw_limit,
        }


@dataclass(eq=False)
class CategoricalWindow:
    """Counts per vocabulary value (and a last one for ``__other__``) of one target."""

    counts: IntArray
    missing: int = 0
    invalid: int = 0

    @classmethod
    def empty(cls, profile: CategoricalProfile) -> CategoricalWindow:
        return cls(np.zeros(len(profile.vocabulary) + 1, dtype=np.int64))

    @property
    def kind(self) -> FeatureKind:
        return FeatureKind.CATEGORICAL

    @property
    def count(self) -> int:
        """Number of valid, non-missing values."""
        return int(self.counts.sum())

    def add(self, profile: CategoricalProfile, codes: IntArray) -> CategoricalWindow:
        """Add a batch of codes (see :func:`~stream_monitor.stats.values.category_codes`)."""
        size = len(self.counts)
        binned = np.bincount(codes, minlength=size + 2)
        if len(binned) > size + 2:
            raise ValueError(f"categorical codes must be in 0..{size + 1}; got {int(codes.max())}")
        self.counts += binned[:size]
        self.missing += int(binned[size])
        self.invalid += int(binned[size + 1])
        return self

    def merge(self, other: CategoricalWindow) -> CategoricalWindow:
        _check_cells(self.counts, other.counts)
        return CategoricalWindow(
            self.counts + other.counts, self.missing + other.missing, self.invalid + other.invalid
        )

    @classmethod
    def from_state(cls, state: Any) -> CategoricalWindow:
        """Inverse of :meth:`to_state`; raises ValueError naming what is wrong."""
        r = _state_reader(state, FeatureKind.CATEGORICAL)
        return cls(r.counts("counts"), r.count("missing"), r.count("invalid"))

    def to_state(self) -> dict[str, Any]:
        return {
            "version": WINDOW_STATE_VERSION,
            "kind": FeatureKind.CATEGORICAL.value,
            "counts": self.counts.tolist(),
            "missing": self.missing,
            "invalid": self.invalid,
        }


TargetWindow: TypeAlias = NumericWindow | CategoricalWindow

_STACK_LIMIT: Final = 4096
"""Columns longer than this are reduced one by one rather than stacked into a copy."""

NumericColumn: TypeAlias = tuple[NumericWindow, NumericProfile, FloatArray]


@dataclass(frozen=True)
class _Moments:
    """Per-row sums, sums of squares, min, max and ±inf counts of the valid values."""

    totals: list[float]
    squares: list[float]
    lows: list[float]
    highs: list[float]
    above: list[int]
    below: list[int]


def _moments(matrix: FloatArray) -> _Moments:
    """The moments of each row; sums of huge finite values overflow to inf quietly (a
    warning there would only be noise, or an error where warnings are errors)."""
    with np.errstate(over="ignore"):
        return _row_moments(matrix)


def _row_moments(matrix: FloatArray) -> _Moments:
    totals = np.add.reduce(matrix, axis=1)
    zeros = [0] * len(matrix)
    if np.isfinite(totals).all():
        clean, above, below = matrix, zeros, zeros
        lows = np.minimum.reduce(matrix, axis=1, initial=np.inf)
        highs = np.maximum.reduce(matrix, axis=1, initial=-np.inf)
    else:  # some NaN (missing) or ±inf (invalid): leave them out
        infinite = np.isinf(matrix)
        above, below = zeros, zeros
        if infinite.any():
            above = (infinite & (matrix > 0)).sum(axis=1).tolist()
            below = (infinite & (matrix < 0)).sum(axis=1).tolist()
            matrix = np.where(infinite, np.nan, matrix)
        clean = matrix.copy()
        clean[np.isnan(matrix)] = 0.0
        totals = np.add.reduce(clean, axis=1)
        lows = np.fmin.reduce(matrix, axis=1, initial=np.inf)  # fmin and fmax skip NaN
        highs = np.fmax.reduce(matrix, axis=1, initial=-np.inf)
    return _Moments(
        totals=totals.tolist(),
        # einsum, not a BLAS dot: BLAS worker threads keep spinning after a large dot
        # and slow the next searchsorted several-fold.
        squares=np.einsum("ij,ij->i", clean, clean).tolist(),
        lows=lows.tolist(),
        highs=highs.tolist(),
        above=above,
        below=below,
    )


def add_numeric_columns(columns: Sequence[NumericColumn]) -> None:
    """The hot path: add one batch's numeric columns (of one length) to their windows.

    The columns are sorted with one numpy call, then each column's cell counts are read
    off its sorted values (:func:`cell_counts`); the moments of all columns are taken
    with one numpy call each, as on small batches numpy's per-call overhead, not the
    arithmetic, is what costs.
    """
    if len(columns) > 1 and columns[0][2].size > _STACK_LIMIT:
        for column in columns:
            add_numeric_columns([column])
        return
    if not columns:
        return
    if len(columns) == 1:
        matrix = columns[0][2][np.newaxis]
    else:
        matrix = np.vstack([values for _, _, values in columns])
    moments = _moments(matrix)
    ordered = np.sort(matrix, axis=1)
    for row, (window, profile, values) in enumerate(columns):
        edges = profile.edges
        if window.counts.size != edges.size:
            _check_cells(window.counts, profile.counts)
        window._add_binned(cell_counts(edges, ordered[row]), moments, row, values)


def cell_counts(edges: FloatArray, ordered: FloatArray) -> IntArray:
    """``np.bincount(edges.searchsorted(values), minlength=edges.size + 1)`` of values
    given sorted (``ordered``; NaN last, as numpy sorts): a value's cell is the number of
    edges below it, so a cell counts the values above the edge before it, up to its own
    edge. One search of the edges in the values, instead of one of each value in the
    edges: several times faster.

    >>> edges, values = np.array([0.0, 1.0, np.inf]), np.array([2.0, -1.0, np.nan, 0.0, 1.0])
    >>> cell_counts(edges, np.sort(values)).tolist()
    [2, 1, 1, 1]
    >>> np.bincount(edges.searchsorted(values), minlength=edges.size + 1).tolist()
    [2, 1, 1, 1]
    """
    bounds = np.empty(edges.size + 2, dtype=np.intp)  # 0, values at or below each edge, all
    bounds[0], bounds[-1] = 0, ordered.size
    bounds[1:-1] = ordered.searchsorted(edges, side="right")
    return np.diff(bounds)


def _check_cells(a: IntArray, b: IntArray) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"cannot combine {len(a)} and {len(b)} cells: windows and profile must come "
            "from the same reference profile"
        )


def window_from_state(state: Any) -> TargetWindow:
    """A numeric or categorical window from its state, by the state's ``kind``."""
    kind = state.get("kind") if isinstance(state, dict) else None
    if kind == FeatureKind.CATEGORICAL:
        return CategoricalWindow.from_state(state)
    return NumericWindow.from_state(state)


def _state_reader(state: Any, kind: FeatureKind) -> JsonReader:
    r = JsonReader(state, "window state")
    r.check_version(WINDOW_STATE_VERSION)
    if r.value("kind") != kind:
        allowed = [k.value for k in FeatureKind]
        raise ValueError(
            f"window state has kind {r.value('kind')!r}; expected {kind.value!r} (kinds: {allowed})"
        )
    return r
