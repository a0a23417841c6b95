"""The throughput and soak benchmarks' Kafka side: the services, a run's topics, a worker
process on them, what it counted in Redis and the memory it used, and the timed loads of
the throughput benchmark (each beside its in-process ceiling)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
import yaml
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from benchmarks.report import ROOT
from benchmarks.workload import (
    BATCH,
    ENVELOPE,
    PARTITIONS,
    SHAPE_LINES,
    SHAPE_ONE,
    SHAPE_WORKER,
    THROUGHPUT_WINDOWS,
    TICK_SECONDS,
    WARMUP,
    batches_of,
    envelopes,
    event_times,
    in_process,
    lines,
    rows,
    worker_batches,
)
from stream_monitor.state import keys
from stream_monitor.stats import ReferenceProfile
from tests.integration.worker_util import Names, WorkerProcess, wait_until

# --- services ----------------------------------------------------------------------------


def services() -> tuple[str, str]:
    """Kafka bootstrap servers and Redis URL: the environment, else the local services."""
    kafka, url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("REDIS_URL")
    if kafka and url:
        return kafka, url
    script = ROOT / "deploy" / "local" / "services.sh"
    subprocess.run(["bash", str(script), "up"], check=True, stdout=sys.stderr)
    out = subprocess.run(["bash", str(script), "env"], check=True, capture_output=True, text=True)
    found = dict(
        line.removeprefix("export ").split("=", 1)
        for line in out.stdout.splitlines()
        if line.startswith("export ")
    )
    return found["KAFKA_BOOTSTRAP_SERVERS"], found["REDIS_URL"]


# --- Kafka and the worker --------------------------------------------------------------------


@dataclass(frozen=True)
class Run(Names):
    """A benchmark run's model and topics: the tests' :class:`Names`, named apart."""

    @property
    def model(self) -> str:
        return f"bench-{self.tag}"

    def topic(self, role: str) -> str:
        return f"sm-bench-{role}-{self.tag}"


def create_topic(kafka: str, topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": kafka})  # held until the futures are done
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=PARTITIONS, replication_factor=-1)]
    )
    for future in futures.values():
        future.result(30)


def delete_topics(kafka: str, run: Run) -> None:
    try:
        admin = AdminClient({"bootstrap.servers": kafka})
        futures = admin.delete_topics(list(run.topics().values()))
        for future in futures.values():
            with contextlib.suppress(Exception):  # a topic never created
                future.result(30)
    except Exception as exc:  # cleanup only
        print(f"throughput: could not delete topics of {run.tag}: {exc}", file=sys.stderr)


def produce(kafka: str, topic: str, values: list[bytes], flush_each: bool = False) -> None:
    """Keyed by index: spread over the partitions, in order within each."""
    producer = Producer({"bootstrap.servers": kafka, "enable.idempotence": True, "linger.ms": 5})
    for i, value in enumerate(values):
        while True:
            try:
                producer.produce(topic, value, str(i).encode())
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    if producer.flush(60) != 0:
        raise RuntimeError(f"messages still queued for {topic} after 60 s")


def write_config(
    directory: Path, kafka: str, url: str, run: Run, ref: Path, clock: str, windows: dict[str, int]
) -> Path:
    config = {
        "kafka": {
            "bootstrap_servers": kafka,
            "group_id": f"sm-bench-{run.tag}",
            "batch_size": BATCH,
        },
        "redis": {"url": url},
        "topics": run.topics(),
        "worker": {
            "evaluation_clock": clock,
            "evaluation_tick_seconds": TICK_SECONDS,
            "session_timeout_seconds": 30,
            "topic_partitions": PARTITIONS,
        },
        "models": [
            {"id": run.model, "reference": str(ref), "windows": {**windows, "retention": "1h"}}
        ],
    }
    path = directory / f"config-{run.tag}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextmanager
def worker(config: Path, log: Path) -> Iterator[WorkerProcess]:
    """A started worker, killed (SIGCONT first, in case it is paused) on the way out."""
    process = WorkerProcess(config, log)
    try:
        yield process.start()
    finally:
        if process.process is not None and process.process.poll() is None:
            process.process.send_signal(signal.SIGCONT)
        process.kill()


def counted(client: redis.Redis, model: str, field: str = "i:events") -> int:
    """A totals field of the model in Redis (events counted, by default)."""
    raw = client.hget(keys.totals(model), field)
    return 0 if raw is None else int(raw)


def counted_at_least(
    client: redis.Redis, model: str, target: int, field: str = "i:events"
) -> Callable[[], bool]:
    """Whether :func:`counted` has reached ``target`` (for :func:`wait_until`)."""
    return lambda: counted(client, model, field) >= target


@dataclass(frozen=True)
class Memory:
    keys: int
    bytes: int
    buckets: int
    bucket_keys: int
    bucket_bytes: int
    records: int
    """Label-join records: fields of the ``sm:{m}:p:<generation>:<subshard>`` hashes."""
    record_bytes: int


def memory(client: redis.Redis, model: str) -> Memory:
    """``MEMORY USAGE`` of every key of ``model``, split into buckets, records and the rest."""
    tag = keys.model_tag(model)
    total = found = bucket_keys = bucket_bytes = records = record_bytes = 0
    buckets: set[str] = set()
    for key in client.scan_iter(match=f"{tag}:*", count=1000):
        name = key.decode() if isinstance(key, bytes) else str(key)
        used = int(client.memory_usage(name, samples=0) or 0)
        found, total = found + 1, total + used
        if name.startswith(f"{tag}:b:"):
            bucket_keys, bucket_bytes = bucket_keys + 1, bucket_bytes + used
            buckets.add(name[len(tag) + 3 :].split(":", 1)[0])
        elif name.startswith(keys.join_shards(model)):
            records, record_bytes = records + int(client.hlen(name)), record_bytes + used
    return Memory(found, total, len(buckets), bucket_keys, bucket_bytes, records, record_bytes)


def drop_keys(client: redis.Redis, model: str) -> None:
    for key in client.scan_iter(match=f"{keys.model_tag(model)}:*", count=1000):
        client.delete(key)


@dataclass(frozen=True)
class WorkerRun:
    messages: str
    events: int
    startup: float
    seconds: float
    """The best of the timed loads."""
    memory: Memory
    ceilings: dict[str, float]
    """Ingest batches -> the best in-process time of the same loads in such batches
    (measured while the worker was paused)."""

    @property
    def ceiling_seconds(self) -> float:
        """The ceiling: the fastest in-process time."""
        return min(self.ceilings.values())

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def ceiling_rate(self) -> float:
        return self.events / self.ceiling_seconds


def _timed_load(
    proc: WorkerProcess, client: redis.Redis, kafka: str, run: Run, load: Load, target: int
) -> tuple[dict[str, float], float]:
    """The load's in-process times, then its worker time: the worker is paused, the load
    produced, ingested in process in each way of batching it (the ceiling, side by side
    with the worker's run), and timed from resuming the worker until Redis counts
    ``target`` events."""
    assert proc.process is not None
    proc.process.send_signal(signal.SIGSTOP)
    try:
        produce(kafka, run.topic("predictions"), load.messages)
        ceilings = {
            name: in_process(load.reference, run.model, load.messages, batches, load.events)
            for name, batches in load.shapes.items()
        }
    finally:
        resumed = time.perf_counter()
        proc.process.send_signal(signal.SIGCONT)
    wait_until(counted_at_least(client, run.model, target), 600, "the load", every=0.02)
    return ceilings, time.perf_counter() - resumed


@dataclass(frozen=True)
class Load:
    reference: ReferenceProfile
    messages: list[bytes]
    events: int
    shapes: dict[str, list[tuple[int, int]]]
    """How the messages are batched in process: name -> (start, end) of each ingest."""

    @classmethod
    def of(cls, reference: ReferenceProfile, messages: list[bytes], events: int) -> Load:
        """Single events in batches of ``kafka.batch_size`` (the worker's own batches);
        envelopes one per ingest, and in the worker's batches."""
        if events == len(messages):
            return cls(reference, messages, events, {SHAPE_LINES: batches_of(BATCH, messages)})
        shapes = {SHAPE_ONE: batches_of(1, messages), SHAPE_WORKER: worker_batches(messages)}
        return cls(reference, messages, events, shapes)


def worker_run(
    kafka: str,
    url: str,
    directory: Path,
    ref: tuple[ReferenceProfile, Path],
    events: int,
    as_envelopes: bool,
    repeats: int,
) -> WorkerRun:
    """One worker, warmed up, then ``repeats`` timed loads of ``events`` events each, each
    also ingested in process just before the worker's turn."""
    run = Run(uuid.uuid4().hex[:10])
    client = redis.Redis.from_url(url)
    encode = envelopes if as_envelopes else lines
    warm = encode(rows(run.model, WARMUP, 1, event_times(WARMUP)))
    create_topic(kafka, run.topic("predictions"))
    reference_profile, ref_path = ref
    config = write_config(directory, kafka, url, run, ref_path, "event", THROUGHPUT_WINDOWS)
    target, times, ceilings = WARMUP, [], []
    try:
        with worker(config, directory / f"worker-{run.tag}.log") as proc:
            began = time.perf_counter()
            produce(kafka, run.topic("predictions"), warm)
            wait_until(counted_at_least(client, run.model, WARMUP), 120, "the warm-up")
            startup = time.perf_counter() - began
            for repeat in range(repeats):
                at = event_times(events, offset=target)
                messages = encode(rows(run.model, events, 2 + repeat, at))
                load = Load.of(reference_profile, messages, events)
                target += events
                ceiling, seconds = _timed_load(proc, client, kafka, run, load, target)
                ceilings.append(ceiling)
                times.append(seconds)
            proc.check_alive()
        if counted(client, run.model) != target:
            raise AssertionError(f"counted {counted(client, run.model)}, expected {target}")
        used = memory(client, run.model)
    finally:
        drop_keys(client, run.model)
        delete_topics(kafka, run)
    label = f"envelopes of {ENVELOPE}" if as_envelopes else "single events"
    best = {name: min(c[name] for c in ceilings) for name in ceilings[0]}
    return WorkerRun(label, events, startup, min(times), used, best)
