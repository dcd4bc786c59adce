"""``coopgraph serve``: publish a build (or a remote SPARQL store) as Linked Data with a SPARQL endpoint."""

from __future__ import annotations

import argparse
import errno
import json
import os
import socket
import sys
from pathlib import Path

from .errors import CoopgraphError, InputError
from .iris import BASE
from .paths import default_build_dir


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="Linked Data pages, /sparql, /dataset, /dumps/ and /ontology over a build or a SPARQL store",
        description="Serve the graph, read-only: every IRI under the base resolves (303 to its HTML, Turtle, "
        "N-Triples, JSON-LD or RDF/XML document), /sparql answers the SPARQL 1.1 Protocol with a time and a row "
        "limit, /query has the example queries, /dataset the VoID/DCAT description, /dumps/ the build's files.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--endpoint", default=None, help="a remote SPARQL query endpoint to serve instead of the "
                        "build's embedded store")
    parser.add_argument("--timeout", type=float, default=10.0, help="time limit of a query, in seconds (default 10)")
    parser.add_argument("--max-rows", type=int, default=10_000, help="largest result a query may return, in rows or "
                        "triples (default 10000); a larger one is an error, never a cut result")
    parser.add_argument("--build", type=Path, default=None, help="build folder (default graph/build/)")
    parser.add_argument("--base-iri", default=BASE, help=f"IRI namespace this server answers for (default {BASE})")
    parser.add_argument("--root-path", default="", help="path prefix when served behind a proxy under a path, "
                        "e.g. /coopgraph")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--cache-pages", type=int, default=2000, help="rendered documents kept in memory per worker "
                        "(embedded store only; 0 turns the cache off)")
    parser.add_argument("--threads", type=int, default=40, help="pages built at once per worker (default 40)")
    parser.add_argument("--concurrency", type=int, default=4, help="SPARQL queries run at once per worker; the "
                        "others wait, up to the time limit (default 4)")
    parser.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"))
    parser.set_defaults(func=run)


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} on {host} is already in use; stop what runs there or pass --port") \
                    from None
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from .web.app import ServeConfig, create_app, fewer_malloc_arenas

    fewer_malloc_arenas()  # before any thread starts (the store's, the server's)

    if args.timeout <= 0 or args.max_rows <= 0:
        raise InputError("--timeout and --max-rows must be positive")
    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port} is not a TCP port (1-65535)")
    build = args.build or default_build_dir()
    if args.endpoint is None and not (build / "store").is_dir():
        raise InputError(f"no embedded store in {build}/store: run `coopgraph build` first (or pass --build DIR or "
                         "--endpoint URL)")
    config = ServeConfig(build=build, endpoint=args.endpoint, base_iri=args.base_iri, timeout=args.timeout,
                         max_rows=args.max_rows, root_path=args.root_path, cache_pages=args.cache_pages,
                         concurrency=args.concurrency, threads=args.threads)
    _check_port(args.host, args.port)
    try:
        app = create_app(config)
    except CoopgraphError:
        raise
    except OSError as exc:
        raise InputError(f"cannot open the store: {exc}") from None
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{args.port}{config.root_path}"
    source = args.endpoint or str(build)
    print(f"coopgraph serve: {source} on {url}/  (Ctrl-C stops)", flush=True)
    for label, path in (("pages", "/"), ("an actor", "/id/acteur/departement/42"), ("SPARQL endpoint", "/sparql"),
                        ("query page", "/query"), ("ontology", "/ontology"), ("dataset (VoID/DCAT)", "/dataset"),
                        ("downloads", "/dumps/"), ("health", "/health")):
        print(f"  {label:<20} {url}{path}", flush=True)
    common = {"host": args.host, "port": args.port, "log_level": args.log_level, "root_path": config.root_path,
              "proxy_headers": False, "server_header": False}
    if args.workers > 1:
        del app
        raw = {"build": str(build), "endpoint": args.endpoint, "base_iri": config.base_iri, "timeout": args.timeout,
               "max_rows": args.max_rows, "root_path": config.root_path, "cache_pages": args.cache_pages,
               "concurrency": args.concurrency, "threads": args.threads}
        os.environ["COOPGRAPH_SERVE_CONFIG"] = json.dumps(raw)
        uvicorn.run("coopgraph.web.app:create_app_from_env", factory=True, workers=args.workers, **common)
    else:
        uvicorn.run(app, **common)
    print("coopgraph serve: stopped", file=sys.stderr)
    return 0
