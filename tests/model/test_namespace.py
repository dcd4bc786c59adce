"""The closed coop: namespace of the code equals the ontology, and catches typos."""

from __future__ import annotations

import pytest
from rdflib import RDF, URIRef

from coopgraph.iris import COOP
from coopgraph.paths import data_path
from coopgraph.rdfio import read_graph


def test_the_closed_namespace_lists_exactly_the_ontology_terms() -> None:
    onto = read_graph(data_path("ontology") / "coop.ttl")
    ns = str(COOP._NS)
    declared = {str(s)[len(ns):] for s in onto.subjects(RDF.type, None) if str(s).startswith(ns)}
    in_code = set(COOP.__annotations__)
    assert in_code == declared, (
        f"add to iris.COOP: {sorted(declared - in_code)}; remove from it: {sorted(in_code - declared)}"
    )


def test_a_misspelt_term_fails() -> None:
    assert COOP.chefDeFile == URIRef("https://w3id.org/coopgraph/ontology#chefDeFile")
    with pytest.raises(AttributeError):
        _ = COOP.chefDeFil
    with pytest.raises(AttributeError):
        _ = COOP["chefDeFil"]
