"""Shared fixtures: real services for integration tests, and CI's rule that a skip fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "deploy" / "local" / "services.sh"


@dataclass(frozen=True)
class Secure:
    """The authenticated endpoints of the same broker and Redis (``services.sh env``)."""

    kafka_bootstrap: str  # the SASL_SSL listener
    kafka_mechanism: str
    kafka_username: str
    kafka_password: str
    kafka_password_file: Path
    kafka_ca: Path
    redis_url: str  # the plain port; the ACL user's credentials are separate
    redis_username: str
    redis_password: str
    redis_password_file: Path
    redis_tls_url: str
    redis_tls_ca: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secure | None:
        if "KAFKA_SASL_BOOTSTRAP_SERVERS" not in env:
            return None
        return cls(
            env["KAFKA_SASL_BOOTSTRAP_SERVERS"],
            env["KAFKA_SASL_MECHANISM"],
            env["KAFKA_SASL_USERNAME"],
            env["KAFKA_SASL_PASSWORD"],
            Path(env["KAFKA_SASL_PASSWORD_FILE"]),
            Path(env["KAFKA_SSL_CA_LOCATION"]),
            env["REDIS_URL"],
            env["REDIS_AUTH_USERNAME"],
            env["REDIS_AUTH_PASSWORD"],
            Path(env["REDIS_AUTH_PASSWORD_FILE"]),
            env["REDIS_TLS_URL"],
            Path(env["REDIS_TLS_CA_FILE"]),
        )

    def kafka_client_config(self) -> dict[str, str]:
        """confluent-kafka options of a test client on the SASL_SSL listener."""
        return {
            "bootstrap.servers": self.kafka_bootstrap,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": self.kafka_mechanism,
            "sasl.username": self.kafka_username,
            "sasl.password": self.kafka_password,
            "ssl.ca.location": str(self.kafka_ca),
        }

    def worker_env(self) -> dict[str, str]:
        """Settings overrides that put a worker on the SASL_SSL listener (secrets in files)."""
        prefix = "STREAM_MONITOR_KAFKA__"
        return {
            f"{prefix}SECURITY_PROTOCOL": "SASL_SSL",
            f"{prefix}SASL_MECHANISM": self.kafka_mechanism,
            f"{prefix}SASL_USERNAME": self.kafka_username,
            f"{prefix}SASL_PASSWORD_FILE": str(self.kafka_password_file),
            f"{prefix}SSL_CAFILE": str(self.kafka_ca),
        }

    def redis_auth_url(self) -> str:
        """The plain Redis port with the ACL user's credentials in the URL."""
        host = self.redis_url.removeprefix("redis://")
        return f"redis://{self.redis_username}:{self.redis_password}@{host}"


@dataclass(frozen=True)
class Services:
    kafka_bootstrap: str
    redis_url: str
    secure: Secure | None = None
    """None where the services come from elsewhere (testcontainers, bare env vars)."""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def secure_suite() -> bool:
    """``STREAM_MONITOR_TEST_SECURE=1``: the whole integration suite runs authenticated."""
    return os.environ.get("STREAM_MONITOR_TEST_SECURE", "").lower() in {"1", "true", "yes"}


def _from_env() -> Services | None:
    kafka, redis_url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("REDIS_URL")
    if not (kafka and redis_url):
        return None
    return Services(kafka, redis_url, Secure.from_env(os.environ))


def _from_local_scripts() -> Services | None:
    if not shutil.which("java") or not shutil.which("redis-server"):
        return None
    done = subprocess.run(["bash", str(SERVICES), "up"], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in subprocess.run(
            ["bash", str(SERVICES), "env"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if "=" in line
    )
    return Services(env["KAFKA_BOOTSTRAP_SERVERS"], env["REDIS_URL"], Secure.from_env(env))


def _from_testcontainers() -> Iterator[Services] | None:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception:
        return None
    from testcontainers.kafka import KafkaContainer
    from testcontainers.redis import RedisContainer

    def run() -> Iterator[Services]:
        with KafkaContainer().with_kraft() as kafka, RedisContainer() as redis_c:
            host, port = redis_c.get_container_host_ip(), redis_c.get_exposed_port(6379)
            yield Services(kafka.get_bootstrap_server(), f"redis://{host}:{port}/0")

    return run()


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """A real Kafka broker and Redis: from the environment, the local scripts, or Docker."""
    found = _from_env() or _from_local_scripts()
    if found is not None and secure_suite():
        yield _secured(found)
        return
    if found is not None:
        yield found
        return
    containers = _from_testcontainers()
    if containers is not None:
        yield from containers
        return
    reason = (
        "no Kafka/Redis: set KAFKA_BOOTSTRAP_SERVERS and REDIS_URL, or install Java 17, "
        "Maven and redis-server for deploy/local/services.sh, or run a Docker engine"
    )
    if _in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def _secured(found: Services) -> Services:
    """The same services through their authenticated endpoints: workers get the SASL
    settings through the environment, test clients through :func:`kafka_client_config`."""
    if found.secure is None:
        pytest.fail("STREAM_MONITOR_TEST_SECURE=1 needs the secure endpoints of services.sh")
    secure = found.secure
    os.environ.update(secure.worker_env())
    return Services(secure.kafka_bootstrap, secure.redis_auth_url(), secure)


def kafka_client_config(bootstrap: str) -> dict[str, str]:
    """Options of a test's own Kafka client for ``bootstrap``; with the SASL settings a
    secured suite gave the workers (see :func:`_secured`)."""
    env = os.environ
    if env.get("STREAM_MONITOR_KAFKA__SECURITY_PROTOCOL") != "SASL_SSL":
        return {"bootstrap.servers": bootstrap}
    password_file = Path(env["STREAM_MONITOR_KAFKA__SASL_PASSWORD_FILE"])
    return {
        "bootstrap.servers": bootstrap,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": env["STREAM_MONITOR_KAFKA__SASL_MECHANISM"],
        "sasl.username": env["STREAM_MONITOR_KAFKA__SASL_USERNAME"],
        "sasl.password": password_file.read_text(encoding="utf-8").strip(),
        "ssl.ca.location": env["STREAM_MONITOR_KAFKA__SSL_CAFILE"],
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        if "calibration" in item.path.parts:
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: an integration test that skips proves nothing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if _in_ci() and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; in CI a skip is a failure")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
