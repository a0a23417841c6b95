"""Detector state: format, guards against river changing under us, memory bounds.

The randomised "restore and continue identically" check is
``tests/property/test_detectors_state.py``; these are the fixed cases around it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from stream_monitor.detectors import (
    DETECTORS,
    alarm_indices,
    is_json_safe,
    make_detector,
    restore_detector,
)
from stream_monitor.detectors._rust_state import LayoutError, dump_adwin
from stream_monitor.detectors.base import RiverDetector

NAMES = list(DETECTORS)


def _stream(name: str, n: int = 2000) -> list[float]:
    rng = np.random.default_rng(3)
    if DETECTORS[name].input_kind == "binary":
        p = np.repeat([0.1, 0.5, 0.1, 0.5], n // 4)
        return [float(x) for x in rng.random(n) < p]
    return [float(x) for m in (0.0, 3.0, 0.0, 3.0) for x in rng.normal(m, 1.0, n // 4)]


def _json_round_trip(state: dict[str, Any]) -> Any:
    return json.loads(json.dumps(state, allow_nan=False))


@pytest.mark.parametrize("name", NAMES)
def test_fresh_state_is_json_safe_and_says_what_it_is(name: str) -> None:
    detector = make_detector(name)
    state = detector.get_state()

    assert is_json_safe(state)
    assert state["detector"] == name
    assert state["version"] == 1
    assert state["params"] == detector.params
    assert (state["n_seen"], state["drift_detected"], state["warning_detected"]) == (
        0,
        False,
        False,
    )
    assert _json_round_trip(state) == state


@pytest.mark.parametrize("name", NAMES)
def test_restoring_on_the_alarm_update_continues_identically(name: str) -> None:
    # The flag matters: river resets a detector on the update after an alarm.
    kswin = name == "kswin"  # a KS test per update is slow: a small window, a short stream
    params: dict[str, Any] = {"window_size": 60, "stat_size": 20} if kswin else {}
    stream = _stream(name, 600 if kswin else 2000)
    alarms = alarm_indices(make_detector(name, **params), stream)
    assert alarms, "the stream must make the detector alarm"
    cut = alarms[0] + 1

    original = make_detector(name, **params)
    alarm_indices(original, stream[:cut])
    assert original.drift_detected
    restored = restore_detector(_json_round_trip(original.get_state()))

    assert restored.drift_detected
    assert alarm_indices(restored, stream[cut:]) == alarm_indices(original, stream[cut:])
    assert restored.get_state() == original.get_state()


@pytest.mark.parametrize("name", NAMES)
def test_from_state_rebuilds_the_same_class(name: str) -> None:
    cls = DETECTORS[name]
    detector = cls.create({})
    for x in _stream(name, 200):
        detector.update(x)
    restored = cls.from_state(_json_round_trip(detector.get_state()))

    assert type(restored) is cls
    assert restored.n_seen == 200


def test_state_of_another_detector_is_refused() -> None:
    state = make_detector("ddm").get_state()
    with pytest.raises(ValueError, match="state is for detector 'ddm', not 'hddm_a'"):
        DETECTORS["hddm_a"].from_state(state)


def test_unknown_state_version_is_refused() -> None:
    state = make_detector("adwin").get_state() | {"version": 2}
    with pytest.raises(ValueError, match="state version 2 is not supported; this code reads"):
        restore_detector(state)


def test_missing_and_mistyped_fields_are_named() -> None:
    state = make_detector("page_hinkley").get_state()
    internals = dict(state["internals"])  # type: ignore[arg-type]
    del internals["sum_increase"]
    with pytest.raises(ValueError, match="missing field 'sum_increase'"):
        restore_detector(state | {"internals": internals})
    with pytest.raises(ValueError, match="field 'n_seen' must be an integer >= 0, got -1"):
        restore_detector(state | {"n_seen": -1})
    with pytest.raises(ValueError, match="unknown detector 'nope'"):
        restore_detector(state | {"detector": "nope"})


def test_bad_params_in_a_state_are_refused_like_bad_params_anywhere() -> None:
    state = make_detector("adwin").get_state()
    with pytest.raises(ValueError, match="adwin: clock must be an integer >= 1"):
        restore_detector(state | {"params": {"clock": 0}})


def test_adwin_rows_that_do_not_add_up_to_the_width_are_refused() -> None:
    detector = make_detector("adwin")
    alarm_indices(detector, [0.0, 1.0] * 150)  # no drift: the window is all 300
    state = detector.get_state()
    internals = dict(state["internals"])  # type: ignore[arg-type]
    internals["width"] = 299.0
    with pytest.raises(ValueError, match=r"ADWIN width 299\.0 does not match the 300 inputs"):
        restore_detector(state | {"internals": internals})


def test_kswin_rng_state_is_checked() -> None:
    state = make_detector("kswin").get_state()
    internals = dict(state["internals"])  # type: ignore[arg-type]
    internals["rng"] = {"mt": [1, 2, 3], "gauss_next": None}
    with pytest.raises(ValueError, match="field 'mt' must be 625 integers"):
        restore_detector(state | {"internals": internals})


def test_adwin_bytes_of_an_unknown_layout_fail_loudly() -> None:
    detector = make_detector("adwin")
    params = detector.params
    blob: bytes = detector._engine._helper.__getstate__()  # type: ignore[attr-defined]

    with pytest.raises(LayoutError, match="bytes left unread"):
        dump_adwin(blob + b"\x00", params)
    with pytest.raises(LayoutError, match="parameters read"):
        dump_adwin(blob, params | {"clock": 7})
    with pytest.raises(LayoutError, match="unexpected layout"):
        dump_adwin(blob[:-30], params)


# What the adapters read and write must be all river keeps: a river release that adds
# an attribute fails here instead of silently restoring a detector that lacks it.
ENGINE_ATTRIBUTES = {
    "adwin": {"_helper"},
    "page_hinkley": {"_x_mean", "_sum_increase", "_sum_decrease", "_min_increase"}
    | {"_max_decrease", "_test_drift"},
    "kswin": {"p_value", "n", "window", "_rng"},
    "ddm": {"_p", "_p_min", "_s_min", "_ps_min", "_warning_detected"},
    "hddm_a": {"_x_min", "_x_max", "_z", "_warning_detected"},
    "hddm_w": {"_total", "_s1_decr", "_s1_incr", "_s2_decr", "_s2_incr"}
    | {"_incr_cutpoint", "_decr_cutpoint", "_warning_detected"},
}


@pytest.mark.parametrize("name", NAMES)
def test_state_covers_every_attribute_of_the_river_engine(name: str) -> None:
    detector = make_detector(name)
    assert isinstance(detector, RiverDetector)
    engine_attributes = set(vars(detector._engine)) - set(detector.params) - {"_drift_detected"}

    assert engine_attributes == ENGINE_ATTRIBUTES[name]


def test_river_mean_and_hddm_w_sample_have_the_attributes_we_restore() -> None:
    hddm_w = make_detector("hddm_w")
    sample = hddm_w._engine._total  # type: ignore[attr-defined]
    assert set(vars(sample)) == {"_ewma", "_is_init", "_ibc", "_lambd_sq", "_c_lambd_sq"}
    assert set(vars(sample._ewma)) == {"fading_factor", "_ewmean"}
    mean = make_detector("ddm")._engine._p  # type: ignore[attr-defined]
    assert set(vars(mean)) == {"n", "_mean"}


def test_adwin_state_stays_small_on_a_long_stream() -> None:
    # Rows hold at most max_buckets summaries each, one row per power of two of the width.
    detector = make_detector("adwin")
    alarm_indices(detector, np.random.default_rng(1).random(100_000))
    state = detector.get_state()
    internals: Any = state["internals"]

    assert internals["width"] == 100_000  # no drift: the window keeps everything
    assert len(internals["rows"]) <= 16
    assert all(len(row["totals"]) <= 5 for row in internals["rows"])
    assert len(json.dumps(state)) < 4_000


def test_kswin_state_holds_at_most_one_window() -> None:
    detector = make_detector("kswin", window_size=40, stat_size=10)
    alarm_indices(detector, np.arange(300.0) % 7)
    internals: Any = detector.get_state()["internals"]

    assert len(internals["window"]) <= 40
    assert len(internals["rng"]["mt"]) == 625
