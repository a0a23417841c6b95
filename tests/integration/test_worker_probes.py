"""The probes the Kubernetes Deployment uses (deploy/k8s/deployment.yaml): ``/live``
answers as soon as the web server runs, ``/ready`` once partitions are assigned."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.conftest import Services
from tests.integration.worker_util import Names, WorkerProcess, running, write_config


def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return answer.status, json.loads(answer.read())


def test_live_and_ready_probes_answer(services: Services, tmp_path: Path) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    with running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,):
        ready = worker.wait_ready()
        assert ready["assigned"] and ready["redis"] is True
        assert get(worker.port, "/live") == (200, {"live": True})
        status, body = get(worker.port, "/ready")
        assert status == 200 and body["ready"] is True
