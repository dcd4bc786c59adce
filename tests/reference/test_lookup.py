"""Lookups over the vendored layer: by INSEE code, by SIREN, by name as documents write it."""

from __future__ import annotations

from collections import defaultdict

import pytest

from coopgraph.reference import ReferenceIndex, normalize
from coopgraph.reference.lookup import name_tokens, split_kind

ID = "https://w3id.org/coopgraph/id/"


@pytest.mark.parametrize(
    ("text", "iri"),
    [
        ("Département de la Loire", "acteur/departement/42"),
        ("le Département de la Loire", "acteur/departement/42"),
        ("DEPARTEMENT DE LA LOIRE", "acteur/departement/42"),
        ("Conseil départemental de la Haute-Loire", "acteur/departement/43"),
        ("la Caf de Maine-et-Loire", "acteur/caf/49"),
        ("CAF de Maine et Loire", "acteur/caf/49"),
        ("Caisse d'allocations familiales de Maine-et-Loire", "acteur/caf/49"),
        ("CC Loire Layon Aubance", "acteur/siren/200071553"),
        ("communauté de communes Loire Layon Aubance", "acteur/siren/200071553"),
        ("la Communauté de Communes Loire-Layon-Aubance", "acteur/siren/200071553"),
        ("communauté d'agglomération du Bassin de Brive", "acteur/siren/200043172"),
        ("Communauté d’agglomération du bassin de Brive", "acteur/siren/200043172"),
        ("Région Auvergne-Rhône-Alpes", "acteur/region/84"),
        ("Saint-Georges-sur-Loire", "acteur/siren/214902835"),
        ("St Georges sur Loire", "acteur/siren/214902835"),
        ("commune de Saint-Georges-sur-Loire", "acteur/siren/214902835"),
        ("Métropole de Lyon", "acteur/siren/200046977"),
        ("Département du Rhône", "acteur/departement/69"),
        ("CC de l'Est Lyonnais", "acteur/siren/246900575"),
        ("CCEL", "acteur/siren/246900575"),
    ],
)
def test_names_as_documents_write_them(index: ReferenceIndex, text: str, iri: str) -> None:
    match = index.lookup(text)
    assert not match.ambiguous, [c.entry.label for c in match.candidates]
    assert match.best is not None and match.best.iri == ID + iri, [c.entry.iri for c in match.candidates]


def test_the_examples_carry_their_identifiers(index: ReferenceIndex) -> None:
    cc = index.resolve("CC Loire Layon Aubance")
    assert cc.siren == "200071553" and cc.kind == "CommunauteDeCommunes" and cc.departements == ("49",)
    loire = index.resolve("Département de la Loire")
    assert loire.label == "Département de la Loire" and loire.code == "42" and loire.role == "acteur"
    caf = index.resolve("la Caf de Maine-et-Loire")
    assert caf.label == "Caf de Maine-et-Loire" and caf.kind == "CAF"
    assert [t.iri for t in index.territories_of(caf)] == [ID + "territoire/departement/49"]


def test_authority_or_territory(index: ReferenceIndex) -> None:
    territory = index.resolve("Loire", role="territoire")
    assert territory.iri == ID + "territoire/departement/42"
    assert [a.iri for a in index.authorities_of(territory)] == [ID + "acteur/departement/42"]
    assert index.resolve("Lyon").iri == ID + "acteur/siren/216901231"  # the commune before the Métropole
    assert index.resolve("Lyon", role="territoire").iri == ID + "territoire/commune/69123"


def test_homonymous_communes_need_their_departement(index: ReferenceIndex) -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for e in index.entries.values():
        if e.role == "territoire" and e.kind == "commune" and e.current:
            by_name[e.label].add(e.departements[0])
    homonyms = sorted(name for name, deps in by_name.items() if len(deps) >= 3)
    assert "Saint-Denis" in homonyms
    for name in homonyms[:5]:
        match = index.lookup(name)
        assert match.ambiguous and match.best is None
        assert len(match.candidates) >= 3
        for dep in sorted(by_name[name])[:2]:
            chosen = index.lookup(name, departement=dep)
            assert chosen.best is not None and dep in chosen.best.departements, (name, dep)
    denis = index.lookup("Saint-Denis", departement="93")
    assert denis.best.code == "93066" and denis.best.current
    assert index.resolve("Saint-Denis (974)").code == "97411"
    assert index.resolve("Saint-Denis", departement="Seine-Saint-Denis").code == "93066"
    # ranked: the biggest homonyms first
    populations = [c.entry.population or 0 for c in index.lookup("Saint-Denis").candidates]
    assert populations[:2] == sorted(populations, reverse=True)[:2]


def test_by_code_and_by_siren(index: ReferenceIndex) -> None:
    commune = index.by_insee("49283")
    assert commune.label == "Saint-Georges-sur-Loire" and commune.millesimes == (2021, 2026)
    assert index.by_insee("42", "departement").label == "Loire"
    assert index.by_insee("84", "region").label == "Auvergne-Rhône-Alpes"
    assert {e.kind for e in index.territories("84")} == {"region", "departement"}
    assert index.by_siren("200071553").label == "CC Loire Layon Aubance"
    assert index.by_siren("200 071 553").siren == "200071553"
    assert index.by_siren("200071554") is None
    assert index.resolve_ref("departement:42").iri == ID + "acteur/departement/42"
    assert index.resolve_ref("caf:49").iri == ID + "acteur/caf/49"
    assert index.resolve_ref("region:84").iri == ID + "acteur/region/84"
    assert index.resolve_ref("commune:49283").siren == "214902835"
    assert index.resolve_ref("epci:200071553").iri == ID + "acteur/siren/200071553"


def test_authorities_that_replaced_a_departement(index: ReferenceIndex) -> None:
    assert index.resolve("Département du Bas-Rhin").iri == ID + "acteur/collectivite/alsace"
    assert index.departement("68").label == "Collectivité européenne d'Alsace"
    assert index.resolve("Région Corse").iri == ID + "acteur/collectivite/corse"
    assert index.departement("2A").label == "Collectivité de Corse"
    assert index.departement("75").label == "Ville de Paris"
    assert index.departement("976").label == "Département de Mayotte"
    assert index.caf("976").label == "Caisse de sécurité sociale de Mayotte"


def test_fuzzy_candidates_and_unknown_names(index: ReferenceIndex) -> None:
    partial = index.lookup("communauté de communes Loire Layon")
    assert partial.candidates and partial.candidates[0].entry.siren == "200071553"
    assert partial.candidates[0].score < 100
    assert index.lookup("CCLLA").candidates == []  # a sigle the data does not know: no guess
    assert index.lookup("Xyzzy-les-Bains").candidates == []
    assert index.lookup("").candidates == []


def test_millesime_filter_and_former_names(index: ReferenceIndex) -> None:
    # renamed between 2021 ("CC Faucigny-Glières") and 2026 ("CC Faucigny - Glières"): both names find it
    assert index.resolve("CC Faucigny-Glières").siren == "200000172"
    assert index.resolve("CC Faucigny - Glières").siren == "200000172"
    # an EPCI dissolved after 2021 is found for 2021 and not for 2026
    old = index.by_siren("200035459")
    assert old.millesimes == (2021,) and not old.current
    assert index.lookup(old.label, millesime=2026).candidates == []
    assert index.resolve(old.label, millesime=2021).iri == old.iri


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Saint-Étienne", ["saint", "etienne"]),
        ("St-Étienne", ["saint", "etienne"]),
        ("Ste Foy-lès-Lyon", ["sainte", "foy", "lyon"]),
        ("L'Haÿ-les-Roses", ["hay", "roses"]),
        ("Cœuvres-et-Valsery", ["coeuvres", "valsery"]),
        ("St Georges s/ Loire", ["saint", "georges", "sur", "loire"]),
        ("Communauté d’agglomération", ["communaute", "agglomeration"]),
    ],
)
def test_name_folding(text: str, tokens: list[str]) -> None:
    assert name_tokens(text) == tokens
    assert normalize(text) == " ".join(tokens)


def test_kind_words() -> None:
    assert split_kind(name_tokens("Communauté d'agglomération du Bassin de Brive")) == ("ca", ["bassin", "brive"])
    assert split_kind(name_tokens("la Caf de la Loire")) == ("caf", ["loire"])
    assert split_kind(name_tokens("Conseil départemental de la Loire")) == ("departement", ["loire"])
    assert split_kind(name_tokens("Loire")) == (None, ["loire"])
