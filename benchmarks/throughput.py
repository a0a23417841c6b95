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

import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import orjson
import redis
from confluent_kafka import Consumer, Producer

from benchmarks.kafka_worker import (
    Memory,
    Run,
    WorkerRun,
    create_topic,
    delete_topics,
    drop_keys,
    memory,
    services,
    worker,
    worker_run,
    write_config,
)
from benchmarks.labels_load import LABEL_DELAY_SECONDS, LabelsRun, labels_run
from benchmarks.report import suite_main
from benchmarks.workload import (
    BATCH,
    ENVELOPE,
    LIVE_WINDOWS,
    PARTITIONS,
    REFERENCE_SIZE,
    TICK_SECONDS,
    WARMUP,
    live_envelopes,
    reference,
)

SUITE: Final = "throughput"
TITLE: Final = "Throughput: the Kafka worker end to end against the in-process ceiling"
GOAL_SINGLE: Final = 20_000.0
"""Events/s per worker for single-event messages (issue 4)."""


@dataclass(frozen=True)
class ThroughputProfile:
    name: str
    single: int
    envelopes: int
    live_seconds: float
    live_rate: float
    labels: int
    repeats: int = 3


PROFILES: Final = {
    "quick": ThroughputProfile("quick", 30_000, 100_000, 75.0, 1_000.0, 20_000),
    "full": ThroughputProfile("full", 100_000, 300_000, 120.0, 2_000.0, 60_000),
}


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
    labels: LabelsRun
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
            labels = labels_run(kafka, url, directory, (ref, ref_path), profile.labels, 3)
            latency = latency_run(kafka, url, directory, ref_path, profile)
        except BaseException:
            for log in sorted(directory.glob("worker-*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
    seconds = time.perf_counter() - began
    return ThroughputReport(profile, single, batched, labels, latency, seconds)


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
        f"10 s / lateness 5 s, {TICK_SECONDS:.0f} s ticks); labels phase: {p.labels:,} "
        f"predictions in envelopes, then as many labels, one per message, stamped "
        f"{LABEL_DELAY_SECONDS:.0f} s after their predictions (best of 3). "
        f"Suite time {report.seconds:.0f} s.",
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
    lab = report.labels
    lines_out += [
        f"| in-process, labels joined | {lab.labels:,} | {lab.ceiling_seconds:.2f} s | "
        f"{lab.ceiling_rate:,.0f} | Pipeline.ingest_labels + MemoryStore, {BATCH:,} per ingest |",
        f"| worker, labels joined | {lab.labels:,} | {lab.seconds:.2f} s | {lab.rate:,.0f} | "
        f"one label per message, until Redis counts them joined; "
        f"{lab.rate / lab.ceiling_rate:.2f}x the in-process rate |",
    ]
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
