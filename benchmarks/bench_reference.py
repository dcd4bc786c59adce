"""Benchmark of the reference layer: generation from upstream, loading into the embedded store, lookups.

    npm pack @etalab/decoupage-administratif@6.0.0        # once, outside the repository
    .venv/bin/python benchmarks/bench_reference.py --from etalab-decoupage-administratif-6.0.0.tgz

Prints (and with --json writes) the figures of the issue: time to generate the 2026 layer from the upstream archive
(read and check, build, write sorted N-Triples + lookup index), time to bulk-load the vendored layer into
pyoxigraph (in memory and on disk), its size and triple count, and the lookup index load and query times.
``--shacl`` also times pySHACL on the whole vendored layer without its one SHACL-SPARQL constraint (minutes).
Targets (issue 3): generation under 30 s, store load under 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from coopgraph.reference import INDEX_FILE, LAYER_FILE, MANIFEST_FILE, ReferenceIndex, default_dir
from coopgraph.reference import layer as layer_mod

QUERIES = [
    ("Département de la Loire", {}),
    ("la Caf de Maine-et-Loire", {}),
    ("CC Loire Layon Aubance", {}),
    ("communauté d'agglomération du Bassin de Brive", {}),
    ("Saint-Denis", {"departement": "93"}),
    ("communauté de communes Loire Layon", {}),  # fuzzy
]


CPU: dict[str, float] = {}


def timed(fn, repeat: int, name: str | None = None) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs; the median CPU time (all threads) goes to CPU[name]."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    if name:
        CPU[name] = round(statistics.median(cpu), 2)
    return statistics.median(times), result


def generate(sources: list[Path]) -> dict[str, float]:
    phases: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    contributions = layer_mod.check_releases(sources)
    phases["read_and_check_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    built = layer_mod.Layer(layer_mod.State(), layer_mod.Manifest())
    layer_mod.merge_releases(built.state, built.manifest, contributions)
    built.render()
    phases["build_and_sort_s"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        figures = layer_mod.write(built, Path(tmp))
        phases["write_gzip_and_index_s"] = time.perf_counter() - t
    phases["total_s"] = time.perf_counter() - t0
    phases["total_cpu_s"] = time.process_time() - c0
    phases = {k: round(v, 2) for k, v in phases.items()}
    phases["triples"] = figures["triples"]
    phases["bytes"] = figures["bytes"]
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="sources", action="append", type=Path, default=[],
                        help="upstream release(s) to generate from (npm archive or folder); default: none, "
                        "generation is then skipped")
    parser.add_argument("--layer", type=Path, default=default_dir(), help="folder of the vendored layer")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of the load measures (median)")
    parser.add_argument("--shacl", action="store_true", help="also validate the whole layer (slow)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    out: dict[str, object] = {"python": sys.version.split()[0], "pyoxigraph": ox.__version__}
    if args.sources:
        out["generate"] = generate(args.sources)
        out["generate"]["sources"] = [str(s) for s in args.sources]

    layer_file = args.layer / LAYER_FILE
    manifest = json.loads((args.layer / MANIFEST_FILE).read_text(encoding="utf-8"))
    blob = layer_file.read_bytes()
    out["vendored"] = {
        "millesimes": sorted(manifest["millesimes"]),
        "triples": manifest["layer"]["triples"],
        "layer_bytes": len(blob),
        "index_bytes": (args.layer / INDEX_FILE).stat().st_size,
        "uncompressed_bytes": len(gzip.decompress(blob)),
    }

    def load_memory() -> int:
        store = ox.Store()
        store.bulk_load(gzip.decompress(layer_file.read_bytes()), format=ox.RdfFormat.N_TRIPLES)
        return len(store)

    def load_disk() -> int:
        with tempfile.TemporaryDirectory() as tmp:
            store = ox.Store(tmp)
            store.bulk_load(gzip.decompress(layer_file.read_bytes()), format=ox.RdfFormat.N_TRIPLES)
            n = len(store)
            del store
            return n

    seconds, n = timed(load_memory, args.repeat, "store_load_memory")
    out["store_load_memory_s"] = round(seconds, 2)
    seconds, n_disk = timed(load_disk, args.repeat, "store_load_disk")
    out["store_load_disk_s"] = round(seconds, 2)
    assert n == n_disk == manifest["layer"]["triples"], (n, n_disk)

    seconds, index = timed(lambda: ReferenceIndex.load(args.layer), args.repeat, "lookup_index_load")
    out["lookup_index_load_s"] = round(seconds, 2)
    lines = gzip.decompress(blob).decode("utf-8").split("\n")
    seconds, _ = timed(lambda: ReferenceIndex.from_lines(lines), 1, "lookup_index_from_layer")
    out["lookup_index_from_layer_s"] = round(seconds, 2)
    latencies = {}
    for text, kwargs in QUERIES:
        seconds, match = timed(lambda text=text, kwargs=kwargs: index.lookup(text, **kwargs), 5)
        latencies[text] = {"ms": round(seconds * 1000, 1), "best": match.best.label if match.best else None}
    out["lookup_ms"] = latencies

    if args.shacl:
        import pyshacl
        from rdflib import Graph, Namespace

        from coopgraph.rdfio import read_graph
        from coopgraph.validate import load_model, load_shapes

        t = time.perf_counter()
        graph = read_graph(layer_file)
        out["rdflib_parse_s"] = round(time.perf_counter() - t, 1)
        shapes = Graph()
        for triple in load_shapes():  # a copy: the cached shapes stay whole
            shapes.add(triple)
        sh, cs = Namespace("http://www.w3.org/ns/shacl#"), Namespace("https://w3id.org/coopgraph/shapes#")
        shapes.remove((None, sh.property, cs["Siren-cle"]))  # pySHACL: ~0.25 s per SIREN-bearing node
        t = time.perf_counter()
        conforms, _graph, _text = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=load_model(),
                                                   inference="none", advanced=True, allow_warnings=True)
        out["shacl_whole_layer_without_sparql_s"] = round(time.perf_counter() - t, 1)
        out["shacl_conforms"] = bool(conforms)

    out["cpu_s"] = CPU
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(out, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
