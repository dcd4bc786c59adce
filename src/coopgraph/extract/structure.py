"""The numbered and thematic structure of a document: axes, orientations, actions, headings that group actions,
action sheets (objective / description / expected results), legal references, governance bodies, statements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleaning import Line, fold, norm_space
from .dates import find_dates

AXIS = re.compile(r"^(?:axe|AXE|Axe)\s*(?:strat[ée]gique\s*)?(?:n\s*[°o]\s*)?(\d{1,2}|[IVX]{1,4})\b\s*[:.\-–—)]?\s*(.*)$",
                  re.I)
ORIENTATION = re.compile(
    r"^(?:(?:orientation|objectif|sous-axe)(?:\s+strat[ée]gique|\s+op[ée]rationnel)?\s*(?:n\s*[°o]\s*)?)?"
    r"(\d{1,2})\.(\d{1,2})\.?(?![\d,])\s*[:.\-–—)]?\s*([A-ZÉÈÊÀÂÎÔÛÇ«\"].*)$")
ACTION = re.compile(
    r"^(?:fiche[- ]action|fiche|action|piste|mesure|projet)\s*(?:n\s*[°o]\s*)?(\d{1,2}(?:\.\d{1,2}){0,3})\b\.?\s*"
    r"[:.\-–—)]?\s*(.*)$", re.I)
ACTION3 = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s*[:.\-–—)]?\s+([A-ZÉÈÊÀÂÎÔÛÇ].*)$")
SLASH_ITEM = re.compile(r"^(\d{1,2})\s*(?:/|\))\s*(\S.*)$")
ARTICLE = re.compile(r"^(?:article|titre|chapitre|annexe)\s+(?:\d+|premier|pr[ée]liminaire|[ivx]+)\b", re.I)

FICHE_KEYS = [
    ("objective", r"objectifs?(?: de l'action| op[ée]rationnels?| strat[ée]giques?)?"),
    ("summary", r"descriptif(?: de l'action)?|description(?: de l'action)?|contenu(?: de l'action)?|modalit[ée]s"),
    ("expected", r"r[ée]sultats? attendus?|effets? attendus?|impacts? attendus?"),
    ("lead", r"pilotes?|chefs? de file|porteurs?(?: de l'action)?|responsables?|ma[iî]tres? d'ouvrage|service pilote"),
    ("co", r"co-?\s?porteurs?|co-?\s?pilotes?|copilotes?"),
    ("partners", r"partenaires?(?: associ[ée]s| mobilis[ée]s)?|acteurs? associ[ée]s"),
    ("year", r"calendrier|[ée]ch[ée]ancier|[ée]ch[ée]ance|d[ée]lai|dur[ée]e|ann[ée]e de d[ée]marrage"),
    ("other", r"indicateurs?(?: d'[ée]valuation)?|budget|co[uû]t|financements?|moyens|public(?:s)?(?: vis[ée]s?| cibles?)?"
              r"|territoire concern[ée]|localisation|[ée]tat d'avancement|statut"),
]
FICHE_KEY = re.compile(r"^(" + "|".join(rx for _, rx in FICHE_KEYS) + r")\s*:\s*(.*)$", re.I)


def fiche_key(text: str) -> tuple[str, str] | None:
    m = FICHE_KEY.match(text)
    if not m:
        return None
    label = fold(m.group(1))
    for key, rx in FICHE_KEYS:
        if re.fullmatch(rx, label):
            return key, m.group(2).strip()
    return None


_NOUN_STOP = {
    "premier", "dernier", "atelier", "chantier", "quartier", "metier", "dossier", "papier", "calendrier", "fichier",
    "cahier", "pilier", "sentier", "courrier", "panier", "levier", "officier", "conseiller", "collier", "escalier",
    "janvier", "fevrier", "foyer", "loyer", "hiver", "danger", "avenir", "loisir", "desir", "plaisir", "souvenir",
    "espoir", "miroir", "couloir", "terroir", "trottoir", "reservoir", "comptoir", "livre", "centre", "ordre", "cadre",
    "titre", "membre", "nombre", "chambre", "offre", "entre", "contre", "notre", "votre", "autre", "lettre", "ministre",
    "registre", "foncier", "particulier", "regulier", "entier", "plenier", "premiere", "derniere", "mer", "fer",
    "cher", "super", "pouvoir", "savoir", "devoir", "manoir", "soir", "tiroir", "partenaire", "territoire",
}


def verb_initial(text: str) -> bool:
    """Whether a phrase starts with an infinitive ("Créer…", "S'associer…", "Mettre en place…")."""
    m = re.match(r"^(?:(?:s'|se\s|re-?)?)([A-Za-zÀ-ÿ\-]+)", text.strip().lstrip("«\"“ "), re.I)
    if not m or not re.match(r"^[A-ZÉÈÊÀÂÎÔÛÇ]", text.strip().lstrip("«\"“ ")):
        return False
    w = fold(m.group(1))
    if w in _NOUN_STOP or len(w) < 4:
        return False
    if w.endswith(("ere", "iere", "eure", "ure")) and not w.endswith(("clure", "uire")):
        return False
    if w.endswith("er") or w.endswith("oir"):
        return True
    if w.endswith("ir"):
        return True
    return w.endswith(("ttre", "ndre", "uire", "ire", "aire", "ivre", "aitre", "oitre", "indre", "oudre", "clure",
                       "croire", "vaincre", "traire", "ompre"))


def shorten_title(text: str, limit: int = 160, *, cut: bool = True) -> str:
    """An action's title from its line: the part before " : ", without the "(PT)" marks; long ones cut at a
    connector ("pour", "par", "afin de"…)."""
    t = norm_space(text).strip(" .;")
    t = re.sub(r"\s*\((?:projet de territoire\s*:?\s*)?PT\)", "", t, flags=re.I)
    if " : " in t:
        head = t.split(" : ", 1)[0].strip()
        if len(head) >= 12:
            t = head
    if cut and len(t) > 120:
        m = re.search(r",?\s(?:pour|par|afin d[e']|en s'appuyant|en coordonnant|dans l'objectif|dans la continuit[ée]|en vue d[e']"
                      r"|comme|via)\s", t[55:])
        if m:
            t = t[: 55 + m.start()]
    if len(t) > limit:
        cut = t[:limit].rsplit(" ", 1)[0]
        t = cut + "…"
    return t.strip(" ,;:")


@dataclass
class Found:
    kind: str  # axis, orientation, action, heading, fiche-field, statement-intro
    number: str | None
    label: str
    line: Line
    extra: dict = field(default_factory=dict)


def heading_like(ln: Line) -> bool:
    """A short emphasised line that names a theme: "**Sports**", "## **Routes**", "- **Agriculture**"."""
    if not ln.content or ln.cells is not None:
        return False
    t = ln.text.strip(" :")
    if not t or len(t) > 80 or len(t.split()) > 10 or t.endswith((".", ";", ",")):
        return False
    if AXIS.match(t) or ACTION.match(t) or ARTICLE.match(t) or ORIENTATION.match(t):
        return False
    return ln.bold


STATEMENT_WORDS = [
    ("challenges", r"d[ée]fis?"),
    ("stakes", r"enjeux?"),
    ("principles", r"principes?"),
    ("ambitions", r"ambitions?"),
    ("expected_results", r"r[ée]sultats? attendus?"),
    ("triggers", r"[ée]l[ée]ments? d[ée]clencheurs?"),
    ("objectives", r"objectifs?|a pour objet|ont pour objet|vise [àa]|visent [àa]|finalit[ée]s?"),
    ("fields", r"champs? d'intervention|comp[ée]tences?|missions? essentielles"),
]


def statement_kind(text: str) -> str | None:
    f = fold(text)
    for kind, rx in STATEMENT_WORDS:
        if re.search(rx, f):
            return kind
    return None


def short_label(text: str, words: int = 14) -> str:
    """A statement reduced to a short label (the reviewer rewords it)."""
    t = norm_space(text).strip(" -–•;,.")
    t = re.split(r"\s*(?:;|:(?!\w)|\.\s)\s*", t)[0]
    toks = t.split()
    if len(toks) > words:
        t = " ".join(toks[:words]) + "…"
    return t[:1].upper() + t[1:] if t else t


# ------------------------------------------------------------------------------------------------- legal acts

CODE_ARTICLE = re.compile(r"\b([LRD])\.?\s?(\d{3,4}(?:-\d{1,3}){1,3})(?:\s*(?:à|a)\s*(\d{1,3}))?")
CODE_NAME = re.compile(r"(code (?:g[ée]n[ée]ral des collectivit[ée]s territoriales|de la s[ée]curit[ée] sociale|de l'action"
                       r" sociale et des familles|de la sant[ée] publique|de l'[ée]ducation|de l'urbanisme|de l'environnement"
                       r"|du travail|de la construction et de l'habitation|de la commande publique|civil|rural(?: et de la p[êe]che"
                       r" maritime)?|des relations entre le public et l'administration|du tourisme|du sport))", re.I)
LAW = re.compile(r"\b(loi|d[ée]cret|ordonnance)\s+(?:organique\s+)?(?:n\s*[°o]\s*)?(\d{2,4}-\d{1,5})?\s*(?:du\s+)?"
                 r"((?:1er|\d{1,2})\s+\w+\s+\d{4})?", re.I)


@dataclass
class RawAct:
    kind: str
    title: str
    number: str | None
    date: str | None
    n: int


def legal_acts(lines: list[Line]) -> list[RawAct]:
    out: list[RawAct] = []
    seen: set[tuple[str, str | None, str | None, str]] = set()

    def add(act: RawAct) -> None:
        key = (act.kind, act.number, act.date, fold(act.title)[:40])
        if key not in seen:
            seen.add(key)
            out.append(act)

    for ln in lines:
        if not ln.content or ln.cells is not None:
            continue
        text = ln.text
        is_vu = bool(re.match(r"^(?:vu|vus)\b", text, re.I))
        f = fold(text)
        if is_vu or re.search(r"\barticles?\s+[lrd]\.?\s?\d{3,4}-", f):
            code = CODE_NAME.search(text)
            code_name = code.group(1) if code else None
            arts = list(CODE_ARTICLE.finditer(text))
            for m in arts:
                base = m.group(2)
                nums = [base]
                if m.group(3):
                    head, _, last = base.rpartition("-")
                    try:
                        nums = [f"{head}-{k}" for k in range(int(last), int(m.group(3)) + 1)][:20]
                    except ValueError:
                        nums = [base]
                for num in nums:
                    number = f"{m.group(1)}. {num}"
                    title = f"{code_name[0].upper() + code_name[1:]}, article {number}" if code_name else f"Article {number}"
                    add(RawAct("article-code", title, number, None, ln.n))
            if code_name and not arts:
                add(RawAct("code", code_name[0].upper() + code_name[1:], None, None, ln.n))
        for m in LAW.finditer(text):
            if not (m.group(2) or m.group(3)):
                continue
            kind = {"loi": "loi", "ordonnance": "loi"}.get(fold(m.group(1)), "decret")
            date = None
            if m.group(3):
                found = find_dates(m.group(3))
                date = found[0].value if found and len(found[0].value) == 10 else None
            rest = text[m.start():]
            rest = re.split(r"\s*;|\s*$", rest)[0]
            title = rest[:1].upper() + rest[1:]
            if len(title) > 200:
                title = title[:200].rsplit(" ", 1)[0] + "…"
            add(RawAct(kind, title.strip(" ,."), m.group(2), date, ln.n))
        if is_vu:
            body = re.sub(r"^(?:vu|vus)\s*", "", text, flags=re.I).strip(" ;,.")
            fb = fold(body)
            date = None
            found = [d for d in find_dates(body) if len(d.value) == 10]
            if found:
                date = found[0].value
            kind = None
            if re.match(r"^(?:la |les )?d[ée]lib[ée]ration", fb):
                kind = "deliberation"
            elif re.match(r"^(?:l')?arr[eê]t[ée]", fb):
                kind = "arrete"
            elif "convention d'objectifs et de gestion" in fb:
                kind = "convention-objectifs-gestion"
            elif re.match(r"^(?:la )?circulaire", fb):
                kind = "circulaire"
            elif re.match(r"^(?:la )?charte", fb):
                kind = "charte"
            elif re.match(r"^(?:le )?sch[ée]ma", fb):
                kind = "schema"
            elif re.match(r"^(?:la |les )?convention", fb):
                kind = "convention"
            if kind:
                title = re.sub(r"\s+(?:figurant|annex[ée]e?|jointe?)\b.*$", "", body)
                title = re.sub(r"^(?:la |le |l'|les )", "", title)
                title = title[:1].upper() + title[1:]
                if len(title) > 200:
                    title = title[:200].rsplit(" ", 1)[0] + "…"
                add(RawAct(kind, title, None, date, ln.n))
        elif re.search(r"\bd[ée]lib[ée]ration\b[^.;]{0,80}?\b(?:du|en date du)\s+\d", text, re.I):
            for m in re.finditer(r"d[ée]lib[ée]ration\b([^.;]{0,80}?)\b(?:du|en date du)\s+((?:1er|\d{1,2})\s+\w+\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})",
                                 text, re.I):
                found = find_dates(m.group(2))
                if found and len(found[0].value) == 10:
                    title = norm_space("Délibération" + m.group(1)).strip(" ,")
                    add(RawAct("deliberation", title, None, found[0].value, ln.n))
    return out


# ------------------------------------------------------------------------------------------------- governance

BODY_KINDS = [
    ("conference-entente", r"conf[ée]rence de l'entente"),
    ("conference-presidents", r"conf[ée]rence des pr[ée]sidents"),
    ("comite-cadrage", r"comit[ée] de cadrage"),
    ("comite-scientifique", r"comit[ée] scientifique"),
    ("groupe-pilotage", r"groupe de pilotage(?: restreint)?"),
    ("comite-pilotage", r"comit[ée] de pilotage|copil\b|comit[ée] de suivi|comit[ée] directeur"),
    ("comite-technique", r"comit[ée] technique(?: [\"«][^»\"]{3,60}[»\"]| des dgs| interd[ée]partemental[^,.;]{0,30})?|cotech\b|comit[ée] op[ée]rationnel"),
    ("groupe-technique", r"groupes? techniques?"),
    ("groupe-thematique", r"groupes? th[ée]matiques?"),
    ("commission-mixte", r"commission mixte(?: [ÉéEe]lus [A-Z]{2,5} / \w+)?"),
    ("groupe-travail", r"groupes? de travail"),
    ("commission-locale-eau", r"commission locale de l'eau"),
]
FREQ = re.compile(
    r"se r[ée]unit\s+(?:(?:a minima|au moins|au minimum|au moins)\s+)?(une|deux|trois|quatre|cinq|six|\d+)\s+fois\s+par\s+(an|ann[ée]e|semestre|trimestre|mois)",
    re.I)
_WORDN = {"une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}


def body_mentions(text: str) -> list[tuple[str, str]]:
    out = []
    for kind, rx in BODY_KINDS:
        for m in re.finditer(rx, text, re.I):
            out.append((kind, m.group(0)))
    # "comité technique" inside "comité de pilotage et comité technique" stays two bodies; a groupe de pilotage
    # is not also a comité de pilotage
    return out


def frequency(text: str) -> tuple[int | None, str | None]:
    m = FREQ.search(text)
    if not m:
        if re.search(r"\b(?:chaque ann[ée]e|annuellement|une fois l'an)\b", text, re.I):
            return 1, "au moins une fois par an"
        return None, None
    n = _WORDN.get(m.group(1).lower()) or (int(m.group(1)) if m.group(1).isdigit() else None)
    unit = fold(m.group(2))
    per_year = {"an": 1, "annee": 1, "semestre": 2, "trimestre": 4, "mois": 12}.get(unit, 1)
    minimum = bool(re.search(r"a minima|au moins|au minimum", m.group(0), re.I))
    label = ("au moins " if minimum else "") + f"{m.group(1).lower()} fois par {m.group(2).lower()}"
    return (n * per_year if n else None), label
