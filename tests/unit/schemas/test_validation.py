"""Each kind of bad input is rejected with a stable reason and a detail a person can act on."""

from __future__ import annotations

import pytest

from schemas import MAX_EVENTS_PER_ENVELOPE, RejectReason, decode_ground_truth, decode_predictions
from tests.factories import encode, prediction


def test_valid_single_event_decodes() -> None:
    decoded = decode_predictions(encode(prediction(3)))
    assert decoded.rejections == []
    assert decoded.events[0].event_id == "e-3"
    assert decoded.events[0].timestamp.tzinfo is not None


def test_envelope_keeps_valid_events_and_rejects_bad_ones_by_index() -> None:
    bad = prediction(1, latency_ms="slow")
    decoded = decode_predictions(encode({"type": "batch", "events": [prediction(0), bad]}))
    assert [e.event_id for e in decoded.events] == ["e-0"]
    [rejection] = decoded.rejections
    assert (rejection.index, rejection.reason, rejection.model_id) == (
        1,
        RejectReason.SCHEMA_VIOLATION,
        "churn",
    )
    assert "latency_ms" in rejection.detail


BAD_MESSAGES = [
    (b"{not json", RejectReason.MALFORMED_JSON, "not valid UTF-8 JSON"),
    (b"\xff\xfe", RejectReason.MALFORMED_JSON, "not valid UTF-8 JSON"),
    (b"[1, 2]", RejectReason.NOT_AN_OBJECT, "expected a JSON object"),
    (b'{"event_id": "x"}', RejectReason.MISSING_FIELD, "model_id: Field required"),
    (
        encode(prediction(0)).replace(b'"age":30', b'"age":NaN'),
        RejectReason.NON_FINITE,
        "NaN and Infinity are not JSON numbers",
    ),
    (
        encode(prediction(0)).replace(b'"age":30', b'"age":1e999'),
        RejectReason.NON_FINITE,
        "finite number",
    ),
    (
        encode(prediction(0, features={"age": [1]})),
        RejectReason.SCHEMA_VIOLATION,
        "features.age: wrong type, got list; allowed: bool, int, float, str",
    ),
    (
        encode(prediction(0, prediction={"score": 1.5})),
        RejectReason.SCHEMA_VIOLATION,
        "prediction.score: Input should be less than or equal to 1",
    ),
    (
        encode(prediction(0, prediction={})),
        RejectReason.SCHEMA_VIOLATION,
        "at least one of score, label or value",
    ),
    (
        encode(prediction(0, timestamp="2026-01-01T00:00:00")),
        RejectReason.SCHEMA_VIOLATION,
        "timezone",
    ),
    (
        encode(prediction(0, model_id="bad id!")),
        RejectReason.SCHEMA_VIOLATION,
        "model_id",
    ),
    (encode({"events": []}), RejectReason.BAD_ENVELOPE, "list of 1 to"),
    (encode({"events": [prediction(0)], "x": 1}), RejectReason.BAD_ENVELOPE, "only 'type'"),
    (b"x" * 2_000_000, RejectReason.OVERSIZED, "the limit is 1048576 bytes"),
    (b"[" * 5000, RejectReason.MALFORMED_JSON, "depth"),
]


@pytest.mark.parametrize(("raw", "reason", "detail"), BAD_MESSAGES)
def test_bad_message_is_rejected_with_reason(raw: bytes, reason: RejectReason, detail: str) -> None:
    decoded = decode_predictions(raw)
    assert decoded.events == []
    assert [r.reason for r in decoded.rejections] == [reason]
    assert detail in decoded.rejections[0].detail


def test_envelope_over_the_event_limit_is_rejected() -> None:
    events = [prediction(i) for i in range(MAX_EVENTS_PER_ENVELOPE + 1)]
    decoded = decode_predictions(encode({"events": events}), max_bytes=10**9)
    assert decoded.rejections[0].reason == RejectReason.BAD_ENVELOPE


def test_extra_field_is_rejected() -> None:
    decoded = decode_predictions(encode(prediction(0, colour="red")))
    assert decoded.rejections[0].reason == RejectReason.SCHEMA_VIOLATION
    assert "colour: Extra inputs are not permitted" in decoded.rejections[0].detail


def test_ground_truth_needs_exactly_one_of_label_or_value() -> None:
    base = {"event_id": "e-1", "model_id": "churn", "timestamp": 1_760_000_100}
    assert decode_ground_truth(encode({**base, "label": 1})).events[0].label == 1
    both = decode_ground_truth(encode({**base, "label": 1, "value": 2.0}))
    assert "exactly one of label or value" in both.rejections[0].detail
    assert decode_ground_truth(encode({**base, "value": 2.5})).events[0].value == 2.5
