"""Shared helpers of the offline deployment tests: the repository's deploy files and the
metric names the workers expose (read from :class:`WorkerMetrics` itself)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from stream_monitor.stream.prom import WorkerMetrics

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S = DEPLOY / "k8s"
PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"

_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
_PROJECT_METRIC = re.compile(r"\bstream_monitor_[a-z0-9_]+")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def contract_metric_names() -> set[str]:
    """The names a worker's ``/metrics`` exposes (counters with their ``_total``)."""
    families = WorkerMetrics().registry.collect()
    return {f.name + ("_total" if f.type == "counter" else "") for f in families}


def metric_names_in(expr: str) -> set[str]:
    """The project's metric names an expression uses, histogram suffixes removed."""
    names = set()
    for name in _PROJECT_METRIC.findall(expr):
        for suffix in _HISTOGRAM_SUFFIXES:
            if name.endswith(suffix) and name.removesuffix(suffix) in contract_metric_names():
                name = name.removesuffix(suffix)
        names.add(name)
    return names


def unknown_metric_names(exprs: list[str]) -> set[str]:
    used = set().union(*(metric_names_in(e) for e in exprs)) if exprs else set()
    return used - contract_metric_names()
