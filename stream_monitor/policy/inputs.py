"""What the retraining policy reads about one model at one ``now``."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.outputs import Window
from stream_monitor.rules.state import ActiveAlert


class QualityInput(BaseModel):
    """Latest model quality: realised from labels, estimated without them, and reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = "accuracy"
    higher_is_better: bool = True
    value: float | None = Field(default=None, description="Realised, from labelled events.")
    reference: float | None = Field(default=None, description="On the reference data.")
    estimated: float | None = Field(
        default=None, description="Confidence-based estimate, for windows without labels."
    )
    label_coverage: float | None = Field(default=None, ge=0, le=1)
    labelled_since_training: int = Field(default=0, ge=0)
    labelled_window: Window | None = Field(
        default=None, description="The recent span of labelled events (a training window)."
    )


class DriftedTarget(BaseModel):
    """One drifted feature (or model output) and how much it moved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["feature", "prediction"] = "feature"
    statistic: str
    effect_size: float = Field(ge=0, description="The statistic's value, e.g. PSI or KS D.")


class DataQualityIssue(BaseModel):
    """A data-quality signal besides alerts: null spike, constant feature, schema change."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(min_length=1, description="e.g. missing_spike, constant, schema_change.")
    feature: str | None = None
    detail: str = ""


class RetrainHistory(BaseModel):
    """Recent automatic retrains of the model (see :class:`~.history.PolicyHistory`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    last_retrain_at: AwareDatetime | None = None
    retrains_last_24h: int = Field(default=0, ge=0)


class PolicyInput(BaseModel):
    """Everything one decision depends on; the same input gives the same decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_id: str = Field(min_length=1)
    model_version: str | None = None
    now: AwareDatetime
    alerts: list[ActiveAlert] = Field(
        default_factory=list,
        description="Pending, firing and recently resolved alerts (others' models ignored).",
    )
    quality: QualityInput = Field(default_factory=QualityInput)
    drift: list[DriftedTarget] = Field(default_factory=list)
    data_quality: list[DataQualityIssue] = Field(default_factory=list)
    history: RetrainHistory = Field(default_factory=RetrainHistory)
    recent_window: Window | None = Field(
        default=None, description="The latest evaluation window (the drifted data)."
    )
