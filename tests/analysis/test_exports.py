"""Exports: GraphML, GEXF, CSV and JSON that the usual tools read back, and the same bytes for the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from coopgraph.analysis import export, figures
from coopgraph.analysis.pipeline import Analysis, markdown_table, write


@pytest.fixture(scope="module")
def written(seed_analysis: Analysis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("analysis") / "out"
    write(seed_analysis, out, figures=False, source="seed")
    return out


def test_graphml_and_gexf_read_back(written: Path, seed_analysis: Analysis) -> None:
    g = seed_analysis.graph
    back = nx.read_graphml(written / "cooperation.graphml")
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    node = "https://w3id.org/coopgraph/id/acteur/caf/49"
    assert back.nodes[node]["short"] == "Caf" and back.nodes[node]["departement_code"] == "49"
    assert back.nodes[node]["betweenness"] == pytest.approx(seed_analysis.centralities.set_index("actor").loc[
        node, "betweenness"])
    gexf = nx.read_gexf(written / "cooperation.gexf")
    assert gexf.number_of_edges() == g.number_of_edges()
    assert "lastmodifieddate" not in (written / "cooperation.gexf").read_text(encoding="utf-8")
    multi = nx.read_graphml(written / "cooperation-by-instrument.graphml", force_multigraph=True)
    assert multi.number_of_edges() == seed_analysis.multigraph.number_of_edges()
    terr = nx.read_graphml(written / "territories-departement.graphml")
    assert terr.number_of_edges() == 1
    for name in ("actor-instrument", "actor-action"):
        assert nx.read_graphml(written / f"{name}.graphml").number_of_nodes() > 0
        assert nx.read_gexf(written / f"{name}.gexf").number_of_nodes() > 0


def test_csv_and_json(written: Path, seed_analysis: Analysis) -> None:
    nodes = pd.read_csv(written / "nodes.csv")
    edges = pd.read_csv(written / "edges.csv")
    assert len(nodes) == seed_analysis.graph.number_of_nodes()
    assert len(edges) == seed_analysis.graph.number_of_edges()
    assert {"id", "label", "weighted_degree", "community", "placement"} <= set(nodes.columns)
    assert {"source", "target", "weight", "instruments"} <= set(edges.columns)
    assert len(pd.read_csv(written / "edges-by-instrument.csv")) == seed_analysis.multigraph.number_of_edges()
    cross = pd.read_csv(written / "cross-territory-departement.csv", dtype={"code_a": str, "code_b": str})
    assert (cross.loc[0, "code_a"], cross.loc[0, "code_b"]) == ("42", "43")
    payload = json.loads((written / "network.json").read_text(encoding="utf-8"))
    assert set(payload) == {"meta", "actors", "territories", "cross_territory"}
    assert len(payload["actors"]["nodes"]) == seed_analysis.graph.number_of_nodes()
    assert isinstance(payload["actors"]["links"][0]["instruments"], list)
    assert payload["meta"]["role_weights"]["co-porteur"] == 0.75
    report = (written / "report.md").read_text(encoding="utf-8")
    assert "| 1 | 42 | Loire | 43 | Haute-Loire |" in report
    assert "![" not in report  # no figures asked


def test_same_graph_same_bytes(written: Path, seed_analysis: Analysis, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write(seed_analysis, again, figures=False, source="seed")
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        if name != "timings.json":  # the only file that records clock time
            assert (written / name).read_bytes() == (again / name).read_bytes(), name


def test_figures_are_reproducible(seed_analysis: Analysis, tmp_path: Path) -> None:
    a = figures.matrix_figure(seed_analysis.departement_matrix, tmp_path / "a.png")
    b = figures.matrix_figure(seed_analysis.departement_matrix, tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_flat_copy_types() -> None:
    g = nx.Graph()
    g.add_node("a", tags=("x", "y"), n=1, ok=True)
    g.add_node("b", n=None)
    g.add_edge("a", "b", weight=2, meta={"k": 1})
    flat = export.flat_copy(g)
    assert flat.nodes["a"]["tags"] == "x; y"
    assert flat.nodes["b"]["tags"] == "" and flat.nodes["b"]["ok"] is False
    assert isinstance(flat.nodes["a"]["n"], float)  # ints beside a missing value become floats (one GraphML type)
    assert flat["a"]["b"]["meta"] == '{"k": 1}'


def test_markdown_table_escapes() -> None:
    df = pd.DataFrame({"a": ["x|y"], "b": [0.123456]})
    assert markdown_table(df).splitlines()[-1] == "| x\\|y | 0.123 |"
