"""The graphs, with weights computed by hand on the synthetic graph (see synthetic.trig and analysis/roles.py).

Frames of the synthetic graph and each member's strength (its strongest role there; × 0.5 when uncertain):
  i1 (entente):  dep42 1 (partie + signataire: counted once), dep43 1
  b1 (its body): dep42 0.5, dep43 0.5 (membre-instance)
  a1 (action):   com2 1 (chef de file), com1 0.375 (co-porteur, uncertain), assoc 0.5 (partenaire)
  i2 (CTG):      caf49 1, epci2 1 (partie, the latter by shortcut), dep42 0.75 (financeur), dep43 0.5 (partenaire)
  a2 (action):   svc 1 (chef de file), caf49, ars, unid, com3 0.75 (co-porteurs)
"""

from __future__ import annotations

import itertools

import pytest

from coopgraph.analysis import (
    CooperationData,
    actor_action_graph,
    actor_instrument_graph,
    collapse,
    cooperation_multigraph,
    territory_graph,
    territory_multigraph,
)

from .conftest import A, I, T


def w(g, a: str, b: str, key: str | None = None) -> float:
    if key is None:
        return g[A + a][A + b]["weight"]
    return g[A + a][A + b][I + key]["weight"]


def test_one_edge_per_pair_and_instrument(synthetic: CooperationData) -> None:
    mg = cooperation_multigraph(synthetic)
    # dep42 and dep43 cooperate in both instruments: two edges, neither overwriting the other
    assert set(mg[A + "dep42"][A + "dep43"]) == {I + "i1", I + "i2"}
    assert w(mg, "dep42", "dep43", "i1") == pytest.approx(1 * 1 + 0.5 * 0.5)
    assert mg[A + "dep42"][A + "dep43"][I + "i1"]["frames"] == 2
    assert w(mg, "dep42", "dep43", "i2") == pytest.approx(0.75 * 0.5)
    assert w(mg, "com1", "com2", "i1") == pytest.approx(0.375)
    assert w(mg, "com2", "assoc", "i1") == pytest.approx(0.5)
    assert w(mg, "caf49", "epci2", "i2") == pytest.approx(1.0)
    assert w(mg, "svc", "caf49", "i2") == pytest.approx(0.75)
    assert w(mg, "caf49", "com3", "i2") == pytest.approx(0.5625)
    assert mg[A + "svc"][A + "caf49"][I + "i2"]["role_pairs"] == ("chef-de-file / co-porteur",)
    g = collapse(mg)
    assert w(g, "dep42", "dep43") == pytest.approx(1.25 + 0.375)
    assert g[A + "dep42"][A + "dep43"]["instruments"] == (I + "i1", I + "i2")
    assert g[A + "dep42"][A + "dep43"]["distance"] == pytest.approx(1 / 1.625)
    assert g.number_of_edges() == mg.number_of_edges() - 1


def test_size_normalised_weights(synthetic: CooperationData) -> None:
    mg = cooperation_multigraph(synthetic, size_normalised=True)
    assert w(mg, "dep42", "dep43", "i1") == pytest.approx(1 / 1 + 0.25 / 1)  # frames of two: unchanged
    assert w(mg, "svc", "caf49", "i2") == pytest.approx(0.75 / 4)  # a2 has five members


def test_units_merged_and_unidentified_left_out(synthetic: CooperationData) -> None:
    merged = cooperation_multigraph(synthetic, merge_units=True)
    assert A + "svc" not in merged and A + "epci1" in merged
    assert w(merged, "epci1", "caf49", "i2") == pytest.approx(0.75)
    without = cooperation_multigraph(synthetic, include_unidentified=False)
    assert A + "unid" not in without
    assert A + "assoc" in without


def test_custom_role_weights(synthetic: CooperationData) -> None:
    mg = cooperation_multigraph(synthetic, weights={"partie": 2.0, "signataire": 2.0, "membre-instance": 0.0})
    assert w(mg, "dep42", "dep43", "i1") == pytest.approx(4.0)
    assert mg.graph["role_weights"]["partie"] == 2.0


def test_bipartite_graphs(synthetic: CooperationData) -> None:
    ai = actor_instrument_graph(synthetic)
    e = ai[A + "dep42"][I + "i1"]
    assert e["roles"] == ("membre-instance", "partie", "signataire")
    assert e["direct_roles"] == ("partie", "signataire")
    assert (e["bodies"], e["actions"], e["weight"]) == (1, 0, pytest.approx(1.5))
    assert ai.nodes[I + "i1"]["bipartite"] == "instrument" and ai.nodes[A + "dep42"]["bipartite"] == "actor"
    aa = actor_action_graph(synthetic)
    e = aa[A + "com1"]["https://w3id.org/coopgraph/id/action/a1"]
    assert e["roles"] == ("co-porteur",) and e["uncertain"] and e["weight"] == pytest.approx(0.375)
    assert not any(d["bipartite"] == "instrument" for _, d in aa.nodes(data=True))


def test_territory_graph_departements(synthetic: CooperationData) -> None:
    g = territory_graph(synthetic, "departement")
    d42, d43, d49 = T + "departement-42", T + "departement-43", T + "departement-49"
    assert g[d42][d43]["weight"] == pytest.approx(1.25 + 0.375 + 0.375)
    assert g[d42][d43]["links"] == 3 and g[d42][d43]["instruments"] == (I + "i1", I + "i2")
    # svc–caf, svc–com3, caf–dep42, epci2–dep42
    assert g[d42][d49]["weight"] == pytest.approx(0.75 * 4) and g[d42][d49]["links"] == 4
    assert g[d43][d49]["weight"] == pytest.approx(0.5 + 0.5)
    assert g.nodes[d49]["internal_weight"] == pytest.approx(1.0 + 0.5625)
    assert g.nodes[d49]["internal_links"] == 2
    assert g.graph["dropped"] == {"above level": 3, "above level + unidentified": 1, "no territory": 2,
                                  "unidentified": 3}
    mg = territory_multigraph(synthetic, "departement")
    assert set(mg[d42][d43]) == {I + "i1", I + "i2"}


def test_territory_graph_other_levels(synthetic: CooperationData) -> None:
    regions = territory_graph(synthetic, "region")
    assert regions[T + "region-52"][T + "region-84"]["weight"] == pytest.approx(0.75 * 5 + 0.5 * 2)
    assert regions[T + "region-52"][T + "region-84"]["links"] == 7
    epci = territory_graph(synthetic, "epci")
    assert epci[T + "epci-1"][T + "epci-2"]["weight"] == pytest.approx(0.75)  # svc – com3
    assert epci.nodes[T + "epci-1"]["internal_weight"] == pytest.approx(0.375)  # com1 – com2
    communes = territory_graph(synthetic, "commune")
    assert list(communes.edges(data="weight")) == [(T + "commune-42001", T + "commune-43001", 0.375)]


def test_no_link_is_overwritten_on_the_seed(seed_data: CooperationData) -> None:
    """Every (pair, instrument) that shares a frame has its edge: recomputed here without networkx."""
    frames: dict[str, set[str]] = {}
    instrument_of: dict[str, str] = {}
    for r in seed_data.participations.itertuples(index=False):
        frames.setdefault(r.frame, set()).add(r.agent)
        instrument_of[r.frame] = r.instrument
    expected = {(a, b, instrument_of[f]) for f, members in frames.items()
                for a, b in itertools.combinations(sorted(members), 2)}
    mg = cooperation_multigraph(seed_data)
    got = {(*sorted((u, v)), k) for u, v, k in mg.edges(keys=True)}
    assert got == expected
    assert mg.number_of_edges() == len(expected)
