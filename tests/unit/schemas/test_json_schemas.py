"""The committed JSON Schema files are what the pydantic models generate."""

from __future__ import annotations

from schemas.export import SCHEMA_DIR, TOPIC_SCHEMAS, render


def test_committed_json_schemas_are_current() -> None:
    stale = [
        name
        for name, text in render().items()
        if not (SCHEMA_DIR / name).exists() or (SCHEMA_DIR / name).read_text() != text
    ]
    assert stale == [], f"stale JSON Schemas {stale}: run `make schemas` and commit"


def test_every_output_event_has_type_and_schema_version() -> None:
    for name, model in TOPIC_SCHEMAS.items():
        if name in {"prediction-event", "ground-truth"}:
            continue
        assert "type" in model.model_fields, name
        if name != "batch-envelope":
            assert "schema_version" in model.model_fields, name
