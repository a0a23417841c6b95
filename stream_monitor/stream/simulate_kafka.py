"""``simulate --to-kafka``: the simulated scenario produced to the configured topics.

Predictions go to the predictions topic (keyed by event id, so they spread over the
partitions), labels to the ground-truth topic, merged in event-time order as they would
arrive; optionally paced to a number of messages per wall-clock second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from stream_monitor.embedded import event_seconds
from stream_monitor.settings import Settings
from stream_monitor.stream.kafka_config import confluent_config
from stream_monitor.stream.publisher import Publisher, Record

CHUNKS_PER_SECOND = 10
"""How often a paced run delivers (and waits): a chunk is a tenth of a second's records."""


@dataclass(frozen=True)
class Produced:
    predictions: int
    labels: int


def scenario_records(
    predictions: Sequence[dict[str, Any]], labels: Sequence[dict[str, Any]], settings: Settings
) -> list[Record]:
    """Every record of the scenario, in event-time order (a prediction before its label)."""
    topics = settings.topics
    keyed = [
        (event_seconds(p["timestamp"]), 0, _record(topics.predictions, p)) for p in predictions
    ]
    keyed += [(event_seconds(g["timestamp"]), 1, _record(topics.ground_truth, g)) for g in labels]
    keyed.sort(key=lambda item: item[:2])
    return [record for _, _, record in keyed]


def _record(topic: str, event: dict[str, Any]) -> Record:
    return Record(topic, str(event["event_id"]).encode(), orjson.dumps(event))


def chunks(records: Sequence[Record], per_second: float) -> Iterator[Sequence[Record]]:
    """The records in deliveries: all at once (``per_second`` <= 0) or a tenth of a
    second's worth at a time."""
    size = len(records) if per_second <= 0 else max(1, int(per_second / CHUNKS_PER_SECOND))
    for start in range(0, len(records), max(size, 1)):
        yield records[start : start + size]


def produce(
    records: Sequence[Record],
    publisher: Publisher,
    per_second: float = 0.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Deliver the records (every one acknowledged), paced to ``per_second`` if > 0."""
    started, sent = clock(), 0
    for chunk in chunks(records, per_second):
        publisher.publish(chunk)
        sent += len(chunk)
        if per_second > 0:
            ahead = started + sent / per_second - clock()
            if ahead > 0:
                sleep(ahead)


def produce_scenario(
    settings: Settings,
    predictions: Sequence[dict[str, Any]],
    labels: Sequence[dict[str, Any]],
    per_second: float = 0.0,
) -> Produced:
    """Produce the scenario to the configured cluster and topics."""
    publisher = Publisher(confluent_config(settings.kafka), threading.Event())
    try:
        produce(scenario_records(predictions, labels, settings), publisher, per_second)
    finally:
        publisher.close()
    return Produced(len(predictions), len(labels))
