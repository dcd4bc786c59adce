"""The records format: one human-edited YAML file per source document, under ``graph/sources/``.

A record names its document and holds the facts read from it, each with the line range where it was read.
The typed models below are the schema (``coopgraph records schema`` prints it as JSON Schema); the loader reads
YAML strictly — no duplicate keys, no aliases, UTF-8 only, bounded size — and turns every mistake into an
InputError that names the file, line, column and field.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError

FORMAT_VERSION = 1
MAX_RECORD_BYTES = 2_000_000  # a record is hand-written text; anything larger is a mistake, not a record

SLUG = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=80)]
# An actor reference: a local id declared in a record, or an official one: siren:NNNNNNNNN, departement:42,
# region:84, caf:49, commune:49069 (INSEE), epci:NNNNNNNNN.
ActorRef = Annotated[str, Field(pattern=r"^([a-z0-9][a-z0-9-]*|(siren|epci):\d{9}|(departement|caf):(\d{2,3}|2[AB])"
                                        r"|region:\d{2}|commune:(\d{2}|2[AB])\d{3})$")]
# A territory of the reference layer: commune:49069, departement:42, region:84, epci:NNNNNNNNN, arrondissement:421.
TerritoryRef = Annotated[str, Field(pattern=r"^(commune:(\d{2}|2[AB])\d{3}|departement:(\d{2,3}|2[AB])|region:\d{2}"
                                            r"|epci:\d{9}|arrondissement:(\d{2,3}|2[AB])\d)$")]
PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
DURATION = r"^P(\d+Y)?(\d+M)?(\d+D)?$"


def _lines(value: Any) -> Any:
    """``12``, ``"12-14"`` or ``[12, 14]`` → ``(12, 14)``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a line number, 'start-end' or [start, end]")
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", value)
        if not m:
            raise ValueError("a line number, 'start-end' or [start, end]")
        return (int(m.group(1)), int(m.group(2) or m.group(1)))
    if isinstance(value, list | tuple) and len(value) == 2:
        return tuple(value)
    raise ValueError("a line number, 'start-end' or [start, end]")


Lines = Annotated[tuple[int, int], BeforeValidator(_lines)]


def _partial_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not PARTIAL_DATE.match(value):
        raise ValueError("a date as YYYY, YYYY-MM or YYYY-MM-DD")
    if len(value) == 10:
        dt.date.fromisoformat(value)  # rejects 2020-02-30
    return value


PartialDate = Annotated[str, BeforeValidator(_partial_date)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Fact(Model):
    """Anything read from the document: where it was read (lines of the plain text, 1-based, inclusive).

    ``confidence`` (0-1) is how sure the extractor was (``coopgraph extract`` writes it in drafts, to guide the
    review); it is not a fact about the world, and the build ignores it.
    """

    lines: Lines | None = None
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("lines")
    @classmethod
    def _ordered(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not (1 <= v[0] <= v[1]):
            raise ValueError(f"line range {v[0]}-{v[1]} must be positive and start <= end")
        return v


class Statement(Fact):
    """A principle, challenge, trigger, stake, ambition, objective… kept as a short label of one's own words."""

    label: str = Field(min_length=1, max_length=300)
    themes: list[Slug] = []


class FieldOfIntervention(Statement):
    actor: ActorRef


class Document(Model):
    id: Slug
    title: str = Field(min_length=1)
    kind: Slug  # a concept of the type-document scheme
    publisher: list[ActorRef] = []  # one actor, or several when the document is co-published
    date: PartialDate | None = None
    place: TerritoryRef | None = None
    source: str | None = Field(default=None, description="where the document can be found (URL or reference)")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    line_count: int | None = Field(default=None, ge=1)

    @field_validator("publisher", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Actor(Fact):
    """An actor the record uses. Either ``ref`` to the reference layer, or a ``kind`` and ``label`` of its own."""

    id: Slug
    ref: ActorRef | None = None
    kind: str | None = Field(default=None, pattern=r"^[A-Z][A-Za-z]+$")  # a coop: class local name
    label: str | None = None
    acronym: str | None = None
    aliases: list[str] = []
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")
    unit_of: ActorRef | None = None  # for a service: the organisation it belongs to
    members: list[ActorRef] = []  # organisations that are members of this one
    territory: TerritoryRef | None = None  # the territory it serves (its "ressort"), e.g. "departement:42"
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")  # ISO 3166-1 alpha-3, foreign authorities
    count: int | None = Field(default=None, ge=1)  # unidentified actors: how many the text counts
    category: str | None = Field(default=None, pattern=r"^[A-Z][A-Za-z]+$")  # unidentified actors: their kind
    note: str | None = None

    @model_validator(mode="after")
    def _ref_or_description(self) -> Actor:
        if self.ref is None and (self.kind is None or self.label is None):
            raise ValueError("an actor needs either 'ref' (an official id) or both 'kind' and 'label'")
        if self.ref is not None and self.kind is not None:
            raise ValueError("an actor with 'ref' takes its kind from the reference layer: drop 'kind'")
        return self


class Post(Model):
    org: ActorRef
    post: str


class Person(Fact):
    """People appear only as office holders: a name and the posts the document gives them."""

    id: Slug
    name: str
    posts: list[Post] = []


class Mention(Fact):
    """An actor named in a role, with the doubt the text itself shows ("ARS ?") and how it writes it."""

    actor: ActorRef
    uncertain: bool = False
    as_written: str | None = None


class Participation(Mention):
    role: Slug  # a concept of the role scheme
    post: str | None = None


class Signature(Fact):
    on_behalf_of: ActorRef = Field(alias="for")
    person: Slug | None = None
    post: str | None = None
    date: dt.date | None = None
    place: TerritoryRef | None = None  # where it was signed


class LegalAct(Fact):
    kind: Slug  # a concept of the type-acte scheme
    title: str
    number: str | None = None
    date: dt.date | None = None


class Period(Fact):
    start: PartialDate | None = None
    end: PartialDate | None = None

    @model_validator(mode="after")
    def _start_before_end(self) -> Period:
        if self.start and self.end and self.start[: len(self.end)] > self.end[: len(self.start)]:
            raise ValueError(f"the period starts ({self.start}) after it ends ({self.end})")
        return self


class Perimeter(Fact):
    id: Slug
    label: str
    communes_count: int | None = Field(default=None, ge=1)
    population_approx: int | None = Field(default=None, ge=1)
    territories: list[TerritoryRef] = []


class Body(Fact):
    """A governance body: its kind, how often it meets, who sits in it and what it does."""

    id: Slug
    kind: Slug  # a concept of the type-instance scheme
    label: str
    meetings_per_year_min: int | None = Field(default=None, ge=0)
    frequency: str | None = None
    members: list[Participation] = []
    missions: list[Statement] = []


class Orientation(Fact):
    number: str
    label: str
    themes: list[Slug] = []


class Axis(Fact):
    number: str | None = None
    label: str
    themes: list[Slug] = []
    orientations: list[Orientation] = []


class Heading(Fact):
    """A thematic heading that groups actions (a 'rubrique')."""

    id: Slug
    label: str
    themes: list[Slug] = []


class Action(Fact):
    id: Slug | None = None  # defaults to a slug of the label
    number: str | None = None  # as written: "5.1.2", "1/", "2.3"
    label: str = Field(min_length=1, max_length=400)
    under: str | None = None  # number of the axis or orientation, or id of the heading
    themes: list[Slug] = []
    status: Slug | None = None  # a concept of the statut-action scheme
    start_year: int | None = Field(default=None, ge=1900, le=2100)
    date: PartialDate | None = None
    projet_de_territoire: bool | None = None
    lead: list[ActorRef] = []  # one chef de file; several means joint leads ("CCLLA+CAF")
    lead_as_written: str | None = None
    lead_uncertain: bool = False
    co_carriers: list[Mention] = []
    partners: list[Mention] = []
    objectives: list[Statement] = []
    expected_results: list[Statement] = []
    summary: Statement | None = None

    @field_validator("lead", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("co_carriers", "partners", mode="before")
    @classmethod
    def _mentions(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"actor": m} if isinstance(m, str) else m for m in v]
        return v


class Statements(Model):
    principles: list[Statement] = []
    challenges: list[Statement] = []
    triggers: list[Statement] = []
    stakes: list[Statement] = []
    ambitions: list[Statement] = []
    object: list[Statement] = []
    objectives: list[Statement] = []
    expected_results: list[Statement] = []


class Instrument(Fact):
    """A cooperation instrument. With ``extends``, adds facts to one declared in another record."""

    id: Slug
    extends: bool = False
    kind: str | None = Field(default=None, pattern=r"^[A-Z][A-Za-z]+$")  # a coop: class local name
    title: str | None = None
    label: str | None = None
    acronym: str | None = None
    themes: list[Slug] = []
    parties: list[ActorRef] = []
    period: Period | None = None
    duration: str | None = Field(default=None, pattern=DURATION)
    termination_notice: str | None = Field(default=None, pattern=DURATION)
    perimeter: Perimeter | None = None
    signatures: list[Signature] = []
    legal_basis: list[LegalAct] = []
    founding_act: LegalAct | None = None
    statements: Statements = Statements()
    fields_of_intervention: list[FieldOfIntervention] = []
    governance: list[Body] = []
    participations: list[Participation] = []
    axes: list[Axis] = []
    headings: list[Heading] = []
    actions: list[Action] = []
    note: str | None = None

    @model_validator(mode="after")
    def _declared_or_extended(self) -> Instrument:
        if not self.extends and (self.kind is None or self.title is None):
            raise ValueError("an instrument needs 'kind' and 'title' (or 'extends: true' to add to another record's)")
        if self.extends and (self.kind or self.title or self.parties):
            raise ValueError("an instrument with 'extends: true' adds facts: 'kind', 'title' and 'parties' stay where "
                             "it is declared")
        return self


class Record(Model):
    """One source document and the facts read from it."""

    coopgraph: Literal[1] = Field(description="records format version")
    status: Literal["reviewed", "draft"] = "reviewed"
    document: Document
    actors: list[Actor] = []
    people: list[Person] = []
    instruments: list[Instrument] = []
    notes: list[str] = []  # the curator's remarks (differences between documents, readings chosen)


# ------------------------------------------------------------------------------------------------------------
# Strict YAML reading with positions
# ------------------------------------------------------------------------------------------------------------


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that refuses aliases (no 'billion laughs') and duplicate keys, and keeps node positions.

    It parses with libyaml when PyYAML has it (about 10x faster than the pure-Python parser: national-scale
    records are tens of megabytes), with the same resolvers, checks and error positions.

    Dates stay strings here (no implicit timestamps): the schema parses them, so "2020-02-30" is a field error
    with its position, not a crash of the YAML reader.
    """


_LIBYAML = any(c.__name__ == "CParser" for c in _StrictLoader.__mro__)

_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_DEPTH = 64  # nesting of a record is about ten levels; far deeper is a mistake (and would exhaust the stack)


def _yaml_error(path: Path, exc: yaml.YAMLError, text: str) -> InputError:
    """A YAML error as an InputError at its place: the problem's mark, else its context's, else (for the reader's
    refusal of a character) its offset in the text."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    elif isinstance(getattr(exc, "position", None), int):
        # libyaml counts bytes of the UTF-8 text, PyYAML's own reader characters
        offset = exc.position  # type: ignore[attr-defined]
        if _LIBYAML:
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    else:
        line = column = None
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    character = getattr(exc, "character", None)
    if isinstance(character, str | int) and getattr(exc, "reason", None):
        code = ord(character) if isinstance(character, str) else character
        problem = f"character #x{code:04x} is not allowed ({problem})"
    context = getattr(exc, "context", None)
    return InputError(f"malformed YAML: {f'{context}: ' if context else ''}{problem}", file=str(path), line=line,
                      column=column)


def _compose_checked(path: Path, text: str) -> yaml.Node | None:
    try:
        loader = _StrictLoader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters at once
        raise _yaml_error(path, exc, text) from None
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise InputError(
                    "YAML anchors and aliases are not allowed in records", file=str(path), line=mark.line + 1,
                    column=mark.column + 1,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:  # refused before composing: the node tree is walked recursively
                    mark = event.start_mark
                    raise InputError(f"lists and mappings nested more than {MAX_DEPTH} deep", file=str(path),
                                     line=mark.line + 1, column=mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc, text) from None
    finally:
        loader.dispose()
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:  # several documents ("---" in the middle)
        raise _yaml_error(path, exc, text) from None
    finally:
        loader.dispose()
    if node is not None:
        _check_duplicate_keys(path, node)
    return node


def _construct(path: Path, root: yaml.Node, text: str) -> Any:
    """The Python data of a checked node tree. An explicit tag whose value does not fit it (``!!int x``,
    ``!!timestamp 2020-13-45``) makes PyYAML raise a plain Python error without a position: the node is looked for."""
    loader = _StrictLoader("")  # construct from the checked node tree: the text is not parsed a third time
    try:
        return loader.construct_document(root)
    except yaml.YAMLError as exc:  # unknown tags, unhashable keys, bad base64…
        raise _yaml_error(path, exc, text) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        node = _unconstructible(root) or root
        raise InputError(f"malformed YAML: {node.tag.replace('tag:yaml.org,2002:', '!!')} {node.value!r} is not "
                         f"valid ({exc})" if isinstance(node, yaml.ScalarNode) else f"malformed YAML: {exc}",
                         file=str(path), line=node.start_mark.line + 1, column=node.start_mark.column + 1) from None
    finally:
        loader.dispose()


def _unconstructible(root: yaml.Node) -> yaml.Node | None:
    """The first scalar node that cannot be constructed alone."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            loader = _StrictLoader("")
            try:
                loader.construct_object(node)
            except Exception:
                return node
            finally:
                loader.dispose()
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(x for pair in reversed(node.value) for x in reversed(pair))
    return None


def _check_duplicate_keys(path: Path, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise InputError(
                    f"duplicate key {name!r} (first at line {seen[name].start_mark.line + 1})",
                    file=str(path), line=key.start_mark.line + 1, column=key.start_mark.column + 1, field=name,
                )
            seen[name] = key
            _check_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(path, item)


def node_at(root: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The YAML node at a pydantic error location; for a missing key, the key of the mapping that lacks it."""
    node, holder = root, root
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if str(k.value) == str(step)), None)
            if pair is None:
                return holder
            holder, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = holder = node.value[step]
        else:
            break
    return node


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        elif not str(step).startswith(("function-", "tagged-union")):
            out += ("." if out else "") + str(step)
    return out


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such record file", file=str(path)) from None
    if size > MAX_RECORD_BYTES:
        raise InputError(f"record is {size} bytes; the limit is {MAX_RECORD_BYTES}", file=str(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the record as UTF-8", file=str(path),
                         line=line) from None
    if not text.strip():
        raise InputError("empty record", file=str(path))
    return text


def load_record(path: Path) -> tuple[Record, yaml.Node]:
    """Read and check one record; returns it with its YAML node tree (for positions in later errors)."""
    path = Path(path)
    text = read_text(path)
    root = _compose_checked(path, text)
    data = _construct(path, root, text) if root is not None else None
    if not isinstance(data, dict):
        raise InputError("a record is a YAML mapping (document:, actors:, instruments:…)", file=str(path), line=1)
    try:
        record = Record.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        node = node_at(root, tuple(err["loc"]))
        more = f" (and {exc.error_count() - 1} more error(s))" if exc.error_count() > 1 else ""
        raise InputError(
            f"{err['msg']}{more}",
            file=str(path),
            line=node.start_mark.line + 1 if node is not None else None,
            column=node.start_mark.column + 1 if node is not None else None,
            field=_field_name(tuple(err["loc"])),
        ) from None
    return record, root


def json_schema() -> dict[str, Any]:
    """The records format as JSON Schema (for editors and other tools)."""
    return Record.model_json_schema(by_alias=True)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "records",
        help="the records format: print its JSON Schema, or check record files",
        description="`records schema` prints the JSON Schema of the records format; `records check FILE...` reads "
        "records strictly and reports the first error of each (exit 0 all good, 2 otherwise).",
    )
    sub = parser.add_subparsers(dest="records_command", metavar="ACTION", required=True)
    sub.add_parser("schema", help="print the JSON Schema of a record").set_defaults(func=_run_schema)
    check = sub.add_parser("check", help="check record files")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(func=_run_check)


def _run_schema(args: Any) -> int:
    import json

    print(json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True))
    return 0


def _run_check(args: Any) -> int:
    import sys

    failed = 0
    for path in args.files:
        try:
            record, _ = load_record(path)
        except InputError as exc:
            print(f"coopgraph records: {exc}", file=sys.stderr)
            failed += 1
            continue
        actions = sum(len(i.actions) for i in record.instruments)
        print(f"{path}: {record.status}, {len(record.instruments)} instrument(s), {actions} action(s), "
              f"{len(record.actors)} actor(s)")
    return 2 if failed else 0
