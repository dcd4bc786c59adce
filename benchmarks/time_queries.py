"""Time the queries of ``queries/`` on a build's embedded store: median, fastest and slowest of N runs, and rows.

    python benchmarks/time_queries.py benchmarks/build/builds/S-seed20240917-g1 5
    python benchmarks/time_queries.py BUILD 5 --only cross-border-partnerships --only legal-bases
    python benchmarks/time_queries.py BUILD 1 --queries /tmp/old-queries --save /tmp/old-rows   # another library
    python benchmarks/time_queries.py BUILD 1 --compare /tmp/old-rows                           # same rows?

Parameters are the queries' defaults, except those that name something of the generated data (an actor, an
instrument, a département, a theme): when the build comes from ``benchmarks/run.py`` (``builds/NAME`` with its
``data/NAME/generated.json`` beside it) they point at the same things as in ``benchmarks/RESULTS.md``, so the
figures compare. ``--defaults`` runs the queries with their defaults only (an optional instrument left unbound: the
query then ranges over every instrument). ``--save DIR`` writes each query's rows (sorted, N-Triples terms) as ``DIR/NAME.json``;
``--compare DIR`` checks the rows against such a folder (sorted row sets equal, lists of ``unordered`` columns
sorted). The output is a Markdown table (no timestamps: rerun it to reproduce a figure); it depends on the machine
and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from coopgraph.queries import library  # noqa: E402
from coopgraph.store import EmbeddedStore, StoreError  # noqa: E402

BASE = "https://w3id.org/coopgraph/id/"
THEME = "https://w3id.org/coopgraph/vocab/theme/enfance"  # as benchmarks/run.py


def probe_values(build: Path) -> dict[str, str]:
    """The seed-specific parameter values benchmarks/run.py uses for this build, or none."""
    generated = build.parent.parent / "data" / build.name / "generated.json"
    if not generated.is_file():
        return {}
    probe = json.loads(generated.read_text(encoding="utf-8"))["probe"]
    return {"actor": f"{BASE}acteur/siren/{probe['epci']}", "epci": f"{BASE}acteur/siren/{probe['epci']}",
            "instrument": f"{BASE}instrument/{probe['instrument']}", "node": f"{BASE}instrument/{probe['instrument']}",
            "departement": f"{BASE}territoire/departement/{probe['departement']}", "theme": THEME}


def n3(term: object) -> str:
    return "" if term is None else term.n3()  # type: ignore[attr-defined]


def rows_of(doc, answer) -> list[list[str]]:
    unordered = {answer.variables.index(c) for c in doc.unordered if c in answer.variables}
    out = []
    for row in answer.rows:
        cells = [n3(t) for t in row]
        for i in unordered:
            if row[i] is not None:
                cells[i] = " ".join(sorted(str(row[i]).split()))
        out.append(cells)
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build", type=Path, help="a build folder (with its embedded store in store/)")
    ap.add_argument("repeat", type=int, nargs="?", default=5, help="runs per query (default 5)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="time this query only (repeatable)")
    ap.add_argument("--queries", type=Path, default=None, help="a folder of .rq files (default: queries/)")
    ap.add_argument("--timeout", type=float, default=120.0, help="time bound of one run, seconds (default 120)")
    ap.add_argument("--save", type=Path, default=None, help="write each query's sorted rows to DIR/NAME.json")
    ap.add_argument("--compare", type=Path, default=None, help="compare each query's rows with DIR/NAME.json")
    ap.add_argument("--defaults", action="store_true",
                    help="run every query with its header's defaults only (optional parameters left unbound)")
    args = ap.parse_args(argv)

    store = EmbeddedStore.for_build(args.build)
    values = {} if args.defaults else probe_values(args.build)
    docs = library(args.queries)
    names = args.only or sorted(docs)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    print(f"| query | median s | min s | max s | rows |{' same rows |' if args.compare else ''}")
    print(f"|---|---:|---:|---:|---:|{'---|' if args.compare else ''}")
    failed = 0
    for name in names:
        doc = docs[name]
        bindings = doc.bindings({p.name: values[p.name] for p in doc.params
                                 if p.name in values and p.type == "iri"})
        times: list[float] = []
        answer = None
        error = None
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            try:
                answer = store.query(doc.text, bindings, timeout=args.timeout)
            except StoreError as exc:
                error = f"{type(exc).__name__}: {exc}"
                break
            times.append(time.perf_counter() - started)
        if error:
            print(f"| {name} | {error} | | | |{' |' if args.compare else ''}")
            failed += 1
            continue
        rows = rows_of(doc, answer)
        same = ""
        if args.save:
            (args.save / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        if args.compare:
            old = args.compare / f"{name}.json"
            same = " – |" if not old.is_file() else (" yes |" if json.loads(old.read_text("utf-8")) == rows
                                                      else " **no** |")
            failed += same == " **no** |"
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} | {len(rows)} |{same}",
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
