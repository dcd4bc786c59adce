"""Tables as text extraction leaves them: tab-separated rows, or HTML fragments (``<tr><td>…``, ``<ul><li>…``).

Two shapes matter: action-plan tables (a header with "Actions" and "Chef de file" / "Pilote" / "Co-porteur"
columns) and key/value tables ("Éléments déclencheurs", "Partenaires / échelle", "Enjeux", "Ambitions", "Objet",
"Acteurs"…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .actors import ACRONYMS, SERVICE_WORDS
from .cleaning import Line, fold, html_items, inline_clean
from .model import Carrier


@dataclass
class Row:
    n: int  # line number
    cells: list[str]  # raw cell texts (may hold HTML)

    def text(self, i: int) -> str:
        return inline_clean(self.cells[i]) if i < len(self.cells) else ""


def rows_of(lines: list[Line]) -> list[Row]:
    """Table rows in document order: tab-separated lines, and rows of HTML tables."""
    out: list[Row] = []
    html_buf: list[tuple[int, str]] = []
    in_html = False
    for ln in lines:
        low = ln.raw.lower()
        if "<table" in low or (in_html and ("<tr" in low or "<td" in low or "</table" in low)) or (
                "<tr" in low and "<td" in low):
            in_html = True
            html_buf.append((ln.n, ln.raw))
            if "</table" in low:
                out.extend(_html_rows(html_buf))
                html_buf, in_html = [], False
            continue
        if in_html and not ln.raw.strip():
            continue
        if in_html:
            out.extend(_html_rows(html_buf))
            html_buf, in_html = [], False
        if ln.cells is not None and ln.furniture != "toc":
            out.append(Row(ln.n, ln.cells))
    if html_buf:
        out.extend(_html_rows(html_buf))
    return out


def _html_rows(buf: list[tuple[int, str]]) -> list[Row]:
    out: list[Row] = []
    text = "\n".join(raw for _, raw in buf)
    starts = [n for n, _ in buf]
    offsets = []
    pos = 0
    for _, raw in buf:
        offsets.append(pos)
        pos += len(raw) + 1
    for m in re.finditer(r"<tr\b[^>]*>(.*?)(?=<tr\b|</table|\Z)", text, re.I | re.S):
        line_idx = max(i for i, off in enumerate(offsets) if off <= m.start())
        cells = re.findall(r"<t[dh]\b[^>]*>(.*?)(?=<t[dh]\b|</tr|\Z)", m.group(1), re.I | re.S)
        cells = [re.sub(r"</t[dh]>\s*$", "", c.strip(), flags=re.I) for c in cells]
        if cells:
            out.append(Row(starts[line_idx], cells))
    return out


# ------------------------------------------------------------------------------------------------- action plans

COLUMN_ROLES = [
    ("co", r"co-?\s?porteur|co-?\s?pilote|copilote|associ[ée]s?|co-?\s?responsable"),
    ("partners", r"partenaires?|acteurs? (?:associ|mobilis|concern)"),
    ("lead", r"chef(?:s)? de file|pilote|porteur|responsable|ma[iî]tre d'ouvrage|r[ée]f[ée]rent|pilotage"),
    ("year", r"action\s+(?:19|20)\d\d|ann[ée]e|d[ée]marrage|calendrier|[ée]ch[ée]ance|(?:19|20)\d\d"),
    ("action", r"actions?|pistes?|intitul[ée]|fiches?|mesures?|projets?"),
    ("orientation", r"orientations?|objectifs?|axes?|th[ée]matiques?|enjeux|sous-axe"),
    ("status", r"[ée]tat|statut|avancement"),
]


def column_roles(row: Row) -> dict[int, str] | None:
    roles: dict[int, str] = {}
    for i in range(len(row.cells)):
        cell = fold(row.text(i))
        if not cell or len(cell) > 60:
            continue
        for role, rx in COLUMN_ROLES:
            if re.search(rf"\b(?:{rx})s?\b", cell) and role not in roles.values():
                roles[i] = role
                break
    values = set(roles.values())
    if "action" in values and ("lead" in values or "co" in values):
        return roles
    return None


@dataclass
class PlanRow:
    n: int
    axis: tuple[str | None, str] | None  # (number, label) when the row opens an axis
    orientation: tuple[str | None, str] | None
    action: tuple[str | None, str] | None
    lead: str
    co: str
    partners: str
    year_cell: str
    year: int | None


_NUM = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,2})\s*(?:/|\)|-|–|\.(?!\d)|:)\s*")
AXIS_CELL = re.compile(r"^\s*axe\s*(?:n\s*[°o]\s*)?(\d{1,2}|[ivx]{1,4})\b\s*[:.\-–—)]?\s*(.*)$", re.I)


def split_number(text: str) -> tuple[str | None, str]:
    m = _NUM.match(text)
    if m:
        return text[: m.end()].strip(), text[m.end():].strip()
    return None, text.strip()


def read_plans(rows: list[Row]) -> list[list[PlanRow]]:
    """Every action-plan table: its data rows, axis rows included."""
    plans: list[list[PlanRow]] = []
    i = 0
    while i < len(rows):
        roles = column_roles(rows[i])
        if roles is None:
            i += 1
            continue
        header = rows[i]
        year = None
        for idx, role in roles.items():
            if role == "year":
                ym = re.search(r"(?:19|20)\d\d", header.text(idx))
                year = int(ym.group(0)) if ym else None
        plan: list[PlanRow] = []
        j = i + 1
        last_n = header.n
        while j < len(rows):
            row = rows[j]
            if row.n - last_n > 6:  # a gap of prose: the table is over
                break
            if column_roles(row) is not None:  # the header repeated on a new page
                last_n = row.n
                j += 1
                continue
            plan.append(_plan_row(row, roles, year))
            last_n = row.n
            j += 1
        plans.append(plan)
        i = j
    return plans


def _plan_row(row: Row, roles: dict[int, str], year: int | None) -> PlanRow:
    by_role = {role: row.text(idx) for idx, role in roles.items()}
    texts = [row.text(k) for k in range(len(row.cells))]
    filled = [t for t in texts if t]
    axis = None
    if filled and AXIS_CELL.match(filled[0]) and len(filled) == 1:
        m = AXIS_CELL.match(filled[0])
        axis = (m.group(1), m.group(2).strip())
        return PlanRow(row.n, axis, None, None, "", "", "", "", None)
    orient_text = by_role.get("orientation", "")
    action_text = by_role.get("action", "")
    orientation = split_number(orient_text) if orient_text else None
    action = split_number(action_text) if action_text else None
    year_cell = by_role.get("year", "")
    row_year = None
    if year_cell:
        ym = re.search(r"(?:19|20)\d\d", year_cell)
        if ym:
            row_year = int(ym.group(0))
        elif re.fullmatch(r"(?:oui|x|✓|✔|yes)", fold(year_cell).strip()):
            row_year = year
    return PlanRow(row.n, None, orientation, action, by_role.get("lead", ""), by_role.get("co", ""),
                   by_role.get("partners", ""), year_cell, row_year)


# ------------------------------------------------------------------------------------------------- carriers

_ORG_TOKEN = re.compile(r"^[A-ZÉÈ][A-Z0-9ÉÈ&]{1,11}$")


def _is_unit(word: str) -> bool:
    w = word.strip().rstrip(".")
    key = fold(w).upper().replace(" ", "")
    if key in {k.replace(" ", "") for k in SERVICE_WORDS} or key.replace(".", "") in {
            k.replace(".", "") for k in SERVICE_WORDS}:
        return True
    return bool(re.fullmatch(r"(?:[A-Z]\.?){1,4}", w.replace(" ", ""))) and w.upper() not in ACRONYMS


def split_carriers(cell: str) -> list[Carrier]:
    """A plan cell → the actors it names: "CCLLA+CAF" → 2; "CCLLA / P.E" → 1 (a service); "Département ? ARS ?" → 2
    (both uncertain); "CCLLA / DE et AS" → "CCLLA / DE", "CCLLA / AS"."""
    text = inline_clean(cell)
    if not text or re.fullmatch(r"[-–—/.?\s]*", text):
        return []
    # a "?" followed by another name closes an item
    text = re.sub(r"\?\s+(?=\S)", "?; ", text)
    parts = [p.strip() for p in re.split(r"\s*(?:\+|,|;|\bet\b|&)\s*", text) if p.strip()]
    out: list[Carrier] = []
    org_prefix: str | None = None
    for part in parts:
        uncertain = part.endswith("?")
        core = part.rstrip(" ?").strip()
        if not core:
            continue
        slash = re.match(r"^(.+?)\s*/\s*(.+)$", core)
        if slash:
            left, right = slash.group(1).strip(), slash.group(2).strip()
            if _ORG_TOKEN.match(left) and (_is_unit(right) or right.split()[0].capitalize() == right.split()[0]) and \
                    len(right.split()) <= 2 and not right[0].islower():
                org_prefix = left
                out.append(Carrier(f"{left} / {right}", None, uncertain))
                continue
            # "Animateur local/ communes": two actors
            for sub in (left, right):
                sub_unc = uncertain or sub.endswith("?")
                out.append(Carrier(sub.rstrip(" ?"), None, sub_unc))
            org_prefix = None
            continue
        if (org_prefix and _is_unit(core) and core.upper() not in ACRONYMS and not core.isupper()) or (
                org_prefix and re.fullmatch(r"[A-Z]{1,3}(?:\.[A-Z])?", core) and core not in ACRONYMS):
            out.append(Carrier(f"{org_prefix} / {core}", None, uncertain))
            continue
        org_prefix = None
        out.append(Carrier(core, None, uncertain))
    for c in out:
        if c.uncertain:
            c.name = c.name + " ?"
    return out


# ------------------------------------------------------------------------------------------------- key / value

KV_KEYS = [
    ("triggers", r"[ée]l[ée]ments? d[ée]clencheurs?|contexte|origine|gen[eè]se"),
    ("partners", r"partenaires?(?:\s*/\s*[ée]chelle)?|[ée]chelle|signataires|parties|territoires? concern[ée]s?"),
    ("stakes", r"enjeux?"),
    ("ambitions", r"ambitions?|finalit[ée]s?"),
    ("object", r"objet|contenu"),
    ("objectives", r"objectifs?"),
    ("actors", r"acteurs|gouvernance|pilotage|organisation|instances?|moyens humains"),
    ("expected_results", r"r[ée]sultats? attendus?|effets attendus"),
    ("period", r"calendrier|dur[ée]e|p[ée]riode"),
]


def kv_key(text: str) -> str | None:
    f = fold(inline_clean(text)).strip(" :")
    if not f or len(f) > 40:
        return None
    for key, rx in KV_KEYS:
        if re.fullmatch(rf"(?:{rx})", f):
            return key
    return None


def kv_items(cell: str) -> list[str]:
    items = html_items(cell)
    if len(items) == 1 and not re.search(r"<|✓", cell):
        return items
    return items
