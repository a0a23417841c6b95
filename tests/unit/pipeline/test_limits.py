"""Limits against hostile or broken input: what exceeds one is dead-lettered with its
reason and counted; nothing an event sends can grow Redis beyond the configured shape."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

from schemas import RejectReason
from stream_monitor.dead_letters import MAX_ORIGINAL_BYTES
from stream_monitor.errors import UserError
from stream_monitor.ingest import RawMessage
from stream_monitor.model_spec import INVALID_MODEL, ModelSpec
from stream_monitor.pipeline import Pipeline
from stream_monitor.settings import LimitSettings, ModelSettings
from stream_monitor.specs import model_spec
from stream_monitor.state import keys
from stream_monitor.state.memory import MemoryStore
from stream_monitor.stats.build import ProfileOptions, build_profile
from stream_monitor.windowing import Windowing
from tests.factories import encode
from tests.pipeline_fixtures import MODEL, events, reference, spec

KAFKA_RECORD_LIMIT = 1_000_000  # librdkafka's default message.max.bytes


def _messages(payloads: list[bytes]) -> list[RawMessage]:
    return [RawMessage(p, "preds", 0, i) for i, p in enumerate(payloads)]


def _pipeline(model: ModelSpec | None = None, max_bytes: int = 1_048_576) -> Pipeline:
    s = model or spec()
    return Pipeline({s.model_id: s}, MemoryStore(), max_message_bytes=max_bytes)


def _totals(pipeline: Pipeline, model: str) -> dict[str, int]:
    return {k: int(v) for k, v in pipeline.store.read([keys.totals(model)])[0].items()}


def _fields(store: MemoryStore) -> int:
    return sum(len(h) for h in store._hashes.values())


def test_an_envelope_of_bad_entries_copies_its_bytes_into_one_dead_letter_only() -> None:
    entries = [{**e, "model_id": f"intruder-{i}"} for i, e in enumerate(events(300))]
    pipeline = _pipeline()
    result = pipeline.ingest(_messages([encode({"events": entries})]))
    letters = result.dead_letters
    assert [d.reason for d in letters] == [RejectReason.UNKNOWN_MODEL] * 300
    assert [d.index for d in letters] == list(range(300))
    assert letters[0].original and all(d.original == "" for d in letters[1:])
    assert {d.original_size for d in letters} == {len(encode({"events": entries}))}
    # 300 distinct unknown model ids leave counts of one namespace only
    assert _totals(pipeline, INVALID_MODEL) == {"i:dlq:unknown_model": 300}
    assert not any("intruder" in key for key in pipeline.store._hashes)


def test_a_large_bad_message_gives_a_dead_letter_kafka_accepts() -> None:
    huge = b'{"model_id": "fraud", "blob": "' + b"x" * 900_000  # unterminated: malformed
    result = _pipeline().ingest(_messages([huge]))
    (letter,) = result.dead_letters
    assert letter.reason == RejectReason.MALFORMED_JSON
    assert letter.original_size == len(huge)
    assert base64.b64decode(letter.original) == huge[:MAX_ORIGINAL_BYTES]
    assert len(letter.model_dump_json()) < KAFKA_RECORD_LIMIT


def test_messages_above_max_message_bytes_are_dead_lettered_as_oversized() -> None:
    event = events(1)[0]
    big = encode({**event, "features": {**event["features"], "country": "y" * 1000}})
    pipeline = _pipeline(max_bytes=1024)
    result = pipeline.ingest(_messages([big, encode(event)]))
    assert [d.reason for d in result.dead_letters] == [RejectReason.OVERSIZED]
    assert "the limit is 1024 bytes" in result.dead_letters[0].detail
    assert result.events == 1
    assert _totals(pipeline, INVALID_MODEL) == {"i:dlq:oversized": 1}


def test_more_features_than_max_features_per_event_are_dead_lettered() -> None:
    limited = ModelSpec(MODEL, reference(), Windowing(60, 300, 60, 0), max_features_per_event=3)
    event = events(1)[0]
    extra = {**event, "features": {**event["features"], **{f"f{i}": 1.0 for i in range(50)}}}
    pipeline = _pipeline(limited)
    result = pipeline.ingest(_messages([encode(extra), encode(event)]))
    assert [d.reason for d in result.dead_letters] == [RejectReason.LIMIT_EXCEEDED]
    assert "53 features; the limit is 3" in result.dead_letters[0].detail
    assert _totals(pipeline, MODEL) == {"i:events": 1, "i:dlq:limit_exceeded": 1}


def test_new_categories_never_add_fields_to_the_store() -> None:
    """1000 distinct unseen categories are counted in ``__other__``: the store ends with as
    many fields as after 1000 events of one known category."""
    base = events(1000)
    unseen = [{**e, "features": {**e["features"], "country": f"c{i}"}} for i, e in enumerate(base)]
    known = [{**e, "features": {**e["features"], "country": "de"}} for e in base]
    seen_fields = []
    for rows in (unseen, known):
        pipeline = _pipeline()
        assert pipeline.ingest(_messages([encode(r) for r in rows])).events == 1000
        assert isinstance(pipeline.store, MemoryStore)
        seen_fields.append(_fields(pipeline.store))
    assert seen_fields[0] == seen_fields[1]


def _settings(tmp_path: Path) -> ModelSettings:
    return ModelSettings(id=MODEL, reference=tmp_path / "unused.json")


def test_a_reference_with_more_categories_than_the_limit_is_a_config_error(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(0)
    wide = build_profile(
        {"city": [f"c{i}" for i in rng.integers(0, 80, 4000)], "score": rng.uniform(0, 1, 4000)},
        options=ProfileOptions(max_categories=80),
    )
    with pytest.raises(
        UserError, match=r"'city' has 80 categories.*max_categories_per_feature is 50"
    ):
        model_spec(_settings(tmp_path), wide, LimitSettings())
    model_spec(_settings(tmp_path), wide, LimitSettings(max_categories_per_feature=80))


def test_a_reference_with_more_features_than_the_limit_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"3 features; limits.max_features_per_event is 2"):
        model_spec(_settings(tmp_path), reference(), LimitSettings(max_features_per_event=2))
