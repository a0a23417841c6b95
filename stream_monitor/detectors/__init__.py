"""Online drift detectors from river behind one small interface, with JSON-safe state.

Feed one number per update: a window statistic of a feature (PSI, a mean, ...) for the
real-valued detectors (``adwin``, ``page_hinkley``, ``kswin``), or the 0/1 error of a
labelled prediction (1 = error) for the binary ones (``ddm``, ``hddm_a``, ``hddm_w``;
``adwin`` and ``page_hinkley`` take such a stream too). ``docs/detectors.md`` says which
defaults suit which input, and how state is stored.

>>> from stream_monitor.detectors import make_detector, restore_detector
>>> detector = make_detector("adwin", clock=1)
>>> for psi in [0.01, 0.02] * 30:
...     _ = detector.update(psi)
>>> restored = restore_detector(detector.get_state())
>>> restored.n_seen, restored.get_state() == detector.get_state()
(60, True)
"""

from stream_monitor.detectors._json import JSONValue, is_json_safe
from stream_monitor.detectors._params import ParamValue
from stream_monitor.detectors.adwin import ADWIN
from stream_monitor.detectors.base import Detector, InputKind, RiverDetector
from stream_monitor.detectors.ddm import DDM
from stream_monitor.detectors.hddm import HDDMA, HDDMW
from stream_monitor.detectors.kswin import KSWIN
from stream_monitor.detectors.page_hinkley import PageHinkley
from stream_monitor.detectors.registry import (
    DETECTORS,
    detector_class,
    make_detector,
    restore_detector,
)
from stream_monitor.detectors.run import alarm_indices

__all__ = [
    "ADWIN",
    "DDM",
    "DETECTORS",
    "HDDMA",
    "HDDMW",
    "KSWIN",
    "Detector",
    "InputKind",
    "JSONValue",
    "PageHinkley",
    "ParamValue",
    "RiverDetector",
    "alarm_indices",
    "detector_class",
    "is_json_safe",
    "make_detector",
    "restore_detector",
]
