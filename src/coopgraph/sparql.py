"""SPARQL text helpers shared by the stores: a small lexer, safe binding of parameters, result serialisers.

Nothing here pastes user text into a query. A parameter is an RDF term: it is checked by pyoxigraph (IRIs are
validated, literals escaped) and written in N-Triples syntax into a one-row ``VALUES`` block placed at the start of
the query's top-level ``WHERE`` group and of every sub-SELECT's group, where it is joined with the rest of the
pattern: the parameter stands for its value everywhere in the query.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_attr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import CoopgraphError
from .rdfio import to_oxigraph, to_rdflib

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

# --------------------------------------------------------------------------------------------------------------
# Errors (all exit 2 on the command line)
# --------------------------------------------------------------------------------------------------------------


class StoreError(CoopgraphError):
    """A query or a store operation failed; the message says why and what to do."""

    def where(self) -> str:
        if self.file is None and self.line is not None:
            return f"line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        return super().where()


class QuerySyntaxError(StoreError):
    """The query text is not valid SPARQL 1.1 (line and column are 1-based, in the text as written)."""


class BindingError(StoreError):
    """A parameter cannot be bound (unknown variable, blank node, invalid IRI, query form without a WHERE)."""


class QueryTimeout(StoreError):
    """The query ran longer than its time limit."""


class ResultTooLarge(StoreError):
    """The result has more rows (or triples) than the caller allowed."""


class TruncatedResult(StoreError):
    """A remote store answered with an incomplete result (a silent row cap, or a body cut short)."""


class NotAcceptable(StoreError):
    """No result media type that the client accepts can express this result."""


class ForbiddenQuery(StoreError):
    """The query asks for something this store refuses to do (SERVICE: fetching remote data)."""


# --------------------------------------------------------------------------------------------------------------
# Lexer
# --------------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|\\.)*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start()))
    return out


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK; a QuerySyntaxError for an update or anything else."""
    toks = tokens(text)
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        elif word in QUERY_FORMS:
            return word
        else:
            line, column = position(text, toks[i].start)
            raise QuerySyntaxError(
                f"expected a query (SELECT, CONSTRUCT, DESCRIBE or ASK), found {toks[i].text!r}; updates are not "
                "run here", line=line, column=column,
            )
    raise QuerySyntaxError("empty query: expected SELECT, CONSTRUCT, DESCRIBE or ASK", line=1, column=1)


def uses_service(text: str) -> bool:
    """True when the query has a SERVICE clause (a federated call to another endpoint)."""
    return any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokens(text))


def _group_after(toks: list[Token], i: int) -> int | None:
    """Index of the first ``{`` at parenthesis depth 0 from token ``i`` on (the WHERE group of a SELECT)."""
    parens = 0
    while i < len(toks):
        t = toks[i]
        if t.text == "(":
            parens += 1
        elif t.text == ")":
            parens -= 1
        elif t.text == "{" and parens == 0:
            return i
        elif t.text == "}" and parens == 0:
            return None
        i += 1
    return None


def where_offset(text: str) -> int | None:
    """Offset just after the ``{`` that opens the query's top-level WHERE group (None when it has none)."""
    offsets = where_offsets(text)
    return offsets[0] if offsets else None


def where_offsets(text: str) -> list[int]:
    """Offsets just after the ``{`` opening the top-level WHERE group, then those of every sub-SELECT's group.

    Empty when the top-level query has no group that can take a VALUES block (``CONSTRUCT WHERE { … }`` short
    form, DESCRIBE without WHERE).
    """
    toks = tokens(text)
    form = query_form(text)
    i = next(k for k, t in enumerate(toks) if t.kind == "word" and t.text.upper() == form) + 1
    if form == "CONSTRUCT":
        if i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() == "WHERE":
            return []  # CONSTRUCT WHERE { triples }: the pattern is the template, no VALUES allowed in it
        if i < len(toks) and toks[i].text == "{":
            depth = 0
            while i < len(toks):
                if toks[i].text == "{":
                    depth += 1
                elif toks[i].text == "}":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
    top = _group_after(toks, i)
    if top is None:
        return []
    offsets = [toks[top].start + 1]
    for k in range(top + 1, len(toks)):
        if toks[k].kind == "word" and toks[k].text.upper() == "SELECT":
            sub = _group_after(toks, k + 1)
            if sub is not None:
                offsets.append(toks[sub].start + 1)
    return offsets


# --------------------------------------------------------------------------------------------------------------
# Terms and bindings
# --------------------------------------------------------------------------------------------------------------

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FLOATS = (URIRef("http://www.w3.org/2001/XMLSchema#double"), URIRef("http://www.w3.org/2001/XMLSchema#float"))
_NON_FINITE = {"nan": "NaN", "inf": "INF", "+inf": "INF", "-inf": "-INF", "infinity": "INF", "+infinity": "INF",
               "-infinity": "-INF"}


def as_term(value: object) -> Node:
    """A binding value as an rdflib term: terms pass through, Python values become typed literals."""
    if isinstance(value, BNode):
        raise BindingError("a blank node cannot be bound as a parameter (it names nothing outside its document)")
    if isinstance(value, URIRef | Literal):
        return value
    if isinstance(value, Decimal) and not value.is_finite():
        raise BindingError(f"xsd:decimal has no {value}: bind a float (xsd:double) instead")
    if isinstance(value, bool | int | float | Decimal | str | _dt.date | _dt.datetime):
        return Literal(value)
    raise BindingError(f"cannot bind a {type(value).__name__} as an RDF term; give a URIRef or a Literal")


def oxigraph_term(value: object) -> ox.NamedNode | ox.Literal:
    """A binding value as a checked pyoxigraph term (an invalid IRI or language tag is refused)."""
    term = as_term(value)
    if isinstance(term, Literal) and term.datatype in _FLOATS and str(term).lower() in _NON_FINITE:
        # rdflib writes NaN and the infinities as Python does ("nan", "inf"), which are not XSD lexical forms: a store
        # other than Oxigraph would read the bound value as an ill-typed literal
        term = Literal(_NON_FINITE[str(term).lower()], datatype=term.datatype, normalize=False)
    try:
        return to_oxigraph(term)  # type: ignore[return-value]
    except (ValueError, SyntaxError) as exc:
        raise BindingError(f"not a valid RDF term {str(term)!r}: {exc}") from None


def check_variable(name: str) -> str:
    name = name[1:] if name[:1] in "?$" else name
    if not _VARNAME.match(name):
        raise BindingError(f"not a SPARQL variable name: {name!r}")
    return name


def values_block(bindings: Mapping[str, object]) -> str:
    """``VALUES (?a ?b) { (<…> "…"^^<…>) }`` from typed terms, each written in N-Triples syntax."""
    names = [check_variable(k) for k in bindings]
    terms = [str(oxigraph_term(v)) for v in bindings.values()]
    return f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms)}) }} "


def bind_values(text: str, bindings: Mapping[str, object]) -> str:
    """The query with its parameters bound: a one-row VALUES block at the start of the top-level WHERE group and
    of every sub-SELECT's group, so that a parameter stands for its value everywhere in the query (sub-queries are
    evaluated before the groups around them and would not see an outer binding)."""
    if not bindings:
        return text
    offsets = where_offsets(text)
    if not offsets:
        raise BindingError("this query has no WHERE group to bind parameters in (write it with WHERE { … })")
    block = values_block(bindings)
    for offset in sorted(offsets, reverse=True):
        text = text[:offset] + block + text[offset:]
    return text


# --------------------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------------------


@dataclass
class SelectResult:
    """The answer to a SELECT: variable names in projection order and rows of rdflib terms (None = unbound)."""

    variables: list[str]
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Node]]:
        """Each row as {variable: term}, unbound variables left out."""
        return [{v: t for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows]

    def column(self, name: str) -> list[Node | None]:
        i = self.variables.index(name)
        return [row[i] for row in self.rows]


Result = SelectResult | bool | Graph

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A pyoxigraph term as rdflib term, simple literals without an explicit xsd:string (as rdflib's parsers and the
    remote store give them: rdflib tells ``Literal("x")`` and ``Literal("x", datatype=XSD.string)`` apart)."""
    if isinstance(t, ox.Literal) and not t.language and t.datatype.value == _XSD_STRING:
        return Literal(t.value)
    return to_rdflib(t)  # type: ignore[return-value]


def select_from_oxigraph(solutions: ox.QuerySolutions, max_rows: int | None = None,
                         cancelled=None) -> SelectResult:
    variables = [v.value for v in solutions.variables]
    rows: list[tuple[Node | None, ...]] = []
    for n, sol in enumerate(solutions):
        if cancelled is not None and cancelled():
            break
        if max_rows is not None and n >= max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} rows; add a LIMIT or narrow the query")
        rows.append(tuple(None if sol[i] is None else term(sol[i]) for i in range(len(variables))))
    return SelectResult(variables, rows)


def result_from_oxigraph(res: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples, max_rows: int | None = None,
                         cancelled=None) -> Result:
    """A pyoxigraph answer as a boolean, a table or a graph, with the row limit. Call it on the thread that ran the
    query: pyoxigraph results must be dropped there, so this frame lets go of ``res`` even when the limit raises."""
    try:
        if isinstance(res, ox.QueryBoolean):
            return bool(res)
        if isinstance(res, ox.QuerySolutions):
            return select_from_oxigraph(res, max_rows, cancelled)
        return graph_from_triples(res, max_rows, cancelled)
    finally:
        del res


def graph_from_triples(triples: Iterable[ox.Triple], max_rows: int | None = None, cancelled=None) -> Graph:
    graph = Graph()
    for n, t in enumerate(triples):
        if cancelled is not None and cancelled():
            break
        if max_rows is not None and n >= max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} triples; add a LIMIT or narrow the query")
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph


# Media types, the first of each list being the default.
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
ASK_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type the Accept header prefers (q-values and wildcards honoured; ties keep our order)."""
    if not accept or not accept.strip():
        return offered[0]
    prefs: list[tuple[str, float]] = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for p in pieces[1:]:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
                # a qvalue is a number from 0 to 1; "q=nan" (which float() reads) would make the ranking depend on
                # the order of the offered types, so it counts as 0 like any other unreadable weight
                q = min(max(q, 0.0), 1.0) if q == q else 0.0
        if media:
            prefs.append((media, q))

    def score(media: str) -> tuple[float, int]:
        best, specificity = -1.0, -1
        kind = media.split("/")[0]
        for pattern, q in prefs:
            spec = 2 if pattern == media else 1 if pattern == f"{kind}/*" else 0 if pattern == "*/*" else -1
            if spec > specificity:
                best, specificity = q, spec
        return best, specificity

    scored = [(score(m)[0], -i, m) for i, m in enumerate(offered)]
    q, _, media = max(scored)
    if q <= 0:
        raise NotAcceptable(f"cannot answer in any of the accepted types ({accept}); offered: {', '.join(offered)}")
    return media


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = str(term.datatype)
    return out


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{_xml_escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{_xml_escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    attrs = ""
    if term.language:
        attrs = f" xml:lang={_xml_attr(term.language)}"
    elif term.datatype is not None and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
        attrs = f" datatype={_xml_attr(str(term.datatype))}"
    return f"<literal{attrs}>{_xml_escape(str(term))}</literal>"


def nt_term(term: Node) -> str:
    """A term in N-Triples syntax (what TSV results and VALUES blocks carry)."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(to_oxigraph(term))


def serialize_select(result: SelectResult, fmt: str) -> bytes:
    """W3C SPARQL 1.1 results: json, xml, csv (plain values) or tsv (N-Triples terms)."""
    if fmt == "json":
        doc = {
            "head": {"vars": result.variables},
            "results": {"bindings": [{v: _json_term(t) for v, t in zip(result.variables, row, strict=True)
                                      if t is not None} for row in result.rows]},
        }
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={_xml_attr(v)}/>" for v in result.variables]
        parts.append("</head><results>")
        for row in result.rows:
            parts.append("<result>")
            for v, t in zip(result.variables, row, strict=True):
                if t is not None:
                    parts.append(f"<binding name={_xml_attr(v)}>{_xml_term(t)}</binding>")
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in row])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in result.variables)]
        lines += ["\t".join("" if t is None else nt_term(t) for t in row) for row in result.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise NotAcceptable(f"unknown results format {fmt!r}")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return ("_askResult\r\n" if fmt == "csv" else "?_askResult\n").encode() + (
            b"true" if value else b"false") + b"\n"
    raise NotAcceptable(f"unknown results format {fmt!r}")


def serialize_graph(graph: Graph, fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes:
    triples = sorted((ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph), key=str)
    kwargs = {"prefixes": dict(prefixes)} if prefixes and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                                                                   ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=fmt, **kwargs)


@dataclass(frozen=True)
class Answer:
    """A SPARQL Protocol answer ready to send: its media type and body."""

    media_type: str
    body: bytes


def answer_for(result: Result, accept: str | None, prefixes: Mapping[str, str] | None = None) -> Answer:
    """Serialise a result in the media type the Accept header prefers."""
    if isinstance(result, bool):
        media = negotiate(accept, list(ASK_TYPES))
        return Answer(media, serialize_boolean(result, ASK_TYPES[media]))
    if isinstance(result, SelectResult):
        media = negotiate(accept, list(SELECT_TYPES))
        return Answer(media, serialize_select(result, SELECT_TYPES[media]))
    media = negotiate(accept, list(GRAPH_TYPES))
    return Answer(media, serialize_graph(result, GRAPH_TYPES[media], prefixes))
