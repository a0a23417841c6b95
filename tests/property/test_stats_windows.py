"""Invariants of window state: merge is associative and gives the union; state round-trips."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stream_monitor.stats import ModelWindows, ReferenceProfile, build_profile, encode_columns

PROFILE: ReferenceProfile = build_profile(
    {
        "x": np.random.default_rng(0).normal(0, 10, 2000),
        "c": np.random.default_rng(1).choice(["a", "b", "c", "d", "e"], 2000),
    },
    output_columns=(),
)

numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
numeric_value = st.one_of(numbers, st.integers(-50, 50), st.none(), st.just("oops"), st.just(True))
category = st.one_of(st.sampled_from(["a", "b", "c", "zz"]), st.none(), st.integers(0, 3))
batches = st.integers(0, 40).flatmap(
    lambda n: st.tuples(
        st.lists(numeric_value, min_size=n, max_size=n),
        st.lists(category, min_size=n, max_size=n),
    )
)
raw_limits = st.sampled_from([0, 10, 60, 1000])


def _windows(batch: tuple[list[object], list[object]], raw_limit: int) -> ModelWindows:
    x, c = batch
    return ModelWindows.empty(PROFILE, raw_limit).add(
        PROFILE, encode_columns(PROFILE, {"x": x, "c": c})
    )


def _exact_parts(windows: ModelWindows) -> dict[str, object]:
    """The integer parts and the raw values of a state (sums compared apart, approximately)."""
    state = windows.to_state()
    x = state["features"]["x"]
    return {
        "c": state["features"]["c"],
        "x": {k: v for k, v in x.items() if k not in ("sum", "sum_squares")},
    }


def _close_sums(a: ModelWindows, b: ModelWindows) -> bool:
    sa, sb = a.to_state()["features"]["x"], b.to_state()["features"]["x"]
    return all(np.isclose(sa[k], sb[k], rtol=1e-9, atol=1e-6) for k in ("sum", "sum_squares"))


@settings(max_examples=80, deadline=None)
@given(batches, batches, batches, raw_limits)
def test_merge_is_associative_and_equals_the_union(
    a: tuple[list[object], list[object]],
    b: tuple[list[object], list[object]],
    c: tuple[list[object], list[object]],
    raw_limit: int,
) -> None:
    wa, wb, wc = (_windows(batch, raw_limit) for batch in (a, b, c))
    left = wa.merge(wb).merge(wc)
    right = wa.merge(wb.merge(wc))
    union = _windows((a[0] + b[0] + c[0], a[1] + b[1] + c[1]), raw_limit)
    assert _exact_parts(left) == _exact_parts(right) == _exact_parts(union)
    assert _close_sums(left, right) and _close_sums(left, union)


@settings(max_examples=80, deadline=None)
@given(batches, raw_limits)
def test_window_counts_add_up_and_state_round_trips(
    batch: tuple[list[object], list[object]], raw_limit: int
) -> None:
    windows = _windows(batch, raw_limit)
    x, c = windows.features["x"], windows.features["c"]
    assert x.count + x.missing + x.invalid == len(batch[0])
    assert c.count + c.missing + c.invalid == len(batch[1])
    state = windows.to_state()
    assert ModelWindows.from_state(state).to_state() == state
