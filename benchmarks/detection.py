"""Detection benchmark: the drift engine and the error-stream detector on seeded scenarios.

**Drift engine.** A reference profile is built from the scenario's reference columns
(``build_profile``, default :class:`~stream_monitor.stats.ProfileOptions`, feature kinds
given by the scenario). The stream is cut into tumbling windows of ``W`` events; each
window is encoded (``encode_columns``), binned into fresh
``ModelWindows.empty(profile).add(...)`` and evaluated with ``evaluate_drift`` under the
**default** :class:`~stream_monitor.stats.DriftPolicy`. A *flag* is one drifted target
(feature or model output) in one window.

* A flag is *true* when the target is one the scenario changes and the window overlaps
  the drifted span (from the change index to the end of the stream, or to the reversion
  of a transient drift); every other flag is a *false* flag.
* A run *detects* the change at the first window overlapping the drifted span in which a
  changed target is flagged; the *delay* is the number of events from the change index
  to the end of that window. A run that never does is a *miss*.
* *Ranked first* is the first target of ``DriftResult.targets`` (drifted first, most
  severe first) in the detection window.
* False alarms per 100k events: false flags over all evaluated events of all runs, with
  an exact (Garwood) Poisson 95% interval.
* Events/s: evaluated events over the time spent in ``encode_columns``,
  ``ModelWindows.add`` and ``evaluate_drift`` (scenario generation and profile building
  excluded).

**Error-stream detector**: :data:`ERROR_DETECTOR` (HDDM_A with its defaults: Hoeffding
bound, drift confidence 0.001, one-sided, i.e. a rise of the error rate) fed the 0/1
error stream (1 = wrong prediction) from its first event. An alarm before the change is
a false alarm (rate over the pre-change events); the first alarm at or after the change
is the detection, its delay the number of events from the change to the alarm inclusive.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
from scipy.stats import chi2

from benchmarks.scenarios import SCENARIOS, Column, Scenario, ScenarioData
from schemas import Window
from stream_monitor.detectors import alarm_indices, make_detector
from stream_monitor.drift import evaluate_drift
from stream_monitor.stats import (
    DriftPolicy,
    ModelWindows,
    ReferenceProfile,
    build_profile,
    encode_columns,
)

DEFAULT_WINDOW: Final = 1000
ERROR_DETECTOR: Final = "hddm_a"
"""The error-stream detector (river's HDDM_A defaults through ``make_detector``)."""
ENGINE: Final = "drift engine"
EPOCH: Final = datetime(2026, 1, 1, tzinfo=UTC)
PER: Final = 100_000


@dataclass(frozen=True)
class DetectionProfile:
    """How many seeded repetitions each kind of scenario gets.

    Repetition ``r`` of every scenario uses seed ``seed + r``.
    """

    name: str
    repetitions: int
    """Runs of each drift scenario (and of the SEA concept-drift scenario)."""
    control_repetitions: int
    """Runs of the stationary control (50k events each)."""
    error_repetitions: int
    """Runs of each error-rate stream (20k events each)."""
    window: int = DEFAULT_WINDOW
    seed: int = 0

    def runs_of(self, scenario: Scenario) -> int:
        if scenario.name == "stationary":
            return self.control_repetitions
        return self.repetitions if scenario.engine else self.error_repetitions


PROFILES: Final = {
    "quick": DetectionProfile("quick", repetitions=10, control_repetitions=4, error_repetitions=30),
    "full": DetectionProfile("full", repetitions=40, control_repetitions=20, error_repetitions=100),
}


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval of a Poisson mean from one observed count.

    >>> [round(x, 3) for x in poisson_interval(0)]
    [0.0, 3.689]
    >>> [round(x, 2) for x in poisson_interval(10)]
    [4.8, 18.39]
    """
    tail = (1 - confidence) / 2
    low = 0.0 if count == 0 else float(chi2.ppf(tail, 2 * count)) / 2
    return low, float(chi2.ppf(1 - tail, 2 * count + 2)) / 2


def reference_profile(data: ScenarioData) -> ReferenceProfile:
    """The profile of a scenario's reference columns (and model outputs, if any)."""
    return build_profile({**data.reference, **data.reference_outputs}, kinds=data.kinds)


@dataclass(frozen=True)
class WindowResult:
    """One evaluated window ``[start, end)``: its flagged targets, most severe first."""

    index: int
    start: int
    end: int
    flagged: tuple[str, ...]
    ranked_first: str


@dataclass(frozen=True)
class EngineRun:
    """The drift engine over one seeded scenario draw."""

    scenario: str
    seed: int
    window: int
    windows: tuple[WindowResult, ...]
    seconds: float
    first_alarm: int | None
    """Index of the detection window (see the module doc), ``None`` if none."""
    delay: int | None
    ranked_first: str | None
    true_flags: int
    false_flags: int
    false_targets: tuple[str, ...] = ()
    """The target of each false flag."""

    @property
    def events(self) -> int:
        return len(self.windows) * self.window

    @property
    def flagged_windows(self) -> list[int]:
        return [w.index for w in self.windows if w.flagged]


def _slice(columns: dict[str, Column], start: int, end: int) -> dict[str, Column]:
    return {name: values[start:end] for name, values in columns.items()}


def run_engine(
    data: ScenarioData,
    window: int = DEFAULT_WINDOW,
    policy: DriftPolicy | None = None,
    profile: ReferenceProfile | None = None,
) -> EngineRun:
    """Evaluate every full tumbling window of ``data``'s stream (default policy)."""
    profile = profile or reference_profile(data)
    policy = policy or DriftPolicy()
    results: list[WindowResult] = []
    seconds = 0.0
    for k in range(data.size // window):
        start, end = k * window, (k + 1) * window
        span = Window(
            start=EPOCH + timedelta(seconds=start),
            end=EPOCH + timedelta(seconds=end),
            event_count=window,
        )
        features, outputs = _slice(data.stream, start, end), _slice(data.stream_outputs, start, end)
        began = time.perf_counter()
        batch = encode_columns(profile, features, outputs)
        windows = ModelWindows.empty(profile).add(profile, batch)
        result = evaluate_drift(data.name, profile, windows, span, policy)
        seconds += time.perf_counter() - began
        flagged = tuple(t.name for t in result.drifted)
        results.append(WindowResult(k, start, end, flagged, result.targets[0].name))
    return summarise_windows(data, window, tuple(results), seconds)


def summarise_windows(
    data: ScenarioData, window: int, results: tuple[WindowResult, ...], seconds: float
) -> EngineRun:
    """Sort a run's flags into true and false ones and find its detection window."""
    true_flags = 0
    false_targets: list[str] = []
    detection: WindowResult | None = None
    for w in results:
        drifting = data.drifting(w.start, w.end)
        hits = sum(1 for name in w.flagged if drifting and name in data.changed)
        true_flags += hits
        false_targets += [n for n in w.flagged if not (drifting and n in data.changed)]
        if hits and detection is None:
            detection = w
    change = data.change_index
    return EngineRun(
        scenario=data.name,
        seed=data.seed,
        window=window,
        windows=results,
        seconds=seconds,
        first_alarm=None if detection is None else detection.index,
        delay=None if detection is None or change is None else detection.end - change,
        ranked_first=None if detection is None else detection.ranked_first,
        true_flags=true_flags,
        false_flags=len(false_targets),
        false_targets=tuple(false_targets),
    )


@dataclass(frozen=True)
class ErrorRun:
    """The error-stream detector over one seeded 0/1 error stream."""

    scenario: str
    seed: int
    alarms: tuple[int, ...]
    change_index: int
    events: int
    seconds: float

    @property
    def first_alarm(self) -> int | None:
        """The first alarm at or after the change (the detection)."""
        return next((a for a in self.alarms if a >= self.change_index), None)

    @property
    def delay(self) -> int | None:
        first = self.first_alarm
        return None if first is None else first + 1 - self.change_index

    @property
    def false_alarms(self) -> int:
        return sum(1 for a in self.alarms if a < self.change_index)


def run_error_detector(data: ScenarioData, detector: str = ERROR_DETECTOR) -> ErrorRun:
    """Feed the scenario's 0/1 error stream to a fresh detector with default parameters."""
    if data.errors is None or data.change_index is None:
        raise ValueError(f"scenario {data.name} has no error stream with a change")
    began = time.perf_counter()
    alarms = alarm_indices(make_detector(detector), data.errors)
    seconds = time.perf_counter() - began
    return ErrorRun(data.name, data.seed, tuple(alarms), data.change_index, data.size, seconds)


@dataclass(frozen=True)
class Row:
    """One scenario through one detector, over all its runs."""

    scenario: str
    detector: str
    runs: int
    expects_drift: bool
    delays: tuple[int, ...]
    false_alarms: int
    exposure: int
    """Events over which false alarms were counted."""
    ranked_first: tuple[str, ...]
    changed: tuple[str, ...]
    events: int
    seconds: float
    false_targets: tuple[str, ...] = ()

    @property
    def detected(self) -> int:
        return len(self.delays)

    @property
    def missed(self) -> int:
        return self.runs - self.detected if self.expects_drift else 0

    def delay_summary(self) -> tuple[float, float, float] | None:
        """Mean, median and 90th percentile of the delays of detected runs."""
        if not self.delays:
            return None
        delays = np.array(self.delays, dtype=np.float64)
        return (
            float(delays.mean()),
            float(np.median(delays)),
            float(np.percentile(delays, 90)),
        )

    def false_alarm_rate(self) -> tuple[float, float, float]:
        """False alarms per 100k events, with its 95% interval."""
        if self.exposure == 0:
            return (0.0, 0.0, 0.0)
        scale = PER / self.exposure
        low, high = poisson_interval(self.false_alarms)
        return self.false_alarms * scale, low * scale, high * scale

    def changed_ranked_first(self) -> float | None:
        """Share of detected runs whose detection window ranked a changed target first."""
        if not self.ranked_first:
            return None
        return sum(1 for name in self.ranked_first if name in self.changed) / len(self.ranked_first)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("nan")


def engine_row(scenario: Scenario, runs: Sequence[EngineRun], changed: tuple[str, ...]) -> Row:
    return Row(
        scenario=scenario.name,
        detector=f"{ENGINE} (W={runs[0].window})",
        runs=len(runs),
        expects_drift=scenario.engine_expects_drift,
        delays=tuple(r.delay for r in runs if r.delay is not None),
        false_alarms=sum(r.false_flags for r in runs),
        exposure=sum(r.events for r in runs),
        ranked_first=tuple(r.ranked_first for r in runs if r.ranked_first is not None),
        changed=changed,
        events=sum(r.events for r in runs),
        seconds=sum(r.seconds for r in runs),
        false_targets=tuple(name for r in runs for name in r.false_targets),
    )


def error_row(scenario: Scenario, runs: Sequence[ErrorRun]) -> Row:
    return Row(
        scenario=scenario.name,
        detector=ERROR_DETECTOR,
        runs=len(runs),
        expects_drift=True,
        delays=tuple(r.delay for r in runs if r.delay is not None),
        false_alarms=sum(r.false_alarms for r in runs),
        exposure=sum(r.change_index for r in runs),
        ranked_first=(),
        changed=(),
        events=sum(r.events for r in runs),
        seconds=sum(r.seconds for r in runs),
    )


def run_scenario(scenario: Scenario, runs: int, window: int, seed: int = 0) -> list[Row]:
    """All runs of one scenario: one row per detector it goes through."""
    engine_runs: list[EngineRun] = []
    error_runs: list[ErrorRun] = []
    changed: tuple[str, ...] = ()
    for r in range(runs):
        data = scenario.generate(seed + r)
        changed = data.changed
        if scenario.engine:
            engine_runs.append(run_engine(data, window))
        if scenario.error_detector:
            error_runs.append(run_error_detector(data))
    rows = []
    if engine_runs:
        rows.append(engine_row(scenario, engine_runs, changed))
    if error_runs:
        rows.append(error_row(scenario, error_runs))
    return rows


@dataclass(frozen=True)
class DetectionReport:
    profile: DetectionProfile
    rows: tuple[Row, ...]
    seconds: float


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_detection(
    profile: DetectionProfile,
    scenarios: Iterable[str] | None = None,
    log: Callable[[str], None] = _log,
) -> DetectionReport:
    """Every scenario (or the named ones) under a profile."""
    names = list(SCENARIOS) if scenarios is None else list(scenarios)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"unknown scenarios {unknown}; valid: {', '.join(SCENARIOS)}")
    began = time.perf_counter()
    rows: list[Row] = []
    for name in names:
        scenario = SCENARIOS[name]
        started = time.perf_counter()
        rows.extend(run_scenario(scenario, profile.runs_of(scenario), profile.window, profile.seed))
        log(f"detection: {name} done in {time.perf_counter() - started:.1f} s")
    return DetectionReport(profile, tuple(rows), time.perf_counter() - began)


HOW_TO_READ: Final = """\
How to read: a *flag* is one drifted target (feature or model output) in one window.
*Detected*: a changed target is flagged in a window overlapping the drift; *delay*:
events from the change to the end of that window (window-quantised: with the change
mid-window, 500 is the earliest possible), or to the error detector's alarm inclusive.
*False alarms*: every other flag (drift engine: per evaluated event, all features
pooled; error detector: alarms before the change, per pre-change event), with an exact
Poisson 95% interval. *Ranked first*: the top target of the ranking in the detection
window. *Events/s*: drift engine time in `encode_columns` + `ModelWindows.add` +
`evaluate_drift` (one evaluation per window), or error-detector updates.
Reference: 20k events per run; scenario streams are 14k events with the change at
5,500 (error-rate streams: 20k, change at 10,000). Run r of every twenty-feature
scenario draws the same stationary data (common random numbers; the change is applied
on top), and so do the two error-rate streams before their change: a false alarm in
that shared data shows up in each of those rows, which are not independent evidence."""


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _delay_cell(row: Row) -> str:
    summary = row.delay_summary()
    if summary is None:
        return "—"
    return " / ".join(f"{x:,.0f}" for x in summary)


def _false_alarm_cell(row: Row) -> str:
    rate, low, high = row.false_alarm_rate()
    counted = f"({row.false_alarms} in {row.exposure:,}"
    if row.false_targets:
        counted += ": " + ", ".join(f"{n} x{k}" for n, k in Counter(row.false_targets).items())
    counted += ")"
    return f"{_number(rate)} [{_number(low)}, {_number(high)}] {counted}"


def _ranked_cell(row: Row) -> str:
    share = row.changed_ranked_first()
    if share is None:
        return "—"
    top = Counter(row.ranked_first).most_common(2)
    names = ", ".join(f"{name} x{n}" for name, n in top)
    return f"{share:.0%} changed ({names})"


def _detected_cell(row: Row) -> str:
    if not row.expects_drift:
        return "— (silent)" if row.false_alarms == 0 else f"— ({row.false_alarms} false flags)"
    return f"{row.detected}/{row.runs}"


def markdown(report: DetectionReport) -> str:
    """The detection section's tables (scenarios, then results)."""
    p = report.profile
    lines = [
        f"Profile `{p.name}`: {p.repetitions} runs per drift scenario, "
        f"{p.control_repetitions} x 50k events of the stationary control, "
        f"{p.error_repetitions} runs per error-rate stream; tumbling windows of W = "
        f"{p.window} events; seeds {p.seed}.. (run r uses seed {p.seed} + r). "
        f"Default `DriftPolicy()`; error-stream detector `{ERROR_DETECTOR}` with river's "
        f"defaults. Suite time {report.seconds:.0f} s.",
        "",
        HOW_TO_READ,
        "",
        "| scenario | what changes |",
        "| --- | --- |",
        *(f"| `{s.name}` | {s.description} |" for s in SCENARIOS.values()),
        "",
        "| scenario | detector | runs | detected | missed | delay mean / median / p90 "
        "(events) | false alarms per 100k [95% CI] (count in events) | ranked first at "
        "detection | events/s |",
        "| --- | --- | ---: | --- | ---: | --- | --- | --- | ---: |",
    ]
    for row in report.rows:
        lines.append(
            f"| `{row.scenario}` | {row.detector} | {row.runs} | {_detected_cell(row)} | "
            f"{row.missed if row.expects_drift else '—'} | {_delay_cell(row)} | "
            f"{_false_alarm_cell(row)} | {_ranked_cell(row)} | "
            f"{row.events_per_second:,.0f} |"
        )
    return "\n".join(lines) + "\n"
