"""JSON-safe values, and typed reads from a detector state that came back from JSON.

A state holds only dicts, lists, str, int, float, bool and None. Non-finite floats (a
detector starts some minimum at +inf) are written as the strings ``"inf"``, ``"-inf"``
and ``"nan"``, because strict JSON has no spelling for them. Finite floats survive
``json.dumps``/``json.loads`` bit for bit (Python writes the shortest repr that reads
back to the same double), which is what makes a restored detector continue identically.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeAlias, cast

from stream_monitor.json_fields import JSONValue as JSONValue  # re-exported
from stream_monitor.json_fields import bad_field, field, json_int, json_str

JSONObject: TypeAlias = Mapping[str, JSONValue]

_OWNER = "detector state"
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def encode_float(value: float) -> float | str:
    """A float as JSON: itself when finite, else ``"inf"``, ``"-inf"`` or ``"nan"``."""
    value = float(value)
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def decode_float(value: JSONValue, where: str) -> float:
    """The inverse of :func:`encode_float`; ints are accepted as floats."""
    if isinstance(value, bool):
        raise _bad(where, "a number", value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    raise _bad(where, 'a number or one of "inf", "-inf", "nan"', value)


def read_float(obj: JSONObject, key: str) -> float:
    return decode_float(_field(obj, key), key)


def read_optional_float(obj: JSONObject, key: str) -> float | None:
    value = _field(obj, key)
    return None if value is None else decode_float(value, key)


def read_int(obj: JSONObject, key: str, minimum: int | None = None) -> int:
    return json_int(obj, key, _OWNER, minimum)


def read_bool(obj: JSONObject, key: str) -> bool:
    value = _field(obj, key)
    if not isinstance(value, bool):
        raise _bad(key, "true or false", value)
    return value


def read_str(obj: JSONObject, key: str) -> str:
    return json_str(obj, key, _OWNER)


def read_object(obj: JSONObject, key: str) -> JSONObject:
    value = _field(obj, key)
    if not isinstance(value, dict):
        raise _bad(key, "an object", value)
    return value


def read_list(obj: JSONObject, key: str) -> list[JSONValue]:
    value = _field(obj, key)
    if not isinstance(value, list):
        raise _bad(key, "a list", value)
    return value


def read_float_list(obj: JSONObject, key: str) -> list[float]:
    return [decode_float(item, key) for item in read_list(obj, key)]


def is_json_safe(value: object) -> bool:
    """True when ``value`` is built only from dicts with str keys, lists, str, int,
    finite float, bool and None."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_json_safe(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json_safe(v) for k, v in value.items())
    return False


def _field(obj: JSONObject, key: str) -> JSONValue:
    return cast("JSONValue", field(obj, key, _OWNER))


def _bad(where: str, expected: str, value: object) -> ValueError:
    return bad_field(_OWNER, where, expected, value)
