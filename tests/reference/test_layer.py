"""The vendored layer (graph/reference/): counts against its upstream-derived manifest, SIRENs, memberships."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
from pathlib import Path

import pyoxigraph as ox

from coopgraph.reference import INDEX_FILE, LAYER_FILE, luhn_ok

from .conftest import sparql

COOP = "https://w3id.org/coopgraph/ontology#"
TERRITORY_CLASS = {
    "region": "TerritoireRegion",
    "departement": "TerritoireDepartement",
    "arrondissement": "TerritoireArrondissement",
    "commune": "TerritoireCommune",
    "commune-deleguee": "TerritoireCommuneDeleguee",
    "commune-associee": "TerritoireCommuneAssociee",
    "arrondissement-municipal": "TerritoireArrondissementMunicipal",
    "epci": "TerritoireEPCI",
    "ept": "TerritoireEPT",
    "epci-CC": "CommunauteDeCommunes",
    "epci-CA": "CommunauteAgglomeration",
    "epci-CU": "CommunauteUrbaine",
    "epci-METRO": "Metropole",
    "epci-MET69": "MetropoleDeLyon",
}
EPCI_CLASSES = "coop:CommunauteDeCommunes coop:CommunauteAgglomeration coop:CommunauteUrbaine coop:Metropole " \
               "coop:MetropoleDeLyon"


def _class_counts(store: ox.Store) -> dict[tuple[str, str], int]:
    rows = sparql(store, """
        SELECT ?c ?y (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c ; coop:millesime ?y } GROUP BY ?c ?y""")
    return {(r["c"].rsplit("#", 1)[-1], r["y"]): int(r["n"]) for r in rows}


def test_both_millesimes_are_vendored(manifest: dict) -> None:
    assert {"2021", "2026"} <= set(manifest["millesimes"])
    assert manifest["millesimes"]["2026"]["version"] == "6.0.0"
    assert manifest["millesimes"]["2021"]["version"] == "1.1.1"
    for entry in manifest["millesimes"].values():
        assert len(entry["archive_sha256"]) == 64  # the vendored layer was made from the npm archives
        assert entry["counts"]["commune"] > 30000


def test_counts_per_kind_equal_upstream_rows(store: ox.Store, manifest: dict) -> None:
    counts = _class_counts(store)
    checked = 0
    newest = max(manifest["millesimes"])
    for year, entry in manifest["millesimes"].items():
        for kind, expected in entry["counts"].items():
            # An EPCI's class is the one of its newest millésime (a CC that became a CA is a CA), so the
            # counts per EPCI kind hold for the newest millésime only; the EPCI territories, for every one.
            if kind in TERRITORY_CLASS and (not kind.startswith("epci-") or year == newest):
                assert counts.get((TERRITORY_CLASS[kind], year), 0) == expected, (year, kind)
                checked += 1
        com = sparql(store, f"""
            SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{
                ?t coop:millesime "{year}"^^xsd:gYear .
                FILTER STRSTARTS(STR(?t), "https://w3id.org/coopgraph/id/territoire/collectivite-outre-mer/") }}""")
        assert int(com[0]["n"]) == entry["counts"]["collectivite-outre-mer"]
        for kind, cls in (("membre-epci", EPCI_CLASSES), ("membre-ept", "coop:EtablissementPublicTerritorial")):
            n = sparql(store, f"""
                SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{
                    ?m a org:Membership ; coop:millesime "{year}"^^xsd:gYear ; org:organization ?o .
                    ?o a ?c . VALUES ?c {{ {cls} }} }}""")
            assert int(n[0]["n"]) == entry["counts"][kind], (year, kind)
        minted = entry["minted"]
        assert counts.get(("Departement", year), 0) == minted["acteur-departement"]
        assert counts.get(("Region", year), 0) == minted["acteur-region"]
        assert counts.get(("CAF", year), 0) == minted["caf"] == entry["counts"]["departement"]
    assert checked >= 2 * 9 + 5


def test_every_siren_passes_its_luhn_key(store: ox.Store) -> None:
    sirens = [r["s"] for r in sparql(store, "SELECT ?s WHERE { ?a coop:siren ?s }")]
    assert len(sirens) > 35000
    bad = [s for s in sirens if len(s) != 9 or not s.isdigit() or not luhn_ok(s)]
    assert bad == []
    per_node = sparql(store, "SELECT ?a WHERE { ?a coop:siren ?s } GROUP BY ?a HAVING (COUNT(?s) > 1)")
    assert per_node == []


def test_every_member_is_a_commune_of_the_same_millesime(store: ox.Store) -> None:
    held = sparql(store, """
        SELECT ?m ?y ?a ?o WHERE { ?m a org:Membership ; coop:millesime ?y ; org:member ?a ; org:organization ?o }""")
    communes = {(r["a"], r["y"]) for r in sparql(store, """
        SELECT ?a ?y WHERE { ?a a coop:Commune ; coop:millesime ?y ; coop:gouverne ?t .
                             ?t a coop:TerritoireCommune ; coop:millesime ?y }""")}
    organisations = {(r["o"], r["y"]) for r in sparql(store, """
        SELECT ?o ?y WHERE { ?o coop:millesime ?y . ?m org:organization ?o }""")}
    assert len(held) > 60000
    assert [r for r in held if (r["a"], r["y"]) not in communes] == []
    assert [r for r in held if (r["o"], r["y"]) not in organisations] == []


def test_a_moved_commune_has_two_dated_memberships(store: ox.Store) -> None:
    moved = sparql(store, f"""
        SELECT ?a ?m1 ?o1 ?m2 ?o2 WHERE {{
            ?m1 org:member ?a ; org:organization ?o1 ; org:memberDuring ?p1 .
            ?p1 coop:debut "2021"^^xsd:gYear ; coop:fin "2021"^^xsd:gYear .
            ?m2 org:member ?a ; org:organization ?o2 ; org:memberDuring ?p2 .
            ?p2 coop:debut "2026"^^xsd:gYear .
            FILTER NOT EXISTS {{ ?p2 coop:fin ?f }}
            ?o1 a ?c1 . ?o2 a ?c2 . VALUES ?c1 {{ {EPCI_CLASSES} }} VALUES ?c2 {{ {EPCI_CLASSES} }}
            FILTER (?o1 != ?o2)
        }} ORDER BY ?a""")
    assert len(moved) > 50  # 2021 → 2026 moved about a hundred communes
    first = moved[0]
    # "Which EPCI did it belong to in 2021, and since when is it in its current one?" is one query
    answer = sparql(store, f"""
        SELECT ?o ?y ?debut ?fin WHERE {{
            ?m org:member <{first["a"]}> ; org:organization ?o ; coop:millesime ?y ; org:memberDuring ?p .
            ?o a ?c . VALUES ?c {{ {EPCI_CLASSES} }}
            ?p coop:debut ?debut . OPTIONAL {{ ?p coop:fin ?fin }}
        }} ORDER BY ?y""")
    assert [(r["o"], r["y"], r["debut"], r["fin"]) for r in answer] == [
        (first["o1"], "2021", "2021", "2021"),
        (first["o2"], "2026", "2026", None),
    ]


def test_a_commune_that_stayed_has_one_membership_over_both_millesimes(store: ox.Store) -> None:
    # Saint-Georges-sur-Loire (49283) in the CC Loire Layon Aubance, both years
    rows = sparql(store, """
        SELECT ?m ?y ?fin WHERE {
            ?a coop:gouverne <https://w3id.org/coopgraph/id/territoire/commune/49283> .
            ?m org:member ?a ; org:organization <https://w3id.org/coopgraph/id/acteur/siren/200071553> ;
               coop:millesime ?y ; org:memberDuring ?p .
            ?p coop:debut "2021"^^xsd:gYear . OPTIONAL { ?p coop:fin ?fin } } ORDER BY ?y""")
    assert [r["y"] for r in rows] == ["2021", "2026"]
    assert len({r["m"] for r in rows}) == 1 and rows[0]["fin"] is None


def test_authority_and_territory_are_apart(store: ox.Store) -> None:
    rows = sparql(store, """
        SELECT ?a ?t WHERE { ?a coop:gouverne ?t . ?a a coop:MetropoleDeLyon }""")
    assert rows == [{"a": "https://w3id.org/coopgraph/id/acteur/siren/200046977",
                     "t": "https://w3id.org/coopgraph/id/territoire/epci/200046977"}]
    rhone = sparql(store, """SELECT ?a WHERE { ?a coop:gouverne <https://w3id.org/coopgraph/id/territoire/departement/69> }""")
    assert rhone == [{"a": "https://w3id.org/coopgraph/id/acteur/departement/69"}]
    both = sparql(store, """
        SELECT ?x WHERE { ?x a ?c1 , ?c2 .
            FILTER (STRSTARTS(STR(?c1), "https://w3id.org/coopgraph/ontology#Territoire"))
            FILTER (?c2 IN (coop:Commune, coop:Departement, coop:Region, coop:CAF, coop:CommunauteDeCommunes)) }
        LIMIT 1""")
    assert both == []


def test_every_departement_has_its_authority_and_caf(store: ox.Store, manifest: dict) -> None:
    for year in manifest["millesimes"]:
        departements = {r["d"] for r in sparql(store, f"""
            SELECT ?d WHERE {{ ?d a coop:TerritoireDepartement ; coop:millesime "{year}"^^xsd:gYear }}""")}
        governed = {r["d"] for r in sparql(store, f"""
            SELECT ?d WHERE {{ ?a coop:gouverne ?d ; coop:millesime "{year}"^^xsd:gYear }}""")}
        with_caf = {r["d"] for r in sparql(store, f"""
            SELECT ?d WHERE {{ ?c a coop:CAF ; coop:ressort ?d ; coop:millesime "{year}"^^xsd:gYear }}""")}
        assert len(departements) == 101
        assert departements <= governed and departements <= with_caf
    caf = sparql(store, """SELECT ?l WHERE { <https://w3id.org/coopgraph/id/acteur/caf/49> rdfs:label ?l }""")
    assert caf == [{"l": "Caf de Maine-et-Loire"}]


def test_every_node_points_to_its_upstream_release(store: ox.Store, manifest: dict) -> None:
    for year, entry in manifest["millesimes"].items():
        missing = sparql(store, f"""
            SELECT ?s WHERE {{ ?s coop:millesime "{year}"^^xsd:gYear .
                FILTER NOT EXISTS {{ ?s prov:wasDerivedFrom <{entry["dataset"]}> }} }} LIMIT 3""")
        assert missing == []
        meta = sparql(store, f"""
            SELECT ?src ?lic WHERE {{ <{entry["dataset"]}> <http://purl.org/dc/terms/source> ?src ;
                                      <http://purl.org/dc/terms/license> ?lic }}""")
        assert meta == [{"src": f"https://www.npmjs.com/package/@etalab/decoupage-administratif/v/{entry['version']}",
                         "lic": "https://spdx.org/licenses/MIT"}]


def test_files_match_the_manifest(vendored: Path, manifest: dict) -> None:
    blob = (vendored / LAYER_FILE).read_bytes()
    assert blob[4:8] == b"\0\0\0\0"  # gzip mtime 0: the same triples give the same bytes
    assert hashlib.sha256(blob).hexdigest() == manifest["layer"]["sha256"]
    lines = gzip.decompress(blob).decode("utf-8").splitlines()
    assert len(lines) == manifest["layer"]["triples"]
    assert all(a < b for a, b in itertools.pairwise(lines))  # sorted, no duplicate
    index = json.loads(gzip.decompress((vendored / INDEX_FILE).read_bytes()))
    assert index["layer_sha256"] == manifest["layer"]["sha256"]
    assert hashlib.sha256((vendored / INDEX_FILE).read_bytes()).hexdigest() == manifest["layer"]["lookup_index"][
        "sha256"]
    # well under the size budget of the repository
    assert len(blob) + (vendored / INDEX_FILE).stat().st_size < 25_000_000
