"""Window state: batch binning, invalid values, raw values, merge and state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pytest

from schemas import FeatureValue, Prediction, PredictionEvent
from stream_monitor.stats import (
    CategoricalWindow,
    ModelWindows,
    NumericProfile,
    NumericWindow,
    ReferenceProfile,
    bin_numeric,
    build_profile,
    columns_from_events,
    merge,
    window_from_state,
)

MakeWindows = Callable[..., ModelWindows]


@pytest.fixture
def profile() -> ReferenceProfile:
    return build_profile(
        {"x": [float(i) for i in range(1000)], "c": ["a", "b", "c", "d"] * 250},
        output_columns=(),
    )


def test_bin_numeric_counts_cells_and_missing(profile: ReferenceProfile) -> None:
    p = profile.features["x"]
    assert isinstance(p, NumericProfile)
    values = np.array([-1.0, 0.0, 4.5, 999.0, 1e6, np.nan, np.nan])
    counts = bin_numeric(p, values)
    assert counts.sum() == len(values) and counts[-1] == 2
    expected = np.bincount(np.searchsorted(p.cuts, values[:5]), minlength=p.n_cells)
    assert counts[:-1].tolist() == expected.tolist()


def test_numeric_window_counts_missing_and_invalid(
    profile: ReferenceProfile, make_windows: MakeWindows
) -> None:
    window = make_windows(profile, {"x": [1.0, None, "text", True, 3.0, float("inf")]})
    x = window.features["x"]
    assert isinstance(x, NumericWindow)
    assert (x.count, x.missing, x.invalid) == (2, 1, 3)
    assert (x.total, x.sum_squares, x.min, x.max) == (4.0, 10.0, 1.0, 3.0)
    assert (x.counts >= 0).all()


def test_raw_values_are_kept_up_to_the_limit(
    profile: ReferenceProfile, make_windows: MakeWindows
) -> None:
    small = make_windows(profile, {"x": [1.0, 2.0, None]}, raw_limit=3).features["x"]
    assert isinstance(small, NumericWindow) and small.raw is not None
    assert small.raw.tolist() == [1.0, 2.0]
    other = make_windows(profile, {"x": [5.0]}, raw_limit=3).features["x"]
    assert isinstance(other, NumericWindow)
    both = merge(small, other)
    assert both.raw is not None and both.raw.tolist() == [1.0, 2.0, 5.0]
    assert merge(both, other).raw is None  # 4 values > raw_limit 3
    full = make_windows(profile, {"x": [1.0] * 4}, raw_limit=3).features["x"]
    assert isinstance(full, NumericWindow) and full.raw is None


def test_merge_equals_the_window_of_the_union(
    profile: ReferenceProfile, make_windows: MakeWindows, rng: np.random.Generator
) -> None:
    a = [*rng.normal(500, 200, 300).tolist(), None, "bad"]
    b = [*rng.normal(400, 300, 200).tolist(), None]
    ca, cb = (["a", "zz", None, 7] * 80)[: len(a)], (["b", "c"] * 101)[: len(b)]
    union = make_windows(profile, {"x": a + b, "c": ca + cb})
    merged = make_windows(profile, {"x": a, "c": ca}).merge(
        make_windows(profile, {"x": b, "c": cb})
    )
    for name in ("x", "c"):
        u, m = union.features[name], merged.features[name]
        assert u.counts.tolist() == m.counts.tolist()
        assert (u.missing, u.invalid) == (m.missing, m.invalid)
    ux, mx = union.features["x"], merged.features["x"]
    assert isinstance(ux, NumericWindow) and isinstance(mx, NumericWindow)
    assert mx.total == pytest.approx(ux.total) and mx.sum_squares == pytest.approx(ux.sum_squares)
    assert (mx.min, mx.max) == (ux.min, ux.max)


def test_merge_of_mismatched_windows_fails_clearly() -> None:
    with pytest.raises(ValueError, match="must come from the same reference profile"):
        merge(CategoricalWindow(np.zeros(3, np.int64)), CategoricalWindow(np.zeros(4, np.int64)))
    with pytest.raises(ValueError, match="cannot merge a numeric window with a categorical one"):
        merge(NumericWindow(np.zeros(3, np.int64)), CategoricalWindow(np.zeros(3, np.int64)))  # type: ignore[type-var]


def test_state_round_trip_and_version(profile: ReferenceProfile, make_windows: MakeWindows) -> None:
    windows = make_windows(profile, {"x": [1.0, None, "t"], "c": ["a", None, 2]}, raw_limit=10)
    state = windows.to_state()
    again = ModelWindows.from_state(state)
    assert again.to_state() == state
    empty = ModelWindows.empty(profile).to_state()
    assert empty["features"]["x"]["min"] is None
    assert ModelWindows.from_state(empty).features["x"].to_state() == empty["features"]["x"]
    with pytest.raises(ValueError, match="has version 9; this build reads version 1"):
        window_from_state({**state["features"]["x"], "version": 9})
    with pytest.raises(ValueError, match="'missing' must be >= 0"):
        window_from_state({**state["features"]["c"], "missing": -1})
    with pytest.raises(ValueError, match="window state is missing 'counts'"):
        window_from_state({"version": 1, "kind": "categorical"})


def test_columns_from_events(profile: ReferenceProfile) -> None:
    def event(i: int, features: dict[str, FeatureValue]) -> PredictionEvent:
        return PredictionEvent(
            event_id=str(i),
            model_id="m",
            model_version="1",
            timestamp=datetime(2026, 1, 1, tzinfo=UTC),
            features=features,
            prediction=Prediction(score=0.5),
        )

    events = [
        event(0, {"x": 1.5, "c": "b", "extra": 1}),
        event(1, {"x": "oops", "c": 3}),
        event(2, {"c": None}),
        event(3, {"x": 7, "c": True}),
    ]
    batch = columns_from_events(profile, events)
    assert batch.size == 4 and set(batch.features) == {"x", "c"} and batch.outputs == {}
    assert batch.features["x"].tolist() == [
        1.5,
        float("inf"),
        pytest.approx(np.nan, nan_ok=True),
        7.0,
    ]
    assert batch.features["c"].tolist() == [1, 4, 5, 4]  # b, __other__, missing, __other__
    windows = ModelWindows.empty(profile).add(profile, batch)
    assert (windows.features["x"].count, windows.features["x"].invalid) == (2, 1)
    assert windows.features["c"].missing == 1


def test_adding_with_another_profile_fails_clearly(profile: ReferenceProfile) -> None:
    x = profile.features["x"]
    assert isinstance(x, NumericProfile)
    other = build_profile({"x": [1.0, 2.0, 3.0] * 10}, kinds={"x": "numeric"}).features["x"]
    assert isinstance(other, NumericProfile)
    with pytest.raises(ValueError, match="must come from the same reference profile"):
        NumericWindow.empty(x).add(other, np.array([1.0]))
