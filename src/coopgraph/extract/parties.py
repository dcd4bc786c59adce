"""Parties and the people who sign for them.

Read from, in order of trust: the "Entre : … représenté(e) par …, ci-après dénommé(e) « … »" block of a convention
and its variants; the signature blocks ("Fait à …, le …", "Pour la Caf…", a post and a name); a name followed by a
post line ("Georges ZIEGLER / Président du Département de la Loire"); and sentences that say who signed with whom.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .cleaning import Line, fold, norm_space
from .dates import FULL_DATE, NUMERIC_DATE, find_dates

QUOTED = re.compile(r"[«\"“]\s*([^»\"”]{1,120}?)\s*[»\"”]")
CIAPRES = re.compile(r"ci-?\s?apr[èe]s\s*(?:d[ée]nomm[ée]e?s?|d[ée]sign[ée]e?s?|appel[ée]e?s?|nomm[ée]e?s?)?\s*:?", re.I)
ENTRE = re.compile(r"^\s*(?:[-–]\s*)?entre\s*(?:les\s+soussign[ée]s|d'une part)?\s*[:,]?\s*(.*)$", re.I)
BLOCK_END = re.compile(
    r"^(?:il (?:est|a [ée]t[ée]) (?:convenu|arr[êe]t[ée]|d[ée]cid[ée]|expos[ée]|pr[ée]alablement)|il est convenu"
    r"|pr[ée]ambule|vu\b|vus\b|article\s+(?:1|i|premier|pr[ée]liminaire)\b|sommaire|consid[ée]rant|expos[ée] des motifs"
    r"|apr[èe]s avoir|les parties (?:conviennent|ont convenu|d[ée]cident)|ceci (?:[ée]tant )?(?:expos[ée]|rappel[ée])"
    r"|objet de la convention|titre (?:1|i)\b|chapitre)",
    re.I,
)
SEPARATOR = re.compile(r"^(?:et|ET|Et|d'une part|d'autre part|et d'autre part|d'une part,? et|ainsi que)\s*[,;:]?\s*$", re.I)
CIVILITY = re.compile(r"\b(Monsieur|Madame|Mademoiselle|M\.|Mme\.?|Mlle\.?|MM\.|Mr\.?|Dr\.?)(?=\s)")
POST_WORDS = re.compile(
    r"^(?:premi[eè]re?\s+)?(?:vice-|1er\s+vice-|premier\s+vice-)?(?:pr[ée]sidente?|pr[ée]sident-e|maire|maires?-adjointe?s?|adjointe?|directeur|directrice"
    r"|directeur g[ée]n[ée]ral|directrice g[ée]n[ée]rale|pr[ée]f[eè]te?|sous-pr[ée]f[eè]te?|secr[ée]taire|conseill[eè]re?"
    r"|d[ée]l[ée]gu[ée]e?|vice-pr[ée]sidente?|administrat(?:eur|rice)|g[ée]rante?|recteur|rectrice|tr[ée]sori[eè]re?"
    r"|bourgmestre|alcalde|alcaldesa|diputad[oa]|consejer[oa]|landrat|landr[äa]tin|b[üu]rgermeister(?:in)?|sindaco"
    r"|gouverneur|chef|responsable|coordinat(?:eur|rice)|repr[ée]sentante?|ordonnat(?:eur|rice)|ministre)\b",
    re.I,
)
_PARTICLES = {"de", "du", "des", "d'", "le", "la", "van", "von", "da", "di", "dos", "del", "y", "ben", "el", "ould",
              "af", "zu", "der", "den", "ten", "ter"}
_NOT_NAME = re.compile(
    r"^(?:d[ée]partement|conseil|r[ée]gion|commune|ville|communaut[ée]|caisse|caf|syndicat|pr[ée]sident|pr[ée]sidente"
    r"|maire|directeur|directrice|madame|monsieur|pour|fait|le|la|les|et|en|par|vu|article|annexe|le\s|pr[ée]fet"
    r"|mairie|agence|association|territoire|convention|parc|pays|etat|l'etat|[ée]tat|service|p[oô]le|comit[ée])$",
    re.I,
)
_UPPER_START = re.compile(r"^[A-ZÉÈÊËÀÂÄÎÏÔÖÛÜÇ]")


@dataclass
class RawPerson:
    name: str
    post: str | None
    civility: str | None


@dataclass
class RawParty:
    name: str
    lines: tuple[int, int]
    acronym: str | None = None
    aliases: list[str] = field(default_factory=list)
    people: list[RawPerson] = field(default_factory=list)
    siren: str | None = None
    blank: bool = False
    text: str = ""
    group: int = 0


@dataclass
class RawSignature:
    org: str | None
    person: RawPerson | None
    date: str | None
    date_text: str | None
    place: str | None
    lines: tuple[int, int]


# ------------------------------------------------------------------------------------------------- people


def clean_post(text: str) -> str | None:
    t = norm_space(text.strip(" ,;:.-–"))
    t = re.sub(r"^(?:en sa qualit[ée] de|en qualit[ée] de|agissant en qualit[ée] de)\s+", "", t, flags=re.I)
    t = re.sub(r"^(?:son|sa|ses|leur|leurs|le|la|les|l')\s*", "", t, flags=re.I)
    t = re.sub(r"\bde (?:son|sa|leur)\s+", "du ", t)
    t = re.sub(r"\bdu (?=[aeiouéèh])", "de l'", t)
    t = re.sub(r"\s+(?:en exercice|dûment|dument|habilit[ée]e?|autoris[ée]e?).*$", "", t, flags=re.I)
    t = t.strip(" ,;:.-–")
    if not t or len(t) > 140:
        return None
    if POST_WORDS.match(t):
        t = t[0].lower() + t[1:]
    return t


def _name_tokens(text: str) -> list[str]:
    return re.findall(r"[\w'’\-.]+", text)


def take_name(text: str) -> tuple[str | None, int]:
    """A person's name at the start of ``text``: capitalised words and particles. Returns (name, chars used)."""
    pos = 0
    taken: list[str] = []
    for m in re.finditer(r"[A-Za-zÀ-ÖØ-öø-ÿ'’\-.]+", text):
        between = text[pos:m.start()]
        if taken and re.search(r"[,;:()\n]", between):
            break
        tok = m.group(0)
        low = tok.lower().rstrip(".")
        if _UPPER_START.match(tok) and not (taken == [] and _NOT_NAME.match(low)) and not POST_WORDS.match(tok):
            if len(tok.rstrip(".")) == 1 and taken and not tok.endswith("."):
                break
            taken.append(tok)
            pos = m.end()
        elif (taken and low in _PARTICLES and len(taken) < 4) or (taken and low.startswith(("d'", "d’")) and len(tok) > 2 and _UPPER_START.match(tok[2:])):
            taken.append(tok)
            pos = m.end()
        else:
            break
        if len(taken) >= 5:
            break
    while taken and taken[-1].lower() in _PARTICLES:
        taken.pop()
    if len(taken) < 2 and not (taken and taken[0].isupper() and len(taken[0]) > 2):
        return None, 0
    if len(taken) < 2:
        return None, 0
    name = " ".join(taken).rstrip(".")
    return _title_name(name), pos


def _title_name(name: str) -> str:
    """"Georges ZIEGLER" → "Georges Ziegler" (surnames in capitals are written as names)."""
    def fix(tok: str) -> str:
        if len(tok) > 2 and tok.isupper():
            return "-".join(p.capitalize() for p in tok.split("-"))
        return tok
    return " ".join(fix(t) for t in name.split())


def parse_person(segment: str) -> RawPerson | None:
    """"le président de son conseil d'administration, Monsieur Pascal Letort" → person with its post."""
    seg = norm_space(segment)
    m = CIVILITY.search(seg)
    if m:
        civility = m.group(1)
        after = seg[m.end():].strip()
        # "Madame la Présidente, Anne Martin": the civility introduces the post
        lead = re.match(r"(?:le|la|l')\s*(\S.*?)(?:,|$)", after)
        if lead and POST_WORDS.match(lead.group(1)):
            post = clean_post(lead.group(1))
            rest = after[lead.end():].strip()
            name, _used = take_name(rest)
            if name:
                return RawPerson(name, post, civility)
        name, used = take_name(after)
        if not name:
            return None
        post_text = seg[:m.start()] + " " + after[used:]
        post = clean_post(post_text)
        if post and not re.search(r"[a-zé]", post):
            post = None
        return RawPerson(name, post, civility)
    # no civility: "son président en exercice, Jean-Marc Dupont" or "Jean Dupont, président"
    parts = [p.strip() for p in seg.split(",")]
    for i, part in enumerate(parts):
        name, used = take_name(part)
        if name and used >= len(part.rstrip(" .")) - 1:
            others = [p for j, p in enumerate(parts) if j != i]
            post = clean_post(others[0]) if others else None
            return RawPerson(name, post, None)
    return None


def split_representatives(text: str) -> list[str]:
    return [s for s in re.split(
        r",?\s+et\s+par\s+|,?\s+ainsi\s+que\s+par\s+|,?\s+et\s+(?=(?:son|sa|leur|le|la|M\.|Mme|Monsieur|Madame)\s)",
        text) if s.strip()]


REPR = re.compile(r"repr[ée]sent[ée]e?s?\s+(?:ici\s+)?(?:par|en la personne de)\s+(.*)", re.I)
REPR_END = re.compile(
    r",?\s+(?:d[ûu]ment|d[ûu]ments|agissant|habilit|autoris|en vertu|en application|conform[ée]ment|sis[e]?\b|domicili"
    r"|[ée]lisant|ci-?\s?apr[èe]s|pour le compte)|;|\(ci|\s-\s", re.I)


def people_of(text: str) -> list[RawPerson]:
    m = REPR.search(text)
    if not m:
        return []
    rest = m.group(1)
    end = REPR_END.search(rest)
    if end:
        rest = rest[: end.start()]
    out = []
    for seg in split_representatives(rest):
        p = parse_person(seg)
        if p:
            out.append(p)
    return out


# ------------------------------------------------------------------------------------------------- the party block

NAME_END = re.compile(
    r",|;|\s(?:repr[ée]sent[ée]|sis[e]?\b|situ[ée]|dont le si[èe]ge|ayant (?:son )?si[èe]ge|domicili|agissant|ci-?\s?apr[èe]s"
    r"|sous le n|immatricul|n°\s*siret|siret|siren|pris en la personne|en la personne|repr\.|d'une part|d'autre part"
    r"|[ée]tablissement public|num[ée]ro siret)|\(ci-?\s?apr",
    re.I,
)


def find_party_block(lines: list[Line]) -> tuple[int, int] | None:
    """Indexes (into ``lines``) of the first and last line of the "Entre : …" block."""
    limit = max(60, len(lines) * 2 // 3)
    for i, ln in enumerate(lines[:limit]):
        if not ln.content or ln.cells is not None:
            continue
        m = ENTRE.match(ln.text)
        if not m:
            continue
        rest = m.group(1).strip()
        # "Entre les deux Départements" in a sentence is not a party block
        if rest and not re.match(r"^(?:[-–•]|les soussign|d'une part|:)?\s*(?:la|le|l'|les|l’|\d|[A-ZÉ])", rest):
            continue
        if rest and re.match(r"^(?:les deux|eux|elles|autres)\b", rest, re.I):
            continue
        # a title line "… entre la Commune de X et la Commune de Y" is not the block
        if rest and len(orgs_in(rest)) >= 2 and not re.search(r"repr[ée]sent|ci-?\s?apr[èe]s|d'une part", rest, re.I):
            continue
        end = i
        for j in range(i + 1, min(len(lines), i + 90)):
            lj = lines[j]
            if lj.content and BLOCK_END.match(lj.text):
                break
            if lj.content:
                end = j
        if end == i and not rest:
            continue
        window = " ".join(ln2.text for ln2 in lines[i:end + 1] if ln2.content)
        if not re.search(r"repr[ée]sent|ci-?\s?apr[èe]s|d'une part|d'autre part|\bsis[e]?\b|si[èe]ge", window, re.I):
            continue
        return i, end
    return None


def _chunks(lines: list[Line], first: int, last: int) -> list[tuple[str, tuple[int, int], int]]:
    """The block as chunks (text, lines, group); a group changes at "et" / "d'autre part" separators."""
    out: list[tuple[str, tuple[int, int], int]] = []
    cur: list[str] = []
    cur_lines: list[int] = []
    group = 0

    def flush() -> None:
        if cur:
            out.append((norm_space(" ".join(cur)), (cur_lines[0], cur_lines[-1]), group))
            cur.clear()
            cur_lines.clear()

    for idx in range(first, last + 1):
        ln = lines[idx]
        if not ln.content:
            continue
        text = ln.text
        if idx == first:
            m = ENTRE.match(text)
            text = m.group(1).strip() if m else text
            text = re.sub(r"^[-–•]\s*", "", text)
            if not text:
                continue
        # trailing separators on the line itself
        parts = re.split(r"\s*(?:,\s*)?(?:d'une part|d'autre part)\s*[,;.]?\s*(?:et\s*)?$", text, flags=re.I)
        trailing_sep = len(parts) > 1
        text = parts[0].strip()
        if SEPARATOR.match(ln.text) or not text:
            flush()
            group += 1
            continue
        starts_new = (ln.bullet or re.match(r"^\d+[.)]\s", text) or CIAPRES.match(text)
                      or re.match(r"^(?:ET|et)\s+(?:la|le|l'|les)\s", text))
        if not starts_new and cur:
            prev = cur[-1]
            if re.search(r"[;.]\s*$", prev) or (re.search(r",\s*$", prev) and re.match(
                    r"^(?:la|le|l'|les|l’)\s+[A-ZÉ]", text) and not re.search(r"ci-?\s?apr[èe]s", prev, re.I)):
                starts_new = True
        if starts_new:
            flush()
            if re.match(r"^(?:ET|et)\s+", text) and not CIAPRES.match(text):
                group += 1
                text = re.sub(r"^(?:ET|et)\s+", "", text)
            text = re.sub(r"^\d+[.)]\s*", "", text)
        cur.append(text)
        cur_lines.append(ln.n)
        if trailing_sep:
            flush()
            group += 1
    flush()
    return out


def _aliases(text: str) -> list[str]:
    m = CIAPRES.search(text)
    if not m:
        return []
    rest = text[m.end():]
    quoted = QUOTED.findall(rest)
    if quoted:
        return [norm_space(q.strip(" ,;.")) for q in quoted if q.strip(" ,;.")]
    bare = re.match(r"\s*((?:la|le|l'|les)\s+[^,;.()]{2,60})", rest, re.I)
    return [norm_space(bare.group(1))] if bare else []


def parse_party(text: str, lines: tuple[int, int], group: int) -> RawParty | None:
    body = text
    aliases = _aliases(body)
    m = CIAPRES.search(body)
    head = body[: m.start()] if m else body
    head = re.sub(r"^\s*(?:[-–•]|\d+[.)])\s*", "", head)
    am0 = re.search(r"\(\s*([A-ZÉÈ][A-Za-zÉÈ&.\-]{1,14})\s*\)", head)
    head = re.sub(r"\s*\((?!\s*[A-ZÉÈ][A-Za-zÉÈ&.\-]{1,14}\s*\))[^)]*\)", "", head)
    end = NAME_END.search(head)
    name = head[: end.start()] if end else head
    dotted = bool(re.search(r"\.{4,}|…{2,}|_{3,}", name))
    name = norm_space(re.sub(r"\s*(?:\.{4,}|…{2,}|_{3,})\s*", " ", name)).strip(" ,;:.")
    acronym = None
    am = re.search(r"\(\s*([A-ZÉÈ][A-Za-zÉÈ&.\-]{1,14})\s*\)", name) or am0
    if am and sum(1 for c in am.group(1) if c.isupper()) >= 2:
        acronym = am.group(1)
    name = norm_space(re.sub(r"\([^)]*\)", "", name)).strip(" ,;:.")
    name = re.sub(r"^(?:la|le|l'|l’|les)\s+(?=\S)", "", name, flags=re.I) if not re.match(
        r"^(?:la|le|les)\s+(?:soussign|partie)", name, re.I) else name
    siren = None
    sm = re.search(r"sire[nt]\s*(?:n°|no|:)?\s*:?\s*((?:\d\s?){9})", body, re.I)
    if sm:
        siren = re.sub(r"\s", "", sm.group(1))[:9]
    blank = not re.search(r"[A-Za-zÀ-ÿ]{2,}", re.sub(r"^(?:commune|ville|mairie|communaut[ée] de communes|syndicat)\s+(?:de|du|d')?\s*",
                                                     "", name, flags=re.I)) or dotted
    if blank:
        name = re.sub(r"[.…_]{2,}.*$", "", name).strip(" ,")
    people = people_of(body)
    if not name and not aliases:
        return None
    if not blank and len(name) < 3:
        return None
    return RawParty(name=name, lines=lines, acronym=acronym, aliases=aliases, people=people, siren=siren,
                    blank=blank, text=body, group=group)


def read_party_block(lines: list[Line]) -> tuple[list[RawParty], tuple[int, int] | None]:
    found = find_party_block(lines)
    if not found:
        return [], None
    first, last = found
    parties: list[RawParty] = []
    for text, span, group in _chunks(lines, first, last):
        if CIAPRES.match(text) or re.match(r"^(?:le|la|les)\s*[«\"“]", text, re.I):
            names = _aliases(text) if CIAPRES.match(text) else [q.strip() for q in QUOTED.findall(text)]
            if not names:
                continue
            targets = [p for p in parties if p.group == group and not p.aliases] or (parties[-1:] if parties else [])
            if len(names) >= len(targets) > 0:
                for p, alias in zip(targets, names, strict=False):
                    p.aliases.append(alias)
                for alias in names[len(targets):]:
                    targets[-1].aliases.append(alias)
            elif targets:
                for p, alias in zip(targets[-len(names):], names, strict=False):
                    p.aliases.append(alias)
            for p in targets:
                if p.blank and p.aliases:
                    p.name = strip_quotes(p.aliases[0])
            continue
        party = parse_party(text, span, group)
        if party is None:
            continue
        if party.blank and party.aliases:
            party.name = strip_quotes(party.aliases[0])
        parties.append(party)
    return parties, (lines[first].n, lines[last].n)


def strip_quotes(text: str) -> str:
    return re.sub(r"^(?:la|le|l'|les)\s+", "", text.strip(" «»\"“”"), flags=re.I)


# ------------------------------------------------------------------------------------------------- signatures

FAIT_A = re.compile(r"^(?:fait|sign[ée]e?)[,\s]+(?:en\s+\S+\s+(?:\(\d\)\s+)?exemplaires?(?:\s+originaux)?[,\s]+)?(?:[àa]|au)\s+(.+)$",
                    re.I)
A_PLACE = re.compile(r"^(?:[àa]|au)\s+([A-ZÉ][^,]{1,60}),\s*le\s", re.I)
POUR = re.compile(r"^pour\s+(?:la|le|l'|les|l’)\s*(.+)$", re.I)


def _date_in(text: str) -> tuple[str | None, str | None]:
    found = [d for d in find_dates(text) if len(d.value) == 10]
    if found:
        return found[0].value, found[0].text
    return None, None


def _logical(lines: list[Line], first: int, last: int) -> list[tuple[str, int, int]]:
    """Lines of a signature zone with the wrapped ones joined ("Maine-" + "et-Loire", "**Pour la … Loire" + "Layon
    Aubance**", a post line until its closing comma)."""
    out: list[tuple[str, int, int]] = []
    pending: list[Line] = []

    def flush() -> None:
        if pending:
            raw = " ".join(p.raw.strip() for p in pending)
            text = norm_space(re.sub(r"(?<=\w)-\s+(?=[a-zé])", "-", " ".join(p.text for p in pending)))
            del raw
            out.append((text, pending[0].n, pending[-1].n))
            pending.clear()

    for ln in lines[first:last + 1]:
        if not ln.content:
            flush()
            continue
        if pending:
            prev = pending[-1]
            joined_raw = " ".join(p.raw for p in pending)
            head = pending[0].text
            cont = (joined_raw.count("**") % 2 == 1
                    or prev.text.endswith("-")
                    or re.search(r"\b(?:de|du|des|la|le|l'|d'|et|aux?)$", prev.text)
                    or re.match(r"^[a-zé]", ln.text)
                    or (POST_WORDS.match(strip_art(head)) and not re.search(r"[,.:]$", prev.text)
                        and len(pending) < 4 and (ln.text.endswith(",") or not take_name(ln.text)[0])))
            if not cont:
                flush()
        pending.append(ln)
    flush()
    return out


def read_signatures(lines: list[Line]) -> list[RawSignature]:
    """Signature blocks: "Fait à X, le D", "Pour ORG", a post line, a name line."""
    out: list[RawSignature] = []
    n = len(lines)
    fait_idx = [i for i, ln in enumerate(lines) if ln.content and (FAIT_A.match(ln.text) or (
        A_PLACE.match(ln.text) and i > n // 2))]
    if not fait_idx:
        return out
    place = date = date_text = None
    org: str | None = None
    post: str | None = None
    start = fait_idx[0]
    end = min(n - 1, fait_idx[-1] + 40)
    logical = _logical(lines, start, end)
    last_fait = None
    block_start = lines[start].n
    for k, (text, a, b) in enumerate(logical):
        m = FAIT_A.match(text) or A_PLACE.match(text)
        if m:
            rest = m.group(1)
            joined = rest
            if not find_dates(rest) and k + 1 < len(logical) and re.search(r"\d{4}|\.{3,}|…|_{3,}", logical[k + 1][0]):
                joined = rest + " " + logical[k + 1][0]
            pm = re.match(r"\s*([^,]+?)\s*(?:,|\s+le\s|\s+en\s|$)", rest)
            place = norm_space(pm.group(1)).strip(" ,.") if pm else None
            if place and (re.search(r"\.{3,}|…|_{3,}", place) or not re.search(r"[A-Za-zÀ-ÿ]{2,}", place)):
                place = None
            date, date_text = _date_in(joined)
            last_fait = b
            continue
        pm = POUR.match(text)
        if pm and len(text) < 200:
            org = norm_space(pm.group(1)).strip(" ,.:")
            post = None
            block_start = a
            continue
        if POST_WORDS.match(strip_art(text)) and len(text) < 220 and not take_name(text)[0]:
            post_full = text.strip(" ,.")
            om = re.search(r"\s(?:de la|du|de l'|des|de)\s+((?:caisse|communaut|syndicat|d[ée]partement|r[ée]gion|commune|ville"
                           r"|conseil d[ée]partemental|m[ée]tropole|parc|p[oô]le|pays|agence|association|caf\b|ccas\b)[^,]*)$",
                           post_full, re.I)
            post = clean_post(strip_art(post_full[: om.start()] if om else post_full))
            if om:
                org = om.group(1).strip(" ,.")
            continue
        name, used = take_name(text)
        if name and used >= len(text.rstrip(" .")) - 1 and not text.endswith(",") and len(text) < 60 and (post or org) \
                and last_fait is not None:
            out.append(RawSignature(org, RawPerson(name, post, None), date, date_text, place, (block_start, b)))
            post = None
            block_start = b + 1
            continue
    if not out and last_fait is not None:
        out.append(RawSignature(None, None, date, date_text, place, (lines[start].n, last_fait)))
    return out


def strip_art(text: str) -> str:
    return re.sub(r"^(?:le|la|l'|les|l’)\s*", "", text.strip(), flags=re.I)


# ------------------------------------------------------------------------------------------------- name + post lines


def post_lines(lines: list[Line]) -> list[tuple[RawPerson, str, tuple[int, int]]]:
    """A name line followed by a post line naming an organisation: ("Georges Ziegler", "président", "Département de
    la Loire")."""
    out = []
    content = [ln for ln in lines if ln.content]
    for a, b in itertools.pairwise(content):
        if b.n - a.n > 3 or len(a.text) > 50 or len(b.text) > 160:
            continue
        name, used = take_name(a.text)
        if not name or used < len(a.text.rstrip(" .,")) - 1:
            continue
        m = re.match(r"^((?:vice-)?pr[ée]sidente?|maire|directeur|directrice|pr[ée]f[eè]te?|bourgmestre)\s+"
                     r"(?:du|de la|de l'|des|de)\s+(.+)$", b.text.strip(" ,."), re.I)
        if not m:
            continue
        post, org = m.group(1), m.group(2).strip(" ,.")
        if post.lower().startswith("maire"):
            org = "Commune de " + org
        elif re.match(r"^conseil (?:d[ée]partemental|g[ée]n[ée]ral)\b", org, re.I):
            org = "Département" + org[org.lower().find(" ", 8):] if " d" in org[8:] else org
        out.append((RawPerson(name, post[0].lower() + post[1:], None), org, (a.n, b.n)))
    return out


# ------------------------------------------------------------------------------------------------- organisations in prose

_ORG_HEAD = (
    r"(?:D[ée]partement|Conseil d[ée]partemental|Conseil g[ée]n[ée]ral|R[ée]gion|Conseil r[ée]gional|Commune|Ville|Mairie"
    r"|Communaut[ée] de communes|Communaut[ée] d'agglom[ée]ration|Communaut[ée] urbaine|M[ée]tropole|Caf|CAF"
    r"|Caisse d'allocations familiales|Caisse des allocations familiales|Syndicat mixte|Syndicat intercommunal|Syndicat"
    r"|Parc naturel r[ée]gional|PNR|P[ôo]le d'[ée]quilibre territorial et rural|PETR|P[ôo]le m[ée]tropolitain|Pays"
    r"|Municipalit[ée]|Province|Canton|Diputaci[óo]n(?: Foral)?|Gobierno|Generalitat|Landkreis|Comune|Provincia"
    r"|Commune (?:rurale|urbaine))"
)
_NAME_PART = r"(?:[A-ZÉÈÊÀÂÎÔÛÇ][\w'’\-]*|[dl]['’][A-ZÉÈÊÀÂÎÔÛÇ][\w'’\-]*|d[eu]s?|de la|de l'|d'|l'|la|le|les|sur|sous|en|lès|aux?|y)"
ORG_IN_PROSE = re.compile(
    rf"\b(?:(?:le|la|l'|les)\s+)?((?i:{_ORG_HEAD})(?:\s+(?:de la|de l'|du|des|de|d')\s*|\s+)"
    rf"[A-ZÉÈÊÀÂÎÔÛÇ][\w'’\-]*(?:\s+{_NAME_PART})*)",
)


def orgs_in(text: str) -> list[tuple[str, int, int]]:
    """Organisation names in a sentence: (name, start, end)."""
    out = []
    for m in ORG_IN_PROSE.finditer(text):
        name = m.group(1)
        # a name ends before a trailing particle or article
        name = re.sub(r"(?:\s+(?:de la|de l'|du|des|de|d'|la|le|les|l'|sur|sous|en|et|aux?|y))+$", "", name)
        name = re.sub(r"\s+(?:Le|La|Les|Un|Une|Ce|Cette|Il|Elle|Ils|Elles)$", "", name)
        out.append((name.strip(), m.start(1), m.start(1) + len(name)))
    return out


SIGNED_BETWEEN = re.compile(
    r"(?:convention|entente|contrat|accord|charte|protocole|partenariat|coop[ée]ration|jumelage)[^.]{0,120}?"
    r"\bentre\s+(.{5,200}?)(?:\.|;|,\s*(?:le|pour|afin|qui|dont)\b|\s+(?:le|pour|afin|qui|a [ée]t[ée]|ont|sera|est)\s)",
    re.I,
)
HAVE_SIGNED = re.compile(r"(.{5,220}?)\s+ont\s+(?:officiellement\s+)?sign[ée]", re.I)


def prose_parties(lines: list[Line]) -> list[tuple[str, tuple[int, int], float]]:
    """Organisations a text says signed together: "… entre le Département du Lot et la Région Occitanie",
    "Le Département du Lot et la Ville de Figeac ont signé …"."""
    out: list[tuple[str, tuple[int, int], float]] = []
    for ln in lines:
        if not ln.content or ln.cells is not None:
            continue
        for rx, conf in ((HAVE_SIGNED, 0.75), (SIGNED_BETWEEN, 0.7)):
            for m in rx.finditer(ln.text):
                segment = m.group(1)
                found = orgs_in(segment)
                if len(found) >= 2 or (rx is HAVE_SIGNED and found):
                    for name, _a, _b in found:
                        out.append((name, (ln.n, ln.n), conf))
    return out


def fold_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


def signature_sentence(lines: list[Line]) -> list[tuple[str, str | None, tuple[int, int]]]:
    """A sentence that gives a signature date: "la convention signée … le 24 octobre 2019" → (date, place, lines)."""
    out = []
    rx = re.compile(
        r"(?:sign[ée]e?s?|ont sign[ée]|a sign[ée]|signature)\b(?:(?!\bvu\b)[^.;]){0,120}?\ble\s+((?:\w+\s+)?\d{1,2}(?:er)?\s+\w+\s+\d{4}"
        r"|\d{1,2}/\d{1,2}/\d{4})(?:\s*,?\s*(?:[àa]|au)\s+([A-ZÉ][\w'’\-]+(?:[\s-](?:sur|sous|en|de|du|la|le|l'|[A-ZÉ][\w'’\-]+))*))?",
        re.I,
    )
    for ln in lines:
        if not ln.content or re.match(r"^vu\b", ln.text, re.I):
            continue
        for m in rx.finditer(ln.text):
            before = fold(ln.text[max(0, m.start() - 60): m.start()])
            if re.search(r"\b(?:loi|decret|arrete|deliberation|circulaire|ordonnance)\b", before):
                continue
            value, _ = _date_in(m.group(1))
            if value:
                out.append((value, m.group(2), (ln.n, ln.n)))
    return out


__all__ = [
    "FULL_DATE", "NUMERIC_DATE", "RawParty", "RawPerson", "RawSignature", "orgs_in", "parse_person", "people_of",
    "post_lines", "prose_parties", "read_party_block", "read_signatures", "signature_sentence", "take_name",
]
