"""Silences, inhibition and which alert events an evaluation emits.

- *pending*: emitted once when an alert becomes pending, unless it is muted;
- *firing*: emitted when an alert starts firing, when a silence or inhibition that muted
  it ends, and again every ``repeat_interval`` with the same ``starts_at``; never while
  it is muted (silenced or inhibited) - the record says why instead;
- *resolved*: emitted with ``ends_at`` when a firing alert ends, if (and only if) a
  firing event of that episode was emitted, so consumers close exactly what they opened.

A muted alert is *silenced* when an active silence matches its labels and *inhibited*
when a firing alert of an inhibit rule's source category shares its ``equal`` labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from schemas.outputs import AlertEvent, AlertStatus, Severity
from stream_monitor.rules.config import AlertingConfig, InhibitRule
from stream_monitor.rules.labels import CATEGORY, SEVERITY
from stream_monitor.rules.lifecycle import Transition
from stream_monitor.rules.silences import Silence, silenced_by
from stream_monitor.rules.state import AlertRecord


@dataclass(frozen=True)
class Muting:
    """The silences and the firing inhibition sources at one ``now``."""

    silences: tuple[Silence, ...]
    sources: tuple[tuple[InhibitRule, tuple[AlertRecord, ...]], ...]
    now: datetime

    @classmethod
    def of(
        cls,
        records: dict[str, AlertRecord],
        inhibit_rules: Sequence[InhibitRule],
        silences: Sequence[Silence],
        now: datetime,
    ) -> Muting:
        firing = [records[key] for key in sorted(records) if records[key].status == "firing"]
        sources = tuple(
            (rule, tuple(r for r in firing if r.labels.get(CATEGORY) == rule.source_category))
            for rule in inhibit_rules
        )
        return cls(tuple(silences), sources, now)

    def silenced_by(self, record: AlertRecord) -> str | None:
        return silenced_by(record.labels, self.silences, self.now)

    def inhibited_by(self, record: AlertRecord) -> str | None:
        """The smallest fingerprint of a firing source alert that inhibits this one."""
        found: list[str] = []
        for rule, sources in self.sources:
            if record.labels.get(CATEGORY) != rule.target_category:
                continue
            found += [
                source.fingerprint
                for source in sources
                if source.fingerprint != record.fingerprint
                and all(source.labels.get(n, "") == record.labels.get(n, "") for n in rule.equal)
            ]
        return min(found, default=None)

    def apply(self, record: AlertRecord) -> AlertRecord:
        update = {
            "silenced_by": self.silenced_by(record),
            "inhibited_by": self.inhibited_by(record),
        }
        return record.model_copy(update=update)


def alert_event(
    record: AlertRecord,
    status: AlertStatus,
    starts_at: datetime,
    ends_at: datetime | None = None,
) -> AlertEvent:
    return AlertEvent(
        model_id=record.model_id,
        fingerprint=record.fingerprint,
        rule=record.rule,
        status=status,
        severity=Severity(record.labels.get(SEVERITY, Severity.WARNING.value)),
        starts_at=starts_at,
        ends_at=ends_at,
        labels=record.labels,
        annotations=record.annotations,
        value=record.value,
        silenced_by=record.silenced_by,
        inhibited_by=record.inhibited_by,
    )


def _transition_event(transition: Transition, muting: Muting) -> AlertEvent | None:
    record = muting.apply(transition.record)
    if transition.kind == "pending":
        muted = record.silenced_by is not None or record.inhibited_by is not None
        return None if muted else alert_event(record, AlertStatus.PENDING, record.active_since)
    if not record.notified:
        return None
    return alert_event(record, AlertStatus.RESOLVED, record.starts_at, ends_at=transition.at)


def _due(record: AlertRecord, config: AlertingConfig, now: datetime) -> bool:
    if record.status != "firing" or record.silenced_by or record.inhibited_by:
        return False
    if not record.notified or record.last_sent_at is None:
        return True
    return now - record.last_sent_at >= config.repeat_interval


def notify(
    records: dict[str, AlertRecord],
    transitions: Sequence[Transition],
    muting: Muting,
    config: AlertingConfig,
    now: datetime,
) -> list[AlertEvent]:
    """The events to publish; marks muting and sent firing events in ``records`` (in place)."""
    events = [e for t in transitions if (e := _transition_event(t, muting)) is not None]
    for key in sorted(records):
        record = muting.apply(records[key])
        if _due(record, config, now):
            record = record.model_copy(update={"notified": True, "last_sent_at": now})
            events.append(alert_event(record, AlertStatus.FIRING, record.starts_at))
        records[key] = record
    return events
