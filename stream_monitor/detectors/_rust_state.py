"""Named JSON fields for the state of river's Rust-backed pieces, and back.

river 0.26 runs ADWIN in Rust (``river._river_rust.drift.AdaptiveWindowing``) and the
exponentially weighted mean that HDDM_W uses in Rust too (``RsEWMean``). Neither exposes
its fields to Python, but both support pickling: ``__getstate__`` returns the struct
serialised with bincode 1 (fixed-width little-endian integers, IEEE doubles, a u64 length
before each vector, a u8 per bool) and ``__setstate__`` takes such bytes back. The
functions here read those bytes into named, JSON-safe fields and write them back, so a
stored state is inspectable and holds no opaque blob.

Layouts, in field order (river's ``rust_src/adwin.rs`` and ``rust_src/ewmean.rs``):

- ``AdaptiveWindowing``: delta f64, clock i32, max_buckets u64, min_window_length f64,
  grace_period f64, total f64, variance f64, width f64, total_width f64, n_buckets i32,
  max_n_buckets i32, tick i32, n_detections i32, then a vector of bucket rows, each:
  max_size u64, current_idx u64, totals vec<f64>, variances vec<f64>. Row ``i`` holds up
  to ``max_buckets`` summaries (sum and variance term) of ``2**i`` inputs each; slots from
  ``current_idx`` on are zero. The Python-facing wrapper then repeats its constructor
  arguments: delta f64, clock i32, max_buckets u64, min_window_length i32,
  grace_period i32 (checked against river 0.26.1's bytes, not only its source).
- ``RsEWMean``: mean f64, alpha f64, one_minus_alpha f64, initialized bool, alpha f64.

Guards, so that a river release with another layout fails loudly instead of restoring a
wrong detector: the parameters echoed in the bytes must equal the detector's, every byte
must be consumed, padding must be zero, and after ``__setstate__`` the engine must give
back exactly the bytes that were written.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

from stream_monitor.detectors._json import (
    JSONObject,
    JSONValue,
    encode_float,
    read_bool,
    read_float,
    read_float_list,
    read_int,
    read_list,
)
from stream_monitor.detectors._params import ParamValue

_ADWIN_HEAD = struct.Struct("<d i Q d d  d d d d  i i i i  Q")
_ADWIN_TAIL = struct.Struct("<d i Q i i")
_U64 = struct.Struct("<Q")
_EWMEAN = struct.Struct("<d d d ? d")
_SCALARS = ("total", "variance", "width", "total_width")
_COUNTERS = ("n_buckets", "max_n_buckets", "tick", "n_detections")


class LayoutError(RuntimeError):
    """The installed river serialises a detector differently from what this code reads."""


def dump_adwin(blob: bytes, params: Mapping[str, ParamValue]) -> dict[str, JSONValue]:
    """Named fields of an ``AdaptiveWindowing.__getstate__()`` blob."""
    try:
        return _dump_adwin(blob, params)
    except struct.error as error:
        raise LayoutError(f"ADWIN state: unexpected layout ({error})") from error


def _dump_adwin(blob: bytes, params: Mapping[str, ParamValue]) -> dict[str, JSONValue]:
    head = _ADWIN_HEAD.unpack_from(blob, 0)
    if head[:5] != _adwin_param_fields(params):
        raise LayoutError(f"ADWIN state: parameters read {head[:5]}, expected {dict(params)}")
    state: dict[str, JSONValue] = {
        k: encode_float(v) for k, v in zip(_SCALARS, head[5:9], strict=True)
    }
    state.update(zip(_COUNTERS, head[9:13], strict=True))
    offset = _ADWIN_HEAD.size
    rows: list[JSONValue] = []
    for _ in range(head[13]):
        row, offset = _read_row(blob, offset, int(params["max_buckets"]))
        rows.append(row)
    if _ADWIN_TAIL.unpack_from(blob, offset) != _adwin_arguments(params):
        raise LayoutError("ADWIN state: the trailing constructor arguments do not match")
    offset += _ADWIN_TAIL.size
    if offset != len(blob):
        raise LayoutError(f"ADWIN state: {len(blob) - offset} bytes left unread")
    state["rows"] = rows
    return state


def load_adwin(internals: JSONObject, params: Mapping[str, ParamValue]) -> bytes:
    """The ``AdaptiveWindowing.__setstate__()`` blob for :func:`dump_adwin` output."""
    slots = int(params["max_buckets"]) + 1
    rows = read_list(internals, "rows")
    width = sum(len(read_list(_as_object(row), "totals")) << i for i, row in enumerate(rows))
    if read_float(internals, "width") != width:
        raise ValueError(
            f"detector state: ADWIN width {read_float(internals, 'width')} does not match "
            f"the {width} inputs its rows summarise"
        )
    try:
        head = _ADWIN_HEAD.pack(
            *_adwin_param_fields(params),
            *(read_float(internals, k) for k in _SCALARS),
            *(read_int(internals, k) for k in _COUNTERS),
            len(rows),
        )
    except struct.error as error:
        raise ValueError(f"detector state: ADWIN counter out of range ({error})") from error
    body = b"".join(_pack_row(_as_object(row), slots) for row in rows)
    return head + body + _ADWIN_TAIL.pack(*_adwin_arguments(params))


def dump_ewmean(engine: Any, alpha: float) -> dict[str, JSONValue]:
    """Mean and initialised flag of an ``RsEWMean`` built with ``alpha``."""
    mean, initialized = _unpack_ewmean(engine.__getstate__(), alpha)
    return {"mean": encode_float(mean), "initialized": initialized}


def load_ewmean(engine: Any, alpha: float, fields: JSONObject) -> None:
    """Set an ``RsEWMean`` built with ``alpha`` from :func:`dump_ewmean` output."""
    _unpack_ewmean(engine.__getstate__(), alpha)  # the layout is the one we know
    blob = _EWMEAN.pack(
        read_float(fields, "mean"), alpha, 1.0 - alpha, read_bool(fields, "initialized"), alpha
    )
    set_and_verify(engine, blob, "HDDM_W's EWMean")


def set_and_verify(engine: Any, blob: bytes, what: str) -> None:
    """``engine.__setstate__(blob)``, then check that the engine gives the same bytes back."""
    engine.__setstate__(blob)
    if engine.__getstate__() != blob:
        raise LayoutError(f"{what}: the restored engine does not echo the state written")


def _adwin_param_fields(params: Mapping[str, ParamValue]) -> tuple[float | int, ...]:
    return (
        float(params["delta"]),
        int(params["clock"]),
        int(params["max_buckets"]),
        float(params["min_window_length"]),
        float(params["grace_period"]),
    )


def _adwin_arguments(params: Mapping[str, ParamValue]) -> tuple[float | int, ...]:
    return (
        float(params["delta"]),
        int(params["clock"]),
        int(params["max_buckets"]),
        int(params["min_window_length"]),
        int(params["grace_period"]),
    )


def _as_object(row: JSONValue) -> JSONObject:
    if not isinstance(row, dict):
        raise ValueError(f"detector state: each ADWIN row must be an object, got {row!r}")
    return row


def _read_row(blob: bytes, offset: int, max_buckets: int) -> tuple[dict[str, JSONValue], int]:
    slots = max_buckets + 1
    max_size, used = struct.unpack_from("<QQ", blob, offset)
    if max_size != max_buckets:
        raise LayoutError(f"ADWIN state: bucket row of size {max_size}, expected {max_buckets}")
    offset += 16
    columns: list[tuple[float, ...]] = []
    for _ in range(2):
        (length,) = _U64.unpack_from(blob, offset)
        if length != slots:
            raise LayoutError(f"ADWIN state: bucket row of {length} slots, expected {slots}")
        columns.append(struct.unpack_from(f"<{slots}d", blob, offset + 8))
        offset += 8 + 8 * slots
    totals, variances = columns
    if used > slots or any(totals[used:]) or any(variances[used:]):
        raise LayoutError("ADWIN state: bucket row has data past its last used slot")
    row: dict[str, JSONValue] = {
        "totals": [encode_float(v) for v in totals[:used]],
        "variances": [encode_float(v) for v in variances[:used]],
    }
    return row, offset


def _pack_row(row: JSONObject, slots: int) -> bytes:
    totals = read_float_list(row, "totals")
    variances = read_float_list(row, "variances")
    used = len(totals)
    if len(variances) != used or used > slots:
        raise ValueError(
            f"detector state: an ADWIN row needs as many totals as variances, at most "
            f"{slots}; got {used} and {len(variances)}"
        )
    padding = [0.0] * (slots - used)
    return b"".join(
        (
            struct.pack("<QQ", slots - 1, used),
            struct.pack(f"<Q{slots}d", slots, *totals, *padding),
            struct.pack(f"<Q{slots}d", slots, *variances, *padding),
        )
    )


def _unpack_ewmean(blob: bytes, alpha: float) -> tuple[float, bool]:
    if len(blob) != _EWMEAN.size:
        raise LayoutError(f"EWMean state: {len(blob)} bytes, expected {_EWMEAN.size}")
    mean, alpha_1, one_minus_alpha, initialized, alpha_2 = _EWMEAN.unpack(blob)
    if (alpha_1, one_minus_alpha, alpha_2) != (alpha, 1.0 - alpha, alpha):
        raise LayoutError(f"EWMean state: parameters read {alpha_1}, expected {alpha}")
    return mean, initialized
