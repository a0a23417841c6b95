"""The policy history: cooldown and the daily cap survive a restart; dry runs stay apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from schemas.outputs import RetrainAction, RetrainDecision
from stream_monitor.policy import PolicyConfig, PolicyHistory, PolicyInput, RetrainHistory, decide
from tests.unit.policy.builders import DROP, QUALITY

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _decision(hours: float, action: str = "retrain", *, dry_run: bool = False) -> RetrainDecision:
    return RetrainDecision(
        model_id="churn",
        decision_id=f"d-{hours}-{action}-{dry_run}",
        decided_at=NOW + timedelta(hours=hours),
        action=RetrainAction(action),
        reasons=["test"],
        evidence={},
        trace=[],
        dry_run=dry_run,
    )


@pytest.mark.parametrize(
    ("recorded", "now_hours", "dry_run", "expected"),
    [
        ([], 0, False, RetrainHistory()),
        ([_decision(0)], 1, False, RetrainHistory(last_retrain_at=NOW, retrains_last_24h=1)),
        ([_decision(0)], 24, False, RetrainHistory(last_retrain_at=NOW, retrains_last_24h=0)),
        (
            [_decision(0), _decision(5)],
            6,
            False,
            RetrainHistory(last_retrain_at=NOW + timedelta(hours=5), retrains_last_24h=2),
        ),
        ([_decision(0, "investigate"), _decision(1, "none")], 2, False, RetrainHistory()),
        ([_decision(0, dry_run=True)], 1, False, RetrainHistory()),
        (
            [_decision(0, dry_run=True)],
            1,
            True,
            RetrainHistory(last_retrain_at=NOW, retrains_last_24h=1),
        ),
        ([_decision(2)], 1, False, RetrainHistory()),  # not yet decided at that now
        (
            [_decision(0), _decision(0)],
            1,
            False,
            RetrainHistory(last_retrain_at=NOW, retrains_last_24h=1),
        ),
    ],
)
def test_summary(
    recorded: list[RetrainDecision], now_hours: float, dry_run: bool, expected: RetrainHistory
) -> None:
    history = PolicyHistory()
    for decision in recorded:
        history = history.record(decision)
    assert history.summary("churn", NOW + timedelta(hours=now_hours), dry_run) == expected
    assert history.summary("fraud", NOW + timedelta(hours=now_hours), dry_run) == RetrainHistory()


def test_old_entries_are_pruned() -> None:
    history = PolicyHistory().record(_decision(0)).record(_decision(24 * 8))
    assert [e.decided_at for e in history.retrains["churn"]] == [NOW + timedelta(days=8)]


def test_state_round_trips_through_json() -> None:
    history = PolicyHistory().record(_decision(0)).record(_decision(3, dry_run=True))
    text = json.dumps(history.to_state())
    assert PolicyHistory.from_state(json.loads(text)) == history
    assert PolicyHistory.from_state(None) == PolicyHistory()


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"version": 9, "retrains": {}}, "version 9 is not readable"),
        (
            {"version": 1, "retrains": {"churn": [{"decided_at": "yesterday"}]}},
            "invalid policy history",
        ),
    ],
)
def test_bad_states_are_refused(state: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PolicyHistory.from_state(state)


def _run(hours: list[float], config: PolicyConfig) -> list[tuple[str, bool]]:
    """A sustained drop decided at each hour, the history saved as JSON in between."""
    saved = json.dumps(PolicyHistory().to_state())
    outcomes = []
    for hour in hours:
        now = NOW + timedelta(hours=hour)
        history = PolicyHistory.from_state(json.loads(saved))
        inputs = PolicyInput(
            model_id="churn",
            now=now,
            alerts=[QUALITY.model_copy(update={"starts_at": now - timedelta(hours=1)})],
            quality=DROP,
            history=history.summary("churn", now, config.dry_run),
        )
        decision = decide(inputs, config)
        saved = json.dumps(history.record(decision).to_state())
        outcomes.append((decision.action.value, decision.dry_run))
    return outcomes


@pytest.mark.parametrize(
    ("hours", "config", "expected"),
    [
        ([0, 1, 12, 23.9, 24], PolicyConfig(),
         [("retrain", False), ("investigate", False), ("investigate", False),
          ("investigate", False), ("retrain", False)]),
        ([0, 1, 2, 3], PolicyConfig(cooldown="1h", daily_cap=2),
         [("retrain", False), ("retrain", False), ("investigate", False), ("investigate", False)]),
        ([0, 1, 25], PolicyConfig(dry_run=True),
         [("retrain", True), ("investigate", False), ("retrain", True)]),
    ],
)  # fmt: skip
def test_a_sustained_drop_retrains_once_per_cooldown_across_restarts(
    hours: list[float], config: PolicyConfig, expected: list[tuple[str, bool]]
) -> None:
    assert _run(hours, config) == expected


def test_a_dry_run_history_never_blocks_the_live_policy() -> None:
    history = PolicyHistory().record(_decision(0, dry_run=True))
    assert history.summary("churn", NOW + timedelta(hours=1), dry_run=False) == RetrainHistory()
