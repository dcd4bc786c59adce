"""The seed cooperations as the documents state them: counts and spot facts, asked in SPARQL."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.iris import PREFIXES

CTG = "https://w3id.org/coopgraph/id/instrument/ctg-loire-layon-aubance-2020-2024"
ENTENTE = "https://w3id.org/coopgraph/id/instrument/entente-loire-haute-loire"


def select(store: ox.Store, query: str, **constants: str) -> list[dict[str, str]]:
    """Run a query of this file; ``constants`` are IRIs of the tests (never user input) put in as ``<iri>``."""
    for name, value in constants.items():
        query = query.replace(f"?{name} ", f"<{value}> ").replace(f"?{name}\n", f"<{value}>\n")
    rows = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in rows.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in rows]


def count(store: ox.Store, query: str, **constants: str) -> int:
    return int(select(store, query, **constants)[0]["n"])


def test_the_entente_has_the_31_pistes_of_its_11_headings(seed_store: ox.Store) -> None:
    q = """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
             ?a coop:instrument ?i ; coop:rattacheA ?h . ?h a coop:Rubrique }"""
    assert count(seed_store, q, i=ENTENTE) == 31
    q = "SELECT (COUNT(DISTINCT ?h) AS ?n) WHERE { ?i coop:rubrique ?h }"
    assert count(seed_store, q, i=ENTENTE) == 11


def test_the_entente_binds_the_two_departements(seed_store: ox.Store) -> None:
    q = """SELECT ?code WHERE { ?i a coop:EntenteInterdepartementale ; coop:partie ?d .
             ?d a coop:Departement ; coop:gouverne ?t . ?t coop:codeInsee ?code } ORDER BY ?code"""
    assert [r["code"] for r in select(seed_store, q, i=ENTENTE)] == ["42", "43"]


def test_the_entente_was_created_on_24_october_2019(seed_store: ox.Store) -> None:
    q = "SELECT ?d WHERE { ?i coop:acteFondateur ?act . ?act coop:dateActe ?d }"
    assert [r["d"] for r in select(seed_store, q, i=ENTENTE)] == ["2019-10-24"]


def test_the_ctg_has_6_axes_and_23_orientations(seed_store: ox.Store) -> None:
    assert count(seed_store, "SELECT (COUNT(?a) AS ?n) WHERE { ?i coop:axe ?a }", i=CTG) == 6
    q = "SELECT (COUNT(?o) AS ?n) WHERE { ?i coop:axe ?a . ?a coop:orientation ?o }"
    assert count(seed_store, q, i=CTG) == 23


def test_the_ctg_was_signed_at_saint_georges_on_23_january_2020(seed_store: ox.Store) -> None:
    q = """SELECT DISTINCT ?date ?place WHERE { ?i coop:signature ?s . ?s coop:dateSignature ?date .
             OPTIONAL { ?s coop:lieuSignature ?t . ?t rdfs:label ?place } }"""
    rows = select(seed_store, q, i=CTG)
    assert {r["date"] for r in rows} == {"2020-01-23"}
    assert any("Saint-Georges" in r.get("place", "") for r in rows), rows
    q = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?i coop:signature ?s . ?s coop:signataire ?p }"
    assert count(seed_store, q, i=CTG) == 4


def test_the_ctg_runs_from_2020_to_2024(seed_store: ox.Store) -> None:
    q = "SELECT ?start ?end WHERE { ?i coop:periodeValidite ?p . ?p coop:debut ?start ; coop:fin ?end }"
    assert select(seed_store, q, i=CTG) == [{"start": "2020-01-01", "end": "2024-12-31"}]


def test_chef_de_file_and_co_porteur_of_the_ram_network(seed_store: ox.Store) -> None:
    q = """SELECT ?leadOrg ?co WHERE {
             ?a coop:instrument ?i ; rdfs:label ?label ; coop:chefDeFile ?lead ; coop:coPorteur ?co .
             FILTER(STRSTARTS(STR(?label), "Mettre en place un réseau RAM"))
             OPTIONAL { ?lead <http://www.w3.org/ns/org#unitOf> ?unitOf }
             BIND(COALESCE(?unitOf, ?lead) AS ?leadOrg) }"""
    rows = select(seed_store, q, i=CTG)
    assert rows == [
        {
            "leadOrg": "https://w3id.org/coopgraph/id/acteur/siren/200071553",
            "co": "https://w3id.org/coopgraph/id/acteur/caf/49",
        }
    ]


def test_where_it_says_that_the_caf_co_carries_the_ram_network(seed_store: ox.Store) -> None:
    q = """SELECT ?title ?start ?end WHERE {
             ?p coop:role <https://w3id.org/coopgraph/vocab/role/co-porteur> ; coop:agent ?caf ; coop:cadre ?a ;
                prov:wasDerivedFrom ?e .
             ?a rdfs:label ?label . FILTER(STRSTARTS(STR(?label), "Mettre en place un réseau RAM"))
             ?e coop:extraitDe ?doc ; coop:ligneDebut ?start ; coop:ligneFin ?end . ?doc dcterms:title ?title }"""
    rows = select(seed_store, q, caf="https://w3id.org/coopgraph/id/acteur/caf/49")
    assert [(r["start"], r["end"]) for r in rows] == [("398", "398")]


@pytest.mark.parametrize("kind", ["ConventionTerritorialeGlobale", "EntenteInterdepartementale",
                                  "EntenteInterterritoriale", "PlanDeCooperation", "ConventionTerritoiresPartenaires",
                                  "ConventionArticulation", "ConventionMutualisation", "ProgrammeActions"])
def test_every_seed_instrument_kind_is_present(seed_store: ox.Store, kind: str) -> None:
    q = "SELECT (COUNT(?i) AS ?n) WHERE { ?i a ?kind }"
    assert count(seed_store, q, kind=PREFIXES["coop"] + kind) >= 1


def test_the_agenda21_has_its_six_actions(seed_store: ox.Store) -> None:
    q = """SELECT ?num WHERE { ?i a coop:ProgrammeActions . ?a coop:instrument ?i ; coop:numero ?num } ORDER BY ?num"""
    assert [r["num"] for r in select(seed_store, q)] == ["5.1.1", "5.1.2", "5.2.1", "5.2.2", "5.2.3", "5.2.4"]


def test_every_fact_node_has_provenance(seed_store: ox.Store) -> None:
    q = """SELECT (COUNT(?x) AS ?n) WHERE {
             VALUES ?c { coop:Action coop:Participation coop:Signature coop:Axe coop:Orientation coop:Rubrique }
             ?x a ?c . FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?src } }"""
    assert count(seed_store, q) == 0
