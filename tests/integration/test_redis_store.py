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


def test_redis_buckets_expire_at_their_end(services: Services) -> None:
    client = redis.Redis.from_url(services.redis_url)
    key = keys.bucket("expiry-test", 0, "age")
    expire_at = int(time.time()) + 100
    update = BatchUpdate("expiry-test", "s:0", 0, 0, (HashUpdate(key, {"i:n": 1}, expire_at),))
    RedisStore(client).apply([update])
    assert 0 < client.ttl(key) <= 100
    assert client.object("encoding", key) == b"listpack"
