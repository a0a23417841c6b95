"""Embedded runs: a file or a simulator as the source, the in-memory store as state.

The same :class:`~stream_monitor.pipeline.Pipeline` as the Kafka worker; only the clock
differs: evaluation slots are driven by event time (each model's newest event), so a
replay of the same file always gives the same outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from math import inf
from typing import Final

import orjson

from schemas import DeadLetter
from stream_monitor.collector import collector_paused
from stream_monitor.dead_letters import raw_messages
from stream_monitor.pipeline import OutputEvent, Pipeline

SOURCE_TOPIC = "file"
LABEL_TOPIC = "labels-file"
BATCH_LINES: Final = 5000
"""Lines per ingest batch: what is evaluated does not depend on it (:meth:`Replay.run`);
larger batches share the fixed costs of a batch (5,000 lines ran about 8% faster than
2,000 in ``benchmarks/replay.py``; 10,000 no faster than 5,000)."""


def event_seconds(value: object) -> float:
    """Unix seconds of a raw event's ``timestamp`` (ISO 8601 text or a number)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError("timestamp must be ISO 8601 or Unix seconds")


def sorted_labels(lines: Iterable[bytes]) -> list[tuple[float, bytes]]:
    """Labels newest first (popped from the end), by their ``timestamp``; a line whose
    timestamp cannot be read sorts first, so it is dead-lettered with its reason."""
    keyed = []
    for line in lines:
        try:
            stamp = event_seconds(orjson.loads(line)["timestamp"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            stamp = float("-inf")
        keyed.append((stamp, line))
    keyed.sort(key=lambda item: item[0], reverse=True)
    return keyed


def batched(lines: Iterable[bytes], size: int) -> Iterator[tuple[bytes, ...]]:
    iterator = iter(lines)
    while batch := tuple(islice(iterator, size)):
        yield batch


@dataclass
class ReplayCounts:
    lines: int = 0
    labels: int = 0
    events: int = 0
    dead_letters: int = 0
    duplicates: int = 0
    evaluations: int = 0


@dataclass
class Replay:
    """Feeds lines (one prediction message each) through a pipeline, in order."""

    pipeline: Pipeline
    batch_size: int = BATCH_LINES
    counts: ReplayCounts = field(default_factory=ReplayCounts)
    _watermark: dict[str, float] = field(default_factory=dict)
    _last_slot: dict[str, int] = field(default_factory=dict)

    def run(
        self, lines: Iterable[bytes], labels: Iterable[bytes] = ()
    ) -> Iterator[OutputEvent | DeadLetter]:
        """Every output, in the order the service would publish it; then a final flush.

        Labels are joined in the order of their own timestamps, each once the predictions
        up to that time have been ingested (as they would arrive on their topic). A slot is
        evaluated once the predictions are ``lateness`` past its end, with the labels up
        to that moment joined and no later ones: what is evaluated does not depend on
        ``batch_size`` (for a file in event-time order).
        """
        pending = sorted_labels(labels)
        for batch in batched(lines, self.batch_size):
            yield from self._ingest(batch)
            yield from self._evaluate_due(pending, final=False)
            yield from self._ingest_labels(pending, max(self._watermark.values(), default=-inf))
        yield from self._evaluate_due(pending, final=True)
        yield from self._ingest_labels(pending, inf)

    def _ingest_labels(self, pending: list[tuple[float, bytes]], until: float) -> list[DeadLetter]:
        due: list[bytes] = []
        while pending and pending[-1][0] <= until:
            due.append(pending.pop()[1])
        first = self.counts.labels
        messages = raw_messages(due, LABEL_TOPIC, 0, first)
        self.counts.labels += len(due)
        result = self.pipeline.ingest_labels(messages) if messages else None
        if result is None:
            return []
        self.counts.dead_letters += len(result.dead_letters)
        return result.dead_letters

    def _ingest(self, batch: tuple[bytes, ...]) -> list[DeadLetter]:
        first = self.counts.lines
        self.counts.lines += len(batch)
        with collector_paused():  # the messages too: thousands of tuples
            result = self.pipeline.ingest(raw_messages(batch, SOURCE_TOPIC, 0, first))
        self.counts.events += result.events
        self.counts.dead_letters += len(result.dead_letters)
        self.counts.duplicates += result.duplicates
        for model_id, newest in result.latest.items():
            windowing = self.pipeline.specs[model_id].windowing
            if model_id not in self._last_slot:  # slots from the first event on
                self._last_slot[model_id] = windowing.slot_of(result.earliest[model_id])
            self._watermark[model_id] = max(newest, self._watermark.get(model_id, newest))
        return result.dead_letters

    def _evaluate_due(
        self, pending: list[tuple[float, bytes]], final: bool
    ) -> Iterator[OutputEvent | DeadLetter]:
        """The due slots of every model, by the event time they became due, each after the
        labels up to that time (``final``: every slot the last events reach)."""
        due: list[tuple[float, str, int]] = []
        for model_id in sorted(self._watermark):
            windowing = self.pipeline.specs[model_id].windowing
            watermark = self._watermark[model_id]
            if final:
                watermark += windowing.lateness_seconds + windowing.interval_seconds
            slots = windowing.due_slots(self._last_slot[model_id], watermark)
            due += [(slot + windowing.lateness_seconds, model_id, slot) for slot in slots]
        for due_at, model_id, slot in sorted(due):
            yield from self._ingest_labels(pending, due_at)
            self._last_slot[model_id] = slot
            self.counts.evaluations += 1
            yield from self.pipeline.evaluate(model_id, slot, now=due_at)
