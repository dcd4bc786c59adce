"""Reading resources for the pages: their triples both ways, the labels of what they link to, where they come from,
and the facts each kind of page shows (an actor's cooperations, an instrument's actions…).

Everything is built from a few navigation steps over the union of the named graphs — "the values of these
properties for these nodes", "the nodes that point to these through those properties" — so that a page costs a
bounded number of index look-ups, whatever the size of the graph. Two sources give the same answers:

- :class:`EmbeddedSource`: the build's Oxigraph store, read through its quad indexes (no query text at all);
- :class:`SparqlSource`: any :class:`~coopgraph.store.Store` (a remote SPARQL store): one SELECT per step, the
  resource's IRI bound as a parameter, the nodes of a previous step in a ``VALUES`` block of N-Triples terms written
  by pyoxigraph (store terms, never request text).

Terms are pyoxigraph terms throughout. Each page has a time budget (the server's ``--timeout``): a step that would
run past it raises :class:`~coopgraph.sparql.QueryTimeout`.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from ..rdfio import to_oxigraph
from ..sparql import QueryTimeout
from ..store import EmbeddedStore, Store

Term = ox.NamedNode | ox.BlankNode | ox.Literal

INCOMING_LIMIT = 500  # incoming links read per page (a région has thousands); the rest is counted and queryable
OUTGOING_LIMIT = 5000
VALUES_CHUNK = 400

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
ORG = "http://www.w3.org/ns/org#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
# What an unlabelled node is named after: property → (kind of node, side of the name).
_DERIVED = ("role", "cadre", "dateSignature", "pourLeCompteDe")
_SIDE = {"role": ("participation", "a"), "cadre": ("participation", "b"), "dateSignature": ("signature", "a"),
         "pourLeCompteDe": ("signature", "b"), "member": ("membership", "a"), "organization": ("membership", "b")}


def iri_of(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def graph_of(g: object) -> str | None:
    return g.value if isinstance(g, ox.NamedNode) else None


# ----------------------------------------------------------------------------------------------------------------
# Sources
# ----------------------------------------------------------------------------------------------------------------


class Source:
    """Navigation over the union of the named graphs. Results keep the graph each triple is in (None: default)."""

    def __init__(self, timeout: float | None) -> None:
        self.deadline = time.monotonic() + timeout if timeout else None
        self.timeout = timeout

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeout(f"reading this page took longer than {self.timeout:g} s")

    def out(self, s: Term, limit: int) -> list[tuple[ox.NamedNode, Term, str | None]]:
        raise NotImplementedError

    def into(self, o: Term, limit: int) -> list[tuple[Term, ox.NamedNode, str | None]]:
        raise NotImplementedError

    def count_into(self, o: Term) -> int:
        raise NotImplementedError

    def values(self, subjects: Iterable[Term], props: Sequence[str]) -> dict[Term, list[tuple[str, Term]]]:
        """For each subject, its (property, value) pairs for some properties (deduplicated across graphs)."""
        raise NotImplementedError

    def pointing(self, objects: Iterable[Term], props: Sequence[str], limit: int = 20_000
                 ) -> dict[Term, list[tuple[str, Term]]]:
        """For each object, the (property, subject) pairs of the nodes pointing to it through some properties."""
        raise NotImplementedError

    def exists(self, iri: str) -> bool:
        raise NotImplementedError

    def blank_closure(self, s: Term) -> list[ox.Triple]:
        raise NotImplementedError


class TermMemo:
    """What the read-only store answered for one node and some properties, kept across requests (least recently used
    out first, at most ``entries``). Pages of one neighbourhood ask for the same labels, participations and agents
    again and again; each answer is the same as long as the store is, and the served store is opened read-only."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._data: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> object | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple, value: object) -> None:
        if not self.entries:
            return
        with self._lock:
            self._data[key] = value
            if len(self._data) > self.entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


def _pairs(found: Iterable[tuple[str, Term]]) -> list[tuple[str, Term]]:
    """(property, term) pairs once each, in the order first seen."""
    pairs: dict[tuple[str, str], tuple[str, Term]] = {}
    for prop, term in found:
        pairs.setdefault((prop, str(term)), (prop, term))
    return list(pairs.values())


class EmbeddedSource(Source):
    """The embedded store, read through pyoxigraph's quad indexes (per-node answers memoised in ``memo``)."""

    def __init__(self, store: ox.Store, timeout: float | None, memo: TermMemo | None = None) -> None:
        super().__init__(timeout)
        self.store = store
        self.memo = memo if memo is not None else TermMemo(0)

    def _memoised(self, key: tuple, compute: Callable[[], list]) -> list:
        """The memo's answer for ``key``, computed (and kept) on a miss."""
        found = self.memo.get(key)
        if found is None:
            self.check()
            found = compute()
            self.memo.put(key, found)
        return found  # type: ignore[return-value]

    def _quads(self, s: Term | None, p: ox.NamedNode | None, o: Term | None, limit: int | None = None
               ) -> Iterator[ox.Quad]:
        it = self.store.quads_for_pattern(s, p, o, None)
        for n, q in enumerate(it if limit is None else itertools.islice(it, limit)):
            if n % 256 == 255:
                self.check()
            yield q

    def out(self, s: Term, limit: int) -> list[tuple[ox.NamedNode, Term, str | None]]:
        self.check()
        return [(q.predicate, q.object, graph_of(q.graph_name)) for q in self._quads(s, None, None, limit)]

    def into(self, o: Term, limit: int) -> list[tuple[Term, ox.NamedNode, str | None]]:
        self.check()
        return [(q.subject, q.predicate, graph_of(q.graph_name)) for q in self._quads(None, None, o, limit)]

    def count_into(self, o: Term) -> int:
        """Counted by Oxigraph on its encoded terms: nothing is decoded (a class has tens of thousands of members)."""
        self.check()
        res = self.store.query("SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?x } GROUP BY ?x",
                               substitutions={ox.Variable("x"): o}, use_default_graph_as_union=True)
        row = next(iter(res), None)  # type: ignore[call-overload]
        return int(row[1].value) if row is not None else 0

    def values(self, subjects: Iterable[Term], props: Sequence[str]) -> dict[Term, list[tuple[str, Term]]]:
        preds = [ox.NamedNode(p) for p in props]
        out: dict[Term, list[tuple[str, Term]]] = {}
        tag = ("values", *props)
        for s in dict.fromkeys(subjects):
            if isinstance(s, ox.Literal):
                continue
            found = self._memoised((s, tag), lambda s=s: _pairs(
                (p.value, q.object) for p in preds for q in self.store.quads_for_pattern(s, p, None, None)))
            if found:
                out[s] = list(found)  # type: ignore[call-overload]
        return out

    def pointing(self, objects: Iterable[Term], props: Sequence[str], limit: int = 20_000
                 ) -> dict[Term, list[tuple[str, Term]]]:
        preds = [ox.NamedNode(p) for p in props]
        out: dict[Term, list[tuple[str, Term]]] = {}
        total = 0
        tag = ("pointing", limit, *props)
        for o in dict.fromkeys(objects):
            found = self._memoised((o, tag), lambda o=o: _pairs(
                (p.value, q.subject) for p in preds for q in self._quads(None, p, o, limit)))
            if found:
                out[o] = list(found)  # type: ignore[call-overload]
                total += len(found)  # type: ignore[arg-type]
                if total >= limit:
                    break
        return out

    def exists(self, iri: str) -> bool:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return next(self.store.quads_for_pattern(node, None, None, None), None) is not None or \
            next(self.store.quads_for_pattern(None, None, node, None), None) is not None

    def blank_closure(self, s: Term) -> list[ox.Triple]:
        """The blank nodes under the resource (their identities are stable in one store), four levels deep."""
        seen: set[str] = set()
        triples: list[ox.Triple] = []
        frontier = [q.object for q in self.store.quads_for_pattern(s, None, None, None)
                    if isinstance(q.object, ox.BlankNode)]
        for _ in range(4):
            nxt = []
            for b in frontier:
                if str(b) in seen:
                    continue
                seen.add(str(b))
                for q in self._quads(b, None, None, 1000):
                    triples.append(ox.Triple(q.subject, q.predicate, q.object))
                    if isinstance(q.object, ox.BlankNode):
                        nxt.append(q.object)
            frontier = nxt
        return triples


def _values_block(var: str, terms: Iterable[Term]) -> str:
    return f"VALUES ?{var} {{ {' '.join(str(t) for t in terms)} }}"


class SparqlSource(Source):
    """Any Store (a remote SPARQL store): one SELECT per step, bound parameters and VALUES of store terms."""

    def __init__(self, store: Store, timeout: float | None) -> None:
        super().__init__(timeout)
        self.store = store

    def _select(self, query: str, bindings: dict[str, object] | None = None, max_rows: int | None = None
                ) -> list[tuple[Term | None, ...]]:
        self.check()
        left = None if self.deadline is None else max(0.1, self.deadline - time.monotonic())
        res = self.store.select(query, bindings, timeout=left, max_rows=max_rows)
        return [tuple(None if t is None else to_oxigraph(t) for t in row) for row in res.rows]  # type: ignore[misc]

    @staticmethod
    def _rdflib(term: Term) -> URIRef:
        return URIRef(term.value)

    def out(self, s: Term, limit: int) -> list[tuple[ox.NamedNode, Term, str | None]]:
        rows = self._select(f"SELECT ?x ?p ?o ?g WHERE {{ GRAPH ?g {{ ?x ?p ?o }} }} LIMIT {limit}",
                            {"x": self._rdflib(s)})
        return [(p, o, graph_of(g)) for _, p, o, g in rows]  # type: ignore[misc]

    def into(self, o: Term, limit: int) -> list[tuple[Term, ox.NamedNode, str | None]]:
        rows = self._select(f"SELECT ?x ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p ?x }} }} LIMIT {limit}",
                            {"x": self._rdflib(o)})
        return [(s, p, graph_of(g)) for _, s, p, g in rows]  # type: ignore[misc]

    def count_into(self, o: Term) -> int:
        rows = self._select("SELECT ?x (COUNT(DISTINCT *) AS ?n) WHERE { ?s ?p ?x } GROUP BY ?x",
                            {"x": self._rdflib(o)})
        return int(rows[0][1].value) if rows and rows[0][1] is not None else 0  # type: ignore[union-attr]

    @staticmethod
    def _in(props: Sequence[str]) -> str:
        return ", ".join(f"<{p}>" for p in props)

    def values(self, subjects: Iterable[Term], props: Sequence[str]) -> dict[Term, list[tuple[str, Term]]]:
        todo = [s for s in dict.fromkeys(subjects) if isinstance(s, ox.NamedNode)]  # blank nodes cannot be bound
        out: dict[Term, list[tuple[str, Term]]] = defaultdict(list)
        for i in range(0, len(todo), VALUES_CHUNK):
            rows = self._select(f"SELECT DISTINCT ?x ?p ?o WHERE {{ {_values_block('x', todo[i:i + VALUES_CHUNK])} "
                                f"?x ?p ?o FILTER(?p IN ({self._in(props)})) }}")
            for x, p, o in rows:
                out[x].append((p.value, o))  # type: ignore[union-attr,index]
        return dict(out)

    def pointing(self, objects: Iterable[Term], props: Sequence[str], limit: int = 20_000
                 ) -> dict[Term, list[tuple[str, Term]]]:
        todo = [o for o in dict.fromkeys(objects) if not isinstance(o, ox.BlankNode)]
        out: dict[Term, list[tuple[str, Term]]] = defaultdict(list)
        for i in range(0, len(todo), VALUES_CHUNK):
            rows = self._select(f"SELECT DISTINCT ?o ?p ?x WHERE {{ {_values_block('o', todo[i:i + VALUES_CHUNK])} "
                                f"?x ?p ?o FILTER(?p IN ({self._in(props)})) }} LIMIT {limit}")
            for o, p, x in rows:
                out[o].append((p.value, x))  # type: ignore[union-attr,index]
        return dict(out)

    def exists(self, iri: str) -> bool:
        try:
            ox.NamedNode(iri)
        except ValueError:
            return False
        return bool(self._select("SELECT ?x WHERE { { ?x ?p ?o } UNION { ?s ?q ?x } } LIMIT 1", {"x": URIRef(iri)}))

    def blank_closure(self, s: Term) -> list[ox.Triple]:
        """Read in one answer so the blank node labels agree (a remote store relabels them per answer)."""
        rows = self._select(
            "SELECT ?x ?b1 ?p1 ?o1 ?p2 ?o2 ?p3 ?o3 ?p4 ?o4 WHERE { ?x ?p0 ?b1 FILTER(isBlank(?b1)) ?b1 ?p1 ?o1 "
            "OPTIONAL { FILTER(isBlank(?o1)) ?o1 ?p2 ?o2 OPTIONAL { FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 "
            "OPTIONAL { FILTER(isBlank(?o3)) ?o3 ?p4 ?o4 } } } }",
            {"x": self._rdflib(s)}, max_rows=20_000,
        )
        out: dict[str, ox.Triple] = {}
        for _, b1, p1, o1, p2, o2, p3, o3, p4, o4 in rows:
            for subj, pred, obj in ((b1, p1, o1), (o1, p2, o2), (o2, p3, o3), (o3, p4, o4)):
                if pred is not None:
                    t = ox.Triple(subj, pred, obj)  # type: ignore[arg-type]
                    out.setdefault(str(t), t)
        return list(out.values())


def source_for(store: Store, timeout: float | None, prefer_sparql: bool = False, memo: TermMemo | None = None
               ) -> Source:
    """The page reads of a store; ``memo`` (embedded store only) is shared by the requests of a read-only store."""
    if isinstance(store, EmbeddedStore) and not prefer_sparql:
        return EmbeddedSource(store.oxigraph, timeout, memo if getattr(store, "read_only", False) else None)
    return SparqlSource(store, timeout)


# ----------------------------------------------------------------------------------------------------------------
# One resource
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Description:
    """What the store holds about one IRI."""

    iri: str
    out: list[tuple[ox.NamedNode, Term, str | None]] = field(default_factory=list)  # (p, o, graph)
    incoming: list[tuple[Term, ox.NamedNode, str | None]] = field(default_factory=list)  # (s, p, graph)
    incoming_total: int = 0
    out_truncated: bool = False
    bnodes: list[ox.Triple] = field(default_factory=list)

    @property
    def node(self) -> ox.NamedNode:
        return ox.NamedNode(self.iri)

    @property
    def exists(self) -> bool:
        return bool(self.out or self.incoming)

    @property
    def types(self) -> list[str]:
        return sorted({o.value for p, o, _ in self.out if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)})

    def objects(self, prop: str) -> list[Term]:
        return list(dict.fromkeys(o for p, o, _ in self.out if p.value == prop))

    def subjects(self, prop: str) -> list[Term]:
        return list(dict.fromkeys(s for s, p, _ in self.incoming if p.value == prop))

    def triples(self) -> list[ox.Triple]:
        """The document's triples: the resource's own, its blank nodes', and the incoming links read."""
        me = self.node
        out: dict[str, ox.Triple] = {}
        for t in itertools.chain((ox.Triple(me, p, o) for p, o, _ in self.out), self.bnodes,
                                 (ox.Triple(s, p, me) for s, p, _ in self.incoming)):
            out.setdefault(str(t), t)
        return sorted(out.values(), key=str)


class Reader:
    """The reads a page makes, over a fresh :class:`Source` (and time budget) per request."""

    def __init__(self, source: Source, ns: str) -> None:
        self.src = source
        self.ns = ns

    def c(self, local: str) -> str:
        return self.ns + local

    def describe(self, iri: str, incoming_limit: int = INCOMING_LIMIT) -> Description:
        d = Description(iri)
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return d
        d.out = self.src.out(node, OUTGOING_LIMIT + 1)
        if len(d.out) > OUTGOING_LIMIT:
            d.out, d.out_truncated = d.out[:OUTGOING_LIMIT], True
        d.incoming = self.src.into(node, incoming_limit + 1)
        d.incoming_total = len({(str(s), p.value) for s, p, _ in d.incoming})
        if len(d.incoming) > incoming_limit:
            d.incoming = d.incoming[:incoming_limit]
            d.incoming_total = self.src.count_into(node)
        if any(isinstance(o, ox.BlankNode) for _, o, _ in d.out):
            d.bnodes = self.src.blank_closure(node)
        return d

    # -- labels and provenance of the IRIs a page shows -------------------------------------------------------
    def labels(self, iris: Iterable[str], derive: bool = True) -> dict[str, dict[str, str]]:
        """rdfs:label / skos:prefLabel by language ("fr", "en", "" for none) and coop:sigle (key "sigle") of some
        IRIs. A node without any gets a "derived" entry from what it joins (see :meth:`_derived`)."""
        nodes = []
        for i in dict.fromkeys(iris):
            try:
                nodes.append(ox.NamedNode(i))
            except ValueError:
                continue
        sigle = self.c("sigle")
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for node, pairs in self.src.values(nodes, [RDFS_LABEL.value, SKOS_PREF.value, sigle]).items():
            entry = labels[node.value]  # type: ignore[union-attr]
            for prop, lab in pairs:
                if not isinstance(lab, ox.Literal):
                    continue
                key = "sigle" if prop == sigle else (lab.language or "")
                cur = entry.get(key)
                if cur is None or len(lab.value) < len(cur):  # several labels in one language: the shortest
                    entry[key] = lab.value
        if derive:
            unlabelled = [n for n in nodes if n.value not in labels]
            if unlabelled:
                self._derived(unlabelled, labels)
        return labels

    def _derived(self, nodes: list[ox.NamedNode], labels: dict[str, dict[str, str]]) -> None:
        """Nodes with no label of their own, named after what they join: a participation (role — frame), a signature
        (organisation, date), a membership (member → organisation). Stored as "derived" = "kind|a|b", with the
        labels of a and b under "a:LANG" / "b:LANG"."""
        props = [self.c(p) for p in _DERIVED] + [ORG + "member", ORG + "organization"]
        parts: dict[str, dict[str, Term | str]] = defaultdict(dict)
        for node, pairs in self.src.values(nodes, props).items():
            for prop, o in pairs:
                kind, side = _SIDE[prop.rsplit("#", 1)[-1]]
                parts[node.value].setdefault("kind", kind)  # type: ignore[union-attr]
                parts[node.value].setdefault(side, o)  # type: ignore[union-attr]
        ends = {v.value for d in parts.values() for k, v in d.items() if k in ("a", "b") and isinstance(v, ox.NamedNode)}
        end_labels = self.labels(ends, derive=False) if ends else {}
        for x, d in parts.items():
            b = d.get("b")
            if b is None:
                continue
            a = d.get("a")
            a_text = a.value if isinstance(a, ox.NamedNode | ox.Literal) else ""
            entry = labels[x]
            entry["derived"] = f"{d['kind']}|{a_text}|{b.value}"  # type: ignore[union-attr]
            for side, term in (("a", a), ("b", b)):
                if isinstance(term, ox.NamedNode):
                    for lang, text in end_labels.get(term.value, {}).items():
                        if lang != "sigle":
                            entry[f"{side}:{lang}"] = text

    def excerpts(self, iris: Iterable[str]) -> dict[str, dict[str, object]]:
        """For excerpt IRIs: their document and line range (the document's title comes with the labels)."""
        nodes = [ox.NamedNode(i) for i in dict.fromkeys(iris)]
        out: dict[str, dict[str, object]] = {}
        for node, pairs in self.src.values(nodes, [self.c("extraitDe"), self.c("ligneDebut"),
                                                   self.c("ligneFin")]).items():
            entry = {"document": None, "title": None, "start": None, "end": None}
            for prop, o in pairs:
                if prop.endswith("#extraitDe"):
                    entry["document"] = iri_of(o)
                elif prop.endswith("#ligneDebut"):
                    entry["start"] = _int(o)
                else:
                    entry["end"] = _int(o)
            if entry["document"]:
                out[node.value] = entry  # type: ignore[union-attr]
        return out

    # -- the facts of each kind of page -----------------------------------------------------------------------
    def _one(self, pairs: list[tuple[str, Term]], prop: str) -> Term | None:
        return next((o for p, o in pairs if p == prop), None)

    def _all(self, pairs: list[tuple[str, Term]], prop: str) -> list[Term]:
        return [o for p, o in pairs if p == prop]

    def instrument_of_frames(self, frames: Sequence[Term]) -> dict[Term, Term]:
        """The instrument of each frame of participation: itself (an instrument), its instrument (an action), the
        instrument it is a governance body of."""
        out: dict[Term, Term] = {}
        for f, pairs in self.src.values(frames, [self.c("instrument")]).items():
            out[f] = pairs[0][1]
        for f, pairs in self.src.pointing([f for f in frames if f not in out], [self.c("gouvernance")]).items():
            out[f] = pairs[0][1]
        for f in frames:
            out.setdefault(f, f)
        return out

    def participations(self, parts: Sequence[Term]) -> list[dict[str, Term | None]]:
        """agent, role, frame and doubt of some participation nodes."""
        rows = []
        for part, pairs in self.src.values(parts, [self.c("agent"), self.c("role"), self.c("cadre"),
                                                   self.c("incertain")]).items():
            rows.append({"part": part, "agent": self._one(pairs, self.c("agent")),
                         "role": self._one(pairs, self.c("role")), "cadre": self._one(pairs, self.c("cadre")),
                         "unc": self._one(pairs, self.c("incertain"))})
        return rows

    def actor(self, d: Description) -> dict[str, list]:
        me = d.node
        parts = [s for _, s in self.src.pointing([me], [self.c("agent")]).get(me, [])]
        roles = [r for r in self.participations(parts) if r["agent"] == me]
        inst_of = self.instrument_of_frames([r["cadre"] for r in roles if r["cadre"] is not None])  # type: ignore[misc]
        for r in roles:
            r["inst"] = inst_of.get(r["cadre"]) if r["cadre"] is not None else None  # type: ignore[arg-type]
        sigs = [s for _, s in self.src.pointing([me], [self.c("pourLeCompteDe")]).get(me, [])]
        sig_inst = {s: pairs[0][1] for s, pairs in self.src.pointing(sigs, [self.c("signature")]).items()}
        sig_date = {s: self._one(pairs, self.c("dateSignature"))
                    for s, pairs in self.src.values(sigs, [self.c("dateSignature")]).items()}
        signed = [{"sig": s, "inst": sig_inst.get(s), "date": sig_date.get(s)} for s in sigs]
        instruments = list(dict.fromkeys([r["inst"] for r in roles if r["inst"] is not None]
                                         + [s["inst"] for s in signed if s["inst"] is not None]
                                         + d.subjects(self.c("partie"))))
        partners = self.agents_of_instruments(instruments)  # type: ignore[arg-type]
        members = []
        for _m, pairs in self.src.values([s for s, p, _ in d.incoming if p.value == ORG + "member"],
                                        [ORG + "organization", self.c("millesime")]).items():
            members.append({"org": self._one(pairs, ORG + "organization"), "member": None,
                            "years": self._all(pairs, self.c("millesime"))})
        for _m, pairs in self.src.values([s for s, p, _ in d.incoming if p.value == ORG + "organization"],
                                        [ORG + "member", self.c("millesime")]).items():
            members.append({"org": None, "member": self._one(pairs, ORG + "member"),
                            "years": self._all(pairs, self.c("millesime"))})
        return {"roles": roles, "signed": signed, "partners": partners, "members": members}

    def agents_of_instruments(self, instruments: Sequence[Term]) -> list[tuple[Term, Term]]:
        """(instrument, agent) once for every participation of the agent in one of the instruments: in it, in one of
        its actions or in one of its governance bodies; sorted (the same list from any source)."""
        insts = list(dict.fromkeys(instruments))[:VALUES_CHUNK]
        if not insts:
            return []
        embedded = isinstance(self.src, EmbeddedSource)
        out = self._agents_embedded(insts) if embedded else self._agents_by_steps(insts)
        out.sort(key=lambda pair: (str(pair[0]), str(pair[1])))
        return out

    def _agents_by_steps(self, insts: list[Term]) -> list[tuple[Term, Term]]:
        frame_of: dict[Term, Term] = {i: i for i in insts}
        for i, pairs in self.src.pointing(insts, [self.c("instrument")]).items():
            for _, f in pairs:
                frame_of.setdefault(f, i)
        for i, pairs in self.src.values(insts, [self.c("gouvernance")]).items():
            for _, f in pairs:
                frame_of.setdefault(f, i)
        parts = self.src.pointing(list(frame_of), [self.c("cadre")], limit=50_000)
        part_frame = {p: f for f, pairs in parts.items() for _, p in pairs}
        out = []
        for part, pairs in self.src.values(list(part_frame), [self.c("agent")]).items():
            for _, agent in pairs:
                out.append((frame_of[part_frame[part]], agent))
        return out

    def _agents_embedded(self, insts: list[Term]) -> list[tuple[Term, Term]]:
        """Counted by Oxigraph per instrument (an instrument of a CTG has thousands of participations: decoding each
        one in Python was most of an actor page), memoised per instrument."""
        assert isinstance(self.src, EmbeddedSource)
        src, c = self.src, self.c
        out: list[tuple[Term, Term]] = []
        todo = []
        for i in insts:
            hit = src.memo.get((i, ("agents",)))
            if hit is None:
                todo.append(i)
            else:
                out += hit  # type: ignore[arg-type]
        if not todo:
            return out
        src.check()
        named = [i for i in todo if isinstance(i, ox.NamedNode)]
        found: dict[Term, list[tuple[Term, Term]]] = {i: [] for i in todo}
        if named:
            query = (f"SELECT ?i ?agent (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {_values_block('i', named)} "
                     f"{{ ?p <{c('cadre')}> ?i . ?p <{c('agent')}> ?agent }} "
                     f"UNION {{ ?f <{c('instrument')}> ?i . ?p <{c('cadre')}> ?f . ?p <{c('agent')}> ?agent }} "
                     f"UNION {{ ?i <{c('gouvernance')}> ?f . ?p <{c('cadre')}> ?f . ?p <{c('agent')}> ?agent }} }} "
                     "GROUP BY ?i ?agent")
            for row in src.store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
                i, agent, n = row[0], row[1], int(row[2].value)
                found[i] += [(i, agent)] * n
        for i, pairs in found.items():
            src.memo.put((i, ("agents",)), pairs)
            out += pairs
        return out

    def instrument(self, d: Description) -> dict[str, list]:
        me = d.node
        c = self.c
        sigs = d.objects(c("signature"))
        signatures = []
        for s, pairs in self.src.values(sigs, [c("dateSignature"), c("lieuSignature"), c("signataire"),
                                               c("pourLeCompteDe"), c("qualite")]).items():
            signatures.append({"sig": s, "date": self._all(pairs, c("dateSignature")),
                               "place": self._all(pairs, c("lieuSignature")), "who": self._all(pairs, c("signataire")),
                               "for": self._all(pairs, c("pourLeCompteDe")), "qual": self._all(pairs, c("qualite"))})
        tops = [(o, "axe") for o in d.objects(c("axe"))] + [(o, "rubrique") for o in d.objects(c("rubrique"))]
        top_pairs = self.src.values([t for t, _ in tops], [c("orientation"), c("numero"), c("rang")])
        structure = []
        orients: list[tuple[Term, Term]] = []
        for el, kind in tops:
            pairs = top_pairs.get(el, [])
            structure.append({"el": el, "up": None, "num": self._one(pairs, c("numero")),
                              "rang": self._one(pairs, c("rang")), "kind": kind})
            orients += [(o, el) for o in self._all(pairs, c("orientation"))]
        orient_pairs = self.src.values([o for o, _ in orients], [c("numero"), c("rang")])
        for el, up in orients:
            pairs = orient_pairs.get(el, [])
            structure.append({"el": el, "up": up, "num": self._one(pairs, c("numero")),
                              "rang": self._one(pairs, c("rang")), "kind": "orientation"})
        acts = [s for _, s in self.src.pointing([me], [c("instrument")], limit=50_000).get(me, [])]
        actions = []
        for a, pairs in self.src.values(acts, [c("rattacheA"), c("numero"), c("rang"), c("statut"), c("chefDeFile"),
                                               c("coPorteur")]).items():
            actions.append({"act": a, "up": self._one(pairs, c("rattacheA")), "num": self._one(pairs, c("numero")),
                            "rang": self._one(pairs, c("rang")), "status": self._one(pairs, c("statut")),
                            "lead": self._all(pairs, c("chefDeFile")), "co": self._all(pairs, c("coPorteur"))})
        actions += [{"act": a, "up": None, "num": None, "rang": None, "status": None, "lead": [], "co": []}
                    for a in acts if not any(x["act"] == a for x in actions)]
        bodies_list = d.objects(c("gouvernance"))
        types = {b: self._one(pairs, c("typeInstance"))
                 for b, pairs in self.src.values(bodies_list, [c("typeInstance")]).items()}
        bodies = [{"body": b, "type": types.get(b)} for b in bodies_list]
        body_parts = self.src.pointing(bodies_list, [c("cadre")])
        members = self.participations([p for pairs in body_parts.values() for _, p in pairs])
        return {"signatures": signatures, "structure": structure, "actions": actions, "bodies": bodies,
                "members": members, "participants": self.participants_in(d)}

    def participants_in(self, d: Description) -> list[dict[str, Term | None]]:
        parts = [s for s, p, _ in d.incoming if p.value == self.c("cadre")]
        return [r for r in self.participations(parts) if r["cadre"] == d.node]

    def territory(self, d: Description) -> dict[str, list]:
        """The instruments touching a territory: it is their perimeter, one of their parties governs it (or has it
        as its area), or governs a territory that is part of it."""
        c = self.c
        touching: list[tuple[Term, str]] = [(s, "perimetre") for s in d.subjects(c("perimetre"))]
        for actors, how in ((d.subjects(c("gouverne")), "partie"), (d.subjects(c("ressort")), "ressort")):
            for pairs in self.src.pointing(actors, [c("partie")]).values():
                touching += [(inst, how) for _, inst in pairs]
        touching += [(inst, "partieIn") for inst in self._touching_within(d.node)]
        return {"touching": touching}

    def _touching_within(self, me: ox.NamedNode) -> list[Term]:
        c = self.c
        if isinstance(self.src, SparqlSource):
            rows = self.src._select(
                f"SELECT DISTINCT ?t ?inst WHERE {{ ?t2 <{c('partieDe')}> ?t . ?a <{c('gouverne')}> ?t2 . "
                f"?inst <{c('partie')}> ?a }} LIMIT 2000", {"t": URIRef(me.value)})
            return [inst for _, inst in rows if inst is not None]
        # Embedded: the same question, answered by Oxigraph (a région has thousands of communes; walking them in
        # Python, or reading all the parties of all instruments to choose a side, was most of a territory page).
        assert isinstance(self.src, EmbeddedSource)
        self.src.check()
        rows = self.src.store.query(
            f"SELECT DISTINCT ?t ?inst WHERE {{ ?t2 <{c('partieDe')}> ?t . ?a <{c('gouverne')}> ?t2 . "
            f"?inst <{c('partie')}> ?a }} LIMIT 2000", substitutions={ox.Variable("t"): me},
            use_default_graph_as_union=True)
        return [row[1] for row in rows]  # type: ignore[index]


def _int(term: object) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None
