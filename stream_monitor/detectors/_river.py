"""The one place that names river's detector classes.

river ships type hints for only part of its API (``ADWIN``, ``HDDMA`` and ``HDDMW`` have
untyped constructors), and the state adapters read and write attributes river does not
annotate. So its classes are handed to the rest of the package as ``Any``, and the tests
check every attribute used here against the installed river (``tests/unit/detectors``).
"""

from __future__ import annotations

from typing import Any, Final

from river import drift as _drift
from river import stats as _stats
from river.drift import binary as _binary
from river.drift.binary import hddm_w as _hddm_w

from stream_monitor.detectors._json import JSONObject, JSONValue, encode_float, read_float

ADWIN: Final[Any] = _drift.ADWIN
PageHinkley: Final[Any] = _drift.PageHinkley
KSWIN: Final[Any] = _drift.KSWIN
DDM: Final[Any] = _binary.DDM
HDDMA: Final[Any] = _binary.HDDMA
HDDMW: Final[Any] = _binary.HDDMW
HDDMWSample: Final[Any] = _hddm_w.SampleInfo
Mean: Final[Any] = _stats.Mean


def dump_mean(mean: Any) -> dict[str, JSONValue]:
    """The fields of a ``river.stats.Mean``: its weight ``n`` and running mean."""
    return {"n": encode_float(mean.n), "mean": encode_float(mean._mean)}


def load_mean(fields: JSONObject) -> Any:
    """A ``river.stats.Mean`` from :func:`dump_mean` output."""
    mean = Mean()
    mean.n = read_float(fields, "n")
    mean._mean = read_float(fields, "mean")
    return mean
