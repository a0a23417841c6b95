"""Outputs to Kafka with confluent-kafka's idempotent producer, delivered before return.

:meth:`Publisher.publish` blocks until the broker has acknowledged every record (acks=all),
re-producing the ones whose delivery failed; the ingest step calls it before the batch is
acked, so a dead letter is never lost (it may be sent twice after a crash: at least once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from schemas import AlertEvent, DeadLetter
from stream_monitor.pipeline import OutputEvent
from stream_monitor.settings import TopicSettings
from stream_monitor.stream.retry import ShuttingDownError

log = logging.getLogger(__name__)
FLUSH_SECONDS = 5.0
RETRY_SECONDS = 1.0
PRODUCER_DEFAULTS: Mapping[str, Any] = {
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 5,
    "compression.type": "lz4",
}


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes


def dead_letter_record(letter: DeadLetter, topic: str) -> Record:
    key = letter.model_id.encode() if letter.model_id else None
    return Record(topic, key, letter.model_dump_json().encode())


def output_record(event: OutputEvent, topics: TopicSettings) -> Record:
    """Alerts keyed by fingerprint; metric, drift and retraining events by model id."""
    value = event.model_dump_json().encode()
    if isinstance(event, AlertEvent):
        return Record(topics.alerts, event.fingerprint.encode(), value)
    topic = {
        "metric": topics.metrics,
        "drift": topics.drift,
        "retrain_decision": topics.retrain,
    }[event.type]
    return Record(topic, event.model_id.encode(), value)


class Publisher:
    """A thread-safe, blocking publisher; once ``stop`` is set a waiting call raises
    :class:`~stream_monitor.stream.retry.ShuttingDownError`."""

    def __init__(self, config: Mapping[str, Any], stop: threading.Event) -> None:
        self._producer = Producer({**config, **PRODUCER_DEFAULTS})
        self._stop = stop

    def publish(self, records: Sequence[Record]) -> None:
        """Deliver every record; retry the failed ones until they are delivered."""
        pending = list(records)
        while pending:
            pending = self._deliver(pending)
            if pending:
                log.warning("%d record(s) not delivered; retrying", len(pending))
                if self._stop.wait(RETRY_SECONDS):
                    raise ShuttingDownError("publish")

    def _deliver(self, records: Sequence[Record]) -> list[Record]:
        failed: list[Record] = []

        def on_delivery(record: Record) -> Any:
            def callback(error: KafkaError | None, _message: Message) -> None:
                if error is not None:
                    log.warning("delivery to %s failed: %s", record.topic, error)
                    failed.append(record)

            return callback

        for record in records:
            self._produce(record, on_delivery(record))
        while self._producer.flush(FLUSH_SECONDS) > 0:
            log.warning("Kafka has not acknowledged all outputs yet; still waiting")
            if self._stop.is_set():
                raise ShuttingDownError("publish")
        return failed

    def _produce(self, record: Record, callback: Any) -> None:
        while True:
            try:
                self._producer.produce(
                    record.topic, value=record.value, key=record.key, on_delivery=callback
                )
                return
            except BufferError:  # the local queue is full: let deliveries drain it
                self._producer.poll(0.5)
                if self._stop.is_set():
                    raise ShuttingDownError("publish") from None

    def close(self, timeout: float = 10.0) -> None:
        self._producer.flush(timeout)
