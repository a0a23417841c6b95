"""Detectors by name: build one from parameters, or restore one from its state.

>>> make_detector("adwin", clock=1)
ADWIN(delta=0.002, clock=1, max_buckets=5, min_window_length=5, grace_period=10)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from stream_monitor.detectors._json import JSONObject, read_str
from stream_monitor.detectors.adwin import ADWIN
from stream_monitor.detectors.base import Detector, RiverDetector
from stream_monitor.detectors.ddm import DDM
from stream_monitor.detectors.hddm import HDDMA, HDDMW
from stream_monitor.detectors.kswin import KSWIN
from stream_monitor.detectors.page_hinkley import PageHinkley

DETECTORS: Final[Mapping[str, type[RiverDetector]]] = MappingProxyType(
    {cls.name: cls for cls in (ADWIN, PageHinkley, KSWIN, DDM, HDDMA, HDDMW)}
)
"""Every detector on offer, by registry name."""

_NOT_OFFERED: Final = {
    "fhddm": "river's FHDDM only detects a fall of its input, whatever its docstring says",
}


def detector_class(name: str) -> type[RiverDetector]:
    """The detector class registered as ``name``; ``ValueError`` lists the valid names."""
    try:
        return DETECTORS[name]
    except KeyError:
        reason = f" ({_NOT_OFFERED[name]})" if name in _NOT_OFFERED else ""
        raise ValueError(
            f"unknown detector {name!r}{reason}; valid names: {', '.join(DETECTORS)}"
        ) from None


def make_detector(name: str, **params: object) -> Detector:
    """A fresh detector ``name`` with ``params`` over its defaults.

    Raises ``ValueError`` for an unknown name (listing the valid ones), an unknown
    parameter (listing the detector's parameters) or a value out of range (saying what
    is allowed).
    """
    return detector_class(name).create(params)


def restore_detector(state: JSONObject) -> Detector:
    """The detector whose :meth:`~Detector.get_state` gave ``state``, continuing exactly
    where it stopped."""
    return detector_class(read_str(state, "detector")).from_state(state)
