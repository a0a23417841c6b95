"""Silences: label matchers with an expiry, an author and a comment, as in Alertmanager.

A silence matches an alert when every matcher matches its labels (a label the alert does
not have reads as the empty string) and ``starts_at <= now < ends_at``. Regex matchers
are anchored: ``=~ "feat.*"`` must match the whole label value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MatchOp = Literal["=", "!=", "=~", "!~"]


class Matcher(BaseModel):
    """``name op value``; ``op`` is one of ``=``, ``!=``, ``=~`` (regex), ``!~``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    op: MatchOp = "="
    value: str

    @model_validator(mode="after")
    def _check_regex(self) -> Matcher:
        if self.op in ("=~", "!~"):
            try:
                re.compile(self.value)
            except re.error as error:
                raise ValueError(
                    f"matcher {self.name}{self.op}{self.value!r}: invalid regular "
                    f"expression ({error}); use Python re syntax"
                ) from None
        return self

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(self.value)

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = self._pattern.fullmatch(actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.value!r}"


class Silence(BaseModel):
    """Mutes the notifications of matching alerts between ``starts_at`` and ``ends_at``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    matchers: list[Matcher] = Field(min_length=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    created_by: str = Field(min_length=1)
    comment: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Silence:
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"silence {self.id!r}: ends_at ({self.ends_at.isoformat()}) must be after "
                f"starts_at ({self.starts_at.isoformat()})"
            )
        if all(matcher.matches({}) for matcher in self.matchers):
            raise ValueError(
                f"silence {self.id!r} would match every alert (each matcher matches an "
                'empty label); add a matcher that needs a value, e.g. model_id="churn"'
            )
        return self

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def matches(self, labels: Mapping[str, str], now: datetime) -> bool:
        return self.is_active(now) and all(m.matches(labels) for m in self.matchers)


def silenced_by(
    alert_labels: Mapping[str, str], silences: Sequence[Silence], now: datetime
) -> str | None:
    """The id of the first (by id) active silence matching the labels, or None."""
    found = sorted(s.id for s in silences if s.matches(alert_labels, now))
    return found[0] if found else None


def is_silenced(
    alert_labels: Mapping[str, str], silences: Sequence[Silence], now: datetime
) -> bool:
    """Whether any active silence matches the labels at ``now``."""
    return silenced_by(alert_labels, silences, now) is not None
