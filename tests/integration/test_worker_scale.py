"""Same events, same statistics: one worker, two workers in a group, and the embedded replay.

One stream (9000 events over 900 s, ``amount`` shifted from 450 s) goes to two topics of
4 partitions: one consumed by a single worker, one by two workers of one group (each
holding two partitions before the first event arrives). The same lines go through
:class:`stream_monitor.embedded.Replay` on the in-memory store.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from stream_monitor.embedded import Replay
from stream_monitor.pipeline import Pipeline
from stream_monitor.service import build_pipeline
from stream_monitor.settings import load_settings
from stream_monitor.state.memory import MemoryStore
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.state.store import Store
from tests.conftest import Services
from tests.integration.worker_kafka import (
    TopicReader,
    group_lag,
    produce,
)
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    counted,
    evaluated,
    last_slot,
    payloads,
    running,
    wait_until,
    window_end,
    write_config,
)
from tests.pipeline_fixtures import START, events

N_EVENTS, FIRST_PART = 9000, 1500  # 900 s of events; the first 150 s sent first
LAST_SLOT = START + 840  # the last slot whose window every partition has passed
SLOTS = range(START + 60, LAST_SLOT + 1, 60)
Key = tuple[float, str, str, str]


@dataclass(frozen=True)
class Runs:
    one: Names
    two: Names
    config_one: Path
    config_two: Path
    drift_one: list[dict[str, Any]]
    drift_two: list[dict[str, Any]]


def _split(first: WorkerProcess, second: WorkerProcess, topic: str) -> bool:
    """Both workers hold partitions of ``topic``, and together all four."""
    a, b = first.ready() or {}, second.ready() or {}
    mine = [{p for p in w.get("assigned", []) if p.startswith(topic)} for w in (a, b)]
    return all(mine) and not mine[0] & mine[1] and len(mine[0] | mine[1]) == 4


def _evaluating(services: Services, *runs: Names) -> bool:
    return all(evaluated(services.redis_url, names.model, -1) for names in runs)


def _done(services: Services, names: Names) -> bool:
    lag = group_lag(services.kafka_bootstrap, names.group, names.topic("predictions"))
    slot = last_slot(services.redis_url, names.model) or 0
    return lag == 0 and counted(services.redis_url, names.model) >= N_EVENTS and slot >= LAST_SLOT


@pytest.fixture(scope="module")
def runs(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("scale")
    one, two = Names(), Names()
    kafka, redis_url = services.kafka_bootstrap, services.redis_url
    config_one = write_config(tmp, kafka, redis_url, one)
    config_two = write_config(tmp, kafka, redis_url, two)
    rows = events(N_EVENTS, shift_from=N_EVENTS // 2)
    workers = (
        WorkerProcess(config_one, tmp / "one.log"),
        WorkerProcess(config_two, tmp / "two-a.log"),
        WorkerProcess(config_two, tmp / "two-b.log"),
    )
    with (
        TopicReader(kafka, one.topic("drift")) as d1,
        TopicReader(kafka, two.topic("drift")) as d2,
        running(*workers) as (single, a, b),
    ):
        single.wait_ready()
        wait_until(lambda: _split(a, b, two.topic("predictions")), 60, "two workers, 2+2")
        for start, end in ((0, FIRST_PART), (FIRST_PART, N_EVENTS)):
            produce(kafka, one.topic("predictions"), payloads(one.model, rows[start:end]))
            produce(kafka, two.topic("predictions"), payloads(two.model, rows[start:end]))
            # Both runs start evaluating within the first part, so they share most slots.
            wait_until(lambda: _evaluating(services, one, two), 60, "first evaluations")
        wait_until(lambda: _done(services, one) and _done(services, two), 90, "both runs")
        assert _split(a, b, two.topic("predictions")), "a rebalance moved partitions meanwhile"
        drift_one, drift_two = d1.reached(one.model, LAST_SLOT), d2.reached(two.model, LAST_SLOT)
    yield Runs(one, two, config_one, config_two, drift_one, drift_two)


def _pipeline(config: Path, store: Store) -> Pipeline:
    """The worker's pipeline, built from the worker's own settings file."""
    return build_pipeline(load_settings(config), store)


def _close(a: Any, b: Any) -> bool:
    """Equal, with floats equal to 1e-9 (float sums merge in another order across workers)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _window(pipeline: Pipeline, slot: int) -> list[dict[str, Any]]:
    (spec,) = pipeline.specs.values()
    events_ = pipeline.evaluate_only(spec, slot).events
    return [e.model_dump(mode="json", exclude={"model_id"}) for e in events_]


def _statistics(records: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    keep = ("value", "p_value", "threshold", "drift", "window")
    return {
        (window_end(r), r["target"]["kind"], r["target"]["name"], r["statistic"]): {
            k: r[k] for k in keep
        }
        for r in records
        if r["type"] == "drift"
    }


def _common(a: dict[Key, Any], b: dict[Key, Any]) -> list[Key]:
    common = sorted(a.keys() & b.keys())
    assert len({k[0] for k in common}) >= 12, "fewer than 12 slots in common"
    return common


def test_two_workers_merge_into_the_same_windows_as_one(services: Services, runs: Runs) -> None:
    store = RedisStore(redis.Redis.from_url(services.redis_url))
    pipeline_one, pipeline_two = (
        _pipeline(runs.config_one, store),
        _pipeline(runs.config_two, store),
    )
    for slot in SLOTS:
        one, two = _window(pipeline_one, slot), _window(pipeline_two, slot)
        assert one, f"nothing in the window ending at {slot}"
        assert _close(one, two), f"slot {slot} differs"


def test_two_workers_publish_the_same_statistics_as_one(runs: Runs) -> None:
    one, two = _statistics(runs.drift_one), _statistics(runs.drift_two)
    for key in _common(one, two):
        assert _close(one[key], two[key]), key


def test_the_worker_publishes_what_the_embedded_replay_publishes(runs: Runs) -> None:
    model = runs.one.model
    pipeline = _pipeline(runs.config_one, MemoryStore())
    lines = [orjson.dumps({**e, "model_id": model}) for e in events(N_EVENTS, shift_from=4500)]
    replayed = [o.model_dump(mode="json") for o in Replay(pipeline, batch_size=500).run(lines)]
    embedded, worker = _statistics(replayed), _statistics(runs.drift_one)
    common = _common(embedded, worker)
    assert any(embedded[k]["drift"] for k in common), "no drift flagged in the common slots"
    for key in common:
        assert _close(embedded[key], worker[key]), key
