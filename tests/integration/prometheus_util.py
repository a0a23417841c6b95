"""A real Prometheus server (Debian's ``prometheus``) for a test, and reading ``/metrics``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.worker_util import free_port, wait_until

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(port: int) -> tuple[str, str]:
    """The worker's ``/metrics``: (content type, body)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.headers.get("Content-Type", ""), response.read().decode()


def samples(text: str) -> Series:
    """Every sample of a text exposition: (name, sorted labels) -> value."""
    out: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(series: Series, metric: str, /, **labels: str) -> float | None:
    return series.get((metric, tuple(sorted(labels.items()))))


def prometheus_binary() -> str:
    """The prometheus binary; skips (a failure in CI) when it is not installed."""
    found = shutil.which("prometheus")
    if found is None:
        reason = "the prometheus binary is not installed (Debian package prometheus)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


class Prometheus:
    """A Prometheus scraping ``targets`` every second, with its storage in ``directory``."""

    def __init__(self, directory: Path, targets: list[str]) -> None:
        self.directory, self.port = directory, free_port()
        job = {"job_name": "stream-monitor", "static_configs": [{"targets": targets}]}
        config = {"global": {"scrape_interval": "1s"}, "scrape_configs": [job]}
        directory.mkdir(parents=True, exist_ok=True)
        self.config = directory / "prometheus.yml"
        self.config.write_text(yaml.safe_dump(config), encoding="utf-8")
        self.log = directory / "prometheus.log"

    @contextmanager
    def running(self) -> Iterator[Prometheus]:
        args = [
            prometheus_binary(),
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        with self.log.open("ab") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until(self.answers, 30, f"Prometheus to start (log: {self.log})", every=0.5)
            yield self
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector of ``promql`` (``/api/v1/query``)."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": promql}
        )
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result
