"""A small model and its reference, shared by the pipeline tests (pure and integration)."""

from __future__ import annotations

from typing import Any

import numpy as np

from stream_monitor.model_spec import ModelSpec
from stream_monitor.stats.build import build_profile
from stream_monitor.stats.profile import ReferenceProfile
from stream_monitor.windowing import Windowing

MODEL = "fraud"
FEATURES = ("amount", "age", "country")
START = 1_767_225_600


def reference(seed: int = 0, n: int = 5000) -> ReferenceProfile:
    rng = np.random.default_rng(seed)
    return build_profile(
        {
            "amount": rng.normal(100, 20, n).tolist(),
            "age": rng.normal(40, 10, n).tolist(),
            "country": rng.choice(["de", "fr", "us"], n).tolist(),
            "score": rng.uniform(0, 1, n).tolist(),
        }
    )


def spec(windowing: Windowing | None = None) -> ModelSpec:
    return ModelSpec(MODEL, reference(), windowing or Windowing(60, 300, 60, 0))


def events(
    n: int, seed: int = 1, shift_from: int | None = None, rate_eps: float = 10.0
) -> list[dict[str, Any]]:
    """``n`` events at ``rate_eps``; ``amount`` shifts by 2 sd from index ``shift_from``."""
    rng = np.random.default_rng(seed)
    amount, age = rng.normal(100, 20, n), rng.normal(40, 10, n)
    if shift_from is not None:
        amount[shift_from:] += 40
    country, score = rng.choice(["de", "fr", "us"], n), rng.uniform(0, 1, n)
    return [
        {
            "event_id": f"ev-{seed}-{i}",
            "model_id": MODEL,
            "model_version": "1",
            "timestamp": START + i / rate_eps,
            "features": {
                "amount": float(amount[i]),
                "age": float(age[i]),
                "country": str(country[i]),
            },
            "prediction": {"score": float(score[i])},
            "latency_ms": 10.0,
        }
        for i in range(n)
    ]
