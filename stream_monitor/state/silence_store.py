"""Silences kept in Redis (one hash, id -> JSON), shared by every worker and the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta

import redis
from pydantic import ValidationError

from stream_monitor.errors import UserError
from stream_monitor.rules import Silence
from stream_monitor.state import keys


class SilenceStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def add(self, silence: Silence) -> None:
        self._redis.hset(keys.silences(), silence.id, silence.model_dump_json())

    def all(self) -> list[Silence]:
        """Every stored silence (active, future and expired), oldest first."""
        raw = self._redis.hgetall(keys.silences())
        silences = []
        for value in raw.values():
            try:
                silences.append(Silence.model_validate_json(value))
            except ValidationError:
                continue  # written by an incompatible version: ignored, never fatal
        return sorted(silences, key=lambda s: (s.starts_at, s.id))

    def active(self, now: datetime) -> list[Silence]:
        return [s for s in self.all() if s.is_active(now)]

    def expire(self, silence_id: str, now: datetime) -> Silence:
        """End a silence now; an unknown id is a UserError listing the known ones."""
        found = {s.id: s for s in self.all()}
        if silence_id not in found:
            known = ", ".join(sorted(found)) or "none"
            raise UserError(f"no silence {silence_id!r}; known silences: {known}")
        silence = found[silence_id]
        if silence.ends_at > now:
            start = min(silence.starts_at, now - timedelta(seconds=1))
            silence = silence.model_copy(update={"starts_at": start, "ends_at": now})
            self.add(silence)
        return silence
