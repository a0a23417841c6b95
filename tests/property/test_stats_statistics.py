"""Invariants of the statistics: bounds of the grid estimates against scipy, ranges."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp, wasserstein_distance

from stream_monitor.stats import (
    NumericProfile,
    NumericWindow,
    ProfileOptions,
    build_profile,
    compute,
)
from stream_monitor.stats.distances import hellinger_of, js_distance_of, psi_of

# Integers on a coarse scale give ties, floats give distinct values: both must hold.
value = st.one_of(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    st.integers(-5, 5).map(float),
)
samples = st.lists(value, min_size=1, max_size=300)
fine_cells = st.sampled_from([10, 50, 200])


def _grid(
    reference: list[float], current: list[float], cells: int
) -> tuple[NumericProfile, NumericWindow]:
    options = ProfileOptions(fine_cells=cells, coarse_bins=min(10, cells), max_distinct_numeric=0)
    profile = build_profile({"x": reference}, kinds={"x": "numeric"}, options=options).features["x"]
    assert isinstance(profile, NumericProfile)
    window = NumericWindow.empty(profile).add(profile, np.array(current, dtype=np.float64))
    return profile, window


@settings(max_examples=100, deadline=None)
@given(samples, samples, fine_cells)
def test_grid_ks_is_within_its_error_bound(
    reference: list[float], current: list[float], cells: int
) -> None:
    profile, window = _grid(reference, current, cells)
    result = compute("ks", profile, window)
    with warnings.catch_warnings():  # tiny samples warn about the p-value, not about D
        warnings.simplefilter("ignore", RuntimeWarning)
        exact = float(ks_2samp(reference, current, method="asymp").statistic)
    assert result.error_bound is not None
    assert result.value <= exact + 1e-9
    assert exact <= result.value + result.error_bound + 1e-9
    assert result.p_value is not None and 0.0 <= result.p_value <= 1.0


@settings(max_examples=100, deadline=None)
@given(samples, samples, fine_cells)
def test_grid_wasserstein_is_within_its_error_bound(
    reference: list[float], current: list[float], cells: int
) -> None:
    profile, window = _grid(reference, current, cells)
    result = compute("wasserstein", profile, window)
    scale = profile.std if profile.std > 0 else 1.0
    exact = wasserstein_distance(reference, current) / scale
    assert result.error_bound is not None
    assert abs(result.value - exact) <= result.error_bound * (1 + 1e-9) + 1e-9


counts = st.lists(st.integers(0, 1000), min_size=2, max_size=30).filter(lambda c: sum(c) > 0)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_distances_stay_in_range(data: st.DataObject) -> None:
    ref = np.array(data.draw(counts))
    cur = np.array(
        data.draw(
            st.lists(st.integers(0, 1000), min_size=len(ref), max_size=len(ref)).filter(
                lambda c: sum(c) > 0
            )
        )
    )
    assert psi_of(ref, cur) >= 0.0
    assert 0.0 <= js_distance_of(ref, cur) <= 1.0
    assert 0.0 <= hellinger_of(ref, cur) <= 1.0
    assert psi_of(ref, ref) == 0.0 and js_distance_of(ref, ref) == 0.0
