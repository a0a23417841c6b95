"""Kafka topic names, defined once.

Every topic the service reads or writes has its default name here; the settings let an
operator rename each one, and nothing else in the code spells a topic name.
"""

from __future__ import annotations

from typing import Final

PREDICTIONS: Final = "stream-monitor.predictions"
GROUND_TRUTH: Final = "stream-monitor.ground-truth"
METRICS: Final = "stream-monitor.metrics"
DRIFT: Final = "stream-monitor.drift"
ALERTS: Final = "stream-monitor.alerts"
RETRAIN: Final = "stream-monitor.retrain"
DEAD_LETTER: Final = "stream-monitor.dead-letter"

ALL: Final = (PREDICTIONS, GROUND_TRUTH, METRICS, DRIFT, ALERTS, RETRAIN, DEAD_LETTER)
