"""The columnar fast path of ingest gives exactly what the pydantic path gives.

Both paths run on the same generated batches, good and hostile (wrong types, NaN,
missing and unknown features, booleans as numbers, huge strings and integers, nested
junk, envelopes, unknown models, odd timestamps, duplicate keys, escapes...): the same
dead letters (reason, detail, index, model) in the same order, and the same state updates
(events counted, bins, operational counters, label-join records), hence the same accepted
events. The fast path runs whole (the typed structs first, then the column checks) and
with the column checks alone.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream_monitor import ingest, typed_decode
from stream_monitor.fast_decode import fast_decode
from stream_monitor.ingest import Plan, RawMessage, group_update, plan_batch
from stream_monitor.model_spec import ModelSpec
from stream_monitor.quality.spec import QualitySpec
from tests.pipeline_fixtures import MODEL, START, spec

MAX_BYTES = 4000
JUNK: list[Any] = [None, True, False, 0, -1, 1, 2**63, 1.5, -0.0, 1e300, "", "x" * 1025, [], {}]
JUNK += [[1, 2], {"a": {"b": [None]}}, "ok", "error", "2026-01-01T00:00:00Z"]
JUNK += [2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**30, -(10**30), 2**53 + 1, "\u00e9\n\\"]


def _mixed(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly ``valid``, sometimes anything out of the junk pool."""
    return _rare(valid, st.sampled_from(JUNK))


def _rare(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``common`` most of the time (hypothesis favours small integers: 0 is common)."""
    return st.integers(0, 15).flatmap(lambda k: rare if k == 15 else common)


def _rarely_extra(
    base: st.SearchStrategy[dict[str, Any]], extras: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """``base``, with one of ``extras`` added one time in ten."""
    extra = st.sampled_from(sorted(extras.items()))
    return st.tuples(base, st.integers(0, 9), extra).map(
        lambda t: {**t[0], t[2][0]: t[2][1]} if t[1] == 9 else t[0]
    )


_numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(2**63), 2**64 - 1),
    st.integers(-(2**80), 2**80),
    st.sampled_from([100.0, 40.0, 0.5, 7, 2**63, 2**64, -(2**63) - 1, 10**25, -0.0]),
)
_text = st.text(max_size=8)
_times = st.one_of(
    st.integers(0, 10**9).map(lambda ms: START + ms / 1000),
    st.integers(0, 10**9).map(lambda ms: START + ms / 1000),
    st.floats(START - 1e6, START + 1e6),
    st.sampled_from([START, START + 0.1234565, START + 0.9999995, 2.1e10, -5, 4e9, 1e12]),
    st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01T01:00:00.123+02:00", "2026-01-01"]),
    st.sampled_from(["1767225600", "2026-01-01T00:00:00", "nonsense"]),
)
_features = _rarely_extra(
    st.fixed_dictionaries(
        {
            "amount": _mixed(st.one_of(_numbers, st.none())),
            "age": _mixed(st.one_of(_numbers, st.none(), st.booleans())),
            "country": _mixed(st.one_of(st.sampled_from(["de", "fr", "us", "xx"]), st.none())),
        },
    ),
    {"unknown": 1.0, "": 1, "y" * 129: 1},
).map(lambda f: {k: v for k, v in f.items() if k != "age" or v != 7})
_prediction = st.fixed_dictionaries(
    {},
    optional={
        "score": _mixed(st.one_of(st.floats(0, 1), st.sampled_from([0, 1]), st.none())),
        "label": _mixed(st.one_of(st.sampled_from([0, 1, True, "yes"]), st.none())),
        "value": _mixed(st.one_of(_numbers, st.none())),
    },
)
_hostile_event = _rarely_extra(
    st.fixed_dictionaries(
        {
            "event_id": _mixed(st.text(min_size=1, max_size=12)),
            "model_id": _mixed(
                _rare(st.just(MODEL), st.sampled_from(["plain", "other", "bad id", MODEL + "\n"]))
            ),
            "model_version": _mixed(_rare(st.just("1"), st.sampled_from(["v" * 64, "v" * 65]))),
            "timestamp": _mixed(_times),
            "features": _mixed(_features),
            "prediction": _mixed(_rarely_extra(_prediction, {"extra": 1})),
        },
        optional={
            "latency_ms": _mixed(st.one_of(st.floats(0, 1e4), st.sampled_from([-1.0, 3]))),
            "status": _mixed(st.sampled_from(["ok", "error", "OK"])),
            "error": _mixed(_text),
        },
    ),
    {"surprise": 1},
)
_clean_event = st.fixed_dictionaries(
    {
        "event_id": st.text(min_size=1, max_size=12),
        "model_id": st.sampled_from([MODEL, "plain"]),
        "model_version": st.just("1"),
        "timestamp": st.integers(0, 10**9).map(lambda ms: START + ms / 1000),
        "features": st.fixed_dictionaries(
            {
                "amount": st.one_of(_numbers, st.none()),
                "age": st.one_of(st.floats(0, 100), st.none(), st.booleans(), st.just("x")),
                "country": st.one_of(
                    st.sampled_from(["de", "fr", "us", "xx"]), st.none(), _numbers
                ),
            }
        ),
        "prediction": st.fixed_dictionaries(
            {"score": st.one_of(st.floats(0, 1), st.just(1))},
            optional={"label": st.sampled_from([0, 1, True, "yes", None]), "value": _numbers},
        ),
    },
    optional={
        "latency_ms": st.one_of(st.floats(0, 1e4), st.none()),
        "status": st.sampled_from(["ok", "error"]),
        "error": st.one_of(_text, st.none()),
    },
)
WRONG: list[tuple[tuple[str, ...], Any]] = (
    [(("prediction", "score"), v) for v in (1.5, -0.1, True, "0.5", [0.5])]
    + [(("prediction", "label"), v) for v in ("x" * 1025, 0.5, [1], {"a": 1})]
    + [(("prediction", "value"), v) for v in (True, "1", None)]
    + [(("prediction",), v) for v in ({}, {"score": 0.5, "extra": 1}, [0.5], None)]
    + [(("features", "amount"), v) for v in ([1], {"a": 1}, "x" * 1025)]
    + [(("features", "country"), v) for v in ([1], "x" * 1025)]
    + [(("features",), v) for v in ({"amount": 1.0, "age": 2.0}, {}, [1], None)]
    + [
        (("features", "zz"), 1.0),
        (("surprise",), 1),
        (("latency_ms",), -1.0),
        (("latency_ms",), True),
        (("latency_ms",), "3"),
        (("status",), "OK"),
        (("status",), None),
        (("error",), 5),
        (("error",), "x" * 1025),
        (("event_id",), ""),
        (("event_id",), "x" * 129),
        (("event_id",), 5),
        (("model_version",), ""),
        (("model_version",), "v" * 65),
        (("model_id",), "other"),
        (("model_id",), "bad id"),
        (("model_id",), MODEL + "\n"),
        (("model_id",), 5),
    ]
    + [
        (("timestamp",), v)
        for v in (-5, 2.1e10, 4e9, True, None, "2026-01-01", "2026-01-01T00:00:00", "nonsense")
    ]
    + [(("event_id",), v) for v in ("x" * 128, "\u00e9" * 128, "\u00e9" * 129, "\U0001f600" * 128)]
    + [(("model_version",), v) for v in ("\u00e9" * 64, "\u00e9" * 65)]
    + [(("error",), v) for v in ("\u00e9" * 1024, "\u00e9" * 1025)]
    + [(("prediction", "label"), v) for v in ("\u00e9" * 1024, "\u00e9" * 1025, 2**63, -(2**63))]
    + [(("features", "country"), v) for v in ("\u00e9" * 1024, "\u00e9" * 1025, 2**64 - 1)]
    + [(("prediction", "score"), v) for v in (0, 1, 0.0, -0.0, 1.0, 2**64 - 1)]
    + [(("latency_ms",), v) for v in (0, -0.0, 2**63 - 1, 2**63, 1e300)]
    + [
        (("timestamp",), v)
        for v in (START + 0.9999995, START + 0.1234565, "2026-01-01T00:00:00.5+01:00", "1767225600")
    ]
)
"""One wrong (or odd but valid) value at a path of an otherwise clean event."""


def _with(event: dict[str, Any], change: tuple[tuple[str, ...], Any]) -> dict[str, Any]:
    path, value = change
    copy = {**event, "features": dict(event["features"]), "prediction": dict(event["prediction"])}
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


_one_wrong = st.tuples(_clean_event, st.sampled_from(WRONG)).map(lambda t: _with(*t))
_event = st.one_of(_clean_event, _one_wrong, _hostile_event)


_DUPLICATES = [
    (b'"model_id":"other"', b'"model_id":"plain"', f'"model_id":"{MODEL}"'.encode()),
    (b'"features":{"amount":1.0,"age":2.0,"country":"de"}', b'"features":[]'),
    (b'"features":{"amount":1.0,"age":2.0}', b'"prediction":{"score":0.5}'),
    (b'"event_id":""', b'"event_id":"dup"', b'"status":"OK"', b'"status":"error"'),
    (b'"timestamp":true', b'"timestamp":1767225600.5', b'"latency_ms":-1'),
]
"""Keys written twice in one object: the last one counts (as orjson reads them)."""


def _duplicated(draw: st.DrawFn, line: bytes) -> bytes:
    """``line`` (an event) with a key written once more, before or after its own."""
    extra = draw(st.sampled_from([k for group in _DUPLICATES for k in group]))
    if not line.startswith(b"{") or line == b"{}":
        return line
    if draw(st.booleans()):
        return b"{" + extra + b"," + line[1:]
    return line[:-1] + b"," + extra + b"}"


def _escaped(draw: st.DrawFn, line: bytes) -> bytes:
    """``line`` with its event id escaped: unicode escapes, a lone surrogate, controls."""
    text = draw(st.sampled_from(['"\\u00e9x"', '"\\ud800"', '"a\\"b"', '"\\u0000"', '"\t"']))
    return line.replace(b'"event_id":"', b'"event_id":' + text.encode()[:-1], 1)


def _dumps(value: Any) -> bytes:
    """JSON of ``value``, integers of any size included (orjson writes 64 bits at most)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@st.composite
def _message(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["event"] * 6 + ["envelope"] * 3 + ["raw", "twice", "escaped"]))
    if kind == "event":
        return _dumps(draw(_event))
    if kind == "twice":
        return _duplicated(draw, _dumps(draw(_event)))
    if kind == "escaped":
        return _escaped(draw, _dumps(draw(_clean_event)))
    if kind == "envelope":
        envelope: dict[str, Any] = {"events": draw(st.lists(_mixed(_event), max_size=4))}
        if draw(st.booleans()):
            envelope["type"] = draw(st.sampled_from(["batch", "batch", "other"]))
        if draw(st.integers(0, 9)) == 0:
            envelope["extra"] = 1
        return _dumps(envelope)
    raw = [b"{", b"[1]", b"3", b'{"a": NaN}', b'{"events": 5}', b"\xff", b"x" * (MAX_BYTES + 1)]
    return draw(st.sampled_from(raw))


@st.composite
def _batch(draw: st.DrawFn) -> list[RawMessage]:
    payloads = draw(st.lists(_message(), min_size=1, max_size=8))
    return [
        RawMessage(p, "preds", draw(st.sampled_from([0, 0, 1])), 10 + i)
        for i, p in enumerate(payloads)
    ]


def _specs() -> dict[str, ModelSpec]:
    base = spec()
    return {
        MODEL: replace(base, quality=QualitySpec(task="binary")),
        "plain": replace(base, model_id="plain"),
    }


def _updates(plan: Plan, specs: dict[str, ModelSpec]) -> dict[tuple[str, str], Any]:
    return {key: group_update(g, specs.get(g.model_id)) for key, g in plan.groups.items()}


@pytest.mark.parametrize(
    ("typed", "models", "run_bytes"),
    [(True, 2, None), (True, 1, None), (False, 2, None), (True, 2, 300)],
    # one model: its struct is not a union; runs: the typed path decodes the batch in runs
    # of about 300 bytes (a message or two), each read as columns, then joined
    ids=["typed", "typed-one-model", "checked", "typed-in-runs"],
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=_batch())
def test_fast_path_equals_the_pydantic_path(
    typed: bool, models: int, run_bytes: int | None, messages: list[RawMessage]
) -> None:
    specs = dict(list(_specs().items())[:models])
    run_size = run_bytes or typed_decode.CHUNK_BYTES
    with (
        mock.patch.object(ingest, "fast_decode", partial(fast_decode, typed=typed)),
        mock.patch.object(typed_decode, "CHUNK_BYTES", run_size),
    ):
        fast = plan_batch(messages, specs, MAX_BYTES)
    slow = plan_batch(messages, specs, MAX_BYTES, fast_path=False)
    assert fast.dead_letters == slow.dead_letters
    assert _updates(fast, specs) == _updates(slow, specs)


def test_a_clean_batch_takes_the_fast_path_entirely() -> None:
    specs = _specs()
    event = {
        "event_id": "e-1",
        "model_id": MODEL,
        "model_version": "1",
        "timestamp": START + 0.5,
        "features": {"amount": 101.5, "age": 40, "country": "de"},
        "prediction": {"score": 0.25, "label": 0},
    }
    envelope = {"type": "batch", "events": [{**event, "event_id": "e-2"}]}
    messages = [
        RawMessage(orjson.dumps(event), "preds", 0, 1),
        RawMessage(orjson.dumps(envelope), "preds", 0, 2),
    ]
    plan = fast_decode(messages, specs, MAX_BYTES)
    assert plan.fallback == []
    assert [e.event_ids for e in plan.accepted.values()] == [["e-1", "e-2"]]


def test_a_doubtful_event_sends_its_whole_message_to_the_pydantic_path() -> None:
    specs = _specs()
    good = {
        "event_id": "e-1",
        "model_id": MODEL,
        "model_version": "1",
        "timestamp": START,
        "features": {"amount": 1.0, "age": 2.0, "country": "de"},
        "prediction": {"score": 0.5},
    }
    bad = {**good, "event_id": "e-2", "features": {"amount": [1], "age": 2.0, "country": "de"}}
    messages = [
        RawMessage(orjson.dumps(good), "preds", 0, 1),
        RawMessage(orjson.dumps({"events": [good, bad]}), "preds", 0, 2),
    ]
    plan = fast_decode(messages, specs, MAX_BYTES)
    assert plan.fallback == [1]
    assert [e.offsets.tolist() for e in plan.accepted.values()] == [[1]]
