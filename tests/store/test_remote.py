"""The remote store against a real Oxigraph server: Graph Store Protocol, same answers, traps detected."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from coopgraph.sparql import ForbiddenQuery, QuerySyntaxError, ResultTooLarge, StoreError, TruncatedResult
from coopgraph.store import EmbeddedStore, RemoteStore, graph_ntriples, guess_graph_store
from tests.queries.results import canonical
from tests.servers import Server, oxigraph_server

EX = "http://example.org/"
TRIG = f"""
@prefix ex: <{EX}> .
ex:g1 {{ ex:a ex:p ex:b . ex:a ex:name "Alice"@fr . ex:b ex:n 3 . _:x ex:p ex:a . }}
ex:g2 {{ ex:c ex:p ex:d . ex:c ex:name "C \\"quoted\\"" . ex:c ex:when "2020"^^<http://www.w3.org/2001/XMLSchema#gYear> . }}
"""


@pytest.fixture()
def pair(tmp_path: Path, oxigraph_empty: Server) -> tuple[EmbeddedStore, RemoteStore]:
    path = tmp_path / "small.trig"
    path.write_text(TRIG, encoding="utf-8")
    remote = RemoteStore(oxigraph_empty.query, timeout=30)
    for name, data in graph_ntriples(ox.parse(path=str(path))).items():
        remote.replace_graph(name, data)
    return EmbeddedStore.from_files(path), remote


def test_graph_store_endpoints_are_guessed() -> None:
    assert guess_graph_store("http://h:7878/query") == "http://h:7878/store"
    assert guess_graph_store("http://h:8890/sparql") == "http://h:8890/sparql-graph-crud-auth"
    assert guess_graph_store("http://h:3030/ds/sparql") == "http://h:3030/ds/data"
    assert guess_graph_store("http://h/some/where") is None
    with pytest.raises(StoreError, match="--graph-store"):
        RemoteStore("http://h/some/where").replace_graph(EX + "g", b"")
    with pytest.raises(StoreError):
        RemoteStore("file:///etc/passwd")


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}",
        f"SELECT ?n (COUNT(*) AS ?c) WHERE {{ ?s <{EX}name> ?n }} GROUP BY ?n",
        f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s <{EX}name> ?n }} }}",
        f"SELECT ?w WHERE {{ ?s <{EX}when> ?w }}",
        f"ASK {{ <{EX}a> <{EX}p> <{EX}b> }}",
        f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o FILTER(isIRI(?s)) }}",
    ],
)
def test_same_answers(pair: tuple[EmbeddedStore, RemoteStore], query: str) -> None:
    embedded, remote = pair
    here, there = embedded.query(query), remote.query(query)
    assert canonical(here) == canonical(there)
    if hasattr(here, "rows"):  # the very same rdflib terms, not only the same N-Triples
        assert sorted(map(repr, (r for r in here.rows if "BNode" not in repr(r)))) == sorted(
            map(repr, (r for r in there.rows if "BNode" not in repr(r))))


def test_bindings_and_injection_attempts(pair: tuple[EmbeddedStore, RemoteStore]) -> None:
    _embedded, remote = pair
    q = f"SELECT ?s WHERE {{ ?s <{EX}name> ?n }}"
    for store in pair:
        assert len(store.select(q, {"n": Literal("Alice", lang="fr")})) == 1
        assert len(store.select(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}", {"s": URIRef(EX + "c")})) == 1
        for hostile in ['"> } ; DROP ALL #', '" || true || "', 'x" } } ; CLEAR ALL ; SELECT * { "']:
            assert store.select(q, {"n": hostile}).rows == []
    assert len(remote.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) == 7  # nothing was dropped


def test_graph_store_put_replaces(pair: tuple[EmbeddedStore, RemoteStore]) -> None:
    _, remote = pair
    data = f"<{EX}z> <{EX}p> <{EX}y> .\n".encode()
    remote.replace_graph(EX + "g1", data)
    remote.replace_graph(EX + "g1", data)
    assert len(remote.select(f"SELECT * WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}")) == 1
    assert remote.graphs() == [URIRef(EX + "g1"), URIRef(EX + "g2")]
    remote.delete_graph(EX + "g1")
    remote.delete_graph(EX + "g1")  # gone already: not an error
    assert remote.graphs() == [URIRef(EX + "g2")]


def test_large_graphs_go_in_parts_without_splitting_blank_nodes(oxigraph_empty: Server) -> None:
    remote = RemoteStore(oxigraph_empty.query, chunk_bytes=2000)
    lines = [f"<{EX}s{i}> <{EX}p> \"{i}\" .\n" for i in range(300)]
    lines[150:150] = [f"_:b1 <{EX}p> <{EX}s{i}> .\n" for i in range(20)]
    remote.replace_graph(EX + "big", "".join(lines).encode())
    remote.replace_graph(EX + "big", "".join(lines).encode())
    assert len(remote.select("SELECT * WHERE { ?s ?p ?o }")) == 320
    assert len(remote.select(f"SELECT DISTINCT ?b WHERE {{ ?b <{EX}p> ?o FILTER(isBlank(?b)) }}")) == 1


def test_answers_are_reserialised_from_strict_parses(pair: tuple[EmbeddedStore, RemoteStore]) -> None:
    embedded, remote = pair
    q = f"SELECT ?s ?n WHERE {{ ?s <{EX}name> ?n }}"
    for accept in ("text/tab-separated-values", "text/csv", "application/sparql-results+xml", None):
        a, b = embedded.answer(q, accept), remote.answer(q, accept)
        assert a.media_type == b.media_type
        assert sorted(a.body.splitlines()[1:]) == sorted(b.body.splitlines()[1:]) or accept in (
            "application/sparql-results+xml", None)
    assert len(json.loads(remote.answer(q).body)["results"]["bindings"]) == 2


def test_errors_are_clear(pair: tuple[EmbeddedStore, RemoteStore], tmp_path: Path) -> None:
    _, remote = pair
    with pytest.raises(QuerySyntaxError) as err:
        remote.select("SELECT ?s WHERE {\n ?s ?p \n}")
    assert err.value.line == 3
    with pytest.raises(ForbiddenQuery):
        remote.select("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    with pytest.raises(ResultTooLarge):
        remote.select("SELECT * WHERE { ?s ?p ?o }", max_rows=3)
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore("http://127.0.0.1:9/query", timeout=5).select("SELECT * WHERE { ?s ?p ?o }")


def test_a_timed_out_oxigraph_answer_is_reported_not_returned(tmp_path: Path) -> None:
    """Oxigraph server answers 200 and then cuts the body when --timeout-s expires."""
    with oxigraph_server(tmp_path / "slow", location=None, timeout_s=1) as server:
        remote = RemoteStore(server.query, timeout=60)
        nt = "".join(f"<{EX}s{i}> <{EX}p> <{EX}o{i % 50}> .\n" for i in range(1500))
        remote.replace_graph(EX + "g", nt.encode())
        with pytest.raises(TruncatedResult, match="--timeout-s"):
            remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
