"""The scenario generators: seeded, and changing exactly what they say, where they say."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.scenarios import (
    CHANGE_INDEX,
    ERROR_CHANGE_INDEX,
    FREQUENCY_FEATURE,
    FREQUENCY_SHIFTED,
    MEAN_SHIFT_FEATURE,
    MIX,
    NEW_CATEGORY,
    NEW_CATEGORY_FEATURE,
    RAMP_SIZE,
    REFERENCE_SIZE,
    SCENARIOS,
    STREAM_SIZE,
    TRANSIENT_SIZE,
    VARIANCE_FEATURE,
    Categorical,
    Normal,
    ScenarioData,
    error_rate,
    frequency_shift,
    mean_shift,
    new_category,
    ramp,
    sea_concept,
    stationary,
    transient,
    variance_change,
)

SIGMA = 10.0  # normal_3 is N(50, 10)


def _same(a: ScenarioData, b: ScenarioData) -> bool:
    return (
        a.reference.keys() == b.reference.keys()
        and all(np.array_equal(a.reference[k], b.reference[k]) for k in a.reference)
        and a.stream.keys() == b.stream.keys()
        and all(np.array_equal(a.stream[k], b.stream[k]) for k in a.stream)
        and (a.errors is None) == (b.errors is None)
        and (a.errors is None or b.errors is None or np.array_equal(a.errors, b.errors))
    )


def test_the_mix_has_the_twenty_features_the_issue_lists() -> None:
    kinds = [type(d).__name__ for d in MIX.values()]
    assert len(MIX) == 20
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "Normal": 8,
        "LogNormal": 4,
        "StudentT": 3,
        "Poisson": 3,
        "Categorical": 2,
    }
    for dist in MIX.values():
        if isinstance(dist, Categorical):
            assert sum(dist.p) == pytest.approx(1.0)
    assert sum(FREQUENCY_SHIFTED) == pytest.approx(1.0)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_is_seeded_and_well_formed(name: str) -> None:
    scenario = SCENARIOS[name]
    data = scenario.generate(3)
    assert _same(data, scenario.generate(3))
    assert not _same(data, scenario.generate(4))
    assert data.name == name and data.seed == 3
    if scenario.engine:
        assert set(data.kinds) == set(data.reference) == set(data.stream)
        assert {len(v) for v in data.stream.values()} == {data.size}
        assert {len(v) for v in data.reference.values()} == {REFERENCE_SIZE}
        assert set(data.changed) <= set(data.stream)
    if scenario.error_detector:
        assert data.errors is not None and len(data.errors) == data.size
        assert set(np.unique(data.errors).tolist()) <= {0, 1}
    if data.change_index is not None:
        assert 0 < data.change_index < data.size


def test_scenarios_share_the_stationary_draw_of_a_seed() -> None:
    """Common random numbers: only the changed feature differs, and only after the change."""
    base = stationary(7, stream_size=STREAM_SIZE)
    for data in (mean_shift(7, 0.5), variance_change(7), ramp(7), transient(7)):
        for name, column in data.stream.items():
            np.testing.assert_array_equal(data.reference[name], base.reference[name])
            if name in data.changed:
                np.testing.assert_array_equal(
                    column[:CHANGE_INDEX], base.stream[name][:CHANGE_INDEX]
                )
                assert not np.array_equal(column[CHANGE_INDEX:], base.stream[name][CHANGE_INDEX:])
            else:
                np.testing.assert_array_equal(column, base.stream[name])


@pytest.mark.parametrize("shift", [0.25, 0.5, 1.0])
def test_a_mean_shift_adds_exactly_shift_sigma_from_the_change(shift: float) -> None:
    base, data = stationary(1, stream_size=STREAM_SIZE), mean_shift(1, shift)
    diff = data.stream[MEAN_SHIFT_FEATURE] - base.stream[MEAN_SHIFT_FEATURE]
    assert data.changed == (MEAN_SHIFT_FEATURE,) and data.change_index == CHANGE_INDEX
    assert isinstance(MIX[MEAN_SHIFT_FEATURE], Normal)
    np.testing.assert_allclose(diff[CHANGE_INDEX:], shift * SIGMA)
    assert not diff[:CHANGE_INDEX].any()


def test_a_ramp_rises_linearly_then_holds() -> None:
    base, data = stationary(2, stream_size=STREAM_SIZE), ramp(2)
    diff = (data.stream[MEAN_SHIFT_FEATURE] - base.stream[MEAN_SHIFT_FEATURE])[CHANGE_INDEX:]
    np.testing.assert_allclose(diff[:RAMP_SIZE], SIGMA * np.arange(1, RAMP_SIZE + 1) / RAMP_SIZE)
    np.testing.assert_allclose(diff[RAMP_SIZE:], SIGMA)


def test_a_transient_drift_reverts() -> None:
    base, data = stationary(2, stream_size=STREAM_SIZE), transient(2)
    diff = data.stream[MEAN_SHIFT_FEATURE] - base.stream[MEAN_SHIFT_FEATURE]
    end = CHANGE_INDEX + TRANSIENT_SIZE
    assert data.drift_end == end
    np.testing.assert_allclose(diff[CHANGE_INDEX:end], SIGMA)
    assert not diff[:CHANGE_INDEX].any() and not diff[end:].any()
    assert data.drifting(5000, 6000) and data.drifting(7000, 8000)
    assert not data.drifting(4000, 5000) and not data.drifting(8000, 9000)


def test_the_variance_change_keeps_the_mean_and_doubles_the_sd() -> None:
    data = variance_change(0)
    column = data.stream[VARIANCE_FEATURE]
    before, after = column[:CHANGE_INDEX], column[CHANGE_INDEX:]
    assert after.std() / before.std() == pytest.approx(2.0, rel=0.05)
    assert abs(after.mean() - before.mean()) < 0.1 * before.std()


def test_the_frequency_shift_moves_share_from_the_most_to_the_least_frequent_value() -> None:
    column = frequency_shift(0).stream[FREQUENCY_FEATURE]
    before, after = column[:CHANGE_INDEX], column[CHANGE_INDEX:]
    assert np.mean(before == "red") == pytest.approx(0.40, abs=0.02)
    assert np.mean(after == "red") == pytest.approx(0.34, abs=0.02)
    assert np.mean(after == "white") == pytest.approx(0.14, abs=0.015)


def test_the_new_category_appears_only_after_the_change() -> None:
    data = new_category(0)
    column = data.stream[NEW_CATEGORY_FEATURE]
    assert NEW_CATEGORY not in set(data.reference[NEW_CATEGORY_FEATURE].tolist())
    assert not np.any(column[:CHANGE_INDEX] == NEW_CATEGORY)
    assert np.mean(column[CHANGE_INDEX:] == NEW_CATEGORY) == pytest.approx(0.05, abs=0.01)


def test_sea_concept_drift_moves_the_error_rate_not_the_inputs() -> None:
    data = sea_concept(0)
    assert data.errors is not None and data.labels is not None and data.predictions is not None
    np.testing.assert_array_equal(data.errors, data.predictions != data.labels)
    np.testing.assert_array_equal(data.predictions, data.stream_outputs["label"])
    assert data.errors[:CHANGE_INDEX].mean() == pytest.approx(0.10, abs=0.015)
    assert data.errors[CHANGE_INDEX:].mean() == pytest.approx(0.205, abs=0.02)
    for name, column in data.stream.items():
        before, after = column[:CHANGE_INDEX], column[CHANGE_INDEX:]
        assert abs(before.mean() - after.mean()) < 0.15, name
    label = data.stream_outputs["label"]
    assert abs(label[:CHANGE_INDEX].mean() - label[CHANGE_INDEX:].mean()) < 0.03
    assert data.changed == ()


@pytest.mark.parametrize("after", [0.3, 0.4])
def test_error_rate_streams_change_rate_at_the_change(after: float) -> None:
    data = error_rate(2, 0.2, after)  # seed 0 is a 3-sd draw after the change (0.284, 0.385)
    assert data.errors is not None and data.change_index == ERROR_CHANGE_INDEX
    assert data.errors[:ERROR_CHANGE_INDEX].mean() == pytest.approx(0.2, abs=0.02)
    assert data.errors[ERROR_CHANGE_INDEX:].mean() == pytest.approx(after, abs=0.02)
    assert data.size == len(data.errors) and not data.stream


def test_the_stationary_control_never_drifts() -> None:
    data = stationary(0, stream_size=3000)
    assert data.size == 3000 and data.change_index is None and data.changed == ()
    assert not data.drifting(0, 3000)
