"""The alert topic as a message source for ``stream-monitor alerts tail``.

A confluent-kafka consumer in a group of its own (a fresh id per run) that never commits
offsets, so tailing neither disturbs the workers nor any other consumer of the topic.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException

from stream_monitor.alerts_cli import RawAlert
from stream_monitor.errors import UserError
from stream_monitor.settings import Settings
from stream_monitor.stream.kafka_config import confluent_config

CONNECT_SECONDS = 10.0
_QUIET = logging.getLogger("stream_monitor.alerts_tail.librdkafka")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False  # librdkafka's connection chatter would bury the one-line error


def consumer_config(settings: Settings, from_beginning: bool) -> dict[str, Any]:
    return confluent_config(settings.kafka) | {
        "group.id": f"stream-monitor-tail-{uuid.uuid4().hex[:12]}",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest" if from_beginning else "latest",
    }


class KafkaAlertSource:
    """Follows the configured alert topic; :meth:`open` fails with a one-line
    :class:`UserError` when the broker cannot be reached or the topic does not exist."""

    def __init__(self, settings: Settings, from_beginning: bool) -> None:
        self.bootstrap = settings.kafka.bootstrap_servers
        self.topic = settings.topics.alerts
        self._config = consumer_config(settings, from_beginning)
        self._consumer: Consumer | None = None

    def open(self) -> KafkaAlertSource:
        consumer = Consumer(self._config, logger=_QUIET)
        try:
            self._check_topic(consumer)
        except UserError:
            consumer.close()
            raise
        consumer.subscribe([self.topic])
        self._consumer = consumer
        return self

    def _check_topic(self, consumer: Consumer) -> None:
        try:
            metadata = consumer.list_topics(self.topic, timeout=CONNECT_SECONDS)
        except KafkaException as exc:
            raise UserError(
                f"cannot reach Kafka at {self.bootstrap} within {CONNECT_SECONDS:.0f} s "
                f"({exc.args[0].str() if exc.args else exc}); check kafka.bootstrap_servers "
                "and the security settings"
            ) from None
        topic = metadata.topics.get(self.topic)
        if topic is None or topic.error is not None:
            raise UserError(
                f"alert topic {self.topic!r} does not exist on {self.bootstrap}; "
                "check topics.alerts (a worker creates it when it starts)"
            )

    def poll(self, timeout: float) -> RawAlert | None:
        """The next message, or None when none came within ``timeout`` seconds."""
        assert self._consumer is not None, "open() first"
        message = self._consumer.poll(timeout)
        if message is None:
            return None
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                return None
            if error.fatal():
                raise UserError(f"reading {self.topic} failed: {error.str()}")
            return None  # transient (a broker restarting): librdkafka retries
        return RawAlert(message.value() or b"", message.partition() or 0, message.offset() or 0)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
