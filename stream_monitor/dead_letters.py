"""Raw Kafka messages as the pipeline sees them, and the dead letter of a rejected one."""

from __future__ import annotations

import base64
from typing import NamedTuple

from schemas import DeadLetter, Rejection


class RawMessage(NamedTuple):
    """One Kafka message (a named tuple: built once per message on the hot path)."""

    value: bytes
    topic: str
    partition: int
    offset: int

    @property
    def source(self) -> str:
        return f"{self.topic}:{self.partition}"


def dead_letter(message: RawMessage, rejection: Rejection) -> DeadLetter:
    return DeadLetter(
        reason=rejection.reason.value,
        detail=rejection.detail,
        source_topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        index=rejection.index,
        model_id=rejection.model_id,
        original=base64.b64encode(message.value).decode("ascii"),
        original_size=len(message.value),
    )
