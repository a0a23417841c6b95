"""At-least-once evaluation outputs on the real broker and Redis, with the crash placed
exactly: a worker publishes (and flushes) a slot whose alert starts firing, then dies
before it commits the slot. Once its lease expires, another worker evaluates the slot
again and publishes the very same events; the alert and policy states move once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from stream_monitor.ingest import RawMessage
from stream_monitor.settings import load_settings
from stream_monitor.stream.evaluation import Evaluator
from stream_monitor.stream.publisher import Publisher, Record
from stream_monitor.stream.runtime import Runtime, build_runtime
from tests.conftest import Services
from tests.integration.worker_kafka import TopicReader
from tests.integration.worker_util import Names, events, wait_until, write_config
from tests.pipeline_fixtures import START

PARTITIONS = 4


class WorkerDiedError(Exception):
    pass


class DiesAfterPublishingFiring:
    """Publishes like the real publisher, then dies once it has published a firing alert."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher

    def publish(self, records: list[Record]) -> None:
        self.publisher.publish(records)
        if any(orjson.loads(r.value).get("status") == "firing" for r in records):
            raise WorkerDiedError


def _runtime(services: Services, tmp_path: Path, names: Names) -> Runtime:
    config = write_config(
        tmp_path,
        services.kafka_bootstrap,
        services.redis_url,
        names,
        evaluation_lease_seconds=1,
        topic_partitions=PARTITIONS,
    )
    return build_runtime(load_settings(config))


def _ingest(runtime: Runtime, names: Names, rows: list[dict[str, Any]], first: int) -> None:
    topic = names.topic("predictions")
    messages = [
        RawMessage(orjson.dumps({**row, "model_id": names.model}), topic, i % PARTITIONS, i)
        for i, row in enumerate(rows, start=first)
    ]
    runtime.service.pipeline.ingest(messages)


def _key(alert: dict[str, Any]) -> tuple[str, str, str]:
    return alert["fingerprint"], alert["status"], alert["starts_at"]


def test_a_slot_published_but_not_committed_is_published_again_identically(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    runtime = _runtime(services, tmp_path, names)
    store, model = runtime.service.store, names.model
    rows = events(12_000, shift_from=6000)  # amount shifts by 2 sd at 600 s
    dying = Evaluator(
        runtime.service.pipeline,
        store,
        runtime.evaluator.clock,
        DiesAfterPublishingFiring(runtime.publisher),  # type: ignore[arg-type]
        runtime.settings.topics,
        runtime.service.silences,
        lease_seconds=1,
    )
    _ingest(runtime, names, rows[:3000], 0)
    assert dying.evaluate_model(model) > 0  # evaluation starts at the first slot it sees
    _ingest(runtime, names, rows[3000:], 3000)
    with pytest.raises(WorkerDiedError):
        dying.evaluate_model(model)
    died_at = store.last_slot(model)
    assert died_at is not None
    alert_state = store.load_doc(model, "alerts")

    restarted = runtime.evaluator  # the real publisher; same Redis
    wait_until(lambda: restarted.evaluate_model(model) > 0, 15, "the lease to expire")
    assert store.last_slot(model) == START + 1140
    assert store.load_doc(model, "alerts") != alert_state
    runtime.publisher.close()

    with TopicReader(services.kafka_bootstrap, names.topic("alerts")) as reader:
        alerts = reader.drain()
    with TopicReader(services.kafka_bootstrap, names.topic("retrain")) as reader:
        decisions = reader.drain()
    counts = Counter(orjson.dumps(a) for a in alerts)
    repeated = [orjson.loads(raw) for raw, n in counts.items() if n > 1]
    assert repeated, "the slot's events were not published again"
    assert all(n == 2 for n in counts.values() if n > 1)
    assert {a["status"] for a in repeated} >= {"firing"}
    firing = {_key(a) for a in alerts if a["status"] == "firing"}
    assert len(firing) == len({a["fingerprint"] for a in alerts if a["status"] == "firing"})
    ids = Counter(d["decision_id"] for d in decisions)
    assert sorted(ids.values())[-1] == 2 and list(ids.values()).count(2) == 1
    assert len(ids) == len({d["decided_at"] for d in decisions})  # one decision per slot
    print(f"died after publishing slot {died_at + 60 - START} s; {len(repeated)} alert repeats")
