"""PSI, Jensen-Shannon, Hellinger and chi-square against hand values and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency

from stream_monitor.stats.distances import (
    EPSILON,
    chi2_of,
    hellinger_of,
    js_distance_of,
    proportions,
    psi_of,
)


def test_psi_equals_hand_computed_value() -> None:
    ref, cur = np.array([30, 50, 20]), np.array([20, 50, 30])
    expected = (0.2 - 0.3) * math.log(0.2 / 0.3) + 0 + (0.3 - 0.2) * math.log(0.3 / 0.2)
    assert psi_of(ref, cur) == pytest.approx(expected, rel=1e-12)


def test_psi_of_identical_distributions_is_zero() -> None:
    assert psi_of(np.array([5, 10, 0]), np.array([50, 100, 0])) == 0.0


def test_psi_floors_an_empty_bin_at_epsilon() -> None:
    # One event of 1000 lands in a bin the reference never saw (e.g. the missing bucket).
    ref, cur = np.array([1000, 0]), np.array([999, 1])
    expected = (0.999 - 1.0) * math.log(0.999 / 1.0) + (0.001 - EPSILON) * math.log(0.001 / EPSILON)
    assert psi_of(ref, cur) == pytest.approx(expected, rel=1e-12)
    assert psi_of(ref, cur) < 0.003
    # The 2e-308 floor of one library makes the same single event look like drift.
    assert psi_of(ref, cur, epsilon=2e-308) > 0.6


def test_js_distance_equals_scipy_base_2() -> None:
    ref, cur = np.array([10, 20, 30, 40, 0]), np.array([25, 25, 25, 20, 5])
    expected = jensenshannon(ref / ref.sum(), cur / cur.sum(), base=2)
    assert js_distance_of(ref, cur) == pytest.approx(expected, rel=1e-12)


def test_js_distance_is_one_for_disjoint_supports() -> None:
    assert js_distance_of(np.array([3, 0, 0]), np.array([0, 2, 5])) == pytest.approx(1.0)


def test_hellinger_equals_hand_computed_value() -> None:
    ref, cur = np.array([1, 1]), np.array([1, 3])
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    expected = math.sqrt(1 - float(np.sum(np.sqrt(p * q))))
    assert hellinger_of(ref, cur) == pytest.approx(expected, rel=1e-12)


def test_chi2_equals_scipy_on_the_table_without_empty_columns() -> None:
    ref, cur = np.array([120, 80, 0, 40]), np.array([30, 25, 0, 5])
    result = chi2_contingency(np.array([[120, 80, 40], [30, 25, 5]]))
    test = chi2_of(ref, cur)
    assert test.statistic == pytest.approx(result.statistic, rel=1e-12)
    assert test.p_value == pytest.approx(result.pvalue, rel=1e-12)
    assert test.dof == result.dof == 2
    assert test.effect_size == pytest.approx(math.sqrt(result.statistic * (1 / 240 + 1 / 60)))


@pytest.mark.parametrize(
    ("ref", "cur"),
    [
        ([90, 10], [80, 20]),  # one degree of freedom: Yates' correction
        ([5, 0, 7, 1], [0, 3, 2, 9]),
        ([1000, 2000, 3000, 10, 0], [100, 180, 330, 9, 4]),
    ],
)
def test_chi2_matches_scipy_including_yates(ref: list[int], cur: list[int]) -> None:
    table = np.array([ref, cur])
    result = chi2_contingency(table[:, table.sum(axis=0) > 0])
    test = chi2_of(np.array(ref), np.array(cur))
    assert test.statistic == pytest.approx(result.statistic, rel=1e-12)
    assert test.p_value == pytest.approx(result.pvalue, rel=1e-9)
    assert test.dof == result.dof


def test_chi2_of_a_single_used_bin_is_no_evidence() -> None:
    test = chi2_of(np.array([10, 0]), np.array([7, 0]))
    assert (test.statistic, test.p_value, test.dof) == (0.0, 1.0, 0)


def test_empty_distributions_are_rejected_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="at least one observation"):
        proportions(np.array([0, 0]))
    with pytest.raises(ValueError, match="observations in both samples; got 3 and 0"):
        chi2_of(np.array([1, 2]), np.array([0, 0]))
