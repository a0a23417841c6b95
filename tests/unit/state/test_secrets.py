"""Secrets and credentials: read from files, kept out of messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from stream_monitor.errors import UserError
from stream_monitor.settings import RedisSettings, read_secret
from stream_monitor.state.connect import redacted, redis_client


def test_a_secret_file_wins_over_the_inline_value_and_loses_its_newline(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    assert read_secret(SecretStr("inline"), secret) == "from-file"
    assert read_secret(SecretStr("inline"), None) == "inline"
    assert read_secret(None, None) is None


def test_an_unreadable_secret_file_is_a_user_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"cannot read the secret file .*missing"):
        read_secret(None, tmp_path / "missing")


def test_settings_never_show_a_password() -> None:
    settings = RedisSettings(username="monitor", password=SecretStr("hunter2"))
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings.model_dump())


def test_urls_in_messages_lose_their_credentials() -> None:
    assert redacted("redis://monitor:hunter2@10.0.0.1:6379/0") == "redis://10.0.0.1:6379/0"
    assert redacted("rediss://:hunter2@host:6380") == "rediss://host:6380"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"


def test_the_client_takes_the_acl_user_and_tls_options(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    client = redis_client("redis://h:1/0", "pw", tls=True, ca_file=ca, username="monitor")
    options = client.connection_pool.connection_kwargs
    assert (options["username"], options["password"]) == ("monitor", "pw")
    assert options["ssl_ca_certs"] == str(ca)
