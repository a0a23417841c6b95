"""The demo's incidents each come out as alerts naming the right feature (acceptance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import AlertEvent, RetrainDecision
from stream_monitor.demo import DemoFiles, run_demo


@pytest.mark.slow
def test_demo_alerts_on_each_incident_with_the_right_feature(tmp_path: Path) -> None:
    summary = run_demo(DemoFiles(tmp_path))
    firing = {
        (a.labels["alertname"], a.labels["target"])
        for a in summary.kept
        if isinstance(a, AlertEvent) and a.status == "firing"
    }
    assert ("feature_drift", "income") in firing  # the drift at minute 20
    assert ("missing_rate_spike", "age") in firing  # the data-quality incident
    assert ("quality_drop", "accuracy") in firing  # the concept change at minute 45
    assert summary.counts.events == summary.counts.lines == 90_000
    retrains = [d for d in summary.kept if isinstance(d, RetrainDecision) and d.action == "retrain"]
    assert len(retrains) == 1
    assert (tmp_path / "outputs.jsonl").stat().st_size > 0
