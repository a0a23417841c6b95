"""Replay benchmark: the embedded pipeline end to end against a bare decode + bin ceiling.

Acceptance (issue 7): *the embedded* ``replay`` *reaches at least 100k events/s of 20
features*. The throughput is set beside, measured side by side in one run on one machine,
a ceiling: the bare decode + bin + count of the same events.

One seeded stream of ``events`` prediction events of twenty features (the scenario mix of
:data:`benchmarks.scenarios.MIX`: 18 numeric, 2 categorical), a binary classifier's score
and label, a latency and a status, at :data:`EVENT_RATE` events per second of event time,
against a profile built from a 20k-event reference of the same mix. It is fed as
single-event lines and as the same events in batch envelopes of ``envelope`` events. Each
repeat times every variant once, in an order that rotates from repeat to repeat; a
variant's time is its best repeat. The variants:

``Replay``
    :class:`stream_monitor.embedded.Replay` over a fresh :class:`Pipeline` on a
    :class:`MemoryStore`, everything included: decode (each message by msgspec into its
    model's typed structs), validation, binning, the store, the event-time evaluations
    and the alert rules. The model has a binary quality spec
    (what the CLI configures), so each event also leaves its label-join record (kept as
    columns by the in-memory store). Lines go
    in batches of :data:`~stream_monitor.embedded.BATCH_LINES` (5,000) messages; envelopes in
    batches of ``5000 // envelope`` messages
    (the same events per ingest batch). *Ingest* and *evaluate* split its time; the time
    in Python's cyclic garbage collector during the run is shown too.
``Replay after gc.freeze()``
    for information, the same on lines with ``gc.freeze()`` called first, as a service
    could after start-up: the collector's full passes then skip the objects of the
    imported libraries.
``ceiling``
    ``orjson.loads`` of the same messages, then per feature ``np.bincount(np.searchsorted(
    edges, column))`` (categoricals: ``np.bincount`` of their codes) over the same
    columns, already encoded: decode + bin + count and nothing else.
``decode + validate``
    for information, what validating each event by its pydantic schema would cost (ingest
    decodes each message into its model's typed msgspec structs instead, checks the rest
    by column, and uses the schema only for the messages neither can vouch for):
    ``orjson.loads`` of the lines and ``PredictionEvent`` validation of each event,
    nothing else.

Run standalone: ``python -m benchmarks.replay [--profile quick|full] [--print-only]``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import orjson

from benchmarks.report import suite_main
from benchmarks.scenarios import MIX, Column
from schemas import PredictionEvent
from stream_monitor.embedded import BATCH_LINES, Replay
from stream_monitor.ingest import RawMessage
from stream_monitor.model_spec import ModelSpec
from stream_monitor.pipeline import IngestResult, OutputEvent, Pipeline
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.rules import Silence
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stats import ReferenceProfile, build_profile
from stream_monitor.stats.binning import encode_columns
from stream_monitor.stats.profile import NumericProfile
from stream_monitor.windowing import Windowing

SUITE: Final = "replay"
TITLE: Final = "Replay: embedded pipeline end to end against the decode + bin ceiling"
ACCEPTANCE_RATE: Final = 100_000.0
"""Events per second the embedded replay must reach (issue 7)."""
MODEL_ID: Final = "bench-model"
START_EPOCH: Final = 1_767_225_600  # 2026-01-01T00:00:00Z
EVENT_RATE: Final = 1_000.0
"""Events per second of event time: a stream dense enough that ingest, not the once per
slot evaluation, is what is measured (its cost per slot is reported apart)."""
REFERENCE_SIZE: Final = 20_000
INGEST_BATCH: Final = BATCH_LINES
"""Events per ingest batch (``Replay``'s default batch of lines)."""


@dataclass(frozen=True)
class ReplayProfile:
    name: str
    events: int
    repeats: int
    envelope: int = 500
    """Events per batch envelope."""


PROFILES: Final = {
    "quick": ReplayProfile("quick", events=100_000, repeats=3),
    "full": ReplayProfile("full", events=100_000, repeats=7),
}


@dataclass(frozen=True)
class Stream:
    """The benchmark's events, encoded both ways, and what the ceiling bins."""

    events: int
    reference: ReferenceProfile
    lines: list[bytes]
    envelopes: list[bytes]
    envelope: int
    columns: dict[str, Column]
    """The twenty feature columns, encoded (float64, or int64 codes for categoricals)."""


def _reference(seed: int) -> ReferenceProfile:
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {name: dist.sample(rng, REFERENCE_SIZE) for name, dist in MIX.items()}
    scores = rng.uniform(size=REFERENCE_SIZE).round(4)
    columns["score"] = scores
    columns["label"] = (scores >= 0.5).astype(np.int64)
    return build_profile(columns)


def make_stream(events: int, envelope: int, seed: int = 0) -> Stream:
    """``events`` seeded prediction events of the twenty-feature mix, as JSON lines and as
    batch envelopes of ``envelope`` events."""
    reference = _reference(seed)
    rng = np.random.default_rng(seed + 1)
    raw = {name: dist.sample(rng, events) for name, dist in MIX.items()}
    times = START_EPOCH + np.sort(rng.uniform(0.0, events / EVENT_RATE, events)).round(3)
    scores = rng.uniform(size=events).round(4)
    latencies = rng.lognormal(np.log(12.0), 0.4, events).round(2)
    errors = rng.uniform(size=events) < 0.01
    names = list(raw)
    rows = zip(*(raw[name].tolist() for name in names), strict=True)
    stamps, score_list, latency_list = times.tolist(), scores.tolist(), latencies.tolist()
    payloads = [
        {
            "event_id": f"e-{i}",
            "model_id": MODEL_ID,
            "model_version": "1.4.2",
            "timestamp": stamps[i],
            "features": dict(zip(names, row, strict=True)),
            "prediction": {"score": score_list[i], "label": int(score_list[i] >= 0.5)},
            "latency_ms": latency_list[i],
            "status": "error" if errors[i] else "ok",
        }
        for i, row in enumerate(rows)
    ]
    lines = [orjson.dumps(p) for p in payloads]
    envelopes = [
        orjson.dumps({"type": "batch", "events": payloads[i : i + envelope]})
        for i in range(0, events, envelope)
    ]
    encoded = encode_columns(reference, raw).features
    return Stream(events, reference, lines, envelopes, envelope, dict(encoded))


def model_spec(reference: ReferenceProfile) -> ModelSpec:
    """The benchmark's model, as the CLI configures one: default windows, binary quality."""
    return ModelSpec(MODEL_ID, reference, Windowing(), quality=QualitySpec(task="binary"))


class _TimedPipeline(Pipeline):
    """A :class:`Pipeline` that adds up the time spent in ingest and in evaluation."""

    ingest_seconds = 0.0
    evaluate_seconds = 0.0
    evaluations = 0

    def ingest(self, messages: Sequence[RawMessage]) -> IngestResult:
        started = time.perf_counter()
        try:
            return super().ingest(messages)
        finally:
            self.ingest_seconds += time.perf_counter() - started

    def evaluate(
        self, model_id: str, slot_end: int, now: float, silences: Sequence[Silence] = ()
    ) -> list[OutputEvent]:
        started = time.perf_counter()
        try:
            return super().evaluate(model_id, slot_end, now, silences)
        finally:
            self.evaluate_seconds += time.perf_counter() - started
            self.evaluations += 1


@dataclass
class Split:
    """Where a Replay run's time went (of its best repeat)."""

    ingest: float = 0.0
    evaluate: float = 0.0
    evaluations: int = 0
    collector: float = 0.0
    """Time in Python's cyclic garbage collector (all generations), within the run."""


class _CollectorClock:
    """Adds up the time of garbage collections while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    @contextmanager
    def installed(self) -> Iterator[_CollectorClock]:
        gc.callbacks.append(self)
        try:
            yield self
        finally:
            gc.callbacks.remove(self)


def _replay(
    spec: ModelSpec, lines: list[bytes], batch: int, split: Split, freeze: bool = False
) -> Callable[[], Any]:
    """One Replay run; ``freeze``: ``gc.freeze()`` first, as a service could after start-up
    (the collector then leaves the objects of the imported libraries alone)."""

    def run() -> int:
        pipeline = _TimedPipeline({spec.model_id: spec}, MemoryStore())
        replay = Replay(pipeline, batch_size=batch)
        if freeze:
            gc.freeze()
        try:
            with _CollectorClock().installed() as collector:
                for _ in replay.run(lines):
                    pass
        finally:
            gc.unfreeze()
        split.ingest, split.evaluate = pipeline.ingest_seconds, pipeline.evaluate_seconds
        split.evaluations, split.collector = pipeline.evaluations, collector.seconds
        return replay.counts.events

    return run


def _ceiling(reference: ReferenceProfile, lines: list[bytes], columns: dict[str, Column]) -> Any:
    loads = orjson.loads

    def run() -> list[Any]:
        for line in lines:
            loads(line)
        counts = []
        for name, column in columns.items():
            profile = reference.features[name]
            if isinstance(profile, NumericProfile):
                cells = np.searchsorted(profile.edges, column)
                counts.append(np.bincount(cells, minlength=len(profile.edges) + 1))
            else:
                counts.append(np.bincount(column, minlength=len(profile.vocabulary) + 3))
        return counts

    return run


def _validate(lines: list[bytes]) -> Callable[[], Any]:
    loads, validate = orjson.loads, PredictionEvent.__pydantic_validator__.validate_python

    def run() -> int:
        return sum(1 for line in lines if validate(loads(line)))

    return run


@dataclass(frozen=True)
class Timing:
    variant: str
    messages: str
    best: float
    median: float
    split: Split | None = None

    def rate(self, events: int) -> float:
        return events / self.best


REPLAY: Final = "Replay"
FROZEN: Final = "Replay after gc.freeze() (information)"
CEILING: Final = "ceiling: orjson.loads + searchsorted/bincount"
VALIDATE: Final = "decode + validate (information)"
LINES: Final = "single-event lines"


@dataclass(frozen=True)
class ReplayReport:
    profile: ReplayProfile
    features: int
    timings: tuple[Timing, ...]
    seconds: float

    def timing(self, variant: str, messages: str) -> Timing:
        return next(t for t in self.timings if (t.variant, t.messages) == (variant, messages))

    def ratio(self, messages: str) -> float:
        """Time per event of Replay over that of the ceiling on the same messages."""
        return self.timing(REPLAY, messages).best / self.timing(CEILING, messages).best


def _envelopes(profile: ReplayProfile) -> str:
    return f"envelopes of {profile.envelope}"


def run_replay(profile: ReplayProfile, seed: int = 0) -> ReplayReport:
    """Time every variant side by side (interleaved repeats, best of ``repeats``)."""
    began = time.perf_counter()
    stream = make_stream(profile.events, profile.envelope, seed)
    spec = model_spec(stream.reference)
    envelopes = _envelopes(profile)
    splits = {(REPLAY, LINES): Split(), (REPLAY, envelopes): Split(), (FROZEN, LINES): Split()}
    per_batch = max(1, INGEST_BATCH // profile.envelope)
    frozen = _replay(spec, stream.lines, INGEST_BATCH, splits[FROZEN, LINES], freeze=True)
    variants: list[tuple[str, str, Callable[[], Any]]] = [
        (REPLAY, LINES, _replay(spec, stream.lines, INGEST_BATCH, splits[REPLAY, LINES])),
        (
            REPLAY,
            envelopes,
            _replay(spec, stream.envelopes, per_batch, splits[REPLAY, envelopes]),
        ),
        (FROZEN, LINES, frozen),
        (CEILING, LINES, _ceiling(stream.reference, stream.lines, stream.columns)),
        (CEILING, envelopes, _ceiling(stream.reference, stream.envelopes, stream.columns)),
        (VALIDATE, LINES, _validate(stream.lines)),
    ]
    _check(spec, stream)
    times: list[list[float]] = [[] for _ in variants]
    best_splits: dict[tuple[str, str], Split] = {}
    for repeat in range(profile.repeats):
        for k in range(len(variants)):
            i = (k + repeat) % len(variants)
            variant, messages, run = variants[i]
            started = time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            split = splits.get((variant, messages))
            if split is not None and (not times[i] or elapsed < min(times[i])):
                best_splits[variant, messages] = Split(**vars(split))
            times[i].append(elapsed)
    timings = tuple(
        Timing(variant, messages, min(t), float(np.median(t)), best_splits.get((variant, messages)))
        for (variant, messages, _), t in zip(variants, times, strict=True)
    )
    return ReplayReport(profile, len(stream.columns), timings, time.perf_counter() - began)


def _check(spec: ModelSpec, stream: Stream) -> None:
    """Every event of both encodings is accepted (the runs measure work, not rejections)."""
    head = stream.envelope * 2
    for lines in (stream.lines[:head], stream.envelopes[:2]):
        pipeline = Pipeline({spec.model_id: spec}, MemoryStore())
        replay = Replay(pipeline)
        for _ in replay.run(lines):
            pass
        if replay.counts.dead_letters or replay.counts.events != head:
            raise AssertionError(f"benchmark stream not accepted: {replay.counts}")


def markdown(report: ReplayReport) -> str:
    p = report.profile
    envelopes = _envelopes(p)
    lines = [
        f"Profile `{p.name}`: {p.events:,} prediction events of {report.features} features "
        f"(18 numeric, 2 categorical) plus score and label, {EVENT_RATE:,.0f} events per "
        f"second of event time, default windows (60 s buckets, 600 s window, a slot every "
        f"60 s), binary quality spec (a label-join record per event); fed as single-event "
        f"lines (ingest batches of {INGEST_BATCH:,} messages) and as {envelopes} events "
        f"(batches of {max(1, INGEST_BATCH // p.envelope)} envelopes); best of {p.repeats} "
        f"interleaved repeats per variant, all measured side by side in this run. Suite "
        f"time {report.seconds:.0f} s.",
        "",
        "| messages | variant | best (s) | median (s) | events/s (best) | "
        "time per event vs ceiling | ingest / evaluate / in the collector (s) | "
        "evaluations (ms each) |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for t in report.timings:
        ceiling = report.timing(CEILING, t.messages).best
        split, evals = "", ""
        if t.split is not None:
            split = f"{t.split.ingest:.2f} / {t.split.evaluate:.2f} / {t.split.collector:.2f}"
            each = t.split.evaluate / t.split.evaluations * 1e3 if t.split.evaluations else 0.0
            evals = f"{t.split.evaluations} ({each:,.0f})"
        lines.append(
            f"| {t.messages} | {t.variant} | {t.best:.2f} | {t.median:.2f} | "
            f"{t.rate(p.events):,.0f} | {t.best / ceiling:.1f}x | {split} | {evals} |"
        )
    rate_lines = report.timing(REPLAY, LINES).rate(p.events)
    rate_envelopes = report.timing(REPLAY, envelopes).rate(p.events)
    verdict = "reached" if min(rate_lines, rate_envelopes) >= ACCEPTANCE_RATE else "NOT reached"
    validate = report.timing(VALIDATE, LINES)
    floor = validate.best / report.timing(CEILING, LINES).best
    lines += [
        "",
        f"Acceptance (the embedded replay at >= {ACCEPTANCE_RATE:,.0f} events/s of 20 "
        f"features): {rate_lines:,.0f} events/s from lines, {rate_envelopes:,.0f} from "
        f"envelopes: **{verdict}**. Replay takes {report.ratio(LINES):.1f}x the ceiling's "
        f"time per event on lines and {report.ratio(envelopes):.1f}x on envelopes. Decoding "
        f"and validating each event with its pydantic schema alone runs at "
        f"{validate.rate(p.events):,.0f} events/s ({floor:.1f}x the ceiling's "
        f"time); ingest does without it (msgspec decodes each message into its model's "
        f"typed structs, column checks take what those refuse, and the schema decodes only "
        f"the messages neither can vouch for).",
    ]
    replay, frozen = report.timing(REPLAY, LINES), report.timing(FROZEN, LINES)
    if replay.split is not None and frozen.split is not None:
        lines[-1] += (
            f" The garbage collector takes {replay.split.collector:.2f} s of Replay's "
            f"{replay.best:.2f} s on lines; with `gc.freeze()` first, "
            f"{frozen.split.collector:.2f} s, and Replay runs at "
            f"{frozen.rate(p.events):,.0f} events/s."
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    return suite_main(
        argv, SUITE, TITLE, PROFILES, lambda profile: markdown(run_replay(PROFILES[profile]))
    )


if __name__ == "__main__":
    sys.exit(main())
