"""The `stream-monitor` command line."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from schemas import export as schema_export
from stream_monitor import console_view
from stream_monitor.errors import UserError

if TYPE_CHECKING:
    from stream_monitor.demo import DemoFiles
    from stream_monitor.simulate import Scenario
    from stream_monitor.state.silence_store import SilenceStore

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
silence_app = typer.Typer(help="Silences of alerts, kept in Redis.", no_args_is_help=True)
app.add_typer(silence_app, name="silence")
alerts_app = typer.Typer(help="The alerts the workers publish.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
console = Console(stderr=False, highlight=False)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="YAML config (see docs/configuration.md).")
]


@app.command()
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Where the inputs, outputs and report go.")
    ] = Path("stream-monitor-demo"),
) -> None:
    """Simulate a classifier in production (drift, a data-quality incident, a quality drop)
    and run the whole pipeline in memory: no Kafka, no Redis."""
    from stream_monitor.demo import DemoFiles, run_demo

    files = DemoFiles(out_dir)
    console.print(console_view.DEMO_INTRO)
    started = time.perf_counter()
    summary = run_demo(files, on_output=console_view.alert_printer(console))
    elapsed = time.perf_counter() - started
    report = console_view.write_report(files.report, summary.kept, files.reference)
    console_view.print_summary(console, summary, elapsed, files.outputs, report)


@app.command()
def profile(
    data: Annotated[Path, typer.Argument(help="Training data: CSV, Parquet or JSON lines.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the profile JSON.")],
) -> None:
    """Build a reference profile from training data."""
    from stream_monitor.specs import load_reference

    with console.status(f"profiling {data} ..."):
        reference = load_reference(data)
    reference.save(out)
    console.print(console_view.profile_table(reference))
    console.print(f"wrote {out}")


@app.command()
def replay(
    events: Annotated[Path, typer.Argument(help="Prediction events, one JSON per line.")],
    reference: Annotated[
        Path, typer.Option("--reference", "-r", help="Reference profile JSON, or raw data.")
    ],
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Ground-truth events, one JSON per line.")
    ] = None,
    config: ConfigOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write every output event here (JSONL).")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report.")] = None,
) -> None:
    """Run the full pipeline over a file of prediction events, in file order."""
    from stream_monitor import replay as replay_mod
    from stream_monitor.settings import load_settings
    from stream_monitor.specs import load_reference

    for path in (events, labels):
        if path is not None and not path.is_file():
            raise UserError(f"{path} is not a file")
    settings = load_settings(config)
    ref = load_reference(reference)
    pipeline = replay_mod.build_pipeline(settings, ref, events)
    lines = replay_mod.read_lines(events)
    label_lines = replay_mod.read_lines(labels) if labels else iter(())
    started = time.perf_counter()
    with ExitStack() as stack:
        sink = stack.enter_context(out.open("wb")) if out else None
        summary = replay_mod.run(pipeline, lines, label_lines, sink, keep=report is not None)
    elapsed = time.perf_counter() - started
    written = console_view.write_report(report, summary.kept, reference) if report else None
    console_view.print_summary(console, summary, elapsed, out, written)


@app.command()
def worker(
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML config file.")],
    loglevel: Annotated[
        str, typer.Option("--loglevel", help="DEBUG, INFO, WARNING or ERROR.")
    ] = "INFO",
) -> None:
    """Run a Kafka worker: ingest predictions and labels, evaluate models, publish events."""
    from stream_monitor.settings import load_settings
    from stream_monitor.stream.worker import run_worker

    levels = ("DEBUG", "INFO", "WARNING", "ERROR")
    if loglevel.upper() not in levels:
        raise UserError(f"--loglevel {loglevel!r} is not one of {', '.join(levels)}")
    run_worker(load_settings(config), loglevel=loglevel.upper())


@app.command()
def simulate(
    out_dir: Annotated[
        Path,
        typer.Option("--out-dir", help="Writes predictions.jsonl, labels.jsonl, reference.json."),
    ] = Path("stream-monitor-sim"),
    minutes: Annotated[int, typer.Option(min=1, max=24 * 60, help="Event-time length.")] = 60,
    rate: Annotated[float, typer.Option(min=0.1, max=10_000, help="Predictions per second.")] = 25,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    to_kafka: Annotated[
        bool,
        typer.Option(
            "--to-kafka",
            help="Produce the stream to the configured predictions and ground-truth topics "
            "(instead of predictions.jsonl and labels.jsonl; reference.json is still written).",
        ),
    ] = False,
    config: ConfigOption = None,
    bootstrap: Annotated[
        str | None, typer.Option(help="Kafka bootstrap servers (overrides the config).")
    ] = None,
    send_rate: Annotated[
        float,
        typer.Option(min=0, help="With --to-kafka: messages per wall-clock second (0: at once)."),
    ] = 0,
) -> None:
    """Simulate the demo's classifier (drift, null spike, quality drop) into files that
    `replay` reads, or to Kafka (--to-kafka) for the worker."""
    from stream_monitor.demo import DemoFiles, write_inputs
    from stream_monitor.simulate import Scenario, scaled

    scenario = scaled(Scenario(seed=seed, rate_eps=rate), minutes * 60)
    files = DemoFiles(out_dir)
    if to_kafka:
        _simulate_to_kafka(files, scenario, config, bootstrap, send_rate)
        return
    write_inputs(files, scenario)
    for path in (files.predictions, files.labels, files.reference):
        console.print(str(path))


def _simulate_to_kafka(
    files: DemoFiles, scenario: Scenario, config: Path | None, bootstrap: str | None, rate: float
) -> None:
    from stream_monitor import simulate
    from stream_monitor.demo import reference_profile
    from stream_monitor.settings import load_settings
    from stream_monitor.stream.simulate_kafka import produce_scenario

    settings = load_settings(config)
    if bootstrap is not None:
        settings.kafka.bootstrap_servers = bootstrap
    files.directory.mkdir(parents=True, exist_ok=True)
    reference_profile()[0].save(files.reference)
    predictions, labels = simulate.generate(scenario)
    produced = produce_scenario(settings, predictions, labels, rate)
    topics = settings.topics
    console.print(
        f"{produced.predictions} predictions to {topics.predictions}, "
        f"{produced.labels} labels to {topics.ground_truth}; reference: {files.reference}"
    )


@app.command("check-config")
def check_config(
    config: Annotated[Path, typer.Argument(help="The YAML config to validate.")],
) -> None:
    """Validate a config file (with the environment's overrides) and each model's reference
    (read as the worker reads it), and show what it sets."""
    from stream_monitor.service import build_specs
    from stream_monitor.settings import load_settings

    settings = load_settings(config)
    specs = build_specs(settings)  # references, declared features, limits, importance
    console.print(console_view.settings_summary(settings))
    read = ", ".join(f"{s.model_id} ({len(s.profile.features)} features)" for s in specs.values())
    console.print(f"references read: {read or 'none'}")
    console.print(f"[green]{config} is valid[/green]")


def _silences(config: Path | None) -> SilenceStore:
    from stream_monitor.service import connect_redis
    from stream_monitor.settings import load_settings

    return connect_redis(load_settings(config).redis)[1]


@silence_app.command("add")
def silence_add(
    matcher: Annotated[
        list[str], typer.Option("--matcher", "-m", help="name=value, name!=value, name=~regex")
    ],
    comment: Annotated[str, typer.Option(help="Why; shown with the silenced alerts.")],
    author: Annotated[str, typer.Option(help="Who silenced.")],
    duration: Annotated[str, typer.Option(help="How long: 30m, 2h, 1d.")] = "2h",
    config: ConfigOption = None,
) -> None:
    """Silence the alerts whose labels match every matcher, from now for DURATION."""
    from datetime import UTC, datetime

    from stream_monitor.durations import parse_duration
    from stream_monitor.silence_cli import new_silence

    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        raise UserError(f"--duration: {exc}") from None
    silence = new_silence(matcher, seconds, author, comment, datetime.now(UTC))
    _silences(config).add(silence)
    console.print(f"silence {silence.id} until {silence.ends_at:%Y-%m-%d %H:%M} UTC")


@silence_app.command("list")
def silence_list(config: ConfigOption = None) -> None:
    """Every silence: active, future and expired."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    console.print(console_view.silence_table(_silences(config).all(), now))


@silence_app.command("expire")
def silence_expire(
    silence_id: Annotated[str, typer.Argument(help="The id `silence list` shows.")],
    config: ConfigOption = None,
) -> None:
    """End a silence now."""
    from datetime import UTC, datetime

    silence = _silences(config).expire(silence_id, datetime.now(UTC))
    console.print(f"silence {silence.id} ended at {silence.ends_at:%Y-%m-%d %H:%M} UTC")


@alerts_app.command("tail")
def alerts_tail(
    config: Annotated[Path, typer.Option("--config", "-c", help="The workers' YAML config.")],
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest alert kept, not now.")
    ] = False,
    max_events: Annotated[
        int | None, typer.Option("--max", min=1, help="Stop after N alerts.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="Stop when no alert came for SECONDS."),
    ] = None,
) -> None:
    """Follow the alert topic: one line per alert event (time, status, severity, model,
    rule, target, value, short fingerprint, silenced/inhibited marks). Reads in a consumer
    group of its own and commits nothing. Stops on Ctrl-C, or as --max/--timeout say."""
    from stream_monitor.alerts_cli import Tail
    from stream_monitor.settings import load_settings
    from stream_monitor.stream.alert_source import KafkaAlertSource

    source = KafkaAlertSource(load_settings(config), from_beginning).open()
    tail = Tail(source, _echo, _echo_err, max_events, timeout)
    try:
        tail.run()
    except KeyboardInterrupt:
        pass
    finally:
        source.close()


def _echo(line: str) -> None:
    typer.echo(line)


def _echo_err(line: str) -> None:
    typer.echo(line, err=True)


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
