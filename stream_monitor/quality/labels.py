"""The ground-truth join, as pure functions: what a label does, given what the store knows.

The edge layer (``state/``) keeps a :class:`StoredPrediction` per prediction id with a TTL
and a marker for ids already labelled. For each ground-truth event it looks both up, asks
:func:`classify_label` for the :class:`LabelOutcome`, counts the outcome in the
:class:`LabelCounters` of the label's bucket, and, for ``JOINED`` only, applies the
:class:`LabelUpdate` of :func:`join_label` to the bucket of the *prediction's* timestamp,
however late the label is. Times are Unix seconds, passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.events import ClassLabel, GroundTruthEvent, PredictionEvent
from stream_monitor.quality._state import (
    JSONObject,
    JSONValue,
    check_header,
    get_float,
    get_optional_float,
    get_str,
)
from stream_monitor.quality.coverage import LabelOutcome, LabelWindow
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.regression import RegressionErrors
from stream_monitor.quality.spec import QualitySpec, QualityState, merge_quality


@dataclass(frozen=True)
class StoredPrediction:
    """What the join needs from one prediction. The store keeps it as a compact record
    (:mod:`stream_monitor.join_records`); ``to_state()`` is its JSON state, as for the
    other quality states."""

    event_id: str
    model_version: str
    timestamp_s: float
    label: ClassLabel | None = None
    score: float | None = None
    value: float | None = None

    kind = "stored_prediction"
    version = 1

    @classmethod
    def from_event(cls, event: PredictionEvent) -> StoredPrediction:
        output = event.prediction
        return cls(
            event_id=event.event_id,
            model_version=event.model_version,
            timestamp_s=event.timestamp.timestamp(),
            label=output.label,
            score=None if output.score is None else float(output.score),
            value=None if output.value is None else float(output.value),
        )

    def to_state(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "version": self.version,
            "event_id": self.event_id,
            "model_version": self.model_version,
            "timestamp_s": self.timestamp_s,
            "label": self.label,
            "score": self.score,
            "value": self.value,
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> StoredPrediction:
        check_header(state, cls.kind, cls.version)
        label = state.get("label")
        if label is not None and not isinstance(label, str | int):
            raise ValueError(f"state: field 'label' must be a class label or null, got {label!r}")
        return cls(
            event_id=get_str(state, "event_id"),
            model_version=get_str(state, "model_version"),
            timestamp_s=get_float(state, "timestamp_s"),
            label=label,
            score=get_optional_float(state, "score"),
            value=get_optional_float(state, "value"),
        )


def classify_label(
    prediction: StoredPrediction | None,
    *,
    label_time_s: float,
    already_labelled: bool,
    max_label_delay_s: float | None = None,
    recently_expired: bool = False,
) -> LabelOutcome:
    """The outcome of a ground-truth event, from what the store found.

    Parameters
    ----------
    prediction
        The stored prediction for the label's event id, or None when there is none.
    label_time_s
        The label's timestamp.
    already_labelled
        Whether a label for this id was joined before (the first label wins).
    max_label_delay_s
        The join horizon in event time: a label later than this after its prediction is
        ``EXPIRED`` even if the record is still stored (so a replay decides the same as
        the first run, whatever the store's wall-clock TTL did meanwhile). None: no limit.
    recently_expired
        The store knows the id existed but its record is gone (e.g. a tombstone outliving
        the record); without such a marker a forgotten id is ``UNKNOWN_ID``.
    """
    if already_labelled:
        return LabelOutcome.DUPLICATE
    if prediction is None:
        return LabelOutcome.EXPIRED if recently_expired else LabelOutcome.UNKNOWN_ID
    if max_label_delay_s is not None and label_time_s - prediction.timestamp_s > max_label_delay_s:
        return LabelOutcome.EXPIRED
    return LabelOutcome.JOINED


def bucket_start(time_s: float, bucket_seconds: int) -> int:
    """The start (Unix seconds) of the bucket holding ``time_s``: buckets are
    ``[k·bucket_seconds, (k + 1)·bucket_seconds)``.

    >>> bucket_start(125.0, 60), bucket_start(-1.0, 60)
    (120, -60)
    """
    if (
        isinstance(bucket_seconds, bool)
        or not isinstance(bucket_seconds, int)
        or bucket_seconds < 1
    ):
        raise ValueError(f"bucket_seconds must be an integer >= 1, got {bucket_seconds!r}")
    if not math.isfinite(time_s):
        raise ValueError(f"time_s must be finite Unix seconds, got {time_s!r}")
    return math.floor(time_s / bucket_seconds) * bucket_seconds


@dataclass
class LabelUpdate:
    """The increments one or more joined labels make to one prediction bucket."""

    bucket_start_s: int
    model_version: str
    quality: QualityState
    labels: LabelWindow

    def merge(self, other: LabelUpdate) -> LabelUpdate:
        if (self.bucket_start_s, self.model_version) != (other.bucket_start_s, other.model_version):
            raise ValueError("LabelUpdate: only updates of the same bucket and model version merge")
        return LabelUpdate(
            self.bucket_start_s,
            self.model_version,
            merge_quality(self.quality, other.quality),
            self.labels.merge(other.labels),
        )


def join_label(
    prediction: StoredPrediction,
    label: GroundTruthEvent,
    *,
    spec: QualitySpec,
    bucket_seconds: int,
) -> LabelUpdate:
    """The update a ``JOINED`` label makes: one labelled event in the prediction's bucket.

    Raises ``ValueError`` when the truth does not fit the task (a class label is needed for
    classifiers, a value for regressors) or the prediction lacks the needed output.
    """
    if label.event_id != prediction.event_id:
        raise ValueError(
            f"label is for event {label.event_id!r}, not prediction {prediction.event_id!r}"
        )
    quality = spec.new_state()
    _add_pair(quality, prediction, label)
    delay_s = label.timestamp.timestamp() - prediction.timestamp_s
    return LabelUpdate(
        bucket_start_s=bucket_start(prediction.timestamp_s, bucket_seconds),
        model_version=prediction.model_version,
        quality=quality,
        labels=LabelWindow().add_labels([delay_s]),
    )


def merge_updates(updates: Iterable[LabelUpdate]) -> dict[tuple[int, str], LabelUpdate]:
    """Updates combined per (bucket start, model version): one write per bucket."""
    merged: dict[tuple[int, str], LabelUpdate] = {}
    for update in updates:
        key = (update.bucket_start_s, update.model_version)
        merged[key] = merged[key].merge(update) if key in merged else update
    return merged


def _add_pair(quality: QualityState, prediction: StoredPrediction, truth: GroundTruthEvent) -> None:
    if isinstance(quality, RegressionErrors):
        if truth.value is None or prediction.value is None:
            raise ValueError(
                "a regressor's label needs a true value and a predicted value, got "
                f"truth value {truth.value!r} and predicted value {prediction.value!r}"
            )
        quality.add(actual=[float(truth.value)], predicted=[prediction.value])
        return
    if truth.label is None:
        raise ValueError(f"a classifier's ground truth needs a label, got value {truth.value!r}")
    if isinstance(quality, MulticlassCounts):
        if prediction.label is None:
            raise ValueError("a multi-class prediction needs a predicted label to be scored")
        quality.add(actual=[truth.label], predicted=[prediction.label])
        return
    quality.add_labels(
        actual=[truth.label], predicted=[prediction.label], scores=[prediction.score]
    )
