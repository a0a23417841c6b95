"""Redis key layout, defined once. Every key of a model is hash-tagged ``{model}`` so a
model's keys share one Redis Cluster slot and one Lua script can update them together.

Field prefixes inside a bucket hash say how a value merges:
``i:`` integer sum (HINCRBY), ``f:`` float sum (HINCRBYFLOAT), ``lo:`` minimum, ``hi:`` maximum,
``s:`` text, last write wins; ``v:`` a vector of integer counts (a msgpack array), added
element by element (a whole histogram in one field: one cmsgpack step per feature and
bucket in Lua, not one ``HINCRBY`` per cell).
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "sm"
INT: Final = "i:"
FLOAT: Final = "f:"
MIN: Final = "lo:"
MAX: Final = "hi:"
STRING: Final = "s:"
VECTOR: Final = "v:"
FIELD_KINDS: Final = (INT, FLOAT, MIN, MAX, STRING, VECTOR)


def model_tag(model_id: str) -> str:
    return f"{PREFIX}:{{{model_id}}}"


def bucket(model_id: str, bucket_start: int, part: str) -> str:
    """One time bucket of one part of a model's state (a feature, ``ops``, ``quality``...)."""
    return f"{model_tag(model_id)}:b:{bucket_start}:{part}"


def watermarks(model_id: str) -> str:
    """Hash: source (``topic:partition``) -> highest offset applied for this model."""
    return f"{model_tag(model_id)}:wm"


def totals(model_id: str) -> str:
    """Hash of lifetime counters (events, dead letters by reason); never expires."""
    return f"{model_tag(model_id)}:totals"


def event_clock(model_id: str) -> str:
    """Hash: ``hi:<source>`` -> newest event time (Unix seconds) applied from that source."""
    return f"{model_tag(model_id)}:clock"


def evaluation(model_id: str) -> str:
    """Hash: last committed slot and the JSON states of detectors, alerts and policy."""
    return f"{model_tag(model_id)}:eval"


def evaluation_lease(model_id: str) -> str:
    """String ``<slot>:<token>``: the slot a worker is evaluating; expires with the lease."""
    return f"{model_tag(model_id)}:lease"


def join_shards(model_id: str) -> str:
    """The prefix of every join-record hash of a model (:func:`join_shard`)."""
    return f"{model_tag(model_id)}:p:"


def join_shard(model_id: str, generation: int, subshard: int) -> str:
    """Hash of the label-join records of the predictions whose event time falls in
    ``generation`` and whose event id falls in ``subshard`` (see
    :mod:`stream_monitor.join_records`): field ``s:r:<event id>`` is a record,
    ``i:l:<event id>`` marks it labelled. Expires a while after its last write."""
    return f"{join_shards(model_id)}{generation}:{subshard}"


def silences() -> str:
    return f"{PREFIX}:silences"
