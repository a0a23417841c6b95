"""Hostile prediction messages, generated with hypothesis (derandomized: the same list on
every run): random bytes, deep nesting, huge strings, wrong types, NaN and infinities,
duplicate event ids, and envelopes that mix good and bad entries."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
WRONG_VALUES = st.one_of(
    JSON_SCALARS,
    st.lists(JSON_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3),
)
FIELDS = ("event_id", "model_id", "model_version", "timestamp", "features", "prediction")


def _nested(depth: int, as_object: bool) -> bytes:
    if as_object:
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b"[" * depth + b"]" * depth


def _non_finite(event: dict[str, Any], token: bytes) -> bytes:
    raw = orjson.dumps({**event, "features": {**event["features"], "amount": 0.123456789}})
    return raw.replace(b"0.123456789", token)


@st.composite
def hostile(draw: st.DrawFn, valid: list[dict[str, Any]]) -> bytes:
    """One hostile message; ``valid`` events of the test's model are the raw material."""
    event = dict(draw(st.sampled_from(valid)))
    kind = draw(st.integers(0, 9))
    if kind == 0:  # random bytes
        return draw(st.binary(min_size=0, max_size=300))
    if kind == 1:  # deep nesting, beyond any parser's recursion limit or not
        return _nested(draw(st.integers(10, 5000)), draw(st.booleans()))
    if kind == 2:  # a huge string in a feature, an id or the version
        where = draw(st.sampled_from(["country", "event_id", "model_version", "error"]))
        text = "x" * draw(st.integers(1_000, 200_000))
        if where == "country":
            return orjson.dumps({**event, "features": {**event["features"], "country": text}})
        return orjson.dumps({**event, where: text})
    if kind == 3:  # a field of the wrong type
        return orjson.dumps({**event, draw(st.sampled_from(FIELDS)): draw(WRONG_VALUES)})
    if kind == 4:  # a feature of the wrong type
        name = draw(st.sampled_from(["amount", "age", "country"]))
        value = draw(
            st.one_of(
                st.lists(JSON_SCALARS, max_size=2),
                st.dictionaries(st.text(max_size=3), JSON_SCALARS, max_size=2),
            )
        )
        return orjson.dumps({**event, "features": {**event["features"], name: value}})
    if kind == 5:  # NaN and infinities, as tokens or as out-of-range numbers
        return _non_finite(
            event, draw(st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e999"]))
        )
    if kind == 6:  # a missing field
        return orjson.dumps({k: v for k, v in event.items() if k != draw(st.sampled_from(FIELDS))})
    if kind == 7:  # an envelope mixing good entries and wrong values
        entries = [
            event if draw(st.booleans()) else draw(WRONG_VALUES)
            for _ in range(draw(st.integers(1, 20)))
        ]
        return orjson.dumps({"events": entries})
    if kind == 8:  # an unknown model
        return orjson.dumps(
            {**event, "model_id": draw(st.from_regex(r"[a-z]{1,20}", fullmatch=True))}
        )
    return orjson.dumps(event)  # a duplicate: an event id (and content) sent once more


def hostile_messages(valid: list[dict[str, Any]], count: int) -> list[bytes]:
    """``count`` hostile messages, the same on every run."""
    found: list[bytes] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile(valid))
    def collect(message: bytes) -> None:
        found.append(message)

    collect()
    return found[:count]
