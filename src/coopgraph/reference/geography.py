"""One release of *decoupage-administratif* → the territories, the authorities and the memberships of its millésime.

Territories (``coop:Territoire*``) and authorities (legal persons: ``coop:Commune``, ``coop:Departement``…) are
separate nodes; an authority ``coop:gouverne`` its territory. Upstream gives SIRENs for communes (from 2022 on;
for 2021 through the EPCI member lists), EPCI and EPT; régions, départements and CAF get IRIs by code.

Where the law gave a département or a région a single authority with another status, that authority is minted
instead of a Département or a Région that no longer exists (see ``SPECIAL``): Collectivité de Corse, of Martinique,
of Guyane, Collectivité européenne d'Alsace, Département de Mayotte (which also governs the région), Ville de Paris
(commune and département).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import InputError
from ..iris import COOP, iri
from .model import Dataset, NodeData, plain, typed, u
from .upstream import (
    CODE_ARRONDISSEMENT,
    CODE_COM,
    CODE_COMMUNE,
    CODE_DEPARTEMENT,
    CODE_REGION,
    COMMUNE_TYPES,
    EPCI_TYPES,
    Release,
    Row,
)

P = {name: str(COOP[name]) for name in ("codeInsee", "population", "chefLieu", "partieDe", "siren", "gouverne",
                                        "ressort", "sigle")}

TERRITOIRE = {
    "region": str(COOP.TerritoireRegion),
    "departement": str(COOP.TerritoireDepartement),
    # proposed in notes/SPEC-CHANGES.md; plain coop:Territoire until the ontology declares it
    "collectivite-outre-mer": str(getattr(COOP, "TerritoireCollectiviteOutreMer", COOP.Territoire)),
    "arrondissement": str(COOP.TerritoireArrondissement),
    "commune": str(COOP.TerritoireCommune),
    "commune-deleguee": str(COOP.TerritoireCommuneDeleguee),
    "commune-associee": str(COOP.TerritoireCommuneAssociee),
    "arrondissement-municipal": str(COOP.TerritoireArrondissementMunicipal),
    "epci": str(COOP.TerritoireEPCI),
    "ept": str(COOP.TerritoireEPT),
}
EPCI_CLASS = {
    "CC": str(COOP.CommunauteDeCommunes),
    "CA": str(COOP.CommunauteAgglomeration),
    "CU": str(COOP.CommunauteUrbaine),
    "METRO": str(COOP.Metropole),
    "MET69": str(COOP.MetropoleDeLyon),
}
EPCI_PREFIX = {"CC": "Communauté de communes", "CA": "Communauté d'agglomération", "CU": "Communauté urbaine"}
# Communes of the collectivités d'outre-mer that are communes in law (Saint-Pierre-et-Miquelon, Polynésie française,
# Nouvelle-Calédonie). The others upstream lists as communes are districts or circonscriptions, or the collectivité
# itself (Saint-Barthélemy, Saint-Martin).
COM_WITH_COMMUNES = ("975", "987", "988")


@dataclass(frozen=True)
class Special:
    """An authority that replaces the Département(s) and/or the Région of its territory."""

    slug: str
    label: str
    since: int  # first millésime (1 January) in which it exists
    regions: tuple[str, ...]
    departements: tuple[str, ...]


SPECIAL = (
    Special("corse", "Collectivité de Corse", 2018, ("94",), ("2A", "2B")),
    Special("martinique", "Collectivité territoriale de Martinique", 2016, ("02",), ("972",)),
    Special("guyane", "Collectivité territoriale de Guyane", 2016, ("03",), ("973",)),
    Special("alsace", "Collectivité européenne d'Alsace", 2021, (), ("67", "68")),
)
MAYOTTE = ("976", "06", 2011)  # the Département de Mayotte also exercises the powers of a région
PARIS = ("75056", "75", 2019)  # the Ville de Paris is both the commune and the département

_ARTICLE = {2: ("Le ", "du "), 3: ("La ", "de la "), 4: ("Les ", "des "), 5: ("L'", "de l'"), 6: ("Aux ", "aux "),
            7: ("Las ", "de las "), 8: ("Los ", "de los ")}


def of_name(name: str, tncc: int | None) -> str:
    """``de …`` as French writes it after "Département", "Caf", "Commune", from INSEE's type of name (TNCC).

    0 "de Maine-et-Loire", 1 "d'Eure-et-Loir", 2 "du Rhône", 3 "de la Loire", 4 "des Bouches-du-Rhône", 5 "de l'Ain";
    a commune whose name carries its article: "du Puy-en-Velay", "de La Rochelle", "des Sables-d'Olonne".
    """
    if tncc == 1:
        return "d'" + name
    if tncc in _ARTICLE:
        article, joined = _ARTICLE[tncc]
        if name.startswith(article):
            return ("de " + name) if tncc in (3, 5, 7, 8) else joined + name[len(article):]
        return joined + name
    return "de " + name


def _tncc(row: Row) -> int | None:
    value = row.data.get("typeLiaison")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 8:
        raise row.error(f"'typeLiaison' must be an integer 0-8, not {value!r}", "typeLiaison")
    return value


def _split_sigle(name: str) -> tuple[str, str | None]:
    """"CC de l'Est Lyonnais (CCEL)" → ("CC de l'Est Lyonnais", "CCEL"); a parenthesis that is not a sigle stays."""
    if name.endswith(")") and " (" in name:
        base, _, inner = name[:-1].rpartition(" (")
        inner = inner.strip()
        if inner and len(inner) <= 12 and not any(c.islower() for c in inner):
            return base.strip(), inner
    return name, None


class Contribution:
    """What one release adds to the layer: nodes by IRI, memberships, and its row counts per kind."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.y = release.millesime
        self.dataset = Dataset(release.millesime, release.version)
        self.nodes: dict[str, NodeData] = {}
        self.memberships: set[tuple[str, str]] = set()
        self.counts: Counter[str] = Counter()
        self._territory_codes: dict[str, dict[str, Row]] = {k: {} for k in TERRITOIRE}
        self._authority_of: dict[str, str] | None = None  # commune territory term -> its authority IRI

    # -- helpers

    def territory(self, niveau: str, code: str) -> str:
        return str(iri("territoire", niveau, code))

    def _put(self, key: str, types: tuple[str, ...], label: str, attrs: dict[str, list[str]],
             names: set[str] | None = None) -> None:
        if key in self.nodes:
            raise AssertionError(f"node minted twice: {key}")
        self.nodes[key] = NodeData(
            tuple(sorted(types)), label, {p: tuple(sorted(set(v))) for p, v in attrs.items() if v},
            frozenset(names or ()),
        )

    def _register(self, niveau: str, code: str, row: Row) -> None:
        seen = self._territory_codes[niveau]
        if code in seen:
            raise row.error(f"duplicate {niveau} code {code} (also row {seen[code].index})", "code")
        seen[code] = row

    def _known(self, niveau: str, code: str, row: Row, field: str) -> str:
        if code not in self._territory_codes[niveau]:
            raise row.error(f"'{field}' {code} is not a {niveau} of this release", field)
        return self.territory(niveau, code)

    # -- the build

    def build(self) -> Contribution:
        rel = self.release
        regions = rel.rows["regions"]
        departements = rel.rows["departements"]
        arrondissements = rel.rows["arrondissements"]
        communes = rel.rows["communes"]
        epcis = rel.rows["epci"]
        epts = rel.rows.get("ept", [])

        # 1. register every code first, so that references between files can be checked
        com_rows: dict[str, tuple[str, Row, int | None]] = {}
        region_rows: list[tuple[str, Row]] = []
        for row in regions:
            code = row.text("code")
            if CODE_COM.fullmatch(code or ""):
                com_rows.setdefault(code, (row.text("nom"), row, _tncc(row)))
                continue
            code = row.code("code", CODE_REGION, "région")
            self._register("region", code, row)
            region_rows.append((code, row))
        dep_rows: list[tuple[str, Row]] = []
        for row in departements:
            code = row.text("code")
            if CODE_COM.fullmatch(code or "") and row.data.get("region") == code:
                com_rows[code] = (row.text("nom"), row, _tncc(row))
                continue
            code = row.code("code", CODE_DEPARTEMENT, "département")
            self._register("departement", code, row)
            dep_rows.append((code, row))
        for row in arrondissements:
            self._register("arrondissement", row.code("code", CODE_ARRONDISSEMENT, "arrondissement"), row)
        commune_rows: list[tuple[str, str, Row]] = []
        for row in communes:
            kind = row.text("type")
            if kind not in COMMUNE_TYPES:
                raise row.error(f"unknown commune type {kind!r} (expected one of {', '.join(COMMUNE_TYPES)})", "type")
            niveau = "commune" if kind == "commune-actuelle" else kind
            code = row.code("code", CODE_COMMUNE, "commune")
            self._register(niveau, code, row)
            commune_rows.append((niveau, code, row))
            outremer = row.data.get("collectiviteOutremer")  # 2021: communes of the COM carry their collectivité
            if isinstance(outremer, dict):
                sub = Row(row.file, row.index, row.line, outremer)
                com = sub.code("code", CODE_COM, "collectivité d'outre-mer")
                com_rows.setdefault(com, (sub.text("nom"), Row(row.file, row.index, row.line, {}), None))
        for code, (_, row, _) in com_rows.items():
            self._territory_codes["collectivite-outre-mer"][code] = row

        # 2. territories; the population of a région, département, arrondissement or COM is the sum of the
        #    populations of its current communes (upstream gives none for them)
        totals: Counter[tuple[str, str]] = Counter()
        for niveau, _code, row in commune_rows:
            pop = row.data.get("population")
            if niveau != "commune" or not isinstance(pop, int) or isinstance(pop, bool):
                continue
            outremer = row.data.get("collectiviteOutremer")
            for level, key in (("region", "region"), ("departement", "departement"),
                               ("arrondissement", "arrondissement")):
                value = row.data.get(key)
                if isinstance(value, str) and value:
                    totals[(level, value)] += pop
            if isinstance(outremer, dict):
                totals[("departement", str(outremer.get("code")))] += pop

        def population(level: str, code: str) -> list[str]:
            total = totals.get(("departement" if level == "collectivite-outre-mer" else level, code))
            return [typed(total, "integer")] if total is not None else []

        for code, (nom, row, _) in sorted(com_rows.items()):
            attrs: dict[str, list[str]] = {P["codeInsee"]: [plain(code)],
                                           P["population"]: population("collectivite-outre-mer", code)}
            chef = row.data.get("chefLieu")
            if chef is not None:
                chef = row.code("chefLieu", CODE_COMMUNE, "commune")
                attrs[P["chefLieu"]] = [u(self._known("commune", chef, row, "chefLieu"))]
            self._put(self.territory("collectivite-outre-mer", code), (TERRITOIRE["collectivite-outre-mer"],),
                      nom, attrs)
        self.counts["collectivite-outre-mer"] = len(com_rows)

        for code, row in region_rows:
            chef = row.code("chefLieu", CODE_COMMUNE, "commune")
            self._put(self.territory("region", code), (TERRITOIRE["region"],), row.text("nom"), {
                P["codeInsee"]: [plain(code)],
                P["population"]: population("region", code),
                P["chefLieu"]: [u(self._known("commune", chef, row, "chefLieu"))],
            })
        self.counts["region"] = len(region_rows)

        for code, row in dep_rows:
            region = row.code("region", CODE_REGION, "région")
            chef = row.code("chefLieu", CODE_COMMUNE, "commune")
            self._put(self.territory("departement", code), (TERRITOIRE["departement"],), row.text("nom"), {
                P["codeInsee"]: [plain(code)],
                P["population"]: population("departement", code),
                P["chefLieu"]: [u(self._known("commune", chef, row, "chefLieu"))],
                P["partieDe"]: [u(self._known("region", region, row, "region"))],
            })
        self.counts["departement"] = len(dep_rows)

        for row in arrondissements:
            code = row.data["code"]
            dep = row.code("departement", CODE_DEPARTEMENT, "département")
            region = row.code("region", CODE_REGION, "région")
            chef = row.code("chefLieu", CODE_COMMUNE, "commune")
            self._put(self.territory("arrondissement", code), (TERRITOIRE["arrondissement"],), row.text("nom"), {
                P["codeInsee"]: [plain(code)],
                P["population"]: population("arrondissement", code),
                P["chefLieu"]: [u(self._known("commune", chef, row, "chefLieu"))],
                P["partieDe"]: [u(self._known("departement", dep, row, "departement")),
                                u(self._known("region", region, row, "region"))],
            })
        self.counts["arrondissement"] = len(arrondissements)

        sirens = self._commune_sirens(commune_rows, epcis, epts)
        for niveau, code, row in commune_rows:
            self._commune(niveau, code, row, sirens.get(code))
            self.counts[niveau] += 1
        for niveau in ("commune", "commune-deleguee", "commune-associee", "arrondissement-municipal"):
            self.counts.setdefault(niveau, 0)

        # 3. groupements and their members
        for row in epcis:
            self._groupement(row, "epci")
        for row in epts:
            self._groupement(row, "ept")
        self.counts["epci"] = len(epcis)
        self.counts["ept"] = len(epts)
        for t in EPCI_TYPES:
            self.counts.setdefault(f"epci-{t}", 0)

        # 4. the authorities of régions and départements, and every département's CAF
        self._departmental_authorities(region_rows, dep_rows)
        return self

    def _commune_sirens(self, commune_rows: list[tuple[str, str, Row]], epcis: list[Row],
                        epts: list[Row]) -> dict[str, str]:
        """SIREN of each current commune: its own row, else the member lists of EPCI and EPT (2021)."""
        sirens: dict[str, str] = {}
        origin: dict[str, Row] = {}
        for niveau, code, row in commune_rows:
            if niveau == "commune":
                siren = row.siren("siren", required=False)
                if siren:
                    sirens[code], origin[code] = siren, row
        for row in (*epcis, *epts):
            for i, member in enumerate(self._members(row)):
                code = member.data.get("code")
                siren = member.siren("siren", required=False)
                if not siren or not isinstance(code, str):
                    continue
                if code in sirens and sirens[code] != siren:
                    raise member.error(
                        f"membres[{i}]: SIREN {siren} of commune {code} differs from {sirens[code]} "
                        f"({origin[code].file}, row {origin[code].index})", "membres")
                sirens.setdefault(code, siren)
                origin.setdefault(code, row)
        return sirens

    def _commune(self, niveau: str, code: str, row: Row, siren: str | None) -> None:
        nom = row.text("nom")
        attrs: dict[str, list[str]] = {P["codeInsee"]: [plain(code)], P["partieDe"]: []}
        parents = attrs[P["partieDe"]]
        dep = row.data.get("departement")
        com = None
        if isinstance(row.data.get("collectiviteOutremer"), dict):
            com = row.data["collectiviteOutremer"]["code"]
        elif isinstance(dep, str) and CODE_COM.fullmatch(dep):
            com = dep
        if com is not None:
            parents.append(u(self.territory("collectivite-outre-mer", com)))
        else:
            dep = row.code("departement", CODE_DEPARTEMENT, "département")
            region = row.code("region", CODE_REGION, "région")
            parents.append(u(self._known("departement", dep, row, "departement")))
            parents.append(u(self._known("region", region, row, "region")))
            arr = None  # Mayotte has no arrondissement: upstream writes ""
            if row.data.get("arrondissement") not in (None, ""):
                arr = row.code("arrondissement", CODE_ARRONDISSEMENT, "arrondissement")
            if arr is not None:
                parents.append(u(self._known("arrondissement", arr, row, "arrondissement")))
        if niveau in ("commune-deleguee", "commune-associee"):
            parent = row.code("chefLieu", CODE_COMMUNE, "commune")
            parents.append(u(self._known("commune", parent, row, "chefLieu")))
        elif niveau == "arrondissement-municipal":
            parent = row.code("commune", CODE_COMMUNE, "commune")
            parents.append(u(self._known("commune", parent, row, "commune")))
        population = row.integer("population")
        if population is not None:
            attrs[P["population"]] = [typed(population, "integer")]
        territory = self.territory(niveau, code)
        self._put(territory, (TERRITOIRE[niveau],), nom, attrs)

        if niveau != "commune" or (com is not None and com not in COM_WITH_COMMUNES):
            return
        # the commune as a legal person
        paris = code == PARIS[0] and self.y >= PARIS[2]
        label = "Ville de Paris" if paris else "Commune " + of_name(nom, _tncc(row))
        types = [str(COOP.Commune)]
        governs = [u(territory)]
        if paris:
            types.append(str(COOP.CollectiviteStatutParticulier))
            governs.append(u(self.territory("departement", PARIS[1])))
        a_attrs: dict[str, list[str]] = {P["gouverne"]: governs}
        if siren:
            a_attrs[P["siren"]] = [plain(siren)]
            key = str(iri("acteur", "siren", siren))
        else:
            key = str(iri("acteur", "commune", code))
        self._put(key, tuple(types), label, a_attrs)
        self.counts["acteur-commune"] += 1

    def _members(self, row: Row) -> list[Row]:
        members = row.data.get("membres")
        if not isinstance(members, list):
            raise row.error("'membres' must be a list", "membres")
        out = []
        for i, m in enumerate(members):
            if not isinstance(m, dict):
                raise row.error(f"membres[{i}] must be an object", "membres")
            out.append(Row(row.file, row.index, row.line, m))
        return out

    def _groupement(self, row: Row, niveau: str) -> None:
        siren = row.siren("code")
        kind = row.text("type")
        if niveau == "epci" and kind not in EPCI_TYPES:
            raise row.error(f"unknown EPCI type {kind!r} (expected one of {', '.join(EPCI_TYPES)})", "type")
        self._register(niveau, siren, row)
        nom = row.text("nom")
        territory = self.territory(niveau, siren)
        t_attrs: dict[str, list[str]] = {P["codeInsee"]: [plain(siren)]}
        population = row.integer("populationMunicipale")
        if population is not None:
            t_attrs[P["population"]] = [typed(population, "integer")]
        self._put(territory, (TERRITOIRE[niveau],), nom, t_attrs)

        base, sigle = _split_sigle(nom)
        names: set[str] = set()
        prefix = base.split(" ", 1)
        if niveau == "epci" and len(prefix) == 2 and prefix[0] in EPCI_PREFIX:
            names.add(f"{EPCI_PREFIX[prefix[0]]} {prefix[1]}")
        if base != nom:
            names.add(base)
        authority = str(iri("acteur", "siren", siren))
        a_attrs: dict[str, list[str]] = {P["siren"]: [plain(siren)], P["gouverne"]: [u(territory)]}
        if sigle:
            a_attrs[P["sigle"]] = [plain(sigle)]
        cls = EPCI_CLASS[kind] if niveau == "epci" else str(COOP.EtablissementPublicTerritorial)
        self._put(authority, (cls,), nom, a_attrs, names)
        if niveau == "epci":
            self.counts[f"epci-{kind}"] += 1

        seen: set[str] = set()
        for i, member in enumerate(self._members(row)):
            code = member.data.get("code")
            if not isinstance(code, str) or not CODE_COMMUNE.fullmatch(code):
                raise member.error(f"membres[{i}]: malformed commune code {code!r}", "membres")
            if code not in self._territory_codes["commune"]:
                raise member.error(f"membres[{i}]: {code} is not a commune of this release", "membres")
            if code in seen:
                raise member.error(f"membres[{i}]: commune {code} listed twice", "membres")
            seen.add(code)
            commune_authority = self._commune_authority(code)
            if commune_authority is None:
                raise member.error(f"membres[{i}]: commune {code} has no authority in this release", "membres")
            pair = (commune_authority, authority)
            if pair in self.memberships:
                raise member.error(f"membres[{i}]: commune {code} is already a member", "membres")
            self.memberships.add(pair)
            self.counts[f"membre-{niveau}"] += 1
        self.counts.setdefault(f"membre-{niveau}", 0)

    def _commune_authority(self, code: str) -> str | None:
        if self._authority_of is None:  # every commune is minted before the first EPCI is read
            self._authority_of = {}
            for key, data in self.nodes.items():
                if str(COOP.Commune) in data.types:
                    for t in data.attrs.get(P["gouverne"], ()):
                        self._authority_of[t] = key
        return self._authority_of.get(u(self.territory("commune", code)))

    def _departmental_authorities(self, region_rows: list[tuple[str, Row]], dep_rows: list[tuple[str, Row]]) -> None:
        special_regions: dict[str, Special] = {}
        special_deps: dict[str, Special] = {}
        for sp in SPECIAL:
            if self.y < sp.since:
                continue
            for r in sp.regions:
                special_regions[r] = sp
            for d in sp.departements:
                special_deps[d] = sp
            governs = [u(self.territory("region", r)) for r in sp.regions if r in self._territory_codes["region"]]
            governs += [u(self.territory("departement", d)) for d in sp.departements
                        if d in self._territory_codes["departement"]]
            if governs:
                self._put(str(iri("acteur", "collectivite", sp.slug)), (str(COOP.CollectiviteStatutParticulier),),
                          sp.label, {P["gouverne"]: governs})
        mayotte = self.y >= MAYOTTE[2] and MAYOTTE[0] in self._territory_codes["departement"]
        paris = self.y >= PARIS[2]

        for code, row in region_rows:
            if code in special_regions or (mayotte and code == MAYOTTE[1]):
                continue
            self._put(str(iri("acteur", "region", code)), (str(COOP.Region),), "Région " + row.text("nom"),
                      {P["gouverne"]: [u(self.territory("region", code))]})
            self.counts["acteur-region"] += 1
        for code, row in dep_rows:
            nom = row.text("nom")
            tncc = _tncc(row)
            territory = u(self.territory("departement", code))
            if code == MAYOTTE[0] and mayotte:
                governs = [territory]
                if MAYOTTE[1] in self._territory_codes["region"]:
                    governs.append(u(self.territory("region", MAYOTTE[1])))
                self._put(str(iri("acteur", "departement", code)), (str(COOP.Departement),),
                          "Département " + of_name(nom, tncc), {P["gouverne"]: governs})
                self.counts["acteur-departement"] += 1
            elif code not in special_deps and not (paris and code == PARIS[1]):
                self._put(str(iri("acteur", "departement", code)), (str(COOP.Departement),),
                          "Département " + of_name(nom, tncc), {P["gouverne"]: [territory]})
                self.counts["acteur-departement"] += 1
            if code == MAYOTTE[0]:
                caf_label, names = "Caisse de sécurité sociale de Mayotte", {"Caf de Mayotte"}
            else:
                caf_label, names = "Caf " + of_name(nom, tncc), set()
            self._put(str(iri("acteur", "caf", code)), (str(COOP.CAF),), caf_label, {P["ressort"]: [territory]},
                      names)
            self.counts["caf"] += 1
        for key in ("acteur-region", "acteur-departement", "caf", "acteur-commune"):
            self.counts.setdefault(key, 0)


def contribution(release: Release) -> Contribution:
    """Everything one release adds to the layer (raises InputError on a bad row)."""
    try:
        return Contribution(release).build()
    except KeyError as exc:  # a row without a key read unchecked: name the file
        raise InputError(f"missing key {exc}", file=release.origin) from None


__all__ = ["SPECIAL", "Contribution", "contribution", "of_name"]
