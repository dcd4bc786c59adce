"""The analyses: each against networkx or a hand count, each deterministic."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from coopgraph.analysis import (
    CooperationData,
    betweenness,
    brokerage,
    centralities,
    communities,
    components,
    cooperation_graph,
    cross_territory,
    ego_network,
    ego_table,
    eigenvector,
    leadership,
    link_matrix,
    modularity,
    role_table,
    roles_by_theme,
    territory_graph,
    theme_cooccurrence,
)
from coopgraph.analysis.pipeline import Analysis

from .conftest import A, I


def test_the_loire_haute_loire_entente_is_the_strongest_link_between_departements(
        seed_data: CooperationData) -> None:
    actors = cooperation_graph(seed_data)
    table = cross_territory(territory_graph(seed_data, "departement"), seed_data, actors=actors)
    top = table.iloc[0]
    assert (top["rank"], top["code_a"], top["code_b"]) == (1, "42", "43")
    assert (top["territory_a"], top["territory_b"]) == ("Loire", "Haute-Loire")
    assert top["instruments"] == "Entente interdépartementale Loire - Haute-Loire"
    assert top["weight"] == table["weight"].max() and top["weight"] > 0
    assert "Département de la Loire" in top["actors_a"] and "Département de la Haute-Loire" in top["actors_b"]
    assert "Routes" in top["themes"]


def test_cross_territory_ranking(synthetic: CooperationData) -> None:
    table = cross_territory(territory_graph(synthetic, "departement"), synthetic)
    assert list(zip(table["code_a"], table["code_b"], strict=True)) == [("42", "49"), ("42", "43"), ("43", "49")]
    assert list(table["rank"]) == [1, 2, 3]
    assert table.attrs["level"] == "departement"
    assert table.attrs["dropped"]["no territory"] == 2


def test_link_matrix(synthetic: CooperationData) -> None:
    m = link_matrix(territory_graph(synthetic, "departement"))
    assert list(m.index) == ["42 Loire", "43 Haute-Loire", "49 Maine-et-Loire"]
    assert m.loc["42 Loire", "49 Maine-et-Loire"] == m.loc["49 Maine-et-Loire", "42 Loire"] == pytest.approx(3.0)
    assert m.loc["49 Maine-et-Loire", "49 Maine-et-Loire"] == pytest.approx(1.5625)


def test_brokerage_matches_networkx(seed_analysis: Analysis, synthetic: CooperationData) -> None:
    for g in (seed_analysis.graph, cooperation_graph(synthetic)):
        table = brokerage(g).set_index("actor")
        constraint = nx.constraint(g, weight="weight")
        esize = nx.effective_size(g, weight="weight")
        for node in g:
            for ours, theirs in ((table.loc[node, "constraint"], constraint[node]),
                                 (table.loc[node, "effective_size"], esize[node])):
                assert (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(theirs, abs=1e-6)


def test_betweenness_exact_and_sampled(seed_analysis: Analysis) -> None:
    g = seed_analysis.graph
    exact = betweenness(g)
    assert exact == pytest.approx(nx.betweenness_centrality(g, weight="distance"), abs=1e-6)
    assert betweenness(g, k=g.number_of_nodes() + 5) == exact  # k ≥ n: exact
    sampled = betweenness(g, k=20, seed=7)
    assert sampled == betweenness(g, k=20, seed=7)  # same seed, same estimate
    assert set(sampled) == set(g)
    table = centralities(g, k=20, seed=7)
    assert table.attrs["betweenness"] == "sampled k=20 seed=7"
    assert centralities(g).attrs["betweenness"] == "exact"


def test_fast_betweenness_gives_networkx_floats_whatever_the_workers() -> None:
    """analysis.brandes replays networkx's Brandes on lists: the same floats, sampled or exact, in 1 or 2 processes."""
    import random

    from coopgraph.analysis import brandes

    g = nx.gnm_random_graph(300, 1200, seed=3)
    lengths = random.Random(1)
    for u, v in g.edges:  # repeated lengths make ties (several shortest paths), the delicate case
        g[u][v]["distance"] = lengths.choice([1.0, 0.5, 1 / 3, 2.0])
    g.add_node(999)  # an isolated node
    for k, weight, normalized in ((None, "distance", True), (40, "distance", True), (40, "distance", False),
                                  (40, None, True), (None, None, False)):
        theirs = nx.betweenness_centrality(g, k=k, seed=11 if k else None, weight=weight, normalized=normalized)
        for workers in (1, 2):
            ours = brandes.betweenness_centrality(g, k=k, seed=11, weight=weight, normalized=normalized,
                                                  workers=workers)
            assert ours == theirs, (k, weight, normalized, workers)
    with pytest.raises(ValueError):
        brandes.betweenness_centrality(nx.DiGraph(g))


def test_centralities_table(seed_analysis: Analysis) -> None:
    table = seed_analysis.centralities
    assert list(table.columns[:4]) == ["actor", "label", "short", "display"]
    assert table.iloc[0]["short"] == "CCLLA"
    assert table["weighted_degree"].is_monotonic_decreasing
    assert len(table) == seed_analysis.graph.number_of_nodes()


def test_eigenvector_per_component(synthetic: CooperationData, seed_analysis: Analysis) -> None:
    g = cooperation_graph(synthetic)
    values = eigenvector(g)
    assert set(values) == set(g)
    assert all(v > 0 for v in values.values())  # every component gets its own centralities
    g = seed_analysis.graph
    values = eigenvector(g)
    for comp in nx.connected_components(g):
        if len(comp) > 1:  # networkx's power iteration inside the component, scaled by its share of the actors
            ref = nx.eigenvector_centrality(g.subgraph(comp), weight="weight", max_iter=1000, tol=1e-10)
            share = len(comp) / g.number_of_nodes()
            assert {n: values[n] for n in comp} == pytest.approx({n: v * share for n, v in ref.items()}, abs=1e-4)


def test_communities_are_seeded(seed_analysis: Analysis) -> None:
    g = seed_analysis.graph
    first = communities(g, seed=3)
    assert first.equals(communities(g, seed=3))
    assert set(first["actor"]) == set(g)
    assert first.attrs["modularity"] == pytest.approx(modularity(g, first), abs=1e-6)
    assert 0 < first.attrs["modularity"] <= 1
    sizes = first.groupby("community").size()
    assert list(sizes) == sorted(sizes, reverse=True)


def test_components(seed_analysis: Analysis) -> None:
    table = components(seed_analysis.graph)
    assert table["size"].sum() == seed_analysis.graph.number_of_nodes()
    assert len(table) == nx.number_connected_components(seed_analysis.graph)
    biggest = table.iloc[0]
    assert "CCLLA" in biggest["members_short"]
    assert biggest["instruments"] == ("https://w3id.org/coopgraph/id/instrument/ctg-loire-layon-aubance-2020-2024",)


def test_theme_cooccurrence(synthetic: CooperationData) -> None:
    table = theme_cooccurrence(synthetic)
    pairs = {(a, b) for a, b in zip(table["label_a"], table["label_b"], strict=True)}
    # numérique and médiation numérique (its narrower theme) say nothing together: left out
    assert pairs == {("Numérique", "Routes"), ("Médiation numérique", "Routes")}
    assert len(theme_cooccurrence(synthetic, exclude_hierarchy=False)) == 3
    top = theme_cooccurrence(synthetic, top_level=True)
    assert list(zip(top["label_a"], top["label_b"], strict=True)) == [("Numérique", "Routes")]
    assert top.iloc[0]["jaccard"] == 1.0


def test_roles_and_leadership(synthetic: CooperationData) -> None:
    lead = leadership(synthetic).set_index("agent")
    assert lead.loc[A + "com2", "actions_led"] == 1
    assert lead.loc[A + "svc", "actions_led"] == 1
    assert lead.loc[A + "caf49", "actions_supported"] == 1
    assert lead.loc[A + "caf49", "party"] == 1
    assert lead.loc[A + "dep42", "party"] == 1  # partie and signataire of i1: one frame
    assert lead.loc[A + "dep42", "governance"] == 1
    assert math.isnan(lead.loc[A + "dep42", "lead_share"])
    assert A + "unid" not in leadership(synthetic, include_unidentified=False)["agent"].values
    roles = role_table(synthetic)
    assert roles[(roles["agent"] == A + "dep42")]["count"].sum() == 4
    by_theme = roles_by_theme(synthetic)
    svc = by_theme[by_theme["agent"] == A + "svc"].iloc[0]
    assert (svc["group"], svc["theme_label"], svc["actions"]) == ("lead", "Action sociale", 1)


def test_ego_network(synthetic: CooperationData) -> None:
    g = cooperation_graph(synthetic)
    ego = ego_network(g, "caf")  # by its sigle, case-insensitive
    assert ego.graph["ego"] == A + "caf49"
    assert set(ego) == {A + n for n in ("caf49", "epci2", "dep42", "dep43", "svc", "ars", "unid", "com3")}
    table = ego_table(g, A + "caf49", synthetic)
    assert table.iloc[0]["partner"] == A + "epci2" and table.iloc[0]["instruments"] == "CTG"
    with pytest.raises(KeyError, match="no actor"):
        ego_network(g, "nobody")
    assert I + "i1" not in g


def test_the_figures_the_readme_gives(seed_analysis: Analysis) -> None:
    """README, "Network analysis": the seed graph in numbers (reproduced by `coopgraph analyze`)."""
    g = seed_analysis.graph
    assert g.number_of_nodes() == 65
    assert sum(1 for _, d in g.nodes(data=True) if d["identified"]) == 37
    assert g.number_of_edges() == 121
    assert len(seed_analysis.components) == 11
    cross = seed_analysis.cross_territory
    assert len(cross) == 1
    assert (cross.iloc[0]["weight"], cross.iloc[0]["links"]) == (7.0, 16)
    assert len(cross_territory(territory_graph(seed_analysis.data, "region"), seed_analysis.data)) == 0
