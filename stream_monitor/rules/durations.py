"""Durations ("30s", "5m", "1h30m") and holds: a duration or a count of evaluations ("3x").

A rule's ``for`` and ``keep_firing_for`` are *holds*: how long a condition must hold (or
may have cleared) before the alert changes state, measured either in time between the
evaluations' ``now`` or in consecutive evaluations.

>>> parse_duration("1h30m")
datetime.timedelta(seconds=5400)
>>> str(parse_hold("3x")), str(parse_hold("90s"))
('3x', '1m30s')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Final

from pydantic import BeforeValidator, PlainSerializer

_UNITS: Final = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_DURATION: Final = re.compile(r"^(?:\d+(?:ms|s|m|h|d|w))+$")
_PART: Final = re.compile(r"(\d+)(ms|s|m|h|d|w)")
_COUNT: Final = re.compile(r"^(\d+)x$")
_DURATION_ALLOWED: Final = 'a duration such as "0s", "30s", "5m", "1h30m" (units ms, s, m, h, d, w)'
_ALLOWED: Final = f'{_DURATION_ALLOWED}, or a count of evaluations such as "3x"'


def parse_duration(text: object) -> timedelta:
    """A timedelta from ``"30s"``-style text, a ``timedelta``, or a number of seconds."""
    if isinstance(text, timedelta):
        if text < timedelta(0):
            raise ValueError(f"duration {text} is negative; it must be >= 0")
        return text
    if isinstance(text, int | float) and not isinstance(text, bool) and text >= 0:
        return timedelta(seconds=text)
    if isinstance(text, str) and text.strip() == "0":
        return timedelta(0)
    if not isinstance(text, str) or not _DURATION.match(text.strip()):
        raise ValueError(f"invalid duration {text!r}: expected {_DURATION_ALLOWED}")
    total = timedelta(0)
    for amount, unit in _PART.findall(text.strip()):
        total += int(amount) * _UNITS[unit]
    return total


def format_duration(value: timedelta) -> str:
    """The shortest ``"1h30m"``-style text for a duration (``"0s"`` for zero)."""
    millis = round(value.total_seconds() * 1000)
    parts: list[str] = []
    for unit in ("w", "d", "h", "m", "s", "ms"):
        size = round(_UNITS[unit].total_seconds() * 1000)
        amount, millis = divmod(millis, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


@dataclass(frozen=True)
class Hold:
    """Either a ``duration`` or a number of consecutive ``evaluations`` (exactly one is set)."""

    duration: timedelta | None = None
    evaluations: int | None = None

    def __post_init__(self) -> None:
        if (self.duration is None) == (self.evaluations is None):
            raise ValueError(f"a hold is {_ALLOWED}: set exactly one of duration, evaluations")
        if self.evaluations is not None and self.evaluations < 0:
            raise ValueError(f"a count of evaluations must be >= 0, got {self.evaluations}")

    def __str__(self) -> str:
        if self.evaluations is not None:
            return f"{self.evaluations}x"
        assert self.duration is not None
        return format_duration(self.duration)

    @property
    def is_zero(self) -> bool:
        """True when the hold is no wait at all ("0s", "0x" or "1x" for ``for``)."""
        return self.duration == timedelta(0) or self.evaluations == 0


def parse_hold(text: object) -> Hold:
    """A :class:`Hold` from ``"5m"``, ``"3x"``, ``0``, a ``timedelta`` or a ``Hold``."""
    if isinstance(text, Hold):
        return text
    if isinstance(text, str):
        count = _COUNT.match(text.strip())
        if count:
            return Hold(evaluations=int(count.group(1)))
    try:
        return Hold(duration=parse_duration(text))
    except ValueError:
        raise ValueError(f"invalid hold {text!r}: expected {_ALLOWED}") from None


HoldField = Annotated[Hold, BeforeValidator(parse_hold), PlainSerializer(str, return_type=str)]
"""A pydantic field type: accepts ``"5m"``/``"3x"`` and serialises back to that text."""

DurationField = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]
"""A pydantic field type: accepts ``"1h"`` (or seconds) and serialises back to ``"1h"``."""
