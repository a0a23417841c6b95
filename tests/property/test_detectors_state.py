"""A detector restored from its JSON state continues exactly as the original.

For every detector: feed a generated stream, and at generated points replace the detector
by the one rebuilt from ``json.loads(json.dumps(get_state()))``; the drift and warning
flags of every update, and the final state, must equal those of a detector that ran
through without interruption. Streams are piecewise (so detectors do alarm and reset,
and restores land before, on and after alarms) or raw floats (constants, extremes).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream_monitor.detectors import (
    DETECTORS,
    Detector,
    alarm_indices,
    is_json_safe,
    make_detector,
    restore_detector,
)

# Sensitive settings next to the defaults, so that alarms happen in short streams.
CONFIGS: dict[str, tuple[str, dict[str, Any]]] = {
    "adwin": ("adwin", {}),
    "adwin-clock1": ("adwin", {"clock": 1, "delta": 0.05, "max_buckets": 2}),
    "page_hinkley": ("page_hinkley", {}),
    "page_hinkley-sensitive": ("page_hinkley", {"threshold": 5.0, "min_instances": 5}),
    "kswin": ("kswin", {"window_size": 30, "stat_size": 10, "alpha": 0.05, "seed": 3}),
    "ddm": ("ddm", {"warm_start": 10}),
    "hddm_a": ("hddm_a", {}),
    "hddm_a-two-sided": ("hddm_a", {"two_sided_test": True, "warning_confidence": 0.05}),
    "hddm_w": ("hddm_w", {}),
    "hddm_w-two-sided": ("hddm_w", {"two_sided_test": True, "lambda_val": 0.2}),
}
MAX_LENGTH = {"kswin": 150}  # a KS test per update is slow; the rest take 600


@st.composite
def piecewise_real(draw: st.DrawFn, max_length: int) -> list[float]:
    scale = draw(st.sampled_from([0.01, 1.0, 1000.0]))
    levels = draw(st.lists(st.floats(-5, 5), min_size=1, max_size=4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    length = max_length // len(levels)
    sizes = [draw(st.integers(1, length)) for _ in levels]
    noise = draw(st.sampled_from([0.0, 0.3, 1.0]))
    parts = [
        scale * rng.normal(level, noise, size) for level, size in zip(levels, sizes, strict=True)
    ]
    return [float(x) for x in np.concatenate(parts)]


@st.composite
def piecewise_errors(draw: st.DrawFn, max_length: int) -> list[float]:
    rates = draw(st.lists(st.floats(0, 1), min_size=1, max_size=4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sizes = [draw(st.integers(1, max_length // len(rates))) for _ in rates]
    parts = [rng.random(size) < rate for rate, size in zip(rates, sizes, strict=True)]
    return [float(x) for x in np.concatenate(parts)]


def streams(name: str) -> st.SearchStrategy[list[float]]:
    max_length = MAX_LENGTH.get(name, 600)
    if DETECTORS[name].input_kind == "binary":
        raw = st.lists(st.sampled_from([0.0, 1.0]), max_size=max_length)
        return st.one_of(piecewise_errors(max_length), raw)
    raw = st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=max_length)
    return st.one_of(piecewise_real(max_length), raw)


@st.composite
def stream_and_cuts(
    draw: st.DrawFn, name: str, params: dict[str, Any]
) -> tuple[list[float], list[int]]:
    """A stream and where to restore: anywhere, or right after an alarm (the state then
    carries the drift flag, and river resets the detector on the next update)."""
    stream = draw(streams(name))
    after_alarm = [i + 1 for i in alarm_indices(make_detector(name, **params), stream)]
    anywhere = st.integers(0, len(stream))
    where = st.one_of(anywhere, st.sampled_from(after_alarm)) if after_alarm else anywhere
    cuts = draw(st.lists(where, min_size=1, max_size=3))
    return stream, sorted(set(cuts))


def _flags(detector: Detector, x: float) -> tuple[bool, bool]:
    detector.update(x)
    return detector.drift_detected, detector.warning_detected


def _round_trip(detector: Detector) -> Detector:
    state = detector.get_state()
    assert is_json_safe(state)
    restored = restore_detector(json.loads(json.dumps(state, allow_nan=False)))
    assert restored.get_state() == state
    return restored


@pytest.mark.parametrize("config", list(CONFIGS))
def test_restored_detector_continues_identically(config: str) -> None:
    name, params = CONFIGS[config]

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=stream_and_cuts(name, params))
    def check(case: tuple[list[float], list[int]]) -> None:
        stream, cuts = case
        uninterrupted = make_detector(name, **params)
        expected = [_flags(uninterrupted, x) for x in stream]

        detector = make_detector(name, **params)
        flags: list[tuple[bool, bool]] = []
        for i, x in enumerate(stream):
            if i in cuts:
                detector = _round_trip(detector)
            flags.append(_flags(detector, x))
        if len(stream) in cuts:
            detector = _round_trip(detector)

        assert flags == expected
        assert detector.get_state() == uninterrupted.get_state()

    check()
