"""Helpers of the shapes tests: fixture loading, and reading the shapes (targets, components, paths)."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.paths import Path as RdfPath
from rdflib.paths import SequencePath
from rdflib.term import Node

from coopgraph.rdfio import read_graph

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SH = Namespace("http://www.w3.org/ns/shacl#")
COOPSH = Namespace("https://w3id.org/coopgraph/shapes#")

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)

# Each constraint parameter the shapes use, and the constraint component it belongs to.
COMPONENT_OF = {
    SH.minCount: "sh:MinCountConstraintComponent",
    SH.maxCount: "sh:MaxCountConstraintComponent",
    SH.datatype: "sh:DatatypeConstraintComponent",
    SH.pattern: "sh:PatternConstraintComponent",
    SH["class"]: "sh:ClassConstraintComponent",
    SH.node: "sh:NodeConstraintComponent",
    SH["not"]: "sh:NotConstraintComponent",
    SH["or"]: "sh:OrConstraintComponent",
    SH.qualifiedMinCount: "sh:QualifiedMinCountConstraintComponent",
    SH.disjoint: "sh:DisjointConstraintComponent",
    SH.lessThanOrEquals: "sh:LessThanOrEqualsConstraintComponent",
    SH.minInclusive: "sh:MinInclusiveConstraintComponent",
    SH.uniqueLang: "sh:UniqueLangConstraintComponent",
    SH.languageIn: "sh:LanguageInConstraintComponent",
    SH.hasValue: "sh:HasValueConstraintComponent",
    SH.sparql: "sh:SPARQLConstraintComponent",
}
# Predicates of a shape that are not constraint parameters.
NOT_CONSTRAINTS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.path,
    SH.severity,
    SH.message,
    SH.property,
    SH.qualifiedValueShape,
    *TARGETS,
}


def load_fixture(rel: str) -> Graph:
    """A fixture file, read strictly (pyoxigraph), as the CLI would read it."""
    return read_graph(FIXTURES / rel)


def node_shapes(shapes: Graph) -> list[Node]:
    """Node shapes that run on their own: those with a target."""
    return sorted(
        {s for s in shapes.subjects(RDF.type, SH.NodeShape) if any((s, t, None) in shapes for t in TARGETS)},
        key=str,
    )


def top_level_shapes(shapes: Graph) -> dict[str, Node]:
    """Targeted node shapes and their property shapes, by local name (helper shapes nested in them excluded)."""
    found: dict[str, Node] = {}
    for ns in node_shapes(shapes):
        for shape in (ns, *shapes.objects(ns, SH.property)):
            found[local_name(shape)] = shape
    return found


def local_name(shape: Node) -> str:
    text = str(shape)
    return text[len(str(COOPSH)) :] if text.startswith(str(COOPSH)) else text


def components(shapes: Graph, shape: Node) -> set[str]:
    """The constraint components a shape declares directly (not through its property shapes)."""
    found = set()
    for pred in set(shapes.predicates(shape, None)):
        if pred in NOT_CONSTRAINTS:
            continue
        if pred not in COMPONENT_OF:
            raise AssertionError(
                f"{local_name(shape)}: parameter {pred} has no known component; add it to COMPONENT_OF"
            )
        found.add(COMPONENT_OF[pred])
    return found


def parent_of(shapes: Graph, shape: Node) -> Node | None:
    return shapes.value(None, SH.property, shape)


def rdflib_path(shapes: Graph, path: Node) -> URIRef | RdfPath:
    """A SHACL property path as an rdflib path (IRI, inverse, sequence: the forms the shapes use)."""
    if isinstance(path, URIRef):
        return path
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return ~rdflib_path(shapes, inverse)  # type: ignore[operator]
    if isinstance(path, BNode) and (path, RDF.first, None) in shapes:
        return SequencePath(*(rdflib_path(shapes, p) for p in Collection(shapes, path)))
    raise AssertionError(f"unsupported path {path}")


def focus_nodes(shapes: Graph, shape: Node, data: Graph) -> set[Node]:
    """The focus nodes of a node shape in a data graph (the model merged in, for rdfs:subClassOf)."""
    found: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            found.update(data.subjects(RDF.type, sub))
    for pred in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(data.subjects(pred, None))
    for pred in shapes.objects(shape, SH.targetObjectsOf):
        found.update(data.objects(None, pred))
    found.update(shapes.objects(shape, SH.targetNode))
    for target in shapes.objects(shape, SH.target):  # SHACL-AF SPARQL target
        prefixes = {
            str(shapes.value(decl, SH.prefix)): str(shapes.value(decl, SH.namespace))
            for holder in shapes.objects(target, SH.prefixes)
            for decl in shapes.objects(holder, SH.declare)
        }
        query = str(shapes.value(target, SH.select))
        found.update(row[0] for row in data.query(query, initNs=prefixes))  # type: ignore[index]
    return found
