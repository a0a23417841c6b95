"""Event-time arithmetic: time buckets, sliding windows and evaluation slots. Pure.

Events are counted in buckets of ``bucket_seconds`` by their own timestamp. An
evaluation slot ends every ``interval_seconds``; the slot ending at ``end`` looks at the
sliding window ``[end - window_seconds, end)``, which is a whole number of buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Windowing:
    bucket_seconds: int = 60
    window_seconds: int = 600
    interval_seconds: int = 60
    lateness_seconds: int = 60

    def __post_init__(self) -> None:
        for name in ("bucket_seconds", "window_seconds", "interval_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be a positive number of seconds")
        for name in ("window_seconds", "interval_seconds"):
            if getattr(self, name) % self.bucket_seconds:
                raise ValueError(
                    f"{name} ({getattr(self, name)}) must be a multiple of bucket_seconds "
                    f"({self.bucket_seconds})"
                )
        if self.lateness_seconds < 0:
            raise ValueError("lateness_seconds must be 0 or more")

    def bucket_of(self, timestamp: float) -> int:
        """Start (Unix seconds) of the bucket holding ``timestamp``."""
        return int(timestamp // self.bucket_seconds) * self.bucket_seconds

    def buckets(self, end: int) -> range:
        """Bucket starts of the window ending at slot ``end``."""
        return range(end - self.window_seconds, end, self.bucket_seconds)

    def slot_of(self, timestamp: float) -> int:
        """The last slot end at or before ``timestamp``."""
        return int(timestamp // self.interval_seconds) * self.interval_seconds

    def due_slots(self, last_done: int | None, watermark: float) -> list[int]:
        """Slot ends not yet evaluated whose window is complete at event-time ``watermark``.

        A slot is complete once the watermark is ``lateness_seconds`` past its end.
        """
        newest = self.slot_of(watermark - self.lateness_seconds)
        if last_done is None:
            return [newest]
        return list(range(last_done + self.interval_seconds, newest + 1, self.interval_seconds))


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
