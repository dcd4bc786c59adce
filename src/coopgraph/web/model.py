"""What the pages know of the model: labels, definitions, class tree, property domains, SKOS schemes.

Read once at start-up from the store's model graph (``graph/ontology``: the ontology and its vocabularies), or from
the shipped ontology files when the store has no model graph (a remote store filled by another tool).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS

COOP_SUFFIX = "ontology#"

PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"

# Terms of other vocabularies the data uses; their own labels, restated here so pages are readable offline.
EXTERNAL_LABELS: dict[str, tuple[str, str]] = {
    str(RDF.type): ("type", "type"),
    str(RDFS.label): ("libellé", "label"),
    str(RDFS.comment): ("commentaire", "comment"),
    str(RDFS.seeAlso): ("voir aussi", "see also"),
    str(RDFS.isDefinedBy): ("défini par", "defined by"),
    str(RDFS.subClassOf): ("sous-classe de", "subclass of"),
    str(RDFS.subPropertyOf): ("sous-propriété de", "subproperty of"),
    str(RDFS.domain): ("domaine", "domain"),
    str(RDFS.range): ("portée", "range"),
    str(SKOS.prefLabel): ("libellé préféré", "preferred label"),
    str(SKOS.altLabel): ("autre libellé", "alternative label"),
    str(SKOS.definition): ("définition", "definition"),
    str(SKOS.scopeNote): ("note d'application", "scope note"),
    str(SKOS.example): ("exemple", "example"),
    str(SKOS.notation): ("notation", "notation"),
    str(SKOS.broader): ("concept plus large", "broader concept"),
    str(SKOS.narrower): ("concept plus précis", "narrower concept"),
    str(SKOS.related): ("concept associé", "related concept"),
    str(SKOS.inScheme): ("dans le schéma", "in scheme"),
    str(SKOS.topConceptOf): ("concept de tête de", "top concept of"),
    str(SKOS.hasTopConcept): ("concept de tête", "top concept"),
    str(SKOS.exactMatch): ("correspondance exacte", "exact match"),
    str(SKOS.closeMatch): ("correspondance proche", "close match"),
    str(SKOS.Concept): ("concept", "concept"),
    str(SKOS.ConceptScheme): ("schéma de concepts", "concept scheme"),
    str(OWL.sameAs): ("identique à", "same as"),
    str(OWL.versionInfo): ("version", "version"),
    str(OWL.Class): ("classe OWL", "OWL class"),
    str(OWL.ObjectProperty): ("propriété d'objet", "object property"),
    str(OWL.DatatypeProperty): ("propriété de données", "datatype property"),
    str(OWL.AnnotationProperty): ("propriété d'annotation", "annotation property"),
    str(OWL.Ontology): ("ontologie", "ontology"),
    str(DCTERMS.title): ("titre", "title"),
    str(DCTERMS.description): ("description", "description"),
    str(DCTERMS.identifier): ("identifiant", "identifier"),
    str(DCTERMS.issued): ("date de publication", "issued"),
    str(DCTERMS.modified): ("date de modification", "modified"),
    str(DCTERMS.publisher): ("éditeur", "publisher"),
    str(DCTERMS.creator): ("auteur", "creator"),
    str(DCTERMS.source): ("source", "source"),
    str(DCTERMS.spatial): ("couverture spatiale", "spatial coverage"),
    str(DCTERMS.license): ("licence", "licence"),
    str(DCTERMS.rights): ("droits", "rights"),
    str(DCTERMS.isPartOf): ("fait partie de", "is part of"),
    PROV + "wasDerivedFrom": ("dérivé de", "derived from"),
    PROV + "Agent": ("agent", "agent"),
    PROV + "Person": ("personne", "person"),
    PROV + "Entity": ("entité", "entity"),
    ORG + "member": ("membre", "member"),
    ORG + "organization": ("organisation", "organization"),
    ORG + "memberDuring": ("adhésion pendant", "member during"),
    ORG + "memberOf": ("membre de", "member of"),
    ORG + "hasMember": ("a pour membre", "has member"),
    ORG + "Membership": ("adhésion", "membership"),
    ORG + "Organization": ("organisation", "organization"),
    ORG + "OrganizationalUnit": ("unité organisationnelle", "organizational unit"),
    ORG + "OrganizationalCollaboration": ("collaboration entre organisations", "organizational collaboration"),
    ORG + "Post": ("poste", "post"),
    ORG + "Role": ("rôle", "role"),
    ORG + "holds": ("occupe", "holds"),
    ORG + "heldBy": ("occupé par", "held by"),
    ORG + "postIn": ("poste dans", "post in"),
    ORG + "unitOf": ("unité de", "unit of"),
    ORG + "role": ("rôle", "role"),
    ORG + "identifier": ("identifiant", "identifier"),
    "http://www.w3.org/ns/dcat#version": ("version", "version"),
    "http://www.w3.org/ns/dcat#Dataset": ("jeu de données", "dataset"),
    "http://rdfs.org/ns/void#Dataset": ("jeu de données", "dataset"),
    "http://www.w3.org/2006/time#Interval": ("intervalle", "interval"),
    "http://www.opengis.net/ont/geosparql#Feature": ("entité géographique", "feature"),
    "http://data.europa.eu/m8g/PublicOrganisation": ("organisation publique", "public organisation"),
    "http://purl.org/vocab/vann/preferredNamespacePrefix": ("préfixe préféré", "preferred namespace prefix"),
    "http://purl.org/vocab/vann/preferredNamespaceUri": ("espace de noms préféré", "preferred namespace URI"),
}

# Group of the properties that are about what a thing is called or how it is identified.
IDENTITY = {
    str(RDF.type), str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel), str(SKOS.notation), str(DCTERMS.title),
    str(DCTERMS.identifier),
}
DESCRIPTION = {str(SKOS.definition), str(SKOS.scopeNote), str(SKOS.example), str(RDFS.comment),
               str(DCTERMS.description)}
PROVENANCE = {PROV + "wasDerivedFrom", str(DCTERMS.source)}


@dataclass
class Term:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)


class Model:
    """Labels and structure of the ontology and its SKOS vocabularies, for display."""

    def __init__(self, graph: Graph, base: str) -> None:
        self.base = base
        self.ns = base + COOP_SUFFIX
        self.ontology_iri = base + "ontology"
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.definitions: dict[str, dict[str, str]] = defaultdict(dict)
        self.superclasses: dict[str, set[str]] = defaultdict(set)
        self.subclasses: dict[str, set[str]] = defaultdict(set)
        self.domains: dict[str, list[str]] = {}
        self.ranges: dict[str, list[str]] = {}
        self.superproperties: dict[str, set[str]] = defaultdict(set)
        self.inverse: dict[str, str] = {}
        self.classes: set[str] = set()
        self.properties: dict[str, str] = {}  # property -> its OWL kind
        self.schemes: dict[str, list[str]] = defaultdict(list)  # scheme -> concepts
        self.broader: dict[str, set[str]] = defaultdict(set)
        self.top_concepts: dict[str, list[str]] = defaultdict(list)
        self.notation: dict[str, str] = {}
        self.ontology_meta: dict[str, dict[str, str]] = defaultdict(dict)
        self._ancestors: dict[str, frozenset[str]] = {}
        self._read(graph)

    # -- reading ----------------------------------------------------------------------------------------------
    def _read(self, g: Graph) -> None:
        for iri, (fr, en) in EXTERNAL_LABELS.items():
            self.labels[iri].update({"fr": fr, "en": en})
        for s, p, o in g:
            if not isinstance(s, URIRef):
                continue
            s_ = str(s)
            if p in (RDFS.label, SKOS.prefLabel) and isinstance(o, Literal):
                self.labels[s_][o.language or ""] = str(o)
            elif p in (SKOS.definition, RDFS.comment) and isinstance(o, Literal):
                self.definitions[s_].setdefault(o.language or "", str(o))
            elif p == RDFS.subClassOf and isinstance(o, URIRef):
                self.superclasses[s_].add(str(o))
                self.subclasses[str(o)].add(s_)
            elif p == RDFS.subPropertyOf and isinstance(o, URIRef):
                self.superproperties[s_].add(str(o))
            elif p == OWL.inverseOf and isinstance(o, URIRef):
                self.inverse[s_] = str(o)
                self.inverse.setdefault(str(o), s_)
            elif p in (RDFS.domain, RDFS.range):
                target = self.domains if p == RDFS.domain else self.ranges
                target[s_] = self._class_list(g, o)
            elif p == RDF.type:
                if o in (OWL.Class, RDFS.Class, RDFS.Datatype):
                    self.classes.add(s_)
                elif o in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property):
                    self.properties[s_] = str(o)
            elif p == SKOS.inScheme and isinstance(o, URIRef):
                self.schemes[str(o)].append(s_)
            elif p == SKOS.broader and isinstance(o, URIRef):
                self.broader[s_].add(str(o))
            elif p == SKOS.topConceptOf and isinstance(o, URIRef):
                self.top_concepts[str(o)].append(s_)
            elif p == SKOS.notation:
                self.notation[s_] = str(o)
            if s_ == self.ontology_iri and isinstance(o, Literal):
                self.ontology_meta[str(p)][o.language or ""] = str(o)
        for scheme in list(self.schemes):
            self.schemes[scheme].sort(key=lambda c: self.label(c, "fr").lower())

    @staticmethod
    def _class_list(g: Graph, node: object) -> list[str]:
        if isinstance(node, URIRef):
            return [str(node)]
        members = g.value(node, OWL.unionOf)  # type: ignore[arg-type]
        if members is None:
            return []
        return [str(m) for m in Collection(g, members) if isinstance(m, URIRef)]

    # -- looking up -------------------------------------------------------------------------------------------
    def label(self, iri: str, lang: str) -> str:
        """The term's label in ``lang``, else French, else any, else a CURIE-like short form."""
        labels = self.labels.get(iri)
        if labels:
            for key in (lang, "fr", "en", ""):
                if key in labels:
                    return labels[key]
            return next(iter(labels.values()))
        return self.short(iri)

    def has_label(self, iri: str) -> bool:
        return iri in self.labels

    def definition(self, iri: str, lang: str) -> str | None:
        defs = self.definitions.get(iri)
        if not defs:
            return None
        for key in (lang, "fr", "en", ""):
            if key in defs:
                return defs[key]
        return None

    def short(self, iri: str) -> str:
        from ..iris import PREFIXES

        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if prefix == "coop":
                ns = self.ns
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        tail = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return tail or iri

    def ancestors(self, cls: str) -> frozenset[str]:
        """The class and all its superclasses (rdfs:subClassOf closure)."""
        cached = self._ancestors.get(cls)
        if cached is not None:
            return cached
        seen = {cls}
        todo = [cls]
        while todo:
            for sup in self.superclasses.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        result = frozenset(seen)
        self._ancestors[cls] = result
        return result

    def kind(self, types: list[str] | set[str]) -> str:
        """What sort of page a resource gets: instrument, action, body, territory, actor, person, concept,
        scheme, document, excerpt, or resource."""
        every: set[str] = set()
        for t in types:
            every |= self.ancestors(t)
        coop = self.ns
        order = [
            ("instrument", coop + "Instrument"), ("action", coop + "Action"),
            ("body", coop + "InstanceGouvernance"), ("territory", coop + "Territoire"),
            ("actor", coop + "Acteur"), ("actor", coop + "Service"), ("actor", ORG + "Organization"),
            ("actor", coop + "ActeursNonIdentifies"), ("person", PROV + "Person"),
            ("concept", str(SKOS.Concept)), ("scheme", str(SKOS.ConceptScheme)),
            ("document", coop + "DocumentSource"), ("excerpt", coop + "Extrait"),
        ]
        for name, cls in order:
            if cls in every:
                return name
        return "resource"

    def group_of(self, prop: str) -> tuple[str, str | None]:
        """The group a property is shown in: ("identity"|"description"|"provenance"|"other", None) or
        ("domain", the IRI of the class the ontology gives as its domain)."""
        if prop in IDENTITY or prop == self.ns + "sigle" or prop == self.ns + "siren" or prop == self.ns + "codeInsee":
            return "identity", None
        if prop in DESCRIPTION:
            return "description", None
        if prop in PROVENANCE:
            return "provenance", None
        domain = self.domains.get(prop)
        seen = set()
        todo = [prop]
        while not domain and todo:  # a subproperty inherits its parent's domain
            p = todo.pop()
            seen.add(p)
            domain = self.domains.get(p)
            todo.extend(s for s in self.superproperties.get(p, ()) if s not in seen)
        if domain:
            return "domain", " | ".join(domain)
        return "other", None

    def is_coop(self, iri: str) -> bool:
        return iri.startswith(self.ns)

    def coop_classes(self) -> list[str]:
        return sorted((c for c in self.classes if self.is_coop(c)), key=lambda c: c.lower())

    def coop_properties(self) -> list[str]:
        return sorted((p for p in self.properties if self.is_coop(p)), key=lambda p: p.lower())
