"""The Kafka worker: the only package that imports faust and confluent_kafka.

:func:`stream_monitor.stream.worker.run_worker` runs it; ``docs/streaming.md`` describes
the data flow, the exactly-once argument and the failure behaviour.
"""
