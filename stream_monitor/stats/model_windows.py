"""The windows of all targets of one model, and the batch entry point that fills them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import numpy as np

from stream_monitor.stats.binning import BatchColumns
from stream_monitor.stats.jsonread import JsonReader
from stream_monitor.stats.profile import (
    CategoricalProfile,
    NumericProfile,
    ReferenceProfile,
    TargetProfile,
)
from stream_monitor.stats.window import (
    WINDOW_STATE_VERSION,
    CategoricalWindow,
    NumericColumn,
    NumericWindow,
    TargetWindow,
    add_numeric_columns,
    window_from_state,
)

W = TypeVar("W", NumericWindow, CategoricalWindow)


def empty_window(profile: TargetProfile, raw_limit: int = 0) -> TargetWindow:
    """An empty window for a target; numeric ones keep up to ``raw_limit`` raw values."""
    if isinstance(profile, NumericProfile):
        return NumericWindow.empty(profile, raw_limit)
    return CategoricalWindow.empty(profile)


def _add_group(
    windows: dict[str, TargetWindow],
    profiles: Mapping[str, TargetProfile],
    columns: Mapping[str, np.ndarray[Any, Any]],
) -> None:
    numeric: list[NumericColumn] = []
    for name, column in columns.items():
        window, profile = windows[name], profiles[name]
        if isinstance(window, NumericWindow) and isinstance(profile, NumericProfile):
            numeric.append((window, profile, column))
        elif isinstance(window, CategoricalWindow) and isinstance(profile, CategoricalProfile):
            window.add(profile, column)
        else:
            raise ValueError(f"window of {name!r} is {window.kind}, its profile {profile.kind}")
    add_numeric_columns(numeric)


@dataclass(eq=False)
class ModelWindows:
    """Per-target windows of one model, keyed like the :class:`ReferenceProfile`."""

    features: dict[str, TargetWindow]
    outputs: dict[str, TargetWindow]

    @classmethod
    def empty(cls, profile: ReferenceProfile, raw_limit: int = 0) -> ModelWindows:
        return cls(
            features={n: empty_window(p, raw_limit) for n, p in profile.features.items()},
            outputs={n: empty_window(p, raw_limit) for n, p in profile.outputs.items()},
        )

    def add(self, profile: ReferenceProfile, batch: BatchColumns) -> ModelWindows:
        """Bin a whole batch (all targets) into these windows in place; returns self.

        >>> from stream_monitor.stats.build import build_profile
        >>> from stream_monitor.stats.binning import encode_columns
        >>> profile = build_profile({"x": [float(i) for i in range(50)], "c": ["a", "b"] * 25})
        >>> batch = encode_columns(profile, {"x": [1.5, None, "oops"], "c": ["a", "zz", None]})
        >>> w = ModelWindows.empty(profile).add(profile, batch)
        >>> w.features["x"].count, w.features["x"].missing, w.features["x"].invalid
        (1, 1, 1)
        >>> w.features["c"].counts.tolist(), w.features["c"].missing
        ([1, 0, 1], 1)
        """
        _add_group(self.features, profile.features, batch.features)
        _add_group(self.outputs, profile.outputs, batch.outputs)
        return self

    def merge(self, other: ModelWindows) -> ModelWindows:
        """The windows of the union; both must hold the same targets."""
        for group, mine, theirs in (
            ("features", self.features, other.features),
            ("outputs", self.outputs, other.outputs),
        ):
            if mine.keys() != theirs.keys():
                raise ValueError(
                    f"cannot merge windows of different {group}: {sorted(mine)} vs {sorted(theirs)}"
                )
        return ModelWindows(
            features={n: _merge_targets(w, other.features[n]) for n, w in self.features.items()},
            outputs={n: _merge_targets(w, other.outputs[n]) for n, w in self.outputs.items()},
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "version": WINDOW_STATE_VERSION,
            "features": {n: w.to_state() for n, w in self.features.items()},
            "outputs": {n: w.to_state() for n, w in self.outputs.items()},
        }

    @classmethod
    def from_state(cls, state: Any) -> ModelWindows:
        r = JsonReader(state, "model window state")
        r.check_version(WINDOW_STATE_VERSION)
        return cls(
            features={n: window_from_state(s) for n, s in r.mapping("features").items()},
            outputs={n: window_from_state(s) for n, s in r.mapping("outputs").items()},
        )


def _merge_targets(a: TargetWindow, b: TargetWindow) -> TargetWindow:
    if isinstance(a, NumericWindow) and isinstance(b, NumericWindow):
        return a.merge(b)
    if isinstance(a, CategoricalWindow) and isinstance(b, CategoricalWindow):
        return a.merge(b)
    raise ValueError(f"cannot merge a {a.kind} window with a {b.kind} one")


@overload
def merge(a: ModelWindows, b: ModelWindows) -> ModelWindows: ...
@overload
def merge(a: W, b: W) -> W: ...
def merge(
    a: ModelWindows | TargetWindow, b: ModelWindows | TargetWindow
) -> ModelWindows | TargetWindow:
    """The window of the union of two windows of the same kind (associative).

    >>> a = CategoricalWindow(np.array([1, 2, 0]), missing=1)
    >>> merge(a, CategoricalWindow(np.array([0, 1, 4]))).counts.tolist()
    [1, 3, 4]
    """
    if isinstance(a, ModelWindows) and isinstance(b, ModelWindows):
        return a.merge(b)
    if not isinstance(a, ModelWindows) and not isinstance(b, ModelWindows):
        return _merge_targets(a, b)
    raise ValueError(
        f"cannot merge a {type(a).__name__} with a {type(b).__name__}; both must be the same kind"
    )
