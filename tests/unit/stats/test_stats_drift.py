"""The drift step end to end: profile and windows in, ranked decisions and DriftEvents out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from schemas import DriftEvent, TargetKind, Window
from stream_monitor.drift import evaluate_drift
from stream_monitor.stats import DriftPolicy, ModelWindows, ReferenceProfile

MakeWindows = Callable[..., ModelWindows]


def _current(rng: np.random.Generator, n: int, shift: float = 0.0) -> dict[str, object]:
    return {
        "age": rng.normal(40 + 10 * shift, 10, n),
        "income": rng.lognormal(10, 1, n),
        "city": rng.choice(["paris", "rome", "oslo", "lima"], n, p=[0.4, 0.3, 0.2, 0.1]),
    }


def test_a_shifted_feature_is_flagged_and_ranked_first(
    mixed_profile: ReferenceProfile,
    make_windows: MakeWindows,
    rng: np.random.Generator,
    window: Window,
) -> None:
    windows = make_windows(
        mixed_profile, _current(rng, 1000, shift=0.5), {"score": rng.beta(2, 5, 1000)}
    )
    result = evaluate_drift("fraud", mixed_profile, windows, window)
    assert [t.name for t in result.drifted] == ["age"]
    assert result.targets[0].name == "age" and result.targets[0].severity > 1.5
    assert not result.dataset.drift and result.dataset.drift_share == pytest.approx(1 / 3)
    per_target = {(e.target.kind, e.target.name, e.statistic): e for e in result.events}
    assert len(result.events) == 4 + 4 + 3 + 4 + 1
    ks = per_target[(TargetKind.FEATURE, "age", "ks")]
    assert isinstance(ks, DriftEvent) and ks.drift and ks.p_value is not None
    assert ks.error_bound is not None and ks.reference_count == 5000
    assert ks.model_id == "fraud" and ks.window == window
    assert "< alpha 0.005" in (ks.detail or "")
    assert not per_target[(TargetKind.PREDICTION, "score", "psi")].drift
    dataset = result.events[-1]
    assert (dataset.target.kind, dataset.statistic, dataset.drift) == (
        TargetKind.DATASET,
        "drift_share",
        False,
    )
    assert DriftEvent.model_validate_json(ks.model_dump_json()) == ks


def test_a_small_window_reports_values_but_flags_nothing(
    mixed_profile: ReferenceProfile,
    make_windows: MakeWindows,
    rng: np.random.Generator,
    window: Window,
) -> None:
    windows = make_windows(mixed_profile, _current(rng, 100, shift=2.0))
    result = evaluate_drift("m", mixed_profile, windows, window)
    assert not result.drifted and not result.dataset.drift
    age_ks = next(e for e in result.events if e.target.name == "age" and e.statistic == "ks")
    assert age_ks.value > 0.5 and age_ks.detail == "below minimum of 500 events (got 100)"
    assert result.dataset.detail == "no feature had the minimum of 500 events"
    # score has no column in the batch: all missing, so only the binned statistics run.
    score = next(t for t in result.targets if t.name == "score")
    assert [s.result.statistic for s in score.statistics] == ["psi", "jensen_shannon"]
    assert score.note == "no values to compute ks, wasserstein on"


def test_dataset_drift_when_most_features_move(
    mixed_profile: ReferenceProfile,
    make_windows: MakeWindows,
    rng: np.random.Generator,
    window: Window,
) -> None:
    current = _current(rng, 2000, shift=1.0)
    current["city"] = rng.choice(["paris", "rome", "new"], 2000)
    result = evaluate_drift(
        "m", mixed_profile, make_windows(mixed_profile, current), window, DriftPolicy()
    )
    # The batch had no score at all: 100% missing against none is prediction drift too.
    assert {t.name for t in result.drifted} == {"age", "city", "score"}
    assert result.dataset.drift and result.events[-1].drift
    assert result.events[-1].value == pytest.approx(2 / 3)


def test_windows_must_match_the_profile(mixed_profile: ReferenceProfile, window: Window) -> None:
    windows = ModelWindows.empty(mixed_profile)
    del windows.features["income"]
    result = evaluate_drift("m", mixed_profile, windows, window)
    income = next(t for t in result.targets if t.name == "income")
    assert income.statistics == () and income.note == "no window for this target"
    windows.features["ghost"] = windows.features["age"]
    with pytest.raises(ValueError, match=r"windows of unknown feature targets \['ghost'\]"):
        evaluate_drift("m", mixed_profile, windows, window)
