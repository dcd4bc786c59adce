"""The query library: ``queries/*.rq`` research queries and ``queries/checks/*-violation.rq`` data checks.

Each file opens with a header of ``#+ key: value`` comment lines (SPARQL ignores them)::

    #+ title: An actor's cooperations and its role in each
    #+ question.fr: Dans quels instruments, actions et instances un acteur intervient-il, et avec quel rôle ?
    #+ question.en: In which instruments, actions and governance bodies does an actor take part, and in which role?
    #+ param: actor iri = https://w3id.org/coopgraph/id/acteur/siren/200071553 -- the actor
    #+ param: theme iri optional -- a theme of the vocabulary (all themes when not given)
    #+ returns.fr: une ligne par participation : …
    #+ returns.en: one row per participation: …

Required keys: ``title``, ``question.fr``, ``question.en``, ``returns.fr``, ``returns.en``. Optional: ``note``, and
``unordered`` (columns holding space-separated lists in no fixed order, e.g. from GROUP_CONCAT: result comparisons
sort them). ``param`` lines (any number)
read ``NAME TYPE [= DEFAULT | optional] [-- description]``; TYPE is one of :data:`PARAM_TYPES`. A parameter with a
default takes it when not given; an ``optional`` one stays unbound (the query then ranges over every value); one
with neither must be given. A value continues on the next line when that line starts with ``#+`` and spaces.

Parameters are bound as typed RDF terms by the store (see :mod:`coopgraph.store`), never pasted into the text. A
SELECT must project each of its parameters (the embedded store substitutes projected variables only).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from .errors import InputError
from .paths import data_path
from .sparql import QuerySyntaxError, query_form, tokens

PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date", "gYear")
REQUIRED_KEYS = ("title", "question.fr", "question.en", "returns.fr", "returns.en")
KNOWN_KEYS = (*REQUIRED_KEYS, "param", "note", "unordered")

_HEADER = re.compile(r"^#\+\s*([A-Za-z][\w.]*)\s*:\s?(.*)$")
_CONTINUATION = re.compile(r"^#\+\s{2,}(\S.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)"
    r"(?:\s*=\s*(?P<default>.*?)|\s+(?P<optional>optional))?"
    r"(?:\s+--\s+(?P<doc>.*))?\s*$"
)
_GYEAR = re.compile(r"^-?\d{4,}$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None
    optional: bool = False
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional


@dataclass
class QueryDoc:
    """A query file: its name, text, header and parameters."""

    name: str
    path: Path
    text: str
    form: str
    header: dict[str, str] = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.header["title"]

    def question(self, lang: str = "en") -> str:
        return self.header[f"question.{lang}"]

    def returns(self, lang: str = "en") -> str:
        return self.header[f"returns.{lang}"]

    @property
    def unordered(self) -> list[str]:
        return self.header.get("unordered", "").split()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def prefixes(self) -> dict[str, str]:
        """The PREFIX declarations of the query (used to read parameters written as prefixed names)."""
        toks = tokens(self.text)
        out: dict[str, str] = {}
        for i, t in enumerate(toks[:-2]):
            if t.kind == "word" and t.text.upper() == "PREFIX" and toks[i + 2].kind == "iri":
                out[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
        return out

    def bindings(self, values: Mapping[str, str] | None = None) -> dict[str, Node]:
        """Typed RDF terms for the parameters: given values, then defaults; optional ones left out when not given."""
        values = dict(values or {})
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise InputError(f"unknown parameter {unknown[0]!r} for query {self.name} (its parameters: {known})",
                             file=str(self.path), field=unknown[0])
        out: dict[str, Node] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                if p.required:
                    raise InputError(f"query {self.name} needs the parameter {p.name} ({p.type}): "
                                     f"--param {p.name}=VALUE", file=str(self.path), field=p.name)
                continue
            out[p.name] = term_of(p, raw, self.prefixes(), where=str(self.path))
        return out


def term_of(param: Param, raw: str, prefixes: Mapping[str, str] | None = None, *, where: str | None = None) -> Node:
    """The RDF term a textual parameter value stands for, checked against the parameter's type."""

    def bad(why: str) -> InputError:
        return InputError(f"parameter {param.name}: {raw!r} is not a valid {param.type} ({why})", file=where,
                          field=param.name)

    value = raw.strip()
    if param.type == "iri":
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        elif ":" in value and not re.match(r"^[A-Za-z][\w+.-]*://", value):
            prefix, _, local = value.partition(":")
            if prefixes and prefix in prefixes:
                value = prefixes[prefix] + local.replace("\\/", "/")
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise bad(str(exc)) from None
        if not re.match(r"^[A-Za-z][\w+.-]*:", value):
            raise bad("an absolute IRI is needed, e.g. https://w3id.org/coopgraph/id/…")
        return URIRef(value)
    if param.type == "string":
        return Literal(raw)
    if param.type == "integer":
        if not re.match(r"^[+-]?\d+$", value):
            raise bad("digits expected")
        return Literal(int(value), datatype=XSD.integer)
    if param.type == "decimal":
        try:
            Decimal(value)
        except InvalidOperation:
            raise bad("a decimal number expected") from None
        return Literal(value, datatype=XSD.decimal)
    if param.type == "boolean":
        if value.lower() not in ("true", "false", "1", "0"):
            raise bad("true or false expected")
        return Literal(value.lower() in ("true", "1"))
    if param.type == "date":
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            raise bad("YYYY-MM-DD expected") from None
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise bad("YYYY-MM-DD expected")
        return Literal(value, datatype=XSD.date)
    if param.type == "gYear":
        if not _GYEAR.match(value):
            raise bad("a year such as 2021 expected")
        return Literal(value, datatype=XSD.gYear)
    raise bad(f"unknown type; use one of {', '.join(PARAM_TYPES)}")


def parse(text: str, path: Path, name: str | None = None) -> QueryDoc:
    """Read a query file's header and check it (InputError with the line otherwise)."""
    header: dict[str, str] = {}
    params: list[Param] = []
    last: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        cont = _CONTINUATION.match(line)
        if cont and last is not None:
            if last == "param":
                raise InputError("a param line cannot continue on the next line", file=str(path), line=lineno)
            header[last] += " " + cont.group(1).strip()
            continue
        m = _HEADER.match(line)
        if not m:
            last = None
            continue
        key, value = m.group(1), m.group(2).strip()
        if key not in KNOWN_KEYS:
            raise InputError(f"unknown header key {key!r} (known: {', '.join(KNOWN_KEYS)})", file=str(path),
                             line=lineno, field=key)
        if key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise InputError("param lines read 'NAME TYPE [= DEFAULT | optional] [-- description]'",
                                 file=str(path), line=lineno, field="param")
            p = Param(pm.group("name"), pm.group("type"), pm.group("default"), bool(pm.group("optional")),
                      (pm.group("doc") or "").strip())
            if p.type not in PARAM_TYPES:
                raise InputError(f"unknown parameter type {p.type!r} (use one of {', '.join(PARAM_TYPES)})",
                                 file=str(path), line=lineno, field="param")
            if any(q.name == p.name for q in params):
                raise InputError(f"parameter {p.name} declared twice", file=str(path), line=lineno, field="param")
            if p.default is not None:
                term_of(p, p.default, None, where=f"{path}:{lineno}")
            params.append(p)
            last = "param"
            continue
        if key in header:
            raise InputError(f"header key {key!r} given twice", file=str(path), line=lineno, field=key)
        header[key] = value
        last = key
    missing = [k for k in REQUIRED_KEYS if not header.get(k)]
    if missing:
        raise InputError(f"the header lacks {', '.join(missing)} (lines '#+ key: value' at the top of the file)",
                         file=str(path), line=1)
    try:
        form = query_form(text)
    except QuerySyntaxError as exc:
        raise InputError(exc.message, file=str(path), line=exc.line, column=exc.column) from None
    doc = QueryDoc(name or path.stem, path, text, form, header, params)
    for p in doc.params:
        if p.default is not None:
            term_of(p, p.default, doc.prefixes(), where=str(path))
    return doc


def load(path: str | Path, name: str | None = None) -> QueryDoc:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such query file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query: {exc}", file=str(path)) from None
    return parse(text, path, name)


def folder() -> Path:
    return data_path("queries")


def library(root: Path | None = None) -> dict[str, QueryDoc]:
    """The research queries, by name (file stem)."""
    root = root or folder()
    return {p.stem: load(p) for p in sorted(root.glob("*.rq"))}


def checks(root: Path | None = None) -> dict[str, QueryDoc]:
    """The data-quality checks (``checks/*-violation.rq``), by name ``checks/STEM``: each must return no row."""
    root = root or folder()
    return {f"checks/{p.stem}": load(p, f"checks/{p.stem}") for p in sorted((root / "checks").glob("*-violation.rq"))}


def resolve(name_or_file: str, root: Path | None = None) -> QueryDoc:
    """A library query by name (``actor-partners``, ``checks/…``) or any ``.rq`` file by path."""
    root = root or folder()
    candidate = Path(name_or_file)
    if candidate.suffix == ".rq" or candidate.is_file():
        return load(candidate)
    for base in (root, root / "checks"):
        path = base / f"{name_or_file}.rq"
        if name_or_file.startswith("checks/"):
            path = root / f"{name_or_file}.rq"
        if path.is_file() and "/" not in name_or_file.removeprefix("checks/"):
            return load(path, name_or_file)
    names = sorted([*library(root), *checks(root)])
    close = [n for n in names if name_or_file.lower() in n.lower()][:5]
    hint = f"; did you mean {', '.join(close)}?" if close else "; `coopgraph query --list` lists them"
    raise InputError(f"no query named {name_or_file!r} in {root}{hint}")
