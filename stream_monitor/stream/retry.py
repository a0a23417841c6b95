"""Retrying until a dependency (Redis, Kafka) is back, unless the worker is stopping."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_DELAY_SECONDS = 0.1
MAX_DELAY_SECONDS = 5.0


class ShuttingDownError(Exception):
    """The worker is stopping: the caller must not ack the batch it was working on."""


def retry_forever(action: Callable[[], T], what: str, stop: threading.Event) -> T:
    """``action()``, retried with exponential backoff (0.1 s to 5 s) until it succeeds.

    Every failure is logged (the first with its traceback). Never gives up: skipping a
    batch would lose its events. Raises :class:`ShuttingDownError` once ``stop`` is set.
    """
    delay, failures = FIRST_DELAY_SECONDS, 0
    while True:
        if stop.is_set():
            raise ShuttingDownError(what)
        try:
            result = action()
        except Exception as exc:
            failures += 1
            if failures == 1:
                log.exception("%s failed; retrying until it succeeds", what)
            else:
                log.warning("%s failed %d times (%s); retry in %.1f s", what, failures, exc, delay)
            stop.wait(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
            continue
        if failures:
            log.warning("%s succeeded after %d failure(s)", what, failures)
        return result
