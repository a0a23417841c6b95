"""Confidence-based performance estimation (CBPE) of a binary classifier, before labels.

If the scores are *calibrated* (of the events scored ``p``, a share ``p`` is positive),
an event predicted positive is a true positive with probability ``p`` and a false
positive with probability ``1 − p``; one predicted negative is a false negative with
probability ``p`` and a true negative with probability ``1 − p``. Summing over all the
predictions of a window, labelled or not, gives the expected confusion counts::

    E[TP] = Σ_{pred +} p    E[FP] = Σ_{pred +} (1 − p)
    E[FN] = Σ_{pred −} p    E[TN] = Σ_{pred −} (1 − p)

and from them ``estimated_accuracy = (E[TP] + E[TN]) / n`` (with the 0.5 threshold,
the mean of ``max(p, 1 − p)``), and precision, recall and F1 as ratios of expected
counts, as NannyML's CBPE does. The sums add when merged.

``accuracy_std_error = sqrt(Σ c·(1 − c)) / n``, with ``c`` the probability that an event
is classified correctly, is the standard deviation of the realised accuracy around the
estimate when the calibration assumption holds: the realised accuracy of a calibrated
model is within about 3 of them of the estimate. With miscalibrated scores the estimate is
biased by the calibration error, whatever the window size.
"""

from __future__ import annotations

import math
from typing import ClassVar, Self

import numpy as np

from stream_monitor.quality._state import (
    Fields,
    JSONObject,
    JSONValue,
    RawFields,
    as_bool_array,
    as_float_array,
    check_header,
    check_lengths,
    check_number,
    decode_fields,
    field_float,
    field_int,
    get_float,
    get_int,
    nonzero,
)

_FLOATS = ("expected_tp", "expected_fp", "expected_fn", "expected_tn", "correct_variance")


class ConfidenceEstimate:
    """Expected confusion counts of a window's predictions, from their scores alone.

    Parameters
    ----------
    threshold
        The decision threshold in (0, 1) used when :meth:`add` is given no predicted class.

    Examples
    --------
    >>> estimate = ConfidenceEstimate().add(scores=[0.9, 0.2, 0.6, 0.5])
    >>> round(estimate.estimated_accuracy, 4)
    0.7
    """

    kind: ClassVar[str] = "confidence_estimate"
    version: ClassVar[int] = 1

    def __init__(self, *, threshold: float = 0.5) -> None:
        self.threshold = check_number("ConfidenceEstimate", "threshold", threshold, low=0, high=1)
        self.count = 0
        self.expected_tp = self.expected_fp = 0.0
        self.expected_fn = self.expected_tn = 0.0
        self.correct_variance = 0.0

    def add(self, *, scores: object, predicted: object = None) -> Self:
        """Count scored predictions; ``predicted`` (bools, True = positive class) is the
        model's decision when known, else ``scores >= threshold``."""
        score = as_float_array("ConfidenceEstimate", "scores", scores)
        if not (np.isfinite(score).all() and ((score >= 0) & (score <= 1)).all()):
            raise ValueError("ConfidenceEstimate: scores must be probabilities in [0, 1]")
        if predicted is None:
            positive = score >= self.threshold
        else:
            positive = as_bool_array("ConfidenceEstimate", "predicted", predicted)
            check_lengths("ConfidenceEstimate", scores=score, predicted=positive)
        self.count += int(score.size)
        self.expected_tp += float(score[positive].sum())
        self.expected_fp += float((1.0 - score[positive]).sum())
        self.expected_fn += float(score[~positive].sum())
        self.expected_tn += float((1.0 - score[~positive]).sum())
        self.correct_variance += float((score * (1.0 - score)).sum())
        return self

    @property
    def estimated_accuracy(self) -> float | None:
        return (self.expected_tp + self.expected_tn) / self.count if self.count else None

    @property
    def estimated_precision(self) -> float | None:
        return _ratio(self.expected_tp, self.expected_tp + self.expected_fp)

    @property
    def estimated_recall(self) -> float | None:
        return _ratio(self.expected_tp, self.expected_tp + self.expected_fn)

    @property
    def estimated_f1(self) -> float | None:
        tp2 = 2.0 * self.expected_tp
        return _ratio(tp2, tp2 + self.expected_fp + self.expected_fn)

    @property
    def accuracy_std_error(self) -> float | None:
        """Standard deviation of the realised accuracy around the estimate, if calibrated."""
        return math.sqrt(self.correct_variance) / self.count if self.count else None

    def merge(self, other: ConfidenceEstimate) -> ConfidenceEstimate:
        if self.threshold != other.threshold:
            raise ValueError(
                "ConfidenceEstimate: cannot merge states with different threshold: "
                f"{self.threshold!r} != {other.threshold!r}"
            )
        merged = ConfidenceEstimate(threshold=self.threshold)
        merged.count = self.count + other.count
        for name in _FLOATS:
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        state: dict[str, JSONValue] = {
            "kind": self.kind,
            "version": self.version,
            "threshold": self.threshold,
            "count": self.count,
        }
        return state | {name: getattr(self, name) for name in _FLOATS}

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        estimate = cls(threshold=get_float(state, "threshold"))
        estimate.count = get_int(state, "count")
        for name in _FLOATS:
            setattr(estimate, name, get_float(state, name))
        return estimate

    def to_fields(self) -> Fields:
        """Redis hash fields: ``count`` (int) and the five float sums."""
        fields: Fields = {"count": self.count}
        return nonzero(fields | {name: getattr(self, name) for name in _FLOATS})

    @classmethod
    def from_fields(cls, fields: RawFields, *, threshold: float = 0.5) -> Self:
        decoded = decode_fields(fields)
        estimate = cls(threshold=threshold)
        estimate.count = field_int(decoded, "count")
        for name in _FLOATS:
            setattr(estimate, name, field_float(decoded, name))
        return estimate

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConfidenceEstimate):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ConfidenceEstimate(count={self.count}, accuracy={self.estimated_accuracy!r})"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None
