"""A seeded, synthetic national cooperation layer, written as records on top of the real reference layer.

    python benchmarks/generate.py --size S --out benchmarks/build/data/S      # tiny | S | M | L
    coopgraph build --sources benchmarks/build/data/S --out /tmp/build-S

What it writes, in the ``graph/sources/`` format (one YAML record per synthetic source document):

- per département: a schéma départemental des services aux familles (a ``ConventionPartenariat`` of the Département,
  the CAF, the préfecture, the MSA and the DSDEN) that declares the département's own bodies (SDIS, ADIL, MDA, office
  public de l'habitat, PMI service of the Département; the ARS of its région) which the other records then use;
- per EPCI: a convention territoriale globale with its département's CAF, the EPCI, some of its member communes and
  syndicats as parties; governance bodies, axes and orientations, 20–80 actions each with a chef de file (sometimes
  joint), co-porteurs drawn from the parties and their services, partners, themes, status, start year, flags;
- ententes between neighbouring départements (neighbours: départements sharing an EPCI in the official geography),
  half of them with a second document ("pistes") that extends the entente with its actions;
- plans de coopération between a PNR-like syndicat mixte and the EPCIs of its territory;
- coopération décentralisée between a Département or a large EPCI and a foreign authority.

Every record says it is synthetic (``document.source``). The same seed and size give byte-identical files; a record
depends only on the seed and its own key, so a smaller size is a subset of a larger one (whole régions are added in a
seeded order until the share of EPCIs of the size is reached). Sizes, in triples of the built dataset:

=======  ====================  =====================================================
size     régions (share)       triples (reference layer of ~1.08 M included)
=======  ====================  =====================================================
tiny     one small département  ~1.09 M (a few thousand cooperation triples; for tests)
S        ~13 % of EPCIs        ~1.6 M  (~0.5 M cooperation triples)
M        ~30 % of EPCIs        ~2 M
L        all of France         ~5 M    (what all of France would weigh)
=======  ====================  =====================================================

The issue asks for "about 0.5 M triples with the reference layer included" at size S; the real reference layer
alone is 1.08 M triples, so S holds 0.5 M cooperation triples on top of it instead.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coopgraph.iris import BASE
from coopgraph.paths import data_path
from coopgraph.reference import LAYER_FILE, ReferenceIndex
from coopgraph.validate import load_model

GENERATOR_VERSION = 3  # bump when the output changes for the same seed and size (the benchmark cache keys on it)
DEFAULT_SEED = 20240917
SIZES: dict[str, dict[str, float]] = {
    # share: fraction of the EPCIs whose régions are included; richness scales the optional parts of an action
    "tiny": {"share": 0.0, "max_epci": 3, "richness": 1.0},
    "S": {"share": 0.13, "richness": 1.0},
    "M": {"share": 0.235, "richness": 1.0},
    "L": {"share": 1.0, "richness": 1.0},
}
ACT = BASE + "id/acteur/"
TERR = BASE + "id/territoire/"
EPCI_KINDS = ("CommunauteDeCommunes", "CommunauteAgglomeration", "CommunauteUrbaine", "Metropole", "MetropoleDeLyon")
LARGE_EPCI = ("CommunauteAgglomeration", "CommunauteUrbaine", "Metropole", "MetropoleDeLyon")


# ------------------------------------------------------------------------------------------------ geography


@dataclass
class Commune:
    code: str
    label: str
    population: int
    ref: str  # how a record names its authority: commune:CODE, or siren:… where two legal persons governed it


@dataclass
class Epci:
    siren: str
    label: str
    kind: str
    population: int
    departement: str  # the département of most of its communes
    departements: tuple[str, ...]
    communes: list[Commune] = field(default_factory=list)


@dataclass
class Departement:
    code: str
    label: str
    region: str
    authority_kind: str  # Departement, or CollectiviteStatutParticulier / Commune (Paris) where it was replaced
    epcis: list[Epci] = field(default_factory=list)
    authority: str = ""  # its IRI: 67 and 68 share one (the Collectivité européenne d'Alsace)


@dataclass
class Geography:
    departements: dict[str, Departement]
    regions: dict[str, str]  # code -> label
    neighbours: list[tuple[str, str]]  # pairs of départements that share an EPCI
    region_authorities: set[str]  # régions with a Région authority in the layer (not those replaced by a collectivité)


def _object(line: str) -> str:
    return line.split(" ", 2)[2][:-2].strip()


def load_geography(reference: Path) -> Geography:
    """The current EPCIs with their member communes, départements, régions and neighbours, from the layer."""
    path = reference / LAYER_FILE if reference.is_dir() else reference
    return _geography(str(path.resolve()))


@functools.lru_cache(maxsize=2)
def _geography(layer_file: str) -> Geography:
    path = Path(layer_file)
    index = ReferenceIndex.load(path)
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    newest = index.newest
    member_of: dict[str, str] = {}
    org_of: dict[str, str] = {}
    years: dict[str, set[str]] = defaultdict(set)
    region_of: dict[str, str] = {}
    for line in lines:
        if line.startswith(f"<{BASE}id/adhesion/"):
            s, p, _ = line.split(" ", 2)
            if s.endswith("/periode>"):
                continue
            if p == "<http://www.w3.org/ns/org#member>":
                member_of[s] = _object(line)[1:-1]
            elif p == "<http://www.w3.org/ns/org#organization>":
                org_of[s] = _object(line)[1:-1]
            elif p.endswith("#millesime>"):
                years[s].add(_object(line).split('"')[1])
        elif line.startswith(f"<{TERR}departement/") and "#partieDe> " in line:
            target = _object(line)[1:-1]
            if target.startswith(TERR + "region/"):
                region_of[line.split(" ", 1)[0][1:-1].rsplit("/", 1)[1]] = target.rsplit("/", 1)[1]
    members: dict[str, list[str]] = defaultdict(list)
    for m, member in member_of.items():
        if str(newest) in years[m] and m in org_of:
            members[org_of[m]].append(member)

    entries = index.entries
    regions = {e.code: e.label for e in entries.values() if e.role == "territoire" and e.kind == "region" and e.code}
    deps: dict[str, Departement] = {}
    for e in sorted(entries.values(), key=lambda x: x.iri):
        if e.role == "territoire" and e.kind == "departement" and e.code and e.current:
            authority = index.departement(e.code)
            caf = index.caf(e.code)
            if authority is None or caf is None or e.code not in region_of:
                continue
            deps[e.code] = Departement(e.code, e.label, region_of[e.code], authority.kind,
                                       authority=authority.iri)
    pairs: set[tuple[str, str]] = set()
    for e in sorted(entries.values(), key=lambda x: x.iri):
        if e.role != "acteur" or e.kind not in EPCI_KINDS or not e.current or not e.siren:
            continue
        communes = []
        for m in members.get(e.iri, []):
            c = entries.get(m)
            if c is None or c.role != "acteur" or c.kind != "Commune" or not c.code:
                continue
            territory = index.by_insee(c.code, "commune")
            population = (territory.population if territory else None) or 0
            ambiguous = territory is not None and len(index.authorities_of(territory)) > 1 and c.siren
            ref = f"siren:{c.siren}" if ambiguous else f"commune:{c.code}"
            communes.append(Commune(c.code, territory.label if territory else c.label, population, ref))
        if not communes:
            continue
        communes.sort(key=lambda c: (-c.population, c.code))
        counts: dict[str, int] = defaultdict(int)
        for c in communes:
            counts[c.code[:3] if c.code.startswith("97") else c.code[:2]] += 1
        main = max(sorted(counts), key=lambda d: counts[d])
        if main not in deps:
            continue
        within = tuple(sorted(d for d in counts if d in deps))
        epci = Epci(e.siren, e.label, e.kind, e.population or sum(c.population for c in communes), main, within,
                    communes)
        deps[main].epcis.append(epci)
        for a in within:
            for b in within:
                if a < b and deps[a].authority != deps[b].authority:  # an entente needs two parties
                    pairs.add((a, b))
    for d in deps.values():
        d.epcis.sort(key=lambda x: x.siren)
    with_authority = {code for code in regions if index.resolve_ref(f"region:{code}") is not None}
    return Geography(deps, regions, sorted(pairs), with_authority)


def select_departements(geo: Geography, size: str, seed: int) -> list[str]:
    """Départements of a size: régions in a seeded order, département by département, until the share of EPCIs
    is reached (so that neighbouring départements, and their ententes, come together)."""
    spec = SIZES[size]
    total = sum(len(d.epcis) for d in geo.departements.values())
    if spec["share"] <= 0:  # tiny: the two neighbouring Départements with the fewest EPCIs between them
        deps = geo.departements
        pairs = sorted((len(deps[a].epcis) + len(deps[b].epcis), a, b) for a, b in geo.neighbours
                       if deps[a].authority_kind == deps[b].authority_kind == "Departement"
                       and min(len(deps[a].epcis), len(deps[b].epcis)) >= 2)
        return [pairs[0][1], pairs[0][2]]
    by_region: dict[str, list[str]] = defaultdict(list)
    for code, d in geo.departements.items():
        by_region[d.region].append(code)
    order = sorted(by_region)
    random.Random(f"{seed}:regions").shuffle(order)
    chosen: list[str] = []
    count = 0
    for region in order:  # régions in a seeded order, their départements in code order, until the share is reached
        for code in sorted(by_region[region]):
            if count >= spec["share"] * total:
                return sorted(chosen)
            chosen.append(code)
            count += len(geo.departements[code].epcis)
    return sorted(chosen)


# ------------------------------------------------------------------------------------------------ words

FIRST_NAMES = ["Anne", "Bernard", "Camille", "Claire", "Damien", "Élise", "François", "Gaëlle", "Hélène", "Isabelle",
               "Jacques", "Jeanne", "Karim", "Laurence", "Louis", "Marc", "Marie", "Nadia", "Nicolas", "Odile",
               "Pascal", "Patricia", "Rémi", "Sophie", "Stéphane", "Sylvie", "Thierry", "Valérie", "Yann", "Zoé"]
LAST_NAMES = ["Arnaud", "Barbier", "Bertin", "Blanchard", "Bonnet", "Brunet", "Carré", "Chevalier", "Colin", "Dufour",
              "Dumas", "Fabre", "Fleury", "Garnier", "Gauthier", "Girard", "Guérin", "Hamel", "Joly", "Lacroix",
              "Lambert", "Leclerc", "Lefèvre", "Lemoine", "Marchand", "Masson", "Mercier", "Meunier", "Morel",
              "Noël", "Perrin", "Picard", "Renaud", "Rivière", "Roussel", "Schmitt", "Vidal", "Vincent"]

# CTG: axes (label, themes) and, per theme, what actions are about
CTG_AXES = [
    ("Piloter et animer la convention territoriale globale", ["gouvernance", "pilotage-animation"]),
    ("Accompagner les familles dans la conciliation des temps de vie", ["famille", "petite-enfance"]),
    ("Soutenir la parentalité et le développement de l'enfant", ["parentalite", "enfance"]),
    ("Favoriser l'autonomie et l'engagement des jeunes", ["jeunesse", "insertion"]),
    ("Faciliter l'accès aux droits et aux services", ["acces-aux-droits", "services-au-public", "mediation-numerique"]),
    ("Améliorer le cadre de vie et les conditions de logement", ["logement", "habitat-adapte", "precarite-energetique"]),
    ("Animer la vie sociale et soutenir les associations", ["animation-de-la-vie-sociale", "vie-associative"]),
    ("Accompagner le vieillissement et le handicap", ["personnes-agees", "handicap", "proches-aidants"]),
    ("Développer les mobilités et l'insertion professionnelle", ["mobilite", "mobilite-solidaire", "emploi"]),
]
VERBS = ["Développer", "Renforcer", "Structurer", "Coordonner", "Expérimenter", "Pérenniser", "Évaluer", "Mettre en place",
         "Adapter", "Promouvoir", "Soutenir", "Organiser", "Mutualiser", "Étendre", "Faire connaître"]
OBJECTS = {
    "gouvernance": ["les instances de pilotage de la convention", "le suivi partagé des engagements"],
    "pilotage-animation": ["l'animation territoriale de la convention", "un poste de coordination de la CTG"],
    "suivi-evaluation": ["les indicateurs de suivi et d'évaluation", "le bilan à mi-parcours"],
    "famille": ["l'information des familles sur l'offre de services", "l'accueil des familles nouvellement arrivées"],
    "petite-enfance": ["l'offre d'accueil du jeune enfant", "le relais petite enfance", "les places d'accueil en crèche",
                       "l'accueil des enfants en situation de handicap en crèche"],
    "enfance": ["l'accueil de loisirs du mercredi", "le plan mercredi", "les accueils périscolaires"],
    "parentalite": ["les lieux d'accueil enfants-parents", "les actions de soutien à la parentalité",
                    "un café des parents itinérant"],
    "jeunesse": ["l'accueil des adolescents", "les projets portés par les jeunes", "un point information jeunesse"],
    "insertion": ["l'accompagnement des allocataires du RSA", "les chantiers d'insertion"],
    "acces-aux-droits": ["l'accès aux droits des publics fragiles", "les permanences d'accès aux droits"],
    "services-au-public": ["l'espace France services", "le maillage des points d'accueil"],
    "mediation-numerique": ["la médiation numérique", "les ateliers numériques pour les seniors"],
    "logement": ["le repérage du logement indigne", "l'accès au logement des jeunes"],
    "habitat-adapte": ["l'adaptation des logements au vieillissement", "un habitat intergénérationnel"],
    "precarite-energetique": ["la lutte contre la précarité énergétique", "les visites énergie à domicile"],
    "animation-de-la-vie-sociale": ["les centres sociaux et espaces de vie sociale", "la démarche d'animation globale"],
    "vie-associative": ["le soutien aux associations locales", "le forum des associations"],
    "personnes-agees": ["la prévention de la perte d'autonomie", "la lutte contre l'isolement des aînés"],
    "handicap": ["l'inclusion des personnes en situation de handicap", "l'accessibilité des équipements"],
    "proches-aidants": ["le répit des proches aidants", "une plateforme d'accompagnement des aidants"],
    "mobilite": ["le transport à la demande", "les solutions de mobilité en milieu rural"],
    "mobilite-solidaire": ["le garage solidaire", "le covoiturage solidaire"],
    "emploi": ["l'accès à l'emploi des parents de jeunes enfants", "les forums de l'emploi"],
    "tourisme": ["les itinéraires touristiques communs", "la promotion touristique partagée"],
    "culture": ["la programmation culturelle commune", "la mise en réseau des bibliothèques"],
    "routes": ["l'entretien des routes limitrophes", "la viabilité hivernale partagée"],
    "colleges": ["la sectorisation des collèges limitrophes", "les actions éducatives dans les collèges"],
    "milieux-naturels": ["la gestion des espaces naturels sensibles", "la continuité écologique des rivières"],
    "agriculture": ["l'installation de jeunes agriculteurs", "la diversification agricole"],
    "circuits-courts": ["l'approvisionnement local de la restauration collective", "un marché de producteurs"],
    "sport": ["les équipements sportifs partagés", "les manifestations sportives communes"],
    "securite-civile": ["la mutualisation des moyens de secours", "les exercices de sécurité civile communs"],
    "numerique": ["le déploiement du très haut débit", "les usages numériques"],
    "autonomie": ["l'aide à domicile", "l'évaluation des besoins d'autonomie"],
    "eau-et-assainissement": ["l'accès à l'eau potable", "l'assainissement des écoles"],
    "solidarite-internationale": ["les échanges de jeunes", "le jumelage des écoles"],
    "education": ["la formation des enseignants", "l'équipement des écoles"],
    "sante": ["les centres de santé", "la prévention en santé communautaire"],
    "developpement-economique": ["l'accompagnement des porteurs de projets", "les filières locales"],
    "energie-climat": ["le plan climat territorial", "la rénovation énergétique des bâtiments publics"],
    "developpement-durable": ["l'éducation à l'environnement", "la transition écologique du territoire"],
    "sport-nature": ["les sentiers de randonnée", "les activités de pleine nature"],
    "relations-ville-campagne": ["les échanges entre villes et campagnes", "l'alimentation de proximité"],
}
QUALIFIERS = ["sur l'ensemble du territoire", "dans les communes rurales", "à l'échelle intercommunale",
              "en lien avec les partenaires", "pour les publics les plus fragiles", "dans les quartiers prioritaires",
              "", "", "", ""]
CTG_STATEMENTS = {
    "triggers": ["fin du contrat enfance jeunesse", "fusion récente des intercommunalités", "diagnostic social partagé",
                 "volonté des élus d'un projet social de territoire"],
    "challenges": ["vieillissement de la population", "isolement des familles monoparentales", "mobilité en milieu rural",
                   "accès aux services publics", "attractivité du territoire pour les jeunes ménages"],
    "objectives": ["cohérence des interventions auprès des familles", "équité territoriale de l'offre de services",
                   "mobilisation des moyens des parties", "lisibilité de l'offre pour les habitants"],
    "principles": ["respect des compétences de chaque partie", "évaluation partagée des actions",
                   "priorité aux besoins repérés par le diagnostic", "communication commune des parties"],
}
SERVICE_NAMES = {"petite-enfance": "petite enfance", "enfance": "enfance", "jeunesse": "jeunesse",
                 "action-sociale": "action sociale", "logement": "habitat", "mobilite": "mobilités",
                 "personnes-agees": "seniors", "acces-aux-droits": "accès aux droits"}
ENTENTE_THEMES = ["tourisme", "culture", "milieux-naturels", "sport", "agriculture", "circuits-courts", "colleges",
                  "routes", "action-sociale", "autonomie", "enfance", "securite-civile", "numerique"]
PLAN_THEMES = ["milieux-naturels", "tourisme", "agriculture", "circuits-courts", "energie-climat",
               "developpement-durable", "sport-nature", "relations-ville-campagne", "patrimoine"]
DECENTRALISEE_THEMES = ["solidarite-internationale", "eau-et-assainissement", "education", "sante", "agriculture",
                        "developpement-economique"]
SDSF_THEMES = ["petite-enfance", "parentalite", "enfance", "jeunesse", "acces-aux-droits", "animation-de-la-vie-sociale",
               "protection-enfance"]
FOREIGN = {  # country (ISO 3166-1 alpha-3) -> authorities (synthetic partners, real place names)
    "SEN": ["Département de Podor", "Commune de Saint-Louis", "Région de Matam", "Commune de Ziguinchor"],
    "MLI": ["Cercle de Kayes", "Commune de Ségou", "Région de Mopti"],
    "BFA": ["Commune de Koudougou", "Province du Yatenga", "Commune de Ouahigouya"],
    "MAR": ["Province d'Azilal", "Commune de Chefchaouen", "Région de l'Oriental"],
    "TUN": ["Gouvernorat de Kairouan", "Commune de Sousse"],
    "VNM": ["Province de Hai Duong", "Province de Thua Thien Hue"],
    "MDG": ["Région Haute Matsiatra", "Commune de Fianarantsoa"],
    "BEN": ["Commune d'Abomey", "Commune de Ouidah"],
    "HTI": ["Commune de Jacmel", "Département du Nord-Est"],
    "DEU": ["Landkreis Tübingen", "Stadt Freiburg im Breisgau", "Landkreis Würzburg"],
    "ITA": ["Provincia di Cuneo", "Comune di Torino", "Regione Marche"],
    "ESP": ["Diputación de Huesca", "Gobierno de Navarra", "Ayuntamiento de Zaragoza"],
    "POL": ["Powiat krakowski", "Województwo opolskie"],
    "ROU": ["Județul Cluj", "Județul Sibiu"],
    "CAN": ["Municipalité régionale de comté de Memphrémagog", "Ville de Sherbrooke"],
}
LEGAL_CTG = [
    ("article-code", "Code de la sécurité sociale, article L. 263-1", "L. 263-1"),
    ("code", "Code de l'action sociale et des familles", None),
    ("code", "Code général des collectivités territoriales", None),
    ("convention-objectifs-gestion", "Convention d'objectifs et de gestion 2023-2027 entre l'État et la Cnaf", None),
]
LEGAL_ENTENTE = [
    ("article-code", "Code général des collectivités territoriales, article L. 5411-1", "L. 5411-1"),
    ("loi", "Loi portant nouvelle organisation territoriale de la République", "2015-991"),
]
LEGAL_DECENTRALISEE = [
    ("article-code", "Code général des collectivités territoriales, article L. 1115-1", "L. 1115-1"),
    ("loi", "Loi d'orientation et de programmation relative à la politique de développement et de solidarité "
            "internationale", "2014-773"),
]


def _pick(rng: random.Random, items: list, k: int) -> list:
    return rng.sample(items, min(k, len(items)))


# ------------------------------------------------------------------------------------------------ records


class Doc:
    """One synthetic source document being written: hands out line numbers, in reading order."""

    def __init__(self, doc_id: str, rng: random.Random) -> None:
        self.id = doc_id
        self.rng = rng
        self.line = 3

    def lines(self, n: int = 1) -> int | str:
        start = self.line + 1
        self.line += n + self.rng.randint(0, 2)
        end = start + n - 1
        return start if n == 1 else f"{start}-{end}"

    def person(self, people: list[dict], org: str, post: str) -> str:
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        pid = f"{self.id}-signataire-{len(people) + 1}"
        people.append({"id": pid, "name": name, "posts": [{"org": org, "post": post}], "lines": self.lines()})
        return pid


class Generator:
    def __init__(self, geo: Geography, seed: int, size: str) -> None:
        self.geo = geo
        self.seed = seed
        self.size = size
        self.richness = SIZES[size]["richness"]
        prefix = f"{BASE}vocab/theme/"
        self.themes = {str(c)[len(prefix):] for c in load_model().subjects() if str(c).startswith(prefix)}
        self.synthetic = (f"Document synthétique écrit par benchmarks/generate.py (graine {seed}) pour mesurer "
                          "coopgraph à l'échelle nationale ; aucun texte réel, aucun fait réel")
        self.declared_region_ars: set[str] = set()
        self.probe: dict[str, str] = {}  # one CTG of the data, for the benchmark's query parameters

    def rng(self, key: str) -> random.Random:
        return random.Random(f"{self.seed}:{key}")

    def themes_of(self, wanted: list[str]) -> list[str]:
        return [t for t in wanted if t in self.themes]

    def document(self, doc: Doc, title: str, kind: str, publisher: list[str], date: str,
                 place: str | None = None) -> dict:
        out: dict = {"id": doc.id, "title": title, "kind": kind, "publisher": publisher, "date": date}
        if place:
            out["place"] = place
        out["source"] = self.synthetic
        return out

    def record(self, doc: Doc, document: dict, actors: list[dict], people: list[dict],
               instruments: list[dict]) -> dict:
        document["line_count"] = doc.line + 2
        rec: dict = {"coopgraph": 1, "status": "reviewed", "document": document}
        if actors:
            rec["actors"] = actors
        if people:
            rec["people"] = people
        rec["instruments"] = instruments
        return rec

    # -- actions ----------------------------------------------------------------------------------------------
    def action(self, doc: Doc, n: int, number: str, under: str | None, themes: list[str], leads: list[str],
               carriers: list[str], partners: list[str], *, year: int, years: int) -> dict:
        rng = doc.rng
        theme = rng.choice(themes) if themes else "gouvernance"
        obj = rng.choice(OBJECTS.get(theme) or OBJECTS["gouvernance"])
        label = f"{rng.choice(VERBS)} {obj} {rng.choice(QUALIFIERS)}".strip()
        act: dict = {"id": f"a-{n}", "number": number, "label": label}
        if under is not None:
            act["under"] = under
        extra = [t for t in themes if t != theme]
        act["themes"] = self.themes_of([theme, *_pick(rng, extra, rng.choice([0, 0, 1, 1, 2]))])
        r = rng.random()
        if r < 0.1 and len(leads) >= 2:
            lead = _pick(rng, leads, 2)
            act["lead"] = lead
            act["lead_as_written"] = "+".join(x.split(":")[-1].upper() for x in lead)
        else:
            lead = [rng.choice(leads)]
            act["lead"] = lead[0]
            if rng.random() < 0.03:
                act["lead_uncertain"] = True
        pool = [c for c in carriers if c not in lead]
        k = min(len(pool), rng.choice([0, 1, 1, 2, 2, 3, 3, 4]))
        mentions = []
        for actor in _pick(rng, pool, k):
            m: dict = {"actor": actor, "lines": doc.line + 1}
            if rng.random() < 0.04:
                m["uncertain"] = True
                m["as_written"] = actor.split(":")[-1].upper() + " ?"
            mentions.append(m)
        if mentions:
            act["co_carriers"] = mentions
        taken = set(lead) | {m["actor"] for m in mentions}
        ppool = [p for p in partners if p not in taken]
        k = min(len(ppool), rng.choice([0, 0, 1, 1, 2]))
        if k:
            act["partners"] = [{"actor": a, "lines": doc.line + 1} for a in _pick(rng, ppool, k)]
        status = rng.random()
        if status < 0.75:
            act["status"] = rng.choice(["envisagee", "programmee", "programmee", "engagee", "engagee", "realisee",
                                        "a-l-etude", "abandonnee"])
        if rng.random() < 0.6:
            act["start_year"] = year + rng.randint(0, max(0, years - 1))
        if rng.random() < 0.2:
            act["projet_de_territoire"] = rng.random() < 0.8
        if rng.random() < 0.5 * self.richness:
            act["objectives"] = [{"label": f"{rng.choice(['consolider', 'mieux faire connaître', 'ouvrir à tous'])} "
                                           f"{rng.choice(OBJECTS.get(theme) or OBJECTS['gouvernance'])}",
                                  "lines": doc.line + 1}]
        if rng.random() < 0.3 * self.richness:
            act["expected_results"] = [{"label": f"progrès mesuré pour {obj}", "lines": doc.line + 1}]
        act["lines"] = doc.lines(rng.randint(1, 3))
        return act

    def structure(self, doc: Doc, axes_pool: list[tuple[str, list[str]]], n_axes: int,
                  per_axis: tuple[int, int]) -> list[dict]:
        rng = doc.rng
        axes = []
        for i, (label, themes) in enumerate(_pick(rng, axes_pool, n_axes), start=1):
            orientations = []
            for j in range(1, rng.randint(*per_axis) + 1):
                theme = rng.choice(themes)
                obj = rng.choice(OBJECTS.get(theme) or OBJECTS["gouvernance"])
                orientations.append({"number": f"{i}.{j}", "label": f"{rng.choice(VERBS)} {obj}",
                                     "themes": self.themes_of([theme]), "lines": doc.lines()})
            axes.append({"number": str(i), "label": label, "themes": self.themes_of(themes), "lines": doc.lines(2),
                         "orientations": orientations})
        return axes

    def actions_for(self, doc: Doc, axes: list[dict], count: int, leads: list[str], carriers: list[str],
                    partners: list[str], year: int, years: int) -> list[dict]:
        rng = doc.rng
        slots = [(o["number"], o["themes"] or axis["themes"]) for axis in axes for o in axis["orientations"]]
        actions = []
        per: dict[str, int] = defaultdict(int)
        for n in range(1, count + 1):
            under, themes = slots[(n - 1) % len(slots)] if n <= len(slots) else rng.choice(slots)
            per[under] += 1
            number = f"{under}.{per[under]}"
            # themes of the orientation plus one neighbour theme of the same axis
            axis_themes = next(a["themes"] for a in axes if under.split(".")[0] == a["number"])
            actions.append(self.action(doc, n, number, under, list(dict.fromkeys([*themes, *axis_themes])), leads,
                                       carriers, partners, year=year, years=years))
        return actions

    def statements(self, doc: Doc, pools: dict[str, list[str]]) -> dict:
        rng = doc.rng
        return {kind: [{"label": label, "lines": doc.lines()} for label in _pick(rng, pool, rng.randint(1, 3))]
                for kind, pool in pools.items()}

    def governance(self, doc: Doc, key: str, label: str, kinds: list[tuple[str, str, int]], copilots: list[str],
                   members: list[str]) -> list[dict]:
        rng = doc.rng
        bodies = []
        for kind, name, per_year in kinds:
            body_members = [{"actor": a, "role": "copilote", "lines": doc.lines()} for a in copilots]
            for a in _pick(rng, members, rng.randint(2, 5)):
                body_members.append({"actor": a, "role": "membre-instance",
                                     "post": rng.choice(["président·e", "vice-président·e", "directeur·rice",
                                                         "élu·e référent·e", "chargé·e de mission"]),
                                     "lines": doc.lines()})
            bodies.append({"id": f"{kind}-{key}", "kind": kind, "label": f"{name} {label}",
                           "meetings_per_year_min": per_year,
                           "frequency": "au moins une fois par an" if per_year == 1 else f"{per_year} fois par an",
                           "lines": doc.lines(3), "members": body_members,
                           "missions": [{"label": m, "lines": doc.lines()} for m in
                                        _pick(rng, ["suivi des engagements", "préparation du plan d'actions",
                                                    "évaluation annuelle", "arbitrage des priorités",
                                                    "coordination des partenaires"], rng.randint(1, 3))]})
        return bodies

    def legal(self, doc: Doc, acts: list[tuple[str, str, str | None]], own: list[dict]) -> list[dict]:
        out = []
        for kind, title, number in acts:
            act: dict = {"kind": kind, "title": title}
            if number:
                act["number"] = number
            act["lines"] = doc.lines()
            out.append(act)
        return out + own

    # -- the départements' own bodies and their schéma des services aux familles ------------------------------
    def sdsf(self, dep: Departement) -> tuple[str, dict]:
        d = dep.code
        doc = Doc(f"schema-services-familles-{d.lower()}", self.rng(f"sdsf:{d}"))
        rng = doc.rng
        year = rng.choice([2019, 2020, 2021, 2022])
        dname = dep.label
        actors = [
            {"id": f"prefecture-{d.lower()}", "kind": "ServiceEtat", "label": f"Préfecture de {dname}",
             "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"msa-{d.lower()}", "kind": "MSA", "label": f"Mutualité sociale agricole ({dname})", "acronym": "MSA",
             "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"dsden-{d.lower()}", "kind": "ServiceEducationNationale",
             "label": f"Direction des services départementaux de l'Éducation nationale ({dname})", "acronym": "DSDEN",
             "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"sdis-{d.lower()}", "kind": "SDIS", "label": f"Service départemental d'incendie et de secours "
             f"({dname})", "acronym": "SDIS", "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"adil-{d.lower()}", "kind": "ADIL", "label": f"Agence départementale d'information sur le "
             f"logement ({dname})", "acronym": "ADIL", "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"mda-{d.lower()}", "kind": "MaisonDepartementaleAutonomie",
             "label": f"Maison départementale de l'autonomie ({dname})", "acronym": "MDA",
             "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"oph-{d.lower()}", "kind": "OfficePublicHabitat", "label": f"Office public de l'habitat ({dname})",
             "acronym": "OPH", "territory": f"departement:{d}", "lines": doc.lines()},
            {"id": f"pmi-{d.lower()}", "kind": "Service", "label": f"Protection maternelle et infantile ({dname})",
             "acronym": "PMI", "unit_of": f"departement:{d}", "lines": doc.lines()},
            {"id": f"asf-{d.lower()}", "kind": "Service", "label": f"Action sociale et familles, Caf ({dname})",
             "unit_of": f"caf:{d}", "lines": doc.lines()},
        ]
        if dep.region not in self.declared_region_ars:
            self.declared_region_ars.add(dep.region)
            actors.append({"id": f"ars-{dep.region}", "kind": "AgenceRegionaleDeSante",
                           "label": f"Agence régionale de santé ({self.geo.regions.get(dep.region, dep.region)})",
                           "acronym": "ARS", "territory": f"region:{dep.region}", "lines": doc.lines()})
        people: list[dict] = []
        parties = [f"departement:{d}", f"caf:{d}", f"prefecture-{d.lower()}", f"msa-{d.lower()}", f"dsden-{d.lower()}"]
        signatures = []
        for party, post in zip(parties, ["président", "président du conseil d'administration", "préfet",
                                         "président", "directeur académique"], strict=True):
            signatures.append({"for": party, "person": doc.person(people, party, post), "post": post,
                               "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                               "lines": doc.lines(2)})
        axes = self.structure(doc, [(a, t) for a, t in CTG_AXES if set(t) & set(SDSF_THEMES)] or CTG_AXES[:3], 3,
                              (2, 3))
        locals_ = [a["id"] for a in actors if not a["id"].startswith("ars-")]
        actions = self.actions_for(doc, axes, rng.randint(8, 15), [*parties[:2], f"pmi-{d.lower()}"],
                                   parties + locals_, locals_, year, 5)
        inst = {
            "id": doc.id, "kind": "ConventionPartenariat",
            "title": f"Schéma départemental des services aux familles de {dname} {year}-{year + 4}",
            "label": f"Schéma des services aux familles ({dname})", "themes": self.themes_of(SDSF_THEMES),
            "parties": parties, "lines": doc.lines(4),
            "period": {"start": f"{year}-01-01", "end": f"{year + 4}-12-31", "lines": doc.lines()},
            "duration": "P5Y", "signatures": signatures,
            "statements": self.statements(doc, {k: CTG_STATEMENTS[k] for k in ("challenges", "objectives")}),
            "governance": self.governance(doc, doc.id, f"du schéma ({dname})",
                                          [("comite-pilotage", "Comité départemental des services aux familles", 1)],
                                          parties[:2], parties[2:] + locals_),
            "axes": axes, "actions": actions,
        }
        document = self.document(doc, inst["title"], "convention", parties[:2], signatures[0]["date"])
        return doc.id, self.record(doc, document, actors, people, [inst])

    # -- conventions territoriales globales -------------------------------------------------------------------
    def ctg(self, dep: Departement, epci: Epci) -> tuple[str, dict]:
        d = dep.code
        rng = self.rng(f"ctg:{epci.siren}")
        year = rng.choice([2019, 2020, 2021, 2022, 2023, 2024])
        years = rng.choice([4, 5, 5])
        doc = Doc(f"ctg-{epci.siren}-{year}-{year + years - 1}", rng)
        short = epci.label
        e = f"epci:{epci.siren}"
        seat = epci.communes[0]
        actors: list[dict] = []
        services = []
        for theme in _pick(rng, sorted(SERVICE_NAMES), rng.randint(2, 4)):
            sid = f"{epci.siren}-service-{theme}"
            actors.append({"id": sid, "kind": "Service", "label": f"Service {SERVICE_NAMES[theme]} ({short})",
                           "unit_of": e, "lines": doc.lines()})
            services.append(sid)
        communes = [c.ref for c in epci.communes[: rng.randint(0, min(3, len(epci.communes)))]]
        syndicats = []
        for k in range(rng.choice([0, 0, 1, 1, 2])):
            members = _pick(rng, epci.communes, min(len(epci.communes), rng.randint(2, 6)))
            if len(members) < 2:
                break
            sid = f"syndicat-{epci.siren}-{k + 1}"
            kind = rng.choice(["SIVU", "SIVOM", "SyndicatIntercommunal"])
            actors.append({"id": sid, "kind": kind, "label": f"Syndicat intercommunal {rng.choice(['enfance', 'jeunesse', 'petite enfance', 'action sociale'])} de {members[0].label}",
                           "members": [c.ref for c in members], "lines": doc.lines()})
            syndicats.append(sid)
        unnamed = f"associations-{epci.siren}"
        actors.append({"id": unnamed, "kind": "ActeursNonIdentifies", "label": f"Associations du territoire ({short})",
                       "category": "Association", "lines": doc.lines()})
        ccas = None
        if epci.communes[0].population > 10000:
            ccas = f"ccas-{epci.communes[0].code.lower()}"
            actors.append({"id": ccas, "kind": "CCAS", "label": f"Centre communal d'action sociale de {seat.label}",
                           "acronym": "CCAS", "territory": f"commune:{seat.code}", "lines": doc.lines()})
        people: list[dict] = []
        parties = [f"caf:{d}", e, *communes, *syndicats]
        signatures = []
        date = f"{year}-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
        for party in parties:
            posts = (["président du conseil d'administration", "directeur"] if party.startswith("caf:")
                     else ["maire"] if party in {c.ref for c in epci.communes} else ["président"])
            for post in posts:
                signatures.append({"for": party, "person": doc.person(people, party, post), "post": post,
                                   "date": date, "place": f"commune:{seat.code}", "lines": doc.lines(3)})
        axes = self.structure(doc, CTG_AXES, rng.randint(4, 6), (2, 4))
        dl = d.lower()
        departmental = [f"pmi-{dl}", f"mda-{dl}", f"msa-{dl}", f"adil-{dl}", f"departement:{d}", f"asf-{dl}",
                        f"ars-{dep.region}", f"dsden-{dl}"]
        carriers = [*parties, *services, *(c.ref for c in epci.communes[:8]), *departmental[:4]]
        partners = [*departmental, unnamed, *([ccas] if ccas else []), f"oph-{dl}"]
        leads = [f"caf:{d}", e, *services, *syndicats]
        actions = self.actions_for(doc, axes, rng.randint(20, 80), leads, carriers, partners, year, years)
        # the act's IRI comes from its title (a law cited by many records is one node): the SIREN keeps two
        # EPCIs of the same name apart
        own_acts = [{"kind": "deliberation", "title": f"Délibération {epci.siren} du conseil communautaire de {short} approuvant "
                     f"la convention territoriale globale {year}", "date": f"{year}-01-{rng.randint(10, 28)}",
                     "lines": doc.lines()}]
        inst = {
            "id": doc.id, "kind": "ConventionTerritorialeGlobale",
            "title": f"Convention territoriale globale {year}-{year + years - 1} — {short}",
            "label": f"CTG {short} {year}-{year + years - 1}", "acronym": "CTG",
            "themes": self.themes_of(_pick(rng, [t for _, ts in CTG_AXES for t in ts], rng.randint(5, 9))),
            "parties": parties, "lines": doc.lines(6),
            "period": {"start": f"{year}-01-01", "end": f"{year + years - 1}-12-31", "lines": doc.lines()},
            "duration": f"P{years}Y", "termination_notice": "P3M",
            "perimeter": {"id": f"territoire-ctg-{epci.siren}", "label": f"Territoire de {short}",
                          "communes_count": len(epci.communes), "population_approx": max(1, round(epci.population, -3)),
                          "territories": [e], "lines": doc.lines()},
            "signatures": signatures,
            "legal_basis": self.legal(doc, _pick(rng, LEGAL_CTG, rng.randint(2, 4)), own_acts),
            "statements": self.statements(doc, CTG_STATEMENTS),
            "fields_of_intervention": [
                {"actor": a, "label": f"champ : {t.replace('-', ' ')}", "themes": self.themes_of([t]),
                 "lines": doc.lines()}
                for a in (f"caf:{d}", e) for t in _pick(rng, ["petite-enfance", "enfance", "jeunesse", "parentalite",
                                                              "logement", "insertion", "handicap", "mobilite"],
                                                         rng.randint(2, 5))
            ],
            "governance": self.governance(doc, doc.id, f"de la CTG {short}",
                                          [("comite-pilotage", "Comité de pilotage", 1),
                                           ("comite-technique", "Comité technique", 2)],
                                          [f"caf:{d}", e], [*parties, *services]),
            "axes": axes, "actions": actions,
        }
        document = self.document(doc, inst["title"], "convention", [f"caf:{d}", e], date, f"commune:{seat.code}")
        if not self.probe:
            self.probe = {"instrument": doc.id, "epci": epci.siren, "departement": d}
        return doc.id, self.record(doc, document, actors, people, [inst])

    # -- ententes between neighbouring départements -------------------------------------------------------------
    def entente(self, a: Departement, b: Departement) -> list[tuple[str, dict]]:
        rng = self.rng(f"entente:{a.code}:{b.code}")
        both = a.authority_kind == "Departement" and b.authority_kind == "Departement"
        kind = "EntenteInterdepartementale" if both else "EntenteInterterritoriale"
        slug = f"entente-{a.code.lower()}-{b.code.lower()}"
        doc = Doc(f"{slug}-brochure", rng)
        year = rng.choice([2016, 2017, 2018, 2019, 2020, 2021, 2022])
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        pa, pb = f"departement:{a.code}", f"departement:{b.code}"
        people: list[dict] = []
        signatures = [{"for": p, "person": doc.person(people, p, "président"), "post": "président", "date": date,
                       "lines": doc.lines(2)} for p in (pa, pb)]
        themes = self.themes_of(_pick(rng, ENTENTE_THEMES, rng.randint(5, 10)))
        headings = [{"id": t, "label": t.replace("-", " ").capitalize(), "themes": [t], "lines": doc.lines()}
                    for t in themes]
        inst = {
            "id": slug, "kind": kind, "title": f"Entente {a.label} - {b.label}",
            "label": f"Coopération {a.label} - {b.label}", "themes": themes, "parties": [pa, pb],
            "lines": doc.lines(5),
            "founding_act": {"kind": "convention", "title": f"Convention créant l'entente {a.label} - {b.label}",
                             "date": date, "lines": doc.lines()},
            "legal_basis": self.legal(doc, LEGAL_ENTENTE, []),
            "signatures": signatures,
            "statements": self.statements(doc, {"triggers": ["proximité géographique des deux départements",
                                                              "bassin de vie commun", "premiers échanges entre élus"],
                                                 "challenges": ["entretien des réseaux routiers limitrophes",
                                                                "vieillissement de la population",
                                                                "attractivité touristique commune"]}),
            "governance": self.governance(doc, slug, f"de l'entente {a.label} - {b.label}",
                                          [("conference-entente", "Conférence", 1)], [pa, pb],
                                          [f"sdis-{a.code.lower()}", f"sdis-{b.code.lower()}"]),
            "headings": headings,
        }
        dl = [a.code.lower(), b.code.lower()]
        leads = [pa, pb]
        carriers = [pa, pb, *(f"{k}-{x}" for x in dl for k in ("sdis", "adil", "oph", "mda"))]
        partners = [*(f"dsden-{x}" for x in dl), *(f"prefecture-{x}" for x in dl), f"ars-{a.region}"]

        def pistes(d2: Doc, n: int) -> list[dict]:
            out = []
            for i in range(1, n + 1):
                h = rng.choice(headings)
                act = self.action(d2, i, str(i), h["id"], h["themes"], leads, carriers, partners, year=year, years=3)
                out.append(act)
            return out

        documents = []
        n = rng.randint(10, 30)
        if self.size == "tiny" or rng.random() < 0.5:  # the pistes come in a second document extending the entente
            inst["actions"] = []
            doc2 = Doc(f"{slug}-pistes", self.rng(f"pistes:{a.code}:{b.code}"))
            ext = {"id": slug, "extends": True, "actions": pistes(doc2, n)}
            document2 = self.document(doc2, f"Pistes d'actions de l'entente {a.label} - {b.label}", "fiche-actions",
                                      [pa, pb], f"{year + 1}")
            documents.append((doc2.id, self.record(doc2, document2, [], [], [ext])))
        else:
            inst["actions"] = pistes(doc, n)
        document = self.document(doc, inst["label"], "brochure", [pa, pb], date)
        documents.insert(0, (doc.id, self.record(doc, document, [], people, [inst])))
        return documents

    # -- plans de coopération between a PNR-like syndicat and EPCIs ------------------------------------------
    def plan(self, key: str, deps: list[Departement]) -> tuple[str, dict]:
        rng = self.rng(f"plan:{key}")
        pool = [e for dep in deps for e in dep.epcis]
        chosen = _pick(rng, pool, rng.randint(3, 8))
        anchor = chosen[0].communes[-1]
        pnr_id = f"pnr-{key}"
        doc = Doc(f"plan-cooperation-{pnr_id}", rng)
        pnr_label = f"Parc naturel régional {rng.choice(['des Monts', 'des Vallées', 'des Causses', 'du Haut-Pays', 'des Coteaux'])} de {anchor.label}"
        actors = [{"id": pnr_id, "kind": "ParcNaturelRegional", "label": f"Syndicat mixte du {pnr_label}",
                   "acronym": "PNR", "members": [f"epci:{e.siren}" for e in chosen], "lines": doc.lines(2)},
                  {"id": f"{pnr_id}-equipe", "kind": "Service", "label": f"Équipe technique du {pnr_label}",
                   "unit_of": pnr_id, "lines": doc.lines()}]
        year = rng.choice([2018, 2019, 2020, 2021, 2022])
        parties = [pnr_id, *(f"epci:{e.siren}" for e in chosen)]
        region = deps[0].region
        people: list[dict] = []
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        signatures = [{"for": p, "person": doc.person(people, p, "président"), "post": "président", "date": date,
                       "lines": doc.lines(2)} for p in parties]
        axes = self.structure(doc, [("Préserver les milieux et les paysages", ["milieux-naturels", "patrimoine"]),
                                    ("Développer un tourisme durable", ["tourisme", "sport-nature"]),
                                    ("Soutenir l'agriculture et l'alimentation locale", ["agriculture",
                                                                                        "circuits-courts"]),
                                    ("Engager la transition énergétique", ["energie-climat", "developpement-durable"]),
                                    ("Relier villes et campagnes", ["relations-ville-campagne"])],
                              rng.randint(3, 5), (1, 3))
        regional = [f"region:{region}"] if region in self.geo.region_authorities else []
        actions = self.actions_for(doc, axes, rng.randint(10, 25), [*parties, f"{pnr_id}-equipe"],
                                   [*parties, f"{pnr_id}-equipe", *regional],
                                   [*regional, *(f"departement:{dd.code}" for dd in deps)], year, 6)
        inst = {"id": doc.id, "kind": "PlanDeCooperation", "title": f"Plan de coopération du {pnr_label} {year}-{year + 5}",
                "label": f"Plan de coopération {pnr_label}", "themes": self.themes_of(_pick(rng, PLAN_THEMES, 5)),
                "parties": parties, "lines": doc.lines(3),
                "period": {"start": f"{year}", "end": f"{year + 5}", "lines": doc.lines()},
                "signatures": signatures,
                "governance": self.governance(doc, doc.id, f"du plan ({pnr_label})",
                                              [("comite-pilotage", "Comité de pilotage", 2)], [pnr_id],
                                              parties[1:]),
                "axes": axes, "actions": actions}
        document = self.document(doc, inst["title"], "plan-actions", [pnr_id], date)
        return doc.id, self.record(doc, document, actors, people, [inst])

    # -- coopération décentralisée --------------------------------------------------------------------------
    def decentralisee(self, key: str, french: str, french_label: str) -> tuple[str, dict]:
        rng = self.rng(f"decentralisee:{key}")
        country = rng.choice(sorted(FOREIGN))
        name = rng.choice(FOREIGN[country])
        fid = f"partenaire-etranger-{key}"
        doc = Doc(f"cooperation-decentralisee-{key}", rng)
        actors = [{"id": fid, "kind": "AutoriteEtrangere", "label": name, "country": country, "lines": doc.lines()}]
        year = rng.choice([2015, 2017, 2019, 2021, 2023])
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        people: list[dict] = []
        signatures = [{"for": p, "person": doc.person(people, p, post), "post": post, "date": date,
                       "lines": doc.lines(2)} for p, post in ((french, "président"), (fid, "autorité locale"))]
        themes = self.themes_of(_pick(rng, DECENTRALISEE_THEMES, 3))
        headings = [{"id": t, "label": t.replace("-", " ").capitalize(), "themes": [t], "lines": doc.lines()}
                    for t in themes]
        actions = []
        for i in range(1, rng.randint(5, 15) + 1):
            h = rng.choice(headings)
            actions.append(self.action(doc, i, str(i), h["id"], h["themes"], [french, fid], [french, fid], [],
                                       year=year, years=3))
        inst = {"id": doc.id, "kind": "CooperationDecentralisee",
                "title": f"Convention de coopération décentralisée entre {french_label} et {name}",
                "label": f"Coopération {french_label} - {name}", "themes": themes, "parties": [french, fid],
                "lines": doc.lines(3), "period": {"start": f"{year}", "end": f"{year + 3}", "lines": doc.lines()},
                "legal_basis": self.legal(doc, LEGAL_DECENTRALISEE, []), "signatures": signatures,
                "headings": headings, "actions": actions}
        document = self.document(doc, inst["title"], "convention", [french], date)
        return doc.id, self.record(doc, document, actors, people, [inst])

    # -- everything -------------------------------------------------------------------------------------------
    def records(self, chosen: list[str]) -> list[tuple[str, dict]]:
        """Every record of the chosen départements. At size tiny every kind of instrument is there once at least."""
        geo = self.geo
        out: list[tuple[str, dict]] = []
        deps = [geo.departements[c] for c in chosen]
        tiny = self.size == "tiny"
        for dep in deps:
            out.append(self.sdsf(dep))
            for epci in self.epcis(dep):
                out.append(self.ctg(dep, epci))
        selected = set(chosen)
        pairs = [(a, b) for a, b in geo.neighbours if a in selected and b in selected]
        for a, b in pairs:
            if tiny or self.rng(f"entente?:{a}:{b}").random() < 0.6:
                out += self.entente(geo.departements[a], geo.departements[b])
        # one PNR-like syndicat per pair of neighbouring départements picked at random, each département at most once
        used: set[str] = set()
        for a, b in pairs:
            with_epcis = geo.departements[a].epcis and geo.departements[b].epcis  # Paris has none
            if with_epcis and not ({a, b} & used) and (tiny or self.rng(f"pnr?:{a}:{b}").random() < 0.7):
                used |= {a, b}
                out.append(self.plan(f"{a.lower()}-{b.lower()}", [geo.departements[a], geo.departements[b]]))
        for dep in deps:
            if dep.code not in used and len(dep.epcis) >= 3 and self.rng(f"pnr1?:{dep.code}").random() < 0.3:
                out.append(self.plan(dep.code.lower(), [dep]))
        for i, dep in enumerate(deps):
            if dep.authority_kind == "Departement" and ((tiny and i == 0)
                                                        or self.rng(f"dec?:{dep.code}").random() < 0.4):
                out.append(self.decentralisee(f"departement-{dep.code.lower()}", f"departement:{dep.code}",
                                              f"le Département ({dep.label})"))
            for j, epci in enumerate(self.epcis(dep)):
                if ((tiny and i == j == 0) or epci.kind in LARGE_EPCI) \
                        and self.rng(f"dec?:{epci.siren}").random() < (1.0 if tiny and i == j == 0 else 0.35):
                    out.append(self.decentralisee(f"epci-{epci.siren}", f"epci:{epci.siren}", epci.label))
        return out

    def epcis(self, dep: Departement) -> list[Epci]:
        return dep.epcis[: int(SIZES["tiny"]["max_epci"])] if self.size == "tiny" else dep.epcis


# ------------------------------------------------------------------------------------------------ writing


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Plain YAML: no anchors or aliases (records refuse them)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def dump(record: dict) -> str:
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120,
                     default_flow_style=None)


def generate(size: str, out: Path, *, seed: int = DEFAULT_SEED, reference: Path | None = None,
             progress: bool = False) -> dict[str, object]:
    """Write the records of a size into ``out`` (emptied of its ``*.yaml`` first); return a summary."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: one of {', '.join(SIZES)}")
    started = time.perf_counter()
    reference = reference or data_path("graph/reference")
    geo = load_geography(reference)
    chosen = select_departements(geo, size, seed)
    generator = Generator(geo, seed, size)
    records = generator.records(chosen)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    digest = hashlib.sha256()
    total = 0
    items = records
    if progress:
        from tqdm import tqdm

        items = tqdm(records, desc=f"writing {size} records", unit="record")
    counts: dict[str, int] = defaultdict(int)
    for doc_id, record in items:
        text = f"# Synthetic record (benchmarks/generate.py, size {size}, seed {seed}); not a real document.\n" + dump(record)
        data = text.encode("utf-8")
        (out / f"{doc_id}.yaml").write_bytes(data)
        digest.update(doc_id.encode() + b"\0" + hashlib.sha256(data).digest())
        total += len(data)
        for inst in record["instruments"]:
            counts["actions"] += len(inst.get("actions", []))
            if not inst.get("extends"):
                counts[inst["kind"]] += 1
    summary = {"size": size, "seed": seed, "generator": GENERATOR_VERSION, "records": len(records),
               "departements": len(chosen), "bytes": total, "sha256": digest.hexdigest(),
               "counts": dict(sorted(counts.items())), "probe": generator.probe,
               "seconds": round(time.perf_counter() - started, 2)}
    (out / "generated.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=list(SIZES), required=True)
    ap.add_argument("--out", type=Path, required=True, help="folder for the records (its *.yaml are replaced)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--reference", type=Path, default=None, help="reference layer folder (default: the vendored one)")
    args = ap.parse_args(argv)
    summary = generate(args.size, args.out, seed=args.seed, reference=args.reference, progress=sys.stderr.isatty())
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
