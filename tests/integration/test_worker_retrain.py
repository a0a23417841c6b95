"""Retraining end to end on the real broker and Redis: a sustained quality drop, with its
delayed labels on the ground-truth topic, gives exactly one retrain request on the
retrain topic, decided at the same slot as the embedded Replay decides it.

The simulated classifier (5 predictions/s for 1 h, 90% labelled 30 s to 5 min later) has
its labels flipped for 35% of events from minute 20. Event time is fed in 10-minute steps:
the predictions of a step, then the labels that arrived during it, each once the worker has
applied the previous ones to Redis. With a lateness of 15 minutes (a step plus the longest
label delay) every window's labels are joined before the window is evaluated, as in the
Replay.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import yaml
from confluent_kafka import Producer

from schemas import RetrainDecision
from stream_monitor import simulate
from stream_monitor.demo import reference_profile
from stream_monitor.embedded import Replay
from stream_monitor.label_join import JOINED_TOTAL
from stream_monitor.pipeline import Pipeline
from stream_monitor.settings import ModelSettings, Settings
from stream_monitor.simulate import Incident, Scenario
from stream_monitor.specs import model_spec
from stream_monitor.state.memory import MemoryStore
from tests.conftest import Services, kafka_client_config
from tests.integration.worker_kafka import TopicReader
from tests.integration.worker_util import Names, WorkerProcess, running, totals, wait_until

SCENARIO = Scenario(rate_eps=5, drift=None, null_spike=None, concept=Incident(1200, 3600))
WINDOWS = {"bucket": 60, "window": 600, "interval": 60, "lateness": 900, "retention": "2h"}
STEP = 600


def _model(names: Names, reference: Path, accuracy: float) -> dict[str, Any]:
    return {
        "id": names.model,
        "reference": str(reference),
        "windows": WINDOWS,
        "label_ttl": "1h",
        "reference_quality": {"accuracy": accuracy},
    }


def _config(tmp_path: Path, services: Services, names: Names) -> Path:
    profile, accuracy = reference_profile()
    profile.save(tmp_path / "reference.json")
    config = {
        "kafka": {"bootstrap_servers": services.kafka_bootstrap, "group_id": names.group},
        "redis": {"url": services.redis_url},
        "topics": names.topics(),
        "worker": {
            "evaluation_clock": "event",
            "evaluation_tick_seconds": 1,
            "session_timeout_seconds": 6,
        },
        "models": [_model(names, tmp_path / "reference.json", accuracy)],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _replay_requests(model: str) -> list[float]:
    """When the embedded Replay, with the same windows, decides to retrain."""
    profile, accuracy = reference_profile()
    settings = Settings()
    spec = model_spec(
        ModelSettings.model_validate(_model(Names(), Path("r.json"), accuracy) | {"id": model}),
        profile,
        settings.limits,
    )
    pipeline = Pipeline({model: spec}, MemoryStore(), policy=settings.drift.policy())
    predictions, labels = _events(model)
    outputs = Replay(pipeline).run(
        [orjson.dumps(p) for p in predictions], [orjson.dumps(x) for x in labels]
    )
    return [
        o.decided_at.timestamp()
        for o in outputs
        if isinstance(o, RetrainDecision) and o.action == "retrain"
    ]


def _events(model: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    predictions, labels = simulate.generate(SCENARIO)
    return (
        [p | {"model_id": model} for p in predictions],
        [x | {"model_id": model} for x in labels],
    )


def _feed(services: Services, names: Names) -> None:
    """Predictions then labels, one 10-minute step of event time at a time, each step
    counted (predictions) and joined (labels) in Redis before the next."""
    predictions, labels = _events(names.model)
    start = SCENARIO.start_epoch
    producer = Producer({**kafka_client_config(services.kafka_bootstrap), "linger.ms": 5})
    sent = {"i:events": 0, JOINED_TOTAL: 0}
    plan = [("predictions", "i:events", predictions), ("ground_truth", JOINED_TOTAL, labels)]
    for step_end in range(start + STEP, start + SCENARIO.duration_s + STEP, STEP):
        for role, counter, rows in plan:
            step = [r for r in rows if step_end - STEP <= r["timestamp"] < step_end]
            for i, row in enumerate(step):  # keyed by index: spread over every partition
                producer.produce(names.topic(role), orjson.dumps(row), str(i).encode())
            assert producer.flush(30) == 0
            sent[counter] += len(step)
            wait_until(
                lambda c=counter: totals(services.redis_url, names.model).get(c, 0) >= sent[c],
                60,
                f"{role} up to {step_end - start} s in Redis",
            )


def test_a_sustained_quality_drop_through_the_worker_requests_one_retrain(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = _config(tmp_path, services, names)
    last_due = SCENARIO.start_epoch + SCENARIO.duration_s - WINDOWS["lateness"] - 60
    with (
        TopicReader(services.kafka_bootstrap, names.topic("retrain")) as reader,
        running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,),
    ):
        worker.wait_ready()
        _feed(services, names)

        def reached(decisions: list[dict[str, Any]]) -> bool:
            return any(_at(d) >= last_due + WINDOWS["lateness"] for d in decisions)

        decisions = reader.wait_for(reached, 60, "decisions up to the last slot")
    by_id = {d["decision_id"]: d for d in decisions}  # consumers dedupe on the decision id
    requests = [d for d in by_id.values() if d["action"] == "retrain" and not d["dry_run"]]
    assert len(requests) == 1, requests
    assert [_at(r) for r in requests] == _replay_requests(names.model)
    later = [d for d in by_id.values() if _at(d) > _at(requests[0])]
    assert later and {d["action"] for d in later} == {"investigate"}  # the cooldown


def _at(decision: dict[str, Any]) -> float:
    return datetime.fromisoformat(decision["decided_at"]).timestamp()
