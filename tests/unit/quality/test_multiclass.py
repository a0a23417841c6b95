"""Multi-class accuracy and macro-F1 against a direct numpy computation."""

from __future__ import annotations

import numpy as np
import pytest

from stream_monitor.quality.multiclass import (
    MAX_CLASSES,
    OTHER_CLASS,
    MulticlassCounts,
    pair_key,
    split_pair_key,
)


def _macro_f1(actual: np.ndarray, predicted: np.ndarray) -> float:
    f1s = []
    for c in np.union1d(actual, predicted):
        tp = np.sum((actual == c) & (predicted == c))
        fp = np.sum((actual != c) & (predicted == c))
        fn = np.sum((actual == c) & (predicted != c))
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


@pytest.mark.parametrize("seed", range(3))
def test_accuracy_and_macro_f1_match_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    classes = ["a", "b", "c", "d|e"]
    actual = rng.choice(classes, 4000)
    noise = rng.random(4000) < 0.3
    predicted = np.where(noise, rng.choice(classes, 4000), actual)
    counts = MulticlassCounts(classes=classes).add(actual=list(actual), predicted=list(predicted))
    assert counts.accuracy == pytest.approx(np.mean(actual == predicted), abs=1e-12)
    assert counts.macro_f1 == pytest.approx(_macro_f1(actual, predicted), abs=1e-12)


def test_unknown_labels_are_other_and_ints_match_their_text() -> None:
    counts = MulticlassCounts(classes=[0, 1, 2]).add(
        actual=[0, 1, "2", 7, 9], predicted=[0, 2, 2, 8, 1]
    )
    assert counts.confusion == {
        pair_key("0", "0"): 1,
        pair_key("1", "2"): 1,
        pair_key("2", "2"): 1,
        pair_key(OTHER_CLASS, OTHER_CLASS): 1,
        pair_key(OTHER_CLASS, "1"): 1,
    }
    assert counts.accuracy == 3 / 5


@pytest.mark.parametrize("pair", [("a", "b"), ("a|b", "c%7C"), ("%", "|"), ("", "%25|%7C")])
def test_pair_keys_round_trip(pair: tuple[str, str]) -> None:
    assert split_pair_key(pair_key(*pair)) == pair


def test_empty_counts_and_round_trips() -> None:
    empty = MulticlassCounts(classes=["x", "y"])
    assert empty.accuracy is None and empty.macro_f1 is None
    counts = MulticlassCounts(classes=["x", "y"]).add(actual=["x", "y"], predicted=["y", "y"])
    assert MulticlassCounts.from_state(counts.to_state()) == counts
    assert MulticlassCounts.from_fields(counts.to_fields(), classes=["y", "x"]) == counts


def test_bad_configuration_and_states() -> None:
    with pytest.raises(ValueError, match=f"classes must be 2 to {MAX_CLASSES} distinct"):
        MulticlassCounts(classes=["only"])
    with pytest.raises(ValueError, match=f"classes must be 2 to {MAX_CLASSES} distinct"):
        MulticlassCounts(classes=list(range(MAX_CLASSES + 1)))
    with pytest.raises(ValueError, match="different classes"):
        MulticlassCounts(classes=["a", "b"]).merge(MulticlassCounts(classes=["a", "c"]))
    with pytest.raises(ValueError, match="not a count of two of the classes"):
        MulticlassCounts.from_fields({"a|zzz": 1}, classes=["a", "b"])
    with pytest.raises(ValueError, match="same length"):
        MulticlassCounts(classes=["a", "b"]).add(actual=["a"], predicted=[])
