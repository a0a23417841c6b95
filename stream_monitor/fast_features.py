"""Feature columns of the fast decode path: each feature of a model over a batch, and the
events whose features are not exactly the model's with schema-valid values."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from stream_monitor import fast_checks as check
from stream_monitor.model_spec import ModelSpec
from stream_monitor.stats.profile import NumericProfile
from stream_monitor.stats.values import FloatArray


def _exact_rows(
    names: tuple[str, ...], rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], check.Mask]:
    """Rows whose features are exactly ``names`` with schema-valid values (others
    replaced by all-missing rows), and the rows that were not."""
    bad = check.rows(rows, check.features_exactly(frozenset(names)))
    blank = dict.fromkeys(names)
    return [blank if b else r for r, b in zip(rows, bad, strict=True)], bad


def feature_columns(
    spec: ModelSpec, rows: list[dict[str, Any]]
) -> tuple[dict[str, Sequence[Any] | FloatArray], check.Mask]:
    """Each feature of the model over the rows (numeric features as float64 when every
    value is a number or null), and the rows whose features are not exactly the model's
    with schema-valid values."""
    names = tuple(spec.profile.features)
    if not names:
        return {}, check.rows(rows, lambda r: not r)
    bad = np.zeros(len(rows), dtype=np.bool_)
    if set(map(len, rows)) != {len(names)}:
        rows, bad = _exact_rows(names, rows)
    numeric = [n for n in names if isinstance(spec.profile.features[n], NumericProfile)]
    other = [n for n in names if n not in set(numeric)]
    try:
        columns = {**_numeric_columns(numeric, rows), **_columns_of(other, rows)}
    except KeyError:
        rows, bad = _exact_rows(names, rows)
        columns = {**_numeric_columns(numeric, rows), **_columns_of(other, rows)}
    for column in columns.values():
        if not isinstance(column, np.ndarray):
            bad |= check.feature_value(column)
    return {n: columns[n] for n in names}, bad


def _columns_of(names: Sequence[str], rows: list[dict[str, Any]]) -> dict[str, Sequence[Any]]:
    if not names:
        return {}
    values = list(map(itemgetter(*names), rows))
    return dict(zip(names, zip(*values, strict=True) if len(names) > 1 else [values], strict=True))


def _numeric_columns(
    names: Sequence[str], rows: list[dict[str, Any]]
) -> dict[str, Sequence[Any] | FloatArray]:
    """Numeric features as float64 columns (NaN: null), read as one matrix when every
    value is a plain number or null; else as raw values."""
    if len(names) < 2:
        return dict(_columns_of(names, rows))
    values = list(map(itemgetter(*names), rows))
    flat = list(chain.from_iterable(values))
    kinds = set(map(type, flat))
    if not kinds <= check.PLAIN_NUMBERS:
        return dict(zip(names, zip(*values, strict=True), strict=True))
    if type(None) in kinds:  # only array() reads None as NaN
        matrix = np.array(values, dtype=np.float64).reshape(len(rows), len(names))
    else:  # both convert each number as float() does; fromiter faster
        matrix = np.fromiter(flat, dtype=np.float64, count=len(flat)).reshape(len(rows), -1)
    return {name: matrix[:, i] for i, name in enumerate(names)}
