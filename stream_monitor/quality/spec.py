"""What kind of model is being judged, and the empty quality state that goes with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from schemas.events import ClassLabel
from stream_monitor.quality._state import JSONObject, RawFields
from stream_monitor.quality.classes import label_key
from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.regression import RegressionErrors

Task: TypeAlias = Literal["binary", "multiclass", "regression"]
TASKS: tuple[Task, ...] = ("binary", "multiclass", "regression")
QualityState: TypeAlias = BinaryClassification | MulticlassCounts | RegressionErrors


@dataclass(frozen=True)
class QualitySpec:
    """How labelled predictions of one model are scored.

    Parameters
    ----------
    task
        ``"binary"``, ``"multiclass"`` or ``"regression"``.
    positive_label, threshold, score_resolution
        Binary classifiers (see :class:`BinaryClassification`).
    classes
        Multi-class classifiers: the known classes (see :class:`MulticlassCounts`).
    """

    task: Task
    positive_label: ClassLabel = 1
    threshold: float = 0.5
    score_resolution: int = 100
    classes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        object.__setattr__(self, "classes", tuple(label_key(c) for c in self.classes))
        self.new_state()  # checks the task's parameters

    @classmethod
    def multiclass(cls, classes: Sequence[ClassLabel]) -> QualitySpec:
        return cls(task="multiclass", classes=tuple(label_key(c) for c in classes))

    def new_state(self) -> QualityState:
        """An empty quality state for this model."""
        if self.task == "binary":
            return BinaryClassification(
                positive_label=self.positive_label,
                threshold=self.threshold,
                score_resolution=self.score_resolution,
            )
        if self.task == "multiclass":
            return MulticlassCounts(classes=self.classes)
        return RegressionErrors()

    def state_from_state(self, state: JSONObject) -> QualityState:
        """Read a ``to_state()`` dict of this spec's quality state."""
        kind = type(self.new_state())
        return kind.from_state(state)

    def state_from_fields(self, fields: RawFields) -> QualityState:
        """Read this spec's quality state from its Redis hash fields."""
        if self.task == "binary":
            return BinaryClassification.from_fields(
                fields,
                positive_label=self.positive_label,
                threshold=self.threshold,
                score_resolution=self.score_resolution,
            )
        if self.task == "multiclass":
            return MulticlassCounts.from_fields(fields, classes=self.classes)
        return RegressionErrors.from_fields(fields)


def merge_quality(a: QualityState, b: QualityState) -> QualityState:
    """Merge two quality states of the same kind and configuration."""
    if isinstance(a, BinaryClassification) and isinstance(b, BinaryClassification):
        return a.merge(b)
    if isinstance(a, MulticlassCounts) and isinstance(b, MulticlassCounts):
        return a.merge(b)
    if isinstance(a, RegressionErrors) and isinstance(b, RegressionErrors):
        return a.merge(b)
    raise ValueError(f"cannot merge quality states of kinds {a.kind!r} and {b.kind!r}")
