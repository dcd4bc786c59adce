"""Load on ``coopgraph serve``: 64 concurrent clients for 60 s on a mix of pages, SPARQL and abandoned downloads.

    .venv/bin/python benchmarks/serve_load.py            # the seed build graph/build/ (built first if missing)
    .venv/bin/python benchmarks/serve_load.py --build DIR --clients 64 --seconds 60 -- --timeout 10 --max-rows 10000

It starts ``coopgraph serve`` on a free loopback port over the build (anything after ``--`` goes to ``serve``), samples
IRIs from the build's store, warms it up (each IRI once as HTML and as Turtle, then ``--warmup-seconds`` of the page
clients alone: memory is then measured in the steady state, not while the data is first read and the page cache
fills), and runs ``--clients`` clients at once, each on its own kept-alive connection, each asking again as soon as
it has its answer, for ``--seconds``. Each client plays one kind of request (a fixed share of the clients per kind;
below 7 clients each client takes turns between several kinds):

- ``page-html``: an IRI with ``Accept: text/html``, then the document its 303 points to;
- ``page-rdf``: the same with Turtle, N-Triples, JSON-LD and RDF/XML in turn;
- ``sparql-cheap``: small SELECT, ASK and CONSTRUCT queries on ``/sparql``;
- ``sparql-timeout``: a query that cannot finish (a count over a cartesian product): the time limit's 503;
- ``sparql-rowlimit``: every triple of the store: the row limit's 400;
- ``disconnect-dump`` / ``disconnect-construct``: a large ``/dumps/`` file or a large CONSTRUCT, closed (or reset)
  after the first ``--read-kb`` kB.

Only the documented limits are accepted besides 200 (and the 303 before a page): 503 (time limit, busy), 400 for
the row limit, 429. Anything else, any 5xx but 503, a connection error or a client-side timeout is an error. The
server's resident memory (its own process; and with its children, the query workers) is sampled every half second.
Once the clients stop, a probe (``/health``, a cheap query, a page) must answer within ``--probe-ms`` and the server
must go back to idle.

Writes ``--json`` (default benchmarks/load.json) and ``--markdown`` (default benchmarks/LOAD.md, the machine, the
command line, the figures; a date line is its only time-dependent content). Exits 1 when there was an error, memory
grew, or the probe failed. The clients run on the same machine as the server: the figures are lower bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE = "https://w3id.org/coopgraph/"

# The clients' shares, in this order (largest remainder; at least one client per kind when there are enough).
KINDS = {"page-html": 22, "page-rdf": 12, "sparql-cheap": 14, "sparql-timeout": 2, "sparql-rowlimit": 6,
         "disconnect-dump": 4, "disconnect-construct": 4}  # clients out of 64
ALLOWED = {kind: {200, 503, 429} for kind in KINDS}
ALLOWED["sparql-rowlimit"] |= {400}
RDF_ACCEPT = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
SAMPLE = """
SELECT DISTINCT ?x WHERE {{ ?x a ?c . FILTER(STRSTARTS(STR(?x), "{base}{prefix}")) }} LIMIT {n}
"""
PAGES = {"id/instrument/": 50, "id/action/": 300, "id/acteur/": 400, "id/territoire/": 400, "id/axe/": 50,
         "vocab/": 100, "id/participation/": 200, "id/document/": 10}
PREFIX = "PREFIX coop: <https://w3id.org/coopgraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
CHEAP = [
    PREFIX + "SELECT ?action ?chef WHERE { ?action coop:chefDeFile ?chef } LIMIT 20",
    PREFIX + "SELECT ?i ?label WHERE { ?i a coop:ConventionTerritorialeGlobale ; rdfs:label ?label }",
    PREFIX + "ASK { ?a coop:coPorteur ?b }",
    PREFIX + "CONSTRUCT { ?a coop:chefDeFile ?b } WHERE { ?a coop:chefDeFile ?b } LIMIT 50",
    PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?p a coop:Participation }",
]
CHEAP_ACCEPT = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/turtle",
                "application/sparql-results+json"]
TIMEOUT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"  # 10^12 rows: never finishes
ROWLIMIT_QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
BIG_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 9000"  # under the default row limit
DUMP = "coopgraph.trig"


# ------------------------------------------------------------------------------------------------------------------
# A bare HTTP/1.1 client: a heavier one would eat the CPU the server needs (both run on this machine)
# ------------------------------------------------------------------------------------------------------------------

class Conn:
    """One kept-alive connection; reopened after an error or a deliberate disconnect."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)

    def close(self, reset: bool = False) -> None:
        if self.writer is not None:
            if reset:
                self.writer.transport.abort()
            else:
                self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, accept: str, read_limit: int | None = None) -> tuple[int, dict[str, str], int]:
        """GET ``path``: (status, headers, body bytes read). With ``read_limit``, stop reading the body after that
        many bytes (the caller then drops the connection)."""
        await self._open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: {accept}\r\n"
                          "User-Agent: coopgraph-serve-load\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        read = 0
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while read_limit is None or read < read_limit:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                read += size
                if size == 0:
                    break
        else:
            length = int(headers.get("content-length", "0"))
            want = length if read_limit is None else min(length, read_limit)
            while read < want:
                chunk = await self.reader.read(min(1 << 16, want - read))
                if not chunk:
                    raise ConnectionError("the server closed the connection mid-body")
                read += len(chunk)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, read


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


class Client:
    """One client: the kinds it plays, in turn, until the deadline."""

    def __init__(self, n: int, kinds: list[str], pages: list[str], host: str, port: int, deadline: float,
                 read_kb: int, request_timeout: float, record) -> None:  # type: ignore[no-untyped-def]
        self.n, self.kinds, self.pages = n, kinds, pages
        self.conn = Conn(host, port)
        self.deadline, self.read_limit, self.request_timeout = deadline, read_kb * 1024, request_timeout
        self.record = record
        self.i = n * 7919  # each client starts at its own place in the lists

    async def run(self) -> None:
        turn = 0
        while time.perf_counter() < self.deadline:
            kind = self.kinds[turn % len(self.kinds)]
            turn += 1
            self.i += 1
            started = time.perf_counter()
            try:
                status, note = await asyncio.wait_for(self.one(kind), self.request_timeout)
            except TimeoutError:
                status, note = "client-timeout", ""
                self.conn.close(reset=True)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                    IndexError) as exc:
                status, note = "connection-error", f"{type(exc).__name__}: {exc}"[:120]
                self.conn.close(reset=True)
            self.record(kind, status, time.perf_counter() - started, note)
        self.conn.close()

    async def one(self, kind: str) -> tuple[int, str]:
        i = self.i
        if kind in ("page-html", "page-rdf"):
            path = self.pages[i % len(self.pages)]
            accept = "text/html" if kind == "page-html" else RDF_ACCEPT[i % len(RDF_ACCEPT)]
            status, headers, _ = await self.conn.get(path, accept)
            if status != 303:
                return status, f"{path} answered {status}, not 303"
            location = urllib.parse.urlsplit(headers.get("location", ""))
            status, _, _ = await self.conn.get(location.path + ("?" + location.query if location.query else ""),
                                               accept)
            return status, path
        if kind == "sparql-cheap":
            q = i % len(CHEAP)
            status, _, _ = await self.conn.get(_sparql(CHEAP[q]), CHEAP_ACCEPT[q])
            return status, f"cheap query {q}"
        if kind == "sparql-timeout":
            status, _, _ = await self.conn.get(_sparql(TIMEOUT_QUERY), "application/sparql-results+json")
            return status, "timeout query"
        if kind == "sparql-rowlimit":
            status, _, _ = await self.conn.get(_sparql(ROWLIMIT_QUERY), "application/sparql-results+json")
            return status, "row-limit query"
        if kind in ("disconnect-dump", "disconnect-construct"):
            path = f"/dumps/{DUMP}" if kind == "disconnect-dump" else _sparql(BIG_CONSTRUCT)
            accept = "*/*" if kind == "disconnect-dump" else "application/n-triples"
            try:
                status, _, read = await self.conn.get(path, accept, read_limit=self.read_limit)
            finally:
                self.conn.close(reset=bool(i % 2))  # half a polite close, half a reset
            if status == 200 and read < self.read_limit:
                return status, f"only {read} bytes before closing"
            return status, kind
        raise ValueError(kind)


def share(clients: int) -> list[list[str]]:
    """The kinds each client plays: KINDS's shares of the clients (exactly them at 64), at least one client each."""
    kinds = list(KINDS)
    if clients < len(kinds):
        return [kinds[i::clients] for i in range(clients)]
    total = sum(KINDS.values())
    exact = {k: clients * w / total for k, w in KINDS.items()}
    counts = {k: max(1, int(exact[k])) for k in kinds}
    while sum(counts.values()) < clients:  # the largest remainders first
        k = max(kinds, key=lambda k: exact[k] - counts[k])
        counts[k] += 1
    while sum(counts.values()) > clients:  # minimums taken from the largest shares
        k = max(kinds, key=lambda k: counts[k] - exact[k] if counts[k] > 1 else -1)
        counts[k] -= 1
    return [[k] for k in kinds for _ in range(counts[k])]


# ------------------------------------------------------------------------------------------------------------------
# The server process and its memory
# ------------------------------------------------------------------------------------------------------------------

def sample_pages(build: Path, seed: int) -> list[str]:
    store = ox.Store.read_only(str(build / "store"))
    paths = []
    for prefix, n in PAGES.items():
        rows = store.query(SAMPLE.format(base=BASE, prefix=prefix, n=n), use_default_graph_as_union=True)
        paths += ["/" + urllib.parse.quote(row[0].value[len(BASE):]) for row in rows]
    del store
    random.Random(seed).shuffle(paths)
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def coopgraph_command() -> list[str]:
    exe = Path(sys.executable).with_name("coopgraph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "coopgraph"]


def ensure_build(build: Path) -> bool:
    """Build the seed records into ``build`` when it has no store; True when it did."""
    if (build / "store").is_dir():
        return False
    print(f"serve_load: no build in {build}: coopgraph build --out {build}", file=sys.stderr, flush=True)
    subprocess.run([*coopgraph_command(), "build", "--out", str(build)], check=True, stdout=subprocess.DEVNULL)
    return True


class Memory:
    """Resident memory and CPU time of the server's process tree, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        import psutil

        self.psutil = psutil
        self.proc = psutil.Process(pid)
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB): the server's own process
        self.tree_samples: list[tuple[float, float]] = []  # the same with its children (the query workers)
        self._stop = threading.Event()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def tree(self) -> list:  # type: ignore[type-arg]
        try:
            return [self.proc, *self.proc.children(recursive=True)]
        except self.psutil.Error:
            return []

    def rss_mb(self) -> float:
        total = 0
        for p in self.tree():
            with contextlib.suppress(self.psutil.Error):
                total += p.memory_info().rss
        return total / 1024 ** 2

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.tree():
            with contextlib.suppress(self.psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def threads(self) -> int:
        with contextlib.suppress(self.psutil.Error):
            return self.proc.num_threads()
        return 0

    def main_mb(self) -> float:
        with contextlib.suppress(self.psutil.Error):
            return self.proc.memory_info().rss / 1024 ** 2
        return 0.0

    def _loop(self) -> None:
        while not self._stop.is_set():
            t = time.perf_counter() - self._t0
            self.samples.append((t, self.main_mb()))
            self.tree_samples.append((t, self.rss_mb()))
            self._stop.wait(self.every)

    def start(self) -> Memory:
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float | None:
    if len(samples) < 3:
        return None
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(m for _, m in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    if var == 0:
        return None
    return sum((t - mx) * (m - my) for t, m in samples) / var * 60


def windows_mb(samples: list[tuple[float, float]], parts: int = 6) -> list[float]:
    """The median of each of ``parts`` equal stretches of the run: a leak climbs by about the same step from one to the
    next, memory that settles climbs less and less (the slope of the last half alone cannot tell them apart)."""
    if len(samples) < parts:
        return []
    end = samples[-1][0] or 1.0
    out = []
    for i in range(parts):
        part = sorted(m for t, m in samples if i * end / parts <= t <= (i + 1) * end / parts)
        out.append(round(part[len(part) // 2], 1) if part else out[-1] if out else 0.0)
    return out


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 1)


# ------------------------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------------------------

async def load(port: int, pages: list[str], clients: int, seconds: float, read_kb: int,
               request_timeout: float, plays: list[list[str]] | None = None
               ) -> tuple[list[tuple[str, object, float, str]], float]:
    """The clients of ``share(clients)`` (or ``plays``: the kinds of each) for ``seconds``: each request's kind,
    status, latency and a note."""
    records: list[tuple[str, object, float, str]] = []
    deadline = time.perf_counter() + seconds

    def record(kind: str, status: object, latency: float, note: str) -> None:
        records.append((kind, status, latency, note))

    plays = share(clients) if plays is None else plays
    workers = [Client(n, mine, pages, "127.0.0.1", port, deadline, read_kb, request_timeout, record)
               for n, mine in enumerate(plays)]
    started = time.perf_counter()
    await asyncio.gather(*(w.run() for w in workers))
    return records, time.perf_counter() - started


async def warm_up(port: int, pages: list[str], clients: int = 32) -> None:
    """Every sampled IRI once as HTML and once as Turtle: the first reads of each resource's data and a full page
    cache (2,000 documents by default; there are more than that) come before the measurement, so that memory
    measured afterwards is the steady state, not the first pass over the data."""
    docs = [p + ext for p in pages for ext in (".html", ".ttl")]

    async def one(i: int) -> None:
        conn = Conn("127.0.0.1", port)
        for j in range(i, len(docs), clients):
            await conn.get(docs[j], "*/*")
        conn.close()

    await asyncio.gather(*(one(i) for i in range(clients)))


async def probe(port: int, page: str) -> dict[str, object]:
    """After the load: the health check, a cheap query and a page, each on a new connection, each timed."""
    out: dict[str, object] = {}
    for name, path, accept in (("health", "/health", "application/json"),
                               ("sparql", _sparql(CHEAP[0]), "application/sparql-results+json"),
                               ("page", page + ".html", "text/html")):
        conn = Conn("127.0.0.1", port)
        started = time.perf_counter()
        try:
            status, _, _ = await asyncio.wait_for(conn.get(path, accept), 30)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            status = f"{type(exc).__name__}"
        out[name] = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
        conn.close()
    return out


def summarise(records: list[tuple[str, object, float, str]], elapsed: float) -> dict[str, object]:
    kinds: dict[str, object] = {}
    errors: list[str] = []
    for kind in KINDS:
        mine = [r for r in records if r[0] == kind]
        statuses: dict[str, int] = {}
        for _, status, _, note in mine:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status not in ALLOWED[kind]:
                errors.append(f"{kind}: {status} {note}")
        lat = [r[2] for r in mine]
        kinds[kind] = {"responses": len(mine), "per_second": round(len(mine) / elapsed, 1) if elapsed else None,
                       "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
                       "statuses": dict(sorted(statuses.items())),
                       "errors": sum(1 for _, s, _, _ in mine if s not in ALLOWED[kind])}
    lat = [r[2] for r in records]
    return {"responses": len(records), "per_second": round(len(records) / elapsed, 1) if elapsed else None,
            "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
            "errors": len(errors), "first_errors": errors[:10], "kinds": kinds}


def machine() -> dict[str, object]:
    cpu = platform.processor() or ""
    mem_gb = None
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), cpu)
    with contextlib.suppress(OSError, StopIteration):
        mem_gb = round(int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                                if line.startswith("MemTotal")).split()[1]) / 1024 ** 2, 1)
    versions = {}
    for name in ("coopgraph", "pyoxigraph", "starlette", "uvicorn"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "os": platform.platform(),
            "python": platform.python_version(), "versions": versions}


def measure(args: argparse.Namespace) -> dict[str, object]:
    build = args.build.resolve()
    built = ensure_build(build)
    pages = sample_pages(build, args.seed)
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in the finally below, once the server has stopped)
    cmd = [*coopgraph_command(), "serve", "--build", str(build), "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "error", *args.serve_args]
    load_start = os.getloadavg()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    result: dict[str, object] = {"build": str(args.build), "built_now": built, "clients": args.clients,
                                 "seconds": args.seconds, "serve_args": args.serve_args, "distinct_pages": len(pages),
                                 "shares": {k: sum(1 for c in share(args.clients) if k in c) for k in KINDS}}
    try:
        started = time.perf_counter()
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"coopgraph serve exited: {log.read().decode(errors='replace')[-800:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.perf_counter() - started > 120:
                raise RuntimeError("coopgraph serve did not listen within 120 s")
            time.sleep(0.2)
        result["startup_seconds"] = round(time.perf_counter() - started, 2)
        warm = asyncio.run(probe(port, pages[0]))  # first requests: lazy imports, model, cache
        result["warm_up"] = warm
        memory = Memory(proc.pid)
        rss_cold = memory.main_mb()
        if args.warmup:
            t0 = time.perf_counter()
            asyncio.run(warm_up(port, pages))
            plays = [[k for k in c if k.startswith("page-")] for c in share(args.clients)]
            asyncio.run(load(port, pages, args.clients, args.warmup_seconds, args.read_kb, args.request_timeout,
                             plays=[p for p in plays if p]))
            result["warm_up_seconds"] = round(time.perf_counter() - t0, 1)
        memory.start()
        time.sleep(1)
        rss_start, tree_start = memory.main_mb(), memory.rss_mb()
        records, elapsed = asyncio.run(load(port, pages, args.clients, args.seconds, args.read_kb,
                                            args.request_timeout))
        load_samples = list(memory.samples)
        result["elapsed_seconds"] = round(elapsed, 1)
        result.update(summarise(records, elapsed))
        time.sleep(args.settle)  # let abandoned work finish, then the server should be idle
        result["probe"] = asyncio.run(probe(port, pages[1 % len(pages)]))
        cpu0, t0 = memory.cpu_seconds(), time.perf_counter()
        time.sleep(3)
        result["cpu_after_percent"] = round((memory.cpu_seconds() - cpu0) / (time.perf_counter() - t0) * 100, 1)
        result["threads_after"] = memory.threads()
        result["processes_after"] = len(memory.tree())
        rss_end, tree_end = memory.main_mb(), memory.rss_mb()
        memory.stop()
        half = [s for s in load_samples if s[0] >= load_samples[-1][0] / 2] if load_samples else []
        slope = slope_mb_per_min(half)
        result["rss_mb"] = {"before_warm_up": round(rss_cold, 1), "start": round(rss_start, 1),
                            "max": round(max(m for _, m in memory.samples), 1),
                            "end": round(rss_end, 1),
                            "slope_last_half_mb_per_min": round(slope, 2) if slope is not None else None,
                            "windows": windows_mb(load_samples),
                            "samples": len(memory.samples)}
        result["tree_rss_mb"] = {"start": round(tree_start, 1),
                                 "max": round(max(m for _, m in memory.tree_samples), 1), "end": round(tree_end, 1)}
        result["server_alive"] = proc.poll() is None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.seek(0)
        text = log.read().decode(errors="replace")
        log.close()
    result["server_log_errors"] = sum(1 for line in text.splitlines() if "Traceback" in line or "panicked" in line)
    result["server_log_tail"] = text.strip().splitlines()[-5:] if result["server_log_errors"] else []
    result["load_average"] = {"start": [round(x, 2) for x in load_start],
                              "end": [round(x, 2) for x in os.getloadavg()]}
    verdicts = check(result, args)
    result["problems"] = verdicts
    return result


def check(r: dict[str, object], args: argparse.Namespace) -> list[str]:
    """What makes the run fail: errors, memory growth, a slow or failed probe, a server still busy or dead."""
    problems = []
    if r.get("errors"):
        problems.append(f"{r['errors']} error(s): {r['first_errors'][:3]}")  # type: ignore[index]
    if not r.get("server_alive"):
        problems.append("the server died during the run")
    rss = r.get("rss_mb") or {}
    slope = rss.get("slope_last_half_mb_per_min")  # type: ignore[union-attr]
    if slope is not None and slope > args.max_growth:
        problems.append(f"memory grew {slope} MB/min over the last half (more than {args.max_growth})")
    for name, p in (r.get("probe") or {}).items():  # type: ignore[union-attr]
        if p["status"] != 200 or p["ms"] > args.probe_ms:
            problems.append(f"probe {name} after the load: {p['status']} in {p['ms']} ms")
    if (r.get("cpu_after_percent") or 0) > 50:  # type: ignore[operator]
        problems.append(f"the server still used {r['cpu_after_percent']}% CPU {args.settle:g} s after the load")
    if r.get("server_log_errors"):
        problems.append(f"{r['server_log_errors']} traceback(s) or panic(s) in the server's log")
    return problems


# ------------------------------------------------------------------------------------------------------------------
# The report
# ------------------------------------------------------------------------------------------------------------------

def markdown(r: dict[str, object], command: str) -> str:
    m = r["machine"]  # type: ignore[index]
    la = r["load_average"]  # type: ignore[index]
    # Only the load before the run tells of other work: the run itself (clients and server) keeps every core busy.
    shared = la["start"][0] > 0.5 * (m["cores"] or 1)  # type: ignore[index]
    rss = r["rss_mb"]  # type: ignore[index]
    tree = r["tree_rss_mb"]  # type: ignore[index]
    lines = [
        "# `coopgraph serve` under load",
        "",
        f"Date: {r['date']}. Generated by `{command}` (`make load` runs it with the defaults); run it again to "
        "refresh.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}, Python {m['python']}; "  # type: ignore[index]
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",  # type: ignore[index]
        f"Load average (1, 5, 15 min) before the run {', '.join(map(str, la['start']))}, after "
        f"{', '.join(map(str, la['end']))}"
        + (" — **the machine was shared with other work during the run** (the load average before it is above "
           "half the cores), so the figures are lower than on an idle machine." if shared else "."),
        "The clients (one Python process, raw asyncio sockets) run on the same machine as the server.",
        "",
        f"Server: `coopgraph serve --build {r['build']}` on loopback"
        + (f" with `{' '.join(r['serve_args'])}`" if r["serve_args"] else " with its defaults (time limit 10 s, "
           "10,000 rows, 4 queries at once)") + f"; {r['distinct_pages']} IRIs sampled from the build; "
        f"{r['clients']} clients for {r['seconds']:g} s, each asking again as soon as it has its answer.",
        "",
        "## Responses",
        "",
        f"**{r['responses']} responses in {r['elapsed_seconds']} s: {r['per_second']} responses/s**, "
        f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms; **{r['errors']} errors** (anything "
        "but 200, the 303 before a page, 503 for the time limit or busy, 400 for the row limit, 429).",
        "",
        "| kind | clients | responses | per s | p50 ms | p95 ms | p99 ms | statuses | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for kind, k in r["kinds"].items():  # type: ignore[union-attr]
        statuses = ", ".join(f"{s}: {n}" for s, n in k["statuses"].items())
        lines.append(f"| {kind} | {r['shares'][kind]} | {k['responses']} | {k['per_second']} | {k['p50_ms']} | "  # type: ignore[index]
                     f"{k['p95_ms']} | {k['p99_ms']} | {statuses} | {k['errors']} |")
    lines += [
        "",
        "A page is the IRI's 303 and the document it points to (two requests, one latency). The timeout query counts "
        "over a cartesian product of the store (it cannot finish); the row-limit query asks for every triple; the "
        f"disconnecting clients read the first kilobytes of `/dumps/{DUMP}` or of a 9,000-triple CONSTRUCT and "
        "close the socket (half of them with a reset); their latency is the time to those first kilobytes.",
        "",
        "The `/sparql` kinds share the server's query slots (`--concurrency`, 4 by default): each timeout client "
        "holds one for the whole time limit, so the other queries wait for a slot, and those that wait past the time "
        "limit get the 503 \"busy\". Pages do not use these slots.",
        "",
        "## Memory and recovery",
        "",
        (f"Before the run, a warm-up ({r['warm_up_seconds']} s): every sampled IRI asked once as HTML and once as "
         f"Turtle, then the page clients alone for {r['warmup_seconds']:g} s, so that the first reads of the data and "
         "a page cache full of the run's mix of documents (2,000 at most, 64 MB at most) come before the "
         f"measurement; the server's process went from {rss['before_warm_up']} MB to {rss['start']} MB. "
         if r.get("warm_up_seconds") is not None
         else "No warm-up: the figures include the first pass over the data. ")
        + f"Resident memory of the server's process: **{rss['start']} MB at the start, {rss['max']} MB at most, "
        f"{rss['end']} MB at the end; slope over the last half of the run {rss['slope_last_half_mb_per_min']} "
        f"MB/min** ({rss['samples']} samples, one per half second)"
        + (f"; its median over each sixth of the run: {', '.join(map(str, rss['windows']))} MB."
           if rss.get("windows") else "."),
        "",
        f"With its query workers (the processes that run `/sparql` queries, see `src/coopgraph/web/isolation.py`): "
        f"{tree['start']} MB at the start, {tree['max']} MB at most, {tree['end']} MB at the end. The peaks are the "
        "workers of the timeout query, which grow until the time limit kills them.",
        "",
        f"After the run, {r['settle']:g} s later: "
        + "; ".join(f"{name} {p['status']} in {p['ms']} ms" for name, p in r["probe"].items())  # type: ignore[union-attr]
        + f". Server CPU over the next 3 s: {r['cpu_after_percent']}%; {r['threads_after']} threads, "
        f"{r['processes_after']} process(es); {r['server_log_errors']} traceback(s) in its log.",
        "",
        "Verdict: " + ("**no problem** (no error, no memory growth, the probe fast, the server idle again)."
                       if not r["problems"] else "**problems**: " + "; ".join(r["problems"])),  # type: ignore[arg-type]
        "",
    ]
    if any(p.startswith("memory grew") for p in r["problems"]):  # type: ignore[union-attr]
        lines += ["A slope is a trend over the last half of the run only: memory that is still settling (the page "
                  "cache and the allocator, bounded) and a leak look alike over 30 s. `--seconds 180` tells them "
                  "apart; `-- --cache-pages 0` takes the page cache out.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    serve_args: list[str] = []
    if "--" in argv:
        serve_args = argv[argv.index("--") + 1:]
        argv = argv[: argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, default=Path("graph/build"), help="the build to serve (default "
                    "graph/build/; the seed records are built into it when it has no store)")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--read-kb", type=int, default=16, help="kB a disconnecting client reads before closing")
    ap.add_argument("--request-timeout", type=float, default=60, help="client-side limit of one request")
    ap.add_argument("--settle", type=float, default=2, help="seconds between the end of the load and the probe")
    ap.add_argument("--probe-ms", type=float, default=1000, help="the probe's requests must answer within this")
    ap.add_argument("--max-growth", type=float, default=5, help="MB/min of memory growth over the last half "
                    "that counts as growth")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false", help="measure from a cold start (by "
                    "default every sampled IRI is asked once as HTML and as Turtle first)")
    ap.add_argument("--warmup-seconds", type=float, default=30, help="seconds of page clients after the first "
                    "pass of the warm-up")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=HERE / "load.json")
    ap.add_argument("--markdown", type=Path, default=HERE / "LOAD.md", help="the report (empty string: none)")
    args = ap.parse_args(argv)
    args.serve_args = serve_args
    if args.clients < 1 or args.seconds <= 0:
        ap.error("--clients and --seconds must be positive")
    command = shlex.join(["python", "benchmarks/serve_load.py", *(sys.argv[1:] if argv is None else argv),
                          *(["--", *serve_args] if serve_args else [])])
    result = {"date": dt.date.today().isoformat(), "command": command, "machine": machine(), "settle": args.settle,
              "warmup_seconds": args.warmup_seconds if args.warmup else 0}
    result.update(measure(args))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if str(args.markdown):
        args.markdown.write_text(markdown(result, command), encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("responses", "per_second", "errors", "rss_mb", "probe", "problems")},
                     indent=2))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
