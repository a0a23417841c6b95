"""Durations in configs: ``90``, ``"90s"``, ``"5m"``, ``"2h"``, ``"1d"`` -> seconds."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


def parse_duration(value: object) -> int:
    """Seconds in a duration.

    >>> parse_duration("5m"), parse_duration(30), parse_duration("1d")
    (300, 30, 86400)
    """
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like 30s, 5m, 2h, 1d")
    if isinstance(value, int):
        return value
    match = _PATTERN.match(str(value))
    if match is None:
        raise ValueError(
            f"{value!r} is not a duration; use seconds or a number with s, m, h or d (e.g. 5m)"
        )
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


Duration = Annotated[int, BeforeValidator(parse_duration)]
