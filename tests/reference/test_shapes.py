"""The reference layer against the SHACL shapes, on a deterministic sample.

The whole layer (1.08 M triples) is too slow for pySHACL in a test: the SIREN check digit is a SHACL-SPARQL
constraint that pySHACL evaluates at ~0.25 s per organisation with a SIREN (about 37,000 here: hours), and the
rest of the shapes took 445 s on the whole layer (benchmarks/bench_reference.py --shacl measures it). The sample
covers every kind of node the layer holds: régions, départements, the authorities that replaced some of them,
CAF, a collectivité d'outre-mer and its communes, an EPCI with its communes, their communes déléguées and their
memberships, a commune that moved from one EPCI to another, an EPT, the Métropole de Lyon, Paris and an
arrondissement municipal, and the upstream datasets.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path

from rdflib import Graph

from coopgraph.reference import LAYER_FILE
from coopgraph.validate import validate

ID = "https://w3id.org/coopgraph/id/"
SEEDS = [
    "territoire/region/52", "acteur/region/52", "territoire/departement/49", "acteur/departement/49",
    "acteur/caf/49", "territoire/arrondissement/491",
    "territoire/departement/67", "territoire/departement/68", "acteur/collectivite/alsace", "acteur/caf/67",
    "territoire/region/94", "territoire/departement/2A", "acteur/collectivite/corse",
    "territoire/departement/976", "territoire/region/06", "acteur/departement/976", "acteur/caf/976",
    "territoire/collectivite-outre-mer/975", "territoire/commune/97501", "territoire/commune/97502",
    "acteur/commune/97501", "acteur/commune/97502",
    "territoire/epci/200071553", "acteur/siren/200071553",  # CC Loire Layon Aubance
    "territoire/epci/200046977", "acteur/siren/200046977",  # Métropole de Lyon
    "territoire/ept/200057867", "acteur/siren/200057867",  # EPT Plaine Commune
    "territoire/commune/75056", "acteur/siren/217500016", "territoire/arrondissement-municipal/75101",
    "territoire/departement/75",
    "territoire/commune/25192", "acteur/siren/212501928",  # Dampjoux, moved between 2021 and 2026
]


def _sample(path: Path) -> tuple[Graph, int]:
    by_subject: dict[str, list[str]] = defaultdict(list)
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        by_subject[line[1:line.index(">")]].append(line)
    keep = {ID + s for s in SEEDS}
    members = set()
    # the member communes of the CC Loire Layon Aubance and of Dampjoux' EPCIs, with their memberships
    for s, lines in by_subject.items():
        if s.startswith(ID + "adhesion/") and not s.endswith("/periode"):
            member = next(line.split(" ", 2)[2][1:-3] for line in lines if "org#member>" in line)
            org = next(line.split(" ", 2)[2][1:-3] for line in lines if "org#organization>" in line)
            if org == ID + "acteur/siren/200071553" or member == ID + "acteur/siren/212501928":
                keep |= {s, s + "/periode", member, org}
                members.add(member)
    for s in sorted(members | {k for k in keep if k.startswith(ID + "acteur/")}):
        for line in by_subject.get(s, []):
            if "#gouverne>" in line or "#ressort>" in line:
                keep.add(line.split(" ", 2)[2][1:-3])
    territories = {k for k in keep if k.startswith(ID + "territoire/commune/")}
    for s, lines in by_subject.items():  # communes déléguées and associées of the sampled communes
        if s.startswith((ID + "territoire/commune-deleguee/", ID + "territoire/commune-associee/")) and any(
                line.split(" ", 2)[2][1:-3] in territories for line in lines if "#partieDe>" in line):
            keep.add(s)
    keep |= {s for s in by_subject if s.startswith(ID + "jeu-de-donnees/")}
    lines = [line for s in sorted(keep) for line in by_subject.get(s, [])]
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    return graph, len(keep)


def test_a_sample_of_the_layer_conforms(vendored: Path) -> None:
    graph, nodes = _sample(vendored / LAYER_FILE)
    assert nodes > 100 and len(graph) > 1000
    kinds = {str(o).rsplit("#", 1)[-1] for o in graph.objects(None, None) if str(o).startswith(
        "https://w3id.org/coopgraph/ontology#") and "#" in str(o)}
    assert {"TerritoireCommuneDeleguee", "MetropoleDeLyon", "EtablissementPublicTerritorial", "CAF",
            "CollectiviteStatutParticulier", "TerritoireEPT"} <= kinds
    report = validate(graph)
    assert report.violations == [], report.violations[:3]
    assert report.conforms
    # the only warnings: populations upstream does not give (communes déléguées and associées)
    assert {(r.component, r.path) for r in report.warnings} <= {("sh:MinCountConstraintComponent", "coop:population")}
