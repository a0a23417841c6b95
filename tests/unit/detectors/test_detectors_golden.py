"""Golden alarm positions of every detector on seeded streams.

A changed position is a reviewed change (DESIGN.md section 7): if river or a default
changes, these fail, and the new positions are pinned only after someone has looked at why.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from stream_monitor.detectors import DETECTORS, _river, alarm_indices, make_detector

CHANGE = 1000


def normal_stream() -> npt.NDArray[np.float64]:
    """N(0, 1) for 1000 values, then N(1, 1) for 1000."""
    rng = np.random.default_rng(42)
    return np.concatenate([rng.normal(0.0, 1.0, CHANGE), rng.normal(1.0, 1.0, CHANGE)])


def error_stream(after: int = CHANGE) -> npt.NDArray[np.int64]:
    """0/1 errors, Bernoulli(0.2) for 1000 values, then Bernoulli(0.4) for ``after``.

    A longer ``after`` extends the same stream (numpy draws doubles in sequence).
    """
    rng = np.random.default_rng(42)
    errors = np.concatenate([rng.random(CHANGE) < 0.2, rng.random(after) < 0.4])
    return errors.astype(np.int64)


def psi_like_series() -> npt.NDArray[np.float64]:
    """A window statistic per evaluation: mean 0.02 (sd 0.005) for 40 evaluations, then
    mean 0.04 for 30: a 4-sd shift, at a scale of a typical PSI."""
    rng = np.random.default_rng(42)
    return np.concatenate([rng.normal(0.02, 0.005, 40), rng.normal(0.04, 0.005, 30)])


NORMAL = normal_stream()
ERRORS = error_stream()

GOLDEN: list[tuple[str, dict[str, Any], str, list[int]]] = [
    ("adwin", {}, "normal", [1055]),
    ("adwin", {"clock": 1}, "normal", [1031]),
    ("page_hinkley", {}, "normal", [1038, 1896]),
    (
        "kswin",
        {"alpha": 0.0001, "window_size": 200, "stat_size": 100, "seed": 42},
        "normal",
        [1058],
    ),
    ("hddm_a", {}, "errors", [1183]),
    ("hddm_a", {"two_sided_test": True}, "errors", [1183]),
    ("hddm_w", {}, "errors", [1183]),
    ("hddm_w", {"two_sided_test": True}, "errors", [1183, 1831]),
    ("ddm", {"warm_start": 100}, "errors", [1196]),
    ("adwin", {}, "errors", [1247]),
    ("adwin", {"clock": 1}, "errors", [1236]),
    ("page_hinkley", {}, "errors", [1296]),
]


def _stream(kind: str) -> npt.NDArray[Any]:
    return NORMAL if kind == "normal" else ERRORS


@pytest.mark.parametrize(("name", "params", "kind", "expected"), GOLDEN)
def test_alarm_positions_are_pinned_and_follow_the_change(
    name: str, params: dict[str, Any], kind: str, expected: list[int]
) -> None:
    alarms = alarm_indices(make_detector(name, **params), _stream(kind))

    assert alarms == expected
    assert alarms and min(alarms) >= CHANGE


def test_every_detector_has_a_golden_case() -> None:
    assert {case[0] for case in GOLDEN} == set(DETECTORS)


# Pitfalls, pinned so that the documentation stays true.


def test_kswin_defaults_alarm_before_the_change() -> None:
    # A KS test on every update at alpha=0.005 raises false alarms on a stationary stream.
    assert alarm_indices(make_detector("kswin"), NORMAL) == [331, 782, 1018, 1140]


def test_ddm_defaults_lock_in_an_early_minimum_and_react_late() -> None:
    # With warm_start=30 the best point is taken at n=49 (p=0.163, s=0.053): the
    # 0.2 -> 0.4 rise goes unseen for the 1000 values after the change.
    assert alarm_indices(make_detector("ddm"), ERRORS) == []
    assert alarm_indices(make_detector("ddm"), error_stream(after=3000)) == [2120]


@pytest.mark.parametrize(
    ("name", "params", "standardised"),
    [
        ("adwin", {}, [63]),  # checks only at the 32nd and 64th evaluation
        ("adwin", {"clock": 1}, [50]),
        ("page_hinkley", {}, [52]),
    ],
)
def test_window_statistics_need_standardising(
    name: str, params: dict[str, Any], standardised: list[int]
) -> None:
    # On the raw PSI-scale series, ADWIN's absolute bound term and PageHinkley's
    # threshold in data units hide a 4-sd shift; on z-scores against the reference
    # period both see it.
    series = psi_like_series()
    z_scores = (series - 0.02) / 0.005

    assert alarm_indices(make_detector(name, **params), series) == []
    assert alarm_indices(make_detector(name, **params), z_scores) == standardised


# The wrapper changes nothing about river's decisions.

RIVER_DEFAULTS: list[tuple[str, Any, str]] = [
    ("adwin", lambda: _river.ADWIN(), "normal"),
    ("page_hinkley", lambda: _river.PageHinkley(), "normal"),
    ("kswin", lambda: _river.KSWIN(seed=0), "normal"),
    ("ddm", lambda: _river.DDM(), "errors"),
    ("hddm_a", lambda: _river.HDDMA(), "errors"),
    ("hddm_w", lambda: _river.HDDMW(), "errors"),
]


@pytest.mark.parametrize(("name", "make_river", "kind"), RIVER_DEFAULTS)
def test_defaults_match_river_alarm_for_alarm(name: str, make_river: Any, kind: str) -> None:
    stream = _stream(kind)
    engine = make_river()
    expected = []
    for i, x in enumerate(stream.tolist()):
        engine.update(x)
        if engine.drift_detected:
            expected.append(i)

    assert alarm_indices(make_detector(name), stream) == expected
