"""``byte_runs`` (runs found on the running total of sizes) against the plain greedy cut,
one message at a time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stream_monitor.dead_letters import RawMessage, byte_runs


def _greedy(sizes: list[int], max_bytes: int) -> list[tuple[int, int]]:
    runs, start, size = [], 0, 0
    for at, n in enumerate(sizes):
        if at > start and size + n > max_bytes:
            runs.append((start, at))
            start, size = at, 0
        size += n
    return runs + ([(start, len(sizes))] if sizes else [])


@given(st.lists(st.integers(0, 40), max_size=60), st.integers(1, 50))
def test_each_run_is_the_longest_that_fits_from_where_the_last_ended(
    sizes: list[int], max_bytes: int
) -> None:
    messages = [RawMessage(b"x" * n, "t", 0, i) for i, n in enumerate(sizes)]
    assert byte_runs(messages, max_bytes) == _greedy(sizes, max_bytes)
