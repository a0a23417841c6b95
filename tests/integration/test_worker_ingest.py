"""The Kafka worker's ingest path on the real broker and Redis: dead letters and counts."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson

from schemas import RejectReason
from stream_monitor.model_spec import INVALID_MODEL
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
    payloads,
    running,
    stream,
    totals,
    wait_until,
    write_config,
)
from tests.pipeline_fixtures import events


def _bad_messages(model: str, good: bytes) -> dict[RejectReason, bytes]:
    event = orjson.loads(good)
    return {
        RejectReason.MALFORMED_JSON: b'{"event_id": "x", broken',
        RejectReason.OVERSIZED: good + b" " * 1500,  # the test's limit is 1024 bytes
        RejectReason.SCHEMA_VIOLATION: orjson.dumps({**event, "latency_ms": "fast"}),
        RejectReason.NON_FINITE: good.replace(b'"latency_ms":10.0', b'"latency_ms":NaN'),
        RejectReason.UNKNOWN_MODEL: orjson.dumps({**event, "model_id": f"{model}-nobody"}),
    }


def test_bad_messages_go_to_the_dead_letter_topic_and_valid_ones_are_all_counted(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    limits = {"max_message_bytes": 1024}
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names, limits)
    valid = stream(names.model, 2000)
    bad = _bad_messages(names.model, valid[0])
    messages = list(valid)
    for i, payload in enumerate(bad.values()):  # inside the batches of valid events
        messages.insert(300 + 400 * i, payload)
    invalid_before = totals(services.redis_url, INVALID_MODEL)

    with (
        running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,),
        TopicReader(services.kafka_bootstrap, names.topic("dead-letter")) as dead_letters,
    ):
        worker.wait_ready()  # it has created the topics
        where = produce(services.kafka_bootstrap, names.topic("predictions"), messages)
        position = {payload: where[messages.index(payload)] for payload in bad.values()}
        wait_until(lambda: len(dead_letters.poll()) >= len(bad), 60, "five dead letters")
        wait_until(lambda: counted(services.redis_url, names.model) >= len(valid), 60, "counts")
        topic = names.topic("predictions")
        wait_until(
            lambda: group_lag(services.kafka_bootstrap, names.group, topic) == 0,
            60,
            "every batch acked, so its dead letters delivered",
        )
        letters = dead_letters.drain()  # and nothing more

    assert len(letters) == len(bad)
    by_reason = {letter["reason"]: letter for letter in letters}
    assert set(by_reason) == {r.value for r in bad}
    for reason, payload in bad.items():
        letter = by_reason[reason.value]
        assert (letter["partition"], letter["offset"]) == position[payload], reason
        assert letter["source_topic"] == names.topic("predictions")
        assert base64.b64decode(letter["original"]) == payload
    model_totals = totals(services.redis_url, names.model)
    assert model_totals["i:events"] == len(valid)
    own = [x for x in letters if x.get("model_id") == names.model]
    assert {k: v for k, v in model_totals.items() if k.startswith("i:dlq:")} == {
        f"i:dlq:{x['reason']}": 1 for x in own
    }
    invalid_after = totals(services.redis_url, INVALID_MODEL)
    for letter in letters:
        if letter.get("model_id") != names.model:
            field = f"i:dlq:{letter['reason']}"
            # `_invalid` is shared by every run on this Redis: others may add to it too
            assert invalid_after.get(field, 0) >= invalid_before.get(field, 0) + 1


def test_labels_join_their_predictions_and_bad_labels_are_dead_lettered(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    rows = events(1000)
    labels = [
        orjson.dumps(
            {
                "event_id": row["event_id"],
                "model_id": names.model,
                "timestamp": row["timestamp"] + 30,
                "label": int(row["prediction"]["score"] > 0.5),
            }
        )
        for row in rows
    ]
    bad = [b"not json", orjson.dumps({"event_id": "e", "model_id": names.model, "label": 1})]
    with (
        running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,),
        TopicReader(services.kafka_bootstrap, names.topic("dead-letter")) as dead_letters,
    ):
        worker.wait_ready()
        produce(services.kafka_bootstrap, names.topic("predictions"), payloads(names.model, rows))
        wait_until(lambda: counted(services.redis_url, names.model) >= len(rows), 60, "predictions")
        produce(services.kafka_bootstrap, names.topic("ground_truth"), labels + bad)
        joined = "i:labels:joined_total"
        wait_until(
            lambda: totals(services.redis_url, names.model).get(joined, 0) >= len(labels),
            60,
            "every label joined",
        )
        letters = dead_letters.wait_for(lambda r: len(r) >= len(bad), 60, "two dead letters")
        ready = worker.ready()
    assert totals(services.redis_url, names.model)[joined] == len(labels)
    assert {x["source_topic"] for x in letters} == {names.topic("ground_truth")}
    assert sorted(x["reason"] for x in letters) == ["malformed_json", "missing_field"]
    assert ready is not None and ready["counts"]["labels"]["dead_letters"] == len(bad)
