"""Soak: one worker under a steady stream for minutes; memory growth and consumer lag.

``python -m benchmarks run --profile quick --only soak`` (about 3 minutes) or ``full``
(about 8). A producer thread sends envelopes of current wall-clock events (the twenty-
feature mix of :mod:`benchmarks.throughput`) at a fixed rate to the real broker; one
worker (wall clock, 10 s buckets, 60 s windows, evaluation every 10 s) consumes them into
the real Redis. Every ``sample_seconds`` it records the worker's resident memory
(``VmRSS``), Redis' ``used_memory`` and key count, and the lag: messages the consumer
group has not committed, and events produced but not yet counted.

Retention (65 s) and the label-join TTL (30 s) are short on purpose, so Redis reaches its
steady state inside the run: buckets live window + retention = 125 s, join records
label TTL + window = 90 s. Growth is measured after :data:`SETTLE_SECONDS`; what grows
after that is a leak, not data. Not a
test: nothing is asserted but exact counts at the end.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import redis
import yaml
from confluent_kafka import Consumer, Producer, TopicPartition

from benchmarks.kafka_worker import (
    Run,
    counted,
    create_topic,
    delete_topics,
    drop_keys,
    services,
    worker,
    write_config,
)
from benchmarks.report import suite_main
from benchmarks.workload import ENVELOPE, LIVE_WINDOWS, live_envelopes, reference
from tests.integration.worker_util import wait_until

SUITE: Final = "soak"
TITLE: Final = "Soak: memory growth and consumer lag under a steady stream"
RETENTION: Final = "65s"
LABEL_TTL: Final = "30s"
SETTLE_SECONDS: Final = 100.0
SOAK_DB: Final = 9
"""The Redis database of the run, so its key count is its own (memory is the server's)."""
"""Growth is measured from the first sample after this (caches, buckets, records fill)."""


@dataclass(frozen=True)
class SoakProfile:
    name: str
    seconds: float
    rate: float
    sample_seconds: float = 10.0


PROFILES: Final = {
    "quick": SoakProfile("quick", 150.0, 2_000.0),
    "full": SoakProfile("full", 420.0, 2_000.0),
}


@dataclass(frozen=True)
class Sample:
    at: float
    produced: int
    counted: int
    lag_messages: int
    rss: int
    redis_used: int
    redis_keys: int


@dataclass
class SoakReport:
    profile: SoakProfile
    samples: list[Sample] = field(default_factory=list)
    produced: int = 0
    counted: int = 0
    drain_seconds: float = 0.0


class SteadyProducer(threading.Thread):
    """Envelopes of :data:`ENVELOPE` live events at ``rate`` events/s for ``seconds``."""

    def __init__(self, kafka: str, topic: str, model: str, profile: SoakProfile) -> None:
        super().__init__(daemon=True)
        self.kafka, self.topic, self.model, self.profile = kafka, topic, model, profile
        self.sent = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            producer = Producer({"bootstrap.servers": self.kafka, "linger.ms": 5})
            every = ENVELOPE / self.profile.rate
            began = time.monotonic()
            while time.monotonic() - began < self.profile.seconds:
                n = self.sent // ENVELOPE
                if (pause := began + n * every - time.monotonic()) > 0:
                    time.sleep(pause)
                value = live_envelopes(self.model, ENVELOPE, n)
                producer.produce(self.topic, value, str(n).encode())
                producer.poll(0)
                self.sent += ENVELOPE
            if producer.flush(60) != 0:
                raise RuntimeError("soak events still queued after 60 s")
        except BaseException as exc:  # reported by the caller
            self.error = exc


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def lag(consumer: Consumer, topic: str) -> int:
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    tps = [TopicPartition(topic, p) for p in partitions]
    total = 0
    for tp in consumer.committed(tps, timeout=10):
        _, high = consumer.get_watermark_offsets(tp, timeout=10)
        total += high - max(tp.offset, 0)
    return total


def soak_config(directory: Path, kafka: str, url: str, run: Run, ref: Path) -> Path:
    path = write_config(directory, kafka, url, run, ref, "wall", LIVE_WINDOWS)
    config = yaml.safe_load(path.read_text())
    model = config["models"][0]
    model["windows"]["retention"] = RETENTION
    model["label_ttl"] = LABEL_TTL
    path.write_text(yaml.safe_dump(config))
    return path


def _sample(
    began: float, producer: SteadyProducer, client: redis.Redis, group: Consumer, run: Run, pid: int
) -> Sample:
    info = client.info("memory")
    return Sample(
        at=time.monotonic() - began,
        produced=producer.sent,
        counted=counted(client, run.model),
        lag_messages=lag(group, run.topic("predictions")),
        rss=rss_bytes(pid),
        redis_used=int(info["used_memory"]),
        redis_keys=int(client.dbsize()),
    )


def own_database(url: str) -> str:
    """``url`` on database :data:`SOAK_DB`.

    >>> own_database("redis://127.0.0.1:6379/0")
    'redis://127.0.0.1:6379/9'
    """
    base, _, db = url.rpartition("/")
    return f"{base}/{SOAK_DB}" if db.isdigit() and base.count("/") >= 2 else f"{url}/{SOAK_DB}"


def run_soak(profile: SoakProfile) -> SoakReport:
    kafka, shared = services()
    url = own_database(shared)
    run = Run(uuid.uuid4().hex[:10])
    client = redis.Redis.from_url(url)
    report = SoakReport(profile)
    create_topic(kafka, run.topic("predictions"))
    group = Consumer({"bootstrap.servers": kafka, "group.id": f"sm-bench-{run.tag}"})
    with tempfile.TemporaryDirectory(prefix="sm-soak-") as tmp:
        directory = Path(tmp)
        ref = directory / "reference.json"
        reference().save(ref)
        config = soak_config(directory, kafka, url, run, ref)
        log = directory / "worker.log"
        try:
            with worker(config, log) as proc:
                proc.wait_ready(90)
                assert proc.process is not None
                producer = SteadyProducer(kafka, run.topic("predictions"), run.model, profile)
                began = time.monotonic()
                producer.start()
                while producer.is_alive():
                    report.samples.append(
                        _sample(began, producer, client, group, run, proc.process.pid)
                    )
                    producer.join(profile.sample_seconds)
                if producer.error is not None:
                    raise producer.error
                report.produced = producer.sent
                ended = time.monotonic()
                wait_until(lambda: counted(client, run.model) >= producer.sent, 300, "the drain")
                report.drain_seconds = time.monotonic() - ended
                report.samples.append(
                    _sample(began, producer, client, group, run, proc.process.pid)
                )
                proc.check_alive()
            report.counted = counted(client, run.model)
        except BaseException:
            print(f"--- worker log\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            group.close()
            drop_keys(client, run.model)
            delete_topics(kafka, run)
    if report.counted != report.produced:
        raise AssertionError(f"counted {report.counted}, produced {report.produced}")
    return report


def _mib(n: float) -> str:
    return f"{n / 2**20:,.1f}"


def _growth(samples: list[Sample], value: str) -> tuple[float, float]:
    """Growth in bytes from the first sample after :data:`SETTLE_SECONDS` to the last, and
    the same per minute."""
    settled = [s for s in samples if s.at >= SETTLE_SECONDS] or samples
    first, last = settled[0], samples[-1]
    grown = float(getattr(last, value) - getattr(first, value))
    minutes = max(last.at - first.at, 1.0) / 60
    return grown, grown / minutes


def markdown(report: SoakReport) -> str:
    p, samples = report.profile, report.samples
    rss, rss_rate = _growth(samples, "rss")
    used, used_rate = _growth(samples, "redis_used")
    worst_lag = max(s.produced - s.counted for s in samples)
    out = [
        f"Profile `{p.name}`: {p.seconds:.0f} s at {p.rate:,.0f} events/s in envelopes of "
        f"{ENVELOPE} (the twenty-feature mix, wall-clock times), one worker, windows "
        f"{LIVE_WINDOWS['bucket']} s buckets / {LIVE_WINDOWS['window']} s, retention "
        f"{RETENTION}, label-join TTL {LABEL_TTL}; a sample every {p.sample_seconds:.0f} s. "
        f"Redis keys are the run's own (`DBSIZE` of database {SOAK_DB}, "
        f"{samples[0].redis_keys:,} at the start); memory is the whole server's `used_memory`.",
        "",
        "| t (s) | produced | counted | lag (messages) | worker RSS (MiB) | Redis used (MiB) "
        "| Redis keys |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in samples:
        out.append(
            f"| {s.at:.0f} | {s.produced:,} | {s.counted:,} | {s.lag_messages:,} | "
            f"{_mib(s.rss)} | {_mib(s.redis_used)} | {s.redis_keys:,} |"
        )
    out += [
        "",
        f"- events: {report.produced:,} produced, {report.counted:,} counted (exact); "
        f"the last ones counted {report.drain_seconds:.1f} s after the producer stopped",
        f"- worst lag at a sample: {worst_lag:,} events ({worst_lag / p.rate:.1f} s of input)",
        f"- worker RSS after {SETTLE_SECONDS:.0f} s: {_mib(rss)} MiB growth "
        f"({_mib(rss_rate)} MiB/min)",
        f"- Redis `used_memory` after {SETTLE_SECONDS:.0f} s: {_mib(used)} MiB growth "
        f"({_mib(used_rate)} MiB/min)",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    return suite_main(
        argv, SUITE, TITLE, PROFILES, lambda profile: markdown(run_soak(PROFILES[profile]))
    )


if __name__ == "__main__":
    sys.exit(main())
