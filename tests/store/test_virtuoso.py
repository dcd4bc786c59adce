"""Virtuoso as a second remote store (Debian virtuoso-opensource; skipped when it is not installed).

The graphs are published with ``coopgraph publish`` (Graph Store Protocol, digest authentication). To stay fast,
the reference layer is cut down to what the seed records touch (the départements they cite, their communes,
memberships, EPCI, and every département and région); the embedded store gets exactly the same data, and every
query of the library must give the same answers on both.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import BuildResult
from coopgraph.cli import main
from coopgraph.queries import checks, library
from coopgraph.sparql import StoreError, TruncatedResult
from coopgraph.store import EmbeddedStore, RemoteStore
from tests.queries.results import canonical
from tests.servers import Server

pytestmark = pytest.mark.virtuoso

REFERENCE = "https://w3id.org/coopgraph/graph/reference"
DOCS = {**library(), **checks()}

COOP = "https://w3id.org/coopgraph/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DEPARTEMENTS = ("42", "43", "49", "64")


def _keep(store: ox.Store) -> set[ox.NamedNode]:
    """The reference subjects the seed needs: the territories of its départements, who governs or serves them,
    their memberships (with periods) and groupements, and every département and région with its authority."""

    def objects(s: ox.NamedNode, p: str) -> list:
        return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None, None)]

    def subjects(p: str, o: ox.NamedNode) -> list:
        return [q.subject for q in store.quads_for_pattern(None, ox.NamedNode(p), o, None)]

    keep: set[ox.NamedNode] = set()
    tops = [q.subject for kind in ("TerritoireDepartement", "TerritoireRegion")
            for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(COOP + kind), None)]
    territories = list(tops)
    for code in DEPARTEMENTS:
        dep = ox.NamedNode(f"https://w3id.org/coopgraph/id/territoire/departement/{code}")
        territories += subjects(COOP + "partieDe", dep)
    for t in territories:
        keep.add(t)
        for actor in subjects(COOP + "gouverne", t) + subjects(COOP + "ressort", t):
            keep.add(actor)
            for m in subjects(ORG + "member", actor):
                keep.add(m)
                keep.update(objects(m, ORG + "memberDuring"))
                for o in objects(m, ORG + "organization"):
                    keep.add(o)
                    keep.update(objects(o, COOP + "gouverne"))
    return {k for k in keep if isinstance(k, ox.NamedNode)}


@pytest.fixture(scope="module")
def slim_build(seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert seed_build.out is not None
    ox_store = EmbeddedStore.for_build(seed_build.out).oxigraph
    keep = sorted(_keep(ox_store), key=str)
    reference = ox.NamedNode(REFERENCE)
    quads = [q for s in keep for q in ox_store.quads_for_pattern(s, None, None, reference)]
    quads += [q for g in ox_store.named_graphs() if g != reference for q in ox_store.quads_for_pattern(None, None, None, g)]
    out = tmp_path_factory.mktemp("slim-build")
    (out / "coopgraph.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    return out


@pytest.fixture(scope="module")
def published(virtuoso: Server, slim_build: Path, monkeypatch_module: pytest.MonkeyPatch) -> RemoteStore:
    monkeypatch_module.setenv("COOPGRAPH_STORE_USER", "dba")
    monkeypatch_module.setenv("COOPGRAPH_STORE_PASSWORD", "dba")
    assert main(["publish", "--endpoint", virtuoso.query, "--auth", "digest", "--build", str(slim_build)]) == 0
    return RemoteStore(virtuoso.query, user="dba", password="dba", auth="digest", timeout=120)


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    yield mp  # type: ignore[misc]
    mp.undo()


@pytest.fixture(scope="module")
def embedded(slim_build: Path) -> EmbeddedStore:
    return EmbeddedStore.from_files(slim_build / "coopgraph.trig")


def _counts(store: RemoteStore | EmbeddedStore) -> dict[str, int]:
    res = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                       "FILTER (STRSTARTS(STR(?g), 'https://w3id.org/coopgraph/')) } GROUP BY ?g")
    return {str(g): int(n) for g, n in res.rows}


def test_publish_with_digest_auth_twice_duplicates_nothing(published: RemoteStore, embedded: EmbeddedStore,
                                                           virtuoso: Server, slim_build: Path) -> None:
    assert _counts(published) == _counts(embedded)
    assert main(["publish", "--endpoint", virtuoso.query, "--auth", "digest", "--build", str(slim_build)]) == 0
    assert _counts(published) == _counts(embedded)


def test_wrong_password_is_a_clear_error(virtuoso: Server) -> None:
    remote = RemoteStore(virtuoso.query, user="dba", password="wrong", auth="digest")
    with pytest.raises(StoreError, match="HTTP 401"):
        remote.replace_graph("https://example.org/g", b"<https://example.org/a> <https://example.org/b> 1 .\n")


# Virtuoso 7.2.5 answers wrongly when the rows of a sub-select are joined with an rdfs:subClassOf* class check, or two
# sub-selects that both hold one are joined (0 to a few rows instead of all of them, depending on the data loaded;
# a MINUS or FILTER EXISTS form of the check loses the same rows); the Oxigraph server and the embedded store agree.
VIRTUOSO_WRONG = {"shared-themes": "Virtuoso 7.2.5 loses rows when a sub-select's rows meet an rdfs:subClassOf* check"}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.xfail(reason=VIRTUOSO_WRONG[n], strict=False)) if n in VIRTUOSO_WRONG else n
     for n in sorted(DOCS)],
)
def test_virtuoso_and_embedded_agree(published: RemoteStore, embedded: EmbeddedStore, name: str) -> None:
    doc = DOCS[name]
    here = embedded.query(doc.text, doc.bindings(), timeout=120)
    there = published.query(doc.text, doc.bindings(), timeout=120)
    assert canonical(there, doc) == canonical(here, doc)


_PREFIXES = ("PREFIX coop: <https://w3id.org/coopgraph/ontology#> "
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
CLASS_CHECK_CASES = {
    # two sub-selects that both hold an rdfs:subClassOf* path, joined
    "two-class-paths": "SELECT ?a ?b ?theme WHERE { "
    "{ SELECT DISTINCT ?a ?theme WHERE { ?ca rdfs:subClassOf* coop:Instrument . ?a a ?ca ; coop:theme ?theme } } "
    "{ SELECT DISTINCT ?b ?theme WHERE { ?cb rdfs:subClassOf* coop:Instrument . ?b a ?cb ; coop:theme ?theme } } }",
    # the form shared-themes has: the instruments of the actions that carry a theme of one instrument (its themes
    # found through a p? path in a sub-select), kept if their class is an instrument class
    "sub-select-rows-at-a-class-check": "SELECT DISTINCT ?other ?theme WHERE { "
    "{ SELECT ?node ?theme WHERE { { SELECT DISTINCT ?theme WHERE { "
    "<https://w3id.org/coopgraph/id/instrument/ctg-loire-layon-aubance-2020-2024> "
    "(coop:axe|^coop:instrument)? ?own . ?own coop:theme ?theme } } ?node coop:theme ?theme } } "
    "{ SELECT ?node ?other WHERE { ?node coop:instrument ?other } } "
    "{ SELECT ?other ?class WHERE { ?class rdfs:subClassOf* coop:Instrument . ?other a ?class } } }",
}


@pytest.mark.parametrize("case", sorted(CLASS_CHECK_CASES))
def test_virtuoso_loses_rows_at_class_paths(published: RemoteStore, embedded: EmbeddedStore, case: str) -> None:
    """The reason for VIRTUOSO_WRONG, kept small: if a Virtuoso release fixes it, this test says so."""
    q = _PREFIXES + CLASS_CHECK_CASES[case]
    right, virtuoso = len(embedded.select(q)), len(published.select(q))
    assert right > 0
    if virtuoso == right:
        pytest.fail("Virtuoso now answers this form right: see whether VIRTUOSO_WRONG can go")


def test_the_silent_row_cap_is_detected(published: RemoteStore) -> None:
    lines = "".join(f"<https://example.org/s{i}> <https://example.org/p> {i} .\n" for i in range(10_050))
    published.replace_graph("https://example.org/many", lines.encode())
    with pytest.raises(TruncatedResult, match="X-SPARQL-MaxRows"):
        published.select("SELECT ?s ?o WHERE { GRAPH <https://example.org/many> { ?s ?p ?o } }")
    few = published.select("SELECT ?s WHERE { GRAPH <https://example.org/many> { ?s ?p ?o } } LIMIT 50")
    assert len(few) == 50
    published.delete_graph("https://example.org/many")


def test_answers_are_standard_whatever_virtuoso_writes(published: RemoteStore) -> None:
    q = ("SELECT ?t ?code WHERE { ?t <https://w3id.org/coopgraph/ontology#codeInsee> ?code } "
         "ORDER BY ?code LIMIT 5")
    tsv = published.answer(q, "text/tab-separated-values")
    assert len(list(ox.parse_query_results(tsv.body, ox.QueryResultsFormat.TSV))) == 5
    ttl = published.answer("CONSTRUCT { ?t ?p ?o } WHERE { ?t <https://w3id.org/coopgraph/ontology#codeInsee> "
                           "\"42218\" ; ?p ?o }", "application/ld+json")
    assert ttl.media_type == "application/ld+json"
    assert list(ox.parse(ttl.body, format=ox.RdfFormat.JSON_LD))


def test_injection_attempts_change_nothing(published: RemoteStore, embedded: EmbeddedStore) -> None:
    before = _counts(published)
    doc = DOCS["find-actors"]
    for hostile in ['"> } ; DROP ALL #', '" || true || "']:
        assert published.select(doc.text, doc.bindings({"text": hostile})).rows == []
    assert _counts(published) == before
