"""The SKOS vocabularies: every concept labelled and defined in fr and en, coded, placed in a sound hierarchy."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from coopgraph.iris import BASE, COOP, ONTOLOGY_IRI
from coopgraph.paths import data_path
from coopgraph.rdfio import read_graph

VOCAB_FILES = sorted((data_path("ontology") / "vocab").glob("*.ttl"))
EXPECTED_SCHEMES = {
    "theme", "role", "statut-action", "type-instance", "type-document", "type-acte", "type-instrument", "type-acteur",
}


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return read_graph(*VOCAB_FILES)


def test_the_expected_schemes_exist(vocab: Graph) -> None:
    schemes = {str(s)[len(BASE + "vocab/") :] for s in vocab.subjects(RDF.type, SKOS.ConceptScheme)}
    assert schemes >= EXPECTED_SCHEMES
    assert {p.stem for p in VOCAB_FILES} == schemes, "one file per scheme, named after it"


def test_concepts_are_labelled_defined_and_coded(vocab: Graph) -> None:
    problems = []
    notations: Counter[tuple[URIRef, str]] = Counter()
    for concept in sorted(vocab.subjects(RDF.type, SKOS.Concept)):
        scheme = vocab.value(concept, SKOS.inScheme)
        if scheme is None or not str(concept).startswith(str(scheme) + "/"):
            problems.append(f"{concept}: not in its scheme's namespace")
        for prop in (SKOS.prefLabel, SKOS.definition):
            for lang in ("fr", "en"):
                n = sum(1 for v in vocab.objects(concept, prop) if isinstance(v, Literal) and v.language == lang)
                if n != 1:
                    problems.append(f"{concept}: {n} {prop}@{lang}")
        codes = list(vocab.objects(concept, SKOS.notation))
        if len(codes) != 1:
            problems.append(f"{concept}: {len(codes)} skos:notation")
        for code in codes:
            notations[(scheme, str(code))] += 1
    problems += [f"notation {code} used {n} times in {scheme}" for (scheme, code), n in notations.items() if n > 1]
    assert not problems, "\n".join(problems)


def test_hierarchy_is_symmetric_and_acyclic(vocab: Graph) -> None:
    for narrow, broad in vocab.subject_objects(SKOS.broader):
        assert (broad, SKOS.narrower, narrow) in vocab, f"{broad} lacks skos:narrower {narrow}"
    for broad, narrow in vocab.subject_objects(SKOS.narrower):
        assert (narrow, SKOS.broader, broad) in vocab, f"{narrow} lacks skos:broader {broad}"
    for concept in vocab.subjects(RDF.type, SKOS.Concept):
        seen, frontier = set(), {concept}
        while frontier:
            parents = {p for c in frontier for p in vocab.objects(c, SKOS.broader)}
            assert concept not in parents, f"cycle through {concept}"
            frontier = parents - seen
            seen |= parents


def test_every_concept_reaches_a_top_concept(vocab: Graph) -> None:
    for concept in vocab.subjects(RDF.type, SKOS.Concept):
        node = concept
        while (parent := vocab.value(node, SKOS.broader)) is not None:
            node = parent
        assert vocab.value(node, SKOS.topConceptOf) is not None, f"{concept} climbs to {node}, not a top concept"


def test_themes_are_many_and_hierarchical(vocab: Graph) -> None:
    scheme = URIRef(BASE + "vocab/theme")
    themes = set(vocab.subjects(SKOS.inScheme, scheme))
    assert len(themes) >= 25
    assert any(vocab.value(t, SKOS.broader) is not None for t in themes)


@pytest.mark.parametrize(
    ("scheme", "slug"),
    [
        ("role", "signataire"),
        ("role", "chef-de-file"),
        ("role", "chef-de-file-conjoint"),
        ("role", "co-porteur"),
        ("role", "partenaire"),
        ("role", "pilote"),
        ("role", "financeur"),
        ("role", "animateur"),
        ("role", "membre-instance"),
        ("type-instance", "comite-pilotage"),
        ("type-instance", "comite-technique"),
        ("type-instance", "conference-entente"),
    ],
)
def test_concepts_the_records_rely_on_exist(vocab: Graph, scheme: str, slug: str) -> None:
    assert (URIRef(f"{BASE}vocab/{scheme}/{slug}"), RDF.type, SKOS.Concept) in vocab


# ---- type-instrument and type-acteur: the codes of the extractor's summary, each tied to an ontology class ----------

# The codes `coopgraph extract --summary` writes (issue 8): "kind" of the instrument, "kind" of each party.
SUMMARY_CODES = {
    "type-instrument": (
        "ctg", "entente-interdepartementale", "entente-intercommunale", "entente-interterritoriale", "plan-cooperation",
        "convention-mutualisation", "convention-articulation", "convention-partenariat",
        "convention-territoires-partenaires", "cooperation-decentralisee", "cooperation-transfrontaliere",
        "contrat-reciprocite", "programme-actions", "autre",
    ),
    "type-acteur": (
        "commune", "departement", "region", "cc", "ca", "cu", "metropole", "ept", "syndicat", "pnr", "pays-petr",
        "pole-metropolitain", "caf", "msa", "etat", "etablissement-public", "association", "autorite-etrangere", "autre",
    ),
}
# The class each scheme's concepts must fall under.
SCHEME_ROOT = {"type-instrument": COOP.Instrument, "type-acteur": COOP.Acteur}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return read_graph(data_path("ontology") / "coop.ttl")


def _concepts(vocab: Graph, scheme: str) -> list[URIRef]:
    return sorted(c for c in vocab.subjects(SKOS.inScheme, URIRef(f"{BASE}vocab/{scheme}")) if isinstance(c, URIRef))


def _subclasses(onto: Graph, root: URIRef) -> set[URIRef]:
    """root and every class below it, transitively."""
    return {c for c in onto.transitive_subjects(RDFS.subClassOf, root) if isinstance(c, URIRef)}


@pytest.mark.parametrize(
    ("scheme", "code"), [(scheme, code) for scheme, codes in SUMMARY_CODES.items() for code in codes]
)
def test_every_summary_code_is_a_concept_with_that_notation(vocab: Graph, scheme: str, code: str) -> None:
    concept = URIRef(f"{BASE}vocab/{scheme}/{code}")
    assert (concept, RDF.type, SKOS.Concept) in vocab
    assert [str(n) for n in vocab.objects(concept, SKOS.notation)] == [code]


def test_type_concepts_map_to_exactly_one_ontology_class(vocab: Graph, onto: Graph) -> None:
    """Every concept of type-instrument and type-acteur has one coop:classe, a class the ontology declares; and every
    instrument class (coop:InstrumentCooperation, coop:ProgrammeActions and their subclasses) has a concept."""
    declared = {
        c for c in onto.subjects(RDF.type, OWL.Class) if onto.value(c, RDFS.isDefinedBy) == ONTOLOGY_IRI
    }
    problems = []
    for scheme in SUMMARY_CODES:
        concepts = _concepts(vocab, scheme)
        assert concepts, f"no concept in {scheme}"
        for concept in concepts:
            values = list(vocab.objects(concept, COOP.classe))
            if len(values) != 1:
                problems.append(f"{concept}: {len(values)} coop:classe")
            problems += [f"{concept}: coop:classe {v} is not a class of coop.ttl" for v in values if v not in declared]
    mapped = {vocab.value(c, COOP.classe) for c in _concepts(vocab, "type-instrument")}
    instrument_classes = (
        _subclasses(onto, COOP.InstrumentCooperation) | _subclasses(onto, COOP.ProgrammeActions)
    ) & declared
    problems += [f"{cls} is the coop:classe of no type-instrument concept" for cls in sorted(instrument_classes - mapped)]
    assert not problems, "\n".join(problems)


def test_type_concept_classes_follow_the_class_and_concept_hierarchies(vocab: Graph, onto: Graph) -> None:
    """An instrument type maps to an instrument class, an actor type to an actor class; a narrower concept's class is
    its broader concept's class or one of its subclasses."""
    problems = []
    for scheme, root in SCHEME_ROOT.items():
        allowed = _subclasses(onto, root)
        for concept in _concepts(vocab, scheme):
            cls = vocab.value(concept, COOP.classe)
            if cls not in allowed:
                problems.append(f"{concept}: coop:classe {cls} is not under {root}")
            for broader in vocab.objects(concept, SKOS.broader):
                broader_cls = vocab.value(broader, COOP.classe)
                if broader_cls is not None and cls not in _subclasses(onto, broader_cls):
                    problems.append(f"{concept}: coop:classe {cls} is not under {broader_cls}, the class of {broader}")
    assert not problems, "\n".join(problems)
