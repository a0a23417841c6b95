"""Worker subprocesses, their configs and what they publish, for the worker integration tests.

Every test gets its own :class:`Names` (topics, consumer group, model id), so tests share
the broker and Redis without seeing each other's data.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import redis
import yaml

from stream_monitor.state import keys
from tests.pipeline_fixtures import events, reference

WINDOWS = {"bucket": 60, "window": 300, "interval": 60, "lateness": 0}


@dataclass(frozen=True)
class Names:
    """Unique topics, consumer group and model id of one test."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def model(self) -> str:
        return f"fraud-{self.tag}"

    @property
    def group(self) -> str:
        return f"sm-test-{self.tag}"

    def topic(self, role: str) -> str:
        return f"sm-{role}-{self.tag}"

    def topics(self) -> dict[str, str]:
        roles = ("predictions", "ground_truth", "metrics", "drift", "alerts", "retrain")
        return {role: self.topic(role) for role in roles} | {
            "dead_letter": self.topic("dead-letter")
        }


def free_port() -> int:
    """A port free now, below Linux's ephemeral range (32768-60999): a port the kernel
    handed out would be free again at once for the next outgoing connection (a worker
    opens dozens) and could be taken before the worker binds it."""
    for port in random.sample(range(20_000, 32_000), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-31999")


def write_config(
    directory: Path,
    kafka: str,
    redis_url: str,
    names: Names,
    limits: dict[str, Any] | None = None,
    models: Sequence[str] = (),
    **worker: Any,
) -> Path:
    """A settings file for a test worker: event clock, 1 s ticks, 60 s/300 s windows;
    ``models`` (default: the test's model) all share the fixtures' reference profile."""
    profile = directory / "reference.json"
    if not profile.exists():
        reference().save(profile)
    windows = {**WINDOWS, "retention": "1h"}  # test data leaves the shared Redis soon
    config = {
        "kafka": {"bootstrap_servers": kafka, "group_id": names.group, "batch_size": 500},
        "redis": {"url": redis_url},
        "topics": names.topics(),
        "limits": limits or {},
        "worker": {
            "evaluation_clock": "event",
            "evaluation_tick_seconds": 1,
            "session_timeout_seconds": 6,  # a SIGKILLed worker leaves the group after 6 s
            **worker,
        },
        "models": [
            {"id": model, "reference": str(profile), "windows": windows, "label_ttl": "1h"}
            for model in models or [names.model]
        ],
    }
    path = directory / f"config-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class WorkerProcess:
    """``python -m stream_monitor.stream --config FILE`` as a real child process."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config, self.log = config, log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        override = {"STREAM_MONITOR_WORKER__WEB_PORT": str(self.port)}
        env = os.environ | override | {"STREAM_MONITOR_WORKER__WEB_HOST": "127.0.0.1"}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "stream_monitor.stream", "--config", str(self.config)],
                cwd=self.config.parent,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def ready(self) -> dict[str, Any] | None:
        """The worker's ``/ready`` answer, or None while it does not answer."""
        self.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=2) as r:
                body: dict[str, Any] = json.loads(r.read())
                return body
        except urllib.error.HTTPError as exc:  # 503: not ready, with the same JSON body
            try:
                body = json.loads(exc.read())
            except ValueError:
                return None
            return body
        except OSError:
            return None

    def wait_ready(self, timeout: float = 45.0) -> dict[str, Any]:
        def ready() -> dict[str, Any] | None:
            body = self.ready()
            return body if body and body["ready"] else None

        body: dict[str, Any] = wait_until(ready, timeout, f"worker ready (log: {self.log})")
        return body

    def check_alive(self) -> None:
        assert self.process is not None
        code = self.process.poll()
        if code is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise AssertionError(f"worker exited with {code}; log tail:\n{tail}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed or committed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode


@contextmanager
def running(*workers: WorkerProcess) -> Iterator[tuple[WorkerProcess, ...]]:
    """Start the workers; kill every one still running on the way out."""
    try:
        yield tuple(w.start() for w in workers)
    finally:
        for worker in workers:
            worker.kill()


def payloads(model: str, rows: list[dict[str, Any]]) -> list[bytes]:
    """The messages of ``rows`` (:func:`tests.pipeline_fixtures.events`), for ``model``."""
    return [orjson.dumps({**row, "model_id": model}) for row in rows]


def stream(model: str, n: int, seed: int = 1, **kwargs: Any) -> list[bytes]:
    return payloads(model, events(n, seed=seed, **kwargs))


def shifted_scores(model: str, n: int, shift_from: int, seed: int = 1) -> list[bytes]:
    """``n`` events whose scores are squared (uniform -> mean 1/3) from ``shift_from``."""
    rows = events(n, seed=seed)
    for row in rows[shift_from:]:
        row["prediction"] = {"score": row["prediction"]["score"] ** 2}
    return payloads(model, rows)


def evaluated(redis_url: str, model: str, slot: int) -> bool:
    """Whether ``model`` has been evaluated up to ``slot`` (-1: any slot at all)."""
    done = last_slot(redis_url, model)
    return done is not None and done >= slot


def last_slot(redis_url: str, model: str) -> int | None:
    raw = redis.Redis.from_url(redis_url).hget(keys.evaluation(model), "last_slot")
    return None if raw is None else int(raw)


def interleave(*streams: list[bytes]) -> list[bytes]:
    """Messages of several models merged, in time order (all streams share timestamps)."""
    return [message for group in zip(*streams, strict=True) for message in group]


def window_end(record: dict[str, Any]) -> float:
    return datetime.fromisoformat(record["window"]["end"]).timestamp()


def totals(redis_url: str, model: str) -> dict[str, int]:
    client = redis.Redis.from_url(redis_url)
    raw = client.hgetall(keys.totals(model))
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}


def counted(redis_url: str, model: str) -> int:
    return totals(redis_url, model).get("i:events", 0)


class PrivateRedis:
    """A redis-server of this test alone, so stopping it disturbs no one else.

    :meth:`shutdown` is ``SHUTDOWN SAVE``: the data is written to ``dump.rdb`` and the
    server exits; :meth:`start` on the same port and directory loads it back, as a Redis
    with persistence does after a restart.
    """

    def __init__(self, directory: Path, appendfsync_always: bool = False) -> None:
        self.directory = directory
        self.appendfsync_always = appendfsync_always
        # an append-only file fsynced on every write: the data survives SIGKILL (kill())
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.pidfile = directory / "redis.pid"

    def start(self) -> None:
        options = {
            "port": self.port,
            "bind": "127.0.0.1",
            "save": "",
            "appendonly": "yes" if self.appendfsync_always else "no",
            "appendfsync": "always",
            "daemonize": "yes",
            "dir": self.directory,
            "pidfile": self.pidfile,
            "logfile": self.directory / "redis.log",
        }
        args = [part for name, value in options.items() for part in (f"--{name}", str(value))]
        subprocess.run(["redis-server", *args], check=True)
        wait_until(self.answers, 15, "the private Redis to answer")

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def shutdown(self) -> None:
        pid = int(self.pidfile.read_text())
        redis.Redis.from_url(self.url).shutdown(save=True)
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), 15, "Redis to exit")

    def kill(self) -> None:
        if self.pidfile.exists():
            pid = int(self.pidfile.read_text())
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
