"""The SPARQL text helpers: lexer, query form, safe binding, content negotiation, result serialisers."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef

from coopgraph.sparql import (
    BindingError,
    NotAcceptable,
    QuerySyntaxError,
    SelectResult,
    bind_values,
    negotiate,
    query_form,
    serialize_boolean,
    serialize_select,
    uses_service,
    values_block,
    where_offsets,
)

EX = "http://example.org/"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <http://example.org/> BASE <http://b/> ask { ?s ex:p ?o }", "ASK"),
        ("# a comment with SELECT\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/x>", "DESCRIBE"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


@pytest.mark.parametrize("text", ["DROP ALL", "INSERT DATA { <a:a> <a:a> <a:a> }", "", "  # only a comment"])
def test_updates_and_empty_texts_are_not_queries(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        query_form(text)


def test_service_is_found_outside_strings_iris_and_comments_only() -> None:
    assert uses_service("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    assert uses_service("select * where { service silent <http://x/> { ?s ?p ?o } }")
    assert not uses_service('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE\n')
    assert not uses_service("SELECT * WHERE { ?s <http://x/SERVICE> ?service . ?s ex:service ?o }")


def test_values_go_after_the_where_brace_not_into_strings_comments_or_the_template() -> None:
    text = ('PREFIX ex: <http://example.org/x#>\n# { not this one\n'
            'CONSTRUCT { ?s ex:p "{" } WHERE { ?s ex:q "}" . { SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } '
            'GROUP BY ?s } }')
    offsets = where_offsets(text)
    assert len(offsets) == 2
    assert text[offsets[0] - 8 : offsets[0]] == " WHERE {"
    assert text[offsets[1] - 8 : offsets[1]] == " WHERE {"
    bound = bind_values(text, {"s": URIRef(EX + "a")})
    assert bound.count("VALUES (?s) { (<http://example.org/a>) }") == 2
    ox.Store().query(bound)  # still valid SPARQL


def test_select_expressions_with_exists_do_not_hide_the_where_group() -> None:
    text = "SELECT ?s (EXISTS { ?s ?p ?o } AS ?e) WHERE { ?s ?p ?o }"
    (offset,) = where_offsets(text)
    assert text[:offset].endswith("WHERE {")


def test_queries_without_a_group_cannot_take_bindings() -> None:
    with pytest.raises(BindingError):
        bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": URIRef(EX)})
    with pytest.raises(BindingError):
        bind_values("DESCRIBE ?s", {"s": URIRef(EX)})
    assert bind_values("DESCRIBE ?s", {}) == "DESCRIBE ?s"


@pytest.mark.parametrize(
    "value",
    [
        '"> } ; DROP ALL #',
        '" || true || "',
        "x\" } } INSERT DATA { <a:a> <a:a> <a:a> } #",
        "line\nbreak\r\t\\ and ''' and \"\"\"",
        "}}}{{{",
    ],
)
def test_hostile_strings_stay_one_literal(value: str) -> None:
    block = values_block({"v": value})
    results = list(ox.Store().query(f"SELECT ?v WHERE {{ {block} }}"))
    assert len(results) == 1
    assert results[0]["v"] == ox.Literal(value)


@pytest.mark.parametrize("iri", ["http://x/> } DROP ALL #", "not an iri", "http://x/ space"])
def test_invalid_iris_are_refused(iri: str) -> None:
    with pytest.raises(BindingError):
        values_block({"v": URIRef(iri)})


def test_bad_bindings_are_refused() -> None:
    with pytest.raises(BindingError):
        values_block({"v": BNode()})
    with pytest.raises(BindingError):
        values_block({"v; DROP": "x"})
    with pytest.raises(BindingError):
        values_block({"v": object()})


def test_python_values_become_typed_literals() -> None:
    block = values_block({"n": 3, "b": True, "s": "x"})
    assert '"3"^^<http://www.w3.org/2001/XMLSchema#integer>' in block
    assert '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>' in block
    assert '"x"' in block


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/*;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.8", "text/tab-separated-values"),
        ("application/json", "application/json"),
    ],
)
def test_negotiation(accept: str | None, expected: str) -> None:
    offered = ["application/sparql-results+json", "application/json", "application/sparql-results+xml",
               "application/xml", "text/csv", "text/tab-separated-values"]
    assert negotiate(accept, offered) == expected


def test_negotiation_fails_clearly() -> None:
    with pytest.raises(NotAcceptable):
        negotiate("image/png", ["text/turtle"])
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle;q=0", ["text/turtle"])


def _result() -> SelectResult:
    return SelectResult(
        ["s", "o"],
        [
            (URIRef(EX + "a"), Literal("Zoé \"z\"", lang="fr")),
            (BNode("b1"), Literal("12", datatype=XSD.integer)),
            (URIRef(EX + "c"), None),
            (URIRef(EX + "d"), Literal("tab\there")),
        ],
    )


@pytest.mark.parametrize("fmt", [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV])
def test_serialised_results_parse_back_strictly(fmt: ox.QueryResultsFormat) -> None:
    name = {ox.QueryResultsFormat.JSON: "json", ox.QueryResultsFormat.XML: "xml",
            ox.QueryResultsFormat.TSV: "tsv"}[fmt]
    parsed = list(ox.parse_query_results(serialize_select(_result(), name), fmt))
    assert len(parsed) == 4
    assert parsed[0]["o"] == ox.Literal("Zoé \"z\"", language="fr")
    assert parsed[1]["o"] == ox.Literal("12", datatype=ox.NamedNode(str(XSD.integer)))
    assert parsed[2]["o"] is None
    assert parsed[3]["o"] == ox.Literal("tab\there")


def test_csv_and_booleans() -> None:
    csv = serialize_select(_result(), "csv").decode()
    assert csv.splitlines()[0] == "s,o"
    assert csv.splitlines()[1] == f'{EX}a,"Zoé ""z"""'
    assert json.loads(serialize_boolean(True, "json")) == {"head": {}, "boolean": True}
    assert bool(ox.parse_query_results(serialize_boolean(False, "xml"), ox.QueryResultsFormat.XML)) is False
