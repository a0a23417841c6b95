"""Label coverage, delays and outcome counts."""

from __future__ import annotations

import numpy as np
import pytest

from stream_monitor.quality.coverage import LabelCounters, LabelOutcome, LabelWindow


def test_coverage_and_delay_percentiles() -> None:
    delays = np.random.default_rng(0).exponential(3600.0, 800)
    window = LabelWindow().add_predictions(1000).add_labels(delays)
    assert window.coverage == 0.8
    p95 = window.delay.p95
    exact = float(np.quantile(delays, 0.95, method="inverted_cdf"))
    assert p95 is not None and abs(p95.value - exact) <= 0.01 * exact + 1e-9


def test_negative_delays_count_as_zero_and_are_reported() -> None:
    window = LabelWindow().add_labels([-2.0, 5.0])
    assert (window.labelled, window.negative_delays, window.delay.underflow) == (2, 1, 1)
    assert window.coverage is None


def test_window_round_trips_and_merge() -> None:
    a = LabelWindow().add_predictions(3).add_labels([1.0, 20.0])
    b = LabelWindow().add_predictions(2).add_labels([400.0])
    merged = a.merge(b)
    assert (merged.predictions, merged.labelled, merged.delay.count) == (5, 3, 3)
    assert LabelWindow.from_state(merged.to_state()) == merged
    assert LabelWindow.from_fields(merged.to_fields()) == merged
    with pytest.raises(ValueError, match="one delay per labelled event"):
        LabelWindow.from_fields({"labelled": 2})
    with pytest.raises(ValueError, match="count must be an integer >= 0"):
        LabelWindow().add_predictions(-1)
    with pytest.raises(ValueError, match="finite"):
        LabelWindow().add_labels([float("inf")])


def test_counters_by_cause() -> None:
    counters = LabelCounters().add(LabelOutcome.JOINED, 5).add("duplicate").add("expired", 0)
    assert counters[LabelOutcome.JOINED] == 5 and counters["duplicate"] == 1
    assert counters[LabelOutcome.UNKNOWN_ID] == 0 and counters.total == 6
    other = LabelCounters().add(LabelOutcome.UNKNOWN_ID, 2)
    merged = counters.merge(other)
    assert merged.to_state()["by_outcome"] == {
        "joined": 5,
        "unknown_id": 2,
        "expired": 0,
        "duplicate": 1,
    }
    assert LabelCounters.from_state(merged.to_state()) == merged
    assert LabelCounters.from_fields(
        {b"joined": b"5", b"unknown_id": b"2", b"duplicate": b"1"}
    ) == (merged)


def test_counters_reject_unknown_causes() -> None:
    with pytest.raises(ValueError, match="unknown label outcome 'late'; valid: joined"):
        LabelCounters().add("late")
    state = {"kind": "label_counters", "version": 1, "by_outcome": {"late": 1}}
    with pytest.raises(ValueError, match="valid: joined, unknown_id, expired, duplicate"):
        LabelCounters.from_state(state)
