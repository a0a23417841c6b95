"""Binary classification counts against direct numpy and scipy references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from stream_monitor.quality.classes import decide_positive, label_key
from stream_monitor.quality.classification import BinaryClassification

TOLERANCE = 1e-12


def _sample(seed: int, n: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.beta(2.0, 3.0, n)
    actual = rng.random(n) < scores
    return actual, scores


def _mann_whitney_auc(actual: np.ndarray, scores: np.ndarray) -> float:
    positives, negatives = scores[actual], scores[~actual]
    u = mannwhitneyu(positives, negatives, alternative="two-sided").statistic
    return float(u) / float(positives.size * negatives.size)


@pytest.mark.parametrize("seed", range(3))
def test_confusion_metrics_match_numpy(seed: int) -> None:
    actual, scores = _sample(seed)
    predicted = scores >= 0.5
    counts = BinaryClassification().add(actual=actual, predicted=predicted, scores=scores)
    tp = np.sum(actual & predicted)
    fp = np.sum(~actual & predicted)
    fn = np.sum(actual & ~predicted)
    assert counts.accuracy == pytest.approx(np.mean(actual == predicted), abs=TOLERANCE)
    assert counts.precision == pytest.approx(tp / (tp + fp), abs=TOLERANCE)
    assert counts.recall == pytest.approx(tp / (tp + fn), abs=TOLERANCE)
    assert counts.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn), abs=TOLERANCE)


@pytest.mark.parametrize("seed", range(3))
def test_log_loss_and_brier_match_numpy(seed: int) -> None:
    actual, scores = _sample(seed)
    scores[:3] = [0.0, 1.0, 1.0]  # clipped at 1e-15
    counts = BinaryClassification().add(actual=actual, predicted=scores >= 0.5, scores=scores)
    clipped = np.clip(scores, 1e-15, 1 - 1e-15)
    expected = -np.mean(actual * np.log(clipped) + (1 - actual) * np.log(1 - clipped))
    assert counts.log_loss == pytest.approx(expected, rel=1e-9)
    assert counts.brier == pytest.approx(np.mean((scores - actual) ** 2), rel=1e-12)


@pytest.mark.parametrize("resolution", [10, 100, 1000])
@pytest.mark.parametrize("seed", range(3))
def test_auc_is_exact_on_the_score_grid(seed: int, resolution: int) -> None:
    actual, raw = _sample(seed)
    scores = np.round(raw * resolution) / resolution  # every bin holds one distinct score
    counts = BinaryClassification(score_resolution=resolution).add(
        actual=actual, predicted=scores >= 0.5, scores=scores
    )
    assert counts.roc_auc == pytest.approx(_mann_whitney_auc(actual, scores), abs=TOLERANCE)


@pytest.mark.parametrize("resolution", [10, 100])
@pytest.mark.parametrize("seed", range(3))
def test_auc_is_within_its_bound_off_the_grid(seed: int, resolution: int) -> None:
    actual, scores = _sample(seed)
    counts = BinaryClassification(score_resolution=resolution).add(
        actual=actual, predicted=scores >= 0.5, scores=scores
    )
    assert counts.roc_auc is not None and counts.roc_auc_error_bound is not None
    error = abs(counts.roc_auc - _mann_whitney_auc(actual, scores))
    assert error <= counts.roc_auc_error_bound + TOLERANCE
    assert counts.roc_auc_error_bound < 0.6 / resolution


def test_auc_bound_covers_the_worst_case_within_one_bin() -> None:
    # All positives just above all negatives, inside one bin: exact AUC 1, binned 0.5.
    scores = np.array([0.501, 0.502, 0.503, 0.504])
    actual = np.array([False, False, True, True])
    counts = BinaryClassification().add(actual=actual, predicted=scores >= 0.5, scores=scores)
    assert (counts.roc_auc, counts.roc_auc_error_bound) == (0.5, 0.5)


def test_undefined_metrics_are_none() -> None:
    empty = BinaryClassification()
    assert [empty.accuracy, empty.precision, empty.recall, empty.f1] == [None] * 4
    assert [empty.log_loss, empty.brier, empty.roc_auc, empty.roc_auc_error_bound] == [None] * 4
    negatives_only = BinaryClassification().add(
        actual=[False, False], predicted=[False, False], scores=[0.1, 0.2]
    )
    assert negatives_only.accuracy == 1.0
    assert negatives_only.precision is None and negatives_only.f1 is None
    assert negatives_only.roc_auc is None


def test_events_without_score_count_in_confusion_only() -> None:
    counts = BinaryClassification().add(
        actual=[True, False, True], predicted=[True, True, False], scores=[math.nan, 0.7, 0.2]
    )
    assert (counts.tp, counts.fp, counts.tn, counts.fn, counts.scored) == (1, 1, 0, 1, 2)


def test_labels_decide_the_class_and_scores_are_the_fallback() -> None:
    counts = BinaryClassification(positive_label="spam", threshold=0.7).add_labels(
        actual=["spam", "ham", "spam", "ham"],
        predicted=["spam", None, None, "ham"],
        scores=[0.1, 0.8, 0.6, None],
    )
    # event 0: label says spam (score ignored for the class); 1: 0.8 >= 0.7; 2: 0.6 < 0.7
    assert (counts.tp, counts.fp, counts.tn, counts.fn) == (1, 1, 1, 1)
    assert counts.scored == 3


def test_label_keys_treat_bools_as_python_does() -> None:
    assert label_key(True) == label_key(1) == "1"
    assert label_key(False) == label_key(0) == "0"
    assert label_key("true") == "true"
    assert label_key(np.int64(3)) == "3" and label_key(np.bool_(True)) == "1"  # type: ignore[arg-type]
    assert decide_positive([True, 0, None], [None, None, 0.5], positive_label=1).tolist() == [
        True,
        False,
        True,
    ]
    with pytest.raises(ValueError, match="needs a label or a score"):
        decide_positive([None], [None], positive_label=1)


def test_round_trips_and_merge() -> None:
    actual, scores = _sample(4, 300)
    whole = BinaryClassification().add(actual=actual, predicted=scores >= 0.5, scores=scores)
    assert BinaryClassification.from_state(whole.to_state()) == whole
    assert BinaryClassification.from_fields(whole.to_fields()) == whole
    first = BinaryClassification().add(
        actual=actual[:100], predicted=scores[:100] >= 0.5, scores=scores[:100]
    )
    rest = BinaryClassification().add(
        actual=actual[100:], predicted=scores[100:] >= 0.5, scores=scores[100:]
    )
    merged = first.merge(rest)
    assert (merged.tp, merged.fp, merged.tn, merged.fn) == (whole.tp, whole.fp, whole.tn, whole.fn)
    assert merged.positive_bins == whole.positive_bins
    assert merged.log_loss_sum == pytest.approx(whole.log_loss_sum, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.0}, r"threshold must be a number in \(0, 1\)"),
        ({"score_resolution": 0}, r"score_resolution must be an integer in \[1, 10000\]"),
        ({"positive_label": 1.5}, "a class label must be a str, int or bool"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BinaryClassification(**kwargs)  # type: ignore[arg-type]


def test_bad_inputs_and_incompatible_merge() -> None:
    with pytest.raises(ValueError, match=r"scores must be in \[0, 1\]"):
        BinaryClassification().add(actual=[True], predicted=[True], scores=[1.5])
    with pytest.raises(ValueError, match="same length"):
        BinaryClassification().add(actual=[True, False], predicted=[True], scores=[0.5])
    with pytest.raises(ValueError, match="different positive"):
        BinaryClassification().merge(BinaryClassification(positive_label="yes"))
    with pytest.raises(ValueError, match="score bins"):
        BinaryClassification.from_fields({"scored": 1, "pos:500": 1})
