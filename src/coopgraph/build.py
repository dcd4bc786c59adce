"""``coopgraph build``: records + reference layer + model → a validated, deterministic, atomically replaced build.

The build folder holds the dataset as TriG (one named graph per source document, one for the reference layer, one
for the model), the union as sorted N-Triples (gzip), Turtle and JSON-LD with its context, a VoID + DCAT description
with statistics, and the validation report. It is written to a temporary folder next to the target and moved into
place only once it is complete and conforms: a failed or killed build leaves the previous one as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import functools
import gc
import gzip
import hashlib
import heapq
import io
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from . import __version__
from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATIONS, CoopgraphError, InputError
from .iris import BASE, COOP, PREFIXES, graph_iri
from .paths import data_path, default_build_dir
from .rdfio import to_oxigraph, to_rdflib
from .shapes_sparql import reference_verdict, validate_sources
from .sources import Loaded, SourceBuilder, SourceGraphs, as_graph, read_records
from .store import STORE_DIR
from .validate import CITED_GRAPH, Report, default_workers, format_text, load_model, validate_graphs

MODEL_GRAPH = graph_iri("ontology")
REFERENCE_GRAPH = graph_iri("reference")
ENGINES = ("sparql", "pyshacl")
COMPACT_JSONLD_MAX = 500_000  # source and model triples up to which the JSON-LD dump is compacted
DATASET_IRI = URIRef(BASE + "dataset")

_TERRITORY_NIVEAUX = {
    "commune": ("commune", "commune-deleguee", "commune-associee"),
    "departement": ("departement",),
    "region": ("region",),
    "epci": ("epci",),
    "arrondissement": ("arrondissement",),
}


class ReferenceLayer:
    """The vendored official geography: its look-up index for the records, its sorted N-Triples for the output.

    The layer is large (about a million triples) and already sorted: it is never parsed into Python objects here.
    """

    def __init__(self, folder: Path) -> None:
        from .reference import LAYER_FILE, ReferenceIndex

        path = folder / LAYER_FILE
        if not path.is_file():
            raise InputError("no reference layer here: run `coopgraph reference build --from …`", file=str(path))
        self.index = ReferenceIndex.load(path)
        blob = path.read_bytes()
        self.digest = hashlib.sha256(blob).hexdigest()
        try:
            self.ntriples = gzip.decompress(blob)
        except (OSError, EOFError) as exc:
            raise InputError(f"unreadable reference layer: {exc}", file=str(path)) from None

    def official(self, ref: str) -> URIRef | None:
        entry = self.index.resolve_ref(ref)
        return URIRef(entry.iri) if entry is not None else None

    def ambiguity(self, ref: str) -> str | None:
        """Why an official reference names more than one legal person, or None when it names at most one.

        ``commune:CODE`` stands for the authority that governs the commune; where a commune nouvelle took a new SIREN
        the layer has two (the old commune's and the new one's, for different millésimes), and picking one silently
        would tie the record to whichever the index lists first.
        """
        scheme, _, code = ref.partition(":")
        if scheme not in ("commune", "departement", "region"):
            return None
        territory = self.index.by_insee(code, scheme)
        authorities = self.index.authorities_of(territory) if territory is not None else []
        if len(authorities) < 2:
            return None
        named = "; ".join(
            f"siren:{a.siren} ({a.label}, {'/'.join(str(m) for m in a.millesimes)})" if a.siren else f"<{a.iri}>"
            for a in sorted(authorities, key=lambda a: a.millesimes)
        )
        return f"{ref!r} is ambiguous: {len(authorities)} legal persons govern it: {named}; write the siren: of the " \
               "one the document means"

    def territory(self, ref: str) -> URIRef | None:
        kind, _, code = ref.partition(":")
        for niveau in _TERRITORY_NIVEAUX.get(kind, ()):
            entry = self.index.by_insee(code, niveau)
            if entry is not None:
                return URIRef(entry.iri)
        return None

    @functools.cached_property
    def _lines(self) -> list[bytes]:
        return self.ntriples.splitlines(keepends=True)

    def lines(self) -> list[bytes]:
        """The layer's N-Triples lines, sorted as written."""
        return self._lines

    def _about(self, nodes: Iterable[URIRef]) -> list[bytes]:
        wanted = {f"<{n}>".encode() for n in nodes}
        return [line for line in self.lines() if line.split(b" ", 1)[0] in wanted]

    def cited(self, nodes: Iterable[URIRef], graph: URIRef) -> bytes:
        """The reference triples about some nodes as N-Quads in ``graph`` (what validation needs to know of the
        actors records cite), straight from the layer's lines."""
        tail = f" <{graph}> .\n".encode()
        return b"".join(line[: line.rindex(b" .")] + tail for line in self._about(nodes))

    def describe(self, nodes: Iterable[URIRef]) -> Iterator[tuple]:
        """The reference triples about some nodes (what validation needs to know of the actors records cite)."""
        for q in ox.parse(b"".join(self._about(nodes)), format=ox.RdfFormat.N_TRIPLES):
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)


class _LayerBuilder(SourceBuilder):
    """The records' builder over the reference layer: an ambiguous official reference is an error at its place."""

    def __init__(self, model: Graph, layer: ReferenceLayer) -> None:
        super().__init__(model, layer.official, layer.territory)
        self.layer = layer

    def resolve_actor(self, ref: str, item: Loaded, loc: tuple[object, ...]) -> URIRef:
        why = self.layer.ambiguity(ref) if ":" in ref else None
        if why is not None:
            raise item.error(why, loc)
        return super().resolve_actor(ref, item, loc)


@dataclass
class BuildResult:
    report: Report
    counts: dict[str, object]
    out: Path | None


# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------


def _graph_quads(graph: Graph, name: URIRef) -> Iterator[ox.Quad]:
    g = ox.NamedNode(str(name))
    for s, p, o in graph:
        yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), g)


def _nq_line(q: ox.Quad) -> str:
    return f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"


_COUNTED = ("Action", "Participation", "Signature", "Principe", "Defi", "ElementDeclencheur", "Enjeu", "Ambition",
            "Objet", "Objectif", "ResultatAttendu", "Mission", "ChampIntervention")


class _NQuadSink:
    """The records' triples as N-Quads lines (UTF-8 bytes), written as each record's triples arrive.

    An rdflib Graph holds a triple in about a kilobyte and a pyoxigraph Quad in a few hundred bytes; a line is its
    own length. Terms are written as Oxigraph writes them (literals by Oxigraph itself), so the lines are the ones
    ``str()`` of the quads gave, and Oxigraph parses them again (strictly) for every output and store. The counts of
    the summary and where each subject is described (for the report of a failed build) are taken on the way.
    """

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.sizes: dict[str, int] = {}  # triples per named graph
        self.described_in: dict[Node, list[URIRef]] = {}
        self.typed: dict[str, set[str]] = {str(COOP[c]): set() for c in _COUNTED}
        self.instruments: set[str] = set()
        self.actors: set[str] = set()

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Quads that are already pyoxigraph's (the model's): lines only, nothing counted."""
        for q in quads:
            self.lines.append(_nq_line(q).encode())
            self.sizes[q.graph_name.value] = self.sizes.get(q.graph_name.value, 0) + 1

    def __call__(self, name: URIRef, triples: set[tuple[Node, Node, Node]]) -> None:
        graph = f" <{name}> .\n"
        append = self.lines.append
        rdf_type, agent, instrument_prefix = RDF.type, COOP.agent, BASE + "id/instrument/"
        described = self.described_in
        for s, p, o in triples:
            append(f"{_nt_term(s)} <{p}> {_nt_term(o)}{graph}".encode())
            where = described.get(s)
            if where is None:
                described[s] = [name]
            elif where[-1] != name:
                where.append(name)
            if p == rdf_type:
                counted = self.typed.get(str(o))
                if counted is not None:
                    counted.add(str(s))
                if s.startswith(instrument_prefix):
                    self.instruments.add(str(s))
            elif p == agent:
                self.actors.add(str(o))
        self.sizes[str(name)] = len(triples)

    def counts(self, records: int) -> dict[str, object]:
        """What the build holds, counted on the source graphs (the model's triples are set aside)."""
        def n_of(cls: str) -> int:
            return len(self.typed[str(COOP[cls])])

        return {
            "records": records,
            "instruments": len(self.instruments),
            "actions": n_of("Action"),
            "actors": len(self.actors),
            "participations": n_of("Participation"),
            "signatures": n_of("Signature"),
            "statements": sum(n_of(c) for c in _COUNTED[3:]),
        }


def _nt_term(term: Node) -> str:
    """An rdflib term as N-Triples, as Oxigraph writes it: an IRI between brackets (the IRIs of records are
    made of checked keys, see iris.iri), a literal or blank node by Oxigraph itself (escapes, language tags)."""
    if type(term) is URIRef:
        return f"<{term}>"
    return str(to_oxigraph(term))


def _unique_merge(*sorted_streams: Iterable[bytes]) -> Iterator[bytes]:
    """Merge sorted streams of N-Triples lines into one sorted stream without duplicates."""
    last = None
    for line in heapq.merge(*sorted_streams):
        if line != last:
            yield line
            last = line


class _ArrayItems(io.RawIOBase):
    """A writable file that passes on what is written to it without the enclosing ``[`` and ``]`` of a JSON array
    (nor the blanks next to them): Oxigraph's expanded JSON-LD becomes the items of the dump's ``@graph``."""

    _HELD = 64  # enough to hold back the closing bracket and the blanks around it

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.opened = False
        self.pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        size = len(data)
        data = self.pending + bytes(data)
        if not self.opened:
            data = data.lstrip()
            if not data:
                self.pending = b""
                return size
            if not data.startswith(b"["):
                raise ValueError("expanded JSON-LD is not an array")
            data = data[1:].lstrip()
            self.opened = bool(data)  # blanks after the bracket are dropped until something else comes
            if not self.opened:
                self.pending = b"["
                return size
        self.out.write(data[: -self._HELD])
        self.pending = data[-self._HELD :]
        return size

    def close(self) -> None:
        if not self.closed:
            tail = self.pending.rstrip()
            if self.opened or tail:
                if not tail.endswith(b"]"):
                    raise ValueError("expanded JSON-LD is not an array")
                self.out.write(tail[:-1].rstrip())
            self.pending = b""
        super().close()


def _own_ntriples(nquads: Iterable[bytes], out: BinaryIO) -> int:
    """The union of sorted N-Quads lines written to ``out`` as N-Triples: the graph name cut off each line,
    duplicates dropped; the number of lines written.

    Sorting the quads sorted their triples too (terms are self-delimiting), so a triple stated in several graphs
    comes on consecutive lines and the result is sorted.
    """
    last = b""
    count = 0
    block: list[bytes] = []
    for line in nquads:
        triple = line[: line.rindex(b" <")] + b" .\n"
        if triple != last:
            block.append(triple)
            count += 1
            last = triple
            if len(block) == 100_000:
                out.writelines(block)
                block.clear()
    out.writelines(block)
    return count


def _compact_jsonld(expanded: list[dict], prefixes: dict[str, str]) -> list[object]:
    """Compact expanded JSON-LD with a prefix-only context: full IRIs become CURIEs, nothing else changes."""
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    @functools.lru_cache(maxsize=65_536)  # the same few hundred thousand IRIs come back again and again
    def curie(value: str) -> str:
        for prefix, ns in ordered:
            if value.startswith(ns) and len(value) > len(ns) and "/" not in value[len(ns) :]:
                return f"{prefix}:{value[len(ns):]}"
        return value

    def walk(node: object) -> object:
        if isinstance(node, list):
            return [walk(x) for x in node]
        if isinstance(node, dict):
            out: dict[str, object] = {}
            for key, value in node.items():
                if key in ("@id", "@type") and isinstance(value, str):
                    out[key] = curie(value)
                elif key == "@type" and isinstance(value, list):
                    out[key] = [curie(v) for v in value]
                elif key.startswith("@"):
                    out[key] = walk(value)
                else:
                    out[curie(key)] = walk(value)
            return out
        return node

    return walk(expanded)  # type: ignore[return-value]


def _void(graphs: dict[str, int], classes: Counter, properties: Counter, files: list[Path],
          total: int, entities: int) -> str:
    """The VoID + DCAT description of the build, as Turtle (statistics only: no clock time in it)."""
    media = {
        ".trig": "application/trig", ".gz": "application/n-triples", ".ttl": "text/turtle",
        ".jsonld": "application/ld+json",
    }
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items())]
    lines += ["@prefix dcterms: <http://purl.org/dc/terms/> .", ""]
    lines += [
        f"<{DATASET_IRI}> a void:Dataset, dcat:Dataset ;",
        '    dcterms:title "coopgraph — coopération territoriale en France"@fr, '
        '"coopgraph — territorial cooperation in France"@en ;',
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
        f'    owl:versionInfo "{__version__}" ;',
        f"    void:uriSpace \"{BASE}id/\" ;",
        f"    void:vocabulary <{COOP}> ;",
        f"    void:triples {total} ;",
        f"    void:entities {entities} ;",
        f"    void:classes {len(classes)} ;",
        f"    void:properties {len(properties)} ;",
    ]
    lines += [f"    void:subset <{name}> ;" for name in sorted(graphs)]
    lines += [f"    dcat:distribution <{BASE}dumps/{path.name}> ;" for path in files]
    lines += [f"    void:classPartition [ void:class <{c}> ; void:entities {n} ] ;" for c, n in sorted(classes.items())]
    lines += [f"    void:propertyPartition [ void:property <{p}> ; void:triples {n} ] ;"
              for p, n in sorted(properties.items())]
    lines[-1] = lines[-1][:-1] + "."
    for name, n in sorted(graphs.items()):
        lines += ["", f"<{name}> a void:Dataset ; void:triples {n} ."]
    for path in files:
        lines += [
            "",
            f"<{BASE}dumps/{path.name}> a dcat:Distribution ;",
            f"    dcterms:title \"{path.name}\" ;",
            f"    dcat:mediaType <https://www.iana.org/assignments/media-types/{media[path.suffix]}> ;",
            f"    dcat:downloadURL <{BASE}dumps/{path.name}> ;",
            f"    dcat:byteSize {path.stat().st_size} ;",
            f"    void:dataDump <{BASE}dumps/{path.name}> .",
        ]
    return "\n".join(lines) + "\n"


class _Statistics:
    """Classes, properties and entities of the union, read off its sorted N-Triples lines block by block."""

    def __init__(self) -> None:
        self.classes: Counter = Counter()
        self.properties: Counter = Counter()
        self.entities = 0
        self._last_subject: bytes | None = None
        self._rdf_type = f"<{RDF.type}>".encode()

    def add(self, lines: Iterable[bytes]) -> None:
        classes, properties, rdf_type, last_subject = self.classes, self.properties, self._rdf_type, self._last_subject
        for line in lines:
            subject, predicate, rest = line.split(b" ", 2)
            properties[predicate] += 1
            if predicate == rdf_type and rest.startswith(b"<"):
                classes[rest[1 : rest.index(b">")]] += 1
            if subject != last_subject and subject.startswith(b"<"):
                self.entities += 1
                last_subject = subject
        self._last_subject = last_subject

    @property
    def decoded(self) -> tuple[Counter, Counter]:
        return (Counter({k.decode(): n for k, n in self.classes.items()}),
                Counter({k[1:-1].decode(): n for k, n in self.properties.items()}))


def _prefixes() -> dict[str, str]:
    prefixes = dict(PREFIXES)
    prefixes["id"] = BASE + "id/"
    return prefixes


def _reference_rendering(layer: ReferenceLayer, name: str) -> bytes:
    """The reference graph serialised once per version of the layer (TriG block, Turtle, JSON-LD nodes), cached.

    Each build file is its own part followed by this one; serialising a million triples is the slow part of a
    build, and the layer changes only with `coopgraph reference update`.
    """
    folder = _reference_cache(layer)
    path = folder / f"reference.{name}"
    if path.is_file():
        return path.read_bytes()
    prefixes = _prefixes()
    if name == "trig":
        wrapped = b"<" + str(REFERENCE_GRAPH).encode() + b"> {\n" + layer.ntriples + b"}\n"
        data = ox.serialize(ox.parse(wrapped, format=ox.RdfFormat.TRIG), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    elif name == "ttl":
        data = ox.serialize(ox.parse(layer.ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                            prefixes=prefixes)
    elif name == "jsonld":  # the node objects only, in expanded form, without the enclosing brackets
        expanded = ox.serialize(ox.parse(layer.ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.JSON_LD)
        data = expanded.strip()[1:-1].strip()
    else:  # pragma: no cover - programming error
        raise ValueError(name)
    staging = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    staging.write_bytes(data)
    os.replace(staging, path)
    return data


def _write_outputs(tmp: Path, own: Path, own_nt: Path, own_count: int, sizes: dict[str, int],
                   layer: ReferenceLayer, report: Report, counts: dict[str, object]) -> None:
    """Every file of a build, written into ``tmp`` (a fresh folder).

    ``own`` is the file of the N-Quads of the model and the source graphs, sorted; ``own_nt`` the file of their
    union as sorted, unique N-Triples (``own_count`` lines); ``sizes`` the triples of each of their graphs. The reference layer comes from its sorted
    N-Triples and its cached renderings. Oxigraph parses and serialises; nothing walks a million triples in
    Python more than once.
    """
    prefixes = _prefixes()
    with open(tmp / "coopgraph.trig", "wb") as fh:
        ox.serialize(ox.parse(path=own, format=ox.RdfFormat.N_QUADS), fh, format=ox.RdfFormat.TRIG, prefixes=prefixes)
        fh.write(_reference_rendering(layer, "trig"))
    total = 0
    union: list[bytes] = []  # one block of the sorted union at a time: never the whole dump as one bytes object
    with open(own_nt, "rb") as own_lines, open(tmp / "coopgraph.nt.gz", "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="", compresslevel=6) as gz:
        statistics = _Statistics()
        for line in _unique_merge(own_lines, layer.lines()):
            union.append(line)
            if len(union) == 100_000:
                gz.write(b"".join(union))
                statistics.add(union)
                total += len(union)
                union.clear()
        gz.write(b"".join(union))
        statistics.add(union)
        total += len(union)
        del union
    with open(tmp / "coopgraph.ttl", "wb") as fh:
        ox.serialize(ox.parse(path=own_nt, format=ox.RdfFormat.N_TRIPLES), fh, format=ox.RdfFormat.TURTLE,
                     prefixes=prefixes)
        fh.write(_reference_rendering(layer, "ttl"))
    # JSON-LD: the source graphs and the model compacted with the context (CURIEs), the reference layer appended in
    # expanded form (valid under the same context). Past COMPACT_JSONLD_MAX triples the source graphs are written
    # expanded too, by Oxigraph straight into the file: compacting means a Python dictionary per node, and even the
    # expanded text is gigabytes for a national graph.
    context = dict(sorted(prefixes.items()))
    head = json.dumps({"@context": context}, ensure_ascii=False, sort_keys=True)[:-1]
    with open(tmp / "coopgraph.jsonld", "wb") as fh:
        fh.write(f'{head}, "@graph": ['.encode())
        if own_count <= COMPACT_JSONLD_MAX:
            expanded = ox.serialize(ox.parse(path=own_nt, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.JSON_LD)
            fh.write(json.dumps(_compact_jsonld(json.loads(expanded), prefixes), ensure_ascii=False,
                                sort_keys=True)[1:-1].encode())
            del expanded
        else:
            with _ArrayItems(fh) as items:
                ox.serialize(ox.parse(path=own_nt, format=ox.RdfFormat.N_TRIPLES), items, format=ox.RdfFormat.JSON_LD)
        inner = _reference_rendering(layer, "jsonld")
        if inner:
            fh.write(b", " + inner)
        fh.write(b"]}\n")
    (tmp / "context.jsonld").write_text(json.dumps({"@context": context}, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")

    by_graph = dict(sizes)
    by_graph[str(REFERENCE_GRAPH)] = len(layer.lines())
    dumps = [tmp / n for n in ("coopgraph.trig", "coopgraph.nt.gz", "coopgraph.ttl", "coopgraph.jsonld")]
    classes, properties = statistics.decoded
    (tmp / "void.ttl").write_text(_void(by_graph, classes, properties, dumps, total, statistics.entities),
                                  encoding="utf-8")
    (tmp / "report.txt").write_text(format_text(report, "en") + "\n", encoding="utf-8")
    (tmp / "report.json").write_text(
        json.dumps([r.as_json("en") for r in report.results], ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    counts["triples"] = total
    counts["graphs"] = {g: by_graph[g] for g in sorted(by_graph)}
    (tmp / "summary.json").write_text(json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                      encoding="utf-8")


def cache_dir() -> Path:
    """Where loaded stores of the reference layer are kept between builds (``COOPGRAPH_CACHE`` to move it)."""
    env = os.environ.get("COOPGRAPH_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coopgraph"


def _reference_cache(layer: ReferenceLayer) -> Path:
    """The cache folder of one version of the reference layer: its loaded store and its renderings."""
    root = cache_dir()
    folder = root / f"reference-{layer.digest[:20]}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in root.glob("reference-*"):
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def _reference_store(layer: ReferenceLayer) -> Path:
    """An Oxigraph store holding only the reference graph, loaded once per version of the layer and kept.

    Loading a million triples is most of a build's time; the layer changes only with `coopgraph reference update`.
    """
    cached = _reference_cache(layer) / "store"
    if cached.is_dir():
        return cached
    staging = cached.with_name(f".store.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    store = ox.Store(str(staging))
    store.bulk_load(layer.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(REFERENCE_GRAPH)))
    store.flush()
    del store
    try:
        os.replace(staging, cached)
    except OSError:  # another build put the same layer there first
        shutil.rmtree(staging, ignore_errors=True)
    return cached


def _write_store(target: Path, own: Path, layer: ReferenceLayer) -> None:
    """The build's embedded store: a copy of the cached reference store, plus the model and the source graphs
    (bulk-loaded from their N-Quads file: Oxigraph reads and parses it outside Python)."""
    shutil.copytree(_reference_store(layer), target)
    store = ox.Store(str(target))
    store.bulk_load(path=own, format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def _running(pid: str) -> bool:
    """Whether the process that named a temporary folder after itself still runs (unknown: assume it does)."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def recover(out: Path) -> None:
    """Put back the previous build if a build was killed between its two renames, then remove what killed builds
    left beside it: their temporary folders, among them the previous build one was deleting (each as large as a
    build, and nothing else would ever remove them). Folders of builds still running are left alone."""
    if not out.exists():
        olds = list(out.parent.glob(f".{out.name}.old-*"))  # whole builds (see _swap_into_place): the latest goes back
        if olds:
            os.replace(max(olds, key=lambda p: p.stat().st_mtime), out)
    for stray in (*out.parent.glob(f".{out.name}.tmp-*"), *out.parent.glob(f".{out.name}.old-*")):
        if not _running(stray.name.rsplit("-", 1)[-1]):
            shutil.rmtree(stray, ignore_errors=True)


def _swap_into_place(tmp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    if old.exists():
        # Renamed before it is deleted: a build killed while deleting it leaves a temporary folder (removed by the
        # next build), never a half-deleted ".old-" folder that recover() would put back in place of a build.
        trash = out.parent / f".{out.name}.tmp-old-{os.getpid()}"
        os.replace(old, trash)
        shutil.rmtree(trash, ignore_errors=True)


# --------------------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------------------


def build(sources: Path, out: Path, *, reference: Path | None = None, lang: str = "en",
          engine: str = "sparql") -> BuildResult:
    """Build, validate and (when it conforms) write the dataset to ``out``.

    ``engine``: "sparql" (the shapes compiled to SPARQL, answered by Oxigraph) or "pyshacl" (pySHACL per named graph,
    slower, kept as a cross-check).
    """
    with _without_cycle_collector():
        return _build(sources, out, reference=reference, lang=lang, engine=engine)


@contextlib.contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Python's cycle collector paused while a build runs.

    A national build keeps millions of small objects alive (records, their YAML trees, lines); each pass of the
    collector walks all of them, and it passes often while they are made: at size L it was more CPU than the
    records themselves (60 s of reading records instead of 14). A build makes almost no cycles, so nothing piles up.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(sources: Path, out: Path, *, reference: Path | None, lang: str, engine: str) -> BuildResult:
    started = time.perf_counter()
    model = load_model()
    # The records first: a mistake in one is reported before the reference layer (seconds to load) is read.
    records = read_records(sources)
    layer = ReferenceLayer(reference or data_path("graph/reference"))
    # The model's blank nodes (owl:unionOf lists…) get canonical labels, so the same input gives the same bytes.
    model_quads = list(_graph_quads(to_canonical_graph(model), MODEL_GRAPH))
    sink = _NQuadSink()
    sink.add_quads(model_quads)

    def to_lines(name: URIRef, triples: set) -> Graph | None:
        sink(name, triples)
        return as_graph(triples) if engine == "pyshacl" else None  # pySHACL needs rdflib graphs; the rest does not

    graphs = _LayerBuilder(model, layer).build(records, sink=to_lines)
    # What the rest needs of the records (they weigh gigabytes at national size, their YAML trees most of it).
    files = {graph_iri("source", item.record.document.id): item.path for item in records}
    counts = sink.counts(len(records))
    del records
    out = out.resolve()
    with _work_folder(out) as work:
        return _validate_and_write(work, out, sink, model_quads, graphs, files, counts, layer, lang=lang,
                                   engine=engine, started=started)


@contextlib.contextmanager
def _work_folder(out: Path) -> Iterator[Path]:
    """A folder beside the build for the N-Quads and N-Triples of the sources and the model while the build runs.

    Oxigraph reads them from there (validation, the store, every dump) instead of from bytes held by this process:
    at national size they are about two gigabytes the process does not keep. Named as a temporary folder of this
    process, so that recover() removes it if the build is killed.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.tmp-work-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _release_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's malloc_trim; nothing elsewhere).

    Oxigraph's in-memory stores and the records' lines are freed into the C heap, which keeps most of it: after
    validation at national size the process held 1.4 GB it no longer used, on top of what the writing then needs.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


def _validate_and_write(work: Path, out: Path, sink: _NQuadSink, model_quads: list[ox.Quad], graphs: SourceGraphs,
                        files: dict[URIRef, Path], counts: dict[str, object], layer: ReferenceLayer, *, lang: str,
                        engine: str, started: float) -> BuildResult:
    """Validation of the records' lines, then (when they conform) every file of the build, written and swapped in."""
    own, own_nt = work / "own.nq", work / "own.nt"
    sink.lines.sort()
    with open(own, "wb") as fh:  # N-Quads, sorted: what the TriG dump, the store and validation read
        fh.writelines(sink.lines)
    with open(own_nt, "wb") as fh:  # the union of the source graphs and the model, sorted and unique
        own_count = _own_ntriples(sink.lines, fh)
    del sink.lines
    subjects = set(sink.described_in)
    subjects.update(to_rdflib(q.subject) for q in model_quads)
    _release_freed_memory()

    # Validate the sources and the model with what they cite of the reference layer; the reference layer itself
    # once per content hash (its verdict kept in the layer's cache folder).
    if engine == "pyshacl":  # per named graph, in parallel processes (the engine of the first versions)
        context = as_graph(layer.describe(graphs.referenced))
        report = validate_graphs(graphs.graphs, context, lang=lang, reference=layer, cache=_reference_cache(layer))
        del context
    else:  # the shapes compiled to SPARQL, answered by Oxigraph (coopgraph.shapes_sparql)
        workers = default_workers()
        verdict = reference_verdict(_reference_store(layer), model_quads, layer.digest, _reference_cache(layer),
                                    lang=lang, workers=workers)
        report = validate_sources(own, layer.cited(graphs.referenced, CITED_GRAPH), reference=verdict, lang=lang,
                                  workers=workers, subjects=subjects)
    del graphs, subjects
    counts["sources"] = sorted(str(path.name) for path in files.values())
    counts["version"] = __version__
    counts["violations"] = len(report.violations)
    counts["warnings"] = len(report.warnings)
    if report.violations:
        return BuildResult(_with_records(report, sink.described_in, files), counts, None)
    del sink.described_in
    _release_freed_memory()  # the validation store's pages

    recover(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        # The embedded store (swapped in with the rest) is loaded by Oxigraph on its own threads, outside the GIL,
        # while this one writes the files: the two take about as long, and a core each.
        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = pool.submit(_write_store, tmp / STORE_DIR, own, layer)
            try:
                _write_outputs(tmp, own, own_nt, own_count, sink.sizes, layer, report, counts)
            finally:
                loading.result()  # waited for (and its error raised) before the folder is moved or removed
        _swap_into_place(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return BuildResult(report, counts, out)


def _with_records(report: Report, described_in: dict[Node, list[URIRef]], files: dict[URIRef, Path]) -> Report:
    """The report of a failed build, each result's source prefixed with the record file that states its focus node.

    SHACL sees RDF, not YAML: without this a violation names a node and a document, and the curator has to find the
    record. Only failed builds get it (their report is printed, never written), so build outputs do not depend on
    where the records folder is.
    """
    results = []
    for r in report.results:
        where = [str(files[name]) for name in sorted(described_in.get(r.focus, ())) if name in files]
        if where:
            r = dataclasses.replace(r, source=", ".join(where) + (f": {r.source}" if r.source else ""))
        results.append(r)
    return dataclasses.replace(report, results=results)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="records + reference layer + ontology → validated dataset in graph/build/",
        description="Build the dataset from the records, validate it, and write it. Exit 0 conforms, "
        "1 violations (nothing written), 2 bad input (nothing written).",
    )
    parser.add_argument("--sources", type=Path, default=None, help="records folder (default graph/sources/)")
    parser.add_argument("--out", type=Path, default=None, help="build folder (default graph/build/)")
    parser.add_argument("--lang", choices=("fr", "en"), default="en")
    parser.add_argument("--engine", choices=ENGINES, default="sparql",
                        help="validation engine: the shapes compiled to SPARQL (default) or pySHACL per named graph")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sources = args.sources or data_path("graph/sources")
    out = args.out or default_build_dir()
    try:
        result = build(sources, out, lang=args.lang, engine=args.engine)
    except CoopgraphError as exc:
        print(f"coopgraph build: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    counts = result.counts
    if result.out is None:
        print(format_text(result.report, args.lang))
        print(f"coopgraph build: {len(result.report.violations)} violation(s); the previous build is untouched",
              file=sys.stderr)
        return EXIT_VIOLATIONS
    print(f"built {result.out} in {counts['seconds']} s: {counts['triples']} triples")
    for graph, n in counts["graphs"].items():
        print(f"  {n:>9}  {graph}")
    print(f"  {counts['instruments']} instruments, {counts['actions']} actions, {counts['actors']} actors, "
          f"{counts['signatures']} signatures, {counts['statements']} statements")
    print(f"  validation: {counts['violations']} violation(s), {counts['warnings']} warning(s) (report.txt)")
    return EXIT_OK
