"""The state store interface, shared by the Redis store and the in-memory store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from stream_monitor.state.updates import (
    Applied,
    BatchUpdate,
    FieldValue,
    FirstField,
    FirstFieldSearch,
)

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

    def find_first(self, search: FirstFieldSearch) -> list[FirstField | None]:
        """For each search, where its field was first found (None: in none of its hashes);
        all its hashes must share one model's hash tag."""
        ...

    def lease_slot(self, model_id: str, slot: int, lease_seconds: float) -> str | None:
        """A lease token for evaluating ``slot``, or None when the slot is not above the
        last committed one or another lease of the model has not expired yet. A lease that
        is never committed expires after ``lease_seconds``, so another caller (or the same,
        restarted) can evaluate the slot again."""
        ...

    def commit_slot(
        self, model_id: str, slot: int, token: str, docs: Mapping[str, dict[str, Any]]
    ) -> bool:
        """Atomically: ``slot`` becomes the last committed slot, ``docs`` are saved, the
        lease ends. Refused (False, nothing changes) when the slot is no longer above the
        last committed one or another caller holds the model's lease now."""
        ...

    def last_slot(self, model_id: str) -> int | None:
        """The last committed slot, or None before the first."""
        ...

    def load_doc(self, model_id: str, name: str) -> dict[str, Any] | None: ...

    def save_doc(self, model_id: str, name: str, doc: dict[str, Any]) -> None: ...
