"""ADWIN: adaptive windowing (Bifet and Gavaldà, 2007), river's Rust implementation."""

from __future__ import annotations

from stream_monitor.detectors import _river
from stream_monitor.detectors._json import JSONObject, JSONValue
from stream_monitor.detectors._params import ParamValue, check_int, check_probability
from stream_monitor.detectors._rust_state import dump_adwin, load_adwin, set_and_verify
from stream_monitor.detectors.base import RiverDetector


class ADWIN(RiverDetector):
    """Drift in the mean of a real-valued stream, with an adaptive window.

    ADWIN keeps a window of recent values, compressed into buckets of exponentially
    growing size, and drops its older part when the means of the two parts differ by more
    than a Hoeffding-style bound at confidence ``delta``. Works on window statistics and
    on 0/1 error streams alike.

    Parameters
    ----------
    delta
        Significance in (0, 1): smaller means fewer false alarms and later detection.
    clock
        Check for change every ``clock`` updates. river's default 32 suits long streams
        (0/1 errors); on a short series of window statistics use ``clock=1``, or ADWIN
        only looks at every 32nd evaluation.
    max_buckets
        Buckets of each size kept before two are merged (memory and resolution).
    min_window_length
        Smallest sub-window a cut may leave on either side.
    grace_period
        No check until the window holds more than this many values.

    Examples
    --------
    >>> detector = ADWIN(clock=1)
    >>> series = [0.0, 0.1] * 50 + [1.0, 1.1] * 10
    >>> [i for i, x in enumerate(series) if detector.update(x).drift_detected]
    [115]

    """

    name = "adwin"
    input_kind = "real"

    def __init__(
        self,
        *,
        delta: float = 0.002,
        clock: int = 32,
        max_buckets: int = 5,
        min_window_length: int = 5,
        grace_period: int = 10,
    ) -> None:
        n = self.name
        params: dict[str, ParamValue] = {
            "delta": check_probability(n, "delta", delta),
            "clock": check_int(n, "clock", clock, minimum=1),
            "max_buckets": check_int(n, "max_buckets", max_buckets, minimum=1),
            "min_window_length": check_int(n, "min_window_length", min_window_length, minimum=1),
            "grace_period": check_int(n, "grace_period", grace_period, minimum=0),
        }
        super().__init__(params, _river.ADWIN(**params))

    def _dump(self) -> dict[str, JSONValue]:
        return dump_adwin(self._engine._helper.__getstate__(), self._params)

    def _load(self, internals: JSONObject) -> None:
        helper = self._engine._helper
        dump_adwin(helper.__getstate__(), self._params)  # the layout is the one we know
        set_and_verify(helper, load_adwin(internals, self._params), "ADWIN")
