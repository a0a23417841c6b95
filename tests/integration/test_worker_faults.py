"""Fault tests of the Kafka worker on the real broker and Redis.

What "exact" means here: once the consumer group has committed every produced message
(lag 0), Redis has counted each valid event exactly once. A lost event would leave the
count below the number produced, an event applied twice would push it above.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from stream_monitor.state import keys
from tests.conftest import Services
from tests.integration.redis_outage import all_counted, redis_outage
from tests.integration.worker_kafka import (
    PacedProducer,
    TopicReader,
    group_lag,
    produce,
)
from tests.integration.worker_util import (
    Names,
    PrivateRedis,
    WorkerProcess,
    counted,
    running,
    stream,
    wait_until,
    write_config,
)
from tests.pipeline_fixtures import START

N_EVENTS = 20_000


def test_sigkill_mid_stream_and_restart_counts_every_event_exactly_once(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    producer = PacedProducer(
        services.kafka_bootstrap, names.topic("predictions"), stream(names.model, N_EVENTS)
    )
    with running(WorkerProcess(config, tmp_path / "first.log")) as (first,):
        first.wait_ready()
        producer.start()
        wait_until(lambda: counted(services.redis_url, names.model) >= 4000, 60, "4000 counted")
        first.kill()
    at_kill = counted(services.redis_url, names.model)
    assert at_kill < N_EVENTS, "the kill was not mid-stream"

    with running(WorkerProcess(config, tmp_path / "second.log")) as (second,):
        producer.finish()
        wait_until(lambda: all_counted(services, services.redis_url, names, N_EVENTS), 90, "lag 0")
        replayed = second.ready()
    assert counted(services.redis_url, names.model) == N_EVENTS
    # Usually the first worker had applied batches it had not committed yet: the second
    # read them again and the watermarks turned them into duplicates.
    seen = replayed and replayed["counts"]["predictions"]
    print(f"counted at kill {at_kill}; the restarted worker saw {seen}")


def test_worker_waits_out_a_redis_outage_and_counts_every_event_exactly_once(
    services: Services, tmp_path: Path
) -> None:
    # SHUTDOWN SAVE: the data survives, the server is gone for 3 s
    with redis_outage(services, tmp_path, N_EVENTS, PrivateRedis.shutdown, 3.0) as outage:
        server, names, worker = outage
        assert worker.wait_ready()["redis"] is True
        assert counted(server.url, names.model) == N_EVENTS
    log = (tmp_path / "worker.log").read_text()
    assert "applying a batch to Redis failed" in log


def test_sigterm_during_a_redis_outage_commits_nothing_that_redis_does_not_hold(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    topic = names.topic("predictions")
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    config = write_config(tmp_path, services.kafka_bootstrap, server.url, names)
    messages = stream(names.model, 6000)
    try:
        with running(WorkerProcess(config, tmp_path / "first.log")) as (first,):
            first.wait_ready()
            produce(services.kafka_bootstrap, topic, messages[:3000])
            wait_until(lambda: counted(server.url, names.model) >= 3000, 60, "3000 counted")
            # faust commits on an interval: wait for it, so the outage starts at a known lag
            wait_until(
                lambda: group_lag(services.kafka_bootstrap, names.group, topic) == 0, 30, "commit"
            )
            server.shutdown()
            produce(services.kafka_bootstrap, topic, messages[3000:])
            wait_until(lambda: (first.ready() or {}).get("redis") is False, 30, "outage seen")
            assert first.terminate() == 0  # a clean stop, although the batch is unfinished
        # Nothing Redis lacks was committed: the last 3000 are still to be read.
        assert group_lag(services.kafka_bootstrap, names.group, topic) == 3000
        server.start()
        with running(WorkerProcess(config, tmp_path / "second.log")):
            wait_until(
                lambda: group_lag(services.kafka_bootstrap, names.group, topic) == 0, 60, "lag 0"
            )
        assert counted(server.url, names.model) == 6000
    finally:
        server.kill()


def _end(record: dict[str, Any]) -> float:
    return datetime.fromisoformat(record["window"]["end"]).timestamp()


def _drift_slots(records: list[dict[str, Any]]) -> Counter[tuple[float, str, str, str]]:
    return Counter(
        (_end(r), r["target"]["kind"], r["target"]["name"], r["statistic"]) for r in records
    )


def _alert_key(alert: dict[str, Any]) -> tuple[str, str, str]:
    return alert["fingerprint"], alert["status"], alert["starts_at"]


def test_alert_and_evaluation_state_survive_a_worker_restart(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    events = stream(names.model, 15_000, shift_from=6000)  # amount shifts at 600 s
    topic = names.topic("predictions")
    client = redis.Redis.from_url(services.redis_url)

    def last_slot() -> int:
        raw = client.hget(keys.evaluation(names.model), "last_slot")
        return -1 if raw is None else int(raw)

    with (
        TopicReader(services.kafka_bootstrap, names.topic("drift")) as drift,
        TopicReader(services.kafka_bootstrap, names.topic("alerts")) as alerts,
    ):
        with running(WorkerProcess(config, tmp_path / "first.log")) as (first,):
            first.wait_ready()
            produce(services.kafka_bootstrap, topic, events[:3000])
            wait_until(lambda: last_slot() > 0, 60, "a first evaluation")
            produce(services.kafka_bootstrap, topic, events[3000:9000])
            wait_until(
                lambda: any(a["status"] == "firing" for a in alerts.poll()), 60, "a firing alert"
            )
        slot_at_kill = last_slot()  # the running() exit SIGKILLed the worker
        before = len(drift.drain())

        produce(services.kafka_bootstrap, topic, events[9000:])
        with running(WorkerProcess(config, tmp_path / "second.log")):
            wait_until(lambda: last_slot() >= START + 1380, 60, "evaluation up to 1380 s")
            drift_records, alert_records = drift.drain(), alerts.drain()

    slots = _drift_slots(drift_records)
    # At least once: only the slot the killed worker may have published without committing
    # can come twice (the restarted worker evaluates it again).
    repeated = {slot for (slot, *_), n in slots.items() if n > 1}
    assert repeated <= {slot_at_kill + 60}, f"slots published twice: {sorted(repeated)}"
    after = {_end(r) for r in drift_records[before:]}
    assert after, "nothing was evaluated after the restart"
    assert min(after) > slot_at_kill, "the restarted worker evaluated an old slot"
    statuses: dict[str, list[str]] = defaultdict(list)
    for alert in {_alert_key(a): a for a in alert_records}.values():  # consumers dedupe
        statuses[alert["fingerprint"]].append(alert["status"])
    # A lost alert state would make the restarted worker start the alerts again:
    # a second pending, then a second firing with a later starts_at.
    assert statuses, "no alert at all"
    for fingerprint, seen in statuses.items():
        assert seen in (["pending"], ["pending", "firing"]), f"{fingerprint}: {seen}"
