"""A Redis client from plain connection options (the settings layer maps onto these)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import redis

from stream_monitor.errors import UserError

SOCKET_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0


def redis_client(
    url: str,
    password: str | None = None,
    tls: bool = False,
    ca_file: Path | None = None,
    username: str | None = None,
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
    if username is not None:
        options["username"] = username
    if url.startswith("rediss://") and ca_file is not None:
        options["ssl_ca_certs"] = str(ca_file)
    client: redis.Redis = redis.Redis.from_url(url, **options)
    return client


def redacted(url: str) -> str:
    """``url`` without its user and password, for messages."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=host).geturl()


def check_credentials(client: redis.Redis, url: str) -> None:
    """A :class:`UserError` when Redis refuses the credentials (or demands some).

    An unreachable server is not an error here: the worker waits for it like for an outage.
    """
    try:
        client.ping()
    except (redis.AuthenticationError, redis.exceptions.NoPermissionError) as exc:
        user = client.connection_pool.connection_kwargs.get("username") or "default"
        raise UserError(
            f"redis: {redacted(url)} refused user {user!r}: {exc}; "
            "check redis.username and redis.password / redis.password_file"
        ) from None
    except redis.RedisError:
        pass
