"""``make docs``: the ontology and each vocabulary rendered to HTML by pyLODE, offline.

pyLODE is run as a command (its import resets the root logger); the output folder is git-ignored.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .paths import data_path


def render(out: Path) -> list[Path]:
    """Render coop.ttl (OntPub profile) and every vocabulary (VocPub profile) into ``out``; returns the pages."""
    pylode = shutil.which("pylode", path=str(Path(sys.executable).parent)) or shutil.which("pylode")
    if pylode is None:
        raise SystemExit("pylode is not installed: run `make setup` (it installs the [docs] extra)")
    out.mkdir(parents=True, exist_ok=True)
    onto = data_path("ontology")
    jobs = [(onto / "coop.ttl", "ontpub", out / "ontology.html")]
    jobs += [(p, "vocpub", out / f"vocab-{p.stem}.html") for p in sorted((onto / "vocab").glob("*.ttl"))]
    pages = []
    for source, profile, target in jobs:
        subprocess.run([pylode, "-s", "-p", profile, str(source), "-o", str(target)], check=True)
        pages.append(target)
    index = out / "index.html"
    links = "\n".join(f'<li><a href="{p.name}">{p.stem}</a></li>' for p in pages)
    index.write_text(
        "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>coopgraph — documentation</title>"
        f"<h1>coopgraph</h1><ul>\n{links}\n</ul></html>\n",
        encoding="utf-8",
    )
    return [index, *pages]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("build/docs")
    for page in render(out):
        print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
