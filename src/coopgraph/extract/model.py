"""What the extractor reads out of a document, before it becomes a draft record or a summary.

Every fact keeps the 1-based line range it was read from and a confidence between 0 and 1 (how sure the rule that
found it is; a reviewer starts from the lowest ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Lines = tuple[int, int]


@dataclass
class Person:
    name: str
    post: str | None = None
    civility: str | None = None
    lines: Lines | None = None
    confidence: float = 0.8


@dataclass
class Actor:
    """An organisation the document names (a party, a carrier, a partner) or counts without naming."""

    key: str  # local slug, unique in the extraction
    name: str  # as the document writes it (cleaned of articles and layout)
    kind: str = "autre"  # summary kind: commune, departement, caf, cc…
    cls: str = "Acteur"  # coop: class local name for the record
    ref: str | None = None  # record reference of the reference layer: caf:49, siren:…, departement:42
    iri: str | None = None  # IRI of the resolved actor
    official_label: str | None = None
    acronym: str | None = None
    aliases: list[str] = field(default_factory=list)
    representatives: list[Person] = field(default_factory=list)
    lines: Lines | None = None
    confidence: float = 0.7
    count: int | None = None  # counted, unnamed actors ("5 communautés de communes")
    category: str | None = None
    unit_of: str | None = None  # key of the organisation a service belongs to
    territory: str | None = None  # territory ref (departement:49) for departmental bodies
    country: str | None = None  # ISO 3166-1 alpha-3 for foreign authorities
    departements: tuple[str, ...] = ()
    note: str | None = None
    candidates: list[str] = field(default_factory=list)  # other readings, for the reviewer
    siren: str | None = None

    @property
    def named(self) -> bool:
        return self.count is None and self.category is None


@dataclass
class Carrier:
    """An actor as a plan's cell writes it: "CCLLA / P.E", "PMI ?"."""

    name: str
    actor: str | None = None  # key of the Actor
    uncertain: bool = False


@dataclass
class Statement:
    label: str
    lines: Lines | None = None
    confidence: float = 0.6


@dataclass
class Action:
    id: str
    label: str
    number: str | None = None
    under: str | None = None  # number of the axis/orientation, or key of a heading
    lines: Lines | None = None
    lead: list[Carrier] = field(default_factory=list)
    lead_as_written: str | None = None
    co_carriers: list[Carrier] = field(default_factory=list)
    partners: list[Carrier] = field(default_factory=list)
    start_year: int | None = None
    projet_de_territoire: bool | None = None
    objectives: list[Statement] = field(default_factory=list)
    expected_results: list[Statement] = field(default_factory=list)
    summary: Statement | None = None
    themes: list[str] = field(default_factory=list)
    confidence: float = 0.8


@dataclass
class Orientation:
    number: str
    label: str
    lines: Lines | None = None
    themes: list[str] = field(default_factory=list)
    confidence: float = 0.8


@dataclass
class Axis:
    number: str | None
    label: str
    lines: Lines | None = None
    orientations: list[Orientation] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    confidence: float = 0.8


@dataclass
class Heading:
    key: str
    label: str
    lines: Lines | None = None
    themes: list[str] = field(default_factory=list)
    confidence: float = 0.7


@dataclass
class Member:
    actor: str  # key
    role: str  # role slug: membre-instance, copilote, president-instance…
    post: str | None = None
    lines: Lines | None = None


@dataclass
class Body:
    key: str
    kind: str  # type-instance slug
    label: str
    lines: Lines | None = None
    meetings_per_year_min: int | None = None
    frequency: str | None = None
    members: list[Member] = field(default_factory=list)
    missions: list[Statement] = field(default_factory=list)
    confidence: float = 0.7


@dataclass
class LegalAct:
    kind: str  # type-acte slug
    title: str
    number: str | None = None
    date: str | None = None
    lines: Lines | None = None
    confidence: float = 0.8


@dataclass
class DateFact:
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    lines: Lines | None = None
    confidence: float = 0.8


@dataclass
class Signature:
    actor: str | None  # key
    person: Person | None = None
    date: DateFact | None = None
    place: str | None = None
    lines: Lines | None = None
    confidence: float = 0.8


@dataclass
class Instrument:
    key: str
    kind: str  # summary kind (ctg, entente-interdepartementale…)
    title: str
    lines: Lines | None = None
    acronym: str | None = None
    parties: list[str] = field(default_factory=list)  # actor keys
    signatures: list[Signature] = field(default_factory=list)
    signature_date: DateFact | None = None
    place: str | None = None
    place_ref: str | None = None
    place_lines: Lines | None = None
    start: DateFact | None = None
    end: DateFact | None = None
    period_lines: Lines | None = None
    duration: str | None = None
    termination_notice: str | None = None
    legal: list[LegalAct] = field(default_factory=list)
    axes: list[Axis] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    statements: dict[str, list[Statement]] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    confidence: float = 0.7


@dataclass
class Extraction:
    source: str
    sha256: str
    line_count: int
    encoding: str
    doc_kind: str  # type-document slug
    title: str
    title_lines: Lines | None = None
    doc_date: DateFact | None = None
    actors: dict[str, Actor] = field(default_factory=dict)
    instruments: list[Instrument] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    resolver_name: str = "none"
    multi: bool = False  # the document presents several instruments (instruments[0] is then the document itself)

    @property
    def main(self) -> Instrument | None:
        return self.instruments[0] if self.instruments else None
