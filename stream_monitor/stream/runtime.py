"""Everything a worker process holds, built once from the settings (no faust here)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from stream_monitor.service import Service, build_service
from stream_monitor.settings import Settings
from stream_monitor.stream.admin import ensure_topics
from stream_monitor.stream.batch_consumer import BatchConsumer, ConsumerPool, consumer_config
from stream_monitor.stream.evaluation import Clock, Evaluator, EventClock, WallClock
from stream_monitor.stream.health import Health, HealthReporter
from stream_monitor.stream.ingest_step import IngestStep
from stream_monitor.stream.kafka_config import confluent_config, labels_group_id
from stream_monitor.stream.prom import WorkerMetrics, evaluation_observer, observed
from stream_monitor.stream.publisher import Publisher

log = logging.getLogger(__name__)
SHUTDOWN_WAIT_SECONDS = 30.0


@dataclass
class Runtime:
    settings: Settings
    service: Service
    publisher: Publisher
    ingest: IngestStep
    ingest_labels: IngestStep
    evaluator: Evaluator
    stop: threading.Event
    metrics: WorkerMetrics
    health: HealthReporter
    consumers: ConsumerPool
    """The predictions consumers (one group) and the labels consumer (a group of its own)."""

    def tick(self, lags: Mapping[tuple[str, int], int]) -> None:
        """The evaluation tick, then this worker's health (``lags``: per assigned partition).
        Never raises: a health report that fails is logged and the next tick sends one."""
        self.evaluator.tick()
        try:
            self.health.report(lags)
        except Exception as exc:
            log.warning("monitor health not published this tick: %s", exc)

    def redis_ok(self) -> bool:
        try:
            self.service.store.last_slot("_ready")
        except Exception:
            return False
        return True

    def counts(self) -> dict[str, dict[str, int]]:
        labels = asdict(self.ingest_labels.counts)
        return {"predictions": asdict(self.ingest.counts), "labels": labels}

    def on_shutdown(self, *_args: Any, **_kwargs: Any) -> None:
        """Blocked retries give up (their batch stays unacked), the consumers commit what
        they applied and leave their groups, then outputs are flushed."""
        self.stop.set()
        if not self.consumers.wait_stopped(SHUTDOWN_WAIT_SECONDS):
            log.warning("the consumers did not stop within %.0f s", SHUTDOWN_WAIT_SECONDS)
        self.publisher.close()


def make_clock(settings: Settings, service: Service, partitions: dict[str, int]) -> Clock:
    if settings.worker.evaluation_clock == "wall":
        return WallClock()
    topic = settings.topics.predictions
    return EventClock(service.store, topic, partitions[topic])


def build_consumers(
    settings: Settings,
    kafka: Mapping[str, Any],
    stop: threading.Event,
    predictions: IngestStep,
    labels: IngestStep,
) -> ConsumerPool:
    """``worker.consumer_threads`` members of the predictions group, and the labels
    consumer in the group ``<group_id>.labels``: librdkafka batch consumers, each in a
    thread of its own."""

    batches = settings.kafka

    def member(group_id: str, topic: str, step: IngestStep) -> BatchConsumer:
        config = consumer_config(kafka, group_id, settings.worker.session_timeout_seconds)
        size, wait = batches.batch_size, batches.batch_timeout_seconds
        return BatchConsumer(config, topic, step, size, wait, stop, batches.batch_max_bytes)

    group, topics = settings.kafka.group_id, settings.topics
    threads = settings.worker.consumer_threads
    members = [member(group, topics.predictions, predictions) for _ in range(threads)]
    return ConsumerPool([*members, member(labels_group_id(group), topics.ground_truth, labels)])


def build_runtime(settings: Settings) -> Runtime:
    """Topics created, Redis connected, models loaded: ready for :func:`create_app`."""
    service = build_service(settings)  # first: a bad model config fails before Kafka is touched
    kafka = confluent_config(settings.kafka)
    partitions = ensure_topics(settings, kafka)
    stop = threading.Event()
    publisher = Publisher(kafka, stop)
    topics = settings.topics
    pipeline = service.pipeline
    metrics, health = WorkerMetrics(), Health(since=time.time())
    ingest = observed(pipeline.ingest, topics.predictions, metrics, health.processed)
    ingest_labels = observed(
        pipeline.ingest_labels, topics.ground_truth, metrics, health.processed, labels=True
    )
    step = IngestStep(ingest, publisher, topics.dead_letter, stop)
    labels = IngestStep(ingest_labels, publisher, topics.dead_letter, stop)
    clock = make_clock(settings, service, partitions)
    evaluator = Evaluator(
        pipeline,
        service.store,
        clock,
        publisher,
        topics,
        service.silences,
        lease_seconds=settings.worker.evaluation_lease_seconds,
    )
    evaluator.observe = evaluation_observer(metrics)
    worker = f"{socket.gethostname()}:{settings.worker.web_port}"
    reporter = HealthReporter(health, metrics, service.store, publisher, topics, worker)
    consumers = build_consumers(settings, kafka, stop, step, labels)
    log.info(
        "models %s; clock %s; topics %s",
        ", ".join(service.pipeline.specs) or "none",
        settings.worker.evaluation_clock,
        partitions,
    )
    return Runtime(
        settings, service, publisher, step, labels, evaluator, stop, metrics, reporter, consumers
    )
