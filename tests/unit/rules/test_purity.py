"""The alerting and policy cores are pure: no broker or store imports, no clock, no logging."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PURE = [ROOT / "stream_monitor" / "rules", ROOT / "stream_monitor" / "policy"]
FORBIDDEN_CALLS = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic|"
    r"import logging|import time\b|from time import|print\()"
)


def test_importing_them_loads_no_broker_or_store_client() -> None:
    code = (
        "import sys, stream_monitor.rules, stream_monitor.policy; "
        "print(sorted(m for m in ('faust', 'redis', 'aiokafka', 'confluent_kafka') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("path", sorted(p for d in PURE for p in d.glob("*.py")), ids=str)
def test_no_clock_and_no_logging(path: Path) -> None:
    assert FORBIDDEN_CALLS.findall(path.read_text()) == []
