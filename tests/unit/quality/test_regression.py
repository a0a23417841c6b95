"""Regression error sums against numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stream_monitor.quality.regression import RegressionErrors


@pytest.mark.parametrize("seed", range(3))
def test_mae_rmse_mape_match_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    actual = rng.normal(10.0, 5.0, 3000)
    actual[::50] = 0.0
    predicted = actual + rng.normal(0.0, 1.0, 3000)
    errors = RegressionErrors().add(actual=actual, predicted=predicted)
    nonzero = actual != 0
    assert errors.mae == pytest.approx(np.mean(np.abs(actual - predicted)), rel=1e-12)
    assert errors.rmse == pytest.approx(np.sqrt(np.mean((actual - predicted) ** 2)), rel=1e-12)
    expected_mape = np.mean(np.abs(actual - predicted)[nonzero] / np.abs(actual[nonzero]))
    assert errors.mape == pytest.approx(expected_mape, rel=1e-12)
    assert errors.zero_truths == 60


def test_undefined_metrics_are_none() -> None:
    assert RegressionErrors().mae is None and RegressionErrors().rmse is None
    only_zero = RegressionErrors().add(actual=[0.0, 0.0], predicted=[1.0, -1.0])
    assert only_zero.mape is None and only_zero.mae == 1.0


def test_round_trips_and_merge() -> None:
    errors = RegressionErrors().add(actual=[1.0, 0.0, 4.0], predicted=[2.0, 1.0, 3.0])
    other = RegressionErrors().add(actual=[5.0], predicted=[5.5])
    assert RegressionErrors.from_state(errors.to_state()) == errors
    assert (
        RegressionErrors.from_fields({k: str(v) for k, v in errors.to_fields().items()}) == errors
    )
    merged = errors.merge(other)
    assert (merged.count, merged.zero_truths, merged.abs_error_sum) == (4, 1, 3.5)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="must be finite"):
        RegressionErrors().add(actual=[math.nan], predicted=[1.0])
    with pytest.raises(ValueError, match="same length"):
        RegressionErrors().add(actual=[1.0], predicted=[1.0, 2.0])
    with pytest.raises(ValueError, match="zero_truths <= count"):
        RegressionErrors.from_fields({"count": 1, "zero_truths": 2})


def test_truths_too_close_to_zero_are_skipped_and_overflow_is_refused() -> None:
    errors = RegressionErrors().add(actual=[5e-324, 2.0], predicted=[1.0, 1.0])
    assert (errors.count, errors.zero_truths, errors.mape) == (2, 1, 0.5)
    with pytest.raises(ValueError, match="too large to sum"):
        errors.add(actual=[1e200], predicted=[-1e200])
    assert errors.count == 2
