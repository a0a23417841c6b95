"""The evaluation tick: every worker, every few seconds, evaluates the due slots of every
model. Each slot is leased (``Pipeline.begin``), its outputs published and flushed, and only
then committed with the model's new alert and policy states (``Pipeline.commit``). A worker
that dies in between leaves the lease to expire; the next tick of any worker evaluates the
slot again from the same states and time, so it publishes the same events again (at least
once, idempotent for consumers that dedupe). The last committed slot lives in Redis, so a
restarted worker continues where the last one stopped.

Two clocks say which slots are due (``worker.evaluation_clock``):

* :class:`WallClock` (production): a slot is due once the wall clock is ``lateness``
  past its end.
* :class:`EventClock` (replays of historical data, tests): the model's watermark is the
  newest event time of its *slowest* partition of the predictions topic, read from Redis
  (``keys.event_clock``); until every partition has delivered an event of the model there
  is no watermark and nothing is due.

With both clocks alert rules and the retraining policy see ``slot end + lateness`` (as in
:class:`stream_monitor.embedded.Replay`): a time fixed by the slot, so a re-evaluation
gives the same ``starts_at`` and decision ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from stream_monitor.pipeline import DEFAULT_LEASE_SECONDS, Pipeline, SlotRun
from stream_monitor.rules import Silence
from stream_monitor.settings import TopicSettings
from stream_monitor.state import keys
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.state.silence_store import SilenceStore
from stream_monitor.stream.publisher import Publisher, output_record
from stream_monitor.windowing import Windowing

log = logging.getLogger(__name__)


class Clock(Protocol):
    def watermark(self, model_id: str) -> float | None:
        """The model's current time; None when it has none yet."""
        ...

    def alert_time(self, slot: int, windowing: Windowing) -> float:
        """The time alert rules see when the slot ending at ``slot`` is evaluated."""
        ...


class WallClock:
    def watermark(self, model_id: str) -> float | None:
        return time.time()

    def alert_time(self, slot: int, windowing: Windowing) -> float:
        return float(slot + windowing.lateness_seconds)


@dataclass(frozen=True)
class EventClock:
    store: RedisStore
    topic: str
    partitions: int

    def watermark(self, model_id: str) -> float | None:
        fields = self.store.read([keys.event_clock(model_id)])[0]
        prefix = f"{keys.MAX}{self.topic}:"
        newest = [float(v) for name, v in fields.items() if name.startswith(prefix)]
        return min(newest) if len(newest) >= self.partitions else None

    def alert_time(self, slot: int, windowing: Windowing) -> float:
        return float(slot + windowing.lateness_seconds)


def due(windowing: Windowing, last: int | None, watermark: float, retention: int) -> list[int]:
    """Slots to evaluate now; after a long stop, only those whose buckets are retained."""
    slots = windowing.due_slots(last, watermark)
    keep = max(1, retention // windowing.interval_seconds)
    return slots[-keep:]


@dataclass
class Evaluator:
    pipeline: Pipeline
    store: RedisStore
    clock: Clock
    publisher: Publisher
    topics: TopicSettings
    silences: SilenceStore
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    observe: Callable[[SlotRun], None] | None = None
    """Called with each evaluated slot's published outputs (the Prometheus metrics)."""
    _failing: set[str] = field(default_factory=set)

    def tick(self) -> int:
        """Evaluate every model's due slots; the number of events published. Never raises
        (a failure is logged and the model is tried again on the next tick)."""
        published = 0
        try:
            silences = self.silences.all()  # each slot's `now` decides which are active
        except Exception as exc:
            log.warning("cannot read the silences (%s); evaluation waits for the next tick", exc)
            return 0
        for model_id in sorted(self.pipeline.specs):
            try:
                published += self.evaluate_model(model_id, silences)
            except Exception as exc:
                if model_id in self._failing:
                    log.warning("evaluating model %s failed again: %s", model_id, exc)
                else:
                    log.exception("evaluating model %s failed; trying again next tick", model_id)
                self._failing.add(model_id)
            else:
                self._failing.discard(model_id)
        return published

    def evaluate_model(self, model_id: str, silences: Sequence[Silence] = ()) -> int:
        spec = self.pipeline.specs[model_id]
        watermark = self.clock.watermark(model_id)
        if watermark is None:
            return 0
        last = self.store.last_slot(model_id)
        published = 0
        for slot in due(spec.windowing, last, watermark, spec.retention_seconds):
            now = self.clock.alert_time(slot, spec.windowing)
            run = self.pipeline.begin(model_id, slot, now, silences, self.lease_seconds)
            if run is None:  # done, or leased by another worker: slots go in order
                break
            self.publisher.publish([output_record(o, self.topics) for o in run.outputs])
            published += len(run.outputs)
            if not self.pipeline.commit(run):
                log.warning("model %s: slot %s: lease lost to another worker", model_id, slot)
                break
            if self.observe is not None:  # after the commit: metrics show committed state
                self.observe(run)
            log.info("model %s: slot %s evaluated, %d events", model_id, slot, len(run.outputs))
        return published
