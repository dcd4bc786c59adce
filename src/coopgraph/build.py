"""``coopgraph build``: records + reference layer + model → a validated, deterministic, atomically replaced build.

The build folder holds the dataset as TriG (one named graph per source document, one for the reference layer, one
for the model), the union as sorted N-Triples (gzip), Turtle and JSON-LD with its context, a VoID + DCAT description
with statistics, and the validation report. It is written to a temporary folder next to the target and moved into
place only once it is complete and conforms: a failed or killed build leaves the previous one as it was.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from . import __version__
from .errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATIONS, CoopgraphError
from .iris import BASE, COOP, PREFIXES, graph_iri
from .paths import data_path, default_build_dir
from .rdfio import to_oxigraph, to_rdflib
from .sources import SourceGraphs, build_sources
from .validate import Report, format_text, load_model, validate

MODEL_GRAPH = graph_iri("ontology")
REFERENCE_GRAPH = graph_iri("reference")
DATASET_IRI = URIRef(BASE + "dataset")

# Looking an official reference up in the reference layer: the code is bound as a typed term, never pasted
# (Oxigraph substitutes only projected variables, hence ?code in every SELECT).
_OFFICIAL_QUERIES = {
    "siren": "SELECT ?a ?code WHERE { ?a coop:siren ?code }",
    "epci": "SELECT ?a ?code WHERE { ?a coop:siren ?code }",
    "departement": "SELECT ?a ?code WHERE { ?a a coop:Departement ; coop:gouverne ?t . "
    "?t a coop:TerritoireDepartement ; coop:codeInsee ?code }",
    "region": "SELECT ?a ?code WHERE { ?a a coop:Region ; coop:gouverne ?t . ?t a coop:TerritoireRegion ; coop:codeInsee ?code }",
    "caf": "SELECT ?a ?code WHERE { ?a a coop:CAF ; coop:ressort ?t . ?t a coop:TerritoireDepartement ; coop:codeInsee ?code }",
    "commune": "SELECT ?a ?code WHERE { ?a a coop:Commune ; coop:gouverne ?t . ?t coop:codeInsee ?code }",
}
_TERRITORY_CLASSES = {
    "commune": ("TerritoireCommune", "TerritoireCommuneDeleguee", "TerritoireCommuneAssociee"),
    "departement": ("TerritoireDepartement",),
    "region": ("TerritoireRegion",),
    "epci": ("TerritoireEPCI",),
    "arrondissement": ("TerritoireArrondissement",),
}
_TERRITORY_QUERY = "SELECT ?t ?class ?code WHERE { ?t a ?class ; coop:codeInsee ?code }"


class ReferenceLayer:
    """The vendored official geography, loaded into an in-memory Oxigraph store for look-ups and output."""

    def __init__(self, folder: Path) -> None:
        self.store = ox.Store()
        self.files = sorted(folder.glob("*.nt.gz"))
        for path in self.files:
            with gzip.open(path, "rb") as fh:
                self.store.bulk_load(fh, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(REFERENCE_GRAPH)))
        self._prefixes = {"coop": str(COOP)}

    def _one(self, query: str, code: str, extra: dict[str, ox.NamedNode] | None = None) -> URIRef | None:
        subs = {ox.Variable("code"): ox.Literal(code)}
        subs.update({ox.Variable(k): v for k, v in (extra or {}).items()})
        rows = self.store.query(query, prefixes=self._prefixes, substitutions=subs, use_default_graph_as_union=True)
        found = sorted({row[0].value for row in rows})
        return URIRef(found[0]) if found else None

    def official(self, ref: str) -> URIRef | None:
        kind, _, code = ref.partition(":")
        query = _OFFICIAL_QUERIES.get(kind)
        return self._one(query, code) if query else None

    def territory(self, ref: str) -> URIRef | None:
        kind, _, code = ref.partition(":")
        for cls in _TERRITORY_CLASSES.get(kind, ()):
            found = self._one(_TERRITORY_QUERY, code, {"class": ox.NamedNode(str(COOP[cls]))})
            if found is not None:
                return found
        return None

    def describe(self, nodes: Iterable[URIRef]) -> Iterator[tuple]:
        """The reference triples about some nodes (what validation needs to know of the actors records cite)."""
        for node in sorted(nodes):
            for q in self.store.quads_for_pattern(ox.NamedNode(str(node)), None, None, None):
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def quads(self) -> Iterator[ox.Quad]:
        yield from self.store.quads_for_pattern(None, None, None, None)


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


def _sorted_unique(lines: Iterable[str]) -> list[str]:
    return sorted(set(lines))


def _nt_line(t: ox.Triple | ox.Quad) -> str:
    return f"{t.subject} {t.predicate} {t.object} .\n"


def _nq_line(q: ox.Quad) -> str:
    return f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"


def _compact_jsonld(expanded: list[dict], prefixes: dict[str, str]) -> dict:
    """Compact expanded JSON-LD with a prefix-only context: full IRIs become CURIEs, nothing else changes."""
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

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

    return {"@context": dict(sorted(prefixes.items())), "@graph": walk(expanded)}


def _void(graphs: dict[URIRef, int], classes: Counter, properties: Counter, files: list[Path],
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
    for name in sorted(graphs):
        lines.append(f"    void:subset <{name}> ;")
    for path in files:
        lines.append(f"    dcat:distribution <{BASE}dumps/{path.name}> ;")
    for cls, n in sorted(classes.items()):
        lines.append(f"    void:classPartition [ void:class <{cls}> ; void:entities {n} ] ;")
    for prop, n in sorted(properties.items()):
        lines.append(f"    void:propertyPartition [ void:property <{prop}> ; void:triples {n} ] ;")
    lines[-1] = lines[-1][:-1] + "."
    for name, n in sorted(graphs.items()):
        lines += ["", f"<{name}> a void:Dataset ; void:triples {n} ."]
    for path in files:
        suffix = path.suffix
        lines += [
            "",
            f"<{BASE}dumps/{path.name}> a dcat:Distribution ;",
            f"    dcterms:title \"{path.name}\" ;",
            f"    dcat:mediaType <https://www.iana.org/assignments/media-types/{media.get(suffix, 'application/octet-stream')}> ;",
            f"    dcat:downloadURL <{BASE}dumps/{path.name}> ;",
            f"    dcat:byteSize {path.stat().st_size} ;",
            f"    void:dataDump <{BASE}dumps/{path.name}> .",
        ]
    return "\n".join(lines) + "\n"


def _write_outputs(tmp: Path, quads: list[ox.Quad], report: Report, counts: dict[str, object]) -> None:
    """Every file of a build, written into ``tmp`` (a fresh folder)."""
    by_graph: Counter = Counter(str(q.graph_name.value) for q in quads)
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=_nt_line)
    prefixes = dict(PREFIXES)
    prefixes["id"] = BASE + "id/"

    (tmp / "coopgraph.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes))
    nt = "".join(_nt_line(t) for t in triples).encode("utf-8")
    with open(tmp / "coopgraph.nt.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(nt)
    (tmp / "coopgraph.ttl").write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    doc = _compact_jsonld(expanded, prefixes)
    (tmp / "context.jsonld").write_text(
        json.dumps({"@context": doc["@context"]}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    (tmp / "coopgraph.jsonld").write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")

    classes: Counter = Counter()
    properties: Counter = Counter()
    subjects = set()
    rdf_type = ox.NamedNode(str(RDF.type))
    for t in triples:
        properties[t.predicate.value] += 1
        if isinstance(t.subject, ox.NamedNode):
            subjects.add(t.subject.value)
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
            classes[t.object.value] += 1
    dumps = [tmp / n for n in ("coopgraph.trig", "coopgraph.nt.gz", "coopgraph.ttl", "coopgraph.jsonld")]
    (tmp / "void.ttl").write_text(
        _void({URIRef(g): n for g, n in by_graph.items()}, classes, properties, dumps, len(triples), len(subjects)),
        encoding="utf-8",
    )
    (tmp / "report.txt").write_text(format_text(report, "en") + "\n", encoding="utf-8")
    (tmp / "report.json").write_text(
        json.dumps([r.as_json("en") for r in report.results], ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    counts["triples"] = len(triples)
    counts["graphs"] = {g: by_graph[g] for g in sorted(by_graph)}
    (tmp / "summary.json").write_text(json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                      encoding="utf-8")


def recover(out: Path) -> None:
    """Put back the previous build if a build was killed between its two renames."""
    if out.exists():
        return
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if olds:
        os.replace(olds[-1], out)


def _swap_into_place(tmp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------------------


def build(sources: Path, out: Path, *, reference: Path | None = None, lang: str = "en") -> BuildResult:
    """Build, validate and (when it conforms) write the dataset to ``out``."""
    started = time.perf_counter()
    model = load_model()
    layer = ReferenceLayer(reference or data_path("graph/reference"))
    records, graphs = build_sources(sources, model, layer.official, layer.territory)

    # Validate the cooperation graphs with what they cite of the reference layer.
    data = Graph()
    for g in graphs.graphs.values():
        data += g
    for triple in layer.describe(graphs.referenced):
        data.add(triple)
    report = validate(data, lang=lang)

    quads: list[ox.Quad] = list(_graph_quads(model, MODEL_GRAPH))
    for name in sorted(graphs.graphs):
        quads.extend(_graph_quads(graphs.graphs[name], name))
    quads.extend(layer.quads())
    quads.sort(key=_nq_line)
    counts = _counts(graphs, records)
    counts["sources"] = sorted(str(r.path.name) for r in records)
    counts["version"] = __version__
    counts["violations"] = len(report.violations)
    counts["warnings"] = len(report.warnings)
    if report.violations:
        return BuildResult(report, counts, None)

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_outputs(tmp, quads, report, counts)
        _swap_into_place(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return BuildResult(report, counts, out)


def _counts(graphs: SourceGraphs, records: list[object]) -> dict[str, object]:
    union = Graph()
    for g in graphs.graphs.values():
        union += g
    def n_of(cls: str) -> int:
        return len(set(union.subjects(RDF.type, COOP[cls])))
    return {
        "records": len(records),
        "instruments": len({s for s in union.subjects(RDF.type, None) if str(s).startswith(BASE + "id/instrument/")}),
        "actions": n_of("Action"),
        "actors": len(set(union.objects(None, COOP.agent))),
        "participations": n_of("Participation"),
        "signatures": n_of("Signature"),
        "statements": sum(n_of(c) for c in ("Principe", "Defi", "ElementDeclencheur", "Enjeu", "Ambition", "Objet",
                                             "Objectif", "ResultatAttendu", "Mission", "ChampIntervention")),
    }


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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sources = args.sources or data_path("graph/sources")
    out = args.out or default_build_dir()
    try:
        result = build(sources, out, lang=args.lang)
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
