"""/sparql in-process: the protocol's forms, result formats, dataset parameters, limits, refusals."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from coopgraph.web import ServeConfig, create_app
from tests.web.rdfcheck import parse

BASE = "https://w3id.org/coopgraph/"
PREFIX = "PREFIX coop: <https://w3id.org/coopgraph/ontology#>\n"
PARTIES = PREFIX + "SELECT ?a WHERE { <https://w3id.org/coopgraph/id/instrument/ctg-loire-layon-aubance-2020-2024> " \
                   "coop:partie ?a } ORDER BY ?a"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


def bindings(r) -> list[dict]:
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_get_post_form_and_post_direct_agree(client) -> None:
    a = bindings(client.get("/sparql", params={"query": PARTIES}))
    b = bindings(client.post("/sparql", data={"query": PARTIES}, headers=FORM))
    c = bindings(client.post("/sparql", content=PARTIES.encode(), headers=DIRECT))
    assert a == b == c and len(a) == 3


@pytest.mark.parametrize(("accept", "media"), [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/json"),
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
])
def test_select_result_formats(client, accept: str | None, media: str) -> None:
    r = client.get("/sparql", params={"query": PARTIES}, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]
    if "json" in media:
        assert len(r.json()["results"]["bindings"]) == 3
    elif "xml" in media:
        root = ET.fromstring(r.content)
        assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 3
    elif media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["a"] and len(rows) == 4
    else:
        lines = r.text.splitlines()
        assert lines[0] == "?a" and all(ln.startswith("<https://w3id.org/") for ln in lines[1:])


def test_406_for_a_result_format_we_do_not_have(client) -> None:
    r = client.get("/sparql", params={"query": PARTIES}, headers={"Accept": "image/png"})
    assert r.status_code == 406


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json",
                                    "application/rdf+xml"])
def test_construct_and_describe_in_every_rdf_format(client, accept: str) -> None:
    q = PREFIX + "CONSTRUCT { ?i coop:partie ?a } WHERE { ?i coop:partie ?a }"
    r = client.post("/sparql", content=q.encode(), headers={**DIRECT, "Accept": accept})
    assert r.headers["content-type"].split(";")[0] == accept
    assert len(parse(r.content, r.headers["content-type"])) >= 3
    d = client.get("/sparql", params={"query": f"DESCRIBE <{BASE}id/acteur/caf/49>"}, headers={"Accept": accept})
    assert len(parse(d.content, d.headers["content-type"])) >= 5


def test_ask(client) -> None:
    r = client.get("/sparql", params={"query": PREFIX + "ASK { ?x coop:chefDeFile ?y }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": "ASK { <urn:x:nothing> ?p ?o }"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>false</boolean>" in r.content


@pytest.mark.parametrize(("fmt", "media"), [("json", "application/sparql-results+json"),
                                            ("xml", "application/sparql-results+xml"), ("csv", "text/csv"),
                                            ("tsv", "text/tab-separated-values")])
def test_format_parameter(client, fmt: str, media: str) -> None:
    r = client.get("/sparql", params={"query": PARTIES, "format": fmt})
    assert r.headers["content-type"].split(";")[0] == media
    unknown = client.get("/sparql", params={"query": PARTIES, "format": "pdf"}, headers={"Accept": "text/csv"})
    assert unknown.headers["content-type"].startswith("text/csv")  # an unknown name leaves it to Accept
    r = client.get("/sparql", params={"query": PARTIES, "output": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")


def count(client, query: str, params: dict | None = None) -> int:
    r = client.get("/sparql", params={"query": query, **(params or {})})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_dataset_parameters_choose_the_graphs(client, web_build: Path) -> None:
    summary = json.loads((web_build / "summary.json").read_text())
    g = BASE + "graph/source/ctg-loire-layon-aubance-2020-2024"
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert count(client, q, {"default-graph-uri": g}) == summary["graphs"][g]
    union = count(client, q)  # the union of the graphs
    assert max(summary["graphs"].values()) < union <= sum(summary["graphs"].values())
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, named, {"named-graph-uri": g}) == 1
    assert count(client, named) == len(summary["graphs"])
    # the query's own FROM is honoured too, and the protocol's dataset wins over it
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}") == summary["graphs"][g]
    other = BASE + "graph/ontology"
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}",
                 {"default-graph-uri": other}) == summary["graphs"][other]
    assert client.get("/sparql", params={"query": q, "default-graph-uri": "not an iri"}).status_code == 400


def test_relative_iris_resolve_against_the_endpoint(client) -> None:
    r = client.post("/sparql", content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                    headers={**DIRECT, "Accept": "application/n-triples"})
    assert r.status_code == 200
    assert f"<{BASE}s> <{BASE}p>".encode() in r.content


def test_syntax_errors_say_where(client) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?p \n}"})
    assert r.status_code == 400
    assert "line 3" in r.text and "column" in r.text
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p }"})
    assert r.status_code == 400 and "line 1, column 2" in r.text  # columns as the client wrote the query


@pytest.mark.parametrize(("method", "kwargs", "status"), [
    ("get", {"params": {"update": "CLEAR ALL"}}, 400),
    ("post", {"data": {"update": "CLEAR ALL"}, "headers": FORM}, 403),
    ("post", {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403),
    ("post", {"content": b"LOAD <http://example.org/data.ttl>",
              "headers": {"Content-Type": "application/sparql-update"}}, 403),
    ("post", {"content": b"update=CLEAR+ALL&update=CLEAR+ALL", "headers": FORM}, 400),
    ("post", {"content": b"INSERT DATA { <a:b> <a:c> <a:d> }", "headers": DIRECT}, 400),
])
def test_updates_are_refused(client, method: str, kwargs: dict, status: int) -> None:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/source/ctg-loire-layon-aubance-2020-2024> {{ ?s ?p ?o }} }}"
    before = count(client, q)
    r = getattr(client, method)("/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert count(client, q) == before > 0


def test_service_is_refused(client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.text


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ({"content": b"ASK {}"}, 400),
    ({"content": "ASK {}".encode("utf-16"), "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}},
     415),
    ({"content": b"ASK { \xff }", "headers": DIRECT}, 400),
    ({"content": b"query=ASK+%7B%7D&query=ASK+%7B%7D", "headers": FORM}, 400),
    ({"content": b"x" * (1024 * 1024 + 1), "headers": DIRECT}, 413),
])
def test_malformed_requests(client, kwargs: dict, status: int) -> None:
    assert client.post("/sparql", **kwargs).status_code == status


def test_other_methods(client) -> None:
    r = client.put("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    assert client.delete("/sparql").status_code == 405


def test_a_get_without_query_describes_the_service(client) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    triples = parse(r.content, r.headers["content-type"])
    assert any(t.object.value == "http://www.w3.org/ns/sparql-service-description#SPARQL11Query" for t in triples)
    assert client.get("/sparql", headers={"Accept": "text/html"}).headers["location"] == "/query"


@pytest.fixture(scope="module")
def limited(web_build: Path):
    from starlette.testclient import TestClient

    app = create_app(ServeConfig(build=web_build, timeout=0.5, max_rows=50, cache_pages=0))
    with TestClient(app) as c:
        yield c


def test_row_limit_is_an_error_not_a_cut_result(limited) -> None:
    ok = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 50
    r = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 51"})
    assert r.status_code == 400 and "more than 50 rows" in r.text
    r = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 51"})
    assert r.status_code == 400 and "more than 50" in r.text


def test_time_limit_is_an_error_not_a_cut_result(limited) -> None:
    # streams rows (so the engine notices it is stopped) but far fewer than the row limit reach the client in time
    slow = ("SELECT ?s WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 . FILTER(STRLEN(STR(?o)) + STRLEN(STR(?o2)) = 3) } LIMIT 40")
    r = limited.get("/sparql", params={"query": slow})
    assert r.status_code == 503 and "0.5 s" in r.text
