"""Join records as columns: the texts built in one call are the rows' texts."""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given
from hypothesis import strategies as st

from stream_monitor.label_join import _Floats
from stream_monitor.state.updates import RowHashes

_TEXT = st.text(max_size=12)  # newlines, quotes, backslashes and non-ASCII included


@given(
    st.lists(st.tuples(_TEXT, st.none() | st.floats(allow_nan=True), st.integers()), max_size=20)
)
def test_texts_are_each_rows_text_and_read_back_as_the_row(
    rows: list[tuple[str, float | None, int]],
) -> None:
    ids = [r[0] for r in rows]
    scores = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=np.float64)
    columns = {"event_id": ids, "score": _Floats(scores), "label": [r[2] for r in rows]}
    hashes = RowHashes("p:", "s:rec", ids, {"kind": "p", "version": 1}, columns, 60)
    texts = hashes.texts()
    assert texts == [hashes.text(i) for i in range(len(rows))]
    for text, (event_id, score, label) in zip(texts, rows, strict=True):
        doc = orjson.loads(text)
        assert (doc["kind"], doc["event_id"], doc["label"]) == ("p", event_id, label)
        expected = None if score is None or not np.isfinite(score) else score
        assert doc["score"] == expected


def test_a_column_overrides_a_constant_of_the_same_name() -> None:
    hashes = RowHashes("p:", "s:rec", ["a"], {"kind": "p", "v": 0}, {"v": [3]}, None)
    assert hashes.texts() == ['{"kind":"p","v":3}'] == [hashes.text(0)]
