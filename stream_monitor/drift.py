"""Data and prediction drift of one model over one window: the pure step the evaluator calls.

Reference profile and window state in, decisions and :class:`schemas.DriftEvent` out; no
clock, no I/O. One event per statistic of each feature and model output, then one
dataset-level event (statistic ``drift_share``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from schemas import DriftEvent, Target, TargetKind, Window
from stream_monitor.stats.decision import (
    DatasetDecision,
    DriftPolicy,
    TargetDecision,
    TargetResults,
    decide,
    decide_dataset,
)
from stream_monitor.stats.model_windows import ModelWindows
from stream_monitor.stats.profile import ReferenceProfile, TargetProfile
from stream_monitor.stats.registry import get_statistic
from stream_monitor.stats.window import TargetWindow

DATASET_TARGET = Target(kind=TargetKind.DATASET, name="dataset")
DRIFT_SHARE = "drift_share"


@dataclass(frozen=True)
class DriftResult:
    """Ranked target decisions (drifted and most severe first), dataset drift, events."""

    window: Window
    targets: tuple[TargetDecision, ...]
    dataset: DatasetDecision
    events: tuple[DriftEvent, ...]

    @property
    def drifted(self) -> tuple[TargetDecision, ...]:
        """The drifted targets, most severe first."""
        return tuple(t for t in self.targets if t.drift)


def _reference_size(profile: TargetProfile, binned: bool) -> int:
    return profile.count + profile.missing if binned else profile.count


def _target_results(
    role: TargetKind, name: str, profile: TargetProfile, window: TargetWindow, policy: DriftPolicy
) -> TargetResults:
    results, skipped = [], []
    for statistic in policy.statistics_for(profile.kind):
        spec = get_statistic(statistic)
        if spec.sample_size(window) == 0 or _reference_size(profile, spec.binned) == 0:
            skipped.append(statistic)
            continue
        results.append(spec(profile, window, policy.threshold(statistic)))
    note = f"no values to compute {', '.join(skipped)} on" if skipped else ""
    return TargetResults(role, name, profile.kind, tuple(results), note)


def _group_results(
    role: TargetKind,
    profiles: Mapping[str, TargetProfile],
    windows: Mapping[str, TargetWindow],
    policy: DriftPolicy,
) -> Iterator[TargetResults]:
    unknown = sorted(set(windows) - set(profiles))
    if unknown:
        raise ValueError(
            f"windows of unknown {role.value} targets {unknown}; the profile has {sorted(profiles)}"
        )
    for name, profile in profiles.items():
        if name in windows:
            yield _target_results(role, name, profile, windows[name], policy)
        else:
            yield TargetResults(role, name, profile.kind, (), "no window for this target")


def _statistic_events(
    model_id: str, window: Window, decisions: tuple[TargetDecision, ...]
) -> Iterator[DriftEvent]:
    for target in decisions:
        for decision in target.statistics:
            result = decision.result
            yield DriftEvent(
                model_id=model_id,
                window=window,
                target=Target(kind=target.role, name=target.name),
                statistic=result.statistic,
                value=result.value,
                p_value=result.p_value,
                threshold=result.threshold,
                drift=decision.drift,
                error_bound=result.error_bound,
                reference_count=result.reference_count,
                detail=decision.detail,
            )


def evaluate_drift(
    model_id: str,
    profile: ReferenceProfile,
    windows: ModelWindows,
    window: Window,
    policy: DriftPolicy | None = None,
) -> DriftResult:
    """Compare one model's windows with its reference profile and decide drift.

    ``windows`` holds the per-target windows (features and outputs) of the event-time
    ``window``; a target of the profile without a window is reported with no
    statistics, and a window of a target the profile does not know raises ValueError.
    """
    policy = policy or DriftPolicy()
    tested = [
        *_group_results(TargetKind.FEATURE, profile.features, windows.features, policy),
        *_group_results(TargetKind.PREDICTION, profile.outputs, windows.outputs, policy),
    ]
    decisions = decide(tested, policy)
    dataset = decide_dataset(decisions, policy)
    dataset_event = DriftEvent(
        model_id=model_id,
        window=window,
        target=DATASET_TARGET,
        statistic=DRIFT_SHARE,
        value=dataset.drift_share,
        threshold=dataset.threshold,
        drift=dataset.drift,
        detail=dataset.detail,
    )
    events = (*_statistic_events(model_id, window, decisions), dataset_event)
    return DriftResult(window=window, targets=decisions, dataset=dataset, events=events)
