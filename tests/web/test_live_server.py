"""``coopgraph serve`` as a real server on loopback: SPARQLWrapper as a client, raw HTTP, strict parsers."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.web.rdfcheck import parse

BASE = "https://w3id.org/coopgraph/"
PREFIX = "PREFIX coop: <https://w3id.org/coopgraph/ontology#>\n"
SELECT = PREFIX + "SELECT ?action ?chef WHERE { ?action coop:chefDeFile ?chef } ORDER BY ?action"
CONSTRUCT = PREFIX + "CONSTRUCT { ?action coop:chefDeFile ?chef } WHERE { ?action coop:chefDeFile ?chef }"


def wrapper(server, fmt=JSON, method=None) -> SPARQLWrapper:
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setReturnFormat(fmt)
    if method is not None:
        sw.setMethod(POST)
        if method == POSTDIRECTLY:
            sw.setRequestMethod(POSTDIRECTLY)
    return sw


def test_the_command_prints_where_to_go(live_server) -> None:
    out = live_server.output()
    for path in ("/sparql", "/query", "/ontology", "/dataset", "/dumps/"):
        assert f"{live_server.url}{path}" in out


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY])
def test_sparqlwrapper_select(live_server, method) -> None:
    sw = wrapper(live_server, JSON, method)
    sw.setQuery(SELECT)
    rows = sw.queryAndConvert()["results"]["bindings"]
    assert len(rows) >= 20
    assert all(r["chef"]["type"] == "uri" for r in rows)


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_sparqlwrapper_select_other_formats(live_server, fmt) -> None:
    sw = wrapper(live_server, fmt)
    sw.setQuery(SELECT)
    result = sw.query()
    body = result.response.read()
    ctype = result.response.headers["content-type"]
    assert {"xml": "application/sparql-results+xml", "csv": "text/csv",
            "tsv": "text/tab-separated-values"}[fmt] in ctype
    assert body.count(b"https://w3id.org/coopgraph/id/action/") >= 20


def test_sparqlwrapper_ask(live_server) -> None:
    sw = wrapper(live_server)
    sw.setQuery(PREFIX + "ASK { ?a coop:coPorteur ?b }")
    assert sw.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_sparqlwrapper_construct(live_server, fmt) -> None:
    sw = wrapper(live_server, fmt)
    sw.setQuery(CONSTRUCT)
    result = sw.query()
    body = result.response.read()
    triples = parse(body, result.response.headers["content-type"])
    assert len(triples) >= 20


def test_sparqlwrapper_reports_a_bad_query(live_server) -> None:
    sw = wrapper(live_server)
    sw.setQuery("SELECT ?x WHERE { ?x ")
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_sparqlwrapper_update_is_refused(live_server) -> None:
    sw = wrapper(live_server, JSON, POST)
    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError) as info:
        sw.query()
    assert info.value.code == 403


def get(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes, str]:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read(), resp.geturl()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read(), url


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/rdf+xml",
                                    "application/ld+json"])
@pytest.mark.parametrize("path", ["/id/acteur/departement/42", "/id/instrument/ctg-loire-layon-aubance-2020-2024",
                                  "/id/territoire/departement/43", "/vocab/role/chef-de-file", "/ontology",
                                  "/dataset", "/graph/reference"])
def test_every_rdf_document_parses_strictly(live_server, path: str, accept: str) -> None:
    status, headers, body, _final = get(live_server.url + path, accept)  # urllib follows the 303
    assert status == 200, body[:300]
    assert headers["content-type"].split(";")[0] == accept
    assert parse(body, headers["content-type"])


def test_sparql_results_over_http(live_server) -> None:
    import urllib.parse

    q = urllib.parse.quote(CONSTRUCT)
    for accept in ("text/turtle", "application/n-triples", "application/rdf+xml"):
        status, headers, body, _ = get(f"{live_server.url}/sparql?query={q}", accept)
        assert status == 200 and len(parse(body, headers["content-type"])) >= 20


def test_html_over_http(live_server) -> None:
    status, _headers, body, final = get(live_server.url + "/id/acteur/departement/42",
                                       "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert status == 200 and final.endswith("/id/acteur/departement/42.html")
    assert "Département de la Loire".encode() in body
