"""Statistical core of drift detection (pure: numpy and scipy only; no clock, no I/O).

* profiles: :func:`build_profile`, :func:`profile_from_events`, :class:`ReferenceProfile`
* binning and windows: :func:`bin_numeric`, :func:`columns_from_events`,
  :class:`ModelWindows` (the batch entry point is :meth:`ModelWindows.add`), :func:`merge`
* statistics: :func:`get_statistic`, :data:`REGISTRY`, :class:`StatResult`
* decisions: :class:`DriftPolicy`, :func:`decide`, :func:`decide_dataset`
"""

from stream_monitor.stats.binning import (
    BatchColumns,
    bin_categorical,
    bin_numeric,
    columns_from_events,
    encode_columns,
)
from stream_monitor.stats.build import (
    ProfileOptions,
    build_profile,
    infer_kind,
    profile_from_events,
)
from stream_monitor.stats.decision import (
    Correction,
    DatasetDecision,
    DriftPolicy,
    StatDecision,
    TargetDecision,
    TargetResults,
    adjust_p_values,
    decide,
    decide_dataset,
)
from stream_monitor.stats.io import read_table
from stream_monitor.stats.model_windows import ModelWindows, empty_window, merge
from stream_monitor.stats.profile import (
    OUTPUT_NAMES,
    PROFILE_VERSION,
    CategoricalProfile,
    FeatureKind,
    NumericProfile,
    ReferenceProfile,
    TargetProfile,
)
from stream_monitor.stats.registry import REGISTRY, StatisticSpec, compute, get_statistic
from stream_monitor.stats.statistics import StatResult
from stream_monitor.stats.values import OTHER
from stream_monitor.stats.window import (
    WINDOW_STATE_VERSION,
    CategoricalWindow,
    NumericWindow,
    TargetWindow,
    window_from_state,
)

__all__ = [
    "OTHER",
    "OUTPUT_NAMES",
    "PROFILE_VERSION",
    "REGISTRY",
    "WINDOW_STATE_VERSION",
    "BatchColumns",
    "CategoricalProfile",
    "CategoricalWindow",
    "Correction",
    "DatasetDecision",
    "DriftPolicy",
    "FeatureKind",
    "ModelWindows",
    "NumericProfile",
    "NumericWindow",
    "ProfileOptions",
    "ReferenceProfile",
    "StatDecision",
    "StatResult",
    "StatisticSpec",
    "TargetDecision",
    "TargetProfile",
    "TargetResults",
    "TargetWindow",
    "adjust_p_values",
    "bin_categorical",
    "bin_numeric",
    "build_profile",
    "columns_from_events",
    "compute",
    "decide",
    "decide_dataset",
    "empty_window",
    "encode_columns",
    "get_statistic",
    "infer_kind",
    "merge",
    "profile_from_events",
    "read_table",
    "window_from_state",
]
