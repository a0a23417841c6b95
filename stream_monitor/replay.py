"""``replay``: the full pipeline over a file of prediction events, in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from schemas import AlertEvent, DeadLetter
from stream_monitor.embedded import Replay, ReplayCounts
from stream_monitor.errors import UserError
from stream_monitor.pipeline import OutputEvent, Pipeline
from stream_monitor.settings import ModelSettings, Settings
from stream_monitor.specs import model_spec
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stats.profile import ReferenceProfile

Output = OutputEvent | DeadLetter


def read_lines(path: Path) -> Iterator[bytes]:
    """Non-blank lines of a JSON-lines file, as bytes."""
    try:
        with path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    yield line.rstrip(b"\r\n")
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


def first_model_id(path: Path) -> str:
    for line in read_lines(path):
        try:
            model_id = orjson.loads(line).get("model_id")
        except (orjson.JSONDecodeError, AttributeError):
            continue
        if isinstance(model_id, str):
            return model_id
    raise UserError(f"{path} holds no event with a model_id; nothing to replay")


def build_pipeline(settings: Settings, profile: ReferenceProfile, events: Path) -> Pipeline:
    """The models of the config, or the one model of the events file with defaults."""
    models = settings.models or [ModelSettings(id=first_model_id(events), reference=events)]
    specs = {m.id: model_spec(m, profile, settings.limits) for m in models}
    return Pipeline(
        specs,
        MemoryStore(),
        policy=settings.drift.policy(),
        alerting=settings.alerting,
        max_message_bytes=settings.limits.max_message_bytes,
        retrain_policy=settings.retraining,
    )


@dataclass
class ReplaySummary:
    counts: ReplayCounts
    outputs: Counter[str] = field(default_factory=Counter)
    dead_letters: Counter[str] = field(default_factory=Counter)
    alerts: list[AlertEvent] = field(default_factory=list)
    kept: list[Output] = field(default_factory=list)


def run(
    pipeline: Pipeline,
    lines: Iterator[bytes],
    labels: Iterator[bytes],
    out: IO[bytes] | None = None,
    keep: bool = False,
    on_output: Callable[[Output], None] | None = None,
) -> ReplaySummary:
    """Replay, writing every output as one JSON line to ``out``; keep them if asked."""
    replay = Replay(pipeline)
    summary = ReplaySummary(replay.counts)
    for output in replay.run(lines, labels):
        summary.outputs[output.type] += 1
        if isinstance(output, DeadLetter):
            summary.dead_letters[output.reason] += 1
        if isinstance(output, AlertEvent):
            summary.alerts.append(output)
        if out is not None:
            out.write(output.model_dump_json().encode() + b"\n")
        if keep:
            summary.kept.append(output)
        if on_output is not None:
            on_output(output)
    return summary
