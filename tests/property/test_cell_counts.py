"""Cell counts read off sorted values equal those of searching each value in the edges."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stream_monitor.stats.window import cell_counts

_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, np.inf, -np.inf, np.nan]),
)
_edges = st.lists(
    st.one_of(st.floats(allow_nan=False, width=64), st.sampled_from([0.0, -0.0, 1.0, 0.5])),
    min_size=1,
    max_size=12,
).map(sorted)


@given(_edges, st.lists(_values, max_size=60))
def test_cell_counts_equal_the_bincount_of_searchsorted(
    edges: list[float], values: list[float]
) -> None:
    edge_array, value_array = np.array(edges), np.array(values, dtype=np.float64)
    expected = np.bincount(edge_array.searchsorted(value_array), minlength=edge_array.size + 1)
    counts = cell_counts(edge_array, np.sort(value_array))
    assert counts.tolist() == expected.tolist()
    assert counts.dtype == expected.dtype
