"""Mergeable confusion counts of a multi-class classifier: accuracy and macro-F1.

The classes are configured (from the model's metadata or its reference profile), at most
:data:`MAX_CLASSES` of them; any other label, true or predicted, is counted as
:data:`OTHER_CLASS`. A fixed class list is what keeps the counts mergeable: a cap applied
in arrival order would depend on which worker saw which label first.

The confusion is a sparse map keyed ``"<true>|<pred>"`` (class keys from
:func:`~stream_monitor.quality.classification.label_key`, with ``%`` and ``|`` escaped as
``%25`` and ``%7C``), each an integer count: in Redis, one ``HINCRBY`` field per pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import ClassVar, Final, Self

from schemas.events import ClassLabel
from stream_monitor.quality._state import (
    Fields,
    JSONObject,
    JSONValue,
    RawFields,
    add_counts,
    check_header,
    check_same,
    decode_fields,
    field_int,
    get_counts,
    get_str_list,
)
from stream_monitor.quality.classes import label_key

MAX_CLASSES: Final = 256
OTHER_CLASS: Final = "__other__"


def pair_key(actual: str, predicted: str) -> str:
    """The confusion key of a (true, predicted) pair of class keys.

    >>> pair_key("a|b", "100%")
    'a%7Cb|100%25'
    """
    return f"{_escape(actual)}|{_escape(predicted)}"


def split_pair_key(key: str) -> tuple[str, str]:
    """The inverse of :func:`pair_key`."""
    parts = key.split("|")
    if len(parts) != 2:
        raise ValueError(f"a confusion key must be '<true>|<pred>', got {key!r}")
    return _unescape(parts[0]), _unescape(parts[1])


class MulticlassCounts:
    """Confusion counts over a fixed class list, plus :data:`OTHER_CLASS`.

    Examples
    --------
    >>> counts = MulticlassCounts(classes=["cat", "dog", "owl"])
    >>> _ = counts.add(actual=["cat", "dog", "owl", "emu"], predicted=["cat", "cat", "owl", "owl"])
    >>> counts.accuracy
    0.5
    """

    kind: ClassVar[str] = "multiclass_counts"
    version: ClassVar[int] = 1

    def __init__(self, *, classes: Sequence[ClassLabel]) -> None:
        keys = sorted({label_key(c) for c in classes})
        if not 2 <= len(keys) <= MAX_CLASSES or OTHER_CLASS in keys:
            raise ValueError(
                f"MulticlassCounts: classes must be 2 to {MAX_CLASSES} distinct labels, "
                f"none of them {OTHER_CLASS!r}; got {len(keys)}"
            )
        self.classes: tuple[str, ...] = tuple(keys)
        self._known = frozenset(keys)
        self.confusion: dict[str, int] = {}

    def class_of(self, label: ClassLabel) -> str:
        key = label_key(label)
        return key if key in self._known else OTHER_CLASS

    def add(self, *, actual: Sequence[ClassLabel], predicted: Sequence[ClassLabel]) -> Self:
        """Count labelled events (one true and one predicted label each)."""
        if len(actual) != len(predicted):
            raise ValueError(
                f"MulticlassCounts: actual and predicted must have the same length, "
                f"got {len(actual)} and {len(predicted)}"
            )
        pairs = Counter(
            pair_key(self.class_of(a), self.class_of(p))
            for a, p in zip(actual, predicted, strict=True)
        )
        self.confusion = add_counts(self.confusion, pairs)
        return self

    @property
    def count(self) -> int:
        return sum(self.confusion.values())

    @property
    def accuracy(self) -> float | None:
        total = self.count
        correct = sum(c for k, c in self.confusion.items() if _is_diagonal(k))
        return correct / total if total else None

    @property
    def macro_f1(self) -> float | None:
        """Mean F1 over the classes present (true or predicted), :data:`OTHER_CLASS`
        included when present: sklearn's ``f1_score(average="macro")`` on the mapped labels."""
        true_count: Counter[str] = Counter()
        predicted_count: Counter[str] = Counter()
        hits: Counter[str] = Counter()
        for key, count in self.confusion.items():
            actual, predicted = split_pair_key(key)
            true_count[actual] += count
            predicted_count[predicted] += count
            if actual == predicted:
                hits[actual] += count
        present = set(true_count) | set(predicted_count)
        if not present:
            return None
        f1s = [2 * hits[c] / (true_count[c] + predicted_count[c]) for c in present]
        return sum(f1s) / len(f1s)

    def merge(self, other: MulticlassCounts) -> MulticlassCounts:
        check_same("MulticlassCounts", "classes", self.classes, other.classes)
        merged = MulticlassCounts(classes=self.classes)
        merged.confusion = add_counts(self.confusion, other.confusion)
        return merged

    def to_state(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "version": self.version,
            "classes": list(self.classes),
            "confusion": dict(sorted(self.confusion.items())),
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        check_header(state, cls.kind, cls.version)
        counts = cls(classes=get_str_list(state, "classes"))
        counts._set_confusion(get_counts(state, "confusion"))
        return counts

    def to_fields(self) -> Fields:
        """Redis hash fields: one per (true, predicted) pair seen, named by :func:`pair_key`."""
        return dict(self.confusion)

    @classmethod
    def from_fields(cls, fields: RawFields, *, classes: Sequence[ClassLabel]) -> Self:
        decoded = decode_fields(fields)
        counts = cls(classes=classes)
        counts._set_confusion({key: field_int(decoded, key) for key in decoded})
        return counts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MulticlassCounts):
            return NotImplemented
        return self.to_state() == other.to_state()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MulticlassCounts(classes={list(self.classes)!r}, count={self.count})"

    def _set_confusion(self, confusion: dict[str, int]) -> None:
        allowed = self._known | {OTHER_CLASS}
        for key, count in confusion.items():
            if count < 0 or not set(split_pair_key(key)) <= allowed:
                raise ValueError(
                    f"MulticlassCounts: confusion entry {key!r}={count} is not a count of "
                    f"two of the classes {sorted(allowed)}"
                )
        self.confusion = {key: count for key, count in confusion.items() if count}


def _is_diagonal(key: str) -> bool:
    actual, predicted = split_pair_key(key)
    return actual == predicted


def _escape(key: str) -> str:
    return key.replace("%", "%25").replace("|", "%7C")


def _unescape(text: str) -> str:
    return text.replace("%7C", "|").replace("%25", "%")
