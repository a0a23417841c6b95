"""Retraining end to end (acceptance), through the embedded Replay: the same pipeline as
the Kafka worker (statistics, quality from joined labels, the default alert rules, the
default retraining policy), fed by the simulated classifier with delayed labels.

A *retrain request* is a ``retrain`` decision that is not a dry run: what a training
system acts on. Every other decision (investigate, none) is published for the audit only.
"""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest

from schemas import AlertEvent, DeadLetter, RetrainDecision
from stream_monitor import simulate
from stream_monitor.demo import reference_profile, simulated_pipeline
from stream_monitor.embedded import Replay
from stream_monitor.pipeline import OutputEvent, Pipeline
from stream_monitor.policy import PolicyConfig
from stream_monitor.simulate import Incident, Scenario

pytestmark = pytest.mark.slow  # about 10-20 s a scenario

QUIET = Scenario(rate_eps=5, drift=None, null_spike=None, concept=None)  # 1 h, 5 events/s


def _pipeline(policy: PolicyConfig | None = None) -> Pipeline:
    """Default windows (10 min every minute), rules and retraining policy (15 min
    persistence, 24 h cooldown, 500 labelled events)."""
    return simulated_pipeline(*reference_profile(), policy or PolicyConfig())


def _replay(*scenarios: Scenario, policy: PolicyConfig | None = None) -> list[OutputEvent]:
    predictions, labels = [], []
    for scenario in scenarios:  # consecutive hours, one after the other
        p, lab = simulate.generate(scenario)
        predictions += p
        labels += lab
    lines = [orjson.dumps(p) for p in predictions]
    outputs = Replay(_pipeline(policy)).run(lines, [orjson.dumps(label) for label in labels])
    return [o for o in outputs if not isinstance(o, DeadLetter)]


def _decisions(outputs: list[OutputEvent]) -> list[RetrainDecision]:
    return [o for o in outputs if isinstance(o, RetrainDecision)]


def _requests(outputs: list[OutputEvent]) -> list[RetrainDecision]:
    return [d for d in _decisions(outputs) if d.action == "retrain" and not d.dry_run]


def _firing(outputs: list[OutputEvent], rule: str) -> list[AlertEvent]:
    return [
        o for o in outputs if isinstance(o, AlertEvent) and o.rule == rule and o.status == "firing"
    ]


def test_a_sustained_quality_drop_with_enough_labels_requests_one_retrain() -> None:
    outputs = _replay(replace(QUIET, concept=Incident(1200, 3600)))  # labels flip from 20 min
    [request] = _requests(outputs)
    assert request.evidence["labelled_since_training"] >= 500  # type: ignore[operator]
    assert request.suggested_training_window is not None
    assert _firing(outputs, "quality_drop")
    later = [d for d in _decisions(outputs) if d.decided_at > request.decided_at]
    assert later and all(d.action == "investigate" for d in later)  # held back by the cooldown
    assert all(d.evidence["guardrail"] == "guardrail_cooldown" for d in later)


def test_a_null_spike_in_one_feature_means_investigate_never_retrain() -> None:
    outputs = _replay(replace(QUIET, null_spike=Incident(1200, 2400)))  # age 40% null
    assert _firing(outputs, "missing_rate_spike")
    decisions = _decisions(outputs)
    assert [d for d in decisions if d.action == "retrain"] == []
    broken = [d for d in decisions if d.trace[0].rule == "broken_data" and d.trace[0].matched]
    assert broken and all(d.action == "investigate" for d in broken)
    assert all("missing_rate_spike[age]" in str(d.evidence["data_quality_alerts"]) for d in broken)


def test_a_transient_blip_decides_nothing() -> None:
    blip = replace(QUIET, concept=Incident(1800, 1920), flip_share=0.6)  # 2 bad minutes
    outputs = _replay(blip)
    assert _firing(outputs, "quality_drop")  # the alert did fire, briefly
    assert {d.action.value for d in _decisions(outputs)} == {"none"}


def test_a_second_drop_inside_the_cooldown_requests_no_second_retrain() -> None:
    first = replace(QUIET, concept=Incident(1200, 3000))
    second = replace(
        QUIET, seed=8, start_epoch=QUIET.start_epoch + 3600, concept=Incident(600, 3600)
    )
    outputs = _replay(first, second)
    episodes = {a.starts_at for a in _firing(outputs, "quality_drop")}
    assert len(episodes) == 2, "the quality alert did not fire twice"
    [request] = _requests(outputs)
    assert request.decided_at < max(episodes)  # the retrain came from the first drop
    held = [d for d in _decisions(outputs) if d.decided_at > max(episodes)]
    held_back = [d for d in held if d.evidence["guardrail"] == "guardrail_cooldown"]
    assert held_back, "the second drop never reached the retrain row"
    assert all(d.action == "investigate" for d in held_back)
    assert any("cooldown" in reason for d in held_back for reason in d.reasons)


def test_a_dry_run_decides_the_same_retrain_once_and_requests_nothing() -> None:
    drop = replace(QUIET, concept=Incident(1200, 3600))
    outputs = _replay(drop, policy=PolicyConfig(dry_run=True))
    assert _requests(outputs) == []
    [dry] = [d for d in _decisions(outputs) if d.action == "retrain"]
    assert dry.dry_run
    assert dry.decided_at == _requests(_replay(drop))[0].decided_at  # what live would do
    later = [d for d in _decisions(outputs) if d.decided_at > dry.decided_at]
    assert later and all(d.evidence["guardrail"] == "guardrail_cooldown" for d in later)
