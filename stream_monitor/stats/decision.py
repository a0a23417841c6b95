"""False-alarm control: when a statistic, a target and a whole dataset count as drifted.

A statistic flags drift only when (1) its window holds at least ``min_events`` values,
(2) its value reaches its threshold (an effect-size floor, so that a negligible shift on
a huge window is not drift) and (3) its p-value, corrected across the targets of the
model in this window, is below ``alpha`` (so that sampling noise on a small window is not
drift either). Distances have no p-value of their own; the test that guards them is
named in :class:`~stream_monitor.stats.statistics.StatResult`. See docs/statistics.md for
the arithmetic behind the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import numpy as np
from scipy.stats import false_discovery_control

from schemas import TargetKind
from stream_monitor.stats.profile import FeatureKind
from stream_monitor.stats.registry import get_statistic
from stream_monitor.stats.statistics import StatResult
from stream_monitor.stats.values import FloatArray


class Correction(StrEnum):
    """Multiple-testing correction across the targets of one model in one window."""

    BENJAMINI_HOCHBERG = "benjamini-hochberg"
    BONFERRONI = "bonferroni"
    NONE = "none"


DEFAULT_STATISTICS: Final[Mapping[FeatureKind, tuple[str, ...]]] = {
    FeatureKind.NUMERIC: ("ks", "psi", "wasserstein", "jensen_shannon"),
    FeatureKind.CATEGORICAL: ("chi2", "psi", "jensen_shannon"),
}
DEFAULT_DECIDING: Final[Mapping[FeatureKind, tuple[str, ...]]] = {
    FeatureKind.NUMERIC: ("ks", "psi"),
    FeatureKind.CATEGORICAL: ("chi2", "psi"),
}


def adjust_p_values(p_values: Sequence[float], correction: Correction) -> FloatArray:
    """Corrected p-values of one family of tests, in the given order.

    >>> adjust_p_values([0.01, 0.04, 0.03], Correction.BENJAMINI_HOCHBERG).round(3).tolist()
    [0.03, 0.04, 0.04]
    >>> adjust_p_values([0.01, 0.04, 0.5], Correction.BONFERRONI).tolist()
    [0.03, 0.12, 1.0]
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0 or correction == Correction.NONE:
        return p
    if correction == Correction.BONFERRONI:
        return np.minimum(1.0, p * p.size)
    adjusted: FloatArray = false_discovery_control(p, method="bh")
    return adjusted


def _kind_map(
    value: Mapping[FeatureKind, Sequence[str]] | Mapping[str, Sequence[str]], what: str
) -> dict[FeatureKind, tuple[str, ...]]:
    out: dict[FeatureKind, tuple[str, ...]] = {}
    for kind, names in value.items():
        try:
            kind = FeatureKind(kind)
        except ValueError:
            allowed = [k.value for k in FeatureKind]
            raise ValueError(f"{what}: unknown kind {kind!r}; allowed: {allowed}") from None
        if isinstance(names, str):
            raise ValueError(f"{what}: give a list of statistic names for {kind.value}")
        for name in names:
            if kind not in get_statistic(name).kinds:
                raise ValueError(f"{what}: {name} does not apply to {kind.value} targets")
        out[kind] = tuple(names)
    return out


@dataclass(frozen=True)
class DriftPolicy:
    """How drift is decided, with defaults that keep false alarms rare (see module doc).

    ``statistics`` are computed and published per target kind; ``deciding`` are the
    ones whose flags make the target drifted. ``thresholds`` override the registry's
    default threshold (effect-size floor) of a statistic. A dataset drifts when the
    share of drifted features reaches ``dataset_drift_share``.
    """

    min_events: int = 500
    alpha: float = 0.005
    correction: Correction = Correction.BENJAMINI_HOCHBERG
    thresholds: Mapping[str, float] = field(default_factory=dict)
    statistics: Mapping[FeatureKind, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_STATISTICS)
    )
    deciding: Mapping[FeatureKind, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_DECIDING)
    )
    dataset_drift_share: float = 0.5
    noise_guard: bool = True

    def __post_init__(self) -> None:
        self._check_numbers()
        try:
            object.__setattr__(self, "correction", Correction(self.correction))
        except ValueError:
            allowed = [c.value for c in Correction]
            raise ValueError(
                f"unknown correction {self.correction!r}; allowed: {allowed}"
            ) from None
        statistics = _kind_map(self.statistics, "statistics")
        deciding = _kind_map(self.deciding, "deciding")
        for kind, names in deciding.items():
            extra = sorted(set(names) - set(statistics.get(kind, ())))
            if extra:
                raise ValueError(
                    f"deciding statistics {extra} of {kind.value} targets are not computed"
                )
        object.__setattr__(self, "statistics", statistics)
        object.__setattr__(self, "deciding", deciding)

    def _check_numbers(self) -> None:
        if self.min_events < 1:
            raise ValueError(f"min_events must be >= 1; got {self.min_events}")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1); got {self.alpha}")
        if not 0.0 < self.dataset_drift_share <= 1.0:
            raise ValueError(
                f"dataset_drift_share must be in (0, 1]; got {self.dataset_drift_share}"
            )
        for name, value in self.thresholds.items():
            get_statistic(name)  # an unknown name raises, listing the valid ones
            if not value >= 0:
                raise ValueError(f"threshold of {name} must be >= 0; got {value}")

    def threshold(self, statistic: str) -> float:
        """The threshold of a statistic: the override, else the registry default."""
        return self.thresholds.get(statistic, get_statistic(statistic).default_threshold)

    def statistics_for(self, kind: FeatureKind) -> tuple[str, ...]:
        return self.statistics.get(kind, ())

    def is_deciding(self, kind: FeatureKind, statistic: str) -> bool:
        return statistic in self.deciding.get(kind, ())


@dataclass(frozen=True)
class TargetResults:
    """The statistics computed for one target, before any decision."""

    role: TargetKind
    name: str
    kind: FeatureKind
    results: tuple[StatResult, ...]
    note: str = ""


@dataclass(frozen=True)
class StatDecision:
    """One statistic of one target, decided: ``drift`` is after correction."""

    result: StatResult
    adjusted_p_value: float | None
    drift: bool
    deciding: bool
    detail: str


@dataclass(frozen=True)
class TargetDecision:
    """A target's decided statistics; ``drift`` comes from the deciding statistics.

    ``severity`` is the largest value/threshold ratio among the deciding statistics that
    were tested: above 1 means past the threshold. Targets rank by it.
    """

    role: TargetKind
    name: str
    kind: FeatureKind
    statistics: tuple[StatDecision, ...]
    drift: bool
    tested: bool
    severity: float
    note: str = ""


@dataclass(frozen=True)
class DatasetDecision:
    """Share of the tested features that drifted, and whether that is dataset drift."""

    drift_share: float
    drift: bool
    drifted: int
    tested: int
    threshold: float
    detail: str


def _adjusted(
    targets: Sequence[TargetResults], policy: DriftPolicy
) -> dict[tuple[int, int], float]:
    """Corrected p-values by position (target, result).

    One family per model and window: every distinct test with a p-value and enough
    events, of every feature and output. So under no drift at all, a window raises any
    flag with probability at most ``alpha`` (Bonferroni; Benjamini-Hochberg when the
    tests are independent or positively dependent). Statistics of one target that share
    a test (PSI and JS use the chi-squared test of the same bins as their noise guard,
    Wasserstein uses KS) enter the family once: a repeated p-value would loosen the
    correction by the number of statistics published.
    """
    members = [
        (t, r)
        for t, target in enumerate(targets)
        for r, result in enumerate(target.results)
        if (result.p_value is not None or policy.noise_guard)
        and result.test_p_value is not None
        and result.current_count >= policy.min_events
    ]
    tests = {(t, targets[t].results[r].test_p_value or 0.0): None for t, r in members}
    distinct = list(tests)
    adjusted = adjust_p_values([p for _, p in distinct], policy.correction)
    by_test = {key: float(p) for key, p in zip(distinct, adjusted, strict=True)}
    return {(t, r): by_test[(t, targets[t].results[r].test_p_value or 0.0)] for t, r in members}


def _detail(result: StatResult, adjusted: float | None, policy: DriftPolicy) -> tuple[bool, str]:
    name, value, threshold = result.statistic, result.value, result.threshold
    if result.current_count < policy.min_events:
        return False, f"below minimum of {policy.min_events} events (got {result.current_count})"
    size = f"{name} {value:.4g} {'>=' if value >= threshold else '<'} threshold {threshold:g}"
    if result.error_bound:
        size += f" (estimate, |error| <= {result.error_bound:.2g})"
    if adjusted is None:
        return value >= threshold, size
    test = "p" if result.p_value is not None else f"noise p ({result.noise_test})"
    raw = result.test_p_value or 0.0
    p_text = f"{test} {raw:.3g}, {policy.correction.value} {adjusted:.3g}"
    if value < threshold:
        return False, f"{size}; {p_text}"
    if adjusted >= policy.alpha:
        return False, f"{size} but {p_text} >= alpha {policy.alpha:g}: within sampling noise"
    return True, f"{size} and {p_text} < alpha {policy.alpha:g}"


def _severity(decisions: Sequence[StatDecision], policy: DriftPolicy) -> float:
    ratios = [
        d.result.value / d.result.threshold if d.result.threshold > 0 else d.result.value
        for d in decisions
        if d.deciding and d.result.current_count >= policy.min_events
    ]
    return max(ratios, default=0.0)


def decide(targets: Sequence[TargetResults], policy: DriftPolicy) -> tuple[TargetDecision, ...]:
    """Decide every statistic and target; drifted targets first, most severe first."""
    adjusted = _adjusted(targets, policy)
    decisions = []
    for t, target in enumerate(targets):
        stats = []
        for r, result in enumerate(target.results):
            drift, detail = _detail(result, adjusted.get((t, r)), policy)
            deciding = policy.is_deciding(target.kind, result.statistic)
            stats.append(StatDecision(result, adjusted.get((t, r)), drift, deciding, detail))
        decisions.append(
            TargetDecision(
                role=target.role,
                name=target.name,
                kind=target.kind,
                statistics=tuple(stats),
                drift=any(s.drift and s.deciding for s in stats),
                tested=any(
                    s.deciding and s.result.current_count >= policy.min_events for s in stats
                ),
                severity=_severity(stats, policy),
                note=target.note,
            )
        )
    return tuple(sorted(decisions, key=lambda d: (not d.drift, -d.severity, d.role, d.name)))


def decide_dataset(decisions: Sequence[TargetDecision], policy: DriftPolicy) -> DatasetDecision:
    """Dataset drift: the share of tested features that drifted reaches the threshold."""
    tested = [d for d in decisions if d.role == TargetKind.FEATURE and d.tested]
    drifted = [d.name for d in tested if d.drift]
    share = len(drifted) / len(tested) if tested else 0.0
    threshold = policy.dataset_drift_share
    if not tested:
        detail = f"no feature had the minimum of {policy.min_events} events"
    else:
        relation = ">=" if share >= threshold else "<"
        detail = f"{len(drifted)} of {len(tested)} features drifted"
        detail += f", share {share:.3g} {relation} {threshold:g}"
        if drifted:
            detail += f": {', '.join(drifted[:10])}" + (", ..." if len(drifted) > 10 else "")
    drift = bool(tested) and share >= threshold
    return DatasetDecision(share, drift, len(drifted), len(tested), threshold, detail)
