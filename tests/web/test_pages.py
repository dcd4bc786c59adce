"""Dereferencing and pages, in-process: 303s, content negotiation, extensions, 404/406, HTML pages, languages."""

from __future__ import annotations

import itertools
import re
from html import unescape

import pyoxigraph as ox
import pytest

from tests.web.rdfcheck import parse

BASE = "https://w3id.org/coopgraph/"
CAF = "id/acteur/caf/49"
CTG = "id/instrument/ctg-loire-layon-aubance-2020-2024"
CCLLA = "id/acteur/siren/200071553"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(("accept", "ext"), [
    (None, "html"),
    ("*/*", "html"),
    (BROWSER, "html"),
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/json", "jsonld"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
    ("text/html;q=0.1, text/turtle;q=0.2", "ttl"),
    ("text/html;q=0, */*", "ttl"),
    ("application/*", "nt"),
    ("image/png, text/turtle;q=0.01", "ttl"),
])
def test_a_thing_iri_answers_303_to_the_negotiated_document(client, accept: str | None, ext: str) -> None:
    r = client.get("/" + CAF, headers={"Accept": accept} if accept else {})
    assert r.status_code == 303
    assert r.headers["location"] == f"/{CAF}.{ext}"
    assert "Accept" in r.headers["vary"]
    assert r.content == b""


def test_406_when_nothing_acceptable_can_be_served(client) -> None:
    r = client.get("/" + CAF, headers={"Accept": "image/png, application/pdf"})
    assert r.status_code == 406
    assert "text/turtle" in r.text and "Accept" in r.headers["vary"]


def test_the_query_string_follows_the_303(client) -> None:
    r = client.get(f"/{CAF}?lang=en")
    assert r.headers["location"] == f"/{CAF}.html?lang=en"


@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld", "rdf"])
def test_rdf_documents_describe_the_resource_both_ways(client, ext: str) -> None:
    r = client.get(f"/{CTG}.{ext}")
    assert r.status_code == 200
    triples = parse(r.content, r.headers["content-type"])
    me = ox.NamedNode(BASE + CTG)
    out = [t for t in triples if t.subject == me]
    incoming = [t for t in triples if t.object == me]
    assert any(t.predicate.value.endswith("#partie") for t in out)
    assert any(t.predicate.value.endswith("#instrument") for t in incoming)  # its actions point to it
    assert r.headers["link"] == f'<{BASE}{CTG}>; rel="describes"'
    assert r.headers["etag"]


def test_an_etag_gives_304(client) -> None:
    r = client.get(f"/{CAF}.ttl")
    again = client.get(f"/{CAF}.ttl", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/id/acteur/nobody", "/id/acteur/nobody.ttl", "/id/", "/vocab/theme/nothing",
                                  "/graph/nothing", "/id/acteur/%3E%3C", "/no/such/page"])
def test_unknown_resources_are_404(client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/plain")


def test_a_browser_gets_a_404_page(client) -> None:
    r = client.get("/id/acteur/nobody", headers={"Accept": BROWSER})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html") and "<h1>" in r.text


def test_an_unknown_extension_is_not_a_document(client) -> None:
    assert client.get(f"/{CAF}.pdf").status_code == 404


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_actor_page(client) -> None:
    r = client.get(f"/{CAF}.html")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    html = r.text
    text = _text(html)
    assert "<h1>Caf de Maine-et-Loire" in html
    assert "Caisse d'allocations familiales" in text  # its type, labelled from the ontology
    assert "Coopérations et rôles" in text and "Partenaires" in text
    assert f'href="/{CTG}.html"' in html  # its cooperation, linked
    assert "Chef de file" in text or "chef de file" in text  # a role in an action
    assert "CC Loire Layon Aubance" in text  # a partner
    assert "Liens entrants" in text  # incoming links
    assert re.search(r"lignes? \d+", text)  # where it comes from: document and lines
    assert "<svg" in html and 'class="nb"' in html  # the neighbourhood
    assert "<script" not in html
    assert "Content-Security-Policy" in r.headers or "content-security-policy" in r.headers


def test_instrument_page(client) -> None:
    html = client.get(f"/{CTG}.html").text
    text = _text(html)
    for heading in ("Parties", "Signatures", "Axes et actions", "Gouvernance"):
        assert heading in text
    assert "Pascal Letort" in text  # a signatory
    assert "2020-01-23" in text  # the date of signature
    assert "Chef de file" in text and "Co-porteurs" in text
    assert "Comité de pilotage" in text
    assert "lignes 16 à 32" in text


def test_territory_page(client) -> None:
    text = _text(client.get("/id/territoire/departement/49.html").text)
    assert "Maine-et-Loire" in text
    assert "Autorité" in text and "Fait partie de" in text
    assert "Coopérations qui le touchent" in text
    assert "CTG Loire Layon Aubance 2020-2024" in text  # the CAF 49 is a party and 49 is its area


def test_action_page(client) -> None:
    text = _text(client.get("/id/action/ctg-loire-layon-aubance-2020-2024/4-2-3.html").text)
    assert "Participants" in text and "co-porteur" in text.lower()
    assert "CTG Loire Layon Aubance 2020-2024" in text


def test_concept_and_scheme_pages(client) -> None:
    r = client.get("/vocab/theme")
    assert r.status_code == 303 and r.headers["location"] == "/vocab/theme.html"
    scheme = _text(client.get("/vocab/theme.html").text)
    assert "Concepts du schéma" in scheme
    concept = client.get("/vocab/theme/jeunesse.html")
    assert concept.status_code == 200
    assert "Liens entrants" in _text(concept.text)  # the instruments and actions with this theme
    assert "/vocab/theme.html" in concept.text  # its scheme


def test_pages_in_english(client) -> None:
    r = client.get(f"/{CAF}.html?lang=en")
    assert '<html lang="en">' in r.text
    text = _text(r.text)
    assert "Cooperations and roles" in text and "Incoming links" in text
    assert f'href="/{CTG}.html?lang=en"' in r.text  # links keep the language
    assert "Français" in text  # the switch back


def test_properties_are_labelled_and_grouped_from_the_ontology(client) -> None:
    text = _text(client.get(f"/{CCLLA}.html").text)
    assert "numéro SIREN" in text  # coop:siren's label
    assert "Identité" in text


def test_named_graph_and_excerpt_pages(client) -> None:
    g = client.get("/graph/source/ctg-loire-layon-aubance-2020-2024")
    assert g.status_code == 303
    page = client.get(g.headers["location"])
    assert page.status_code == 200
    ttl = client.get("/graph/reference.ttl")
    assert any(t.predicate.value.endswith("#triples") for t in parse(ttl.content, ttl.headers["content-type"]))
    ex = client.get("/id/extrait/ctg-loire-layon-aubance-2020-2024/L16-32.html")
    assert ex.status_code == 200 and "lignes 16 à 32" in _text(ex.text)


def test_describe_any_iri(client) -> None:
    r = client.get("/describe", params={"iri": BASE + "ontology#Acteur"})
    assert r.status_code == 200 and "Acteur" in r.text
    r = client.get("/describe", params={"iri": BASE + "ontology#Acteur"}, headers={"Accept": "text/turtle"})
    assert parse(r.content, r.headers["content-type"])
    assert client.get("/describe", params={"iri": "not an iri"}).status_code == 400
    assert client.get("/describe", params={"iri": "http://example.org/unknown"}).status_code == 404
    r = client.get("/describe", params={"iri": BASE + CAF})
    assert r.status_code == 303 and r.headers["location"] == f"/{CAF}.html"


def test_home_page(client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert f'href="/{CTG}.html"' in r.text
    assert client.get("/", headers={"Accept": "text/turtle"}).headers["location"] == "/dataset"


def test_static_css_is_served(client) -> None:
    r = client.get("/static/coopgraph.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")


def test_html_never_links_to_javascript_iris(client) -> None:
    for path in (f"/{CAF}.html", f"/{CTG}.html", "/", "/ontology.html", "/dataset", "/query"):
        assert "javascript:" not in client.get(path).text.lower()


def test_every_iri_of_the_cooperation_graphs_resolves(client, web_build) -> None:
    """Every IRI under the base named in the records' graphs and the model (and a sample of the reference layer):
    303 from the IRI, 200 for its Turtle document; every coop: term has its section on /ontology.html."""
    store = ox.Store.read_only(str(web_build / "store"))
    iris: set[str] = set()
    for g in store.named_graphs():
        if g.value.endswith("/graph/reference"):
            continue
        for q in store.quads_for_pattern(None, None, None, g):
            for t in (q.subject, q.object):
                if isinstance(t, ox.NamedNode) and t.value.startswith(BASE):
                    iris.add(t.value)
    ref = ox.NamedNode(BASE + "graph/reference")
    iris.update(q.subject.value for q in itertools.islice(store.quads_for_pattern(None, None, None, ref), 0, 20000, 97)
                if isinstance(q.subject, ox.NamedNode))
    assert len(iris) > 1000
    ontology = client.get("/ontology.html").text
    slash = sorted(i for i in iris if "#" not in i)
    for iri in slash:
        local = iri[len(BASE):]
        if local in ("ontology", "dataset") or local.startswith("ontology/"):
            continue
        r = client.get("/" + local, headers={"Accept": "text/turtle"})
        assert r.status_code == 303, iri
        assert client.get(r.headers["location"]).status_code == 200, iri
    for iri in sorted(i for i in iris if "#" in i):
        assert f'id="{iri.split("#", 1)[1]}"' in ontology, iri
    for iri in slash[:: max(1, len(slash) // 60)]:  # and a spread of HTML pages
        assert client.get("/" + iri[len(BASE):] + ".html").status_code == 200, iri
