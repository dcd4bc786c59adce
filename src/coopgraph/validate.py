"""SHACL validation: the shapes of ``shapes/`` are the contract of valid data.

Exit codes follow pySHACL: 0 conforms, 1 violations, 2 unreadable input. Warnings are reported but do not fail.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, RDFS, SKOS, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATIONS, CoopgraphError
from .iris import COOP, PREFIXES, PROV
from .paths import data_path
from .rdfio import read_graph, to_rdflib

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
    results = [result for _node, result in _read_results(results_graph, data, lang)]
    results.sort(key=_result_order)
    return Report(conforms=bool(conforms), results=results, graph=results_graph)


def _read_results(results_graph: Graph, data: Graph, lang: str) -> list[tuple[Node, Result]]:
    """The results of a pySHACL report, each with its node in the report graph."""
    out: list[tuple[Node, Result]] = []
    # Only the report's own results: the sh:detail results nested under them (sh:node) are not separate findings.
    for res in sorted(set(results_graph.objects(None, SH.result)), key=str):
        focus = results_graph.value(res, SH.focusNode)
        messages: dict[str, str] = {}
        for msg in results_graph.objects(res, SH.resultMessage):
            messages.setdefault(getattr(msg, "language", None) or "en", str(msg))
        # pySHACL drops the language tags of SHACL-SPARQL messages: take them back from the constraint itself.
        constraint = results_graph.value(res, SH.sourceConstraint)
        if constraint is not None and len(messages) < 2:
            for msg in load_shapes().objects(constraint, SH.message):
                if getattr(msg, "language", None):
                    messages[msg.language] = str(msg)
        out.append((res, Result(
            focus=focus,
            focus_label=_label(data, focus, lang),
            path=_path_text(results_graph, results_graph.value(res, SH.resultPath)),
            message=messages,
            severity=str(results_graph.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
            component=_short(results_graph.value(res, SH.sourceConstraintComponent)) or "",
            shape=results_graph.value(res, SH.sourceShape),
            value=results_graph.value(res, SH.value),
            source=_source(data, focus),
        )))
    return out


def _result_order(r: Result) -> tuple:
    return (r.severity != "Violation", str(r.focus), r.path or "", r.component, str(r.value))


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
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
    parser.add_argument("--reference", action="store_true",
                        help="validate the vendored reference layer instead, once per content hash of the layer, "
                        "shapes and model (minutes the first time): the verdict is kept in the build cache "
                        "(~/.cache/coopgraph) and later builds add its results to their reports")
    parser.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "reference", False):
        from .build import ReferenceLayer, _reference_cache  # here: build imports this module

        try:
            layer = ReferenceLayer(data_path("graph/reference"))
        except CoopgraphError as exc:
            print(f"coopgraph validate: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        report = validate_reference(layer, _reference_cache(layer), lang=args.lang)
        args.files = [data_path("graph/reference")]
        data = Graph()
        size = layer.ntriples.count(b"\n")
    elif not args.files:
        print("coopgraph validate: give RDF files, or --reference", file=sys.stderr)
        return EXIT_BAD_INPUT
    else:
        try:
            data = read_graph(*args.files)
        except CoopgraphError as exc:
            print(f"coopgraph validate: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        report = validate(data, lang=args.lang)
        size = len(data)
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
        print(f"{files}: {size} triples, {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    else:
        print(format_text(report, args.lang))
    return report.exit_code


# --------------------------------------------------------------------------------------------------------------
# Many named graphs at once: per graph (in chunks), against the shapes they need, in parallel across cores
# --------------------------------------------------------------------------------------------------------------
#
# One pySHACL call on the union of every source graph (and what they cite of the reference layer) is what
# ``validate`` does; its time grows with the whole, on one core, and pySHACL's SPARQL-based constraints slow down
# with the size of the graph they run on. ``validate_graphs`` validates chunks of whole graphs instead (tens of
# thousands of triples each), each chunk in a worker process, and merges the reports. A chunk's data is:
#
# - its graphs, with every triple any other graph or the context holds about their subjects;
# - what the shapes read past their focus nodes, found by walking out from the chunk's subjects as many hops as
#   the longest shape path (``ShapePlan.depth``): the rdf:type of every node reached, and the predicates shapes
#   read past a focus node (``ShapePlan.beyond``: coop:pourLeCompteDe of signature/pourLeCompteDe), from the other
#   graphs and the context (an instrument declared in one record and extended by another, an actor declared once
#   and used everywhere, the CAF a signature is given for);
# - of the model, only its rdf:type triples and rdfs:subClassOf axioms (what sh:class needs);
# - only the shapes whose targets occur in that data (and the shapes they use).
#
# The nodes of ``context`` (what the sources cite of the reference layer) are validated as one more graph, with
# what the layer says of them, as the single call did. Results are kept only by a chunk that holds facts about
# their focus node (or when no graph does), and a result found twice is reported once. The model is validated on
# its own (once per process); the reference layer as a whole by ``validate_reference``, once per content hash,
# its verdict kept on disk and added to the reports of later builds. The answer is the one of a single pySHACL
# call on the union: tests/validate/test_validate_graphs.py checks it on the seed records and on generated ones,
# with violations put in on purpose.

CITED_GRAPH = URIRef("urn:coopgraph:validation:cited-reference")
SHAPES_WITH_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
_NESTED_LISTS = (SH["or"], SH["and"], SH.xone)
_NESTED_ONE = (SH.node, SH["not"], SH.qualifiedValueShape)


@dataclass
class ShapePlan:
    """What the shapes need to know: their targets, how far their paths reach, what they read on the way."""

    # shape -> target classes, subjects-of and objects-of predicates, nodes, and whether it has a custom target
    # (sh:target, e.g. a SPARQL target: always applied)
    targets: dict[Node, tuple[set[Node], set[Node], set[Node], set[Node], bool]]
    depth: int  # the longest chain of path steps from a focus node (nested shapes included)
    beyond: set[Node]  # predicates read on nodes past the focus node (coop:pourLeCompteDe of signature/pourLeCompteDe)
    inverse: set[Node]  # predicates used as sh:inversePath
    has_sparql: bool


def _path_steps(shapes: Graph, path: Node, inverse: set[Node]) -> list[set[Node]]:
    """The predicates of a path, step by step (alternatives share a step)."""
    if isinstance(path, URIRef):
        return [{path}]
    inv = shapes.value(path, SH.inversePath)
    if inv is not None:
        steps = _path_steps(shapes, inv, inverse)
        for step in steps:
            inverse |= step
        return steps
    if (path, RDF.first, None) in shapes:
        return [step for p in shapes.items(path) for step in _path_steps(shapes, p, inverse)]
    options = shapes.value(path, SH.alternativePath)
    if options is not None:
        alternatives = [_path_steps(shapes, p, inverse) for p in shapes.items(options)]
        longest = max((len(a) for a in alternatives), default=0)
        return [set().union(*(a[i] for a in alternatives if i < len(a))) for i in range(longest)]
    for repeat in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = shapes.value(path, repeat)
        if inner is not None:  # unbounded: a generous walk over the same predicates
            return _path_steps(shapes, inner, inverse) * 6
    return [set()]


def _shape_depth(shapes: Graph, shape: Node, beyond: set[Node], inverse: set[Node], nested: bool = False,
                 seen: frozenset = frozenset()) -> int:
    """How many hops from a focus node a shape reads. Predicates read on nodes other than the focus node (every
    step after the first, and every step of a shape nested under a path) go to ``beyond``."""
    if shape in seen:
        return 0
    seen = seen | {shape}
    path = shapes.value(shape, SH.path)
    steps = _path_steps(shapes, path, inverse) if path is not None else []
    for i, step in enumerate(steps):
        if nested or i > 0:
            beyond |= step
    children = list(shapes.objects(shape, SH.property))
    for pred in _NESTED_ONE:
        children += list(shapes.objects(shape, pred))
    for pred in _NESTED_LISTS:
        for lst in shapes.objects(shape, pred):
            children += list(shapes.items(lst))
    deeper = max((_shape_depth(shapes, child, beyond, inverse, nested or bool(steps), seen) for child in children),
                 default=0)
    return len(steps) + deeper


@lru_cache(maxsize=4)
def _plan(shapes: Graph) -> ShapePlan:
    beyond: set[Node] = set()
    inverse: set[Node] = set()
    targets: dict[Node, tuple[set[Node], set[Node], set[Node], set[Node], bool]] = {}
    depth = 1
    for pred in SHAPES_WITH_TARGETS:
        for shape in set(shapes.subjects(pred, None)):
            if shape in targets:
                continue
            targets[shape] = (set(shapes.objects(shape, SH.targetClass)), set(shapes.objects(shape, SH.targetSubjectsOf)),
                              set(shapes.objects(shape, SH.targetObjectsOf)), set(shapes.objects(shape, SH.targetNode)),
                              (shape, SH.target, None) in shapes)
            depth = max(depth, _shape_depth(shapes, shape, beyond, inverse))
    has_sparql = (None, SH.sparql, None) in shapes
    return ShapePlan(targets, depth, beyond, inverse, has_sparql)


def _model_skeleton(model: Graph) -> Graph:
    """The part of the model the shapes read: classes of nodes and subclass axioms."""
    skeleton = Graph()
    for pred in (RDF.type, RDFS.subClassOf):
        for triple in model.triples((None, pred, None)):
            skeleton.add(triple)
    return skeleton


def _superclasses(model: Graph) -> dict[Node, set[Node]]:
    """Every class with all its superclasses (itself included)."""
    parents: dict[Node, set[Node]] = {}
    for c, sup in model.subject_objects(RDFS.subClassOf):
        parents.setdefault(c, set()).add(sup)
    closure: dict[Node, set[Node]] = {}

    def up(c: Node) -> set[Node]:
        if c not in closure:
            closure[c] = {c}
            for p in parents.get(c, ()):
                closure[c] |= up(p)
        return closure[c]

    for c in list(parents):
        up(c)
    return closure


@dataclass
class _Job:
    """What every worker reads (inherited through fork, never pickled)."""

    names: list[Node]
    graphs: list[Graph]
    chunks: list[list[int]]
    subject_graphs: dict[Node, list[int]]  # node -> graphs in which it is a subject (only nodes of several graphs)
    object_graphs: dict[Node, list[int]]  # node -> graphs with an inverse-path triple pointing at it
    all_subjects: set[Node]
    context: Graph
    skeleton: Graph
    shapes: Graph
    plan: ShapePlan
    superclasses: dict[Node, set[Node]]
    lang: str


_JOB: _Job | None = None


def _needed_shapes(job: _Job, data: Graph) -> frozenset[Node]:
    """The shapes with a target in ``data`` (a class present, directly or by a subclass; a predicate present)."""
    present_classes: set[Node] = set()
    for cls in set(data.objects(None, RDF.type)):
        present_classes |= job.superclasses.get(cls, {cls})
    predicates = set(data.predicates())
    wanted = set()
    for shape, (classes, subj, obj, nodes, custom) in job.plan.targets.items():
        if custom or classes & present_classes or subj & predicates or obj & predicates or any(
                (n, None, None) in data or (None, None, n) in data for n in nodes):
            wanted.add(shape)
    return frozenset(wanted)


_SHAPE_GRAPHS: dict[frozenset[Node], Graph] = {}


def _shapes_subgraph(shapes: Graph, wanted: frozenset[Node]) -> Graph:
    """The shapes graph cut down to some shapes and everything they refer to (property shapes, lists, prefixes):
    pySHACL reads and prepares every shape of the graph it is given, once per call."""
    if wanted not in _SHAPE_GRAPHS:
        out = Graph()
        todo, seen = list(wanted), set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for s, p, o in shapes.triples((node, None, None)):
                out.add((s, p, o))
                if not isinstance(o, Literal) and (o, None, None) in shapes:
                    todo.append(o)
        _SHAPE_GRAPHS[wanted] = out
    return _SHAPE_GRAPHS[wanted]


def _chunk_data(job: _Job, chunk: list[int]) -> tuple[Graph, set[Node]]:
    """A chunk's graphs, with what the shapes may read beyond them.

    Walking out from the chunk's subjects (level 0, all their triples wherever they are), level by level up to
    the plan's depth: the rdf:type triples of every node reached, and the triples of the predicates shapes read
    past their focus node (``ShapePlan.beyond``), from the other graphs and the context.
    """
    data = Graph()
    own: set[Node] = set()
    for i in chunk:
        g = job.graphs[i]
        for triple in g:
            data.add(triple)
        own.update(g.subjects())
    in_chunk = set(chunk)
    follow = [RDF.type, *sorted(job.plan.beyond - {RDF.type})]
    done: set[Node] = set()
    frontier = set(own)
    for level in range(job.plan.depth + 1):
        following: set[Node] = set()
        preds: list[Node | None] = [None] if level == 0 else follow
        for node in frontier:
            if node in done or isinstance(node, Literal):
                continue
            done.add(node)
            if level == 0:
                for i in chunk:
                    following.update(job.graphs[i].objects(node, None))
            sources = [job.graphs[i] for i in job.subject_graphs.get(node, ()) if i not in in_chunk]
            sources.append(job.context)
            for source in sources:
                for pred in preds:
                    for triple in source.triples((node, pred, None)):
                        data.add(triple)
                        following.add(triple[2])
            for i in job.object_graphs.get(node, ()):
                if i not in in_chunk:
                    for pred in job.plan.inverse:
                        for triple in job.graphs[i].triples((None, pred, node)):
                            data.add(triple)
                            following.add(triple[0])
        frontier = following - done
    data += job.skeleton
    return data, own


def _validate_chunk(index: int) -> list[tuple[Result, list[tuple[Node, Node, Node]]]]:
    job = _JOB
    assert job is not None, "worker started without a job"
    data, own = _chunk_data(job, job.chunks[index])
    shapes = _shapes_subgraph(job.shapes, _needed_shapes(job, data))
    _conforms, results_graph, _text = pyshacl.validate(  # inplace: the chunk's graph is ours, no copy needed
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
        inplace=True,
    )
    kept = []
    for node, result in _read_results(results_graph, data, job.lang):
        focus = result.focus
        elsewhere = focus in job.all_subjects or (focus, None, None) in job.context \
            or (focus, RDF.type, None) in job.skeleton
        if focus in own or not elsewhere:
            kept.append((result, _report_triples(results_graph, node)))
    return kept


def _report_triples(report: Graph, node: Node) -> list[tuple[Node, Node, Node]]:
    """A result node of a report with the blank nodes under it (its path, its details)."""
    out, todo, seen = [], [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for s, p, o in report.triples((n, None, None)):
            out.append((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


def _result_key(r: Result) -> tuple:
    """What makes two results the same (blank-node shapes and xsd:string vs plain literals set aside)."""
    value = r.value
    if isinstance(value, Literal) and value.datatype == XSD.string:
        value = Literal(str(value))
    return (r.severity, str(r.focus), r.path, r.component, str(r.shape) if isinstance(r.shape, URIRef) else "",
            None if value is None else value.n3(), tuple(sorted(r.message.items())))


def _chunks(sizes: list[int], workers: int, chunk_triples: int) -> list[list[int]]:
    total = sum(sizes)
    target = max(2_000, min(chunk_triples, total // max(1, workers * 4) or chunk_triples))
    chunks: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for i, n in enumerate(sizes):
        current.append(i)
        filled += n
        if filled >= target:
            chunks.append(current)
            current, filled = [], 0
    if current:
        chunks.append(current)
    return chunks


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_chunks(job: _Job, workers: int, progress: Callable[[int, int], None] | None) -> list:
    """Every chunk validated, in chunk order; in worker processes when there is more than one chunk and core."""
    global _JOB
    _JOB = job
    n = len(job.chunks)
    outcome: list = [None] * n
    try:
        if workers > 1 and n > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")  # workers inherit the graphs: nothing is pickled in
            with ProcessPoolExecutor(max_workers=min(workers, n), mp_context=context) as pool:
                futures = {pool.submit(_validate_chunk, i): i for i in range(n)}
                for done, future in enumerate(as_completed(futures), start=1):
                    outcome[futures[future]] = future.result()
                    if progress:
                        progress(done, n)
        else:
            for i in range(n):
                outcome[i] = _validate_chunk(i)
                if progress:
                    progress(i + 1, n)
    finally:
        _JOB = None
    return outcome


def validate_graphs(
    graphs: Mapping[Node, Graph],
    context: Graph | None = None,
    *,
    lang: str = "fr",
    reference: object | None = None,
    cache: Path | None = None,
    workers: int | None = None,
    chunk_triples: int = 40_000,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate named graphs one chunk at a time, in parallel, and merge the reports into one.

    ``graphs``: named graphs (the source graphs of a build), validated together as their union would be.
    ``context``: triples the graphs cite but do not hold (what they cite of the reference layer): read for the
    classes of the cited nodes, not validated again here.
    The nodes of ``context`` are validated too, with what it says of them (as one more graph).
    ``reference``: the reference layer (an object with ``digest``, like ``build.ReferenceLayer``) and ``cache``, a
    folder: when the layer's verdict is there (``validate_reference`` writes it, once per content hash of the
    layer, shapes and model), its results about the nodes of ``context`` join the report; it is not computed here
    (minutes: a build must not wait for it). ``workers``: processes (default: the usable cores).
    ``progress(done, total)`` is called as chunks finish.
    """
    context = context if context is not None else Graph()
    names = sorted(graphs, key=str)
    graph_list = [graphs[name] for name in names]
    if len(context):  # the cited nodes are validated with what the layer says of them, as a graph of their own
        names.append(CITED_GRAPH)
        graph_list.append(context)
    shapes = load_shapes()
    plan = _plan(shapes)
    model = load_model()
    workers = workers or default_workers()

    subject_graphs: dict[Node, list[int]] = {}
    for i, g in enumerate(graph_list):
        for s in set(g.subjects()):
            subject_graphs.setdefault(s, []).append(i)
    object_graphs: dict[Node, list[int]] = {}
    for pred in plan.inverse:
        for i, g in enumerate(graph_list):
            for o in set(g.objects(None, pred)):
                object_graphs.setdefault(o, []).append(i)
    job = _Job(
        names=names, graphs=graph_list,
        chunks=_chunks([len(g) for g in graph_list], workers, chunk_triples) if graph_list else [],
        subject_graphs=subject_graphs, object_graphs=object_graphs, all_subjects=set(subject_graphs),
        context=context, skeleton=_model_skeleton(model), shapes=shapes, plan=plan,
        superclasses=_superclasses(model), lang=lang,
    )
    outcome = _run_chunks(job, workers, progress)

    kept: dict[tuple, tuple[Result, list]] = {}
    for chunk_results in outcome:
        for result, triples in chunk_results:
            kept.setdefault(_result_key(result), (result, triples))
    verdict = cached_reference_verdict(reference, cache) if reference is not None and cache is not None else None
    if verdict is not None:
        cited = set(context.subjects())
        for result in verdict.results:
            if result.focus in cited:
                kept.setdefault(_result_key(result), (result, []))
    for result in validate_model_once(lang, cache).results:
        kept.setdefault(_result_key(result), (result, []))

    results = sorted((r for r, _ in kept.values()), key=_result_order)
    report_graph = Graph()
    report_node = BNode()
    report_graph.add((report_node, RDF.type, SH.ValidationReport))
    violations = any(r.severity == "Violation" for r in results)
    report_graph.add((report_node, SH.conforms, Literal(not violations)))
    for _result, triples in kept.values():
        if triples:
            for triple in triples:
                report_graph.add(triple)
            report_graph.add((report_node, SH.result, triples[0][0]))
    return Report(conforms=not violations, results=results, graph=report_graph)


@lru_cache(maxsize=4)
def validate_model_once(lang: str = "fr", cache: Path | None = None) -> Report:
    """The ontology and vocabularies validated on their own (the chunks hold only their skeleton): once per
    process, and with ``cache`` once per content hash of the model and shapes."""
    path = Path(cache) / f"shacl-model-{_verdict_key('model')}-{lang}.json" if cache is not None else None
    if path is not None and path.is_file():
        try:
            return _report_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    report = validate(Graph(), lang=lang)
    if path is not None:
        _write_json(path, _verdict_json(report, "model", path.stem))
    return report


def _write_json(path: Path, payload: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    staging.write_text(json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staging, path)


# --------------------------------------------------------------------------------------------------------------
# The reference layer: validated once per content hash, the verdict kept in the build cache
# --------------------------------------------------------------------------------------------------------------

VERDICT_FORMAT = 1


def _verdict_key(layer_digest: str) -> str:
    """What the verdict depends on: the layer, the shapes, the model, pySHACL."""
    h = hashlib.sha256(f"{VERDICT_FORMAT}\0{layer_digest}\0{pyshacl.__version__}\0".encode())
    for folder in (data_path("shapes"), data_path("ontology"), data_path("ontology") / "vocab"):
        for path in _turtle_files(folder):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def _term_json(term: Node | None) -> str | None:
    return None if term is None else term.n3()


def _term_from(text: str | None) -> Node | None:
    return None if text is None else from_n3(text)


def _verdict_json(report: Report, layer_digest: str, key: str) -> dict[str, object]:
    return {
        "format": VERDICT_FORMAT, "layer_sha256": layer_digest, "key": key, "conforms": report.conforms,
        "violations": len(report.violations), "warnings": len(report.warnings),
        "results": [{"focus": _term_json(r.focus), "focus_label": r.focus_label, "path": r.path, "message": r.message,
                     "severity": r.severity, "component": r.component, "shape": _term_json(r.shape),
                     "value": _term_json(r.value), "source": r.source} for r in report.results],
    }


def _report_from_json(payload: dict) -> Report:
    results = [Result(focus=_term_from(r["focus"]), focus_label=r["focus_label"], path=r["path"], message=r["message"],
                      severity=r["severity"], component=r["component"], shape=_term_from(r["shape"]),
                      value=_term_from(r["value"]), source=r["source"]) for r in payload["results"]]
    return Report(conforms=bool(payload["conforms"]), results=results, graph=Graph())


def _verdict_path(reference: object, cache: Path) -> tuple[Path, str, str]:
    digest = str(getattr(reference, "digest"))  # noqa: B009 - duck-typed: build.ReferenceLayer or alike
    key = _verdict_key(digest)
    return Path(cache) / f"shacl-verdict-{key}.json", digest, key


def cached_reference_verdict(reference: object, cache: Path) -> Report | None:
    """The layer's verdict if ``validate_reference`` already wrote it for this layer, these shapes and this model."""
    path, _digest, _key = _verdict_path(reference, cache)
    if path.is_file():
        try:
            return _report_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return None


def validate_reference(reference: object, cache: Path, *, workers: int | None = None, lang: str = "fr",
                       progress: Callable[[int, int], None] | None = None) -> Report:
    """The whole reference layer against the shapes, once per content hash of the layer, shapes and model.

    ``reference`` has ``digest`` (sha256 of the layer file) and ``ntriples`` (its sorted N-Triples); ``cache`` is
    the folder where the verdict is kept (the build's cache of this layer). Minutes the first time on two cores
    (a million triples); a file read afterwards.
    """
    path, digest, key = _verdict_path(reference, cache)
    cached = cached_reference_verdict(reference, cache)
    if cached is not None:
        return cached
    report = validate_layer(getattr(reference, "ntriples"), workers=workers, lang=lang, progress=progress)  # noqa: B009
    _write_json(path, _verdict_json(report, digest, key))
    return report


@dataclass
class _LayerJob:
    lines: list[bytes]  # sorted N-Triples lines
    subjects: list[bytes]  # the subject of each line, for bisect
    bounds: list[tuple[int, int]]  # chunks: line ranges that start and end on a subject boundary
    plan: ShapePlan
    shapes: Graph
    skeleton: Graph
    superclasses: dict[Node, set[Node]]
    lang: str


_LAYER_JOB: _LayerJob | None = None


def _layer_chunk(index: int) -> list[tuple[Result, list[tuple[Node, Node, Node]]]]:
    job = _LAYER_JOB
    assert job is not None, "worker started without a job"
    lo, hi = job.bounds[index]
    chosen = list(job.lines[lo:hi])
    own = set(job.subjects[lo:hi])
    follow = {f"<{p}>".encode() for p in {RDF.type, *job.plan.beyond}}
    done = set(own)
    frontier = {line.split(b" ", 2)[2][:-2].strip() for line in chosen}
    for _level in range(job.plan.depth):
        following = set()
        for node in frontier:
            if node in done or not node.startswith(b"<"):
                continue
            done.add(node)
            i = bisect.bisect_left(job.subjects, node)
            while i < len(job.subjects) and job.subjects[i] == node:
                line = job.lines[i]
                if line.split(b" ", 2)[1] in follow:
                    chosen.append(line)
                    following.add(line.split(b" ", 2)[2][:-2].strip())
                i += 1
        frontier = following - done
    data = Graph()
    for q in ox.parse(b"\n".join(chosen), format=ox.RdfFormat.N_TRIPLES):
        data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    data += job.skeleton
    shadow = _Job(names=[], graphs=[], chunks=[], subject_graphs={}, object_graphs={}, all_subjects=set(),
                  context=Graph(), skeleton=job.skeleton, shapes=job.shapes, plan=job.plan,
                  superclasses=job.superclasses, lang=job.lang)
    shapes = _shapes_subgraph(job.shapes, _needed_shapes(shadow, data))
    _conforms, results_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
        inplace=True,
    )
    own_terms = {URIRef(s[1:-1].decode()) for s in own if s.startswith(b"<")}
    return [(r, _report_triples(results_graph, node)) for node, r in _read_results(results_graph, data, job.lang)
            if r.focus in own_terms]


def validate_layer(ntriples: bytes, *, workers: int | None = None, lang: str = "fr", chunk_lines: int = 60_000,
                   progress: Callable[[int, int], None] | None = None) -> Report:
    """Sorted N-Triples of one big graph (the reference layer) validated in chunks of subjects, in parallel."""
    global _LAYER_JOB
    lines = [line for line in ntriples.splitlines() if line.strip()]
    if any(lines[i] > lines[i + 1] for i in range(len(lines) - 1)):
        lines.sort()
    subjects = [line.split(b" ", 1)[0] for line in lines]
    workers = workers or default_workers()
    step = max(5_000, min(chunk_lines, len(lines) // max(1, workers * 3) or chunk_lines))
    bounds: list[tuple[int, int]] = []
    lo = 0
    while lo < len(lines):
        hi = min(len(lines), lo + step)
        while hi < len(lines) and subjects[hi] == subjects[hi - 1]:
            hi += 1
        bounds.append((lo, hi))
        lo = hi
    shapes = load_shapes()
    model = load_model()
    _LAYER_JOB = _LayerJob(lines, subjects, bounds, _plan(shapes), shapes, _model_skeleton(model),
                           _superclasses(model), lang)
    n = len(bounds)
    outcome: list = [None] * n
    try:
        if workers > 1 and n > 1 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(max_workers=min(workers, n), mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {pool.submit(_layer_chunk, i): i for i in range(n)}
                for done, future in enumerate(as_completed(futures), start=1):
                    outcome[futures[future]] = future.result()
                    if progress:
                        progress(done, n)
        else:
            for i in range(n):
                outcome[i] = _layer_chunk(i)
                if progress:
                    progress(i + 1, n)
    finally:
        _LAYER_JOB = None
    kept: dict[tuple, Result] = {}
    for chunk_results in outcome:
        for result, _triples in chunk_results:
            kept.setdefault(_result_key(result), result)
    results = sorted(kept.values(), key=_result_order)
    violations = any(r.severity == "Violation" for r in results)
    return Report(conforms=not violations, results=results, graph=Graph())
