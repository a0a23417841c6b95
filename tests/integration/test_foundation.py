"""The foundation on real services: events round-trip through Kafka, Redis answers,
and malformed messages read from Kafka are each rejected with their reason."""

from __future__ import annotations

import redis

from schemas import RejectReason, decode_predictions
from tests.conftest import Services
from tests.factories import encode, prediction
from tests.integration.kafka_util import consume_all, new_topic, produce


def test_prediction_events_round_trip_through_kafka(services: Services) -> None:
    topic = new_topic(services.kafka_bootstrap, "predictions")
    sent = [encode(prediction(i)) for i in range(50)]
    sent.append(encode({"type": "batch", "events": [prediction(i) for i in range(50, 60)]}))
    produce(services.kafka_bootstrap, topic, sent)

    messages = consume_all(services.kafka_bootstrap, topic, expected=len(sent))

    decoded = [decode_predictions(m.value()) for m in messages]
    assert all(d.rejections == [] for d in decoded)
    ids = sorted(int(e.event_id.split("-")[1]) for d in decoded for e in d.events)
    assert ids == list(range(60))


def test_redis_writes_and_reads(services: Services) -> None:
    client = redis.Redis.from_url(services.redis_url)
    key = "{test-model}:foundation"
    client.delete(key)
    client.hincrby(key, "bin:3", 5)
    client.hincrby(key, "bin:3", 2)
    client.expire(key, 60)
    assert client.hget(key, "bin:3") == b"7"
    assert 0 < client.ttl(key) <= 60
    client.delete(key)


def test_malformed_messages_from_kafka_are_rejected_with_reasons(services: Services) -> None:
    topic = new_topic(services.kafka_bootstrap, "malformed", partitions=1)
    cases = {
        b"{oops": RejectReason.MALFORMED_JSON,
        encode(prediction(1)).replace(b'"age":31', b'"age":NaN'): RejectReason.NON_FINITE,
        encode(prediction(2, latency_ms="fast")): RejectReason.SCHEMA_VIOLATION,
        encode({"event_id": "only-id"}): RejectReason.MISSING_FIELD,
        b"z" * 200_000: RejectReason.OVERSIZED,
    }
    produce(services.kafka_bootstrap, topic, list(cases))

    messages = consume_all(services.kafka_bootstrap, topic, expected=len(cases))

    assert len(messages) == len(cases)
    for message in messages:
        decoded = decode_predictions(message.value(), max_bytes=100_000)
        assert decoded.events == []
        assert [r.reason for r in decoded.rejections] == [cases[message.value()]]
        assert decoded.rejections[0].detail
