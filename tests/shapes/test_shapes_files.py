"""The shapes files themselves: strict syntax, valid SHACL, messages in French and English, documented node
shapes, deliberate severities, terms the model declares, and core SHACL except for one SPARQL check."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from coopgraph.iris import COOP
from coopgraph.paths import data_path
from tests.shapes.support import COOPSH, SH, components, local_name, node_shapes, top_level_shapes

SHAPES_FILES = sorted(data_path("shapes").glob("*.ttl"))
AREAS = {"actors", "territories", "instruments", "actions", "participation", "provenance", "labels"}


def test_one_shapes_file_per_area() -> None:
    assert {p.stem for p in SHAPES_FILES} == AREAS


@pytest.mark.parametrize("path", SHAPES_FILES, ids=lambda p: p.name)
def test_shapes_file_parses_strictly_with_oxigraph(path: Path) -> None:
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    assert quads, f"{path.name} is empty"


def test_shapes_conform_to_shacl_shacl(shapes: Graph) -> None:
    shacl_shacl = Graph().parse(
        data=files("pyshacl").joinpath("assets/shacl-shacl.ttl").read_text(encoding="utf-8"), format="turtle"
    )
    conforms, _graph, text = pyshacl.validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text


def _messages(shapes: Graph, node: URIRef | BNode) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = {}
    for msg in shapes.objects(node, SH.message):
        assert isinstance(msg, Literal), f"{node}: sh:message {msg!r} is not a literal"
        by_lang.setdefault(msg.language or "", []).append(str(msg))
    return by_lang


def test_every_constraint_has_one_message_in_french_and_one_in_english(shapes: Graph) -> None:
    problems = []
    for name, shape in top_level_shapes(shapes).items():
        own = components(shapes, shape)
        if not own:
            continue
        if own == {"sh:SPARQLConstraintComponent"}:
            # The message belongs to each SPARQL constraint; one on the shape too would be reported twice.
            if (shape, SH.message, None) in shapes:
                problems.append(f"{name}: messages go on its sh:sparql constraint, not on the shape")
            carriers = list(shapes.objects(shape, SH.sparql))
        else:
            carriers = [shape]
        for carrier in carriers:
            by_lang = _messages(shapes, carrier)
            if sorted(by_lang) != ["en", "fr"] or any(len(v) != 1 for v in by_lang.values()):
                problems.append(f"{name}: messages by language {by_lang}")
    assert not problems, "\n".join(problems)


def test_every_node_shape_says_what_it_checks(shapes: Graph) -> None:
    for shape in node_shapes(shapes):
        for prop in (RDFS.label, RDFS.comment):
            langs = sorted(v.language or "" for v in shapes.objects(shape, prop) if isinstance(v, Literal))
            assert langs == ["en", "fr"], f"{local_name(shape)}: {prop} in {langs}"


def test_every_constraint_has_a_deliberate_severity(shapes: Graph) -> None:
    for name, shape in top_level_shapes(shapes).items():
        if not components(shapes, shape):
            assert (shape, SH.severity, None) not in shapes, f"{name} has a severity but no constraint of its own"
            continue
        severities = list(shapes.objects(shape, SH.severity))
        assert severities in ([SH.Violation], [SH.Warning]), f"{name}: sh:severity {severities}"
        if severities == [SH.Warning]:
            # A warning is for missing recommended data or a doubtful label, never for a wrong value.
            assert components(shapes, shape) <= {
                "sh:MinCountConstraintComponent",
                "sh:QualifiedMinCountConstraintComponent",
                "sh:UniqueLangConstraintComponent",
            }, name


def test_helper_shapes_are_anonymous_and_untargeted(shapes: Graph) -> None:
    """Shapes nested in sh:not, sh:or, sh:qualifiedValueShape run only through their parent shape."""
    top = set(top_level_shapes(shapes).values())
    nested = set(shapes.objects(None, SH["not"])) | set(shapes.objects(None, SH.qualifiedValueShape))
    for lst in shapes.objects(None, SH["or"]):
        nested.update(Collection(shapes, lst))
    for shape in nested:
        assert isinstance(shape, BNode), f"helper shape {shape} should be a blank node"
        assert shape not in top
        assert not any((shape, p, None) in shapes for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode))
        assert (shape, SH.message, None) not in shapes, "a nested shape's message is never reported"
    named = {s for s in shapes.subjects(RDF.type, None) if str(s).startswith(str(COOPSH))}
    named -= {s for s in shapes.subjects(RDF.type, SH.SPARQLConstraint)}
    assert named <= top, f"named shapes that never run: {sorted(map(local_name, named - top))}"


def test_only_the_siren_check_uses_sparql_and_only_on_failing_nodes(shapes: Graph) -> None:
    """Core SHACL runs fast on the national graph; SHACL-SPARQL costs a query parse per focus node, so its
    node shape is reached through a SPARQL target that selects the failing nodes in one query."""
    assert sorted(local_name(s) for s in shapes.subjects(SH.sparql, None)) == ["Siren-cle"]
    holder = shapes.value(None, SH.property, COOPSH["Siren-cle"])
    assert holder == COOPSH["SirenCleShape"]
    targets = {p for p in shapes.predicates(holder, None) if str(p).startswith(str(SH) + "target")}
    assert targets == {SH.target}
    (target,) = shapes.objects(holder, SH.target)
    assert (target, RDF.type, SH.SPARQLTarget) in shapes


def test_shapes_use_only_terms_the_model_declares(shapes: Graph, model: Graph) -> None:
    used = {t for t in shapes.all_nodes() if isinstance(t, URIRef) and t.startswith(str(COOP))}
    missing = sorted(str(t) for t in used if (t, None, None) not in model)
    assert not missing, f"terms the shapes use but the ontology does not declare: {missing}"


def test_scheme_checks_match_the_vocabularies(shapes: Graph, model: Graph) -> None:
    """A concept is in scheme S exactly when its IRI is S/{slug}: the premise of the sh:pattern checks."""
    prefix = "^https://w3id\\.org/coopgraph/vocab/"
    patterns = {str(p) for p in shapes.objects(None, SH.pattern) if str(p).startswith(prefix)}
    schemes = {p[len(prefix) :].split("/", 1)[0]: re.compile(p) for p in patterns}
    assert set(schemes) == {"statut-action", "theme", "type-acte", "role", "type-instance", "type-document"}
    for name, regex in schemes.items():
        scheme = URIRef(f"https://w3id.org/coopgraph/vocab/{name}")
        assert (scheme, RDF.type, SKOS.ConceptScheme) in model, f"no scheme {scheme}"
        in_scheme = set(model.subjects(SKOS.inScheme, scheme))
        matching = {c for c in model.subjects(RDF.type, SKOS.Concept) if regex.match(str(c))}
        assert in_scheme, f"{name}: no concept"
        assert in_scheme == matching, f"{name}: {sorted(map(str, in_scheme ^ matching))}"
