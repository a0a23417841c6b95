"""Integer categories are coded under their integer text, whichever way they are looked up."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stream_monitor.stats.values import category_codes

_keys = st.one_of(
    st.integers(-5, 5).map(str),
    st.sampled_from(["01", "-0", " 2", "+3", "1_0", "\u0663", "x", "", "1.0", "True"]),
)


@given(st.lists(_keys, max_size=6, unique=True), st.lists(st.integers(-5, 5), max_size=40))
def test_integers_are_coded_by_their_text(vocabulary: list[str], values: list[int]) -> None:
    lookup = {key: code for code, key in enumerate(vocabulary)}
    expected = [lookup.get(str(v), len(lookup)) for v in values]
    assert category_codes(values, lookup).tolist() == expected
