"""The monitor's work on a state store, shared by embedded runs and the Kafka worker.

``ingest`` applies a batch of raw prediction messages exactly once (offset watermarks).
``begin`` leases one model's evaluation slot and computes its outputs (statistics, alert
rules, retraining decision) and next states without saving them; ``commit`` marks the slot
done and saves the states atomically, after the caller has published the outputs: outputs
at least once, state changes exactly once. No Kafka, no Redis, no clock here: the store is
injected and time is an argument.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from schemas import AlertEvent, DeadLetter, DriftEvent, MetricEvent, RetrainDecision, Window
from stream_monitor import error_stream
from stream_monitor.ingest import Group, RawMessage, group_update, plan_batch
from stream_monitor.join_records import RecordLookup
from stream_monitor.label_join import (
    ERRORS_TOTAL,
    JOINED_TOTAL,
    OUTCOME_PREFIX,
    LabelGroup,
    label_update,
    plan_labels,
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
DEFAULT_LEASE_SECONDS = 30.0


def label_outcomes(update: BatchUpdate) -> dict[tuple[str, str], int]:
    """(model, outcome) -> labels, read from the totals of a :func:`label_update`:
    joined, unknown_id, expired, duplicate and misfit (a label its prediction cannot score)."""
    outcomes: dict[tuple[str, str], int] = {}
    for part in update.hashes:
        if part.key != keys.totals(update.model_id):
            continue
        for name, count in part.fields.items():
            outcome = name.removeprefix(OUTCOME_PREFIX)
            if name.startswith(OUTCOME_PREFIX) and name not in (JOINED_TOTAL, ERRORS_TOTAL):
                outcomes[(update.model_id, outcome)] = int(count)
    return outcomes


@dataclass(frozen=True)
class IngestResult:
    events: int
    dead_letters: list[DeadLetter]
    duplicates: int
    latest: dict[str, float]
    """Model -> the newest event time (Unix seconds) in the batch."""
    by_model: dict[str, int] = field(default_factory=dict)
    """Model -> the events (or labels) counted, duplicates left out."""
    outcomes: dict[tuple[str, str], int] = field(default_factory=dict)
    """(model, outcome) -> labels counted by what became of them (labels only)."""
    earliest: dict[str, float] = field(default_factory=dict)
    """Model -> the oldest event time (Unix seconds) in the batch."""


@dataclass(frozen=True)
class SlotRun:
    """One leased evaluation of a slot: its outputs, and the states to commit with it."""

    model_id: str
    slot_end: int
    token: str
    outputs: list[OutputEvent]
    docs: dict[str, dict[str, Any]]


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
        by_model: Counter[str] = Counter()
        counted, duplicates = self._apply_once(groups, self._apply, lambda g: g.size, by_model)
        latest: dict[str, float] = {}
        earliest: dict[str, float] = {}
        for g in groups:
            if g.events is not None and len(g.events):
                oldest, newest = float(g.events.times_s.min()), float(g.events.times_s.max())
                latest[g.model_id] = max(newest, latest.get(g.model_id, newest))
                earliest[g.model_id] = min(oldest, earliest.get(g.model_id, oldest))
        return IngestResult(
            counted, plan.dead_letters, duplicates, latest, dict(by_model), earliest=earliest
        )

    def ingest_labels(self, messages: Sequence[RawMessage]) -> IngestResult:
        """Join a batch of ground-truth messages; a replayed label counts once."""
        plan = plan_labels(messages, self.specs, self.max_message_bytes)
        groups = list(plan.groups.values())
        by_model: Counter[str] = Counter()
        outcomes: Counter[tuple[str, str]] = Counter()

        def apply(label_groups: Sequence[LabelGroup]) -> list[Applied]:
            return self._apply_labels(label_groups, outcomes)

        counted, duplicates = self._apply_once(groups, apply, lambda g: len(g.labels), by_model)
        return IngestResult(
            counted, plan.dead_letters, duplicates, {}, dict(by_model), dict(outcomes)
        )

    def _apply_once(
        self,
        groups: list[G],
        apply: Callable[[Sequence[G]], list[Applied]],
        size: Callable[[G], int],
        by_model: Counter[str],
    ) -> tuple[int, int]:
        """Apply groups exactly once: a group that overlaps what the store already holds
        (a replay cut differently) is applied again with only its offsets above the
        watermark. Returns (items counted, items that were duplicates)."""
        applied = apply(groups)
        overlapping = [g for g, a in zip(groups, applied, strict=True) if a is Applied.OVERLAP]
        retried = [g.after(self.store.watermark(g.model_id, g.source)) for g in overlapping]
        apply(retried)
        kept = [g for g, a in zip(groups, applied, strict=True) if a is Applied.APPLIED] + retried
        for group in kept:
            by_model[group.model_id] += size(group)
        counted = sum(size(g) for g in kept)
        return counted, sum(size(g) for g in groups) - counted

    def _apply_labels(
        self, groups: Sequence[LabelGroup], outcomes: Counter[tuple[str, str]]
    ) -> list[Applied]:
        """Apply label groups; ``outcomes`` gains the label outcomes of the applied ones."""
        updates: list[BatchUpdate] = []
        seen: set[str] = set()
        for group in groups:
            spec = self.specs.get(group.model_id)
            if spec is None or not group.labels:
                updates.append(rejects_update(group))
                continue
            lookup = RecordLookup.of(spec, [truth for _, truth in group.labels])
            records = lookup.found(self.store.find_first(lookup.search))
            updates.append(label_update(spec, group, records, seen))
        applied = self.store.apply(updates) if updates else []
        for update, result in zip(updates, applied, strict=True):
            if result is Applied.APPLIED:
                outcomes.update(label_outcomes(update))
        return applied

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
        """Evaluate the window ending at ``slot_end`` and commit it at once (embedded runs,
        where nothing is published in between); [] when the slot is done or leased."""
        run = self.begin(model_id, slot_end, now, silences)
        if run is None or not self.commit(run):
            return []
        return run.outputs

    def begin(
        self,
        model_id: str,
        slot_end: int,
        now: float,
        silences: Sequence[Silence] = (),
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> SlotRun | None:
        """Lease the slot and compute its outputs and the model's next evaluation states,
        saving nothing: until :meth:`commit`, a new run of the slot (after the lease
        expired) starts from the same states and time, so it computes the same alerts and
        decision. None when the slot is already committed or another lease holds it."""
        spec = self.specs[model_id]
        token = self.store.lease_slot(model_id, slot_end, lease_seconds)
        if token is None:
            return None
        evaluation = self.evaluate_only(spec, slot_end)
        signals: list[MetricEvent | DriftEvent] = list(evaluation.events)
        totals = self.store.read([keys.totals(model_id)])[0]
        docs: dict[str, dict[str, Any]] = {}
        if spec.quality is not None:
            docs[ERROR_STREAM], errors = self._error_stream(spec, evaluation, totals)
            signals += errors
        state = self.store.load_doc(model_id, ALERT_STATE)
        engine = AlertEngine(self.alerting)
        docs[ALERT_STATE], alerts = engine.evaluate(state, signals, utc(now), silences)
        docs[POLICY_STATE], decision = self._decide(
            spec, evaluation, docs[ALERT_STATE], totals, utc(now)
        )
        return SlotRun(model_id, slot_end, token, [*signals, *alerts, decision], docs)

    def commit(self, run: SlotRun) -> bool:
        """Mark the slot done and save its states, atomically; False when the lease was
        lost to another run that may publish (the same) outputs again."""
        return self.store.commit_slot(run.model_id, run.slot_end, run.token, run.docs)

    def _error_stream(
        self, spec: ModelSpec, evaluation: Evaluation, totals: Hash
    ) -> tuple[dict[str, Any], list[DriftEvent]]:
        doc = self.store.load_doc(spec.model_id, ERROR_STREAM)
        joined, errors = int(totals.get(JOINED_TOTAL, 0)), int(totals.get(ERRORS_TOTAL, 0))
        window = evaluation.drift.window
        doc, event = error_stream.step(doc, joined, errors, window, spec.model_id)
        return doc, [event] if event is not None else []

    def _decide(
        self,
        spec: ModelSpec,
        evaluation: Evaluation,
        alert_state: dict[str, Any],
        totals: Hash,
        now: datetime,
    ) -> tuple[dict[str, Any], RetrainDecision]:
        """The retraining decision of this evaluation and the history that records it."""
        history = PolicyHistory.from_state(self.store.load_doc(spec.model_id, POLICY_STATE))
        labelled = int(totals.get(JOINED_TOTAL, 0))
        dry_run = self.retrain_policy.dry_run
        inputs = policy_input(spec, evaluation, alert_state, history, labelled, now, dry_run)
        decision = decide(inputs, self.retrain_policy.with_importance(spec.feature_importance))
        return history.record(decision).to_state(), decision

    def evaluate_only(self, spec: ModelSpec, slot_end: int) -> Evaluation:
        """The statistics of one window, with no side effect on the store."""
        read = read_window(self.store, spec, slot_end)
        start = slot_end - spec.windowing.window_seconds
        window = Window(start=utc(start), end=utc(slot_end), event_count=read.ops.events)
        return evaluate_window(spec, self.policy, read, window)
