"""A model in production, simulated (pure numpy, seeded): predictions, delayed labels, and
incidents injected at known times. Used by ``demo``, ``simulate`` and the tests.

The model is a fixed logistic classifier over eight features. Its scores are calibrated
on the reference data, so realised accuracy is what its scores promise until the world
changes. Incidents (each with a start and end in seconds from the stream's start):

* ``drift``: the feature ``income`` shifts by ``drift_sigma`` reference standard deviations;
* ``null_spike``: ``age`` is null in ``null_share`` of the events (a data-quality incident);
* ``concept``: the true label flips for ``flip_share`` of events (the quality drops while
  the inputs stay as they were).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

MODEL_ID = "churn-classifier"
FEATURES = ("age", "income", "tenure", "sessions", "discount", "support_calls", "plan", "region")
_PLANS = np.array(["free", "basic", "pro", "enterprise"])
_PLAN_P = np.array([0.4, 0.3, 0.2, 0.1])
_REGIONS = np.array(["eu", "us", "apac", "latam"])
_REGION_P = np.array([0.35, 0.35, 0.2, 0.1])
_WEIGHTS = {"age": -0.02, "income": 0.35, "tenure": -0.25, "sessions": -0.04, "support_calls": 0.5}


@dataclass(frozen=True)
class Incident:
    start_s: float
    end_s: float

    def active(
        self, t: np.ndarray[Any, np.dtype[np.float64]]
    ) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return (t >= self.start_s) & (t < self.end_s)


@dataclass(frozen=True)
class Scenario:
    seed: int = 7
    start_epoch: int = 1_767_225_600  # 2026-01-01T00:00:00Z
    duration_s: int = 3600
    rate_eps: float = 25.0
    drift: Incident | None = field(default_factory=lambda: Incident(1200, 3600))
    drift_sigma: float = 0.8
    null_spike: Incident | None = field(default_factory=lambda: Incident(2100, 2580))
    null_share: float = 0.4
    concept: Incident | None = field(default_factory=lambda: Incident(2700, 3600))
    flip_share: float = 0.35
    label_share: float = 0.9
    label_delay_s: tuple[float, float] = (30.0, 300.0)


def _features(rng: np.random.Generator, n: int) -> dict[str, np.ndarray[Any, Any]]:
    return {
        "age": np.round(rng.normal(41, 12, n).clip(18, 90), 1),
        "income": np.round(rng.lognormal(10.5, 0.5, n), 2),
        "tenure": rng.poisson(3, n).astype(np.float64),
        "sessions": np.round(rng.normal(20, 6, n), 2),
        "discount": np.round(rng.uniform(0, 0.3, n), 3),
        "support_calls": rng.poisson(1.2, n).astype(np.float64),
        "plan": rng.choice(_PLANS, n, p=_PLAN_P),
        "region": rng.choice(_REGIONS, n, p=_REGION_P),
    }


def _scores(x: dict[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    z = np.full(len(x["age"]), 0.3)
    z += _WEIGHTS["age"] * (x["age"] - 41) + _WEIGHTS["income"] * (np.log(x["income"]) - 10.5) / 0.5
    z += _WEIGHTS["tenure"] * (x["tenure"] - 3) + _WEIGHTS["sessions"] * (x["sessions"] - 20)
    z += _WEIGHTS["support_calls"] * (x["support_calls"] - 1.2) + 0.8 * (x["plan"] == "free")
    return np.asarray(1 / (1 + np.exp(-z)), dtype=np.float64)


def reference(n: int = 20_000, seed: int = 1) -> dict[str, list[Any]]:
    """Training data of the model: its features and its scores and labels on them."""
    rng = np.random.default_rng(seed)
    x = _features(rng, n)
    score = _scores(x)
    columns: dict[str, list[Any]] = {k: v.tolist() for k, v in x.items()}
    columns["score"] = np.round(score, 4).tolist()
    columns["label"] = (score >= 0.5).astype(int).tolist()
    return columns


def generate(scenario: Scenario) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Prediction events (in time order) and ground-truth events (in arrival order)."""
    rng = np.random.default_rng(scenario.seed)
    n = int(scenario.duration_s * scenario.rate_eps)
    t = np.sort(rng.uniform(0, scenario.duration_s, n))
    x = _features(rng, n)
    if scenario.drift is not None:
        x["income"] = np.where(
            scenario.drift.active(t),
            np.round(x["income"] * np.exp(scenario.drift_sigma * 0.5), 2),
            x["income"],
        )
    score = _scores(x)
    truth = rng.uniform(size=n) < score
    if scenario.concept is not None:
        flip = scenario.concept.active(t) & (rng.uniform(size=n) < scenario.flip_share)
        truth = np.where(flip, ~truth, truth)
    nulls = np.zeros(n, dtype=bool)
    if scenario.null_spike is not None:
        nulls = scenario.null_spike.active(t) & (rng.uniform(size=n) < scenario.null_share)
    latency = np.round(rng.lognormal(np.log(12), 0.4, n), 2)
    predictions = list(_prediction_events(scenario, t, x, score, nulls, latency))
    labels = _label_events(scenario, rng, t, truth)
    return predictions, labels


def _prediction_events(
    scenario: Scenario,
    t: np.ndarray[Any, Any],
    x: dict[str, np.ndarray[Any, Any]],
    score: np.ndarray[Any, Any],
    nulls: np.ndarray[Any, Any],
    latency: np.ndarray[Any, Any],
) -> Iterator[dict[str, Any]]:
    columns = {k: v.tolist() for k, v in x.items()}
    for i in range(len(t)):
        features = {name: columns[name][i] for name in FEATURES}
        if nulls[i]:
            features["age"] = None
        yield {
            "event_id": f"p-{scenario.seed}-{i}",
            "model_id": MODEL_ID,
            "model_version": "2.3.0",
            "timestamp": round(scenario.start_epoch + float(t[i]), 3),
            "features": features,
            "prediction": {"score": round(float(score[i]), 4), "label": int(score[i] >= 0.5)},
            "latency_ms": float(latency[i]),
            "status": "ok",
        }


def _label_events(
    scenario: Scenario,
    rng: np.random.Generator,
    t: np.ndarray[Any, Any],
    truth: np.ndarray[Any, Any],
) -> list[dict[str, Any]]:
    n = len(t)
    labelled = rng.uniform(size=n) < scenario.label_share
    delay = rng.uniform(*scenario.label_delay_s, n)
    arrival = scenario.start_epoch + t + delay
    order = np.argsort(arrival[labelled], kind="stable")
    indices = np.flatnonzero(labelled)[order]
    return [
        {
            "event_id": f"p-{scenario.seed}-{i}",
            "model_id": MODEL_ID,
            "timestamp": round(float(arrival[i]), 3),
            "label": int(truth[i]),
        }
        for i in indices.tolist()
    ]


def scaled(scenario: Scenario, duration_s: int) -> Scenario:
    """The scenario stretched to ``duration_s``, its incidents at the same shares of it."""
    factor = duration_s / scenario.duration_s

    def stretch(incident: Incident | None) -> Incident | None:
        return (
            None
            if incident is None
            else Incident(incident.start_s * factor, incident.end_s * factor)
        )

    return replace(
        scenario,
        duration_s=duration_s,
        drift=stretch(scenario.drift),
        null_spike=stretch(scenario.null_spike),
        concept=stretch(scenario.concept),
    )
