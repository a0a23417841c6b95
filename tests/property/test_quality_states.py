"""Every quality state merges to the state of the union, associatively, and round-trips.

Integer parts must agree exactly; float sums (log loss, Brier, regression errors, CBPE)
agree up to float rounding, because adding in another order rounds differently.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stream_monitor.quality.classification import BinaryClassification
from stream_monitor.quality.coverage import LabelCounters, LabelOutcome, LabelWindow
from stream_monitor.quality.estimate import ConfidenceEstimate
from stream_monitor.quality.latency import LogHistogram
from stream_monitor.quality.multiclass import MulticlassCounts
from stream_monitor.quality.operational import OperationalCounters
from stream_monitor.quality.regression import RegressionErrors

SETTINGS = settings(max_examples=40, deadline=None)
CLASSES = ["a", "b", "c|d", "%"]

unit = st.floats(min_value=0.0, max_value=1.0)
latency = st.floats(min_value=0.0, max_value=1e9)
finite = st.integers(-(10**8), 10**8).map(lambda cents: cents / 100)  # realistic magnitudes


def _latency(events: Sequence[float]) -> LogHistogram:
    return LogHistogram().add(np.array(events, dtype=float))


def _operational(events: Sequence[tuple[float, bool, float | None]]) -> OperationalCounters:
    return OperationalCounters().add(
        event_times_s=[t for t, _, _ in events],
        is_error=np.array([e for _, e, _ in events], dtype=bool),
        latencies_ms=[math.nan if v is None else v for _, _, v in events],
    )


def _binary(events: Sequence[tuple[bool, bool, float | None]]) -> BinaryClassification:
    return BinaryClassification(score_resolution=20).add(
        actual=np.array([a for a, _, _ in events], dtype=bool),
        predicted=np.array([p for _, p, _ in events], dtype=bool),
        scores=[math.nan if s is None else s for _, _, s in events],
    )


def _multiclass(events: Sequence[tuple[Any, Any]]) -> MulticlassCounts:
    return MulticlassCounts(classes=CLASSES).add(
        actual=[a for a, _ in events], predicted=[p for _, p in events]
    )


def _regression(events: Sequence[tuple[float, float]]) -> RegressionErrors:
    return RegressionErrors().add(actual=[a for a, _ in events], predicted=[p for _, p in events])


def _estimate(events: Sequence[float]) -> ConfidenceEstimate:
    return ConfidenceEstimate().add(scores=np.array(events, dtype=float))


def _label_window(events: Sequence[float | None]) -> LabelWindow:
    window = LabelWindow().add_predictions(len(events))
    return window.add_labels([d for d in events if d is not None])


def _label_counters(events: Sequence[LabelOutcome]) -> LabelCounters:
    counters = LabelCounters()
    for outcome in events:
        counters.add(outcome)
    return counters


@dataclass(frozen=True)
class Kind:
    build: Callable[[Any], Any]
    event: st.SearchStrategy[Any]
    from_state: Callable[[Any], Any]
    from_fields: Callable[[Any], Any]


KINDS = {
    "latency": Kind(_latency, latency, LogHistogram.from_state, LogHistogram.from_fields),
    "operational": Kind(
        _operational,
        st.tuples(st.floats(0, 2e9), st.booleans(), st.none() | latency),
        OperationalCounters.from_state,
        OperationalCounters.from_fields,
    ),
    "binary": Kind(
        _binary,
        st.tuples(st.booleans(), st.booleans(), st.none() | unit),
        BinaryClassification.from_state,
        lambda f: BinaryClassification.from_fields(f, score_resolution=20),
    ),
    "multiclass": Kind(
        _multiclass,
        st.tuples(*[st.sampled_from([*CLASSES, "zz", 1, True])] * 2),
        MulticlassCounts.from_state,
        lambda f: MulticlassCounts.from_fields(f, classes=CLASSES),
    ),
    "regression": Kind(
        _regression,
        st.tuples(finite, finite),
        RegressionErrors.from_state,
        RegressionErrors.from_fields,
    ),
    "estimate": Kind(
        _estimate, unit, ConfidenceEstimate.from_state, ConfidenceEstimate.from_fields
    ),
    "label_window": Kind(
        _label_window,
        st.none() | st.floats(-100.0, 1e8),
        LabelWindow.from_state,
        LabelWindow.from_fields,
    ),
    "label_counters": Kind(
        _label_counters,
        st.sampled_from(list(LabelOutcome)),
        LabelCounters.from_state,
        LabelCounters.from_fields,
    ),
}
EXTREMES = OperationalCounters.extreme_fields


def assert_close(a: object, b: object, where: str = "state") -> None:
    """Equal, except floats that may differ by rounding."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), where
        for key in a:
            assert_close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, int | float) and isinstance(b, int | float), where
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6), (where, a, b)
    else:
        assert a == b, (where, a, b)


def _add_fields(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    total = dict(a)
    for name, value in b.items():
        rule = EXTREMES.get(name)
        if name not in total:
            total[name] = value
        elif rule is None:
            total[name] += value
        else:
            total[name] = min(total[name], value) if rule == "min" else max(total[name], value)
    return total


def _three_batches(kind: Kind) -> st.SearchStrategy[tuple[list[Any], ...]]:
    batch = st.lists(kind.event, max_size=30)
    return st.tuples(batch, batch, batch)


@pytest.mark.parametrize("name", sorted(KINDS))
@SETTINGS
@given(data=st.data())
def test_merge_is_the_union_and_associative(name: str, data: st.DataObject) -> None:
    kind = KINDS[name]
    a, b, c = data.draw(_three_batches(kind))
    x, y, z = kind.build(a), kind.build(b), kind.build(c)
    assert_close(x.merge(y).to_state(), kind.build(a + b).to_state())
    assert_close(x.merge(y).merge(z).to_state(), x.merge(y.merge(z)).to_state())
    assert_close(x.merge(kind.build([])).to_state(), x.to_state())


@pytest.mark.parametrize("name", sorted(KINDS))
@SETTINGS
@given(data=st.data())
def test_json_round_trip_is_exact(name: str, data: st.DataObject) -> None:
    kind = KINDS[name]
    state = kind.build(data.draw(st.lists(kind.event, max_size=40)))
    text = json.dumps(state.to_state(), allow_nan=False)
    restored = kind.from_state(json.loads(text))
    assert restored == state
    assert restored.to_state() == state.to_state()


@pytest.mark.parametrize("name", sorted(KINDS))
@SETTINGS
@given(data=st.data())
def test_redis_fields_add_like_merge(name: str, data: st.DataObject) -> None:
    kind = KINDS[name]
    a, b, _ = data.draw(_three_batches(kind))
    x, y = kind.build(a), kind.build(b)
    as_redis = {k.encode(): repr(v).encode() for k, v in x.to_fields().items()}
    assert kind.from_fields(as_redis) == x
    summed = _add_fields(x.to_fields(), y.to_fields())
    assert_close(kind.from_fields(summed).to_state(), x.merge(y).to_state())
