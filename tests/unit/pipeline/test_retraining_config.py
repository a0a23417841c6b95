"""The `retraining` section of the config reaches the pipeline of the worker and of replay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stream_monitor.errors import UserError
from stream_monitor.policy import PolicyConfig
from stream_monitor.replay import build_pipeline
from stream_monitor.settings import load_settings
from tests.pipeline_fixtures import reference


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
