"""Mergeable error sums of a regressor: MAE, RMSE and MAPE.

* ``mae = Σ|y − ŷ| / n``, ``rmse = sqrt(Σ(y − ŷ)² / n)``;
* ``mape = Σ|y − ŷ| / |y| / n_nonzero`` over the events whose truth ``y`` is not 0, as a
  fraction (0.05 = 5%), like sklearn's ``mean_absolute_percentage_error`` but skipping zero
  truths instead of dividing by machine epsilon; the skipped events are counted as
  ``zero_truths`` (with the rare truth so close to 0 that ``|y − ŷ| / |y|`` overflows).

The counts are integers; the three sums are floats (``HINCRBYFLOAT`` in Redis), so a
merge equals the union up to float rounding of the sums (relative 1e-15 per addition).
"""

from __future__ import annotations

import math
from typing import ClassVar, Self

import numpy as np

from stream_monitor.quality._state import (
    Fields,
    JSONObject,
    JSONValue,
    RawFields,
    as_float_array,
    check_header,
    check_lengths,
    decode_fields,
    field_float,
    field_int,
    get_float,
    get_int,
    nonzero,
)

_INTS = ("count", "zero_truths")
_FLOATS = ("abs_error_sum", "squared_error_sum", "abs_pct_error_sum")


class RegressionErrors:
    """Error sums of labelled regression predictions.

    Examples
    --------
    >>> errors = RegressionErrors().add(actual=[1.0, 2.0, 0.0], predicted=[1.5, 2.0, 1.0])
    >>> errors.mae, errors.zero_truths, errors.mape
    (0.5, 1, 0.25)
    """

    kind: ClassVar[str] = "regression_errors"
    version: ClassVar[int] = 1

    def __init__(self) -> None:
        self.count = 0
        self.zero_truths = 0
        self.abs_error_sum = 0.0
        self.squared_error_sum = 0.0
        self.abs_pct_error_sum = 0.0

    def add(self, *, actual: object, predicted: object) -> Self:
        """Count a batch of (true value, predicted value) pairs, all finite.

        Raises ``ValueError`` (and counts nothing) when an error sum would overflow.
        """
        truth = as_float_array("RegressionErrors", "actual", actual)
        guess = as_float_array("RegressionErrors", "predicted", predicted)
        check_lengths("RegressionErrors", actual=truth, predicted=guess)
        if not (np.isfinite(truth).all() and np.isfinite(guess).all()):
            raise ValueError("RegressionErrors: actual and predicted values must be finite")
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            error = np.abs(truth - guess)
            percentage = error / np.abs(truth)
            usable = np.isfinite(percentage)
            sums = (
                self.abs_error_sum + float(error.sum()),
                self.squared_error_sum + float(np.square(error).sum()),
                self.abs_pct_error_sum + float(percentage[usable].sum()),
            )
        if not all(map(math.isfinite, sums)):
            raise ValueError("RegressionErrors: errors too large to sum as floats")
        self.abs_error_sum, self.squared_error_sum, self.abs_pct_error_sum = sums
        self.count += int(truth.size)
        self.zero_truths += int((~usable).sum())
        return self

    @property
    def mae(self) -> float | None:
        return self.abs_error_sum / self.count if self.count else None

    @property
    def rmse(self) -> float | None:
        return math.sqrt(self.squared_error_sum / self.count) if self.count else None

    @property
    def mape(self) -> float | None:
        """Mean absolute percentage error as a fraction; None when every truth was 0."""
        nonzero = self.count - self.zero_truths
        return self.abs_pct_error_sum / nonzero if nonzero else None

    def merge(self, other: RegressionErrors) -> RegressionErrors:
        merged = RegressionErrors()
        for name in (*_INTS, *_FLOATS):
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        state: dict[str, JSONValue] = {"kind": self.kind, "version": self.version}
        return state | {name: getattr(self, name) for name in (*_INTS, *_FLOATS)}

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        errors = cls()
        for name in _INTS:
            setattr(errors, name, get_int(state, name))
        for name in _FLOATS:
            setattr(errors, name, get_float(state, name))
        errors._check_consistent()
        return errors

    def to_fields(self) -> Fields:
        """Redis hash fields: ``count`` and ``zero_truths`` (ints), the three float sums."""
        return nonzero({name: getattr(self, name) for name in (*_INTS, *_FLOATS)})

    @classmethod
    def from_fields(cls, fields: RawFields) -> Self:
        decoded = decode_fields(fields)
        errors = cls()
        for name in _INTS:
            setattr(errors, name, field_int(decoded, name))
        for name in _FLOATS:
            setattr(errors, name, field_float(decoded, name))
        errors._check_consistent()
        return errors

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RegressionErrors):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RegressionErrors(count={self.count}, mae={self.mae!r})"

    def _check_consistent(self) -> None:
        if not 0 <= self.zero_truths <= self.count:
            raise ValueError(
                "RegressionErrors: need 0 <= zero_truths <= count, "
                f"got {self.zero_truths} and {self.count}"
            )
        if min(getattr(self, name) for name in _FLOATS) < 0:
            raise ValueError("RegressionErrors: error sums must be >= 0")
