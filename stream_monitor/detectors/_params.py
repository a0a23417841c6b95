"""Checks for detector parameters: each error names the detector, the parameter, what is
allowed and what was given."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

ParamValue: TypeAlias = int | float | str | bool


def check_int(detector: str, name: str, value: object, *, minimum: int) -> int:
    """An int (not a bool, not a float) that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(detector, name, f"an integer >= {minimum}", value)
    return value


def check_number(
    detector: str,
    name: str,
    value: object,
    *,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite int or float in the interval from ``low`` to ``high``, returned as float.

    ``low_open``/``high_open`` exclude the bound, as in ``(0, 1]``.
    """
    allowed = _interval(low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(detector, name, f"a number in {allowed}", value)
    number = float(value)
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not math.isfinite(number) or too_low or too_high:
        raise _bad(detector, name, f"a number in {allowed}", value)
    return number


def check_probability(detector: str, name: str, value: object) -> float:
    """A number strictly between 0 and 1 (a significance or confidence level)."""
    return check_number(detector, name, value, low=0.0, high=1.0, low_open=True, high_open=True)


def check_bool(detector: str, name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _bad(detector, name, "true or false", value)
    return value


def check_choice(detector: str, name: str, value: object, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _bad(detector, name, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def check_names(detector: str, given: Sequence[str], valid: Sequence[str]) -> None:
    """Raise when ``given`` holds a parameter name the detector does not take."""
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise ValueError(
            f"{detector}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
            f"valid parameters: {', '.join(sorted(valid))}"
        )


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open else "["
    right = ")" if high_open or math.isinf(high) else "]"
    return f"{left}{low:g}, {high:g}{right}"


def _bad(detector: str, name: str, allowed: str, value: object) -> ValueError:
    return ValueError(f"{detector}: {name} must be {allowed}, got {value!r}")
