"""A quality drop through the worker on the real broker and Redis: the error-stream detector
(HDDM_A) flags it within the stated bound, and stays silent on the stationary control.

Two models share one worker. Both predict ``score >= 0.5`` and are right 90% of the time;
from chunk ``CHANGE`` on, the labels of model ``drop`` are flipped for 30% of the events
(error rate 0.10 -> 0.34). Each chunk is one 60 s slot of 1000 predictions; its labels are
sent, and counted, before the next chunk's predictions make its slot due (event clock),
so each evaluation feeds the detector exactly one chunk of labels: the run is
deterministic.

Stated bound: the first alarm is at the evaluation of the change chunk or the next one,
i.e. within 2000 labels after the change (the calibration in tests/calibration bounds
HDDM_A's delay at 1500 labels for the smaller 0.10 -> 0.20 rise).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tests.conftest import Services
from tests.integration.worker_kafka import TopicReader, produce
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    evaluated,
    events,
    payloads,
    running,
    totals,
    wait_until,
    write_config,
)
from tests.pipeline_fixtures import START

CHUNK, CHUNKS, CHANGE, FLIP = 1000, 6, 4, 0.3
SLOT = 60
BOUND_CHUNKS = 1
"""The alarm comes at most this many evaluations after the change chunk's."""


def truths(rows: list[dict[str, Any]], seed: int, flip_from: int | None) -> list[bytes]:
    """A label 1 s after each prediction: right 90% of the time, and flipped for a share
    ``FLIP`` of the events from index ``flip_from``."""
    rng = np.random.default_rng(seed)
    out = []
    for i, row in enumerate(rows):
        right = rng.uniform() >= 0.1
        if flip_from is not None and i >= flip_from and rng.uniform() < FLIP:
            right = not right
        predicted = int(row["prediction"]["score"] >= 0.5)
        label = predicted if right else 1 - predicted
        body = {"event_id": row["event_id"], "model_id": row["model_id"], "label": label}
        out.append(orjson.dumps(body | {"timestamp": row["timestamp"] + 1}))
    return out


def wait_evaluated(redis_url: str, models: tuple[str, ...], slot: int) -> None:
    for model in models:
        wait_until(lambda: evaluated(redis_url, model, slot), 30, f"{model} at slot {slot}")  # noqa: B023


def wait_joined(redis_url: str, models: tuple[str, ...], joined: int) -> None:
    for model in models:
        wait_until(
            lambda: totals(redis_url, model).get("i:labels:joined", 0) >= joined,  # noqa: B023
            30,
            f"{joined} labels of {model} joined",
        )


def quality_alarms(records: list[dict[str, Any]], model: str) -> list[int]:
    """Chunk index of each evaluation whose error-stream detector alarmed."""
    return sorted(
        int((datetime.fromisoformat(r["window"]["end"]).timestamp() - START) // SLOT) - 1
        for r in records
        if r["model_id"] == model and r["target"]["kind"] == "quality" and r["drift"]
    )


def test_quality_drop_is_flagged_within_the_bound_and_the_control_stays_silent(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    drop, control = f"{names.model}-drop", f"{names.model}-ctl"
    config = write_config(
        tmp_path, services.kafka_bootstrap, services.redis_url, names, models=[drop, control]
    )
    rate = CHUNK / SLOT
    rows = {m: events(CHUNK * CHUNKS, seed=s, rate_eps=rate) for m, s in ((drop, 5), (control, 6))}
    predictions = {m: payloads(m, r) for m, r in rows.items()}
    labels = {
        drop: truths([r | {"model_id": drop} for r in rows[drop]], 11, CHANGE * CHUNK),
        control: truths([r | {"model_id": control} for r in rows[control]], 12, None),
    }
    with (
        running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,),
        TopicReader(services.kafka_bootstrap, names.topic("drift")) as drift,
    ):
        worker.wait_ready()
        for chunk in range(CHUNKS):
            part = slice(chunk * CHUNK, (chunk + 1) * CHUNK)
            sent = [m for model in (drop, control) for m in predictions[model][part]]
            produce(services.kafka_bootstrap, names.topic("predictions"), sent)
            wait_evaluated(services.redis_url, (drop, control), START + chunk * SLOT)
            truth = [m for model in (drop, control) for m in labels[model][part]]
            produce(services.kafka_bootstrap, names.topic("ground_truth"), truth)
            wait_joined(services.redis_url, (drop, control), (chunk + 1) * CHUNK)
        last = START + CHUNKS * SLOT  # one more slot, so the last chunk's labels are fed
        ahead = [r | {"event_id": f"x{i}", "timestamp": last + 1 + i / 100}
                 for i, r in enumerate(events(40))]  # fmt: skip
        produce(services.kafka_bootstrap, names.topic("predictions"),
                payloads(drop, ahead) + payloads(control, ahead))  # fmt: skip
        wait_evaluated(services.redis_url, (drop, control), last)
        records = drift.wait_for(
            lambda rs: sum(r["target"]["kind"] == "quality" for r in rs) >= 2 * (CHUNKS - 1),
            30,
            "a quality drift event per evaluation with labels",
        )
    alarms = quality_alarms(records, drop)
    print(f"quality alarms of {drop} at chunks {alarms} (change at chunk {CHANGE})")
    assert alarms, "the quality drop was not flagged"
    assert CHANGE <= alarms[0] <= CHANGE + BOUND_CHUNKS
    assert quality_alarms(records, control) == []
