"""The build's own N-Quads writing: the lines it makes are the ones Oxigraph writes, and the JSON-LD it streams
loses nothing but the array's brackets."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from coopgraph.build import _ArrayItems, _NQuadSink, _own_ntriples
from coopgraph.iris import COOP, iri
from coopgraph.rdfio import to_oxigraph

NAME = URIRef("https://w3id.org/coopgraph/graph/source/doc-a")
OTHER = URIRef("https://w3id.org/coopgraph/graph/source/doc-b")
NODE = iri("action", "ctg-1", "emploi")
OBJECTS = [
    iri("acteur", "caf-42"),
    URIRef("https://w3id.org/coopgraph/id/territoire/commune/2A004"),
    Literal("Santé « jeunes » — été\n\"deux\" \\ lignes\ttab\r", lang="fr"),
    Literal("Tab\tand\u0007bell"),
    Literal(3),
    Literal(True),
    Literal("2020", datatype=XSD.gYear),
    Literal(5, datatype=XSD.positiveInteger),
    Literal("x", datatype=XSD.string),
    BNode("b0"),
]


def test_sink_lines_are_what_oxigraph_writes_for_the_same_quads() -> None:
    sink = _NQuadSink()
    triples = {(NODE, COOP.theme, o) for o in OBJECTS}
    sink(NAME, triples)
    expected = sorted(
        f"{ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(NAME)))} .\n".encode()
        for s, p, o in triples
    )
    assert sorted(sink.lines) == expected
    parsed = list(ox.parse(b"".join(sink.lines), format=ox.RdfFormat.N_QUADS))  # and Oxigraph reads them back
    assert {str(q.object) for q in parsed} == {str(to_oxigraph(o)) for o in OBJECTS}
    assert sink.sizes == {str(NAME): len(OBJECTS)}


def test_sink_remembers_every_graph_a_subject_is_described_in() -> None:
    sink = _NQuadSink()
    sink(NAME, {(NODE, COOP.rang, Literal(1)), (NODE, COOP.numero, Literal("1"))})
    sink(OTHER, {(NODE, COOP.rang, Literal(1))})
    assert sink.described_in[NODE] == [NAME, OTHER]


def test_own_ntriples_drops_the_graph_and_the_repeats_and_stays_sorted() -> None:
    sink = _NQuadSink()
    sink(NAME, {(NODE, COOP.theme, o) for o in OBJECTS})
    sink(OTHER, {(NODE, COOP.theme, o) for o in OBJECTS[:4]} | {(iri("acteur", "a"), COOP.rang, Literal(2))})
    sink.lines.sort()
    out = io.BytesIO()
    count = _own_ntriples(sink.lines, out)
    lines = out.getvalue().splitlines(keepends=True)
    expected = sorted({f"{q.subject} {q.predicate} {q.object} .\n".encode()
                       for q in ox.parse(b"".join(sink.lines), format=ox.RdfFormat.N_QUADS)})
    assert lines == expected and count == len(OBJECTS) + 1


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 10_000])
@pytest.mark.parametrize("text", [b'[ {"@id": "a"} , {"@id": "b"} ]\n', b"[]", b"\n[\n  ]  \n",
                                  b'[{"@id": "http://x/]"}]'])
def test_array_items_keep_what_is_between_the_brackets(text: bytes, chunk: int) -> None:
    out = io.BytesIO()
    with _ArrayItems(out) as items:
        for i in range(0, len(text), chunk):
            items.write(text[i : i + chunk])
    assert out.getvalue() == text.strip()[1:-1].strip()
    assert json.loads(b"[" + out.getvalue() + b"]") == json.loads(text)


def test_array_items_refuse_what_is_not_an_array() -> None:
    with pytest.raises(ValueError), _ArrayItems(io.BytesIO()) as items:
        items.write(b'{"@id": "a"}')
