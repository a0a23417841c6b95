"""The monitor's work on a state store, shared by embedded runs and the Kafka worker.

``ingest`` applies a batch of raw prediction messages exactly once (offset watermarks);
``evaluate`` runs one model's evaluation slot exactly once (slot claims), then its alert
rules. No Kafka, no Redis, no clock here: the store is injected and time is an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from schemas import AlertEvent, DeadLetter, DriftEvent, MetricEvent, RetrainDecision, Window
from stream_monitor import error_stream
from stream_monitor.ingest import Group, RawMessage, group_update, plan_batch
from stream_monitor.label_join import (
    ERRORS_TOTAL,
    JOINED_TOTAL,
    LabelGroup,
    label_update,
    plan_labels,
    record_keys,
    rejects_update,
)
from stream_monitor.model_spec import ModelSpec
from stream_monitor.monitor import Evaluation, evaluate_window
from stream_monitor.policy import PolicyConfig, PolicyHistory, decide
from stream_monitor.retraining import policy_input
from stream_monitor.rules import AlertEngine, AlertingConfig, Silence, default_rules
from stream_monitor.state import keys
from stream_monitor.state.store import Hash, Store
from stream_monitor.state.updates import Applied, BatchUpdate
from stream_monitor.stats.decision import DriftPolicy
from stream_monitor.targets import read_window
from stream_monitor.windowing import utc

G = TypeVar("G", Group, LabelGroup)
OutputEvent = MetricEvent | DriftEvent | AlertEvent | RetrainDecision
ALERT_STATE = "alerts"
ERROR_STREAM = "error_stream"
POLICY_STATE = "policy"


@dataclass(frozen=True)
class IngestResult:
    events: int
    dead_letters: list[DeadLetter]
    duplicates: int
    latest: dict[str, float]
    """Model -> the newest event time (Unix seconds) in the batch."""


@dataclass
class Pipeline:
    specs: Mapping[str, ModelSpec]
    store: Store
    policy: DriftPolicy = field(default_factory=DriftPolicy)
    alerting: AlertingConfig = field(default_factory=lambda: AlertingConfig(rules=default_rules()))
    max_message_bytes: int = 1_048_576
    retrain_policy: PolicyConfig = field(default_factory=PolicyConfig)

    def ingest(self, messages: Sequence[RawMessage]) -> IngestResult:
        """Apply a batch; a replayed part (offsets already applied) changes nothing."""
        plan = plan_batch(messages, self.specs, self.max_message_bytes)
        groups = list(plan.groups.values())
        counted, duplicates = self._apply_once(groups, self._apply, lambda g: g.size)
        latest: dict[str, float] = {}
        for g in groups:
            if g.size:
                newest = float(g.events.times_s.max())  # type: ignore[union-attr]
                latest[g.model_id] = max(newest, latest.get(g.model_id, newest))
        return IngestResult(counted, plan.dead_letters, duplicates, latest)

    def ingest_labels(self, messages: Sequence[RawMessage]) -> IngestResult:
        """Join a batch of ground-truth messages; a replayed label counts once."""
        plan = plan_labels(messages, self.specs, self.max_message_bytes)
        groups = list(plan.groups.values())
        counted, duplicates = self._apply_once(groups, self._apply_labels, lambda g: len(g.labels))
        return IngestResult(counted, plan.dead_letters, duplicates, {})

    def _apply_once(
        self,
        groups: list[G],
        apply: Callable[[Sequence[G]], list[Applied]],
        size: Callable[[G], int],
    ) -> tuple[int, int]:
        """Apply groups exactly once: a group that overlaps what the store already holds
        (a replay cut differently) is applied again with only its offsets above the
        watermark. Returns (items counted, items that were duplicates)."""
        applied = apply(groups)
        overlapping = [g for g, a in zip(groups, applied, strict=True) if a is Applied.OVERLAP]
        retried = [g.after(self.store.watermark(g.model_id, g.source)) for g in overlapping]
        apply(retried)
        counted = sum(size(g) for g, a in zip(groups, applied, strict=True) if a is Applied.APPLIED)
        counted += sum(size(g) for g in retried)
        return counted, sum(size(g) for g in groups) - counted

    def _apply_labels(self, groups: Sequence[LabelGroup]) -> list[Applied]:
        updates: list[BatchUpdate] = []
        for group in groups:
            spec = self.specs.get(group.model_id)
            if spec is None or not group.labels:
                updates.append(rejects_update(group))
                continue
            found = self.store.read(record_keys(group.model_id, group.labels))
            records = {e.event_id: f for (_, e), f in zip(group.labels, found, strict=True)}
            updates.append(label_update(spec, group, records))
        return self.store.apply(updates) if updates else []

    def _apply(self, groups: Sequence[Group]) -> list[Applied]:
        updates = [(i, group_update(g, self.specs.get(g.model_id))) for i, g in enumerate(groups)]
        present = [(i, u) for i, u in updates if u is not None]
        results = self.store.apply([u for _, u in present]) if present else []
        applied = [Applied.DUPLICATE] * len(groups)
        for (i, _), result in zip(present, results, strict=True):
            applied[i] = result
        return applied

    def evaluate(
        self, model_id: str, slot_end: int, now: float, silences: Sequence[Silence] = ()
    ) -> list[OutputEvent]:
        """Evaluate the window ending at ``slot_end`` unless another run already did."""
        spec = self.specs[model_id]
        if not self.store.claim_slot(model_id, slot_end):
            return []
        evaluation = self.evaluate_only(spec, slot_end)
        signals: list[MetricEvent | DriftEvent] = list(evaluation.events)
        totals = self.store.read([keys.totals(model_id)])[0]
        if spec.quality is not None:
            signals += self._error_stream(spec, evaluation, totals)
        state = self.store.load_doc(model_id, ALERT_STATE)
        engine = AlertEngine(self.alerting)
        new_state, alerts = engine.evaluate(state, signals, utc(now), silences)
        self.store.save_doc(model_id, ALERT_STATE, new_state)
        decision = self._decide(spec, evaluation, new_state, totals, utc(now))
        return [*signals, *alerts, decision]

    def _error_stream(
        self, spec: ModelSpec, evaluation: Evaluation, totals: Hash
    ) -> list[DriftEvent]:
        doc = self.store.load_doc(spec.model_id, ERROR_STREAM)
        joined, errors = int(totals.get(JOINED_TOTAL, 0)), int(totals.get(ERRORS_TOTAL, 0))
        window = evaluation.drift.window
        doc, event = error_stream.step(doc, joined, errors, window, spec.model_id)
        self.store.save_doc(spec.model_id, ERROR_STREAM, doc)
        return [event] if event is not None else []

    def _decide(
        self,
        spec: ModelSpec,
        evaluation: Evaluation,
        alert_state: dict[str, Any],
        totals: Hash,
        now: datetime,
    ) -> RetrainDecision:
        """The retraining decision of this evaluation, recorded in the policy history."""
        history = PolicyHistory.from_state(self.store.load_doc(spec.model_id, POLICY_STATE))
        labelled = int(totals.get(JOINED_TOTAL, 0))
        inputs = policy_input(spec, evaluation, alert_state, history, labelled, now)
        decision = decide(inputs, self.retrain_policy)
        self.store.save_doc(spec.model_id, POLICY_STATE, history.record(decision).to_state())
        return decision

    def evaluate_only(self, spec: ModelSpec, slot_end: int) -> Evaluation:
        """The statistics of one window, with no side effect on the store."""
        read = read_window(self.store, spec, slot_end)
        start = slot_end - spec.windowing.window_seconds
        window = Window(start=utc(start), end=utc(slot_end), event_count=read.ops.events)
        return evaluate_window(spec, self.policy, read, window)
