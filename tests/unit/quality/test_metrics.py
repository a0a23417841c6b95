"""The quality metric map: names per task, None when undefined, and the docstring examples."""

from __future__ import annotations

import doctest
import importlib

import pytest

from schemas.outputs import MetricEvent, Window
from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.coverage import LabelCounters, LabelOutcome, LabelWindow
from stream_monitor.quality.estimate import ConfidenceEstimate
from stream_monitor.quality.metrics import quality_metrics
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.regression import RegressionErrors

LABEL_NAMES = {
    "predictions",
    "labelled_events",
    "label_coverage",
    "label_delay_p50_s",
    "label_delay_p95_s",
    "label_delay_p99_s",
}
OUTCOME_NAMES = {"labels_joined", "labels_unknown_id", "labels_expired", "labels_duplicate"}
BINARY_NAMES = {
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "roc_auc_error_bound",
    "log_loss",
    "brier",
}
ESTIMATE_NAMES = {
    "estimated_accuracy",
    "estimated_accuracy_std_error",
    "estimated_precision",
    "estimated_recall",
    "estimated_f1",
}


def test_binary_window_names_and_values() -> None:
    labels = LabelWindow().add_predictions(4).add_labels([10.0, 20.0])
    quality = BinaryClassification().add(
        actual=[True, False], predicted=[True, True], scores=[0.9, 0.6]
    )
    outcomes = LabelCounters().add(LabelOutcome.JOINED, 2).add(LabelOutcome.UNKNOWN_ID)
    estimate = ConfidenceEstimate().add(scores=[0.9, 0.6, 0.2, 0.3])
    metrics = quality_metrics(labels=labels, outcomes=outcomes, quality=quality, estimate=estimate)
    assert set(metrics) == LABEL_NAMES | OUTCOME_NAMES | BINARY_NAMES | ESTIMATE_NAMES
    assert metrics["label_coverage"] == 0.5
    assert metrics["accuracy"] == 0.5 and metrics["recall"] == 1.0
    assert metrics["labels_unknown_id"] == 1.0
    window = Window.model_validate({"start": 0, "end": 60, "event_count": 4})
    MetricEvent(model_id="churn", window=window, group="quality", metrics=metrics)


def test_other_tasks_and_empty_window() -> None:
    empty = quality_metrics(labels=LabelWindow(), quality=BinaryClassification())
    assert empty["label_coverage"] is None and empty["accuracy"] is None
    assert empty["label_delay_p50_s"] is None
    multi = quality_metrics(labels=LabelWindow(), quality=MulticlassCounts(classes=["a", "b"]))
    assert {"accuracy", "macro_f1"} <= set(multi) and "precision" not in multi
    regression = quality_metrics(
        labels=LabelWindow(), quality=RegressionErrors().add(actual=[2.0], predicted=[1.0])
    )
    assert (regression["mae"], regression["rmse"], regression["mape"]) == (1.0, 1.0, 0.5)
    assert regression["mape_skipped_zero_truths"] == 0.0


MODULES = [
    "classes",
    "coverage",
    "estimate",
    "labels",
    "latency",
    "multiclass",
    "operational",
    "regression",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"stream_monitor.quality.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
