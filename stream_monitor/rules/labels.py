"""An alert's identity: its label set, and the fingerprint hashed from it.

The fingerprint is the first 16 hex digits of the SHA-256 of the label pairs sorted by
name and written as compact JSON, so it is the same in every process and after restarts,
and it is the Kafka key of the alert's events.

>>> fingerprint({"alertname": "feature_drift", "model_id": "churn", "target": "age"})
'e37ba15b628887a0'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Final

ALERTNAME: Final = "alertname"
MODEL_ID: Final = "model_id"
TARGET: Final = "target"
SEVERITY: Final = "severity"
CATEGORY: Final = "category"
RESERVED: Final = (ALERTNAME, MODEL_ID, TARGET, SEVERITY, CATEGORY)
"""Labels the engine sets itself; a rule's own labels may not use these names."""

LABEL_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FINGERPRINT_LENGTH: Final = 16


def check_label_names(labels: Mapping[str, str]) -> None:
    """Raise ValueError for a label name Prometheus would refuse, or a reserved one."""
    for name in labels:
        if not LABEL_NAME.match(name) or name.startswith("__"):
            raise ValueError(
                f"invalid label name {name!r}: expected letters, digits and underscores, "
                "not starting with a digit or with __ (as Prometheus label names)"
            )
        if name in RESERVED:
            raise ValueError(
                f"label {name!r} is set by the engine; a rule's labels may not use "
                f"{', '.join(RESERVED)}"
            )


def alert_labels(
    *,
    rule: str,
    model_id: str,
    target: str,
    severity: str,
    category: str,
    extra: Mapping[str, str],
) -> dict[str, str]:
    """The full label set of one alert, sorted by name."""
    labels = {
        ALERTNAME: rule,
        MODEL_ID: model_id,
        TARGET: target,
        SEVERITY: severity,
        CATEGORY: category,
        **extra,
    }
    return dict(sorted(labels.items()))


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable 16-hex-digit identity of a label set (order of the mapping is irrelevant)."""
    text = json.dumps(sorted(labels.items()), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]
