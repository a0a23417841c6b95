"""The quality package is pure: importing it loads no Kafka, Faust or Redis client."""

from __future__ import annotations

import subprocess
import sys


def test_importing_quality_loads_no_io_clients() -> None:
    code = (
        "import sys, stream_monitor.quality; "
        "print(sorted(m for m in ('faust', 'redis', 'aiokafka', 'confluent_kafka', 'kafka') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
