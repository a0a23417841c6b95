"""Reading reference tables: CSV, JSON lines and Parquet."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stream_monitor.stats import build_profile, read_table

EXPECTED = {
    "age": [31, None, 45.5],
    "city": ["paris", "rome", None],
    "flag": ["true", "false", "true"],
}


def test_read_csv_parses_numbers_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "ref.csv"
    path.write_text("age,city,flag\n31,paris,true\n,rome,false\n45.5,,true\n")
    assert read_table(path) == EXPECTED


def test_read_csv_rejects_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "ref.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(ValueError, match="line 3 has 1 fields; the header has 2"):
        read_table(path)


def test_read_jsonl_fills_absent_keys_with_none(tmp_path: Path) -> None:
    path = tmp_path / "ref.jsonl"
    rows = [{"age": 31, "city": "paris"}, {"city": "rome", "age": None}, {"age": 45.5}]
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n\n")
    assert read_table(path) == {"age": [31, None, 45.5], "city": ["paris", "rome", None]}
    path.write_bytes(b'{"a": 1}\n[1, 2]\n')
    with pytest.raises(ValueError, match="line 2 must be a JSON object, got list"):
        read_table(path)
    path.write_bytes(b'{"a": 1}\n{"a": \n')
    with pytest.raises(ValueError, match="line 2 is not valid JSON"):
        read_table(path)


def test_read_parquet(tmp_path: Path) -> None:
    path = tmp_path / "ref.parquet"
    pq.write_table(pa.table(EXPECTED), path)
    assert read_table(path) == EXPECTED
    profile = build_profile(read_table(path), output_columns=())
    assert sorted(profile.features) == ["age", "city", "flag"]


def test_unsupported_extension_lists_the_allowed_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unsupported extension '\.xlsx'; allowed: \['\.csv'"):
        read_table(tmp_path / "ref.xlsx")
