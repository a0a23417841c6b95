"""Drift statistics of one target: a reference profile against a window.

Binned statistics (PSI, Jensen-Shannon, Hellinger, chi-square) use the coarse bins plus
a missing bucket for numeric targets, and the vocabulary, ``__other__`` and missing for
categorical ones. KS and Wasserstein use the fine cells, or the raw values when the
window kept them. Every result says how it was computed (``method``) and, where it is an
approximation with a rigorous bound, the bound (``error_bound``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import ks_2samp, wasserstein_distance

from stream_monitor.stats.distances import chi2_of, hellinger_of, js_distance_of, psi_of
from stream_monitor.stats.ks import grid_ks, grid_wasserstein, ks_p_value
from stream_monitor.stats.profile import NumericProfile, TargetProfile
from stream_monitor.stats.values import IntArray
from stream_monitor.stats.window import NumericWindow, TargetWindow


@dataclass(frozen=True)
class StatResult:
    """One statistic of one target over one window.

    ``p_value`` is the statistic's own p-value (KS, chi-square). Distances have none;
    their ``noise_p_value`` is the p-value of the test that tells them from sampling
    noise (chi-square on the same bins for PSI, JS and Hellinger; KS for Wasserstein).
    """

    statistic: str
    value: float
    p_value: float | None
    threshold: float
    error_bound: float | None
    method: str
    reference_count: int
    current_count: int
    noise_p_value: float | None = None
    noise_test: str = ""
    note: str = ""

    @property
    def test_p_value(self) -> float | None:
        """The p-value that drift decisions correct and compare with alpha."""
        return self.p_value if self.p_value is not None else self.noise_p_value


def _matching(profile: TargetProfile, window: TargetWindow) -> None:
    if profile.kind != window.kind:
        raise ValueError(f"a {window.kind} window cannot be compared with a {profile.kind} profile")
    if len(window.counts) != len(profile.counts):
        raise ValueError(
            f"the window has {len(window.counts)} cells but the profile {len(profile.counts)}: "
            "it was binned with another reference profile"
        )


def binned_counts(profile: TargetProfile, window: TargetWindow) -> tuple[IntArray, IntArray]:
    """Reference and window counts over the PSI bins, the missing bucket last."""
    _matching(profile, window)
    if isinstance(profile, NumericProfile):
        ref = profile.coarse_counts
        cur = np.add.reduceat(window.counts, profile.coarse_starts)
    else:
        ref, cur = profile.counts, window.counts
    return np.append(ref, profile.missing), np.append(cur, window.missing)


def _binned_result(
    name: str, value: float, ref: IntArray, cur: IntArray, threshold: float
) -> StatResult:
    noise = chi2_of(ref, cur)
    return StatResult(
        statistic=name,
        value=value,
        p_value=None,
        threshold=threshold,
        error_bound=None,
        method=f"{len(ref)} bins",
        reference_count=int(ref.sum()),
        current_count=int(cur.sum()),
        noise_p_value=noise.p_value,
        noise_test="chi2 on the same bins",
    )


def psi(profile: TargetProfile, window: TargetWindow, threshold: float) -> StatResult:
    """Population stability index (natural log, empty-bin floor 1e-4)."""
    ref, cur = binned_counts(profile, window)
    return _binned_result("psi", psi_of(ref, cur), ref, cur, threshold)


def jensen_shannon(profile: TargetProfile, window: TargetWindow, threshold: float) -> StatResult:
    """Jensen-Shannon distance (base 2, in [0, 1])."""
    ref, cur = binned_counts(profile, window)
    return _binned_result("jensen_shannon", js_distance_of(ref, cur), ref, cur, threshold)


def hellinger(profile: TargetProfile, window: TargetWindow, threshold: float) -> StatResult:
    """Hellinger distance (in [0, 1])."""
    ref, cur = binned_counts(profile, window)
    return _binned_result("hellinger", hellinger_of(ref, cur), ref, cur, threshold)


def chi2(profile: TargetProfile, window: TargetWindow, threshold: float) -> StatResult:
    """Chi-square two-sample homogeneity test; ``value`` is the effect size Cohen's w."""
    ref, cur = binned_counts(profile, window)
    test = chi2_of(ref, cur)
    return StatResult(
        statistic="chi2",
        value=test.effect_size,
        p_value=test.p_value,
        threshold=threshold,
        error_bound=None,
        method=f"{len(ref)} bins",
        reference_count=int(ref.sum()),
        current_count=int(cur.sum()),
        note=f"chi2={test.statistic:.4g}, dof={test.dof}",
    )


def _numeric_pair(
    name: str, profile: TargetProfile, window: TargetWindow
) -> tuple[NumericProfile, NumericWindow]:
    _matching(profile, window)
    if not isinstance(profile, NumericProfile) or not isinstance(window, NumericWindow):
        raise ValueError(f"{name} applies to numeric targets, not {profile.kind} ones")
    if window.count == 0:
        raise ValueError(f"{name} needs at least one valid value in the window; got none")
    return profile, window


def _exact_method(profile: NumericProfile) -> tuple[str, float | None]:
    if len(profile.sample) == profile.count:
        return "exact", 0.0
    return f"exact on a reference sample of {len(profile.sample)}", None


def ks(profile: TargetProfile, window: TargetWindow, threshold: float) -> StatResult:
    """Two-sample Kolmogorov-Smirnov: ``value`` is D, with its p-value.

    Exact (``scipy.stats.ks_2samp``) when the window kept raw values; otherwise D from
    the fine-cell CDFs, its error bound and the asymptotic p-value.
    """
    p, w = _numeric_pair("ks", profile, window)
    if w.raw is not None:
        result = ks_2samp(p.sample, w.raw)
        method, bound = _exact_method(p)
        d, p_value = float(result.statistic), float(result.pvalue)
    else:
        d, bound = grid_ks(p.counts, w.counts)
        p_value, method = ks_p_value(d, p.count, w.count), f"grid of {p.n_cells} cells"
    return StatResult("ks", d, p_value, threshold, bound, method, p.count, w.count)


def wasserstein(profile: TargetProfile, window: TargetWindow, threshold: float) -> StatResult:
    """Wasserstein-1 distance divided by the reference standard deviation."""
    p, w = _numeric_pair("wasserstein", profile, window)
    scale = p.std if p.std > 0 else 1.0
    note = "" if p.std > 0 else "reference std is 0: distance in data units"
    if w.raw is not None:
        distance = float(wasserstein_distance(p.sample, w.raw))
        method, bound = _exact_method(p)
        noise = float(ks_2samp(p.sample, w.raw).pvalue)
    else:
        bounds = (min(p.min, w.min), max(p.max, w.max))
        distance, bound = grid_wasserstein(p.cuts, p.cell_means, p.counts, w.counts, bounds)
        method = f"grid of {p.n_cells} cells, shaped like the reference inside cells"
        noise = ks_p_value(grid_ks(p.counts, w.counts)[0], p.count, w.count)
    return StatResult(
        statistic="wasserstein",
        value=distance / scale,
        p_value=None,
        threshold=threshold,
        error_bound=None if bound is None else bound / scale,
        method=method,
        reference_count=p.count,
        current_count=w.count,
        noise_p_value=noise,
        noise_test="ks",
        note=note,
    )
