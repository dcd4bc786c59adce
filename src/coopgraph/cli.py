"""The ``coopgraph`` command: one sub-command per step of the flow, each in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .errors import CoopgraphError

# Each module defines add_parser(subparsers) and sets func(args) -> exit code.
COMMAND_MODULES = ["validate", "info", "records", "build", "reference", "extract", "serve", "query", "publish", "analyze"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopgraph",
        description="A knowledge graph of French territorial cooperation.",
    )
    parser.add_argument("--version", action="version", version=f"coopgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"coopgraph.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CoopgraphError as exc:
        print(f"coopgraph {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
