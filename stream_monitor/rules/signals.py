"""What a rule watches: a *signal* selects values out of published drift and metric events.

A :class:`DriftSignal` reads :class:`~schemas.DriftEvent`: a statistic's value, or the
event's ``drift`` flag (``use: flag``). A :class:`MetricSignal` reads one metric of a
:class:`~schemas.MetricEvent` group, optionally as a change against a baseline metric.

Per-feature data-quality metrics are named ``<rate>.<feature>`` (``missing_rate.age``,
``out_of_range_rate.age``, ``invalid_rate.age``); a metric selector ending in ``.*``
covers every feature and yields one alert per feature. Reference values are published
beside the current ones as ``reference.<metric>`` (``reference.accuracy``,
``reference.missing_rate.age``); a ``*`` in ``compare_to`` stands for the same feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.outputs import DriftEvent, MetricEvent, TargetKind

ANY: Final = "*"
KNOWN_STATISTICS: Final = (
    "ks",
    "chi2",
    "psi",
    "jensen_shannon",
    "hellinger",
    "wasserstein",
    "drift_share",
    "adwin",
    "page_hinkley",
    "kswin",
    "ddm",
    "hddm_a",
    "hddm_w",
)
"""Statistic names the drift engine publishes: its registry (``stream_monitor.stats``), the
dataset-level ``drift_share`` and its online detectors. A test keeps this list in sync."""

MetricGroup = Literal["operational", "quality", "data_quality", "monitor"]
_METRIC_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_:]*(?:\.[A-Za-z0-9_:\-]+)*(?:\.\*)?$")

Event = DriftEvent | MetricEvent


@dataclass(frozen=True)
class Observation:
    """One value a signal read for one (model, target) from one event."""

    model_id: str
    target: str
    source: str
    """The statistic (drift) or metric (metric) name the value came from."""
    value: float | None
    """None: not computable in this window (an explicit null), i.e. unknown."""
    flagged: bool
    window_end: datetime


class DriftSignal(BaseModel):
    """A statistic of a target (or its drift flag) from the drift topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["drift"] = "drift"
    target_kind: TargetKind
    target: str = Field(default=ANY, min_length=1, description='A target name, or "*".')
    statistic: str | tuple[str, ...] = Field(
        default=ANY,
        description='A statistic name; with use: flag also a list (any of them) or "*" (any).',
    )
    use: Literal["value", "flag"] = "value"

    @model_validator(mode="after")
    def _check(self) -> DriftSignal:
        names = (self.statistic,) if isinstance(self.statistic, str) else self.statistic
        unknown = [n for n in names if n not in KNOWN_STATISTICS and n != ANY]
        if unknown or not names or (ANY in names and len(names) > 1):
            shown = ", ".join(map(repr, unknown)) if unknown else repr(self.statistic)
            raise ValueError(
                f"unknown statistic {shown}: allowed are {', '.join(KNOWN_STATISTICS)}, "
                'a list of them, or "*" alone (with use: flag)'
            )
        if self.use == "value" and (len(names) > 1 or ANY in names):
            raise ValueError(
                'a list of statistics or "*" is allowed only with use: flag (values of '
                "different statistics are not comparable); name one of "
                f"{', '.join(KNOWN_STATISTICS)}"
            )
        return self

    def reads(self, statistic: str) -> bool:
        if isinstance(self.statistic, str):
            return self.statistic in (ANY, statistic)
        return statistic in self.statistic

    def observe(self, event: Event) -> list[Observation]:
        if not isinstance(event, DriftEvent) or event.target.kind != self.target_kind:
            return []
        if self.target not in (ANY, event.target.name) or not self.reads(event.statistic):
            return []
        return [
            Observation(
                model_id=event.model_id,
                target=event.target.name,
                source=event.statistic,
                value=event.value,
                flagged=event.drift,
                window_end=event.window.end,
            )
        ]

    def covers(self, event: Event) -> bool:
        """Whether the event belongs to the family this signal reads (for absence)."""
        return isinstance(event, DriftEvent) and event.target.kind == self.target_kind


class MetricSignal(BaseModel):
    """A metric of a metric-event group, as is or as a change against a baseline metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["metric"] = "metric"
    group: MetricGroup
    metric: str = Field(description='A metric name, or "<prefix>.*" for one per feature.')
    compare_to: str | None = Field(default=None, description='e.g. "reference.accuracy".')
    change: Literal["delta", "relative"] = "delta"
    baseline_default: float | None = Field(
        default=None, description="The baseline used when compare_to is absent or null."
    )
    require_at_least: dict[str, float] = Field(
        default_factory=dict,
        description="Metric -> minimum in the same event (e.g. labelled_events: 500); "
        "below it, or absent, the value is unknown.",
    )

    @model_validator(mode="after")
    def _check(self) -> MetricSignal:
        for field, name in (("metric", self.metric), ("compare_to", self.compare_to)):
            if name is not None and not _METRIC_NAME.match(name):
                raise ValueError(
                    f"invalid {field} {name!r}: expected a metric name such as "
                    '"error_rate", "missing_rate.age", or a wildcard "missing_rate.*"'
                )
        if self.compare_to and self.compare_to.endswith(".*") != self.wildcard:
            raise ValueError(
                f'compare_to {self.compare_to!r} must end in ".*" exactly when metric '
                f"{self.metric!r} does (the * stands for the same feature)"
            )
        return self

    @property
    def wildcard(self) -> bool:
        return self.metric.endswith(".*")

    def observe(self, event: Event) -> list[Observation]:
        if not isinstance(event, MetricEvent) or event.group != self.group:
            return []
        found: list[Observation] = []
        for name, value in sorted(event.metrics.items()):
            target = self._target(name)
            if target is None:
                continue
            found.append(
                Observation(
                    model_id=event.model_id,
                    target=target,
                    source=name,
                    value=self._value(value, target, event.metrics),
                    flagged=False,
                    window_end=event.window.end,
                )
            )
        return found

    def covers(self, event: Event) -> bool:
        return isinstance(event, MetricEvent) and event.group == self.group

    def _target(self, name: str) -> str | None:
        if not self.wildcard:
            return name if name == self.metric else None
        prefix = self.metric[:-1]
        suffix = name.removeprefix(prefix)
        return suffix if name.startswith(prefix) and suffix else None

    def _value(
        self, value: float | None, target: str, metrics: dict[str, float | None]
    ) -> float | None:
        for name, minimum in self.require_at_least.items():
            present = metrics.get(name)
            if present is None or present < minimum:
                return None
        if value is None or self.compare_to is None:
            return value
        name = self.compare_to[:-1] + target if self.wildcard else self.compare_to
        baseline = metrics.get(name)
        baseline = self.baseline_default if baseline is None else baseline
        if baseline is None:
            return None
        if self.change == "delta":
            return value - baseline
        return None if baseline == 0 else (value - baseline) / abs(baseline)


Signal = Annotated[DriftSignal | MetricSignal, Field(discriminator="kind")]
