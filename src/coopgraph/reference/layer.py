"""The vendored layer: ``graph/reference/reference.nt.gz`` (sorted N-Triples, gzip) and ``manifest.json``.

``build`` makes it from releases of the upstream package; ``update`` adds or replaces millésimes in the vendored
one and says what changed. Both write to temporary files and move them into place only when everything was read
and checked, so a bad input leaves the vendored layer as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..iris import COOP, graph_iri, iri
from ..paths import data_path
from .geography import EPCI_CLASS, TERRITOIRE, Contribution, contribution
from .model import (
    P_GOUVERNE,
    Dataset,
    State,
    literal_text,
    read_ntriples_gz,
    write_ntriples_gz,
)
from .upstream import CODE_COM, OBTAIN, PACKAGE, Release, read_release

LAYER_FILE = "reference.nt.gz"
INDEX_FILE = "lookup.json.gz"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1


def default_dir() -> Path:
    return data_path("graph/reference")


# --------------------------------------------------------------------------------------------- counting upstream


def upstream_counts(release: Release) -> dict[str, int]:
    """Rows per kind, counted on the upstream files themselves (what the layer's counts are checked against)."""
    counts: Counter[str] = Counter()
    com: set[str] = set()
    for row in release.rows["regions"]:
        code = row.data.get("code")
        if isinstance(code, str) and CODE_COM.fullmatch(code):
            com.add(code)
        else:
            counts["region"] += 1
    for row in release.rows["departements"]:
        code = row.data.get("code")
        if isinstance(code, str) and CODE_COM.fullmatch(code) and row.data.get("region") == code:
            com.add(code)
        else:
            counts["departement"] += 1
    counts["arrondissement"] = len(release.rows["arrondissements"])
    for row in release.rows["communes"]:
        kind = row.data.get("type")
        counts["commune" if kind == "commune-actuelle" else str(kind)] += 1
        outremer = row.data.get("collectiviteOutremer")
        if isinstance(outremer, dict):
            com.add(str(outremer.get("code")))
    counts["collectivite-outre-mer"] = len(com)
    for name in ("epci", "ept"):
        rows = release.rows.get(name, [])
        counts[name] = len(rows)
        counts[f"membre-{name}"] = sum(len(r.data.get("membres") or []) for r in rows)
        if name == "epci":
            for row in rows:
                counts[f"epci-{row.data.get('type')}"] += 1
    return dict(sorted(counts.items()))


# --------------------------------------------------------------------------------------------- manifest


@dataclass
class Manifest:
    millesimes: dict[int, dict] = field(default_factory=dict)
    layer: dict = field(default_factory=dict)

    def datasets(self) -> list[Dataset]:
        return [Dataset(y, e["version"]) for y, e in sorted(self.millesimes.items())]

    def as_json(self) -> str:
        payload = {
            "about": "Reference layer of coopgraph: the official geography and public authorities of France, "
            "dated by millésime, generated from the Etalab decoupage-administratif npm package. "
            "Regenerate with `coopgraph reference build --from PATH...` or `coopgraph reference update --from PATH`.",
            "format": MANIFEST_FORMAT,
            "package": PACKAGE,
            "obtain": OBTAIN.format(version="VERSION"),
            "licence": {
                "package": "MIT",
                "data": "Licence Ouverte / Open Licence (Etalab), as the package README states",
                "package_url": "https://spdx.org/licenses/MIT",
                "data_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            },
            "layer": self.layer,
            "millesimes": {str(y): e for y, e in sorted(self.millesimes.items())},
        }
        return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls({int(y): e for y, e in data["millesimes"].items()}, data.get("layer", {}))
            for e in manifest.millesimes.values():
                str(e["version"])
        except FileNotFoundError:
            raise InputError("no manifest: build the layer first (coopgraph reference build)", file=str(path)) from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"unreadable manifest: {exc}", file=str(path)) from None
        return manifest


def manifest_entry(release: Release, minted: Counter[str]) -> dict:
    dataset = Dataset(release.millesime, release.version)
    return {
        "version": release.version,
        "npm": release.npm,
        "archive": None if release.archive_sha256 is None else Path(release.origin).name,
        "archive_sha256": release.archive_sha256,
        "data_sha256": release.data_sha256,
        "dataset": dataset.iri,
        "rows": release.raw_counts(),
        "counts": upstream_counts(release),
        "minted": {k: v for k, v in sorted(minted.items()) if k.startswith(("acteur-", "caf"))},
    }


# --------------------------------------------------------------------------------------------- build / write


@dataclass
class Layer:
    state: State
    manifest: Manifest
    lines: list[str] | None = None

    def render(self) -> list[str]:
        if self.lines is None:
            self.lines = self.state.lines()
        return self.lines


def read_releases(paths: Sequence[Path | str]) -> list[Release]:
    releases = [read_release(p) for p in paths]
    seen: dict[int, Release] = {}
    for r in releases:
        if r.millesime in seen:
            raise InputError(
                f"millésime {r.millesime} given twice ({seen[r.millesime].npm} and {r.npm})", file=r.origin
            )
        seen[r.millesime] = r
    return sorted(releases, key=lambda r: r.millesime)


def check_releases(paths: Sequence[Path | str]) -> list[Contribution]:
    """Read and check every release, row by row, before anything else is read or written."""
    return [contribution(release) for release in read_releases(paths)]


def merge_releases(state: State, manifest: Manifest, contributions: Iterable[Contribution]) -> None:
    for contrib in contributions:
        state.merge(contrib.dataset, contrib.nodes, contrib.memberships)
        manifest.millesimes[contrib.release.millesime] = manifest_entry(contrib.release, contrib.counts)


def build(paths: Sequence[Path | str]) -> Layer:
    """The layer made from these releases only."""
    if not paths:
        raise InputError("give at least one release with --from")
    state, manifest = State(), Manifest()
    merge_releases(state, manifest, check_releases(paths))
    return Layer(state, manifest)


def load(folder: Path | None = None) -> Layer:
    """The vendored layer, read back into a state (for update and diff)."""
    folder = folder or default_dir()
    manifest = Manifest.read(folder / MANIFEST_FILE)
    path = folder / LAYER_FILE
    try:
        lines = read_ntriples_gz(path)
    except FileNotFoundError:
        raise InputError("no layer file", file=str(path)) from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"unreadable layer: {exc}", file=str(path)) from None
    return Layer(State.from_lines(lines, manifest.datasets()), manifest, None)


def _temp(folder: Path, prefix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    os.close(fd)
    os.chmod(name, 0o644)
    return Path(name)


def write(layer: Layer, folder: Path | None = None) -> dict:
    """Write layer, lookup index and manifest: temporary files first, moved into place (os.replace) at the end."""
    from .lookup import ReferenceIndex

    folder = folder or default_dir()
    folder.mkdir(parents=True, exist_ok=True)
    lines = layer.render()
    temps: dict[str, Path] = {}
    try:
        temps[LAYER_FILE] = _temp(folder, ".reference-")
        write_ntriples_gz(lines, temps[LAYER_FILE])
        blob = temps[LAYER_FILE].read_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        index = ReferenceIndex.from_state(layer.state, source=digest).to_json_bytes()
        temps[INDEX_FILE] = _temp(folder, ".lookup-")
        temps[INDEX_FILE].write_bytes(index)
        layer.manifest.layer = {
            "file": LAYER_FILE,
            "format": "N-Triples, sorted, gzip (mtime 0)",
            "graph": str(graph_iri("reference")),
            "triples": len(lines),
            "bytes": len(blob),
            "sha256": digest,
            "lookup_index": {"file": INDEX_FILE, "bytes": len(index), "sha256": hashlib.sha256(index).hexdigest()},
        }
        temps[MANIFEST_FILE] = _temp(folder, ".manifest-")
        temps[MANIFEST_FILE].write_text(layer.manifest.as_json(), encoding="utf-8")
        for name in (LAYER_FILE, INDEX_FILE, MANIFEST_FILE):
            os.replace(temps.pop(name), folder / name)
    finally:
        for tmp in temps.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
    return layer.manifest.layer


# --------------------------------------------------------------------------------------------- what changed


@dataclass
class Snapshot:
    """The facts of one millésime of a layer that a change report compares."""

    millesime: int
    communes: dict[str, str]  # code -> name
    absorbed: dict[str, str]  # code of a commune déléguée/associée -> code of its commune
    epci: dict[str, tuple[str, str]]  # siren -> (name, class local name)
    member_of: dict[str, str]  # commune code -> EPCI siren


def snapshot(state: State, millesime: int) -> Snapshot:
    t_commune = str(TERRITOIRE["commune"])
    t_absorbed = {TERRITOIRE["commune-deleguee"], TERRITOIRE["commune-associee"]}
    epci_classes = set(EPCI_CLASS.values())
    code_p = str(COOP.codeInsee)
    siren_p = str(COOP.siren)
    parent_p = str(COOP.partieDe)
    communes: dict[str, str] = {}
    absorbed: dict[str, str] = {}
    epci: dict[str, tuple[str, str]] = {}
    commune_of_authority: dict[str, str] = {}
    commune_prefix = _territory_prefix("commune")
    for node in state.nodes.values():
        if millesime not in node.millesimes:
            continue
        types = set(node.types)
        if t_commune in types:
            communes[literal_text(node.attrs[code_p][0])] = node.label
        elif types & t_absorbed:
            for parent in node.attrs.get(parent_p, ()):
                if parent[1:-1].startswith(commune_prefix):
                    absorbed[literal_text(node.attrs[code_p][0])] = parent[1:-1].rsplit("/", 1)[1]
        elif types & epci_classes:
            epci[literal_text(node.attrs[siren_p][0])] = (node.label, sorted(types & epci_classes)[0].rsplit("#")[1])
        if str(COOP.Commune) in types:
            for t in node.attrs.get(P_GOUVERNE, ()):
                territory = state.nodes.get(t[1:-1])
                if t[1:-1].startswith(commune_prefix) and territory and millesime in territory.millesimes:
                    commune_of_authority[node.iri] = t[1:-1].rsplit("/", 1)[1]
    member_of: dict[str, str] = {}
    for (member, org), years in state.memberships.items():
        node = state.nodes.get(org)
        if millesime in years and node is not None and set(node.types) & epci_classes and member in \
                commune_of_authority:
            member_of[commune_of_authority[member]] = literal_text(node.attrs[siren_p][0])
    return Snapshot(millesime, communes, absorbed, epci, member_of)


def _territory_prefix(niveau: str) -> str:
    return str(iri("territoire", niveau, "x"))[:-1]


def changes(old: Snapshot, new: Snapshot) -> list[str]:
    """The change report: communes created/merged, EPCI created/dissolved, membership moves."""
    out: list[str] = []

    def section(title: str, items: list[str]) -> None:
        out.append(f"{title} ({len(items)})" + (":" if items else ""))
        out.extend(f"  {i}" for i in items)

    def commune(code: str, snap: Snapshot) -> str:
        return f"{code} {snap.communes.get(code, '?')}"

    def epci(siren: str | None, snap: Snapshot) -> str:
        if siren is None:
            return "(none)"
        return f"{siren} {snap.epci.get(siren, ('?',))[0]}"

    created = sorted(set(new.communes) - set(old.communes))
    gone = sorted(set(old.communes) - set(new.communes))
    section("communes created", [commune(c, new) for c in created])
    merged = []
    for c in gone:
        into = new.absorbed.get(c)
        merged.append(f"{commune(c, old)} → merged into {commune(into, new)}" if into else f"{commune(c, old)} → gone")
    section("communes merged or deleted", merged)
    section("communes renamed", [f"{c} {old.communes[c]} → {new.communes[c]}" for c in sorted(set(old.communes)
             & set(new.communes)) if old.communes[c] != new.communes[c]])
    section("EPCI created", [epci(s, new) for s in sorted(set(new.epci) - set(old.epci))])
    section("EPCI dissolved", [epci(s, old) for s in sorted(set(old.epci) - set(new.epci))])
    section("EPCI renamed or of another kind", [
        f"{s} {old.epci[s][0]} ({old.epci[s][1]}) → {new.epci[s][0]} ({new.epci[s][1]})"
        for s in sorted(set(old.epci) & set(new.epci)) if old.epci[s] != new.epci[s]])
    moves = []
    for c in sorted(set(old.member_of) | set(new.member_of)):
        a, b = old.member_of.get(c), new.member_of.get(c)
        if a != b and c in new.communes and c in old.communes:
            moves.append(f"{commune(c, new)}: {epci(a, old)} → {epci(b, new)}")
    section("membership moves", moves)
    return out


@dataclass
class Before:
    """What the vendored layer was, kept for the change report."""

    millesimes: list[int]
    triples: int | str
    newest: Snapshot


def report(before: Before | None, new: Layer) -> list[str]:
    new_years = sorted(new.state.datasets)
    if before is None:
        return [f"no vendored layer: built millésimes {', '.join(map(str, new_years))}"]
    head = [
        f"vendored: millésimes {', '.join(map(str, before.millesimes))}, {before.triples} triples",
        f"new:      millésimes {', '.join(map(str, new_years))}, {len(new.render())} triples",
        f"changes from millésime {before.newest.millesime} (vendored) to {new_years[-1]} (new):",
    ]
    return head + changes(before.newest, snapshot(new.state, new_years[-1]))


def update(paths: Sequence[Path | str], folder: Path | None = None) -> tuple[Before | None, Layer]:
    """The vendored layer with these releases added (or replacing their millésime), and what it was before."""
    if not paths:
        raise InputError("give at least one release with --from")
    folder = folder or default_dir()
    contributions = check_releases(paths)  # every row checked before the vendored layer is even read
    if not (folder / MANIFEST_FILE).exists() and not (folder / LAYER_FILE).exists():
        layer = Layer(State(), Manifest())
        merge_releases(layer.state, layer.manifest, contributions)
        return None, layer
    layer = load(folder)
    years = sorted(layer.state.datasets)
    before = Before(years, layer.manifest.layer.get("triples", "?"), snapshot(layer.state, years[-1])) \
        if years else None
    merge_releases(layer.state, layer.manifest, contributions)
    layer.lines = None
    return before, layer
