"""``coopgraph query``: run a query of the library (or any .rq file) on the build's embedded store or a remote one.

Parameters (``--param name=value``) are read according to the types declared in the query's header and bound
as RDF terms; they never become query text. Exit 0 on success, 2 on any error (unknown query or parameter,
syntax error with its line and column, unreachable store, incomplete answer).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import EXIT_BAD_INPUT, EXIT_OK, CoopgraphError, InputError
from .iris import BASE, PREFIXES
from .queries import QueryDoc, checks, library, resolve
from .sparql import (
    GRAPH_TYPES,
    QuerySyntaxError,
    SelectResult,
    serialize_boolean,
    serialize_graph,
    serialize_select,
)
from .store import RemoteStore, Store, open_store

FORMATS = ("table", "csv", "tsv", "json", "turtle")
ENV_USER = "COOPGRAPH_STORE_USER"
ENV_PASSWORD = "COOPGRAPH_STORE_PASSWORD"


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """--endpoint / --build and remote credentials, shared by query and publish."""
    parser.add_argument("--endpoint", metavar="URL", default=None,
                        help="a SPARQL 1.1 query endpoint to use instead of the build's embedded store")
    parser.add_argument("--build", type=Path, default=None, metavar="DIR",
                        help="the build whose embedded store to use (default graph/build/)")
    parser.add_argument("--auth", choices=("basic", "digest"), default="basic",
                        help=f"HTTP authentication for the remote store; the user and password are read from "
                        f"{ENV_USER} and {ENV_PASSWORD}")


def remote_options(args: argparse.Namespace) -> dict[str, object]:
    return {
        "user": os.environ.get(ENV_USER) or None,
        "password": os.environ.get(ENV_PASSWORD) or None,
        "auth": args.auth,
    }


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a research query of queries/ (or a .rq file) on the graph",
        description="Run a query of the library by name (see --list) or a .rq file, on the build's embedded store "
        "or on a remote SPARQL endpoint. Parameters are bound as typed RDF terms. Exit 0 done, 2 error.",
    )
    parser.add_argument("query", nargs="?", metavar="NAME|FILE", help="a query name (e.g. actor-partners, "
                        "checks/instrument-without-parties-violation) or a .rq file")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter value (repeatable); types come from the query's header")
    parser.add_argument("--format", "-f", choices=FORMATS, default=None,
                        help="output: table (default for SELECT/ASK), csv, tsv, json (SPARQL results; JSON-LD for "
                        "graphs) or turtle (default for CONSTRUCT/DESCRIBE)")
    add_store_arguments(parser)
    parser.add_argument("--timeout", type=float, default=None, metavar="S", help="stop the query after S seconds")
    parser.add_argument("--max-rows", type=int, default=None, metavar="N", help="fail when the result has more rows")
    parser.add_argument("--list", action="store_true", help="list the queries of the library and their parameters")
    parser.add_argument("--lang", choices=("fr", "en"), default="en", help="language of --list")
    parser.set_defaults(func=run)


def _parse_params(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param expects NAME=VALUE, got {item!r}", field="--param")
        if name.strip() in values:
            raise InputError(f"parameter {name.strip()!r} given twice", field="--param")
        values[name.strip()] = value
    return values


def _describe(doc: QueryDoc, lang: str) -> str:
    lines = [f"{doc.name}: {doc.title}", f"    {doc.question(lang)}"]
    for p in doc.params:
        default = f" = {p.default}" if p.default is not None else " (optional)" if p.optional else " (required)"
        lines.append(f"    --param {p.name}=<{p.type}>{default}  {p.description}".rstrip())
    return "\n".join(lines)


def _prefixes(doc: QueryDoc) -> dict[str, str]:
    prefixes = dict(PREFIXES)
    prefixes["id"] = BASE + "id/"
    prefixes["vocab"] = BASE + "vocab/"
    prefixes["graph"] = BASE + "graph/"
    prefixes.update(doc.prefixes())
    return prefixes


def _short(term: Node | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        value = str(term)
        best = max((ns for ns in prefixes.values() if value.startswith(ns)), key=len, default=None)
        if best is not None:
            name = next(p for p, ns in prefixes.items() if ns == best)
            return f"{name}:{value[len(best):]}"
        return f"<{value}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    return str(term)


def format_table(result: SelectResult, prefixes: dict[str, str]) -> str:
    """Aligned columns, IRIs shortened with the query's prefixes, literals as their text."""
    cells = [[_short(t, prefixes).replace("\n", " ") for t in row] for row in result.rows]
    widths = [len(v) for v in result.variables]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    widths = [min(w, 80) for w in widths]

    def line(values: list[str]) -> str:
        return "  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths,
                                                                                           strict=True)).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out)


def render(result: SelectResult | bool | Graph, fmt: str | None, prefixes: dict[str, str]) -> bytes:
    if isinstance(result, Graph):
        if fmt in (None, "turtle", "table"):
            return serialize_graph(result, GRAPH_TYPES["text/turtle"], prefixes)
        if fmt == "json":
            return serialize_graph(result, GRAPH_TYPES["application/ld+json"])
        raise InputError(f"--format {fmt} is for SELECT results; a graph is written as turtle or json (JSON-LD)",
                         field="--format")
    if fmt == "turtle":
        raise InputError("--format turtle is for CONSTRUCT/DESCRIBE queries; use table, csv, tsv or json",
                         field="--format")
    if isinstance(result, bool):
        if fmt in (None, "table"):
            return b"true\n" if result else b"false\n"
        return serialize_boolean(result, fmt)
    if fmt in (None, "table"):
        return (format_table(result, prefixes) + "\n").encode("utf-8")
    data = serialize_select(result, fmt)
    return data + b"\n" if fmt == "json" else data


def run_doc(doc: QueryDoc, store: Store, values: dict[str, str] | None = None, *, timeout: float | None = None,
            max_rows: int | None = None) -> SelectResult | bool | Graph:
    """Run a library query with textual parameter values; errors name the query file."""
    bindings = doc.bindings(values)
    try:
        return store.query(doc.text, bindings, timeout=timeout, max_rows=max_rows)
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(exc.message, file=str(doc.path), line=exc.line, column=exc.column) from None


def run(args: argparse.Namespace) -> int:
    try:
        if args.list:
            docs = [*library().values(), *checks().values()]
            print("\n\n".join(_describe(d, args.lang) for d in docs))
            return EXIT_OK
        if not args.query:
            raise InputError("give a query name or a .rq file (coopgraph query --list shows the library)")
        doc = resolve(args.query)
        values = _parse_params(args.param)
        doc.bindings(values)  # unknown or ill-typed parameters fail before any store is opened
        if args.endpoint:
            store: Store = RemoteStore(args.endpoint, timeout=args.timeout, auth_queries=True,
                                       **remote_options(args))  # type: ignore[arg-type]
        else:
            store = open_store(build=args.build)
        with store:
            result = run_doc(doc, store, values, timeout=args.timeout, max_rows=args.max_rows)
        out = render(result, args.format, _prefixes(doc))
    except CoopgraphError as exc:
        print(f"coopgraph query: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return EXIT_OK
