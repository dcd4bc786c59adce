"""From a document's text to an ``Extraction``: the orchestration of the readers of this package."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..iris import slug_or_empty
from .actors import (
    ACRONYMS,
    GENERIC,
    SERVICE_WORDS,
    NoResolver,
    Resolver,
    foreign_country,
    kind_of,
    strip_article,
)
from .cleaning import Decoded, Line, fold, inline_clean, norm_space, split_lines
from .dates import YEAR_RANGE, add_duration, find_dates, find_duration, find_notice
from .model import (
    Action,
    Actor,
    Axis,
    Body,
    Carrier,
    DateFact,
    Extraction,
    Heading,
    Instrument,
    LegalAct,
    Member,
    Orientation,
    Person,
    Signature,
    Statement,
)
from .parties import (
    RawParty,
    RawPerson,
    orgs_in,
    post_lines,
    prose_parties,
    read_party_block,
    read_signatures,
    signature_sentence,
    take_name,
)
from .structure import (
    ACTION,
    ACTION3,
    ARTICLE,
    AXIS,
    ORIENTATION,
    body_mentions,
    fiche_key,
    frequency,
    heading_like,
    legal_acts,
    short_label,
    shorten_title,
    statement_kind,
    verb_initial,
)
from .tables import kv_items, kv_key, read_plans, rows_of, split_carriers

KIND_PHRASES: list[tuple[str, str]] = [
    ("ctg", r"convention territoriale globale|\bctg\b"),
    ("entente-interdepartementale", r"entente interdepartementale|entente inter-departementale"),
    ("entente-intercommunale", r"entente intercommunale|entente inter-communale"),
    ("entente-interterritoriale", r"entente interterritoriale|entente inter-territoriale"),
    ("plan-cooperation", r"plans? de cooperation"),
    ("convention-mutualisation", r"convention (?:cadre )?de mutualisation|convention de mise en commun"),
    ("convention-articulation", r"convention d'articulation"),
    ("convention-territoires-partenaires", r"territoires partenaires"),
    ("contrat-reciprocite", r"contrat de reciprocite|contrat de cooperation ville-campagne"),
    ("cooperation-decentralisee", r"cooperation decentralisee|convention de jumelage|charte de jumelage|partenariat solidaire"),
    ("cooperation-transfrontaliere", r"cooperation transfrontaliere|groupement europeen de cooperation territoriale|\bgect\b"),
    ("programme-actions", r"agenda 21|programme d'actions|plan climat|projet de territoire"),
    ("convention-partenariat", r"convention (?:cadre )?de partenariat|convention-cadre de partenariat|accord de partenariat"),
]
KIND_CLASS = {
    "ctg": "ConventionTerritorialeGlobale", "entente-interdepartementale": "EntenteInterdepartementale",
    "entente-intercommunale": "Entente", "entente-interterritoriale": "EntenteInterterritoriale",
    "plan-cooperation": "PlanDeCooperation", "convention-mutualisation": "ConventionMutualisation",
    "convention-articulation": "ConventionArticulation", "convention-partenariat": "ConventionPartenariat",
    "convention-territoires-partenaires": "ConventionTerritoiresPartenaires",
    "cooperation-decentralisee": "CooperationDecentralisee", "cooperation-transfrontaliere": "CooperationTransfrontaliere",
    "contrat-reciprocite": "ContratReciprocite", "programme-actions": "ProgrammeActions", "autre": "InstrumentCooperation",
}
COUNTED = re.compile(
    r"\b(\d{1,3}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)\s+"
    r"(communes?|communaut[ée]s? de communes|communaut[ée]s? d'?\s?agglom[ée]ration|communaut[ée]s? urbaines?|scot"
    r"|syndicats? mixtes?|syndicats?|pnr|parcs? naturels? r[ée]gionaux|pays|cddra|d[ée]partements?|r[ée]gions?|petr"
    r"|epci|intercommunalit[ée]s|associations?)\b((?:(?!\bet\b)[^,+;.>])*)",
    re.I,
)
COUNT_CLASS = [
    (r"communaut[ée]s? de communes", "CommunauteDeCommunes"), (r"communaut[ée]s? d'?\s?agglo", "CommunauteAgglomeration"),
    (r"communaut[ée]s? urbaine", "CommunauteUrbaine"), (r"scot", "StructurePorteuseSCoT"),
    (r"syndicats? mixte", "SyndicatMixte"), (r"syndicat", "Syndicat"), (r"pnr|parc", "ParcNaturelRegional"),
    (r"pays", "Pays"), (r"petr", "PETR"), (r"commune", "Commune"), (r"d[ée]partement", "Departement"),
    (r"r[ée]gion", "Region"), (r"epci|intercommunalit", "EPCI"), (r"association", "Association"), (r"cddra", "Acteur"),
]
_NUMW = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
         "dix": 10}


_GENERIC = [(re.compile(rf"(?:les |des |la |le |l')?{rx}.*"), category, label) for rx, category, label in GENERIC]


@lru_cache(maxsize=65536)
def canonical(name: str) -> str:
    """A comparison key for organisation names: folded, acronyms of kinds spelled out, articles dropped."""
    f = fold(name)
    f = re.sub(r"[’']", "' ", f)
    f = re.sub(r"\bcaf\b", "caisse allocations familiales", f)
    f = re.sub(r"\bcc\b", "communaute communes", f)
    f = re.sub(r"\bca\b", "communaute agglomeration", f)
    f = re.sub(r"\bpnr\b", "parc naturel regional", f)
    f = re.sub(r"\bconseil (?:departemental|general)\b", "departement", f)
    f = re.sub(r"\bconseil regional\b", "region", f)
    f = re.sub(r"\bst\b", "saint", f)
    f = re.sub(r"[^a-z0-9]+", " ", f)
    words = [w for w in f.split() if w not in {"le", "la", "les", "l", "de", "du", "des", "d", "et", "a", "au", "aux", "en"}]
    return " ".join(words)


def _sing(word: str) -> str:
    if word.endswith("aux"):
        return word[:-3] + "al"
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def carrier_key(name: str) -> str:
    return " ".join(_sing(w) for w in canonical(name.rstrip(" ?")).split())


@lru_cache(maxsize=1)
def theme_index() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(slug, notation, folded labels) of the theme vocabulary."""
    from rdflib.namespace import SKOS

    from ..paths import data_path
    from ..rdfio import read_graph

    path = data_path("ontology") / "vocab" / "theme.ttl"
    out = []
    try:
        g = read_graph(path)  # pyoxigraph, like every RDF read of the package: strict, never fetches anything
    except Exception:
        return ()
    stop = {"observation", "suivi", "etudes", "jeunes", "economie", "pilotage", "coordination", "communication",
            "evaluation", "bilan", "ingenierie", "loisirs", "cadre de vie", "habitat", "amenagement", "gouvernance",
            "energie", "securite", "secours", "education", "alimentation", "enseignement", "developpement local",
            "indicateurs", "interconnaissance", "participation", "mise en reseau", "numerique", "culture"}
    for concept in set(g.subjects(SKOS.notation, None)):
        slug = str(concept).rsplit("/", 1)[-1]
        notation = str(g.value(concept, SKOS.notation))
        labels = {fold(str(x)) for p in (SKOS.prefLabel, SKOS.altLabel) for x in g.objects(concept, p)
                  if getattr(x, "language", None) == "fr"}
        labels = {re.sub(r"[^a-z0-9']+", " ", lab).strip() for lab in labels if len(lab) >= 4 and lab not in stop}
        out.append((slug, notation, tuple(sorted(x for x in labels if x))))
    return tuple(sorted(out))


def themes_of(text: str) -> list[str]:
    f = " " + re.sub(r"[^a-z0-9']+", " ", fold(text)) + " "
    found = []
    for slug, _notation, labels in theme_index():
        for lab_n in labels:
            if f" {lab_n} " in f:
                found.append(slug)
                break
    return found


def notation_of(slug: str) -> str | None:
    for s, notation, _labels in theme_index():
        if s == slug:
            return notation
    return None


class Extractor:
    def __init__(self, resolver: Resolver | None = None) -> None:
        self.resolver = resolver or NoResolver()

    # ----------------------------------------------------------------------------------------------- entry point

    def run(self, decoded: Decoded, source: str) -> Extraction:
        lines = split_lines(decoded.text)
        self.lines = lines
        self.by_n = {ln.n: ln for ln in lines}
        self.actors: dict[str, Actor] = {}
        self.notes: list[str] = list(decoded.notes)
        self.missing: list[str] = []
        self.home_dep: str | None = None
        self._unmark_title()
        title, title_lines = self._title()
        ex = Extraction(source=source, sha256=decoded.sha256, line_count=len(lines), encoding=decoded.encoding,
                        doc_kind="convention", title=title or "(sans titre)", title_lines=title_lines,
                        resolver_name=self.resolver.name)
        if not any(ln.content for ln in lines):
            self.missing.append("the text holds no readable content (only layout or furniture)")
        self.ex = ex
        self.rows = rows_of(lines)
        sections = self._instrument_sections()
        kind = self._kind(title_lines) if len(sections) < 2 else "autre"
        main = Instrument(key=slug_or_empty(title or source)[:60] or "instrument", kind=kind, title=title or source,
                          lines=title_lines)
        ex.instruments.append(main)
        self._doc_date()
        self._parties(main)
        self._resolve_all()
        self._home_departement()
        for key in list(main.parties):
            self._resolve(self.actors[key])
        self._dates(main)
        self._structure(main)
        if len(sections) >= 2:
            ex.multi = True
            for sec in sections:
                ex.instruments.append(self._section_instrument(sec))
        self._legal(main)
        self._bodies(main)
        self._statements(main)
        self._themes()
        ex.doc_kind = self._doc_kind(main, len(sections))
        self._check_missing(main)
        ex.actors = self.actors
        ex.notes = self.notes
        ex.missing = self.missing
        return ex

    # ----------------------------------------------------------------------------------------------- title & kind

    def _unmark_title(self) -> None:
        for ln in self.lines[:12]:
            if ln.furniture == "running-header":
                ln.furniture = None
                break

    def _title(self) -> tuple[str, tuple[int, int] | None]:
        content = [ln for ln in self.lines[:60] if ln.content and ln.cells is None]
        if not content:
            return "", None
        # an instrument phrase in the first lines names the document best
        for ln in content[:5]:
            f = fold(ln.text)
            if ACTION.match(ln.text) or AXIS.match(ln.text):
                continue
            if any(re.search(rx, f) for _, rx in KIND_PHRASES[:-2]) and len(ln.text) < 160 and not ln.text.endswith("."):
                parts = [ln.text]
                idx = content.index(ln)
                for nxt in content[idx + 1: idx + 4]:
                    if nxt.n - ln.n > 6 or len(nxt.text) > 160 or nxt.text.endswith("."):
                        break
                    if YEAR_RANGE.search(nxt.text) or (re.match(r"^(?:territoire|entre|de la|du|des|pour)\b", nxt.text,
                                                                re.I) and len(nxt.text.split()) >= 3 and not re.match(r"^entre\s+les\s+soussign", nxt.text, re.I)):
                        parts.append(nxt.text)
                title = " — ".join(p.strip(" :") for p in parts)
                if not YEAR_RANGE.search(title):
                    for prev in content[: idx][-3:]:
                        if YEAR_RANGE.fullmatch(prev.text.strip()):
                            title = f"{title} {prev.text.strip()}"
                return norm_space(title), (ln.n, ln.n)
        first = content[0]
        block = [first]
        for nxt in content[1:4]:
            if nxt.n == block[-1].n + 1 and len(nxt.text) < 80 and not find_dates(nxt.text):
                block.append(nxt)
            else:
                break
        title = " ".join(x.text for x in block)
        return norm_space(title)[:300], (block[0].n, block[-1].n)

    def _kind(self, title_lines: tuple[int, int] | None) -> str:
        scores: Counter[str] = Counter()
        head_text = " ".join(ln.text for ln in self.lines[:40] if ln.content)
        body_all = fold(" ".join(ln.text for ln in self.lines if ln.content))
        head_f = fold(head_text)
        for kind, rx in KIND_PHRASES:
            if title_lines:
                t = " ".join(self.by_n[n].text for n in range(title_lines[0], title_lines[1] + 1) if n in self.by_n)
                if re.search(rx, fold(t)):
                    scores[kind] += 100
            scores[kind] += 5 * len(re.findall(rx, head_f))
            scores[kind] += len(re.findall(rx, body_all))
        if not scores or max(scores.values()) == 0:
            return "autre"
        body_f = fold(" ".join(ln.text for ln in self.lines if ln.content))
        if "agenda 21" in body_f and scores.most_common(1)[0][1] < 100:
            return "programme-actions"
        best, score = scores.most_common(1)[0]
        if best == "programme-actions" and score < 100 and any(scores[k] for k in scores if k != best):
            others = [(k, s) for k, s in scores.most_common() if k != best and s > 0]
            if others and re.search(r"^(?:entre|entre\s*:)", "\n".join(fold(x.text) for x in self.lines[:80]), re.M):
                return others[0][0]
        return best

    def _doc_kind(self, main: Instrument, sections: int) -> str:
        body = fold(" ".join(ln.text for ln in self.lines if ln.content))
        if sections >= 2 or re.search(r"journee d'|compte[- ]rendu|seminaire|atelier d'echange", body[:600]):
            return "compte-rendu"
        if any(ln.furniture == "boilerplate" for ln in self.lines) and (
                self.ex.doc_date is not None or re.search(r"\bpubli", body)):
            return "page-web"
        if main.kind == "programme-actions" and "agenda 21" in body:
            return "programme-agenda21"
        if main.signatures or re.search(r"^(?:entre|il est convenu)", "\n".join(fold(ln.text) for ln in self.lines),
                                         re.M):
            return "convention"
        if re.search(r"\bedito\b|\bsommaire\b", body):
            return "brochure"
        if main.actions:
            return "fiche-actions"
        return "convention" if "convention" in body[:400] else "page-web"

    # ----------------------------------------------------------------------------------------------- actors

    def _new_key(self, base: str) -> str:
        key = slug_or_empty(base)[:40].strip("-") or "acteur"
        k, i = key, 2
        while k in self.actors:
            k = f"{key}-{i}"
            i += 1
        return k

    def _add_actor(self, name: str, lines: tuple[int, int] | None, confidence: float, **kw) -> Actor:
        kind, cls = kind_of(name)
        actor = Actor(key=self._new_key(kw.pop("key_base", None) or name), name=name, kind=kind, cls=cls,
                      lines=lines, confidence=confidence, **kw)
        if kind == "autorite-etrangere":
            actor.country = foreign_country(name)
        self.actors[actor.key] = actor
        return actor

    def find_actor(self, name: str) -> Actor | None:
        """The actor a name, an alias or an acronym designates ("la Caf", "CCLLA", "le PNR")."""
        raw = name.strip()
        key = canonical(raw)
        if not key:
            return None
        for a in self.actors.values():
            if a.acronym and raw.strip(" ?").upper() == a.acronym.upper():
                return a
        for a in self.actors.values():
            names = [a.name, *a.aliases] + ([a.official_label] if a.official_label else [])
            if any(canonical(n) == key for n in names if n):
                return a
        # a kind word alone ("la Caf", "le PNR", "le Département") designates the only such actor
        kind, _cls = kind_of(raw)
        bare = re.fullmatch(r"(?:l'|le |la |les )?(?:caf|caisse d'allocations familiales|pnr|parc|departement|conseil"
                            r" departemental|conseil general|region|syndicat|communaute de communes|commune|ville"
                            r"|pays|communaute d'agglomeration|metropole|petr)s?", fold(raw))
        if bare and kind != "autre":
            same = [a for a in self.actors.values() if a.kind == kind and a.named]
            if len(same) == 1:
                return same[0]
        return None

    def _person(self, raw: RawPerson, lines: tuple[int, int] | None, conf: float) -> Person:
        return Person(raw.name, raw.post, raw.civility, lines, conf)

    def _add_rep(self, actor: Actor, person: Person) -> None:
        for p in actor.representatives:
            if fold(p.name) == fold(person.name):
                if not p.post and person.post:
                    p.post = person.post
                return
        actor.representatives.append(person)

    def _parties(self, main: Instrument) -> None:
        raw_parties, block = read_party_block(self.lines)
        for rp in raw_parties:
            self._party_from_raw(main, rp)
        if raw_parties:
            self.notes.append(f"parties read from the block at lines {block[0]}-{block[1]}")
        sigs = read_signatures(self.lines)
        self._signatures(main, sigs, create=not raw_parties)
        if not main.parties:
            for person, org, lines in post_lines(self.lines):
                actor = self.find_actor(org) or self._add_actor(strip_article(org), lines, 0.75)
                self._add_rep(actor, self._person(person, lines, 0.75))
                if actor.key not in main.parties:
                    main.parties.append(actor.key)
        if not main.parties:
            for name, lines, conf in prose_parties(self.lines):
                actor = self.find_actor(name) or self._add_actor(strip_article(name), lines, conf)
                if actor.key not in main.parties:
                    main.parties.append(actor.key)
        if main.parties:
            self._prose_people()
        if not main.parties and main.kind == "programme-actions":
            self._publisher_party(main)
        if main.kind == "cooperation-decentralisee" or main.kind == "cooperation-transfrontaliere":
            for key in main.parties:
                a = self.actors[key]
                if a.kind == "autre" and foreign_country(a.name):
                    a.kind, a.cls, a.country = "autorite-etrangere", "AutoriteEtrangere", foreign_country(a.name)

    def _party_from_raw(self, main: Instrument, rp: RawParty) -> None:
        name = rp.name
        if not name:
            return
        existing = self.find_actor(name)
        conf = 0.9 if not rp.blank else 0.7
        actor = existing or self._add_actor(name, rp.lines, conf, acronym=rp.acronym)
        if rp.acronym and not actor.acronym:
            actor.acronym = rp.acronym
        for alias in rp.aliases:
            alias_c = re.sub(r"^(?:la|le|l'|les)\s+", "", alias, flags=re.I)
            if canonical(alias_c) != canonical(actor.name) and alias not in actor.aliases:
                actor.aliases.append(alias)
        if rp.siren:
            actor.siren = rp.siren
        if rp.blank:
            actor.note = "the party line leaves the name blank; the name comes from its « ci-après » clause"
        for p in rp.people:
            self._add_rep(actor, self._person(p, rp.lines, 0.85))
        country = foreign_country(re.split(r"repr[ée]sent", rp.text, flags=re.I)[0])
        if country and actor.kind in ("autre", "commune") and not re.search(r"\bfrance\b", fold(rp.text)):
            actor.kind, actor.cls, actor.country = "autorite-etrangere", "AutoriteEtrangere", country
        if actor.key not in main.parties:
            main.parties.append(actor.key)

    def _signatures(self, main: Instrument, sigs, create: bool) -> None:
        dates = []
        for s in sigs:
            actor = None
            if s.org:
                actor = self.find_actor(s.org) or self._fuzzy_party(s.org, main)
                if actor is None and create:
                    actor = self._add_actor(strip_article(s.org), s.lines, 0.7)
                    main.parties.append(actor.key)
            person = self._person(s.person, s.lines, 0.8) if s.person else None
            if actor is not None and person is not None:
                self._add_rep(actor, Person(person.name, person.post, person.civility, s.lines, 0.8))
            date = DateFact(s.date, s.lines, 0.9) if s.date else None
            main.signatures.append(Signature(actor.key if actor else None, person, date, s.place, s.lines, 0.8))
            if s.date:
                dates.append((s.date, s.place, s.lines))
            elif s.place and not main.place:
                main.place, main.place_lines = s.place, s.lines
        if not dates:
            for value, place, lines in signature_sentence(self.lines):
                dates.append((value, place, lines))
                if create or not main.signatures:
                    main.signatures.append(Signature(None, None, DateFact(value, lines, 0.75), place, lines, 0.7))
        if dates:
            values = sorted({d[0] for d in dates})
            last = max(dates, key=lambda d: d[0])
            main.signature_date = DateFact(last[0], last[2], 0.9 if len(values) == 1 else 0.7)
            if len(values) > 1:
                self.notes.append(f"signatures bear different dates ({', '.join(values)}): the latest is kept")
            places = [d[1] for d in dates if d[1]]
            if places:
                main.place = Counter(places).most_common(1)[0][0]
                main.place_lines = last[2]

    def _fuzzy_party(self, org: str, main: Instrument) -> Actor | None:
        key = canonical(org)
        best, best_score = None, 0.0
        from rapidfuzz import fuzz

        for k in main.parties:
            a = self.actors[k]
            for n in [a.name, *a.aliases]:
                score = fuzz.token_set_ratio(key, canonical(n))
                if score > best_score:
                    best, best_score = a, score
        return best if best_score >= 85 else None

    def _prose_people(self) -> None:
        rx = re.compile(r"([A-ZÉ][\w'’\-]+(?:\s+[A-ZÉ][\w'’\-]+){1,3}),\s+((?:vice-)?pr[ée]sidente?|maire|directeur|directrice"
                        r"|pr[ée]f[eè]te?)\s+(?:du|de la|de l'|des|de)\s+([^,.;]+)")
        for ln in self.lines:
            if not ln.content:
                continue
            for m in rx.finditer(ln.text):
                name, _ = take_name(m.group(1))
                if not name:
                    continue
                org = m.group(3)
                orgs = orgs_in(("Commune de " + org) if m.group(2).lower().startswith("maire") else
                               ("Département " + org.split(" ", 1)[1] if fold(org).startswith(("conseil departemental",
                                                                                                 "conseil general")) and " " in org else org))
                target = None
                for o, _a, _b in orgs:
                    target = self.find_actor(o)
                    if target:
                        break
                if target is None:
                    target = self.find_actor(org)
                if target is not None:
                    self._add_rep(target, Person(name, m.group(2).lower(), None, (ln.n, ln.n), 0.7))

    def _publisher_party(self, main: Instrument) -> None:
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for ln in self.lines:
            if not ln.content:
                continue
            for m in re.finditer(r"\b(?:le|du|au)\s+(Conseil g[ée]n[ée]ral|Conseil d[ée]partemental|D[ée]partement|Conseil r[ée]gional"
                                 r"|R[ée]gion)\b(?!\s+(?:de|du|des|d')\s)", ln.text):
                w = fold(m.group(1))
                kind = "departement" if "depart" in w or "general" in w else "region"
                counts[kind] += 1
                first.setdefault(kind, ln.n)
        if not counts:
            return
        kind = counts.most_common(1)[0][0]
        dep = self._text_departement()
        name = "Département" if kind == "departement" else "Région"
        actor = self._add_actor(name, (first[kind], first[kind]), 0.6)
        actor.note = "the programme's own authority, named only as « le Département » / « le Conseil général »"
        if dep and kind == "departement" and self.resolver.by_ref(f"departement:{dep}"):
            res = self.resolver.by_ref(f"departement:{dep}")
            actor.name = res.label
            actor.aliases.append("Conseil général" if "general" in fold(" ".join(x.text for x in self.lines)) else
                                 "Département")
        main.parties.append(actor.key)

    # ----------------------------------------------------------------------------------------------- resolution

    def _resolve_all(self) -> None:
        for a in list(self.actors.values()):
            self._resolve(a)

    def _resolve(self, actor: Actor) -> None:
        if actor.iri or not actor.named or actor.cls in ("Service",):
            return
        kind, _cls = kind_of(actor.name)
        lookup_kinds = {"commune", "departement", "region", "cc", "ca", "cu", "metropole", "ept", "caf", "autre"}
        if kind not in lookup_kinds or actor.kind == "autorite-etrangere":
            return
        names = [actor.name] + [a for a in actor.aliases if len(a) > 8]
        for name in names:
            if re.fullmatch(r"(?:l'|le |la |les )?(?:d[ée]partement|caf|r[ée]gion|commune|ville)", name.strip(), re.I):
                if self.home_dep and re.search(r"d[ée]partement|caf", name, re.I):
                    res = self.resolver.by_ref(("caf:" if "caf" in fold(name) else "departement:") + self.home_dep)
                    if res:
                        self._apply(actor, res, 0.65, f"« {name} » read as the one of département {self.home_dep}")
                        return
                continue
            res = self.resolver.resolve(name)
            if res is None and self.home_dep:
                res = self.resolver.resolve(name, departement=self.home_dep)
            if res is None:
                cands = self.resolver.candidates(name)
                if cands and not actor.candidates:
                    actor.candidates = cands
                continue
            if kind == "autre" and (res.score < 95 or res.cls == "Commune"):
                actor.candidates = [f"{res.label} <{res.iri}> ({res.score:g})"]
                continue
            if res.score < 90:
                actor.candidates = [f"{res.label} <{res.iri}> ({res.score:g})", *res.others]
                continue
            self._apply(actor, res, 0.95 if res.score >= 100 else 0.8, None)
            return

    def _apply(self, actor: Actor, res, conf: float, note: str | None) -> None:
        actor.iri, actor.ref, actor.official_label = res.iri, res.ref, res.label
        actor.kind = res.kind
        actor.cls = res.cls
        actor.departements = res.departements
        actor.confidence = min(actor.confidence, conf) if actor.confidence else conf
        if note:
            actor.note = note

    def _text_departement(self) -> str | None:
        names = self.resolver.departement_names()
        if not names:
            return None
        text = " " + re.sub(r"[^a-z0-9]+", " ", fold(" ".join(ln.text for ln in self.lines if ln.content))) + " "
        counts: Counter[str] = Counter()
        for label in sorted(names, key=len, reverse=True):
            key = " " + re.sub(r"[^a-z0-9]+", " ", fold(label)).strip() + " "
            c = text.count(key)
            if c:
                counts[names[label]] += c
                text = text.replace(key, " ")
        return counts.most_common(1)[0][0] if counts else None

    def _home_departement(self) -> None:
        deps: Counter[str] = Counter()
        for a in self.actors.values():
            if a.iri and len(a.departements) == 1:
                deps[a.departements[0]] += 1
        if deps:
            self.home_dep = deps.most_common(1)[0][0]
        else:
            self.home_dep = self._text_departement()

    # ----------------------------------------------------------------------------------------------- dates

    def _dates(self, main: Instrument) -> None:
        start = end = None
        span = None
        duration = None
        notice = None
        for ln in self.lines:
            if not ln.content or ln.cells is not None or re.match(r"^(?:vu|vus)\b", ln.text, re.I):
                continue
            f = fold(ln.text)
            contextual = re.search(r"convention|contrat|entente|presente|duree|periode|conclue?|valable|effet|applicable"
                                   r"|couvr|vigueur|accord|charte|partenariat", f)
            if not duration:
                d = find_duration(ln.text)
                if d and contextual and not re.search(r"\bdeliberation|mandat\b", f):
                    duration = (d, ln.n)
            if not notice:
                notice = find_notice(ln.text)
            m = re.search(r"\bdu\s+((?:1\s?(?:er|re|e)|\d{1,2})\s+\w+\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})\s+(?:au|jusqu'au)\s+"
                          r"((?:1\s?(?:er|re|e)|\d{1,2})\s+\w+\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})", ln.text, re.I)
            if m and contextual and start is None:
                d1, d2 = find_dates(m.group(1)), find_dates(m.group(2))
                if d1 and d2:
                    start, end, span = DateFact(d1[0].value, (ln.n, ln.n), 0.9), DateFact(d2[0].value, (ln.n, ln.n), 0.9), (ln.n, ln.n)
                    continue
            if start is None:
                m = re.search(r"(?:[àa] compter du|prend(?:ra)? effet (?:le|au|[àa] compter du)|entre(?:ra)? en vigueur le"
                              r"|effet au|d[ée]bute le|commence le)\s+((?:1\s?(?:er|re|e)|\d{1,2})\s+\w+\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})",
                              ln.text, re.I)
                if m and contextual:
                    d = find_dates(m.group(1))
                    if d:
                        start, span = DateFact(d[0].value, (ln.n, ln.n), 0.85), (ln.n, ln.n)
            if end is None:
                m = re.search(r"(?:jusqu'au|expire(?:ra)? le|prend(?:ra)? fin le|au plus tard le)\s+((?:1\s?(?:er|re|e)|\d{1,2})\s+\w+\s+\d{4}"
                              r"|\d{1,2}/\d{1,2}/\d{4})", ln.text, re.I)
                if m and contextual:
                    d = find_dates(m.group(1))
                    if d:
                        end = DateFact(d[0].value, (ln.n, ln.n), 0.85)
            if start is None and re.search(r"(?:[àa] compter de (?:la date de )?(?:sa|la) signature|prend(?:ra)? effet [àa] (?:la date de )?"
                                           r"(?:sa|la) signature|d[èe]s (?:sa|la) signature)", f) and contextual \
                    and main.signature_date and len(main.signature_date.value) == 10:
                start = DateFact(main.signature_date.value, (ln.n, ln.n), 0.7)
                span = (ln.n, ln.n)
                self.notes.append("the period starts at the signature (as the text says)")
        if duration:
            main.duration = duration[0][0]
            if start and end is None and len(start.value) == 10 and start.confidence >= 0.85:
                computed = add_duration(start.value, duration[0][1], duration[0][2])
                if computed:
                    end = DateFact(computed, (duration[1], duration[1]), 0.7)
                    self.notes.append(f"end date computed from the start and the duration ({main.duration})")
        if notice:
            main.termination_notice = notice
        if start is None and end is None:
            years = self._year_period(main)
            if years:
                start, end, span = years
        main.start, main.end, main.period_lines = start, end, span

    def _year_period(self, main: Instrument) -> tuple[DateFact, DateFact, tuple[int, int]] | None:
        title_zone = [ln for ln in self.lines[:30] if ln.content]
        for ln in title_zone:
            m = YEAR_RANGE.search(ln.text)
            if m and len(ln.text) < 120 and not re.search(r"\bvu\b|cog|objectifs et de gestion|contrat de ville|cper|schema|plh",
                                                          fold(ln.text)):
                a, b = int(m.group(1)), int(m.group(2))
                if a <= b <= a + 12:
                    return DateFact(str(a), (ln.n, ln.n), 0.8), DateFact(str(b), (ln.n, ln.n), 0.8), (ln.n, ln.n)
        for ln in self.lines:
            if not ln.content or re.match(r"^vu\b", ln.text, re.I):
                continue
            m = re.search(r"(?:pour|sur) la p[ée]riode\s+((?:19|20)\d\d)\s*(?:-|–|à|/)\s*((?:19|20)\d\d)|pour les ann[ée]es\s+"
                          r"((?:19|20)\d\d)\s*(?:-|–|à)\s*((?:19|20)\d\d)", ln.text, re.I)
            if m:
                a = int(m.group(1) or m.group(3))
                b = int(m.group(2) or m.group(4))
                before = fold(ln.text[: m.start()])
                if a <= b and not re.search(r"cog|objectifs et de gestion|contrat de ville|cper|programme operationnel", before[-60:]):
                    return DateFact(str(a), (ln.n, ln.n), 0.75), DateFact(str(b), (ln.n, ln.n), 0.75), (ln.n, ln.n)
        return None

    def _doc_date(self) -> None:
        from .cleaning import PUBLISHED

        for ln in self.lines:
            if ln.text and PUBLISHED.match(ln.text):
                found = find_dates(ln.text)
                if found:
                    self.ex.doc_date = DateFact(found[0].value, (ln.n, ln.n), 0.8)
                    ln.furniture = "boilerplate"
                    return
        for ln in self.lines[:12]:
            if ln.content and len(ln.text) < 60:
                found = [d for d in find_dates(ln.text) if len(d.value) == 10]
                if found and not re.search(r"sign|fait", fold(ln.text)):
                    self.ex.doc_date = DateFact(found[0].value, (ln.n, ln.n), 0.6)
                    return

    # ----------------------------------------------------------------------------------------------- structure

    def _structure(self, main: Instrument) -> None:
        self._text_axes(main)
        plans = read_plans(self.rows)
        for plan in plans:
            self._plan(main, plan)
        if not main.actions:
            self._fiches(main)
        if not main.actions:
            self._rubriques(main)
        if not main.actions:
            self._slash_items(main)
        if not main.actions:
            self._intro_items(main)
        if not main.actions and main.axes and any(ax.orientations for ax in main.axes) is not False:
            pass

    def _text_axes(self, main: Instrument) -> None:
        current: Axis | None = None
        for ln in self.lines:
            if not ln.content or ln.cells is not None:
                continue
            m = AXIS.match(ln.text)
            if m and len(ln.text) < 250:
                label = m.group(2).strip(" :-–")
                number = m.group(1)
                existing = next((a for a in main.axes if a.number == number), None)
                if existing:
                    current = existing
                    continue
                current = Axis(number, label or f"Axe {number}", (ln.n, ln.n), confidence=0.85)
                main.axes.append(current)
                continue
            m = ORIENTATION.match(ln.text)
            if m and len(ln.text) < 400 and not ACTION3.match(ln.text):
                a_num, o_num, label = m.group(1), m.group(2), m.group(3)
                axis = next((a for a in main.axes if a.number == a_num), None)
                if axis is None:
                    continue
                number = f"{a_num}.{o_num}"
                if any(o.number == number for o in axis.orientations):
                    continue
                axis.orientations.append(Orientation(number, label.strip(), (ln.n, ln.n), confidence=0.8))
                axis.lines = (axis.lines[0], ln.n) if axis.lines else (ln.n, ln.n)

    def _carriers(self, cell: str, n: int) -> list[Carrier]:
        out = []
        for c in split_carriers(cell):
            c.actor = self._carrier_actor(c.name, (n, n))
            out.append(c)
        return out

    def _carrier_actor(self, name: str, lines: tuple[int, int]) -> str | None:
        core = name.rstrip(" ?").strip()
        if not core:
            return None
        found = self.find_actor(core)
        if found:
            return found.key
        ck = carrier_key(core)
        for a in self.actors.values():
            if carrier_key(a.name) == ck or any(carrier_key(x) == ck for x in a.aliases):
                return a.key
        # "ORG / UNIT": a service of an organisation
        m = re.match(r"^(.+?)\s*/\s*(.+)$", core)
        if m:
            org = self.find_actor(m.group(1).strip())
            unit = m.group(2).strip()
            expanded = SERVICE_WORDS.get(unit.upper().replace(" ", ""), SERVICE_WORDS.get(unit.upper(), unit))
            label = f"{expanded[:1].upper()}{expanded[1:]} (service de {org.official_label or org.name if org else m.group(1)})"
            actor = self._add_actor(label, lines, 0.6, key_base=f"{m.group(1)}-{unit}")
            actor.kind, actor.cls = (org.kind if org else "autre"), "Service"
            actor.unit_of = org.key if org else None
            actor.aliases.append(core)
            actor.acronym = unit if unit.isupper() or "." in unit else None
            if unit.upper() in SERVICE_WORDS or unit.upper().replace(" ", "") in SERVICE_WORDS:
                actor.note = f"« {unit} » read as « {expanded} » (not spelled out by the text)"
            return actor.key
        up = core.upper()
        f = fold(core)
        if f in ("departement", "le departement", "conseil departemental", "conseil general"):
            dep_party = [a for a in self.actors.values() if a.kind == "departement" and a.named]
            if len(dep_party) == 1:
                return dep_party[0].key
            actor = self._add_actor("Département", lines, 0.6)
            if self.home_dep:
                res = self.resolver.by_ref(f"departement:{self.home_dep}")
                if res:
                    self._apply(actor, res, 0.6, f"« {core} » read as the Département {self.home_dep} of the territory")
            return actor.key
        if up in ACRONYMS:
            label, kind, cls, departmental = ACRONYMS[up]
            same = [a for a in self.actors.values() if a.kind == kind and a.named and kind in ("caf", "msa")]
            if same:
                return same[0].key
            dep_name = None
            if departmental and self.home_dep:
                res = self.resolver.by_ref(f"departement:{self.home_dep}")
                dep_name = res.label.replace("Département ", "") if res else None
            full = f"{label} {dep_name}" if dep_name else label
            actor = self._add_actor(full, lines, 0.6, acronym=up, key_base=f"{up}-{self.home_dep or ''}")
            actor.kind, actor.cls = kind, cls
            if up == "CAF" and self.home_dep:
                res = self.resolver.by_ref(f"caf:{self.home_dep}")
                if res:
                    self._apply(actor, res, 0.65, f"« {core} » read as the CAF of département {self.home_dep}")
            elif cls == "Service" and self.home_dep:
                actor.unit_of = f"departement:{self.home_dep}"
                actor.kind = "departement"
            elif departmental and self.home_dep and cls != "ActeursNonIdentifies":
                actor.territory = f"departement:{self.home_dep}"
            if cls == "ActeursNonIdentifies":
                actor.category = None
            actor.aliases.append(core)
            actor.note = f"« {core} » spelled out by the extractor" + (
                f" and placed in département {self.home_dep}" if departmental and self.home_dep else "")
            return actor.key
        for rx, category, label in _GENERIC:
            if rx.fullmatch(f) and len(core.split()) <= 4:
                if label is None and not re.search(r"s\b|x\b", f.split()[0]) and len(core.split()) == 1:
                    continue
                actor = self._add_actor(label or core[:1].upper() + core[1:], lines, 0.5,
                                        key_base=f"{label or core}")
                actor.kind, actor.cls = "autre", "ActeursNonIdentifies"
                actor.category = category
                actor.aliases.append(core)
                actor.note = f"named « {core} » by the text, without saying which"
                return actor.key
        actor = self._add_actor(core, lines, 0.5)
        if actor.kind != "autre":  # a bare word ("Alize", "AURA") is not looked up: it would only find homonyms
            self._resolve(actor)
        if not actor.iri:
            actor.note = "not found in the reference layer: proposed as a new local actor"
        return actor.key

    def _plan(self, main: Instrument, plan) -> None:
        axis_num: str | None = None
        orient_num: str | None = None
        count = 0
        for row in plan:
            if row.axis:
                axis_num = row.axis[0]
                orient_num = None
                count = 0
                if not any(a.number == axis_num for a in main.axes):
                    main.axes.append(Axis(axis_num, row.axis[1], (row.n, row.n), confidence=0.8))
                continue
            if row.orientation and row.orientation[1]:
                num, label = row.orientation
                k = re.sub(r"\D", "", num or "") or str(len([1]))
                orient_num = f"{axis_num}.{k}" if axis_num else k
                axis = next((a for a in main.axes if a.number == axis_num), None)
                if axis is not None and not any(o.number == orient_num for o in axis.orientations):
                    axis.orientations.append(Orientation(orient_num, shorten_title(label, 400), (row.n, row.n), confidence=0.7))
                count = 0
            if not row.action or not row.action[1]:
                continue
            count += 1
            num, label = row.action
            pt = bool(re.search(r"\((?:projet de territoire\s*:?\s*)?PT\)", label, re.I))
            k = re.sub(r"\D", "", num or "") or str(count)
            under = orient_num or axis_num
            ident = f"{under}.{k}" if under else k
            action = Action(id=ident, label=shorten_title(label, 400, cut=False), number=num, under=under, lines=(row.n, row.n),
                            projet_de_territoire=True if pt else None, start_year=row.year, confidence=0.85)
            action.lead = self._carriers(row.lead, row.n)
            action.lead_as_written = inline_clean(row.lead) or None
            action.co_carriers = self._carriers(row.co, row.n)
            action.partners = self._carriers(row.partners, row.n)
            main.actions.append(action)

    def _fiches(self, main: Instrument) -> None:
        current: Action | None = None
        field_key: str | None = None
        buffer: list[tuple[str, int]] = []

        def close_field() -> None:
            nonlocal buffer, field_key
            if current is None or field_key is None or not buffer:
                buffer, field_key = [], None
                return
            text = " ".join(t for t, _ in buffer)
            span = (buffer[0][1], buffer[-1][1])
            if field_key == "objective":
                current.objectives.append(Statement(short_label(text), span, 0.5))
            elif field_key == "expected":
                current.expected_results.append(Statement(short_label(text), span, 0.5))
            elif field_key == "summary":
                current.summary = Statement(short_label(text, 20), span, 0.4)
            elif field_key in ("lead", "co", "partners"):
                carriers = self._carriers(text, span[0])
                if field_key == "lead":
                    current.lead.extend(carriers)
                    current.lead_as_written = text
                elif field_key == "co":
                    current.co_carriers.extend(carriers)
                else:
                    current.partners.extend(carriers)
            elif field_key == "year":
                ym = re.search(r"(?:19|20)\d\d", text)
                if ym and current.start_year is None:
                    current.start_year = int(ym.group(0))
            if current.lines:
                current.lines = (current.lines[0], max(current.lines[1], span[1]))
            buffer, field_key = [], None

        for ln in self.lines:
            if ln.blank and field_key and current is not None:
                nxt = next((x for x in self.lines[ln.n:ln.n + 3] if x.content), None)
                if nxt is None or not nxt.bullet:
                    close_field()
                continue
            if not ln.content or ln.cells is not None:
                continue
            if ARTICLE.match(ln.text) or AXIS.match(ln.text) or heading_like(ln):
                close_field()
                current = None
                continue
            m = ACTION.match(ln.text) or ACTION3.match(ln.text)
            if m and len(ln.text) < 300:
                close_field()
                number = m.group(1)
                label = m.group(2).strip(" :.-–")
                if not label:
                    continue
                parts = number.split(".")
                under = ".".join(parts[:-1]) if len(parts) > 1 else None
                if under and len(parts) == 3:
                    axis = next((a for a in main.axes if a.number == parts[0]), None)
                    if axis is None:
                        axis = Axis(parts[0], f"Axe {parts[0]}", (ln.n, ln.n), confidence=0.5)
                        main.axes.append(axis)
                    if not any(o.number == under for o in axis.orientations):
                        axis.orientations.append(Orientation(under, f"Orientation {under} (intitulé absent du texte)",
                                                             (ln.n, ln.n), confidence=0.4))
                current = Action(id=number, label=shorten_title(label, 400, cut=False), number=number, under=under,
                                 lines=(ln.n, ln.n), confidence=0.85)
                main.actions.append(current)
                continue
            if current is None:
                continue
            fk = fiche_key(ln.text)
            if fk:
                close_field()
                field_key, value = fk
                if field_key == "other":
                    field_key = None
                    continue
                buffer = [(value, ln.n)] if value else []
                continue
            if field_key and (ln.bullet or not ARTICLE.match(ln.text)):
                buffer.append((ln.text, ln.n))
                if current.lines:
                    current.lines = (current.lines[0], ln.n)
        close_field()

    def _rubriques(self, main: Instrument) -> None:
        heading: Heading | None = None
        heading_bullet = False
        paragraph_taken = False
        for ln in self.lines:
            if not ln.content or ln.cells is not None:
                continue
            if heading_like(ln):
                label = ln.text.strip(" :")
                kind = statement_kind(label)
                if kind or re.search(r"sommaire|edito|contact", fold(label)):
                    heading = None
                    continue
                heading = Heading(self._heading_key(main, label), label, (ln.n, ln.n), confidence=0.7)
                main.headings.append(heading)
                heading_bullet = ln.bullet
                paragraph_taken = False
                continue
            if heading is None:
                continue
            if AXIS.match(ln.text) or ARTICLE.match(ln.text) or (ln.text.isupper() and len(ln.text) > 12):
                heading = None
                continue
            text = ln.text
            if ln.bullet and verb_initial(text):
                n = sum(1 for a in main.actions if a.under == heading.key) + 1
                main.actions.append(Action(id=f"{heading.key}-{n}", label=shorten_title(text), under=heading.key,
                                           lines=(ln.n, ln.n), confidence=0.75))
                continue
            if not ln.bullet and heading_bullet and not paragraph_taken and verb_initial(text) and text.endswith("."):
                first = re.split(r"(?<=[a-zé»)])\.\s", text)[0]
                n = sum(1 for a in main.actions if a.under == heading.key) + 1
                main.actions.append(Action(id=f"{heading.key}-{n}", label=shorten_title(first), under=heading.key,
                                           lines=(ln.n, ln.n), confidence=0.6))
                paragraph_taken = True
                continue
            if not ln.bullet and not heading_bullet and len(text) > 60:
                heading = None
        used = {a.under for a in main.actions}
        main.headings = [h for h in main.headings if h.key in used]

    def _heading_key(self, main: Instrument, label: str) -> str:
        key = slug_or_empty(label)[:40].strip("-") or "rubrique"
        k, i = key, 2
        while any(h.key == k for h in main.headings):
            k = f"{key}-{i}"
            i += 1
        return k

    def _intro_items(self, main: Instrument) -> None:
        """Bullets after a line that announces actions: "Les premiers chantiers retenus :" + "- Créer …"."""
        active = False
        n = 0
        for ln in self.lines:
            if not ln.content or ln.cells is not None:
                continue
            if not ln.bullet:
                active = ln.text.endswith(":") and bool(re.search(
                    r"\b(?:pistes?|actions?|chantiers?|projets?|engagements?|mesures?|travaux)\b", fold(ln.text)))
                continue
            if active and verb_initial(ln.text):
                n += 1
                main.actions.append(Action(id=str(n), label=shorten_title(ln.text), lines=(ln.n, ln.n),
                                           confidence=0.6))

    def _slash_items(self, main: Instrument) -> None:
        """"1/ …" items under an axis or orientation, in documents without a plan table."""
        axis_num = None
        for ln in self.lines:
            if not ln.content or ln.cells is not None:
                continue
            m = AXIS.match(ln.text)
            if m:
                axis_num = m.group(1)
                continue
            m = re.match(r"^(\d{1,2})\s*(?:/|\))\s*(\S.*)$", ln.text)
            if m and axis_num and verb_initial(m.group(2)):
                main.actions.append(Action(id=f"{axis_num}.{m.group(1)}", label=shorten_title(m.group(2), 400),
                                           number=f"{m.group(1)}/", under=axis_num, lines=(ln.n, ln.n), confidence=0.6))

    # ----------------------------------------------------------------------------------------------- sections (003)

    def _instrument_sections(self) -> list[tuple[str, int, int]]:
        """Sections that each present an instrument: "→ Entente interterritoriale TRIDAN" + key/value rows."""
        heads = []
        for i, ln in enumerate(self.lines):
            if not ln.content or ln.cells is not None:
                continue
            if not (ln.raw.lstrip().startswith(("→", "►", "▶", "➢")) or ln.bold):
                continue
            f = fold(ln.text)
            if any(re.search(rx, f) for _, rx in KIND_PHRASES) and len(ln.text) < 120:
                heads.append(i)
        out = []
        for k, i in enumerate(heads):
            end = heads[k + 1] if k + 1 < len(heads) else len(self.lines)
            kv = [r for r in self.rows if self.lines[i].n < r.n < (self.lines[end].n if end < len(self.lines) else 10**9)
                  and kv_key(r.cells[0])]
            if kv:
                out.append((self.lines[i].text.strip(" «»\"→"), i, end))
        return out

    def _section_instrument(self, sec: tuple[str, int, int]) -> Instrument:
        title, i, end = sec
        title = title.strip(" «»\"")
        kind = "autre"
        for k, rx in KIND_PHRASES:
            if re.search(rx, fold(title)):
                kind = k
                break
        n0 = self.lines[i].n
        n1 = self.lines[end - 1].n if end - 1 < len(self.lines) else self.lines[-1].n
        inst = Instrument(key=slug_or_empty(title)[:60], kind=kind, title=title, lines=(n0, n1), confidence=0.7)
        acr = re.search(r"\b([A-Z]{3,10})\b", title)
        if acr and acr.group(1) not in ACRONYMS and acr.group(1) not in ("PNR",):
            inst.acronym = acr.group(1)
        named = []
        for name, _a, _b in orgs_in(title):
            actor = self.find_actor(name) or self._add_actor(strip_article(name), (n0, n0), 0.7)
            self._resolve(actor)
            named.append(actor)
        rows = [r for r in self.rows if n0 < r.n <= n1]
        for r in rows:
            key = kv_key(r.cells[0])
            if key is None:
                continue
            value = " ".join(r.cells[1:])
            items = kv_items(value)
            if key == "partners":
                self._section_parties(inst, value, named, r.n)
            elif key == "actors":
                for item in items:
                    for bkind, label in body_mentions(item):
                        if not any(b.kind == bkind for b in inst.bodies):
                            inst.bodies.append(Body(f"{inst.key[:40]}-{bkind}", bkind, label[:1].upper() + label[1:],
                                                    (r.n, r.n), confidence=0.6))
            elif key in ("triggers", "stakes", "ambitions", "object", "objectives", "expected_results"):
                target = inst.statements.setdefault(key, [])
                for item in items:
                    target.append(Statement(short_label(item), (r.n, r.n), 0.5))
        if not inst.parties:
            for actor in named:
                inst.parties.append(actor.key)
        return inst

    def _section_parties(self, inst: Instrument, value: str, named: list[Actor], n: int) -> None:
        text = inline_clean(value)
        for m in COUNTED.finditer(text):
            count = int(m.group(1)) if m.group(1).isdigit() else _NUMW.get(m.group(1).lower(), 1)
            what = m.group(2)
            qual = m.group(3).strip()
            if re.match(r"^sur\s+\d", qual):
                pass
            category = next((c for rx, c in COUNT_CLASS if re.search(rx, fold(what))), "Acteur")
            if re.match(r"d[ée]partement", fold(what)) and re.search(r"\bsur\s+$", text[: m.start()]):
                continue
            label = norm_space(f"{m.group(1)} {what} {qual}").strip(" ,.")
            actor = self._add_actor(label, (n, n), 0.6, key_base=f"{inst.key[:30]}-{what}")
            actor.kind, actor.cls, actor.count, actor.category = "autre", "ActeursNonIdentifies", count, category
            actor.note = "counted by the text, not named"
            inst.parties.append(actor.key)
            if count == 2 and len(COUNTED.findall(text)) == 1:  # "2 syndicats mixtes": the two parties of the instrument
                actor.count = 1
                actor.name = f"{label} (1 sur 2)"
                twin = self._add_actor(f"{label} (2 sur 2)", (n, n), 0.6, key_base=f"{inst.key[:30]}-{what}-2")
                twin.kind, twin.cls, twin.count, twin.category = "autre", "ActeursNonIdentifies", 1, category
                twin.note = actor.note
                inst.parties.append(twin.key)
        for m in re.finditer(r"\b(?:le|la|les|l')\s+(PNR|Pays|Caf|CAF|D[ée]partement|syndicat|communaut[ée]s? de communes|CC)\b"
                             r"((?:(?!\bet\b)[^,.;+])*)", text, re.I):
            word = m.group(1)
            same = [a for a in named if fold(word) in fold(a.name) or (a.kind == kind_of(word)[0])]
            if same:
                if same[0].key not in inst.parties:
                    inst.parties.append(same[0].key)
            elif re.match(r"(?:communaut|cc)", fold(word)) or m.group(0).lower().startswith("les"):
                label = norm_space(m.group(0))
                actor = self._add_actor(label[:1].upper() + label[1:], (n, n), 0.5, key_base=f"{inst.key[:30]}-{word}")
                actor.kind, actor.cls = "autre", "ActeursNonIdentifies"
                actor.category = "CommunauteDeCommunes" if re.match(r"(?:communaut|cc)", fold(word)) else kind_of(word)[1]
                actor.note = "designated by the text without being named"
                inst.parties.append(actor.key)

    # ----------------------------------------------------------------------------------------------- legal, bodies

    def _legal(self, main: Instrument) -> None:
        for act in legal_acts(self.lines):
            main.legal.append(LegalAct(act.kind, act.title, act.number, act.date, (act.n, act.n), 0.75))

    def _bodies(self, main: Instrument) -> None:
        found: dict[str, Body] = {}
        for ln in self.lines:
            if not ln.content or ln.cells is not None:
                continue
            for kind, label in body_mentions(ln.text):
                if kind == "comite-pilotage" and re.search(r"groupe de pilotage", ln.text, re.I):
                    continue
                body = found.get(kind)
                if body is None:
                    body = Body(kind, kind, label[:1].upper() + label[1:].lower(), (ln.n, ln.n),
                                confidence=0.6)
                    found[kind] = body
                else:
                    body.lines = (body.lines[0], ln.n)
                mn, label_f = frequency(ln.text)
                if mn and body.meetings_per_year_min is None and len(body_mentions(ln.text)) <= 2:
                    body.meetings_per_year_min, body.frequency = mn, label_f
                cm = re.search(r"(?:co-?pilot[ée]e?|co-?pr[ée]sid[ée]e?)\s+par\s+(.+?)(?:\.|;|$)", ln.text, re.I)
                if cm and len(body_mentions(ln.text)) == 1:
                    role = "copilote" if "pilot" in cm.group(0).lower() else "copresident-instance"
                    for part in re.split(r",\s*|\s+et\s+", cm.group(1)):
                        actor = self.find_actor(part.strip())
                        if actor and not any(m.actor == actor.key and m.role == role for m in body.members):
                            body.members.append(Member(actor.key, role, None, (ln.n, ln.n)))
            m = re.match(r"^(?:le|la|les)\s+(.+?)\s+(?:est|sont)\s+compos[ée]e?s?\s*(?:de|des|d')?\s*:?\s*$", ln.text, re.I)
            if m:
                kinds = body_mentions(m.group(1))
                if kinds and kinds[0][0] in found:
                    self._composition(found[kinds[0][0]], ln)
        main.bodies.extend(found.values())

    def _composition(self, body: Body, start: Line) -> None:
        group: Actor | None = None
        idx = self.lines.index(start)
        for ln in self.lines[idx + 1: idx + 40]:
            if not ln.content:
                continue
            pm = re.match(r"^pour\s+(?:la|le|l'|les)?\s*(.+?)\s*:\s*$", ln.text, re.I)
            if pm:
                group = self.find_actor(pm.group(1)) or self._territory_group(pm.group(1))
                continue
            if not ln.bullet:
                if re.search(r"selon les th[eè]mes|invit", ln.text, re.I):
                    continue
                break
            text = ln.text.strip(" ;.")
            actor = None
            for a in self.actors.values():
                if not a.named:
                    continue
                for n in [a.name, *a.aliases, a.acronym or ""]:
                    if n and len(n) > 2 and fold(n) in fold(text):
                        actor = a
                        text_cut = re.split(r"\s+(?:au sein|de la|du|de l')\s+" + re.escape(n), text, flags=re.I)[0]
                        text = text_cut if len(text_cut) > 3 else text
                        break
                if actor:
                    break
            actor = actor or group
            if actor is None:
                continue
            post = re.sub(r"^(?:du ou de la|de la|du|des|de l'|d'|de)\s+", "", text, flags=re.I)
            post = short_label(post, 12)
            body.members.append(Member(actor.key, "membre-instance", post[:1].lower() + post[1:], (ln.n, ln.n)))
            body.lines = (body.lines[0], max(body.lines[1], ln.n))

    def _territory_group(self, text: str) -> Actor | None:
        named = [a for a in self.actors.values() if a.named and a.kind in ("cc", "ca", "cu", "metropole", "commune")]
        return named[0] if len(named) >= 1 and re.search(r"territoire", text, re.I) else None

    def _statements(self, main: Instrument) -> None:
        kind = None
        for ln in self.lines:
            if not ln.content or ln.cells is not None:
                continue
            if not ln.bullet:
                kind = statement_kind(ln.text) if ln.text.endswith(":") else None
                if kind == "fields":
                    kind = None
                continue
            if kind and kind != "fields" and len(main.statements.get(kind, [])) < 30:
                main.statements.setdefault(kind, []).append(Statement(short_label(ln.text), (ln.n, ln.n), 0.5))

    # ----------------------------------------------------------------------------------------------- themes & checks

    def _themes(self) -> None:
        for inst in self.ex.instruments:
            counts: Counter[str] = Counter()
            for h in inst.headings:
                h.themes = themes_of(h.label)
                counts.update(dict.fromkeys(h.themes, 3))
            for ax in inst.axes:
                ax.themes = themes_of(ax.label)
                counts.update(dict.fromkeys(ax.themes, 2))
                for o in ax.orientations:
                    o.themes = themes_of(o.label)
                    counts.update(o.themes)
            for a in inst.actions:
                a.themes = themes_of(a.label)
                counts.update(a.themes)
            inst.themes = [t for t, c in counts.most_common(12) if c >= 2]
            if not inst.themes:
                inst.themes = [t for t, _c in counts.most_common(5)]

    def _check_missing(self, main: Instrument) -> None:
        named = [k for k in main.parties if self.actors[k].named]
        if not named and not any(i.parties for i in self.ex.instruments[1:]):
            self.missing.append("no party found: the text names no signatory organisation (no « Entre : … » block, "
                                "no signature, no « X et Y ont signé »)")
        if main.signature_date is None:
            self.missing.append("no signature date stated")
        if main.start is None and main.end is None:
            self.missing.append("no period of validity stated" + (f" (duration {main.duration} only)" if main.duration
                                                                   else ""))
        if not main.actions and not any(i.actions for i in self.ex.instruments[1:]):
            self.missing.append("no action found")
        for k in main.parties:
            a = self.actors[k]
            if a.named and not a.iri and a.kind in ("commune", "departement", "region", "cc", "ca", "cu", "metropole",
                                                      "caf", "ept"):
                self.missing.append(f"party « {a.name} » not found in the reference layer"
                                    + (f" (candidates: {'; '.join(a.candidates[:3])})" if a.candidates else ""))
        if isinstance(self.resolver, NoResolver):
            self.notes.append("no reference layer was available: no actor is linked to official identifiers")
        last = next((ln for ln in reversed(self.lines) if ln.content), None)
        if last is not None and (re.search(r"[,;:\-(«]$", last.text) or re.search(
                r"\b(?:de|du|des|la|le|les|l'|d'|et|ou|à|a|au|aux|pour|par|en|sur|avec|un|une|dans|que|qui)$", last.text)):
            self.notes.append(f"the text seems cut off at line {last.n} (it ends mid-sentence)")
