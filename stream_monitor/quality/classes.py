"""Class labels: how they are compared, and a prediction's class from its label or score."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from schemas.events import ClassLabel
from stream_monitor.quality._state import BoolArray


def label_key(label: ClassLabel) -> str:
    """The string a class label is compared and stored as.

    ``True``/``False`` are the classes ``"1"``/``"0"`` (as ``True == 1`` in Python), ints
    their decimal text, strings themselves.

    >>> [label_key(v) for v in (True, 0, 7, "spam")]
    ['1', '0', '7', 'spam']
    """
    if isinstance(label, bool | np.bool_):
        return "1" if label else "0"
    if isinstance(label, int | np.integer):
        return str(int(label))
    if isinstance(label, str):
        return label
    raise ValueError(f"a class label must be a str, int or bool, got {label!r}")


def decide_positive(
    predicted_labels: Sequence[ClassLabel | None],
    scores: Sequence[float | None],
    *,
    positive_label: ClassLabel,
    threshold: float = 0.5,
) -> BoolArray:
    """The predicted class of each event: its label when given, else ``score >= threshold``."""
    positive = label_key(positive_label)
    decided: list[bool] = []
    for label, score in zip(predicted_labels, scores, strict=True):
        if label is not None:
            decided.append(label_key(label) == positive)
        elif score is not None:
            decided.append(score >= threshold)
        else:
            raise ValueError("a classifier's prediction needs a label or a score, got neither")
    return np.array(decided, dtype=np.bool_)
