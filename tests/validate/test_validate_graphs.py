"""Validation per named graph, in parallel (``validate_graphs``) answers as one pySHACL call on the union does.

The seed records are validated both ways: as they are, and with violations put in that only show when the graphs
are read together (a label added by another record, a period added by the record that extends an instrument, a
wrong SIREN a record gives to an authority of the reference layer…), in chunks small enough that every graph is
validated in its own worker.
"""

from __future__ import annotations

import pytest
import rdflib
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from coopgraph.build import ReferenceLayer
from coopgraph.iris import BASE, COOP, TIME, graph_iri
from coopgraph.paths import data_path
from coopgraph.sources import build_sources
from coopgraph.validate import _plan, _result_key, load_model, load_shapes, validate, validate_graphs

ID = BASE + "id/"


@pytest.fixture(scope="module")
def seed_graphs() -> tuple[dict[URIRef, Graph], Graph]:
    layer = ReferenceLayer(data_path("graph/reference"))
    _records, graphs = build_sources(data_path("graph/sources"), load_model(), layer.official, layer.territory)
    context = Graph()
    for triple in layer.describe(graphs.referenced):
        context.add(triple)
    return graphs.graphs, context


def _both_ways(graphs: dict[URIRef, Graph], context: Graph) -> tuple[set, set]:
    union = Graph()
    for g in graphs.values():
        union += g
    union += context
    single = {_result_key(r) for r in validate(union, lang="en").results}
    parallel = validate_graphs(graphs, context, lang="en", workers=2, chunk_triples=500)
    return single, {_result_key(r) for r in parallel.results}


def _copy(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    out = {}
    for name, g in graphs.items():
        out[name] = Graph()
        out[name] += g
    return out


def test_the_plan_reads_how_far_the_shapes_reach() -> None:
    plan = _plan(load_shapes())
    assert plan.depth >= 2  # a CTG is signed on behalf of a CAF: signature / pourLeCompteDe, then its class
    assert COOP.pourLeCompteDe in plan.beyond
    assert COOP.gouvernance in plan.inverse


def test_per_graph_validation_gives_the_single_call_answer(seed_graphs) -> None:
    graphs, context = seed_graphs
    single, parallel = _both_ways(graphs, context)
    assert single == parallel == set()

    broken = _copy(graphs)
    brochure = broken[graph_iri("source", "cooperation-loire-haute-loire-brochure")]
    pistes = broken[graph_iri("source", "pistes-cooperation-loire-haute-loire")]
    ctg = broken[graph_iri("source", "ctg-loire-layon-aubance-2020-2024")]
    sdis = URIRef(ID + "acteur/sdis-42")
    entente = URIRef(ID + "instrument/entente-loire-haute-loire")
    assert (sdis, RDF.type, None) in brochure and (sdis, None, None) not in pistes
    # another French label, given by another record: two labels in one language only in the union
    pistes.add((sdis, RDFS.label, Literal("SDIS de la Loire (autre nom)", lang="fr")))
    # the record that extends the entente gives it two validity periods
    for n in (1, 2):
        period = URIRef(ID + f"periode/test-{n}")
        pistes.add((entente, COOP.periodeValidite, period))
        pistes.add((period, RDF.type, TIME.Interval))
        pistes.add((period, COOP.debut, Literal(f"202{n}", datatype=rdflib.XSD.gYear)))
    # an action of the pistes that belongs to an authority instead of an instrument
    action = next(iter(sorted(pistes.subjects(COOP.instrument, entente))))
    pistes.remove((action, COOP.instrument, entente))
    pistes.add((action, COOP.instrument, URIRef(ID + "acteur/departement/42")))
    # the CTG's signatures for no one: no signature on behalf of a CAF left
    for signature in list(ctg.objects(None, COOP.signature)):
        ctg.remove((signature, COOP.pourLeCompteDe, None))
    # a record gives a second, miscopied SIREN to an EPCI of the reference layer
    cclla = URIRef(ID + "acteur/siren/200071553")
    ctg.add((cclla, COOP.siren, Literal("200071554")))
    single, parallel = _both_ways(broken, context)
    assert parallel == single
    components = {key[3] for key in single}
    assert {"sh:UniqueLangConstraintComponent", "sh:MaxCountConstraintComponent", "sh:ClassConstraintComponent",
            "sh:QualifiedMinCountConstraintComponent", "sh:MinCountConstraintComponent",
            "sh:SPARQLConstraintComponent"} <= components, components


def test_no_graph_gives_the_model_s_own_answer() -> None:
    """No graph at all: the report of the model alone, which conforms."""
    report = validate_graphs({}, lang="en")
    assert report.conforms and not report.violations
