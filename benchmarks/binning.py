"""Binning benchmark: the engine's batch binning against bare numpy, side by side.

Acceptance (issue 3): *binning a batch of events into 20 features' counts runs within
2x of a bare numpy* ``searchsorted`` + ``bincount`` *over the same arrays, measured side
by side in one benchmark run*.

One batch of ``events`` x 20 numeric features (the eighteen numeric features of the
scenario mix plus two more normals) is binned against a profile built from a 20k-event
reference (default :class:`~stream_monitor.stats.ProfileOptions`: 200 fine cells). Each
repeat times every variant once, in an order that rotates from repeat to repeat; a
variant's time is its best repeat. The variants:

``numpy``
    per feature ``np.bincount(np.searchsorted(edges, column), minlength=len(edges) + 1)``
    over the encoded float64 columns and the profile's own edges: the floor.
``ModelWindows.add``
    ``ModelWindows.empty(profile).add(profile, batch)`` on the same encoded columns: the
    binning step itself (cell counts, missing, invalid, sums, min, max).
``encode_columns + add``
    the same from the raw columns (float64, and int64 for the Poisson features), the
    encoding to float64 included.
``columns_from_events + add``
    for information, the decode-to-columns cost: the same features read from
    :class:`schemas.PredictionEvent` objects (fewer events: building them is slow).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np

from benchmarks.scenarios import MIX, Categorical, Column, Distribution, Normal
from schemas import PredictionEvent
from stream_monitor.stats import (
    BatchColumns,
    ModelWindows,
    ReferenceProfile,
    build_profile,
    columns_from_events,
    encode_columns,
)
from stream_monitor.stats.profile import NumericProfile
from stream_monitor.stats.values import IntArray

ACCEPTANCE_RATIO: Final = 2.0
BINNING_MIX: Final[dict[str, Distribution]] = {
    **{name: dist for name, dist in MIX.items() if not isinstance(dist, Categorical)},
    "normal_8": Normal(3.0, 0.2),
    "normal_9": Normal(-1.0, 7.0),
}
"""Twenty numeric features: the scenario mix without its two categoricals, plus two normals."""


@dataclass(frozen=True)
class BinningProfile:
    name: str
    events: int
    """Events in the acceptance batch."""
    repeats: int
    event_objects: int
    """PredictionEvent objects for the decode-to-columns measurement."""
    small_batch: int = 1_000
    """A small batch, for information: per-call overheads, timed over ``events`` in all."""


PROFILES: Final = {
    "quick": BinningProfile("quick", events=100_000, repeats=15, event_objects=20_000),
    "full": BinningProfile("full", events=100_000, repeats=60, event_objects=50_000),
}


@dataclass(frozen=True)
class Timing:
    variant: str
    batch: int
    """Events per batch."""
    events: int
    """Events per timed repeat (several batches for small ones)."""
    best: float
    median: float

    @property
    def rate(self) -> float:
        """Events per second at the best repeat."""
        return self.events / self.best


@dataclass(frozen=True)
class BinningReport:
    profile: BinningProfile
    features: int
    cells: int
    timings: tuple[Timing, ...]
    seconds: float

    def timing(self, variant: str, batch: int | None = None) -> Timing:
        """The timing of a variant at a batch size (default: its first, the largest)."""
        return next(t for t in self.timings if t.variant == variant and batch in (None, t.batch))

    def ratio(self, variant: str, batch: int | None = None) -> float:
        """Time per event of ``variant`` over that of bare numpy on the same batch size
        (best repeats); the decode variant is compared with the largest batch."""
        mine = self.timing(variant, batch)
        floor = self.timing(NUMPY, None if variant == EVENTS_ADD else mine.batch)
        return (mine.best / mine.events) / (floor.best / floor.events)


NUMPY: Final = "numpy searchsorted + bincount"
ADD: Final = "ModelWindows.add"
ENCODE_ADD: Final = "encode_columns + ModelWindows.add"
EVENTS_ADD: Final = "columns_from_events + ModelWindows.add"


def columns(seed: int, n: int) -> dict[str, Column]:
    """``n`` events of the twenty numeric features."""
    rng = np.random.default_rng(seed)
    return {name: dist.sample(rng, n) for name, dist in BINNING_MIX.items()}


def _events(data: dict[str, Column], n: int) -> list[PredictionEvent]:
    names = list(data)
    rows = zip(*(data[name][:n].tolist() for name in names), strict=True)
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        PredictionEvent(
            event_id=f"e{i}",
            model_id="bench",
            model_version="1",
            timestamp=stamp,
            features=dict(zip(names, row, strict=True)),
            prediction={"score": 0.5},
        )
        for i, row in enumerate(rows)
    ]


def _bare(profile: ReferenceProfile, batch: BatchColumns) -> list[IntArray]:
    out = []
    for name, column in batch.features.items():
        p = profile.features[name]
        assert isinstance(p, NumericProfile)
        out.append(np.bincount(np.searchsorted(p.edges, column), minlength=len(p.edges) + 1))
    return out


Variant = tuple[str, int, int, Callable[[], object]]
"""Name, events per batch, events per timed call, the call."""


def _repeated(run: Callable[[], object], times: int) -> Callable[[], object]:
    def many() -> object:
        for _ in range(times):
            run()
        return None

    return many


def _variants(
    reference: ReferenceProfile, raw: dict[str, Column], size: int, loops: int
) -> list[Variant]:
    part = {name: column[:size] for name, column in raw.items()}
    batch = encode_columns(reference, part)
    _check_same_counts(reference, batch)
    calls: list[tuple[str, Callable[[], object]]] = [
        (NUMPY, lambda: _bare(reference, batch)),
        (ADD, lambda: ModelWindows.empty(reference).add(reference, batch)),
        (
            ENCODE_ADD,
            lambda: ModelWindows.empty(reference).add(reference, encode_columns(reference, part)),
        ),
    ]
    return [(name, size, size * loops, _repeated(call, loops)) for name, call in calls]


def _interleaved(variants: list[Variant], repeats: int) -> tuple[Timing, ...]:
    """Each repeat times every variant once, starting one later each time; best and median."""
    times: list[list[float]] = [[] for _ in variants]
    for repeat in range(repeats):
        for k in range(len(variants)):
            i = (k + repeat) % len(variants)
            start = time.perf_counter()
            variants[i][3]()
            times[i].append(time.perf_counter() - start)
    return tuple(
        Timing(name, batch, events, min(t), float(np.median(t)))
        for (name, batch, events, _), t in zip(variants, times, strict=True)
    )


def run_binning(profile: BinningProfile, seed: int = 0) -> BinningReport:
    """Time every variant side by side (interleaved repeats, best of ``repeats``)."""
    began = time.perf_counter()
    reference = build_profile(columns(seed, 20_000))
    raw = columns(seed + 1, profile.events)
    events = _events(raw, profile.event_objects)
    decode: Variant = (
        EVENTS_ADD,
        len(events),
        len(events),
        lambda: ModelWindows.empty(reference).add(
            reference, columns_from_events(reference, events)
        ),
    )
    large = [*_variants(reference, raw, profile.events, 1), decode]
    small = _variants(reference, raw, profile.small_batch, profile.events // profile.small_batch)
    timings = _interleaved(large, profile.repeats) + _interleaved(small, profile.repeats)
    cells = sum(p.n_cells for p in reference.features.values() if isinstance(p, NumericProfile))
    return BinningReport(profile, len(raw), cells, timings, time.perf_counter() - began)


def _check_same_counts(reference: ReferenceProfile, batch: BatchColumns) -> None:
    """The engine's counts equal the bare numpy ones (same work, not a shortcut)."""
    windows = ModelWindows.empty(reference).add(reference, batch)
    for (name, window), bare in zip(windows.features.items(), _bare(reference, batch), strict=True):
        if not np.array_equal(window.counts, bare[:-1]):
            raise AssertionError(f"engine and numpy counts differ for {name}")


def markdown(report: BinningReport) -> str:
    p = report.profile
    lines = [
        f"Profile `{p.name}`: {report.features} numeric features ({report.cells:,} fine "
        f"cells in all, profile of a 20k-event reference); one batch of {p.events:,} events, "
        f"and the same events as batches of {p.small_batch:,}; best of {p.repeats} "
        f"interleaved repeats per variant, all measured side by side in this run; "
        f"`columns_from_events` on {p.event_objects:,} `PredictionEvent` objects. Suite time "
        f"{report.seconds:.0f} s.",
        "",
        "| batch (events) | variant | best (ms per batch) | median (ms per batch) | "
        "events/s (best) | feature values/s | time per event vs numpy |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in report.timings:
        per_batch = t.batch / t.events
        lines.append(
            f"| {t.batch:,} | {t.variant} | {t.best * per_batch * 1e3:,.2f} | "
            f"{t.median * per_batch * 1e3:,.2f} | {t.rate:,.0f} | "
            f"{t.rate * report.features:,.0f} | {report.ratio(t.variant, t.batch):.2f}x |"
        )
    add, encode = report.ratio(ADD), report.ratio(ENCODE_ADD)
    small_add = report.ratio(ADD, p.small_batch)
    small_encode = report.ratio(ENCODE_ADD, p.small_batch)
    verdict = "within" if max(add, encode) <= ACCEPTANCE_RATIO else "NOT within"
    lines += [
        "",
        f"Acceptance (binning a batch into 20 features' counts within "
        f"{ACCEPTANCE_RATIO:g}x of bare numpy `searchsorted` + `bincount` over the same "
        f"arrays), at {p.events:,} events: `ModelWindows.add` {add:.2f}x, with "
        f"`encode_columns` {encode:.2f}x: **{verdict}**. At {p.small_batch:,}-event "
        f"batches (information): {small_add:.2f}x and {small_encode:.2f}x. Decoding "
        f"`PredictionEvent` objects to columns (`columns_from_events`) costs "
        f"{report.ratio(EVENTS_ADD):.1f}x the bare binning per event (information only).",
    ]
    return "\n".join(lines) + "\n"
