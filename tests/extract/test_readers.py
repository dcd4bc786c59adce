"""The traps of the genre, one reader at a time."""

from __future__ import annotations

from coopgraph.extract import extract_text, summary
from coopgraph.extract.actors import NoResolver, kind_of
from coopgraph.extract.cleaning import decode, split_lines
from coopgraph.extract.dates import add_duration, find_dates, find_duration
from coopgraph.extract.parties import parse_person, read_party_block
from coopgraph.extract.tables import split_carriers


def _sum(text: str) -> dict:
    return summary(extract_text(text, resolver=NoResolver()))


def test_french_dates():
    assert [d.value for d in find_dates("du 1^{er} janvier 2020 au 31 décembre 2024")] == ["2020-01-01", "2024-12-31"]
    assert [d.value for d in find_dates("le 1e mars 2021, puis le 03/04/2021")] == ["2021-03-01", "2021-04-03"]
    assert [d.value for d in find_dates("signée le 4 novembre dernier")] == []  # no year: never invented
    assert find_duration("pour une durée de cinq (5) ans")[0] == "P5Y"
    assert add_duration("2022-01-01", 5, "Y") == "2026-12-31"


def test_cited_dates_are_not_the_period_nor_the_signature():
    text = """CONVENTION DE PARTENARIAT

Entre :
La Commune de Tulle, représentée par son maire, Monsieur Jean Dupuy, ci-après « la Ville »,
et
La Communauté d'agglomération Tulle Agglo, représentée par son président, Monsieur Marc Roche,

Il est convenu ce qui suit :
Vu la loi n° 82-213 du 2 mars 1982 ;
Vu la convention d'objectifs et de gestion 2018-2022 ;
Vu la délibération du conseil municipal du 12 janvier 2021 ;

Article 1 - Durée
La présente convention est conclue pour une durée de trois ans.
"""
    s = _sum(text)
    assert s["signature_date"] is None and s["start_date"] is None and s["end_date"] is None
    assert [p["name"] for p in s["parties"]] == ["Commune de Tulle", "Communauté d'agglomération Tulle Agglo"]


def test_blank_party_name_comes_from_its_ci_apres_clause():
    text = ("Entre :\nLa ............................, représentée par son maire, Madame Anne Roche, ci-après dénommée "
            "« Commune de Meymac » ;\net\nLa Caf de la Corrèze, représentée par son directeur, M. Paul Faure ;\n"
            "Il est convenu ce qui suit :\n")
    lines = split_lines(decode(text.encode()).text)
    parties, _ = read_party_block(lines)
    assert [p.name for p in parties] == ["Commune de Meymac", "Caf de la Corrèze"]
    assert parties[0].people[0].name == "Anne Roche" and parties[0].people[0].post == "maire"


def test_representatives_with_civility_and_post():
    p = parse_person("le président de son conseil d'administration, Monsieur Pascal Martin")
    assert (p.name, p.post, p.civility) == ("Pascal Martin", "président du conseil d'administration", "Monsieur")
    p = parse_person("Mme Claire DURAND, présidente")
    assert (p.name, p.post) == ("Claire Durand", "présidente")


def test_cover_logo_words_are_not_parties():
    text = "caf.fr\n\nCorrèze\nle Département\n\nLETTRE D'INFORMATION\n\nLes actions de l'année.\n"
    assert _sum(text)["parties"] == []


def test_plan_cells():
    assert [c.name for c in split_carriers("CCAB / PE + Caf")] == ["CCAB / PE", "Caf"]
    assert [c.name for c in split_carriers("Département ? ARS ?")] == ["Département ?", "ARS ?"]
    assert [c.name for c in split_carriers("Animateurs locaux/ communes")] == ["Animateurs locaux", "communes"]


def test_kinds_from_names():
    assert kind_of("Syndicat mixte du bassin de la Vézère")[0] == "syndicat"
    assert kind_of("PETR du Pays de Retz")[0] == "pays-petr"
    assert kind_of("Landkreis Lörrach")[0] == "autorite-etrangere"
    assert kind_of("Association Les Amis du Sénégal")[0] == "association"
    assert kind_of("la Caf de la Corrèze")[0] == "caf"


def test_html_action_table_and_foreign_partner():
    text = """CONVENTION DE COOPÉRATION DÉCENTRALISÉE

Entre :
La Commune de Meymac, représentée par son maire, M. Luc Faure, d'une part,
Et :
La Municipalité de Dano (Burkina Faso), représentée par son maire, M. Issa Somé, d'autre part,
Il est convenu ce qui suit :

<table><tr><td>Action</td><td>Pilote</td><td>Co-porteur</td></tr>
<tr><td>Construire une bibliothèque</td><td>Dano</td><td>Meymac</td></tr></table>

Fait à Meymac, le 3 juin 2022.
"""
    s = _sum(text)
    assert s["kind"] == "cooperation-decentralisee"
    kinds = {p["name"]: p["kind"] for p in s["parties"]}
    assert kinds["Municipalité de Dano"] == "autorite-etrangere"
    assert s["actions"] == [{"id": "1", "title": "Construire une bibliothèque", "lead": ["Dano"],
                             "co_carriers": ["Meymac"]}]
    assert s["signature_date"] == "2022-06-03" and s["place"] == "Meymac"
