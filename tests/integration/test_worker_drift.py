"""Drift on the wire: one worker, three models on one topic, drift events read back.

Windows of 300 s evaluated every 60 s, 10 events/s, the event clock. Bound: the first
window flagged ends within two evaluation intervals after the shift (the shift starts at
600 s; the first flagged window ends in (600 s, 720 s]).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from stream_monitor.rules import Matcher, Silence
from stream_monitor.state import keys
from stream_monitor.state.silence_store import SilenceStore
from stream_monitor.windowing import utc
from tests.conftest import Services
from tests.integration.worker_kafka import (
    TopicReader,
    produce,
)
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    evaluated,
    interleave,
    running,
    shifted_scores,
    stream,
    wait_until,
    window_end,
    write_config,
)
from tests.pipeline_fixtures import START

N_EVENTS, SHIFT_AT = 12_000, 6000  # the shift starts at 600 s
LAST_SLOT = START + 1140  # the last slot whose window every partition has passed


@dataclass(frozen=True)
class DriftRun:
    shifted: list[dict[str, Any]]
    flat: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    alerts: dict[str, list[dict[str, Any]]]
    """Alert events by role (shifted, flat, scores); the scores model is silenced."""


@contextmanager
def silenced(redis_url: str, model: str) -> Iterator[None]:
    """A silence of every alert of ``model`` over the whole event time of the test."""
    client = redis.Redis.from_url(redis_url)
    silence = Silence(
        id=f"test-{model}",
        matchers=[Matcher(name="model_id", value=model)],
        starts_at=utc(START),
        ends_at=utc(START + 86_400),
        created_by="test_worker_drift",
        comment="the worker reads silences from Redis",
    )
    SilenceStore(client).add(silence)
    try:
        yield
    finally:
        client.hdel(keys.silences(), silence.id)


@pytest.fixture(scope="module")
def drift_run(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DriftRun]:
    tmp = tmp_path_factory.mktemp("drift")
    names = Names()
    models = {role: f"{names.model}-{role}" for role in ("shifted", "flat", "scores")}
    config = write_config(
        tmp, services.kafka_bootstrap, services.redis_url, names, models=list(models.values())
    )
    messages = interleave(
        stream(models["shifted"], N_EVENTS, shift_from=SHIFT_AT),
        stream(models["flat"], N_EVENTS),
        shifted_scores(models["scores"], N_EVENTS, shift_from=SHIFT_AT),
    )
    topic, first_part = names.topic("predictions"), 3 * 3000
    with (
        silenced(services.redis_url, models["scores"]),
        TopicReader(services.kafka_bootstrap, names.topic("drift")) as drift,
        TopicReader(services.kafka_bootstrap, names.topic("alerts")) as alerts,
        running(WorkerProcess(config, tmp / "worker.log")) as (worker,),
    ):
        worker.wait_ready()
        produce(services.kafka_bootstrap, topic, messages[:first_part])
        # Evaluation starts at the first slot the worker sees: before the shift, here.
        every = list(models.values())
        redis_url = services.redis_url
        wait_until(lambda: all(evaluated(redis_url, m, -1) for m in every), 60, "first slots")
        produce(services.kafka_bootstrap, topic, messages[first_part:])
        wait_until(lambda: all(evaluated(redis_url, m, LAST_SLOT) for m in every), 60, "slots")
        for model in every:
            records = drift.reached(model, LAST_SLOT)
        alerted = alerts.drain()
    drift_of = {role: [r for r in records if r["model_id"] == m] for role, m in models.items()}
    alerts_of = {role: [a for a in alerted if a["model_id"] == m] for role, m in models.items()}
    yield DriftRun(drift_of["shifted"], drift_of["flat"], drift_of["scores"], alerts_of)


def _flagged(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in records if r["drift"] and r["target"]["kind"] == kind]


def test_shift_in_one_feature_is_flagged_on_it_alone_within_two_intervals(
    drift_run: DriftRun,
) -> None:
    flagged = _flagged(drift_run.shifted, "feature")
    assert {r["target"]["name"] for r in flagged} == {"amount"}
    first = min(window_end(r) for r in flagged)
    assert START + 600 < first <= START + 720
    assert min(window_end(r) for r in drift_run.shifted) <= START + 600  # seen unshifted
    assert not _flagged(drift_run.shifted, "prediction")


def test_stationary_stream_flags_nothing(drift_run: DriftRun) -> None:
    assert len({window_end(r) for r in drift_run.flat}) >= 10
    assert [r for r in drift_run.flat if r["drift"]] == []


def test_shift_of_the_scores_is_flagged_as_prediction_drift(drift_run: DriftRun) -> None:
    flagged = _flagged(drift_run.scores, "prediction")
    assert {r["target"]["name"] for r in flagged} == {"score"}
    assert START + 600 < min(window_end(r) for r in flagged) <= START + 720
    assert not _flagged(drift_run.scores, "feature")


def test_a_silence_stored_in_redis_mutes_the_alerts_of_its_model(drift_run: DriftRun) -> None:
    assert drift_run.alerts["scores"] == []  # drifted, but silenced
    firing = {a["labels"]["target"] for a in drift_run.alerts["shifted"] if a["status"] == "firing"}
    assert "amount" in firing
    assert drift_run.alerts["flat"] == []
