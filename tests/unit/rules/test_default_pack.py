"""The default rule pack, driven through the engine on typical evaluations."""

from __future__ import annotations

from typing import Any

import pytest

from stream_monitor.rules import AlertEngine, AlertingConfig, default_rules
from tests.unit.rules.builders import Run, drift, metric


def _quality(minute: int, accuracy: float, labelled: float = 2000) -> Any:
    return metric(
        minute, "quality", accuracy=accuracy, reference__accuracy=0.9, labelled_events=labelled
    )


def _dq(minute: int, **rates: float) -> Any:
    return metric(minute, "data_quality", "churn", **rates)


PACK_CASES = [
    # (id, events per evaluation (one a minute), sorted (rule, status, target) per evaluation)
    ("feature drift fires on the second flagged evaluation",
     [[drift(0)], [drift(1)]],
     [[("feature_drift", "pending", "age")], [("feature_drift", "firing", "age")]]),
    ("a flag of a statistic that does not decide drift is not a feature drift",
     [[drift(0, statistic="jensen_shannon"), drift(0, statistic="ks", flag=False)]], [[]]),
    ("prediction drift is critical",
     [[drift(0, "score", kind="prediction")], [drift(1, "score", kind="prediction")]],
     [[("prediction_drift", "pending", "score")], [("prediction_drift", "firing", "score")]]),
    ("dataset drift share at 0.3 fires, below does not",
     [[drift(0, "dataset", kind="dataset", statistic="drift_share", value=0.3, flag=True)],
      [drift(1, "dataset", kind="dataset", statistic="drift_share", value=0.29, flag=False)]],
     [[("dataset_drift", "pending", "dataset")], []]),
    ("quality drop of more than 5% against the reference, three evaluations",
     [[_quality(0, 0.85)], [_quality(1, 0.84)], [_quality(2, 0.80)], [_quality(3, 0.89)]],
     [[("quality_drop", "pending", "accuracy")], [], [("quality_drop", "firing", "accuracy")],
      []]),
    ("a drop on too few labelled events is unknown, neither true nor false",
     [[_quality(0, 0.7, labelled=499)], [_quality(1, 0.85)], [_quality(2, 0.85, labelled=40)],
      [_quality(3, 0.85)], [_quality(4, 0.85)]],
     [[], [("quality_drop", "pending", "accuracy")], [], [],
      [("quality_drop", "firing", "accuracy")]]),
    ("a 3% quality dip does not alert",
     [[_quality(0, 0.873)]], [[]]),
    ("error rate above 5% for 5 minutes",
     [[metric(m, error_rate=0.08)] for m in range(6)],
     [[("error_rate_high", "pending", "error_rate")], [], [], [], [],
      [("error_rate_high", "firing", "error_rate")]]),
    ("missing-value spike per feature, against the reference rate",
     [[_dq(0, missing_rate__age=0.35, reference__missing_rate__age=0.3,
           missing_rate__plan=0.2)]],
     [[("missing_rate_spike", "pending", "plan")]]),
    ("out-of-range and invalid shares per feature",
     [[_dq(0, out_of_range_rate__age=0.06, invalid_rate__plan=0.02)]],
     [[("invalid_rate_spike", "pending", "plan"), ("out_of_range_rate_spike", "pending", "age")]]),
    ("a missing-value spike inhibits the drift it causes, from the same evaluation",
     [[drift(0), _dq(0, missing_rate__age=0.5)], [drift(1), _dq(1, missing_rate__age=0.5)]],
     [[("feature_drift", "pending", "age"), ("missing_rate_spike", "pending", "age")],
      [("missing_rate_spike", "firing", "age")]]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("steps", "expected"), [c[1:] for c in PACK_CASES], ids=[c[0] for c in PACK_CASES]
)
def test_default_pack(steps: list[list[Any]], expected: list[list[tuple[str, str, str]]]) -> None:
    run = Run(AlertEngine(AlertingConfig(rules=default_rules())))
    got = [
        sorted((e.rule, e.status.value, e.labels["target"]) for e in run.step(m, events))
        for m, events in enumerate(steps)
    ]
    assert got == expected


def test_default_annotations_read_well() -> None:
    run = Run(AlertEngine(AlertingConfig(rules=default_rules())))
    [event] = run.step(0, [metric(0, error_rate=0.0812)])
    assert event.annotations["summary"] == "Error rate of churn is 0.0812"
    assert event.annotations["description"] == (
        "Share of prediction events with status error 0.0812 > 0.05."
    )
