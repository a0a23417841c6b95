"""One model's evaluation step, pure: a window read from the store in, events out.

The same function runs in the Kafka worker and in embedded runs (replay, demo), so both
publish the same statistics for the same events.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import DriftEvent, MetricEvent, Window
from stream_monitor.drift import DriftResult, evaluate_drift
from stream_monitor.model_spec import ModelSpec
from stream_monitor.quality import operational_metrics, quality_metrics
from stream_monitor.stats.decision import DriftPolicy
from stream_monitor.stats.window import NumericWindow
from stream_monitor.targets import WindowRead

MISSING_RATE = "missing_rate"
INVALID_RATE = "invalid_rate"
OUT_OF_RANGE_RATE = "out_of_range_rate"


@dataclass(frozen=True)
class Evaluation:
    drift: DriftResult
    metrics: tuple[MetricEvent, ...]

    @property
    def events(self) -> tuple[DriftEvent | MetricEvent, ...]:
        return (*self.metrics, *self.drift.events)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def data_quality_metrics(spec: ModelSpec, read: WindowRead) -> dict[str, float | None]:
    """Per feature: ``missing_rate.<f>``, ``invalid_rate.<f>`` (wrong type) and, for
    numeric features, ``out_of_range_rate.<f>`` (outside the reference's [min, max]),
    each with its ``reference.`` value from the reference profile."""
    metrics: dict[str, float | None] = {}
    for name, window in read.windows.features.items():
        ref = spec.profile.features[name]
        seen, ref_seen = window.count + window.missing + window.invalid, ref.count + ref.missing
        ref_seen += ref.invalid
        rates = {
            MISSING_RATE: (_rate(window.missing, seen), _rate(ref.missing, ref_seen)),
            INVALID_RATE: (_rate(window.invalid, seen), _rate(ref.invalid, ref_seen)),
        }
        if isinstance(window, NumericWindow):
            rates[OUT_OF_RANGE_RATE] = (_rate(read.out_of_range[name], window.count), 0.0)
        for metric, (value, reference) in rates.items():
            metrics[f"{metric}.{name}"] = value
            metrics[f"reference.{metric}.{name}"] = reference
    return metrics


def quality_window_metrics(spec: ModelSpec, read: WindowRead) -> dict[str, float | None] | None:
    """Realised quality of the labels joined so far, coverage, delays, the estimate from
    scores, and the reference quality; None for a model without labels."""
    if read.quality is None:
        return None
    q = read.quality
    metrics = quality_metrics(
        labels=q.labels, outcomes=q.outcomes, quality=q.quality, estimate=q.estimate
    )
    metrics.update({f"reference.{k}": v for k, v in spec.reference_quality.items()})
    return metrics


def evaluate_window(
    spec: ModelSpec, policy: DriftPolicy, read: WindowRead, window: Window
) -> Evaluation:
    """Drift of every feature and output, data quality and operational metrics."""
    drift = evaluate_drift(spec.model_id, spec.profile, read.windows, window, policy)
    seconds = spec.windowing.window_seconds
    metrics: tuple[MetricEvent, ...] = (
        MetricEvent(
            model_id=spec.model_id,
            window=window,
            group="operational",
            metrics=operational_metrics(read.ops, window_seconds=seconds),
        ),
        MetricEvent(
            model_id=spec.model_id,
            window=window,
            group="data_quality",
            metrics=data_quality_metrics(spec, read),
        ),
    )
    quality = quality_window_metrics(spec, read)
    if quality is not None:
        event = MetricEvent(model_id=spec.model_id, window=window, group="quality", metrics=quality)
        metrics = (*metrics, event)
    return Evaluation(drift, metrics)
