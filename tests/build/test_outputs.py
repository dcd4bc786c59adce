"""The build's files: every one parses strictly, all say the same graph, and the same input gives the same bytes."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import BuildResult, build
from coopgraph.errors import InputError
from coopgraph.paths import data_path
from tests.conftest import rapper_or_skip


def out_of(result: BuildResult) -> Path:
    assert result.out is not None
    return Path(result.out)


def triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return {f"{q.subject} {q.predicate} {q.object}" for q in ox.parse(data, format=fmt)}


def test_every_file_is_there(seed_build: BuildResult) -> None:
    names = {p.name for p in out_of(seed_build).iterdir()}
    assert {"coopgraph.trig", "coopgraph.nt.gz", "coopgraph.ttl", "coopgraph.jsonld", "context.jsonld", "void.ttl",
            "report.txt", "report.json", "summary.json"} <= names


def test_the_four_serialisations_hold_the_same_triples(seed_build: BuildResult) -> None:
    out = out_of(seed_build)
    nt = triples(out / "coopgraph.nt.gz", ox.RdfFormat.N_TRIPLES)
    assert nt == triples(out / "coopgraph.ttl", ox.RdfFormat.TURTLE)
    assert nt == triples(out / "coopgraph.trig", ox.RdfFormat.TRIG)
    assert nt == triples(out / "coopgraph.jsonld", ox.RdfFormat.JSON_LD)
    assert len(nt) == seed_build.counts["triples"]


def test_ntriples_are_sorted_and_unique(seed_build: BuildResult) -> None:
    lines = gzip.decompress((out_of(seed_build) / "coopgraph.nt.gz").read_bytes()).decode().splitlines()
    assert lines == sorted(set(lines))


def test_trig_has_one_graph_per_document_plus_model_and_reference(seed_build: BuildResult) -> None:
    quads = ox.parse(path=str(out_of(seed_build) / "coopgraph.trig"), format=ox.RdfFormat.TRIG)
    graphs = {q.graph_name.value for q in quads}
    base = "https://w3id.org/coopgraph/graph/"
    docs = {p.stem for p in data_path("graph/sources").glob("*.yaml")}
    assert graphs == {base + "ontology", base + "reference"} | {f"{base}source/{d}" for d in docs}


@pytest.mark.parametrize(("name", "syntax"), [("coopgraph.ttl", "turtle"), ("void.ttl", "turtle")])
def test_rapper_accepts_the_turtle_files(seed_build: BuildResult, name: str, syntax: str) -> None:
    rapper = rapper_or_skip()
    done = subprocess.run([rapper, "-q", "-c", "-i", syntax, str(out_of(seed_build) / name)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_void_counts_match(seed_build: BuildResult) -> None:
    void = ox.Store()
    void.load(path=str(out_of(seed_build) / "void.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(void.query("SELECT ?n WHERE { <https://w3id.org/coopgraph/dataset> "
                           "<http://rdfs.org/ns/void#triples> ?n }"))
    assert int(rows[0]["n"].value) == seed_build.counts["triples"]


def test_jsonld_uses_its_context(seed_build: BuildResult) -> None:
    out = out_of(seed_build)
    doc = json.loads((out / "coopgraph.jsonld").read_text(encoding="utf-8"))
    context = json.loads((out / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == context["@context"]
    assert any(k.startswith("coop:") for node in doc["@graph"] for k in node)


def test_the_same_input_gives_the_same_bytes(seed_build: BuildResult, tmp_path: Path) -> None:
    again = build(data_path("graph/sources"), tmp_path / "again")
    for name in ("coopgraph.nt.gz", "coopgraph.trig", "coopgraph.ttl", "coopgraph.jsonld", "void.ttl"):
        assert (out_of(again) / name).read_bytes() == (out_of(seed_build) / name).read_bytes(), name


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_bad_record_leaves_the_previous_build_in_place(seed_build: BuildResult, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(data_path("graph/sources"), sources)
    out = tmp_path / "build"
    shutil.copytree(out_of(seed_build), out)
    before = _files(out)
    (sources / "zz-broken.yaml").write_text("coopgraph: 1\ndocument: [\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        build(sources, out)
    assert info.value.file and info.value.file.endswith("zz-broken.yaml")
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "sources"], "no temporary folder left behind"
