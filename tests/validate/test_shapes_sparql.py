"""The shapes compiled to SPARQL (``coopgraph.shapes_sparql``) answer as pySHACL does.

pySHACL is the reference: on every shape fixture, on the seed records, and on the seed records with violations put
in that only show when the graphs are read together, both engines must give the same results (shape, component,
focus node, value). Two differences are known and listed here, each the SPARQL engine's being right about XSD.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef

from coopgraph.build import MODEL_GRAPH, _graph_quads
from coopgraph.iris import BASE
from coopgraph.shapes_sparql import UnsupportedShape, compile_shapes, validate_sources, validate_store
from coopgraph.validate import CITED_GRAPH, SH, load_model, load_shapes, validate
from tests.shapes.support import COMPONENT_OF, FIXTURES, load_fixture
from tests.validate.conftest import BROKEN_COMPONENTS, broken_seed

ID = BASE + "id/"
NUMBERS = {XSD.decimal, XSD.double, XSD.float, XSD.integer}

# "20"^^xsd:gYear: rdflib reads it as a year, XSD (and Oxigraph) require four digits, so the SPARQL engine adds a
# sh:datatype result to the sh:pattern one both report.
STRICTER_ON_GYEAR = {
    "actions/invalid/action-annee-deux-chiffres.ttl": ("action/convention-essai/1", "Action-anneeDemarrage"),
    "actors/invalid/millesime-deux-chiffres.ttl": ("adhesion/commune-49007/siren-200071553/2024", "Millesime-annee"),
}


def _value(value: object) -> str | None:
    """A value as both engines can agree on: Oxigraph keeps numbers in canonical form ("12.0"^^xsd:decimal is
    "12"), so numbers are compared by value."""
    if value is None:
        return None
    if isinstance(value, Literal) and value.datatype in NUMBERS:
        return f"{float(value)}^^{value.datatype}"
    if isinstance(value, Literal) and value.datatype == XSD.string:  # "x" and "x"^^xsd:string are one term
        return Literal(str(value)).n3()
    return value.n3() if isinstance(value, Literal) else str(value)


def _keys(results) -> set[tuple]:
    return {(str(r.focus), r.component, str(r.shape) if isinstance(r.shape, URIRef) else "", _value(r.value),
             r.severity) for r in results}


def _store(*graphs: Graph) -> ox.Store:
    store = ox.Store()
    for g in graphs:
        store.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


@pytest.mark.parametrize("fixture", sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.ttl")), ids=str)
def test_each_fixture_gets_the_pyshacl_answer(fixture: str) -> None:
    data = load_fixture(fixture)
    expected = _keys(validate(data).results)
    got = _keys(validate_store(_store(data, load_model()), load_shapes()).results)
    if fixture in STRICTER_ON_GYEAR:
        focus, shape = STRICTER_ON_GYEAR[fixture]
        extra = {k for k in got - expected if k[1] == "sh:DatatypeConstraintComponent"}
        assert {(k[0], k[2].rsplit("#", 1)[-1]) for k in extra} == {(ID + focus, shape)}
        got -= extra
    assert got == expected


def _own_and_context(graphs: dict[URIRef, Graph], context: Graph) -> tuple[list[ox.Quad], list[ox.Quad]]:
    own = list(_graph_quads(load_model(), MODEL_GRAPH))
    for name, g in graphs.items():
        own.extend(_graph_quads(g, name))
    return own, list(_graph_quads(context, CITED_GRAPH))


def _pyshacl_on_union(graphs: dict[URIRef, Graph], context: Graph) -> set[tuple]:
    union = Graph()
    for g in graphs.values():
        union += g
    union += context
    return _keys(validate(union, lang="en").results)


def test_the_seed_records_conform_on_both_engines(seed_graphs) -> None:
    graphs, context = seed_graphs
    own, cited = _own_and_context(graphs, context)
    report = validate_sources(own, cited, lang="en", workers=2)
    assert _keys(report.results) == _pyshacl_on_union(graphs, context) == set()


def test_violations_across_records_are_found_as_pyshacl_finds_them(seed_graphs) -> None:
    graphs, context = seed_graphs
    broken = broken_seed(graphs)
    own, cited = _own_and_context(broken, context)
    report = validate_sources(own, cited, lang="en", workers=2)
    expected = _pyshacl_on_union(broken, context)
    assert _keys(report.results) == expected
    assert {k[1] for k in expected} >= BROKEN_COMPONENTS
    # what a person needs to fix them: a label and the document lines where the focus node was read
    ctg = next(r for r in report.violations if r.component == "sh:QualifiedMinCountConstraintComponent")
    assert ctg.focus_label and ctg.source and "lines" in ctg.source
    assert ctg.message["fr"] and ctg.message["en"]


def test_every_constraint_of_the_shapes_is_compiled() -> None:
    """One check per constraint parameter of every shape reached from a target: none skipped."""
    shapes = load_shapes()
    checks = compile_shapes(shapes, {})
    expected: list[str] = []
    for shape in {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.target) for s in shapes.subjects(p, None)}:
        for node in (shape, *shapes.objects(shape, SH.property)):
            expected += [COMPONENT_OF[p] for p in shapes.predicates(node, None) if p in COMPONENT_OF]
    assert sorted(c.component for c in checks) == sorted(expected)


def test_a_component_it_does_not_know_is_an_error_not_a_skip() -> None:
    shapes = Graph()
    shapes.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) .
    """, format="turtle")
    with pytest.raises(UnsupportedShape, match="xone"):
        compile_shapes(shapes, {})


def test_the_reference_layer_warns_where_a_territory_has_no_population(seed_build) -> None:
    """The French Southern Lands and Clipperton have no population in the official geography: six warnings of the
    layer's own verdict, which the build reports as one SHACL run on the union would (the first engine kept only
    the results on the nodes the records cite)."""
    warned = {str(r.focus).rsplit("/", 1)[-1] for r in seed_build.report.warnings
              if r.component == "sh:MinCountConstraintComponent" and r.path == "coop:population"}
    assert warned == {"98411", "98412", "98413", "98414", "98415", "98901"}
    assert not seed_build.report.violations
