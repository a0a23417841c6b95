"""The registry of drift statistics: small specs looked up by name.

>>> spec = get_statistic("psi")
>>> spec.default_threshold, sorted(k.value for k in spec.kinds)
(0.1, ['categorical', 'numeric'])
>>> get_statistic("kl")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: unknown statistic 'kl'; valid names: chi2, hellinger, ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from stream_monitor.stats import statistics
from stream_monitor.stats.profile import FeatureKind, TargetProfile
from stream_monitor.stats.statistics import StatResult
from stream_monitor.stats.window import TargetWindow

Compute = Callable[[TargetProfile, TargetWindow, float], StatResult]

_BOTH: Final = frozenset(FeatureKind)
_NUMERIC: Final = frozenset({FeatureKind.NUMERIC})
_CATEGORICAL: Final = frozenset({FeatureKind.CATEGORICAL})


@dataclass(frozen=True)
class StatisticSpec:
    """What a statistic is, which targets it applies to and when it counts as drift."""

    name: str
    kinds: frozenset[FeatureKind]
    default_threshold: float
    has_p_value: bool
    effect_size: str
    compute: Compute
    binned: bool = True
    """Computed over the PSI bins and the missing bucket (else over valid values only)."""

    def sample_size(self, window: TargetWindow) -> int:
        """How many of the window's values this statistic uses."""
        return window.count + window.missing if self.binned else window.count

    def __call__(
        self, profile: TargetProfile, window: TargetWindow, threshold: float | None = None
    ) -> StatResult:
        """Compute on one target; a target of the wrong kind raises ValueError."""
        if profile.kind not in self.kinds:
            allowed = ", ".join(sorted(k.value for k in self.kinds))
            raise ValueError(
                f"{self.name} applies to {allowed} targets; this target is {profile.kind.value}"
            )
        return self.compute(
            profile, window, self.default_threshold if threshold is None else threshold
        )


REGISTRY: Final[dict[str, StatisticSpec]] = {
    spec.name: spec
    for spec in (
        StatisticSpec(
            "ks",
            _NUMERIC,
            0.1,
            True,
            "D: largest gap between the two CDFs",
            statistics.ks,
            binned=False,
        ),
        StatisticSpec(
            "chi2",
            _CATEGORICAL,
            0.1,
            True,
            "Cohen's w = sqrt(chi2 (1/n + 1/m)); 0.1 small, 0.3 medium, 0.5 large",
            statistics.chi2,
        ),
        StatisticSpec(
            "psi",
            _BOTH,
            0.1,
            False,
            "PSI: < 0.1 stable, 0.1-0.25 moderate, > 0.25 major",
            statistics.psi,
        ),
        StatisticSpec(
            "jensen_shannon",
            _BOTH,
            0.1,
            False,
            "JS distance, base 2, 0 same to 1 disjoint",
            statistics.jensen_shannon,
        ),
        StatisticSpec(
            "hellinger",
            _BOTH,
            0.1,
            False,
            "Hellinger distance, 0 same to 1 disjoint",
            statistics.hellinger,
        ),
        StatisticSpec(
            "wasserstein",
            _NUMERIC,
            0.1,
            False,
            "W1 in units of the reference std: 0.5 is a half-sigma mean shift",
            statistics.wasserstein,
            binned=False,
        ),
    )
}


def get_statistic(name: str) -> StatisticSpec:
    """The spec of a statistic; an unknown name raises ValueError listing the valid ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(REGISTRY))
        raise ValueError(f"unknown statistic {name!r}; valid names: {valid}") from None


def compute(
    name: str, profile: TargetProfile, window: TargetWindow, threshold: float | None = None
) -> StatResult:
    """Compute the named statistic of one target."""
    return get_statistic(name)(profile, window, threshold)
