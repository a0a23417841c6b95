"""Topics: create the missing ones at start, so a worker runs on a fresh cluster."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic  # what confluent_kafka.admin re-exports, typed

from stream_monitor.settings import Settings, TopicSettings
from stream_monitor.stream.preflight import check_kafka

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30.0


def topic_names(topics: TopicSettings) -> list[str]:
    """Every topic the worker reads or writes."""
    return sorted(set(topics.model_dump().values()))


def partition_counts(admin: AdminClient, names: Iterable[str]) -> dict[str, int]:
    """Partitions of each existing topic among ``names``."""
    metadata = admin.list_topics(timeout=TIMEOUT_SECONDS)
    wanted = set(names)
    return {
        name: len(topic.partitions)
        for name, topic in metadata.topics.items()
        if name in wanted and topic.error is None
    }


def create_missing(
    admin: AdminClient, names: Iterable[str], partitions: int, replication: int
) -> list[str]:
    """Create the topics of ``names`` that do not exist yet; the names created."""
    if replication == 0:
        raise ValueError("topic replication must be -1 (the broker's default) or 1 or more")
    missing = sorted(set(names) - set(partition_counts(admin, names)))
    if not missing:
        return []
    new = [NewTopic(n, num_partitions=partitions, replication_factor=replication) for n in missing]
    futures = admin.create_topics(new, operation_timeout=TIMEOUT_SECONDS)
    for future in futures.values():
        try:
            future.result(timeout=TIMEOUT_SECONDS)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:  # another worker won
                raise
    log.info("created topics %s with %d partitions", ", ".join(missing), partitions)
    return missing


def ensure_topics(settings: Settings, config: Mapping[str, Any]) -> dict[str, int]:
    """Create what is missing; the partition count of every topic of the service."""
    check_kafka(config)
    admin = AdminClient(dict(config))
    names = topic_names(settings.topics)
    worker = settings.worker
    create_missing(admin, names, worker.topic_partitions, worker.topic_replication)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while len(counts := partition_counts(admin, names)) < len(names):  # metadata lags a bit
        if time.monotonic() > deadline:
            missing = ", ".join(sorted(set(names) - set(counts)))
            raise RuntimeError(f"topics {missing} still missing {TIMEOUT_SECONDS} s after creation")
        time.sleep(0.2)
    return counts
