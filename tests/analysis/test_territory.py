"""Placing actors at a level: services, CAF, EPCI spread over départements, communes' EPCI, and what is set aside."""

from __future__ import annotations

import pytest

from coopgraph.analysis import CooperationData, place_actors
from coopgraph.analysis.territory import check_level

from .conftest import A

EXPECTED = {
    # agent: {level: code or status}
    "dep42": {"commune": "above level", "epci": "above level", "departement": "42", "region": "84"},
    "com1": {"commune": "42001", "epci": "200000001", "departement": "42", "region": "84"},
    # com2 left CC Deux (2021) for CC Une (2024): the latest membership counts
    "com2": {"commune": "43001", "epci": "200000001", "departement": "43", "region": "84"},
    "com3": {"commune": "49001", "epci": "200000002", "departement": "49", "region": "52"},
    # a service sits where its organisation sits; CC Une has 2 communes in 42, 1 in 43
    "svc": {"commune": "above level", "epci": "200000001", "departement": "42", "region": "84"},
    # CC Deux's 2021 member (in 43) no longer counts
    "epci2": {"commune": "above level", "epci": "200000002", "departement": "49", "region": "52"},
    "caf49": {"commune": "above level", "epci": "above level", "departement": "49", "region": "52"},
    "ars": {"commune": "above level", "epci": "above level", "departement": "above level", "region": "52"},
    "assoc": dict.fromkeys(("commune", "epci", "departement", "region"), "no territory"),
    "unid": dict.fromkeys(("commune", "epci", "departement", "region"), "unidentified"),
}


@pytest.mark.parametrize("level", ["commune", "epci", "departement", "region"])
def test_placement_at_each_level(synthetic: CooperationData, level: str) -> None:
    table = place_actors(synthetic, level).set_index("agent")
    for agent, expected in EXPECTED.items():
        row = table.loc[A + agent]
        got = row["code"] if row["status"] == "placed" else row["status"]
        assert got == expected[level], (agent, level, row["how"])


def test_placement_says_how(synthetic: CooperationData) -> None:
    table = place_actors(synthetic, "departement").set_index("agent")
    assert table.loc[A + "svc", "how"].startswith("service of its organisation")
    assert "2 of 3" in table.loc[A + "svc", "how"]
    assert table.loc[A + "caf49", "how"] == "ressort"


def test_unknown_level() -> None:
    with pytest.raises(ValueError, match="level must be one of"):
        check_level("canton")


def test_seed_placement(seed_data: CooperationData) -> None:
    dep = place_actors(seed_data, "departement").set_index("agent")
    region = place_actors(seed_data, "region").set_index("agent")
    assert dep.loc[A + "caf/49", "code"] == "49"  # CAF: its ressort
    assert dep.loc[A + "cclla-petite-enfance", "code"] == "49"  # a service: its organisation's EPCI, via its communes
    assert dep.loc[A + "siren/200071553", "how"] == "gouverne, member communes"
    assert dep.loc[A + "ars-pays-de-la-loire", "status"] == "above level"
    assert region.loc[A + "ars-pays-de-la-loire", "code"] == "52"
    unidentified = dep[dep["kind"] == "ActeursNonIdentifies"]
    assert len(unidentified) > 0 and (unidentified["status"] == "unidentified").all()
    assert (dep[dep["status"] == "placed"]["code"] != "").all()
