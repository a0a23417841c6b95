"""deploy/grafana: the provisioned dashboard is well formed, reads the provisioned
datasource, and uses only the contract's metric names, covering every topic it should."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.unit.deploy.deploy_files import GRAFANA, load_yaml, metric_names_in, unknown_metric_names

DASHBOARD = GRAFANA / "dashboards" / "stream-monitor.json"
GRID_WIDTH = 24
GRAFANA_VARIABLES = {"__rate_interval", "__interval", "__range"}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def exprs(dashboard: dict[str, Any]) -> list[str]:
    queries = [t["expr"] for p in panels(dashboard) for t in p["targets"]]
    variables = dashboard["templating"]["list"]
    queries += [v["definition"] for v in variables if v["type"] == "query"]
    return queries


def test_panels_have_unique_ids_and_fit_the_grid(dashboard: dict[str, Any]) -> None:
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= GRID_WIDTH
    assert dashboard["uid"] == "stream-monitor"


def test_every_panel_reads_the_provisioned_datasource(dashboard: dict[str, Any]) -> None:
    (source,) = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")[
        "datasources"
    ]
    for panel in panels(dashboard):
        assert panel["datasource"] == {"type": source["type"], "uid": source["uid"]}
        assert panel["targets"], panel["title"]
        assert all(t["datasource"]["uid"] == source["uid"] for t in panel["targets"])


def test_every_variable_used_is_defined(dashboard: dict[str, Any]) -> None:
    defined = {v["name"] for v in dashboard["templating"]["list"]}
    texts = exprs(dashboard) + [p["title"] for p in panels(dashboard)]
    used = {name for text in texts for name in re.findall(r"\$(\w+)", text)}
    assert used - GRAFANA_VARIABLES == defined


def test_the_dashboard_uses_only_the_contracts_metric_names(dashboard: dict[str, Any]) -> None:
    assert unknown_metric_names(exprs(dashboard)) == set()


def test_the_dashboard_covers_what_operators_look_at(dashboard: dict[str, Any]) -> None:
    used = set().union(*(metric_names_in(e) for e in exprs(dashboard)))
    assert {
        "stream_monitor_events_total",  # throughput
        "stream_monitor_model_metric",  # latency percentiles, label coverage, accuracy
        "stream_monitor_dead_letters_total",
        "stream_monitor_consumer_lag",
        "stream_monitor_drift_statistic",
        "stream_monitor_drift_detected",
        "stream_monitor_alerts",
        "stream_monitor_retrain_decisions_total",
        "stream_monitor_labels_total",
    } <= used
    text = " ".join(exprs(dashboard))
    for name in ("latency_p(50|95|99)_ms", "label_coverage", "accuracy", 'state="firing"'):
        assert name in text
