"""The networkx graphs: who takes part in what, who cooperates with whom, which territories are linked.

Every builder reads a :class:`~coopgraph.analysis.data.CooperationData` (itself read through SPARQL), inserts nodes
and edges in sorted order (so layouts, communities and exports are reproducible), and keeps IRIs as node ids with
``label``/``short`` attributes for display.

- :func:`actor_instrument_graph`, :func:`actor_action_graph`: bipartite graphs, roles on the edges;
- :func:`cooperation_multigraph`: actor–actor, one edge **per instrument** behind the link (the key is the
  instrument's IRI), so a pair that cooperates in a CTG and in an entente keeps both links; :func:`collapse` sums them
  into a simple weighted graph for the measures that need one, keeping the list of instruments;
- :func:`territory_graph`: actors placed at a level (see :mod:`~coopgraph.analysis.territory`), links between
  different territories with their weight, the number of actor pairs and the instruments behind them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import combinations

import networkx as nx
import pandas as pd

from .data import CooperationData
from .roles import ROLE_WEIGHTS, role_weight
from .territory import Geography, check_level, place_actors


def _columns(df: pd.DataFrame, *names: str) -> zip:
    """Rows of some columns as plain tuples (much faster than itertuples on large object columns)."""
    return zip(*(df[n].tolist() for n in names), strict=True)


def _agent_attrs(data: CooperationData) -> dict[str, dict]:
    counts: dict[str, int] = defaultdict(int)
    roles: dict[str, set[str]] = defaultdict(set)
    for agent, role in _columns(data.participations, "agent", "role"):
        counts[agent] += 1
        roles[agent].add(role)
    out = {}
    for agent, label, short, kind, identified, count, organisation in _columns(
            data.agents, "agent", "label", "short", "kind", "identified", "count", "organisation"):
        out[agent] = {
            "label": label,
            "short": short,
            "kind": kind,
            "identified": bool(identified),
            "count": None if pd.isna(count) else int(count),
            "organisation": organisation,
            "participations": counts.get(agent, 0),
            "roles": tuple(sorted(roles.get(agent, ()))),
        }
    return out


def _keep(attrs: Mapping[str, object], include_unidentified: bool) -> bool:
    return include_unidentified or bool(attrs.get("identified", True))


# ----------------------------------------------------------------------------------------------------------------
# Bipartite graphs
# ----------------------------------------------------------------------------------------------------------------


def actor_instrument_graph(data: CooperationData, *, include_unidentified: bool = True,
                           weights: Mapping[str, float] | None = None) -> nx.Graph:
    """Actors and instruments (``bipartite`` = "actor" | "instrument"); one edge per actor and instrument.

    An edge gathers every role the actor plays in the instrument, in its governance bodies and in its actions:
    ``roles`` (sorted, distinct), ``direct_roles`` (in the instrument itself), ``actions`` (how many of its actions),
    ``bodies`` (how many of its bodies), ``participations`` and ``weight`` (the sum of the actor's strength over
    those frames, see :mod:`~coopgraph.analysis.roles`).
    """
    agents = _agent_attrs(data)
    instruments = data.instrument_info()
    g = nx.Graph(kind="actor-instrument")
    acc: dict[tuple[str, str], dict] = {}
    strength: dict[tuple[str, str, str], float] = {}
    for agent, role, frame, kind, instrument, uncertain in _columns(
            data.participations, "agent", "role", "frame", "frame_kind", "instrument", "uncertain"):
        if not _keep(agents.get(agent, {}), include_unidentified):
            continue
        e = acc.get((agent, instrument))
        if e is None:
            e = acc[(agent, instrument)] = {"roles": set(), "direct": set(), "actions": set(), "bodies": set(),
                                            "participations": 0}
        e["roles"].add(role)
        e["participations"] += 1
        if kind == "instrument":
            e["direct"].add(role)
        elif kind == "action":
            e["actions"].add(frame)
        else:
            e["bodies"].add(frame)
        key = (agent, instrument, frame)
        strength[key] = max(strength.get(key, 0.0), role_weight(role, uncertain, weights))
    weight: dict[tuple[str, str], float] = defaultdict(float)
    for (agent, instrument, _), s in strength.items():
        weight[(agent, instrument)] += s
    for agent in sorted({a for a, _ in acc}):
        g.add_node(agent, bipartite="actor", **_flat(agents.get(agent, {"label": agent, "short": agent})))
    for instrument in sorted({i for _, i in acc}):
        info = instruments.get(instrument, {})
        g.add_node(instrument, bipartite="instrument", label=info.get("label", instrument),
                   short=info.get("short", instrument), kind=info.get("kind", ""), themes=info.get("themes", ()))
    for (agent, instrument), e in sorted(acc.items()):
        g.add_edge(agent, instrument, roles=tuple(sorted(e["roles"])), direct_roles=tuple(sorted(e["direct"])),
                   actions=len(e["actions"]), bodies=len(e["bodies"]), participations=e["participations"],
                   weight=round(weight[(agent, instrument)], 6))
    return g


def actor_action_graph(data: CooperationData, *, include_unidentified: bool = True,
                       weights: Mapping[str, float] | None = None) -> nx.Graph:
    """Actors and actions (``bipartite`` = "actor" | "action"); the edge holds the roles, ``uncertain`` and ``weight``."""
    agents = _agent_attrs(data)
    actions = {a: (i, lab, num, th) for a, i, lab, num, th in _columns(data.actions, "action", "instrument", "label",
                                                                           "number", "themes")}
    g = nx.Graph(kind="actor-action")
    acc: dict[tuple[str, str], dict] = {}
    on_actions = data.participations[data.participations["frame_kind"] == "action"]
    for agent, role, frame, uncertain in _columns(on_actions, "agent", "role", "frame", "uncertain"):
        if not _keep(agents.get(agent, {}), include_unidentified):
            continue
        e = acc.get((agent, frame))
        if e is None:
            e = acc[(agent, frame)] = {"roles": set(), "uncertain": True, "weight": 0.0}
        e["roles"].add(role)
        e["uncertain"] = e["uncertain"] and bool(uncertain)
        e["weight"] = max(e["weight"], role_weight(role, uncertain, weights))
    for agent in sorted({a for a, _ in acc}):
        g.add_node(agent, bipartite="actor", **_flat(agents.get(agent, {"label": agent, "short": agent})))
    for action in sorted({a for _, a in acc}):
        instrument, label, number, themes = actions.get(action, ("", action, "", ()))
        g.add_node(action, bipartite="action", label=label, short=number or label, instrument=instrument,
                   themes=themes)
    for (agent, action), e in sorted(acc.items()):
        g.add_edge(agent, action, roles=tuple(sorted(e["roles"])), uncertain=e["uncertain"], weight=e["weight"])
    return g


def _flat(attrs: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in attrs.items() if v is not None}


# ----------------------------------------------------------------------------------------------------------------
# Actor–actor cooperation
# ----------------------------------------------------------------------------------------------------------------


def frames(data: CooperationData, *, merge_units: bool = False, include_unidentified: bool = True,
           weights: Mapping[str, float] | None = None) -> dict[str, dict]:
    """Each frame (instrument, action, body) → {instrument, kind, members: {agent: (strength, roles)}}."""
    identified = dict(zip(data.agents["agent"].tolist(), data.agents["identified"].tolist(), strict=True))
    organisation = dict(zip(data.agents["agent"].tolist(), data.agents["organisation"].tolist(), strict=True))
    out: dict[str, dict] = {}
    for agent, role, frame_iri, kind, instrument, uncertain in _columns(
            data.participations, "agent", "role", "frame", "frame_kind", "instrument", "uncertain"):
        if not include_unidentified and not identified.get(agent, True):
            continue
        if merge_units:
            agent = organisation.get(agent, agent)
        frame = out.get(frame_iri)
        if frame is None:
            frame = out[frame_iri] = {"instrument": instrument, "kind": kind, "members": {}}
        strength, roles = frame["members"].get(agent, (0.0, frozenset()))
        frame["members"][agent] = (max(strength, role_weight(role, uncertain, weights)), roles | {role})
    return out


@lru_cache(maxsize=4096)
def _role_pairs(ra: frozenset[str], rb: frozenset[str]) -> frozenset[str]:
    return frozenset(" / ".join(sorted((x, y))) for x in ra for y in rb)


def cooperation_multigraph(data: CooperationData, *, merge_units: bool = False, include_unidentified: bool = True,
                           size_normalised: bool = False, weights: Mapping[str, float] | None = None) -> nx.MultiGraph:
    """Question: who cooperates with whom, how strongly, and through which instrument?

    Nodes are agents (``identified`` False for coop:ActeursNonIdentifies); there is one edge per pair **and
    instrument** (key = the instrument IRI). Edge attributes: ``weight`` — Σ over the frames the pair shares under
    that instrument (the instrument itself, its bodies, its actions) of strength(a) × strength(b) (÷ (n − 1) with
    ``size_normalised``); ``frames``; ``actions`` (IRIs of the shared actions); ``role_pairs`` ("chef-de-file /
    co-porteur"…); ``themes`` of the shared frames; ``instrument``, ``instrument_label``.

    ``merge_units`` puts each service in its organisation's place (links inside one organisation are dropped).
    """
    agents = _agent_attrs(data)
    instruments = data.instrument_info()
    themes = data.frame_themes()
    table = ROLE_WEIGHTS if weights is None else weights
    acc: dict[tuple[str, str, str], dict] = {}
    nodes: set[str] = set()
    for frame_iri, frame in sorted(frames(data, merge_units=merge_units, include_unidentified=include_unidentified,
                                          weights=table).items()):
        members = frame["members"]
        nodes.update(members)
        n = len(members)
        if n < 2:
            continue
        scale = 1.0 / (n - 1) if size_normalised else 1.0
        frame_themes = themes.get(frame_iri, ())
        for a, b in combinations(sorted(members), 2):
            (sa, ra), (sb, rb) = members[a], members[b]
            e = acc.setdefault((a, b, frame["instrument"]), {"weight": 0.0, "frames": 0, "actions": set(),
                                                            "role_pairs": set(), "themes": set()})
            e["weight"] += sa * sb * scale
            e["frames"] += 1
            if frame["kind"] == "action":
                e["actions"].add(frame_iri)
            e["role_pairs"].update(_role_pairs(ra, rb))
            if frame_themes:
                e["themes"].update(frame_themes)
    g = nx.MultiGraph(kind="cooperation", merge_units=merge_units, size_normalised=size_normalised,
                      role_weights=dict(sorted(table.items())))
    for node in sorted(nodes):
        g.add_node(node, **_flat(agents.get(node, {"label": node, "short": node, "kind": "", "identified": True})))
    for (a, b, instrument), e in sorted(acc.items()):
        info = instruments.get(instrument, {})
        g.add_edge(a, b, key=instrument, weight=round(e["weight"], 6), frames=e["frames"],
                   actions=tuple(sorted(e["actions"])), role_pairs=tuple(sorted(e["role_pairs"])),
                   themes=tuple(sorted(e["themes"])), instrument=instrument,
                   instrument_label=info.get("label", instrument))
    return g


def collapse(multigraph: nx.MultiGraph) -> nx.Graph:
    """One edge per pair: ``weight`` and ``frames`` summed over instruments, ``instruments`` listed (sorted),
    ``themes`` and ``role_pairs`` merged, ``distance`` = 1 / weight (strong ties are short, for betweenness)."""
    g = nx.Graph(**multigraph.graph)
    g.add_nodes_from(sorted(multigraph.nodes(data=True)))
    acc: dict[tuple[str, str], dict] = {}
    for u, v, key, d in multigraph.edges(keys=True, data=True):
        a, b = sorted((u, v))
        e = acc.setdefault((a, b), {"weight": 0.0, "frames": 0, "instruments": set(), "themes": set(),
                                    "role_pairs": set(), "actions": 0})
        e["weight"] += d.get("weight", 1.0)
        e["frames"] += d.get("frames", 1)
        e["instruments"].add(key)
        e["themes"].update(d.get("themes", ()))
        e["role_pairs"].update(d.get("role_pairs", ()))
        e["actions"] += len(d.get("actions", ()))
    for (a, b), e in sorted(acc.items()):
        w = round(e["weight"], 6)
        g.add_edge(a, b, weight=w, distance=(1.0 / w) if w > 0 else float("inf"), frames=e["frames"],
                   actions=e["actions"], instruments=tuple(sorted(e["instruments"])),
                   n_instruments=len(e["instruments"]), themes=tuple(sorted(e["themes"])),
                   role_pairs=tuple(sorted(e["role_pairs"])))
    return g


def cooperation_graph(data: CooperationData, **kwargs: object) -> nx.Graph:
    """:func:`cooperation_multigraph` collapsed to one weighted edge per pair (same keyword arguments)."""
    return collapse(cooperation_multigraph(data, **kwargs))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------------------------
# Territories
# ----------------------------------------------------------------------------------------------------------------


def territory_multigraph(data: CooperationData, level: str = "departement", *,
                         multigraph: nx.MultiGraph | None = None, placement=None,
                         weights: Mapping[str, float] | None = None) -> nx.MultiGraph:
    """Question: which territories do cooperation links join, and through which instruments?

    Each actor-level link (from :func:`cooperation_multigraph`, unidentified actors included so they can be counted
    out) is carried to the territories of its two ends at ``level``. Between two different territories it becomes
    an edge keyed by instrument with ``weight`` (summed), ``links`` (actor pairs), ``pairs`` ("a | b" IRIs) and
    ``themes``; inside one territory it adds to the node's ``internal_weight`` / ``internal_links``. Links with an
    end that cannot be placed are counted in ``graph["dropped"]`` by reason, never guessed.
    """
    check_level(level)
    mg = multigraph if multigraph is not None else cooperation_multigraph(data, weights=weights)
    places = placement if placement is not None else place_actors(data, level)
    where = {r.agent: r for r in places.itertuples(index=False)}
    instruments = data.instrument_info()
    g = nx.MultiGraph(kind="territory", level=level)
    node_attrs: dict[str, dict] = {}
    for r in places.itertuples(index=False):
        if r.status != "placed":
            continue
        n = node_attrs.setdefault(r.territory, {"label": r.territory_label, "code": r.code, "kind": r.territory_kind,
                                                "actors": set(), "internal_weight": 0.0, "internal_links": 0})
        if r.agent in mg:
            n["actors"].add(r.agent)
    dropped: dict[str, int] = defaultdict(int)
    acc: dict[tuple[str, str, str], dict] = {}
    for u, v, key, d in mg.edges(keys=True, data=True):
        pu, pv = where.get(u), where.get(v)
        if pu is None or pv is None or pu.status != "placed" or pv.status != "placed":
            reasons = sorted({p.status if p is not None else "unknown" for p in (pu, pv)
                              if p is None or p.status != "placed"})
            dropped[" + ".join(reasons)] += 1
            continue
        tu, tv = pu.territory, pv.territory
        if tu == tv:
            node_attrs[tu]["internal_weight"] += d["weight"]
            node_attrs[tu]["internal_links"] += 1
            continue
        a, b = sorted((tu, tv))
        pair = " | ".join(sorted((u, v)))
        e = acc.setdefault((a, b, key), {"weight": 0.0, "links": 0, "pairs": set(), "themes": set()})
        e["weight"] += d["weight"]
        e["links"] += 1
        e["pairs"].add(pair)
        e["themes"].update(d.get("themes", ()))
    for t, n in sorted(node_attrs.items()):
        g.add_node(t, label=n["label"], code=n["code"], kind=n["kind"], actors=tuple(sorted(n["actors"])),
                   n_actors=len(n["actors"]), internal_weight=round(n["internal_weight"], 6),
                   internal_links=n["internal_links"])
    for (a, b, key), e in sorted(acc.items()):
        g.add_edge(a, b, key=key, weight=round(e["weight"], 6), links=e["links"], pairs=tuple(sorted(e["pairs"])),
                   themes=tuple(sorted(e["themes"])), instrument=key,
                   instrument_label=instruments.get(key, {}).get("label", key))
    g.graph["dropped"] = dict(sorted(dropped.items()))
    return g


def territory_graph(data: CooperationData, level: str = "departement", **kwargs: object) -> nx.Graph:
    """:func:`territory_multigraph` collapsed: one edge per pair of territories with ``weight``, ``links``,
    ``instruments`` (sorted IRIs), ``n_instruments``, ``pairs`` and ``themes``."""
    mg = territory_multigraph(data, level, **kwargs)  # type: ignore[arg-type]
    g = nx.Graph(**mg.graph)
    g.add_nodes_from(sorted(mg.nodes(data=True)))
    acc: dict[tuple[str, str], dict] = {}
    for u, v, key, d in mg.edges(keys=True, data=True):
        a, b = sorted((u, v))
        e = acc.setdefault((a, b), {"weight": 0.0, "links": 0, "instruments": set(), "pairs": set(), "themes": set()})
        e["weight"] += d["weight"]
        e["links"] += d["links"]
        e["instruments"].add(key)
        e["pairs"].update(d["pairs"])
        e["themes"].update(d["themes"])
    for (a, b), e in sorted(acc.items()):
        g.add_edge(a, b, weight=round(e["weight"], 6), links=e["links"], instruments=tuple(sorted(e["instruments"])),
                   n_instruments=len(e["instruments"]), pairs=tuple(sorted(e["pairs"])),
                   themes=tuple(sorted(e["themes"])))
    return g


def geography(data: CooperationData) -> Geography:
    """The shared look-ups for placing actors at several levels without recomputing them."""
    return Geography(data)


def subgraph_of(g: nx.Graph, nodes: Iterable[str]) -> nx.Graph:
    """A copy of ``g`` restricted to ``nodes``, with nodes and edges in sorted order."""
    keep = set(nodes)
    out = g.__class__(**g.graph)
    out.add_nodes_from(sorted((n, d) for n, d in g.nodes(data=True) if n in keep))
    if g.is_multigraph():
        out.add_edges_from(sorted(((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
                                   if u in keep and v in keep), key=lambda e: e[:3]))
    else:
        out.add_edges_from(sorted(((*sorted((u, v)), d) for u, v, d in g.edges(data=True) if u in keep and v in keep),
                                  key=lambda e: e[:2]))
    return out
