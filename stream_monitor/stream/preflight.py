"""Start-up check of the Kafka connection: a wrong credential fails fast, in one line.

librdkafka retries a refused login for ever and logs each attempt; a worker that cannot
authenticate would only look stuck. This asks for metadata once a second and turns an
authentication or TLS failure into a :class:`~stream_monitor.errors.UserError`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from stream_monitor.errors import UserError

TIMEOUT_SECONDS = 30.0
FATAL_CODES = {KafkaError._AUTHENTICATION, KafkaError._SSL}


class _FatalErrors:
    """librdkafka's ``error_cb``: keeps the first authentication or TLS error."""

    def __init__(self) -> None:
        self.first: KafkaError | None = None

    def __call__(self, error: KafkaError) -> None:
        if self.first is None and error.code() in FATAL_CODES:
            self.first = error


def _advice(config: Mapping[str, Any]) -> str:
    protocol = config.get("security.protocol", "PLAINTEXT")
    if protocol.startswith("SASL"):
        return (
            "check kafka.sasl_username, kafka.sasl_password / sasl_password_file, kafka.ssl_cafile"
        )
    return "check kafka.security_protocol and kafka.ssl_cafile"


def check_kafka(config: Mapping[str, Any], timeout: float = TIMEOUT_SECONDS) -> None:
    """Return once the cluster answers; a UserError for refused credentials or a
    failed TLS handshake, or when nothing answers within ``timeout`` seconds."""
    errors = _FatalErrors()
    options: dict[str, Any] = {**config, "error_cb": errors, "log_level": 0}
    admin = AdminClient(options)
    deadline = time.monotonic() + timeout
    where = config["bootstrap.servers"]
    while True:
        try:
            admin.list_topics(timeout=1.0)
            return
        except KafkaException:
            admin.poll(0)  # serves error_cb
        if errors.first is not None:
            reason = errors.first.str().split(": ", 1)[-1]
            raise UserError(f"kafka: {where} refused the connection: {reason}; {_advice(config)}")
        if time.monotonic() > deadline:
            raise UserError(
                f"kafka: no broker at {where} answered within {timeout:g} s "
                f"(security_protocol {config.get('security.protocol', 'PLAINTEXT')}); "
                "check kafka.bootstrap_servers and kafka.security_protocol"
            )
