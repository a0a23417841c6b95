"""The command line: help for every command, one-line errors, and replay end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.pipeline_fixtures import events, reference

COMMANDS = [
    "demo",
    "profile",
    "replay",
    "simulate",
    "check-config",
    "schemas export",
    "silence add",
    "silence list",
    "silence expire",
    "alerts tail",
    "worker",
]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stream_monitor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    done = _cli(*command.split(), "--help")
    assert done.returncode == 0
    assert "Usage:" in done.stdout


def _assert_one_line_error(done: subprocess.CompletedProcess[str], text: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert text in done.stderr


def test_missing_events_file_is_one_line(tmp_path: Path) -> None:
    ref = tmp_path / "ref.json"
    reference().save(ref)
    done = _cli("replay", str(tmp_path / "nope.jsonl"), "--reference", str(ref))
    _assert_one_line_error(done, "nope.jsonl is not a file")
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_reference_version_is_clear(tmp_path: Path) -> None:
    ref = tmp_path / "ref.json"
    ref.write_text('{"version": 99}')
    (tmp_path / "e.jsonl").write_bytes(orjson.dumps(events(1)[0]))
    done = _cli("replay", str(tmp_path / "e.jsonl"), "--reference", str(ref))
    _assert_one_line_error(done, "version")


def test_bad_config_says_what_is_allowed(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("models:\n  - id: m\n    reference: r.json\n    task: ranking\n")
    done = _cli("check-config", str(config))
    _assert_one_line_error(done, "models.0.task: Input should be 'classification' or 'regression'")


def test_check_config_reads_each_models_reference(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"models:\n  - id: m\n    reference: {tmp_path / 'r.json'}\n")
    _assert_one_line_error(_cli("check-config", str(config)), "r.json does not exist")
    reference().save(tmp_path / "r.json")
    done = _cli("check-config", str(config))
    assert done.returncode == 0, done.stderr
    assert "references read: m (3 features)" in done.stdout
    config.write_text(config.read_text() + "    importance: {agee: 1}\n")
    _assert_one_line_error(_cli("check-config", str(config)), "importance names 'agee'")


def test_missing_option_is_a_usage_error(tmp_path: Path) -> None:
    done = _cli("replay", str(tmp_path / "e.jsonl"))
    assert done.returncode == 2
    assert "Missing option '--reference'" in done.stderr
    assert "Traceback" not in done.stderr


def test_replay_flags_only_the_shifted_feature(tmp_path: Path) -> None:
    ref, stream, out = tmp_path / "ref.json", tmp_path / "events.jsonl", tmp_path / "out.jsonl"
    reference().save(ref)
    stream.write_bytes(b"\n".join(orjson.dumps(e) for e in events(9000, shift_from=4500)))
    done = _cli("replay", str(stream), "--reference", str(ref), "--out", str(out))
    assert done.returncode == 0, done.stderr
    outputs = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    flagged = {
        o["target"]["name"]
        for o in outputs
        if o["type"] == "drift" and o["drift"] and o["target"]["kind"] == "feature"
    }
    assert flagged == {"amount"}
    assert {o["type"] for o in outputs} >= {"metric", "drift", "alert"}
