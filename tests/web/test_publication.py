"""/ontology, /dataset, /dumps/, /health, CORS, and a base IRI other than the default."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.store import EmbeddedStore
from coopgraph.web import ServeConfig, create_app
from tests.web.rdfcheck import parse

BASE = "https://w3id.org/coopgraph/"


@pytest.mark.parametrize(("accept", "media"), [
    (None, "text/html"), ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml"),
])
def test_ontology_is_negotiated_at_its_own_address(client, accept: str | None, media: str) -> None:
    """The ontology uses hash IRIs: /ontology is the document itself (200 with Vary, no 303)."""
    r = client.get("/ontology", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert "Accept" in r.headers["vary"]
    if media != "text/html":
        triples = parse(r.content, r.headers["content-type"])
        assert ox.Triple(ox.NamedNode(BASE + "ontology"),
                         ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")) in triples


@pytest.mark.parametrize("ext", ["html", "ttl", "nt", "jsonld", "rdf"])
def test_ontology_by_extension(client, ext: str) -> None:
    r = client.get(f"/ontology.{ext}")
    assert r.status_code == 200
    if ext != "html":
        assert len(parse(r.content, r.headers["content-type"])) > 500


def test_ontology_page_documents_every_term(client) -> None:
    html = client.get("/ontology.html").text
    assert 'id="Acteur"' in html and 'id="chefDeFile"' in html
    assert "Instances dans le jeu de données" in html
    # an ontology term's link goes to its section
    assert client.get("/id/acteur/caf/49.html").text.count('/ontology.html#CAF') >= 1
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406


def test_the_version_iri_resolves(client) -> None:
    r = client.get("/ontology/0.1.0")
    assert r.status_code == 303 and r.headers["location"] == "/ontology"
    assert client.get("/ontology/0.0.9").status_code == 404


def test_dataset_description(client) -> None:
    html = client.get("/dataset")
    assert html.status_code == 200 and "Accept" in html.headers["vary"]
    assert "coopgraph.nt.gz" in html.text
    for accept in ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"):
        r = client.get("/dataset", headers={"Accept": accept})
        triples = parse(r.content, r.headers["content-type"])
        preds = {t.predicate.value for t in triples}
        assert "http://rdfs.org/ns/void#sparqlEndpoint" in preds
        assert "http://www.w3.org/ns/dcat#distribution" in preds
        assert "http://rdfs.org/ns/void#triples" in preds
    assert client.get("/.well-known/void").headers["location"] == "/dataset"
    assert client.get("/dataset.ttl").status_code == 200


def test_dumps_list_sizes_and_checksums(client, web_build: Path) -> None:
    assert client.get("/dumps").headers["location"] == "/dumps/"
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).json()
    names = {f["name"] for f in listing}
    assert {"coopgraph.trig", "coopgraph.nt.gz", "coopgraph.ttl", "coopgraph.jsonld", "void.ttl"} <= names
    for f in listing:
        data = (web_build / f["name"]).read_bytes()
        assert f["size"] == len(data)
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
    html = client.get("/dumps/").text
    assert hashlib.sha256((web_build / "void.ttl").read_bytes()).hexdigest() in html
    sums = client.get("/dumps/SHA256SUMS").text
    assert "  void.ttl\n" in sums


def test_a_dump_downloads_whole(client, web_build: Path) -> None:
    r = client.get("/dumps/coopgraph.nt.gz")
    assert r.status_code == 200 and r.content == (web_build / "coopgraph.nt.gz").read_bytes()
    assert r.headers["content-type"] == "application/gzip"
    ttl = client.get("/dumps/void.ttl")
    assert parse(ttl.content, ttl.headers["content-type"])


@pytest.mark.parametrize("path", [
    "/dumps/%2e%2e/summary.json", "/dumps/..%2fsummary.json", "/dumps/store",
    "/dumps/store%2FCURRENT", "/dumps/.coopgraph.trig", "/dumps/%2Fetc%2Fpasswd", "/dumps/coopgraph.trig%00",
    "/dumps/nothing.ttl",
])
def test_dumps_serve_nothing_else(client, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 307, 308) and b"root:" not in r.content
    if r.status_code != 404:
        assert client.get(r.headers["location"]).status_code in (200, 404)


def test_health(client) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["store"] == "embedded" and body["graphs"] >= 3


def test_cors(client) -> None:
    pre = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.get("/id/acteur/caf/49.ttl", headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"


@pytest.fixture(scope="module")
def publisher_app(tmp_path_factory: pytest.TempPathFactory):
    """A publisher's own namespace, served under a path behind a proxy."""
    folder = tmp_path_factory.mktemp("publisher")
    ns = "https://data.example.fr/coop/"
    trig = folder / "data.trig"
    trig.write_text(f"""
<{ns}graph/source/doc> {{
  <{ns}id/acteur/a> a <{ns}ontology#Commune> ; <http://www.w3.org/2000/01/rdf-schema#label> "Commune A"@fr ;
      <{ns}ontology#gouverne> <{ns}id/territoire/t> .
  <{ns}id/territoire/t> <http://www.w3.org/2000/01/rdf-schema#label> "Territoire T"@fr .
}}
""", encoding="utf-8")
    store = EmbeddedStore.from_files(trig)
    return create_app(ServeConfig(base_iri=ns, root_path="/coop"), store=store)


def test_a_publisher_namespace_under_a_path(publisher_app) -> None:
    from starlette.testclient import TestClient

    with TestClient(publisher_app, follow_redirects=False) as c:
        r = c.get("/id/acteur/a", headers={"Accept": "text/turtle"})
        assert r.status_code == 303 and r.headers["location"] == "/coop/id/acteur/a.ttl"
        ttl = c.get("/id/acteur/a.ttl")
        assert ox.NamedNode("https://data.example.fr/coop/id/territoire/t") in {
            t.object for t in parse(ttl.content, ttl.headers["content-type"])}
        html = c.get("/id/acteur/a.html").text
        assert 'href="/coop/id/territoire/t.html"' in html  # links stay on this server, under its path
        assert "https://w3id.org" not in html.split("<main>")[1].split("</main>")[0]
        assert c.get("/id/territoire/t.html").status_code == 200
        assert c.get("/health").json()["status"] == "ok"
