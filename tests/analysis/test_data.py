"""Reading the cooperation layer through SPARQL: the tables, shortcuts, themes, paging, and a remote store."""

from __future__ import annotations

import pandas as pd

from coopgraph.analysis import ROLES, CooperationData, load
from coopgraph.store import RemoteStore, Store

from .conftest import A, I


def _row(df: pd.DataFrame, **match: object) -> pd.Series:
    sub = df
    for k, v in match.items():
        sub = sub[sub[k] == v]
    assert len(sub) == 1, f"{len(sub)} rows match {match}"
    return sub.iloc[0]


def test_participations_and_shortcuts(synthetic: CooperationData) -> None:
    parts = synthetic.participations
    assert len(parts) == 17
    # epci2 is a party of the CTG through coop:partie only: read as a participation without a node
    shortcut = _row(parts, agent=A + "epci2")
    assert (shortcut["role"], shortcut["frame_kind"], shortcut["source"]) == ("partie", "instrument", "shortcut")
    assert shortcut["instrument"] == I + "i2"
    # coop:chefDeFile of a1 is also a participation: counted once
    assert len(parts[(parts["agent"] == A + "com2")]) == 1
    assert _row(parts, agent=A + "com1")["uncertain"]
    body = parts[parts["frame_kind"] == "instance"]
    assert set(body["instrument"]) == {I + "i1"}


def test_agents_services_and_unidentified(synthetic: CooperationData) -> None:
    agents = synthetic.agents.set_index("agent")
    assert agents.loc[A + "svc", "organisation"] == A + "epci1"
    assert agents.loc[A + "svc", "short"] == "CC1 / PE"
    assert bool(agents.loc[A + "svc", "participates"])
    assert not bool(agents.loc[A + "epci1", "participates"])  # only its service takes part
    assert not agents.loc[A + "unid", "identified"]
    assert agents.loc[A + "unid", "count"] == 3
    assert agents.loc[A + "caf49", "kind"] == "CAF"


def test_action_themes_inherit_from_their_heading(synthetic: CooperationData) -> None:
    actions = synthetic.actions.set_index("action")
    a1 = actions.loc["https://w3id.org/coopgraph/id/action/a1"]
    a2 = actions.loc["https://w3id.org/coopgraph/id/action/a2"]
    assert a1["themes_from"] == "own" and len(a1["themes"]) == 3
    assert a2["themes_from"] == "heading"
    assert a2["themes"] == ("https://w3id.org/coopgraph/vocab/theme/enfance",)
    themes = synthetic.themes.set_index("theme")
    assert themes.loc["https://w3id.org/coopgraph/vocab/theme/enfance", "top"].endswith("/action-sociale")


def test_paging_gives_the_same_tables(synthetic_store: Store, synthetic: CooperationData) -> None:
    paged = load(synthetic_store, page_size=3)
    for name in ("participations", "agents", "instruments", "actions", "themes", "locations", "territory_up",
                 "epci_spread", "commune_epci", "admin"):
        assert getattr(paged, name).equals(getattr(synthetic, name)), name


def test_seed_tables(seed_data: CooperationData) -> None:
    assert len(seed_data.instruments) == 10
    assert len(seed_data.actions) == 108
    assert len(seed_data.participations) == 203
    assert seed_data.participations["instrument"].notna().all()
    assert set(seed_data.participations["role"]) <= set(ROLES)
    assert (seed_data.participations["source"] == "participation").all()


def test_remote_store_gives_the_same_tables(oxigraph_seed, seed_data: CooperationData) -> None:
    with RemoteStore(oxigraph_seed.query) as remote:
        data = load(remote)
    for name in ("participations", "agents", "instruments", "actions", "locations", "territory_up", "epci_spread"):
        assert getattr(data, name).equals(getattr(seed_data, name)), name
