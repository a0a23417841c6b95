"""Page-Hinkley: a cumulative-sum test for a shift of the mean (Page, 1954)."""

from __future__ import annotations

from stream_monitor.detectors import _river
from stream_monitor.detectors._json import (
    JSONObject,
    JSONValue,
    encode_float,
    read_float,
    read_object,
)
from stream_monitor.detectors._params import (
    ParamValue,
    check_choice,
    check_int,
    check_number,
)
from stream_monitor.detectors.base import RiverDetector

MODES = ("up", "down", "both")


class PageHinkley(RiverDetector):
    """Drift in the mean of a real-valued stream, by cumulative sums of deviations.

    The detector sums each value's deviation from the running mean (less ``delta``) and
    alarms when the sum climbs more than ``threshold`` above its minimum (or, for a fall,
    below its maximum). ``threshold`` and ``delta`` are in the units of the data: river's
    defaults raise about 61 false alarms per 100k values of N(0, 1). On window statistics
    standardise the series against the reference period first, or calibrate the threshold
    for the statistic's scale.

    Parameters
    ----------
    min_instances
        Values seen before the first test.
    delta
        Magnitude of change tolerated, in data units.
    threshold
        Alarm when the cumulative sum passes this, in data units.
    alpha
        Fading factor of the cumulative sums, in (0, 1]; 1 means no fading.
    mode
        ``"up"`` for a rise of the mean, ``"down"`` for a fall, ``"both"``.

    Examples
    --------
    >>> detector = PageHinkley(threshold=5.0)
    >>> series = [0.0, 0.2] * 40 + [1.0, 1.2] * 10
    >>> [i for i, x in enumerate(series) if detector.update(x).drift_detected]
    [85]

    """

    name = "page_hinkley"
    input_kind = "real"

    def __init__(
        self,
        *,
        min_instances: int = 30,
        delta: float = 0.005,
        threshold: float = 50.0,
        alpha: float = 1 - 0.0001,
        mode: str = "both",
    ) -> None:
        n = self.name
        params: dict[str, ParamValue] = {
            "min_instances": check_int(n, "min_instances", min_instances, minimum=1),
            "delta": check_number(n, "delta", delta, low=0.0),
            "threshold": check_number(n, "threshold", threshold, low=0.0, low_open=True),
            "alpha": check_number(n, "alpha", alpha, low=0.0, high=1.0, low_open=True),
            "mode": check_choice(n, "mode", mode, MODES),
        }
        super().__init__(params, _river.PageHinkley(**params))

    def _dump(self) -> dict[str, JSONValue]:
        engine = self._engine
        return {
            "mean": _river.dump_mean(engine._x_mean),
            "sum_increase": encode_float(engine._sum_increase),
            "sum_decrease": encode_float(engine._sum_decrease),
            "min_increase": encode_float(engine._min_increase),
            "max_decrease": encode_float(engine._max_decrease),
        }

    def _load(self, internals: JSONObject) -> None:
        engine = self._engine
        engine._x_mean = _river.load_mean(read_object(internals, "mean"))
        engine._sum_increase = read_float(internals, "sum_increase")
        engine._sum_decrease = read_float(internals, "sum_decrease")
        engine._min_increase = read_float(internals, "min_increase")
        engine._max_decrease = read_float(internals, "max_decrease")
