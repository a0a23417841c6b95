"""The `stream-monitor` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from schemas import export as schema_export
from stream_monitor.errors import UserError

app = typer.Typer(
    name="stream-monitor",
    help="Watch ML models in production: performance, data and prediction drift, alerts, "
    "retraining triggers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
schemas_app = typer.Typer(help="The JSON Schema of every topic.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")


@schemas_app.command("export")
def schemas_export(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write the *.schema.json files to.")
    ] = schema_export.SCHEMA_DIR,
) -> None:
    """Write the JSON Schema of every topic's events."""
    for path in schema_export.write(out):
        typer.echo(str(path))


def main() -> None:
    """Entry point: user mistakes become one line on stderr and exit code 2."""
    try:
        app()
    except (UserError, ValidationError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
