from __future__ import annotations

import time

import redis

from stream_monitor.state import keys
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.state.updates import BatchUpdate, HashUpdate
from tests.conftest import Services
from tests.state_contract import check_store_contract


def test_redis_store_meets_the_store_contract(services: Services) -> None:
    check_store_contract(RedisStore(redis.Redis.from_url(services.redis_url)))


def test_redis_buckets_expire_after_their_ttl(services: Services) -> None:
    client = redis.Redis.from_url(services.redis_url)
    model = f"expiry-{time.time_ns()}"
    key = keys.bucket(model, 0, "age")
    fields = {"i:n": 1, "s:rec": '{"a": 1}'}
    update = BatchUpdate(model, "s:0", 0, 0, (HashUpdate(key, fields, 100),))
    RedisStore(client).apply([update])
    assert 0 < client.ttl(key) <= 100
    assert RedisStore(client).read([key]) == [fields]
    assert client.object("encoding", key) == b"listpack"
