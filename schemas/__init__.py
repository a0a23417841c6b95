"""Wire and config contracts of stream-monitor (pydantic v2 only).

Inputs: :class:`PredictionEvent`, :class:`BatchEnvelope`, :class:`GroundTruthEvent`.
Outputs: :class:`MetricEvent`, :class:`DriftEvent`, :class:`AlertEvent`,
:class:`RetrainDecision`, :class:`DeadLetter`. JSON Schema files for every topic are
generated into ``schemas/json`` by :mod:`schemas.export`.
"""

from schemas.events import (
    MAX_EVENTS_PER_ENVELOPE,
    MAX_FEATURES_PER_EVENT,
    BatchEnvelope,
    FeatureValue,
    GroundTruthEvent,
    Prediction,
    PredictionEvent,
    Status,
)
from schemas.outputs import (
    SCHEMA_VERSION,
    AlertEvent,
    AlertStatus,
    DeadLetter,
    DriftEvent,
    MetricEvent,
    RetrainAction,
    RetrainDecision,
    Severity,
    Target,
    TargetKind,
    TraceStep,
    Window,
)
from schemas.validation import (
    DEFAULT_MAX_MESSAGE_BYTES,
    Decoded,
    Rejection,
    RejectReason,
    decode_ground_truth,
    decode_predictions,
)

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "MAX_EVENTS_PER_ENVELOPE",
    "MAX_FEATURES_PER_EVENT",
    "SCHEMA_VERSION",
    "AlertEvent",
    "AlertStatus",
    "BatchEnvelope",
    "DeadLetter",
    "Decoded",
    "DriftEvent",
    "FeatureValue",
    "GroundTruthEvent",
    "MetricEvent",
    "Prediction",
    "PredictionEvent",
    "RejectReason",
    "Rejection",
    "RetrainAction",
    "RetrainDecision",
    "Severity",
    "Status",
    "Target",
    "TargetKind",
    "TraceStep",
    "Window",
    "decode_ground_truth",
    "decode_predictions",
]
