"""The build's files: the download list (sizes, SHA-256) and the VoID + DCAT description."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

# What a build folder offers for download, in this order; anything else in it (store/, temporary files) is not
# served. A name is served only if it is one of these and a regular file directly in the build folder.
OFFERED = {
    "coopgraph.trig": "application/trig",
    "coopgraph.nt.gz": "application/gzip",
    "coopgraph.ttl": "text/turtle",
    "coopgraph.jsonld": "application/ld+json",
    "context.jsonld": "application/ld+json",
    "void.ttl": "text/turtle",
    "summary.json": "application/json",
    "report.txt": "text/plain",
    "report.json": "application/json",
    "report.ttl": "text/turtle",
}


@dataclass(frozen=True)
class DumpFile:
    name: str
    size: int
    sha256: str
    media_type: str


class Dumps:
    """The downloadable files of a build, with checksums computed once per file version (name, size, mtime)."""

    def __init__(self, build: Path | None) -> None:
        self.build = build.resolve() if build is not None else None
        self._sums: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def _candidates(self) -> list[Path]:
        if self.build is None or not self.build.is_dir():
            return []
        out = []
        for name in OFFERED:
            p = self.build / name
            if p.is_file() and not p.is_symlink():
                out.append(p)
        return out

    def path(self, name: str) -> Path | None:
        """The file for a download name, or None (unknown names, folders, links, anything outside the build)."""
        if name not in OFFERED or self.build is None:
            return None
        p = self.build / name
        if not p.is_file() or p.is_symlink() or p.resolve().parent != self.build:
            return None
        return p

    def _sha256(self, p: Path) -> str:
        st = p.stat()
        key = (p.name, st.st_size, st.st_mtime_ns)
        with self._lock:
            if key in self._sums:
                return self._sums[key]
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        with self._lock:
            self._sums[key] = digest
        return digest

    def files(self) -> list[DumpFile]:
        return [DumpFile(p.name, p.stat().st_size, self._sha256(p), OFFERED[p.name]) for p in self._candidates()]

    def warm(self) -> None:
        """Compute the checksums in the background, so the first visit to /dumps/ does not wait."""
        threading.Thread(target=self.files, name="coopgraph-sha256", daemon=True).start()

    def sha256sums(self) -> str:
        return "".join(f"{f.sha256}  {f.name}\n" for f in self.files())


def read_void(build: Path | None) -> list[ox.Triple]:
    """The triples of the build's void.ttl (empty when there is none)."""
    if build is None or not (build / "void.ttl").is_file():
        return []
    return [q.triple for q in ox.parse(path=str(build / "void.ttl"), format=ox.RdfFormat.TURTLE)]


def human_size(n: int, lang: str) -> str:
    units = ["o", "Ko", "Mo", "Go"] if lang == "fr" else ["B", "kB", "MB", "GB"]
    size = float(n)
    for unit in units:
        if size < 1000 or unit == units[-1]:
            text = f"{size:.0f} {unit}" if unit == units[0] else f"{size:.1f} {unit}"
            return text.replace(".", ",") if lang == "fr" else text
        size /= 1000
    return f"{n}"
