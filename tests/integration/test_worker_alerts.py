"""The alert lifecycle through the Kafka worker, on the real broker and Redis.

A drift episode: ``amount`` shifts by 2 sd at 600 s and returns to the reference at
1200 s (10 events/s, 300 s windows every 60 s, the event clock). The default
``feature_drift`` rule (for 2x, keep_firing_for 2x) then goes pending, firing, resolved.
Consumers dedupe alert events on (fingerprint, status, starts_at), and so do these tests
where a kill may make the worker publish a slot twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from stream_monitor.rules import ActiveAlert, Matcher, Silence, active_alerts
from stream_monitor.state import keys
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.state.silence_store import SilenceStore
from stream_monitor.windowing import utc
from tests.conftest import Services
from tests.integration.worker_kafka import TopicReader, produce
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    evaluated,
    events,
    interleave,
    payloads,
    running,
    wait_until,
    write_config,
)
from tests.pipeline_fixtures import START

N_EVENTS, SHIFT_FROM, SHIFT_UNTIL = 20_000, 6000, 12_000  # 2000 s; drift in [600 s, 1200 s)
FIRST_PART, DRIFTING_PART = 3000, 10_000  # produced before the shift; up to 1000 s
LAST_SLOT = START + 1920  # resolved by then: the windows are clean from 1500 s
LIFECYCLE = ["pending", "firing", "resolved"]
RULE = "feature_drift"


def episode(model: str) -> list[bytes]:
    """Events of ``model`` with ``amount`` shifted in [600 s, 1200 s) only."""
    rows = events(N_EVENTS, shift_from=SHIFT_FROM)
    for row in rows[SHIFT_UNTIL:]:
        row["features"]["amount"] -= 40.0
    return payloads(model, rows)


def key(alert: dict[str, Any]) -> tuple[str, str, str]:
    return alert["fingerprint"], alert["status"], alert["starts_at"]


def lifecycles(alerts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each fingerprint's events, deduplicated on (fingerprint, status, starts_at)."""
    by_fingerprint: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alert in {key(a): a for a in alerts}.values():
        by_fingerprint[alert["fingerprint"]].append(alert)
    return dict(by_fingerprint)


def assert_one_episode_each(alerts: list[dict[str, Any]], model: str) -> None:
    """Every alert of ``model``: pending -> firing -> resolved, one fingerprint, one
    ``starts_at`` for firing and resolved, the fingerprint as the Kafka key; the drifted
    feature among them."""
    episodes = lifecycles([a for a in alerts if a["model_id"] == model])
    targets = {
        seen[0]["labels"]["alertname"] + ":" + seen[0]["labels"]["target"]
        for seen in episodes.values()
    }
    assert "feature_drift:amount" in targets, targets
    for fingerprint, seen in episodes.items():
        assert [a["status"] for a in seen] == LIFECYCLE, f"{fingerprint}: {seen}"
        pending, firing, resolved = seen
        assert pending["starts_at"] < firing["starts_at"] == resolved["starts_at"]
        assert resolved["ends_at"] > firing["starts_at"]
        assert {a["fingerprint"] for a in seen} == {fingerprint}


def keyed_by_fingerprint(reader: TopicReader) -> bool:
    return all(k is not None and k.decode() == v["fingerprint"] for k, v in reader.records)


def alert_states(redis_url: str, model: str) -> list[ActiveAlert]:
    store = RedisStore(redis.Redis.from_url(redis_url))
    return active_alerts(store.load_doc(model, "alerts"), model)


@dataclass(frozen=True)
class SilencedRun:
    alerts: list[dict[str, Any]]
    drifted: str
    silenced: str
    silenced_states: list[ActiveAlert]
    """The silenced model's alert states in Redis while its drift alert fired."""
    keyed: bool


def _silence(redis_url: str, model: str) -> Silence:
    silence = Silence(
        id=f"test-{model}",
        matchers=[Matcher(name="model_id", value=model), Matcher(name="alertname", value=RULE)],
        starts_at=utc(START),
        ends_at=utc(START + 86_400),
        created_by="test_worker_alerts",
        comment="added before the drift",
    )
    SilenceStore(redis.Redis.from_url(redis_url)).add(silence)
    return silence


@pytest.fixture(scope="module")
def silenced_run(
    services: Services, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SilencedRun]:
    tmp = tmp_path_factory.mktemp("alerts")
    names = Names()
    drifted, silenced = f"{names.model}-drifted", f"{names.model}-silenced"
    config = write_config(
        tmp, services.kafka_bootstrap, services.redis_url, names, models=[drifted, silenced]
    )
    messages = interleave(episode(drifted), episode(silenced))
    silence = _silence(services.redis_url, silenced)
    topic, url = names.topic("predictions"), services.redis_url

    def silenced_firing() -> list[ActiveAlert]:
        states = alert_states(url, silenced)
        return states if any(a.status == "firing" for a in states) else []

    try:
        with (
            TopicReader(services.kafka_bootstrap, names.topic("alerts")) as reader,
            running(WorkerProcess(config, tmp / "worker.log")) as (worker,),
        ):
            worker.wait_ready()
            produce(services.kafka_bootstrap, topic, messages[: 2 * FIRST_PART])
            wait_until(
                lambda: evaluated(url, drifted, -1) and evaluated(url, silenced, -1),
                60,
                "first slots",
            )
            produce(services.kafka_bootstrap, topic, messages[2 * FIRST_PART : 2 * DRIFTING_PART])
            states = wait_until(silenced_firing, 60, "the silenced alert firing in Redis")
            produce(services.kafka_bootstrap, topic, messages[2 * DRIFTING_PART :])
            both = (drifted, silenced)
            wait_until(lambda: all(evaluated(url, m, LAST_SLOT) for m in both), 90, "last slot")
            alerts = reader.drain()
            keyed = keyed_by_fingerprint(reader)
    finally:
        redis.Redis.from_url(url).hdel(keys.silences(), silence.id)
    yield SilencedRun(alerts, drifted, silenced, states, keyed)


def test_an_injected_drift_goes_pending_firing_resolved_with_one_fingerprint(
    silenced_run: SilencedRun,
) -> None:
    assert_one_episode_each(silenced_run.alerts, silenced_run.drifted)
    assert silenced_run.keyed
    counts = Counter(key(a) for a in silenced_run.alerts)
    assert max(counts.values()) == 1  # nothing was published twice without a crash


def test_a_silenced_alert_emits_nothing_and_shows_as_silenced(silenced_run: SilencedRun) -> None:
    mine = [a for a in silenced_run.alerts if a["model_id"] == silenced_run.silenced]
    assert [a for a in mine if a["rule"] == RULE] == []  # no pending, firing nor resolved
    [drift] = [a for a in silenced_run.silenced_states if a.rule == RULE]
    assert (drift.target, drift.status.value, drift.shown_as) == ("amount", "firing", "silenced")
    assert drift.silenced_by == f"test-{silenced_run.silenced}"
    # The silence matched that rule only: the model's other alerts went out as usual.
    assert {a["rule"] for a in mine} == {"dataset_drift", "out_of_range_rate_spike"}


def test_a_worker_killed_while_an_alert_fires_neither_drops_nor_duplicates_it(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = write_config(
        tmp_path, services.kafka_bootstrap, services.redis_url, names, evaluation_lease_seconds=2
    )
    messages, topic, url = episode(names.model), names.topic("predictions"), services.redis_url
    with TopicReader(services.kafka_bootstrap, names.topic("alerts")) as reader:
        with running(WorkerProcess(config, tmp_path / "first.log")) as (first,):
            first.wait_ready()
            produce(services.kafka_bootstrap, topic, messages[:FIRST_PART])
            wait_until(lambda: evaluated(url, names.model, -1), 60, "a first evaluation")
            produce(services.kafka_bootstrap, topic, messages[FIRST_PART:DRIFTING_PART])
            reader.wait_for(lambda r: any(a["status"] == "firing" for a in r), 60, "firing")
        # SIGKILLed (the running() exit) while the alert fires
        assert any(a.status.value == "firing" for a in alert_states(url, names.model))
        produce(services.kafka_bootstrap, topic, messages[DRIFTING_PART:])
        with running(WorkerProcess(config, tmp_path / "second.log")):
            wait_until(lambda: evaluated(url, names.model, LAST_SLOT), 90, "the last slot")
        alerts = reader.drain()
    assert_one_episode_each(alerts, names.model)
    raw = Counter(orjson.dumps(a) for a in alerts)
    by_key = Counter(key(a) for a in alerts)
    # A repeat is only ever the same event again (the killed worker's uncommitted slot).
    assert len(raw) == len(by_key)
    assert all(n == 1 for (_, status, _), n in by_key.items() if status == "resolved")
    assert alert_states(url, names.model) == []
    print(f"{len(alerts)} alert events, {len(alerts) - len(by_key)} repeated after the kill")
