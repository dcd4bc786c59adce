"""The embedded store: the build's Oxigraph on disk, and the same interface in memory."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from coopgraph.build import BuildResult
from coopgraph.sparql import (
    BindingError,
    ForbiddenQuery,
    NotAcceptable,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from coopgraph.store import EmbeddedStore, graph_ntriples, load_store, open_store

EX = "http://example.org/"
TRIG = f"""
@prefix ex: <{EX}> .
ex:g1 {{ ex:a ex:p ex:b . ex:a ex:name "Alice"@fr . ex:b ex:n 3 . }}
ex:g2 {{ ex:c ex:p ex:d . ex:c ex:name "C \\"quoted\\"" . ex:a ex:p ex:b . }}
"""


@pytest.fixture()
def small(tmp_path: Path) -> EmbeddedStore:
    path = tmp_path / "small.trig"
    path.write_text(TRIG, encoding="utf-8")
    return EmbeddedStore.from_files(path)


def test_queries_see_the_union_of_the_named_graphs(small: EmbeddedStore) -> None:
    res = small.select(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s")
    assert res.variables == ["s", "o"]
    assert res.rows == [(URIRef(EX + "a"), URIRef(EX + "b")), (URIRef(EX + "c"), URIRef(EX + "d"))]
    # a triple stated in two graphs matches once per graph (as on Oxigraph server --union-default-graph)
    assert len(small.select(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}")) == 3
    assert small.graphs() == [URIRef(EX + "g1"), URIRef(EX + "g2")]
    assert small.ask(f"ASK {{ GRAPH <{EX}g2> {{ ?s <{EX}name> ?n }} }}")


def test_bindings_are_terms(small: EmbeddedStore) -> None:
    q = f"SELECT ?s ?n WHERE {{ ?s <{EX}name> ?n }}"
    assert len(small.select(q, {"n": Literal("Alice", lang="fr")})) == 1
    assert len(small.select(q, {"n": "Alice"})) == 0  # a plain string is not the French literal
    assert len(small.select(q, {"s": URIRef(EX + "c")})) == 1
    # a variable that is not projected is bound too (VALUES, not Oxigraph's projection-only substitution)
    assert small.select(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}", {"s": URIRef(EX + "c")}).rows == [(URIRef(EX + "d"),)]
    # BOUND() sees the parameter
    q = f"SELECT DISTINCT ?o WHERE {{ ?x <{EX}p> ?o FILTER(!BOUND(?s) || ?x = ?s) }}"
    assert len(small.select(q)) == 2
    assert len(small.select(q, {"s": URIRef(EX + "c")})) == 1


@pytest.mark.parametrize("value", ['"> } ; DROP ALL #', '" || true || "', "x' } } DELETE WHERE { ?s ?p ?o } #"])
def test_injection_attempts_are_literals(small: EmbeddedStore, value: str) -> None:
    before = len(small)
    assert small.select(f"SELECT ?s ?n WHERE {{ ?s <{EX}name> ?n }}", {"n": value}).rows == []
    assert len(small) == before


def test_construct_describe_and_answers(small: EmbeddedStore) -> None:
    g = small.construct(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert isinstance(g, Graph) and len(g) == 2
    assert len(small.describe(f"DESCRIBE <{EX}a>")) >= 1
    ans = small.answer(f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}", "text/tab-separated-values")
    assert ans.media_type == "text/tab-separated-values"
    assert '"C \\"quoted\\""' in ans.body.decode()
    ans = small.answer(f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}", None)
    assert len(json.loads(ans.body)["results"]["bindings"]) == 2
    ans = small.answer(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}", "application/n-triples")
    assert len(list(ox.parse(ans.body, format=ox.RdfFormat.N_TRIPLES))) == 2
    assert small.answer("ASK { ?s ?p ?o }", "application/sparql-results+xml").body.count(b"true") == 1
    with pytest.raises(NotAcceptable):
        small.answer("ASK { ?s ?p ?o }", "text/turtle")


def test_clear_errors(small: EmbeddedStore) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        small.select("SELECT ?s WHERE {\n  ?s ?p \n}")
    assert err.value.line == 3 and err.value.column is not None
    assert f"line 3, column {err.value.column}" in str(err.value)
    with pytest.raises(QuerySyntaxError) as err:  # the place is in the text as written, not the bound one
        small.select("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(\n}", {"s": URIRef(EX + "a")})
    assert err.value.line == 4
    with pytest.raises(QuerySyntaxError, match="updates are not run"):
        small.query("DROP ALL")
    with pytest.raises(ForbiddenQuery):
        small.select("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    with pytest.raises(StoreError, match="expected a SELECT"):
        small.select("ASK { ?s ?p ?o }")
    with pytest.raises(BindingError):
        small.construct("CONSTRUCT WHERE { ?s ?p ?o }", {"s": URIRef(EX + "a")})


def test_row_limit(small: EmbeddedStore) -> None:
    assert len(small.select("SELECT * WHERE { ?s ?p ?o }", max_rows=10)) == 6
    with pytest.raises(ResultTooLarge):
        small.select("SELECT * WHERE { ?s ?p ?o }", max_rows=5)
    with pytest.raises(ResultTooLarge):
        small.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=2)


def test_timeout_gives_control_back() -> None:
    store = EmbeddedStore()
    nodes = [ox.NamedNode(f"{EX}n{i}") for i in range(400)]
    store.oxigraph.extend(ox.Quad(n, ox.NamedNode(EX + "p"), m, ox.DefaultGraph()) for n, m in itertools.pairwise(nodes))
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.select("SELECT ?a ?b ?c ?d WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h }", timeout=0.5)
    assert time.monotonic() - started < 5


def test_replace_graph_needs_a_writable_store(tmp_path: Path) -> None:
    trig = tmp_path / "d.trig"
    trig.write_text(TRIG, encoding="utf-8")
    assert load_store(trig, tmp_path / "store") == 6
    ro = EmbeddedStore(tmp_path / "store")
    with pytest.raises(StoreError, match="read-only"):
        ro.replace_graph(EX + "g1", b"")
    ro.close()
    rw = EmbeddedStore(tmp_path / "store", read_only=False)
    rw.replace_graph(EX + "g1", f"<{EX}z> <{EX}p> <{EX}y> .\n".encode())
    rw.replace_graph(EX + "g1", f"<{EX}z> <{EX}p> <{EX}y> .\n".encode())
    assert len(rw.select(f"SELECT * WHERE {{ GRAPH <{EX}g1> {{ ?s ?p ?o }} }}")) == 1
    assert graph_ntriples(rw.quads(EX + "g2"))[EX + "g2"].count(b"\n") == 3


def test_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="coopgraph build"):
        EmbeddedStore.for_build(tmp_path / "nothing")
    with pytest.raises(StoreError, match="coopgraph build"):
        open_store(build=tmp_path)


def test_the_build_has_its_store(seed_build: BuildResult) -> None:
    assert seed_build.out is not None
    store = EmbeddedStore.for_build(seed_build.out)
    graphs = [str(g) for g in store.graphs()]
    assert "https://w3id.org/coopgraph/graph/reference" in graphs
    assert "https://w3id.org/coopgraph/graph/ontology" in graphs
    assert any("/graph/source/" in g for g in graphs)
    summary = json.loads((Path(seed_build.out) / "summary.json").read_text())
    assert len(store) == sum(summary["graphs"].values())  # quads: one per graph a triple is stated in
    # several readers at once: the store opens read-only
    again = EmbeddedStore.for_build(seed_build.out)
    assert again.ask("ASK { ?s a <https://w3id.org/coopgraph/ontology#Action> }")
