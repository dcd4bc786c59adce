"""The analyses, each a tidy table (pandas DataFrame) sorted for reading, and each with the question it answers.

Graphs come from :mod:`~coopgraph.analysis.graphs`; weights are the role-aware cooperation weights
(:mod:`~coopgraph.analysis.roles`). Paths use ``distance`` = 1 / weight, so a strong tie is a short one.
Everything random is seeded; ties are broken by IRI, so the same graph gives the same table.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd

from . import brandes
from .data import CooperationData
from .roles import GROUP_ORDER, role_group

DEFAULT_SEED = 42
#: graphs with more nodes than this get sampled betweenness unless told otherwise
EXACT_BETWEENNESS_LIMIT = 2000
DEFAULT_SAMPLE = 256


def _node_frame(g: nx.Graph, columns: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    nodes = sorted(g.nodes)
    base = {
        "actor": nodes,
        "label": [g.nodes[n].get("label", n) for n in nodes],
        "short": [g.nodes[n].get("short", n) for n in nodes],
        "kind": [g.nodes[n].get("kind", "") for n in nodes],
    }
    for name, values in columns.items():
        base[name] = [values.get(n, math.nan) for n in nodes]
    return pd.DataFrame(base)


def _name(g: nx.Graph, node: str) -> str:
    """How a table names a node: its unique display name when the pipeline set one, else its short label."""
    d = g.nodes[node]
    return str(d.get("display") or d.get("short") or node)


def _round(values: Mapping[str, float], digits: int = 6) -> dict[str, float]:
    return {k: (round(v, digits) if isinstance(v, float) and not math.isnan(v) else v) for k, v in values.items()}


# ----------------------------------------------------------------------------------------------------------------
# Centrality
# ----------------------------------------------------------------------------------------------------------------


def degree_table(g: nx.Graph) -> pd.DataFrame:
    """Question: who cooperates with the most partners (degree), and the most intensely (weighted degree)?"""
    degree = dict(g.degree())
    strength = dict(g.degree(weight="weight"))
    df = _node_frame(g, {"degree": degree, "weighted_degree": _round({k: float(v) for k, v in strength.items()})})
    return df.sort_values(["weighted_degree", "degree", "actor"], ascending=[False, False, True], ignore_index=True)


def betweenness(g: nx.Graph, *, k: int | None = None, seed: int = DEFAULT_SEED, weight: str | None = "distance",
                normalized: bool = True, workers: int | None = None) -> dict[str, float]:
    """Question: who stands on the shortest paths between others — who can relay or hold back between groups?

    Exact (Brandes) when ``k`` is None; with ``k`` the paths from ``k`` sources drawn with ``seed`` (an estimate
    for large graphs, the same for the same seed). ``weight="distance"`` uses 1 / cooperation weight. The values are
    those of ``nx.betweenness_centrality``, computed by :mod:`~coopgraph.analysis.brandes` (about three times faster,
    and over ``workers`` processes when the graph is large; the answer does not depend on ``workers``).
    """
    if k is not None and k >= g.number_of_nodes():
        k = None
    if g.is_directed() or g.is_multigraph():
        return _round(nx.betweenness_centrality(g, k=k, seed=seed if k is not None else None, weight=weight,
                                                normalized=normalized))
    return _round(brandes.betweenness_centrality(g, k=k, seed=seed, weight=weight, normalized=normalized,
                                                 workers=workers))


def eigenvector(g: nx.Graph, *, weight: str = "weight", max_iter: int = 1000, tol: float = 1e-6) -> dict[str, float]:
    """Question: who is tied to actors who are themselves well tied (influence through strong partners)?

    Computed per connected component and scaled by the component's share of nodes, so a small separate
    cooperation does not get all zeros (plain eigenvector centrality is only meaningful inside one component).
    The power iteration of ``nx.eigenvector_centrality`` (on A + I, unit norm), run for all components at once
    with numpy; a component that does not converge gets NaN.
    """
    nodes = sorted(g)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    comp = np.zeros(len(nodes), dtype=np.int64)
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    for k, c in enumerate(comps):
        comp[[index[n] for n in c]] = k
    sizes = np.bincount(comp, minlength=len(comps)).astype(float)
    edges = [(index[u], index[v], float(d.get(weight, 1.0))) for u, v, d in g.edges(data=True) if u != v]
    src = np.array([e[0] for e in edges] + [e[1] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges] + [e[0] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges] * 2, dtype=float)
    x = np.ones(len(nodes)) / np.sqrt(sizes[comp])
    done = sizes[comp] == 1
    for _ in range(max_iter):
        y = x.copy()
        np.add.at(y, dst, x[src] * w)
        norm = np.sqrt(np.bincount(comp, weights=y * y, minlength=len(comps)))
        norm[norm == 0] = 1.0
        y = y / norm[comp]
        change = np.bincount(comp, weights=np.abs(y - x), minlength=len(comps))
        x = y
        converged = change < sizes * tol
        if converged.all():
            break
    else:
        x[~converged[comp]] = np.nan
    x[done] = 0.0
    share = sizes[comp] / len(nodes)
    return _round({n: float(x[i] * share[i]) for n, i in index.items()})


def centralities(g: nx.Graph, *, k: int | None = None, seed: int = DEFAULT_SEED,
                 exact_limit: int = EXACT_BETWEENNESS_LIMIT, sample: int = DEFAULT_SAMPLE) -> pd.DataFrame:
    """Question: who holds the network together? Degree, weighted degree, betweenness, eigenvector — one row per actor.

    Betweenness is exact up to ``exact_limit`` nodes, sampled (``sample`` sources, ``seed``) above, unless ``k`` is
    given; ``df.attrs["betweenness"]`` says which.
    """
    if k is None and g.number_of_nodes() > exact_limit:
        k = sample
    degree = dict(g.degree())
    strength = {n: round(float(s), 6) for n, s in g.degree(weight="weight")}
    btw = betweenness(g, k=k, seed=seed)
    eig = eigenvector(g)
    df = _node_frame(g, {"degree": degree, "weighted_degree": strength, "betweenness": btw, "eigenvector": eig})
    df = df.sort_values(["weighted_degree", "betweenness", "actor"], ascending=[False, False, True], ignore_index=True)
    df.attrs["betweenness"] = "exact" if k is None or k >= g.number_of_nodes() else f"sampled k={k} seed={seed}"
    return df


# ----------------------------------------------------------------------------------------------------------------
# Brokerage (Burt)
# ----------------------------------------------------------------------------------------------------------------


def _proportions(g: nx.Graph, weight: str | None) -> dict[str, dict[str, float]]:
    """p[i][j]: the share of i's ties that go to j (an undirected tie counts both ways, as networkx does)."""
    p: dict[str, dict[str, float]] = {}
    for i in g:
        ties = {j: float(d.get(weight, 1.0)) if weight else 1.0 for j, d in g[i].items() if j != i}
        total = sum(ties.values())
        p[i] = {j: w / total for j, w in ties.items()} if total > 0 else {}
    return p


def brokerage(g: nx.Graph, *, weight: str | None = "weight") -> pd.DataFrame:
    """Question: who bridges otherwise separate partners (low constraint, large effective size)?

    Burt's **constraint** (how much an actor's ties are invested in partners who are tied to each other: near 1
    for a closed clique, low for a broker) and **effective size** (the number of non-redundant partners). Same
    definitions as networkx (``nx.constraint``, ``nx.effective_size``), computed in one pass over precomputed tie
    proportions so hubs with thousands of partners stay fast. Isolated actors get NaN.
    """
    p = _proportions(g, weight)
    mutual: dict[str, dict[str, float]] = {}
    for i in g:
        w = {j: float(d.get(weight, 1.0)) if weight else 1.0 for j, d in g[i].items() if j != i}
        mutual[i] = w
    constraint: dict[str, float] = {}
    esize: dict[str, float] = {}
    for i in g:
        partners = [j for j in g[i] if j != i]
        if not partners:
            constraint[i] = math.nan
            esize[i] = math.nan
            continue
        pi = p[i]
        c = 0.0
        for j in partners:
            indirect = sum(pi[q] * p[q].get(j, 0.0) for q in partners if q != j)
            c += (pi[j] + indirect) ** 2
        constraint[i] = c
        # effective size: Σ_j (1 − Σ_q p_iq m_jq), m_jq = w_jq / max_k w_jk (Burt 1992, as networkx)
        total = 0.0
        for j in partners:
            wj = mutual[j]
            top = max(wj.values()) if wj else 0.0
            redundancy = sum(pi[q] * (wj.get(q, 0.0) / top) for q in partners if q != j) if top > 0 else 0.0
            total += 1.0 - redundancy
        esize[i] = total
    df = _node_frame(g, {"degree": dict(g.degree()), "constraint": _round(constraint),
                         "effective_size": _round(esize)})
    df["efficiency"] = [round(e / d, 6) if d else math.nan for e, d in zip(df["effective_size"], df["degree"],
                                                                          strict=True)]
    return df.sort_values(["constraint", "effective_size", "actor"], ascending=[True, False, True],
                          na_position="last", ignore_index=True)


# ----------------------------------------------------------------------------------------------------------------
# Communities and components
# ----------------------------------------------------------------------------------------------------------------


def communities(g: nx.Graph, *, seed: int = DEFAULT_SEED, resolution: float = 1.0,
                weight: str = "weight") -> pd.DataFrame:
    """Question: which groups of actors cooperate more among themselves than with the rest?

    Louvain (networkx, fixed ``seed``), one row per actor with its community (numbered from the largest, ties by
    first IRI) and its size; ``df.attrs["modularity"]`` is the modularity of the partition (weighted).
    """
    if g.number_of_edges() == 0:
        parts = [{n} for n in g]
    else:
        parts = nx.community.louvain_communities(g, weight=weight, resolution=resolution, seed=seed)
    parts = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))
    number = {n: i for i, p in enumerate(parts) for n in p}
    size = {n: len(p) for p in parts for n in p}
    df = _node_frame(g, {"community": number, "community_size": size})
    df = df.sort_values(["community", "actor"], ignore_index=True)
    df.attrs["modularity"] = round(modularity(g, df, weight=weight), 6)
    df.attrs["seed"] = seed
    df.attrs["resolution"] = resolution
    return df


def modularity(g: nx.Graph, table: pd.DataFrame, *, weight: str = "weight") -> float:
    """The modularity of a partition given as a :func:`communities` table."""
    if g.number_of_edges() == 0:
        return 0.0
    groups: dict[int, set[str]] = defaultdict(set)
    for actor, community in zip(table["actor"], table["community"], strict=True):
        groups[int(community)].add(actor)
    return float(nx.community.modularity(g, list(groups.values()), weight=weight))


def community_summary(g: nx.Graph, table: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """One row per community: size, internal weight, its strongest actors, the instruments inside it."""
    rows = []
    strength = dict(g.degree(weight="weight"))
    for community, members in table.groupby("community"):
        nodes = set(members["actor"])
        sub = g.subgraph(nodes)
        instruments = sorted({i for _, _, d in sub.edges(data=True) for i in d.get("instruments", ())})
        leaders = sorted(nodes, key=lambda n: (-strength.get(n, 0.0), n))[:top]
        rows.append((int(community), len(nodes), round(sub.size(weight="weight"), 6),
                     "; ".join(_name(g, n) for n in leaders), len(instruments), tuple(instruments)))
    return pd.DataFrame(rows, columns=["community", "size", "internal_weight", "main_actors", "n_instruments",
                                       "instruments"])


def components(g: nx.Graph) -> pd.DataFrame:
    """Question: is the cooperation one network, or separate islands — and what holds each island together?

    One row per connected component (largest first): size, total weight, members' short labels, instruments.
    """
    rows = []
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    for number, comp in enumerate(comps):
        sub = g.subgraph(comp)
        instruments = sorted({i for _, _, d in sub.edges(data=True) for i in d.get("instruments", ())})
        rows.append((number, len(comp), round(sub.size(weight="weight"), 6),
                     "; ".join(sorted(_name(g, n) for n in comp)), tuple(comp), tuple(instruments)))
    return pd.DataFrame(rows, columns=["component", "size", "weight", "members_short", "members", "instruments"])


# ----------------------------------------------------------------------------------------------------------------
# Territories
# ----------------------------------------------------------------------------------------------------------------


def cross_territory(territories: nx.Graph, data: CooperationData, *, actors: nx.Graph | None = None) -> pd.DataFrame:
    """Question: which partnerships cross départements (or régions), how strong are they, on which instruments and
    themes?

    One row per pair of different territories joined by cooperation, ranked by weight (the sum of the actor-level
    weights carried across), then by number of actor pairs: codes and labels of both ends, ``links`` (actor pairs),
    the actors on each side, the instruments (labels) and themes (labels) behind the link.
    """
    instruments = data.instrument_info()
    theme_labels = data.theme_labels()
    rows = []
    for u, v, d in territories.edges(data=True):
        a, b = sorted((u, v), key=lambda t: (territories.nodes[t].get("code", ""), t))
        side_a, side_b = set(), set()
        members_a = set(territories.nodes[a].get("actors", ()))
        for pair in d.get("pairs", ()):
            x, y = pair.split(" | ")
            for node in (x, y):
                (side_a if node in members_a else side_b).add(node)

        def names(nodes: Iterable[str]) -> str:
            if actors is None:
                return "; ".join(sorted(nodes))
            return "; ".join(sorted(_name(actors, n) if n in actors else n for n in nodes))

        rows.append({
            "code_a": territories.nodes[a].get("code", ""), "territory_a": territories.nodes[a].get("label", a),
            "code_b": territories.nodes[b].get("code", ""), "territory_b": territories.nodes[b].get("label", b),
            "weight": d["weight"], "links": d["links"], "n_instruments": d["n_instruments"],
            "instruments": "; ".join(sorted(instruments.get(i, {}).get("label", i) for i in d["instruments"])),
            "themes": "; ".join(sorted(theme_labels.get(t, t) for t in d.get("themes", ()))),
            "actors_a": names(side_a), "actors_b": names(side_b), "iri_a": a, "iri_b": b,
        })
    columns = ["rank", "code_a", "territory_a", "code_b", "territory_b", "weight", "links", "n_instruments",
               "instruments", "themes", "actors_a", "actors_b", "iri_a", "iri_b"]
    if not rows:
        return pd.DataFrame(columns=columns)
    df = pd.DataFrame(rows).sort_values(["weight", "links", "code_a", "code_b"], ascending=[False, False, True, True],
                                        ignore_index=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    df.attrs["level"] = territories.graph.get("level", "")
    df.attrs["dropped"] = dict(territories.graph.get("dropped", {}))
    return df[columns]


def link_matrix(territories: nx.Graph, *, diagonal: bool = True) -> pd.DataFrame:
    """The territory × territory matrix of link weights (rows and columns "code label", sorted by code); the diagonal
    holds the cooperation inside each territory when ``diagonal``."""
    nodes = sorted(territories.nodes, key=lambda t: (territories.nodes[t].get("code", ""), t))
    names = [f"{territories.nodes[t].get('code', '')} {territories.nodes[t].get('label', '')}".strip() for t in nodes]
    m = pd.DataFrame(0.0, index=names, columns=names)
    for u, v, d in territories.edges(data=True):
        i, j = names[nodes.index(u)], names[nodes.index(v)]
        m.loc[i, j] = m.loc[j, i] = d["weight"]
    if diagonal:
        for t, name in zip(nodes, names, strict=True):
            m.loc[name, name] = territories.nodes[t].get("internal_weight", 0.0)
    return m


# ----------------------------------------------------------------------------------------------------------------
# Themes and roles
# ----------------------------------------------------------------------------------------------------------------


def _ancestors(themes: pd.DataFrame) -> dict[str, set[str]]:
    parents = dict(zip(themes["theme"], themes["broader"], strict=True))
    out: dict[str, set[str]] = {}
    for theme in parents:
        seen: set[str] = set()
        todo = list(parents.get(theme, ()))
        while todo:
            t = todo.pop()
            if t not in seen:
                seen.add(t)
                todo.extend(parents.get(t, ()))
        out[theme] = seen
    return out


def theme_cooccurrence(data: CooperationData, *, unit: str = "action", exclude_hierarchy: bool = True,
                       top_level: bool = False) -> pd.DataFrame:
    """Question: which themes are worked on together?

    Counts, over actions (``unit="action"``, with the themes they inherit from their heading when they have none)
    or instruments, how often two themes are on the same unit; ``jaccard`` = together / either, ``lift`` =
    observed / expected if independent. ``exclude_hierarchy`` drops pairs where one theme is broader than the other
    ("numérique" with "médiation numérique" says nothing); ``top_level`` first rolls themes up to the vocabulary's
    top concepts.
    """
    if unit == "action":
        units = [set(t) for t in data.actions["themes"]]
    elif unit == "instrument":
        units = [set(t) for t in data.instruments["themes"]]
    else:
        raise ValueError("unit must be 'action' or 'instrument'")
    labels = data.theme_labels()
    if top_level:
        top = dict(zip(data.themes["theme"], data.themes["top"], strict=True))
        units = [{top.get(t, t) for t in u} for u in units]
    units = [u for u in units if u]
    ancestors = _ancestors(data.themes)
    single = Counter(t for u in units for t in u)
    pairs: Counter = Counter()
    for u in units:
        for a, b in combinations(sorted(u), 2):
            if exclude_hierarchy and (a in ancestors.get(b, ()) or b in ancestors.get(a, ())):
                continue
            pairs[(a, b)] += 1
    n = len(units)
    rows = []
    for (a, b), together in pairs.items():
        either = single[a] + single[b] - together
        expected = single[a] * single[b] / n if n else 0.0
        rows.append((a, labels.get(a, a), b, labels.get(b, b), together, single[a], single[b],
                     round(together / either, 6) if either else 0.0,
                     round(together / expected, 6) if expected else 0.0))
    df = pd.DataFrame(rows, columns=["theme_a", "label_a", "theme_b", "label_b", "together", "count_a", "count_b",
                                     "jaccard", "lift"])
    df = df.sort_values(["together", "jaccard", "theme_a", "theme_b"], ascending=[False, False, True, True],
                        ignore_index=True)
    df.attrs["units"] = n
    return df


def theme_matrix(table: pd.DataFrame, *, top: int = 15) -> pd.DataFrame:
    """The ``top`` most frequent themes of a :func:`theme_cooccurrence` table as a symmetric count matrix."""
    freq: Counter = Counter()
    for r in table.itertuples(index=False):
        freq[r.label_a] = max(freq[r.label_a], r.count_a)
        freq[r.label_b] = max(freq[r.label_b], r.count_b)
    names = [t for t, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    m = pd.DataFrame(0, index=names, columns=names)
    for r in table.itertuples(index=False):
        if r.label_a in m.index and r.label_b in m.index:
            m.loc[r.label_a, r.label_b] = m.loc[r.label_b, r.label_a] = r.together
    return m


def role_table(data: CooperationData) -> pd.DataFrame:
    """Question: who plays which role, how often, in what kind of frame? One row per actor, role and frame kind."""
    info = data.agent_info()
    df = data.participations.groupby(["agent", "role", "frame_kind"]).size().reset_index(name="count")
    df["group"] = [role_group(r) for r in df["role"]]
    df["label"] = [info.get(a, {}).get("label", a) for a in df["agent"]]
    df["short"] = [info.get(a, {}).get("short", a) for a in df["agent"]]
    df = df[["agent", "label", "short", "role", "group", "frame_kind", "count"]]
    return df.sort_values(["agent", "role", "frame_kind"], ignore_index=True)


def leadership(data: CooperationData, *, include_unidentified: bool = True) -> pd.DataFrame:
    """Question: who leads, who follows? Per actor, the number of frames in each role group, and ``lead_share`` =
    lead / (lead + co-lead + associate) over actions, the work the documents assign."""
    info = data.agent_info()
    frames_by_group: dict[tuple[str, str], set[str]] = defaultdict(set)
    actions_by_group: dict[tuple[str, str], set[str]] = defaultdict(set)
    for agent, role, frame, kind in zip(*(data.participations[c].tolist() for c in ("agent", "role", "frame",
                                                                                    "frame_kind")), strict=True):
        group = role_group(role)
        frames_by_group[(agent, group)].add(frame)
        if kind == "action":
            actions_by_group[(agent, group)].add(frame)
    rows = []
    for agent in sorted({a for a, _ in frames_by_group}):
        a = info.get(agent, {})
        if not include_unidentified and not a.get("identified", True):
            continue
        lead = len(actions_by_group.get((agent, "lead"), ()))
        follow = sum(len(actions_by_group.get((agent, g), ())) for g in ("co-lead", "associate"))
        rows.append({"agent": agent, "label": a.get("label", agent), "short": a.get("short", agent),
                     "kind": a.get("kind", ""), **{g: len(frames_by_group.get((agent, g), ())) for g in GROUP_ORDER},
                     "actions_led": lead, "actions_supported": follow,
                     "lead_share": round(lead / (lead + follow), 6) if lead + follow else math.nan})
    df = pd.DataFrame(rows)
    return df.sort_values(["actions_led", "actions_supported", "agent"], ascending=[False, False, True],
                          ignore_index=True)


def roles_by_theme(data: CooperationData, *, top_level: bool = True, groups: Iterable[str] = ("lead", "co-lead"),
                   include_unidentified: bool = True) -> pd.DataFrame:
    """Question: on what does each actor lead or support? Actor × theme counts of actions per role group (themes
    rolled up to the top concepts by default)."""
    info = data.agent_info()
    themes = dict(zip(data.actions["action"], data.actions["themes"], strict=True))
    top = dict(zip(data.themes["theme"], data.themes["top"], strict=True))
    labels = data.theme_labels()
    keep = set(groups)
    acc: Counter = Counter()
    seen: set[tuple[str, str, str, str]] = set()
    on_actions = data.participations[data.participations["frame_kind"] == "action"]
    for agent, role, frame in zip(*(on_actions[c].tolist() for c in ("agent", "role", "frame")), strict=True):
        group = role_group(role)
        if group not in keep:
            continue
        if not include_unidentified and not info.get(agent, {}).get("identified", True):
            continue
        for t in {top.get(t, t) if top_level else t for t in themes.get(frame, ())}:
            key = (agent, group, t, frame)
            if key not in seen:
                seen.add(key)
                acc[(agent, group, t)] += 1
    rows = [(a, info.get(a, {}).get("short", a), g, t, labels.get(t, t), n) for (a, g, t), n in acc.items()]
    df = pd.DataFrame(rows, columns=["agent", "short", "group", "theme", "theme_label", "actions"])
    return df.sort_values(["actions", "agent", "group", "theme"], ascending=[False, True, True, True],
                          ignore_index=True)


# ----------------------------------------------------------------------------------------------------------------
# Ego networks
# ----------------------------------------------------------------------------------------------------------------


def resolve_actor(g: nx.Graph, actor: str) -> str:
    """An actor's node id from its IRI, its label or its short label (sigle), case-insensitive; errors list the
    candidates when the name is ambiguous or unknown."""
    if actor in g:
        return actor
    wanted = actor.casefold().strip()
    hits = sorted(n for n, d in g.nodes(data=True)
                  if wanted in (str(d.get("label", "")).casefold(), str(d.get("short", "")).casefold()))
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise KeyError(f"{actor!r} names several actors: {', '.join(hits)}")
    close = sorted(n for n, d in g.nodes(data=True) if wanted in str(d.get("label", "")).casefold())
    hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
    raise KeyError(f"no actor {actor!r} in the graph{hint}")


def ego_network(g: nx.Graph, actor: str, *, radius: int = 1) -> nx.Graph:
    """Question: whom does this actor cooperate with, and how are those partners tied to each other?

    The subgraph of the actor and everyone within ``radius`` ties (edges among partners included)."""
    node = resolve_actor(g, actor)
    nodes = nx.ego_graph(g, node, radius=radius).nodes
    from .graphs import subgraph_of

    out = subgraph_of(g, nodes)
    out.graph["ego"] = node
    return out


def ego_table(g: nx.Graph, actor: str, data: CooperationData | None = None) -> pd.DataFrame:
    """The partners of one actor, strongest tie first, with the instruments and themes of each tie."""
    node = resolve_actor(g, actor)
    instruments = data.instrument_info() if data is not None else {}
    themes = data.theme_labels() if data is not None else {}
    rows = []
    for partner, d in g[node].items():
        rows.append({
            "partner": partner, "label": g.nodes[partner].get("label", partner),
            "short": g.nodes[partner].get("short", partner), "kind": g.nodes[partner].get("kind", ""),
            "weight": d.get("weight", 1.0), "frames": d.get("frames", 0),
            "instruments": "; ".join(sorted(instruments.get(i, {}).get("short", i) for i in d.get("instruments", ()))),
            "themes": "; ".join(sorted(themes.get(t, t) for t in d.get("themes", ()))),
            "role_pairs": "; ".join(d.get("role_pairs", ())),
        })
    columns = ["partner", "label", "short", "kind", "weight", "frames", "instruments", "themes", "role_pairs"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(rows, columns=columns).sort_values(["weight", "partner"], ascending=[False, True],
                                                           ignore_index=True)
