"""Issue 5 acceptance on the real broker and Redis, through the worker: realised quality
per window equals the same metrics computed offline (plain Python) from the same joined
data, and label coverage and the label counts by cause are exact.

The labels arrive with random (seeded) delays, some never, some twice, some for ids no
prediction has, some after the label TTL (expired). The windows have a lateness of 1200 s
(event clock), so no window with data is due until every label has been counted: the test
then sends a few predictions far ahead in event time, which makes all of them due at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
import yaml

from tests.conftest import Services
from tests.integration.worker_kafka import TopicReader, produce
from tests.integration.worker_util import (
    Names,
    WorkerProcess,
    counted,
    events,
    payloads,
    running,
    totals,
    wait_until,
    window_end,
    write_config,
)
from tests.pipeline_fixtures import START

N, RATE = 3000, 5.0  # predictions over START .. START + 600 s
TTL, LATENESS, WINDOW, INTERVAL = 3600, 1200, 300, 60
AHEAD = START + 2000  # event time of the predictions that make every window due
CBPE_TOLERANCE = 0.05
"""|estimated - realised accuracy| in a window of 1500 predictions, >= 1000 labelled: about
4 standard errors (docs/quality.md states 0.01 at 20 000 events)."""
LAST_SLOT = START + 780  # the newest slot due once AHEAD has arrived: slot_of(AHEAD - LATENESS)


@dataclass(frozen=True)
class Label:
    event_id: str
    time: float
    label: int
    copies: int = 1

    def messages(self, model: str) -> list[dict[str, Any]]:
        body = {"event_id": self.event_id, "model_id": model, "timestamp": self.time}
        return [body | {"label": self.label}] * self.copies


def ground_truth(rows: list[dict[str, Any]], seed: int = 7) -> list[Label]:
    """Per prediction: 15% never labelled, 2% labelled after the TTL (but within TTL +
    window: the join keeps a record that long, so the label counts as expired, not as an
    unknown id), the rest after an exponential delay (mean 120 s), 5% of those twice; plus
    30 labels for unknown ids. True labels are Bernoulli(score): the scores are calibrated."""
    rng = np.random.default_rng(seed)
    labels = []
    for row in rows:
        fate = rng.uniform()
        truth = int(rng.uniform() < row["prediction"]["score"])
        if fate < 0.15:
            continue
        if fate < 0.17:
            delay = TTL + rng.uniform(1, WINDOW)
            labels.append(Label(row["event_id"], row["timestamp"] + delay, truth))
            continue
        delay = min(float(rng.exponential(120)), TTL - 1)
        copies = 2 if rng.uniform() < 0.05 else 1
        labels.append(Label(row["event_id"], row["timestamp"] + delay, truth, copies))
    for i in range(30):
        labels.append(Label(f"ghost-{i}", START + float(rng.uniform(0, 600)), 1))
    return sorted(labels, key=lambda x: x.time)  # labels arrive in the order they are known


@dataclass
class Offline:
    """The join and the metrics computed from the generated data alone."""

    rows: list[dict[str, Any]]
    labels: list[Label]

    def joined(self) -> dict[str, int]:
        known = {r["event_id"]: r["timestamp"] for r in self.rows}
        return {
            x.event_id: x.label
            for x in self.labels
            if x.event_id in known and x.time - known[x.event_id] <= TTL
        }

    def causes(self, start: float = -np.inf, end: float = np.inf) -> Counter[str]:
        """Label outcomes of labels timed in [start, end)."""
        known = {r["event_id"]: r["timestamp"] for r in self.rows}
        out: Counter[str] = Counter()
        for x in self.labels:
            if not start <= x.time < end:
                continue
            if x.event_id not in known:
                out["unknown_id"] += x.copies
            elif x.time - known[x.event_id] > TTL:
                out["expired"] += x.copies
            else:
                out["joined"] += 1
                out["duplicate"] += x.copies - 1
        return out

    def window(self, end: float) -> dict[str, float | None]:
        start, joined = end - WINDOW, self.joined()
        inside = [r for r in self.rows if start <= r["timestamp"] < end]
        pairs = [(r["prediction"]["score"] >= 0.5, joined[r["event_id"]] == 1) for r in inside
                 if r["event_id"] in joined]  # fmt: skip
        tp = sum(p and t for p, t in pairs)
        fp = sum(p and not t for p, t in pairs)
        fn = sum(t and not p for p, t in pairs)
        tn = len(pairs) - tp - fp - fn
        causes = self.causes(start, end)
        return {
            "accuracy": ratio(tp + tn, len(pairs)),
            "precision": ratio(tp, tp + fp),
            "recall": ratio(tp, tp + fn),
            "f1": ratio(2 * tp, 2 * tp + fp + fn),
            "label_coverage": ratio(len(pairs), len(inside)),
            "labelled_events": float(len(pairs)),
            "predictions": float(len(inside)),
        } | {f"labels_{cause}": float(causes[cause]) for cause in ("joined", "duplicate")}


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def lateness_config(path: Path) -> None:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    windows = {"window": WINDOW, "interval": INTERVAL, "lateness": LATENESS}
    config["models"][0]["windows"] |= windows
    config["models"][0]["label_ttl"] = TTL
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def test_realised_quality_and_label_counts_equal_the_offline_join(
    services: Services, tmp_path: Path
) -> None:
    names = Names()
    config = write_config(tmp_path, services.kafka_bootstrap, services.redis_url, names)
    lateness_config(config)
    rows = events(N, seed=3, rate_eps=RATE)
    labels = ground_truth(rows)
    ahead = [r | {"event_id": f"ahead-{i}", "timestamp": AHEAD + i / 10} for i, r in
             enumerate(events(40, seed=4))]  # fmt: skip
    messages = [orjson.dumps(m) for x in labels for m in x.messages(names.model)]
    with (
        running(WorkerProcess(config, tmp_path / "worker.log")) as (worker,),
        TopicReader(services.kafka_bootstrap, names.topic("metrics")) as metrics,
    ):
        worker.wait_ready()
        produce(services.kafka_bootstrap, names.topic("predictions"), payloads(names.model, rows))
        wait_until(lambda: counted(services.redis_url, names.model) >= N, 60, "predictions")
        produce(services.kafka_bootstrap, names.topic("ground_truth"), messages)
        causes = ("joined", "duplicate", "unknown_id", "expired")

        def labels_counted() -> bool:
            found = totals(services.redis_url, names.model)
            return sum(found.get(f"i:labels:{c}", 0) for c in causes) >= len(messages)

        wait_until(labels_counted, 60, "every label counted")
        produce(services.kafka_bootstrap, names.topic("predictions"), payloads(names.model, ahead))

        def last_window_in(records: list[dict[str, Any]]) -> bool:
            return any(r.get("group") == "quality" and window_end(r) >= LAST_SLOT for r in records)

        published = metrics.wait_for(last_window_in, 90, "the quality metrics of every window")
    offline = Offline(rows, labels)
    found = totals(services.redis_url, names.model)
    expected = offline.causes()
    assert {c: found.get(f"i:labels:{c}", 0) for c in causes} == {c: expected[c] for c in causes}
    assert min(expected[c] for c in causes) > 0, "every cause occurs in the test data"
    quality = {window_end(r): r["metrics"] for r in published
               if r.get("group") == "quality" and r["model_id"] == names.model}  # fmt: skip
    windows_with_data = [end for end in quality if offline.window(end)["labelled_events"]]
    assert len(windows_with_data) >= 10, sorted(quality)
    full = [quality[end] for end in windows_with_data if quality[end]["labelled_events"] >= 1000]
    assert full, "no window with 1000 labels"
    gaps = [round(abs(g["estimated_accuracy"] - g["accuracy"]), 4) for g in full]
    print(f"CBPE gaps in {len(full)} windows: {gaps}")
    for got in full:  # the scores are calibrated: CBPE agrees (4 standard errors here)
        assert abs(got["estimated_accuracy"] - got["accuracy"]) <= CBPE_TOLERANCE
    for end in sorted(quality):
        want, got = offline.window(end), quality[end]
        for name, value in want.items():
            assert got[name] == (None if value is None else pytest.approx(value, rel=1e-12)), (
                f"window ending {end - START:+.0f} s: {name}"
            )
