"""The registry, parameter checks, input checks and the shared interface."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from stream_monitor.detectors import (
    ADWIN,
    DDM,
    DETECTORS,
    HDDMA,
    HDDMW,
    KSWIN,
    Detector,
    PageHinkley,
    alarm_indices,
    detector_class,
    make_detector,
)

NAMES = ["adwin", "page_hinkley", "kswin", "ddm", "hddm_a", "hddm_w"]


def test_registry_offers_the_documented_names() -> None:
    assert list(DETECTORS) == NAMES
    assert [DETECTORS[n] for n in NAMES] == [ADWIN, PageHinkley, KSWIN, DDM, HDDMA, HDDMW]


@pytest.mark.parametrize("name", NAMES)
def test_every_detector_meets_the_interface(name: str) -> None:
    detector = make_detector(name)

    assert isinstance(detector, Detector)
    assert detector.name == name
    assert detector.update(0) is detector
    assert detector.n_seen == 1
    assert not detector.drift_detected
    assert detector.params == DETECTORS[name].create({}).params


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown detector 'adwn'") as error:
        make_detector("adwn")
    assert "valid names: adwin, page_hinkley, kswin, ddm, hddm_a, hddm_w" in str(error.value)


def test_fhddm_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="only detects a fall"):
        detector_class("fhddm")


def test_unknown_parameter_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError) as error:
        make_detector("adwin", delta=0.01, window=5)
    assert str(error.value) == (
        "adwin: unknown parameter(s) 'window'; valid parameters: "
        "clock, delta, grace_period, max_buckets, min_window_length"
    )


BAD_PARAMS: list[tuple[str, dict[str, Any], str]] = [
    ("adwin", {"delta": 0.0}, r"adwin: delta must be a number in \(0, 1\), got 0.0"),
    ("adwin", {"delta": "0.1"}, r"delta must be a number in \(0, 1\), got '0.1'"),
    ("adwin", {"clock": 0}, r"adwin: clock must be an integer >= 1, got 0"),
    ("adwin", {"clock": 2.0}, r"clock must be an integer >= 1, got 2.0"),
    ("adwin", {"clock": True}, r"clock must be an integer >= 1, got True"),
    ("page_hinkley", {"threshold": 0}, r"threshold must be a number in \(0, inf\), got 0"),
    ("page_hinkley", {"threshold": math.inf}, r"threshold must be a number in \(0, inf\)"),
    ("page_hinkley", {"alpha": 1.5}, r"alpha must be a number in \(0, 1\], got 1.5"),
    ("page_hinkley", {"mode": "rise"}, r"mode must be one of 'up', 'down', 'both', got 'rise'"),
    ("kswin", {"seed": None}, r"kswin: seed must be an integer >= 0, got None"),
    ("kswin", {"window_size": 50, "stat_size": 30}, r"stat_size must be at most half of"),
    ("kswin", {"alpha": 1.0}, r"alpha must be a number in \(0, 1\), got 1.0"),
    ("ddm", {"warning_threshold": 4.0}, r"warning_threshold must not exceed drift_threshold"),
    ("ddm", {"warm_start": 0}, r"ddm: warm_start must be an integer >= 1, got 0"),
    ("hddm_a", {"drift_confidence": 0.01}, r"drift_confidence must not exceed warning_conf"),
    ("hddm_a", {"two_sided_test": 1}, r"two_sided_test must be true or false, got 1"),
    ("hddm_w", {"lambda_val": 0.0}, r"lambda_val must be a number in \(0, 1\], got 0.0"),
]


@pytest.mark.parametrize(("name", "params", "message"), BAD_PARAMS)
def test_bad_parameters_say_what_is_allowed(
    name: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_detector(name, **params)


def test_integral_floats_are_accepted_for_float_parameters() -> None:
    assert make_detector("page_hinkley", threshold=10).params["threshold"] == 10.0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_input_is_refused(name: str, bad: float) -> None:
    detector = make_detector(name)
    with pytest.raises(ValueError, match=f"{name}: input must be"):
        detector.update(bad)
    assert detector.n_seen == 0


def test_ddm_takes_only_errors_as_0_or_1() -> None:
    detector = make_detector("ddm").update(True).update(np.float64(0)).update(1)
    assert detector.n_seen == 3
    with pytest.raises(ValueError, match=r"ddm: input must be 0 or 1 \(1 = error\), got 0.5"):
        detector.update(0.5)


@pytest.mark.parametrize("name", ["hddm_a", "hddm_w"])
def test_hddm_takes_values_in_the_unit_interval(name: str) -> None:
    detector = make_detector(name).update(0.5).update(1)
    assert detector.n_seen == 2
    with pytest.raises(ValueError, match=rf"{name}: input must be in \[0, 1\]"):
        detector.update(1.5)


@pytest.mark.parametrize("name", ["adwin", "page_hinkley", "kswin"])
def test_real_detectors_take_any_finite_number(name: str) -> None:
    assert make_detector(name).update(-1e9).update(3.5).n_seen == 2


def test_drift_is_flagged_only_on_the_update_that_found_it() -> None:
    detector = make_detector("page_hinkley", threshold=5.0)
    flags = [detector.update(x).drift_detected for x in [0.0] * 50 + [1.0] * 20]

    assert [i for i, flag in enumerate(flags) if flag] == [55]
    assert detector.n_seen == 70


def test_warning_zone_is_reported_by_detectors_that_have_one() -> None:
    ddm = make_detector("ddm")
    warnings = [ddm.update(x).warning_detected for x in [0, 0, 0, 1] * 100 + [1, 1, 0, 1] * 25]
    assert any(warnings)
    adwin = make_detector("adwin")
    assert not any(adwin.update(x).warning_detected for x in [0.0, 1.0] * 100)


def test_alarm_indices_continues_a_detector_and_checks_shape() -> None:
    detector = make_detector("page_hinkley", threshold=5.0)
    assert alarm_indices(detector, [0.0] * 50) == []
    assert alarm_indices(detector, [1.0] * 20) == [5]
    with pytest.raises(ValueError, match="one-dimensional"):
        alarm_indices(detector, [[1.0, 2.0]])


def test_repr_shows_the_parameters() -> None:
    assert repr(make_detector("kswin", seed=7)) == (
        "KSWIN(alpha=0.005, window_size=100, stat_size=30, seed=7)"
    )
