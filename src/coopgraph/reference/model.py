"""The reference layer as a set of nodes dated by millésime, and its sorted N-Triples form.

Every territory and authority is one node whose IRI comes from an official code; the node lists the millésimes in
which it exists, and its attributes (label, population, chef-lieu, parents, SIREN…) are those of the newest of
them, the names it had in older ones being kept as ``skos:altLabel``. Memberships are kept as the set of
millésimes in which a (member, organisation) pair holds; each run of consecutive millésimes becomes one
``org:Membership`` with its ``time:Interval``.

The same state is built from releases (``merge``) or read back from a written layer (``State.from_layer``), so
``update`` can add or replace one millésime without the upstream archives of the others.
"""

from __future__ import annotations

import gzip
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..iris import BASE, COOP, ORG, PROV, TIME, iri
from .upstream import NPM_URL, PACKAGE

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"

P_MILLESIME = str(COOP.millesime)
P_DERIVED = str(PROV.wasDerivedFrom)
P_GOUVERNE = str(COOP.gouverne)
P_SIREN = str(COOP.siren)
C_COMMUNE = str(COOP.Commune)
# Relations kept from every millésime rather than from the newest only: an authority governs the territory of
# each millésime (a commune whose INSEE code changed keeps its SIREN and governs both territory nodes, each dated
# by its own coop:millesime).
ACCUMULATE = (P_GOUVERNE, str(COOP.ressort))

LICENCE_MIT = "https://spdx.org/licenses/MIT"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


# ------------------------------------------------------------------------------------------------ N-Triples terms


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )


def u(value: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{value}>"


def fr(text: str) -> str:
    return f'"{_escape(text)}"@fr'


def typed(value: str | int, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def year(value: int) -> str:
    return typed(f"{value:04d}", "gYear")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def literal_text(term: str) -> str:
    """The lexical form of an N-Triples literal term written by this module."""
    end = term.rindex('"')
    return _unescape(term[1:end])


# ----------------------------------------------------------------------------------------------- the state


@dataclass
class NodeData:
    """What one release says about one node."""

    types: tuple[str, ...]
    label: str
    attrs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    names: frozenset[str] = frozenset()


@dataclass
class Node:
    iri: str
    millesimes: set[int]
    newest: int
    types: tuple[str, ...]
    label: str
    names: set[str]
    attrs: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Dataset:
    """One release of the upstream package, as the provenance node every fact points to."""

    millesime: int
    version: str

    @property
    def iri(self) -> str:
        return str(iri("jeu-de-donnees", f"decoupage-administratif-{self.version}"))

    @property
    def npm(self) -> str:
        return f"{PACKAGE}@{self.version}"

    def lines(self) -> list[str]:
        s = u(self.iri)
        title = f"Découpage administratif de la France, millésime {self.millesime} ({self.npm})"
        return [
            f"{s} {u(RDF_TYPE)} {u(DCAT + 'Dataset')} .",
            f"{s} {u(RDF_TYPE)} {u(str(PROV.Entity))} .",
            f"{s} {u(RDFS_LABEL)} {fr(title)} .",
            f"{s} {u(DCT + 'title')} {fr(title)} .",
            f"{s} {u(DCT + 'publisher')} {plain('Etalab (DINUM)')} .",
            f"{s} {u(DCT + 'identifier')} {plain(self.npm)} .",
            f"{s} {u(DCAT + 'version')} {plain(self.version)} .",
            f"{s} {u(DCT + 'source')} {u(NPM_URL.format(version=self.version))} .",
            f"{s} {u(DCT + 'license')} {u(LICENCE_MIT)} .",
            f"{s} {u(DCT + 'rights')} "
            + fr("Paquet npm sous licence MIT ; données sous Licence Ouverte d'Etalab (selon le README du paquet).")
            + " .",
        ]


def actor_key(actor_iri: str) -> str:
    """The key of an authority inside membership IRIs: its SIREN, or ``{kind}-{code}``."""
    rest = actor_iri.split("/id/acteur/", 1)[1]
    kind, _, code = rest.partition("/")
    return code if kind == "siren" else f"{kind}-{code}"


def runs(years: set[int], all_years: list[int]) -> list[list[int]]:
    """Maximal runs of ``years`` that are consecutive in ``all_years`` (the millésimes the layer holds)."""
    out: list[list[int]] = []
    current: list[int] = []
    for y in all_years:
        if y in years:
            current.append(y)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


class State:
    """Every node and membership of the layer, with the millésimes each holds in."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.memberships: dict[tuple[str, str], set[int]] = {}
        self.datasets: dict[int, Dataset] = {}

    # -- building

    def drop_millesime(self, millesime: int) -> None:
        """Forget one millésime (before it is replaced by a new release of the same year)."""
        self.datasets.pop(millesime, None)
        for key in list(self.nodes):
            node = self.nodes[key]
            node.millesimes.discard(millesime)
            if not node.millesimes:
                del self.nodes[key]
            elif node.newest == millesime:
                node.newest = max(node.millesimes)
        for pair in list(self.memberships):
            self.memberships[pair].discard(millesime)
            if not self.memberships[pair]:
                del self.memberships[pair]

    def merge(self, dataset: Dataset, nodes: dict[str, NodeData], memberships: set[tuple[str, str]]) -> None:
        """Add what one release says; the newest millésime of a node gives its attributes."""
        y = dataset.millesime
        if y in self.datasets:
            self.drop_millesime(y)
        self.datasets[y] = dataset
        for key, data in nodes.items():
            node = self.nodes.get(key)
            if node is None:
                self.nodes[key] = Node(key, {y}, y, data.types, data.label, {data.label, *data.names},
                                       dict(data.attrs))
                continue
            node.millesimes.add(y)
            node.names.add(data.label)
            node.names.update(data.names)
            kept = {p: node.attrs.get(p, ()) for p in ACCUMULATE}
            if y >= node.newest:
                node.newest, node.types, node.label, node.attrs = y, data.types, data.label, dict(data.attrs)
            for p, values in kept.items():
                merged = set(values) | set(data.attrs.get(p, ()))
                if merged:
                    node.attrs[p] = tuple(sorted(merged))
        for pair in memberships:
            self.memberships.setdefault(pair, set()).add(y)
        self.fold_commune_authorities()

    def fold_commune_authorities(self) -> None:
        """A commune authority minted by code (a millésime without its SIREN) joins the one with the SIREN.

        It happens when one millésime gives no SIREN for a commune (2021 for communes outside any EPCI) and another
        does. The fold is done only when exactly one SIREN-keyed commune authority governs the same territory.
        """
        by_code_prefix = str(iri("acteur", "commune", "x"))[:-1]
        coded = [n for k, n in self.nodes.items() if k.startswith(by_code_prefix)]
        if not coded:
            return
        governed: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes.values():
            if C_COMMUNE in node.types and P_SIREN in node.attrs:
                for t in node.attrs.get(P_GOUVERNE, ()):
                    governed[t].append(node)
        for node in coded:
            targets = {t.iri: t for terr in node.attrs.get(P_GOUVERNE, ()) for t in governed.get(terr, ())}
            if len(targets) != 1:
                continue
            target = next(iter(targets.values()))
            target.millesimes |= node.millesimes
            target.names |= node.names
            kept = {p: set(target.attrs.get(p, ())) | set(node.attrs.get(p, ())) for p in ACCUMULATE}
            if node.newest > target.newest:  # the newer millésime gives the attributes; the SIREN stays
                siren = target.attrs[P_SIREN]
                target.newest, target.types, target.label = node.newest, node.types, node.label
                target.attrs = {**node.attrs, P_SIREN: siren}
            for p, values in kept.items():
                if values:
                    target.attrs[p] = tuple(sorted(values))
            del self.nodes[node.iri]
            new = target.iri
            for (member, org), years in list(self.memberships.items()):
                if member == node.iri or org == node.iri:
                    del self.memberships[(member, org)]
                    pair = (new if member == node.iri else member, new if org == node.iri else org)
                    self.memberships.setdefault(pair, set()).update(years)

    # -- writing

    def lines(self) -> list[str]:
        """The layer as sorted, de-duplicated N-Triples lines (without newline)."""
        all_years = sorted(self.datasets)
        derived = {y: u(d.iri) for y, d in self.datasets.items()}
        years = {y: year(y) for y in all_years}
        t_type, t_label, t_alt = u(RDF_TYPE), u(RDFS_LABEL), u(SKOS_ALT)
        t_mill, t_der = u(P_MILLESIME), u(P_DERIVED)
        out: list[str] = []
        add = out.append
        for d in self.datasets.values():
            out.extend(d.lines())
        for node in self.nodes.values():
            s = u(node.iri)
            for t in node.types:
                add(f"{s} {t_type} {u(t)} .")
            add(f"{s} {t_label} {fr(node.label)} .")
            for name in node.names:
                if name != node.label:
                    add(f"{s} {t_alt} {fr(name)} .")
            for p, objs in node.attrs.items():
                tp = u(p)
                for o in objs:
                    add(f"{s} {tp} {o} .")
            for y in node.millesimes:
                add(f"{s} {t_mill} {years[y]} .")
                add(f"{s} {t_der} {derived[y]} .")
        t_member, t_org, t_during = u(str(ORG.member)), u(str(ORG.organization)), u(str(ORG.memberDuring))
        c_membership, c_interval = u(str(ORG.Membership)), u(str(TIME.Interval))
        t_debut, t_fin = u(str(COOP.debut)), u(str(COOP.fin))
        newest = all_years[-1] if all_years else None
        for (member, org), held in self.memberships.items():
            mkey, okey = actor_key(member), actor_key(org)
            for run in runs(held, all_years):
                m = str(iri("adhesion", mkey, okey, str(run[0])))
                s, period = u(m), u(m + "/periode")
                add(f"{s} {t_type} {c_membership} .")
                add(f"{s} {t_member} {u(member)} .")
                add(f"{s} {t_org} {u(org)} .")
                add(f"{s} {t_during} {period} .")
                for y in run:
                    add(f"{s} {t_mill} {years[y]} .")
                    add(f"{s} {t_der} {derived[y]} .")
                add(f"{period} {t_type} {c_interval} .")
                add(f"{period} {t_debut} {years[run[0]]} .")
                if run[-1] != newest:
                    add(f"{period} {t_fin} {years[run[-1]]} .")
        return sorted(set(out))

    # -- reading back

    @classmethod
    def from_lines(cls, lines: list[str], datasets: list[Dataset]) -> State:
        """The state a written layer holds (``datasets`` come from its manifest)."""
        state = cls()
        for d in datasets:
            state.datasets[d.millesime] = d
        dataset_iris = {d.iri for d in datasets}
        by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for line in lines:
            if not line or line.startswith("#"):
                continue
            s, p, rest = line.split(" ", 2)
            o = rest[:-2] if rest.endswith(" .") else rest.rstrip(" .")
            by_subject[s[1:-1]].append((p[1:-1], o))
        acteur = BASE + "id/acteur/"
        territoire = BASE + "id/territoire/"
        adhesion = BASE + "id/adhesion/"
        for s, pos in by_subject.items():
            if s in dataset_iris:
                continue
            if s.startswith(adhesion):
                if s.endswith("/periode"):
                    continue
                member = org = None
                held: set[int] = set()
                for p, o in pos:
                    if p == str(ORG.member):
                        member = o[1:-1]
                    elif p == str(ORG.organization):
                        org = o[1:-1]
                    elif p == P_MILLESIME:
                        held.add(int(literal_text(o)))
                if member and org:
                    state.memberships.setdefault((member, org), set()).update(held)
                continue
            if not (s.startswith(acteur) or s.startswith(territoire)):
                continue
            types: list[str] = []
            label = ""
            names: set[str] = set()
            attrs: dict[str, list[str]] = defaultdict(list)
            millesimes: set[int] = set()
            for p, o in pos:
                if p == RDF_TYPE:
                    types.append(o[1:-1])
                elif p == RDFS_LABEL:
                    label = literal_text(o)
                elif p == SKOS_ALT:
                    names.add(literal_text(o))
                elif p == P_MILLESIME:
                    millesimes.add(int(literal_text(o)))
                elif p == P_DERIVED:
                    continue
                else:
                    attrs[p].append(o)
            if not millesimes:
                continue
            names.add(label)
            state.nodes[s] = Node(s, millesimes, max(millesimes), tuple(sorted(types)), label, names,
                                  {p: tuple(sorted(v)) for p, v in attrs.items()})
        return state


def write_ntriples_gz(lines: list[str], target: Path) -> None:
    """Sorted lines as gzip (mtime 0, no file name): the same lines always give the same bytes."""
    payload = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                  compresslevel=6) as gz:
        gz.write(payload)


def read_ntriples_gz(path: Path) -> list[str]:
    with gzip.open(path, "rb") as fh:
        data = fh.read()
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read().splitlines()
