"""The alert engine: events and the saved state in, the new state and alert events out.

>>> from datetime import datetime, timezone
>>> from stream_monitor.rules import default_rules
>>> engine = AlertEngine(AlertingConfig(rules=default_rules()))
>>> state, events = engine.evaluate(None, [], datetime(2025, 1, 1, tzinfo=timezone.utc))
>>> state, events
({'version': 1, 'alerts': {}}, [])

How one call works:

1. Events are grouped into *rounds* by their window end, oldest first; each round is one
   evaluation of every rule.
2. In a round, each rule reads its observations per (model, target). An observation
   yields a true or false verdict; an explicit null metric is *unknown* and changes
   nothing. An alert of a model the round covers (the round holds events of the rule's
   family for that model: drift events of the target kind, or the metric group) but
   whose target is absent gets a *false* verdict, as an absent series resolves a
   Prometheus alert. Events no newer than an alert's last evaluated window (replays)
   are ignored, so replaying events neither advances nor clears an alert.
3. Alerts of removed rules, and alerts without any verdict for ``stale_after``, end.
4. Silences and inhibition are applied, then events are emitted (see ``notify``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from schemas.outputs import AlertEvent
from stream_monitor.rules.config import AlertingConfig, Rule
from stream_monitor.rules.labels import alert_labels, fingerprint
from stream_monitor.rules.lifecycle import (
    Identity,
    Transition,
    end,
    observe_false,
    observe_true,
    start,
)
from stream_monitor.rules.notify import Muting, notify
from stream_monitor.rules.signals import Event, Observation
from stream_monitor.rules.silences import Silence
from stream_monitor.rules.state import AlertRecord, dump_state, load_state

Records = dict[str, AlertRecord]

__all__ = ["AlertEngine"]


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, got naive {now.isoformat()}")


def _rounds(events: Iterable[Event]) -> list[list[Event]]:
    by_end: dict[datetime, list[Event]] = defaultdict(list)
    for event in events:
        by_end[event.window.end].append(event)
    return [by_end[window_end] for window_end in sorted(by_end)]


def _combine(rule: Rule, group: list[Observation]) -> tuple[bool | None, float | None]:
    """The verdict (None = unknown) and value of one (model, target) in one round.

    A flag rule holds when any statistic flagged (value: the first flagged, by name); a
    value rule reads its one statistic or metric (the largest value, were there several).
    """
    ordered = sorted(group, key=lambda o: (o.source, o.value is None, o.value or 0.0))
    if rule.reads_flag:
        flagged = [o for o in ordered if o.flagged]
        chosen = flagged[0] if flagged else ordered[0]
        return bool(flagged), chosen.value
    known = [o for o in ordered if o.value is not None]
    if not known:
        return None, None
    value = known[-1].value
    return rule.holds(value, flagged=False), value


class AlertEngine:
    """Evaluates the configured rules; holds no state of its own between calls."""

    def __init__(self, config: AlertingConfig) -> None:
        self.config = config

    def evaluate(
        self,
        state: Mapping[str, Any] | None,
        events: Sequence[Event],
        now: datetime,
        silences: Sequence[Silence] = (),
    ) -> tuple[dict[str, Any], list[AlertEvent]]:
        """One evaluation at ``now``: the new JSON-safe state and the events to publish."""
        _check_aware(now)
        records = load_state(state)
        transitions: list[Transition] = []
        for round_events in _rounds(events):
            for rule in self.config.rules:
                transitions += self._evaluate_rule(records, rule, round_events, now)
        transitions += self._end_orphans_and_stale(records, now)
        muting = Muting.of(records, self.config.inhibit_rules, silences, now)
        alert_events = notify(records, transitions, muting, self.config, now)
        return dump_state(records), alert_events

    def _evaluate_rule(
        self, records: Records, rule: Rule, events: list[Event], now: datetime
    ) -> list[Transition]:
        groups: dict[tuple[str, str], list[Observation]] = defaultdict(list)
        covered: dict[str, datetime] = {}
        for event in events:
            for observation in rule.signal.observe(event):
                groups[(observation.model_id, observation.target)].append(observation)
            if rule.signal.covers(event):
                covered[event.model_id] = event.window.end
        transitions: list[Transition] = []
        seen: set[str] = set()
        for (model_id, target), group in sorted(groups.items()):
            who = self._identity(rule, model_id, target)
            seen.add(who.fingerprint)
            verdict, value = _combine(rule, group)
            transitions += _apply(records, rule, who, verdict, value, now, group[0].window_end)
        absent = [r for r in records.values() if r.rule == rule.name and r.fingerprint not in seen]
        for record in sorted(absent, key=lambda r: r.fingerprint):
            if record.model_id in covered:
                who = Identity(record.fingerprint, record.model_id, record.target, record.labels)
                window_end = covered[record.model_id]
                transitions += _apply(records, rule, who, False, None, now, window_end)
        return transitions

    def _identity(self, rule: Rule, model_id: str, target: str) -> Identity:
        labels = alert_labels(
            rule=rule.name,
            model_id=model_id,
            target=target,
            severity=rule.severity.value,
            category=rule.category,
            extra=rule.labels,
        )
        return Identity(fingerprint(labels), model_id, target, labels)

    def _end_orphans_and_stale(self, records: Records, now: datetime) -> list[Transition]:
        transitions: list[Transition] = []
        for key in sorted(records):
            record = records[key]
            orphan = self.config.rule(record.rule) is None
            stale = now - record.last_observed_at >= self.config.stale_after
            if orphan or stale:
                transitions += end(records.pop(key), now)
        return transitions


def _apply(
    records: Records,
    rule: Rule,
    who: Identity,
    verdict: bool | None,
    value: float | None,
    now: datetime,
    window_end: datetime,
) -> list[Transition]:
    """Apply one verdict to one alert in ``records`` (in place); return its transitions."""
    record = records.get(who.fingerprint)
    if record is not None and record.window_end is not None and window_end <= record.window_end:
        return []
    if verdict is None:
        if record is not None:
            records[who.fingerprint] = record.model_copy(update={"window_end": window_end})
        return []
    if record is None:
        if not verdict:
            return []
        records[who.fingerprint], transitions = start(who, rule, value, now, window_end)
        return transitions
    if verdict:
        records[who.fingerprint] = observe_true(record, rule, value, now, window_end)
        return []
    updated, transitions = observe_false(record, rule, now, window_end)
    if updated is None:
        del records[who.fingerprint]
    else:
        records[who.fingerprint] = updated
    return transitions
