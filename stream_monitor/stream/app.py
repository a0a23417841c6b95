"""The faust app: the consumers' task, an evaluation timer, ``/live`` (liveness),
``/ready`` (readiness) and ``/metrics``.

The predictions and the labels topics are read by :class:`.batch_consumer.BatchConsumer`
members, each in a thread of its own (whole fetched batches, no per-record faust event).
The work is in :mod:`.ingest_step` and :mod:`.evaluation`, which run in worker threads
because Redis and the producer flush are blocking calls.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import faust
from faust.app.base import BootStrategy
from faust.web import Request, Response, View

from stream_monitor.stream.kafka_config import app_id
from stream_monitor.stream.prom import CONTENT_TYPE
from stream_monitor.stream.runtime import Runtime


class WithoutKafka(BootStrategy):
    """faust starts its web server, the timer and the consumers' task, and no Kafka client
    of its own: the topics are read and written by librdkafka (the consumers' threads and
    the publisher)."""

    enable_kafka = False


def create_app(runtime: Runtime) -> faust.App:
    settings = runtime.settings
    worker, kafka = settings.worker, settings.kafka
    app = faust.App(
        app_id(kafka.group_id),
        autodiscover=False,
        web_enabled=worker.web_enabled,
        web_bind=worker.web_host,
        web_port=worker.web_port,
        datadir=Path(tempfile.gettempdir()) / "stream-monitor-faust",  # empty: no tables
    )
    app.boot_strategy = WithoutKafka(app)

    @app.task  # type: ignore[untyped-decorator]
    async def consumers() -> None:
        try:
            members = runtime.consumers.members
            await asyncio.gather(*(asyncio.to_thread(m.run) for m in members))
        except Exception as exc:  # a fatal consumer error: the worker must not run on
            await app.crash(exc)

    @app.timer(interval=worker.evaluation_tick_seconds)  # type: ignore[untyped-decorator]
    async def evaluate() -> None:
        await asyncio.to_thread(runtime.tick, runtime.consumers.lags())

    @app.page("/metrics")
    async def metrics(view: View, request: Request) -> Response:
        body = await asyncio.to_thread(runtime.metrics.exposition)  # off the event loop
        headers = {"Content-Type": CONTENT_TYPE}  # aiohttp refuses a charset in content_type
        return view.bytes(body, headers=headers)

    @app.page("/live")  # liveness: the event loop answers, even during a rebalance
    async def live(view: View, request: Request) -> Response:
        return view.json({"live": True})

    @app.page("/ready")
    async def ready(view: View, request: Request) -> Response:
        assigned = [f"{t}:{p}" for t, p in runtime.consumers.assignment()]
        redis_ok = await asyncio.to_thread(runtime.redis_ok)
        body: dict[str, Any] = {"ready": bool(assigned) and redis_ok, "assigned": assigned}
        body |= {"redis": redis_ok, "counts": runtime.counts()}
        return view.json(body, status=200 if body["ready"] else 503)

    app.on_before_shutdown.connect(runtime.on_shutdown)
    return app
