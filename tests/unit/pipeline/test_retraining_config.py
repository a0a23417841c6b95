"""The `retraining` section and a model's `importance` reach the pipeline of the worker and
of replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from schemas import RetrainDecision
from stream_monitor.embedded import Replay
from stream_monitor.errors import UserError
from stream_monitor.pipeline import Pipeline
from stream_monitor.policy import PolicyConfig
from stream_monitor.replay import build_pipeline
from stream_monitor.settings import load_settings
from stream_monitor.state.memory import MemoryStore
from tests.pipeline_fixtures import MODEL, events, reference, spec


def _config(tmp_path: Path, retraining: str) -> Path:
    reference().save(tmp_path / "reference.json")
    path = tmp_path / "config.yaml"
    path.write_text(
        f"models:\n  - id: fraud\n    reference: {tmp_path / 'reference.json'}\n{retraining}",
        encoding="utf-8",
    )
    return path


def test_the_retraining_section_sets_the_policy_and_its_guardrails(tmp_path: Path) -> None:
    section = "retraining:\n  dry_run: true\n  cooldown: 2h\n  daily_cap: 3\n"
    settings = load_settings(_config(tmp_path, section))
    pipeline = build_pipeline(settings, reference(), tmp_path / "events.jsonl")
    policy = pipeline.retrain_policy
    assert (policy.dry_run, policy.cooldown, policy.daily_cap) == (True, timedelta(hours=2), 3)
    assert policy.min_labelled_events == PolicyConfig().min_labelled_events


def test_without_the_section_the_defaults_apply(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, ""))
    assert build_pipeline(settings, reference(), tmp_path / "e.jsonl").retrain_policy == (
        PolicyConfig()
    )


def test_a_bad_guardrail_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"retraining\.daily_cap"):
        load_settings(_config(tmp_path, "retraining:\n  daily_cap: -1\n"))


def _model_config(tmp_path: Path, importance: str, retraining: str = "") -> Path:
    path = _config(tmp_path, retraining)
    text = path.read_text(encoding="utf-8").replace(
        "\n    reference:", f"\n    importance: {importance}\n    reference:", 1
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_a_models_importance_reaches_its_spec(tmp_path: Path) -> None:
    settings = load_settings(_model_config(tmp_path, "{age: 3, amount: 1}"))
    pipeline = build_pipeline(settings, reference(), tmp_path / "events.jsonl")
    assert pipeline.specs["fraud"].feature_importance == {"age": 3, "amount": 1}


def test_importance_of_a_feature_the_reference_lacks_is_refused(tmp_path: Path) -> None:
    settings = load_settings(_model_config(tmp_path, "{age: 1, salary: 2}"))
    with pytest.raises(UserError, match=r"'salary', not a feature.*age, amount, country"):
        build_pipeline(settings, reference(), tmp_path / "events.jsonl")


def test_a_negative_importance_names_the_model_field(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"importance\['age'\] = -1.0: importances must be"):
        load_settings(_model_config(tmp_path, "{age: -1}"))


def _shares(model_importance: dict[str, float], policy: PolicyConfig) -> set[object]:
    """The importance shares of the decisions on a shift of ``amount`` alone."""
    model = replace(spec(), feature_importance=model_importance)
    pipeline = Pipeline({MODEL: model}, MemoryStore(), retrain_policy=policy)
    lines = [orjson.dumps(e) for e in events(9_000, shift_from=4000)]
    outputs = Replay(pipeline, batch_size=1000).run(lines)
    decisions = [o for o in outputs if isinstance(o, RetrainDecision)]
    drifted = [d for d in decisions if d.evidence["drifted_targets"] == "amount"]
    assert drifted, "the shift of amount reached no decision"
    return {d.evidence["drift_importance_share"] for d in drifted}


def test_a_models_own_importance_replaces_the_policys_in_its_decisions() -> None:
    policy = PolicyConfig(feature_importance={"amount": 1.0})
    assert _shares({}, policy) == {1.0}
    assert _shares({"age": 1.0, "amount": 0.0}, policy) == {0.0}
