"""The log histogram against numpy's inverted-CDF percentiles, within its stated bound."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stream_monitor.quality.latency import LogHistogram

QUANTILES = [0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]
ROUNDING = 1e-12  # float rounding of the midpoint and edges, far below the bound


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("relative_error", [0.01, 0.02])
def test_quantiles_within_bound_of_numpy_inverted_cdf(seed: int, relative_error: float) -> None:
    rng = np.random.default_rng(seed)
    latencies = rng.lognormal(mean=3.0, sigma=1.5, size=20_000)  # ms: ~0.1 ms to minutes
    histogram = LogHistogram(relative_error=relative_error).add(latencies)
    for q in QUANTILES:
        exact = float(np.quantile(latencies, q, method="inverted_cdf"))
        estimate = histogram.quantile(q)
        assert estimate is not None
        assert estimate.relative_error == relative_error
        assert estimate.lower <= exact < estimate.upper
        assert abs(estimate.value - exact) <= (relative_error + ROUNDING) * exact


def test_bound_is_tight_but_holds_at_bucket_edges() -> None:
    histogram = LogHistogram()
    edges = [histogram.bucket_bounds(i)[0] for i in range(1, 2000, 37)]
    worst = 0.0
    for edge in edges:
        for value in (edge, np.nextafter(edge, np.inf), np.nextafter(edge, 0.0)):
            single = LogHistogram().add(np.array([value]))
            estimate = single.quantile(0.5)
            assert estimate is not None
            assert estimate.lower <= value < estimate.upper
            worst = max(worst, abs(estimate.value - value) / value)
    assert 0.0099 < worst <= 0.01 + ROUNDING


def test_bucket_index_agrees_with_bucket_bounds() -> None:
    histogram = LogHistogram(relative_error=0.02, min_value=0.5)
    rng = np.random.default_rng(7)
    values = np.exp(rng.uniform(math.log(0.5), math.log(1e9), 50_000))
    for value, index in zip(values, histogram.bucket_index(values), strict=True):
        lower, upper = histogram.bucket_bounds(int(index))
        assert lower <= value < upper


def test_values_below_min_go_to_underflow_with_absolute_bound() -> None:
    histogram = LogHistogram(min_value=0.01).add(np.array([0.0, 0.0, 0.005, 5.0]))
    assert histogram.underflow == 3
    assert histogram.count == 4
    median = histogram.quantile(0.5)
    assert median is not None
    assert (median.value, median.lower, median.upper, median.relative_error) == (
        0.0,
        0.0,
        0.01,
        1.0,
    )
    top = histogram.quantile(1.0)
    assert top is not None and abs(top.value - 5.0) <= 0.01 * 5.0


def test_percentile_shortcuts_and_empty_histogram() -> None:
    assert LogHistogram().quantile(0.5) is None
    assert LogHistogram().p99 is None
    histogram = LogHistogram().add(np.arange(1.0, 101.0))
    assert histogram.p50 == histogram.quantile(0.5)
    assert histogram.p95 == histogram.quantile(0.95)
    p99 = histogram.p99
    assert p99 is not None and abs(p99.value - 99.0) <= 0.99


def test_batches_and_merge_equal_one_batch() -> None:
    rng = np.random.default_rng(1)
    values = rng.lognormal(2.0, 1.0, 3000)
    whole = LogHistogram().add(values)
    split = LogHistogram().add(values[:1000]).merge(LogHistogram().add(values[1000:]))
    assert split == whole
    assert LogHistogram().add(values[:10]).add(values[10:]) == whole


def test_state_and_fields_round_trip() -> None:
    histogram = LogHistogram().add(np.array([0.0, 1.0, 1.0, 250.0]))
    assert LogHistogram.from_state(histogram.to_state()) == histogram
    fields = histogram.to_fields()
    assert fields["u"] == 1 and sum(fields.values()) == 4
    as_redis = {k.encode(): str(v).encode() for k, v in fields.items()}
    assert LogHistogram.from_fields(as_redis) == histogram


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"relative_error": 0.0}, r"relative_error must be a number in \(0, 0.5\)"),
        ({"relative_error": 0.5}, r"relative_error must be a number in \(0, 0.5\)"),
        ({"min_value": 0}, r"min_value must be a number in \(0, inf\)"),
        ({"min_value": math.nan}, "min_value"),
    ],
)
def test_bad_parameters_name_what_is_allowed(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LogHistogram(**kwargs)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_bad_values_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="finite and >= 0"):
        LogHistogram().add(np.array([1.0, bad]))


def test_bad_quantile_and_incompatible_merge() -> None:
    with pytest.raises(ValueError, match=r"q must be a number in \[0, 1\]"):
        LogHistogram().quantile(1.5)
    with pytest.raises(ValueError, match="different relative_error"):
        LogHistogram().merge(LogHistogram(relative_error=0.02))
    with pytest.raises(ValueError, match="state is of kind"):
        LogHistogram.from_state({"kind": "other", "version": 1})
    with pytest.raises(ValueError, match="version"):
        LogHistogram.from_state({**LogHistogram().to_state(), "version": 99})


def test_huge_values_are_clamped_to_max_value() -> None:
    from stream_monitor.quality.latency import MAX_VALUE

    histogram = LogHistogram().add(np.array([1.0, 1e305, 1.7e308]))
    top = histogram.quantile(1.0)
    assert top is not None and math.isfinite(top.upper)
    assert abs(top.value - MAX_VALUE) <= 0.01 * MAX_VALUE
