"""A worker riding out an outage of its Redis: the scenario two fault tests share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import Services
from tests.integration.worker_kafka import PacedProducer, group_lag
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

BEFORE_OUTAGE = 3000
"""Events counted before Redis goes down: the outage is mid-stream."""


def all_counted(services: Services, redis_url: str, names: Names, events: int) -> bool:
    """No lag on the predictions topic, and every event counted in Redis."""
    lag = group_lag(services.kafka_bootstrap, names.group, names.topic("predictions"))
    return lag == 0 and counted(redis_url, names.model) >= events


@contextmanager
def redis_outage(
    services: Services,
    directory: Path,
    events: int,
    stop: Callable[[PrivateRedis], None],
    pause_seconds: float = 0.0,
    appendfsync_always: bool = False,
) -> Iterator[tuple[PrivateRedis, Names, WorkerProcess]]:
    """A worker counts a paced stream of ``events`` into a Redis of its own; ``stop``
    takes that server down mid-stream; once the worker reports it, and ``pause_seconds``
    later, it starts again (same port, same files). Yields when the topic has no lag and
    every event is counted, the worker still running; the server is killed afterwards."""
    names = Names()
    server = PrivateRedis(directory / "redis", appendfsync_always=appendfsync_always)
    server.start()
    config = write_config(directory, services.kafka_bootstrap, server.url, names)
    producer = PacedProducer(
        services.kafka_bootstrap, names.topic("predictions"), stream(names.model, events)
    )
    try:
        with running(WorkerProcess(config, directory / "worker.log")) as (worker,):
            worker.wait_ready()
            producer.start()
            wait_until(lambda: counted(server.url, names.model) >= BEFORE_OUTAGE, 60, "counted")
            stop(server)
            wait_until(lambda: (worker.ready() or {}).get("redis") is False, 30, "outage seen")
            time.sleep(pause_seconds)  # batches keep arriving meanwhile
            server.start()
            producer.finish()
            wait_until(lambda: all_counted(services, server.url, names, events), 120, "lag 0")
            worker.check_alive()
            yield server, names, worker
    finally:
        server.kill()
