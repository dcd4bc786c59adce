"""Load on a running ``coopgraph serve``: resource pages and a simple SELECT, N concurrent clients on loopback.

    python benchmarks/serve_load.py --url http://127.0.0.1:8000 --build graph/build --clients 32 --seconds 20

Resource pages are the HTML documents of IRIs sampled from the build's store (instruments, actions, actors,
territories, concepts…), each asked once per round in shuffled order; ``--repeat`` asks the same small set again
and again (what the page cache serves). Prints responses/s and latency percentiles; exits 1 on any non-200.
The client runs on the same machine as the server, so the figures are lower bounds of what the server does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/coopgraph/"
SAMPLE = """
SELECT DISTINCT ?x WHERE {{ ?x a ?c . FILTER(STRSTARTS(STR(?x), "{base}{prefix}")) }} LIMIT {n}
"""
KINDS = {"id/instrument/": 50, "id/action/": 300, "id/acteur/": 400, "id/territoire/": 400, "id/axe/": 50,
         "vocab/": 100, "id/participation/": 200, "id/document/": 10}
SELECT = ("PREFIX coop: <https://w3id.org/coopgraph/ontology#>\n"
          "SELECT ?action ?chef WHERE { ?action coop:chefDeFile ?chef } LIMIT 20")


def sample_paths(build: Path, seed: int) -> list[str]:
    store = ox.Store.read_only(str(build / "store"))
    paths = []
    for prefix, n in KINDS.items():
        rows = store.query(SAMPLE.format(base=BASE, prefix=prefix, n=n), use_default_graph_as_union=True)
        paths += ["/" + row[0].value[len(BASE):] + ".html" for row in rows]
    random.Random(seed).shuffle(paths)
    return paths


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str, accept: str) -> int:
    """One GET on a kept-alive connection (a bare HTTP/1.1 client: a heavier one would eat the server's CPU)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def run(url: str, paths: list[str], clients: int, seconds: float, accept: str = "text/html"
              ) -> dict[str, object]:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    counter = 0

    async def worker() -> None:
        nonlocal counter
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < stop:
                path = paths[counter % len(paths)]
                counter += 1
                t0 = time.perf_counter()
                status = await _get(reader, writer, f"{host}:{port}", path, accept)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors.append(f"{status} {path}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {"responses": len(latencies), "seconds": round(elapsed, 2), "per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1), "errors": len(errors), "first_errors": errors[:5]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--build", type=Path, default=Path("graph/build"))
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--repeat", type=int, default=0, help="ask only this many pages, over and over (warm cache)")
    ap.add_argument("--sparql", action="store_true", help="a simple SELECT on /sparql instead of pages")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.sparql:
        paths = ["/sparql?" + urllib.parse.urlencode({"query": SELECT})]
    else:
        paths = sample_paths(args.build, args.seed)
        if args.repeat:
            paths = paths[: args.repeat]
    accept = "application/sparql-results+json" if args.sparql else "text/html"
    result = asyncio.run(run(args.url.rstrip("/"), paths, args.clients, args.seconds, accept))
    result.update({"what": "sparql-select" if args.sparql else "pages", "distinct_urls": len(paths),
                   "clients": args.clients})
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
