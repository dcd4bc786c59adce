"""Strict checks of every RDF body a test receives: pyoxigraph always, Debian's rapper where it is installed."""

from __future__ import annotations

import shutil
import subprocess

import pyoxigraph as ox

FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
RAPPER = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/rdf+xml": "rdfxml"}
checked_by_rapper: list[str] = []


def media_of(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def parse(body: bytes, content_type: str | None) -> list[ox.Triple]:
    """The triples of an RDF body, parsed strictly in the format its Content-Type names (rapper too, if present)."""
    media = media_of(content_type)
    assert media in FORMATS, f"not an RDF media type: {content_type}"
    triples = [q.triple for q in ox.parse(body, format=FORMATS[media])]
    rapper(body, media, len(triples))
    return triples


def rapper(body: bytes, media: str, expected: int | None = None) -> None:
    exe = shutil.which("rapper")
    if exe is None or media not in RAPPER:
        return
    proc = subprocess.run([exe, "-q", "-i", RAPPER[media], "-o", "ntriples", "-", "http://example.invalid/base"],
                          input=body, capture_output=True, timeout=60)
    assert proc.returncode == 0, f"rapper rejects this {media}: {proc.stderr.decode('utf-8', 'replace')[:1000]}"
    if expected is not None:
        n = len([ln for ln in proc.stdout.splitlines() if ln.strip()])
        assert n == expected, f"rapper reads {n} triples, pyoxigraph {expected}"
    checked_by_rapper.append(media)
