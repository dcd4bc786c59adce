"""``coopgraph serve --endpoint``: the same site over a remote SPARQL store (Oxigraph server, read-only, on loopback).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coopgraph.store import RemoteStore
from coopgraph.web import ServeConfig, create_app
from tests.web.conftest import free_port, wait_until_up
from tests.web.rdfcheck import parse

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@pytest.fixture(scope="module")
def remote_client(web_build: Path):
    from starlette.testclient import TestClient

    exe = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph server (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(web_build / "store"), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc=proc)
        endpoint = f"http://127.0.0.1:{port}/query"
        app = create_app(ServeConfig(build=web_build, endpoint=endpoint, timeout=20))
        assert isinstance(app.state.site.store, RemoteStore)
        with TestClient(app, follow_redirects=False) as c:
            yield c
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_pages_over_a_remote_store(remote_client, client) -> None:
    r = remote_client.get("/id/acteur/caf/49", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["location"] == "/id/acteur/caf/49.ttl"
    for path in ("/id/acteur/caf/49.html", "/id/instrument/ctg-loire-layon-aubance-2020-2024.html",
                 "/id/territoire/departement/43.html"):
        remote, local = remote_client.get(path), client.get(path)
        assert remote.status_code == 200
        assert remote.text == local.text, path
    assert remote_client.get("/id/acteur/nobody").status_code == 404


def test_sparql_over_a_remote_store(remote_client) -> None:
    r = remote_client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/coopgraph/ontology#Action> }"})
    assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) >= 100
    c = remote_client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a <https://w3id.org/coopgraph/ontology#Axe> }"},
                          headers={"Accept": "application/n-triples"})
    assert len(parse(c.content, c.headers["content-type"])) >= 10
    assert remote_client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "http://x/"}).status_code == 400
    assert remote_client.get("/health").json()["store"] == "remote"
