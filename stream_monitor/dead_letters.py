"""Raw Kafka messages as the pipeline sees them, and the dead letter of a rejected one."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Final, NamedTuple

import numpy as np

from schemas import DeadLetter, Rejection

MAX_ORIGINAL_BYTES = 512 * 1024
"""The most of a message's bytes a dead letter carries: in base64 about 683 KiB, under
Kafka's default record limit of 1 MB, so a dead letter can always be published.
``original_size`` is always the full size; a shorter ``original`` was cut."""


class RawMessage(NamedTuple):
    """One Kafka message (a named tuple: built once per message on the hot path)."""

    value: bytes
    topic: str
    partition: int
    offset: int

    @property
    def source(self) -> str:
        return f"{self.topic}:{self.partition}"


_new_message = partial(tuple.__new__, RawMessage)
VALUE_OF: Final = itemgetter(0)
TOPIC_OF: Final = itemgetter(1)
PARTITION_OF: Final = itemgetter(2)
OFFSET_OF: Final = itemgetter(3)
"""A :class:`RawMessage`'s fields, read without an attribute lookup (``map`` over a batch)."""


def raw_messages(
    values: Sequence[bytes], topic: str, partition: int, first_offset: int
) -> list[RawMessage]:
    """Messages of one partition at consecutive offsets from ``first_offset`` (built with
    no Python call per message: the embedded runs build one per line)."""
    offsets = range(first_offset, first_offset + len(values))
    return list(map(_new_message, zip(values, repeat(topic), repeat(partition), offsets)))


def byte_runs(messages: Sequence[RawMessage], max_bytes: int) -> list[tuple[int, int]]:
    """(start, end) of the consecutive runs of messages holding at most ``max_bytes`` of
    values each (a larger message alone in its run), in order: each run the longest that
    fits, found on the running total of the sizes (no Python step per message)."""
    count = len(messages)
    sizes = np.fromiter(map(len, map(VALUE_OF, messages)), dtype=np.int64, count=count)
    ends = np.concatenate(([0], np.cumsum(sizes)))
    runs, start = [], 0
    while start < count:
        end = int(np.searchsorted(ends, ends[start] + max_bytes, side="right")) - 1
        end = min(count, max(end, start + 1))
        runs.append((start, end))
        start = end
    return runs


def dead_letter(
    message: RawMessage, rejection: Rejection, with_original: bool = True
) -> DeadLetter:
    """The dead letter of ``rejection``; ``with_original=False`` leaves the bytes out (the
    second and later dead letters of one message: an envelope of 10,000 bad entries must not
    copy its bytes 10,000 times)."""
    kept = message.value[:MAX_ORIGINAL_BYTES] if with_original else b""
    return DeadLetter(
        reason=rejection.reason.value,
        detail=rejection.detail,
        source_topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        index=rejection.index,
        model_id=rejection.model_id,
        original=base64.b64encode(kept).decode("ascii"),
        original_size=len(message.value),
    )
