"""Typed reads from parsed JSON (profiles, window states) with errors that say where."""

from __future__ import annotations

from typing import Any

import numpy as np


class JsonReader:
    """Typed access to one JSON object, with errors that say where the problem is."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a JSON object, got {type(data).__name__}")
        self.data, self.where = data, where

    def check_version(self, supported: int) -> None:
        version = self.integer("version")
        if version != supported:
            raise ValueError(
                f"{self.where} has version {version}; this build reads version {supported}"
            )

    def value(self, key: str) -> Any:
        if key not in self.data:
            raise ValueError(f"{self.where} is missing {key!r}")
        return self.data[key]

    def _wrong(self, key: str, expected: str) -> ValueError:
        got = type(self.data[key]).__name__
        return ValueError(f"{self.where}: {key!r} must be {expected}, got {got}")

    def integer(self, key: str) -> int:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(key, "an integer")
        return value

    def count(self, key: str) -> int:
        """A non-negative integer."""
        value = self.integer(key)
        if value < 0:
            raise ValueError(f"{self.where}: {key!r} must be >= 0; got {value}")
        return value

    def counts(self, key: str) -> np.ndarray[Any, Any]:
        """A non-empty list of non-negative integers, as int64."""
        counts = self.array(key, np.int64)
        if counts.size == 0 or np.any(counts < 0):
            raise ValueError(f"{self.where}: {key!r} must be a non-empty list of counts >= 0")
        return counts

    def number(self, key: str) -> float:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._wrong(key, "a number")
        return float(value)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.value(key)
        if not isinstance(value, dict):
            raise self._wrong(key, "a JSON object")
        return value

    def optional_number(self, key: str) -> float | None:
        return None if self.value(key) is None else self.number(key)

    def array(self, key: str, dtype: type[np.generic]) -> np.ndarray[Any, Any]:
        value = self.value(key)
        if not isinstance(value, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ):
            raise self._wrong(key, "a list of numbers")
        return np.array(value, dtype=dtype).reshape(-1)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.value(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "a list of strings")
        return tuple(value)
