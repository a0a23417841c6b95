"""A Redis client from plain connection options (the settings layer maps onto these)."""

from __future__ import annotations

from pathlib import Path

import redis

SOCKET_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0


def redis_client(
    url: str, password: str | None = None, tls: bool = False, ca_file: Path | None = None
) -> redis.Redis:
    """A client for ``url``; ``tls`` turns ``redis://`` into ``rediss://``.

    Timeouts are finite so that an unreachable server raises (and the worker retries)
    instead of hanging a batch forever.
    """
    if tls and url.startswith("redis://"):
        url = "rediss://" + url.removeprefix("redis://")
    options: dict[str, object] = {
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "health_check_interval": 30,
    }
    if password is not None:
        options["password"] = password
    if url.startswith("rediss://") and ca_file is not None:
        options["ssl_ca_certs"] = str(ca_file)
    client: redis.Redis = redis.Redis.from_url(url, **options)
    return client
