"""DDM: the drift detection method of Gama et al. (2004), on a 0/1 error stream."""

from __future__ import annotations

from stream_monitor.detectors import _river
from stream_monitor.detectors._json import (
    JSONObject,
    JSONValue,
    encode_float,
    read_float,
    read_object,
    read_optional_float,
)
from stream_monitor.detectors._params import ParamValue, check_int, check_number
from stream_monitor.detectors.base import RiverDetector, check_error_bit


class DDM(RiverDetector):
    """A rise of the error rate of a classifier, from its 0/1 error stream (1 = error).

    DDM tracks the error rate ``p`` and its binomial standard deviation ``s``, remembers
    the point where ``p + s`` was lowest, and warns (drifts) when ``p + s`` exceeds that
    minimum's ``p`` by ``warning_threshold`` (``drift_threshold``) times its ``s``. It only
    detects a rise of the error rate, and its statistics never forget: after a long stable
    run it reacts slowly.

    Parameters
    ----------
    warm_start
        Errors counted before the first test.
    warning_threshold
        Standard deviations above the best point that raise a warning.
    drift_threshold
        Standard deviations above the best point that signal drift.

    Examples
    --------
    >>> detector = DDM()
    >>> errors = [0, 0, 0, 1] * 100 + [1, 1, 0, 1] * 25
    >>> [i for i, x in enumerate(errors) if detector.update(x).drift_detected]
    [435]

    """

    name = "ddm"
    input_kind = "binary"
    has_warning = True

    def __init__(
        self,
        *,
        warm_start: int = 30,
        warning_threshold: float = 2.0,
        drift_threshold: float = 3.0,
    ) -> None:
        n = self.name
        warning = check_number(n, "warning_threshold", warning_threshold, low=0.0, low_open=True)
        drift = check_number(n, "drift_threshold", drift_threshold, low=0.0, low_open=True)
        if warning > drift:
            raise ValueError(
                f"{n}: warning_threshold must not exceed drift_threshold, got "
                f"{warning_threshold!r} > {drift_threshold!r}"
            )
        params: dict[str, ParamValue] = {
            "warm_start": check_int(n, "warm_start", warm_start, minimum=1),
            "warning_threshold": warning,
            "drift_threshold": drift,
        }
        super().__init__(params, _river.DDM(**params))

    def _check_input(self, x: float) -> float:
        return check_error_bit(self.name, x)

    def _dump(self) -> dict[str, JSONValue]:
        engine = self._engine
        return {
            "p": _river.dump_mean(engine._p),
            "p_min": _optional(engine._p_min),
            "s_min": _optional(engine._s_min),
            "ps_min": encode_float(engine._ps_min),
        }

    def _load(self, internals: JSONObject) -> None:
        engine = self._engine
        engine._p = _river.load_mean(read_object(internals, "p"))
        engine._p_min = read_optional_float(internals, "p_min")
        engine._s_min = read_optional_float(internals, "s_min")
        engine._ps_min = read_float(internals, "ps_min")


def _optional(value: float | None) -> JSONValue:
    return None if value is None else encode_float(value)
