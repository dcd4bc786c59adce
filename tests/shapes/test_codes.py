"""Official identifiers value by value: the SIREN check digit against a Python Luhn, INSEE codes per level."""

from __future__ import annotations

import random

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from coopgraph.iris import COOP
from coopgraph.validate import Report, validate
from tests.shapes.cases import ID
from tests.shapes.support import COOPSH


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == 1:  # second, fourth… digit from the left of a nine-digit SIREN
            d = d * 2 - 9 if d >= 5 else d * 2
        total += d
    return total % 10 == 0


def _actors(sirens: list[str]) -> Graph:
    g = Graph()
    for n, siren in enumerate(sirens):
        node = URIRef(f"{ID}acteur/essai/{n}")
        g.add((node, RDF.type, COOP.Acteur))
        g.add((node, RDFS.label, Literal(f"Acteur d'essai {n}", lang="fr")))
        g.add((node, COOP.siren, Literal(siren)))
    return g


def _flagged(report: Report, shape: str) -> set[str]:
    return {str(r.focus) for r in report.results if r.shape == COOPSH[shape]}


def test_luhn_reference_implementation() -> None:
    assert luhn_ok("200071553")  # CC Loire Layon Aubance
    assert not luhn_ok("200071554")
    assert luhn_ok("356000000")


@pytest.mark.parametrize(("siren", "valid"), [("200071553", True), ("200071554", False)])
def test_real_siren_of_the_cc_loire_layon_aubance(siren: str, valid: bool) -> None:
    report = validate(_actors([siren]))
    assert not _flagged(report, "Siren-forme")
    assert bool(_flagged(report, "Siren-cle")) is not valid
    assert bool(report.violations) is not valid


def test_luhn_query_agrees_with_python_on_random_numbers() -> None:
    # Each failing number costs pySHACL a fresh parse of the constraint query: keep them few.
    rng = random.Random(7)
    sirens = sorted({f"{rng.randrange(10**9):09d}" for _ in range(40)} | {"000000000", "999999999", "200071553"})
    # The valid number next to each one (its last digit fixed), so both outcomes are well represented.
    sirens += sorted({s[:8] + d for s in sirens for d in "0123456789" if luhn_ok(s[:8] + d)} - set(sirens))
    report = validate(_actors(sirens))
    expected = {f"{ID}acteur/essai/{n}" for n, s in enumerate(sirens) if not luhn_ok(s)}
    assert 0 < len(expected) < len(sirens)
    assert _flagged(report, "Siren-cle") == expected
    assert not _flagged(report, "Siren-forme")


def test_luhn_query_skips_values_that_are_not_nine_digits() -> None:
    report = validate(_actors(["20007155", "2000715530", "200 071 553", "SIREN"]))
    assert not _flagged(report, "Siren-cle")
    assert len(_flagged(report, "Siren-forme")) == 4


def test_luhn_result_keeps_its_french_and_english_messages() -> None:
    (result,) = [r for r in validate(_actors(["200071554"])).results if r.shape == COOPSH["Siren-cle"]]
    assert set(result.message) == {"fr", "en"}


# (territory class, shape checking its code, code, valid?)
# fmt: off
CODES: list[tuple[str, str, str, bool]] = [
    *(("TerritoireCommune", "CodeCommune-codeInsee", c, True)
      for c in ("01001", "49007", "2A004", "2B033", "97101", "97611", "75056")),
    *(("TerritoireCommune", "CodeCommune-codeInsee", c, False)
      for c in ("1001", "490070", "2C004", "2a004", "49 007", "", "ABCDE")),
    ("TerritoireCommuneDeleguee", "CodeCommune-codeInsee", "49001", True),
    ("TerritoireCommuneAssociee", "CodeCommune-codeInsee", "4900", False),
    ("TerritoireArrondissementMunicipal", "CodeCommune-codeInsee", "75101", True),
    ("TerritoireArrondissementMunicipal", "CodeCommune-codeInsee", "69381", True),
    ("TerritoireArrondissementMunicipal", "CodeCommune-codeInsee", "751", False),
    *(("TerritoireDepartement", "CodeDepartement-codeInsee", c, True)
      for c in ("01", "09", "19", "21", "2A", "2B", "42", "95", "971", "974", "976", "978")),
    *(("TerritoireDepartement", "CodeDepartement-codeInsee", c, False)
      for c in ("00", "1", "20", "96", "970", "979", "2C", "042", "2a")),
    *(("TerritoireRegion", "CodeRegion-codeInsee", c, True) for c in ("01", "06", "11", "84", "94")),
    *(("TerritoireRegion", "CodeRegion-codeInsee", c, False) for c in ("1", "840", "AR")),
    *(("TerritoireArrondissement", "CodeArrondissement-codeInsee", c, True)
      for c in ("011", "2A1", "2B2", "421", "9711", "9741")),
    *(("TerritoireArrondissement", "CodeArrondissement-codeInsee", c, False)
      for c in ("42", "4211", "2C1", "9791", "01-1")),
    *(("TerritoireEPCI", "CodeEPCI-codeInsee", c, True) for c in ("200071553", "244900015")),
    *(("TerritoireEPCI", "CodeEPCI-codeInsee", c, False) for c in ("20007155", "2000715530", "200 071 553")),
    ("TerritoireEPT", "CodeEPCI-codeInsee", "200057867", True),
    ("TerritoireEPT", "CodeEPCI-codeInsee", "T1", False),
    *(("TerritoireCollectiviteOutreMer", "CodeCollectiviteOutreMer-codeInsee", c, True) for c in ("975", "987", "989")),
    *(("TerritoireCollectiviteOutreMer", "CodeCollectiviteOutreMer-codeInsee", c, False) for c in ("97", "9870", "960")),
]
# fmt: on


def _node(n: int) -> URIRef:
    return URIRef(f"{ID}territoire/essai/{n}")


@pytest.fixture(scope="module")
def code_report() -> Report:
    g = Graph()
    for n, (cls, _shape, code, _ok) in enumerate(CODES):
        node = _node(n)
        g.add((node, RDF.type, COOP[cls]))
        g.add((node, RDFS.label, Literal(f"Territoire d'essai {n}", lang="fr")))
        g.add((node, COOP.codeInsee, Literal(code)))
        g.add((node, COOP.population, Literal(1000)))
    return validate(g)


@pytest.mark.parametrize(
    ("n", "cls", "shape", "code", "valid"),
    [(n, *row) for n, row in enumerate(CODES)],
    ids=[f"{cls}-{code or 'empty'}-{'ok' if ok else 'bad'}" for cls, _s, code, ok in CODES],
)
def test_insee_code_by_level(code_report: Report, n: int, cls: str, shape: str, code: str, valid: bool) -> None:
    about = [r for r in code_report.results if r.focus == _node(n)]
    assert {(str(r.shape), r.component) for r in about} == (
        set() if valid else {(str(COOPSH[shape]), "sh:PatternConstraintComponent")}
    ), about
