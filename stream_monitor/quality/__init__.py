"""Model quality and operational metrics, as mergeable pure states (numpy only).

Every state merges (``a.merge(b)`` is the state of the union of their events), round-trips
through JSON (``to_state()``/``from_state()``, with a ``version``) and maps onto a Redis
hash of additive fields (``to_fields()``/``from_fields()``). See ``docs/quality.md``.
"""

from stream_monitor.quality.classes import decide_positive, label_key
from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.coverage import LabelCounters, LabelOutcome, LabelWindow
from stream_monitor.quality.estimate import ConfidenceEstimate
from stream_monitor.quality.labels import (
    LabelUpdate,
    StoredPrediction,
    bucket_start,
    classify_label,
    join_label,
    merge_updates,
)
from stream_monitor.quality.latency import LogHistogram, QuantileEstimate
from stream_monitor.quality.metrics import operational_metrics, quality_metrics
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.operational import OperationalCounters
from stream_monitor.quality.regression import RegressionErrors
from stream_monitor.quality.spec import QualitySpec, QualityState, merge_quality

__all__ = [
    "BinaryClassification",
    "ConfidenceEstimate",
    "LabelCounters",
    "LabelOutcome",
    "LabelUpdate",
    "LabelWindow",
    "LogHistogram",
    "MulticlassCounts",
    "OperationalCounters",
    "QualitySpec",
    "QualityState",
    "QuantileEstimate",
    "RegressionErrors",
    "StoredPrediction",
    "bucket_start",
    "classify_label",
    "decide_positive",
    "join_label",
    "label_key",
    "merge_quality",
    "merge_updates",
    "operational_metrics",
    "quality_metrics",
]
