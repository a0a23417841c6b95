"""``demo``: a simulated classifier in production through the whole pipeline, in memory.

Income drifts at minute 20, ``age`` goes null for 40% of events from minute 35 to 43 (a
data-quality incident) and the world changes at minute 45 (labels flip: quality drops).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from stream_monitor import simulate
from stream_monitor.pipeline import Pipeline
from stream_monitor.policy import PolicyConfig
from stream_monitor.replay import Output, ReplaySummary, read_lines, run
from stream_monitor.settings import ModelSettings, Settings
from stream_monitor.specs import model_spec
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stats.build import build_profile
from stream_monitor.stats.profile import ReferenceProfile


@dataclass(frozen=True)
class DemoFiles:
    directory: Path

    @property
    def predictions(self) -> Path:
        return self.directory / "predictions.jsonl"

    @property
    def labels(self) -> Path:
        return self.directory / "labels.jsonl"

    @property
    def reference(self) -> Path:
        return self.directory / "reference.json"

    @property
    def outputs(self) -> Path:
        return self.directory / "outputs.jsonl"

    @property
    def report(self) -> Path:
        return self.directory / "report.html"


def reference_profile() -> tuple[ReferenceProfile, float]:
    """The model's reference profile, and its expected accuracy on the reference data
    (its scores are calibrated there: the mean of max(p, 1 - p))."""
    columns = simulate.reference()
    scores = np.asarray(columns["score"], dtype=np.float64)
    return build_profile(columns), float(np.maximum(scores, 1 - scores).mean())


def write_inputs(files: DemoFiles, scenario: simulate.Scenario) -> ReferenceProfile:
    """Simulate and write the demo's inputs, as a user would have them."""
    files.directory.mkdir(parents=True, exist_ok=True)
    profile, accuracy = reference_profile()
    profile.save(files.reference)
    predictions, labels = simulate.generate(scenario)
    files.predictions.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in predictions))
    files.labels.write_bytes(b"".join(orjson.dumps(label) + b"\n" for label in labels))
    (files.directory / "reference_accuracy.txt").write_text(f"{accuracy:.4f}\n")
    return profile


def simulated_pipeline(
    profile: ReferenceProfile, accuracy: float, retrain: PolicyConfig, **model: Any
) -> Pipeline:
    """The simulated classifier on the default settings, in memory: its reference accuracy,
    labels kept for an hour (``model``: other :class:`ModelSettings` fields)."""
    settings = Settings()
    settings_of_model = ModelSettings(
        id=simulate.MODEL_ID,
        reference=Path("reference.json"),
        reference_quality={"accuracy": accuracy},
        label_ttl="1h",
        **model,
    )
    spec = model_spec(settings_of_model, profile, settings.limits)
    return Pipeline(
        {spec.model_id: spec},
        MemoryStore(),
        policy=settings.drift.policy(),
        retrain_policy=retrain,
    )


def demo_pipeline(profile: ReferenceProfile, accuracy: float) -> Pipeline:
    # A quality alert must persist 5 minutes (not the default 15) before the demo's hour
    # ends, so the retraining decision shows up.
    return simulated_pipeline(profile, accuracy, PolicyConfig(persistence=timedelta(minutes=5)))


def run_demo(files: DemoFiles, on_output: Callable[[Output], None] | None = None) -> ReplaySummary:
    """Simulate, then replay the predictions and labels; outputs go to ``outputs.jsonl``."""
    profile = write_inputs(files, simulate.Scenario())
    accuracy = float((files.directory / "reference_accuracy.txt").read_text())
    pipeline = demo_pipeline(profile, accuracy)
    with files.outputs.open("wb") as out:
        return run(
            pipeline,
            read_lines(files.predictions),
            read_lines(files.labels),
            out=out,
            keep=True,
            on_output=on_output,
        )
