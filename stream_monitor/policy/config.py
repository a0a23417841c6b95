"""The retraining policy's configuration; ``docs/retraining.md`` explains each knob."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stream_monitor.rules.durations import DurationField


class PolicyConfig(BaseModel):
    """How the policy turns alerts, quality, drift and history into a decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_labelled_events: int = Field(
        default=500, ge=0, description="Labelled events since the last training to trust quality."
    )
    min_quality_drop_absolute: float = Field(
        default=0.02, ge=0, description="Quality drop in metric units (both floors must hold)."
    )
    min_quality_drop_relative: float = Field(
        default=0.05, ge=0, description="Quality drop as a share of the reference."
    )
    drift_without_labels: Literal["investigate", "retrain"] = "investigate"
    drift_with_stable_quality: Literal["investigate", "none"] = "investigate"
    feature_importance: dict[str, float] = Field(
        default_factory=dict,
        description="Feature -> importance (>= 0, normalised to sum 1); empty: all important.",
    )
    importance_threshold: float = Field(
        default=0.2, ge=0, le=1, description="Importance share of drifted features to matter."
    )
    persistence: DurationField = Field(
        default=timedelta(minutes=15),
        description="An alert counts once it has been firing this long; shorter is a blip.",
    )
    cooldown: DurationField = timedelta(hours=24)
    daily_cap: int = Field(default=1, ge=0, description="Retrains per model per 24h; 0: never.")
    dry_run: bool = False

    @field_validator("feature_importance")
    @classmethod
    def _check_importance(cls, importance: dict[str, float]) -> dict[str, float]:
        return check_importance(importance, "feature_importance")

    def with_importance(self, importance: Mapping[str, float]) -> PolicyConfig:
        """This policy with one model's own feature importances in place of
        :attr:`feature_importance` (none given: this policy as it is)."""
        if not importance:
            return self
        return self.model_copy(update={"feature_importance": dict(importance)})

    def importance_share(self, features: list[str]) -> float:
        """The normalised importance of these features together (1.0 if none configured)."""
        if not features:
            return 0.0
        if not self.feature_importance:
            return 1.0
        total = sum(self.feature_importance.values())
        return sum(self.feature_importance.get(f, 0.0) for f in set(features)) / total


def check_importance(importance: dict[str, float], name: str) -> dict[str, float]:
    """Importances as configured under ``name``: finite, >= 0, and not all zero."""
    for feature, weight in importance.items():
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(
                f"{name}[{feature!r}] = {weight}: importances must be finite numbers >= 0"
            )
    if importance and sum(importance.values()) <= 0:
        raise ValueError(f"{name}: at least one importance must be > 0")
    return importance
