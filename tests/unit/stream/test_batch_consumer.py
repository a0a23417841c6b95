"""The predictions consumer's pure parts: records to messages, offsets to commit, options."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException

from stream_monitor.dead_letters import RawMessage
from stream_monitor.stream.batch_consumer import (
    ConsumerPool,
    consumer_config,
    next_offsets,
    next_records,
    partition_lag,
    parts,
    raw_messages,
)


@dataclass
class _Record:
    """Stands for a confluent-kafka Message (whose constructor is not public)."""

    _value: bytes | None
    _partition: int
    _offset: int
    _error: KafkaError | None = None
    _topic: str = "preds"

    def value(self) -> bytes | None:
        return self._value

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def error(self) -> KafkaError | None:
        return self._error


def test_records_become_raw_messages_and_error_records_are_left_out() -> None:
    records = [
        _Record(b"a", 0, 7),
        _Record(None, 1, 3),  # a tombstone: an empty value, dead-lettered downstream
        _Record(None, 0, 0, KafkaError(KafkaError._PARTITION_EOF)),
    ]
    assert raw_messages(records) == [  # type: ignore[arg-type]
        RawMessage(b"a", "preds", 0, 7),
        RawMessage(b"", "preds", 1, 3),
    ]


def test_a_fatal_error_record_raises() -> None:
    fatal = KafkaError(KafkaError._FATAL, "fenced", fatal=True)
    with pytest.raises(KafkaException):
        raw_messages([_Record(None, 0, 0, fatal)])  # type: ignore[list-item]


def test_the_offsets_to_commit_follow_each_partitions_last_message() -> None:
    messages = [RawMessage(b"", "preds", p, o) for p, o in ((0, 5), (1, 9), (0, 6), (1, 2))]
    offsets = {(tp.topic, tp.partition): tp.offset for tp in next_offsets(messages)}
    assert offsets == {("preds", 0): 7, ("preds", 1): 10}


def test_consumer_options_store_offsets_by_hand_and_keep_the_cluster_options() -> None:
    config = consumer_config({"bootstrap.servers": "k:9092", "security.protocol": "SSL"}, "g", 6)
    assert config["group.id"] == "g" and config["security.protocol"] == "SSL"
    assert config["enable.auto.offset.store"] is False and config["enable.auto.commit"] is True
    assert (config["session.timeout.ms"], config["heartbeat.interval.ms"]) == (6000, 2000)


def test_a_full_prefetch_is_fetched_again_well_within_the_time_a_batch_takes() -> None:
    """librdkafka's default (1000 ms) left the consumer empty-handed for most of each
    second once it drained its prefetch faster than that."""
    config = consumer_config({"bootstrap.servers": "k:9092"}, "g", 6)
    assert config["fetch.queue.backoff.ms"] <= 50
    Consumer({**config, "bootstrap.servers": "127.0.0.1:1"}).close()  # librdkafka knows it


def test_a_batch_is_cut_into_parts_of_at_most_max_bytes_in_order() -> None:
    sizes = [3, 3, 5, 12, 1, 1, 2]
    messages = [RawMessage(b"x" * n, "preds", 0, i) for i, n in enumerate(sizes)]
    cut = parts(messages, 6)
    assert [[m.offset for m in part] for part in cut] == [[0, 1], [2], [3], [4, 5, 6]]
    assert parts([], 6) == []


class _Member:
    def __init__(self, assigned: list[tuple[str, int]], lags: dict[tuple[str, int], int]) -> None:
        self._assigned, self._lags, self.waited = assigned, lags, 0.0

    def assignment(self) -> list[tuple[str, int]]:
        return self._assigned

    def lags(self) -> dict[tuple[str, int], int]:
        return self._lags

    def wait_stopped(self, timeout_seconds: float) -> bool:
        self.waited = timeout_seconds
        return True


def test_a_pool_reports_the_partitions_and_lags_of_all_its_consumers() -> None:
    a = _Member([("preds", 2), ("preds", 0)], {("preds", 0): 5})
    b = _Member([("preds", 1)], {("preds", 1): 7})
    pool = ConsumerPool([a, b])  # type: ignore[list-item]
    assert pool.assignment() == [("preds", 0), ("preds", 1), ("preds", 2)]
    assert pool.lags() == {("preds", 0): 5, ("preds", 1): 7}
    assert pool.wait_stopped(10) is True and 0 < b.waited <= a.waited <= 10


def test_a_batch_waits_for_its_first_record_only_then_takes_what_was_fetched() -> None:
    fetched = [_Record(b"a", 0, i) for i in range(5)]
    calls: list[tuple[int, float]] = []

    def consume(n: int, timeout: float) -> list[_Record]:
        calls.append((n, timeout))
        taken = fetched[:n]
        del fetched[:n]
        return taken

    batch = next_records(consume, 1000, 0.5)  # type: ignore[arg-type]
    assert [r.offset() for r in batch] == [0, 1, 2, 3, 4]
    assert calls == [(1, 0.5), (999, 0)]
    calls.clear()
    assert next_records(consume, 1000, 0.5) == [] and calls == [(1, 0.5)]  # type: ignore[arg-type]
    fetched += [_Record(b"b", 1, i) for i in range(3)]
    assert len(next_records(consume, 1, 0.5)) == 1  # type: ignore[arg-type]


def test_a_partition_without_a_position_yet_lags_from_its_committed_offset() -> None:
    assert partition_lag(240, None, 0, 250) == 10  # consumed up to 240
    assert partition_lag(-1001, 250, 0, 250) == 0  # taken over, all committed: no lag
    assert partition_lag(-1001, 200, 0, 250) == 50
    assert partition_lag(-1001, -1001, 30, 250) == 220  # no commit: from the low watermark
    assert partition_lag(-1001, None, -1001, 250) == 250
    assert partition_lag(5, None, 0, -1001) is None  # watermark not known yet
    assert partition_lag(260, None, 0, 250) == 0
