"""Shared builders for the statistics unit tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from schemas import Window
from stream_monitor.stats import ModelWindows, ReferenceProfile, build_profile, encode_columns
from stream_monitor.stats.values import ColumnValues


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def window() -> Window:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return Window(start=start, end=start + timedelta(minutes=5), event_count=1000)


MakeWindows = Callable[..., ModelWindows]


def _windows_of(
    profile: ReferenceProfile,
    features: Mapping[str, ColumnValues],
    outputs: Mapping[str, ColumnValues] | None = None,
    raw_limit: int = 0,
) -> ModelWindows:
    batch = encode_columns(profile, features, outputs)
    return ModelWindows.empty(profile, raw_limit).add(profile, batch)


@pytest.fixture
def make_windows() -> MakeWindows:
    """``make_windows(profile, features, outputs=None, raw_limit=0)``: windows of one batch."""
    return _windows_of


@pytest.fixture
def mixed_profile(rng: np.random.Generator) -> ReferenceProfile:
    n = 5000
    return build_profile(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(["paris", "rome", "oslo", "lima"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "score": rng.beta(2, 5, n),
        }
    )
