"""Authentication on the real services: Kafka over SASL_SSL (SCRAM-SHA-512) and Redis with
an ACL user over TLS, wired through the settings; wrong credentials fail at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from confluent_kafka import Producer

from stream_monitor.state import keys
from tests.conftest import Secure, Services
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    running,
    stream,
    wait_until,
    write_config,
)

N_EVENTS = 3000
START_UP_SECONDS = 90  # a bound for the test run, not a timing assertion


def _secure(services: Services) -> Secure:
    if services.secure is None:
        pytest.fail("these tests need the secure endpoints of deploy/local/services.sh")
    return services.secure


def _secure_config(directory: Path, secure: Secure, names: Names, **overrides: Any) -> Path:
    """A worker config on the SASL_SSL listener and Redis' TLS port as the ACL user, the
    secrets in files."""
    path = write_config(directory, secure.kafka_bootstrap, secure.redis_tls_url, names)
    config = yaml.safe_load(path.read_text())
    config["kafka"] |= {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": secure.kafka_mechanism,
        "sasl_username": secure.kafka_username,
        "sasl_password_file": str(secure.kafka_password_file),
        "ssl_cafile": str(secure.kafka_ca),
    } | overrides.get("kafka", {})
    config["redis"] |= {
        "username": secure.redis_username,
        "password_file": str(secure.redis_password_file),
        "tls_ca_file": str(secure.redis_tls_ca),
    } | overrides.get("redis", {})
    path.write_text(yaml.safe_dump(config))
    return path


def _redis(secure: Secure) -> redis.Redis:
    return redis.Redis.from_url(
        secure.redis_tls_url,
        username=secure.redis_username,
        password=secure.redis_password,
        ssl_ca_certs=str(secure.redis_tls_ca),
    )


def _produce(secure: Secure, topic: str, values: list[bytes]) -> None:
    producer = Producer(secure.kafka_client_config() | {"enable.idempotence": True})
    for i, value in enumerate(values):
        producer.produce(topic, value, str(i).encode())
        producer.poll(0)
    assert producer.flush(30) == 0


def _clean_env() -> dict[str, str]:
    """The environment without settings overrides (a secured suite sets some)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("STREAM_MONITOR_")}


def test_worker_counts_every_event_over_sasl_ssl_and_authenticated_redis(
    services: Services, tmp_path: Path
) -> None:
    secure = _secure(services)
    names = Names()
    config = _secure_config(tmp_path, secure, names)
    client = _redis(secure)
    assert client.acl_whoami() == secure.redis_username

    def counted() -> int:
        return int(client.hget(keys.totals(names.model), "i:events") or 0)

    log = tmp_path / "worker.log"
    with running(WorkerProcess(config, log)) as (worker,):
        worker.wait_ready()
        _produce(secure, names.topic("predictions"), stream(names.model, N_EVENTS))
        wait_until(lambda: counted() >= N_EVENTS, 60, f"{N_EVENTS} counted")
        worker.check_alive()
        assert worker.terminate() == 0
    assert counted() == N_EVENTS
    output = log.read_text(errors="replace")
    assert f"{names.topic('predictions')} assigned" in output  # joined its group over SASL_SSL
    assert secure.kafka_password not in output
    assert secure.redis_password not in output


def _start_fails(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stream_monitor.stream", "--config", str(config)],
        cwd=config.parent,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=START_UP_SECONDS,
    )


def _assert_one_line_error(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode == 2, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    for text in expected:
        assert text in errors[0]
    return errors[0]


def test_a_wrong_kafka_password_stops_the_worker_at_start_up(
    services: Services, tmp_path: Path
) -> None:
    secure = _secure(services)
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    config = _secure_config(tmp_path, secure, Names(), kafka={"sasl_password_file": str(wrong)})
    line = _assert_one_line_error(_start_fails(config), "kafka:", "authentication", "sasl_password")
    assert "not-the-password" not in line


def test_a_wrong_redis_password_stops_the_worker_at_start_up(
    services: Services, tmp_path: Path
) -> None:
    secure = _secure(services)
    config = _secure_config(
        tmp_path, secure, Names(), redis={"password": "not-the-password", "password_file": None}
    )
    done = _start_fails(config)
    line = _assert_one_line_error(done, "redis:", repr(secure.redis_username), "password")
    assert "not-the-password" not in done.stderr
    assert secure.redis_password not in line
