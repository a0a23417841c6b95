"""KS and Wasserstein-1 from fine-cell counts, with rigorous error bounds.

Fine cell ``i`` holds ``cuts[i-1] < x <= cuts[i]``. At the cut points the empirical CDFs
of both samples are known exactly from the counts; inside a cell only their endpoints
are. Writing ``p`` and ``q`` for the shares of the two samples in a cell ``(a, b]`` and
``d(x) = F(x) - G(x)``, for any ``x`` in the cell::

    F(a) <= F(x) <= F(b) = F(a) + p      G(a) <= G(x) <= G(b) = G(a) + q
    d(x) <= min(d(a) + p, d(b) + q)      d(x) >= max(d(a) - q, d(b) - p)

so ``|d(x)| <= max(|d(a)|, |d(b)|) + min(p, q)``. Hence the grid statistic
``D_grid = max |d(cut)|`` satisfies ``D_grid <= D <= D_grid + max over cells of min(p, q)``.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import kstwo

from stream_monitor.stats.values import FloatArray, IntArray


def _cdfs(reference: IntArray, current: IntArray) -> tuple[FloatArray, FloatArray]:
    return np.cumsum(reference) / reference.sum(), np.cumsum(current) / current.sum()


def grid_ks(reference: IntArray, current: IntArray) -> tuple[float, float]:
    """KS ``D`` at the cut points and the bound on ``D_true - D`` (never negative).

    >>> grid_ks(np.array([5, 5, 0]), np.array([0, 5, 5]))
    (0.5, 0.5)
    """
    ref_cdf, cur_cdf = _cdfs(reference, current)
    d = float(np.max(np.abs(ref_cdf - cur_cdf)))
    shares = np.minimum(reference / reference.sum(), current / current.sum())
    return d, float(np.max(shares))


def ks_p_value(d: float, n: int, m: int) -> float:
    """Asymptotic two-sided p-value of D, as ``ks_2samp(method='asymp')`` computes it.

    Kolmogorov's distribution at the effective size ``round(n * m / (n + m))``.

    >>> round(ks_p_value(0.05, 1000, 1000), 3)
    0.159
    """
    big, small = max(n, m), min(n, m)
    effective = max(1.0, float(np.round(big * small / (big + small))))
    return float(np.clip(kstwo.sf(d, effective), 0.0, 1.0))


def _cell_integrals(
    left: FloatArray, right: FloatArray, boundaries: FloatArray, means: FloatArray
) -> FloatArray:
    """Integral of ``|F - G|`` over each cell, both CDFs shaped like the reference inside.

    With ``F - G = d(a) + (p - q) h(x)`` where ``h`` rises from 0 to 1 like the reference
    inside the cell, and ``d`` of one sign, the integral is ``|d(a) w + (p - q)(b - mean)|``.
    Where ``d`` changes sign inside a cell the CDFs are taken as linear instead.
    """
    widths = np.diff(boundaries)
    shaped = np.abs(left * widths + (right - left) * (boundaries[1:] - means))
    total = np.abs(left) + np.abs(right)
    crossing = np.divide(left**2 + right**2, total, out=np.zeros_like(total), where=total > 0)
    return np.where(left * right >= 0, shaped, crossing / 2 * widths)


def grid_wasserstein(
    cuts: FloatArray,
    cell_means: FloatArray,
    reference: IntArray,
    current: IntArray,
    bounds: tuple[float, float],
) -> tuple[float, float]:
    """W1 = integral of ``|F - G|`` from fine-cell counts, and a bound on its error.

    ``bounds`` are the smallest and largest value of both samples, which close the two
    outer cells. In a cell ``(a, b]`` of width ``w`` both the true and the estimated
    ``F - G`` lie in ``[d(a) - q, d(a) + p]``, so the error is at most ``sum(w (p + q))``.

    >>> cuts, means = np.array([1.0]), np.array([0.5, 1.5])
    >>> grid_wasserstein(cuts, means, np.array([1, 0]), np.array([0, 1]), (0.0, 2.0))
    (1.0, 2.0)
    """
    low, high = bounds
    if low > cuts[0] or high < cuts[-1]:
        raise ValueError(f"bounds {bounds} must enclose the cut points")
    boundaries = np.concatenate([[low], cuts, [high]])
    means = np.clip(cell_means, boundaries[:-1], boundaries[1:])
    if reference[0] == 0:
        means[0] = (low + cuts[0]) / 2
    if reference[-1] == 0:
        means[-1] = (cuts[-1] + high) / 2
    ref_share, cur_share = reference / reference.sum(), current / current.sum()
    diff = np.concatenate([[0.0], np.cumsum(ref_share) - np.cumsum(cur_share)])
    distance = float(np.sum(_cell_integrals(diff[:-1], diff[1:], boundaries, means)))
    bound = float(np.sum(np.diff(boundaries) * (ref_share + cur_share)))
    return distance, bound
