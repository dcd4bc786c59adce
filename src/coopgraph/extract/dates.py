"""French dates as documents write them: "23 janvier 2020", "1er janvier 2020", "1^{er} janvier", "23/01/2020",
"janvier 2020", "2020-2024", durations ("pour une durée de cinq ans", "36 mois").

Expressions are found with patterns (so that each keeps its place in the line and its context can be judged: a
signature, a period, or a date that is only cited); full day-month-year expressions are read with dateparser
(French, offline), with a plain reading as fallback. A date without a year is never completed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12, "décembre": 12,
}
_MONTH = r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
_DAY = r"(1\s?(?:\^\{?)?(?:er|re|e|°)\}?|[0-3]?\d)"
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"

FULL_DATE = re.compile(rf"\b{_WEEKDAY}{_DAY}\s+{_MONTH}\s+((?:1[89]|20)\d\d)\b", re.I)
NUMERIC_DATE = re.compile(r"\b([0-3]?\d)[/.]([01]?\d)[/.]((?:1[89]|20)\d\d)\b")
MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+((?:1[89]|20)\d\d)\b", re.I)
DAY_MONTH_NO_YEAR = re.compile(rf"\b{_WEEKDAY}{_DAY}\s+{_MONTH}\b(?!\s+(?:1[89]|20)\d\d)", re.I)
YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|–|—|/|à|au)\s*((?:19|20)\d\d)\b")

_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "dix-huit": 18, "vingt": 20, "vingt-quatre": 24,
    "trente": 30, "trente-six": 36, "quarante-huit": 48, "soixante": 60,
}
DURATION = re.compile(
    r"\b(?:pour une dur[ée]e|d'une dur[ée]e|pour une p[ée]riode|sur une (?:dur[ée]e|p[ée]riode)|dur[ée]e)\s+(?:de\s+|d')?"
    r"(?:(\d{1,2})|([a-z-]+))\s*(?:\(\s*\d{1,2}\s*\)\s*)?(ans?|ann[ée]es?|mois)\b",
    re.I,
)
NOTICE = re.compile(
    r"pr[ée]avis\s+(?:d'une dur[ée]e\s+)?(?:de\s+|d')?(?:(\d{1,2})|([a-z-]+))\s*(?:\(\s*\d{1,2}\s*\)\s*)?(mois|jours?|semaines?)",
    re.I,
)

_dateparser = None


def _parse_with_dateparser(text: str) -> dt.date | None:
    global _dateparser
    try:
        if _dateparser is None:
            import dateparser

            _dateparser = dateparser
        found = _dateparser.parse(
            text, languages=["fr"],
            settings={"REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past"},
        )
    except Exception:
        return None
    return found.date() if found else None


@dataclass
class FoundDate:
    value: str  # ISO date, YYYY-MM or YYYY
    start: int  # offset in the text
    end: int
    text: str


def _day(text: str) -> int:
    m = re.match(r"\d+", text)
    return int(m.group(0)) if m else 1


def find_dates(text: str) -> list[FoundDate]:
    """Every dated expression of a line or sentence, in order, complete dates first where they overlap."""
    out: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in FULL_DATE.finditer(text):
        day, month, year = _day(m.group(1)), MONTHS[_fold_month(m.group(2))], int(m.group(3))
        try:
            plain = dt.date(year, month, day)
        except ValueError:
            continue
        parsed = _parse_with_dateparser(f"{day} {m.group(2)} {year}") or plain
        if parsed != plain:  # both readings must agree, otherwise trust the plain one
            parsed = plain
        out.append(FoundDate(parsed.isoformat(), m.start(), m.end(), m.group(0)))
        taken.append((m.start(), m.end()))
    for m in NUMERIC_DATE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        try:
            d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            continue
        out.append(FoundDate(d.isoformat(), m.start(), m.end(), m.group(0)))
        taken.append((m.start(), m.end()))
    for m in MONTH_YEAR.finditer(text):
        if not free(m.start(), m.end()):
            continue
        out.append(FoundDate(f"{int(m.group(2)):04d}-{MONTHS[_fold_month(m.group(1))]:02d}", m.start(), m.end(),
                             m.group(0)))
        taken.append((m.start(), m.end()))
    return sorted(out, key=lambda f: f.start)


def _fold_month(word: str) -> str:
    w = word.lower()
    return w.replace("é", "e").replace("û", "u")


def number_word(digits: str | None, word: str | None) -> int | None:
    if digits:
        return int(digits)
    if word:
        return _NUMBER_WORDS.get(word.lower())
    return None


def find_duration(text: str) -> tuple[str, int, str] | None:
    """"pour une durée de cinq (5) ans" → ("P5Y", 5, "Y")."""
    m = DURATION.search(text)
    if not m:
        return None
    n = number_word(m.group(1), m.group(2))
    if not n:
        return None
    unit = "M" if m.group(3).lower().startswith("mois") else "Y"
    return (f"P{n}{unit}", n, unit)


def find_notice(text: str) -> str | None:
    m = NOTICE.search(text)
    if not m:
        return None
    n = number_word(m.group(1), m.group(2))
    if not n:
        return None
    unit = m.group(3).lower()
    if unit.startswith("mois"):
        return f"P{n}M"
    if unit.startswith("semaine"):
        return f"P{n * 7}D"
    return f"P{n}D"


def add_duration(start: str, n: int, unit: str) -> str | None:
    """The last day of a period of ``n`` years or months that starts on ``start`` (a full ISO date)."""
    if len(start) != 10:
        return None
    d = dt.date.fromisoformat(start)
    months = n * 12 if unit == "Y" else n
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = d.day
    while True:
        try:
            nxt = dt.date(year, month, day)
            break
        except ValueError:
            day -= 1
    return (nxt - dt.timedelta(days=1)).isoformat()
