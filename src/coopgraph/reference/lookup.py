"""Finding territories and authorities of the reference layer by INSEE code, by SIREN, and by name as documents write it.

    >>> ref = load_index()
    >>> ref.lookup("Département de la Loire").best.iri           # the authority, not the territory
    'https://w3id.org/coopgraph/id/acteur/departement/42'
    >>> ref.lookup("la Caf de Maine-et-Loire").best.label
    'Caf de Maine-et-Loire'
    >>> ref.lookup("CC Loire Layon Aubance").best.siren
    '200071553'
    >>> ref.lookup("Saint-Denis").ambiguous, ref.lookup("Saint-Denis", departement="93").best.code
    (True, '93066')

Names are compared after folding case, accents, apostrophes, hyphens and punctuation, expanding "St"/"Ste", and
dropping articles ("le", "la", "l'", "de", "du", "des", "et"…). A leading kind word ("Département", "Région",
"Caf", "CC", "communauté d'agglomération", "Métropole", "commune", "ville"…) says what is looked for; the name that
follows is matched against the territories of that kind, and the answer is the authority that governs it (or, for a
CAF, the CAF whose ressort it is). Exact matches rank first; otherwise fuzzy matching (rapidfuzz) proposes candidates.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from ..errors import InputError
from ..iris import BASE, COOP
from .layer import INDEX_FILE, LAYER_FILE, default_dir
from .model import RDF_TYPE, RDFS_LABEL, SKOS_ALT, State, fr, literal_text, u, year

# ------------------------------------------------------------------------------------------------ names

_STOP = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "et", "a", "au", "aux", "en"})
_ABBREV = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})

# kind words at the start of a name → what is looked for
KIND_PHRASES: dict[tuple[str, ...], str] = {
    ("conseil", "departemental"): "departement",
    ("conseil", "general"): "departement",
    ("departement",): "departement",
    ("conseil", "regional"): "region",
    ("region",): "region",
    ("caisse", "allocations", "familiales"): "caf",
    ("caf",): "caf",
    ("communaute", "communes"): "cc",
    ("cc",): "cc",
    ("communaute", "agglomeration"): "ca",
    ("ca",): "ca",
    ("agglo",): "ca",
    ("communaute", "urbaine"): "cu",
    ("cu",): "cu",
    ("metropole",): "metropole",
    ("etablissement", "public", "territorial"): "ept",
    ("ept",): "ept",
    ("epci",): "epci",
    ("intercommunalite",): "epci",
    ("communaute",): "epci",
    ("commune",): "commune",
    ("ville",): "commune",
    ("mairie",): "commune",
}
_MAX_PHRASE = max(len(k) for k in KIND_PHRASES)

# what each kind looks in: territory niveau, and the authority classes it prefers
KIND_NIVEAU = {
    "departement": "departement", "region": "region", "caf": "departement", "commune": "commune",
    "cc": "epci", "ca": "epci", "cu": "epci", "metropole": "epci", "epci": "epci", "ept": "ept",
}
KIND_CLASSES = {
    "cc": {str(COOP.CommunauteDeCommunes)},
    "ca": {str(COOP.CommunauteAgglomeration)},
    "cu": {str(COOP.CommunauteUrbaine)},
    "metropole": {str(COOP.Metropole), str(COOP.MetropoleDeLyon)},
}
# with no kind word, which kinds of place come first when names tie
NIVEAU_RANK = {
    "region": 0, "departement": 1, "collectivite-outre-mer": 2, "epci": 3, "ept": 4, "commune": 5,
    "arrondissement-municipal": 6, "commune-deleguee": 7, "commune-associee": 8, "arrondissement": 9,
}


def name_tokens(text: str) -> list[str]:
    """The words of a name, folded for comparison: "St-Georges-s/-Loire" → ['saint', 'georges', 'sur', 'loire']."""
    t = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"\bs/", " sur ", t)
    words = re.sub(r"[^a-z0-9]+", " ", t).split()
    return [w for w in (_ABBREV.get(w, w) for w in words) if w not in _STOP]


def _accented(text: str) -> str:
    """Case and punctuation folded but accents kept: tells "Loire" from "Loiré" when both fold to "loire"."""
    words = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text).lower()).split()
    return " ".join(_ABBREV.get(w, w) for w in words if w not in _STOP)


def normalize(text: str) -> str:
    """The comparison key of a name."""
    return " ".join(name_tokens(text))


def split_kind(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Leading kind words off: ['communaute', 'agglomeration', 'bassin', 'brive'] → ('ca', ['bassin', 'brive'])."""
    kind = None
    rest = tokens
    while rest:
        for n in range(min(_MAX_PHRASE, len(rest) - 1), 0, -1):
            found = KIND_PHRASES.get(tuple(rest[:n]))
            if found:
                kind = kind or found
                rest = rest[n:]
                break
        else:
            break
    return kind, rest


# ------------------------------------------------------------------------------------------------ entries


@dataclass(frozen=True)
class Entry:
    """A territory or an authority of the layer."""

    iri: str
    role: str  # "territoire" or "acteur"
    kind: str  # territory: its niveau; authority: its class's local name (Commune, Departement, CAF…)
    label: str
    names: tuple[str, ...]
    code: str | None  # territory: INSEE code; authority: the code of the territory it governs (or its CAF ressort)
    siren: str | None
    departements: tuple[str, ...]
    millesimes: tuple[int, ...]
    population: int | None = None
    classes: tuple[str, ...] = ()
    sigle: str | None = None
    current: bool = True  # exists in the newest millésime of the layer


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float  # 100 exact; lower for fuzzy matches
    matched: str  # the name that matched


@dataclass
class Match:
    """The answer to a name lookup: ranked candidates, and the best one when there is no tie."""

    query: str
    candidates: list[Candidate] = field(default_factory=list)
    kind: str | None = None
    departement: str | None = None

    @property
    def ambiguous(self) -> bool:
        if len(self.candidates) < 2:
            return False
        a, b = self.candidates[0], self.candidates[1]
        if b.entry.role == "territoire" and b.entry.kind == "arrondissement" and a.entry.kind != "arrondissement":
            return False  # an arrondissement bears the name of its chef-lieu: the commune is meant
        return a.score == b.score and a.entry.current == b.entry.current

    @property
    def best(self) -> Entry | None:
        if not self.candidates or self.ambiguous:
            return None
        return self.candidates[0].entry

    def __bool__(self) -> bool:
        return self.best is not None


# ------------------------------------------------------------------------------------------------ the index


_P_CODE = str(COOP.codeInsee)
_P_SIREN = str(COOP.siren)
_P_POP = str(COOP.population)
_P_PART = str(COOP.partieDe)
_P_GOUV = str(COOP.gouverne)
_P_RESS = str(COOP.ressort)
_P_MILL = str(COOP.millesime)
_P_SIGLE = str(COOP.sigle)
_ORG_MEMBER = "http://www.w3.org/ns/org#member"
_ORG_ORG = "http://www.w3.org/ns/org#organization"
_WANTED = {RDF_TYPE, RDFS_LABEL, SKOS_ALT, _P_CODE, _P_SIREN, _P_POP, _P_PART, _P_GOUV, _P_RESS, _P_MILL, _P_SIGLE}
_TERR = BASE + "id/territoire/"
_ACT = BASE + "id/acteur/"
_ADH = BASE + "id/adhesion/"
INDEX_FORMAT = 1
_DEP_CODE = re.compile(r"^(?:\d{2}|2[AaBb]|9[78]\d)$")


class ReferenceIndex:
    """Lookups over the reference layer. Build it with ``load_index()`` (cached) or ``ReferenceIndex.load(path)``."""

    def __init__(self, entries: dict[str, Entry], governed_by: dict[str, list[str]], caf_of: dict[str, str],
                 millesimes: list[int], source: str | None = None,
                 keys: dict[str, list[tuple[str, bool]]] | None = None) -> None:
        self.entries = entries
        self.governed_by = governed_by  # territory IRI -> authority IRIs
        self.caf_of = caf_of  # département territory IRI -> CAF IRI
        self.millesimes = millesimes
        self.source = source  # sha256 of the layer it was read from
        self.newest = millesimes[-1] if millesimes else None
        self._governs: dict[str, list[str]] = defaultdict(list)  # authority IRI -> territory IRIs
        for t, auths in governed_by.items():
            for a in auths:
                self._governs[a].append(t)
        for t, caf in caf_of.items():
            self._governs[caf].append(t)
        self._by_code: dict[tuple[str, str], str] = {}
        self._by_siren: dict[str, str] = {}
        for e in entries.values():
            if e.role == "territoire" and e.code:
                self._by_code[(e.kind, e.code)] = e.iri
            if e.siren and e.role == "acteur":
                self._by_siren[e.siren] = e.iri
        self._keys = keys if keys is not None else self._name_keys(entries.values())
        self._fuzzy: dict[str | None, list[str]] = {}
        self._dep_keys = {normalize(e.label): e.code for e in entries.values()
                          if e.role == "territoire" and e.kind == "departement" and e.code}

    @staticmethod
    def _name_keys(entries: Iterable[Entry]) -> dict[str, list[tuple[str, bool]]]:
        """Comparison key of every name -> (IRI, whether the key is the name without its kind words).

        Territories are also indexed without their leading kind words ("CC Loire Layon Aubance" under
        "loire layon aubance"); authorities only under their full names and sigles, since a kind word in a query
        is answered through the territory ("Caf de la Loire" → the département Loire → its CAF).
        """
        keys: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for e in sorted(entries, key=lambda x: x.iri):
            seen: set[tuple[str, bool]] = set()
            for name in sorted({e.label, *e.names, *([e.sigle] if e.sigle else [])}):
                tokens = name_tokens(name)
                if not tokens:
                    continue
                seen.add((" ".join(tokens), False))
                if e.role == "territoire":
                    kind, rest = split_kind(tokens)
                    if kind and rest:
                        seen.add((" ".join(rest), True))
            for key, stripped in sorted(seen):
                if (key, False) in seen and stripped:
                    continue
                keys[key].append((e.iri, stripped))
        return dict(keys)

    # -- loading

    @classmethod
    def load(cls, path: Path | str | None = None) -> ReferenceIndex:
        """Read the layer (``graph/reference/reference.nt.gz`` by default)."""
        path = Path(path) if path is not None else default_dir() / LAYER_FILE
        if path.is_dir():
            path = path / LAYER_FILE
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise InputError("no reference layer (coopgraph reference build)", file=str(path)) from None
        except OSError as exc:
            raise InputError(f"unreadable reference layer: {exc}", file=str(path)) from None
        digest = hashlib.sha256(blob).hexdigest()
        sidecar = path.with_name(INDEX_FILE)
        if sidecar.is_file():
            index = cls.from_json_bytes(sidecar.read_bytes(), expect=digest)
            if index is not None:
                return index
        try:
            text = gzip.decompress(blob).decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"unreadable reference layer: {exc}", file=str(path)) from None
        return cls.from_lines(text.split("\n"), source=digest)

    @classmethod
    def from_lines(cls, lines: list[str], source: str | None = None) -> ReferenceIndex:
        """The index of a layer given as its N-Triples lines."""
        if any(lines[i] > lines[i + 1] for i in range(len(lines) - 1)):
            lines = sorted(lines)  # the layer is written sorted; this only guards a hand-made file
        lo = bisect.bisect_left(lines, "<" + _ADH)
        hi = bisect.bisect_left(lines, "<" + _ADH[:-1] + chr(ord("/") + 1))
        props: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for i in (*range(0, lo), *range(hi, len(lines))):
            line = lines[i]
            if not line:
                continue
            s, p, o = line.split(" ", 2)
            p = p[1:-1]
            if p in _WANTED:
                props[s[1:-1]][p].append(o[:-2])
        members: dict[str, str] = {}
        orgs: dict[str, str] = {}
        years: dict[str, list[int]] = defaultdict(list)
        for i in range(lo, hi):
            line = lines[i]
            s, p, o = line.split(" ", 2)
            if p == f"<{_ORG_MEMBER}>":
                members[s] = o[1:-3]
            elif p == f"<{_ORG_ORG}>":
                orgs[s] = o[1:-3]
            elif p == f"<{_P_MILL}>":
                years[s].append(int(literal_text(o[:-2])))
        memberships = [(members[m], orgs[m], years[m]) for m in members if m in orgs]
        return cls._from_props(props, memberships, source=source)

    @classmethod
    def from_state(cls, state: State, source: str | None = None) -> ReferenceIndex:
        """The index of a layer still in memory (what ``from_lines`` would read from its written form)."""
        props: dict[str, dict[str, list[str]]] = {}
        for node in state.nodes.values():
            p: dict[str, list[str]] = {
                RDF_TYPE: [u(t) for t in node.types],
                RDFS_LABEL: [fr(node.label)],
                SKOS_ALT: [fr(n) for n in node.names if n != node.label],
                _P_MILL: [year(y) for y in node.millesimes],
            }
            for pred, values in node.attrs.items():
                if pred in _WANTED:
                    p[pred] = list(values)
            props[node.iri] = p
        memberships = [(member, org, sorted(years)) for (member, org), years in state.memberships.items()]
        return cls._from_props(props, memberships, source=source)

    @classmethod
    def _from_props(cls, props: dict[str, dict[str, list[str]]], memberships: list[tuple[str, str, list[int]]],
                    source: str | None = None) -> ReferenceIndex:
        def lit(values: list[str]) -> str | None:
            return literal_text(values[0]) if values else None

        def iris(values: list[str]) -> list[str]:
            return [v[1:-1] for v in values]

        all_years: set[int] = set()
        raw: dict[str, dict[str, list[str]]] = {}
        for s, p in props.items():
            if s.startswith((_TERR, _ACT)) and p.get(_P_MILL):
                raw[s] = p
                all_years.update(int(literal_text(v)) for v in p[_P_MILL])
        newest = max(all_years) if all_years else 0

        # départements of every territory, from the parents
        dep_of: dict[str, set[str]] = defaultdict(set)
        region_deps: dict[str, set[str]] = defaultdict(set)
        for s, p in raw.items():
            if not s.startswith(_TERR):
                continue
            niveau, code = s[len(_TERR):].split("/", 1)
            if niveau in ("departement", "collectivite-outre-mer"):  # a COM counts as its own département here
                dep_of[s].add(code)
                for parent in iris(p.get(_P_PART, [])):
                    region_deps[parent].add(code)
            else:
                for parent in iris(p.get(_P_PART, [])):
                    if parent.startswith((_TERR + "departement/", _TERR + "collectivite-outre-mer/")):
                        dep_of[s].add(parent.rsplit("/", 1)[1])
        for region, deps in region_deps.items():
            dep_of[region] |= deps
        governed: dict[str, list[str]] = defaultdict(list)  # authority -> territories
        governed_by: dict[str, list[str]] = defaultdict(list)
        caf_of: dict[str, str] = {}
        for s, p in raw.items():
            if s.startswith(_ACT):
                for t in iris(p.get(_P_GOUV, [])):
                    governed[s].append(t)
                    governed_by[t].append(s)
                for t in iris(p.get(_P_RESS, [])):
                    governed[s].append(t)
                    caf_of[t] = s
        # an EPCI or EPT lies in the départements of its member communes (newest millésime it holds in)
        commune_of: dict[str, str] = {a: t for a, ts in governed.items() for t in ts
                                      if t.startswith(_TERR + "commune/")}
        org_newest: dict[str, int] = {}
        for _member, org, ys in memberships:
            org_newest[org] = max(org_newest.get(org, 0), *ys)
        for member, org, ys in memberships:
            if org_newest.get(org) in ys and member in commune_of:
                deps = dep_of.get(commune_of[member], set())
                for t in governed.get(org, []):
                    dep_of[t] |= deps

        entries: dict[str, Entry] = {}
        for s, p in raw.items():
            millesimes = tuple(sorted(int(literal_text(v)) for v in p[_P_MILL]))
            label = lit(p.get(RDFS_LABEL, [])) or s
            names = tuple(sorted(literal_text(v) for v in p.get(SKOS_ALT, [])))
            classes = tuple(sorted(iris(p.get(RDF_TYPE, []))))
            pop = lit(p.get(_P_POP, []))
            if s.startswith(_TERR):
                niveau, code = s[len(_TERR):].split("/", 1)
                entries[s] = Entry(s, "territoire", niveau, label, names, lit(p.get(_P_CODE, [])) or code, None,
                                   tuple(sorted(dep_of.get(s, ()))), millesimes,
                                   int(pop) if pop is not None else None, classes,
                                   current=millesimes[-1] == newest)
            else:  # the territories of its newest millésime first
                territories = sorted(governed.get(s, []), key=lambda t: (
                    -max((int(literal_text(v)) for v in raw.get(t, {}).get(_P_MILL, [])), default=0), t))
                deps: set[str] = set()
                code = None
                population = None
                for t in territories:
                    deps |= dep_of.get(t, set())
                    tcode = t.rsplit("/", 1)[1]
                    if code is None:
                        code = tcode
                    tp = raw.get(t, {}).get(_P_POP)
                    if tp and population is None:
                        population = int(literal_text(tp[0]))
                kind = classes[0].rsplit("#", 1)[-1] if classes else "Acteur"
                if str(COOP.Commune) in classes:
                    kind = "Commune"
                entries[s] = Entry(s, "acteur", kind, label, names, code, lit(p.get(_P_SIREN, [])),
                                   tuple(sorted(deps)), millesimes, population, classes,
                                   lit(p.get(_P_SIGLE, [])), current=millesimes[-1] == newest)
        years = sorted(all_years)
        index = cls(entries, {k: sorted(v) for k, v in governed_by.items()}, caf_of, years)
        index.source = source
        return index

    # -- the vendored index (lookup.json.gz next to the layer)

    def to_json_bytes(self) -> bytes:
        """The index as deterministic gzip'd JSON, tied to the layer it was made from by its sha256."""
        cut = len(BASE + "id/")
        order = sorted(self.entries)
        position = {iri: i for i, iri in enumerate(order)}
        rows = []
        for iri in order:
            e = self.entries[iri]
            rows.append([iri[cut:], e.role, e.kind, e.label, list(e.names), e.code, e.siren, list(e.departements),
                         list(e.millesimes), e.population, list(e.classes), e.sigle, e.current])
        payload = {
            "format": INDEX_FORMAT,
            "layer_sha256": self.source,
            "millesimes": self.millesimes,
            "entries": rows,
            "governed_by": {t[cut:]: [a[cut:] for a in auths] for t, auths in sorted(self.governed_by.items())},
            "caf_of": {t[cut:]: c[cut:] for t, c in sorted(self.caf_of.items())},
            "keys": {k: [[position[i], int(st)] for i, st in v] for k, v in sorted(self._keys.items())},
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)

    @classmethod
    def from_json_bytes(cls, blob: bytes, expect: str | None = None) -> ReferenceIndex | None:
        """The index written by ``to_json_bytes``; None if it is unreadable, of another format or another layer."""
        try:
            data = json.loads(gzip.decompress(blob))
            if data.get("format") != INDEX_FORMAT or (expect is not None and data.get("layer_sha256") != expect):
                return None
            base = BASE + "id/"
            entries: dict[str, Entry] = {}
            order: list[str] = []
            for (iri, role, kind, label, names, code, siren, deps, years, pop, classes, sigle,
                 current) in data["entries"]:
                full = base + iri
                order.append(full)
                entries[full] = Entry(full, role, kind, label, tuple(names), code, siren, tuple(deps), tuple(years),
                                      pop, tuple(classes), sigle, bool(current))
            governed_by = {base + t: [base + a for a in auths] for t, auths in data["governed_by"].items()}
            caf_of = {base + t: base + c for t, c in data["caf_of"].items()}
            keys = {k: [(order[i], bool(st)) for i, st in v] for k, v in data["keys"].items()}
            return cls(entries, governed_by, caf_of, list(data["millesimes"]), data.get("layer_sha256"), keys)
        except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError):
            return None

    # -- by code

    def by_insee(self, code: str, niveau: str = "commune") -> Entry | None:
        """A territory by its INSEE code and niveau (commune, departement, region, arrondissement, epci, ept,
        commune-deleguee, commune-associee, arrondissement-municipal, collectivite-outre-mer)."""
        key = self._by_code.get((niveau, str(code).upper() if niveau == "departement" else str(code)))
        return self.entries.get(key) if key else None

    def territories(self, code: str) -> list[Entry]:
        """Every territory with this code, whatever its niveau (84 is a région and a département)."""
        found = [self.entries[i] for (niv, c), i in self._by_code.items() if c == code]
        return sorted(found, key=lambda e: NIVEAU_RANK.get(e.kind, 99))

    def by_siren(self, siren: str) -> Entry | None:
        """An authority by its SIREN (communes, EPCI, EPT)."""
        key = self._by_siren.get(str(siren).replace(" ", ""))
        return self.entries.get(key) if key else None

    def get(self, iri: str) -> Entry | None:
        return self.entries.get(str(iri))

    def authorities_of(self, territory: Entry | str) -> list[Entry]:
        """The authorities that govern a territory (the Département, the commune, the EPCI…)."""
        t = territory.iri if isinstance(territory, Entry) else str(territory)
        return [self.entries[a] for a in self.governed_by.get(t, [])]

    def territories_of(self, authority: Entry | str) -> list[Entry]:
        """The territories an authority governs (or, for a CAF, its ressort)."""
        a = authority.iri if isinstance(authority, Entry) else str(authority)
        return [self.entries[t] for t in sorted(set(self._governs.get(a, ()))) if t in self.entries]

    def departement(self, code: str) -> Entry | None:
        """The authority of a département (Département, or the collectivité that took its place)."""
        t = self.by_insee(code, "departement")
        auths = self.authorities_of(t) if t else []
        return auths[0] if auths else None

    def caf(self, code: str) -> Entry | None:
        t = self.by_insee(code, "departement")
        caf = self.caf_of.get(t.iri) if t else None
        return self.entries.get(caf) if caf else None

    def resolve_ref(self, ref: str) -> Entry | None:
        """A record's official reference: ``siren:…``, ``epci:…``, ``departement:42``, ``region:84``, ``caf:49``,
        ``commune:49069`` (an authority), or ``territoire/{niveau}:{code}`` (a territory)."""
        scheme, _, code = ref.partition(":")
        if scheme in ("siren", "epci"):
            return self.by_siren(code)
        if scheme == "departement":
            return self.departement(code)
        if scheme == "caf":
            return self.caf(code)
        if scheme in ("region", "commune"):
            t = self.by_insee(code, scheme)
            auths = self.authorities_of(t) if t else []
            return auths[0] if auths else None
        if scheme.startswith("territoire/"):
            return self.by_insee(code, scheme.split("/", 1)[1])
        return None

    # -- by name

    def departement_code(self, value: str | int | None) -> str | None:
        """A département's code from its code ("42", 42, "2a") or its name ("Haute-Loire"); None if unknown.

        Collectivités d'outre-mer count as départements here ("975", "Saint-Pierre-et-Miquelon")."""
        return self._departement_code(value)

    def _departement_code(self, value: str | int | None) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if isinstance(value, int) or text.isdigit():
            text = text.zfill(2)
        if _DEP_CODE.match(text):
            return text.upper()
        return self._dep_keys.get(normalize(text))

    def lookup(self, text: str, *, departement: str | int | None = None, role: str | None = "acteur",
               millesime: int | None = None, limit: int = 10) -> Match:
        """Candidates for a name as a document writes it, best first.

        ``role``: "acteur" (default) answers authorities (the Département, the commune as a legal person, the EPCI,
        the CAF); "territoire" answers territories; None answers whatever the name names. ``departement`` (a code
        such as "42" or "2A", or a name) keeps the candidates that lie in it; a trailing "(42)" or "(Loire)" in
        the text does the same. ``millesime`` keeps what exists in that millésime.
        """
        query = text.strip()
        m = re.search(r"\s*\(([^()]*)\)\s*$", query)
        if m and departement is None:
            hint = self._departement_code(m.group(1))
            if hint:
                departement, query = hint, query[: m.start()]
        dep = self._departement_code(departement)
        if departement is not None and dep is None:
            raise ValueError(f"unknown département {departement!r}")
        tokens = name_tokens(query)
        result = Match(text, kind=None, departement=dep)
        if not tokens:
            return result
        kind, core = split_kind(tokens)
        result.kind = kind
        full_key = " ".join(tokens)
        core_key = " ".join(core)

        scored: dict[str, tuple[float, str]] = {}
        spelt = _accented(query).split()
        if kind and core:
            spelt = spelt[-len(core):]

        def same_spelling(entry: Entry) -> bool:
            for name in (entry.label, *entry.names):
                words = _accented(name).split()
                if len(words) >= len(spelt) and words[len(words) - len(spelt):] == spelt:
                    return True
            return False

        def offer(iri: str, score: float, matched: str) -> None:
            entry = self.entries[iri]
            if score >= 95 and not same_spelling(entry):
                score -= 0.5  # equal once accents are dropped only: ranked after the exact spelling
            for target in self._as_role(iri, role, kind):
                if target in scored and scored[target][0] >= score:
                    continue
                scored[target] = (score, matched)

        wanted_niveau = KIND_NIVEAU.get(kind) if kind else None
        for iri, stripped in self._keys.get(full_key, ()):
            entry = self.entries[iri]
            if kind and stripped:
                continue
            if kind and entry.role == "territoire" and entry.kind != wanted_niveau:
                continue
            offer(iri, 100.0 if not stripped else 95.0, full_key)
        if kind and core:
            for iri, _stripped in self._keys.get(core_key, ()):
                entry = self.entries[iri]
                if entry.role == "territoire" and entry.kind != wanted_niveau:
                    continue
                if entry.role == "acteur" and wanted_niveau and not self._acteur_fits(entry, kind):
                    continue
                offer(iri, self._class_score(entry, kind), core_key)
        if not scored:
            for key, score in self._fuzzy_keys(core_key if kind else full_key, wanted_niveau):
                for iri, _stripped in self._keys[key]:
                    entry = self.entries[iri]
                    if wanted_niveau and entry.role == "territoire" and entry.kind != wanted_niveau:
                        continue
                    offer(iri, round(score * 0.9, 1), key)

        candidates = []
        for iri, (score, matched) in scored.items():
            entry = self.entries[iri]
            if dep and dep not in entry.departements:
                continue
            if millesime is not None and millesime not in entry.millesimes:
                continue
            candidates.append(Candidate(entry, score, matched))
        candidates.sort(key=lambda c: (-c.score, not c.entry.current, self._rank(c.entry), -(c.entry.population or 0),
                                       c.entry.iri))
        result.candidates = candidates[:limit]
        return result

    def search(self, text: str, **kwargs) -> list[Candidate]:
        """The ranked candidates of ``lookup``."""
        return self.lookup(text, **kwargs).candidates

    def resolve(self, text: str, **kwargs) -> Entry | None:
        """The one entry a name designates, or None when it is unknown or ambiguous."""
        return self.lookup(text, **kwargs).best

    # -- helpers

    def _rank(self, entry: Entry) -> int:
        if entry.role == "territoire":
            return NIVEAU_RANK.get(entry.kind, 50)
        territories = self.territories_of(entry) if entry.kind != "Commune" else []
        if territories:
            return min(NIVEAU_RANK.get(t.kind, 50) for t in territories)
        return NIVEAU_RANK["commune"]

    def _acteur_fits(self, entry: Entry, kind: str) -> bool:
        niveau = KIND_NIVEAU[kind]
        if kind == "caf":
            return entry.kind == "CAF"
        return any(t.kind == niveau for t in self.territories_of(entry)) and entry.kind != "CAF"

    def _class_score(self, entry: Entry, kind: str) -> float:
        wanted = KIND_CLASSES.get(kind)
        if not wanted:
            return 100.0
        authorities = [entry] if entry.role == "acteur" else self.authorities_of(entry)
        if any(set(a.classes) & wanted for a in authorities):
            return 100.0
        return 90.0  # "CC X" that has become a CA since: still X, a little lower

    def _as_role(self, iri: str, role: str | None, kind: str | None) -> Iterable[str]:
        entry = self.entries[iri]
        if role is None or entry.role == role:
            if kind == "caf" and entry.role == "territoire" and role is None:
                return [self.caf_of[iri]] if iri in self.caf_of else []
            return [iri]
        if role == "acteur":  # territory -> its authority (or its CAF)
            if kind == "caf":
                return [self.caf_of[iri]] if iri in self.caf_of else []
            return self.governed_by.get(iri, [])
        return [t.iri for t in self.territories_of(entry)]  # authority -> territory

    def _fuzzy_keys(self, key: str, niveau: str | None) -> list[tuple[str, float]]:
        if not key:
            return []
        choices = self._fuzzy.get(niveau)
        if choices is None:
            if niveau is None:
                choices = sorted(self._keys)
            else:
                choices = sorted(k for k, hits in self._keys.items()
                                 if any(self.entries[i].role == "territoire" and self.entries[i].kind == niveau
                                        for i, _ in hits))
            self._fuzzy[niveau] = choices
        if " " not in key and len(key) < 8:
            return []  # a short single word (a sigle such as "CCLLA") is matched exactly or not at all
        best: dict[str, float] = {}
        for choice, score, _ in process.extract(key, choices, scorer=fuzz.token_sort_ratio, limit=15,
                                                score_cutoff=82):
            best[choice] = max(best.get(choice, 0.0), float(score))
        # every word of the query inside a longer name ("Loire Layon" in "Loire Layon Aubance"), ranked lower
        words = set(key.split())
        for choice, score, _ in process.extract(key, choices, scorer=fuzz.token_set_ratio, limit=30,
                                                score_cutoff=95):
            if words <= set(choice.split()):  # the query's words in the name, not the name's in the query
                best[choice] = max(best.get(choice, 0.0), round(float(score) * 0.85, 1))
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


_lock = threading.Lock()
_cache: dict[tuple[str, float, int], ReferenceIndex] = {}


def load_index(path: Path | str | None = None) -> ReferenceIndex:
    """The index of the vendored layer (or of ``path``), read once per process and file version."""
    target = Path(path) if path is not None else default_dir() / LAYER_FILE
    if target.is_dir():
        target = target / LAYER_FILE
    try:
        st = target.stat()
    except FileNotFoundError:
        raise InputError("no reference layer (coopgraph reference build)", file=str(target)) from None
    key = (str(target.resolve()), st.st_mtime, st.st_size)
    with _lock:
        index = _cache.get(key)
        if index is None:
            index = ReferenceIndex.load(target)
            _cache.clear()
            _cache[key] = index
        return index
