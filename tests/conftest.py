"""Shared fixtures: real services for integration tests, and CI's rule that a skip fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "deploy" / "local" / "services.sh"


@dataclass(frozen=True)
class Services:
    kafka_bootstrap: str
    redis_url: str


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _from_env() -> Services | None:
    kafka, redis_url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("REDIS_URL")
    return Services(kafka, redis_url) if kafka and redis_url else None


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
    return Services(env["KAFKA_BOOTSTRAP_SERVERS"], env["REDIS_URL"])


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
