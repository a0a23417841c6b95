"""Target-level statistics against scipy, and the registry's errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

from stream_monitor.stats import (
    REGISTRY,
    FeatureKind,
    ModelWindows,
    NumericProfile,
    NumericWindow,
    build_profile,
    compute,
    get_statistic,
)
from stream_monitor.stats.ks import ks_p_value

MakeWindows = Callable[..., ModelWindows]


@pytest.fixture
def reference(rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0, 1, 3000)


@pytest.fixture
def current(rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.3, 1.2, 800)


def test_ks_is_exact_when_the_window_kept_raw_values(
    reference: np.ndarray, current: np.ndarray, make_windows: MakeWindows
) -> None:
    profile = build_profile({"x": reference})
    window = make_windows(profile, {"x": current}, raw_limit=1000).features["x"]
    result = compute("ks", profile.features["x"], window)
    expected = ks_2samp(reference, current)
    assert result.value == pytest.approx(expected.statistic, abs=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert (result.method, result.error_bound) == ("exact", 0.0)


def test_grid_ks_is_within_its_bound_with_the_asymptotic_p_value(
    reference: np.ndarray, current: np.ndarray, make_windows: MakeWindows
) -> None:
    profile = build_profile({"x": reference})
    window = make_windows(profile, {"x": current}).features["x"]
    result = compute("ks", profile.features["x"], window)
    exact = ks_2samp(reference, current, method="asymp")
    assert result.error_bound is not None and 0 < result.error_bound < 0.02
    assert result.value <= exact.statistic + 1e-12
    assert exact.statistic <= result.value + result.error_bound + 1e-12
    assert result.p_value == pytest.approx(ks_p_value(result.value, 3000, 800))
    same_d = ks_2samp(reference, current, method="asymp")
    assert ks_p_value(same_d.statistic, 3000, 800) == pytest.approx(same_d.pvalue, rel=1e-9)
    assert result.method.startswith("grid")


def test_wasserstein_exact_and_grid_against_scipy(
    reference: np.ndarray, current: np.ndarray, make_windows: MakeWindows
) -> None:
    profile = build_profile({"x": reference})
    target = profile.features["x"]
    expected = wasserstein_distance(reference, current) / reference.std(ddof=1)
    kept = make_windows(profile, {"x": current}, raw_limit=1000).features["x"]
    assert compute("wasserstein", target, kept).value == pytest.approx(expected, rel=1e-9)
    grid = compute("wasserstein", target, make_windows(profile, {"x": current}).features["x"])
    assert grid.error_bound is not None
    assert abs(grid.value - expected) <= grid.error_bound
    assert grid.value == pytest.approx(expected, abs=0.02)
    assert grid.noise_test == "ks" and grid.noise_p_value is not None


def test_binned_statistics_use_coarse_bins_and_the_missing_bucket(
    reference: np.ndarray, make_windows: MakeWindows
) -> None:
    profile = build_profile({"x": reference})
    target = profile.features["x"]
    assert isinstance(target, NumericProfile)
    current = np.concatenate([reference[:900], [np.nan] * 100])
    window = make_windows(profile, {"x": current}).features["x"]
    ref = np.append(target.coarse_counts, 0)
    cur = np.append(np.add.reduceat(window.counts, target.coarse_starts), 100)
    assert len(ref) == 11 and ref.sum() == 3000 and cur.sum() == 1000
    js = compute("jensen_shannon", target, window)
    assert js.value == pytest.approx(jensenshannon(ref / ref.sum(), cur / cur.sum(), base=2))
    psi = compute("psi", target, window)
    assert psi.value > 0.4  # 10% missing against none in the reference
    assert psi.noise_p_value == pytest.approx(chi2_contingency(np.vstack([ref, cur])).pvalue)
    assert psi.method == "11 bins" and psi.current_count == 1000


def test_chi2_on_a_categorical_target_equals_scipy(make_windows: MakeWindows) -> None:
    profile = build_profile({"c": ["a"] * 50 + ["b"] * 30 + ["c"] * 20})
    window = make_windows(profile, {"c": ["a"] * 20 + ["b"] * 20 + ["new"] * 5 + [None] * 5})
    result = compute("chi2", profile.features["c"], window.features["c"])
    # columns: a, b, c, __other__, missing (empty-in-both columns dropped)
    expected = chi2_contingency(np.array([[50, 30, 20], [20, 20, 0]]))
    other = chi2_contingency(np.array([[50, 30, 20, 0, 0], [20, 20, 0, 5, 5]]))
    assert result.p_value == pytest.approx(other.pvalue)
    assert result.p_value != pytest.approx(expected.pvalue)
    assert f"dof={other.dof}" in result.note


def test_unknown_statistic_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown statistic 'kl'; valid names: chi2, hellinger"):
        get_statistic("kl")


def test_a_statistic_of_the_wrong_kind_says_what_applies(make_windows: MakeWindows) -> None:
    profile = build_profile({"c": ["a", "b"] * 10})
    window = make_windows(profile, {"c": ["a"]}).features["c"]
    with pytest.raises(ValueError, match="ks applies to numeric targets; this target is categ"):
        compute("ks", profile.features["c"], window)


def test_a_window_binned_with_another_profile_is_rejected(reference: np.ndarray) -> None:
    profile = build_profile({"x": reference})
    alien = NumericWindow(np.ones(7, dtype=np.int64))
    with pytest.raises(ValueError, match="binned with another reference profile"):
        compute("psi", profile.features["x"], alien)


def test_registry_specs_are_complete() -> None:
    assert set(REGISTRY) == {"ks", "psi", "jensen_shannon", "wasserstein", "chi2", "hellinger"}
    assert {n for n, s in REGISTRY.items() if s.has_p_value} == {"ks", "chi2"}
    assert REGISTRY["chi2"].kinds == {FeatureKind.CATEGORICAL}
    assert all(spec.default_threshold > 0 and spec.effect_size for spec in REGISTRY.values())
