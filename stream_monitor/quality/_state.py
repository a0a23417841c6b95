"""Shared plumbing of the quality states: JSON state reads, Redis hash fields, checks.

Every state here has two encodings:

* ``to_state()``: a JSON-safe dict with ``kind`` and ``version``, read back by
  ``from_state()``; this is what goes into snapshots and tests.
* ``to_fields()``: a flat ``{field: number}`` mapping, the layout of a Redis hash. Merging
  two states adds their fields one by one (``HINCRBY`` for ints, ``HINCRBYFLOAT`` for
  floats), except the few fields a class lists in ``extreme_fields``, which merge by
  ``min`` or ``max``. A field that is absent counts as 0, as in Redis. Configuration
  (bin counts, positive class, ...) is not in the fields: ``from_fields()`` takes it as
  arguments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from stream_monitor.json_fields import JSONValue as JSONValue  # re-exported
from stream_monitor.json_fields import bad_field, field, json_int, json_str

JSONObject: TypeAlias = Mapping[str, object]
FieldValue: TypeAlias = str | bytes | int | float
RawFields: TypeAlias = Mapping[str, FieldValue] | Mapping[bytes, FieldValue]
Fields: TypeAlias = dict[str, int | float]
Extreme: TypeAlias = Literal["min", "max"]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
K = TypeVar("K", int, str)
_OWNER = "state"


# --- JSON state -------------------------------------------------------------------------


def check_header(state: JSONObject, kind: str, version: int) -> None:
    """Raise unless ``state`` is a ``kind`` state of a ``version`` this code reads."""
    found = state.get("kind")
    if found != kind:
        raise ValueError(f"state is of kind {found!r}, expected {kind!r}")
    found_version = state.get("version")
    if found_version != version:
        raise ValueError(
            f"{kind}: state version {found_version!r} is not supported; "
            f"this code reads version {version}"
        )


def get_int(state: JSONObject, key: str, *, minimum: int | None = 0) -> int:
    return json_int(state, key, _OWNER, minimum)


def get_float(state: JSONObject, key: str) -> float:
    value = _field(state, key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(key, "a finite number", value)
    return float(value)


def get_optional_float(state: JSONObject, key: str) -> float | None:
    return None if _field(state, key) is None else get_float(state, key)


def get_str(state: JSONObject, key: str) -> str:
    return json_str(state, key, _OWNER)


def get_str_list(state: JSONObject, key: str) -> list[str]:
    value = _field(state, key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(key, "a list of strings", value)
    return [str(v) for v in value]


def get_counts(state: JSONObject, key: str) -> dict[str, int]:
    """A ``{name: count}`` object with non-negative integer counts."""
    value = _field(state, key)
    if not isinstance(value, dict):
        raise _bad(key, "an object of counts", value)
    counts: dict[str, int] = {}
    for name, count in value.items():
        if not isinstance(name, str) or isinstance(count, bool) or not isinstance(count, int):
            raise _bad(key, "an object of integer counts", value)
        if count < 0:
            raise _bad(key, "an object of counts >= 0", value)
        if count:
            counts[name] = count
    return counts


def get_index_counts(state: JSONObject, key: str) -> dict[int, int]:
    """A sparse ``{"index": count}`` object, as written by :func:`index_counts_json`."""
    counts: dict[int, int] = {}
    for name, count in get_counts(state, key).items():
        try:
            counts[int(name)] = count
        except ValueError:
            raise _bad(key, "an object keyed by integer indices", name) from None
    return counts


def index_counts_json(counts: Mapping[int, int]) -> dict[str, JSONValue]:
    return {str(index): count for index, count in sorted(counts.items()) if count}


def _field(state: JSONObject, key: str) -> object:
    return field(state, key, _OWNER)


def _bad(key: str, expected: str, value: object) -> ValueError:
    return bad_field(_OWNER, key, expected, value)


# --- sparse integer counts --------------------------------------------------------------


def add_counts(a: Mapping[K, int], b: Mapping[K, int]) -> dict[K, int]:
    """Key-wise sum of two sparse count maps (zero counts dropped)."""
    total = dict(a)
    for key, count in b.items():
        total[key] = total.get(key, 0) + count
    return {key: count for key, count in total.items() if count}


def bincount_into(counts: dict[int, int], indices: IntArray) -> None:
    """Add one count per entry of ``indices`` to the sparse map, with one bincount."""
    if indices.size == 0:
        return
    offset = int(indices.min())
    binned = np.bincount(indices - offset)
    for position in np.flatnonzero(binned):
        index = int(position) + offset
        counts[index] = counts.get(index, 0) + int(binned[position])


# --- Redis hash fields ------------------------------------------------------------------


def decode_fields(fields: RawFields) -> dict[str, FieldValue]:
    """Field names as str (redis-py returns bytes unless ``decode_responses``)."""
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in fields.items()}


def field_int(fields: Mapping[str, FieldValue], name: str) -> int:
    value = fields.get(name, 0)
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"field {name!r} must be an integer, got {value!r}") from None


def field_float(fields: Mapping[str, FieldValue], name: str) -> float:
    value = fields.get(name, 0.0)
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"field {name!r} must be a number, got {value!r}") from None


def nonzero(fields: Mapping[str, int | float]) -> Fields:
    """The fields without zero values: a zero increment is no write at all."""
    return {name: value for name, value in fields.items() if value}


def with_prefix(prefix: str, fields: Mapping[str, int | float]) -> Fields:
    return {prefix + name: value for name, value in fields.items()}


def under_prefix(prefix: str, fields: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """The fields whose names start with ``prefix``, with the prefix removed."""
    return {k.removeprefix(prefix): v for k, v in fields.items() if k.startswith(prefix)}


def index_fields(fields: Mapping[str, FieldValue]) -> dict[int, int]:
    """Fields named by an integer index, as a sparse count map (others are ignored)."""
    counts: dict[int, int] = {}
    for name in fields:
        if name.lstrip("-").isdigit():
            count = field_int(fields, name)
            if count:
                counts[int(name)] = count
    return counts


# --- parameter checks -------------------------------------------------------------------


def check_int(owner: str, name: str, value: object, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValueError(
            f"{owner}: {name} must be an integer in [{minimum}, {maximum}], got {value!r}"
        )
    return value


def check_number(owner: str, name: str, value: object, *, low: float, high: float) -> float:
    """A finite number in the open interval (low, high)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{owner}: {name} must be a number in ({low:g}, {high:g}), got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and low < number < high):
        raise ValueError(f"{owner}: {name} must be a number in ({low:g}, {high:g}), got {value!r}")
    return number


def check_same(owner: str, what: str, mine: object, theirs: object) -> None:
    """Raise when two states built with different configuration are merged."""
    if mine != theirs:
        raise ValueError(
            f"{owner}: cannot merge states with different {what}: {mine!r} != {theirs!r}"
        )


def as_float_array(owner: str, name: str, values: object) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{owner}: {name} must be one-dimensional, got shape {array.shape}")
    return array


def as_bool_array(owner: str, name: str, values: object) -> BoolArray:
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and array.dtype != np.bool_):
        raise ValueError(f"{owner}: {name} must be a one-dimensional array of bools")
    return array.astype(np.bool_)


def check_lengths(owner: str, **arrays: npt.NDArray[np.generic]) -> int:
    sizes = {name: array.size for name, array in arrays.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"{owner}: arrays must have the same length, got {sizes}")
    return next(iter(sizes.values()), 0)
