"""The worker's Prometheus metrics (names fixed in docs/metrics.md), on a registry of its own.

Each :class:`Runtime` holds one :class:`WorkerMetrics` with its own ``CollectorRegistry``,
so two runtimes in one process (tests) never share a series. Counters count what *this*
worker did (sum them over workers); gauges hold the latest value this worker saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from schemas import AlertEvent, DriftEvent, MetricEvent, RetrainDecision, Severity
from stream_monitor.dead_letters import RawMessage
from stream_monitor.pipeline import ALERT_STATE, IngestResult, OutputEvent, SlotRun
from stream_monitor.rules.labels import SEVERITY
from stream_monitor.rules.state import load_state

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""The classic text format: every Prometheus 2.x and 3.x reads it (all names are legacy-safe)."""
ALERT_STATES = ("pending", "firing")
DRIFT_LABELS = ("model", "target_kind", "target", "statistic")
SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
HELP = {
    "events": "Valid prediction events counted into windows",
    "labels": "Ground-truth labels by outcome (joined, unknown_id, expired, duplicate, misfit)",
    "dead_letters": "Messages sent to the dead-letter topic, by reason code",
    "lag": "Messages behind the partition's high watermark, per assigned partition",
    "rate": "Messages/s processed over the last evaluation tick",
    "rtt": "Redis round-trip time (PING at each evaluation tick)",
    "batch": "Time to decode, validate and apply one batch",
    "evaluations": "Window slots evaluated by this worker",
    "statistic": "Latest value of a drift statistic",
    "detected": "1 when the latest evaluation flagged drift, else 0",
    "metric": "Latest window value of each metric of a metric event",
    "alerts": "Alerts by state at the latest evaluation",
    "retrain": "Retraining decisions by action",
}


class WorkerMetrics:
    """The metric families of one worker and the observations that feed them."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.events = Counter("stream_monitor_events", HELP["events"], ["model"], registry=r)
        self.labels = Counter(
            "stream_monitor_labels", HELP["labels"], ["model", "outcome"], registry=r
        )
        self.dead_letters = Counter(
            "stream_monitor_dead_letters", HELP["dead_letters"], ["reason"], registry=r
        )
        self.consumer_lag = Gauge(
            "stream_monitor_consumer_lag", HELP["lag"], ["topic", "partition"], registry=r
        )
        self.processing_rate = Gauge(
            "stream_monitor_processing_rate", HELP["rate"], ["topic"], registry=r
        )
        self.redis_rtt = Histogram(
            "stream_monitor_redis_rtt_seconds", HELP["rtt"], buckets=SECONDS, registry=r
        )
        self.batch_duration = Histogram(
            "stream_monitor_batch_duration_seconds", HELP["batch"], ["topic"], buckets=SECONDS,
            registry=r,
        )  # fmt: skip
        self.evaluations = Counter(
            "stream_monitor_evaluations", HELP["evaluations"], ["model"], registry=r
        )
        self.drift_statistic = Gauge(
            "stream_monitor_drift_statistic", HELP["statistic"], DRIFT_LABELS, registry=r
        )
        self.drift_detected = Gauge(
            "stream_monitor_drift_detected", HELP["detected"], DRIFT_LABELS, registry=r
        )
        self.model_metric = Gauge(
            "stream_monitor_model_metric", HELP["metric"], ["model", "group", "name"], registry=r
        )
        self.alerts = Gauge(
            "stream_monitor_alerts", HELP["alerts"], ["model", "severity", "state"], registry=r
        )
        self.retrain_decisions = Counter(
            "stream_monitor_retrain_decisions", HELP["retrain"], ["model", "action"], registry=r
        )
        self._lag_series: set[tuple[str, str]] = set()

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)

    # --- ingest --------------------------------------------------------------------

    def ingested(self, topic: str, result: IngestResult, seconds: float, labels: bool) -> None:
        """One applied batch of predictions (``labels`` false) or of ground truth."""
        self.batch_duration.labels(topic).observe(seconds)
        for model, count in result.by_model.items():
            if not labels:
                self.events.labels(model).inc(count)
        for (model, outcome), count in result.outcomes.items():
            self.labels.labels(model, outcome).inc(count)
        for letter in result.dead_letters:
            self.dead_letters.labels(letter.reason).inc()

    # --- evaluation ----------------------------------------------------------------

    def evaluated(
        self, model_id: str, outputs: Sequence[OutputEvent], alert_state: Mapping[str, Any]
    ) -> None:
        """One evaluated slot: its outputs, and the alert state it left behind."""
        if not outputs:
            return  # the slot was claimed by another worker
        self.evaluations.labels(model_id).inc()
        for event in outputs:
            if isinstance(event, MetricEvent):
                self.metric_event(event)
            elif isinstance(event, DriftEvent):
                series = (model_id, event.target.kind.value, event.target.name, event.statistic)
                self.drift_statistic.labels(*series).set(event.value)
                self.drift_detected.labels(*series).set(int(event.drift))
            elif isinstance(event, RetrainDecision):
                self.retrain_decisions.labels(model_id, event.action.value).inc()
            elif not isinstance(event, AlertEvent):  # alerts: counted from the state below
                raise TypeError(f"unexpected output {type(event).__name__}")
        self.alert_counts(model_id, alert_state)

    def metric_event(self, event: MetricEvent) -> None:
        for name, value in event.metrics.items():
            gauge = self.model_metric.labels(event.model_id, event.group, name)
            gauge.set(float("nan") if value is None else value)

    def alert_counts(self, model_id: str, state: Mapping[str, Any]) -> None:
        """Alerts by (severity, state); every known severity and state, zeros included."""
        counts = {(s.value, state_name): 0 for s in Severity for state_name in ALERT_STATES}
        for record in load_state(state).values():
            key = (record.labels.get(SEVERITY, ""), record.status)
            counts[key] = counts.get(key, 0) + 1
        for (severity, state_name), count in counts.items():
            self.alerts.labels(model_id, severity, state_name).set(count)

    # --- monitor health --------------------------------------------------------------

    def lags(self, lags: Mapping[tuple[str, int], int]) -> None:
        """Set the lag of every assigned partition; drop partitions no longer assigned."""
        current = {(topic, str(partition)) for topic, partition in lags}
        for gone in self._lag_series - current:
            self.consumer_lag.remove(*gone)
        for (topic, partition), lag in lags.items():
            self.consumer_lag.labels(topic, str(partition)).set(lag)
        self._lag_series = current

    def rates(self, rates: Mapping[str, float]) -> None:
        for topic, rate in rates.items():
            self.processing_rate.labels(topic).set(rate)


def observed(
    apply: Callable[[Sequence[RawMessage]], IngestResult],
    topic: str,
    metrics: WorkerMetrics,
    processed: Callable[[str, int, int], None],
    labels: bool = False,
) -> Callable[[Sequence[RawMessage]], IngestResult]:
    """``apply`` timed and counted: a batch is observed once, when it is applied.

    ``processed(topic, messages, dead_letters)`` feeds the monitor-health rates.
    """

    def run(messages: Sequence[RawMessage]) -> IngestResult:
        start = time.perf_counter()
        result = apply(messages)
        metrics.ingested(topic, result, time.perf_counter() - start, labels)
        processed(topic, len(messages), len(result.dead_letters))
        return result

    return run


def evaluation_observer(metrics: WorkerMetrics) -> Callable[[SlotRun], None]:
    """The :class:`~stream_monitor.stream.evaluation.Evaluator` hook: a committed slot's
    outputs, and the alert state it committed (already in hand: no read back)."""

    def observe(run: SlotRun) -> None:
        if run.outputs:
            metrics.evaluated(run.model_id, run.outputs, run.docs.get(ALERT_STATE, {}))

    return observe
