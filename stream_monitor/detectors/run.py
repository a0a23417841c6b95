"""Run a detector over a whole series (golden tests, benchmarks, offline replays)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from stream_monitor.detectors.base import Detector


def alarm_indices(detector: Detector, values: npt.ArrayLike) -> list[int]:
    """Feed ``values`` in order to ``detector``; the positions (0-based, in ``values``)
    of the updates on which it detected drift.

    The detector is updated in place, so a second call continues where the first ended.

    >>> from stream_monitor.detectors import make_detector
    >>> alarm_indices(make_detector("page_hinkley", threshold=5.0), [0.0] * 50 + [1.0] * 20)
    [55]
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {array.shape}")
    return [i for i, x in enumerate(array.tolist()) if detector.update(x).drift_detected]
