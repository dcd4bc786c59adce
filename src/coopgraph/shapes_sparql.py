"""The shapes of ``shapes/`` compiled to SPARQL and answered by an Oxigraph store: validation at national scale.

pySHACL walks focus nodes one at a time in Python (minutes for a million triples); the same constraints written as
one SELECT each are answered by Oxigraph in seconds over the whole store. The build validates this way, on the
store it has just loaded (every graph: sources, model, reference layer — the answer of one SHACL run on their union).

Only the SHACL Core components the shapes use are compiled, and the SHACL-SPARQL constraints run as written, with
``$this`` pre-bound; a shape using anything else makes ``compile_shapes`` raise ``UnsupportedShape``, so a new shape
is never skipped in silence. pySHACL stays the reference: ``tests/validate/test_shapes_sparql.py`` checks that both
engines give the same results on every shape fixture, on the seed records and on generated records with faults in.

One difference is Oxigraph's, not ours: it keeps integers typed with a derived type (``xsd:positiveInteger``…) as
``xsd:integer``, so ``sh:datatype xsd:positiveInteger`` is read as "an integer in the range of that type".
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from .errors import CoopgraphError
from .iris import COOP, PROV
from .sparql import term as rdflib_term
from .validate import (
    Report,
    Result,
    _path_text,
    _report_from_json,
    _result_order,
    _verdict_json,
    _verdict_key,
    _write_json,
    load_shapes,
)

SH = Namespace("http://www.w3.org/ns/shacl#")
DCTERMS_TITLE = URIRef("http://purl.org/dc/terms/title")


class UnsupportedShape(CoopgraphError):
    """A shape uses a SHACL feature this engine does not compile (name, shape and feature in the message)."""


# Parameters of a shape that are not constraints (or that another parameter reads).
_NOT_CONSTRAINTS = {
    RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, SH.path, SH.severity, SH.message, SH.property, SH.name,
    SH.description, SH.order, SH.group, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
    SH.target, SH.qualifiedValueShape, SH.flags, SH.deactivated, SH.prefixes, SH.declare,
    URIRef("http://www.w3.org/2002/07/owl#imports"),
}

# Datatypes Oxigraph can cast to, so an ill-formed lexical form ("abc"^^xsd:integer) can be told from a valid one.
_CASTS = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.time,
          XSD.gYear, XSD.gYearMonth, XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration, XSD.string}
# Integer types Oxigraph stores as xsd:integer, with the range each allows.
_INTEGER_RANGES = {
    XSD.positiveInteger: "?v >= 1", XSD.nonNegativeInteger: "?v >= 0", XSD.negativeInteger: "?v <= -1",
    XSD.nonPositiveInteger: "?v <= 0", XSD.long: "?v >= -9223372036854775808 && ?v <= 9223372036854775807",
    XSD.int: "?v >= -2147483648 && ?v <= 2147483647", XSD.short: "?v >= -32768 && ?v <= 32767",
    XSD.byte: "?v >= -128 && ?v <= 127", XSD.unsignedLong: "?v >= 0 && ?v <= 18446744073709551615",
    XSD.unsignedInt: "?v >= 0 && ?v <= 4294967295", XSD.unsignedShort: "?v >= 0 && ?v <= 65535",
    XSD.unsignedByte: "?v >= 0 && ?v <= 255",
}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_PAIRS = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}


def _component(name: str) -> str:
    return f"sh:{name}ConstraintComponent"


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a query whose rows are its results (``?this``, and ``?value`` when any)."""

    shape: Node  # the source shape of its results
    component: str  # e.g. "sh:MinCountConstraintComponent"
    severity: str  # "Violation", "Warning" or "Info"
    messages: tuple[tuple[str, str], ...]  # (language, text)
    path: Node | None  # the SHACL path, a node of the shapes graph
    query: str
    prebound: str | None = None  # a SHACL-SPARQL constraint: the query giving the focus nodes to pre-bind $this to


@dataclass(frozen=True)
class Finding:
    """A result before labels and sources are looked up."""

    check: Check
    focus: Node
    value: Node | None


# ----------------------------------------------------------------------------------------------------- compiling


class _Compiler:
    def __init__(self, shapes: Graph, subclasses: dict[Node, set[Node]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses
        self.fresh = 0

    # -- terms and paths

    def var(self, stem: str) -> str:
        self.fresh += 1
        return f"?_{stem}{self.fresh}"

    @staticmethod
    def term(node: Node) -> str:
        if isinstance(node, (URIRef, Literal)):
            return node.n3()
        raise UnsupportedShape(f"a blank node where an IRI or a literal is expected: {node}")

    def path(self, path: Node, shape: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        g = self.shapes
        if isinstance(path, URIRef):
            return path.n3()
        if (path, RDF.first, None) in g:
            return "(" + "/".join(self.path(p, shape) for p in g.items(path)) + ")"
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + self.path(inverse, shape)
        options = g.value(path, SH.alternativePath)
        if options is not None:
            return "(" + "|".join(self.path(p, shape) for p in g.items(options)) + ")"
        for pred, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = g.value(path, pred)
            if inner is not None:
                return "(" + self.path(inner, shape) + ")" + op
        raise UnsupportedShape(f"shape {shape}: a property path this engine does not know")

    def instance_of(self, var: str, cls: Node) -> str:
        """``var`` is a SHACL instance of ``cls``: rdf:type of it or of one of its subclasses."""
        t = self.var("t")
        classes = sorted(self.subclasses.get(cls, set()) | {cls}, key=str)
        return f"VALUES {t} {{ {' '.join(self.term(c) for c in classes)} }} {var} a {t} ."

    # -- value-level conditions: a SPARQL expression, true when the value node ``v`` fails

    def value_failure(self, pred: Node, obj: Node, v: str, shape: Node) -> str | None:
        g = self.shapes
        if pred == SH.datatype:
            return f"!({self.datatype_ok(obj, v)})"
        if pred == SH["class"]:
            return f"NOT EXISTS {{ {self.instance_of(v, obj)} }}"
        if pred == SH.pattern:
            flags = g.value(shape, SH.flags)
            args = f"{self.term(Literal(str(obj)))}" + (f", {self.term(Literal(str(flags)))}" if flags else "")
            return f"(isBlank({v}) || !REGEX(STR({v}), {args}))"
        if pred in _COMPARISONS:
            return f"!COALESCE({v} {_COMPARISONS[pred]} {self.term(obj)}, false)"
        if pred == SH.minLength:
            return f"(isBlank({v}) || STRLEN(STR({v})) < {int(obj)})"
        if pred == SH.maxLength:
            return f"(isBlank({v}) || STRLEN(STR({v})) > {int(obj)})"
        if pred == SH.nodeKind:
            kinds = {SH.IRI: f"isIRI({v})", SH.BlankNode: f"isBlank({v})", SH.Literal: f"isLiteral({v})",
                     SH.BlankNodeOrIRI: f"!isLiteral({v})", SH.BlankNodeOrLiteral: f"!isIRI({v})",
                     SH.IRIOrLiteral: f"!isBlank({v})"}
            if obj not in kinds:
                raise UnsupportedShape(f"shape {shape}: sh:nodeKind {obj}")
            return f"!({kinds[obj]})"
        if pred == SH["in"]:
            members = [self.term(m) for m in g.items(obj)]
            return "!(" + (" || ".join(f"sameTerm({v}, {m})" for m in members) or "false") + ")"
        if pred == SH.languageIn:
            tags = [f"langMatches(LANG({v}), {self.term(Literal(str(t)))})" for t in g.items(obj)]
            return f"!(isLiteral({v}) && ({' || '.join(tags) or 'false'}))"
        if pred == SH.node:
            return self.violates(obj, v)
        if pred == SH["not"]:
            return f"!({self.violates(obj, v)})"
        if pred == SH["or"]:
            return "(" + (" && ".join(self.violates(s, v) for s in g.items(obj)) or "true") + ")"
        if pred == SH["and"]:
            return "(" + (" || ".join(self.violates(s, v) for s in g.items(obj)) or "false") + ")"
        return None

    def datatype_ok(self, dt: Node, v: str) -> str:
        if dt in _INTEGER_RANGES:
            rng = _INTEGER_RANGES[dt].replace("?v", v)
            return (f"isLiteral({v}) && DATATYPE({v}) IN ({XSD.integer.n3()}, {dt.n3()}) && "
                    f"COALESCE({rng}, false)")
        if dt == RDF.langString:
            return f"isLiteral({v}) && LANG({v}) != \"\""
        ok = f"isLiteral({v}) && DATATYPE({v}) = {self.term(dt)}"
        if dt in _CASTS and dt != XSD.string:
            ok += f" && DATATYPE(COALESCE({dt.n3()}({v}), \"\")) = {dt.n3()}"
        return ok

    # -- a whole shape, nested: a SPARQL expression true when the node ``x`` does not conform

    def violates(self, shape: Node, x: str) -> str:
        g = self.shapes
        parts: list[str] = []
        path = g.value(shape, SH.path)
        if path is not None:  # a property shape used as a shape: its constraints on x's values
            parts.extend(self.property_violations(shape, path, x))
        else:
            for pred, obj in sorted(g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
                if pred in _NOT_CONSTRAINTS:
                    continue
                failure = self.value_failure(pred, obj, x, shape)
                if failure is None:
                    raise UnsupportedShape(f"shape {shape}: {pred} inside a nested shape")
                parts.append(failure)
            for prop in sorted(g.objects(shape, SH.property), key=str):
                parts.extend(self.property_violations(prop, g.value(prop, SH.path), x))
        return "(" + (" || ".join(parts) or "false") + ")"

    def property_violations(self, shape: Node, path_node: Node, x: str) -> list[str]:
        g = self.shapes
        path = self.path(path_node, shape)
        out: list[str] = []
        value_fails = []
        v = self.var("v")
        for pred, obj in sorted(g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if pred in _NOT_CONSTRAINTS:
                continue
            failure = self.value_failure(pred, obj, v, shape)
            if failure is not None:
                value_fails.append(failure)
            elif pred == SH.minCount and int(obj) == 1:
                out.append(f"NOT EXISTS {{ {x} {path} {self.var('m')} }}")
            elif pred == SH.maxCount and int(obj) == 1:
                a, b = self.var("a"), self.var("b")
                out.append(f"EXISTS {{ {x} {path} {a}, {b} . FILTER (!sameTerm({a}, {b})) }}")
            else:
                raise UnsupportedShape(f"shape {shape}: {pred} {obj} inside a nested shape")
        if value_fails:
            out.append(f"EXISTS {{ {x} {path} {v} . FILTER ({' || '.join(value_fails)}) }}")
        return out

    # -- top-level shapes: one check per constraint

    def focus(self, shape: Node) -> str | None:
        """A group pattern binding ``?this`` to the shape's focus nodes, or None without a target."""
        g = self.shapes
        options = []
        classes: set[Node] = set()
        for cls in g.objects(shape, SH.targetClass):
            classes |= self.subclasses.get(cls, set()) | {cls}
        if classes:  # one VALUES block for all target classes: Oxigraph joins it faster than a UNION of them
            t = self.var("t")
            options.append(f"VALUES {t} {{ {' '.join(self.term(c) for c in sorted(classes, key=str))} }} ?this a {t} .")
        for p in sorted(g.objects(shape, SH.targetSubjectsOf), key=str):
            options.append(f"?this {self.term(p)} {self.var('o')} .")
        for p in sorted(g.objects(shape, SH.targetObjectsOf), key=str):
            options.append(f"{self.var('s')} {self.term(p)} ?this .")
        for n in sorted(g.objects(shape, SH.targetNode), key=str):
            options.append(f"VALUES ?this {{ {self.term(n)} }}")
        for target in sorted(g.objects(shape, SH.target), key=str):
            select = g.value(target, SH.select)
            if select is None:
                raise UnsupportedShape(f"shape {shape}: a sh:target that is not a SPARQL target")
            options.append(f"{{ {select} }}")
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, URIRef(str(RDFS) + "Class")) in g:
            raise UnsupportedShape(f"shape {shape}: implicit class targets")
        if not options:
            return None
        inner = " UNION ".join(f"{{ {o} }}" for o in options)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {inner} }} }}"

    def prefixes(self, node: Node) -> str:
        """PREFIX lines of the sh:declare of the ontologies ``node`` points to with sh:prefixes."""
        lines = []
        for onto in self.shapes.objects(node, SH.prefixes):
            for decl in self.shapes.objects(onto, SH.declare):
                prefix, ns = self.shapes.value(decl, SH.prefix), self.shapes.value(decl, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{ns}>")
        return "\n".join(sorted(set(lines)))

    def checks(self, shape: Node, focus: str) -> Iterator[Check]:
        """The checks of a node shape with targets, and of its property shapes."""
        yield from self.shape_checks(shape, focus, None)
        for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
            path = self.shapes.value(prop, SH.path)
            if path is None:
                raise UnsupportedShape(f"property shape {prop} has no sh:path")
            yield from self.shape_checks(prop, focus, path)

    def shape_checks(self, shape: Node, focus: str, path_node: Node | None) -> Iterator[Check]:
        g = self.shapes
        if g.value(shape, SH.deactivated) == Literal(True):
            return
        severity = str(g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        messages = tuple(sorted((m.language or "en", str(m)) for m in g.objects(shape, SH.message)))

        def check(component: str, query: str, **kw: object) -> Check:
            return Check(shape=shape, component=_component(component), severity=severity,
                         messages=kw.pop("messages", messages), path=path_node, query=query, **kw)

        path = self.path(path_node, shape) if path_node is not None else None
        values = f"?this {path} ?value ." if path else "BIND (?this AS ?value)"
        names = {SH.datatype: "Datatype", SH["class"]: "Class", SH.pattern: "Pattern", SH.minInclusive: "MinInclusive",
                 SH.maxInclusive: "MaxInclusive", SH.minExclusive: "MinExclusive", SH.maxExclusive: "MaxExclusive",
                 SH.minLength: "MinLength", SH.maxLength: "MaxLength", SH.nodeKind: "NodeKind", SH["in"]: "In",
                 SH.languageIn: "LanguageIn", SH.node: "Node", SH["not"]: "Not", SH["or"]: "Or", SH["and"]: "And"}
        for pred, obj in sorted(g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if pred in _NOT_CONSTRAINTS:
                continue
            failure = self.value_failure(pred, obj, "?value", shape)
            if pred == SH["class"]:  # MINUS rather than a NOT EXISTS per value: same rows, much faster
                q = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} MINUS {{ {self.instance_of('?value', obj)} }} }}"
                yield check("Class", q)
            elif failure is not None:
                yield check(names[pred], f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} FILTER ({failure}) }}")
            elif pred in (SH.minCount, SH.maxCount) and path:
                n = int(obj)
                if pred == SH.minCount and n == 1:  # MINUS: a hash anti-join, faster than NOT EXISTS here
                    q = f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {path} ?_any }} }}"
                    yield check("MinCount", q)
                    continue
                counted = f"?this {path} ?_v ." if pred == SH.maxCount else f"OPTIONAL {{ ?this {path} ?_v }}"
                test = f"COUNT(DISTINCT ?_v) {'<' if pred == SH.minCount else '>'} {n}"
                yield check("MinCount" if pred == SH.minCount else "MaxCount",
                            f"SELECT ?this WHERE {{ {focus} {counted} }} GROUP BY ?this HAVING ({test})")
            elif pred in (SH.qualifiedMinCount, SH.qualifiedMaxCount) and path:
                q_shape = g.value(shape, SH.qualifiedValueShape)
                if q_shape is None or g.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                    raise UnsupportedShape(f"shape {shape}: {pred} without sh:qualifiedValueShape, or disjoint")
                conforming = f"!{self.violates(q_shape, '?_v')}"
                n = int(obj)
                if pred == SH.qualifiedMinCount:
                    counted = f"OPTIONAL {{ ?this {path} ?_v . FILTER ({conforming}) }}"
                    test = f"COUNT(DISTINCT ?_v) < {n}"
                else:
                    counted = f"?this {path} ?_v . FILTER ({conforming})"
                    test = f"COUNT(DISTINCT ?_v) > {n}"
                yield check("QualifiedMinCount" if pred == SH.qualifiedMinCount else "QualifiedMaxCount",
                            f"SELECT ?this WHERE {{ {focus} {counted} }} GROUP BY ?this HAVING ({test})")
            elif pred == SH.uniqueLang and path:
                if obj != Literal(True):
                    continue
                q = (f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?_a . FILTER (LANG(?_a) != \"\") "
                     f"BIND (LCASE(LANG(?_a)) AS ?_l) }} GROUP BY ?this ?_l HAVING (COUNT(DISTINCT ?_a) > 1)")
                yield check("UniqueLang", q)
            elif pred in _PAIRS:
                other = self.term(obj)
                q = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} ?this {other} ?_o . "
                     f"FILTER (!COALESCE(?value {_PAIRS[pred]} ?_o, false)) }}")
                yield check("LessThan" if pred == SH.lessThan else "LessThanOrEquals", q)
            elif pred == SH.disjoint:
                q = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} ?this {self.term(obj)} ?value . }}"
                yield check("Disjoint", q)
            elif pred == SH.equals:
                other = self.term(obj)
                q = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {{ {values} FILTER NOT EXISTS "
                     f"{{ ?this {other} ?value }} }} UNION {{ ?this {other} ?value . FILTER NOT EXISTS "
                     f"{{ {values.replace('?value', '?_w')} FILTER (sameTerm(?_w, ?value)) }} }} }}")
                yield check("Equals", q)
            elif pred == SH.hasValue:
                q = (f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} "
                     f"FILTER (sameTerm(?value, {self.term(obj)})) }} }}")
                yield check("HasValue", q)
            elif pred == SH.sparql:
                yield self.sparql_check(shape, obj, focus, path, severity)
            else:
                raise UnsupportedShape(f"shape {shape}: {pred} is not compiled to SPARQL")

    def sparql_check(self, shape: Node, constraint: Node, focus: str, path: str | None, severity: str) -> Check:
        g = self.shapes
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"shape {shape}: a SPARQL constraint without sh:select")
        text = str(select)
        if path is not None:
            text = text.replace("$PATH", path)
        elif "$PATH" in text:
            raise UnsupportedShape(f"shape {shape}: $PATH in the constraint of a node shape")
        own = tuple(sorted((m.language or "en", str(m)) for m in g.objects(constraint, SH.message)))
        fallback = tuple(sorted((m.language or "en", str(m)) for m in g.objects(shape, SH.message)))
        prefixes = self.prefixes(constraint)
        return Check(shape=shape, component="sh:SPARQLConstraintComponent", severity=severity,
                     messages=own or fallback, path=g.value(shape, SH.path), query=f"{prefixes}\n{text}",
                     prebound=f"SELECT DISTINCT ?this WHERE {{ {focus} }}")


def subclass_closure(store: ox.Store) -> dict[Node, set[Node]]:
    """Every class with all of its subclasses, from the store's rdfs:subClassOf triples."""
    children: dict[Node, set[Node]] = {}
    for sol in store.query("SELECT DISTINCT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?o }",
                           use_default_graph_as_union=True):
        children.setdefault(rdflib_term(sol["o"]), set()).add(rdflib_term(sol["s"]))
    closure: dict[Node, set[Node]] = {}
    for cls in children:
        seen: set[Node] = set()
        todo = [cls]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closure[cls] = seen
    return closure


def compile_shapes(shapes: Graph, subclasses: dict[Node, set[Node]]) -> list[Check]:
    """One check per constraint of every shape that has a target (and of its property shapes)."""
    compiler = _Compiler(shapes, subclasses)
    out: list[Check] = []
    targeted = set()
    for pred in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target):
        targeted |= set(shapes.subjects(pred, None))
    for shape in sorted(targeted, key=str):
        focus = compiler.focus(shape)
        if focus is None:
            continue
        # a SPARQL target's query may use the prefixes it declares: every query of the shape gets them
        head = "\n".join(sorted({compiler.prefixes(t) for t in shapes.objects(shape, SH.target)}))
        for check in compiler.checks(shape, focus):
            out.append(replace(check, query=f"{head}\n{check.query}",
                               prebound=None if check.prebound is None else f"{head}\n{check.prebound}"))
    return out


# ----------------------------------------------------------------------------------------------------- running


def run_checks(store: ox.Store, checks: Iterable[Check], *, workers: int = 1) -> list[Finding]:
    """Every result of every check, on the union of the store's graphs, in the order of the checks.

    With ``workers`` > 1 the checks run on that many threads (Oxigraph evaluates outside the GIL for the most part).
    """
    checks = list(checks)
    if workers > 1 and len(checks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [f for found in pool.map(lambda c: _run_check(store, c), checks) for f in found]
    return [f for c in checks for f in _run_check(store, c)]


def _run_check(store: ox.Store, check: Check) -> list[Finding]:
    def rows(solutions: ox.QuerySolutions, focus: ox.NamedNode | None = None) -> Iterator[Finding]:
        has_value = "value" in [v.value for v in solutions.variables]
        for sol in solutions:
            value = sol["value"] if has_value else None
            yield Finding(check, rdflib_term(focus or sol["this"]), None if value is None else rdflib_term(value))

    if check.prebound is None:
        return list(rows(store.query(check.query, use_default_graph_as_union=True)))
    # SHACL-SPARQL: the constraint's query once per focus node, $this pre-bound to it
    findings: list[Finding] = []
    for sol in store.query(check.prebound, use_default_graph_as_union=True):
        node = sol["this"]
        findings.extend(rows(store.query(check.query, use_default_graph_as_union=True,
                                         substitutions={ox.Variable("this"): node}), node))
    return findings


@lru_cache(maxsize=8)
def _checks_for(shapes: Graph, closure: tuple[tuple[Node, tuple[Node, ...]], ...]) -> list[Check]:
    return compile_shapes(shapes, {c: set(subs) for c, subs in closure})


def checks_for_store(store: ox.Store, shapes: Graph) -> list[Check]:
    """The shapes compiled against the class hierarchy the store holds (kept while the hierarchy is the same)."""
    closure = subclass_closure(store)
    frozen = tuple(sorted(((c, tuple(sorted(s, key=str))) for c, s in closure.items()), key=lambda x: str(x[0])))
    return _checks_for(shapes, frozen)


# ----------------------------------------------------------------------------------------------------- reporting


def _labels_and_sources(store: ox.Store, nodes: list[Node], lang: str) -> dict[Node, tuple[str | None, str | None]]:
    """The label (in ``lang`` when there is one) and the document and lines each node was read from."""
    out: dict[Node, tuple[str | None, str | None]] = {}
    label_q = ("SELECT ?n ?l WHERE { { ?n <http://www.w3.org/2000/01/rdf-schema#label> ?l } UNION "
               "{ ?n <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } FILTER (isLiteral(?l)) }")
    source_q = (f"SELECT ?n ?title ?doc ?start ?end WHERE {{ ?n {PROV.wasDerivedFrom.n3()} ?e . "
                f"?e {COOP.extraitDe.n3()} ?doc . OPTIONAL {{ ?doc {DCTERMS_TITLE.n3()} ?title }} "
                f"OPTIONAL {{ ?e {COOP.ligneDebut.n3()} ?start }} OPTIONAL {{ ?e {COOP.ligneFin.n3()} ?end }} }} "
                f"ORDER BY ?doc ?start LIMIT 1")
    for node in nodes:
        if isinstance(node, Literal):
            out[node] = (None, None)
            continue
        term = ox.NamedNode(str(node)) if isinstance(node, URIRef) else ox.BlankNode(str(node))
        subs = {ox.Variable("n"): term}
        best = None
        for sol in store.query(label_q, use_default_graph_as_union=True, substitutions=subs):
            lit = sol["l"]
            if lit.language == lang:
                best = lit.value
                break
            best = best or lit.value
        source = None
        for sol in store.query(source_q, use_default_graph_as_union=True, substitutions=subs):
            title = sol["title"].value if sol["title"] is not None else sol["doc"].value
            lines = f", lines {sol['start'].value}-{sol['end'].value}" if sol["start"] is not None else ""
            source = f"{title}{lines}"
        out[node] = (best, source)
    return out


def validate_store(store: ox.Store, shapes: Graph, *, lang: str = "fr", workers: int = 1,
                   keep: Callable[[Node], bool] | None = None, max_described: int = 10_000):
    """Validate everything the store holds (the union of its graphs) against ``shapes``: a ``validate.Report``.

    ``keep`` chooses the focus nodes whose results are reported (all by default). Labels and sources are looked
    up for the first ``max_described`` focus nodes (a broken build can have many results).
    """

    findings = run_checks(store, checks_for_store(store, shapes), workers=workers)
    seen: set[tuple] = set()
    unique: list[Finding] = []
    for f in findings:
        key = (f.check.shape, f.check.component, f.focus, f.value, f.check.path)
        if key not in seen and (keep is None or keep(f.focus)):
            seen.add(key)
            unique.append(f)
    described = _labels_and_sources(store, sorted({f.focus for f in unique}, key=str)[:max_described], lang)
    results = []
    for f in unique:
        label, source = described.get(f.focus, (None, None))
        results.append(Result(focus=f.focus, focus_label=label, path=_path_text(shapes, f.check.path),
                              message=dict(f.check.messages), severity=f.check.severity,
                              component=f.check.component, shape=f.check.shape, value=f.value, source=source))
    results.sort(key=_result_order)
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph(results, conforms, shapes))


def report_graph(results: list, conforms: bool, shapes: Graph) -> Graph:
    """The results as a SHACL validation report graph (sh:ValidationReport)."""
    g = Graph()
    g.bind("sh", SH)
    report = BNode("report")
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    for i, r in enumerate(results):
        node = BNode(f"r{i}")
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.resultSeverity, SH[r.severity]))
        g.add((node, SH.sourceConstraintComponent, SH[r.component.split(":", 1)[1]]))
        g.add((node, SH.sourceShape, r.shape))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        path = shapes.value(r.shape, SH.path)
        if isinstance(path, URIRef):
            g.add((node, SH.resultPath, path))
        for lang, text in sorted(r.message.items()):
            g.add((node, SH.resultMessage, Literal(text, lang=lang)))
    return g


# ----------------------------------------------------------------------------------------------------- the build's use


def reference_verdict(reference_store: Path, model: Iterable[ox.Quad], digest: str, cache: Path, *,
                      lang: str = "fr", workers: int = 1) -> Report:
    """The reference layer (with the model) against the shapes: once per content hash of the layer, shapes and
    model, the verdict kept in ``cache`` (the build's cache folder of this layer).

    ``reference_store`` is the on-disk store holding the layer alone; it is copied, never written.
    """

    key = _verdict_key(f"sparql\0{digest}\0{lang}")
    path = Path(cache) / f"shacl-sparql-verdict-{key}.json"
    if path.is_file():
        try:
            return _report_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(reference_store, copy)
        store = ox.Store(str(copy))
        store.bulk_extend(model)
        report = validate_store(store, load_shapes(), lang=lang, workers=workers)
        del store
    _write_json(path, _verdict_json(report, digest, key))
    return report


def validate_sources(own: bytes | Path | Iterable[ox.Quad], context: bytes | Iterable[ox.Quad], *,
                     reference: Report | None = None, lang: str = "fr", workers: int = 1,
                     subjects: set[Node] | None = None) -> Report:
    """The source graphs and the model (``own``), with what they cite of the reference layer (``context``), against
    the shapes; the results of the reference layer's own verdict added.

    Results are reported for the nodes ``own`` describes (``subjects`` when the caller already knows them); the
    nodes only in ``context`` have theirs in the layer's verdict. The answer is the one of the shapes on the union
    of everything (tests/validate/test_shapes_sparql.py). ``own`` and ``context`` are quads, or N-Quads bytes that
    Oxigraph bulk-loads without a Python object per quad; ``own`` may also be an N-Quads file, which Oxigraph reads
    itself (what the build hands over: the process need not hold it).
    """

    store = ox.Store()
    for part in (own, context):
        if isinstance(part, bytes):
            store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
        elif isinstance(part, Path):
            store.bulk_load(path=part, format=ox.RdfFormat.N_QUADS)
        else:
            store.bulk_extend(part)
    if subjects is None:
        quads = (ox.parse(own, format=ox.RdfFormat.N_QUADS) if isinstance(own, bytes)
                 else ox.parse(path=own, format=ox.RdfFormat.N_QUADS) if isinstance(own, Path) else own)
        subjects = {rdflib_term(q.subject) for q in quads}
    report = validate_store(store, load_shapes(), lang=lang, workers=workers, keep=subjects.__contains__)
    del store
    if reference is None:
        return report
    seen = {_key(r) for r in report.results}
    results = list(report.results) + [r for r in reference.results if _key(r) not in seen]
    results.sort(key=_result_order)
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph(results, conforms, load_shapes()))


def _key(r: Result) -> tuple:
    return (r.shape, r.component, r.focus, r.value)
