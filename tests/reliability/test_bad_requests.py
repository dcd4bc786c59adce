"""Bad HTTP requests to ``coopgraph serve``, and hostile RDF wherever the package reads RDF.

The seed build is served by the Starlette app (its test client), and by uvicorn on loopback where the request must
reach the server byte for byte (huge request lines and headers, chunked bodies, ``..`` in paths, which HTTP clients
normalise or refuse). Every case that names a host names ``127.0.0.1:<port>`` of a listener that must never be
called (:class:`tests.reliability.support.Canary`).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from coopgraph.cli import main
from coopgraph.sparql import query_form
from coopgraph.web import ServeConfig, create_app
from tests.conftest import REPO
from tests.web import conftest as web

from . import support
from .catalogue import case
from .support import Canary

# the fixtures used here: the seed build served in-process (tests/web/conftest.py), the canary listener
web_build, web_app, client, canary = web.web_build, web.web_app, web.client, support.canary

CTG = "/id/instrument/ctg-loire-layon-aubance-2020-2024"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
UPDATE = {"Content-Type": "application/sparql-update"}
# the triples of two of the build's graphs (counting the million of the reference layer takes a second)
COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { VALUES ?g { <https://w3id.org/coopgraph/graph/ontology> "
         "<https://w3id.org/coopgraph/graph/source/ctg-loire-layon-aubance-2020-2024> } GRAPH ?g { ?s ?p ?o } }")
MAX_BODY = 1024 * 1024


def count(client) -> int:
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def rows(r) -> list[dict]:
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


@pytest.fixture(scope="module")
def server(web_app) -> Iterator[str]:
    """uvicorn serving the seed build (the app of the test client) on 127.0.0.1, in a thread of this process."""
    with web.ThreadServer(web_app) as base:
        yield base


def raw(base: str, method: str, target: str, headers: dict[str, str] | None = None,
        body: bytes | Iterator[bytes] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request sent as written (no normalisation of the target), its status, headers and body."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        chunked = body is not None and not isinstance(body, bytes)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if isinstance(body, bytes):
            conn.putheader("Content-Length", str(len(body)))
        elif chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        if isinstance(body, bytes):
            conn.send(body)
        elif chunked:
            for chunk in body:  # type: ignore[union-attr]
                conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


# ---- headers, query strings and bodies that are malformed or too large --------------------------------------------


@case("http-accept-malformed")
def test_malformed_accept(client) -> None:
    for accept in ("text/html;q=abc", ";;;,,,"):
        r = client.get(CTG, headers={"Accept": accept})
        assert r.status_code == 406 and "text/turtle" in r.text
        r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
        assert r.status_code == 406 and "cannot answer in any of the accepted types" in r.text
        r = client.get("/", headers={"Accept": accept})
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]


@case("http-accept-huge")
def test_huge_accept(client) -> None:
    accept = ("application/x-nothing;q=0.5, " * 4000)[: 100 * 1024]
    for target in ("/sparql?query=ASK%20%7B%7D", CTG):
        started = time.perf_counter()
        r = client.get(target, headers={"Accept": accept})
        assert time.perf_counter() - started < 10.0  # read once, not a quadratic walk (minutes)
        assert r.status_code == 406
        assert len(r.content) < 5000  # the header is not sent back whole (it was, before the message was capped)


def asgi_get(app, target: str) -> tuple[int, bytes]:
    """A GET handed to the app as uvicorn hands it one (HTTP clients refuse URLs this long; uvicorn takes a request
    head of any size that arrives in one read, and answers 400 to one over 16 KiB that arrives in pieces)."""
    import anyio

    path, _, query = target.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@case("http-query-string-huge")
def test_huge_query_string(web_app) -> None:
    status, body = asgi_get(web_app, "/sparql?query=" + "x" * (100 * 1024))
    assert status == 400 and body.startswith(b"expected a query (SELECT, CONSTRUCT, DESCRIBE or ASK), found 'xxx")
    assert len(body) < 5000 and b"more characters not shown" in body
    status, body = asgi_get(web_app, "/sparql?query=" + urllib.parse.quote("ASK {} #" + "x" * (300 * 1024)))
    assert status == 413 and body == b"the query is longer than 262144 characters\n"


@case("http-body-too-large")
def test_body_over_the_limit(client, server: str) -> None:
    r = client.post("/sparql", content=b"x" * (MAX_BODY + 1), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and r.text == f"the request body is larger than {MAX_BODY} bytes\n"
    # without Content-Length: the body is counted as it arrives
    chunks = iter([b"query=" + b"x" * (MAX_BODY // 2), b"x" * (MAX_BODY // 2), b"x" * 10])
    status, _, body = raw(server, "POST", "/sparql", FORM, chunks)
    assert status == 413 and body == f"the request body is larger than {MAX_BODY} bytes\n".encode()
    status, _, body = raw(server, "POST", "/query", FORM, iter([b"query=" + b"x" * MAX_BODY]))
    assert status == 413


# ---- /dumps/: only the build's own files --------------------------------------------------------------------------


def not_served(server: str, targets: list[str]) -> None:
    status, _, summary = raw(server, "GET", "/dumps/summary.json")
    assert status == 200 and b'"triples"' in summary  # the file exists and is served under its own name
    for target in targets:
        status, _, body = raw(server, "GET", target)
        assert status == 404, target
        assert b"root:" not in body and b'"triples"' not in body, target


@case("http-dumps-dotdot")
def test_dumps_dot_dot(server: str) -> None:
    not_served(server, ["/dumps/../summary.json", "/dumps/store/../summary.json", "/dumps/../../../../etc/passwd",
                        "/dumps/..", "/dumps/store/CURRENT"])


@case("http-dumps-encoded-dotdot")
def test_dumps_encoded_dot_dot(server: str) -> None:
    not_served(server, ["/dumps/%2e%2e/summary.json", "/dumps/%2e%2e%2fsummary.json", "/dumps/..%2fsummary.json",
                        "/dumps/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/dumps/store%2fCURRENT"])


@case("http-dumps-absolute")
def test_dumps_absolute_paths(server: str) -> None:
    not_served(server, ["/dumps//etc/passwd", "/dumps/%2Fetc%2Fpasswd", "/dumps/%2F%2Fetc%2Fpasswd",
                        "/dumps/file:%2F%2F%2Fetc%2Fpasswd"])


# ---- queries that would reach another host, and updates ----------------------------------------------------------


@case("http-service")
def test_service_to_another_host(client, canary: Canary) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 403 and "SERVICE is not allowed" in r.text
    r = client.post("/query", data={"query": query})
    assert r.status_code == 403 and "SERVICE is not allowed" in r.text
    canary.assert_untouched()


@case("http-load")
def test_load_from_another_host(client, canary: Canary) -> None:
    before = count(client)
    load = f"LOAD <{canary.url}/data.ttl>"
    r = client.get("/sparql", params={"query": load})
    assert r.status_code == 400 and "updates are not run here" in r.text
    r = client.post("/sparql", content=load.encode(), headers=UPDATE)
    assert r.status_code == 403 and "read-only" in r.text
    r = client.post("/sparql", data={"update": f"{load} INTO GRAPH <{canary.url}/g>"})
    assert r.status_code == 403
    canary.assert_untouched()
    assert count(client) == before


@case("http-from")
def test_from_another_host(client, canary: Canary) -> None:
    r = client.get("/sparql", params={"query": f"SELECT * FROM <{canary.url}/g> WHERE {{ ?s ?p ?o }}"})
    assert rows(r) == []
    r = client.get("/sparql", params={"query": f"ASK FROM <{canary.url}/g> {{ ?s ?p ?o }}"})
    assert r.status_code == 200 and r.json()["boolean"] is False
    canary.assert_untouched()


@case("http-from-named")
def test_from_named_another_host(client, canary: Canary) -> None:
    query = f"SELECT * FROM NAMED <{canary.url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert rows(client.get("/sparql", params={"query": query})) == []
    canary.assert_untouched()


@case("http-dataset-param")
def test_dataset_parameters_on_another_host(client, canary: Canary) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": f"{canary.url}/g"})
    assert rows(r) == []
    r = client.get("/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                                      "named-graph-uri": f"{canary.url}/g"})
    assert rows(r) == []
    canary.assert_untouched()


@case("http-update-get")
def test_update_by_get(client) -> None:
    before = count(client)
    r = client.get("/sparql", params={"update": "DROP ALL"})
    assert r.status_code == 400 and "not accepted with GET" in r.text and "read-only" in r.text
    assert count(client) == before


@case("http-update-post-direct")
def test_update_posted_directly(client) -> None:
    before = count(client)
    r = client.post("/sparql", content=b"DROP ALL", headers=UPDATE)
    assert r.status_code == 403 and r.text == "this SPARQL endpoint is read-only: SPARQL Update is not accepted\n"
    assert count(client) == before


@case("http-update-post-form")
def test_update_posted_as_a_form(client) -> None:
    before = count(client)
    r = client.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert r.status_code == 403 and r.text == "this SPARQL endpoint is read-only: SPARQL Update is not accepted\n"
    assert count(client) == before


# ---- routes and methods -------------------------------------------------------------------------------------------


@case("http-unknown-route")
def test_unknown_route(client) -> None:
    for path in ("/nope", "/id/acteur/nobody", "/sparql/extra"):
        assert client.get(path, headers={"Accept": "text/plain"}).status_code == 404, path
    r = client.get("/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


@case("http-method-not-allowed")
def test_method_not_allowed(client) -> None:
    r = client.delete("/dataset")
    # (starlette lists a route's methods from a set: their order follows the hash seed, so compare them as a set)
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "HEAD"}
    r = client.put("/sparql", content=b"ASK {}")
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    assert client.post(CTG).status_code == 405


# ---- hostile RDF: from a remote store the server reads, and from files the package reads --------------------------


def xxe(canary: Canary) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY remote SYSTEM "{canary.url}/entity">
  <!ENTITY local SYSTEM "file:///etc/passwd">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&remote;&local;</ex:p></rdf:Description>
</rdf:RDF>
""".encode()


def remote_context(canary: Canary) -> bytes:
    return json.dumps({"@context": f"{canary.url}/context.jsonld", "@id": "http://example.org/a",
                       "name": "a"}).encode()


class HostileStore:
    """A SPARQL endpoint on loopback that answers SELECT/ASK with nothing and CONSTRUCT/DESCRIBE with a body."""

    def __init__(self, media_type: str, body: bytes) -> None:
        store = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                query = urllib.parse.parse_qs(data).get("query", [""])[0]
                form = query_form(query)
                if form in ("SELECT", "ASK"):
                    media = "application/sparql-results+json"
                    head = query[: query.upper().find("WHERE")] if form == "SELECT" else ""
                    names = list(dict.fromkeys(re.findall(r"[?$](\w+)", head)))
                    payload = json.dumps({"head": {"vars": names}, "results": {"bindings": []}} if form == "SELECT"
                                         else {"head": {}, "boolean": False}).encode()
                else:
                    media, payload = store.media_type, store.body
                    store.graphs_sent += 1
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.media_type, self.body, self.graphs_sent = media_type, body, 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def served_over(media_type: str, body: bytes, canary: Canary) -> None:
    """``coopgraph serve --endpoint`` over a store that answers graphs with this body: the server starts (it reads
    the model from the store, falls back to its own), refuses the body as RDF (502) and connects nowhere else."""
    from starlette.testclient import TestClient

    store = HostileStore(media_type, body)
    with store as endpoint:
        app = create_app(ServeConfig(endpoint=endpoint, timeout=10))
        with TestClient(app) as c:
            r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                      headers={"Accept": "text/turtle"})
            assert r.status_code == 502, r.text
            assert "incomplete or invalid" in r.text
    assert store.graphs_sent >= 2  # the model read at start-up, and the query
    canary.assert_untouched()


@case("http-remote-store-xxe")
def test_remote_store_answering_rdf_xml_with_external_entities(canary: Canary) -> None:
    served_over("application/rdf+xml", xxe(canary), canary)


@case("http-remote-store-remote-context")
def test_remote_store_answering_json_ld_with_a_remote_context(canary: Canary) -> None:
    served_over("application/ld+json", remote_context(canary), canary)


@case("rdf-xxe")
def test_rdf_xml_with_external_entities(tmp_path: Path, canary: Canary,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hostile.rdf"
    path.write_bytes(xxe(canary))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}" in err and "not valid RDF/XML" in err
    assert "root:" not in err
    canary.assert_untouched()


@case("rdf-remote-context")
def test_json_ld_with_a_remote_context(tmp_path: Path, canary: Canary,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hostile.jsonld"
    path.write_bytes(remote_context(canary))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not valid JSON-LD: " in err and "remote context" in err
    canary.assert_untouched()


def test_the_package_reads_rdf_with_pyoxigraph_only() -> None:
    """rdflib's parsers fetch remote JSON-LD contexts and expand XML entities; nothing in the package calls them (RDF
    is read by rdfio.py, the reference layer and remote answers by pyoxigraph). The guard of the two cases above."""
    calls = re.compile(r"\.parse\((?!\s*(?:b?['\"]|\w+,\s*format=ox\.))|\bplugin\.get\(.*Parser")
    found = []
    for path in sorted((REPO / "src" / "coopgraph").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if calls.search(code) and not re.search(r"\b(ox|urllib\.parse|_dateparser|dateparser)\.parse\(", code):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == []
