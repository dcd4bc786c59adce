"""Reading a document's text as PDF or HTML extraction gives it, and telling its content from its furniture.

Line numbers are those of the text as read (Python's ``str.splitlines``, 1-based), so that every fact can point to
where it was read. Nothing is removed: lines are *marked* (page numbers, repeated running headers, tables of
contents, hosting-site boilerplate) and the readers skip what is marked.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 20_000_000  # far above any convention; a larger "text" is not one

# -------------------------------------------------------------------------------------------------- decoding


@dataclass
class Decoded:
    text: str
    encoding: str
    sha256: str
    notes: list[str] = field(default_factory=list)


_BINARY_MAGIC = {
    b"%PDF": "a PDF file: extract its text first (for instance with pdftotext -layout)",
    b"PK\x03\x04": "a ZIP container (docx, odt…): save or extract it as plain text first",
    b"\xd0\xcf\x11\xe0": "an old Office document: save it as plain text first",
    b"\x89PNG": "an image (PNG): there is no text to read",
    b"\xff\xd8\xff": "an image (JPEG): there is no text to read",
    b"GIF8": "an image (GIF): there is no text to read",
}


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(8, len(sample) // 100)


def _mojibake_score(text: str) -> int:
    """How many sequences look like UTF-8 read as a single-byte code page (Ã©, â€™…)."""
    return len(re.findall(r"[ÃÂ][\x80-\xbf©¨ª«®´»¢§]|â€", text))


def _decode_mixed(raw: bytes) -> tuple[str, list[int]] | None:
    """A text pasted together from UTF-8 and single-byte parts, each line decoded in the encoding it is valid in, with
    the numbers of the lines that were not UTF-8; None when no line holds UTF-8 beyond ASCII (one code page then).

    Decoding the whole file as cp1252 would turn every accented letter of its UTF-8 part into two (« signÃ©e »).
    Lines are split on LF only, so their numbers are those of the decoded text.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    parts: list[str] = []
    bad: list[int] = []
    utf8 = False
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            parts.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()
        except UnicodeDecodeError:
            try:
                parts.append(line.decode("cp1252"))
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                parts.append(line.decode("latin-1"))
            bad.append(number)
    return ("\n".join(parts), bad) if utf8 else None


def _ranges(numbers: list[int]) -> list[str]:
    """[3, 4, 5, 9] → ["3-5", "9"]."""
    out: list[str] = []
    for n in numbers:
        if out and n == int(out[-1].rpartition("-")[2]) + 1:
            out[-1] = f"{out[-1].partition('-')[0]}-{n}"
        else:
            out.append(str(n))
    return out


def decode(raw: bytes, name: str = "<input>") -> Decoded:
    """Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, then the usual French code pages."""
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_BYTES:
        raise InputError(f"file is {len(raw)} bytes; the limit for a document is {MAX_BYTES}", file=name)
    if not raw.strip():
        raise InputError("empty document: there is no text to read", file=name)
    for magic, what in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise InputError(f"not a text document but {what}", file=name)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(raw.decode("utf-16"), "utf-16", digest, ["decoded as UTF-16 (byte order mark)"])
        except UnicodeDecodeError:
            raise InputError("starts with a UTF-16 byte order mark but is not valid UTF-16", file=name) from None
    if _looks_binary(raw):
        raise InputError("binary content (NUL or control bytes): not a plain-text document", file=name)
    try:
        text = raw.decode("utf-8-sig")
        return Decoded(text, "utf-8", digest)
    except UnicodeDecodeError as exc:
        first_bad = raw[: exc.start].count(b"\n") + 1
    mixed = _decode_mixed(raw)
    if mixed is not None:
        text, bad = mixed
        shown = ", ".join(_ranges(bad)[:5]) + (", …" if len(_ranges(bad)) > 5 else "")
        note = (f"the file mixes encodings: line(s) {shown} are not UTF-8 and were decoded as Windows-1252 (cp1252), "
                "the others as UTF-8: check accented letters")
        return Decoded(text, "utf-8+cp1252", digest, [note])
    for encoding, label in (("cp1252", "Windows-1252 (cp1252)"), ("latin-1", "ISO-8859-1 (latin-1)")):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f") > max(8, len(text) // 200):
            continue
        note = (f"the file is not UTF-8 (first invalid byte on line {first_bad}); it was decoded as {label}: "
                "check accented letters")
        return Decoded(text, encoding, digest, [note])
    raise InputError("cannot decode the text as UTF-8, cp1252 or latin-1", file=name)


def read_document(path: Path) -> Decoded:
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    if path.is_dir():
        raise InputError("is a folder, not a document", file=str(path))
    if size > MAX_BYTES:
        raise InputError(f"file is {size} bytes; the limit for a document is {MAX_BYTES}", file=str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    decoded = decode(raw, str(path))
    if _mojibake_score(decoded.text) > 3:
        decoded.notes.append("the text shows signs of double encoding (Ã©, â€™…): accented words may be garbled")
    return decoded


# -------------------------------------------------------------------------------------------------- lines

BULLET = re.compile(r"^\s*(?:[-–—•◦▪▫●○■□➢►▶✓✔→·]|[*o](?=\s)|\uf0b7|\uf0a7|\uf0d8)\s*")
_HTML_TAG = re.compile(r"<[^>]{0,300}>")
_LIST_TAG = re.compile(r"<\s*(?:li|p|br|tr|td|th|div)\b[^>]*>", re.I)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, no accents, ligatures opened, apostrophes and dashes unified: for matching, never for output."""
    t = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    t = unicodedata.normalize("NFKD", t)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    return t.replace("’", "'").replace("‘", "'").replace("`", "'").replace("–", "-").replace("—", "-")


def norm_space(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u202f\u2009]+", " ", text).strip()


def inline_clean(text: str) -> str:
    """One line (or cell) without layout marks: markdown emphasis, HTML tags and entities, superscripts."""
    t = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ").replace("\ufeff", "")
    t = t.replace("’", "'").replace("‘", "'")
    if "<" in t and ">" in t:
        t = _HTML_TAG.sub(" ", t)
    if "&" in t:
        t = html.unescape(t)
    t = re.sub(r"\^\{?(er|re|e|ème|eme)\}?", r"\1", t)
    t = t.replace("**", "").replace("__", "")
    t = re.sub(r"^\s*#{1,6}\s+", "", t)
    return norm_space(t)


def html_items(text: str) -> list[str]:
    """The items of a cell that holds an HTML fragment or ✓ bullets: "<ul><li>a</li><li>b</li>" → [a, b]."""
    t = _LIST_TAG.sub("\n", text)
    t = re.sub(r"[✓✔•●▪]|(?<=\s)\uf0b7", "\n", t)
    items = [inline_clean(x) for x in t.split("\n")]
    return [x for x in items if x and not re.fullmatch(r"[.…\s]*", x)]


@dataclass
class Line:
    n: int  # 1-based
    raw: str
    text: str  # cleaned
    bullet: bool = False
    bold: bool = False  # the whole line is emphasised (**…**, ## …)
    cells: list[str] | None = None  # table row (tab-separated), raw cells
    furniture: str | None = None  # page-number, running-header, toc, boilerplate, cover

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def content(self) -> bool:
        return bool(self.text) and self.furniture is None


_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?[-–]?\s*\d{1,3}\s*(?:/|sur)?\s*\d{0,3}\s*[-–]?\s*$", re.I)
_TOC_ENTRY = re.compile(r"(?:\.{4,}|…{2,}|\t)\s*\.?\s*\d{0,3}\s*\.?$|^\s*-?\s*\d{1,3}\s*\*\*\s*\S")
_TOC_TITLE = re.compile(r"^\s*(?:sommaire|table des mati[eè]res|contents)\s*:?\s*$", re.I)
BOILERPLATE = re.compile(
    r"^(?:bouton\s+)?haut de (?:la )?page$|^vos services en ligne$|^partager(?: (?:sur|cette page|l'article).*)?$"
    r"|^imprimer(?: la page| cette page)?$|^(?:accueil|home)\s*(?:>|›|»|/)|^fil d'ariane|cookies?\b|^tous droits r[ée]serv"
    r"|^mentions l[ée]gales|^plan du site$|^retour(?: [àa] la liste| en haut)?$|^lire la suite|^t[ée]l[ée]charger\b"
    r"|^newsletter|^suivez[- ]nous|^(?:facebook|twitter|linkedin|instagram|youtube|x)$|^envoyer [àa] un ami"
    r"|^en savoir plus$|^(?:t[ée]l\.?|fax|courriel|e-?mail)\s*:|^qui contacter\s*\?$|^contact$|^menu$|^rechercher$"
    r"|^aller au contenu|^passer au contenu|^votre navigateur|^accepter|^refuser|^param[ée]trer",
    re.I,
)
PUBLISHED = re.compile(r"^(?:publi[ée]e?|mis[e]? [àa] jour|mise en ligne|modifi[ée]e?|date de publication)\b", re.I)


def split_lines(text: str) -> list[Line]:
    """The document's lines, cleaned and marked."""
    out: list[Line] = []
    for i, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        cells = None
        if "\t" in raw.strip("\n") and len([c for c in raw.split("\t")]) >= 2 and raw.strip():
            cells = [c for c in raw.split("\t")]
        bold = bool(re.fullmatch(r"\s*(?:[-•]\s*)?(?:#{1,6}\s*)?\*\*[^*]+\*\*\s*[:.]?\s*", raw)) or bool(
            re.match(r"^\s*#{1,6}\s+\S", raw))
        bullet = bool(BULLET.match(stripped)) and not stripped.startswith("--")
        text_ = inline_clean(raw if cells is None else " ".join(c for c in cells))
        if bullet:
            text_ = BULLET.sub("", text_, count=1)
            text_ = inline_clean(text_)
        out.append(Line(i, raw, text_, bullet=bullet, bold=bold, cells=cells))
    _mark_furniture(out)
    return out


def _mark_furniture(lines: list[Line]) -> None:
    # page numbers
    for ln in lines:
        if ln.text and _PAGE_NUMBER.match(ln.text) and ln.cells is None:
            ln.furniture = "page-number"
        elif (ln.text and BOILERPLATE.search(ln.text) and len(ln.text) < 90) or (ln.text and re.fullmatch(r"(?:\d{2}\s?){5}|\+33\s?[\d ]{9,14}", ln.text)):
            ln.furniture = "boilerplate"
    # tables of contents: a "Sommaire" title and the entries that follow it
    for idx, ln in enumerate(lines):
        if ln.content and _TOC_TITLE.match(ln.text):
            ln.furniture = "toc"
            gap = 0
            for nxt in lines[idx + 1 : idx + 80]:
                if nxt.blank:
                    gap += 1
                    if gap > 3:
                        break
                    continue
                if _TOC_ENTRY.search(nxt.raw) or re.search(r"\t\s*\d{1,3}\s*$", nxt.raw):
                    nxt.furniture = "toc"
                    gap = 0
                else:
                    break
    # running headers and footers: a short line repeated at least three times, that is not a date, a signature
    # formula or a table header
    counts = Counter(fold(ln.text) for ln in lines if ln.content and ln.cells is None and len(ln.text) < 120)
    for ln in lines:
        if not ln.content or ln.cells is not None:
            continue
        key = fold(ln.text)
        if counts.get(key, 0) >= 3 and not re.search(r"\b(?:fait [aà]|le \d|\d{4}|pour l[ae']|pour le)\b", key) \
                and len(key.split()) >= 2 and not re.match(r"^(?:le|la|les)\s+\w+\s*,?$", key):
            ln.furniture = "running-header"


def blocks(lines: list[Line], start: int = 0, end: int | None = None) -> list[list[Line]]:
    """Runs of consecutive content lines (blank or furniture lines separate them)."""
    out: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines[start:end]:
        if ln.content:
            cur.append(ln)
        elif ln.blank and cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out
