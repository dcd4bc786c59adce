"""Namespaces and IRI minting. One base IRI, configurable; keys are official identifiers or stable slugs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/coopgraph/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")

class COOP(DefinedNamespace):
    """The coop: terms, closed: a misspelt term is an AttributeError, not a silently new IRI.

    Kept equal to the terms declared in ontology/coop.ttl by tests/model/test_namespace.py.
    """

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes and datatypes
    ADEME: URIRef
    ADIL: URIRef
    ActeJuridique: URIRef
    Acteur: URIRef
    ActeursNonIdentifies: URIRef
    Action: URIRef
    AgenceEtat: URIRef
    AgenceRegionaleDeSante: URIRef
    Ambition: URIRef
    Association: URIRef
    AutoriteEtrangere: URIRef
    AutoritePublique: URIRef
    Axe: URIRef
    CAF: URIRef
    CCAS: URIRef
    CadreParticipation: URIRef
    CaisseNationale: URIRef
    ChampIntervention: URIRef
    CollectiviteStatutParticulier: URIRef
    CollectiviteTerritoriale: URIRef
    CommunauteAgglomeration: URIRef
    CommunauteDeCommunes: URIRef
    CommunauteUrbaine: URIRef
    Commune: URIRef
    ContratReciprocite: URIRef
    Convention: URIRef
    ConventionArticulation: URIRef
    ConventionMutualisation: URIRef
    ConventionPartenariat: URIRef
    ConventionTerritoiresPartenaires: URIRef
    ConventionTerritorialeGlobale: URIRef
    CooperationDecentralisee: URIRef
    CooperationTransfrontaliere: URIRef
    DateOuAnnee: URIRef
    DateOuMoisOuAnnee: URIRef
    Defi: URIRef
    Departement: URIRef
    DocumentSource: URIRef
    EPCI: URIRef
    ElementDeclencheur: URIRef
    ElementStructure: URIRef
    Enjeu: URIRef
    Enonce: URIRef
    Entente: URIRef
    EntenteInterdepartementale: URIRef
    EntenteInterterritoriale: URIRef
    EtablissementPublic: URIRef
    EtablissementPublicTerritorial: URIRef
    Extrait: URIRef
    Groupement: URIRef
    InstanceGouvernance: URIRef
    Instrument: URIRef
    InstrumentCooperation: URIRef
    MSA: URIRef
    MaisonDepartementaleAutonomie: URIRef
    Metropole: URIRef
    MetropoleDeLyon: URIRef
    Mission: URIRef
    ONG: URIRef
    Objectif: URIRef
    Objet: URIRef
    OfficePublicHabitat: URIRef
    OrganismeSecuriteSociale: URIRef
    Orientation: URIRef
    PETR: URIRef
    ParcNaturelRegional: URIRef
    Participation: URIRef
    Pays: URIRef
    PlanDeCooperation: URIRef
    PoleMetropolitain: URIRef
    Principe: URIRef
    ProgrammeActions: URIRef
    Region: URIRef
    ResultatAttendu: URIRef
    Rubrique: URIRef
    SDIS: URIRef
    SIVOM: URIRef
    SIVU: URIRef
    Service: URIRef
    ServiceEducationNationale: URIRef
    ServiceEtat: URIRef
    Signature: URIRef
    StructurePorteuseSCoT: URIRef
    Syndicat: URIRef
    SyndicatIntercommunal: URIRef
    SyndicatMixte: URIRef
    Territoire: URIRef
    TerritoireArrondissement: URIRef
    TerritoireArrondissementMunicipal: URIRef
    TerritoireCommune: URIRef
    TerritoireCommuneAssociee: URIRef
    TerritoireCommuneDeleguee: URIRef
    TerritoireDepartement: URIRef
    TerritoireEPCI: URIRef
    TerritoireEPT: URIRef
    TerritoireCollectiviteOutreMer: URIRef
    TerritoireEtranger: URIRef
    TerritoireProjet: URIRef
    TerritoireRegion: URIRef

    # properties
    acteFondateur: URIRef
    agent: URIRef
    ambition: URIRef
    anneeDemarrage: URIRef
    axe: URIRef
    baseJuridique: URIRef
    cadre: URIRef
    categorie: URIRef
    champIntervention: URIRef
    chefDeFile: URIRef
    chefLieu: URIRef
    classe: URIRef
    coPorteur: URIRef
    codeInsee: URIRef
    concerne: URIRef
    dateActe: URIRef
    dateEvenement: URIRef
    dateSignature: URIRef
    debut: URIRef
    defi: URIRef
    duree: URIRef
    elementDeclencheur: URIRef
    empreinte: URIRef
    enjeu: URIRef
    enonce: URIRef
    estGouvernePar: URIRef
    extraitDe: URIRef
    fin: URIRef
    frequence: URIRef
    gouvernance: URIRef
    gouverne: URIRef
    incertain: URIRef
    inscriteAuProjetDeTerritoire: URIRef
    instrument: URIRef
    libelleSource: URIRef
    lieuSignature: URIRef
    ligneDebut: URIRef
    ligneFin: URIRef
    millesime: URIRef
    mission: URIRef
    nombre: URIRef
    nombreCommunes: URIRef
    numero: URIRef
    numeroActe: URIRef
    objectif: URIRef
    objet: URIRef
    orientation: URIRef
    partie: URIRef
    partieDe: URIRef
    pays: URIRef
    perimetre: URIRef
    periodeValidite: URIRef
    population: URIRef
    populationEnviron: URIRef
    pourLeCompteDe: URIRef
    preavisResiliation: URIRef
    principe: URIRef
    qualite: URIRef
    rang: URIRef
    rattacheA: URIRef
    ressort: URIRef
    resultatAttendu: URIRef
    reunionsParAnMin: URIRef
    role: URIRef
    rubrique: URIRef
    sigle: URIRef
    signataire: URIRef
    signature: URIRef
    siren: URIRef
    statut: URIRef
    theme: URIRef
    typeActe: URIRef
    typeDocument: URIRef
    typeInstance: URIRef


ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")

PREFIXES: dict[str, str] = {
    "coop": BASE + "ontology#",
    "org": str(ORG),
    "cv": str(CV),
    "adms": str(ADMS),
    "time": str(TIME),
    "geo": str(GEO),
    "eli": str(ELI),
    "void": str(VOID),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated slug; the same text always gives the same slug."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if not slug:
        raise ValueError(f"cannot make a slug out of {text!r}")
    return slug


def slug_or_empty(text: str) -> str:
    """The slug of ``text``, or "" when it has nothing to slug (the extractor then falls back to a generic key)."""
    try:
        return slugify(text)
    except ValueError:
        return ""


def name_key(text: str, max_length: int | None = None) -> str:
    """The IRI key minted from a name as written (a label, a title, a number): its slug, cut at ``max_length``.

    Never fails: a name with nothing to slug ("?", "—", a name in another script) gets ``n_`` and a digest of its
    NFC form instead, so every name mints a valid IRI, the same name always the same one, and two such names two
    different ones (``_`` never occurs in a slug, so these keys cannot meet a slug's).
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if max_length is not None:
        slug = slug[:max_length].rstrip("-")
    if slug:
        return slug
    digest = hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8", "surrogatepass")).hexdigest()
    return "n_" + digest[:16]


def _checked(part: str) -> str:
    if not _KEY.match(part):
        raise ValueError(f"not a safe IRI key: {part!r} (use slugify)")
    return part


def iri(*parts: str, base: str = BASE) -> URIRef:
    """Instance IRI ``{base}id/{part}/{part}…``; every part must already be a safe key."""
    if not parts:
        raise ValueError("iri() needs at least a kind")
    return URIRef(base + "id/" + "/".join(_checked(p) for p in parts))


def vocab(scheme: str, concept: str, base: str = BASE) -> URIRef:
    """Concept IRI of one of the SKOS schemes of ontology/vocab/."""
    return URIRef(f"{base}vocab/{_checked(scheme)}/{_checked(concept)}")


def graph_iri(*parts: str, base: str = BASE) -> URIRef:
    """Named-graph IRI ``{base}graph/…``."""
    return URIRef(base + "graph/" + "/".join(_checked(p) for p in parts))
