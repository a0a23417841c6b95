"""State of the monitor: time buckets, watermarks, evaluation state.

:mod:`stream_monitor.state.redis_store` is the only module that imports redis;
:mod:`stream_monitor.state.memory` is the in-memory store of embedded runs. Both apply
the same :class:`~stream_monitor.state.updates.BatchUpdate` with the same idempotence.
"""
