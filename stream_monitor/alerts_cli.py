"""``stream-monitor alerts tail``: one human-readable line per alert event.

The Kafka part is :class:`stream_monitor.stream.alert_source.KafkaAlertSource`; here is
what does not need Kafka (the line format and the follow loop), so it is tested with a
fake source.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from schemas import AlertEvent

POLL_SECONDS = 0.5
FINGERPRINT_SHOWN = 8


@dataclass(frozen=True)
class RawAlert:
    value: bytes
    partition: int
    offset: int


class AlertSource(Protocol):
    def poll(self, timeout: float) -> RawAlert | None:
        """The next message, or None when none came within ``timeout`` seconds."""
        ...


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_alert(event: AlertEvent) -> str:
    """``TIME STATUS SEVERITY MODEL RULE TARGET value=V fp=FINGERPRINT [marks]``.

    TIME is when the event's state began: ``ends_at`` for a resolved alert, else
    ``starts_at`` (a re-sent firing alert repeats its ``starts_at``).
    """
    at = _utc(event.ends_at or event.starts_at)
    value = "n/a" if event.value is None else f"{event.value:.4g}"
    target = event.labels.get("target", "-")
    line = (
        f"{at}  {event.status.value.upper():<8} {event.severity.value:<8} {event.model_id}  "
        f"{event.rule}  {target}  value={value}  fp={event.fingerprint[:FINGERPRINT_SHOWN]}"
    )
    if event.silenced_by:
        line += f"  [silenced by {event.silenced_by}]"
    if event.inhibited_by:
        line += f"  [inhibited by {event.inhibited_by[:FINGERPRINT_SHOWN]}]"
    return line


def parse_alert(raw: RawAlert) -> AlertEvent | str:
    """The alert event, or why the message is not one (a one-line note)."""
    try:
        return AlertEvent.model_validate_json(raw.value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        return (
            f"skipped partition {raw.partition} offset {raw.offset}: not an alert event "
            f"({where}: {first['msg']})"
        )


@dataclass
class Tail:
    """Follows ``source`` until ``max_events`` alerts were printed or, with ``idle_timeout``,
    until no message came for that many seconds."""

    source: AlertSource
    out: Callable[[str], None]
    err: Callable[[str], None]
    max_events: int | None = None
    idle_timeout: float | None = None
    clock: Callable[[], float] = time.monotonic

    def run(self) -> int:
        """Print until done; the number of alerts printed."""
        printed = 0
        last_seen = self.clock()
        while self.max_events is None or printed < self.max_events:
            raw = self.source.poll(self._wait(last_seen))
            if raw is None:
                if self.idle_timeout is not None and self.clock() - last_seen >= self.idle_timeout:
                    break
                continue
            last_seen = self.clock()
            event = parse_alert(raw)
            if isinstance(event, str):
                self.err(event)
                continue
            self.out(format_alert(event))
            printed += 1
        return printed

    def _wait(self, last_seen: float) -> float:
        if self.idle_timeout is None:
            return POLL_SECONDS
        left = self.idle_timeout - (self.clock() - last_seen)
        return max(0.0, min(POLL_SECONDS, left))
