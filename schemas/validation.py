"""Decoding raw Kafka message bytes into validated events, with actionable reasons.

Nothing here raises on bad input: every message decodes into the events it holds and the
:class:`Rejection` of each part that could not be used, so the caller can dead-letter them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from schemas.events import MAX_EVENTS_PER_ENVELOPE, GroundTruthEvent, PredictionEvent

DEFAULT_MAX_MESSAGE_BYTES = 1_048_576
_MAX_ERRORS_IN_DETAIL = 5

E = TypeVar("E", bound=BaseModel)


class RejectReason(StrEnum):
    """Stable reason codes of the dead-letter topic."""

    OVERSIZED = "oversized"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    NON_FINITE = "non_finite"
    SCHEMA_VIOLATION = "schema_violation"
    BAD_ENVELOPE = "bad_envelope"
    UNKNOWN_MODEL = "unknown_model"
    UNKNOWN_FEATURE = "unknown_feature"
    MISSING_FEATURE = "missing_feature"
    LIMIT_EXCEEDED = "limit_exceeded"


@dataclass(frozen=True)
class Rejection:
    """Why (part of) a message was not used. ``index`` is the position inside an envelope."""

    reason: RejectReason
    detail: str
    index: int | None = None
    model_id: str | None = None


@dataclass
class Decoded(Generic[E]):
    events: list[E] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


_UNION_TAGS = {"bool", "int", "float", "str", "constrained-str", "constrained-float"}


def _problems(error: ValidationError) -> dict[str, list[str]]:
    """Field path -> messages, with the members of a union folded into one line."""
    problems: dict[str, list[str]] = {}
    for e in error.errors(include_url=False):
        loc = [str(p) for p in e["loc"]]
        tags = []
        while loc and loc[-1] in _UNION_TAGS:
            tags.append(loc.pop())
        where = ".".join(loc) or "<event>"
        if tags:
            got = type(e["input"]).__name__
            allowed = tags[0].removeprefix("constrained-")
            problems.setdefault(where, []).append(f"got {got}; allowed: {allowed}")
        else:
            problems.setdefault(where, []).append(e["msg"])
    return problems


def _describe(error: ValidationError) -> tuple[RejectReason, str]:
    kinds = {e["type"] for e in error.errors(include_url=False)}
    if "finite_number" in kinds:
        reason = RejectReason.NON_FINITE
    elif kinds == {"missing"}:
        reason = RejectReason.MISSING_FIELD
    else:
        reason = RejectReason.SCHEMA_VIOLATION
    parts = []
    for where, messages in list(_problems(error).items())[:_MAX_ERRORS_IN_DETAIL]:
        if all(m.startswith("got ") for m in messages) and len(messages) > 1:
            allowed = ", ".join(m.split("allowed: ")[1] for m in messages)
            parts.append(f"{where}: wrong type, {messages[0].split(';')[0]}; allowed: {allowed}")
        else:
            parts.append(f"{where}: {'; '.join(messages)}")
    return reason, "; ".join(parts)


def _model_id_of(obj: Any) -> str | None:
    if isinstance(obj, dict):
        mid = obj.get("model_id")
        if isinstance(mid, str) and len(mid) <= 64:
            return mid
    return None


def _validate_one(model: type[E], obj: Any, index: int | None, out: Decoded[E]) -> None:
    if not isinstance(obj, dict):
        out.rejections.append(
            Rejection(
                RejectReason.NOT_AN_OBJECT,
                f"expected a JSON object, got {type(obj).__name__}",
                index,
            )
        )
        return
    try:  # model_validate(obj), minus its Python wrapper: this runs once per event
        out.events.append(model.__pydantic_validator__.validate_python(obj))
    except ValidationError as exc:
        reason, detail = _describe(exc)
        out.rejections.append(Rejection(reason, detail, index, _model_id_of(obj)))


def _parse(raw: bytes, max_bytes: int) -> tuple[Any, Rejection | None]:
    if len(raw) > max_bytes:
        detail = f"message is {len(raw)} bytes; the limit is {max_bytes} bytes"
        return None, Rejection(RejectReason.OVERSIZED, detail)
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        if b"NaN" in raw or b"Infinity" in raw or "infinity" in str(exc):
            detail = f"NaN and Infinity are not JSON numbers; send null or a finite number ({exc})"
            return None, Rejection(RejectReason.NON_FINITE, detail)
        return None, Rejection(RejectReason.MALFORMED_JSON, f"not valid UTF-8 JSON: {exc}")


def _envelope_events(obj: dict[str, Any]) -> tuple[list[Any], Rejection | None]:
    events = obj.get("events")
    extra = sorted(set(obj) - {"type", "events"})
    if obj.get("type", "batch") != "batch" or extra:
        detail = f"an envelope has only 'type': 'batch' and 'events'; got keys {sorted(obj)}"
        return [], Rejection(RejectReason.BAD_ENVELOPE, detail)
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS_PER_ENVELOPE:
        size = len(events) if isinstance(events, list) else type(events).__name__
        detail = f"'events' must be a list of 1 to {MAX_EVENTS_PER_ENVELOPE} events; got {size}"
        return [], Rejection(RejectReason.BAD_ENVELOPE, detail)
    return events, None


def decode_predictions(
    raw: bytes, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> Decoded[PredictionEvent]:
    """Decode one message: a prediction event or a batch envelope of them.

    >>> d = decode_predictions(b'{"events": [1]}')
    >>> (len(d.events), d.rejections[0].reason.value, d.rejections[0].index)
    (0, 'not_an_object', 0)
    """
    out: Decoded[PredictionEvent] = Decoded()
    obj, rejection = _parse(raw, max_bytes)
    if rejection is None and isinstance(obj, dict) and "events" in obj:
        items, rejection = _envelope_events(obj)
        for i, item in enumerate(items):
            _validate_one(PredictionEvent, item, i, out)
    elif rejection is None:
        _validate_one(PredictionEvent, obj, None, out)
    if rejection is not None:
        out.rejections.append(rejection)
    return out


def decode_ground_truth(
    raw: bytes, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> Decoded[GroundTruthEvent]:
    """Decode one ground-truth message (a single event)."""
    out: Decoded[GroundTruthEvent] = Decoded()
    obj, rejection = _parse(raw, max_bytes)
    if rejection is not None:
        out.rejections.append(rejection)
    else:
        _validate_one(GroundTruthEvent, obj, None, out)
    return out
