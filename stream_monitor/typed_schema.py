"""The msgspec structs of the typed fast path: one event struct per model, tagged by its
``model_id``, whose features are exactly the model's.

A struct field takes a value only where orjson reads the same JSON the same way and the
pydantic schema takes it too: integers within 64 bits (orjson reads larger ones as
floats), numbers that are finite, booleans apart from numbers, text no longer than the
schema allows (both count characters), scores in [0, 1], latencies not negative, numeric
features as ``float | None`` (as the columns hold them). Timestamps, and that a
prediction has an output, are checked on the decoded columns
(:mod:`stream_monitor.typed_decode`); whatever a struct refuses is left to the checks of
:mod:`stream_monitor.fast_decode`, then to the pydantic schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal, Union

import msgspec

from schemas.events import MAX_EVENTS_PER_ENVELOPE, MAX_STRING_LENGTH
from stream_monitor.model_spec import ModelSpec
from stream_monitor.stats.profile import NumericProfile

_INT64_MAX = 2**63 - 1
_Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=_INT64_MAX)]
_Number = _Int64 | float
_Text = Annotated[str, msgspec.Meta(max_length=MAX_STRING_LENGTH)]
_Label = bool | _Int64 | _Text
_Value = bool | _Int64 | float | _Text | None
"""A value of a non-numeric feature."""
_Score = Annotated[int, msgspec.Meta(ge=0, le=1)] | Annotated[float, msgspec.Meta(ge=0, le=1)]
_Latency = Annotated[int, msgspec.Meta(ge=0, le=_INT64_MAX)] | Annotated[float, msgspec.Meta(ge=0)]
_EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
_Version = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
UNKNOWN_TAG = ""
"""The tag of the struct events of no configured model decode to (no model id is empty):
a union keeps msgspec from accepting an event without ``model_id``."""


class Prediction(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    score: _Score | None = None
    label: _Label | None = None
    value: _Number | None = None


class Unconfigured(msgspec.Struct, tag_field="model_id", tag=UNKNOWN_TAG, gc=False):
    """An event of the empty model id: always left to the other paths."""


Layout = tuple[str, tuple[str, ...], int]
"""A model's id, its feature names (numeric ones first) and how many are numeric."""


@dataclass(frozen=True)
class TypedSchema:
    """The decoders of a set of models, and each event struct's layout."""

    event: msgspec.json.Decoder[Any]
    """A single event (an event struct or :class:`Unconfigured`)."""
    envelope: msgspec.json.Decoder[Any]
    """A batch envelope (its ``events`` attribute: the event structs)."""
    layouts: dict[type, Layout]


def layout(spec: ModelSpec) -> Layout:
    """The model's id and feature names, numeric features first."""
    features = spec.profile.features
    numeric = tuple(n for n, p in features.items() if isinstance(p, NumericProfile))
    other = tuple(n for n in features if n not in set(numeric))
    return spec.model_id, numeric + other, len(numeric)


def schema_of(specs: Mapping[str, ModelSpec]) -> TypedSchema:
    """The decoders of ``specs`` (built once per set of layouts)."""
    return _schema(tuple(layout(s) for s in specs.values()))


def _event_struct(model: Layout, tagged: bool = True) -> type[msgspec.Struct]:
    """The model's event struct: tagged by ``model_id`` (a member of a union), or, for a
    model alone, with ``model_id`` a required literal field (no union: msgspec then has
    no tag to look for first, about a tenth less decoding time)."""
    model_id, names, numeric = model
    attributes = [f"f{i}" for i in range(len(names))]
    features = msgspec.defstruct(
        "Features",
        [(a, (float | None) if i < numeric else _Value) for i, a in enumerate(attributes)],
        rename=dict(zip(attributes, names, strict=True)),
        forbid_unknown_fields=True,
        gc=False,
    )
    # untagged: model_id last (keyword-only fields may follow defaults), so the event's
    # other fields keep their positions in astuple()
    own_id = [] if tagged else [("model_id", Literal[model_id])]
    options: dict[str, Any] = (
        {"tag_field": "model_id", "tag": model_id} if tagged else {"kw_only": True}
    )
    return msgspec.defstruct(
        "Event",
        [
            ("event_id", _EventId),
            ("model_version", _Version),
            ("timestamp", float | str),
            ("features", features),
            ("prediction", Prediction),
            ("latency_ms", _Latency | None, None),
            ("status", Literal["ok", "error"], "ok"),
            ("error", _Text | None, None),
            *own_id,
        ],
        forbid_unknown_fields=True,
        gc=False,
        **options,
    )


@lru_cache(maxsize=16)
def _schema(models: tuple[Layout, ...]) -> TypedSchema:
    layouts = {_event_struct(m, tagged=len(models) > 1): m for m in models}
    event: Any = Union[(Unconfigured, *layouts)] if len(models) > 1 else next(iter(layouts))
    events = Annotated[list[event], msgspec.Meta(min_length=1, max_length=MAX_EVENTS_PER_ENVELOPE)]
    envelope = msgspec.defstruct(
        "Envelope",
        [("events", events), ("type", Literal["batch"], "batch")],
        forbid_unknown_fields=True,
        gc=False,
    )
    return TypedSchema(msgspec.json.Decoder(event), msgspec.json.Decoder(envelope), layouts)
