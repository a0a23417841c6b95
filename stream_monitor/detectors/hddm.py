"""HDDM_A and HDDM_W: drift detection with Hoeffding and McDiarmid bounds
(Frías-Blanco et al., 2015), on a 0/1 error stream."""

from __future__ import annotations

from typing import Any

from stream_monitor.detectors import _river
from stream_monitor.detectors._json import (
    JSONObject,
    JSONValue,
    encode_float,
    read_bool,
    read_float,
    read_object,
)
from stream_monitor.detectors._params import (
    ParamValue,
    check_bool,
    check_number,
    check_probability,
)
from stream_monitor.detectors._rust_state import dump_ewmean, load_ewmean
from stream_monitor.detectors.base import RiverDetector, check_unit_interval

_MEANS_A = ("z", "x_min", "x_max")
_SAMPLES_W = ("total", "s1_incr", "s2_incr", "s1_decr", "s2_decr")


def _confidences(name: str, drift: object, warning: object) -> dict[str, ParamValue]:
    drift_confidence = check_probability(name, "drift_confidence", drift)
    warning_confidence = check_probability(name, "warning_confidence", warning)
    if drift_confidence > warning_confidence:
        raise ValueError(
            f"{name}: drift_confidence must not exceed warning_confidence (a drift needs "
            f"stronger evidence than a warning), got {drift!r} > {warning!r}"
        )
    return {"drift_confidence": drift_confidence, "warning_confidence": warning_confidence}


class HDDMA(RiverDetector):
    """A change of the mean of a [0, 1] stream (normally 0/1 errors, 1 = error), by
    comparing moving averages under Hoeffding's bound.

    Detects a rise of the error rate; with ``two_sided_test=True`` a fall too. Suited to
    abrupt changes.

    Parameters
    ----------
    drift_confidence
        Confidence level of the drift test, in (0, 1); smaller means fewer alarms.
    warning_confidence
        Confidence level of the warning test, in (0, 1), at least ``drift_confidence``.
    two_sided_test
        Also detect a fall of the mean.

    Examples
    --------
    >>> detector = HDDMA()
    >>> errors = [0, 0, 0, 1] * 100 + [1, 1, 0, 1] * 25
    >>> [i for i, x in enumerate(errors) if detector.update(x).drift_detected]
    [412]

    """

    name = "hddm_a"
    input_kind = "binary"
    has_warning = True

    def __init__(
        self,
        *,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        two_sided_test: bool = False,
    ) -> None:
        params = _confidences(self.name, drift_confidence, warning_confidence)
        params["two_sided_test"] = check_bool(self.name, "two_sided_test", two_sided_test)
        super().__init__(params, _river.HDDMA(**params))

    def _check_input(self, x: float) -> float:
        return check_unit_interval(self.name, x)

    def _dump(self) -> dict[str, JSONValue]:
        return {key: _river.dump_mean(getattr(self._engine, f"_{key}")) for key in _MEANS_A}

    def _load(self, internals: JSONObject) -> None:
        for key in _MEANS_A:
            setattr(self._engine, f"_{key}", _river.load_mean(read_object(internals, key)))


class HDDMW(RiverDetector):
    """A change of the mean of a [0, 1] stream (normally 0/1 errors, 1 = error), by
    comparing exponentially weighted averages under McDiarmid's bound.

    Detects a rise of the error rate; with ``two_sided_test=True`` a fall too. Weighs
    recent values more, so it suits gradual changes.

    Parameters
    ----------
    drift_confidence
        Confidence level of the drift test, in (0, 1); smaller means fewer alarms.
    warning_confidence
        Confidence level of the warning test, in (0, 1), at least ``drift_confidence``.
    lambda_val
        Weight of the newest value in the moving averages, in (0, 1].
    two_sided_test
        Also detect a fall of the mean.

    Examples
    --------
    >>> detector = HDDMW()
    >>> errors = [0, 0, 0, 1] * 100 + [1, 1, 0, 1] * 25
    >>> [i for i, x in enumerate(errors) if detector.update(x).drift_detected]
    [428]

    """

    name = "hddm_w"
    input_kind = "binary"
    has_warning = True

    def __init__(
        self,
        *,
        drift_confidence: float = 0.001,
        warning_confidence: float = 0.005,
        lambda_val: float = 0.05,
        two_sided_test: bool = False,
    ) -> None:
        n = self.name
        params = _confidences(n, drift_confidence, warning_confidence)
        params["lambda_val"] = check_number(
            n, "lambda_val", lambda_val, low=0.0, high=1.0, low_open=True
        )
        params["two_sided_test"] = check_bool(n, "two_sided_test", two_sided_test)
        super().__init__(params, _river.HDDMW(**params))

    def _check_input(self, x: float) -> float:
        return check_unit_interval(self.name, x)

    def _dump(self) -> dict[str, JSONValue]:
        engine = self._engine
        state: dict[str, JSONValue] = {
            key: self._dump_sample(getattr(engine, f"_{key}")) for key in _SAMPLES_W
        }
        state["incr_cutpoint"] = encode_float(engine._incr_cutpoint)
        state["decr_cutpoint"] = encode_float(engine._decr_cutpoint)
        return state

    def _load(self, internals: JSONObject) -> None:
        engine = self._engine
        for key in _SAMPLES_W:
            setattr(engine, f"_{key}", self._load_sample(read_object(internals, key)))
        engine._incr_cutpoint = read_float(internals, "incr_cutpoint")
        engine._decr_cutpoint = read_float(internals, "decr_cutpoint")

    def _dump_sample(self, sample: Any) -> dict[str, JSONValue]:
        return {
            "ewma": dump_ewmean(sample._ewma._ewmean, self._lambda),
            "is_init": bool(sample._is_init),
            "ibc": encode_float(sample._ibc),
        }

    def _load_sample(self, fields: JSONObject) -> Any:
        sample = _river.HDDMWSample(self._lambda)
        load_ewmean(sample._ewma._ewmean, self._lambda, read_object(fields, "ewma"))
        sample._is_init = read_bool(fields, "is_init")
        sample._ibc = read_float(fields, "ibc")
        return sample

    @property
    def _lambda(self) -> float:
        return float(self._params["lambda_val"])
