"""Small builders of valid events for tests."""

from __future__ import annotations

from typing import Any

import orjson


def prediction(i: int = 0, model_id: str = "churn", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": f"e-{i}",
        "model_id": model_id,
        "model_version": "1.0.0",
        "timestamp": 1_760_000_000 + i,
        "features": {"age": 30 + i % 40, "plan": "pro" if i % 3 else "free", "score": 0.5},
        "prediction": {"score": (i % 100) / 100, "label": i % 2},
        "latency_ms": 5.0 + i % 7,
        "status": "ok",
    }
    event.update(overrides)
    return event


def encode(obj: Any) -> bytes:
    return orjson.dumps(obj)
