"""The ground-truth join, planned in pure code: labels plus what the store holds of their
predictions in, one exactly-once :class:`BatchUpdate` per (model, source partition) out.

A prediction's join record is written at ingest (:mod:`stream_monitor.join_records`: where
it lives, how a label finds it); a joined label marks it in the same watermarked update
that adds its quality to the prediction's bucket, so a replayed label counts once.
Outcomes are counted in the label's own bucket and in the model's totals: joined,
unknown_id, expired, duplicate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from schemas import (
    DeadLetter,
    GroundTruthEvent,
    Rejection,
    RejectReason,
    decode_ground_truth,
)
from stream_monitor.dead_letters import RawMessage, dead_letter
from stream_monitor.join_records import FoundRecord, labelled_marks
from stream_monitor.model_spec import INVALID_MODEL, ModelSpec
from stream_monitor.quality import (
    BinaryClassification,
    LabelCounters,
    LabelOutcome,
    LabelWindow,
    MulticlassCounts,
    RegressionErrors,
)
from stream_monitor.quality.classes import decide_positive, label_key
from stream_monitor.quality.labels import StoredPrediction, classify_label
from stream_monitor.quality.spec import QualitySpec, QualityState
from stream_monitor.state import keys
from stream_monitor.state.codec import prefixed
from stream_monitor.state.updates import BatchUpdate, HashUpdate

QUALITY = "q"
LABELS = "lab"
OUTCOMES = "lout"
ESTIMATE = "est"
JOINED_TOTAL = "i:labels:joined_total"
ERRORS_TOTAL = "i:labels:errors_total"
OUTCOME_PREFIX = "i:labels:"


@dataclass
class LabelGroup:
    model_id: str
    source: str
    labels: list[tuple[int, GroundTruthEvent]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def offsets(self) -> list[int]:
        return [o for o, _ in self.labels] + [o for o, _ in self.rejected]

    def after(self, watermark: int) -> LabelGroup:
        return LabelGroup(
            self.model_id,
            self.source,
            [(o, e) for o, e in self.labels if o > watermark],
            [(o, r) for o, r in self.rejected if o > watermark],
        )


def _is_error(spec: ModelSpec, prediction: StoredPrediction, truth: GroundTruthEvent) -> int | None:
    """1 when a classifier's prediction was wrong, 0 when right, None for regressors."""
    if spec.quality is None or spec.quality.task == "regression" or truth.label is None:
        return None
    if spec.quality.task == "multiclass" or prediction.score is None:
        return int(
            prediction.label is None or label_key(prediction.label) != label_key(truth.label)
        )
    [positive] = decide_positive(
        [prediction.label],
        [prediction.score],
        positive_label=spec.quality.positive_label,
        threshold=spec.quality.threshold,
    )
    return int(bool(positive) != (label_key(truth.label) == label_key(spec.quality.positive_label)))


def _misfit(task: str, prediction: StoredPrediction, truth: GroundTruthEvent) -> str | None:
    """Why a label cannot score its prediction under the model's task, or None."""
    if task == "regression":
        if truth.value is None or prediction.value is None:
            return "a regressor's label needs a true value and the prediction a value"
        return None
    if truth.label is None:
        return f"a classifier's ground truth needs a label, got value {truth.value!r}"
    if task == "multiclass" and prediction.label is None:
        return "a multi-class prediction needs a predicted label to be scored"
    return None


def _scored(
    spec: QualitySpec, pairs: Sequence[tuple[StoredPrediction, GroundTruthEvent]]
) -> QualityState:
    """The quality state of many (prediction, truth) pairs, added in one call."""
    quality = spec.new_state()
    predictions, truths = [p for p, _ in pairs], [t for _, t in pairs]
    if isinstance(quality, RegressionErrors):
        quality.add(
            actual=[float(t.value or 0.0) for t in truths],
            predicted=[float(p.value or 0.0) for p in predictions],
        )
    elif isinstance(quality, MulticlassCounts):
        predicted = [p.label for p in predictions if p.label is not None]
        quality.add(actual=[t.label for t in truths if t.label is not None], predicted=predicted)
    elif isinstance(quality, BinaryClassification):
        quality.add_labels(
            actual=[t.label for t in truths if t.label is not None],
            predicted=[p.label for p in predictions],
            scores=[p.score for p in predictions],
        )
    return quality


@dataclass
class _Tally:
    joined: dict[int, list[tuple[StoredPrediction, GroundTruthEvent]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    outcomes: dict[int, LabelCounters] = field(default_factory=lambda: defaultdict(LabelCounters))
    misfits: list[int] = field(default_factory=list)
    errors: int = 0
    marked: list[tuple[str, str]] = field(default_factory=list)
    """(hash holding the record, event id) of each joined label."""

    def updates(self, spec: QualitySpec) -> dict[int, tuple[QualityState, LabelWindow]]:
        out = {}
        for start, pairs in sorted(self.joined.items()):
            delays = [t.timestamp.timestamp() - p.timestamp_s for p, t in pairs]
            out[start] = (_scored(spec, pairs), LabelWindow().add_labels(delays))
        return out


def _tally(
    spec: ModelSpec, group: LabelGroup, records: Mapping[str, FoundRecord], seen: set[str]
) -> _Tally:
    assert spec.quality is not None
    tally = _Tally()
    for offset, truth in group.labels:
        found = records.get(truth.event_id)
        outcome = classify_label(
            None if found is None else found.prediction,
            label_time_s=truth.timestamp.timestamp(),
            already_labelled=(found is not None and found.labelled) or truth.event_id in seen,
            max_label_delay_s=spec.label_ttl_seconds,
        )
        if outcome is LabelOutcome.JOINED and found is not None:
            prediction = found.prediction
            if _misfit(spec.quality.task, prediction, truth):
                tally.misfits.append(offset)
                continue
            seen.add(truth.event_id)
            tally.marked.append((found.key, truth.event_id))
            start = spec.windowing.bucket_of(prediction.timestamp_s)
            tally.joined[start].append((prediction, truth))
            tally.errors += _is_error(spec, prediction, truth) or 0
        tally.outcomes[spec.windowing.bucket_of(truth.timestamp.timestamp())].add(outcome)
    return tally


def label_update(
    spec: ModelSpec,
    group: LabelGroup,
    records: Mapping[str, FoundRecord],
    seen: set[str] | None = None,
) -> BatchUpdate:
    """The exactly-once update of one group of labels, given their records (by event id;
    :class:`~stream_monitor.join_records.RecordLookup`).

    ``seen``: ids joined by the other groups of the same batch (updated here), so that
    two copies of a label on different partitions of one batch join once.
    """
    tally = _tally(spec, group, records, set() if seen is None else seen)
    model, ttl = spec.model_id, spec.windowing.window_seconds + spec.retention_seconds
    hashes: list[HashUpdate] = []
    assert spec.quality is not None
    for start, (quality, labels) in tally.updates(spec.quality).items():
        for part, fields in ((QUALITY, quality.to_fields()), (LABELS, labels.to_fields())):
            hashes.append(HashUpdate(keys.bucket(model, start, part), prefixed(fields), ttl))
    totals: dict[str, int] = defaultdict(int)
    for start, counters in sorted(tally.outcomes.items()):
        hashes.append(
            HashUpdate(keys.bucket(model, start, OUTCOMES), prefixed(counters.to_fields()), ttl)
        )
        for name, count in counters.to_fields().items():
            totals[f"{OUTCOME_PREFIX}{name}"] += int(count)
    totals[JOINED_TOTAL] += len(tally.marked)
    totals[ERRORS_TOTAL] += tally.errors
    for _, reason in group.rejected:
        totals[f"i:dlq:{reason}"] += 1
    totals[f"{OUTCOME_PREFIX}misfit"] += len(tally.misfits)
    hashes.append(HashUpdate(keys.totals(model), {k: v for k, v in totals.items() if v}))
    hashes += labelled_marks(tally.marked)
    offsets = group.offsets()
    return BatchUpdate(model, group.source, min(offsets), max(offsets), tuple(hashes))


def rejects_update(group: LabelGroup) -> BatchUpdate:
    """The update of a group holding only dead letters: their counts, exactly once."""
    totals: dict[str, int] = defaultdict(int)
    for _, reason in group.rejected:
        totals[f"i:dlq:{reason}"] += 1
    offsets = group.offsets()
    hashes = (HashUpdate(keys.totals(group.model_id), dict(totals)),)
    return BatchUpdate(group.model_id, group.source, min(offsets), max(offsets), hashes)


@dataclass
class LabelPlan:
    groups: dict[tuple[str, str], LabelGroup] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def group(self, model_id: str, source: str) -> LabelGroup:
        return self.groups.setdefault((model_id, source), LabelGroup(model_id, source))


def plan_labels(
    messages: Sequence[RawMessage], specs: Mapping[str, ModelSpec], max_bytes: int
) -> LabelPlan:
    """Decode and validate ground-truth messages and group them by model and partition."""
    plan = LabelPlan()
    for message in messages:
        decoded = decode_ground_truth(message.value, max_bytes)
        rejection = decoded.rejections[0] if decoded.rejections else None
        if rejection is None:
            truth = decoded.events[0]
            spec = specs.get(truth.model_id)
            if spec is not None and spec.quality is not None:
                plan.group(truth.model_id, message.source).labels.append((message.offset, truth))
                continue
            known = ", ".join(sorted(m for m, s in specs.items() if s.quality)) or "none"
            detail = (
                f"labels of model {truth.model_id!r} are not joined; models with labels: {known}"
            )
            rejection = Rejection(RejectReason.UNKNOWN_MODEL, detail)
        letter = dead_letter(message, rejection)
        plan.dead_letters.append(letter)
        model = rejection.model_id or INVALID_MODEL
        model = model if model in specs else INVALID_MODEL
        plan.group(model, message.source).rejected.append((message.offset, rejection.reason.value))
    return plan
