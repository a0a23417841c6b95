"""Column-wise checks of the fast decode path: which rows certainly pass the schema.

Each check takes one column (a field's value in every row) and returns a mask of the
rows it cannot vouch for. A clean column costs a few C-level passes; only a column with
a doubtful value is looked at row by row. A row flagged here is not necessarily invalid:
its message is decoded again by the pydantic schema, which decides (and says why).
The checks mirror :class:`schemas.PredictionEvent`; the property test
``tests/property/test_fast_decode.py`` holds the two in step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import is_
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from schemas.events import MAX_STRING_LENGTH
from stream_monitor.stats.values import FloatArray

Mask = npt.NDArray[np.bool_]
_NUMBERS: Final = frozenset({int, float})
PLAIN_NUMBERS: Final = frozenset({int, float, type(None)})
"""Feature values a numeric column takes as they are (None: missing)."""
_FEATURE_TYPES: Final = frozenset({int, float, bool, type(None)})
_LABEL_TYPES: Final = frozenset({int, bool, type(None)})
MAX_SECONDS: Final = 4e9
"""Numeric timestamps the fast path converts itself (Unix seconds, before 2096: below
pydantic's millisecond threshold, and exact in float64 microseconds)."""
_TIE_MARGIN: Final = 0.25
"""Microseconds from a rounding tie below which a timestamp is left to pydantic."""


def rows(column: Sequence[Any], row_ok: Callable[[Any], bool]) -> Mask:
    """Rows whose value ``row_ok`` refuses (the slow, exact look at a doubtful column)."""
    return ~np.fromiter(map(row_ok, column), dtype=np.bool_, count=len(column))


def _clean(count: int) -> Mask:
    return np.zeros(count, dtype=np.bool_)


def of_type(column: Sequence[Any], kind: type) -> Mask:
    """Values not exactly of type ``kind``."""
    if set(map(type, column)) <= {kind}:
        return _clean(len(column))
    return rows(column, lambda v: type(v) is kind)


def _is_short_text(value: Any, low: int = 0, high: int = MAX_STRING_LENGTH) -> bool:
    return type(value) is str and low <= len(value) <= high


def text(column: Sequence[Any], low: int, high: int) -> Mask:
    """Strings of ``low`` to ``high`` characters."""
    if set(map(type, column)) == {str}:
        lengths = np.fromiter(map(len, column), dtype=np.int64, count=len(column))
        if lengths.size == 0 or (lengths.min() >= low and lengths.max() <= high):
            return _clean(len(column))
    return rows(column, lambda v: _is_short_text(v, low, high))


def optional_text(column: Sequence[Any]) -> Mask:
    """None or a string of at most MAX_STRING_LENGTH characters."""
    if set(map(type, column)) == {type(None)}:
        return _clean(len(column))
    return rows(column, lambda v: v is None or _is_short_text(v))


def member(column: Sequence[Any], allowed: frozenset[str]) -> Mask:
    """Strings out of ``allowed``."""
    if set(map(type, column)) == {str} and set(column) <= allowed:
        return _clean(len(column))
    return rows(column, lambda v: type(v) is str and v in allowed)


def _is_number(value: Any, low: float, high: float) -> bool:
    return type(value) in _NUMBERS and low <= value <= high


def number(column: Sequence[Any], low: float, high: float, optional: bool) -> Mask:
    """Numbers (not booleans) in [low, high]; also None when ``optional``."""
    kinds = set(map(type, column))
    if kinds <= _NUMBERS | ({type(None)} if optional else set()):
        values = [v for v in column if v is not None] if type(None) in kinds else column
        if not values or (min(values) >= low and max(values) <= high):
            return _clean(len(column))
    return rows(column, lambda v: (optional and v is None) or _is_number(v, low, high))


def _is_label(value: Any) -> bool:
    return type(value) in _LABEL_TYPES or _is_short_text(value)


def label(column: Sequence[Any]) -> Mask:
    """None, a boolean, an integer or a short string (a class label)."""
    kinds = set(map(type, column))
    if kinds <= _LABEL_TYPES or (kinds == {str} and max(map(len, column)) <= MAX_STRING_LENGTH):
        return _clean(len(column))
    return rows(column, _is_label)


def _is_feature_value(value: Any) -> bool:
    return type(value) in _FEATURE_TYPES or _is_short_text(value)


def feature_value(column: Sequence[Any]) -> Mask:
    """None, a boolean, a number or a short string."""
    kinds = set(map(type, column))
    if kinds <= _FEATURE_TYPES or (kinds == {str} and max(map(len, column)) <= MAX_STRING_LENGTH):
        return _clean(len(column))
    return rows(column, _is_feature_value)


def features_exactly(names: frozenset[str]) -> Callable[[dict[str, Any]], bool]:
    """A row check: the features are exactly ``names``, each with a valid value."""

    def valid(features: dict[str, Any]) -> bool:
        return features.keys() == names and all(map(_is_feature_value, features.values()))

    return valid


def none_mask(column: Sequence[Any]) -> Mask:
    return np.fromiter(map(is_, column, repeat(None)), dtype=np.bool_, count=len(column))


_TIME: Final = TypeAdapter(AwareDatetime)


def _seconds(value: Any) -> float | None:
    """Unix seconds of a timestamp the fast path takes as is, or None (left to pydantic):
    text is read by pydantic's own datetime validator."""
    if type(value) in _NUMBERS:
        return float(value) if 0 <= value < MAX_SECONDS else None
    if type(value) is str:
        try:
            return _TIME.validate_python(value).timestamp()
        except ValidationError:
            return None
    return None


def timestamps(column: Sequence[Any]) -> tuple[FloatArray, Mask]:
    """Unix seconds of the timestamps as pydantic reads them (numbers rounded to the
    microsecond), and the rows left to pydantic: out of range, near a rounding tie."""
    if set(map(type, column)) <= _NUMBERS:
        values = np.array(column, dtype=np.float64)
    else:
        seconds = [_seconds(v) for v in column]
        values = np.array([math.nan if s is None else s for s in seconds], dtype=np.float64)
    micros = values * 1e6
    whole = np.round(micros)
    with np.errstate(invalid="ignore"):
        doubtful = ~((values >= 0) & (values < MAX_SECONDS))
        doubtful |= ~(np.abs(micros - whole) <= _TIE_MARGIN)
    return whole / 1e6 + 0.0, doubtful  # + 0.0: -0.0 reads as 0.0, as in pydantic
