"""Kafka client options from the settings, for confluent-kafka and for faust (aiokafka)."""

from __future__ import annotations

import ssl
from typing import Any

import faust

from stream_monitor.settings import KafkaSettings, read_secret

CLIENT_ID = "stream-monitor"


def _ssl_context(kafka: KafkaSettings) -> ssl.SSLContext:
    cafile = str(kafka.ssl_cafile) if kafka.ssl_cafile else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    if kafka.ssl_certfile is not None:
        keyfile = str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None
        context.load_cert_chain(str(kafka.ssl_certfile), keyfile)
    return context


def confluent_config(kafka: KafkaSettings) -> dict[str, Any]:
    """librdkafka options (producer and admin client) for the configured cluster."""
    config: dict[str, Any] = {
        "bootstrap.servers": kafka.bootstrap_servers,
        "client.id": CLIENT_ID,
        "security.protocol": kafka.security_protocol,
    }
    if kafka.security_protocol.startswith("SASL"):
        config["sasl.mechanism"] = kafka.sasl_mechanism
        config["sasl.username"] = kafka.sasl_username
        config["sasl.password"] = read_secret(kafka.sasl_password, kafka.sasl_password_file)
    if kafka.security_protocol.endswith("SSL"):
        for option, path in (
            ("ssl.ca.location", kafka.ssl_cafile),
            ("ssl.certificate.location", kafka.ssl_certfile),
            ("ssl.key.location", kafka.ssl_keyfile),
        ):
            if path is not None:
                config[option] = str(path)
    return config


def faust_credentials(kafka: KafkaSettings) -> faust.auth.Credentials | None:
    """faust's ``broker_credentials`` for the same cluster; None for PLAINTEXT."""
    protocol = kafka.security_protocol
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return faust.SSLCredentials(_ssl_context(kafka))
    return faust.SASLCredentials(
        username=kafka.sasl_username,
        password=read_secret(kafka.sasl_password, kafka.sasl_password_file),
        mechanism=kafka.sasl_mechanism,
        ssl_context=_ssl_context(kafka) if protocol == "SASL_SSL" else None,
    )


def labels_group_id(group_id: str) -> str:
    """The faust app's consumer group (the labels topic); ``group_id`` itself is the
    predictions consumer's group (librdkafka's assignors cannot share a group with faust's)."""
    return f"{group_id}.labels"


def faust_broker(kafka: KafkaSettings) -> str:
    """``kafka://host1:9092;kafka://host2:9092`` from ``host1:9092,host2:9092``."""
    hosts = [h.strip() for h in kafka.bootstrap_servers.split(",") if h.strip()]
    return ";".join(f"kafka://{h}" for h in hosts)
