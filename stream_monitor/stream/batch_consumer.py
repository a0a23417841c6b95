"""The predictions topic's consumer: whole fetched batches straight to the ingest step.

A faust agent receives one record at a time (a Message, an Event, queue hand-offs and an
ack per record): about 150 µs of the event loop per record here, a ceiling near 7k
single-event messages per second per worker, whatever ingest costs. The predictions topic
carries every prediction, so it is read by a librdkafka consumer (confluent-kafka) in a
thread of its own: ``consume(n)`` returns a batch of records built in C, the batch goes to
the same :class:`~stream_monitor.stream.ingest_step.IngestStep` as before, and its offsets
are *stored* for commit only once the step has returned (Redis holds the batch, its dead
letters are delivered). librdkafka commits stored offsets every ``COMMIT_INTERVAL_MS``, on
revocation and on close; a batch applied but not committed before a crash is read again
and changes nothing (the Redis watermark). Rebalance callbacks run inside ``consume``,
between batches: no batch is ever half-way through the step when partitions move.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from stream_monitor.dead_letters import RawMessage, byte_runs
from stream_monitor.stream.retry import ShuttingDownError

log = logging.getLogger(__name__)
COMMIT_INTERVAL_MS: Final = 1000
FETCH_QUEUE_BACKOFF_MS: Final = 10
COMMITTED_TIMEOUT_SECONDS: Final = 5.0
CONSUMER_DEFAULTS: Final[Mapping[str, Any]] = {
    "enable.auto.commit": True,
    "enable.auto.offset.store": False,  # stored by hand, once the batch is applied
    "auto.commit.interval.ms": COMMIT_INTERVAL_MS,
    "auto.offset.reset": "earliest",
    "queued.max.messages.kbytes": 16384,  # prefetch: 16 MiB, not 64
    # A partition whose prefetch is full is not fetched again for this long. librdkafka's
    # default, 1000 ms, starved the worker: it drains 16 MiB of envelopes in 0.1-0.3 s,
    # then its consume() came back empty for the rest of the second (a backlog of 100k
    # events in envelopes took 1.2 s at 1000 ms, 0.5 s at 10 ms; docs/benchmarks.md).
    "fetch.queue.backoff.ms": FETCH_QUEUE_BACKOFF_MS,
}
Step = Callable[[Sequence[RawMessage]], object]


def consumer_config(
    client: Mapping[str, Any], group_id: str, session_timeout_seconds: float
) -> dict[str, Any]:
    """librdkafka consumer options: the cluster's ``client`` options plus the group's."""
    session_ms = round(session_timeout_seconds * 1000)
    return {
        **client,
        **CONSUMER_DEFAULTS,
        "group.id": group_id,
        "session.timeout.ms": session_ms,
        "heartbeat.interval.ms": max(100, min(3000, session_ms // 3)),
    }


def next_records(
    consume: Callable[[int, float], list[Message]], batch_size: int, timeout_seconds: float
) -> list[Message]:
    """The records fetched so far, up to ``batch_size``, waiting at most the timeout for
    the first one only: librdkafka's ``consume(n, timeout)`` waits for ``n`` records, and
    envelopes (a few large records) rarely make ``n`` in time."""
    records = consume(1, timeout_seconds)
    if records and batch_size > 1:
        records += consume(batch_size - 1, 0)
    return records


def raw_messages(records: Sequence[Message]) -> list[RawMessage]:
    """The data records of a consumed batch (error records are logged and left out)."""
    messages = []
    for record in records:
        error = record.error()
        if error is not None:
            _on_error(error)
            continue
        value, topic = record.value(), record.topic()
        messages.append(
            RawMessage(value or b"", topic or "", record.partition() or 0, record.offset() or 0)
        )
    return messages


def _on_error(error: KafkaError) -> None:
    if error.fatal():
        raise KafkaException(error)
    log.warning("consumer: %s", error)


def parts(messages: Sequence[RawMessage], max_bytes: int) -> list[Sequence[RawMessage]]:
    """The batch cut, in order, into runs of at most ``max_bytes`` of values (a message
    larger than that alone in its run)."""
    return [messages[a:b] for a, b in byte_runs(messages, max_bytes)]


def partition_lag(position: int, committed: int | None, low: int, high: int) -> int | None:
    """Messages of a partition not consumed yet: the high watermark minus the position.
    Until a member consumes its first message of a partition it was assigned, it has no
    position (< 0): then from the group's committed offset, or from the low watermark when
    the group has none (``auto.offset.reset`` earliest). None when the watermark is unknown.
    A partition taken over with nothing new to read must not look as far behind as its
    whole length."""
    if high < 0:
        return None
    start = next((o for o in (position, committed, low) if o is not None and o >= 0), 0)
    return max(0, high - start)


def next_offsets(messages: Sequence[RawMessage]) -> list[TopicPartition]:
    """Per partition of the batch, the offset after its last message (what to commit)."""
    last: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic, message.partition)
        last[key] = max(message.offset, last.get(key, -1))
    return [TopicPartition(t, p, offset + 1) for (t, p), offset in last.items()]


class BatchConsumer:
    """Reads ``topic`` in batches of up to ``batch_size`` records (what was fetched, once
    the first record is there: waiting at most ``timeout_seconds`` for it) and hands each
    to ``step`` in parts of at most ``max_bytes``, until ``stop``.

    :meth:`run` is the body of the consumer's thread; the other methods may be called from
    any thread.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        topic: str,
        step: Step,
        batch_size: int,
        timeout_seconds: float,
        stop: threading.Event,
        max_bytes: int,
    ) -> None:
        self._consumer = Consumer(dict(config))
        self._topic, self._step = topic, step
        self._batch_size, self._timeout = batch_size, timeout_seconds
        self._max_bytes = max_bytes
        self._stop = stop
        self._assigned: frozenset[tuple[str, int]] = frozenset()
        self._lags: dict[tuple[str, int], int] = {}
        self._start: dict[tuple[str, int], int] = {}
        """Committed offsets of the assigned partitions, read when first needed."""
        self._started = threading.Event()
        self._stopped = threading.Event()

    def assignment(self) -> list[tuple[str, int]]:
        return sorted(self._assigned)

    def lags(self) -> dict[tuple[str, int], int]:
        """High watermark minus position, per assigned partition, as of the last batch."""
        return dict(self._lags)

    def run(self) -> None:
        self._started.set()
        try:
            self._consumer.subscribe(
                [self._topic], on_assign=self._on_assign, on_revoke=self._on_revoke
            )
            while not self._stop.is_set():
                if not self._consume_once():
                    break
        finally:
            self._close()

    def _consume_once(self) -> bool:
        """One batch through the step; False when the worker is stopping."""
        messages = raw_messages(self._next_records())
        for part in parts(messages, self._max_bytes):
            try:
                self._step(part)
            except ShuttingDownError:
                return False  # not stored: read again by whoever holds the partition next
            self._store(part)
        self._lags = self._read_lags()
        return True

    def _next_records(self) -> list[Message]:
        return next_records(self._consumer.consume, self._batch_size, self._timeout)

    def _store(self, messages: Sequence[RawMessage]) -> None:
        try:
            self._consumer.store_offsets(offsets=next_offsets(messages))
        except KafkaException as exc:  # revoked meanwhile: the next holder reads it again
            log.info("offsets not stored (%s); the batch will be read again", exc)

    def _read_lags(self) -> dict[tuple[str, int], int]:
        assigned = [TopicPartition(t, p) for t, p in sorted(self._assigned)]
        if not assigned:
            return {}
        positions = self._consumer.position(assigned)
        committed = self._committed([tp for tp in positions if tp.offset < 0])
        lags = {}
        for tp in positions:
            low, high = self._consumer.get_watermark_offsets(tp, cached=True)
            lag = partition_lag(tp.offset, committed.get((tp.topic, tp.partition)), low, high)
            if lag is not None:
                lags[(tp.topic, tp.partition)] = lag
        return lags

    def _committed(self, partitions: list[TopicPartition]) -> dict[tuple[str, int], int]:
        """The group's committed offsets of partitions this member has no position in yet
        (assigned, but no message consumed since), asked once per assignment: nobody else
        commits them meanwhile. Left out while the broker does not answer."""
        missing = [tp for tp in partitions if (tp.topic, tp.partition) not in self._start]
        if missing:
            try:
                found = self._consumer.committed(missing, timeout=COMMITTED_TIMEOUT_SECONDS)
            except KafkaException as exc:
                log.info("committed offsets not read (%s); their lag is left out", exc)
                return self._start
            self._start.update(((tp.topic, tp.partition), tp.offset) for tp in found)
        return self._start

    def _on_assign(self, _: Consumer, partitions: list[TopicPartition]) -> None:
        self._assigned = frozenset((tp.topic, tp.partition) for tp in partitions)
        self._start = {}
        log.info("%s assigned: %s", self._topic, ", ".join(f"{p}" for _, p in self.assignment()))

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._commit(consumer)
        self._assigned = frozenset()
        self._lags, self._start = {}, {}

    @staticmethod
    def _commit(consumer: Consumer) -> None:
        try:
            consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError._NO_OFFSET:
                log.warning("committing stored offsets failed: %s", exc)

    def wait_stopped(self, timeout_seconds: float) -> bool:
        """After ``stop`` is set: True once :meth:`run` has closed the consumer (at once
        when it never ran: then it is closed here)."""
        if not self._started.is_set():
            self._close()
        return self._stopped.wait(timeout_seconds)

    def _close(self) -> None:
        try:
            self._consumer.close()  # commits the stored offsets, leaves the group
        except (KafkaException, RuntimeError) as exc:
            log.warning("closing the predictions consumer: %s", exc)
        finally:
            self._stopped.set()


class ConsumerPool:
    """Several :class:`BatchConsumer` of one group in one process, each in its own thread:
    while one waits on Redis (the Lua script runs there) another decodes its batch. Each
    holds its own partitions, so a partition's batches stay in order."""

    def __init__(self, members: Sequence[BatchConsumer]) -> None:
        self.members = list(members)

    def assignment(self) -> list[tuple[str, int]]:
        return sorted(tp for member in self.members for tp in member.assignment())

    def lags(self) -> dict[tuple[str, int], int]:
        return {tp: lag for member in self.members for tp, lag in member.lags().items()}

    def wait_stopped(self, timeout_seconds: float) -> bool:
        """After ``stop`` is set: True once every member has closed its consumer."""
        deadline = time.monotonic() + timeout_seconds
        return all(m.wait_stopped(max(0.0, deadline - time.monotonic())) for m in self.members)
