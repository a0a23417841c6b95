"""Python's cyclic garbage collector, paused around one ingest batch (an edge concern:
the embedded driver and the Kafka worker use it, the pure core never does).

A batch allocates tens of thousands of short-lived containers (decoded JSON objects,
columns) that reference counting frees; the collector, triggered every few hundred
allocations, would only walk them, and the ever larger store, in vain: it took a
quarter to a third of the replay time. Paused for the batch, it runs afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; it is on again (if it was on before)
    once the last of the blocks running at the same time (worker threads) ends."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
