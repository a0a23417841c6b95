"""Generate the JSON Schema file of every topic into ``schemas/json``.

``python -m schemas.export`` rewrites them; a test fails when the committed files are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.events import BatchEnvelope, GroundTruthEvent, PredictionEvent
from schemas.outputs import AlertEvent, DeadLetter, DriftEvent, MetricEvent, RetrainDecision

SCHEMA_DIR = Path(__file__).parent / "json"

TOPIC_SCHEMAS: dict[str, type[BaseModel]] = {
    "prediction-event": PredictionEvent,
    "batch-envelope": BatchEnvelope,
    "ground-truth": GroundTruthEvent,
    "metric": MetricEvent,
    "drift": DriftEvent,
    "alert": AlertEvent,
    "retrain-decision": RetrainDecision,
    "dead-letter": DeadLetter,
}


def render() -> dict[str, str]:
    """File name -> JSON text of every topic's schema."""
    files = {}
    for name, model in TOPIC_SCHEMAS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"stream-monitor/{name}.schema.json"
        files[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return files


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in render().items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR
    for p in write(target):
        print(p)
