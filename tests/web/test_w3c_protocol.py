"""The W3C SPARQL 1.1 Protocol test suite against ``/sparql``, served by uvicorn on loopback.

The dataset tests need data1–3.nt in the graphs the manifest names, so the server runs over a store of its own
built from the suite's files. Tests of an update the endpoint is expected to *perform* do not apply to a read-only
endpoint: for those, the check is that the update is refused (403) and changes nothing. Every other test must pass.
"""

from __future__ import annotations

import urllib.parse

import pytest

from coopgraph.store import load_store
from coopgraph.web import ServeConfig, create_app
from tests.conftest import SHARED
from tests.web import w3c_protocol as w3c
from tests.web.conftest import ThreadServer

SUITE = SHARED / "w3c" / "sparql11-protocol"
pytestmark = [pytest.mark.shared, pytest.mark.skipif(not (SUITE / "manifest.ttl").is_file(),
                                                     reason="../shared/w3c/sparql11-protocol is not present")]

TESTS = w3c.load(SUITE / "manifest.ttl") if (SUITE / "manifest.ttl").is_file() else []


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("w3c-build")
    graphs: dict[str, str] = {}
    for test in TESTS:
        graphs.update({name: iri for name, iri in test.graph_data})
    trig = folder / "data.trig"
    with open(trig, "w", encoding="utf-8") as out:
        for name, iri in sorted(graphs.items()):
            out.write(f"<{iri}> {{\n{(SUITE / name).read_text(encoding='utf-8')}}}\n")
    load_store(trig, folder / "store")
    app = create_app(ServeConfig(build=folder, timeout=10, max_rows=1000))
    with ThreadServer(app) as base:
        yield urllib.parse.urlsplit(base)


def test_the_suite_has_its_34_tests() -> None:
    assert len(TESTS) == 34


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_protocol(test: w3c.ProtocolTest, endpoint) -> None:
    host, port = endpoint.hostname, endpoint.port
    if test.is_update:
        # Not applicable to a read-only endpoint: the update must be refused, and refused by status, not ignored.
        first = test.requests[0]
        status, _, body = w3c.send(host, port, first)
        assert status == 403, body
        assert b"read-only" in body
        return
    outcome = w3c.run(test, host, port)
    assert outcome.ok, f"{test.name}: {outcome.reason}"


def test_summary(endpoint, capsys: pytest.CaptureFixture[str]) -> None:
    """How many tests pass as written (the figure the README and the issue compare with other servers)."""
    host, port = endpoint.hostname, endpoint.port
    passed = [t.id for t in TESTS if w3c.run(t, host, port).ok]
    not_applicable = [t.id for t in TESTS if t.is_update]
    applicable = [t.id for t in TESTS if not t.is_update]
    with capsys.disabled():
        print(f"\nW3C SPARQL 1.1 Protocol: {len(passed)}/{len(TESTS)} pass; {len(set(passed) & set(applicable))}/"
              f"{len(applicable)} of those that apply to a read-only endpoint; {len(not_applicable)} update tests "
              "refused with 403")
    assert set(applicable) <= set(passed)


def test_the_read_only_store_is_unchanged_by_refused_updates(endpoint) -> None:
    host, port = endpoint.hostname, endpoint.port
    ask = w3c.Request("POST", "/sparql/", [("Content-Type", "application/sparql-query")],
                      b"ASK { GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { ?s ?p ?o } }",
                      {"2xx"}, True, "boolean")
    for test in TESTS:
        if test.is_update:
            w3c.send(host, port, test.requests[0])
    assert w3c.run(w3c.ProtocolTest("after", "after", [ask]), host, port).ok
