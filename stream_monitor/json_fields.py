"""Typed reads of fields from JSON objects, shared by the detector and quality states.

Each reader names its owner in its errors (``"detector state"``, ``"state"``), so a
corrupt snapshot says which field of which kind of state is wrong and what was allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None


def field(obj: Mapping[str, object], key: str, owner: str) -> object:
    if key not in obj:
        raise ValueError(f"{owner}: missing field {key!r} (has: {', '.join(sorted(obj))})")
    return obj[key]


def bad_field(owner: str, key: str, expected: str, value: object) -> ValueError:
    return ValueError(f"{owner}: field {key!r} must be {expected}, got {value!r}")


def json_int(obj: Mapping[str, object], key: str, owner: str, minimum: int | None) -> int:
    value = field(obj, key, owner)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_field(owner, key, "an integer", value)
    if minimum is not None and value < minimum:
        raise bad_field(owner, key, f"an integer >= {minimum}", value)
    return value


def json_str(obj: Mapping[str, object], key: str, owner: str) -> str:
    value = field(obj, key, owner)
    if not isinstance(value, str):
        raise bad_field(owner, key, "a string", value)
    return value
