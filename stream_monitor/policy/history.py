"""Which retrains the policy decided, per model: what cooldown and the daily cap read.

``{"version": 1, "retrains": {model_id: [{"decision_id", "model_version", "decided_at",
"dry_run"}, ...]}}``, oldest first, pruned to the last ``keep`` (7 days by default).
Dry-run retrains are recorded too, and a dry-run policy reads only those, so a dry run
shows what the live policy would do - cooldown and cap included - and never blocks it.

>>> from datetime import datetime, timezone
>>> PolicyHistory().summary("churn", datetime(2025, 1, 1, tzinfo=timezone.utc))
RetrainHistory(last_retrain_at=None, retrains_last_24h=0)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from schemas.outputs import RetrainAction, RetrainDecision
from stream_monitor.policy.inputs import RetrainHistory

HISTORY_VERSION: Final = 1
DAY: Final = timedelta(hours=24)


class RetrainEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decision_id: str
    model_version: str | None = None
    decided_at: AwareDatetime
    dry_run: bool = False


class PolicyHistory(BaseModel):
    """Immutable: :meth:`record` returns a new history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = HISTORY_VERSION
    retrains: dict[str, list[RetrainEntry]] = Field(default_factory=dict)

    @classmethod
    def from_state(cls, state: Mapping[str, Any] | None) -> PolicyHistory:
        """Load a saved state (None or ``{}`` is an empty history)."""
        if not state:
            return cls()
        if state.get("version") != HISTORY_VERSION:
            raise ValueError(
                f"policy history version {state.get('version')!r} is not readable by this "
                f"build, which reads version {HISTORY_VERSION}"
            )
        try:
            return cls.model_validate(state)
        except ValidationError as error:
            raise ValueError(f"invalid policy history: {error}") from None

    def to_state(self) -> dict[str, Any]:
        """A JSON-safe dict."""
        return self.model_dump(mode="json")

    def record(
        self, decision: RetrainDecision, keep: timedelta = timedelta(days=7)
    ) -> PolicyHistory:
        """Add a retrain decision (others are ignored; recording twice changes nothing)."""
        entries = self.retrains.get(decision.model_id, [])
        if decision.action != RetrainAction.RETRAIN or any(
            e.decision_id == decision.decision_id for e in entries
        ):
            return self
        entry = RetrainEntry(
            decision_id=decision.decision_id,
            model_version=decision.model_version,
            decided_at=decision.decided_at,
            dry_run=decision.dry_run,
        )
        horizon = decision.decided_at - keep
        kept = sorted(
            [e for e in entries if e.decided_at > horizon] + [entry], key=lambda e: e.decided_at
        )
        return self.model_copy(update={"retrains": {**self.retrains, decision.model_id: kept}})

    def summary(self, model_id: str, now: datetime, dry_run: bool = False) -> RetrainHistory:
        """The history part of a policy input: last retrain and retrains in the last 24h."""
        entries = [
            e
            for e in self.retrains.get(model_id, [])
            if e.dry_run == dry_run and e.decided_at <= now
        ]
        return RetrainHistory(
            last_retrain_at=max((e.decided_at for e in entries), default=None),
            retrains_last_24h=sum(1 for e in entries if now - e.decided_at < DAY),
        )
