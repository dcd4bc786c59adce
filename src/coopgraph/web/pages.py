"""From what the store says about a resource to what its HTML page shows.

A page is built in three steps: read (:class:`~coopgraph.web.resources.Reader`), label (one query for the labels of
every IRI shown, the model's labels for ontology terms), then arrange: properties grouped by the class the ontology
gives as their domain, incoming links grouped by property, provenance, the sections of the resource's kind, and a
small server-rendered SVG of its neighbourhood.
"""

from __future__ import annotations

import contextlib
import math
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from markupsafe import Markup, escape

from .i18n import text
from .model import PROV, Model
from .resources import RDF_TYPE, Description, Reader, Term

MAX_VALUES = 60  # values shown per property before "… and N more"
MAX_INCOMING_PER_PROP = 60
XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose values read well without a tag.
PLAIN_TYPES = {None, "string", "date", "gYear", "gYearMonth", "integer", "nonNegativeInteger", "positiveInteger",
               "boolean", "decimal", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


# ----------------------------------------------------------------------------------------------------------------
# Links and labels
# ----------------------------------------------------------------------------------------------------------------


class Linker:
    """Local addresses of IRIs: anything under the base IRI is served here; other http(s) IRIs link out."""

    def __init__(self, base: str, root: str, lang: str) -> None:
        self.base = base
        self.root = root.rstrip("/")
        self.lang = lang

    def q(self, extra: dict[str, str] | None = None) -> str:
        params = dict(extra or {})
        if self.lang != "fr":
            params["lang"] = self.lang
        return ("?" + urllib.parse.urlencode(params)) if params else ""

    def path(self, local: str, extra: dict[str, str] | None = None) -> str:
        """A local page: ``path("query")`` → ``/query?lang=en``."""
        return f"{self.root}/{local.lstrip('/')}{self.q(extra)}"

    def local(self, iri: str) -> str | None:
        """The part after the base IRI, or None when the IRI is not ours."""
        return iri[len(self.base):] if iri.startswith(self.base) and len(iri) > len(self.base) else None

    def href(self, iri: str) -> str | None:
        rest = self.local(iri)
        if rest is None:
            return iri if iri.startswith(("http://", "https://")) else None
        doc, hash_, frag = rest.partition("#")
        if hash_:
            if doc == "ontology":
                return f"{self.root}/ontology.html{self.q()}#{urllib.parse.quote(frag)}"
            return f"{self.root}/{doc}{self.q()}#{urllib.parse.quote(frag)}"
        if rest in ("dataset", "sparql") or rest.startswith("dumps/"):
            return f"{self.root}/{rest}"
        if rest == "ontology":
            return f"{self.root}/ontology.html{self.q()}"
        return f"{self.root}/{urllib.parse.quote(rest)}.html{self.q()}"

    def is_external(self, iri: str) -> bool:
        return self.local(iri) is None

    def query_link(self, query: str) -> str:
        return self.path("query", {"query": query})


@dataclass
class Value:
    """One value as a page shows it: a link (with its IRI as tooltip) or a literal, and small notes after it."""

    text: str
    href: str | None = None
    iri: str | None = None
    external: bool = False
    lang: str | None = None
    datatype: str | None = None
    sources: list[Value] = field(default_factory=list)
    note: str | None = None

    def __html__(self) -> str:
        """The value as HTML (escaped here, in Python: Jinja macros are too slow for thousands of values)."""
        if self.href:
            attrs = ' class="ext" rel="noopener"' if self.external else ""
            if self.iri:
                attrs += f' title="{escape(self.iri)}"'
            out = f'<a href="{escape(self.href)}"{attrs}>{escape(self.text)}</a>'
        elif self.iri:
            out = f'<span class="iri-text" title="{escape(self.iri)}">{escape(self.text)}</span>'
        else:
            out = f'<span class="lit">{escape(self.text)}</span>'
        if self.note:
            out += f' <span class="note">({escape(self.note)})</span>'
        if self.lang:
            out += f' <span class="tag">@{escape(self.lang)}</span>'
        if self.datatype:
            out += f' <span class="tag">{escape(self.datatype)}</span>'
        if self.sources:
            out += ' <span class="src">[' + "; ".join(
                f'<a href="{escape(v.href)}">{escape(v.text)}</a>' if v.href else str(escape(v.text))
                for v in self.sources) + "]</span>"
        return out


def values_html(values: list[Value] | None) -> Markup:
    """A cell of values: one inline, several as a list."""
    if not values:
        return Markup("")
    if len(values) == 1:
        return Markup(values[0].__html__())
    return Markup('<ul class="vals">' + "".join(f"<li>{v.__html__()}</li>" for v in values) + "</ul>")


class Labeller:
    def __init__(self, model: Model, data: dict[str, dict[str, str]], excerpts: dict[str, dict[str, object]],
                 lang: str, linker: Linker) -> None:
        self.model = model
        self.data = data
        self.excerpts = excerpts
        self.lang = lang
        self.linker = linker

    def label(self, iri: str) -> str:
        labels = self.data.get(iri)
        if labels:
            for key in (self.lang, "fr", "en", ""):
                if key in labels:
                    return labels[key]
            if "sigle" in labels:
                return labels["sigle"]
            if "derived" in labels:
                return self._derived(labels)
        if self.model.has_label(iri):
            return self.model.label(iri, self.lang)
        ex = self.excerpts.get(iri)
        if ex:
            return self.excerpt_text(ex)
        rest = self.linker.local(iri)
        if rest is not None:
            parts = rest.split("/")
            return " / ".join(parts[-2:]) if len(parts) > 2 else rest
        return self.model.short(iri)

    def _derived(self, labels: dict[str, str]) -> str:
        kind, a, b = labels["derived"].split("|", 2)
        b_label = next((labels[k] for k in (f"b:{self.lang}", "b:fr", "b:en", "b:") if k in labels), None)
        if b_label is None:
            rest = self.linker.local(b)
            b_label = " / ".join(rest.split("/")[-2:]) if rest else self.model.short(b)
        if kind == "participation":
            return f"{self.model.label(a, self.lang) if a else '?'} — {b_label}"
        if kind == "signature":
            return f"{text('instrument.signatures', self.lang)[:-1].lower()} — {b_label}" + (f" ({a})" if a else "")
        if kind == "membership":
            member = next((labels[k] for k in (f"a:{self.lang}", "a:fr", "a:en", "a:") if k in labels), None) or \
                (self.linker.local(a) or a).rsplit("/", 1)[-1]
            return f"{member} → {b_label}"
        return b_label

    def sigle(self, iri: str) -> str | None:
        return (self.data.get(iri) or {}).get("sigle")

    def excerpt_text(self, ex: dict[str, object]) -> str:
        title = ex.get("title") or self.label(str(ex["document"]))
        a, b = ex.get("start"), ex.get("end")
        if a is not None and b is not None and a != b:
            where = text("provenance.lines", self.lang, a=a, b=b)
        elif a is not None:
            where = text("provenance.line", self.lang, a=a)
        else:
            where = ""
        return f"{title}, {where}" if where else str(title)

    def value(self, term: Term | None) -> Value:
        if term is None:
            return Value("")
        if isinstance(term, ox.NamedNode):
            iri = term.value
            return Value(self.label(iri), self.linker.href(iri), iri, self.linker.is_external(iri),
                         note=self.sigle(iri))
        if isinstance(term, ox.BlankNode):
            return Value(f"[{text('blank', self.lang)}]")
        return self.literal(term)

    def literal(self, lit: ox.Literal) -> Value:
        dt = lit.datatype.value if lit.datatype is not None else None
        shown = lit.value
        if dt in (XSD + "integer", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
            with contextlib.suppress(ValueError):
                shown = f"{int(shown):,}".replace(",", "\u202f" if self.lang == "fr" else ",")
        elif dt == XSD + "boolean":
            shown = {"true": ("oui", "yes"), "false": ("non", "no")}.get(shown, (shown, shown))[self.lang == "en"]
        short = dt[len(XSD):] if dt and dt.startswith(XSD) else dt
        if short in PLAIN_TYPES:
            short = None
        lang = lit.language if lit.language and lit.language != self.lang else None
        return Value(shown, lang=lang, datatype=short)


# ----------------------------------------------------------------------------------------------------------------
# Page parts
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class PropRow:
    label: str
    href: str | None
    iri: str
    values: list[Value]
    more: int = 0
    definition: str | None = None


@dataclass
class Group:
    title: str
    rows: list[PropRow]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[list[Value]]]
    empty: str | None = None
    note: str | None = None


@dataclass
class TreeNode:
    value: Value
    children: list[TreeNode] = field(default_factory=list)
    actions: list[list[list[Value]]] = field(default_factory=list)


@dataclass
class Tree:
    title: str
    headers: list[str]
    roots: list[TreeNode]
    loose: list[list[list[Value]]]


@dataclass
class Svg:
    width: int
    height: int
    center: dict[str, object]
    nodes: list[dict[str, object]]


@dataclass
class ResourcePage:
    iri: str
    title: str
    sigle: str | None
    kind: str
    types: list[Value]
    definition: str | None
    groups: list[Group]
    incoming: list[PropRow]
    incoming_total: int
    incoming_shown: int
    incoming_query: str
    provenance: list[Value]
    graphs: list[Value]
    sections: list[Table | Tree]
    svg: Svg | None
    formats: list[tuple[str, str]]


def _sort_key(v: Value) -> tuple[str, str]:
    return (v.text.lower(), v.iri or "")


def _collect(obj: object, into: set[str]) -> None:
    """Every IRI in a nest of lists, tuples and dicts of pyoxigraph terms."""
    if isinstance(obj, ox.NamedNode):
        into.add(obj.value)
    elif isinstance(obj, dict):
        for v in obj.values():
            _collect(v, into)
    elif isinstance(obj, list | tuple):
        for v in obj:
            _collect(v, into)


def _rank(term: object, fallback: str) -> tuple[int, str]:
    value = term.value if isinstance(term, ox.Literal) else None
    return (int(value) if value is not None and value.lstrip("-").isdigit() else 10**9, fallback)


class PageBuilder:
    def __init__(self, reader: Reader, model: Model, linker: Linker, lang: str) -> None:
        self.reader = reader
        self.model = model
        self.linker = linker
        self.lang = lang
        self.ns = model.ns

    def c(self, local: str) -> str:
        return self.ns + local

    # -- entry point ------------------------------------------------------------------------------------------
    def build(self, d: Description, formats: list[tuple[str, str]]) -> ResourcePage:
        kind = self.model.kind(d.types)
        extra = self._kind_facts(kind, d)
        excerpt_iris = [o.value for p, o, _ in d.out if p.value == PROV + "wasDerivedFrom" and
                        isinstance(o, ox.NamedNode)]
        if kind == "excerpt":
            excerpt_iris.append(d.iri)
        excerpts = self.reader.excerpts(excerpt_iris) if excerpt_iris else {}
        iris: set[str] = {d.iri}
        iris.update(str(e["document"]) for e in excerpts.values())
        for p, o, g in d.out:
            iris.add(p.value)
            if isinstance(o, ox.NamedNode):
                iris.add(o.value)
            if g is not None:
                iris.add(self._doc_of_graph(g) or g)
        for s_, p in self._shown_incoming(d):
            iris.add(p.value)
            if isinstance(s_, ox.NamedNode):
                iris.add(s_.value)
        _collect(extra, iris)
        wanted = {i for i in iris if not self.model.has_label(i) or self.linker.local(i) is not None}
        lab = Labeller(self.model, self.reader.labels(wanted), excerpts, self.lang, self.linker)
        self.lab = lab

        title = lab.label(d.iri)
        types = sorted((lab.value(ox.NamedNode(t)) for t in d.types), key=_sort_key)
        definition = None
        for prop in ("http://www.w3.org/2004/02/skos/core#definition", "http://purl.org/dc/terms/description"):
            defs = [o for o in d.objects(prop) if isinstance(o, ox.Literal)]
            if defs:
                pick = [o for o in defs if o.language == self.lang] or defs
                definition = pick[0].value
                break
        query = f"SELECT ?s ?p WHERE {{\n  ?s ?p <{d.iri}>\n}}\nLIMIT 1000"
        incoming, shown = self._incoming(d)
        return ResourcePage(
            iri=d.iri, title=title, sigle=lab.sigle(d.iri), kind=kind, types=types, definition=definition,
            groups=self._groups(d), incoming=incoming, incoming_total=d.incoming_total, incoming_shown=shown,
            incoming_query=self.linker.query_link(query),
            provenance=[self._provenance_value(o, excerpts) for o in d.objects(PROV + "wasDerivedFrom")],
            graphs=self._graphs(d), sections=self._sections(kind, d, extra), svg=self._svg(kind, d, extra),
            formats=formats,
        )

    # -- properties -------------------------------------------------------------------------------------------
    def _doc_of_graph(self, graph: str) -> str | None:
        rest = self.linker.local(graph)
        if rest and rest.startswith("graph/source/"):
            return self.linker.base + "id/document/" + rest[len("graph/source/"):]
        return None

    def _source_badge(self, graph: str | None) -> Value | None:
        if graph is None:
            return None
        rest = self.linker.local(graph)
        if rest == "graph/reference":
            return Value(text("source.reference", self.lang), self.linker.href(graph), graph)
        if rest == "graph/ontology":
            return Value(text("source.model", self.lang), self.linker.href(graph), graph)
        doc = self._doc_of_graph(graph)
        if doc:
            return Value(_clip(self.lab.sigle(doc) or self.lab.label(doc), 36), self.linker.href(doc), doc)
        return Value(_clip(self.lab.label(graph), 36), self.linker.href(graph), graph)

    def _prop_label(self, prop: str) -> str:
        return self.model.label(prop, self.lang) if self.model.has_label(prop) else self.lab.label(prop)

    def _groups(self, d: Description) -> list[Group]:
        by_prop: dict[str, dict[str, tuple[Term, list[str]]]] = defaultdict(dict)
        for p, o, g in d.out:
            entry = by_prop[p.value].setdefault(str(o), (o, []))
            if g is not None and g not in entry[1]:
                entry[1].append(g)
        multi_graph = len({g for _, _, g in d.out if g is not None}) > 1
        buckets: dict[tuple[str, str | None], list[PropRow]] = defaultdict(list)
        for prop, objs in by_prop.items():
            vals = []
            for o, graphs in objs.values():
                v = self.lab.value(o)
                if multi_graph:
                    v.sources = [b for b in (self._source_badge(g) for g in graphs) if b is not None]
                vals.append(v)
            if prop == RDF_TYPE or all(v.iri for v in vals):
                vals.sort(key=_sort_key)
            buckets[self.model.group_of(prop)].append(
                PropRow(self._prop_label(prop), self.linker.href(prop), prop, vals[:MAX_VALUES],
                        max(0, len(vals) - MAX_VALUES), self.model.definition(prop, self.lang)))
        domains = sorted((k for k in buckets if k[0] == "domain"), key=lambda k: self._domain_title(k[1]).lower())
        order = [("identity", None), ("description", None), *domains, ("other", None), ("provenance", None)]
        groups = []
        for key in order:
            rows = buckets.get(key)
            if rows:
                rows.sort(key=lambda r: (r.iri != RDF_TYPE, r.label.lower()))
                title = text(f"group.{key[0]}", self.lang) if key[0] != "domain" else self._domain_title(key[1])
                groups.append(Group(title, rows))
        return groups

    def _domain_title(self, domain: str | None) -> str:
        return " | ".join(self.model.label(c, self.lang) for c in (domain or "").split(" | ")).capitalize()

    @staticmethod
    def _shown_incoming(d: Description) -> list[tuple[Term, ox.NamedNode]]:
        """The incoming links a page lists: the first MAX_INCOMING_PER_PROP subjects of each property."""
        seen: dict[str, dict[str, None]] = defaultdict(dict)
        out = []
        for s, p, _ in d.incoming:
            bucket = seen[p.value]
            if str(s) in bucket or len(bucket) >= MAX_INCOMING_PER_PROP:
                continue
            bucket[str(s)] = None
            out.append((s, p))
        return out

    def _incoming(self, d: Description) -> tuple[list[PropRow], int]:
        counts: dict[str, set[str]] = defaultdict(set)
        for s, p, _ in d.incoming:
            counts[p.value].add(str(s))
        shown: dict[str, list[Value]] = defaultdict(list)
        for s, p in self._shown_incoming(d):
            shown[p.value].append(self.lab.value(s))
        rows = [PropRow(self._prop_label(prop), self.linker.href(prop), prop, sorted(vals, key=_sort_key),
                        len(counts[prop]) - len(vals)) for prop, vals in shown.items()]
        rows.sort(key=lambda r: r.label.lower())
        return rows, len({(str(s), p.value) for s, p, _ in d.incoming})

    def _provenance_value(self, o: Term, excerpts: dict[str, dict[str, object]]) -> Value:
        v = self.lab.value(o)
        ex = excerpts.get(o.value) if isinstance(o, ox.NamedNode) else None
        if ex:
            v.text = self.lab.excerpt_text(ex)
        return v

    def _graphs(self, d: Description) -> list[Value]:
        return [b for b in (self._source_badge(g) for g in sorted({g for _, _, g in d.out if g})) if b is not None]

    # -- the kind's own facts ---------------------------------------------------------------------------------
    def _kind_facts(self, kind: str, d: Description) -> dict[str, list]:
        if kind == "actor":
            return self.reader.actor(d)
        if kind == "instrument":
            return self.reader.instrument(d)
        if kind in ("action", "body"):
            return {"participants": self.reader.participants_in(d)}
        if kind == "territory":
            return self.reader.territory(d)
        return {}

    def _sections(self, kind: str, d: Description, extra: dict[str, list]) -> list[Table | Tree]:
        if kind == "actor":
            return self._actor(d, extra)
        if kind == "instrument":
            return self._instrument(d, extra)
        if kind in ("action", "body"):
            return [self._participants(extra["participants"])] if extra["participants"] else []
        if kind == "territory":
            return self._territory(d, extra)
        if kind == "scheme":
            return [self._scheme(d)]
        return []

    def _v(self, term: Term | None) -> list[Value]:
        return [self.lab.value(term)] if term is not None else []

    def _vs(self, terms: list[Term]) -> list[Value]:
        return [self.lab.value(t) for t in terms]

    def _role_value(self, role: Term | None, unc: Term | None) -> Value:
        v = self.lab.value(role) if role is not None else Value("?")
        if isinstance(unc, ox.Literal) and unc.value == "true":
            v.note = text("uncertain", self.lang)
        return v

    def _participants(self, rows: list[dict]) -> Table:
        table: dict[str, list[Value]] = {}
        agents: dict[str, Value] = {}
        for r in rows:
            if r["agent"] is None:
                continue
            key = str(r["agent"])
            agents.setdefault(key, self.lab.value(r["agent"]))
            table.setdefault(key, []).append(self._role_value(r["role"], r["unc"]))
        body = [[[agents[k]], sorted(v, key=_sort_key)] for k, v in table.items()]
        body.sort(key=lambda row: row[0][0].text.lower())
        return Table(text("instrument.participants", self.lang),
                     [text("col.agent", self.lang), text("col.role", self.lang)], body)

    def _actor(self, d: Description, extra: dict[str, list]) -> list[Table | Tree]:
        lang = self.lang
        coop: dict[str, list[Value]] = {}
        for r in extra["roles"]:
            if r["inst"] is None:
                continue
            v = self._role_value(r["role"], r["unc"])
            if r["cadre"] is not None and r["cadre"] != r["inst"]:
                v.sources = [self.lab.value(r["cadre"])]
            coop.setdefault(str(r["inst"]), []).append(v)
        signatory = self.model.label(self.linker.base + "vocab/role/signataire", lang)
        for sg in extra["signed"]:
            if sg["inst"] is None:
                continue
            date = sg["date"].value if isinstance(sg["date"], ox.Literal) else None
            coop.setdefault(str(sg["inst"]), []).append(Value(signatory, self.linker.href(sg["sig"].value),
                                                              sg["sig"].value, note=date))
        for s in d.subjects(self.c("partie")):
            roles = coop.setdefault(str(s), [])
            if not roles:
                roles.append(Value(self.model.label(self.c("partie"), lang)))
        rows = []
        for inst, roles in coop.items():
            uniq: dict[tuple[str, str | None, str | None], Value] = {}
            for v in roles:
                uniq.setdefault((v.text, v.sources[0].iri if v.sources else None, v.note), v)
            rows.append([[self.lab.value(ox.NamedNode(inst[1:-1]))], sorted(uniq.values(), key=_sort_key)])
        rows.sort(key=lambda r: r[0][0].text.lower())
        sections: list[Table | Tree] = [Table(text("actor.cooperations", lang),
                                              [text("col.instrument", lang), text("col.role", lang)], rows,
                                              empty=text("actor.cooperations.none", lang))]
        shared: dict[str, set[str]] = defaultdict(set)
        for inst, other in extra["partners"]:
            if isinstance(other, ox.NamedNode) and other.value != d.iri:
                shared[other.value].add(str(inst))
        partners = sorted(shared.items(), key=lambda kv: (-len(kv[1]), self.lab.label(kv[0]).lower()))
        sections.append(Table(
            text("actor.partners", lang), [text("col.partner", lang), text("actor.partners.shared", lang)],
            [[[self.lab.value(ox.NamedNode(o))], [Value(str(len(insts)))]] for o, insts in partners[:200]],
            empty=text("actor.partners.none", lang)))
        member_of: dict[str, set[str]] = defaultdict(set)
        members: dict[str, set[str]] = defaultdict(set)
        for m in extra["members"]:
            years = {y.value for y in m["years"] if isinstance(y, ox.Literal)}
            if isinstance(m["org"], ox.NamedNode):
                member_of[m["org"].value] |= years
            if isinstance(m["member"], ox.NamedNode):
                members[m["member"].value] |= years
        for title, data, col in (("actor.memberOf", member_of, "col.organisation"),
                                 ("actor.members", members, "col.member")):
            if data:
                body = [[[self.lab.value(ox.NamedNode(k))], [Value(", ".join(sorted(years)))]]
                        for k, years in data.items()]
                body.sort(key=lambda r: r[0][0].text.lower())
                sections.append(Table(text(title, lang), [text(col, lang), text("col.millesime", lang)], body[:500],
                                      note=text("values.more", lang, n=len(body) - 500) if len(body) > 500 else None))
        return sections

    def _instrument(self, d: Description, extra: dict[str, list]) -> list[Table | Tree]:
        lang = self.lang
        sections: list[Table | Tree] = []
        parties = sorted((self.lab.value(o) for o in d.objects(self.c("partie"))), key=_sort_key)
        if parties:
            sections.append(Table(text("instrument.parties", lang), [text("col.agent", lang)],
                                  [[[p]] for p in parties]))
        if extra["signatures"]:
            rows = [[self._vs(sg[k]) for k in ("for", "who", "qual", "date", "place")] for sg in extra["signatures"]]
            rows.sort(key=lambda r: (r[3][0].text if r[3] else "", r[0][0].text.lower() if r[0] else ""))
            sections.append(Table(text("instrument.signatures", lang),
                                  [text(k, lang) for k in ("col.onBehalf", "col.signatory", "col.office", "col.date",
                                                           "col.place")], rows))
        if extra["structure"] or extra["actions"]:
            sections.append(self._structure(extra["structure"], extra["actions"]))
        bodies: dict[str, dict[str, object]] = {}
        for b in extra["bodies"]:
            bodies.setdefault(str(b["body"]), {"node": b["body"], "type": b["type"], "members": {}})
        for r in extra["members"]:
            if r["cadre"] is None or r["agent"] is None:
                continue
            b = bodies.setdefault(str(r["cadre"]), {"node": r["cadre"], "type": None, "members": {}})
            b["members"].setdefault(str(r["agent"]), (r["agent"], []))[1].append(  # type: ignore[union-attr]
                self._role_value(r["role"], r["unc"]))
        if bodies:
            rows = []
            for info in bodies.values():
                members = []
                for agent, roles in info["members"].values():  # type: ignore[union-attr]
                    v = self.lab.value(agent)
                    v.note = ", ".join(sorted({r.text for r in roles}))
                    members.append(v)
                rows.append([self._v(info["node"]), self._v(info["type"]),  # type: ignore[arg-type]
                             sorted(members, key=_sort_key)])
            sections.append(Table(text("instrument.governance", lang),
                                  [text("col.body", lang), "type", text("col.members", lang)], rows))
        if extra["participants"]:
            sections.append(self._participants(extra["participants"]))
        return sections

    def _structure(self, structure: list[dict], actions: list[dict]) -> Tree:
        nodes: dict[str, TreeNode] = {}
        parent: dict[str, str | None] = {}
        order: dict[str, tuple[int, str]] = {}
        for el in structure:
            key = str(el["el"])
            if key in nodes:
                continue
            v = self.lab.value(el["el"])
            num = el["num"].value if isinstance(el["num"], ox.Literal) else None
            if num and not v.text.startswith(num):
                v.text = f"{num} — {v.text}"
            nodes[key] = TreeNode(v)
            parent[key] = str(el["up"]) if el["up"] is not None else None
            order[key] = _rank(el["rang"], num or v.text)
        loose: list[tuple[tuple[int, str], list[list[Value]]]] = []
        attached: dict[str, list[tuple[tuple[int, str], list[list[Value]]]]] = defaultdict(list)
        for a in actions:
            v = self.lab.value(a["act"])
            num = a["num"].value if isinstance(a["num"], ox.Literal) else None
            v.note = num
            row = [[v], self._vs(a["lead"]), sorted(self._vs(a["co"]), key=_sort_key), self._v(a["status"])]
            key = _rank(a["rang"], num or "")
            up = str(a["up"]) if a["up"] is not None else None
            (attached[up] if up in nodes else loose).append((key, row))  # type: ignore[index]
        for up, rows in attached.items():
            nodes[up].actions = [r for _, r in sorted(rows, key=lambda x: x[0])]
        roots: list[TreeNode] = []
        for key in sorted(nodes, key=lambda k: order[k]):
            p = parent.get(key)
            (nodes[p].children if p is not None and p in nodes else roots).append(nodes[key])
        return Tree(text("instrument.structure", self.lang),
                    [text(k, self.lang) for k in ("col.action", "col.lead", "col.coCarriers", "col.status")],
                    roots, [r for _, r in sorted(loose, key=lambda x: x[0])])

    def _territory(self, d: Description, extra: dict[str, list]) -> list[Table | Tree]:
        lang = self.lang
        sections: list[Table | Tree] = []
        authority = sorted(self._vs(d.subjects(self.c("gouverne"))), key=_sort_key) + \
            sorted(self._vs(d.subjects(self.c("ressort"))), key=_sort_key)
        if authority:
            sections.append(Table(text("territory.authority", lang), [text("col.agent", lang)],
                                  [[[v]] for v in authority]))
        parents = sorted(self._vs(d.objects(self.c("partieDe"))), key=_sort_key)
        if parents:
            sections.append(Table(text("territory.parents", lang), [text("col.territory", lang)],
                                  [[[v]] for v in parents]))
        how: dict[str, tuple[Term, set[str]]] = {}
        for inst, h in extra["touching"]:
            how.setdefault(str(inst), (inst, set()))[1].add(text(f"how.{h}", lang))
        rows = [[[self.lab.value(inst)], [Value(", ".join(sorted(hs)))]] for inst, hs in how.values()]
        rows.sort(key=lambda r: r[0][0].text.lower())
        sections.append(Table(text("territory.cooperations", lang),
                              [text("col.instrument", lang), text("territory.how", lang)], rows,
                              empty=text("territory.cooperations.none", lang)))
        return sections

    def _scheme(self, d: Description) -> Tree:
        concepts = self.model.schemes.get(d.iri, [])
        nodes = {c: TreeNode(Value(self.model.label(c, self.lang), self.linker.href(c), c,
                                   note=self.model.definition(c, self.lang))) for c in concepts}
        roots = []
        for c in concepts:
            ups = [b for b in self.model.broader.get(c, ()) if b in nodes]
            (nodes[ups[0]].children if ups else roots).append(nodes[c])
        return Tree(text("concept.concepts", self.lang), [], roots, [])

    # -- neighbourhood ----------------------------------------------------------------------------------------
    def _svg(self, kind: str, d: Description, extra: dict[str, list]) -> Svg | None:
        skip_props = {RDF_TYPE, PROV + "wasDerivedFrom", "http://www.w3.org/2004/02/skos/core#inScheme",
                      "http://www.w3.org/2004/02/skos/core#topConceptOf"}
        picked: dict[str, str] = {}  # iri -> relation label

        def add(term: object, relation: str) -> None:
            if isinstance(term, ox.NamedNode) and term.value != d.iri and len(picked) < 18:
                picked.setdefault(term.value, relation)

        if kind == "actor":
            for r in extra["roles"]:
                add(r["inst"], self.lab.label(r["role"].value) if isinstance(r["role"], ox.NamedNode) else "")
            counts: dict[str, int] = defaultdict(int)
            for _, other in extra["partners"]:
                counts[str(other)] += 1
            for other, _n in sorted(counts.items(), key=lambda kv: -kv[1]):
                add(ox.NamedNode(other[1:-1]), text("actor.partners", self.lang))
        elif kind == "instrument":
            for o in d.objects(self.c("partie")):
                add(o, self.model.label(self.c("partie"), self.lang))
            for a in extra["actions"]:
                for lead in a["lead"]:
                    add(lead, self.model.label(self.c("chefDeFile"), self.lang))
        elif kind == "territory":
            for s in d.subjects(self.c("gouverne")):
                add(s, self.model.label(self.c("gouverne"), self.lang))
            for o in d.objects(self.c("partieDe")):
                add(o, self.model.label(self.c("partieDe"), self.lang))
            for inst, _h in extra["touching"]:
                add(inst, text("territory.cooperations", self.lang))
        for p, o, _ in d.out:
            if p.value not in skip_props and not (isinstance(o, ox.NamedNode) and self.model.has_label(o.value)
                                                  and self.linker.local(o.value) is None):
                add(o, self._prop_label(p.value))
        for s, p, _ in d.incoming:
            if p.value not in skip_props:
                add(s, "← " + self._prop_label(p.value))
        if not picked:
            return None
        n = len(picked)
        width, height = 820, 460
        cx, cy = width / 2, height / 2
        rx, ry = width / 2 - 190, height / 2 - 50
        nodes = []
        for i, (iri, relation) in enumerate(picked.items()):
            angle = -math.pi / 2 + 2 * math.pi * i / n
            x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
            label = self.lab.label(iri)
            side = "start" if x > cx + 5 else "end" if x < cx - 5 else "middle"
            nodes.append({"x": round(x, 1), "y": round(y, 1), "label": _clip(label, 26), "title": f"{relation}: {label}",
                          "href": self.linker.href(iri), "anchor": side,
                          "dx": 10 if side == "start" else -10 if side == "end" else 0,
                          "dy": 4 if side != "middle" else (-12 if y < cy else 20)})
        return Svg(width, height, {"x": cx, "y": cy, "label": _clip(self.lab.label(d.iri), 34)}, nodes)


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"
