"""Window states into the ``metrics`` of a :class:`schemas.outputs.MetricEvent`.

One function per metric group: :func:`operational_metrics` for ``group="operational"``,
:func:`quality_metrics` for ``group="quality"``. A metric that cannot be computed in the
window (no events, no labels, an undefined ratio) is ``None``, never 0 or NaN. Counts are
given as floats, since the metric map holds floats.
"""

from __future__ import annotations

from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.coverage import LabelCounters, LabelOutcome, LabelWindow
from stream_monitor.quality.estimate import ConfidenceEstimate
from stream_monitor.quality.latency import LogHistogram, QuantileEstimate
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.operational import OperationalCounters
from stream_monitor.quality.regression import RegressionErrors
from stream_monitor.quality.spec import QualityState

Metrics = dict[str, float | None]


def operational_metrics(counters: OperationalCounters, *, window_seconds: float) -> Metrics:
    """``events``, ``errors``, ``throughput_eps`` (events / ``window_seconds``),
    ``error_rate``, ``latency_p50_ms``/``p95``/``p99`` and ``latency_relative_error`` (the
    histogram's bound on those percentiles)."""
    return {
        "events": float(counters.events),
        "errors": float(counters.errors),
        "throughput_eps": counters.throughput(window_seconds),
        "error_rate": counters.error_rate,
        **_percentiles(counters.latency, "latency", "ms"),
        "latency_relative_error": counters.latency.relative_error,
    }


def quality_metrics(
    *,
    labels: LabelWindow,
    outcomes: LabelCounters | None = None,
    quality: QualityState | None = None,
    estimate: ConfidenceEstimate | None = None,
) -> Metrics:
    """The quality metrics of one window.

    Parameters
    ----------
    labels
        Coverage and delays of the window's predictions.
    outcomes
        Label events by outcome, counted in the window of their arrival.
    quality
        The realised quality counts of the window's labelled predictions.
    estimate
        The confidence-based estimate over all the window's predictions.
    """
    metrics = label_metrics(labels)
    if outcomes is not None:
        metrics |= outcome_metrics(outcomes)
    if isinstance(quality, BinaryClassification):
        metrics |= binary_metrics(quality)
    elif isinstance(quality, MulticlassCounts):
        metrics |= multiclass_metrics(quality)
    elif isinstance(quality, RegressionErrors):
        metrics |= regression_metrics(quality)
    if estimate is not None:
        metrics |= estimate_metrics(estimate)
    return metrics


def label_metrics(labels: LabelWindow) -> Metrics:
    return {
        "predictions": float(labels.predictions),
        "labelled_events": float(labels.labelled),
        "label_coverage": labels.coverage,
        **_percentiles(labels.delay, "label_delay", "s"),
    }


def outcome_metrics(outcomes: LabelCounters) -> Metrics:
    return {f"labels_{outcome.value}": float(outcomes[outcome]) for outcome in LabelOutcome}


def binary_metrics(counts: BinaryClassification) -> Metrics:
    return {
        "accuracy": counts.accuracy,
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
        "roc_auc": counts.roc_auc,
        "roc_auc_error_bound": counts.roc_auc_error_bound,
        "log_loss": counts.log_loss,
        "brier": counts.brier,
    }


def multiclass_metrics(counts: MulticlassCounts) -> Metrics:
    return {"accuracy": counts.accuracy, "macro_f1": counts.macro_f1}


def regression_metrics(errors: RegressionErrors) -> Metrics:
    return {
        "mae": errors.mae,
        "rmse": errors.rmse,
        "mape": errors.mape,
        "mape_skipped_zero_truths": float(errors.zero_truths),
    }


def estimate_metrics(estimate: ConfidenceEstimate) -> Metrics:
    return {
        "estimated_accuracy": estimate.estimated_accuracy,
        "estimated_accuracy_std_error": estimate.accuracy_std_error,
        "estimated_precision": estimate.estimated_precision,
        "estimated_recall": estimate.estimated_recall,
        "estimated_f1": estimate.estimated_f1,
    }


def _percentiles(histogram: LogHistogram, name: str, unit: str) -> Metrics:
    return {
        f"{name}_p50_{unit}": _value(histogram.p50),
        f"{name}_p95_{unit}": _value(histogram.p95),
        f"{name}_p99_{unit}": _value(histogram.p99),
    }


def _value(estimate: QuantileEstimate | None) -> float | None:
    return None if estimate is None else estimate.value
