"""Output events: what stream-monitor publishes. Each has a ``type`` and a ``schema_version``."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Scalar = float | int | str | bool | None


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = SCHEMA_VERSION
    model_id: str


class Window(BaseModel):
    """The event-time window a statistic was computed on: [start, end)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: AwareDatetime
    end: AwareDatetime
    event_count: int = Field(ge=0)


class TargetKind(StrEnum):
    FEATURE = "feature"
    PREDICTION = "prediction"
    QUALITY = "quality"
    DATASET = "dataset"


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TargetKind
    name: str


class MetricEvent(_Output):
    """Operational, quality or monitor-health metrics of one model over one window."""

    type: Literal["metric"] = "metric"
    model_version: str | None = None
    window: Window
    group: Literal["operational", "quality", "data_quality", "monitor"]
    metrics: dict[str, float | None] = Field(
        description="Metric name -> value; null when not computable in this window."
    )


class DriftEvent(_Output):
    """One statistic of one target (feature, prediction, quality) over one window."""

    type: Literal["drift"] = "drift"
    window: Window
    target: Target
    statistic: str
    value: float
    p_value: float | None = None
    threshold: float
    drift: bool = Field(description="Whether this statistic flagged drift, after correction.")
    error_bound: float | None = Field(
        default=None, description="Bound on |value - exact value| when approximated."
    )
    reference_count: int | None = None
    detail: str | None = Field(default=None, description="Why drift was or was not flagged.")


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertStatus(StrEnum):
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


class AlertEvent(_Output):
    """A state change (or periodic re-send) of one alert, keyed by its fingerprint."""

    type: Literal["alert"] = "alert"
    fingerprint: str
    rule: str
    status: AlertStatus
    severity: Severity
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None = None
    silenced_by: str | None = None
    inhibited_by: str | None = None


class RetrainAction(StrEnum):
    RETRAIN = "retrain"
    INVESTIGATE = "investigate"
    NONE = "none"


class TraceStep(BaseModel):
    """One rule of the retraining policy, as it was evaluated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    matched: bool
    detail: str


class RetrainDecision(_Output):
    """A decision of the retraining policy, with its reasons, evidence and rule trace."""

    type: Literal["retrain_decision"] = "retrain_decision"
    decision_id: str
    model_version: str | None = None
    decided_at: AwareDatetime
    action: RetrainAction
    priority: Literal["low", "normal", "high"] = "normal"
    reasons: list[str]
    evidence: dict[str, Scalar]
    suggested_training_window: Window | None = None
    dry_run: bool = False
    trace: list[TraceStep]


class DeadLetter(BaseModel):
    """An input message that could not be used, with why, where it came from and its bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["dead_letter"] = "dead_letter"
    schema_version: int = SCHEMA_VERSION
    reason: str = Field(description="A stable reason code, e.g. malformed_json.")
    detail: str = Field(description="What was wrong and what is allowed.")
    source_topic: str
    partition: int | None = None
    offset: int | None = None
    index: int | None = Field(default=None, description="Position inside a batch envelope.")
    model_id: str | None = None
    original: str = Field(
        description="The original bytes, base64-encoded: at most the first 512 KiB "
        "(original_size is the full size); empty in the second and later dead letters of "
        "one message (entries of an envelope), which share its partition and offset."
    )
    original_size: int
