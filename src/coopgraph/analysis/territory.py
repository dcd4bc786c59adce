"""Placing actors on the map: the territory of each actor at a chosen level (commune, EPCI, département, région).

An actor is never its territory; it is placed through what the graph says of it:

1. a service (``org:unitOf``) is placed where its organisation is — the "petite enfance" service of the CCLLA sits
   in the CCLLA's territory;
2. the organisation's **anchor** is the territory it governs (``coop:gouverne``: a commune, an EPCI, a département,
   a région), failing that its area of competence (``coop:ressort``: the département of a CAF, of an ADIL, the
   région of an ARS);
3. the anchor is lifted to the level asked for: a commune through ``coop:partieDe`` to its département and région
   and through its membership to its EPCI; an EPCI to the département (région) holding most of its member communes;
   a département to its région. A foreign territory stays itself at every level.

What cannot be placed says why, in the ``status`` column, and is left out of territory links rather than guessed:

- ``unidentified``: a ``coop:ActeursNonIdentifies`` node ("5 communautés de communes sur 3 départements") has no
  territory by construction;
- ``no territory``: the graph gives neither ``coop:gouverne`` nor ``coop:ressort`` (an association, "Éducation
  nationale" without its académie);
- ``above level``: the anchor is wider than the level (a région's ARS at département level, a département at EPCI
  level);
- ``several territories``: anchors that lift to different territories of the level (an area of competence over two
  départements);
- ``unresolved``: the anchor is known but the reference layer does not lift it (a project area, a commune without
  EPCI).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from .data import CooperationData

LEVELS = ("commune", "epci", "departement", "region")

_LEVEL_KIND = {
    "commune": "TerritoireCommune",
    "epci": "TerritoireEPCI",
    "departement": "TerritoireDepartement",
    "region": "TerritoireRegion",
}
# How wide each kind of territory is (a kind wider than the level cannot be placed at that level).
_RANK = {
    "TerritoireCommune": 0,
    "TerritoireCommuneDeleguee": 0,
    "TerritoireCommuneAssociee": 0,
    "TerritoireArrondissementMunicipal": 0,
    "TerritoireEPCI": 1,
    "TerritoireEPT": 1,
    "TerritoireArrondissement": 2,
    "TerritoireDepartement": 2,
    "TerritoireRegion": 3,
}
_LEVEL_RANK = {"commune": 0, "epci": 1, "departement": 2, "region": 3}

PLACEMENT_COLUMNS = ["agent", "label", "kind", "organisation", "status", "territory", "code", "territory_label",
                     "territory_kind", "how"]


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


class Geography:
    """The territory look-ups of one :class:`CooperationData`, shared by every level."""

    def __init__(self, data: CooperationData) -> None:
        self.info: dict[str, tuple[str, str, str]] = {}  # territory → (kind, code, label)
        for row in data.admin.itertuples(index=False):
            self.info[row.territory] = (row.kind, row.code, row.label)
        for row in data.locations.itertuples(index=False):
            self.info.setdefault(row.territory, (row.kind, row.code, row.label))
        for row in data.territory_up.itertuples(index=False):
            self.info.setdefault(row.up, (row.kind, row.code, row.label))
        for row in data.commune_epci.itertuples(index=False):
            self.info.setdefault(row.epci, ("TerritoireEPCI", row.code, row.label))
        self.region_of = {row.territory: row.region for row in data.admin.itertuples(index=False) if row.region}
        self.up: dict[str, set[str]] = {}
        for row in data.territory_up.itertuples(index=False):
            self.up.setdefault(row.territory, set()).add(row.up)
        self.spread: dict[str, Counter] = {}
        for row in data.epci_spread.itertuples(index=False):
            self.spread.setdefault(row.territory, Counter())[row.up] = row.communes
        self.epci_of = dict(zip(data.commune_epci["territory"], data.commune_epci["epci"], strict=True))
        self.anchors: dict[str, list[tuple[str, str]]] = {}  # organisation → [(how, territory)]
        for row in data.locations.itertuples(index=False):
            self.anchors.setdefault(row.agent, []).append((row.how, row.territory))

    def kind(self, territory: str) -> str:
        return self.info.get(territory, ("", "", ""))[0]

    def lift(self, territory: str, level: str) -> tuple[str | None, str]:
        """The territory of ``level`` that holds ``territory`` → (territory or None, how or why not)."""
        kind = self.kind(territory)
        target = _LEVEL_KIND[level]
        if kind == target:
            return territory, "itself"
        if kind == "TerritoireEtranger":
            return territory, "foreign territory, kept as is"
        rank = _RANK.get(kind)
        if rank is None:
            return None, f"unresolved: a {kind or 'territory'} does not lift to a {level}"
        if rank > _LEVEL_RANK[level]:
            return None, "above level"
        if level == "epci":
            commune = territory if kind == "TerritoireCommune" else self._up_of_kind(territory, "TerritoireCommune")
            epci = self.epci_of.get(commune or "")
            return (epci, "membership of its commune") if epci else (None, "unresolved: no EPCI for this commune")
        if kind in ("TerritoireEPCI", "TerritoireEPT"):
            counts = Counter({t: n for t, n in self.spread.get(territory, Counter()).items() if self.kind(t) == target})
            if not counts:
                return None, "unresolved: no member communes in the reference layer"
            best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            total = sum(counts.values())
            how = "member communes" if len(counts) == 1 else f"most member communes ({counts[best]} of {total})"
            return best, how
        found = self._up_of_kind(territory, target)
        if found is None and target == "TerritoireRegion":
            dep = self._up_of_kind(territory, "TerritoireDepartement")
            found = self.region_of.get(dep or "")
        return (found, "partieDe") if found else (None, f"unresolved: no {level} above this {kind}")

    def _up_of_kind(self, territory: str, kind: str) -> str | None:
        ups = sorted(t for t in self.up.get(territory, ()) if self.kind(t) == kind)
        return ups[0] if ups else None


def place_actors(data: CooperationData, level: str = "departement", geography: Geography | None = None) -> pd.DataFrame:
    """Question: where is each actor, at this level — and which actors cannot be placed, and why?

    One row per agent of the graph (services included), with ``status`` = placed | unidentified | no territory |
    above level | several territories | unresolved, and for placed actors the territory, its INSEE code and label.
    """
    check_level(level)
    geo = geography or Geography(data)
    rows = []
    for agent in data.agents.itertuples(index=False):
        organisation = agent.organisation
        via = "" if organisation == agent.agent else "service of its organisation; "
        status, territory, how = "placed", None, ""
        if not agent.identified:
            status, how = "unidentified", "counted or described by the source, not named"
        else:
            anchors = geo.anchors.get(organisation, [])
            gouverne = [t for h, t in anchors if h == "gouverne"]
            chosen = gouverne or [t for h, t in anchors if h == "ressort"]
            basis = "gouverne" if gouverne else "ressort"
            if not chosen:
                status, how = "no territory", "neither coop:gouverne nor coop:ressort"
            else:
                lifted = [(t, geo.lift(t, level)) for t in sorted(set(chosen))]
                placed = sorted({found for _, (found, _) in lifted if found})
                if len(placed) == 1:
                    territory = placed[0]
                    reason = next(why for _, (found, why) in lifted if found == territory)
                    how = f"{via}{basis}" + ("" if reason == "itself" else f", {reason}")
                elif len(placed) > 1:
                    status, how = "several territories", f"{basis}: {len(placed)} territories of this level"
                else:
                    reason = lifted[0][1][1]
                    status = "above level" if reason == "above level" else "unresolved"
                    how = f"{via}{basis}: {reason}"
        kind, code, label = geo.info.get(territory, ("", "", "")) if territory else ("", "", "")
        rows.append((agent.agent, agent.label, agent.kind, organisation, status, territory or "", code, label, kind,
                     how))
    return pd.DataFrame(rows, columns=PLACEMENT_COLUMNS).sort_values("agent", ignore_index=True)
