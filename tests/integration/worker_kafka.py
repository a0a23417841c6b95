"""Kafka I/O of the worker integration tests: produce, read topics back, group lag."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from confluent_kafka import Consumer, Producer, TopicPartition

from tests.conftest import kafka_client_config
from tests.integration.worker_util import wait_until, window_end


def produce(
    bootstrap: str, topic: str, values: list[bytes], flush_seconds: float = 30.0
) -> list[tuple[int, int]]:
    """Send ``values`` keyed by their index, so they spread over all partitions (in order
    within each); their (partition, offset)."""
    producer = Producer({**kafka_client_config(bootstrap), "enable.idempotence": True})
    where: list[tuple[int, int]] = [(-1, -1)] * len(values)

    def delivered(i: int) -> Callable[[Any, Any], None]:
        def callback(error: Any, msg: Any) -> None:
            assert error is None, f"delivery failed: {error}"
            where[i] = (msg.partition(), msg.offset())

        return callback

    for i, value in enumerate(values):
        while True:
            try:
                producer.produce(topic, value, str(i).encode(), on_delivery=delivered(i))
                break
            except BufferError:
                producer.poll(0.1)
    left = producer.flush(flush_seconds)
    assert left == 0, f"messages still in the producer queue after {flush_seconds} s"
    return where


def group_lag(bootstrap: str, group: str, topic: str) -> int:
    """Messages of ``topic`` not yet committed by consumer group ``group``."""
    consumer = Consumer({**kafka_client_config(bootstrap), "group.id": group})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        tps = [TopicPartition(topic, p) for p in partitions]
        lag = 0
        for tp in consumer.committed(tps, timeout=10):
            _, high = consumer.get_watermark_offsets(tp, timeout=10)
            lag += high - max(tp.offset, 0)
        return lag
    finally:
        consumer.close()


class PacedProducer(threading.Thread):
    """Produces ``values`` in chunks with a pause between them, in the background."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        values: list[bytes],
        chunk: int = 500,
        flush_seconds: float = 30.0,
    ) -> None:
        super().__init__(daemon=True)
        self.flush_seconds = flush_seconds
        self.bootstrap, self.topic, self.values, self.chunk = bootstrap, topic, values, chunk
        self.sent = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for start in range(0, len(self.values), self.chunk):
                chunk = self.values[start : start + self.chunk]
                produce(self.bootstrap, self.topic, chunk, self.flush_seconds)
                self.sent = min(start + self.chunk, len(self.values))
                time.sleep(0.2)
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def finish(self, timeout: float = 60.0) -> None:
        self.join(timeout)
        assert not self.is_alive(), "the producer did not finish"
        assert self.error is None, f"producing failed: {self.error!r}"


class TopicReader:
    """Reads a topic from the start, keeping what it has read between calls."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = Consumer(
            {
                **kafka_client_config(bootstrap),
                "group.id": f"reader-{uuid.uuid4().hex[:8]}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "topic.metadata.refresh.interval.ms": 1000,
            }
        )
        self.topic = topic
        self.consumer.subscribe([topic])
        self.records: list[tuple[bytes | None, dict[str, Any]]] = []

    def poll(self, seconds: float = 0.5) -> list[dict[str, Any]]:
        """Everything read so far, after reading for up to ``seconds`` more."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for msg in self.consumer.consume(1000, timeout=0.1):
                if msg.error() is None:
                    self.records.append((msg.key(), orjson.loads(msg.value() or b"null")))
        return [value for _, value in self.records]

    def drain(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Everything read, once the topic has been read up to its end offsets of now."""
        partitions = self.consumer.list_topics(self.topic, timeout=10).topics[self.topic].partitions
        tps = [TopicPartition(self.topic, p) for p in partitions]
        ends = {tp.partition: self.consumer.get_watermark_offsets(tp, timeout=10)[1] for tp in tps}

        def at_end() -> bool:
            self.poll(0.2)
            at = {tp.partition: tp.offset for tp in self.consumer.position(tps)}
            return all(at[p] >= end for p, end in ends.items() if end > 0)

        wait_until(at_end, timeout, f"{self.topic} read to its end", every=0)
        return self.poll(0)

    def wait_for(
        self, condition: Callable[[list[dict[str, Any]]], bool], timeout: float, what: str
    ) -> list[dict[str, Any]]:
        """Read until ``condition(everything read)`` holds; everything read."""
        wait_until(lambda: condition(self.poll()), timeout, what, every=0)
        return self.poll(0)

    def reached(self, model: str, slot: int) -> list[dict[str, Any]]:
        """Read until a drift event of ``model`` for the window ending at ``slot`` is in."""

        def seen(records: list[dict[str, Any]]) -> bool:
            return any(r["model_id"] == model and window_end(r) >= slot for r in records)

        return self.wait_for(seen, 60, f"drift events of {model} up to {slot}")

    def close(self) -> None:
        self.consumer.close()

    def __enter__(self) -> TopicReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
