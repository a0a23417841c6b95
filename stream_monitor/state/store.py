"""The state store interface, shared by the Redis store and the in-memory store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from stream_monitor.state.updates import Applied, BatchUpdate, FieldValue

Hash = dict[str, FieldValue]


class Store(Protocol):
    def apply(self, updates: Sequence[BatchUpdate]) -> list[Applied]:
        """Apply each update unless its offsets are at or below the model's watermark."""
        ...

    def watermark(self, model_id: str, source: str) -> int:
        """Highest offset applied for this model from ``source``; -1 when none."""
        ...

    def read(self, keys: Sequence[str]) -> list[Hash]:
        """The hashes at ``keys``, parsed; an absent key reads as an empty hash."""
        ...

    def claim_slot(self, model_id: str, slot: int) -> bool:
        """True for exactly one caller per (model, slot), and only for slots above the last."""
        ...

    def load_doc(self, model_id: str, name: str) -> dict[str, Any] | None: ...

    def save_doc(self, model_id: str, name: str, doc: dict[str, Any]) -> None: ...
