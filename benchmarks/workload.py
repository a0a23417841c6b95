"""The throughput and soak benchmarks' workload: one model of twenty features (the
scenario mix), its events as single-event lines or envelopes, and their in-process ingest
(:class:`Pipeline` on a :class:`MemoryStore`), the ceiling of the throughput benchmark."""

from __future__ import annotations

import time
from typing import Any, Final

import numpy as np
import orjson

from benchmarks.scenarios import MIX
from stream_monitor.dead_letters import byte_runs
from stream_monitor.ingest import RawMessage
from stream_monitor.model_spec import ModelSpec
from stream_monitor.pipeline import Pipeline
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.settings import KafkaSettings
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stats import ReferenceProfile, build_profile
from stream_monitor.windowing import Windowing

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


def throughput_pipeline(
    ref: ReferenceProfile, model: str, quality: QualitySpec | None = None
) -> Pipeline:
    """A fresh Pipeline + MemoryStore of the one model, on the throughput windows."""
    w = THROUGHPUT_WINDOWS
    windowing = Windowing(w["bucket"], w["window"], w["interval"], w["lateness"])
    return Pipeline({model: ModelSpec(model, ref, windowing, quality=quality)}, MemoryStore())


def in_process(
    ref: ReferenceProfile,
    model: str,
    messages: list[bytes],
    batches: list[tuple[int, int]],
    expected: int,
) -> float:
    """Seconds for a fresh Pipeline + MemoryStore to ingest ``messages`` in ``batches``."""
    pipeline = throughput_pipeline(ref, model)
    raw = raw_batch(messages)
    started = time.perf_counter()
    done = sum(pipeline.ingest(raw[a:b]).events for a, b in batches)
    seconds = time.perf_counter() - started
    if done != expected:
        raise AssertionError(f"in-process ingest counted {done} events, expected {expected}")
    return seconds


def live_envelopes(model: str, count: int, seed: int) -> bytes:
    now = time.time()
    times = [round(now - (count - 1 - j) * 0.0005, 4) for j in range(count)]
    return envelopes(rows(model, count, seed, times))[0]
