"""`make bench`: coopgraph at national scale, and the newcomer's way side by side.

    python benchmarks/run.py                         # sizes S, M, L; writes benchmarks/RESULTS.md and results.json
    python benchmarks/run.py --sizes S --repeat 5
    python benchmarks/run.py --sizes tiny --quick    # what `make test` runs (tests/benchmarks/)

For each size it generates the records (benchmarks/generate.py; cached under benchmarks/build/data/, keyed by size,
seed and generator version), then measures, each step in its own process (wall time, and the peak resident memory
of its largest process as the kernel counts it, ``ru_maxrss``; the sum over the step's process tree is sampled
too, since validation and the server use several processes):

- ``coopgraph build`` (the command: records → RDF, validation, writing the dumps, loading the embedded store),
  and its parts on their own: records → RDF graphs, validation (``validate_graphs``, per named graph, in parallel;
  the reference layer's verdict read from the cache), bulk load of the dump into a fresh on-disk store;
- the reference layer's validation, once per content hash (cold: a fresh cache), at the first size only;
- every query of ``queries/`` on the embedded store: p50 and p95 over the repeats;
- the analyses: reading the cooperation layer (SPARQL → tables), the cooperation graph, sampled betweenness,
  Louvain communities, the cross-territory ranking;
- ``coopgraph serve`` under 32 concurrent clients on loopback: resource pages and a simple SELECT on ``/sparql``
  (bounded in requests and seconds);
- the newcomer's way, on the same data, each with a time bound (``--bound``): an rdflib Dataset parsing the
  TriG dump, rdflib's SPARQL engine for the same queries with the same parameters, pySHACL on the whole graph at
  once (``coopgraph.validate.validate`` on the union of the dump), and pySHACL once on the cooperation graphs with
  what they cite (what ``coopgraph build`` did before validating per named graph). A step that does not finish in
  its bound is reported as such, with the bound as a lower limit of its time; it is not tried again at a larger
  size.

Progress bars appear on a terminal only. The figures depend on the machine and on what else runs on it: RESULTS.md
describes both (CPU, cores, memory, load average, versions).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gzip
import importlib.metadata
import json
import os
import platform
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


import generate as gen  # noqa: E402 - benchmarks/ is not a package

WORK = HERE / "build"
SIZES = ["tiny", "S", "M", "L"]
SIMPLE_SELECT = ("PREFIX coop: <https://w3id.org/coopgraph/ontology#>\n"
                 "SELECT ?action ?chef WHERE { ?action coop:chefDeFile ?chef } LIMIT 20")
PAGE_KINDS = {"id/instrument/": 60, "id/action/": 400, "id/acteur/": 400, "id/territoire/": 300, "id/axe/": 60,
              "id/participation/": 200, "id/document/": 20, "vocab/theme/": 40}
THEME = "https://w3id.org/coopgraph/vocab/theme/enfance"


# ------------------------------------------------------------------------------------------------ helpers


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _mb(kib: int) -> float:
    return round(kib / 1024, 1)


class Progress:
    """A tqdm bar on a terminal; nothing otherwise."""

    def __init__(self, total: int, desc: str, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="step", leave=False)

    def step(self, label: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(label[:40])
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants, in KiB (0 when psutil is missing)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return 0
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total // 1024


MEMORY_GUARD_GB = 2.0  # a step is stopped when the machine has less memory than this left (shared machines)


def _available_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 ** 2
    except OSError:
        pass
    return float("inf")


def run_measured(cmd: list[str], *, timeout: float | None = None, env: dict[str, str] | None = None,
                 mem_limit_gb: float | None = None, cwd: Path | None = None) -> dict[str, object]:
    """Run a command; its wall time, exit status, peak RSS of its largest process and of its process tree,
    and the JSON it printed last (internal steps print one)."""
    def limit() -> None:
        os.setsid()
        if mem_limit_gb:
            size = int(mem_limit_gb * 1024 ** 3)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    out = tempfile.TemporaryFile()  # noqa: SIM115 - read back after the process ends
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, preexec_fn=limit)
    peak_tree = 0
    stop = threading.Event()

    guarded = False

    def sample() -> None:  # samples the tree's memory, and guards the machine's
        nonlocal peak_tree, guarded
        while not stop.is_set():
            peak_tree = max(peak_tree, _tree_rss(proc.pid))
            if MEMORY_GUARD_GB and _available_gb() < MEMORY_GUARD_GB:
                guarded = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                return
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    deadline = started + timeout if timeout else None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline and time.perf_counter() > deadline:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    payload = None
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{") and line.endswith("}"):
            try:
                payload = json.loads(line)
            except ValueError:
                continue
            break
    if guarded:
        text += f"\nstopped by the memory guard: less than {MEMORY_GUARD_GB} GB of memory left on the machine\n"
    return {"seconds": round(wall, 3), "exit": proc.returncode, "timed_out": timed_out, "memory_guard": guarded,
            "peak_mb": _mb(usage.ru_maxrss), "tree_peak_mb": _mb(peak_tree), "payload": payload,
            "tail": "" if proc.returncode == 0 and not timed_out else text[-2000:]}


def _step_cmd(step: str, args: argparse.Namespace, size: str, **extra: object) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--size", size, "--work", str(args.work),
           "--seed", str(args.seed), "--repeat", str(args.repeat), "--query-bound", str(args.query_bound)]
    for key, value in extra.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    return cmd


def _coopgraph() -> str:
    exe = Path(sys.executable).with_name("coopgraph")
    return str(exe) if exe.exists() else "coopgraph"


# ------------------------------------------------------------------------------------------------ data


def data_dir(work: Path, size: str, seed: int) -> Path:
    return work / "data" / f"{size}-seed{seed}-g{gen.GENERATOR_VERSION}"


def build_dir(work: Path, size: str, seed: int) -> Path:
    return work / "builds" / f"{size}-seed{seed}-g{gen.GENERATOR_VERSION}"


def ensure_data(work: Path, size: str, seed: int) -> tuple[dict[str, object], bool]:
    """The records of a size, generated once (the summary records how long it took)."""
    folder = data_dir(work, size, seed)
    summary_path = folder / "generated.json"
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        if summary.get("generator") == gen.GENERATOR_VERSION and summary.get("seed") == seed:
            return summary, True
    return gen.generate(size, folder, seed=seed, progress=sys.stderr.isatty()), False


# ------------------------------------------------------------------------------------------------ internal steps


def _bindings(doc, probe: dict[str, str]) -> dict:
    """The query's parameters: its defaults, with the seed-specific ones (an actor, an instrument…) pointed at
    things of the generated data."""
    values = {}
    base = "https://w3id.org/coopgraph/id/"
    wanted = {"actor": f"{base}acteur/siren/{probe['epci']}", "epci": f"{base}acteur/siren/{probe['epci']}",
              "instrument": f"{base}instrument/{probe['instrument']}", "node": f"{base}instrument/{probe['instrument']}",
              "departement": f"{base}territoire/departement/{probe['departement']}", "theme": THEME}
    for p in doc.params:
        if p.name in wanted and p.type == "iri":
            values[p.name] = wanted[p.name]
    return doc.bindings(values)


def step_records(args: argparse.Namespace) -> dict[str, object]:
    """Records → RDF as the build does it: the records read, each one's triples written as N-Quads lines."""
    from coopgraph.build import ReferenceLayer, _NQuadSink, _without_cycle_collector
    from coopgraph.paths import data_path
    from coopgraph.sources import SourceBuilder, read_records
    from coopgraph.validate import load_model

    model = load_model()
    layer = ReferenceLayer(data_path("graph/reference"))
    with _without_cycle_collector():
        started = time.perf_counter()
        records = read_records(data_dir(args.work, args.size, args.seed))
        sink = _NQuadSink()
        SourceBuilder(model, layer.official, layer.territory).build(records, sink=sink)
        sink.lines.sort()
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "graphs": len(sink.sizes), "triples": len(sink.lines)}


def step_validate(args: argparse.Namespace) -> dict[str, object]:
    """Validation as the build does it: the records' N-Quads and the model, with what they cite of the reference
    layer, checked by the shapes compiled to SPARQL; the reference layer's verdict read from the build cache.
    ``--engine pyshacl``: the first engine (pySHACL per named graph, in parallel processes); ``--single``: one
    pySHACL call on the cooperation graphs and what they cite (the build before either)."""
    from rdflib import Graph

    from coopgraph.build import (
        MODEL_GRAPH,
        ReferenceLayer,
        _graph_quads,
        _NQuadSink,
        _reference_cache,
        _reference_store,
        _without_cycle_collector,
    )
    from coopgraph.paths import data_path
    from coopgraph.rdfio import to_rdflib
    from coopgraph.shapes_sparql import reference_verdict, validate_sources
    from coopgraph.sources import SourceBuilder, build_sources, read_records
    from coopgraph.validate import CITED_GRAPH, default_workers, load_model, validate, validate_graphs

    model = load_model()
    layer = ReferenceLayer(data_path("graph/reference"))
    if args.single or args.engine == "pyshacl":
        _records, graphs = build_sources(data_dir(args.work, args.size, args.seed), model, layer.official,
                                         layer.territory)
        triples = sum(len(g) for g in graphs.graphs.values())
        started = time.perf_counter()
        context = Graph()
        for triple in layer.describe(graphs.referenced):
            context.add(triple)
        described = time.perf_counter() - started
        if args.single:
            data = Graph()
            for g in graphs.graphs.values():
                data += g
            data += context
            report = validate(data, lang="en")
        else:
            report = validate_graphs(graphs.graphs, context, lang="en", reference=layer,
                                     cache=_reference_cache(layer))
        triples += len(context)
    else:
        model_quads = list(_graph_quads(model, MODEL_GRAPH))
        with _without_cycle_collector():
            sink = _NQuadSink()
            sink.add_quads(model_quads)
            referenced = SourceBuilder(model, layer.official, layer.territory).build(
                read_records(data_dir(args.work, args.size, args.seed)), sink=sink).referenced
            sink.lines.sort()
            own = b"".join(sink.lines)
            triples = len(sink.lines)
            del sink.lines
            subjects = set(sink.described_in) | {to_rdflib(q.subject) for q in model_quads}
            workers = default_workers()
            verdict = reference_verdict(_reference_store(layer), model_quads, layer.digest, _reference_cache(layer),
                                        lang="en", workers=workers)  # read from the cache (step "reference" made it)
            started = time.perf_counter()
            cited = layer.cited(referenced, CITED_GRAPH)
            described = time.perf_counter() - started
            report = validate_sources(own, cited, reference=verdict, lang="en", workers=workers, subjects=subjects)
            triples += cited.count(b"\n")
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "describe_seconds": round(described, 3),
            "violations": len(report.violations), "warnings": len(report.warnings), "triples": triples}


def step_reference(args: argparse.Namespace) -> dict[str, object]:
    """The reference layer validated cold (a fresh cache), as the first build after a layer update does; the
    verdict then goes to the build cache, where later builds find it."""
    from coopgraph.build import MODEL_GRAPH, ReferenceLayer, _graph_quads, _reference_cache, _reference_store
    from coopgraph.paths import data_path
    from coopgraph.shapes_sparql import reference_verdict
    from coopgraph.validate import default_workers, load_model

    layer = ReferenceLayer(data_path("graph/reference"))
    store = _reference_store(layer)
    model_quads = list(_graph_quads(load_model(), MODEL_GRAPH))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = reference_verdict(store, model_quads, layer.digest, Path(tmp), lang="en", workers=default_workers())
        seconds = time.perf_counter() - started
        cache = _reference_cache(layer)
        for verdict in Path(tmp).glob("shacl-sparql-verdict-*.json"):
            staging = cache / f".{verdict.name}.tmp-{os.getpid()}"
            staging.write_bytes(verdict.read_bytes())
            os.replace(staging, cache / verdict.name)
    return {"seconds": round(seconds, 3), "violations": len(report.violations), "warnings": len(report.warnings),
            "triples": layer.ntriples.count(b"\n")}


def step_load(args: argparse.Namespace) -> dict[str, object]:
    from coopgraph.store import load_store

    trig = build_dir(args.work, args.size, args.seed) / "coopgraph.trig"
    times = []
    count = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=args.work) as tmp:
            started = time.perf_counter()
            count = load_store(trig, Path(tmp) / "store")
            times.append(time.perf_counter() - started)
    return {"seconds": round(statistics.median(times), 3), "runs": [round(t, 3) for t in times], "quads": count}


def _probe(args: argparse.Namespace) -> dict[str, str]:
    summary = json.loads((data_dir(args.work, args.size, args.seed) / "generated.json").read_text(encoding="utf-8"))
    return summary["probe"]


def step_queries(args: argparse.Namespace) -> dict[str, object]:
    from coopgraph.queries import library
    from coopgraph.store import EmbeddedStore

    store = EmbeddedStore.for_build(build_dir(args.work, args.size, args.seed))
    probe = _probe(args)
    out: dict[str, object] = {}
    for name, doc in library().items():
        bindings = _bindings(doc, probe)
        times, rows, error = [], None, None
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            try:
                answer = store.query(doc.text, bindings, timeout=args.query_bound)
            except Exception as exc:  # a failure is a result of the benchmark, not a crash of it
                error = f"{type(exc).__name__}: {exc}"[:200]
                break
            times.append(time.perf_counter() - started)
            rows = len(answer) if hasattr(answer, "__len__") else int(bool(answer))
        out[name] = {"p50": round(_percentile(times, 50), 4) if times else None,
                     "p95": round(_percentile(times, 95), 4) if times else None,
                     "runs": len(times), "rows": rows, "error": error}
    return {"queries": out}


def step_analyses(args: argparse.Namespace) -> dict[str, object]:
    from coopgraph import analysis
    from coopgraph.analysis import graphs, measures
    from coopgraph.store import EmbeddedStore

    store = EmbeddedStore.for_build(build_dir(args.work, args.size, args.seed))
    timings: dict[str, list[float]] = {}
    facts: dict[str, object] = {}

    def timed(name: str, fn):
        started = time.perf_counter()
        value = fn()
        timings.setdefault(name, []).append(time.perf_counter() - started)
        return value

    for _ in range(max(1, args.repeat)):
        data = timed("read cooperation layer (SPARQL → tables)", lambda: analysis.load(store))

        def cooperation(data=data):
            multigraph = graphs.cooperation_multigraph(data)
            return multigraph, graphs.collapse(multigraph)

        mg, g = timed("cooperation graph", cooperation)
        k = min(200, g.number_of_nodes())
        timed(f"sampled betweenness (k={k})", lambda: measures.betweenness(g, k=k))  # noqa: B023
        timed("Louvain communities", lambda: measures.communities(g))  # noqa: B023
        # from the cooperation multigraph built above, as `coopgraph analyze` (analysis.pipeline) does
        territories = timed("territory graph (départements)",
                            lambda: graphs.territory_graph(data, "departement", multigraph=mg))  # noqa: B023
        ranking = timed("cross-territory ranking",
                        lambda: measures.cross_territory(territories, data, actors=g))  # noqa: B023
        facts = {"actors": g.number_of_nodes(), "links": g.number_of_edges(),
                 "territory_links": territories.number_of_edges(), "ranking_rows": len(ranking)}
    result = {name: round(statistics.median(ts), 3) for name, ts in timings.items()}
    return {"steps": result, "total": round(sum(result.values()), 3), **facts}


def _sample_pages(build: Path, seed: int) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(build / "store"))
    base = "https://w3id.org/coopgraph/"
    paths = []
    for prefix, n in PAGE_KINDS.items():
        q = (f'SELECT DISTINCT ?x WHERE {{ ?x a ?c . FILTER(STRSTARTS(STR(?x), "{base}{prefix}")) }} '
             f"ORDER BY ?x LIMIT {n * 5}")
        found = sorted(row[0].value for row in store.query(q, use_default_graph_as_union=True))
        random.Random(f"{seed}:{prefix}").shuffle(found)
        paths += ["/" + iri[len(base):] + ".html" for iri in found[:n]]
    random.Random(seed).shuffle(paths)
    return paths


async def _load(url: str, paths: list[str], clients: int, seconds: float, max_requests: int) -> dict[str, object]:
    """``clients`` kept-alive connections asking again as soon as they have their answer. The client is
    serve_load.py's bare HTTP/1.1 one: httpx's, on the same 2 cores, took CPU the server needed (88 pages/s against
    250 from the same server at size L)."""
    from serve_load import Conn

    split = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []
    counter = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal counter
        conn = Conn(split.hostname or "127.0.0.1", split.port or 80)
        while time.perf_counter() < stop and counter < max_requests:
            path = paths[counter % len(paths)]
            counter += 1
            started = time.perf_counter()
            try:
                status: int | str = (await asyncio.wait_for(conn.get(path, "*/*"), 60))[0]
            except (OSError, ConnectionError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                status = type(exc).__name__
                conn.close(reset=True)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{status} {path[:80]}")
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"responses": len(latencies), "seconds": round(elapsed, 2),
            "per_second": round(len(latencies) / elapsed, 1) if elapsed else None,
            "p50_ms": round(_percentile(latencies, 50) * 1000, 1), "p95_ms": round(_percentile(latencies, 95) * 1000, 1),
            "p99_ms": round(_percentile(latencies, 99) * 1000, 1), "errors": len(errors), "first_errors": errors[:5]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_server(args: argparse.Namespace, size: str) -> dict[str, object]:
    """``coopgraph serve`` in its own process; the clients in this one."""
    import httpx

    build = build_dir(args.work, size, args.seed)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [_coopgraph(), "serve", "--build", str(build), "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(args.server_workers)]  # one server process per core, as the README advises at size L
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=os.setsid)
    out: dict[str, object] = {}
    try:
        started = time.perf_counter()
        while time.perf_counter() - started < 120:
            if proc.poll() is not None:
                raise RuntimeError(f"coopgraph serve exited: {proc.stderr.read().decode()[-500:]}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("coopgraph serve did not answer /health within 120 s")
        out["startup_seconds"] = round(time.perf_counter() - started, 2)
        out["workers"] = args.server_workers
        pages = _sample_pages(build, args.seed)
        out["pages"] = asyncio.run(_load(url, pages, args.clients, args.server_seconds, args.server_requests))
        out["pages"]["distinct_urls"] = len(pages)
        sparql = ["/sparql?" + urllib.parse.urlencode({"query": SIMPLE_SELECT})]
        out["sparql"] = asyncio.run(_load(url, sparql, args.clients, args.server_seconds, args.server_requests))
        out["server_rss_mb"] = _mb(_tree_rss(proc.pid))
    except Exception as exc:  # reported, not raised: the rest of the benchmark goes on
        out["error"] = f"{type(exc).__name__}: {exc}"[:500]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return out


def step_newcomer_queries(args: argparse.Namespace) -> dict[str, object]:
    """rdflib parses the TriG dump into a Dataset (the union as default graph), then runs every query of the
    library with the same parameters, each in a forked child killed at the bound."""
    import rdflib

    from coopgraph.queries import library

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    trig = build_dir(args.work, args.size, args.seed) / "coopgraph.trig"
    started = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(str(trig), format="trig")
    parse_seconds = time.perf_counter() - started
    triples = len(ds)
    print(json.dumps({"parse_seconds": round(parse_seconds, 3), "partial": True}), flush=True)
    probe = _probe(args)
    out: dict[str, object] = {}
    for name, doc in library().items():
        bindings = _bindings(doc, probe)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: run the query once, report its time
            os.close(read)
            try:
                t0 = time.perf_counter()
                result = ds.query(doc.text, initBindings=bindings)
                rows = len(list(result)) if result.type == "SELECT" else (len(result.graph) if result.graph is not None
                                                                            else int(bool(result.askAnswer)))
                msg = {"seconds": round(time.perf_counter() - t0, 4), "rows": rows}
            except Exception as exc:
                msg = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            os.write(write, json.dumps(msg).encode())
            os._exit(0)
        os.close(write)
        deadline = time.perf_counter() + args.query_bound
        while True:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.perf_counter() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.02)
        with os.fdopen(read, "rb") as fh:
            raw = fh.read()
        out[name] = json.loads(raw) if raw else {"timed_out": True, "bound": args.query_bound}
    return {"parse_seconds": round(parse_seconds, 3), "triples": triples, "queries": out}


def step_newcomer_shacl(args: argparse.Namespace) -> dict[str, object]:
    """pySHACL on the whole graph at once: the union of the N-Triples dump, the same shapes and model."""
    from rdflib import Graph

    from coopgraph.validate import validate

    nt = build_dir(args.work, args.size, args.seed) / "coopgraph.nt.gz"
    started = time.perf_counter()
    g = Graph()
    g.parse(data=gzip.decompress(nt.read_bytes()).decode("utf-8"), format="nt")
    parse_seconds = time.perf_counter() - started
    print(json.dumps({"parse_seconds": round(parse_seconds, 3), "partial": True}), flush=True)
    started = time.perf_counter()
    report = validate(g, lang="en")
    return {"parse_seconds": round(parse_seconds, 3), "seconds": round(time.perf_counter() - started, 3),
            "violations": len(report.violations), "warnings": len(report.warnings), "triples": len(g)}


STEPS = {"records": step_records, "validate": step_validate, "reference": step_reference, "load": step_load,
         "queries": step_queries, "analyses": step_analyses, "newcomer-queries": step_newcomer_queries,
         "newcomer-shacl": step_newcomer_shacl}


# ------------------------------------------------------------------------------------------------ the harness


def measure_size(args: argparse.Namespace, size: str, state: dict[str, object], progress: Progress,
                 base: dict | None = None) -> dict:
    res: dict[str, object] = {"size": size}

    def internal(step: str, timeout: float | None = None, repeat: int = 1, mem: float | None = None,
                 **extra: object) -> dict[str, object]:
        results = []
        for i in range(repeat):
            r = run_measured(_step_cmd(step, args, size, **extra), timeout=timeout, mem_limit_gb=mem)
            results.append(r)
            if r["exit"] != 0 or r["timed_out"] or (i == 0 and r["seconds"] > args.long_step):
                break
        good = [r for r in results if r["exit"] == 0 and not r["timed_out"] and r["payload"]]
        if not good:
            last = results[-1]
            return {"finished": False, "timed_out": last["timed_out"], "bound": timeout,
                    "memory_guard": last["memory_guard"],
                    "partial": last["payload"], "peak_mb": last["peak_mb"], "tree_peak_mb": last["tree_peak_mb"],
                    "error": last["tail"][-600:]}
        good.sort(key=lambda r: r["payload"].get("seconds", r["seconds"]))
        best = dict(good[(len(good) - 1) // 2]["payload"])  # the median run (the lower middle one of an even count)
        if "seconds" in best:
            best["seconds"] = round(statistics.median(r["payload"]["seconds"] for r in good), 3)
            best["runs"] = [r["payload"]["seconds"] for r in good]
        best.update(finished=True, peak_mb=max(r["peak_mb"] for r in good),
                    tree_peak_mb=max(r["tree_peak_mb"] for r in good))
        return best

    if args.only:  # measure these steps again, keep the rest of the earlier run's figures (``base``)
        res = dict(base or res)
        for step in args.only.split(","):
            if step == "queries":
                res["queries"] = internal("queries", timeout=args.query_bound * 60)
            elif step == "analyses":
                res["analyses"] = internal("analyses", timeout=args.bound)
            elif step == "server":
                res["server"] = measure_server(args, size)
            else:
                raise SystemExit(f"--only: {step!r} is not one of queries, analyses, server")
            progress.step(f"{size}: {step}")
        return res

    summary, cached = ensure_data(args.work, size, args.seed)
    res["generate"] = {"seconds": summary["seconds"], "cached": cached, "records": summary["records"],
                       "bytes": summary["bytes"], "counts": summary["counts"], "sha256": summary["sha256"]}
    progress.step(f"{size}: generated")
    src = data_dir(args.work, size, args.seed)
    out = build_dir(args.work, size, args.seed)

    # coopgraph build, the command, repeated (the first run warms the reference layer's cache if it is cold)
    runs = []
    for i in range(max(1, args.repeat)):
        r = run_measured([_coopgraph(), "build", "--sources", str(src), "--out", str(out)], timeout=args.build_bound)
        runs.append(r)
        if r["exit"] != 0 or (i == 0 and r["seconds"] > args.long_step):
            break
    ok = [r for r in runs if r["exit"] == 0]
    summary_path = out / "summary.json"
    built = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() and ok else {}
    res["build"] = {"seconds": round(statistics.median(r["seconds"] for r in ok), 3) if ok else None,
                    "runs": [r["seconds"] for r in runs], "peak_mb": max((r["peak_mb"] for r in runs), default=None),
                    "tree_peak_mb": max((r["tree_peak_mb"] for r in runs), default=None),
                    "triples": built.get("triples"), "violations": built.get("violations"),
                    "warnings": built.get("warnings"), "graphs": len(built.get("graphs", {})),
                    "error": None if ok else runs[-1]["tail"], "finished": bool(ok),
                    "timed_out": runs[-1]["timed_out"], "bound": args.build_bound,
                    "memory_guard": runs[-1]["memory_guard"]}
    progress.step(f"{size}: built")
    if not ok:
        return res

    if args.quick:  # the test's run: the build, the queries, the report
        res["queries"] = internal("queries", timeout=args.query_bound * 60)
        res["newcomer"] = {}
        return res
    res["records"] = internal("records", repeat=args.repeat)
    progress.step(f"{size}: records")
    res["validate"] = internal("validate", repeat=args.repeat)
    progress.step(f"{size}: validation")
    newcomer_here = not args.no_newcomer and (not args.newcomer_sizes or size in args.newcomer_sizes.split(","))
    if not newcomer_here or state.get("gave_up:validate_pyshacl"):
        res["validate_pyshacl"] = {"finished": False, "skipped": True}
    else:
        res["validate_pyshacl"] = internal("validate", timeout=args.bound, engine="pyshacl")
        if not res["validate_pyshacl"].get("finished"):
            state["gave_up:validate_pyshacl"] = size
    progress.step(f"{size}: validation, first engine")
    if not state.get("reference_done"):
        res["reference"] = internal("reference", timeout=args.bound)
        state["reference_done"] = True
    progress.step(f"{size}: reference")
    res["load"] = internal("load")
    progress.step(f"{size}: store load")
    res["queries"] = internal("queries", timeout=args.query_bound * 60)
    progress.step(f"{size}: queries")
    res["analyses"] = internal("analyses", timeout=args.bound)
    progress.step(f"{size}: analyses")
    res["server"] = measure_server(args, size)
    progress.step(f"{size}: server")

    # the newcomer's way, bounded; not tried again above a size where it did not finish
    newcomer: dict[str, object] = {}
    for key, step, extra in (("parse_and_queries", "newcomer-queries", {}),
                             ("shacl_whole", "newcomer-shacl", {}),
                             ("shacl_single_call", "validate", {"single": 1})):
        if not newcomer_here:
            newcomer[key] = {"finished": False, "skipped": "not run at this size (--newcomer-sizes)"}
        elif state.get(f"gave_up:{key}"):
            newcomer[key] = {"finished": False, "skipped": f"did not finish at size {state[f'gave_up:{key}']}"}
        else:
            bound = args.bound if key != "parse_and_queries" else args.bound + args.query_bound * 25
            r = internal(step, timeout=bound, mem=args.newcomer_mem_gb, **extra)
            newcomer[key] = r
            if not r.get("finished"):
                state[f"gave_up:{key}"] = size
        progress.step(f"{size}: newcomer {key}")
    res["newcomer"] = newcomer
    return res


def machine() -> dict[str, object]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    versions = {}
    for name in ("coopgraph", "rdflib", "pyshacl", "pyoxigraph", "networkx", "pandas", "starlette", "uvicorn",
                 "httpx", "pyyaml", "pydantic"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    import yaml

    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "memory_gb": mem_gb,
            "os": platform.platform(), "python": platform.python_version(), "versions": versions,
            "libyaml": bool(getattr(yaml, "__with_libyaml__", False)), "load_average_start": os.getloadavg()}


# ------------------------------------------------------------------------------------------------ report


def _s(value: object, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _secs(entry: dict | None) -> str:
    if not entry:
        return "–"
    if entry.get("skipped"):
        return "not run"
    if entry.get("finished") is False:
        if entry.get("memory_guard"):
            return "stopped: the machine ran short of memory"
        return f"> {_s(entry.get('bound'), 0)} s (bound)" if entry.get("timed_out") else "failed"
    return f"{_s(entry.get('seconds'))} s"


def _mem(entry: dict | None) -> str:
    if not entry or entry.get("peak_mb") is None:
        return "–"
    tree = entry.get("tree_peak_mb")
    extra = f" ({tree / 1024:.1f} all processes)" if tree and tree > entry["peak_mb"] * 1.15 else ""
    return f"{entry['peak_mb'] / 1024:.2f} GB{extra}"


def _ratio(newcomer: float | None, ours: float | None, lower_bound: bool = False) -> str:
    if newcomer is None or not ours:
        return "–"
    return f"{'≥ ' if lower_bound else ''}{newcomer / ours:.0f}×" if newcomer / ours >= 10 else \
        f"{'≥ ' if lower_bound else ''}{newcomer / ours:.1f}×"


def _query_sum(entry: dict) -> tuple[float | None, int]:
    qs = (entry or {}).get("queries") or {}
    vals = [q.get("p50") for q in qs.values() if q.get("p50") is not None]
    return (round(sum(vals), 3), len(vals)) if vals else (None, 0)


def write_report(results: dict, md: Path) -> None:
    m = results["machine"]
    sizes = [r["size"] for r in results["sizes"]]
    by = {r["size"]: r for r in results["sizes"]}
    cmd = results["command"]
    lines = [
        "# coopgraph at national scale — benchmark results",
        "",
        f"Written by `{cmd}` on {results['date']} (`make bench` runs `python benchmarks/run.py`). "
        "Every figure below comes from that run; rerun it to reproduce them on your machine.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}; {m['cores']} cores ({m['usable_cores']} usable); memory {m['memory_gb']} GB; {m['os']}",
        f"- Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
        + f"; PyYAML with libyaml: {'yes' if m['libyaml'] else 'no'}",
        f"- Load average at start {', '.join(f'{x:.1f}' for x in m['load_average_start'])}; at end "
        f"{', '.join(f'{x:.1f}' for x in results['load_average_end'])} (other work on the machine slows every "
        "figure alike)",
        f"- Repeats: {results['repeat']} (medians; a step longer than {results['long_step']:.0f} s runs once). "
        f"Newcomer bound: {results['bound']:.0f} s per step, {results['query_bound']:.0f} s per query, "
        f"{results['newcomer_mem_gb']} GB of address space.",
        "",
        "## Sizes",
        "",
        "| size | records | instruments | actions | triples (reference layer included) | generation |",
        "|---|---|---|---|---|---|",
    ]
    for s in sizes:
        r = by[s]
        counts = r["generate"]["counts"]
        inst = sum(v for k, v in counts.items() if k != "actions")
        lines.append(f"| {s} | {r['generate']['records']} | {inst} | {counts.get('actions', 0)} | "
                     f"{_s((r.get('build') or {}).get('triples'))} | {_s(r['generate']['seconds'])} s"
                     f"{' (cached)' if r['generate']['cached'] else ''} |")
    lines += ["", "## coopgraph, step by step (median time; peak memory of the largest process)", "",
              "| step | " + " | ".join(sizes) + " |", "|---|" + "---|" * len(sizes)]

    def row(label: str, key: str, sub: str | None = None) -> None:
        cells = []
        for s in sizes:
            e = by[s].get(key)
            if sub and e:
                e = e.get(sub)
            cells.append(f"{_secs(e)}, {_mem(e)}" if e else "–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("`coopgraph build` (records → RDF, validation, dumps, store)", "build")
    row("  records → RDF graphs", "records")
    row("  validation: the shapes compiled to SPARQL on Oxigraph (reference layer's verdict cached)", "validate")
    row("  validation with the first engine: pySHACL per named graph, parallel processes", "validate_pyshacl")
    row("  bulk load of the TriG dump into a new on-disk store", "load")
    ref = next((by[s]["reference"] for s in sizes if by[s].get("reference")), None)
    if ref:
        lines.append(f"| reference layer validation, once per content hash (cold) | {_secs(ref)}, {_mem(ref)}"
                     + " | –" * (len(sizes) - 1) + " |")
    cells = []
    for s in sizes:
        a = by[s].get("analyses") or {}
        cells.append(f"{_s(a.get('total'))} s, {_mem(a)}" if a.get("finished") else _secs(a))
    lines.append("| analyses (all of the list below) | " + " | ".join(cells) + " |")
    lines += ["", "### Queries of `queries/` on the embedded store (p50 / p95 over the repeats, seconds)", "",
              "| query | " + " | ".join(sizes) + " |", "|---|" + "---|" * len(sizes)]
    names = sorted({n for s in sizes for n in ((by[s].get("queries") or {}).get("queries") or {})})
    for n in names:
        cells = []
        for s in sizes:
            q = ((by[s].get("queries") or {}).get("queries") or {}).get(n)
            if not q:
                cells.append("–")
            elif q.get("error"):
                cells.append(f"error: {q['error'][:60]}")
            else:
                cells.append(f"{q['p50']:.3f} / {q['p95']:.3f} ({q['rows']} rows)")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines += ["", "### Analyses (median seconds)", "", "| step | " + " | ".join(sizes) + " |",
              "|---|" + "---|" * len(sizes)]
    steps = []
    for s in sizes:
        for k in ((by[s].get("analyses") or {}).get("steps") or {}):
            if k not in steps:
                steps.append(k)
    for k in steps:
        lines.append(f"| {k} | " + " | ".join(_s(((by[s].get("analyses") or {}).get("steps") or {}).get(k), 2)
                                             for s in sizes) + " |")
    lines.append("| actors / links in the cooperation graph | " + " | ".join(
        f"{_s((by[s].get('analyses') or {}).get('actors'))} / {_s((by[s].get('analyses') or {}).get('links'))}"
        for s in sizes) + " |")
    lines += ["", "### `coopgraph serve` under load (32 concurrent clients on loopback, same machine)", "",
              "| what | " + " | ".join(sizes) + " |", "|---|" + "---|" * len(sizes)]
    for key, label in (("pages", "resource pages (HTML)"), ("sparql", "simple SELECT on /sparql")):
        cells = []
        for s in sizes:
            srv = by[s].get("server") or {}
            e = srv.get(key)
            if srv.get("error"):
                cells.append(f"error: {srv['error'][:60]}")
            elif e:
                cells.append(f"{e['per_second']} responses/s, p50 {e['p50_ms']} ms, p99 {e['p99_ms']} ms, "
                             f"{e['errors']} errors ({e['responses']} in {e['seconds']} s)")
            else:
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "## The newcomer's way, side by side (same data, same run)", "",
              "rdflib parsing the TriG dump into a Dataset and running the same queries with its own SPARQL engine; "
              "pySHACL on the whole graph at once. Ratio = newcomer time / coopgraph time.", "",
              "| step | " + " | ".join(sizes) + " |", "|---|" + "---|" * len(sizes)]
    did_not_finish = []

    def cell_pair(new: dict | None, new_seconds: float | None, ours: float | None, label: str, s: str) -> str:
        if not new or new.get("skipped"):
            return f"not run ({new.get('skipped')})" if new else "–"
        if new.get("finished") is False:
            did_not_finish.append(f"{label} at size {s}")
            bound = new.get("bound")
            return f"> {_s(bound, 0)} s vs {_s(ours)} s: {_ratio(bound, ours, True)}"
        return f"{_s(new_seconds)} s vs {_s(ours)} s: {_ratio(new_seconds, ours)}"

    for label, fn in (
        ("parse the dump (rdflib) vs bulk load (Oxigraph)",
         lambda s: cell_pair(by[s].get("newcomer", {}).get("parse_and_queries"),
                             (by[s].get("newcomer", {}).get("parse_and_queries") or {}).get("parse_seconds"),
                             (by[s].get("load") or {}).get("seconds"), "rdflib parse", s)),
        ("the query set (sum of the medians; queries both finished)", lambda s: _queries_ratio(by[s], did_not_finish)),
        ("validation: pySHACL on the whole graph vs the build's validation (reference layer's verdict cached)",
         lambda s: cell_pair(by[s].get("newcomer", {}).get("shacl_whole"),
                             (by[s].get("newcomer", {}).get("shacl_whole") or {}).get("seconds"),
                             (by[s].get("validate") or {}).get("seconds"), "pySHACL on the whole graph", s)),
        ("validation: pySHACL on the whole graph vs the build's validation + the reference layer's, cold",
         lambda s: cell_pair(by[s].get("newcomer", {}).get("shacl_whole"),
                             (by[s].get("newcomer", {}).get("shacl_whole") or {}).get("seconds"),
                             _cold_validation(by, s), "pySHACL on the whole graph", s)),
        ("validation: one pySHACL call on the cooperation graphs + what they cite vs the build's validation",
         lambda s: cell_pair(by[s].get("newcomer", {}).get("shacl_single_call"),
                             (by[s].get("newcomer", {}).get("shacl_single_call") or {}).get("seconds"),
                             (by[s].get("validate") or {}).get("seconds"), "one pySHACL call on the cooperation graphs",
                             s)),
    ):
        lines.append(f"| {label} | " + " | ".join(fn(s) for s in sizes) + " |")
    if did_not_finish:
        lines += ["", "Did not finish within the bound: " + "; ".join(sorted(set(did_not_finish))) + "."]
    lines += ["", "Per query (newcomer seconds / coopgraph p50 seconds; the row counts when the engines disagree: "
              "Oxigraph's union default graph counts a triple once per named graph that states it, rdflib's "
              "Dataset once):", "",
              "| query | " + " | ".join(sizes) + " |", "|---|" + "---|" * len(sizes)]
    for n in names:
        cells = []
        for s in sizes:
            ours = (((by[s].get("queries") or {}).get("queries") or {}).get(n) or {}).get("p50")
            nq = (((by[s].get("newcomer", {}).get("parse_and_queries") or {}).get("queries") or {}).get(n))
            if nq is None:
                cells.append("–")
            elif nq.get("timed_out"):
                cells.append(f"> {_s(nq['bound'], 0)} / {_s(ours, 3)}: {_ratio(nq['bound'], ours, True)}")
            elif nq.get("error"):
                cells.append(f"error: {nq['error'][:50]}")
            else:
                our_rows = (((by[s].get("queries") or {}).get("queries") or {}).get(n) or {}).get("rows")
                rows = "" if our_rows == nq.get("rows") else f" (rows: rdflib {nq.get('rows')}, Oxigraph {our_rows})"
                cells.append(f"{_s(nq['seconds'], 3)} / {_s(ours, 3)}: {_ratio(nq['seconds'], ours)}{rows}")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets (issue 9, on this machine)", "", *targets(results), ""]
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _queries_ratio(r: dict, did_not_finish: list[str]) -> str:
    nq = (r.get("newcomer", {}).get("parse_and_queries") or {})
    if not nq:
        return "–"
    if nq.get("skipped"):
        return f"not run ({nq['skipped']})"
    if not nq.get("finished"):
        did_not_finish.append(f"rdflib parse + queries at size {r['size']}")
        return "not run (parse did not finish)"
    ours = (r.get("queries") or {}).get("queries") or {}
    new_sum = ours_sum = 0.0
    timed_out = 0
    for name, q in (nq.get("queries") or {}).items():
        o = (ours.get(name) or {}).get("p50")
        if o is None:
            continue
        if q.get("timed_out"):
            timed_out += 1
            new_sum += q["bound"]
            ours_sum += o
        elif q.get("seconds") is not None:
            new_sum += q["seconds"]
            ours_sum += o
    if timed_out:
        did_not_finish.append(f"{timed_out} rdflib queries at size {r['size']}")
    note = f" ({timed_out} at their bound)" if timed_out else ""
    return f"{new_sum:.1f} s vs {ours_sum:.3f} s{note}: {_ratio(new_sum, ours_sum, bool(timed_out))}"


def _cold_validation(by: dict, size: str) -> float | None:
    """The build's validation plus the reference layer's, as the first build after a layer update does."""
    v = (by[size].get("validate") or {}).get("seconds")
    ref = next((r["reference"].get("seconds") for r in by.values() if r.get("reference")), None)
    return None if v is None or ref is None else round(v + ref, 3)


def targets(results: dict) -> list[str]:
    by = {r["size"]: r for r in results["sizes"]}
    out = []
    big = "L" if "L" in by else (results["sizes"][-1]["size"] if results["sizes"] else None)
    if big is None:
        return ["No size measured."]
    r = by[big]
    b = r.get("build") or {}
    out.append(f"- build + validation + store load at {big}: `coopgraph build` {_s(b.get('seconds'))} s "
               f"(target < 180 s: {'met' if b.get('seconds') and b['seconds'] < 180 else 'not met'}); peak memory "
               f"{_mem(b)} (target < 6 GB for the largest process: "
               f"{'met' if b.get('peak_mb') and b['peak_mb'] < 6144 else 'not met'}).")
    qs = ((r.get("queries") or {}).get("queries") or {})
    slow = [n for n, q in qs.items() if q.get("p50") is None or q["p50"] >= 1.0]
    out.append(f"- every query median under 1 s at {big}: {'met' if qs and not slow else 'not met'}"
               + (f" (over: {', '.join(slow)})" if slow else "") + ".")
    a = r.get("analyses") or {}
    out.append(f"- analyses under 120 s at {big}: {_s(a.get('total'))} s "
               f"({'met' if a.get('total') is not None and a['total'] < 120 else 'not met'}).")
    srv = r.get("server") or {}
    p, q = srv.get("pages") or {}, srv.get("sparql") or {}
    if p and q:
        out.append(f"- server at {big}: pages {p['per_second']} responses/s, p99 {p['p99_ms']} ms (target ≥ 300/s "
                   f"and p99 < 250 ms: {'met' if p['per_second'] >= 300 and p['p99_ms'] < 250 else 'not met'}); "
                   f"/sparql {q['per_second']} responses/s (target ≥ 150/s: "
                   f"{'met' if q['per_second'] >= 150 else 'not met'}).")
    def finished(s: str, key: str) -> dict | None:
        entry = (by[s].get("newcomer") or {}).get(key) or {}
        return entry if entry.get("finished") else None

    sizes = [x["size"] for x in results["sizes"]]
    shacl = next((s for s in reversed(sizes) if finished(s, "shacl_whole")), None)
    if shacl is None:
        out.append("- validation ≥ 20× the newcomer's: pySHACL on the whole graph finished at no size measured "
                   "(the table gives bound / coopgraph as a lower limit).")
    else:
        whole = finished(shacl, "shacl_whole")["seconds"]
        v = by[shacl].get("validate") or {}
        for label, ours in (("reference layer's verdict cached, as in every build", v.get("seconds")),
                            ("reference layer validated too, cold", _cold_validation(by, shacl))):
            if ours:
                ratio = whole / ours
                out.append(f"- validation ≥ 20× the newcomer's at {shacl}, the largest size where pySHACL on the "
                           f"whole graph finished ({label}): {ratio:.1f}× ({'met' if ratio >= 20 else 'not met'}).")
    query = next((s for s in reversed(sizes) if finished(s, "parse_and_queries")), None)
    if query is None:
        out.append("- query set ≥ 20× the newcomer's: rdflib's parse did not finish at any size measured.")
    else:
        new_sum = ours_sum = 0.0
        bounded = 0
        ours_q = (by[query].get("queries") or {}).get("queries") or {}
        for name, q in (finished(query, "parse_and_queries").get("queries") or {}).items():
            o = (ours_q.get(name) or {}).get("p50")
            if o is None:
                continue
            t = q.get("bound") if q.get("timed_out") else q.get("seconds")
            if t is None:
                continue
            bounded += bool(q.get("timed_out"))
            new_sum += t
            ours_sum += o
        if ours_sum:
            ratio = new_sum / ours_sum
            out.append(f"- query set ≥ 20× the newcomer's at {query}: {'≥ ' if bounded else ''}{ratio:.1f}× "
                       f"(sum of medians, {bounded} rdflib queries counted at their bound; "
                       f"{'met' if ratio >= 20 else 'not met'}).")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="S,M,L", help="comma-separated, from tiny, S, M, L (default S,M,L)")
    ap.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=WORK, help="generated records and builds (default benchmarks/build)")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--json", type=Path, default=HERE / "results.json")
    ap.add_argument("--bound", type=float, default=900, help="time bound of a newcomer step, seconds")
    ap.add_argument("--query-bound", type=float, default=60, help="time bound of one query, seconds")
    ap.add_argument("--build-bound", type=float, default=3600)
    ap.add_argument("--long-step", type=float, default=300, help="a step longer than this runs once")
    ap.add_argument("--newcomer-mem-gb", type=float, default=10, help="address space of a newcomer step (GB)")
    ap.add_argument("--memory-guard-gb", type=float, default=MEMORY_GUARD_GB,
                    help="stop a step when the machine has less memory left than this (0: never)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--server-seconds", type=float, default=15)
    ap.add_argument("--server-requests", type=int, default=6000)
    ap.add_argument("--server-workers", type=int, default=os.cpu_count() or 1,
                    help="worker processes of `coopgraph serve` in the server step (default: one per core)")
    ap.add_argument("--only", default="",
                    help="measure only these steps again (queries, analyses, server), keeping the other figures of "
                         "the earlier run in --json for these sizes")
    ap.add_argument("--no-newcomer", action="store_true")
    ap.add_argument("--newcomer-sizes", default="",
                    help="comma-separated sizes where the newcomer's way (and the first validation engine) run "
                         "(default: every size, until one does not finish within --bound)")
    ap.add_argument("--append", action="store_true",
                    help="keep the sizes of an existing --json that this run does not measure (runs size by size)")
    ap.add_argument("--quick", action="store_true",
                    help="generate, build once, run the queries (10 s bound each), write the report: what the "
                    "test suite runs at size tiny")
    ap.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--size", choices=SIZES, help=argparse.SUPPRESS)
    ap.add_argument("--single", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.work = args.work.resolve()
    if args.step:
        print(json.dumps(STEPS[args.step](args)), flush=True)
        return 0
    globals()["MEMORY_GUARD_GB"] = args.memory_guard_gb  # read by run_measured
    if args.quick:
        args.repeat, args.query_bound, args.no_newcomer = 1, min(args.query_bound, 10.0), True
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size {unknown[0]!r}: one of {', '.join(SIZES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "repeat": args.repeat,
        "bound": args.bound, "query_bound": args.query_bound, "long_step": args.long_step,
        "newcomer_mem_gb": args.newcomer_mem_gb, "seed": args.seed, "generator": gen.GENERATOR_VERSION, "sizes": [],
    }
    state: dict[str, object] = {}
    kept: list[dict] = []
    previous_sizes: list[dict] = []
    if args.only:
        if not args.json.is_file():
            ap.error("--only needs the results of an earlier run (--json)")
        args.append = True
    if args.append and args.json.is_file():
        previous = json.loads(args.json.read_text(encoding="utf-8"))
        previous_sizes = previous.get("sizes", [])
        kept = [r for r in previous.get("sizes", []) if r["size"] not in sizes]
        for r in previous.get("sizes", []):  # what did not finish at a smaller size is not tried again
            for key, entry in (r.get("newcomer") or {}).items():
                if entry.get("finished") is False and not entry.get("skipped"):
                    state[f"gave_up:{key}"] = r["size"]
            if r.get("reference"):
                state["reference_done"] = True
        results["command"] = previous.get("command", "") + " ; " + results["command"]

    def ordered() -> list[dict]:
        return sorted([*kept, *results["sizes"]], key=lambda r: SIZES.index(r["size"]))

    progress = Progress(total=len(sizes) * 14, desc="benchmark", enabled=sys.stderr.isatty())
    try:
        for size in sizes:
            base = next((r for r in previous_sizes if r["size"] == size), None)
            results["sizes"].append(measure_size(args, size, state, progress, base))
            results["load_average_end"] = os.getloadavg()
            merged = dict(results, sizes=ordered())
            args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                 encoding="utf-8")
            write_report(merged, args.out)
    finally:
        progress.close()
    print(f"wrote {args.out} and {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
