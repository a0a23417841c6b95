"""Divergences and tests between two binned distributions (arrays of counts over the same bins).

These are the building blocks of the target-level statistics; each takes counts, not
proportions, so that sample sizes stay at hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.special import chdtrc, rel_entr

from stream_monitor.stats.values import FloatArray, IntArray

EPSILON: Final = 1e-4
"""Floor of a bin's proportion in PSI, so that an empty bin gives a finite term.

With one bin empty in the reference and 1 event of 1,000 in it now, the term is
``(0.001 - 1e-4) * ln(0.001 / 1e-4) = 0.002``; a floor of 2e-308 would make it
``0.001 * ln(0.001 / 2e-308) = 0.70``, a drift alarm from a single event.
"""


def proportions(counts: IntArray) -> FloatArray:
    """Counts divided by their total (a total of zero raises ValueError).

    >>> proportions(np.array([1, 3])).tolist()
    [0.25, 0.75]
    """
    total = counts.sum()
    if total <= 0:
        raise ValueError("a distribution needs at least one observation; got none")
    shares: FloatArray = counts / total
    return shares


def psi_of(reference: IntArray, current: IntArray, epsilon: float = EPSILON) -> float:
    """Population stability index, natural log, proportions floored at ``epsilon``.

    ``sum((q - p) * ln(q / p))``; every term is >= 0, so PSI >= 0.

    >>> round(psi_of(np.array([50, 50]), np.array([40, 60])), 4)  # 0.1 * ln(1.5) + ...
    0.0405
    """
    p = np.maximum(proportions(reference), epsilon)
    q = np.maximum(proportions(current), epsilon)
    return float(np.sum((q - p) * np.log(q / p)))


def js_distance_of(reference: IntArray, current: IntArray) -> float:
    """Jensen-Shannon distance, base 2: the square root of the divergence, in [0, 1].

    Equals ``scipy.spatial.distance.jensenshannon(p, q, base=2)``.

    >>> js_distance_of(np.array([1, 0]), np.array([0, 1]))
    1.0
    """
    p, q = proportions(reference), proportions(current)
    middle = (p + q) / 2
    divergence = (rel_entr(p, middle).sum() + rel_entr(q, middle).sum()) / (2 * math.log(2))
    return float(math.sqrt(min(1.0, max(0.0, float(divergence)))))


def hellinger_of(reference: IntArray, current: IntArray) -> float:
    """Hellinger distance ``sqrt(sum((sqrt(p) - sqrt(q))**2) / 2)``, in [0, 1].

    >>> hellinger_of(np.array([1, 0]), np.array([0, 1]))
    1.0
    """
    p, q = proportions(reference), proportions(current)
    squared = float(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / 2
    return math.sqrt(min(1.0, squared))


@dataclass(frozen=True)
class Chi2Test:
    """Pearson chi-square test of homogeneity of two samples over the same bins."""

    statistic: float
    p_value: float
    dof: int
    effect_size: float
    """Cohen's w between the samples, ``sqrt(chi2 * (1/n + 1/m))``: free of sample size."""


def chi2_of(reference: IntArray, current: IntArray) -> Chi2Test:
    """Pearson chi-square test on the 2 x K table, bins empty in both dropped.

    Computes what ``scipy.stats.chi2_contingency`` does (Yates' correction when there is
    one degree of freedom) at a fraction of its overhead, as drift evaluation runs it for
    every target and binned statistic.

    >>> t = chi2_of(np.array([50, 50, 0]), np.array([50, 50, 0]))
    >>> t.statistic, t.p_value, t.dof, t.effect_size
    (0.0, 1.0, 1, 0.0)
    """
    n, m = int(reference.sum()), int(current.sum())
    if n <= 0 or m <= 0:
        raise ValueError(f"a chi-square test needs observations in both samples; got {n} and {m}")
    observed = np.vstack([reference, current]).astype(np.float64)
    observed = observed[:, observed.sum(axis=0) > 0]
    dof = observed.shape[1] - 1
    if dof == 0:
        return Chi2Test(0.0, 1.0, 0, 0.0)
    expected = np.outer([n, m], observed.sum(axis=0)) / (n + m)
    if dof == 1:  # Yates: move each count up to 0.5 towards its expectation
        diff = expected - observed
        observed = observed + np.sign(diff) * np.minimum(0.5, np.abs(diff))
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    return Chi2Test(
        statistic=statistic,
        p_value=float(chdtrc(dof, statistic)),
        dof=dof,
        effect_size=math.sqrt(statistic * (1 / n + 1 / m)),
    )
