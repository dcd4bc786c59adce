"""Records that load but cannot build: every mistake names the file, line and field, with the closest candidates."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from coopgraph.errors import InputError
from coopgraph.sources import build_sources
from coopgraph.validate import load_model

RECORD = """\
coopgraph: 1
document: {{id: {doc}, title: Convention, kind: convention}}
actors:
  - {{id: {actor}, kind: {kind}, label: Association A}}
instruments:
  - id: {instrument}
    kind: ConventionPartenariat
    title: Convention
    parties: [{party}, departement:42]
    axes: [{{number: "1", label: Axe, orientations: [{{number: "1.1", label: Orientation}}]}}]
    actions:
      - {{label: Une action, under: "{under}", themes: [{theme}]}}
"""
DEFAULTS = {"doc": "doc-a", "actor": "asso-a", "kind": "Association", "instrument": "conv-a", "party": "asso-a",
            "under": "1.1", "theme": "tourisme"}


def official(ref: str) -> URIRef | None:
    return URIRef("https://w3id.org/coopgraph/id/acteur/departement/42") if ref == "departement:42" else None


def territory(ref: str) -> URIRef | None:
    return None


def build_folder(tmp_path: Path, *records: dict[str, str]) -> None:
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    for i, values in enumerate(records):
        (folder / f"r{i}.yaml").write_text(RECORD.format(**{**DEFAULTS, **values}), encoding="utf-8")
    build_sources(folder, load_model(), official, territory)


def test_the_template_builds(tmp_path: Path) -> None:
    build_folder(tmp_path, {})


@pytest.mark.parametrize(
    ("records", "field", "words"),
    [
        ([{"party": "asso-b"}], "instruments[0].parties[0]", "closest: asso-a"),
        ([{"party": "siren:200071554"}], "instruments[0].parties[0]", "not in the reference layer"),
        ([{"kind": "Asociation"}], "actors[0].kind", "did you mean Association"),
        ([{"theme": "tourism"}], "instruments[0].actions[0].themes[0]", "did you mean tourisme"),
        ([{"under": "1.2"}], "instruments[0].actions[0].under", "no axis, orientation or heading '1.2'"),
        ([{}, {"doc": "doc-b", "instrument": "conv-b"}], "actors[0].id", "already declared"),
        ([{}, {"doc": "doc-b", "actor": "asso-b", "party": "asso-b"}], "instruments[0].id", "already declared"),
        ([{}, {"actor": "asso-b", "party": "asso-b", "instrument": "conv-b"}], "document.id", "already used"),
    ],
)
def test_build_errors_name_file_line_field(tmp_path: Path, records: list[dict[str, str]], field: str,
                                          words: str) -> None:
    with pytest.raises(InputError) as info:
        build_folder(tmp_path, *records)
    err = info.value
    assert err.field == field
    assert words in err.message
    assert err.file is not None and err.file.endswith(".yaml")
    assert err.line is not None and err.column is not None


def test_extending_an_undeclared_instrument(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "r.yaml").write_text(
        "coopgraph: 1\ndocument: {id: d, title: T, kind: convention}\n"
        "instruments:\n  - {id: conv-x, extends: true, actions: [{label: A}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="which no record declares") as info:
        build_sources(folder, load_model(), official, territory)
    assert info.value.line == 4
