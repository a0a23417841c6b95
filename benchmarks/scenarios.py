"""Seeded drift scenarios with known change points (pure numpy).

Every generator takes a ``seed`` and returns a :class:`ScenarioData`: reference columns
(what a profile is built from), stream columns, the change index (the first event drawn
from the changed distribution), which features change, and for labelled scenarios the
labels, the fixed model's predictions and its 0/1 error stream (1 = wrong).

The twenty-feature scenarios share one stationary mix (:data:`MIX`) and draw it in the
same order whatever the scenario, so that for one seed the reference and the unchanged
features are identical across scenarios (common random numbers: delays of different
shifts compare run by run). The change is applied on top of that draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Column: TypeAlias = npt.NDArray[Any]
"""A column of values: float64 or int64 for numeric features, str for categorical ones."""
Kind: TypeAlias = Literal["numeric", "categorical"]

REFERENCE_SIZE: Final = 20_000
"""Events in a reference (training) sample."""
CHANGE_INDEX: Final = 5_500
"""Where drift starts in the twenty-feature and SEA scenarios: mid-window for W = 1000,
so the window holding the change is half old, half new."""
STREAM_SIZE: Final = 14_000
"""Events in the stream of a twenty-feature or SEA scenario."""
TRANSIENT_SIZE: Final = 2_000
"""Events a transient drift lasts before reverting."""
RAMP_SIZE: Final = 4_000
"""Events a gradual ramp takes to reach its full shift."""
CONTROL_SIZE: Final = 50_000
"""Events in one run of the stationary control."""
ERROR_CHANGE_INDEX: Final = 10_000
ERROR_STREAM_SIZE: Final = 20_000

MEAN_SHIFT_FEATURE: Final = "normal_3"
VARIANCE_FEATURE: Final = "normal_5"
FREQUENCY_FEATURE: Final = "cat_small"
NEW_CATEGORY_FEATURE: Final = "cat_large"
NEW_CATEGORY: Final = "c_new"
NEW_CATEGORY_SHARE: Final = 0.05


@dataclass(frozen=True)
class Normal:
    loc: float
    scale: float

    def sample(self, rng: np.random.Generator, n: int) -> Column:
        return rng.normal(self.loc, self.scale, n)


@dataclass(frozen=True)
class LogNormal:
    mean: float
    sigma: float

    def sample(self, rng: np.random.Generator, n: int) -> Column:
        return rng.lognormal(self.mean, self.sigma, n)


@dataclass(frozen=True)
class StudentT:
    loc: float
    scale: float
    df: float = 3.0

    def sample(self, rng: np.random.Generator, n: int) -> Column:
        return self.loc + self.scale * rng.standard_t(self.df, n)


@dataclass(frozen=True)
class Poisson:
    lam: float = 3.0

    def sample(self, rng: np.random.Generator, n: int) -> Column:
        return rng.poisson(self.lam, n)


@dataclass(frozen=True)
class Categorical:
    values: tuple[str, ...]
    p: tuple[float, ...]

    def sample(self, rng: np.random.Generator, n: int) -> Column:
        return rng.choice(np.array(self.values), size=n, p=np.array(self.p))


Distribution: TypeAlias = Normal | LogNormal | StudentT | Poisson | Categorical


def _zipf(k: int) -> tuple[float, ...]:
    weights = 1.0 / np.arange(1, k + 1)
    return tuple(float(w) for w in weights / weights.sum())


MIX: Final[Mapping[str, Distribution]] = {
    **{
        f"normal_{i}": Normal(loc, scale)
        for i, (loc, scale) in enumerate(
            [(0, 1), (10, 2), (-5, 0.5), (50, 10), (100, 25), (0, 3), (1, 1), (-20, 4)]
        )
    },
    **{
        f"lognormal_{i}": LogNormal(mean, sigma)
        for i, (mean, sigma) in enumerate([(0, 0.5), (1, 1), (2, 0.25), (0, 1.5)])
    },
    **{
        f"student_t_{i}": StudentT(loc, scale)
        for i, (loc, scale) in enumerate([(0, 1), (5, 2), (-3, 0.5)])
    },
    **{f"poisson_{i}": Poisson(3.0) for i in range(3)},
    FREQUENCY_FEATURE: Categorical(
        ("red", "green", "blue", "black", "white"), (0.40, 0.25, 0.15, 0.12, 0.08)
    ),
    NEW_CATEGORY_FEATURE: Categorical(tuple(f"c{k:02d}" for k in range(12)), _zipf(12)),
}
"""The stationary twenty-feature mix: 8 normal, 4 lognormal, 3 Student-t(3), 3 Poisson(3)
(integers, so heavy ties) and 2 categorical features (5 values; 12 Zipf-distributed)."""

FREQUENCY_SHIFTED: Final = (0.34, 0.25, 0.15, 0.12, 0.14)
"""``cat_small`` after the frequency shift: 6 points move from the most frequent value
(red) to the rarest (white); Cohen's w about 0.23, PSI about 0.04."""


def kinds_of(mix: Mapping[str, Distribution]) -> dict[str, Kind]:
    """The feature kind of each column of a mix (categorical only for categoricals)."""
    return {
        name: "categorical" if isinstance(dist, Categorical) else "numeric"
        for name, dist in mix.items()
    }


@dataclass(frozen=True)
class ScenarioData:
    """One seeded draw of a scenario.

    ``change_index`` is the index of the first changed event (``None``: no change);
    ``drift_end`` the index where a transient drift reverts (``None``: it persists).
    ``errors`` is the 0/1 error stream (1 = wrong) of labelled scenarios, aligned with
    the stream when there is one.
    """

    name: str
    seed: int
    reference: dict[str, Column]
    stream: dict[str, Column]
    kinds: dict[str, Kind]
    change_index: int | None
    changed: tuple[str, ...] = ()
    drift_end: int | None = None
    reference_outputs: dict[str, Column] = field(default_factory=dict)
    stream_outputs: dict[str, Column] = field(default_factory=dict)
    labels: Column | None = None
    predictions: Column | None = None
    errors: npt.NDArray[np.int8] | None = None

    @property
    def size(self) -> int:
        """Events in the stream (or in the error stream when there are no columns)."""
        if self.stream:
            return len(next(iter(self.stream.values())))
        return 0 if self.errors is None else len(self.errors)

    def drifting(self, start: int, end: int) -> bool:
        """Whether events ``[start, end)`` overlap the drifted span."""
        if self.change_index is None:
            return False
        stop = self.size if self.drift_end is None else self.drift_end
        return start < stop and end > self.change_index


def _draw_mix(
    rng: np.random.Generator, reference_size: int, stream_size: int
) -> tuple[dict[str, Column], dict[str, Column]]:
    reference = {name: dist.sample(rng, reference_size) for name, dist in MIX.items()}
    stream = {name: dist.sample(rng, stream_size) for name, dist in MIX.items()}
    return reference, stream


def _mix_scenario(
    name: str,
    seed: int,
    change: Callable[[np.random.Generator, dict[str, Column]], None] | None,
    changed: tuple[str, ...],
    *,
    change_index: int | None = CHANGE_INDEX,
    drift_end: int | None = None,
    stream_size: int = STREAM_SIZE,
    reference_size: int = REFERENCE_SIZE,
) -> ScenarioData:
    rng = np.random.default_rng(seed)
    reference, stream = _draw_mix(rng, reference_size, stream_size)
    if change is not None:
        change(rng, stream)
    return ScenarioData(
        name=name,
        seed=seed,
        reference=reference,
        stream=stream,
        kinds=kinds_of(MIX),
        change_index=change_index,
        changed=changed,
        drift_end=drift_end,
    )


def _sigma(feature: str) -> float:
    dist = MIX[feature]
    if not isinstance(dist, Normal):
        raise TypeError(f"{feature} is not a normal feature")
    return dist.scale


def stationary(seed: int, *, stream_size: int = CONTROL_SIZE) -> ScenarioData:
    """The twenty-feature mix with no change at all (the false-alarm control)."""
    return _mix_scenario("stationary", seed, None, (), change_index=None, stream_size=stream_size)


def mean_shift(seed: int, shift: float, *, feature: str = MEAN_SHIFT_FEATURE) -> ScenarioData:
    """``feature`` (a normal one) moves by ``shift`` standard deviations at the change."""

    def change(_: np.random.Generator, stream: dict[str, Column]) -> None:
        stream[feature][CHANGE_INDEX:] += shift * _sigma(feature)

    return _mix_scenario(f"mean_shift_{shift:g}sd", seed, change, (feature,))


def ramp(
    seed: int, shift: float = 1.0, *, size: int = RAMP_SIZE, feature: str = MEAN_SHIFT_FEATURE
) -> ScenarioData:
    """``feature`` drifts linearly from 0 to ``shift`` sd over ``size`` events, then stays."""

    def change(_: np.random.Generator, stream: dict[str, Column]) -> None:
        steps = np.arange(len(stream[feature]) - CHANGE_INDEX, dtype=np.float64) + 1
        stream[feature][CHANGE_INDEX:] += shift * _sigma(feature) * np.minimum(steps / size, 1)

    return _mix_scenario(f"ramp_{shift:g}sd", seed, change, (feature,))


def variance_change(
    seed: int, factor: float = 2.0, *, feature: str = VARIANCE_FEATURE
) -> ScenarioData:
    """``feature`` (normal) keeps its mean; its standard deviation is multiplied by ``factor``."""
    dist = MIX[feature]
    if not isinstance(dist, Normal):
        raise TypeError(f"{feature} is not a normal feature")

    def change(_: np.random.Generator, stream: dict[str, Column]) -> None:
        tail = stream[feature][CHANGE_INDEX:]
        stream[feature][CHANGE_INDEX:] = dist.loc + factor * (tail - dist.loc)

    return _mix_scenario(f"variance_x{factor:g}", seed, change, (feature,))


def frequency_shift(seed: int) -> ScenarioData:
    """``cat_small`` is redrawn with :data:`FREQUENCY_SHIFTED` after the change."""
    dist = MIX[FREQUENCY_FEATURE]
    if not isinstance(dist, Categorical):
        raise TypeError(f"{FREQUENCY_FEATURE} is not a categorical feature")
    shifted = Categorical(dist.values, FREQUENCY_SHIFTED)

    def change(rng: np.random.Generator, stream: dict[str, Column]) -> None:
        column = stream[FREQUENCY_FEATURE]
        column[CHANGE_INDEX:] = shifted.sample(rng, len(column) - CHANGE_INDEX)

    return _mix_scenario("category_frequency", seed, change, (FREQUENCY_FEATURE,))


def new_category(seed: int, share: float = NEW_CATEGORY_SHARE) -> ScenarioData:
    """After the change, each ``cat_large`` value is replaced by the unseen :data:`NEW_CATEGORY`
    with probability ``share``."""

    def change(rng: np.random.Generator, stream: dict[str, Column]) -> None:
        column = stream[NEW_CATEGORY_FEATURE].astype(f"<U{len(NEW_CATEGORY)}")
        hit = rng.random(len(column) - CHANGE_INDEX) < share
        column[CHANGE_INDEX:][hit] = NEW_CATEGORY
        stream[NEW_CATEGORY_FEATURE] = column

    return _mix_scenario("new_category", seed, change, (NEW_CATEGORY_FEATURE,))


def transient(
    seed: int,
    shift: float = 1.0,
    *,
    size: int = TRANSIENT_SIZE,
    feature: str = MEAN_SHIFT_FEATURE,
) -> ScenarioData:
    """``feature`` moves by ``shift`` sd for ``size`` events, then reverts."""
    end = CHANGE_INDEX + size

    def change(_: np.random.Generator, stream: dict[str, Column]) -> None:
        stream[feature][CHANGE_INDEX:end] += shift * _sigma(feature)

    return _mix_scenario(f"transient_{shift:g}sd", seed, change, (feature,), drift_end=end)


SEA_MODEL_THRESHOLD: Final = 8.0
SEA_NEW_THRESHOLD: Final = 9.5
SEA_LABEL_NOISE: Final = 0.1


def _sea_draw(
    rng: np.random.Generator, n: int, threshold: npt.NDArray[np.float64] | float
) -> tuple[dict[str, Column], Column]:
    x = rng.uniform(0.0, 10.0, (3, n))
    truth = (x[0] + x[1] <= threshold).astype(np.int64)
    flip = rng.random(n) < SEA_LABEL_NOISE
    return {f"x{i + 1}": x[i] for i in range(3)}, np.where(flip, 1 - truth, truth)


def _sea_model(columns: Mapping[str, Column]) -> dict[str, Column]:
    margin = SEA_MODEL_THRESHOLD - (columns["x1"] + columns["x2"])
    return {
        "score": 1.0 / (1.0 + np.exp(-margin)),
        "label": (margin >= 0).astype(np.int64),
    }


def sea_concept(
    seed: int, *, new_threshold: float = SEA_NEW_THRESHOLD, stream_size: int = STREAM_SIZE
) -> ScenarioData:
    """Concept drift with stationary inputs (SEA-like, Street & Kim 2001).

    Inputs ``x1, x2, x3`` are uniform on [0, 10]; the label is ``x1 + x2 <= threshold``
    with 10% of labels flipped. A model fitted on threshold 8 stays fixed while the
    labelling threshold moves to ``new_threshold`` at the change: inputs and the model's
    outputs (``score``, ``label``) keep their distribution, its error rate rises from 0.10
    to about 0.20 (for 9.5).
    """
    rng = np.random.default_rng(seed)
    reference, _ = _sea_draw(rng, REFERENCE_SIZE, SEA_MODEL_THRESHOLD)
    threshold = np.where(np.arange(stream_size) < CHANGE_INDEX, SEA_MODEL_THRESHOLD, new_threshold)
    stream, labels = _sea_draw(rng, stream_size, threshold)
    outputs = _sea_model(stream)
    return ScenarioData(
        name="concept_sea",
        seed=seed,
        reference=reference,
        stream=stream,
        kinds={name: "numeric" for name in reference},
        change_index=CHANGE_INDEX,
        reference_outputs=_sea_model(reference),
        stream_outputs=outputs,
        labels=labels,
        predictions=outputs["label"],
        errors=(outputs["label"] != labels).astype(np.int8),
    )


def error_rate(
    seed: int,
    before: float,
    after: float,
    *,
    change_index: int = ERROR_CHANGE_INDEX,
    size: int = ERROR_STREAM_SIZE,
) -> ScenarioData:
    """A 0/1 error stream: Bernoulli(``before``), then Bernoulli(``after``) from the change."""
    rng = np.random.default_rng(seed)
    rate = np.where(np.arange(size) < change_index, before, after)
    return ScenarioData(
        name=f"error_rate_{before:g}_to_{after:g}",
        seed=seed,
        reference={},
        stream={},
        kinds={},
        change_index=change_index,
        errors=(rng.random(size) < rate).astype(np.int8),
    )


@dataclass(frozen=True)
class Scenario:
    """A named scenario: how to draw it and which detectors it is run through."""

    name: str
    description: str
    generate: Callable[[int], ScenarioData]
    engine: bool = True
    """Run through the drift engine (windows of features and outputs)."""
    error_detector: bool = False
    """Run the error-stream detector on its 0/1 errors."""
    engine_expects_drift: bool = True
    """Whether the drift engine should flag (False: stationary inputs)."""


def _bind(generator: Callable[..., ScenarioData], *args: float) -> Callable[[int], ScenarioData]:
    def generate(seed: int) -> ScenarioData:
        return generator(seed, *args)

    return generate


def _scenarios() -> dict[str, Scenario]:
    items = [
        Scenario(
            "stationary",
            "20 features (normal, lognormal, t(3), Poisson(3), 2 categorical), no change",
            stationary,
            engine_expects_drift=False,
        ),
        *(
            Scenario(
                f"mean_shift_{s:g}sd",
                f"{MEAN_SHIFT_FEATURE} mean +{s:g} sd at {CHANGE_INDEX}",
                _bind(mean_shift, s),
            )
            for s in (0.25, 0.5, 1.0)
        ),
        Scenario(
            "ramp_1sd",
            f"{MEAN_SHIFT_FEATURE} mean ramps 0 -> +1 sd over {RAMP_SIZE} events from "
            f"{CHANGE_INDEX}",
            ramp,
        ),
        Scenario(
            "variance_x2",
            f"{VARIANCE_FEATURE} sd x2 (mean unchanged) at {CHANGE_INDEX}",
            variance_change,
        ),
        Scenario(
            "category_frequency",
            f"{FREQUENCY_FEATURE}: 6 points of share move from the most to the least "
            f"frequent value at {CHANGE_INDEX}",
            frequency_shift,
        ),
        Scenario(
            "new_category",
            f"{NEW_CATEGORY_FEATURE}: unseen value in {NEW_CATEGORY_SHARE:.0%} of events from "
            f"{CHANGE_INDEX}",
            new_category,
        ),
        Scenario(
            "transient_1sd",
            f"{MEAN_SHIFT_FEATURE} mean +1 sd for events {CHANGE_INDEX}-"
            f"{CHANGE_INDEX + TRANSIENT_SIZE}, then back",
            transient,
        ),
        Scenario(
            "concept_sea",
            f"SEA-like: fixed model, labelling threshold {SEA_MODEL_THRESHOLD:g} -> "
            f"{SEA_NEW_THRESHOLD:g} at {CHANGE_INDEX}; inputs stationary; error 0.10 -> ~0.20",
            sea_concept,
            error_detector=True,
            engine_expects_drift=False,
        ),
        *(
            Scenario(
                f"error_rate_0.2_to_{after:g}",
                f"0/1 errors Bernoulli(0.2) -> ({after:g}) at {ERROR_CHANGE_INDEX}",
                _bind(error_rate, 0.2, after),
                engine=False,
                error_detector=True,
            )
            for after in (0.3, 0.4)
        ),
    ]
    return {s.name: s for s in items}


SCENARIOS: Final[Mapping[str, Scenario]] = _scenarios()
"""Every scenario by name, in report order."""
