"""The retraining decision framework (pure: no clock, no I/O; time is in the input).

Build a :class:`PolicyInput` for one model (its alerts, quality, drift attribution,
data-quality signals and :meth:`PolicyHistory.summary`), call :func:`decide` with a
:class:`PolicyConfig`, publish a retrain request when the action is ``retrain`` and not a
dry run, audit every decision, and :meth:`PolicyHistory.record` it. See
``docs/retraining.md``.
"""

from stream_monitor.policy.config import PolicyConfig
from stream_monitor.policy.decision import decide, decision_id
from stream_monitor.policy.history import PolicyHistory, RetrainEntry
from stream_monitor.policy.inputs import (
    DataQualityIssue,
    DriftedTarget,
    PolicyInput,
    QualityInput,
    RetrainHistory,
)
from stream_monitor.policy.table import ROWS, Outcome, Row

__all__ = [
    "ROWS",
    "DataQualityIssue",
    "DriftedTarget",
    "Outcome",
    "PolicyConfig",
    "PolicyHistory",
    "PolicyInput",
    "QualityInput",
    "RetrainEntry",
    "RetrainHistory",
    "Row",
    "decide",
    "decision_id",
]
