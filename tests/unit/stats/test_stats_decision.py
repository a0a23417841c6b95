"""False-alarm control: corrections, policy validation, gates, ranking and dataset drift."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import false_discovery_control

from schemas import TargetKind
from stream_monitor.stats import (
    Correction,
    DriftPolicy,
    FeatureKind,
    StatResult,
    TargetResults,
    adjust_p_values,
    decide,
    decide_dataset,
)


def _result(
    statistic: str, value: float, p: float | None, n: int = 1000, **kw: object
) -> StatResult:
    return StatResult(
        statistic=statistic,
        value=value,
        p_value=p if statistic in ("ks", "chi2") else None,
        threshold=0.1,
        error_bound=None,
        method="test",
        reference_count=10_000,
        current_count=n,
        noise_p_value=None if statistic in ("ks", "chi2") else p,
        noise_test="" if statistic in ("ks", "chi2") else "chi2 on the same bins",
        **kw,  # type: ignore[arg-type]
    )


def _numeric(name: str, *results: StatResult) -> TargetResults:
    return TargetResults(TargetKind.FEATURE, name, FeatureKind.NUMERIC, results)


def test_adjust_p_values() -> None:
    p = [0.001, 0.02, 0.5, 0.04, 0.3]
    bh = adjust_p_values(p, Correction.BENJAMINI_HOCHBERG)
    assert bh.tolist() == pytest.approx(false_discovery_control(p).tolist())
    assert adjust_p_values(p, Correction.BONFERRONI).tolist() == pytest.approx(
        [0.005, 0.1, 1.0, 0.2, 1.0]
    )
    assert adjust_p_values(p, Correction.NONE).tolist() == p
    assert adjust_p_values([], Correction.BENJAMINI_HOCHBERG).size == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_events": 0}, "min_events must be >= 1"),
        ({"alpha": 1.5}, r"alpha must be in \(0, 1\)"),
        ({"correction": "holm"}, r"unknown correction 'holm'; allowed: \['benjamini-hochberg'"),
        ({"thresholds": {"kl": 0.1}}, "unknown statistic 'kl'; valid names"),
        ({"statistics": {"categorical": ("ks",)}}, "ks does not apply to categorical targets"),
        ({"statistics": {"text": ("psi",)}}, "unknown kind 'text'"),
        ({"deciding": {"numeric": ("hellinger",)}}, r"\['hellinger'\] of numeric targets are not"),
        ({"dataset_drift_share": 0}, "dataset_drift_share must be in"),
    ],
)
def test_policy_rejects_bad_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DriftPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_defaults_and_overrides() -> None:
    policy = DriftPolicy(correction="bonferroni", thresholds={"psi": 0.25})  # type: ignore[arg-type]
    assert policy.correction is Correction.BONFERRONI
    assert policy.threshold("psi") == 0.25 and policy.threshold("ks") == 0.1
    assert policy.statistics_for(FeatureKind.NUMERIC) == (
        "ks",
        "psi",
        "wasserstein",
        "jensen_shannon",
    )
    assert policy.is_deciding(FeatureKind.CATEGORICAL, "chi2")
    assert not policy.is_deciding(FeatureKind.NUMERIC, "wasserstein")


def test_a_window_below_the_minimum_never_flags() -> None:
    target = _numeric("x", _result("ks", 0.9, 1e-30, n=499))
    (decision,) = decide([target], DriftPolicy())
    assert not decision.drift and not decision.tested
    assert decision.statistics[0].detail == "below minimum of 500 events (got 499)"
    assert decision.statistics[0].adjusted_p_value is None


def test_a_flag_needs_both_the_effect_floor_and_the_corrected_p_value() -> None:
    policy = DriftPolicy()
    small_effect = _numeric("a", _result("ks", 0.05, 1e-12))
    noisy = _numeric("b", _result("ks", 0.3, 0.004))
    real = _numeric("c", _result("ks", 0.3, 1e-9))
    calm = [_numeric(f"calm{i}", _result("ks", 0.01, p)) for i, p in enumerate((0.8, 0.9))]
    family = [small_effect, noisy, real, *calm]
    decisions = {d.name: d for d in decide(family, policy)}
    assert (
        not decisions["a"].drift
        and "ks 0.05 < threshold 0.1" in decisions["a"].statistics[0].detail
    )
    assert not decisions["b"].drift
    assert "p 0.004, benjamini-hochberg 0.00667 >= alpha 0.005: within sampling noise" in (
        decisions["b"].statistics[0].detail
    )
    assert decisions["c"].drift
    assert decisions["c"].statistics[0].adjusted_p_value == pytest.approx(2.5e-9)
    none = DriftPolicy(correction=Correction.NONE)
    uncorrected = {d.name: d for d in decide(family, none)}
    assert uncorrected["b"].drift


def test_distances_are_guarded_by_their_noise_test_unless_disabled() -> None:
    target = _numeric("x", _result("psi", 0.2, 0.2))
    (guarded,) = decide([target], DriftPolicy())
    assert (
        not guarded.drift and "noise p (chi2 on the same bins) 0.2" in guarded.statistics[0].detail
    )
    (unguarded,) = decide([target], DriftPolicy(noise_guard=False))
    assert unguarded.drift and unguarded.statistics[0].detail == "psi 0.2 >= threshold 0.1"


def test_only_deciding_statistics_flag_the_target_and_ranking_is_by_severity() -> None:
    only_wasserstein = _numeric("w", _result("wasserstein", 0.9, 1e-20), _result("ks", 0.05, 0.3))
    mild = _numeric("mild", _result("ks", 0.15, 1e-10))
    strong = _numeric("strong", _result("ks", 0.6, 1e-40), _result("psi", 0.9, 1e-40))
    decisions = decide([only_wasserstein, mild, strong], DriftPolicy())
    assert [d.name for d in decisions] == ["strong", "mild", "w"]
    assert decisions[0].severity == pytest.approx(9.0)
    w = decisions[2]
    assert not w.drift and w.statistics[0].drift and not w.statistics[0].deciding


def test_dataset_drift_share() -> None:
    targets = [
        _numeric(f"f{i}", _result("ks", 0.5 if i < 3 else 0.01, 1e-20 if i < 3 else 0.9))
        for i in range(6)
    ]
    targets.append(_numeric("few", _result("ks", 0.9, 1e-20, n=10)))
    decisions = decide(targets, DriftPolicy())
    dataset = decide_dataset(decisions, DriftPolicy())
    assert (dataset.drifted, dataset.tested, dataset.drift_share, dataset.drift) == (
        3,
        6,
        0.5,
        True,
    )
    assert dataset.detail.startswith("3 of 6 features drifted, share 0.5 >= 0.5: f0, f1, f2")
    assert not decide_dataset(decisions, DriftPolicy(dataset_drift_share=0.6)).drift
    empty = decide_dataset((), DriftPolicy())
    assert (empty.drift_share, empty.drift) == (0.0, False)
    assert np.isclose(empty.threshold, 0.5)
