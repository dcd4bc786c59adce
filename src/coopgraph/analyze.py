"""``coopgraph analyze``: the network analyses of a build (or of a SPARQL endpoint), written as GraphML, GEXF, CSV,
JSON, PNG figures and a Markdown report.

The heavy imports (pandas, networkx, matplotlib) happen when the command runs, not when ``coopgraph`` starts.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from .errors import EXIT_BAD_INPUT, EXIT_OK, CoopgraphError

LEVELS = ("departement", "region", "epci", "commune")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="network analyses: GraphML, GEXF, CSV, JSON, figures and a report",
        description="Build the cooperation graphs from the store (a build's embedded store, or a SPARQL endpoint), "
        "run the analyses (centralities, brokerage, communities, components, partnerships across territories, "
        "themes, roles) and write exports, PNG figures and report.md. Exit 0 done, 2 bad input or unreachable store.",
    )
    parser.add_argument("--level", choices=LEVELS, default="departement",
                        help="territory level of the territory graph and of the cross-territory table "
                             "(default departement; the département matrix is always drawn)")
    parser.add_argument("--out", type=Path, default=None, help="output folder, replaced as a whole "
                        "(default BUILD/analysis)")
    parser.add_argument("--build", type=Path, default=None, help="build folder to read (default graph/build/)")
    parser.add_argument("--endpoint", default=None, help="read a SPARQL 1.1 endpoint instead of a build")
    parser.add_argument("--seed", type=int, default=42, help="seed of Louvain, sampled betweenness and layouts")
    parser.add_argument("--betweenness-sample", type=int, default=None, metavar="K",
                        help="estimate betweenness from K sources (default: exact up to 2000 actors, 256 above)")
    parser.add_argument("--size-normalised", action="store_true",
                        help="divide each frame's ties by (participants - 1) (Newman's collaboration weighting)")
    parser.add_argument("--page-size", type=int, default=None, metavar="N",
                        help="read results N rows at a time (for stores that cap answers, e.g. Virtuoso)")
    parser.add_argument("--timeout", type=float, default=None, help="time limit per query, in seconds")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .analysis import load, pipeline
    from .paths import default_build_dir
    from .store import open_store

    started = time.perf_counter()
    build = args.build or default_build_dir()
    out = args.out or (build / "analysis")
    source = args.endpoint or str(build)
    try:
        store = open_store(endpoint=args.endpoint) if args.endpoint else open_store(build=build)
        with store:
            data = load(store, page_size=args.page_size, timeout=args.timeout)
    except CoopgraphError as exc:
        print(f"coopgraph analyze: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"read {len(data.participations)} participations, {len(data.agents)} agents, "
          f"{len(data.instruments)} instruments from {source} in {sum(data.timings.values()):.2f} s")

    def step(name: str, seconds: float) -> None:
        print(f"  {name}: {seconds:.2f} s")

    analysis = pipeline.run(data, level=args.level, seed=args.seed, betweenness_k=args.betweenness_sample,
                            size_normalised=args.size_normalised, on_step=step)
    command = ["coopgraph", "analyze", "--level", args.level]
    if args.endpoint:
        command += ["--endpoint", args.endpoint]
    elif args.build:
        command += ["--build", str(args.build)]
    if args.seed != 42:
        command += ["--seed", str(args.seed)]
    if args.betweenness_sample:
        command += ["--betweenness-sample", str(args.betweenness_sample)]
    if args.size_normalised:
        command.append("--size-normalised")
    t = time.perf_counter()
    files = pipeline.write(analysis, out, figures=not args.no_figures, source=source, command=shlex.join(command))
    print(f"  writing: {time.perf_counter() - t:.2f} s")
    g = analysis.graph
    print(f"wrote {len(files)} files to {out} in {time.perf_counter() - started:.2f} s: {g.number_of_nodes()} agents, "
          f"{g.number_of_edges()} ties, {len(analysis.cross_territory)} cross-{args.level} links (report.md)")
    for row in analysis.cross_territory.head(5).itertuples(index=False):
        print(f"  {row.rank}. {row.code_a} {row.territory_a} – {row.code_b} {row.territory_b}: weight {row.weight:g}, "
              f"{row.links} actor ties, {row.instruments}")
    return EXIT_OK
