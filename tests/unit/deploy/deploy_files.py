"""Shared helpers of the offline deployment tests: the repository's deploy files and the
metric-name contract (``deploy/metric_names.txt``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

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
    lines = (DEPLOY / "metric_names.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


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
