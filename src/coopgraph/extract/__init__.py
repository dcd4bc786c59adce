"""``coopgraph extract``: from a cooperation document's text to a draft record a person reviews.

    coopgraph extract FILE [-o DRAFT.yaml] [--force] [--summary] [--reference DIR]
    coopgraph extract --evaluate DIR [--gold GOLD_DIR] [--verbose] [--json]

Rule-based and offline. The draft follows the records format (``status: draft``); every extracted fact carries the
lines it was read from and a confidence. Parties and carriers are linked to the reference layer when one can be read
(the vendored ``graph/reference/`` or ``--reference``); an actor that does not resolve is proposed as a new local
actor, never dropped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from .actors import NoResolver, Resolver, default_resolver
from .cleaning import decode, read_document
from .core import Extractor
from .model import Extraction
from .output import SUMMARY_KEYS, dump_record, record, summary, write_record

__all__ = ["SUMMARY_KEYS", "Extraction", "add_parser", "extract_file", "extract_text", "record", "summary"]


def extract_text(text: str | bytes, *, source: str = "<text>", resolver: Resolver | None = None) -> Extraction:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    decoded = decode(raw, source)
    return Extractor(resolver or NoResolver()).run(decoded, source)


def extract_file(path: Path | str, *, resolver: Resolver | None = None) -> Extraction:
    decoded = read_document(Path(path))
    return Extractor(resolver or NoResolver()).run(decoded, str(path))


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "extract",
        help="read a cooperation document's text into a draft record (or evaluate against gold files)",
        description="Read the plain text of a French cooperation document (convention, entente, plan, brochure, "
        "web page) and write a draft record for review, or print its summary as JSON.",
    )
    p.add_argument("file", nargs="?", type=Path, help="the document's plain text (UTF-8; cp1252/latin-1 are read "
                   "with a note)")
    p.add_argument("-o", "--output", type=Path, help="write the draft record there (refused if it exists, "
                   "unless --force)")
    p.add_argument("--force", action="store_true", help="replace an existing draft file")
    p.add_argument("--summary", action="store_true", help="print the summary JSON on standard output")
    p.add_argument("--evaluate", type=Path, metavar="DIR", help="evaluate against every DIR/*.txt that has a "
                   "*.gold.json beside it")
    p.add_argument("--gold", type=Path, metavar="GOLD_DIR", help="with --evaluate: read the *.gold.json files from "
                   "GOLD_DIR instead of DIR (for documents that live elsewhere)")
    p.add_argument("--reference", type=Path, metavar="DIR", help="reference layer to link actors with "
                   "(default: the vendored graph/reference/)")
    p.add_argument("--no-reference", action="store_true", help="link nothing (no reference layer)")
    p.add_argument("--verbose", action="store_true", help="with --evaluate: list the differences per document")
    p.add_argument("--json", action="store_true", help="with --evaluate: print the evaluation as JSON")
    p.set_defaults(func=run)


def _resolver(args: argparse.Namespace) -> Resolver:
    if args.no_reference:
        return NoResolver()
    return default_resolver(args.reference)


def run(args: argparse.Namespace) -> int:
    if args.evaluate is not None:
        if args.file is not None or args.output is not None:
            raise InputError("--evaluate takes a folder and no FILE or --output")
        from .evaluate import evaluate, gold_files, report_json, report_text

        pairs = gold_files(args.evaluate, args.gold)
        if not pairs:
            raise InputError("no *.txt with a *.gold.json beside it", file=str(args.evaluate))
        resolver = _resolver(args)
        result = evaluate(pairs, lambda path: summary(extract_file(path, resolver=resolver)))
        if args.json:
            print(json.dumps(report_json(result), ensure_ascii=False, indent=2))
        else:
            if isinstance(resolver, NoResolver):
                print("note: no reference layer: parties are not linked (resolution is scored against null refs)")
            print(report_text(result, verbose=args.verbose))
        return 0
    if args.file is None:
        raise InputError("give a FILE to extract, or --evaluate DIR")
    resolver = _resolver(args)
    ex = extract_file(args.file, resolver=resolver)
    data = record(ex, resolver)
    if args.output is not None:
        write_record(data, args.output, force=args.force)
        print(f"draft written to {args.output} ({len(ex.actors)} actors, "
              f"{sum(len(i.actions) for i in ex.instruments)} actions)", file=sys.stderr)
    if args.summary:
        print(json.dumps(summary(ex), ensure_ascii=False, indent=2))
    if args.output is None and not args.summary:
        sys.stdout.write(dump_record(data))
    for m in ex.missing:
        print(f"coopgraph extract: {args.file}: missing: {m}", file=sys.stderr)
    for n in ex.notes:
        if n.startswith(("the file is not UTF-8", "the file mixes encodings", "the text seems cut", "the text shows")):
            print(f"coopgraph extract: {args.file}: note: {n}", file=sys.stderr)
    return 0
