"""Alert rule configuration: pydantic models embedded in the service's YAML config.

A rule watches a :mod:`signal <stream_monitor.rules.signals>`, compares it with a
threshold (or reads a drift flag), and fires after the condition has held ``for`` a
duration or a count of evaluations; ``keep_firing_for`` keeps it firing after the
condition clears. See ``docs/alerting.md`` for the reference.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from schemas.outputs import Severity
from stream_monitor.rules.durations import DurationField, Hold, HoldField
from stream_monitor.rules.labels import check_label_names
from stream_monitor.rules.signals import DriftSignal, MetricSignal, Signal
from stream_monitor.rules.templates import check_template, format_number, render

Category = Literal["drift", "data_quality", "quality", "operational", "monitor"]
Comparison = Literal[">", ">=", "<", "<=", "==", "!="]

COMPARISONS: Final[dict[str, Callable[[float, float], bool]]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_RULE_NAME: Final = r"^[A-Za-z_][A-Za-z0-9_.:-]*$"


class Annotations(BaseModel):
    """Human text of an alert; each field may use the placeholders of ``templates``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = ""
    description: str = ""
    runbook_url: str = ""

    @field_validator("summary", "description", "runbook_url")
    @classmethod
    def _check(cls, template: str, info: ValidationInfo) -> str:
        return check_template(str(info.field_name), template)

    def render(self, values: Mapping[str, str]) -> dict[str, str]:
        """The non-empty annotations, filled in."""
        fields = {"summary": self.summary, "description": self.description}
        fields["runbook_url"] = self.runbook_url
        return {name: render(text, values) for name, text in fields.items() if text}


_GROUP_CATEGORY: Final[dict[str, Category]] = {
    "operational": "operational",
    "quality": "quality",
    "data_quality": "data_quality",
    "monitor": "monitor",
}


def _default_category(signal: object) -> Category:
    if isinstance(signal, Mapping):
        kind, group = signal.get("kind"), signal.get("group")
    else:
        kind, group = getattr(signal, "kind", None), getattr(signal, "group", None)
    return "drift" if kind == "drift" else _GROUP_CATEGORY.get(str(group), "operational")


class Rule(BaseModel):
    """One alert rule. ``for`` is spelled ``for_`` in Python."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True
    )

    name: str = Field(pattern=_RULE_NAME, description="Unique; becomes the alertname label.")
    signal: Signal
    op: Comparison | None = Field(default=None, description="Omitted for use: flag.")
    threshold: float | None = Field(default=None, description="Omitted for use: flag.")
    for_: HoldField = Field(default=Hold(duration=timedelta(0)), alias="for")
    keep_firing_for: HoldField = Hold(duration=timedelta(0))
    severity: Severity = Severity.WARNING
    category: Category = Field(
        default="operational", description="When omitted: drift, or the signal's metric group."
    )
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=Annotations)

    @model_validator(mode="before")
    @classmethod
    def _fill_category(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("category") is None and "signal" in data:
            return {**data, "category": _default_category(data["signal"])}
        return data

    @model_validator(mode="after")
    def _check(self) -> Rule:
        check_label_names(self.labels)
        if self.reads_flag:
            if self.op is not None or self.threshold is not None:
                raise ValueError(
                    f"rule {self.name!r} reads the drift flag (use: flag): it fires when the "
                    "flag is true and takes no op or threshold; remove them"
                )
            return self
        if self.op is None or self.threshold is None:
            raise ValueError(
                f"rule {self.name!r} needs op (one of {', '.join(COMPARISONS)}) and a "
                "numeric threshold"
            )
        if not math.isfinite(self.threshold):
            raise ValueError(f"rule {self.name!r}: threshold must be a finite number")
        return self

    @property
    def reads_flag(self) -> bool:
        return isinstance(self.signal, DriftSignal) and self.signal.use == "flag"

    def holds(self, value: float | None, flagged: bool) -> bool:
        """Whether the condition is true for one observed value (or flag)."""
        if self.reads_flag:
            return flagged
        if value is None or self.op is None or self.threshold is None:
            return False
        return COMPARISONS[self.op](value, self.threshold)

    def describe_threshold(self) -> str:
        if self.reads_flag:
            return "drift flag"
        return f"{self.op} {format_number(self.threshold)}"

    def annotate(self, model_id: str, target: str, value: float | None) -> dict[str, str]:
        values = {
            "model_id": model_id,
            "target": target,
            "value": format_number(value),
            "threshold": self.describe_threshold(),
            "rule": self.name,
            "severity": self.severity.value,
        }
        return self.annotations.render(values)


class InhibitRule(BaseModel):
    """A firing alert of ``source_category`` mutes ``target_category`` alerts that share
    the ``equal`` labels (by default: the same model)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source_category: Category = "data_quality"
    target_category: Category = "drift"
    equal: tuple[str, ...] = ("model_id",)


class AlertingConfig(BaseModel):
    """The alerting section of the service config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule]
    repeat_interval: DurationField = timedelta(hours=1)
    stale_after: DurationField = Field(
        default=timedelta(hours=1),
        description="An alert with no observation for this long is evaluated as false.",
    )
    inhibit_rules: list[InhibitRule] = Field(default_factory=lambda: [InhibitRule()])

    @model_validator(mode="after")
    def _check(self) -> AlertingConfig:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is used twice; names must be unique")
            seen.add(rule.name)
        for field in ("repeat_interval", "stale_after"):
            if getattr(self, field) <= timedelta(0):
                raise ValueError(f"{field} must be a positive duration such as 1h")
        return self

    def rule(self, name: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.name == name), None)


__all__ = [
    "COMPARISONS",
    "AlertingConfig",
    "Annotations",
    "Category",
    "Comparison",
    "DriftSignal",
    "InhibitRule",
    "MetricSignal",
    "Rule",
]
