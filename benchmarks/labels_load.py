"""The throughput benchmark's labels phase: one worker joins ground-truth messages (one
label per message) to predictions it has already counted, timed end to end, with the same
labels joined in process (``Pipeline.ingest_labels`` on a ``MemoryStore``) while the worker
is paused, as the ceiling."""

from __future__ import annotations

import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson
import redis

from benchmarks.kafka_worker import (
    Run,
    counted_at_least,
    create_topic,
    delete_topics,
    drop_keys,
    produce,
    worker,
    write_config,
)
from benchmarks.workload import (
    BATCH,
    PARTITIONS,
    THROUGHPUT_WINDOWS,
    envelopes,
    event_times,
    raw_batch,
    rows,
    throughput_pipeline,
)
from stream_monitor.ingest import RawMessage
from stream_monitor.label_join import JOINED_TOTAL
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.stats import ReferenceProfile
from tests.integration.worker_util import wait_until

LABEL_DELAY_SECONDS: Final = 60.0
"""Each label is stamped this long after its prediction."""


@dataclass(frozen=True)
class LabelsRun:
    labels: int
    seconds: float
    """The best of the timed loads."""
    ceiling_seconds: float
    """The best in-process time of the same loads."""

    @property
    def rate(self) -> float:
        return self.labels / self.seconds

    @property
    def ceiling_rate(self) -> float:
        return self.labels / self.ceiling_seconds


def _labels(predictions: list[dict[str, Any]]) -> list[bytes]:
    return [
        orjson.dumps(
            {
                "event_id": p["event_id"],
                "model_id": p["model_id"],
                "timestamp": p["timestamp"] + LABEL_DELAY_SECONDS,
                "label": i % 2,
            }
        )
        for i, p in enumerate(predictions)
    ]


def _in_process(
    ref: ReferenceProfile, model: str, predictions: list[bytes], labels: list[bytes]
) -> float:
    """Seconds for a Pipeline + MemoryStore holding the predictions to join the labels."""
    pipeline = throughput_pipeline(ref, model, QualitySpec("binary"))
    pipeline.ingest(raw_batch(predictions))
    raw = [RawMessage(m, "labels", i % PARTITIONS, i) for i, m in enumerate(labels)]
    started = time.perf_counter()
    joined = sum(
        pipeline.ingest_labels(raw[i : i + BATCH]).events for i in range(0, len(raw), BATCH)
    )
    seconds = time.perf_counter() - started
    if joined != len(labels):
        raise AssertionError(f"in-process join counted {joined} labels, expected {len(labels)}")
    return seconds


def labels_run(
    kafka: str, url: str, directory: Path, ref: tuple[ReferenceProfile, Path], n: int, repeats: int
) -> LabelsRun:
    """One worker; ``repeats`` times: ``n`` predictions in envelopes, counted, then ``n``
    labels produced while the worker is paused and joined in process (the ceiling), then
    timed from resuming the worker until Redis has joined them all."""
    run = Run(uuid.uuid4().hex[:10])
    client = redis.Redis.from_url(url)
    profile, path = ref
    for role in ("predictions", "ground_truth"):
        create_topic(kafka, run.topic(role))
    config = write_config(directory, kafka, url, run, path, "event", THROUGHPUT_WINDOWS)
    times, ceilings, done = [], [], 0
    try:
        with worker(config, directory / f"worker-{run.tag}.log") as proc:
            assert proc.process is not None
            for repeat in range(repeats):
                target = done + n
                predictions = rows(run.model, n, 50 + repeat, event_times(n, offset=done))
                batched, labels = envelopes(predictions), _labels(predictions)
                produce(kafka, run.topic("predictions"), batched)
                wait_until(counted_at_least(client, run.model, target), 120, "the predictions")
                proc.process.send_signal(signal.SIGSTOP)
                try:
                    produce(kafka, run.topic("ground_truth"), labels)
                    ceilings.append(_in_process(profile, run.model, batched, labels))
                finally:
                    resumed = time.perf_counter()
                    proc.process.send_signal(signal.SIGCONT)
                wait_until(
                    counted_at_least(client, run.model, target, JOINED_TOTAL),
                    600,
                    "the labels",
                    every=0.02,
                )
                times.append(time.perf_counter() - resumed)
                done = target
            proc.check_alive()
    finally:
        drop_keys(client, run.model)
        delete_topics(kafka, run)
    return LabelsRun(n, min(times), min(ceilings))
