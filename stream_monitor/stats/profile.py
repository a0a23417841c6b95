"""Reference profiles: the frozen description of the training data that windows are compared with.

A numeric target keeps a *fine* grid of cut points taken from reference quantiles, the
reference counts per fine cell, the *coarse* PSI bins as groups of fine cells, and a
seeded sample of raw reference values for exact tests. A categorical target keeps a
vocabulary (most frequent first) with its counts and an ``__other__`` bucket. Building
profiles from data lives in :mod:`stream_monitor.stats.build`; this module holds the
types and their JSON form.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, TypeAlias

import numpy as np
import orjson

from stream_monitor.stats.jsonread import JsonReader
from stream_monitor.stats.values import OTHER, FloatArray, IntArray

PROFILE_VERSION: Final = 1
OUTPUT_NAMES: Final = ("score", "label", "value")
"""The model outputs that can be profiled, as named in :class:`schemas.Prediction`."""


class FeatureKind(StrEnum):
    """How a target's values are binned and which statistics apply to it."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


def _frozen(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class NumericProfile:
    """Reference summary of one numeric target.

    Fine cell ``i`` holds the values ``x`` with ``cuts[i-1] < x <= cuts[i]`` (cell 0 is
    unbounded below, the last cell unbounded above), so there are ``len(cuts) + 1`` cells.
    Coarse PSI bin ``j`` is the run of fine cells starting at ``coarse_starts[j]``.
    ``cell_means`` is the mean reference value in each fine cell (the middle of an empty
    one), which shapes the Wasserstein estimate inside cells.
    """

    count: int
    missing: int
    invalid: int
    mean: float
    std: float
    min: float
    max: float
    cuts: FloatArray
    counts: IntArray
    coarse_starts: IntArray
    cell_means: FloatArray
    sample: FloatArray
    edges: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_numeric(self)
        for name in ("cuts", "counts", "coarse_starts", "cell_means", "sample"):
            _frozen(getattr(self, name))
        edges = np.append(self.cuts, np.inf)
        object.__setattr__(self, "edges", _frozen(edges))

    @property
    def kind(self) -> FeatureKind:
        return FeatureKind.NUMERIC

    @property
    def n_cells(self) -> int:
        """Number of fine cells."""
        return len(self.counts)

    @property
    def coarse_counts(self) -> IntArray:
        """Reference counts per coarse PSI bin."""
        return np.add.reduceat(self.counts, self.coarse_starts)


@dataclass(frozen=True, eq=False)
class CategoricalProfile:
    """Reference summary of one categorical target.

    ``counts`` has one entry per vocabulary value and a last one for ``__other__``.
    """

    vocabulary: tuple[str, ...]
    counts: IntArray
    missing: int
    invalid: int
    lookup: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.counts) != len(self.vocabulary) + 1:
            raise ValueError(
                f"a categorical profile needs one count per vocabulary value plus one for "
                f"{OTHER!r}: got {len(self.counts)} counts for {len(self.vocabulary)} values"
            )
        if len(set(self.vocabulary)) != len(self.vocabulary) or OTHER in self.vocabulary:
            raise ValueError(f"vocabulary values must be unique and not {OTHER!r}")
        _frozen(self.counts)
        object.__setattr__(self, "lookup", {v: i for i, v in enumerate(self.vocabulary)})

    @property
    def kind(self) -> FeatureKind:
        return FeatureKind.CATEGORICAL

    @property
    def count(self) -> int:
        """Number of non-missing, valid reference values."""
        return int(self.counts.sum())


TargetProfile: TypeAlias = NumericProfile | CategoricalProfile


def _check_numeric(p: NumericProfile) -> None:
    cuts, counts, starts = p.cuts, p.counts, p.coarse_starts
    if cuts.ndim != 1 or np.any(np.diff(cuts) <= 0) or not np.all(np.isfinite(cuts)):
        raise ValueError("numeric profile cuts must be finite and strictly increasing")
    if len(counts) != len(cuts) + 1 or np.any(counts < 0):
        raise ValueError(
            f"a numeric profile needs len(cuts) + 1 = {len(cuts) + 1} non-negative cell "
            f"counts; got {len(counts)}"
        )
    if len(starts) == 0 or starts[0] != 0 or np.any(np.diff(starts) <= 0):
        raise ValueError("coarse_starts must start at 0 and be strictly increasing")
    if starts[-1] >= len(counts):
        raise ValueError(f"coarse_starts must be below the {len(counts)} fine cells")
    if len(p.cell_means) != len(counts) or not np.all(np.isfinite(p.cell_means)):
        raise ValueError(f"a numeric profile needs {len(counts)} finite cell means")
    if int(counts.sum()) != p.count:
        raise ValueError(f"cell counts add up to {int(counts.sum())}, not count={p.count}")


@dataclass(frozen=True, eq=False)
class ReferenceProfile:
    """Reference profiles of a model's features and outputs (``score``, ``label``, ``value``)."""

    features: Mapping[str, TargetProfile]
    outputs: Mapping[str, TargetProfile] = field(default_factory=dict)
    version: int = PROFILE_VERSION

    def __post_init__(self) -> None:
        unknown = sorted(set(self.outputs) - set(OUTPUT_NAMES))
        if unknown:
            raise ValueError(f"unknown model outputs {unknown}; allowed: {list(OUTPUT_NAMES)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, with a ``version`` key."""
        return {
            "version": self.version,
            "features": {name: _target_to_dict(p) for name, p in self.features.items()},
            "outputs": {name: _target_to_dict(p) for name, p in self.outputs.items()},
        }

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode()

    def fingerprint(self) -> str:
        """Short hash of the profile: windows binned with one profile fit only that one."""
        return hashlib.sha256(orjson.dumps(self.to_dict())).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: Any) -> ReferenceProfile:
        """Inverse of :meth:`to_dict`; raises ValueError naming the first problem."""
        top = JsonReader(data, "the profile")
        version = top.integer("version")
        if version != PROFILE_VERSION:
            raise ValueError(
                f"profile version {version} is not supported; this build reads version "
                f"{PROFILE_VERSION} (rebuild the profile with this version)"
            )
        groups = {g: top.mapping(g) for g in ("features", "outputs")}
        return cls(
            features={
                n: _target_from_dict(v, f"feature {n!r}") for n, v in groups["features"].items()
            },
            outputs={
                n: _target_from_dict(v, f"output {n!r}") for n, v in groups["outputs"].items()
            },
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ReferenceProfile:
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"a reference profile must be a JSON object: {exc}") from exc
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ReferenceProfile:
        """Read a profile written by :meth:`save`; a malformed file raises ValueError."""
        try:
            return cls.from_json(Path(path).read_bytes())
        except ValueError as exc:
            raise ValueError(f"cannot load reference profile {path}: {exc}") from exc


def _target_to_dict(p: TargetProfile) -> dict[str, Any]:
    if isinstance(p, CategoricalProfile):
        return {
            "kind": p.kind.value,
            "vocabulary": list(p.vocabulary),
            "counts": p.counts.tolist(),
            "missing": p.missing,
            "invalid": p.invalid,
        }
    return {
        "kind": p.kind.value,
        "count": p.count,
        "missing": p.missing,
        "invalid": p.invalid,
        "mean": p.mean,
        "std": p.std,
        "min": p.min,
        "max": p.max,
        "cuts": p.cuts.tolist(),
        "counts": p.counts.tolist(),
        "coarse_starts": p.coarse_starts.tolist(),
        "cell_means": p.cell_means.tolist(),
        "sample": p.sample.tolist(),
    }


def _target_from_dict(data: Any, where: str) -> TargetProfile:
    r = JsonReader(data, where)
    kind = r.value("kind")
    if kind not in set(FeatureKind):
        allowed = [k.value for k in FeatureKind]
        raise ValueError(f"{where}: unknown kind {kind!r}; allowed: {allowed}")
    missing, invalid = r.count("missing"), r.count("invalid")
    counts = r.array("counts", np.int64)
    try:
        if kind == FeatureKind.CATEGORICAL:
            return CategoricalProfile(r.strings("vocabulary"), counts, missing, invalid)
        numbers = {k: r.number(k) for k in ("mean", "std", "min", "max")}
        return NumericProfile(
            count=r.count("count"),
            missing=missing,
            invalid=invalid,
            cuts=r.array("cuts", np.float64),
            counts=counts,
            coarse_starts=r.array("coarse_starts", np.int64),
            cell_means=r.array("cell_means", np.float64),
            sample=r.array("sample", np.float64),
            **numbers,
        )
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: {exc}") from exc
