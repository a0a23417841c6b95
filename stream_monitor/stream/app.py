"""The faust app: the labels agent, the predictions consumer's task, an evaluation timer,
``/live`` (liveness) and ``/ready`` (readiness).

The predictions topic, the hot path, is read by :class:`.batch_consumer.BatchConsumer`
in a thread of its own (whole fetched batches, no per-record faust event); the labels
topic by a faust batch agent. The work is in :mod:`.ingest_step` and :mod:`.evaluation`,
which run in worker threads because Redis and the producer flush are blocking calls.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import faust
from faust.exceptions import ConsumerNotStarted
from faust.types import TP, EventT
from faust.web import Request, Response, View

from stream_monitor.dead_letters import RawMessage
from stream_monitor.settings import KafkaSettings
from stream_monitor.stream.batch_consumer import ConsumerPool
from stream_monitor.stream.ingest_step import IngestStep
from stream_monitor.stream.kafka_config import faust_broker, faust_credentials, labels_group_id
from stream_monitor.stream.prom import CONTENT_TYPE
from stream_monitor.stream.runtime import Runtime

log = logging.getLogger(__name__)
LAG_TIMEOUT_SECONDS = 5.0


def raw_messages(events: Sequence[EventT[bytes]]) -> list[RawMessage]:
    return [
        RawMessage(e.message.value or b"", e.message.topic, e.message.partition, e.message.offset)
        for e in events
    ]


def batch_agent(app: faust.App, topic: str, step: IngestStep, kafka: KafkaSettings) -> None:
    """An agent that hands batches of ``topic`` to ``step`` and acks each batch only once
    ``step`` has returned (Redis holds it, its dead letters are delivered)."""

    async def consume(stream: faust.StreamT[bytes]) -> None:
        batches = cast("faust.Stream[bytes]", stream).take_events  # StreamT does not declare it
        async for events in batches(kafka.batch_size, within=kafka.batch_timeout_seconds):
            for event in events:  # hold: take_events acks the batch even when we fail
                event.message.incref()
            await asyncio.to_thread(step, raw_messages(events))
            for event in events:
                event.ack()

    app.agent(app.topic(topic, value_type=bytes), name=f"ingest:{topic}")(consume)


def assigned_partitions(app: faust.App, predictions: ConsumerPool) -> list[str]:
    """``topic:partition`` of every partition this worker holds (both consumers)."""
    try:
        labels = [(tp.topic, tp.partition) for tp in app.consumer.assignment()]
    except ConsumerNotStarted:  # a request can come before the consumer has started
        labels = []
    return sorted(f"{t}:{p}" for t, p in [*predictions.assignment(), *labels])


async def consumer_lags(app: faust.App) -> dict[tuple[str, int], int]:
    """High watermark minus the faust consumer's fetch position (labels), per assigned
    partition; {} when they cannot be read within ``LAG_TIMEOUT_SECONDS``."""
    try:
        assigned = sorted(app.consumer.assignment())
        highs, positions = await asyncio.wait_for(offsets(app, assigned), LAG_TIMEOUT_SECONDS)
    except ConsumerNotStarted:
        return {}
    except Exception as exc:  # a rebalance, a broker hiccup, a timeout: no lag this tick
        log.warning("cannot read the consumer lag: %r", exc)
        return {}
    return {
        (tp.topic, tp.partition): max(0, highs[tp] - (at if at is not None else 0))
        for tp, at in zip(assigned, positions, strict=True)
    }


async def offsets(app: faust.App, assigned: list[TP]) -> tuple[Mapping[TP, int], list[int | None]]:
    highs = await app.consumer.highwaters(*assigned) if assigned else {}
    return highs, [await app.consumer.position(tp) for tp in assigned]


def create_app(runtime: Runtime) -> faust.App:
    settings = runtime.settings
    worker, kafka = settings.worker, settings.kafka
    app = faust.App(
        labels_group_id(kafka.group_id),
        broker=faust_broker(kafka),
        broker_credentials=faust_credentials(kafka),
        key_serializer="raw",
        value_serializer="raw",
        autodiscover=False,
        topic_disable_leader=True,
        topic_partitions=worker.topic_partitions,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=worker.session_timeout_seconds,
        broker_heartbeat_interval=min(3.0, worker.session_timeout_seconds / 3),
        stream_wait_empty=False,  # an unfinished batch is not acked; its replay is harmless
        web_enabled=worker.web_enabled,
        web_bind=worker.web_host,
        web_port=worker.web_port,
        datadir=Path(tempfile.gettempdir()) / "stream-monitor-faust",  # empty: no tables
    )
    batch_agent(app, settings.topics.ground_truth, runtime.ingest_labels, kafka)

    @app.task  # type: ignore[untyped-decorator]
    async def predictions() -> None:
        try:
            members = runtime.predictions.members
            await asyncio.gather(*(asyncio.to_thread(m.run) for m in members))
        except Exception as exc:  # a fatal consumer error: the worker must not run on
            await app.crash(exc)

    @app.timer(interval=worker.evaluation_tick_seconds)  # type: ignore[untyped-decorator]
    async def evaluate() -> None:
        lags = runtime.predictions.lags() | await consumer_lags(app)
        await asyncio.to_thread(runtime.tick, lags)

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
        assigned = assigned_partitions(app, runtime.predictions)
        redis_ok = await asyncio.to_thread(runtime.redis_ok)
        body: dict[str, Any] = {"ready": bool(assigned) and redis_ok, "assigned": assigned}
        body |= {"redis": redis_ok, "counts": runtime.counts()}
        return view.json(body, status=200 if body["ready"] else 503)

    app.on_before_shutdown.connect(runtime.on_shutdown)
    return app
