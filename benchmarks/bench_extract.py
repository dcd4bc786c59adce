"""How fast `coopgraph extract` turns a ten-page convention into a draft, with and without the reference layer.

    .venv/bin/python benchmarks/bench_extract.py [--repeat 5]

The document is the CTG of the extractor's test documents with its action table repeated to about ten pages.
Prints the median seconds of each case (the reference index is loaded once, before timing).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from coopgraph.extract import extract_text
from coopgraph.extract.actors import NoResolver, ReferenceResolver
from coopgraph.paths import data_path
from coopgraph.reference import LAYER_FILE

CTG = Path(__file__).resolve().parents[1] / "tests" / "extract" / "documents" / "ctg-vezere-monedieres-2022.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    base = CTG.read_text(encoding="utf-8")
    text = base + "\n" + "\n".join(base.split("\n")[40:120]) * 7
    started = time.perf_counter()
    reference = ReferenceResolver.load(data_path("graph/reference") / LAYER_FILE)
    loaded = time.perf_counter() - started
    print(f"document: {len(text.splitlines())} lines; reference index loaded in {loaded:.2f} s")
    for name, resolver in (("without the reference layer", NoResolver()), ("with the reference layer", reference)):
        extract_text("Convention\n\nFait à Tulle, le 1er mars 2021\n", resolver=resolver)  # first-use loading
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            extract_text(text, resolver=resolver)
            runs.append(time.perf_counter() - t)
        print(f"{name}: median {statistics.median(runs):.3f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
