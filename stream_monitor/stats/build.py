"""Building reference profiles from columns of reference (training) data or from events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

import numpy as np

from schemas import PredictionEvent
from stream_monitor.stats.profile import (
    OUTPUT_NAMES,
    CategoricalProfile,
    FeatureKind,
    NumericProfile,
    ReferenceProfile,
    TargetProfile,
)
from stream_monitor.stats.values import (
    INVALID,
    ColumnValues,
    FloatArray,
    IntArray,
    category_of,
    numeric_column,
)

OUTPUT_KINDS: Final = {
    "score": FeatureKind.NUMERIC,
    "label": FeatureKind.CATEGORICAL,
    "value": FeatureKind.NUMERIC,
}


@dataclass(frozen=True)
class ProfileOptions:
    """How reference profiles are binned and sampled.

    ``fine_cells`` quantile cells (fewer after ties merge) carry KS and Wasserstein;
    ``coarse_bins`` quantile bins, unions of fine cells, carry PSI, JS and Hellinger.
    """

    fine_cells: int = 200
    coarse_bins: int = 10
    sample_size: int = 5000
    max_categories: int = 50
    max_distinct_numeric: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if not 2 <= self.coarse_bins <= self.fine_cells <= 100_000:
            raise ValueError(
                "need 2 <= coarse_bins <= fine_cells <= 100000; got "
                f"coarse_bins={self.coarse_bins}, fine_cells={self.fine_cells}"
            )
        for name in ("sample_size", "max_categories", "max_distinct_numeric"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0; got {getattr(self, name)}")


def infer_kind(values: ColumnValues, *, max_distinct_numeric: int = 10) -> FeatureKind:
    """Numeric or categorical, as users expect.

    Strings and bools are categorical, and so are numbers with at most
    ``max_distinct_numeric`` distinct values (codes, ratings, flags). A column with no
    values at all is categorical: everything it will see is new.

    >>> infer_kind([0.5, 1.7, 3.2]), infer_kind([0.5, 1.7, 3.2], max_distinct_numeric=2)
    (<FeatureKind.CATEGORICAL: 'categorical'>, <FeatureKind.NUMERIC: 'numeric'>)
    >>> infer_kind(["a", "b"]), infer_kind([True, None])
    (<FeatureKind.CATEGORICAL: 'categorical'>, <FeatureKind.CATEGORICAL: 'categorical'>)
    """
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "bUS":
            return FeatureKind.CATEGORICAL
        items = values.tolist() if values.dtype.kind == "O" else None
    else:
        items = list(values)
    if items is not None and any(isinstance(v, str | bool | np.bool_) for v in items):
        return FeatureKind.CATEGORICAL
    column = numeric_column(values)
    distinct = np.unique(column[np.isfinite(column)])
    if len(distinct) <= max_distinct_numeric:
        return FeatureKind.CATEGORICAL
    return FeatureKind.NUMERIC


def cut_probabilities(fine_cells: int, coarse_bins: int) -> tuple[FloatArray, FloatArray]:
    """Quantile levels of the fine cut points, and which of them are coarse edges.

    The fine levels are the union of ``k / fine_cells`` and ``j / coarse_bins``, so every
    coarse edge is also a fine cut point whatever the two numbers are.

    >>> fine, coarse = cut_probabilities(4, 3)
    >>> fine.round(3).tolist(), coarse.tolist()
    ([0.25, 0.333, 0.5, 0.667, 0.75], [False, True, False, True, False])
    """
    fine = {Fraction(k, fine_cells) for k in range(1, fine_cells)}
    coarse = {Fraction(j, coarse_bins) for j in range(1, coarse_bins)}
    levels = sorted(fine | coarse)
    return (
        np.array([float(x) for x in levels]),
        np.array([x in coarse for x in levels]),
    )


def _cell_means(cuts: FloatArray, counts: IntArray, sums: FloatArray) -> FloatArray:
    """Mean value per fine cell; the middle of an empty cell (its cut for an outer one)."""
    middles = np.concatenate([[cuts[0]], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1]]])
    means = np.divide(sums, counts, out=middles.copy(), where=counts > 0)
    clipped: FloatArray = np.clip(means, np.append(-np.inf, cuts), np.append(cuts, np.inf))
    return clipped


def _numeric_profile(name: str, column: FloatArray, options: ProfileOptions) -> NumericProfile:
    valid = column[np.isfinite(column)]
    if valid.size == 0:
        raise ValueError(
            f"numeric column {name!r} has no finite values; declare it categorical or drop it"
        )
    levels, is_coarse = cut_probabilities(options.fine_cells, options.coarse_bins)
    quantiles = np.quantile(valid, levels, method="inverted_cdf")
    cuts = np.unique(quantiles)
    coarse_edges = np.unique(quantiles[is_coarse])
    coarse_starts = np.concatenate([[0], np.searchsorted(cuts, coarse_edges) + 1])
    cells = np.searchsorted(cuts, valid)
    counts = np.bincount(cells, minlength=len(cuts) + 1)
    rng = np.random.default_rng(options.seed)
    if valid.size > options.sample_size:
        sample = np.sort(rng.choice(valid, size=options.sample_size, replace=False))
    else:
        sample = np.sort(valid)
    return NumericProfile(
        count=int(valid.size),
        missing=int(np.count_nonzero(np.isnan(column))),
        invalid=int(np.count_nonzero(np.isinf(column))),
        mean=float(valid.mean()),
        std=float(valid.std(ddof=1)) if valid.size > 1 else 0.0,
        min=float(valid.min()),
        max=float(valid.max()),
        cuts=cuts,
        counts=counts,
        coarse_starts=coarse_starts.astype(np.int64),
        cell_means=_cell_means(
            cuts, counts, np.bincount(cells, valid, len(counts)).astype(np.float64)
        ),
        sample=sample,
    )


def _categorical_profile(values: ColumnValues, options: ProfileOptions) -> CategoricalProfile:
    counter = Counter(category_of(v) for v in values)
    missing, invalid = counter.pop(None, 0), counter.pop(INVALID, 0)
    ranked = sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))
    vocabulary = [str(v) for v, _ in ranked[: options.max_categories]]
    other = sum(n for _, n in ranked[options.max_categories :])
    counts = [n for _, n in ranked[: options.max_categories]] + [other]
    return CategoricalProfile(
        vocabulary=tuple(vocabulary),
        counts=np.array(counts, dtype=np.int64),
        missing=missing,
        invalid=invalid,
    )


def _target_profile(
    name: str, values: ColumnValues, kind: FeatureKind | None, options: ProfileOptions
) -> TargetProfile:
    if kind is None:
        kind = infer_kind(values, max_distinct_numeric=options.max_distinct_numeric)
    if kind == FeatureKind.NUMERIC:
        return _numeric_profile(name, numeric_column(values), options)
    return _categorical_profile(values, options)


def _kind_of(kinds: Mapping[str, FeatureKind | str], name: str) -> FeatureKind | None:
    if name not in kinds:
        return None
    try:
        return FeatureKind(kinds[name])
    except ValueError:
        allowed = [k.value for k in FeatureKind]
        raise ValueError(f"kind {kinds[name]!r} of {name!r} is not one of {allowed}") from None


def _has_values(values: ColumnValues) -> bool:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return bool(values.size) and not bool(np.isnan(values.astype(np.float64)).all())
    return any(category_of(v) is not None for v in values)


def _output_mapping(output_columns: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
    mapping = (
        dict(output_columns)
        if isinstance(output_columns, Mapping)
        else {name: name for name in output_columns}
    )
    unknown = sorted(set(mapping) - set(OUTPUT_NAMES))
    if unknown:
        raise ValueError(f"unknown model outputs {unknown}; allowed: {list(OUTPUT_NAMES)}")
    return mapping


def _build_targets(
    columns: Mapping[str, ColumnValues],
    kinds: Mapping[str, FeatureKind | str],
    options: ProfileOptions,
) -> dict[str, TargetProfile]:
    return {
        name: _target_profile(name, values, _kind_of(kinds, name), options)
        for name, values in columns.items()
    }


def _check_columns(columns: Mapping[str, ColumnValues], kinds: Mapping[str, object]) -> None:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"all columns must have the same length; got {lengths}")
    unknown = sorted(set(kinds) - set(columns))
    if unknown:
        raise ValueError(f"kinds given for unknown columns {unknown}; columns: {sorted(columns)}")


def build_profile(
    columns: Mapping[str, ColumnValues],
    *,
    kinds: Mapping[str, FeatureKind | str] | None = None,
    output_columns: Mapping[str, str] | Sequence[str] = OUTPUT_NAMES,
    options: ProfileOptions | None = None,
) -> ReferenceProfile:
    """Profile reference columns: features, plus the model outputs among them.

    ``output_columns`` names the columns holding the model's outputs: a list of output
    names (``score``, ``label``, ``value``) used as column names, or a mapping output name
    -> column name. Outputs with no values are left out; every other column is a
    feature. ``kinds`` overrides :func:`infer_kind` per column; outputs default to
    numeric ``score`` and ``value`` and categorical ``label``.

    >>> p = build_profile({"age": list(range(100)), "city": ["a", "b"] * 50,
    ...                    "score": [i / 100 for i in range(100)]})
    >>> sorted(p.features), sorted(p.outputs), p.features["age"].kind.value
    (['age', 'city'], ['score'], 'numeric')
    """
    kinds = dict(kinds or {})
    options = options or ProfileOptions()
    _check_columns(columns, kinds)
    outputs = {
        out: column
        for out, column in _output_mapping(output_columns).items()
        if column in columns and _has_values(columns[column])
    }
    output_kinds = {out: kinds.get(column, OUTPUT_KINDS[out]) for out, column in outputs.items()}
    taken = set(_output_mapping(output_columns).values())
    features = {name: values for name, values in columns.items() if name not in taken}
    return ReferenceProfile(
        features=_build_targets(features, kinds, options),
        outputs=_build_targets({o: columns[c] for o, c in outputs.items()}, output_kinds, options),
    )


def event_columns(
    events: Sequence[PredictionEvent],
) -> tuple[dict[str, list[object]], dict[str, list[object]]]:
    """Feature columns (names in order of first appearance) and output columns of events.

    A feature absent from an event is missing (``None``) there.
    """
    names = list(dict.fromkeys(name for ev in events for name in ev.features))
    features: dict[str, list[object]] = {
        name: [ev.features.get(name) for ev in events] for name in names
    }
    outputs: dict[str, list[object]] = {
        name: [getattr(ev.prediction, name) for ev in events] for name in OUTPUT_NAMES
    }
    return features, outputs


def profile_from_events(
    events: Sequence[PredictionEvent],
    *,
    kinds: Mapping[str, FeatureKind | str] | None = None,
    options: ProfileOptions | None = None,
) -> ReferenceProfile:
    """Profile the first events of a stream (when no training data is at hand).

    ``kinds`` overrides the inferred kind of features by name.
    """
    if not events:
        raise ValueError("profile_from_events needs at least one event")
    kinds = dict(kinds or {})
    options = options or ProfileOptions()
    features, outputs = event_columns(events)
    _check_columns(features, kinds)
    present = {name: values for name, values in outputs.items() if _has_values(values)}
    return ReferenceProfile(
        features=_build_targets(features, kinds, options),
        outputs=_build_targets(present, OUTPUT_KINDS, options),
    )
