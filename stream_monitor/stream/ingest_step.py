"""One batch of prediction messages, from Kafka to Redis and the dead-letter topic.

Runs in a worker thread (Redis and the producer flush are blocking calls). It returns
only when Redis holds the batch and every dead letter is acknowledged by Kafka: a failing
Redis or Kafka is retried until it is back, never skipped. Only then may the batch's
offsets be committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from stream_monitor.collector import collector_paused
from stream_monitor.dead_letters import RawMessage
from stream_monitor.pipeline import IngestResult
from stream_monitor.stream.publisher import Publisher, dead_letter_record
from stream_monitor.stream.retry import retry_forever

log = logging.getLogger(__name__)


@dataclass
class IngestCounts:
    batches: int = 0
    events: int = 0
    dead_letters: int = 0
    duplicates: int = 0


@dataclass
class IngestStep:
    """``apply`` is :meth:`Pipeline.ingest` (predictions) or :meth:`Pipeline.ingest_labels`."""

    apply: Callable[[Sequence[RawMessage]], IngestResult]
    publisher: Publisher
    dead_letter_topic: str
    stop: threading.Event
    counts: IngestCounts = field(default_factory=IngestCounts)

    def __call__(self, messages: Sequence[RawMessage]) -> IngestResult:
        with collector_paused():
            result = retry_forever(
                lambda: self.apply(messages), "applying a batch to Redis", self.stop
            )
        letters = [dead_letter_record(d, self.dead_letter_topic) for d in result.dead_letters]
        self.publisher.publish(letters)
        self.counts.batches += 1
        self.counts.events += result.events
        self.counts.dead_letters += len(result.dead_letters)
        self.counts.duplicates += result.duplicates
        if result.duplicates:
            log.info("batch of %d: %d event(s) already applied", len(messages), result.duplicates)
        return result
