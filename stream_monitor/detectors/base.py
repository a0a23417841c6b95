"""The one interface every online drift detector here offers, and the river-backed base.

A detector eats one number per :meth:`~Detector.update` (a window statistic, or a 0/1
error) and raises :attr:`~Detector.drift_detected` on the update where it sees a change;
the next update starts it afresh, as in river. Its whole state is a JSON-safe dict
(:meth:`~Detector.get_state`) from which ``from_state`` builds a detector that continues
exactly as the original would have.
"""

from __future__ import annotations

import abc
import inspect
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, Protocol, Self, TypeAlias, cast, runtime_checkable

from stream_monitor.detectors._json import (
    JSONObject,
    JSONValue,
    read_bool,
    read_int,
    read_object,
    read_str,
)
from stream_monitor.detectors._params import ParamValue, check_names

InputKind: TypeAlias = Literal["real", "binary"]
"""``"real"``: any finite number; ``"binary"``: a 0/1 error indicator (1 = error)."""


@runtime_checkable
class Detector(Protocol):
    """What the rest of stream-monitor may rely on, whichever detector is behind it."""

    @property
    def name(self) -> str:
        """Registry name, e.g. ``"adwin"``."""
        ...

    @property
    def params(self) -> dict[str, ParamValue]:
        """The parameters the detector was built with (a copy)."""
        ...

    @property
    def n_seen(self) -> int:
        """How many values :meth:`update` has taken since the detector was made."""
        ...

    @property
    def drift_detected(self) -> bool:
        """True only right after the update on which drift was detected."""
        ...

    @property
    def warning_detected(self) -> bool:
        """True in a detector's warning zone; always False for those without one."""
        ...

    def update(self, x: float) -> Self:
        """Feed one value; returns the detector itself, like river."""
        ...

    def get_state(self) -> dict[str, JSONValue]:
        """Everything needed to continue identically, as JSON-safe data."""
        ...


class RiverDetector(abc.ABC):
    """A river detector (the *engine*) with parameter checks, input checks and state.

    Subclasses set the class variables, build the engine in ``__init__`` from checked
    keyword-only parameters, and say how to dump and load the engine's internals.
    """

    name: ClassVar[str]
    input_kind: ClassVar[InputKind]
    has_warning: ClassVar[bool] = False
    state_version: ClassVar[int] = 1

    def __init__(self, params: dict[str, ParamValue], engine: Any) -> None:
        self._params = params
        self._engine = engine
        self._n_seen = 0

    @classmethod
    def param_names(cls) -> tuple[str, ...]:
        """The keyword parameters the detector takes."""
        signature = inspect.signature(cls.__init__)
        return tuple(p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY)

    @classmethod
    def create(cls, params: Mapping[str, object]) -> Self:
        """Build from a mapping of parameters, rejecting unknown names with the valid ones."""
        check_names(cls.name, list(params), cls.param_names())
        return cls(**cast(dict[str, Any], params))

    @property
    def params(self) -> dict[str, ParamValue]:
        return dict(self._params)

    @property
    def n_seen(self) -> int:
        return self._n_seen

    @property
    def drift_detected(self) -> bool:
        return bool(self._engine.drift_detected)

    @property
    def warning_detected(self) -> bool:
        return bool(self._engine.warning_detected) if self.has_warning else False

    def update(self, x: float) -> Self:
        self._engine.update(self._check_input(x))
        self._n_seen += 1
        return self

    def get_state(self) -> dict[str, JSONValue]:
        params: dict[str, JSONValue] = {k: v for k, v in self._params.items()}
        return {
            "detector": self.name,
            "version": self.state_version,
            "params": params,
            "n_seen": self._n_seen,
            "drift_detected": self.drift_detected,
            "warning_detected": self.warning_detected,
            "internals": self._dump(),
        }

    @classmethod
    def from_state(cls, state: JSONObject) -> Self:
        """Rebuild a detector from :meth:`get_state` output (after a JSON round trip).

        Raises ``ValueError`` when the state is for another detector or version, or is
        malformed.
        """
        found = read_str(state, "detector")
        if found != cls.name:
            raise ValueError(f"state is for detector {found!r}, not {cls.name!r}")
        version = read_int(state, "version")
        if version != cls.state_version:
            raise ValueError(
                f"{cls.name}: state version {version} is not supported; "
                f"this code reads version {cls.state_version}"
            )
        detector = cls.create(read_object(state, "params"))
        detector._load(read_object(state, "internals"))
        detector._n_seen = read_int(state, "n_seen", minimum=0)
        detector._engine._drift_detected = read_bool(state, "drift_detected")
        if cls.has_warning:
            detector._engine._warning_detected = read_bool(state, "warning_detected")
        return detector

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"

    def _check_input(self, x: float) -> float:
        """The value as a Python float; subclasses narrow what is allowed."""
        value = float(x)
        if not math.isfinite(value):
            raise ValueError(f"{self.name}: input must be a finite number, got {x!r}")
        return value

    @abc.abstractmethod
    def _dump(self) -> dict[str, JSONValue]:
        """The engine's internals (not its parameters) as JSON-safe data."""

    @abc.abstractmethod
    def _load(self, internals: JSONObject) -> None:
        """Set the engine's internals from :meth:`_dump` output."""


def check_error_bit(detector: str, x: float) -> float:
    """A 0/1 error indicator (1 = error) as a float."""
    value = float(x)
    if value != 0.0 and value != 1.0:
        raise ValueError(f"{detector}: input must be 0 or 1 (1 = error), got {x!r}")
    return value


def check_unit_interval(detector: str, x: float) -> float:
    """A value in [0, 1], normally a 0/1 error indicator, as a float."""
    value = float(x)
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"{detector}: input must be in [0, 1] (normally 0 or 1, 1 = error), got {x!r}"
        )
    return value
