"""Throughput benchmark: the Kafka worker end to end on the real broker and Redis.

Issue 4, item 6. Measured side by side in one run, on one model of twenty features (the
scenario mix :data:`benchmarks.scenarios.MIX`: 18 numeric, 2 categorical) and a score:

``worker, single events`` / ``worker, envelopes of 500``
    one ``python -m stream_monitor.stream`` process (event clock, default ``kafka.*``
    batch settings) on a fresh 4-partition predictions topic. The worker is started, a warm-up of
    2,000 events is produced and waited for (its *startup*: process start until the
    warm-up is counted in Redis). Then, ``repeats`` times: the worker is paused (SIGSTOP),
    a load of new events is produced, the load is ingested in process (the ceiling, below),
    the worker is resumed (SIGCONT), and the load's time runs from the resume until Redis
    ``i:events`` holds them all (polled every 20 ms). The rate is the events of one load
    over the best time. Nothing is subtracted; the load was already on the broker, so the
    producer does not limit the rate.
``in-process ceiling``
    :class:`Pipeline` on a :class:`MemoryStore` ingesting the same serialized messages of
    each load, just before the worker's turn (``RawMessage`` batches of
    ``kafka.batch_size`` single-event messages, the worker's default; envelopes both one
    per ingest, 500 events, and in the worker's own batches, ``kafka.batch_max_bytes``
    parts: the faster of the two is the ceiling): decode, validate, bin, count. Best of the
    same loads: each of the worker's loads has its ceiling measured beside it, on this
    shared machine whose speed drifts within minutes.
``latency``
    a live phase on the wall clock: envelopes of 500 events stamped with the current wall
    time, produced at a steady rate, windows bucket 10 s / window 60 s / interval 10 s /
    lateness 5 s, 1 s evaluation ticks. The latency of a drift event is its Kafka record
    timestamp (set by the worker's producer when it publishes) minus the *end* of its
    window, the latest event time the window can hold. Its floor is the lateness (5 s);
    the goal is two evaluation intervals (20 s).
``Redis memory``
    ``MEMORY USAGE key SAMPLES 0`` summed over ``SCAN MATCH sm:{model}:*`` after a run,
    with the number of buckets and bucket keys (one per bucket and part: feature, ops...).

Kafka and Redis come from ``KAFKA_BOOTSTRAP_SERVERS`` / ``REDIS_URL``, else from
``deploy/local/services.sh`` (started if needed). Every worker started is killed on the
way out. Standalone: ``python -m benchmarks.throughput [--profile quick|full]``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import orjson
import redis
import yaml
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from benchmarks.report import ROOT, suite_main
from benchmarks.scenarios import MIX
from stream_monitor.dead_letters import byte_runs
from stream_monitor.ingest import RawMessage
from stream_monitor.model_spec import ModelSpec
from stream_monitor.pipeline import Pipeline
from stream_monitor.settings import KafkaSettings
from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stats import ReferenceProfile, build_profile
from stream_monitor.windowing import Windowing
from tests.integration.worker_util import WorkerProcess, wait_until

SUITE: Final = "throughput"
TITLE: Final = "Throughput: the Kafka worker end to end against the in-process ceiling"
GOAL_SINGLE: Final = 20_000.0
"""Events/s per worker for single-event messages (issue 4)."""
START_EPOCH: Final = 1_767_225_600
EVENT_RATE: Final = 1_000.0
"""Events per second of event time in the throughput runs."""
ENVELOPE: Final = 500
BATCH: Final = KafkaSettings().batch_size
"""Messages per ingest batch: the worker's default ``kafka.batch_size``."""
MAX_BATCH_BYTES: Final = KafkaSettings().batch_max_bytes
"""The worker's default ``kafka.batch_max_bytes``: it ingests a batch in parts of this."""
SHAPE_LINES: Final = f"{BATCH:,} messages per ingest"
SHAPE_ONE: Final = "one envelope per ingest"
SHAPE_WORKER: Final = f"the worker's batches ({MAX_BATCH_BYTES // 2**20} MiB parts)"
WARMUP: Final = 2_000
PARTITIONS: Final = 4
REFERENCE_SIZE: Final = 20_000
THROUGHPUT_WINDOWS: Final = {"bucket": 60, "window": 300, "interval": 60, "lateness": 0}
LIVE_WINDOWS: Final = {"bucket": 10, "window": 60, "interval": 10, "lateness": 5}
TICK_SECONDS: Final = 1.0


@dataclass(frozen=True)
class ThroughputProfile:
    name: str
    single: int
    envelopes: int
    live_seconds: float
    live_rate: float
    repeats: int = 3


PROFILES: Final = {
    "quick": ThroughputProfile("quick", 30_000, 100_000, 75.0, 1_000.0),
    "full": ThroughputProfile("full", 100_000, 300_000, 120.0, 2_000.0),
}


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


# --- data ----------------------------------------------------------------------------------


def reference(seed: int = 0) -> ReferenceProfile:
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {name: dist.sample(rng, REFERENCE_SIZE) for name, dist in MIX.items()}
    columns["score"] = rng.uniform(size=REFERENCE_SIZE).round(4)
    return build_profile(columns)


def rows(model: str, n: int, seed: int, times: list[float]) -> list[dict[str, Any]]:
    """``n`` prediction events of the twenty-feature mix at the given event times."""
    rng = np.random.default_rng(seed)
    raw = {name: dist.sample(rng, n).tolist() for name, dist in MIX.items()}
    scores = rng.uniform(size=n).round(4).tolist()
    names = list(raw)
    return [
        {
            "event_id": f"e-{seed}-{i}",
            "model_id": model,
            "model_version": "1",
            "timestamp": times[i],
            "features": {name: raw[name][i] for name in names},
            "prediction": {"score": scores[i]},
            "latency_ms": 10.0,
        }
        for i in range(n)
    ]


def lines(events: list[dict[str, Any]]) -> list[bytes]:
    return [orjson.dumps(e) for e in events]


def envelopes(events: list[dict[str, Any]]) -> list[bytes]:
    return [
        orjson.dumps({"type": "batch", "events": events[i : i + ENVELOPE]})
        for i in range(0, len(events), ENVELOPE)
    ]


def event_times(n: int, offset: int = 0) -> list[float]:
    return [round(START_EPOCH + (offset + i) / EVENT_RATE, 3) for i in range(n)]


# --- in process ----------------------------------------------------------------------------


def raw_batch(messages: list[bytes]) -> list[RawMessage]:
    return [RawMessage(m, "predictions", i % PARTITIONS, i) for i, m in enumerate(messages)]


def batches_of(count: int, messages: list[bytes]) -> list[tuple[int, int]]:
    """(start, end) of ingest batches of ``count`` messages."""
    return [(i, min(i + count, len(messages))) for i in range(0, len(messages), count)]


def worker_batches(messages: list[bytes]) -> list[tuple[int, int]]:
    """(start, end) of the worker's ingest batches: ``kafka.batch_size`` records, cut in
    parts of ``kafka.batch_max_bytes``."""
    raw = raw_batch(messages)
    return [
        (start + a, start + b)
        for start, end in batches_of(BATCH, messages)
        for a, b in byte_runs(raw[start:end], MAX_BATCH_BYTES)
    ]


def in_process(
    ref: ReferenceProfile,
    model: str,
    messages: list[bytes],
    batches: list[tuple[int, int]],
    expected: int,
) -> float:
    """Seconds for a fresh Pipeline + MemoryStore to ingest ``messages`` in ``batches``."""
    w = THROUGHPUT_WINDOWS
    spec = ModelSpec(model, ref, Windowing(w["bucket"], w["window"], w["interval"], w["lateness"]))
    pipeline = Pipeline({model: spec}, MemoryStore())
    raw = raw_batch(messages)
    started = time.perf_counter()
    done = sum(pipeline.ingest(raw[a:b]).events for a, b in batches)
    seconds = time.perf_counter() - started
    if done != expected:
        raise AssertionError(f"in-process ingest counted {done} events, expected {expected}")
    return seconds


# --- Kafka and the worker --------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    tag: str

    @property
    def model(self) -> str:
        return f"bench-{self.tag}"

    def topic(self, role: str) -> str:
        return f"sm-bench-{role}-{self.tag}"

    def topics(self) -> dict[str, str]:
        roles = ("predictions", "ground_truth", "metrics", "drift", "alerts", "retrain")
        return {r: self.topic(r) for r in roles} | {"dead_letter": self.topic("dead-letter")}


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


def counted(client: redis.Redis, model: str) -> int:
    raw = client.hget(keys.totals(model), "i:events")
    return 0 if raw is None else int(raw)


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
    wait_until(lambda: counted(client, run.model) >= target, 600, "the load", every=0.02)
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
            wait_until(lambda: counted(client, run.model) >= WARMUP, 120, "the warm-up")
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


# --- live latency ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    seconds: float
    rate: float
    produced: int
    slots: int
    drift_events: int
    p50: float
    p99: float
    worst: float
    memory: Memory


def _window_end(record: dict[str, Any]) -> float:
    return datetime.fromisoformat(record["window"]["end"]).timestamp()


def live_envelopes(model: str, count: int, seed: int) -> bytes:
    now = time.time()
    times = [round(now - (count - 1 - j) * 0.0005, 4) for j in range(count)]
    return envelopes(rows(model, count, seed, times))[0]


def _paced(kafka: str, topic: str, model: str, seconds: float, rate: float) -> tuple[int, float]:
    """Envelopes of current wall-clock events at ``rate`` for ``seconds``; (events, first)."""
    producer = Producer({"bootstrap.servers": kafka, "enable.idempotence": True, "linger.ms": 0})
    every = ENVELOPE / rate
    began = time.time()
    sent, first = 0, 0.0
    while time.time() - began < seconds:
        due = began + (sent // ENVELOPE) * every
        if (pause := due - time.time()) > 0:
            time.sleep(pause)
        value = live_envelopes(model, ENVELOPE, sent // ENVELOPE)
        first = first or orjson.loads(value)["events"][0]["timestamp"]
        producer.produce(topic, value, str(sent // ENVELOPE).encode())
        producer.poll(0)
        sent += ENVELOPE
    if producer.flush(60) != 0:
        raise RuntimeError("live events still queued after 60 s")
    return sent, first


def latency_run(
    kafka: str, url: str, directory: Path, ref: Path, profile: ThroughputProfile
) -> Latency:
    run = Run(uuid.uuid4().hex[:10])
    client = redis.Redis.from_url(url)
    create_topic(kafka, run.topic("predictions"))
    create_topic(kafka, run.topic("drift"))
    config = write_config(directory, kafka, url, run, ref, "wall", LIVE_WINDOWS)
    reader = Consumer(
        {
            "bootstrap.servers": kafka,
            "group.id": f"bench-reader-{run.tag}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    reader.subscribe([run.topic("drift")])
    arrivals: list[tuple[float, float]] = []  # (record timestamp, window end)
    try:
        with worker(config, directory / f"worker-{run.tag}.log") as proc:
            proc.wait_ready(90)
            produced, first = _paced(
                kafka, run.topic("predictions"), run.model, profile.live_seconds, profile.live_rate
            )
            last = time.time()
            interval, lateness = LIVE_WINDOWS["interval"], LIVE_WINDOWS["lateness"]
            deadline = last + lateness + 3 * interval
            while time.time() < deadline:
                for msg in reader.consume(500, timeout=0.2):
                    value = msg.value()
                    if msg.error() is None and value:
                        record = orjson.loads(value)
                        arrivals.append((msg.timestamp()[1] / 1000.0, _window_end(record)))
            proc.check_alive()
        used = memory(client, run.model)
    finally:
        reader.close()
        drop_keys(client, run.model)
        delete_topics(kafka, run)
    # windows holding live events: ending after the first event, starting before the last
    kept = [(t, end) for t, end in arrivals if first < end <= last + LIVE_WINDOWS["window"]]
    kept = [(t, end) for t, end in kept if end - LIVE_WINDOWS["window"] < last]
    if not kept:
        raise AssertionError(f"no drift events of the live phase ({len(arrivals)} read)")
    delays = np.array([t - end for t, end in kept])
    return Latency(
        seconds=profile.live_seconds,
        rate=profile.live_rate,
        produced=produced,
        slots=len({end for _, end in kept}),
        drift_events=len(kept),
        p50=float(np.percentile(delays, 50)),
        p99=float(np.percentile(delays, 99)),
        worst=float(delays.max()),
        memory=used,
    )


# --- the suite -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThroughputReport:
    profile: ThroughputProfile
    single: WorkerRun
    batched: WorkerRun
    latency: Latency
    seconds: float


def run_throughput(profile: ThroughputProfile) -> ThroughputReport:
    began = time.perf_counter()
    kafka, url = services()
    ref = reference()
    with tempfile.TemporaryDirectory(prefix="sm-throughput-") as tmp:
        directory = Path(tmp)
        ref_path = directory / "reference.json"
        ref.save(ref_path)
        try:
            runs = (
                worker_run(kafka, url, directory, (ref, ref_path), n, envelope, profile.repeats)
                for n, envelope in ((profile.single, False), (profile.envelopes, True))
            )
            single, batched = runs
            latency = latency_run(kafka, url, directory, ref_path, profile)
        except BaseException:
            for log in sorted(directory.glob("worker-*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
    return ThroughputReport(profile, single, batched, latency, time.perf_counter() - began)


def _kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def _mem(m: Memory) -> str:
    rest = m.bytes - m.bucket_bytes - m.record_bytes
    return (
        f"{_kib(m.bytes)} in {m.keys:,} keys: {m.buckets} buckets ({m.bucket_keys} keys) "
        f"{_kib(m.bucket_bytes)}, {m.records:,} label-join records {_kib(m.record_bytes)} "
        f"({m.record_bytes / max(m.records, 1):.0f} B each), "
        f"other {_kib(rest)}"
    )


def markdown(report: ThroughputReport) -> str:
    p, single, batched, lat = report.profile, report.single, report.batched, report.latency
    two = 2 * LIVE_WINDOWS["interval"]
    lines_out = [
        f"Profile `{p.name}`: one model of 20 features (18 numeric, 2 categorical; the "
        f"scenario mix) and a score, reference of {REFERENCE_SIZE:,} events; one worker "
        f"on a fresh {PARTITIONS}-partition topic: loads of {p.single:,} single-event "
        f"messages, of {p.envelopes:,} events in envelopes of {ENVELOPE} (best of "
        f"{p.repeats} loads, each also ingested in process, after a "
        f"{WARMUP:,}-event warm-up; event "
        f"clock, `kafka.batch_size` {BATCH}); live phase {p.live_seconds:.0f} s at "
        f"{p.live_rate:,.0f} events/s (wall clock, bucket 10 s / window 60 s / interval "
        f"10 s / lateness 5 s, {TICK_SECONDS:.0f} s ticks). Suite time {report.seconds:.0f} s.",
        "",
        "How to read: *worker* rates are a load's events over the best time from resuming "
        "the paused worker (the load already on the broker) until Redis `i:events` holds them "
        "all: fetch, decode, validate, bin, the Lua update in Redis and the offset commits, "
        "nothing subtracted. *Startup* is process start until the warm-up is counted. The "
        "*ceiling* is `Pipeline.ingest` on a `MemoryStore` over the same serialized messages "
        f"of each load (in batches of {BATCH:,} messages; envelopes both one per ingest and in "
        "the worker's own batches, the faster of the two being the ceiling), measured while "
        "the worker is paused just before its turn, so that each ratio compares two rates "
        "taken side by side on this shared machine. *Latency*: Kafka timestamp of a "
        "drift event (set when the worker publishes it) minus the end of its window, the "
        "newest event time the window can hold; its floor is the lateness (5 s) plus up to "
        "one tick.",
        "",
        "| measurement | events | time | events/s | notes |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in (single, batched):
        for shape, seconds in r.ceilings.items():
            best = (
                " (the ceiling: the faster)"
                if len(r.ceilings) > 1 and (seconds == r.ceiling_seconds)
                else ""
            )
            lines_out.append(
                f"| in-process, {r.messages} | {r.events:,} | {seconds:.2f} s | "
                f"{r.events / seconds:,.0f} | Pipeline + MemoryStore, {shape}{best} |"
            )
    for r in (single, batched):
        lines_out.append(
            f"| worker, {r.messages} | {r.events:,} | {r.seconds:.2f} s | {r.rate:,.0f} | "
            f"startup {r.startup:.1f} s; Redis {_mem(r.memory)} |"
        )
    lines_out += [
        "",
        "| latency, event to drift event (envelopes, wall clock) | value |",
        "| --- | ---: |",
        f"| events produced | {lat.produced:,} |",
        f"| windows / drift events measured | {lat.slots} / {lat.drift_events} |",
        f"| p50 | {lat.p50:.2f} s |",
        f"| p99 | {lat.p99:.2f} s |",
        f"| worst | {lat.worst:.2f} s |",
        f"| two evaluation intervals (goal) | {two} s |",
        f"| Redis memory of the model after the live phase | {_mem(lat.memory)} |",
        "",
        "| ratio / goal | value | goal | met |",
        "| --- | ---: | ---: | --- |",
        _ratio_row(
            "envelope e2e / in-process ceiling (single-event messages)",
            batched.rate / single.ceiling_rate,
            0.5,
        ),
        _ratio_row(
            "envelope e2e / in-process envelopes (the faster batching)",
            batched.rate / batched.ceiling_rate,
            0.5,
        ),
        f"| single-event e2e events/s per worker | {single.rate:,.0f} | {GOAL_SINGLE:,.0f} | "
        f"{'yes' if single.rate >= GOAL_SINGLE else 'no'} |",
        f"| latency p99 | {lat.p99:.2f} s | {two} s | {'yes' if lat.p99 <= two else 'no'} |",
    ]
    return "\n".join(lines_out)


def _ratio_row(name: str, value: float, goal: float) -> str:
    return f"| {name} | {value:.3f} | {goal:.2f} | {'yes' if value >= goal else 'no'} |"


def main(argv: list[str] | None = None) -> int:
    return suite_main(
        argv, SUITE, TITLE, PROFILES, lambda profile: markdown(run_throughput(PROFILES[profile]))
    )


if __name__ == "__main__":
    sys.exit(main())
