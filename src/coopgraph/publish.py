"""``coopgraph publish``: put every named graph of a build on a remote SPARQL store (Graph Store PUT).

Each graph is replaced, never added to, so publishing twice duplicates nothing. Graphs go one by one, smallest
first; when one fails, the command says which were done and which were not, and exits 1: running it again
completes the job. Exit 0 all replaced, 1 partial, 2 nothing done (bad build, unreachable store).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATIONS, CoopgraphError
from .iris import BASE
from .paths import default_build_dir
from .query import add_store_arguments, remote_options
from .sparql import StoreError
from .store import STORE_DIR, EmbeddedStore, RemoteStore

EXIT_PARTIAL = EXIT_VIOLATIONS


@dataclass
class PublishReport:
    done: list[tuple[str, int]] = field(default_factory=list)  # (graph, triples)
    failed: str | None = None
    error: str | None = None
    pending: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # coopgraph graphs on the store that the build does not have


def build_graphs(build: Path) -> dict[str, bytes]:
    """Each named graph of a build as N-Triples bytes, read from its embedded store (or its TriG)."""
    if (build / STORE_DIR).is_dir():
        store = EmbeddedStore.for_build(build).oxigraph
        names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        return {name: store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)) for name in names}
    trig = build / "coopgraph.trig"
    if not trig.is_file():
        raise StoreError(f"{build} is not a build (no {STORE_DIR}/ and no coopgraph.trig); run `coopgraph build`")
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return {name: store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)) for name in names}


def publish(build: Path, remote: RemoteStore, *, prune: bool = False,
            progress: Callable[[str], None] | None = None) -> PublishReport:
    """Replace each graph of the build on the remote store; the report says what was done."""
    graphs = build_graphs(build)
    report = PublishReport()
    order = sorted(graphs, key=lambda g: (len(graphs[g]), g))  # small graphs first: most of the job is done early
    for i, name in enumerate(order):
        data = graphs[name]
        started = time.perf_counter()
        try:
            remote.replace_graph(name, data)
        except CoopgraphError as exc:
            report.failed, report.error = name, exc.message
            report.pending = order[i + 1 :]
            return report
        triples = data.count(b"\n")
        report.done.append((name, triples))
        if progress:
            progress(f"replaced <{name}>: {triples} triples, {len(data) / 1e6:.1f} MB, "
                     f"{time.perf_counter() - started:.1f} s")
    try:
        ours = [str(g) for g in remote.graphs() if str(g).startswith(BASE + "graph/")]
    except CoopgraphError:
        ours = []
    report.extra = sorted(set(ours) - set(graphs))
    if prune:
        for name in report.extra:
            remote.delete_graph(name)
            report.pruned.append(name)
            if progress:
                progress(f"deleted <{name}> (not in this build)")
    return report


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="replace each named graph of the build on a remote SPARQL store (Graph Store Protocol)",
        description="Replace each named graph of the build on a remote SPARQL 1.1 store with a Graph Store PUT. "
        "Running it twice duplicates nothing; after a failure part-way, running it again completes the job. "
        "Exit 0 all replaced, 1 partial, 2 nothing done.",
    )
    add_store_arguments(parser)
    parser.add_argument("--graph-store", metavar="URL", default=None,
                        help="the Graph Store endpoint (guessed for Oxigraph /query, Virtuoso /sparql, Fuseki)")
    parser.add_argument("--prune", action="store_true",
                        help="also delete the store's coopgraph graphs (…/graph/…) that this build does not have")
    parser.add_argument("--timeout", type=float, default=600, metavar="S", help="HTTP timeout per request")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.endpoint:
        print("coopgraph publish: --endpoint URL is required", file=sys.stderr)
        return EXIT_BAD_INPUT
    build = args.build or default_build_dir()
    try:
        remote = RemoteStore(args.endpoint, graph_store=args.graph_store, timeout=args.timeout,
                             **remote_options(args))  # type: ignore[arg-type]
        report = publish(build, remote, prune=args.prune, progress=print)
    except CoopgraphError as exc:
        print(f"coopgraph publish: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for name in report.extra:
        if name not in report.pruned:
            print(f"note: <{name}> is on the store but not in this build; left as it is (--prune deletes it)")
    if report.failed is None:
        total = sum(n for _, n in report.done)
        print(f"published {len(report.done)} graphs ({total} triples) to {remote.graph_store}")
        return EXIT_OK
    print(f"coopgraph publish: failed on <{report.failed}>: {report.error}", file=sys.stderr)
    done = ", ".join(f"<{g}>" for g, _ in report.done) or "none"
    pending = ", ".join(f"<{g}>" for g in [report.failed, *report.pending])
    print(f"coopgraph publish: done: {done}; not done: {pending}. Run the same command again to complete.",
          file=sys.stderr)
    return EXIT_PARTIAL if report.done else EXIT_BAD_INPUT
