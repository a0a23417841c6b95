"""KSWIN: a Kolmogorov-Smirnov test on a sliding window (Raab et al., 2020)."""

from __future__ import annotations

import collections
import random

from stream_monitor.detectors import _river
from stream_monitor.detectors._json import (
    JSONObject,
    JSONValue,
    encode_float,
    read_float,
    read_float_list,
    read_int,
    read_list,
    read_object,
    read_optional_float,
)
from stream_monitor.detectors._params import ParamValue, check_int, check_probability
from stream_monitor.detectors.base import RiverDetector

_MT_STATE_LENGTH = 625  # Mersenne Twister: 624 words and a position
_RANDOM_STATE_VERSION = 3  # what random.Random.getstate() has returned since Python 3.2


class KSWIN(RiverDetector):
    """Drift in the distribution of a real-valued stream, by a two-sample KS test.

    Over the last ``window_size`` values, the newest ``stat_size`` are compared with
    ``stat_size`` drawn at random from the older part; drift when the KS p-value is at most
    ``alpha`` and the statistic exceeds 0.1. The draw uses a ``random.Random`` seeded with
    ``seed``, so runs repeat exactly. A KS test on every update, each at level ``alpha``,
    alarms often on a stationary stream: lower ``alpha`` well below the default for a low
    false-alarm rate.

    Parameters
    ----------
    alpha
        Significance of each KS test, in (0, 1).
    window_size
        Values kept.
    stat_size
        Values in each compared sample; at most half of ``window_size``.
    seed
        Seed of the random draw of the older sample.

    Examples
    --------
    >>> detector = KSWIN(alpha=0.0001, window_size=60, stat_size=20)
    >>> series = [0.0, 0.2, 0.1] * 30 + [1.0, 1.2, 1.1] * 10
    >>> [i for i, x in enumerate(series) if detector.update(x).drift_detected]
    [103]

    """

    name = "kswin"
    input_kind = "real"

    def __init__(
        self,
        *,
        alpha: float = 0.005,
        window_size: int = 100,
        stat_size: int = 30,
        seed: int = 0,
    ) -> None:
        n = self.name
        params: dict[str, ParamValue] = {
            "alpha": check_probability(n, "alpha", alpha),
            "window_size": check_int(n, "window_size", window_size, minimum=2),
            "stat_size": check_int(n, "stat_size", stat_size, minimum=1),
            "seed": check_int(n, "seed", seed, minimum=0),
        }
        if 2 * stat_size > window_size:
            raise ValueError(
                f"{n}: stat_size must be at most half of window_size "
                f"(the older sample is drawn from the other half), got "
                f"stat_size={stat_size!r} and window_size={window_size!r}"
            )
        super().__init__(params, _river.KSWIN(**params))

    def _dump(self) -> dict[str, JSONValue]:
        engine = self._engine
        version, words, gauss_next = engine._rng.getstate()
        if version != _RANDOM_STATE_VERSION:
            raise RuntimeError(f"kswin: unexpected random.Random state version {version}")
        return {
            "n": int(engine.n),
            "p_value": encode_float(engine.p_value),
            "window": [encode_float(x) for x in engine.window],
            "rng": {
                "mt": list(words),
                "gauss_next": None if gauss_next is None else encode_float(gauss_next),
            },
        }

    def _load(self, internals: JSONObject) -> None:
        engine = self._engine
        window = read_float_list(internals, "window")
        if len(window) > engine.window_size:
            raise ValueError(
                f"detector state: kswin window holds {len(window)} values, "
                f"more than window_size={engine.window_size}"
            )
        engine.n = read_int(internals, "n", minimum=0)
        engine.p_value = read_float(internals, "p_value")
        engine.window = collections.deque(window, maxlen=engine.window_size)
        engine._rng = _load_rng(read_object(internals, "rng"))


def _load_rng(fields: JSONObject) -> random.Random:
    words = read_list(fields, "mt")
    if len(words) != _MT_STATE_LENGTH or not all(
        isinstance(w, int) and not isinstance(w, bool) and 0 <= w < 2**32 for w in words
    ):
        raise ValueError(
            f"detector state: field 'mt' must be {_MT_STATE_LENGTH} integers in [0, 2**32)"
        )
    rng = random.Random()
    state = (_RANDOM_STATE_VERSION, tuple(words), read_optional_float(fields, "gauss_next"))
    rng.setstate(state)
    return rng
