"""``coopgraph info``: what this installation holds — model, vocabularies, shapes, records, reference layer."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from rdflib import OWL, RDF, SKOS, Namespace

from . import __version__
from .iris import COOP
from .paths import data_path
from .validate import load_model, load_shapes

SH = Namespace("http://www.w3.org/ns/shacl#")


def summary() -> dict[str, object]:
    """Counts a user can check against the docs: terms, concepts per scheme, shapes, records."""
    model = load_model()
    shapes = load_shapes()

    def coop_terms(kind):
        return sorted(s for s in model.subjects(RDF.type, kind) if str(s).startswith(str(COOP)))

    schemes: Counter[str] = Counter()
    for concept in model.subjects(RDF.type, SKOS.Concept):
        scheme = model.value(concept, SKOS.inScheme)
        if scheme is not None:
            schemes[str(scheme).rstrip("/").rsplit("/", 1)[-1]] += 1
    sources = sorted(p.name for p in data_path("graph/sources").glob("*.yaml"))
    return {
        "version": __version__,
        "ontology": {
            "classes": len(coop_terms(OWL.Class)),
            "object_properties": len(coop_terms(OWL.ObjectProperty)),
            "datatype_properties": len(coop_terms(OWL.DatatypeProperty)),
        },
        "vocabularies": dict(sorted(schemes.items())),
        "shapes": {
            "node_shapes": len(set(shapes.subjects(RDF.type, SH.NodeShape))),
            "property_shapes": len(set(shapes.subjects(SH.path, None))),
            "files": sorted(p.name for p in data_path("shapes").glob("*.ttl")),
        },
        "records": sources,
    }


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="what the model, vocabularies, shapes and records hold")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    info = summary()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    onto = info["ontology"]
    print(f"coopgraph {info['version']}")
    print(
        f"  ontology: {onto['classes']} classes, {onto['object_properties']} object properties, "
        f"{onto['datatype_properties']} datatype properties"
    )
    vocab = ", ".join(f"{k} {v}" for k, v in info["vocabularies"].items())
    print(f"  vocabularies (concepts): {vocab}")
    sh = info["shapes"]
    print(f"  shapes: {sh['node_shapes']} node shapes, {sh['property_shapes']} property shapes in {len(sh['files'])} files")
    print(f"  records: {len(info['records'])} in graph/sources/")
    return 0
