"""The SKOS vocabularies: every concept labelled and defined in fr and en, coded, placed in a sound hierarchy."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import RDF, SKOS, Graph, Literal, URIRef

from coopgraph.iris import BASE
from coopgraph.paths import data_path
from coopgraph.rdfio import read_graph

VOCAB_FILES = sorted((data_path("ontology") / "vocab").glob("*.ttl"))
EXPECTED_SCHEMES = {"theme", "role", "statut-action", "type-instance", "type-document", "type-acte"}


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
