"""Validation per named graph, in parallel (``validate_graphs``) answers as one pySHACL call on the union does.

The seed records are validated both ways: as they are, and with violations put in that only show when the graphs
are read together (a label added by another record, a period added by the record that extends an instrument, a
wrong SIREN a record gives to an authority of the reference layer…), in chunks small enough that every graph is
validated in its own worker.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from coopgraph.iris import COOP
from coopgraph.validate import _plan, _result_key, load_shapes, validate, validate_graphs
from tests.validate.conftest import BROKEN_COMPONENTS, broken_seed


def _both_ways(graphs: dict[URIRef, Graph], context: Graph) -> tuple[set, set]:
    union = Graph()
    for g in graphs.values():
        union += g
    union += context
    single = {_result_key(r) for r in validate(union, lang="en").results}
    parallel = validate_graphs(graphs, context, lang="en", workers=2, chunk_triples=500)
    return single, {_result_key(r) for r in parallel.results}


def test_the_plan_reads_how_far_the_shapes_reach() -> None:
    plan = _plan(load_shapes())
    assert plan.depth >= 2  # a CTG is signed on behalf of a CAF: signature / pourLeCompteDe, then its class
    assert COOP.pourLeCompteDe in plan.beyond
    assert COOP.gouvernance in plan.inverse


def test_per_graph_validation_gives_the_single_call_answer(seed_graphs) -> None:
    graphs, context = seed_graphs
    single, parallel = _both_ways(graphs, context)
    assert single == parallel == set()

    broken = broken_seed(graphs)
    single, parallel = _both_ways(broken, context)
    assert parallel == single
    components = {key[3] for key in single}
    assert components >= BROKEN_COMPONENTS, components


def test_no_graph_gives_the_model_s_own_answer() -> None:
    """No graph at all: the report of the model alone, which conforms."""
    report = validate_graphs({}, lang="en")
    assert report.conforms and not report.violations
