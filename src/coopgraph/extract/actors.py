"""What kind of organisation a name designates, and linking names to the reference layer.

The kind comes from the head words of the name ("communauté de communes", "syndicat mixte", "Caf", "PNR"…) and from
the acronyms French documents use (CAF, CCAS, SDIS, ADIL, OPAC, ARS, MDA, PMI, RAM, MSA, PNR, SCoT, PETR, SIVOM,
SIVU…). Linking goes through a small resolver interface, so that the extractor works with the reference layer's
lookup (``coopgraph.reference.lookup``) or without any layer (then nothing is resolved, and the draft says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .cleaning import fold

BASE_ACTOR = "https://w3id.org/coopgraph/id/acteur/"

# ------------------------------------------------------------------------------------------------- kinds

# (folded head pattern, summary kind, coop class). Order matters: the first that matches the start of a name wins.
HEADS: list[tuple[str, str, str]] = [
    (r"caisses? (?:d'|des )?allocations? familiales?|caf\b", "caf", "CAF"),
    (r"caisse nationale", "autre", "CaisseNationale"),
    (r"mutualite sociale agricole|msa\b", "msa", "MSA"),
    (r"conseil (?:departemental|general)|departement\b", "departement", "Departement"),
    (r"conseil regional|region\b", "region", "Region"),
    (r"communaute de communes|cc\b|comcom\b", "cc", "CommunauteDeCommunes"),
    (r"communaute d'agglomeration|ca\b|agglo(?:meration)?\b", "ca", "CommunauteAgglomeration"),
    (r"communaute urbaine|cu\b", "cu", "CommunauteUrbaine"),
    (r"metropole\b|eurometropole\b", "metropole", "Metropole"),
    (r"etablissement public territorial|ept\b", "ept", "EtablissementPublicTerritorial"),
    (r"pole metropolitain", "pole-metropolitain", "PoleMetropolitain"),
    (r"pole d'equilibre territorial et rural|petr\b", "pays-petr", "PETR"),
    (r"pays\b", "pays-petr", "Pays"),
    (r"parc naturel regional|pnr\b|syndicat mixte (?:d'amenagement et de gestion )?du parc", "pnr", "ParcNaturelRegional"),
    (r"sivom\b|syndicat intercommunal a vocation multiple", "syndicat", "SIVOM"),
    (r"sivu\b|syndicat intercommunal a vocation unique", "syndicat", "SIVU"),
    (r"syndicat mixte|sm\b", "syndicat", "SyndicatMixte"),
    (r"syndicat intercommunal|syndicat\b", "syndicat", "SyndicatIntercommunal"),
    (r"(?:commune|ville|mairie|municipalite) (?:de|d'|du|des)", "commune", "Commune"),
    (r"centre communal d'action sociale|ccas\b", "etablissement-public", "CCAS"),
    (r"centre intercommunal d'action sociale|cias\b", "etablissement-public", "EtablissementPublic"),
    (r"service departemental d'incendie et de secours|sdis\b", "etablissement-public", "SDIS"),
    (r"office public|opac\b|oph\b", "etablissement-public", "OfficePublicHabitat"),
    (r"maison departementale (?:de l'autonomie|des personnes handicapees)|mda\b|mdph\b", "etablissement-public",
     "MaisonDepartementaleAutonomie"),
    (r"agence departementale d'information sur le logement|adil\b", "association", "ADIL"),
    (r"agence regionale de sante|ars\b", "etat", "AgenceRegionaleDeSante"),
    (r"agence de l'environnement et de la maitrise de l'energie|ademe\b", "etat", "ADEME"),
    (r"education nationale|rectorat|direction (?:des services departementaux|academique)|dsden\b", "etat",
     "ServiceEducationNationale"),
    (r"prefecture|prefet|etat\b|l'etat\b|direction departementale|direction regionale|ddt\b|ddtm\b|ddets?\b|ddcs\b"
     r"|draaf\b|dreal\b|dreets\b|sous-prefecture|gendarmerie|police nationale", "etat", "ServiceEtat"),
    (r"association|federation|union departementale|udaf\b|comite departemental", "association", "Association"),
    (r"mission locale", "association", "Association"),
    (r"etablissement public|agence|office|centre hospitalier|chu\b|groupement d'interet public|gip\b|epl\b"
     r"|pole emploi|france travail|cpam\b|carsat\b|chambre d'|universite", "etablissement-public", "EtablissementPublic"),
    (r"structure porteuse du scot|syndicat du scot|scot\b", "autre", "StructurePorteuseSCoT"),
]
_HEADS = [(re.compile(r"^(?:l'|le |la |les )?" + pat), kind, cls) for pat, kind, cls in HEADS]

CLASS_KIND = {
    "Commune": "commune", "Departement": "departement", "Region": "region", "CommunauteDeCommunes": "cc",
    "CommunauteAgglomeration": "ca", "CommunauteUrbaine": "cu", "Metropole": "metropole", "MetropoleDeLyon": "metropole",
    "EtablissementPublicTerritorial": "ept", "CAF": "caf", "MSA": "msa", "CollectiviteStatutParticulier": "autre",
}

# acronyms a plan writes alone; departmental ones exist once per département
ACRONYMS: dict[str, tuple[str, str, str, bool]] = {
    # acronym: (label, summary kind, class, departmental)
    "CAF": ("Caisse d'allocations familiales", "caf", "CAF", True),
    "MSA": ("Mutualité sociale agricole", "msa", "MSA", False),
    "CCAS": ("Centre communal d'action sociale", "etablissement-public", "CCAS", False),
    "CIAS": ("Centre intercommunal d'action sociale", "etablissement-public", "EtablissementPublic", False),
    "SDIS": ("Service départemental d'incendie et de secours", "etablissement-public", "SDIS", True),
    "ADIL": ("Agence départementale d'information sur le logement", "association", "ADIL", True),
    "OPAC": ("Office public d'aménagement et de construction", "etablissement-public", "OfficePublicHabitat", True),
    "OPH": ("Office public de l'habitat", "etablissement-public", "OfficePublicHabitat", False),
    "ARS": ("Agence régionale de santé", "etat", "AgenceRegionaleDeSante", False),
    "MDA": ("Maison départementale de l'autonomie", "etablissement-public", "MaisonDepartementaleAutonomie", True),
    "MDPH": ("Maison départementale des personnes handicapées", "etablissement-public",
             "MaisonDepartementaleAutonomie", True),
    "PMI": ("Protection maternelle et infantile", "departement", "Service", True),
    "ASE": ("Aide sociale à l'enfance", "departement", "Service", True),
    "RAM": ("Relais assistants maternels", "autre", "ActeursNonIdentifies", False),
    "RPE": ("Relais petite enfance", "autre", "ActeursNonIdentifies", False),
    "PNR": ("Parc naturel régional", "pnr", "ParcNaturelRegional", False),
    "SCOT": ("Structure porteuse du SCoT", "autre", "StructurePorteuseSCoT", False),
    "PETR": ("Pôle d'équilibre territorial et rural", "pays-petr", "PETR", False),
    "SIVOM": ("Syndicat intercommunal à vocation multiple", "syndicat", "SIVOM", False),
    "SIVU": ("Syndicat intercommunal à vocation unique", "syndicat", "SIVU", False),
    "ADEME": ("Agence de l'environnement et de la maîtrise de l'énergie", "etat", "ADEME", False),
    "DRAAF": ("Direction régionale de l'alimentation, de l'agriculture et de la forêt", "etat", "ServiceEtat", False),
    "DREAL": ("Direction régionale de l'environnement, de l'aménagement et du logement", "etat", "ServiceEtat", False),
    "DDT": ("Direction départementale des territoires", "etat", "ServiceEtat", True),
    "DDTM": ("Direction départementale des territoires et de la mer", "etat", "ServiceEtat", True),
    "DDETS": ("Direction départementale de l'emploi, du travail et des solidarités", "etat", "ServiceEtat", True),
    "CPAM": ("Caisse primaire d'assurance maladie", "etablissement-public", "OrganismeSecuriteSociale", True),
    "CARSAT": ("Caisse d'assurance retraite et de la santé au travail", "etablissement-public",
               "OrganismeSecuriteSociale", False),
    "UDAF": ("Union départementale des associations familiales", "association", "Association", True),
    "CNAF": ("Caisse nationale des allocations familiales", "autre", "CaisseNationale", False),
    "ANCT": ("Agence nationale de la cohésion des territoires", "etat", "AgenceEtat", False),
}

# abbreviations of a service after "ORG /" in a plan ("CCLLA / P.E")
SERVICE_WORDS = {
    "PE": "petite enfance", "P.E": "petite enfance", "AS": "action sociale", "DE": "développement économique",
    "GDV": "gens du voyage", "EJ": "enfance jeunesse", "HABITAT": "habitat", "ENVIRONNEMENT": "environnement",
    "JEUNESSE": "jeunesse", "CULTURE": "culture", "SPORT": "sport", "SPORTS": "sport", "TOURISME": "tourisme",
    "ENFANCE": "enfance", "URBANISME": "urbanisme", "MOBILITE": "mobilité", "SOCIAL": "social",
    "ECONOMIE": "économie", "COMMUNICATION": "communication", "AGRICULTURE": "agriculture",
}

# generic actors a plan names by category ("Communes", "Associations ?")
GENERIC = [
    (r"communes?\b", "Commune", "Communes du territoire"),
    (r"associations?\b|acteurs associatifs", "Association", "Associations du territoire"),
    (r"(?:les )?ccas\b", "CCAS", "CCAS du territoire"),
    (r"(?:etablissements? scolaires?|colleges|ecoles)\b", None, "Établissements scolaires"),
    (r"(?:employeurs?|entreprises)\b", None, "Employeurs du territoire"),
    (r"(?:animateurs?|porteurs?|organisateurs?|coordo(?:nnateur|s)?|coordinateurs?|partenaires?|structures?"
     r"|benevoles|habitants|elus|acteurs|professionnels|services?)\b", None, None),
]

COUNTRIES: dict[str, str] = {
    # folded country name → ISO 3166-1 alpha-3
    "allemagne": "DEU", "belgique": "BEL", "espagne": "ESP", "italie": "ITA", "suisse": "CHE", "luxembourg": "LUX",
    "andorre": "AND", "monaco": "MCO", "royaume-uni": "GBR", "portugal": "PRT", "pays-bas": "NLD", "pologne": "POL",
    "roumanie": "ROU", "irlande": "IRL", "grece": "GRC", "autriche": "AUT", "tchequie": "CZE", "hongrie": "HUN",
    "senegal": "SEN", "mali": "MLI", "burkina faso": "BFA", "burkina": "BFA", "niger": "NER", "benin": "BEN",
    "togo": "TGO", "cote d'ivoire": "CIV", "cameroun": "CMR", "madagascar": "MDG", "maroc": "MAR",
    "tunisie": "TUN", "algerie": "DZA", "mauritanie": "MRT", "guinee": "GIN", "tchad": "TCD", "gabon": "GAB",
    "congo": "COG", "haiti": "HTI", "vietnam": "VNM", "viet nam": "VNM", "cambodge": "KHM", "laos": "LAO",
    "liban": "LBN", "palestine": "PSE", "armenie": "ARM", "quebec": "CAN", "canada": "CAN", "bresil": "BRA",
    "chili": "CHL", "argentine": "ARG", "nicaragua": "NIC", "perou": "PER", "inde": "IND", "chine": "CHN",
    "japon": "JPN", "etats-unis": "USA", "ukraine": "UKR", "moldavie": "MDA", "georgie": "GEO", "comores": "COM",
    "rwanda": "RWA", "ethiopie": "ETH", "kenya": "KEN", "mozambique": "MOZ",
}
# foreign local-authority words, with the country they imply when the text names none
FOREIGN_HEADS: list[tuple[str, str | None]] = [
    (r"gobierno de|diputacion|ayuntamiento|generalitat|comunidad (?:autonoma|foral)|junta de|consell|cabildo"
     r"|mancomunidad|comarca", "ESP"),
    (r"landkreis|kreis\b|gemeinde|stadt\b|land\b|bezirk|regierungsbezirk|verbandsgemeinde|freistaat", "DEU"),
    (r"comune di|provincia (?:di|autonoma)|regione\b|citta metropolitana", "ITA"),
    (r"canton (?:de|du|d')|republique et canton", "CHE"),
    (r"province (?:de|du|d')|provincie|gemeente|wallonie|region wallonne|region flamande|vlaanderen", "BEL"),
    (r"camara municipal|municipio de", "PRT"),
    (r"municipalite|commune (?:rurale|urbaine) de|conseil (?:de cercle|regional de la region)|cercle de|prefecture de"
     r"|wilaya|gouvernorat|district (?:de|du|d')|county|council\b|borough", None),
]
_FOREIGN = [(re.compile(r"^(?:l'|le |la |les )?(?:" + pat + r")"), country) for pat, country in FOREIGN_HEADS]


def country_in(text: str) -> str | None:
    """The country a text names: "(Sénégal)", "au Burkina Faso", "République du Bénin"."""
    f = fold(text)
    for name in sorted(COUNTRIES, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", f):
            return COUNTRIES[name]
    return None


def strip_article(name: str) -> str:
    return re.sub(r"^(?:l'|l’|le |la |les |un |une )", "", name.strip(), flags=re.I).strip()


def kind_of(name: str) -> tuple[str, str]:
    """Summary kind and coop class from the head words of a name."""
    f = fold(strip_article(name))
    for rx, country in _FOREIGN:
        if rx.match(f) and (country or country_in(name)):
            return "autorite-etrangere", "AutoriteEtrangere"
    for rx, kind, cls in _HEADS:
        if rx.match(f):
            return kind, cls
    if country_in(name) and not re.search(r"\b(?:france|francais)", f):
        return "autorite-etrangere", "AutoriteEtrangere"
    return "autre", "Acteur"


def foreign_country(name: str) -> str | None:
    f = fold(strip_article(name))
    found = country_in(name)
    if found:
        return found
    for rx, country in _FOREIGN:
        if rx.match(f):
            return country
    return None


# ------------------------------------------------------------------------------------------------- resolving


@dataclass
class Resolved:
    iri: str
    ref: str | None  # the record's official reference (caf:49, siren:…); None when the format has none for it
    label: str
    kind: str  # summary kind
    cls: str
    score: float
    departements: tuple[str, ...] = ()
    others: list[str] = field(default_factory=list)
    code: str | None = None  # INSEE code of the territory it governs (communes: for the signature place)


class Resolver(Protocol):
    """What the extractor needs from a reference layer."""

    name: str

    def resolve(self, text: str, *, departement: str | None = None) -> Resolved | None: ...

    def candidates(self, text: str, *, departement: str | None = None) -> list[str]: ...

    def departement_code(self, text: str) -> str | None: ...

    def departement_names(self) -> dict[str, str]: ...

    def by_ref(self, ref: str) -> Resolved | None: ...


class NoResolver:
    """Used when no reference layer is available: nothing resolves, kinds come from the names only."""

    name = "none"

    def resolve(self, text: str, *, departement: str | None = None) -> Resolved | None:
        return None

    def candidates(self, text: str, *, departement: str | None = None) -> list[str]:
        return []

    def departement_code(self, text: str) -> str | None:
        return None

    def departement_names(self) -> dict[str, str]:
        return {}

    def by_ref(self, ref: str) -> Resolved | None:
        return None


def ref_of_iri(iri: str) -> str | None:
    """The records format's reference for an IRI of the layer: …/acteur/caf/49 → caf:49."""
    if not iri.startswith(BASE_ACTOR):
        return None
    kind, _, code = iri[len(BASE_ACTOR):].partition("/")
    if kind in ("siren", "departement", "caf", "region", "commune") and "/" not in code:
        return f"{kind}:{code}"
    return None


class ReferenceResolver:
    """The reference layer's lookup (``coopgraph.reference.lookup.ReferenceIndex``) behind the resolver interface."""

    def __init__(self, index) -> None:
        self.index = index
        self.name = f"reference layer ({', '.join(map(str, index.millesimes))})"
        self._deps: dict[str, str] | None = None

    @classmethod
    def load(cls, path: Path | str | None = None) -> ReferenceResolver:
        from ..reference.lookup import load_index

        return cls(load_index(path))

    def _resolved(self, entry, score: float, others: list[str]) -> Resolved:
        classes = [c.rsplit("#", 1)[-1] for c in entry.classes]
        cls = entry.kind if entry.kind in CLASS_KIND or entry.kind in ("CAF", "MSA") else (classes[0] if classes else "Acteur")
        kind = CLASS_KIND.get(cls, "autre")
        if cls == "CollectiviteStatutParticulier":
            kind = "departement" if "alsace" in entry.iri else "region"
        return Resolved(entry.iri, ref_of_iri(entry.iri), entry.label, kind, cls, score, tuple(entry.departements),
                        others, entry.code)

    def resolve(self, text: str, *, departement: str | None = None) -> Resolved | None:
        try:
            match = self.index.lookup(text, departement=departement)
        except ValueError:
            match = self.index.lookup(text)
        if not match.candidates:
            return None
        best = match.best
        others = [f"{c.entry.label} <{c.entry.iri}> ({c.score:g})" for c in match.candidates[:4]]
        if best is None:  # ambiguous: let the caller report the candidates
            return None
        score = match.candidates[0].score
        return self._resolved(best, score, others[1:])

    def candidates(self, text: str, *, departement: str | None = None) -> list[str]:
        try:
            match = self.index.lookup(text, departement=departement)
        except ValueError:
            return []
        return [f"{c.entry.label} <{c.entry.iri}> ({c.score:g})" for c in match.candidates[:4]]

    def departement_code(self, text: str) -> str | None:
        return self.index._departement_code(text)

    def departement_names(self) -> dict[str, str]:
        """Folded name of every département → its code ("haute loire" → "43")."""
        if self._deps is None:
            self._deps = {}
            for e in self.index.entries.values():
                if e.role == "territoire" and e.kind == "departement" and e.code and e.current:
                    self._deps[e.label] = e.code
        return self._deps

    def by_ref(self, ref: str) -> Resolved | None:
        entry = self.index.resolve_ref(ref)
        return self._resolved(entry, 100.0, []) if entry else None


def default_resolver(reference: Path | str | None = None) -> Resolver:
    """The reference layer's resolver when a layer can be read (``reference`` or the vendored one), else none."""
    from ..errors import InputError

    try:
        return ReferenceResolver.load(reference)
    except InputError:
        if reference is not None:
            raise
        return NoResolver()
    except ImportError:  # pragma: no cover - a partial installation
        return NoResolver()
