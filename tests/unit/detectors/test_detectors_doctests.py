"""The examples in the detectors' docstrings run, and say what they print."""

from __future__ import annotations

import doctest
import importlib
from types import ModuleType

import pytest

MODULES = [
    "stream_monitor.detectors",
    "stream_monitor.detectors.adwin",
    "stream_monitor.detectors.page_hinkley",
    "stream_monitor.detectors.kswin",
    "stream_monitor.detectors.ddm",
    "stream_monitor.detectors.hddm",
    "stream_monitor.detectors.registry",
    "stream_monitor.detectors.run",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)

    assert result.attempted > 0
    assert result.failed == 0
