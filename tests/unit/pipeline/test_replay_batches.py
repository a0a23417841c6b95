"""The embedded Replay evaluates the same things whatever its ingest batch size: a slot is
evaluated once the predictions are ``lateness`` past its end, with the labels up to that
moment and no later ones, and slots start at the first event, not at the end of the first
batch. So ``replay`` may read in large batches (faster) and still give what a replay one
event at a time would."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
import pytest

from schemas import DeadLetter
from stream_monitor import simulate
from stream_monitor.demo import reference_profile, simulated_pipeline
from stream_monitor.embedded import Replay
from stream_monitor.pipeline import Pipeline
from stream_monitor.policy import PolicyConfig
from stream_monitor.simulate import Incident, Scenario
from stream_monitor.windowing import utc

# 40 minutes at 5 events/s: feature drift from 10 min, a null spike, labels flipped from
# 25 min; 90% labelled 30 s to 5 min late
SCENARIO = Scenario(
    duration_s=2400,
    rate_eps=5,
    drift=Incident(600, 2400),
    null_spike=Incident(900, 1200),
    concept=Incident(1500, 2400),
)


def _pipeline() -> Pipeline:
    windows = {"bucket": 60, "window": 300, "interval": 60, "lateness": 120}
    return simulated_pipeline(*reference_profile(), PolicyConfig(), windows=windows)


def _outputs(batch_size: int, scenario: Scenario = SCENARIO) -> list[Any]:
    """The replay's outputs (dead letters left out) as JSON, floats to 10 significant
    digits: sums over buckets cut differently differ in the last bits."""
    predictions, labels = simulate.generate(scenario)
    replay = Replay(_pipeline(), batch_size=batch_size)
    outputs = replay.run([orjson.dumps(p) for p in predictions], [orjson.dumps(x) for x in labels])
    return [_rounded(o.model_dump(mode="json")) for o in outputs if not isinstance(o, DeadLetter)]


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@pytest.mark.parametrize("batch_size", [97, 20_000])
def test_the_outputs_do_not_depend_on_the_ingest_batch_size(batch_size: int) -> None:
    expected = _outputs(2000)
    types = {o["type"] for o in expected}
    assert {"drift", "metric", "alert", "retrain_decision"} <= types  # the run tests something
    assert _outputs(batch_size) == expected


def test_slots_start_at_the_first_event_whatever_the_first_batch_holds() -> None:
    """The first batch of 20,000 lines holds the whole stream; the first window evaluated
    still ends at the first slot end after the first event."""
    windows = [o["window"] for o in _outputs(20_000) if o["type"] == "metric"]
    assert windows[0]["end"] == utc(SCENARIO.start_epoch + 60).isoformat().replace("+00:00", "Z")


def test_a_quiet_stream_evaluates_the_same_slots_at_any_batch_size() -> None:
    quiet = replace(SCENARIO, drift=None, null_spike=None, concept=None, duration_s=900)
    slots = [
        [o["window"]["end"] for o in _outputs(size, quiet) if o["type"] == "metric"]
        for size in (50, 5000)
    ]
    assert slots[0] == slots[1]
    assert slots[0]
