"""Run a worker: ``run_worker(settings)`` blocks until the process is asked to stop."""

from __future__ import annotations

import logging

import faust

from stream_monitor.settings import Settings
from stream_monitor.stream.app import create_app
from stream_monitor.stream.runtime import build_runtime


def run_worker(settings: Settings, loglevel: str = "INFO") -> None:
    """Consume predictions and evaluate models until SIGTERM or SIGINT (see docs/streaming.md).

    Creates missing topics first; raises :class:`~stream_monitor.errors.UserError` for a
    configuration that cannot work (an unreadable reference profile, for example).
    """
    logging.basicConfig(level=loglevel.upper(), format="[%(asctime)s] [%(process)d] %(message)s")
    runtime = build_runtime(settings)
    app = create_app(runtime)
    worker = faust.Worker(app, loglevel=loglevel, redirect_stdouts=False)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    finally:
        logging.getLogger(__name__).info("worker stopped")
