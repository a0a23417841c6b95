"""Mergeable quality counts of a binary classifier: confusion, log loss, Brier, binned AUC.

A labelled event contributes to the confusion counts through its *predicted class*: the
predicted label when the event has one, else ``score >= threshold``. Events with a score
also contribute to the log loss, the Brier score and the score bins of the ROC AUC.

* **Log loss** is a float sum of ``−(y·ln p + (1 − y)·ln(1 − p))`` with ``p`` clipped to
  ``[1e-15, 1 − 1e-15]`` (so one confident mistake costs at most about 34.5).
* **ROC AUC** comes from ``score_resolution + 1`` score bins centred on the grid
  ``k / score_resolution`` (bin ``k`` = ``[(k − ½)/r, (k + ½)/r)``), with positives and
  negatives counted per bin. Pairs in different bins are ordered exactly; a pair in the
  same bin counts ½, as a tie. Hence the binned AUC equals the Mann-Whitney AUC
  (``U / (n_pos·n_neg)``, ties ½, as sklearn) when every bin holds at most one distinct
  score, e.g. scores on the grid; otherwise it is within
  ``roc_auc_error_bound = ½ · Σ_k pos_k·neg_k / (n_pos·n_neg)``, computed from the same
  counts and reported next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

import numpy as np

from schemas.events import ClassLabel
from stream_monitor.quality._state import (
    BoolArray,
    Fields,
    FloatArray,
    JSONObject,
    JSONValue,
    RawFields,
    add_counts,
    as_bool_array,
    as_float_array,
    bincount_into,
    check_header,
    check_int,
    check_lengths,
    check_number,
    check_same,
    decode_fields,
    field_float,
    field_int,
    get_float,
    get_index_counts,
    get_int,
    get_str,
    index_counts_json,
    index_fields,
    nonzero,
    under_prefix,
    with_prefix,
)
from stream_monitor.quality.classes import decide_positive, label_key

LOG_LOSS_EPS = 1e-15
CONFUSION = ("tp", "fp", "tn", "fn")


class BinaryClassification:
    """Confusion counts, log loss and Brier sums, and score bins of a binary classifier.

    Parameters
    ----------
    positive_label
        The positive class (compared through :func:`label_key`).
    threshold
        Decision threshold in (0, 1) for events that carry a score but no label.
    score_resolution
        ``r``: scores are binned on the grid ``k / r`` for the ROC AUC (1 to 10000).
    """

    kind: ClassVar[str] = "binary_classification"
    version: ClassVar[int] = 1

    def __init__(
        self, *, positive_label: ClassLabel = 1, threshold: float = 0.5, score_resolution: int = 100
    ) -> None:
        owner = "BinaryClassification"
        self.positive = label_key(positive_label)
        self.threshold = check_number(owner, "threshold", threshold, low=0.0, high=1.0)
        self.score_resolution = check_int(
            owner, "score_resolution", score_resolution, minimum=1, maximum=10_000
        )
        self.tp = self.fp = self.tn = self.fn = 0
        self.scored = 0
        self.log_loss_sum = 0.0
        self.brier_sum = 0.0
        self.positive_bins: dict[int, int] = {}
        self.negative_bins: dict[int, int] = {}

    def add(self, *, actual: object, predicted: object, scores: object) -> Self:
        """Count labelled events: ``actual``/``predicted`` are bool arrays (True = positive
        class), ``scores`` the positive-class probabilities with NaN for no score."""
        owner = "BinaryClassification"
        truth = as_bool_array(owner, "actual", actual)
        guess = as_bool_array(owner, "predicted", predicted)
        score = as_float_array(owner, "scores", scores)
        check_lengths(owner, actual=truth, predicted=guess, scores=score)
        has_score = ~np.isnan(score)
        if not ((score[has_score] >= 0) & (score[has_score] <= 1)).all():
            raise ValueError(f"{owner}: scores must be in [0, 1] or NaN (no score)")
        self.tp += int((truth & guess).sum())
        self.fp += int((~truth & guess).sum())
        self.tn += int((~truth & ~guess).sum())
        self.fn += int((truth & ~guess).sum())
        self._add_scores(truth[has_score], score[has_score])
        return self

    def add_labels(
        self,
        *,
        actual: Sequence[ClassLabel],
        predicted: Sequence[ClassLabel | None],
        scores: Sequence[float | None],
    ) -> Self:
        """:meth:`add` from class labels; a missing predicted label falls back to the score."""
        positive = np.array([label_key(label) == self.positive for label in actual], dtype=bool)
        decided = decide_positive(
            predicted, scores, positive_label=self.positive, threshold=self.threshold
        )
        as_numbers = [np.nan if s is None else float(s) for s in scores]
        return self.add(actual=positive, predicted=decided, scores=as_numbers)

    def _add_scores(self, truth: BoolArray, score: FloatArray) -> None:
        clipped = np.clip(score, LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS)
        losses = -np.where(truth, np.log(clipped), np.log1p(-clipped))
        self.scored += int(score.size)
        self.log_loss_sum += float(losses.sum())
        self.brier_sum += float(np.square(score - truth).sum())
        bins = np.floor(score * self.score_resolution + 0.5).astype(np.int64)
        bincount_into(self.positive_bins, bins[truth])
        bincount_into(self.negative_bins, bins[~truth])

    @property
    def count(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.tp + self.tn, self.count)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """``2·TP / (2·TP + FP + FN)``; None when there is no positive, true or predicted."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def log_loss(self) -> float | None:
        return _ratio(self.log_loss_sum, self.scored)

    @property
    def brier(self) -> float | None:
        return _ratio(self.brier_sum, self.scored)

    @property
    def roc_auc(self) -> float | None:
        """Binned ROC AUC; None unless both classes have scored events."""
        pairs = self._bin_pairs()
        return None if pairs is None else pairs[0]

    @property
    def roc_auc_error_bound(self) -> float | None:
        """Bound on ``|roc_auc − exact AUC of the raw scores|``."""
        pairs = self._bin_pairs()
        return None if pairs is None else pairs[1]

    def _bin_pairs(self) -> tuple[float, float] | None:
        size = self.score_resolution + 1
        positives = np.zeros(size)
        negatives = np.zeros(size)
        for counts, dense in ((self.positive_bins, positives), (self.negative_bins, negatives)):
            for index, count in counts.items():
                dense[index] = count
        n_pairs = positives.sum() * negatives.sum()
        if n_pairs == 0:
            return None
        negatives_below = np.cumsum(negatives) - negatives
        ties = float((positives * negatives).sum())
        ordered = float((positives * negatives_below).sum())
        return (ordered + 0.5 * ties) / n_pairs, 0.5 * ties / n_pairs

    def merge(self, other: BinaryClassification) -> BinaryClassification:
        for what in ("positive", "threshold", "score_resolution"):
            check_same("BinaryClassification", what, getattr(self, what), getattr(other, what))
        merged = self._empty_like()
        for name in (*CONFUSION, "scored", "log_loss_sum", "brier_sum"):
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        merged.positive_bins = add_counts(self.positive_bins, other.positive_bins)
        merged.negative_bins = add_counts(self.negative_bins, other.negative_bins)
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "version": self.version,
            "positive_label": self.positive,
            "threshold": self.threshold,
            "score_resolution": self.score_resolution,
            **{name: getattr(self, name) for name in (*CONFUSION, "scored")},
            "log_loss_sum": self.log_loss_sum,
            "brier_sum": self.brier_sum,
            "positive_bins": index_counts_json(self.positive_bins),
            "negative_bins": index_counts_json(self.negative_bins),
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        counts = cls(
            positive_label=get_str(state, "positive_label"),
            threshold=get_float(state, "threshold"),
            score_resolution=get_int(state, "score_resolution"),
        )
        for name in (*CONFUSION, "scored"):
            setattr(counts, name, get_int(state, name))
        counts.log_loss_sum = get_float(state, "log_loss_sum")
        counts.brier_sum = get_float(state, "brier_sum")
        counts.positive_bins = get_index_counts(state, "positive_bins")
        counts.negative_bins = get_index_counts(state, "negative_bins")
        counts._check_bins()
        return counts

    def to_fields(self) -> Fields:
        """Redis hash fields: the four confusion counts, ``scored``, the two float sums
        (``HINCRBYFLOAT``), and the score bins as ``pos:<k>`` and ``neg:<k>``."""
        fields: Fields = {name: getattr(self, name) for name in (*CONFUSION, "scored")}
        fields |= {"log_loss_sum": self.log_loss_sum, "brier_sum": self.brier_sum}
        fields |= with_prefix("pos:", {str(k): c for k, c in self.positive_bins.items()})
        fields |= with_prefix("neg:", {str(k): c for k, c in self.negative_bins.items()})
        return nonzero(fields)

    @classmethod
    def from_fields(
        cls,
        fields: RawFields,
        *,
        positive_label: ClassLabel = 1,
        threshold: float = 0.5,
        score_resolution: int = 100,
    ) -> Self:
        decoded = decode_fields(fields)
        counts = cls(
            positive_label=positive_label, threshold=threshold, score_resolution=score_resolution
        )
        for name in (*CONFUSION, "scored"):
            setattr(counts, name, field_int(decoded, name))
        counts.log_loss_sum = field_float(decoded, "log_loss_sum")
        counts.brier_sum = field_float(decoded, "brier_sum")
        counts.positive_bins = index_fields(under_prefix("pos:", decoded))
        counts.negative_bins = index_fields(under_prefix("neg:", decoded))
        counts._check_bins()
        return counts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BinaryClassification):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={getattr(self, name)}" for name in CONFUSION)
        return f"BinaryClassification(positive={self.positive!r}, {counts})"

    def _empty_like(self) -> BinaryClassification:
        return BinaryClassification(
            positive_label=self.positive,
            threshold=self.threshold,
            score_resolution=self.score_resolution,
        )

    def _check_bins(self) -> None:
        indices = [*self.positive_bins, *self.negative_bins]
        if any(not 0 <= i <= self.score_resolution for i in indices):
            raise ValueError(
                f"BinaryClassification: score bins must be in [0, {self.score_resolution}]"
            )
        binned = sum(self.positive_bins.values()) + sum(self.negative_bins.values())
        if binned != self.scored or min(getattr(self, n) for n in CONFUSION) < 0:
            raise ValueError(
                "BinaryClassification: counts must be >= 0 and the score bins sum to 'scored'"
            )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None
