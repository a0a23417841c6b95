"""Silences managed from the CLI, stored in the real Redis, read back by the store."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import redis

from stream_monitor.state import keys
from stream_monitor.state.silence_store import SilenceStore
from tests.conftest import Services


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stream_monitor", "silence", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_silence_add_list_expire_through_redis(services: Services, tmp_path: Path) -> None:
    client = redis.Redis.from_url(services.redis_url)
    client.delete(keys.silences())
    config = tmp_path / "config.yaml"
    config.write_text(f"redis:\n  url: {services.redis_url}\n")

    added = _cli(config, "add", "-m", "model_id=churn", "--comment", "deploy", "--author", "ops")
    assert added.returncode == 0, added.stderr
    [silence] = SilenceStore(client).all()
    assert [(m.name, m.op, m.value) for m in silence.matchers] == [("model_id", "=", "churn")]
    assert silence.is_active(datetime.now(UTC))
    assert silence.id in _cli(config, "list").stdout

    expired = _cli(config, "expire", silence.id)
    assert expired.returncode == 0, expired.stderr
    assert SilenceStore(client).active(datetime.now(UTC)) == []

    unknown = _cli(config, "expire", "nope")
    assert unknown.returncode == 2
    assert f"known silences: {silence.id}" in unknown.stderr
