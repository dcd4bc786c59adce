"""``coopgraph analyze``: what it writes, its levels, its errors, and a remote endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.build import BuildResult
from coopgraph.cli import main


@pytest.fixture(scope="module")
def analyzed(seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("analyze") / "out"
    assert main(["analyze", "--build", str(seed_build.out), "--out", str(out)]) == 0
    return out


def test_analyze_writes_exports_figures_and_report(analyzed: Path, capsys: pytest.CaptureFixture) -> None:
    for name in ("cooperation.graphml", "cooperation.gexf", "nodes.csv", "edges.csv", "network.json", "report.md",
                 "figures/network.png", "figures/centralities.png", "figures/departement-matrix.png",
                 "cross-territory-departement.csv", "territories-departement.gexf"):
        assert (analyzed / name).is_file(), name
    report = (analyzed / "report.md").read_text(encoding="utf-8")
    for figure in ("figures/network.png", "figures/centralities.png", "figures/departement-matrix.png"):
        assert f"]({figure})" in report
    assert "Entente interdépartementale Loire - Haute-Loire" in report
    assert "coopgraph analyze --level departement --build" in report


def test_analyze_region_level(seed_build: BuildResult, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "regions"
    assert main(["analyze", "--build", str(seed_build.out), "--out", str(out), "--level", "region",
                 "--no-figures", "--betweenness-sample", "10"]) == 0
    printed = capsys.readouterr().out
    assert "0 cross-region links" in printed
    assert not (out / "figures").exists()
    assert (out / "placement-region.csv").is_file()
    assert "sampled k=10 seed=42" in (out / "report.md").read_text(encoding="utf-8")


def test_analyze_without_a_build(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["analyze", "--build", str(tmp_path / "none"), "--out", str(tmp_path / "out")]) == 2
    assert "run `coopgraph build`" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_analyze_a_remote_endpoint(oxigraph_seed, analyzed: Path, tmp_path: Path) -> None:
    out = tmp_path / "remote"
    assert main(["analyze", "--endpoint", oxigraph_seed.query, "--out", str(out), "--no-figures",
                 "--page-size", "50"]) == 0
    for name in ("edges.csv", "nodes.csv", "cross-territory-departement.csv", "communities.csv"):
        assert (out / name).read_bytes() == (analyzed / name).read_bytes(), name


def test_analyze_never_replaces_a_folder_it_did_not_write(seed_build: BuildResult, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("keep me", encoding="utf-8")
    assert main(["analyze", "--build", str(seed_build.out), "--out", str(precious), "--no-figures"]) == 2
    assert "not an analysis folder" in capsys.readouterr().err
    assert (precious / "thesis.tex").read_text(encoding="utf-8") == "keep me"
