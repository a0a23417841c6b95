from __future__ import annotations

import time

import redis

from stream_monitor.state import keys
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.state.updates import BatchUpdate, HashUpdate
from tests.conftest import Services
from tests.integration.worker_util import wait_until
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


def test_an_uncommitted_slot_lease_expires_and_the_slot_can_be_leased_again(
    services: Services,
) -> None:
    client = redis.Redis.from_url(services.redis_url)
    store = RedisStore(client)
    model = f"lease-{time.time_ns()}"
    first = store.lease_slot(model, 60, lease_seconds=0.2)
    assert first is not None
    assert 0 < client.pttl(keys.evaluation_lease(model)) <= 200
    assert store.lease_slot(model, 60, lease_seconds=0.2) is None
    # The holder died: nobody commits. Once the lease has expired, another worker takes it.
    second = wait_until(lambda: store.lease_slot(model, 60, 30), 10, "the lease to expire")
    assert second != first
    assert store.commit_slot(model, 60, first, {"alerts": {"v": 1}}) is False
    assert store.commit_slot(model, 60, second, {"alerts": {"v": 2}}) is True
    assert store.load_doc(model, "alerts") == {"v": 2}
    assert client.exists(keys.evaluation_lease(model)) == 0


def test_a_commit_after_the_lease_expired_unclaimed_still_counts(services: Services) -> None:
    client = redis.Redis.from_url(services.redis_url)
    store = RedisStore(client)
    model = f"lease-{time.time_ns()}"
    token = store.lease_slot(model, 60, lease_seconds=0.05)
    assert token is not None
    wait_until(lambda: not client.exists(keys.evaluation_lease(model)), 10, "expiry")
    assert store.commit_slot(model, 60, token, {"policy": {"v": 1}}) is True
    assert store.last_slot(model) == 60
