"""The query library: headers, parameters, expected results on the seed build, and the data checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coopgraph.build import BuildResult
from coopgraph.errors import InputError
from coopgraph.paths import data_path
from coopgraph.queries import PARAM_TYPES, checks, library, parse, resolve
from coopgraph.store import EmbeddedStore
from tests.queries.results import UPDATE, canonical, expected_path, read_expected, write_expected

LIBRARY = library()
CHECKS = checks()
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def store(seed_build: BuildResult) -> EmbeddedStore:
    assert seed_build.out is not None
    return EmbeddedStore.for_build(seed_build.out)


def test_the_library_has_enough_queries_and_checks() -> None:
    assert len(LIBRARY) >= 15
    assert len(CHECKS) >= 8
    assert all(name.endswith("-violation") for name in CHECKS)


@pytest.mark.parametrize("name", sorted(LIBRARY) + sorted(CHECKS))
def test_headers_are_complete_and_parameters_are_used(name: str) -> None:
    doc = LIBRARY.get(name) or CHECKS[name]
    for key in ("title", "question.fr", "question.en", "returns.fr", "returns.en"):
        assert len(doc.header[key]) > 10, key
    for p in doc.params:
        assert p.type in PARAM_TYPES
        assert p.description, f"parameter {p.name} has no description"
        assert re.search(rf"\?{p.name}\b", doc.text.split("\nPREFIX", 1)[-1]), f"?{p.name} is not used"
        assert not p.required, "library queries run with no parameter given (a default or optional)"
    for column in doc.unordered:
        assert f"?{column}" in doc.text


def test_header_errors_name_the_line(tmp_path: Path) -> None:
    bad = "#+ title: t\n#+ question.fr: q\n#+ question.en: q\n#+ returns.fr: r\n#+ returns.en: r\n"
    with pytest.raises(InputError) as err:
        parse(bad + "#+ param: x color = red -- what\nSELECT ?x WHERE { ?x ?p ?o }", tmp_path / "q.rq")
    assert err.value.line == 6 and "unknown parameter type" in err.value.message
    with pytest.raises(InputError) as err:
        parse(bad + "#+ param: when date = 2021-13-45 -- a date\nSELECT ?when WHERE { ?s ?p ?when }", tmp_path / "q.rq")
    assert "not a valid date" in err.value.message
    with pytest.raises(InputError) as err:
        parse("#+ title: only a title\nSELECT * WHERE { ?s ?p ?o }", tmp_path / "q.rq")
    assert "question.fr" in err.value.message
    with pytest.raises(InputError) as err:
        parse(bad + "#+ colour: blue\nSELECT * WHERE { ?s ?p ?o }", tmp_path / "q.rq")
    assert err.value.line == 6


def test_unknown_and_ill_typed_parameters() -> None:
    doc = LIBRARY["epci-communes"]
    with pytest.raises(InputError, match="unknown parameter 'epic'"):
        doc.bindings({"epic": "x"})
    with pytest.raises(InputError, match="not a valid gYear"):
        doc.bindings({"millesime": "2021 } ; DROP ALL"})
    with pytest.raises(InputError, match="not a valid iri"):
        doc.bindings({"epci": '"> } ; DROP ALL #'})
    with pytest.raises(InputError):
        resolve("no-such-query")


def test_prefixed_names_use_the_query_prefixes() -> None:
    doc = LIBRARY["governance-bodies"]
    assert doc.param("instrument") is not None
    bound = doc.bindings({"instrument": "coop:Entente"})
    assert str(bound["instrument"]) == "https://w3id.org/coopgraph/ontology#Entente"


@pytest.mark.parametrize("name", sorted(LIBRARY) + sorted(CHECKS))
def test_expected_results_on_the_seed_build(store: EmbeddedStore, name: str) -> None:
    doc = LIBRARY.get(name) or CHECKS[name]
    result = store.query(doc.text, doc.bindings(), timeout=120)
    if UPDATE:
        write_expected(name, result, doc)
    assert expected_path(name).is_file(), f"no expected result for {name}: COOPGRAPH_UPDATE_EXPECTED=1 writes it"
    variables, rows = read_expected(name)
    assert result.variables == variables
    assert canonical(result, doc) == rows


def test_research_queries_find_something_on_the_seed_build() -> None:
    empty = [name for name in LIBRARY if not read_expected(name)[1]]
    assert not empty, f"these queries return nothing with their defaults: {empty}"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_checks_pass_on_the_build(store: EmbeddedStore, name: str) -> None:
    doc = CHECKS[name]
    result = store.select(doc.text, doc.bindings(), timeout=120)
    assert result.rows == [], f"{name}: {result.dicts()[:5]}"


@pytest.fixture(scope="module")
def broken() -> EmbeddedStore:
    model = sorted(data_path("ontology").glob("*.ttl")) + sorted((data_path("ontology") / "vocab").glob("*.ttl"))
    return EmbeddedStore.from_files(*model, FIXTURES / "violations.trig")


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_checks_catch_what_they_are_about(broken: EmbeddedStore, name: str) -> None:
    doc = CHECKS[name]
    result = broken.select(doc.text, doc.bindings())
    assert result.rows, f"{name} finds nothing in tests/queries/fixtures/violations.trig"
    assert all(any(str(t).startswith("https://example.org/test/") for t in row if t is not None)
               for row in result.rows), result.dicts()


def test_parameters_change_the_answer(store: EmbeddedStore) -> None:
    doc = LIBRARY["actor-cooperations"]
    loire = store.select(doc.text, doc.bindings({"actor": "https://w3id.org/coopgraph/id/acteur/departement/42"}))
    assert loire.rows and all(str(r[0]).endswith("/departement/42") for r in loire.rows)
    themes = LIBRARY["actions-by-theme"]
    every = store.select(themes.text, themes.bindings())
    sport = store.select(themes.text, themes.bindings({"theme": "https://w3id.org/coopgraph/vocab/theme/sport"}))
    assert 0 < len(sport) < len(every)
    assert {str(r[0]) for r in sport.rows} == {"https://w3id.org/coopgraph/vocab/theme/sport"}
