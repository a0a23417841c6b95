"""Axis arithmetic for the report's charts: linear scales, tick choice and label formats.

Times are Unix seconds (UTC) throughout; tick labels are ``HH:MM`` (with the date when a
chart spans more than a day).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

TIME_STEPS: Final = (
    1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    86400, 172800, 604800, 2592000,
)  # fmt: skip
DAY: Final = 86400


@dataclass(frozen=True)
class Scale:
    """Maps a data interval ``[lo, hi]`` onto a pixel interval ``[start, stop]``."""

    lo: float
    hi: float
    start: float
    stop: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        fraction = (value - self.lo) / span if span else 0.5
        return round(self.start + fraction * (self.stop - self.start), 1)


def padded(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """``[lo, hi]``, widened by ``pad`` on each side when it is empty."""
    return (lo - pad, hi + pad) if hi <= lo else (lo, hi)


def nice_step(span: float, target: int = 5) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten giving about ``target`` ticks."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


def nice_range(lo: float, hi: float, target: int = 5) -> tuple[float, float, list[float]]:
    """A range covering ``[lo, hi]`` that starts and ends on ticks, and its ticks."""
    lo, hi = (0.0, 1.0) if lo == hi == 0 else padded(lo, hi, abs(lo) * 0.1 or 1.0)
    step = nice_step(hi - lo, target)
    first, last = math.floor(lo / step) * step, math.ceil(hi / step) * step
    count = round((last - first) / step)
    ticks = [round(first + i * step, 12) for i in range(count + 1)]
    return first, last, ticks


def value_ticks_format(ticks: Sequence[float]) -> list[str]:
    """Tick labels with just enough decimals to tell consecutive ticks apart."""
    if len(ticks) < 2:
        return [format_number(t) for t in ticks]
    step = abs(ticks[1] - ticks[0])
    big = max(abs(t) for t in ticks)
    if big >= 1e6 or (0 < big < 1e-3):
        return [f"{t:.2g}" for t in ticks]
    decimals = next(
        (d for d in range(10) if all(abs(t - round(t, d)) <= step * 1e-3 for t in ticks)), 10
    )
    return [f"{t:,.{decimals}f}" for t in ticks]


def time_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Tick times on round UTC boundaries inside ``[lo, hi]``."""
    span = hi - lo
    step = next((s for s in TIME_STEPS if span / s <= target), TIME_STEPS[-1])
    first = math.ceil(lo / step) * step
    return [float(t) for t in range(int(first), int(hi) + 1, step)]


def time_label(seconds: float, span: float) -> str:
    """``HH:MM`` (``HH:MM:SS`` for spans under two minutes; dated over a day), in UTC."""
    moment = datetime.fromtimestamp(seconds, UTC)
    if span >= 2 * DAY:
        return moment.strftime("%m-%d %H:%M")
    if span < 120:
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%H:%M")


def format_time(seconds: float) -> str:
    """Full UTC timestamp for tables and tooltips."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_number(value: float | None) -> str:
    """A compact human form of a metric value; an em dash for None."""
    if value is None:
        return "—"
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.3g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"
