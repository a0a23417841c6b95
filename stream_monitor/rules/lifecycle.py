"""One alert's lifecycle: inactive -> pending -> firing -> resolved, one verdict at a time.

Pure functions of a record, the rule, the verdict of one evaluation and ``now``:

- a true verdict starts a *pending* record; it turns *firing* once the condition has held
  ``for`` (a duration since it became true, or a count of consecutive true evaluations);
- a false verdict drops a pending record (back to inactive, no event) and starts the
  ``keep_firing_for`` clock of a firing one, which *resolves* when that hold runs out;
- a true verdict during ``keep_firing_for`` keeps the same episode (same ``starts_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from stream_monitor.rules.config import Rule
from stream_monitor.rules.durations import Hold
from stream_monitor.rules.state import AlertRecord, finite_or_none


@dataclass(frozen=True)
class Identity:
    """Who an alert is: its fingerprint, labels and the (model, target) it is about."""

    fingerprint: str
    model_id: str
    target: str
    labels: dict[str, str]


@dataclass(frozen=True)
class Transition:
    """A change that produces an event: a new pending alert, or a resolved one."""

    kind: Literal["pending", "resolved"]
    record: AlertRecord
    at: datetime


def _for_elapsed(hold: Hold, record: AlertRecord, now: datetime) -> bool:
    if hold.evaluations is not None:
        return record.true_count >= hold.evaluations
    assert hold.duration is not None
    return now - record.active_since >= hold.duration


def _keep_expired(hold: Hold, record: AlertRecord, now: datetime) -> bool:
    if hold.evaluations is not None:
        return record.false_count > hold.evaluations
    assert hold.duration is not None
    assert record.cleared_since is not None
    return now - record.cleared_since >= hold.duration


def _promote(record: AlertRecord, rule: Rule, now: datetime) -> AlertRecord:
    if record.status == "pending" and _for_elapsed(rule.for_, record, now):
        return record.model_copy(update={"status": "firing", "fired_at": now, "notified": False})
    return record


def start(
    who: Identity, rule: Rule, value: float | None, now: datetime, window_end: datetime
) -> tuple[AlertRecord, list[Transition]]:
    """A condition became true for an inactive alert: pending, or firing at once."""
    record = AlertRecord(
        fingerprint=who.fingerprint,
        rule=rule.name,
        model_id=who.model_id,
        target=who.target,
        labels=who.labels,
        annotations=rule.annotate(who.model_id, who.target, value),
        status="pending",
        active_since=now,
        value=finite_or_none(value),
        last_observed_at=now,
        window_end=window_end,
    )
    record = _promote(record, rule, now)
    pending = [Transition("pending", record, now)] if record.status == "pending" else []
    return record, pending


def observe_true(
    record: AlertRecord, rule: Rule, value: float | None, now: datetime, window_end: datetime
) -> AlertRecord:
    """Another true evaluation: count it, refresh the value, fire once ``for`` is met."""
    updated = record.model_copy(
        update={
            "true_count": record.true_count + 1,
            "cleared_since": None,
            "false_count": 0,
            "value": finite_or_none(value),
            "annotations": rule.annotate(record.model_id, record.target, value),
            "last_observed_at": now,
            "window_end": window_end,
        }
    )
    return _promote(updated, rule, now)


def observe_false(
    record: AlertRecord, rule: Rule, now: datetime, window_end: datetime | None
) -> tuple[AlertRecord | None, list[Transition]]:
    """A false evaluation: pending -> inactive; firing -> resolved once kept long enough."""
    if record.status == "pending":
        return None, []
    updated = record.model_copy(
        update={
            "true_count": 0,
            "cleared_since": record.cleared_since or now,
            "false_count": record.false_count + 1,
            "last_observed_at": now,
            "window_end": window_end or record.window_end,
        }
    )
    if _keep_expired(rule.keep_firing_for, updated, now):
        return None, [Transition("resolved", updated, now)]
    return updated, []


def end(record: AlertRecord, now: datetime) -> list[Transition]:
    """Drop an alert whatever its holds (its rule is gone, or it went stale)."""
    return [Transition("resolved", record, now)] if record.status == "firing" else []
