"""Raw column values into the arrays the statistics work on.

Two encodings are shared by reference profiles and windows:

* **numeric**: a float64 array where ``NaN`` marks a missing value and ``+inf`` (or any
  non-finite number) marks an *invalid* one, i.e. a value of the wrong type such as a
  string or a bool sent for a numeric feature. Finite numbers are the only valid values.
* **categorical**: values are normalised to strings (bools to ``"true"``/``"false"``,
  integral numbers to their integer text), then coded through the vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import Enum
from itertools import repeat
from operator import is_
from typing import Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
ColumnValues: TypeAlias = Sequence[object] | npt.NDArray[np.generic]

OTHER: Final = "__other__"
"""The bucket of categorical values outside the reference vocabulary."""

INVALID_NUMBER: Final = math.inf
"""How a value of the wrong type is marked in a numeric column."""


class _Invalid(Enum):
    TOKEN = "invalid"


INVALID: Final = _Invalid.TOKEN
"""Returned by :func:`category_of` for a value that cannot be a category."""

Category: TypeAlias = str | Literal[_Invalid.TOKEN] | None


def category_of(value: object) -> Category:
    """The string a categorical value is counted under.

    ``None`` and ``NaN`` are missing (``None``); containers and other objects are
    :data:`INVALID`.

    >>> [category_of(v) for v in (True, 3, 3.0, 2.5, "a", None, float("nan"))]
    ['true', '3', '3', '2.5', 'a', None, None]
    >>> category_of([1, 2]) is INVALID
    True
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            return INVALID
        return str(int(number)) if number.is_integer() else repr(number)
    return INVALID


def _as_number(value: object) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return INVALID_NUMBER
    try:
        number = float(value)
    except OverflowError:
        return INVALID_NUMBER
    return number if math.isfinite(number) or math.isnan(number) else INVALID_NUMBER


_PLAIN_NUMBER_TYPES: Final = frozenset({float, int, type(None)})


def numeric_column(values: ColumnValues) -> FloatArray:
    """Encode values as float64: ``NaN`` for missing, ``+inf`` for invalid.

    >>> numeric_column([1, None, 2.5, "x", True, float("inf")]).tolist()
    [1.0, nan, 2.5, inf, inf, inf]
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        column = values.astype(np.float64)
        column[np.isinf(column)] = INVALID_NUMBER
        return column
    items = values if isinstance(values, list | tuple) else list(values)
    kinds = set(map(type, items))
    if kinds <= _PLAIN_NUMBER_TYPES:
        try:  # both convert each number as float() does; only array() reads None as NaN
            if type(None) in kinds:
                column = np.array(items, dtype=np.float64)
            else:
                column = np.fromiter(items, dtype=np.float64, count=len(items))
        except OverflowError:
            pass
        else:
            column[np.isinf(column)] = INVALID_NUMBER
            return column
    return np.fromiter(map(_as_number, items), dtype=np.float64, count=len(items))


def category_codes(values: ColumnValues, lookup: Mapping[str, int]) -> IntArray:
    """Code categorical values through a vocabulary ``lookup`` (category -> index).

    With ``V = len(lookup)``: codes ``0..V-1`` are vocabulary entries, ``V`` is
    ``__other__``, ``V + 1`` missing and ``V + 2`` invalid.

    >>> category_codes(["b", "a", "zz", None, 1, [0]], {"a": 0, "b": 1, "1": 2}).tolist()
    [1, 0, 3, 4, 2, 5]
    """
    other = len(lookup)
    get = lookup.get
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        uniques, inverse = np.unique(values, return_inverse=True)
        codes = np.array([get(str(u), other) for u in uniques], dtype=np.int64)
        return codes[inverse.reshape(-1)]
    items = values.tolist() if isinstance(values, np.ndarray) else values
    count = len(items)
    kinds = set(map(type, items))
    if kinds == {int}:  # integral classes (labels 0/1...): counted under their integer text
        if len(lookup) < count:  # a small vocabulary: looked up by the integers themselves
            by_integer = {int(k): code for k, code in lookup.items() if _integer_text(k)}
            coded = map(by_integer.get, items, repeat(other))
            return np.fromiter(coded, dtype=np.int64, count=count)
        return np.fromiter(map(get, map(str, items), repeat(other)), dtype=np.int64, count=count)
    if kinds <= _TEXT_TYPES:  # text, maybe missing: one dict lookup per value, in C
        codes = np.fromiter(map(get, items, repeat(other)), dtype=np.int64, count=count)
        if type(None) in kinds:
            codes[np.fromiter(map(is_, items, repeat(None)), dtype=np.bool_, count=count)] = (
                other + 1
            )
        return codes
    return np.fromiter(
        (get(v, other) if type(v) is str else _code_of(v, lookup) for v in items),
        dtype=np.int64,
        count=count,
    )


_TEXT_TYPES: Final = frozenset({str, type(None)})


def _integer_text(text: str) -> bool:
    """Whether ``text`` is an integer as ``str`` writes one (the key of that integer)."""
    try:
        return str(int(text)) == text
    except ValueError:
        return False


def _code_of(value: object, lookup: Mapping[str, int]) -> int:
    category = category_of(value)
    other = len(lookup)
    if category is None:
        return other + 1
    if category is INVALID:
        return other + 2
    return lookup.get(category, other)
