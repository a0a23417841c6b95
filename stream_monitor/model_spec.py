"""What the pipeline knows about one monitored model: its reference, windows and limits."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from schemas import PredictionEvent, Rejection, RejectReason
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.stats.profile import ReferenceProfile
from stream_monitor.windowing import Windowing

INVALID_MODEL = "_invalid"
"""The namespace that counts dead letters whose model is unknown or unreadable."""

_SHOWN_NAMES = 10


def _names(names: AbstractSet[str]) -> str:
    shown = sorted(names)[:_SHOWN_NAMES]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    profile: ReferenceProfile
    windowing: Windowing
    retention_seconds: int = 86_400
    max_features_per_event: int = 200
    quality: QualitySpec | None = None
    """How labels score this model; None: no ground truth is joined."""
    label_ttl_seconds: int = 2 * 86_400
    reference_quality: Mapping[str, float] = field(default_factory=dict)
    """Quality of the model on its reference data (e.g. accuracy), published beside the
    realised quality as ``reference.<metric>`` for the quality-drop rule."""
    feature_importance: Mapping[str, float] = field(default_factory=dict)
    """The model's own feature importances for the retraining policy; empty: the policy's
    ``feature_importance``."""
    expected_features: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected_features", frozenset(self.profile.features))

    def check_features(self, event: PredictionEvent) -> Rejection | None:
        """Why an event's feature set is unusable for this model, or None when it is fine.

        A feature set to null is a missing value (a data-quality signal, counted in the
        window); a feature absent from the event, or one the reference does not know, is a
        schema problem and goes to the dead-letter topic.
        """
        given = event.features.keys()
        expected = self.expected_features
        if given == expected:
            return None
        if len(given) > self.max_features_per_event:
            detail = f"{len(given)} features; the limit is {self.max_features_per_event}"
            return Rejection(RejectReason.LIMIT_EXCEEDED, detail, model_id=event.model_id)
        if unknown := given - expected:
            detail = f"unknown feature(s) {_names(unknown)}; the reference has {_names(expected)}"
            return Rejection(RejectReason.UNKNOWN_FEATURE, detail, model_id=event.model_id)
        if missing := expected - given:
            detail = f"missing feature(s) {_names(missing)}; send null for a missing value"
            return Rejection(RejectReason.MISSING_FEATURE, detail, model_id=event.model_id)
        return None
