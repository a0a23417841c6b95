"""Label bookkeeping per window: coverage and delay, and label outcomes by cause.

Two states, kept in different buckets:

* :class:`LabelWindow` lives in the bucket of the *predictions' timestamp*: how many
  predictions were stored for the join, how many of them have been labelled since, and
  the distribution of their label delays (seconds, in a :class:`LogHistogram`).
  ``coverage = labelled / predictions``.
* :class:`LabelCounters` lives in the bucket of the *label's timestamp*: how many label
  events arrived, by :class:`LabelOutcome`. An unknown id has no prediction, so the
  label's own time is the only bucket every outcome has.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

import numpy as np

from stream_monitor.quality._state import (
    Fields,
    JSONObject,
    JSONValue,
    RawFields,
    add_counts,
    as_float_array,
    check_header,
    decode_fields,
    field_int,
    get_counts,
    get_int,
    nonzero,
    under_prefix,
    with_prefix,
)
from stream_monitor.quality.latency import LogHistogram

DELAY_PREFIX = "delay:"


class LabelOutcome(StrEnum):
    """What became of one ground-truth event."""

    JOINED = "joined"
    """Its prediction was found and not labelled before: the quality counters moved."""
    UNKNOWN_ID = "unknown_id"
    """No prediction with this id is known (never seen, or forgotten without trace)."""
    EXPIRED = "expired"
    """The prediction is known to have existed but is past the join horizon."""
    DUPLICATE = "duplicate"
    """The prediction was labelled already; the first label wins."""


class LabelCounters:
    """Label events by outcome; every label is counted under exactly one cause."""

    kind: ClassVar[str] = "label_counters"
    version: ClassVar[int] = 1

    def __init__(self) -> None:
        self.by_outcome: dict[str, int] = {}

    def add(self, outcome: LabelOutcome | str, count: int = 1) -> Self:
        cause = _outcome(outcome).value
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"LabelCounters: count must be an integer >= 0, got {count!r}")
        self.by_outcome = add_counts(self.by_outcome, {cause: count})
        return self

    def __getitem__(self, outcome: LabelOutcome | str) -> int:
        return self.by_outcome.get(_outcome(outcome).value, 0)

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())

    def merge(self, other: LabelCounters) -> LabelCounters:
        merged = LabelCounters()
        merged.by_outcome = add_counts(self.by_outcome, other.by_outcome)
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        counts: dict[str, JSONValue] = {o.value: self[o] for o in LabelOutcome}
        return {"kind": self.kind, "version": self.version, "by_outcome": counts}

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        return cls._from_counts(get_counts(state, "by_outcome"))

    def to_fields(self) -> Fields:
        """Redis hash fields: one per outcome seen, named by its value (``"joined"``, ...)."""
        return dict(self.by_outcome)

    @classmethod
    def from_fields(cls, fields: RawFields) -> Self:
        decoded = decode_fields(fields)
        return cls._from_counts({o.value: field_int(decoded, o.value) for o in LabelOutcome})

    @classmethod
    def _from_counts(cls, counts: dict[str, int]) -> Self:
        counters = cls()
        for cause, count in counts.items():
            counters.add(cause, count)
        return counters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelCounters):
            return NotImplemented
        return self.by_outcome == other.by_outcome

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LabelCounters({self.by_outcome!r})"


class LabelWindow:
    """Predictions of one window awaiting labels, those labelled, and the label delays.

    Parameters
    ----------
    delay_relative_error, delay_min_s
        The delay histogram's parameters (see :class:`LogHistogram`); delays below
        ``delay_min_s`` seconds (default 1 ms) share its underflow bucket.
    """

    kind: ClassVar[str] = "label_window"
    version: ClassVar[int] = 1

    def __init__(self, *, delay_relative_error: float = 0.01, delay_min_s: float = 0.001) -> None:
        self.predictions = 0
        self.labelled = 0
        self.negative_delays = 0
        self.delay = LogHistogram(relative_error=delay_relative_error, min_value=delay_min_s)

    def add_predictions(self, count: int) -> Self:
        """Count predictions stored for the join (at ingest)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"LabelWindow: count must be an integer >= 0, got {count!r}")
        self.predictions += count
        return self

    def add_labels(self, delays_s: object) -> Self:
        """Count joined labels by their delay (label time − prediction time, seconds).

        A negative delay (a label stamped before its prediction: clock skew between
        producers) is counted as 0 and in :attr:`negative_delays`.
        """
        delays = as_float_array("LabelWindow", "delays_s", delays_s)
        if not np.isfinite(delays).all():
            raise ValueError("LabelWindow: delays_s must be finite seconds")
        negative = delays < 0
        self.negative_delays += int(negative.sum())
        self.labelled += int(delays.size)
        self.delay.add(np.where(negative, 0.0, delays))
        return self

    @property
    def coverage(self) -> float | None:
        """Share of the window's predictions labelled so far; None without predictions."""
        return self.labelled / self.predictions if self.predictions else None

    def merge(self, other: LabelWindow) -> LabelWindow:
        merged = LabelWindow()
        merged.delay = self.delay.merge(other.delay)
        merged.predictions = self.predictions + other.predictions
        merged.labelled = self.labelled + other.labelled
        merged.negative_delays = self.negative_delays + other.negative_delays
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "version": self.version,
            "predictions": self.predictions,
            "labelled": self.labelled,
            "negative_delays": self.negative_delays,
            "delay": self.delay.to_state(),
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        delay_state = state.get("delay")
        if not isinstance(delay_state, dict):
            raise ValueError("state: field 'delay' must be a log_histogram state")
        window = cls()
        window.delay = LogHistogram.from_state(delay_state)
        window.predictions = get_int(state, "predictions")
        window.labelled = get_int(state, "labelled")
        window.negative_delays = get_int(state, "negative_delays")
        window._check_consistent()
        return window

    def to_fields(self) -> Fields:
        """Redis hash fields: ``predictions``, ``labelled``, ``negative_delays`` and the
        delay histogram's buckets under ``delay:``."""
        fields: Fields = {
            "predictions": self.predictions,
            "labelled": self.labelled,
            "negative_delays": self.negative_delays,
        }
        return nonzero(fields) | with_prefix(DELAY_PREFIX, self.delay.to_fields())

    @classmethod
    def from_fields(
        cls, fields: RawFields, *, delay_relative_error: float = 0.01, delay_min_s: float = 0.001
    ) -> Self:
        decoded = decode_fields(fields)
        window = cls()
        window.delay = LogHistogram.from_decoded_fields(
            under_prefix(DELAY_PREFIX, decoded),
            relative_error=delay_relative_error,
            min_value=delay_min_s,
        )
        for name in ("predictions", "labelled", "negative_delays"):
            setattr(window, name, field_int(decoded, name))
        window._check_consistent()
        return window

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelWindow):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LabelWindow(predictions={self.predictions}, labelled={self.labelled})"

    def _check_consistent(self) -> None:
        if self.delay.count != self.labelled or not 0 <= self.negative_delays <= self.labelled:
            raise ValueError(
                "LabelWindow: the delay histogram must hold one delay per labelled event, "
                "and negative_delays <= labelled"
            )


def _outcome(outcome: LabelOutcome | str) -> LabelOutcome:
    try:
        return LabelOutcome(outcome)
    except ValueError:
        valid = ", ".join(o.value for o in LabelOutcome)
        raise ValueError(f"unknown label outcome {outcome!r}; valid: {valid}") from None
