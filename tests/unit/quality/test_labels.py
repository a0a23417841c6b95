"""The label join: outcomes by cause (a table), the bucket and the update it makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.events import GroundTruthEvent, PredictionEvent
from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.coverage import LabelOutcome
from stream_monitor.quality.labels import (
    StoredPrediction,
    bucket_start,
    classify_label,
    join_label,
    merge_updates,
)
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.regression import RegressionErrors
from stream_monitor.quality.spec import QualitySpec
from tests.factories import prediction

T0 = 1_760_000_000.0
STORED = StoredPrediction("e-1", "1.0.0", T0, label=1, score=0.8)


def _truth(event_id: str = "e-1", at: float = T0 + 90.0, **kwargs: object) -> GroundTruthEvent:
    fields = kwargs or {"label": 1}
    return GroundTruthEvent(
        event_id=event_id,
        model_id="churn",
        timestamp=datetime.fromtimestamp(at, tz=UTC),
        **fields,
    )


OUTCOMES = [
    # prediction, label time, already labelled, horizon, tombstone -> outcome
    (STORED, T0 + 10, False, None, False, LabelOutcome.JOINED),
    (STORED, T0 + 10, False, 60.0, False, LabelOutcome.JOINED),
    (STORED, T0 + 61, False, 60.0, False, LabelOutcome.EXPIRED),
    (STORED, T0 + 10, True, 60.0, False, LabelOutcome.DUPLICATE),
    (None, T0 + 10, True, None, False, LabelOutcome.DUPLICATE),
    (None, T0 + 10, False, None, False, LabelOutcome.UNKNOWN_ID),
    (None, T0 + 10, False, None, True, LabelOutcome.EXPIRED),
    (STORED, T0 - 5, False, 60.0, False, LabelOutcome.JOINED),
]


@pytest.mark.parametrize(
    ("stored", "label_time", "already", "horizon", "tombstone", "outcome"), OUTCOMES
)
def test_outcome_table(
    stored: StoredPrediction | None,
    label_time: float,
    already: bool,
    horizon: float | None,
    tombstone: bool,
    outcome: LabelOutcome,
) -> None:
    found = classify_label(
        stored,
        label_time_s=label_time,
        already_labelled=already,
        max_label_delay_s=horizon,
        recently_expired=tombstone,
    )
    assert found is outcome


@pytest.mark.parametrize(
    ("time_s", "bucket_seconds", "start"),
    [(0.0, 60, 0), (59.999, 60, 0), (60.0, 60, 60), (125.5, 60, 120), (-0.5, 60, -60), (7, 1, 7)],
)
def test_bucket_start_table(time_s: float, bucket_seconds: int, start: int) -> None:
    assert bucket_start(time_s, bucket_seconds) == start


def test_bucket_start_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="bucket_seconds must be an integer >= 1"):
        bucket_start(1.0, 0)
    with pytest.raises(ValueError, match="finite"):
        bucket_start(float("nan"), 60)


def test_join_goes_to_the_prediction_bucket_however_late() -> None:
    spec = QualitySpec(task="binary")
    three_days = 3 * 86_400.0
    update = join_label(STORED, _truth(at=T0 + three_days), spec=spec, bucket_seconds=300)
    assert update.bucket_start_s == bucket_start(T0, 300)
    assert update.model_version == "1.0.0"
    assert isinstance(update.quality, BinaryClassification)
    assert (update.quality.tp, update.quality.scored) == (1, 1)
    assert update.labels.labelled == 1 and update.labels.predictions == 0
    p50 = update.labels.delay.p50
    assert p50 is not None and abs(p50.value - three_days) <= 0.01 * three_days


def test_join_for_each_task() -> None:
    regression = StoredPrediction("r", "2", T0, value=3.0)
    update = join_label(
        regression, _truth("r", value=5.0), spec=QualitySpec(task="regression"), bucket_seconds=60
    )
    assert isinstance(update.quality, RegressionErrors) and update.quality.mae == 2.0
    multi = StoredPrediction("m", "2", T0, label="cat")
    spec = QualitySpec.multiclass(["cat", "dog"])
    update = join_label(multi, _truth("m", label="dog"), spec=spec, bucket_seconds=60)
    assert isinstance(update.quality, MulticlassCounts) and update.quality.accuracy == 0.0


@pytest.mark.parametrize(
    ("stored", "truth", "task", "message"),
    [
        (STORED, _truth(value=1.0), "binary", "needs a label"),
        (STORED, _truth(label=1), "regression", "needs a true value and a predicted value"),
        (StoredPrediction("e-1", "1", T0, score=0.3), _truth(), "multiclass", "predicted label"),
        (STORED, _truth("e-2"), "binary", "not prediction"),
    ],
)
def test_join_rejects_truth_that_does_not_fit(
    stored: StoredPrediction, truth: GroundTruthEvent, task: str, message: str
) -> None:
    spec = QualitySpec(task=task, classes=("0", "1"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        join_label(stored, truth, spec=spec, bucket_seconds=60)


def test_updates_merge_per_bucket_and_version() -> None:
    spec = QualitySpec(task="binary")
    predictions = [
        StoredPrediction(f"e-{i}", "v2" if i == 3 else "v1", T0 + 100 * i, label=i % 2)
        for i in range(4)
    ]
    updates = [
        join_label(p, _truth(p.event_id, at=T0 + 1000, label=1), spec=spec, bucket_seconds=300)
        for p in predictions
    ]
    merged = merge_updates(updates)
    first = bucket_start(T0, 300)  # T0 is 200 s into its bucket
    counts = {key: update.labels.labelled for key, update in merged.items()}
    assert counts == {(first, "v1"): 1, (first + 300, "v1"): 2, (first + 300, "v2"): 1}
    both = merged[(first + 300, "v1")].quality
    assert isinstance(both, BinaryClassification) and (both.tp, both.fn) == (1, 1)


def test_stored_prediction_from_event_and_state() -> None:
    event = PredictionEvent.model_validate(prediction(5))
    stored = StoredPrediction.from_event(event)
    assert (stored.event_id, stored.label, stored.score) == ("e-5", 1, 0.05)
    assert stored.timestamp_s == event.timestamp.timestamp()
    assert StoredPrediction.from_state(stored.to_state()) == stored
    with pytest.raises(ValueError, match="class label or null"):
        StoredPrediction.from_state({**stored.to_state(), "label": 1.5})


def test_spec_rejects_unknown_task() -> None:
    with pytest.raises(ValueError, match="task must be one of binary, multiclass, regression"):
        QualitySpec(task="ranking")  # type: ignore[arg-type]
