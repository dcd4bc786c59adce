"""The reference layer: the official geography and public authorities of France, dated by millésime.

Made from the Etalab *decoupage-administratif* npm package (obtain a release with
``npm pack @etalab/decoupage-administratif@VERSION``) and vendored under ``graph/reference/``:

- ``reference.nt.gz``: sorted N-Triples (gzip, mtime 0): territories (``coop:Territoire*``) and, kept apart, the
  authorities that govern them (communes, EPCI, EPT, Départements, Régions, collectivités à statut particulier) and
  every département's CAF, EPCI/EPT memberships as ``org:Membership`` dated by millésime;
- ``lookup.json.gz``: the name index of ``ReferenceIndex`` (derived from the layer, checked against its sha256);
- ``manifest.json``: upstream package, version, archive sha256 and row counts per millésime; licence; triple count.

Commands: ``coopgraph reference build --from PATH [--from PATH…]``, ``coopgraph reference update --from PATH``,
``coopgraph reference lookup TEXT``. Python: ``load_index()`` → ``ReferenceIndex`` (by INSEE code, SIREN, name).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import EXIT_OK
from .layer import INDEX_FILE, LAYER_FILE, MANIFEST_FILE, build, default_dir, report, update, write
from .lookup import Candidate, Entry, Match, ReferenceIndex, load_index, normalize
from .upstream import KNOWN_VERSIONS, PACKAGE, luhn_ok, read_release

__all__ = [
    "INDEX_FILE",
    "KNOWN_VERSIONS",
    "LAYER_FILE",
    "MANIFEST_FILE",
    "PACKAGE",
    "Candidate",
    "Entry",
    "Match",
    "ReferenceIndex",
    "add_parser",
    "build",
    "default_dir",
    "load_index",
    "luhn_ok",
    "normalize",
    "read_release",
    "update",
    "write",
]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reference",
        help="build, update or search the official geography layer (graph/reference/)",
        description="The reference layer: territories and public authorities of France by millésime, from the Etalab "
        f"decoupage-administratif npm package ({PACKAGE}). Obtain a release with "
        "`npm pack @etalab/decoupage-administratif@VERSION` (6.0.0 is millésime 2026, 1.1.1 is 2021). "
        "Exit 0 done, 2 bad input (the vendored layer is then left untouched).",
    )
    sub = parser.add_subparsers(dest="reference_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("build", "make the layer from these releases only"),
        ("update", "add or replace millésimes in the vendored layer, and print what changed"),
    ):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--from", dest="sources", action="append", required=True, type=Path, metavar="PATH",
                       help="an npm archive (.tgz) or its unpacked folder; repeat for several millésimes")
        p.add_argument("--out", type=Path, default=None, metavar="DIR",
                       help=f"folder of the layer (default: {default_dir()})")
        if name == "update":
            p.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
        p.set_defaults(func=run_build if name == "build" else run_update)
    p = sub.add_parser("lookup", help="find authorities or territories by name, INSEE code or SIREN",
                       description="Find authorities (default) or territories by name as documents write them, "
                       "by INSEE code (--insee) or by SIREN (--siren).")
    p.add_argument("text", nargs="?", help="a name, e.g. \"la Caf de Maine-et-Loire\"")
    p.add_argument("--departement", help="code or name of the département, to tell homonyms apart")
    p.add_argument("--territoire", action="store_true", help="answer territories rather than authorities")
    p.add_argument("--millesime", type=int)
    p.add_argument("--insee", help="a territory by INSEE code (with --niveau, default commune)")
    p.add_argument("--niveau", default="commune")
    p.add_argument("--siren", help="an authority by SIREN")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument("--layer", type=Path, default=None, help="another layer file or folder")
    p.set_defaults(func=run_lookup)


def _summary(layer, folder: Path, figures: dict) -> None:
    size = figures["bytes"] / 1e6
    print(f"wrote {folder / LAYER_FILE}: {figures['triples']} triples, {size:.1f} MB; "
          f"{INDEX_FILE}, {MANIFEST_FILE}")
    for y, entry in sorted(layer.manifest.millesimes.items()):
        c = entry["counts"]
        print(f"  {y}  {entry['npm']}: {c.get('region', 0)} régions, {c.get('departement', 0)} départements, "
              f"{c.get('arrondissement', 0)} arrondissements, {c.get('commune', 0)} communes "
              f"(+{c.get('commune-deleguee', 0)} déléguées, {c.get('commune-associee', 0)} associées, "
              f"{c.get('arrondissement-municipal', 0)} arr. municipaux), {c.get('epci', 0)} EPCI, "
              f"{c.get('ept', 0)} EPT, {c.get('membre-epci', 0) + c.get('membre-ept', 0)} memberships")


def run_build(args: argparse.Namespace) -> int:
    folder = args.out or default_dir()
    layer = build(args.sources)
    figures = write(layer, folder)
    _summary(layer, folder, figures)
    return EXIT_OK


def run_update(args: argparse.Namespace) -> int:
    folder = args.out or default_dir()
    before, layer = update(args.sources, folder)
    for line in report(before, layer):
        print(line)
    if args.dry_run:
        print("dry run: nothing written")
        return EXIT_OK
    figures = write(layer, folder)
    _summary(layer, folder, figures)
    return EXIT_OK


def _entry_json(e: Entry) -> dict:
    return {"iri": e.iri, "role": e.role, "kind": e.kind, "label": e.label, "code": e.code, "siren": e.siren,
            "departements": list(e.departements), "millesimes": list(e.millesimes), "current": e.current}


def run_lookup(args: argparse.Namespace) -> int:
    index = load_index(args.layer)
    if args.siren or args.insee:
        found = index.by_siren(args.siren) if args.siren else index.by_insee(args.insee, args.niveau)
        rows = [(100.0, found)] if found else []
        ambiguous = False
    elif args.text:
        match = index.lookup(args.text, departement=args.departement,
                             role="territoire" if args.territoire else "acteur", millesime=args.millesime,
                             limit=args.limit)
        rows = [(c.score, c.entry) for c in match.candidates]
        ambiguous = match.ambiguous
    else:
        print("coopgraph reference lookup: give a name, --insee or --siren", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"ambiguous": ambiguous, "candidates": [dict(_entry_json(e), score=s) for s, e in rows]},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("no match")
    for score, e in rows:
        extra = f" SIREN {e.siren}" if e.siren else ""
        years = ",".join(map(str, e.millesimes))
        print(f"{score:5.1f}  {e.label}  [{e.kind} {e.code or ''}{extra}; dép. {','.join(e.departements)}; "
              f"{years}]  <{e.iri}>")
    if ambiguous:
        print("ambiguous: give --departement, or a longer name")
    return EXIT_OK
