"""SHACL validation: the shapes of ``shapes/`` are the contract of valid data.

Exit codes follow pySHACL: 0 conforms, 1 violations, 2 unreadable input. Warnings are reported but do not fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import RDF, RDFS, SKOS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATIONS, CoopgraphError
from .iris import COOP, PREFIXES, PROV
from .paths import data_path
from .rdfio import read_graph

SH = Namespace("http://www.w3.org/ns/shacl#")


def _turtle_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


@lru_cache(maxsize=1)
def load_model() -> Graph:
    """The ontology and every SKOS vocabulary, as one graph (read once per process)."""
    onto = data_path("ontology")
    return read_graph(onto / "coop.ttl", *_turtle_files(onto / "vocab"))


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """Every shapes file of ``shapes/``, as one graph (read once per process)."""
    return read_graph(*_turtle_files(data_path("shapes")))


@dataclass(frozen=True)
class Result:
    """One SHACL result, with what a person needs to find and fix it."""

    focus: Node
    focus_label: str | None
    path: str | None
    message: dict[str, str]
    severity: str
    component: str
    shape: Node
    value: Node | None
    source: str | None = None

    def message_in(self, lang: str) -> str:
        return self.message.get(lang) or self.message.get("en") or next(iter(self.message.values()), "")

    def as_json(self, lang: str) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focus": str(self.focus),
            "focus_label": self.focus_label,
            "path": self.path,
            "message": self.message_in(lang),
            "messages": dict(sorted(self.message.items())),
            "component": self.component,
            "shape": str(self.shape),
            "value": None if self.value is None else str(self.value),
            "source": self.source,
        }


@dataclass
class Report:
    """The outcome of one validation."""

    conforms: bool
    results: list[Result]
    graph: Graph = field(repr=False)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def exit_code(self) -> int:
        return EXIT_OK if not self.violations else EXIT_VIOLATIONS


def _short(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns):
                return f"{prefix}:{text[len(ns):]}"
        return text
    return str(node)


def _path_text(graph: Graph, path: Node | None) -> str | None:
    """A readable SHACL property path: IRI, inverse path or sequence."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _short(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (_path_text(graph, inverse) or "?")
    if (path, RDF.first, None) in graph:
        return "/".join(_path_text(graph, p) or "?" for p in graph.items(path))
    return str(path)


def _label(data: Graph, node: Node, lang: str) -> str | None:
    best = None
    for prop in (RDFS.label, SKOS.prefLabel):
        for value in data.objects(node, prop):
            if isinstance(value, Literal):
                if value.language == lang:
                    return str(value)
                best = best or str(value)
    return best


def _source(data: Graph, node: Node) -> str | None:
    """Where the focus node was read: document and line range, from its provenance."""
    for excerpt in data.objects(node, PROV.wasDerivedFrom):
        doc = data.value(excerpt, COOP.extraitDe)
        start = data.value(excerpt, COOP.ligneDebut)
        end = data.value(excerpt, COOP.ligneFin)
        if doc is not None:
            title = data.value(doc, URIRef("http://purl.org/dc/terms/title")) or doc
            lines = f", lines {start}-{end}" if start is not None else ""
            return f"{title}{lines}"
    return None


def validate(data: Graph | Dataset, *, lang: str = "fr") -> Report:
    """Validate a graph (or the union of a dataset's graphs) against the shapes, with the model mixed in."""
    # The model is added to the data itself: sh:class needs the subclass axioms, and the vocabularies' concepts
    # must be seen as skos:Concepts of their schemes (pySHACL's own ont_graph mix-in copies only part of it).
    union = Graph()
    for triple in data.triples((None, None, None)):
        union.add(triple)
    union += load_model()
    conforms, results_graph, _text = pyshacl.validate(
        union,
        shacl_graph=load_shapes(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    results: list[Result] = []
    for res in results_graph.subjects(RDF.type, SH.ValidationResult):
        focus = results_graph.value(res, SH.focusNode)
        messages: dict[str, str] = {}
        for msg in results_graph.objects(res, SH.resultMessage):
            messages.setdefault(getattr(msg, "language", None) or "en", str(msg))
        results.append(
            Result(
                focus=focus,
                focus_label=_label(data, focus, lang),
                path=_path_text(results_graph, results_graph.value(res, SH.resultPath)),
                message=messages,
                severity=str(results_graph.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
                component=_short(results_graph.value(res, SH.sourceConstraintComponent)) or "",
                shape=results_graph.value(res, SH.sourceShape),
                value=results_graph.value(res, SH.value),
                source=_source(data, focus),
            )
        )
    results.sort(key=lambda r: (r.severity != "Violation", str(r.focus), r.path or "", r.component))
    return Report(conforms=bool(conforms), results=results, graph=results_graph)


def format_text(report: Report, lang: str) -> str:
    """A report a person reads: one block per result, violations first."""
    if not report.results:
        return "conforms: no violation, no warning" if lang == "en" else "conforme : aucune violation, aucun avertissement"
    lines = []
    for r in report.results:
        who = f"{r.focus_label} <{r.focus}>" if r.focus_label else f"<{r.focus}>"
        lines.append(f"[{r.severity}] {who}")
        if r.path:
            lines.append(f"    path: {r.path}")
        if r.value is not None:
            lines.append(f"    value: {r.value}")
        lines.append(f"    {r.message_in(lang)}")
        lines.append(f"    ({r.component})")
        if r.source:
            lines.append(f"    source: {r.source}")
    lines.append(f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return "\n".join(lines)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate RDF files against the SHACL shapes",
        description="Validate RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) against the shapes. "
        "Exit 0 conforms, 1 violations, 2 unreadable input.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        data = read_graph(*args.files)
    except CoopgraphError as exc:
        print(f"coopgraph validate: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = validate(data, lang=args.lang)
    if args.format == "json":
        payload = {
            "conforms": not report.violations,
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "results": [r.as_json(args.lang) for r in report.results],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True))
    elif args.format == "turtle":
        for prefix, ns in PREFIXES.items():
            report.graph.bind(prefix, ns)
        print(report.graph.serialize(format="turtle"))
    elif args.quiet:
        files = ", ".join(str(f) for f in args.files)
        print(f"{files}: {len(data)} triples, {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    else:
        print(format_text(report, args.lang))
    return report.exit_code
