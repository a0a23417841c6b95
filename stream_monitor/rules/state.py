"""The alert engine's state: a JSON-safe dict with a version, and the view of active alerts.

``{"version": 1, "alerts": {fingerprint: record}}`` holds one record per alert that is
pending or firing; inactive and resolved alerts are dropped. Times are ISO-8601 strings
with their offset. The state is everything the engine needs to continue after a restart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from schemas.outputs import AlertStatus, Severity
from stream_monitor.rules.labels import CATEGORY, SEVERITY

STATE_VERSION: Final = 1


class AlertRecord(BaseModel):
    """One pending or firing alert, as stored between evaluations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str
    rule: str
    model_id: str
    target: str
    labels: dict[str, str]
    annotations: dict[str, str]
    status: Literal["pending", "firing"]
    active_since: AwareDatetime = Field(description="When the condition became true.")
    fired_at: AwareDatetime | None = None
    true_count: int = Field(default=1, ge=0, description="Consecutive true evaluations.")
    cleared_since: AwareDatetime | None = Field(
        default=None, description="Firing, but the condition false since then."
    )
    false_count: int = Field(default=0, ge=0, description="Consecutive false evaluations.")
    value: float | None = None
    last_observed_at: AwareDatetime = Field(description="Last evaluation with a verdict.")
    window_end: AwareDatetime | None = Field(
        default=None, description="Newest window evaluated: older (replayed) ones are ignored."
    )
    last_sent_at: AwareDatetime | None = Field(
        default=None, description="When the last firing event was emitted."
    )
    notified: bool = Field(default=False, description="A firing event of this episode was sent.")
    silenced_by: str | None = None
    inhibited_by: str | None = None

    @property
    def starts_at(self) -> datetime:
        """Firing since (as Alertmanager's startsAt), or pending since."""
        return self.fired_at or self.active_since


def finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def empty_state() -> dict[str, Any]:
    return {"version": STATE_VERSION, "alerts": {}}


def load_state(state: Mapping[str, Any] | None) -> dict[str, AlertRecord]:
    """The records of a saved state (None or ``{}`` is an empty state)."""
    if not state:
        return {}
    version = state.get("version")
    if version != STATE_VERSION:
        raise ValueError(
            f"alert state version {version!r} is not readable by this build, which reads "
            f"version {STATE_VERSION}"
        )
    alerts = state.get("alerts", {})
    if not isinstance(alerts, Mapping):
        raise ValueError("alert state: 'alerts' must be an object of fingerprint -> record")
    try:
        return {key: AlertRecord.model_validate(value) for key, value in alerts.items()}
    except ValidationError as error:
        raise ValueError(f"alert state holds an invalid record: {error}") from None


def dump_state(records: Mapping[str, AlertRecord]) -> dict[str, Any]:
    """A JSON-safe dict (only str, int, float, bool, None, lists and dicts)."""
    alerts = {key: records[key].model_dump(mode="json") for key in sorted(records)}
    return {"version": STATE_VERSION, "alerts": alerts}


class ActiveAlert(BaseModel):
    """What ``list active alerts`` shows, and what the retraining policy reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str
    rule: str
    model_id: str
    target: str
    category: str
    severity: Severity
    status: AlertStatus
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    value: float | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    silenced_by: str | None = None
    inhibited_by: str | None = None

    @property
    def suppressed(self) -> bool:
        """Silenced or inhibited: it runs its lifecycle, but sends no notifications."""
        return self.silenced_by is not None or self.inhibited_by is not None

    @property
    def shown_as(self) -> str:
        """``pending``, ``firing``, ``silenced`` or ``inhibited``, for listings."""
        if self.silenced_by is not None:
            return "silenced"
        if self.inhibited_by is not None:
            return "inhibited"
        return self.status.value


def to_active_alert(record: AlertRecord) -> ActiveAlert:
    return ActiveAlert(
        fingerprint=record.fingerprint,
        rule=record.rule,
        model_id=record.model_id,
        target=record.target,
        category=record.labels.get(CATEGORY, ""),
        severity=Severity(record.labels.get(SEVERITY, Severity.WARNING.value)),
        status=AlertStatus(record.status),
        starts_at=record.starts_at,
        value=record.value,
        labels=record.labels,
        silenced_by=record.silenced_by,
        inhibited_by=record.inhibited_by,
    )


def active_alerts(
    state: Mapping[str, Any] | None, model_id: str | None = None
) -> list[ActiveAlert]:
    """Pending and firing alerts of a saved state (of one model if given), by fingerprint."""
    records = load_state(state)
    return [
        to_active_alert(records[key])
        for key in sorted(records)
        if model_id is None or records[key].model_id == model_id
    ]
