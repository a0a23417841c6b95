"""Reference profiles: kind inference, binning layout, JSON round trip and load errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from schemas import Prediction, PredictionEvent
from stream_monitor.stats import (
    OTHER,
    FeatureKind,
    NumericProfile,
    ProfileOptions,
    ReferenceProfile,
    build_profile,
    infer_kind,
    profile_from_events,
)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([1.5, 2.25, 3.0, 4.75, 5.5, 6.0, 7.25, 8.0, 9.5, 10.0, 11.5], FeatureKind.NUMERIC),
        ([0, 1, 2, 1, 0, None], FeatureKind.CATEGORICAL),
        (["a", "b", None], FeatureKind.CATEGORICAL),
        ([True, False, True], FeatureKind.CATEGORICAL),
        (np.array([True, False]), FeatureKind.CATEGORICAL),
        (np.arange(100, dtype=np.int64), FeatureKind.NUMERIC),
        (np.array(["x", "y"]), FeatureKind.CATEGORICAL),
        ([None, None], FeatureKind.CATEGORICAL),
        ([1.0, "n/a", 2.0], FeatureKind.CATEGORICAL),
    ],
)
def test_infer_kind(values: object, kind: FeatureKind) -> None:
    assert infer_kind(values) == kind  # type: ignore[arg-type]


def test_infer_kind_distinct_limit_is_configurable() -> None:
    assert infer_kind([1, 2, 3], max_distinct_numeric=2) == FeatureKind.NUMERIC


def test_numeric_profile_layout(rng: np.random.Generator) -> None:
    values = rng.normal(5, 2, 20_000)
    p = build_profile({"x": values}).features["x"]
    assert isinstance(p, NumericProfile)
    assert p.n_cells == 200 and len(p.cuts) == 199
    assert p.count == 20_000 and p.missing == 0 and p.min == values.min()
    assert p.counts.sum() == 20_000 and abs(p.counts - 100).max() <= 1
    deciles = np.quantile(values, np.arange(1, 10) / 10, method="inverted_cdf")
    assert np.isin(deciles, p.cuts).all()
    coarse = p.coarse_counts
    assert len(coarse) == 10 and abs(coarse - 2000).max() <= 1
    assert len(p.sample) == 5000 and np.isin(p.sample, values).all()
    assert p.mean == pytest.approx(values.mean()) and p.std == pytest.approx(values.std(ddof=1))


def test_ties_merge_cells_so_poisson_data_works(rng: np.random.Generator) -> None:
    values = rng.poisson(2, 10_000).astype(float)
    p = build_profile({"k": values}, kinds={"k": "numeric"}).features["k"]
    assert isinstance(p, NumericProfile)
    assert np.all(np.diff(p.cuts) > 0) and len(p.cuts) <= 12
    assert np.all(np.diff(p.coarse_starts) > 0)
    assert (p.counts > 0).all()  # every cell holds reference values


def test_profile_options_are_validated() -> None:
    with pytest.raises(ValueError, match="coarse_bins <= fine_cells"):
        ProfileOptions(fine_cells=5, coarse_bins=10)


def test_coarse_edges_are_fine_cuts_whatever_the_counts(rng: np.random.Generator) -> None:
    values = rng.exponential(1, 5000)
    p = build_profile({"x": values}, options=ProfileOptions(fine_cells=7, coarse_bins=3))
    x = p.features["x"]
    assert isinstance(x, NumericProfile)
    assert len(x.coarse_starts) == 3 and len(x.cuts) == 6 + 2
    assert abs(x.coarse_counts - 5000 / 3).max() <= 1


def test_categorical_profile_normalises_and_caps_the_vocabulary() -> None:
    values = ["a"] * 5 + ["b"] * 4 + [1] * 3 + [True] * 2 + [None] + [2.0] + [[1]]
    p = build_profile(
        {"c": values}, kinds={"c": "categorical"}, options=ProfileOptions(max_categories=3)
    ).features["c"]
    assert p.kind == FeatureKind.CATEGORICAL
    assert p.vocabulary == ("a", "b", "1")  # type: ignore[union-attr]
    assert p.counts.tolist() == [5, 4, 3, 3]  # "true" x2 and "2" go to __other__
    assert (p.missing, p.invalid) == (1, 1)
    assert OTHER not in p.vocabulary  # type: ignore[union-attr]


def test_outputs_are_profiled_when_present(rng: np.random.Generator) -> None:
    p = build_profile(
        {"x": rng.normal(size=100), "score": rng.random(100), "label": [None] * 100},
    )
    assert list(p.features) == ["x"] and list(p.outputs) == ["score"]
    mapped = build_profile(
        {"x": rng.normal(size=50), "proba": rng.random(50)}, output_columns={"score": "proba"}
    )
    assert list(mapped.features) == ["x"] and list(mapped.outputs) == ["score"]
    with pytest.raises(ValueError, match=r"unknown model outputs \['proba'\]"):
        build_profile({"x": [1.0]}, output_columns=["proba"])


def test_bad_columns_and_kinds_are_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        build_profile({"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError, match=r"kind 'text' of 'a' is not one of \['numeric'"):
        build_profile({"a": [1, 2]}, kinds={"a": "text"})
    with pytest.raises(ValueError, match="unknown columns"):
        build_profile({"a": [1, 2]}, kinds={"zz": "numeric"})
    with pytest.raises(ValueError, match="no finite values; declare it categorical"):
        build_profile({"a": [None, "x"]}, kinds={"a": "numeric"})


def test_profile_json_round_trip(tmp_path: Path, rng: np.random.Generator) -> None:
    profile = build_profile(
        {
            "x": rng.normal(size=1000),
            "c": rng.choice(["u", "v"], 1000),
            "label": rng.choice([0, 1], 1000),
        }
    )
    text = profile.to_json()
    again = ReferenceProfile.from_json(text)
    assert again.to_json() == text
    assert again.fingerprint() == profile.fingerprint()
    assert list(again.outputs) == ["label"]
    path = tmp_path / "profile.json"
    profile.save(path)
    assert ReferenceProfile.load(path).to_dict() == profile.to_dict()


def test_unknown_version_and_malformed_files_raise_clear_errors(tmp_path: Path) -> None:
    data = build_profile({"x": [float(i) for i in range(50)]}).to_dict()
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**data, "version": 2}))
    with pytest.raises(ValueError, match="profile version 2 is not supported; this build reads"):
        ReferenceProfile.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"cannot load reference profile .*p\.json: .*JSON"):
        ReferenceProfile.load(path)
    broken = json.loads(json.dumps(data))
    del broken["features"]["x"]["cuts"]
    with pytest.raises(ValueError, match="feature 'x' is missing 'cuts'"):
        ReferenceProfile.from_dict(broken)
    broken["features"]["x"]["cuts"] = [3.0, 1.0]
    with pytest.raises(ValueError, match="feature 'x': numeric profile cuts must be"):
        ReferenceProfile.from_dict(broken)
    with pytest.raises(ValueError, match="unknown kind 'text'"):
        ReferenceProfile.from_dict({**data, "features": {"x": {"kind": "text"}}})
    with pytest.raises(ValueError, match="the profile must be a JSON object, got list"):
        ReferenceProfile.from_json("[]")


def _event(i: int, features: dict[str, object], **prediction: object) -> PredictionEvent:
    return PredictionEvent.model_validate(
        {
            "event_id": f"e{i}",
            "model_id": "m",
            "model_version": "1",
            "timestamp": datetime(2026, 1, 1, tzinfo=UTC),
            "features": features,
            "prediction": Prediction.model_validate(prediction),
        }
    )


def test_profile_from_events() -> None:
    events = [
        _event(i, {"x": i * 0.5, "plan": "gold" if i % 3 else "free"}, score=i / 100)
        for i in range(100)
    ]
    events.append(_event(100, {"late": "yes"}, score=0.5))
    profile = profile_from_events(events)
    assert list(profile.features) == ["x", "plan", "late"]
    x = profile.features["x"]
    assert x.kind == FeatureKind.NUMERIC and x.missing == 1
    assert profile.features["late"].missing == 100
    assert list(profile.outputs) == ["score"]
    with pytest.raises(ValueError, match="at least one event"):
        profile_from_events([])
