"""The typed fast path: what it takes as columns, and what it leaves to the other paths."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import orjson

from stream_monitor.dead_letters import raw_messages
from stream_monitor.typed_decode import typed_decode
from stream_monitor.typed_schema import layout, schema_of
from tests.pipeline_fixtures import MODEL, START, spec

MAX_BYTES = 10_000


def _event(event_id: str, model: str = MODEL, **changes: Any) -> dict[str, Any]:
    event = {
        "event_id": event_id,
        "model_id": model,
        "model_version": "1",
        "timestamp": START + 0.5,
        "features": {"amount": 101.5, "age": 40, "country": "de"},
        "prediction": {"score": 0.25, "label": 0},
    }
    return {**event, **changes}


def _specs() -> dict[str, Any]:
    base = spec()
    return {MODEL: base, "other": replace(base, model_id="other")}


def test_single_events_and_envelopes_become_columns() -> None:
    envelope = {"type": "batch", "events": [_event("e-2"), _event("e-3", latency_ms=3)]}
    values = [orjson.dumps(_event("e-1")), orjson.dumps(envelope)]
    plan = typed_decode(raw_messages(values, "preds", 0, 7), _specs(), MAX_BYTES)
    assert plan.left == []
    [(model, events)] = plan.parts
    assert model == MODEL
    assert events.event_ids == ["e-1", "e-2", "e-3"]
    assert events.offsets.tolist() == [7, 8, 8]
    assert events.order.tolist() == [0, 10_001, 10_002]
    assert events.features["amount"].tolist() == [101.5] * 3  # type: ignore[union-attr]
    assert events.features["age"].dtype == np.float64  # type: ignore[union-attr]
    assert events.features["country"] == ["de"] * 3
    assert events.latencies_ms == [None, None, 3]
    assert events.outputs["label"] == [0, 0, 0]


def test_events_of_several_models_are_parted_by_model() -> None:
    values = [orjson.dumps(_event("a", model=m)) for m in (MODEL, "other", MODEL)]
    plan = typed_decode(raw_messages(values, "preds", 0, 0), _specs(), MAX_BYTES)
    parts = {model: events.offsets.tolist() for model, events in plan.parts}
    assert parts == {MODEL: [0, 2], "other": [1]}


def test_what_the_structs_refuse_or_doubt_is_left() -> None:
    refused = [
        _event("bool", features={"amount": True, "age": 40, "country": "de"}),
        _event("unknown model", model="nobody"),
        _event("extra", surprise=1),
        _event("", features={"amount": 1.0, "age": 2.0, "country": "de"}),
        _event("no output", prediction={}),
        _event("text time", timestamp="2026-01-01T00:00:00"),
        _event("huge", prediction={"score": 0.5, "value": 2**63}),
    ]
    values = [orjson.dumps(e) for e in [_event("fine"), *refused]]
    values.append(b'{"events": [' + values[0] + b", " + values[1] + b"]}")
    plan = typed_decode(raw_messages(values, "preds", 0, 0), _specs(), MAX_BYTES)
    assert plan.left == list(range(1, len(values)))
    [(_, events)] = plan.parts
    assert events.event_ids == ["fine"]


def test_an_oversized_message_is_left() -> None:
    values = [orjson.dumps(_event("e-1"))]
    plan = typed_decode(raw_messages(values, "preds", 0, 0), _specs(), len(values[0]) - 1)
    assert (plan.parts, plan.left) == ([], [0])


def test_the_structs_of_a_set_of_models_are_built_once() -> None:
    specs = _specs()
    assert schema_of(specs) is schema_of(dict(specs))
    assert layout(specs[MODEL]) == (MODEL, ("amount", "age", "country"), 2)
