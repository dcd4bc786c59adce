"""Namespaces and IRI minting. One base IRI, configurable; keys are official identifiers or stable slugs."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/coopgraph/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")

COOP = Namespace(BASE + "ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")

PREFIXES: dict[str, str] = {
    "coop": str(COOP),
    "org": str(ORG),
    "cv": str(CV),
    "adms": str(ADMS),
    "time": str(TIME),
    "geo": str(GEO),
    "eli": str(ELI),
    "void": str(VOID),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated slug; the same text always gives the same slug."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if not slug:
        raise ValueError(f"cannot make a slug out of {text!r}")
    return slug


def _checked(part: str) -> str:
    if not _KEY.match(part):
        raise ValueError(f"not a safe IRI key: {part!r} (use slugify)")
    return part


def iri(*parts: str, base: str = BASE) -> URIRef:
    """Instance IRI ``{base}id/{part}/{part}…``; every part must already be a safe key."""
    if not parts:
        raise ValueError("iri() needs at least a kind")
    return URIRef(base + "id/" + "/".join(_checked(p) for p in parts))


def vocab(scheme: str, concept: str, base: str = BASE) -> URIRef:
    """Concept IRI of one of the SKOS schemes of ontology/vocab/."""
    return URIRef(f"{base}vocab/{_checked(scheme)}/{_checked(concept)}")


def graph_iri(*parts: str, base: str = BASE) -> URIRef:
    """Named-graph IRI ``{base}graph/…``."""
    return URIRef(base + "graph/" + "/".join(_checked(p) for p in parts))
