"""The ontology itself: strict syntax, every term documented in fr and en, one version, no undeclared coop: IRI."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

import coopgraph
from coopgraph.iris import COOP, ONTOLOGY_IRI
from coopgraph.paths import data_path
from coopgraph.rdfio import read_graph
from tests.conftest import REPO, rapper_or_skip

DCTERMS = Namespace("http://purl.org/dc/terms/")
ONTOLOGY_FILE = data_path("ontology") / "coop.ttl"
MODEL_FILES = [ONTOLOGY_FILE, *sorted((data_path("ontology") / "vocab").glob("*.ttl"))]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return read_graph(ONTOLOGY_FILE)


def coop_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(COOP))}


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_model_files_parse_strictly_with_oxigraph(path: Path) -> None:
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert quads, f"{path.name} is empty"


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_model_files_parse_with_rapper(path: Path) -> None:
    rapper = rapper_or_skip()
    done = subprocess.run([rapper, "-q", "-c", "-i", "turtle", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_version_is_written_once_and_matches_the_package(onto: Graph) -> None:
    info = onto.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert str(info) == coopgraph.__version__
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{coopgraph.__version__}")
    modified = onto.value(ONTOLOGY_IRI, DCTERMS.modified)
    assert modified is not None and modified.datatype == XSD.date, "dcterms:modified must be a fixed xsd:date"
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) is not None


def _one_per_language(graph: Graph, term: URIRef, prop: URIRef) -> list[str]:
    problems = []
    values = [v for v in graph.objects(term, prop) if isinstance(v, Literal)]
    for lang in ("fr", "en"):
        n = sum(1 for v in values if v.language == lang)
        if n != 1:
            problems.append(f"{term} has {n} {prop.n3(graph.namespace_manager)}@{lang}")
    return problems


def test_every_term_has_labels_and_definitions_in_french_and_english(onto: Graph) -> None:
    problems = []
    for term in sorted(coop_terms(onto)):
        problems += _one_per_language(onto, term, RDFS.label)
        problems += _one_per_language(onto, term, SKOS.definition)
        if onto.value(term, RDFS.isDefinedBy) != ONTOLOGY_IRI:
            problems.append(f"{term} lacks rdfs:isDefinedBy <{ONTOLOGY_IRI}>")
    assert not problems, "\n".join(problems)


def test_every_property_has_a_domain_and_a_range(onto: Graph) -> None:
    problems = []
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in onto.subjects(RDF.type, kind):
            if not str(prop).startswith(str(COOP)):
                continue
            for axis in (RDFS.domain, RDFS.range):
                if onto.value(prop, axis) is None:
                    problems.append(f"{prop} has no {axis}")
    assert not problems, "\n".join(problems)


def test_every_iri_the_ontology_uses_is_declared(onto: Graph) -> None:
    """No undeclared IRI: every IRI in subject or object position (outside rdf/rdfs/owl/xsd) has a type."""
    builtin = (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#",
        "http://www.w3.org/2001/XMLSchema#",
    )
    typed = set(onto.subjects(RDF.type, None))
    used = set()
    for s, p, o in onto:
        for node in (s, p, o):
            if isinstance(node, URIRef) and not str(node).startswith(builtin):
                used.add(node)
    skip = {ONTOLOGY_IRI}
    # Annotation values that are documents, not terms (licence, seeAlso targets, version IRI).
    for p in (DCTERMS.license, RDFS.seeAlso, OWL.versionIRI, RDFS.isDefinedBy):
        skip |= {o for o in onto.objects(None, p) if isinstance(o, URIRef)}
    undeclared = sorted(str(u) for u in used - typed - skip)
    assert not undeclared, "undeclared IRIs:\n" + "\n".join(undeclared)


# ---- every coop: IRI used anywhere in the project is declared in the ontology ------------------------------

_PREFIXED = re.compile(r"(?<![\w/#:.-])coop:([A-Za-z_][A-Za-z0-9_]*)")
_FULL = re.compile(re.escape(str(COOP)) + r"([A-Za-z_][A-Za-z0-9_]*)")
_PYTHON = re.compile(r"\bCOOP(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*\])")
_SCANNED = ("ontology", "shapes", "queries", "graph/sources", "src", "tests", "notebooks", "benchmarks")
_SUFFIXES = {".ttl", ".rq", ".yaml", ".yml", ".py", ".ipynb", ".md", ".trig", ".jsonld"}


def _used_coop_names() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    files = [REPO / "README.md"]
    for folder in _SCANNED:
        files += [p for p in (REPO / folder).rglob("*") if p.suffix in _SUFFIXES and p.is_file()]
    # The model tests themselves spell wrong terms on purpose, to prove the checks fail.
    files = [p for p in files if "tests/model/" not in p.as_posix()]
    for path in files:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        names = set(_PREFIXED.findall(text)) | set(_FULL.findall(text))
        if path.suffix == ".py":
            names |= {a or b for a, b in _PYTHON.findall(text)}
        for name in names:
            used.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return used


def test_every_coop_iri_used_anywhere_is_declared(onto: Graph) -> None:
    declared = {str(t)[len(str(COOP)) :] for t in coop_terms(onto)}
    known_python_attributes = {"_NS", "_fail", "_warn", "_extras", "_underscore_num", "__annotations__"}
    missing = {
        name: where
        for name, where in _used_coop_names().items()
        if name not in declared and name not in known_python_attributes
    }
    assert not missing, "coop: terms used but not declared:\n" + "\n".join(
        f"coop:{n} in {', '.join(sorted(w))}" for n, w in sorted(missing.items())
    )


def test_the_typo_detector_catches_a_typo(tmp_path: Path) -> None:
    """The scan above must be able to fail: a misspelt term in a query is found."""
    text = "SELECT * WHERE { ?a coop" + ":chefDeFil ?b }"  # split so this file does not trip the scan
    assert _PREFIXED.findall(text) == ["chefDeFil"]
