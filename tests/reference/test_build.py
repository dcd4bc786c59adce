"""`coopgraph reference build|update` on small synthetic releases (offline), and bad input."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.cli import main
from coopgraph.errors import InputError
from coopgraph.reference import INDEX_FILE, LAYER_FILE, MANIFEST_FILE, ReferenceIndex, read_release
from coopgraph.reference import layer as layer_mod

from .conftest import sparql
from .synthetic import (
    E_AGGLO,
    E_LAYON,
    E_NEW,
    E_OLD,
    T_EPT,
    commune_siren,
    pack,
    release_2021,
    release_2026,
    write_release,
)

ID = "https://w3id.org/coopgraph/id/"


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in (LAYER_FILE, INDEX_FILE, MANIFEST_FILE)}


def _store(folder: Path) -> ox.Store:
    s = ox.Store()
    s.bulk_load(gzip.decompress((folder / LAYER_FILE).read_bytes()), format=ox.RdfFormat.N_TRIPLES)
    return s


def _build(out: Path, *sources: Path, capsys=None) -> int:
    args = ["reference", "build", "--out", str(out)]
    for s in sources:
        args += ["--from", str(s)]
    return main(args)


def test_build_is_deterministic_from_folder_or_archive(tmp_path: Path, upstream: dict[str, Path]) -> None:
    archive = pack(upstream["2026"], tmp_path / "etalab-decoupage-administratif-6.0.0.tgz")
    assert _build(tmp_path / "a", upstream["2021"], upstream["2026"]) == 0
    assert _build(tmp_path / "b", archive, upstream["2021"]) == 0  # order of --from does not matter
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a[LAYER_FILE] == b[LAYER_FILE] and a[INDEX_FILE] == b[INDEX_FILE]
    manifest = json.loads(b[MANIFEST_FILE])
    entry = manifest["millesimes"]["2026"]
    assert entry["archive_sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert entry["data_sha256"] == json.loads(a[MANIFEST_FILE])["millesimes"]["2026"]["data_sha256"]
    assert manifest["millesimes"]["2021"]["archive_sha256"] is None  # a folder has no archive
    assert manifest["layer"]["triples"] == len(gzip.decompress(a[LAYER_FILE]).splitlines())
    assert _build(tmp_path / "a", upstream["2021"], upstream["2026"]) == 0
    assert _files(tmp_path / "a")[LAYER_FILE] == a[LAYER_FILE]


def test_synthetic_counts_and_memberships(tmp_path: Path, upstream: dict[str, Path]) -> None:
    out = tmp_path / "layer"
    assert _build(out, upstream["2021"], upstream["2026"]) == 0
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    assert manifest["millesimes"]["2021"]["counts"]["commune"] == 9
    assert manifest["millesimes"]["2026"]["counts"]["commune"] == 8
    assert manifest["millesimes"]["2026"]["counts"]["commune-deleguee"] == 2
    store = _store(out)
    for year, entry in manifest["millesimes"].items():
        for kind, cls in (("commune", "TerritoireCommune"), ("commune-deleguee", "TerritoireCommuneDeleguee"),
                          ("commune-associee", "TerritoireCommuneAssociee"), ("epci", "TerritoireEPCI"),
                          ("arrondissement-municipal", "TerritoireArrondissementMunicipal"),
                          ("ept", "TerritoireEPT"), ("departement", "TerritoireDepartement")):
            n = sparql(store, f'SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a coop:{cls} ; coop:millesime "{year}"^^xsd:gYear }}')
            assert int(n[0]["n"]) == entry["counts"][kind], (year, kind)
    # 49300 moved from the CC Loire Layon Aubance (2021) to the CA (2026): two memberships, dated
    member = f"{ID}acteur/siren/{commune_siren('49300')}"
    rows = sparql(store, f"""
        SELECT ?m ?o ?debut ?fin WHERE {{ ?m org:member <{member}> ; org:organization ?o ; org:memberDuring ?p .
            ?p coop:debut ?debut . OPTIONAL {{ ?p coop:fin ?fin }} }} ORDER BY ?debut""")
    assert rows == [
        {"m": f"{ID}adhesion/{commune_siren('49300')}/{E_LAYON}/2021", "o": f"{ID}acteur/siren/{E_LAYON}",
         "debut": "2021", "fin": "2021"},
        {"m": f"{ID}adhesion/{commune_siren('49300')}/{E_AGGLO}/2026", "o": f"{ID}acteur/siren/{E_AGGLO}",
         "debut": "2026", "fin": None},
    ]
    # the commune merged into Chemillé-en-Anjou: a commune in 2021, a commune déléguée in 2026, tied to its parent
    parents = sparql(store, f"""SELECT ?p WHERE {{ <{ID}territoire/commune-deleguee/49200> coop:partieDe ?p }}""")
    assert {r["p"] for r in parents} >= {f"{ID}territoire/commune/49092", f"{ID}territoire/departement/49"}
    years = sparql(store, f"""SELECT ?y WHERE {{ <{ID}territoire/commune/49200> coop:millesime ?y }} ORDER BY ?y""")
    assert [r["y"] for r in years] == ["2021"]
    # the EPT and its member, 2026 only
    ept = sparql(store, f"""SELECT ?m WHERE {{ ?m org:organization <{ID}acteur/siren/{T_EPT}> }}""")
    assert len(ept) == 1
    # the same commune authority in both millésimes, with its SIREN read from the 2021 member lists
    auth = sparql(store, f"""SELECT ?y WHERE {{ <{ID}acteur/siren/{commune_siren("42280")}> coop:millesime ?y }} ORDER BY ?y""")
    assert [r["y"] for r in auth] == ["2021", "2026"]
    # and a commune whose SIREN only 2026 gives: one authority, keyed by that SIREN, for both millésimes
    island = sparql(store, f"""SELECT ?a ?y WHERE {{ ?a coop:gouverne <{ID}territoire/commune/43300> ;
                                                      coop:millesime ?y }} ORDER BY ?y""")
    assert island == [{"a": f"{ID}acteur/siren/{commune_siren('43300')}", "y": y} for y in ("2021", "2026")]
    index = ReferenceIndex.load(out)
    assert index.lookup("Saint-Just").ambiguous
    assert index.resolve("Saint-Just", departement="43").code == "43200"
    assert index.resolve("Caf de la Haute-Loire").iri == f"{ID}acteur/caf/43"
    assert index.resolve("Département de Maine-et-Loire").label == "Département de Maine-et-Loire"
    assert index.resolve("Commune du Puy-en-Velay").label == "Commune du Puy-en-Velay"
    assert index.resolve("CC des Monts").sigle == "CCDM"


def test_update_adds_a_millesime_and_reports_changes(tmp_path: Path, upstream: dict[str, Path], capsys) -> None:
    out = tmp_path / "layer"
    assert _build(out, upstream["2021"]) == 0
    capsys.readouterr()
    assert main(["reference", "update", "--from", str(upstream["2026"]), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "communes merged or deleted (1):" in text and "49200 Vieux-Bourg → merged into 49092" in text
    assert f"EPCI created (1):\n  {E_NEW} CC Nouvelle" in text
    assert f"EPCI dissolved (1):\n  {E_OLD} CC Dissoute" in text
    assert "membership moves (3):" in text  # 49300, and the two communes of the dissolved CC
    assert f"43157 Le Puy-en-Velay: {E_OLD} CC Dissoute → {E_NEW} CC Nouvelle" in text
    assert f"49300 Saint-Georges-sur-Loire: {E_LAYON} CC Loire Layon Aubance → {E_AGGLO} CA du Bassin Test" in text
    assert "dry run" in text
    assert json.loads((out / MANIFEST_FILE).read_text())["millesimes"].keys() == {"2021"}
    assert main(["reference", "update", "--from", str(upstream["2026"]), "--out", str(out)]) == 0
    # updating 2021 with 2026 gives the same bytes as building both at once
    assert _build(tmp_path / "both", upstream["2021"], upstream["2026"]) == 0
    assert _files(out)[LAYER_FILE] == _files(tmp_path / "both")[LAYER_FILE]
    assert _files(out)[INDEX_FILE] == _files(tmp_path / "both")[INDEX_FILE]
    # and again with the same release: nothing changes
    capsys.readouterr()
    assert main(["reference", "update", "--from", str(upstream["2026"]), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "membership moves (0)" in text and "communes created (0)" in text
    assert _files(out)[LAYER_FILE] == _files(tmp_path / "both")[LAYER_FILE]


def test_update_with_an_older_millesime(tmp_path: Path, upstream: dict[str, Path]) -> None:
    assert _build(tmp_path / "new", upstream["2026"]) == 0
    assert main(["reference", "update", "--from", str(upstream["2021"]), "--out", str(tmp_path / "new")]) == 0
    assert _build(tmp_path / "both", upstream["2021"], upstream["2026"]) == 0
    assert _files(tmp_path / "new")[LAYER_FILE] == _files(tmp_path / "both")[LAYER_FILE]


def test_layer_reads_back_to_the_same_state(tmp_path: Path, upstream: dict[str, Path]) -> None:
    built = layer_mod.build([upstream["2021"], upstream["2026"]])
    layer_mod.write(built, tmp_path / "l")
    again = layer_mod.load(tmp_path / "l")
    assert again.render() == built.render()


# ---------------------------------------------------------------------------------------------------- bad input


def _bad(args: list[str], folder: Path, capsys) -> str:
    before = _files(folder)
    assert main(args) == 2
    assert _files(folder) == before  # the layer is untouched
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left
    return capsys.readouterr().err


def test_truncated_archive(tmp_path: Path, upstream: dict[str, Path], vendored_copy: Path, capsys) -> None:
    archive = pack(upstream["2026"], tmp_path / "etalab-decoupage-administratif-6.0.0.tgz")
    blob = archive.read_bytes()
    archive.write_bytes(blob[: len(blob) // 2])
    for command in ("update", "build"):
        err = _bad(["reference", command, "--from", str(archive), "--out", str(vendored_copy)], vendored_copy, capsys)
        assert str(archive) in err and "truncated" in err


def test_corrupt_archive(tmp_path: Path, vendored_copy: Path, capsys) -> None:
    archive = tmp_path / "not-a-package.tgz"
    archive.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    err = _bad(["reference", "update", "--from", str(archive), "--out", str(vendored_copy)], vendored_copy, capsys)
    assert str(archive) in err and "corrupt" in err


def test_malformed_code_row(tmp_path: Path, vendored_copy: Path, capsys) -> None:
    data = release_2026()
    data["communes"][3]["code"] = "4X200"
    folder = write_release(tmp_path / "bad", "6.0.0", data)
    err = _bad(["reference", "update", "--from", str(folder), "--out", str(vendored_copy)], vendored_copy, capsys)
    assert "communes.json" in err and "row 4 (line 5)" in err and "4X200" in err and "[code]" in err
    # the same row inside an archive names the archive and the file in it
    archive = pack(folder, tmp_path / "bad.tgz")
    err = _bad(["reference", "build", "--from", str(archive), "--out", str(vendored_copy)], vendored_copy, capsys)
    assert f"{archive}!/package/data/communes.json" in err and "row 4" in err


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("epci", lambda d: d["epci"][1].update(code="200043173"), "fails its Luhn key"),
        ("epci", lambda d: d["epci"][1]["membres"].append(dict(d["epci"][1]["membres"][0], code="49999")),
         "49999 is not a commune of this release"),
        ("departements", lambda d: d["departements"][0].update(region="99"), "'region' 99 is not a region"),
        ("communes", lambda d: d["communes"].append(dict(d["communes"][0])), "duplicate commune code 42218"),
        ("communes", lambda d: d["communes"][0].update(population="many"), "'population' must be"),
    ],
)
def test_bad_rows(tmp_path: Path, vendored_copy: Path, capsys, file, change, expected) -> None:
    data = release_2026()
    change(data)
    folder = write_release(tmp_path / "bad", "6.0.0", data)
    err = _bad(["reference", "update", "--from", str(folder), "--out", str(vendored_copy)], vendored_copy, capsys)
    assert f"{file}.json" in err and "row " in err and expected in err


def test_unknown_version(tmp_path: Path, vendored_copy: Path, capsys) -> None:
    folder = write_release(tmp_path / "future", "9.9.9", release_2026())
    err = _bad(["reference", "update", "--from", str(folder), "--out", str(vendored_copy)], vendored_copy, capsys)
    assert "package.json" in err and "unknown version 9.9.9" in err
    # a newer release whose README lists its year is accepted
    readme = "| Année | Version du package |\n|---|---|\n| 2027 | 9.9.9 | `npm install …` |\n"
    newer = write_release(tmp_path / "newer", "9.9.9", release_2026(), readme=readme)
    assert read_release(newer).millesime == 2027


def test_invalid_json_and_missing_files(tmp_path: Path, capsys) -> None:
    folder = write_release(tmp_path / "j", "6.0.0", release_2026())
    path = folder / "package" / "data" / "epci.json"
    path.write_text(path.read_text()[:-40], encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_release(folder)
    assert exc.value.file == str(path) and exc.value.line is not None
    (folder / "package" / "data" / "regions.json").unlink()
    with pytest.raises(InputError, match=r"missing data/regions\.json"):
        read_release(folder)
    other = tmp_path / "other" / "package"
    other.mkdir(parents=True)
    (other / "package.json").write_text('{"name": "left-pad", "version": "1.1.1"}')
    with pytest.raises(InputError, match="expected '@etalab/decoupage-administratif'"):
        read_release(other.parent)
    with pytest.raises(InputError, match="no such file"):
        read_release(tmp_path / "nowhere.tgz")


def test_json_on_one_line_is_read_too(tmp_path: Path) -> None:
    folder = write_release(tmp_path / "compact", "1.1.1", release_2021(), one_row_per_line=False)
    release = read_release(folder)
    assert release.millesime == 2021 and len(release.rows["communes"]) == len(release_2021()["communes"])


def test_the_index_is_the_same_from_memory_or_from_the_file(tmp_path: Path, upstream: dict[str, Path]) -> None:
    built = layer_mod.build([upstream["2021"], upstream["2026"]])
    lines = built.render()
    assert ReferenceIndex.from_state(built.state).to_json_bytes() == ReferenceIndex.from_lines(lines).to_json_bytes()
