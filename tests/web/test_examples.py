"""The query page's examples: the research queries of queries/ (read by coopgraph.queries), parameters bound as
typed terms, results linked back to resource pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph import queries
from coopgraph.web import ServeConfig, create_app
from coopgraph.web.examples import builtin_examples, load_examples

ACTOR_QUERY = """#+ title: An actor's cooperations
#+ question.fr: Dans quels instruments un acteur intervient-il, et avec quel rôle ?
#+ question.en: In which instruments does an actor take part, and in which role?
#+ param: actor iri = https://w3id.org/coopgraph/id/acteur/caf/49 -- the actor
#+ returns.fr: une ligne par participation
#+ returns.en: one row per participation
PREFIX coop: <https://w3id.org/coopgraph/ontology#>
SELECT ?actor ?instrument ?role WHERE {
  ?p coop:agent ?actor ; coop:role ?role ; coop:cadre ?instrument .
}
"""


def test_every_research_query_is_an_example() -> None:
    names = [e.name for e in load_examples()]
    assert names == list(queries.library())
    ex = load_examples()[0]
    assert ex.question("fr") and ex.question("en") and ex.returns("fr")


def test_builtin_examples_when_there_is_no_file(tmp_path: Path) -> None:
    assert [e.name for e in load_examples(tmp_path)] == [e.name for e in builtin_examples()]


@pytest.fixture(scope="module")
def examples_client(web_build: Path, tmp_path_factory: pytest.TempPathFactory):
    from starlette.testclient import TestClient

    folder = tmp_path_factory.mktemp("queries")
    (folder / "actor-cooperations.rq").write_text(ACTOR_QUERY, encoding="utf-8")
    app = create_app(ServeConfig(build=web_build, queries=folder))
    with TestClient(app) as c:
        yield c


def test_query_page_runs_an_example_with_its_parameters(examples_client) -> None:
    page = examples_client.get("/query", params={"example": "actor-cooperations"})
    assert "<h2>An actor&#39;s cooperations</h2>" in page.text
    assert "Dans quels instruments un acteur intervient-il" in page.text
    assert 'name="p_actor" value="https://w3id.org/coopgraph/id/acteur/caf/49"' in page.text
    r = examples_client.post("/query", data={"example": "actor-cooperations", "query": ACTOR_QUERY,
                                             "p_actor": "https://w3id.org/coopgraph/id/acteur/siren/200071553"})
    assert r.status_code == 200
    assert 'class="data results-table"' in r.text
    assert "/id/instrument/ctg-loire-layon-aubance-2020-2024.html" in r.text  # results link to resource pages
    assert "CC Loire Layon Aubance" in r.text and "Caf de Maine-et-Loire" not in r.text  # the parameter was bound


@pytest.mark.parametrize("value", ["<x> } ; DROP ALL", "not an iri", "https://x/ y"])
def test_a_parameter_is_a_typed_term_or_an_error(examples_client, value: str) -> None:
    r = examples_client.post("/query", data={"example": "actor-cooperations", "query": ACTOR_QUERY,
                                             "p_actor": value})
    assert r.status_code == 400 and "actor" in r.text


def test_every_shipped_example_runs_on_the_seed(client) -> None:
    for ex in load_examples():
        r = client.get("/query", params={"example": ex.name, "query": ex.text})
        assert r.status_code == 200, (ex.name, r.text[-2000:])
        assert "error-box" not in r.text, ex.name


def test_query_page_reports_errors_with_their_place(client) -> None:
    r = client.post("/query", data={"query": "SELECT ?x WHERE {\n ?x ?y \n}"})
    assert r.status_code == 400 and "line 3" in r.text
    r = client.post("/query", data={"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"})
    assert r.status_code == 403


def test_query_page_shows_ask_and_construct(client) -> None:
    r = client.get("/query", params={"query": "ASK { ?s ?p ?o }"})
    assert 'class="boolean"' in r.text
    r = client.get("/query", params={"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/coopgraph/ontology#Axe> }"})
    assert r.status_code == 200 and "/id/axe/" in r.text
