"""Strict, offline reading of RDF files, and the bridge between pyoxigraph and rdflib terms.

Every file a user hands us is parsed by pyoxigraph: it is strict where rdflib is lenient, reports line and
column, and never fetches a remote JSON-LD context or an external entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import InputError

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}

_POSITION = re.compile(r"line (\d+) column (\d+)")


def format_of(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension (``.gz`` is looked through)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in FORMATS:
        return FORMATS[suffixes[-1]]
    raise InputError(
        f"unknown RDF file extension; use one of {', '.join(sorted(FORMATS))}", file=str(path)
    )


def parse_quads(path: Path) -> list[ox.Quad]:
    """All quads of a file, strictly parsed; a syntax error becomes an InputError with its line and column."""
    import gzip

    fmt = format_of(path)
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as fh:
                data = fh.read()
            return list(ox.parse(data, format=fmt, base_iri=path.resolve().as_uri()))
        return list(ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()))
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not an RDF file", file=str(path)) from None
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as exc:
        text = str(exc)
        m = _POSITION.search(text)
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        raise InputError(f"not valid {fmt.name}: {text}", file=str(path), line=line, column=column) from None


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> Node | None:
    """One pyoxigraph term as an rdflib term (``None`` for the default graph)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def triples_of(quads: Iterable[ox.Quad]) -> Iterator[tuple[Node, Node, Node]]:
    for q in quads:
        yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)  # type: ignore[misc]


def read_graph(*paths: Path) -> Graph:
    """The union of the triples of several files (named graphs merged), as one rdflib Graph."""
    graph = Graph()
    for path in paths:
        for triple in triples_of(parse_quads(Path(path))):
            graph.add(triple)
    return graph


def read_dataset(*paths: Path) -> Dataset:
    """Several files as one rdflib Dataset, named graphs kept."""
    ds = Dataset()
    for path in paths:
        for q in parse_quads(Path(path)):
            g = to_rdflib(q.graph_name)
            target = ds.graph(g) if g is not None else ds.default_graph
            target.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return ds
