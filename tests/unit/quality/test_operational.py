"""Operational counters and their metric map."""

from __future__ import annotations

import math

import numpy as np
import pytest

from schemas.events import PredictionEvent
from schemas.outputs import MetricEvent, Window
from stream_monitor.quality.metrics import operational_metrics
from stream_monitor.quality.operational import OperationalCounters
from tests.factories import prediction


def test_counts_span_and_metrics() -> None:
    rng = np.random.default_rng(0)
    latencies = rng.lognormal(2.0, 0.7, 600)
    latencies[::10] = np.nan
    counters = OperationalCounters().add(
        event_times_s=np.linspace(1000.0, 1059.0, 600),
        is_error=np.arange(600) % 20 == 0,
        latencies_ms=latencies,
    )
    assert (counters.events, counters.errors) == (600, 30)
    assert (counters.first_event_s, counters.last_event_s) == (1000.0, 1059.0)
    metrics = operational_metrics(counters, window_seconds=60.0)
    assert metrics["throughput_eps"] == 10.0
    assert metrics["error_rate"] == 0.05
    present = latencies[~np.isnan(latencies)]
    for q, name in ((0.5, "latency_p50_ms"), (0.95, "latency_p95_ms"), (0.99, "latency_p99_ms")):
        exact = float(np.quantile(present, q, method="inverted_cdf"))
        value = metrics[name]
        assert value is not None and abs(value - exact) <= 0.01 * exact + 1e-9


def test_metric_map_fits_the_metric_event_schema() -> None:
    counters = OperationalCounters().add_events(
        [PredictionEvent.model_validate(prediction(i)) for i in range(5)]
    )
    metrics = operational_metrics(counters, window_seconds=5)
    assert metrics["events"] == 5.0 and metrics["latency_p50_ms"] is not None
    window = Window.model_validate({"start": 0, "end": 5, "event_count": 5})
    event = MetricEvent(model_id="churn", window=window, group="operational", metrics=metrics)
    assert event.metrics["throughput_eps"] == 1.0


def test_empty_window_gives_none_not_nan() -> None:
    metrics = operational_metrics(OperationalCounters(), window_seconds=60)
    assert metrics["events"] == 0.0 and metrics["throughput_eps"] == 0.0
    assert metrics["error_rate"] is None
    assert metrics["latency_p99_ms"] is None


def test_merge_and_round_trips() -> None:
    a = OperationalCounters().add(
        event_times_s=[5.0, 9.0], is_error=[True, False], latencies_ms=[1.0, 2.0]
    )
    b = OperationalCounters().add(event_times_s=[3.0], is_error=[False], latencies_ms=[math.nan])
    merged = a.merge(b)
    assert (merged.events, merged.errors, merged.first_event_s, merged.last_event_s) == (
        3,
        1,
        3.0,
        9.0,
    )
    assert merged.latency.count == 2
    assert OperationalCounters.from_state(merged.to_state()) == merged
    assert OperationalCounters.from_fields(merged.to_fields()) == merged
    assert OperationalCounters().merge(OperationalCounters()) == OperationalCounters()
    assert OperationalCounters.from_fields({}) == OperationalCounters()


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="window_seconds must be a number > 0"):
        OperationalCounters().throughput(0)
    with pytest.raises(ValueError, match="same length"):
        OperationalCounters().add(event_times_s=[1.0], is_error=[], latencies_ms=[1.0])
    with pytest.raises(ValueError, match="one-dimensional array of bools"):
        OperationalCounters().add(event_times_s=[1.0], is_error=[1], latencies_ms=[1.0])
    with pytest.raises(ValueError, match="errors <= events"):
        OperationalCounters.from_fields({"events": 1, "errors": 2})
