"""``python -m benchmarks run --profile quick|full [--only NAME]``.

Runs the suites (``detection``, ``binning``, ``throughput``, ``replay``, ``soak``) and
rewrites each one's section of ``docs/benchmarks.md`` (see :mod:`benchmarks.report`).
``--only`` takes a suite name, or one detection scenario name: a single scenario's table
is printed, and the document is
left alone (a partial table would replace the full one).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from benchmarks import binning, detection, replay, soak, throughput
from benchmarks.report import DOCUMENT, RunInfo, write_section
from benchmarks.scenarios import SCENARIOS


def _detection(profile: str, scenarios: list[str] | None) -> str:
    report = detection.run_detection(detection.PROFILES[profile], scenarios)
    return detection.markdown(report)


def _binning(profile: str, _: list[str] | None) -> str:
    return binning.markdown(binning.run_binning(binning.PROFILES[profile]))


def _throughput(profile: str, _: list[str] | None) -> str:
    return throughput.markdown(throughput.run_throughput(throughput.PROFILES[profile]))


SUITES: Final[dict[str, tuple[str, Callable[[str, list[str] | None], str]]]] = {
    "detection": ("Detection: drift engine and error-stream detector", _detection),
    "binning": ("Binning: batch binning against bare numpy", _binning),
    "throughput": (throughput.TITLE, _throughput),
    "replay": (replay.TITLE, lambda p, _: replay.markdown(replay.run_replay(replay.PROFILES[p]))),
    "soak": (soak.TITLE, lambda p, _: soak.markdown(soak.run_soak(soak.PROFILES[p]))),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Run stream-monitor's benchmark suites."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run benchmark suites and rewrite docs/benchmarks.md")
    run.add_argument("--profile", choices=("quick", "full"), default="quick")
    run.add_argument(
        "--only",
        metavar="NAME",
        help=f"one suite ({', '.join(SUITES)}) or one detection scenario "
        f"({', '.join(SCENARIOS)}); a scenario is printed, not written",
    )
    run.add_argument("--date", help="date to record (default: now, UTC)")
    run.add_argument("--commit", help="commit to record (default: git HEAD)")
    run.add_argument("--output", type=Path, default=DOCUMENT, help="document to rewrite")
    run.add_argument("--print-only", action="store_true", help="print sections; write nothing")
    return parser


def _plan(only: str | None) -> tuple[list[str], list[str] | None, bool]:
    """Suites to run, the scenario filter, and whether to write the document."""
    if only is None:
        return list(SUITES), None, True
    if only in SUITES:
        return [only], None, True
    if only in SCENARIOS:
        return ["detection"], [only], False
    raise SystemExit(
        f"unknown suite or scenario {only!r}; suites: {', '.join(SUITES)}; "
        f"scenarios: {', '.join(SCENARIOS)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    suites, scenarios, write = _plan(args.only)
    write = write and not args.print_only
    began = time.perf_counter()
    for suite in suites:
        title, run = SUITES[suite]
        info = RunInfo.collect(args.profile, date=args.date, commit=args.commit)
        started = time.perf_counter()
        body = run(args.profile, scenarios)
        elapsed = time.perf_counter() - started
        section = f"## {title}\n\n{info.markdown()}\n\n{body}"
        print(section)
        if write:
            write_section(suite, section, args.output)
            print(f"{suite}: {elapsed:.0f} s, written to {args.output}", file=sys.stderr)
        else:
            print(f"{suite}: {elapsed:.0f} s, not written", file=sys.stderr)
    print(f"all suites: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
