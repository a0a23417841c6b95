"""CBPE: on a calibrated classifier the estimate tracks the realised metrics.

Stated tolerance: with 20k events, |estimated − realised accuracy| <= 0.01 (about 3.5
standard errors for these score distributions), and within 4 reported standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.estimate import ConfidenceEstimate

EVENTS = 20_000
ACCURACY_TOLERANCE = 0.01
RATIO_TOLERANCE = 0.02


def _calibrated(seed: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.beta(a, b, EVENTS)
    return scores, rng.random(EVENTS) < scores


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize(("a", "b"), [(2.0, 2.0), (0.5, 0.5), (2.0, 5.0)])
def test_estimate_tracks_realised_metrics_when_calibrated(seed: int, a: float, b: float) -> None:
    scores, actual = _calibrated(seed, a, b)
    estimate = ConfidenceEstimate().add(scores=scores)
    realised = BinaryClassification().add(actual=actual, predicted=scores >= 0.5, scores=scores)
    assert estimate.estimated_accuracy is not None and realised.accuracy is not None
    assert estimate.accuracy_std_error is not None
    gap = abs(estimate.estimated_accuracy - realised.accuracy)
    assert gap <= ACCURACY_TOLERANCE
    assert gap <= 4 * estimate.accuracy_std_error
    for name in ("precision", "recall", "f1"):
        expected = getattr(estimate, f"estimated_{name}")
        assert expected == pytest.approx(getattr(realised, name), abs=RATIO_TOLERANCE)


def test_accuracy_is_mean_confidence_at_threshold_half() -> None:
    scores = np.random.default_rng(3).random(1000)
    estimate = ConfidenceEstimate().add(scores=scores)
    assert estimate.estimated_accuracy == pytest.approx(np.mean(np.maximum(scores, 1 - scores)))


def test_miscalibrated_scores_bias_the_estimate() -> None:
    scores, actual = _calibrated(0, 2.0, 2.0)
    overconfident = np.where(scores >= 0.5, np.sqrt(scores), 1 - np.sqrt(1 - scores))
    estimate = ConfidenceEstimate().add(scores=overconfident)
    realised = BinaryClassification().add(actual=actual, predicted=scores >= 0.5, scores=scores)
    assert estimate.estimated_accuracy is not None and realised.accuracy is not None
    assert estimate.estimated_accuracy - realised.accuracy > 0.05


def test_given_decisions_override_the_threshold() -> None:
    estimate = ConfidenceEstimate().add(scores=[0.9, 0.9], predicted=[True, False])
    assert (estimate.expected_tp, estimate.expected_fn) == (0.9, 0.9)
    assert estimate.estimated_accuracy == pytest.approx(0.5)


def test_merge_round_trips_and_errors() -> None:
    a = ConfidenceEstimate().add(scores=[0.2, 0.7])
    b = ConfidenceEstimate().add(scores=[0.9])
    merged = a.merge(b)
    assert merged.count == 3
    assert merged.estimated_accuracy == pytest.approx((0.8 + 0.7 + 0.9) / 3)
    assert ConfidenceEstimate.from_state(merged.to_state()) == merged
    assert ConfidenceEstimate.from_fields(merged.to_fields()) == merged
    assert ConfidenceEstimate().estimated_accuracy is None
    with pytest.raises(ValueError, match="different threshold"):
        a.merge(ConfidenceEstimate(threshold=0.4))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        ConfidenceEstimate().add(scores=[1.2])
    with pytest.raises(ValueError, match=r"threshold must be a number in \(0, 1\)"):
        ConfidenceEstimate(threshold=0)
