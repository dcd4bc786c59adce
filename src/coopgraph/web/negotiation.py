"""Content negotiation for documents: media types, file extensions, q-values.

The Accept header is read with :func:`coopgraph.sparql.negotiate` (q-values, ``type/*`` and ``*/*`` wildcards, ties
kept in our order of preference), so pages and the SPARQL endpoint negotiate the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..sparql import NotAcceptable, negotiate


@dataclass(frozen=True)
class Variant:
    """One representation of a document: its extension, media type and (for RDF) the pyoxigraph format."""

    ext: str
    media_type: str
    rdf_format: ox.RdfFormat | None

    @property
    def is_html(self) -> bool:
        return self.rdf_format is None


HTML = Variant("html", "text/html", None)
TURTLE = Variant("ttl", "text/turtle", ox.RdfFormat.TURTLE)
NTRIPLES = Variant("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES)
JSONLD = Variant("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD)
RDFXML = Variant("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML)

# Our order of preference when the client has none: HTML first (a browser, or curl with */*), then Turtle.
VARIANTS: tuple[Variant, ...] = (HTML, TURTLE, NTRIPLES, JSONLD, RDFXML)
RDF_VARIANTS: tuple[Variant, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)
BY_EXT: dict[str, Variant] = {v.ext: v for v in VARIANTS}
BY_MEDIA: dict[str, Variant] = {v.media_type: v for v in VARIANTS}
# Media types some clients still send for the same formats.
ALIASES: dict[str, Variant] = {
    "application/xhtml+xml": HTML,
    "application/x-turtle": TURTLE,
    "application/json": JSONLD,
}

# What an error message lists as the types one can ask for.
OFFERED = ", ".join(v.media_type for v in VARIANTS)


def _normalise(accept: str | None) -> str | None:
    """Rewrite aliases to the media type we serve, keeping their q-values."""
    if not accept:
        return accept
    parts = []
    for part in accept.split(","):
        media, sep, params = part.strip().partition(";")
        alias = ALIASES.get(media.strip().lower())
        parts.append(f"{alias.media_type}{sep}{params}" if alias else part.strip())
    return ", ".join(p for p in parts if p)


def choose(accept: str | None, offered: tuple[Variant, ...] = VARIANTS) -> Variant:
    """The variant the Accept header prefers; NotAcceptable (406) when none is acceptable."""
    media = negotiate(_normalise(accept), [v.media_type for v in offered])
    return BY_MEDIA[media]


def split_extension(path: str) -> tuple[str, Variant | None]:
    """``"id/acteur/caf/49.ttl"`` → ``("id/acteur/caf/49", TURTLE)``; no known extension → ``(path, None)``."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in BY_EXT and stem and not stem.endswith("/"):
        return stem, BY_EXT[ext]
    return path, None


__all__ = [
    "BY_EXT",
    "HTML",
    "JSONLD",
    "NTRIPLES",
    "OFFERED",
    "RDFXML",
    "RDF_VARIANTS",
    "TURTLE",
    "VARIANTS",
    "NotAcceptable",
    "Variant",
    "choose",
    "split_extension",
]
