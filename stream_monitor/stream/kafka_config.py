"""Kafka client options from the settings (confluent-kafka), and the consumer groups' names."""

from __future__ import annotations

from typing import Any

from stream_monitor.settings import KafkaSettings, read_secret

CLIENT_ID = "stream-monitor"


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


def labels_group_id(group_id: str) -> str:
    """The labels consumer's group; ``group_id`` itself is the predictions consumers'
    group (a group's members must share a topic subscription and assignor)."""
    return f"{group_id}.labels"


def app_id(group_id: str) -> str:
    """The faust app's id. The app runs no Kafka client (it runs the web server and the
    timer); its id is kept apart from the labels group, which faust's agent used to read
    the labels in."""
    return f"{group_id}.app"
