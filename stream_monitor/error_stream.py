"""Concept drift on the error stream of labelled predictions, pure.

Between two evaluations ``n`` labels joined, ``k`` of them errors. The detector (HDDM_A by
default, see docs/detectors.md) is fed those ``n`` 0/1 values with the ``k`` errors spread
evenly, a deterministic order, so a replay of the same labels gives the same alarms.
Its state lives in the evaluation document between evaluations.
"""

from __future__ import annotations

from typing import Any

from schemas import DriftEvent, Target, TargetKind, Window
from stream_monitor.detectors import make_detector, restore_detector

DETECTOR = "hddm_a"
TARGET = Target(kind=TargetKind.QUALITY, name="error_rate")


def spread(errors: int, total: int) -> list[int]:
    """``total`` 0/1 values with ``errors`` ones spread evenly.

    >>> spread(2, 5)
    [0, 1, 0, 1, 0]
    """
    return [((i + 1) * errors) // total - (i * errors) // total for i in range(total)]


def step(
    doc: dict[str, Any] | None, joined_total: int, errors_total: int, window: Window, model_id: str
) -> tuple[dict[str, Any], DriftEvent | None]:
    """Feed the labels joined since the last step; the event says whether it alarmed."""
    doc = doc or {"joined": 0, "errors": 0, "detector": make_detector(DETECTOR).get_state()}
    detector = restore_detector(doc["detector"])
    new, new_errors = joined_total - int(doc["joined"]), errors_total - int(doc["errors"])
    if new <= 0:
        return doc, None
    alarmed = False
    for value in spread(max(0, min(new_errors, new)), new):
        alarmed |= detector.update(float(value)).drift_detected
    doc = {"joined": joined_total, "errors": errors_total, "detector": detector.get_state()}
    event = DriftEvent(
        model_id=model_id,
        window=window,
        target=TARGET,
        statistic=DETECTOR,
        value=new_errors / new,
        threshold=float(detector.params.get("drift_confidence", 0.0)),
        drift=alarmed,
        detail=f"{new} labels joined since the last evaluation, {new_errors} of them errors",
    )
    return doc, event
