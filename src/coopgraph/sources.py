"""Records → RDF: one named graph per source document, every fact tied to the lines it was read from.

Records are read together first, because ids are global: an actor or an instrument is declared in one record and
used in others (the pistes of one document extend the entente that another declares).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from .errors import InputError
from .iris import BASE, COOP, ORG, PROV, TIME, graph_iri, iri, name_key, slugify, vocab
from .records import Action, Actor, Instrument, LegalAct, Mention, Record, Statement, load_record, node_at

DCTERMS = Namespace("http://purl.org/dc/terms/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")

STATEMENT_KINDS = {
    "principles": ("Principe", "principe"),
    "challenges": ("Defi", "defi"),
    "triggers": ("ElementDeclencheur", "elementDeclencheur"),
    "stakes": ("Enjeu", "enjeu"),
    "ambitions": ("Ambition", "ambition"),
    "object": ("Objet", "objet"),
    "objectives": ("Objectif", "objectif"),
    "expected_results": ("ResultatAttendu", "resultatAttendu"),
}

Resolver = Callable[[str], URIRef | None]
Triple = tuple[Node, Node, Node]


@dataclass
class Loaded:
    """A record read from disk, with its YAML node tree for error positions."""

    path: Path
    record: Record
    root: yaml.Node

    def error(self, message: str, loc: tuple[object, ...]) -> InputError:
        node = node_at(self.root, loc)
        field_name = ".".join(str(s) if not isinstance(s, int) else f"[{s}]" for s in loc).replace(".[", "[")
        return InputError(
            message,
            file=str(self.path),
            line=node.start_mark.line + 1 if node is not None else None,
            column=node.start_mark.column + 1 if node is not None else None,
            field=field_name,
        )


def read_records(folder: Path) -> list[Loaded]:
    """Every ``*.yaml`` record of a folder, in file-name order (drafts included: the build decides)."""
    if not folder.is_dir():
        raise InputError("records folder does not exist", file=str(folder))
    loaded = []
    for path in sorted(folder.glob("*.yaml")):
        record, root = load_record(path)
        loaded.append(Loaded(path, record, root))
    ids: dict[str, Loaded] = {}
    for item in loaded:
        doc_id = item.record.document.id
        if doc_id in ids:
            raise item.error(f"document id {doc_id!r} is already used by {ids[doc_id].path}", ("document", "id"))
        ids[doc_id] = item
    return loaded


def _model_classes(model: Graph) -> set[str]:
    return {str(c)[len(str(COOP)) :] for c in model.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
            if str(c).startswith(str(COOP))}


def _concepts(model: Graph, scheme: str) -> set[str]:
    prefix = f"{BASE}vocab/{scheme}/"
    return {str(c)[len(prefix) :] for c in model.subjects(RDF.type, SKOS.Concept) if str(c).startswith(prefix)}


def _agent_key(agent: URIRef) -> str:
    text = str(agent)
    prefix = BASE + "id/acteur/"
    return slugify(text[len(prefix) :] if text.startswith(prefix) else text.rsplit("/", 1)[-1])


def _date_literal(value: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=datatype)


@dataclass
class SourceGraphs:
    """The RDF of all records: one graph per document, plus what the build needs to know about them."""

    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    referenced: set[URIRef] = field(default_factory=set)  # reference-layer IRIs the records point at


class _RecordWriter:
    """Writes one record's facts into its set of triples (its graph; a set, because the build never needs an rdflib
    Graph of a record: it turns the triples into N-Quads lines at once, see ``build._NQuadSink``)."""

    def __init__(self, item: Loaded, builder: SourceBuilder) -> None:
        self.item = item
        self.rec = item.record
        self.b = builder
        self.doc_id = self.rec.document.id
        self.doc = iri("document", self.doc_id)
        self.g: set[Triple] = set()

    # -- small helpers -------------------------------------------------------------------------------------
    def add(self, s: Node, p: Node, o: Node | None) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def label(self, node: URIRef, text: str | None, prop: URIRef = RDFS.label) -> None:
        if text:
            self.g.add((node, prop, Literal(text.strip(), lang="fr")))

    def prov(self, node: URIRef, lines: tuple[int, int] | None) -> None:
        if lines is None:
            self.g.add((node, PROV.wasDerivedFrom, self.doc))
            return
        start, end = lines
        if self.rec.document.line_count and end > self.rec.document.line_count:
            raise InputError(
                f"line {end} is past the end of the document ({self.rec.document.line_count} lines)",
                file=str(self.item.path), field="lines",
            )
        excerpt = iri("extrait", self.doc_id, f"L{start}-{end}")
        self.g.add((node, PROV.wasDerivedFrom, excerpt))
        self.g.add((excerpt, RDF.type, COOP.Extrait))
        self.g.add((excerpt, COOP.extraitDe, self.doc))
        self.g.add((excerpt, COOP.ligneDebut, Literal(start, datatype=XSD.positiveInteger)))
        self.g.add((excerpt, COOP.ligneFin, Literal(end, datatype=XSD.positiveInteger)))

    def actor(self, ref: str, loc: tuple[object, ...]) -> URIRef:
        return self.b.resolve_actor(ref, self.item, loc)

    def cls(self, name: str, loc: tuple[object, ...]) -> URIRef:
        if name not in self.b.classes:
            close = difflib.get_close_matches(name, sorted(self.b.classes), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise self.item.error(f"unknown class coop:{name}{hint}", loc)
        return COOP[name]

    def concept(self, scheme: str, slug: str, loc: tuple[object, ...]) -> URIRef:
        if scheme not in self.b.concepts:  # read each scheme once (not per call: the model has thousands of triples)
            self.b.concepts[scheme] = _concepts(self.b.model, scheme)
        if slug not in self.b.concepts[scheme]:
            close = difflib.get_close_matches(slug, sorted(self.b.concepts[scheme]), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise self.item.error(f"{slug!r} is not a concept of the {scheme} vocabulary{hint}", loc)
        return vocab(scheme, slug)

    def themes(self, node: URIRef, themes: Iterable[str], loc: tuple[object, ...]) -> None:
        for i, theme in enumerate(themes):
            self.add(node, COOP.theme, self.concept("theme", theme, (*loc, "themes", i)))

    # -- the record ----------------------------------------------------------------------------------------
    def write(self) -> set[Triple]:
        self.document()
        for i, actor in enumerate(self.rec.actors):
            self.declared_actor(actor, ("actors", i))
        for i, person in enumerate(self.rec.people):
            node = iri("personne", person.id)
            self.add(node, RDF.type, PROV.Person)
            self.label(node, person.name)
            self.prov(node, person.lines)
            for j, post in enumerate(person.posts):
                org = self.actor(post.org, ("people", i, "posts", j, "org"))
                post_node = iri("poste", _agent_key(org), name_key(post.post, 60))
                self.add(post_node, RDF.type, ORG.Post)
                self.label(post_node, post.post)
                self.add(post_node, ORG.postIn, org)
                self.add(post_node, ORG.heldBy, node)
                self.add(node, ORG.holds, post_node)
        for i, inst in enumerate(self.rec.instruments):
            self.instrument(inst, ("instruments", i))
        return self.g

    def document(self) -> None:
        d = self.rec.document
        self.add(self.doc, RDF.type, COOP.DocumentSource)
        self.label(self.doc, d.title, DCTERMS.title)
        self.label(self.doc, d.title)
        self.add(self.doc, COOP.typeDocument, self.concept("type-document", d.kind, ("document", "kind")))
        for i, publisher in enumerate(d.publisher):
            self.add(self.doc, DCTERMS.publisher, self.actor(publisher, ("document", "publisher", i)))
        if d.date:
            self.add(self.doc, DCTERMS.issued, _date_literal(d.date))
        if d.place:
            self.add(self.doc, DCTERMS.spatial, self.b.resolve_territory(d.place, self.item, ("document", "place")))
        if d.source:
            self.add(self.doc, DCTERMS.source, Literal(d.source))
        if d.sha256:
            self.add(self.doc, COOP.empreinte, Literal(d.sha256))

    def declared_actor(self, actor: Actor, loc: tuple[object, ...]) -> None:
        node = self.b.actor_iri(actor, self.item, loc)
        if actor.kind:
            self.add(node, RDF.type, self.cls(actor.kind, (*loc, "kind")))
        # An actor of the reference layer keeps its official name; the document's wording is an alternative.
        self.label(node, actor.label, SKOS.altLabel if actor.ref else RDFS.label)
        if actor.acronym:
            self.add(node, COOP.sigle, Literal(actor.acronym))
        for alias in actor.aliases:
            self.label(node, alias, SKOS.altLabel)
        if actor.siren:
            self.add(node, COOP.siren, Literal(actor.siren))
        if actor.unit_of:
            self.add(node, ORG.unitOf, self.actor(actor.unit_of, (*loc, "unit_of")))
        for j, member in enumerate(actor.members):
            member_node = self.actor(member, (*loc, "members", j))
            membership = iri("adhesion", _agent_key(member_node), _agent_key(node), self.doc_id)
            self.add(membership, RDF.type, ORG.Membership)
            self.add(membership, ORG.member, member_node)
            self.add(membership, ORG.organization, node)
            self.prov(membership, actor.lines)
        if actor.territory:
            self.add(node, COOP.ressort, self.b.resolve_territory(actor.territory, self.item, (*loc, "territory")))
        if actor.country:
            self.add(node, COOP.pays, COUNTRY[actor.country])
        if actor.count is not None:
            self.add(node, COOP.nombre, Literal(actor.count, datatype=XSD.nonNegativeInteger))
        if actor.category:
            self.add(node, COOP.categorie, self.cls(actor.category, (*loc, "category")))
        if actor.note:
            self.label(node, actor.note, SKOS.scopeNote)
        self.prov(node, actor.lines)

    def participation(
        self, cadre: URIRef, cadre_key: str, agent: URIRef, role: str, loc: tuple[object, ...], *,
        uncertain: bool = False, as_written: str | None = None, post: str | None = None,
        lines: tuple[int, int] | None = None,
    ) -> URIRef:
        role_iri = self.concept("role", role, loc)
        key = [cadre_key, role, _agent_key(agent)]
        if post:
            key.append(name_key(post, 40))
        node = iri("participation", self.b.current_instrument, *key)
        self.add(node, RDF.type, COOP.Participation)
        self.add(node, COOP.agent, agent)
        self.add(node, COOP.role, role_iri)
        self.add(node, COOP.cadre, cadre)
        if uncertain:
            self.add(node, COOP.incertain, Literal(True))
        if as_written:
            self.add(node, COOP.libelleSource, Literal(as_written))
        if post:
            self.label(node, post, COOP.qualite)
        self.prov(node, lines)
        return node

    def statement(self, owner: URIRef, kind: str, n: int, st: Statement, key: str, loc: tuple[object, ...]) -> None:
        cls, prop = STATEMENT_KINDS[kind]
        node = iri("enonce", self.b.current_instrument, self.doc_id, f"{key}{prop.lower()}-{n}")
        self.add(node, RDF.type, COOP[cls])
        self.label(node, st.label)
        self.add(node, COOP.rang, Literal(n))
        self.themes(node, st.themes, loc)
        self.add(owner, COOP[prop], node)
        self.prov(node, st.lines)

    def instrument(self, inst: Instrument, loc: tuple[object, ...]) -> None:
        node = iri("instrument", inst.id)
        self.b.current_instrument = inst.id
        declared = self.b.instruments.get(inst.id)
        if inst.extends:
            if declared is None:
                close = difflib.get_close_matches(inst.id, sorted(self.b.instruments), n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise self.item.error(f"extends instrument {inst.id!r}, which no record declares{hint}", (*loc, "id"))
        else:
            self.add(node, RDF.type, self.cls(inst.kind or "", (*loc, "kind")))
            self.label(node, inst.title, DCTERMS.title)
            self.label(node, inst.label or inst.title)
            for j, party in enumerate(inst.parties):
                agent = self.actor(party, (*loc, "parties", j))
                self.add(node, COOP.partie, agent)
                self.participation(node, "instrument", agent, "partie", (*loc, "parties", j), lines=inst.lines)
        if inst.acronym:
            self.add(node, COOP.sigle, Literal(inst.acronym))
        self.themes(node, inst.themes, loc)
        if inst.lines or not inst.extends:
            self.prov(node, inst.lines)
        if inst.note:
            self.label(node, inst.note, SKOS.scopeNote)
        self.period(node, inst, loc)
        if inst.duration:
            self.add(node, COOP.duree, Literal(inst.duration, datatype=XSD.duration))
        if inst.termination_notice:
            self.add(node, COOP.preavisResiliation, Literal(inst.termination_notice, datatype=XSD.duration))
        if inst.perimeter:
            self.perimeter(node, inst, loc)
        for j in range(len(inst.signatures)):
            self.signature(node, inst, j, (*loc, "signatures", j))
        for j, act in enumerate(inst.legal_basis):
            self.add(node, COOP.baseJuridique, self.legal_act(act, (*loc, "legal_basis", j)))
        if inst.founding_act:
            self.add(node, COOP.acteFondateur, self.legal_act(inst.founding_act, (*loc, "founding_act")))
        for kind in STATEMENT_KINDS:
            for j, st in enumerate(getattr(inst.statements, kind)):
                self.statement(node, kind, j + 1, st, "", (*loc, "statements", kind, j))
        for j, foi in enumerate(inst.fields_of_intervention):
            st_node = iri("enonce", inst.id, self.doc_id, f"champintervention-{j + 1}")
            self.add(st_node, RDF.type, COOP.ChampIntervention)
            self.label(st_node, foi.label)
            self.add(st_node, COOP.rang, Literal(j + 1))
            self.add(st_node, COOP.concerne, self.actor(foi.actor, (*loc, "fields_of_intervention", j, "actor")))
            self.themes(st_node, foi.themes, (*loc, "fields_of_intervention", j))
            self.add(node, COOP.champIntervention, st_node)
            self.prov(st_node, foi.lines)
        for j, body in enumerate(inst.governance):
            self.body(node, inst, body, (*loc, "governance", j))
        for j, part in enumerate(inst.participations):
            self.participation(
                node, "instrument", self.actor(part.actor, (*loc, "participations", j, "actor")), part.role,
                (*loc, "participations", j, "role"), uncertain=part.uncertain, as_written=part.as_written,
                post=part.post, lines=part.lines,
            )
        structure = self.structure(node, inst, loc)
        for j, action in enumerate(inst.actions):
            self.action(node, inst, action, j + 1, structure, (*loc, "actions", j))

    def period(self, node: URIRef, inst: Instrument, loc: tuple[object, ...]) -> None:
        if inst.period is None:
            return
        interval = iri("periode", inst.id)
        self.add(node, COOP.periodeValidite, interval)
        self.add(interval, RDF.type, TIME.Interval)
        for name, prop in (("start", COOP.debut), ("end", COOP.fin)):
            value = getattr(inst.period, name)
            if value is None:
                continue
            if len(value) == 7:
                raise self.item.error("a period bound is a full date or a year, not a month", (*loc, "period", name))
            self.add(interval, prop, _date_literal(value))
        self.prov(interval, inst.period.lines)

    def perimeter(self, node: URIRef, inst: Instrument, loc: tuple[object, ...]) -> None:
        p = inst.perimeter
        assert p is not None
        terr = iri("territoire", "projet", p.id)
        self.add(terr, RDF.type, COOP.TerritoireProjet)
        self.label(terr, p.label)
        if p.communes_count:
            self.add(terr, COOP.nombreCommunes, Literal(p.communes_count))
        if p.population_approx:
            self.add(terr, COOP.populationEnviron, Literal(p.population_approx))
        for j, ref in enumerate(p.territories):
            self.add(self.b.resolve_territory(ref, self.item, (*loc, "perimeter", "territories", j)), COOP.partieDe, terr)
        self.add(node, COOP.perimetre, terr)
        self.prov(terr, p.lines)

    def signature(self, node: URIRef, inst: Instrument, j: int, loc: tuple[object, ...]) -> None:
        sig = inst.signatures[j]
        s = iri("signature", inst.id, str(j + 1))
        agent = self.actor(sig.on_behalf_of, (*loc, "for"))
        self.add(s, RDF.type, COOP.Signature)
        self.add(node, COOP.signature, s)
        self.add(s, COOP.pourLeCompteDe, agent)
        if sig.person:
            person = iri("personne", sig.person)
            if sig.person not in self.b.people:
                raise self.item.error(f"person {sig.person!r} is not declared under people:", (*loc, "person"))
            self.add(s, COOP.signataire, person)
        if sig.post:
            self.label(s, sig.post, COOP.qualite)
        if sig.date:
            self.add(s, COOP.dateSignature, Literal(sig.date.isoformat(), datatype=XSD.date))
        if sig.place:
            self.add(s, COOP.lieuSignature, self.b.resolve_territory(sig.place, self.item, (*loc, "place")))
        self.prov(s, sig.lines)
        self.participation(node, "instrument", agent, "signataire", loc, lines=sig.lines)

    def legal_act(self, act: LegalAct, loc: tuple[object, ...]) -> URIRef:
        node = iri("acte", name_key(act.title, 80))
        self.add(node, RDF.type, COOP.ActeJuridique)
        self.label(node, act.title, DCTERMS.title)
        self.label(node, act.title)
        self.add(node, COOP.typeActe, self.concept("type-acte", act.kind, (*loc, "kind")))
        if act.number:
            self.add(node, COOP.numeroActe, Literal(act.number))
        if act.date:
            self.add(node, COOP.dateActe, Literal(act.date.isoformat(), datatype=XSD.date))
        self.prov(node, act.lines)
        return node

    def body(self, node: URIRef, inst: Instrument, body, loc: tuple[object, ...]) -> None:
        b = iri("instance", inst.id, body.id)
        self.add(b, RDF.type, COOP.InstanceGouvernance)
        self.label(b, body.label)
        self.add(b, COOP.typeInstance, self.concept("type-instance", body.kind, (*loc, "kind")))
        if body.meetings_per_year_min is not None:
            self.add(b, COOP.reunionsParAnMin, Literal(body.meetings_per_year_min, datatype=XSD.nonNegativeInteger))
        if body.frequency:
            self.label(b, body.frequency, COOP.frequence)
        self.add(node, COOP.gouvernance, b)
        self.prov(b, body.lines)
        for k, member in enumerate(body.members):
            self.participation(
                b, f"instance-{body.id}", self.actor(member.actor, (*loc, "members", k, "actor")), member.role,
                (*loc, "members", k, "role"), uncertain=member.uncertain, as_written=member.as_written,
                post=member.post, lines=member.lines,
            )
        for k, mission in enumerate(body.missions):
            m = iri("enonce", inst.id, self.doc_id, f"{body.id}-mission-{k + 1}")
            self.add(m, RDF.type, COOP.Mission)
            self.label(m, mission.label)
            self.add(m, COOP.rang, Literal(k + 1))
            self.themes(m, mission.themes, (*loc, "missions", k))
            self.add(b, COOP.mission, m)
            self.prov(m, mission.lines)

    def structure(self, node: URIRef, inst: Instrument, loc: tuple[object, ...]) -> dict[str, URIRef]:
        """Axes, orientations and headings; returns them by number / id, for the actions' ``under``."""
        found = dict(self.b.structure.get(inst.id, {}))
        minted: dict[URIRef, str] = {}  # numbers are slugged ("1.1" and "1-1" give one key): two must not merge

        def unique(node: URIRef, number: str, where: tuple[object, ...]) -> URIRef:
            if node in minted:
                raise self.item.error(f"{number!r} and {minted[node]!r} of {inst.id!r} both get the IRI <{node}>; "
                                      "number them differently", where)
            minted[node] = number
            return node

        for j, axis in enumerate(inst.axes):
            key = name_key(axis.number) if axis.number else str(j + 1)
            a = unique(iri("axe", inst.id, key), axis.number or str(j + 1),
                       (*loc, "axes", j, "number") if axis.number else (*loc, "axes", j))
            self.add(a, RDF.type, COOP.Axe)
            self.label(a, axis.label)
            if axis.number:
                self.add(a, COOP.numero, Literal(axis.number))
                found[axis.number] = a
            self.add(a, COOP.rang, Literal(j + 1))
            self.themes(a, axis.themes, (*loc, "axes", j))
            self.add(node, COOP.axe, a)
            self.prov(a, axis.lines)
            for k, orientation in enumerate(axis.orientations):
                o = unique(iri("orientation", inst.id, name_key(orientation.number)), orientation.number,
                           (*loc, "axes", j, "orientations", k, "number"))
                self.add(o, RDF.type, COOP.Orientation)
                self.label(o, orientation.label)
                self.add(o, COOP.numero, Literal(orientation.number))
                self.add(o, COOP.rang, Literal(k + 1))
                self.themes(o, orientation.themes, (*loc, "axes", j, "orientations", k))
                self.add(a, COOP.orientation, o)
                self.prov(o, orientation.lines)
                found[orientation.number] = o
        for j, heading in enumerate(inst.headings):
            h = iri("rubrique", inst.id, heading.id)
            self.add(h, RDF.type, COOP.Rubrique)
            self.label(h, heading.label)
            self.add(h, COOP.rang, Literal(j + 1))
            self.themes(h, heading.themes, (*loc, "headings", j))
            self.add(node, COOP.rubrique, h)
            self.prov(h, heading.lines)
            found[heading.id] = h
        self.b.structure[inst.id] = found
        return found

    def mention(self, cadre: URIRef, key: str, m: Mention, role: str, loc: tuple[object, ...]) -> URIRef:
        agent = self.actor(m.actor, (*loc, "actor"))
        self.participation(cadre, key, agent, role, loc, uncertain=m.uncertain, as_written=m.as_written,
                           lines=m.lines)
        return agent

    def action(
        self, node: URIRef, inst: Instrument, action: Action, n: int, structure: dict[str, URIRef],
        loc: tuple[object, ...],
    ) -> None:
        key = action.id or name_key(action.label, 60)
        a = iri("action", inst.id, key)
        if a in self.b.actions:
            raise self.item.error(
                f"two actions of {inst.id!r} get the id {key!r} (also in {self.b.actions[a]}); give one an 'id:'",
                (*loc, "label"),
            )
        self.b.actions[a] = f"{self.item.path}"
        self.add(a, RDF.type, COOP.Action)
        self.label(a, action.label)
        self.add(a, COOP.instrument, node)
        self.add(a, COOP.rang, Literal(n))
        if action.number:
            self.add(a, COOP.numero, Literal(action.number))
        if action.under is not None:
            target = structure.get(action.under)
            if target is None:
                close = difflib.get_close_matches(action.under, sorted(structure), n=3)
                hint = f"; known: {', '.join(close) or ', '.join(sorted(structure)[:8])}"
                raise self.item.error(f"no axis, orientation or heading {action.under!r}{hint}", (*loc, "under"))
            self.add(a, COOP.rattacheA, target)
        self.themes(a, action.themes, loc)
        if action.status:
            self.add(a, COOP.statut, self.concept("statut-action", action.status, (*loc, "status")))
        if action.start_year:
            self.add(a, COOP.anneeDemarrage, Literal(str(action.start_year), datatype=XSD.gYear))
        if action.date:
            self.add(a, COOP.dateEvenement, _date_literal(action.date))
        if action.projet_de_territoire is not None:
            self.add(a, COOP.inscriteAuProjetDeTerritoire, Literal(action.projet_de_territoire))
        if action.summary:
            self.label(a, action.summary.label, DCTERMS.description)
        self.prov(a, action.lines)
        cadre_key = f"action-{key}"
        leads = [self.actor(ref, (*loc, "lead", i)) for i, ref in enumerate(action.lead)]
        role = "chef-de-file" if len(leads) == 1 else "chef-de-file-conjoint"
        for lead in leads:
            self.participation(a, cadre_key, lead, role, (*loc, "lead"), uncertain=action.lead_uncertain,
                               as_written=action.lead_as_written, lines=action.lines)
        if len(leads) == 1 and not action.lead_uncertain:
            self.add(a, COOP.chefDeFile, leads[0])
        for i, m in enumerate(action.co_carriers):
            agent = self.mention(a, cadre_key, m, "co-porteur", (*loc, "co_carriers", i))
            if not m.uncertain:
                self.add(a, COOP.coPorteur, agent)
        for i, m in enumerate(action.partners):
            self.mention(a, cadre_key, m, "partenaire", (*loc, "partners", i))
        for kind, items in (("objectives", action.objectives), ("expected_results", action.expected_results)):
            for i, st in enumerate(items):
                self.statement(a, kind, i + 1, st, f"{key}-", (*loc, kind, i))


class SourceBuilder:
    """Turns all records into named graphs, resolving actor references across records and the reference layer."""

    def __init__(self, model: Graph, resolve_official: Resolver, resolve_territory: Resolver) -> None:
        self.model = model
        self.classes = _model_classes(model)
        self.concepts: dict[str, set[str]] = {}
        self._official = resolve_official
        self._territory = resolve_territory
        self.local_actors: dict[str, tuple[Loaded, Actor]] = {}
        self.instruments: dict[str, Loaded] = {}
        self.people: set[str] = set()
        self.structure: dict[str, dict[str, URIRef]] = {}
        self.actions: dict[URIRef, str] = {}
        self.referenced: set[URIRef] = set()
        self.current_instrument = ""

    def _index(self, records: list[Loaded]) -> None:
        for item in records:
            for i, actor in enumerate(item.record.actors):
                if actor.id in self.local_actors:
                    other = self.local_actors[actor.id][0].path
                    raise item.error(f"actor id {actor.id!r} is already declared in {other}", ("actors", i, "id"))
                self.local_actors[actor.id] = (item, actor)
            for i, person in enumerate(item.record.people):
                if person.id in self.people:
                    raise item.error(f"person id {person.id!r} is declared twice", ("people", i, "id"))
                self.people.add(person.id)
            for i, inst in enumerate(item.record.instruments):
                if inst.extends:
                    continue
                if inst.id in self.instruments:
                    other = self.instruments[inst.id].path
                    raise item.error(f"instrument {inst.id!r} is already declared in {other}", ("instruments", i, "id"))
                self.instruments[inst.id] = item

    def actor_iri(self, actor: Actor, item: Loaded, loc: tuple[object, ...]) -> URIRef:
        if actor.ref:
            return self.resolve_actor(actor.ref, item, (*loc, "ref"))
        return iri("acteur", actor.id)

    def resolve_actor(self, ref: str, item: Loaded, loc: tuple[object, ...]) -> URIRef:
        if ":" in ref:
            node = self._official(ref)
            if node is None:
                raise item.error(f"{ref!r} is not in the reference layer (unknown code or SIREN)", loc)
            self.referenced.add(node)
            return node
        declared = self.local_actors.get(ref)
        if declared is None:
            close = difflib.get_close_matches(ref, sorted(self.local_actors), n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise item.error(f"unknown actor {ref!r}: declare it under actors: or use an official id{hint}", loc)
        return self.actor_iri(declared[1], declared[0], loc)

    def resolve_territory(self, ref: str, item: Loaded, loc: tuple[object, ...]) -> URIRef:
        node = self._territory(ref)
        if node is None:
            raise item.error(
                f"{ref!r} is not a territory of the reference layer (write commune:INSEE, departement:NN…)", loc
            )
        self.referenced.add(node)
        return node

    def build(self, records: list[Loaded], sink: Callable[[URIRef, set[Triple]], object] | None = None
              ) -> SourceGraphs:
        """The records' graphs. ``sink`` receives each record's triples as soon as they are written, and what it
        returns is kept in its place (the build turns them into N-Quads lines and keeps nothing); without a sink each
        becomes an rdflib Graph."""
        self._index(records)
        out = SourceGraphs()
        # Structure first (axes/orientations/headings of declared instruments), so extending records can use it.
        ordered = sorted(records, key=lambda it: not any(not i.extends for i in it.record.instruments))
        for item in ordered:
            triples = _RecordWriter(item, self).write()
            name = graph_iri("source", item.record.document.id)
            out.graphs[name] = sink(name, triples) if sink is not None else as_graph(triples)  # type: ignore[assignment]
        out.referenced = set(self.referenced)
        return out


def as_graph(triples: Iterable[Triple]) -> Graph:
    """Triples as an rdflib Graph (for pySHACL and the tests; the build itself does without)."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def build_sources(
    folder: Path, model: Graph, resolve_official: Resolver, resolve_territory: Resolver
) -> tuple[list[Loaded], SourceGraphs]:
    """Read every record of ``folder`` and return them with their graphs."""
    records = read_records(folder)
    return records, SourceBuilder(model, resolve_official, resolve_territory).build(records)

