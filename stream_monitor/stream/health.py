"""The monitor's own health, once per evaluation tick: a ``MetricEvent(group="monitor")``.

Each worker publishes one such event per tick on the metrics topic, with ``model_id`` ""
(it is about the worker, not a model) and the worker's name as the Kafka key. Its window
runs from the previous tick to this one (wall clock); ``event_count`` is the messages the
worker processed in it. The same values feed the Prometheus gauges (:mod:`.prom`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from schemas import MetricEvent, Window
from stream_monitor.settings import TopicSettings
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.stream.prom import WorkerMetrics
from stream_monitor.stream.publisher import Publisher, Record
from stream_monitor.windowing import utc

log = logging.getLogger(__name__)

MONITOR_MODEL = ""
"""``model_id`` of monitor-health events (and ``model`` label of their Prometheus series)."""


@dataclass(frozen=True)
class HealthSample:
    """What the tick measured besides the counts: partition lags and the Redis round trip."""

    lags: Mapping[tuple[str, int], int]
    redis_rtt_s: float | None


@dataclass
class Health:
    """Messages and dead letters counted by the ingest threads between two ticks."""

    since: float
    """Wall-clock time (Unix seconds) of the previous tick."""
    _messages: Counter[str] = field(default_factory=Counter)
    _dead_letters: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def processed(self, topic: str, messages: int, dead_letters: int) -> None:
        with self._lock:
            self._messages[topic] += messages
            self._dead_letters += dead_letters

    def take(self, now: float) -> tuple[float, dict[str, int], int]:
        """(seconds since the previous tick, messages by topic, dead letters); resets."""
        with self._lock:
            messages, letters = dict(self._messages), self._dead_letters
            self._messages.clear()
            self._dead_letters = 0
        seconds, self.since = max(now - self.since, 1e-9), now
        return seconds, messages, letters


def rates(seconds: float, messages: Mapping[str, int], topics: list[str]) -> dict[str, float]:
    """Messages/s of every topic in ``topics`` (0 for a topic with no message)."""
    return {topic: messages.get(topic, 0) / seconds for topic in topics}


def health_event(
    start: float,
    end: float,
    messages: Mapping[str, int],
    dead_letters: int,
    sample: HealthSample,
    topics: list[str],
) -> MetricEvent:
    """The monitor-health event of one tick (metric names in docs/metrics.md)."""
    seconds = max(end - start, 1e-9)
    total = sum(messages.values())
    metrics: dict[str, float | None] = {
        "messages": float(total),
        "processing_rate": total / seconds,
        "dead_letters": float(dead_letters),
        "dead_letter_rate": dead_letters / seconds,
        "redis_rtt_ms": None if sample.redis_rtt_s is None else sample.redis_rtt_s * 1000.0,
        "assigned_partitions": float(len(sample.lags)),
        "consumer_lag": float(sum(sample.lags.values())) if sample.lags else None,
    }
    for topic, rate in rates(seconds, messages, topics).items():
        metrics[f"processing_rate.{topic}"] = rate
    for (topic, partition), lag in sorted(sample.lags.items()):
        metrics[f"consumer_lag.{topic}.{partition}"] = float(lag)
    window = Window(start=utc(start), end=utc(end), event_count=total)
    return MetricEvent(model_id=MONITOR_MODEL, window=window, group="monitor", metrics=metrics)


@dataclass
class HealthReporter:
    """Turns one tick's counts and samples into Prometheus gauges and a published event."""

    health: Health
    metrics: WorkerMetrics
    store: RedisStore
    publisher: Publisher
    topics: TopicSettings
    worker: str
    """The Kafka key of this worker's health events (host name and web port)."""

    def redis_rtt(self) -> float | None:
        """Seconds for one PING; None when Redis does not answer."""
        start = time.perf_counter()
        try:
            self.store.ping()
        except Exception as exc:
            log.warning("Redis does not answer a PING: %s", exc)
            return None
        return time.perf_counter() - start

    def report(self, lags: Mapping[tuple[str, int], int]) -> MetricEvent:
        """Measure, update the gauges, publish the monitor-health event; the event."""
        rtt = self.redis_rtt()
        start = self.health.since
        now = time.time()
        seconds, messages, letters = self.health.take(now)
        ingested = [self.topics.predictions, self.topics.ground_truth]
        self.metrics.lags(lags)
        self.metrics.rates(rates(seconds, messages, ingested))
        if rtt is not None:
            self.metrics.redis_rtt.observe(rtt)
        event = health_event(start, now, messages, letters, HealthSample(lags, rtt), ingested)
        self.metrics.metric_event(event)
        value = event.model_dump_json().encode()
        self.publisher.publish([Record(self.topics.metrics, self.worker.encode(), value)])
        return event
