"""More faults on the real broker and Redis: a broker restart, a consumer-group rebalance
while alerts fire, hostile messages, and Redis killed (no shutdown) with an fsynced AOF.

Each ends with exact counts: once the group has committed everything (lag 0), Redis holds
each valid event once and every other message is on the dead-letter topic once.
"""

from __future__ import annotations

import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from stream_monitor.ingest import RawMessage
from stream_monitor.model_spec import INVALID_MODEL
from stream_monitor.pipeline import Pipeline
from stream_monitor.service import build_specs
from stream_monitor.settings import load_settings
from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from tests.conftest import SERVICES, Services
from tests.integration.hostile import hostile_messages
from tests.integration.redis_outage import all_counted, redis_outage
from tests.integration.worker_kafka import PacedProducer, TopicReader, group_lag, produce
from tests.integration.worker_util import (
    Names,
    PrivateRedis,
    WorkerProcess,
    counted,
    running,
    stream,
    totals,
    wait_until,
    window_end,
    write_config,
)
from tests.pipeline_fixtures import events

N_EVENTS = 12_000


def _local_broker(services: Services) -> None:
    """The broker must be the one of deploy/local/services.sh, which this test restarts."""
    env = subprocess.run(["bash", str(SERVICES), "env"], capture_output=True, text=True)
    ours = services.kafka_bootstrap.split(":")[-1]
    if f":{ours}\n" not in env.stdout + "\n":
        pytest.skip("the broker was not started by deploy/local/services.sh")


def test_a_broker_restart_mid_stream_loses_and_repeats_nothing(
    services: Services, tmp_path: Path
) -> None:
    _local_broker(services)
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    messages = stream(names.model, N_EVENTS)
    # the producer outlives the restart: it waits for the broker up to 180 s
    producer = PacedProducer(
        services.kafka_bootstrap, names.topic("predictions"), messages, flush_seconds=180
    )
    with running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,):
        worker.wait_ready()
        producer.start()
        wait_until(lambda: counted(services.redis_url, names.model) >= 3000, 60, "3000 counted")
        subprocess.run(["bash", str(SERVICES), "kafka-restart"], check=True, timeout=180)
        assert counted(services.redis_url, names.model) < N_EVENTS, "not mid-stream"
        producer.finish(timeout=180)
        wait_until(lambda: all_counted(services, services.redis_url, names, N_EVENTS), 180, "lag 0")
        worker.check_alive()
        assert worker.terminate() == 0
    assert counted(services.redis_url, names.model) == N_EVENTS


def _drift_keys(records: list[dict[str, Any]]) -> Counter[tuple[float, str, str, str]]:
    return Counter(
        (window_end(r), r["target"]["kind"], r["target"]["name"], r["statistic"]) for r in records
    )


def test_a_rebalance_while_alerts_fire_counts_and_publishes_everything_once(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    messages = stream(names.model, N_EVENTS, shift_from=4000)  # amount shifts at 400 s
    topic = names.topic("predictions")
    joining = PacedProducer(services.kafka_bootstrap, topic, messages[5000:9000], chunk=200)
    leaving = PacedProducer(services.kafka_bootstrap, topic, messages[9000:], chunk=200)
    first, second = (WorkerProcess(config, tmp_path / f"{n}.log") for n in ("first", "second"))
    with (
        TopicReader(services.kafka_bootstrap, names.topic("drift")) as drift,
        TopicReader(services.kafka_bootstrap, names.topic("alerts")) as alerts,
        running(first),
    ):
        first.wait_ready()
        produce(services.kafka_bootstrap, topic, messages[:5000])
        with running(second):  # joins while events arrive: the group rebalances
            joining.start()
            second.wait_ready()
            joining.finish()
            wait_until(
                lambda: any(a["status"] == "firing" for a in alerts.poll()), 90, "a firing alert"
            )
            leaving.start()
            assert counted(services.redis_url, names.model) < N_EVENTS, "not mid-stream"
            assert second.terminate() == 0  # leaves while events arrive: rebalances again
        leaving.finish()
        wait_until(lambda: all_counted(services, services.redis_url, names, N_EVENTS), 120, "lag 0")
        first.check_alive()
        drift_records, alert_records = drift.drain(), alerts.drain()
    assert counted(services.redis_url, names.model) == N_EVENTS
    assert max(_drift_keys(drift_records).values()) == 1, "a drift event was published twice"
    statuses: dict[str, list[str]] = defaultdict(list)
    for alert in alert_records:
        statuses[alert["fingerprint"]].append(alert["status"])
    assert any("firing" in seen for seen in statuses.values())
    for fingerprint, seen in statuses.items():  # no alert started twice
        assert seen in (["pending"], ["pending", "firing"]), f"{fingerprint}: {seen}"


def _expected(config: Path, messages: list[RawMessage]) -> tuple[int, Counter[str]]:
    """What the same pipeline does in process: events counted, dead-letter reasons."""
    settings = load_settings(config)
    pipeline = Pipeline(
        build_specs(settings), MemoryStore(), max_message_bytes=settings.limits.max_message_bytes
    )
    result = pipeline.ingest(messages)
    return result.events, Counter(str(d.reason) for d in result.dead_letters)


def _dlq_totals(counts: dict[str, int]) -> Counter[str]:
    return Counter({k.removeprefix("i:dlq:"): v for k, v in counts.items() if "dlq" in k})


def test_hostile_messages_are_dead_lettered_once_and_good_ones_counted_once(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    server = PrivateRedis(tmp_path / "redis")  # its own: the `_invalid` totals are global
    server.start()
    limits = {"max_message_bytes": 65_536}  # hostile messages reach 200 kB: some are oversized
    config = write_config(tmp_path, services.kafka_bootstrap, server.url, names, limits)
    valid = [{**e, "model_id": names.model} for e in events(2000, seed=3)]
    bad = hostile_messages(valid[:100], 150)
    values = [orjson.dumps(e) for e in valid[:1000]] + bad + [orjson.dumps(e) for e in valid[1000:]]
    topic = names.topic("predictions")
    try:
        with (
            running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,),
            TopicReader(services.kafka_bootstrap, names.topic("dead-letter")) as dead,
        ):
            worker.wait_ready()
            where = produce(services.kafka_bootstrap, topic, values)
            wait_until(
                lambda: group_lag(services.kafka_bootstrap, names.group, topic) == 0, 90, "lag 0"
            )
            worker.check_alive()
            letters = dead.drain()
        got = totals(server.url, names.model)
        invalid = _dlq_totals(totals(server.url, INVALID_MODEL))
    finally:
        server.kill()
    raw = [RawMessage(v, topic, p, o) for v, (p, o) in zip(values, where, strict=True)]
    want_events, want_reasons = _expected(config, raw)
    assert want_events >= 2000 and sum(want_reasons.values()) >= 100  # the test tests something
    assert got.get("i:events", 0) == want_events
    assert _dlq_totals(got) + invalid == want_reasons
    assert Counter(d["reason"] for d in letters) == want_reasons
    places = Counter((d["partition"], d["offset"], d["index"]) for d in letters)
    assert max(places.values()) == 1, "a dead letter was published twice"
    assert all(len(orjson.dumps(d)) < 1_000_000 for d in letters)


def test_redis_killed_without_shutdown_recovers_from_its_fsynced_aof(
    services: Services, tmp_path: Path
) -> None:
    # SIGKILL: no save, no goodbye; the AOF holds every acknowledged write
    with redis_outage(
        services, tmp_path, N_EVENTS, PrivateRedis.kill, appendfsync_always=True
    ) as outage:
        server, names, _ = outage
        assert counted(server.url, names.model) == N_EVENTS
        assert redis.Redis.from_url(server.url).hget(keys.totals(names.model), "i:events")
