"""Input events: what models publish (predictions) and what arrives later (ground truth)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

MAX_FEATURES_PER_EVENT = 1000
MAX_EVENTS_PER_ENVELOPE = 10_000
MAX_STRING_LENGTH = 1024

ModelId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
EventId = Annotated[str, Field(min_length=1, max_length=128)]
ShortText = Annotated[StrictStr, Field(max_length=MAX_STRING_LENGTH)]
FeatureName = Annotated[str, Field(min_length=1, max_length=128)]
FeatureValue = StrictBool | StrictInt | StrictFloat | ShortText | None
ClassLabel = StrictBool | StrictInt | ShortText


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Status(StrEnum):
    OK = "ok"
    ERROR = "error"


class Prediction(_Strict):
    """The model's output: a score and/or a class for classifiers, a value for regressors."""

    score: Annotated[StrictFloat | StrictInt, Field(ge=0.0, le=1.0)] | None = Field(
        default=None, description="Probability of the positive class, in [0, 1]."
    )
    label: ClassLabel | None = Field(default=None, description="Predicted class.")
    value: StrictFloat | StrictInt | None = Field(
        default=None, description="Regression output (finite)."
    )

    @model_validator(mode="after")
    def _one_output(self) -> Self:
        if self.score is None and self.label is None and self.value is None:
            raise ValueError("a prediction needs at least one of score, label or value")
        return self


class PredictionEvent(_Strict):
    """One prediction a model served."""

    event_id: EventId
    model_id: ModelId
    model_version: Annotated[str, Field(min_length=1, max_length=64)]
    timestamp: AwareDatetime = Field(
        description="When the prediction was served: ISO 8601 with a time zone, or Unix seconds."
    )
    features: dict[FeatureName, FeatureValue] = Field(max_length=MAX_FEATURES_PER_EVENT)
    prediction: Prediction
    latency_ms: Annotated[StrictFloat | StrictInt, Field(ge=0.0)] | None = None
    status: Status = Status.OK
    error: ShortText | None = Field(default=None, description="Error text when status=error.")


class BatchEnvelope(_Strict):
    """One Kafka message carrying many prediction events (the fast path)."""

    type: Literal["batch"] = "batch"
    events: list[PredictionEvent] = Field(min_length=1, max_length=MAX_EVENTS_PER_ENVELOPE)


class GroundTruthEvent(_Strict):
    """The true outcome of a prediction, arriving later on its own topic."""

    event_id: EventId = Field(description="The event_id of the prediction this labels.")
    model_id: ModelId
    timestamp: AwareDatetime = Field(description="When the outcome became known.")
    label: ClassLabel | None = None
    value: StrictFloat | StrictInt | None = None

    @model_validator(mode="after")
    def _one_truth(self) -> Self:
        if (self.label is None) == (self.value is None):
            raise ValueError("a ground-truth event needs exactly one of label or value")
        return self
