"""The run's output events, grouped per model and reshaped into what the charts plot.

Pure functions of the events: no HTML here. Times become Unix seconds (UTC).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeAlias, TypeGuard

from schemas.outputs import (
    AlertEvent,
    DeadLetter,
    DriftEvent,
    MetricEvent,
    RetrainDecision,
    TargetKind,
    Window,
)

OutputEvent: TypeAlias = MetricEvent | DriftEvent | AlertEvent | RetrainDecision | DeadLetter

DECIDING: Final = ("ks", "chi2", "psi")
"""The engine's default deciding statistics: their flags make a target drifted."""
PREFERENCE: Final = ("psi", "ks", "chi2", "jensen_shannon", "hellinger", "wasserstein")
"""Which statistic a target's drift chart plots when none flagged drift: the first it has."""
KIND_ORDER: Final = {k.value: i for i, k in enumerate(TargetKind)}


@dataclass
class ModelOutputs:
    """One model's events, in the order given."""

    model_id: str
    drift: list[DriftEvent] = field(default_factory=list)
    metrics: list[MetricEvent] = field(default_factory=list)
    alerts: list[AlertEvent] = field(default_factory=list)
    decisions: list[RetrainDecision] = field(default_factory=list)

    def times(self) -> list[float]:
        """Every instant the model's events mention: window ends, alert and decision times."""
        stamps = [w.end.timestamp() for w in self.windows()]
        for alert in self.alerts:
            stamps.append(alert.starts_at.timestamp())
            if alert.ends_at is not None:
                stamps.append(alert.ends_at.timestamp())
        stamps += [d.decided_at.timestamp() for d in self.decisions]
        return stamps

    def time_range(self) -> tuple[float, float]:
        stamps = self.times()
        return (min(stamps), max(stamps)) if stamps else (0.0, 0.0)

    def window_count(self) -> int:
        """Distinct evaluated windows (drift and metric events share them)."""
        return len({(w.start, w.end) for w in self.windows()})

    def windows(self) -> list[Window]:
        return [e.window for e in self.drift] + [e.window for e in self.metrics]


@dataclass(frozen=True)
class Grouped:
    models: dict[str, ModelOutputs]
    dead_letters: tuple[DeadLetter, ...]


def group_outputs(outputs: Iterable[OutputEvent]) -> Grouped:
    """Split events by model (sorted by id); dead letters are kept apart, run-wide."""
    models: dict[str, ModelOutputs] = {}
    dead: list[DeadLetter] = []
    for event in outputs:
        if isinstance(event, DeadLetter):
            dead.append(event)
            continue
        model = models.setdefault(event.model_id, ModelOutputs(event.model_id))
        if isinstance(event, DriftEvent):
            model.drift.append(event)
        elif isinstance(event, MetricEvent):
            model.metrics.append(event)
        elif isinstance(event, AlertEvent):
            model.alerts.append(event)
        elif isinstance(event, RetrainDecision):
            model.decisions.append(event)
    return Grouped({k: models[k] for k in sorted(models)}, tuple(dead))


@dataclass(frozen=True)
class WindowDrift:
    """One window of one target: the plotted statistic and the target's drift flag."""

    start: float
    end: float
    value: float
    threshold: float
    flagged: bool
    """The plotted statistic flagged drift."""
    drift: bool
    """The target drifted: one of its deciding statistics flagged drift."""
    flagged_by: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class TargetDrift:
    kind: str
    name: str
    statistic: str
    windows: tuple[WindowDrift, ...]

    @property
    def label(self) -> str:
        if self.kind == TargetKind.FEATURE.value:
            return self.name
        if self.kind == TargetKind.DATASET.value:
            return "dataset (drifted share)"
        return f"{self.kind}: {self.name}"

    @property
    def drifted_windows(self) -> int:
        return sum(w.drift for w in self.windows)


def _voting(windows: Iterable[dict[str, DriftEvent]], deciding: Sequence[str]) -> list[str]:
    """The target's statistics whose flags count: its deciding ones, else all of them."""
    names = sorted({s for by_stat in windows for s in by_stat})
    return [s for s in names if s in deciding] or names


def _plotted(windows: Iterable[dict[str, DriftEvent]], voting: Sequence[str]) -> str:
    """The voting statistic that flagged the most windows; with no flags, by preference."""
    flags: Counter[str] = Counter()
    for by_stat in windows:
        flags.update({s: int(e.drift and s in voting) for s, e in by_stat.items()})
    rank = {s: i for i, s in enumerate(PREFERENCE)}
    return min(flags, key=lambda s: (-flags[s], rank.get(s, len(rank)), s))


def _window(by_stat: dict[str, DriftEvent], statistic: str, voting: Sequence[str]) -> WindowDrift:
    event = by_stat[statistic]
    flagged_by = tuple(sorted(s for s in voting if s in by_stat and by_stat[s].drift))
    return WindowDrift(
        start=event.window.start.timestamp(),
        end=event.window.end.timestamp(),
        value=event.value,
        threshold=event.threshold,
        flagged=event.drift,
        drift=bool(flagged_by),
        flagged_by=flagged_by,
        detail=event.detail or "",
    )


def target_drift(
    events: Iterable[DriftEvent], deciding: Sequence[str] = DECIDING
) -> list[TargetDrift]:
    """Per target (features, then outputs, quality, dataset; by name), window by window.

    A target drifted in a window when one of its ``deciding`` statistics flagged drift
    (any statistic, for a target with none of them). The chart plots one statistic per
    target: the deciding one that flagged the most windows, else the first of
    :data:`PREFERENCE` it has. A window repeated keeps its last event.
    """
    table: dict[tuple[str, str], dict[float, dict[str, DriftEvent]]] = defaultdict(dict)
    for event in events:
        windows = table[(event.target.kind.value, event.target.name)]
        windows.setdefault(event.window.end.timestamp(), {})[event.statistic] = event
    result = []
    for (kind, name), windows in sorted(table.items(), key=lambda i: (KIND_ORDER[i[0][0]], i[0])):
        voting = _voting(windows.values(), deciding)
        statistic = _plotted(windows.values(), voting)
        rows = tuple(
            _window(windows[end], statistic, voting)
            for end in sorted(windows)
            if statistic in windows[end]
        )
        result.append(TargetDrift(kind, name, statistic, rows))
    return result


MetricSeries: TypeAlias = list[tuple[float, float]]


def metric_series(events: Iterable[MetricEvent], group: str) -> dict[str, MetricSeries]:
    """Metric name -> (window end, value) sorted by time, for one group.

    None, NaN and infinite values are left out, and so are metrics with no value left; a
    repeated window keeps its last value.
    """
    by_name: dict[str, dict[float, float | None]] = defaultdict(dict)
    for event in events:
        if event.group != group:
            continue
        end = event.window.end.timestamp()
        for name, value in event.metrics.items():
            by_name[name][end] = value
    return {
        name: points
        for name, values in by_name.items()
        if (points := [(t, v) for t, v in sorted(values.items()) if _finite(v)])
    }


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value)
