"""The seed records as named graphs with what they cite of the reference layer, and a broken copy of them."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from coopgraph.build import ReferenceLayer
from coopgraph.iris import BASE, COOP, TIME, graph_iri
from coopgraph.paths import data_path
from coopgraph.sources import build_sources
from coopgraph.validate import load_model

ID = BASE + "id/"


@pytest.fixture(scope="session")
def seed_graphs() -> tuple[dict[URIRef, Graph], Graph]:
    layer = ReferenceLayer(data_path("graph/reference"))
    _records, graphs = build_sources(data_path("graph/sources"), load_model(), layer.official, layer.territory)
    context = Graph()
    for triple in layer.describe(graphs.referenced):
        context.add(triple)
    return graphs.graphs, context


def copy_graphs(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    out = {}
    for name, g in graphs.items():
        out[name] = Graph()
        out[name] += g
    return out


def broken_seed(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    """The seed graphs with violations that only show when the graphs are read together (a label added by another
    record, a period added by the record that extends an instrument, a wrong SIREN a record gives to an authority
    of the reference layer…)."""
    broken = copy_graphs(graphs)
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
    return broken


BROKEN_COMPONENTS = {"sh:UniqueLangConstraintComponent", "sh:MaxCountConstraintComponent",
                     "sh:ClassConstraintComponent", "sh:QualifiedMinCountConstraintComponent",
                     "sh:MinCountConstraintComponent", "sh:SPARQLConstraintComponent"}
