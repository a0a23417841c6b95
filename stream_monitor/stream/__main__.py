"""``python -m stream_monitor.stream --config FILE``: one worker process (tests, debugging).

The command line proper is ``stream-monitor worker`` (:mod:`stream_monitor.cli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stream_monitor.errors import UserError
from stream_monitor.settings import load_settings
from stream_monitor.stream.worker import run_worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stream_monitor.stream")
    parser.add_argument("--config", type=Path, required=True, help="the YAML settings file")
    parser.add_argument("--loglevel", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    args = parser.parse_args(argv)
    try:
        run_worker(load_settings(args.config), loglevel=args.loglevel)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
