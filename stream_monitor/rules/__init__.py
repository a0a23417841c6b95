"""Alert rules and their lifecycle (pure: no clock, no I/O; time is an argument).

Configure :class:`AlertingConfig` (or start from :func:`default_rules`), then call
:meth:`AlertEngine.evaluate` with the saved state, the drift and metric events of an
evaluation, ``now`` and the active silences. See ``docs/alerting.md``.
"""

from stream_monitor.rules.config import (
    AlertingConfig,
    Annotations,
    Category,
    Comparison,
    InhibitRule,
    Rule,
)
from stream_monitor.rules.defaults import DefaultThresholds, default_rules
from stream_monitor.rules.durations import Hold, parse_duration, parse_hold
from stream_monitor.rules.engine import AlertEngine
from stream_monitor.rules.labels import alert_labels, fingerprint
from stream_monitor.rules.signals import KNOWN_STATISTICS, DriftSignal, MetricSignal, Observation
from stream_monitor.rules.silences import Matcher, Silence, is_silenced, silenced_by
from stream_monitor.rules.state import (
    STATE_VERSION,
    ActiveAlert,
    AlertRecord,
    active_alerts,
    empty_state,
    load_state,
)

__all__ = [
    "KNOWN_STATISTICS",
    "STATE_VERSION",
    "ActiveAlert",
    "AlertEngine",
    "AlertRecord",
    "AlertingConfig",
    "Annotations",
    "Category",
    "Comparison",
    "DefaultThresholds",
    "DriftSignal",
    "Hold",
    "InhibitRule",
    "Matcher",
    "MetricSignal",
    "Observation",
    "Rule",
    "Silence",
    "active_alerts",
    "alert_labels",
    "default_rules",
    "empty_state",
    "fingerprint",
    "is_silenced",
    "load_state",
    "parse_duration",
    "parse_hold",
    "silenced_by",
]
