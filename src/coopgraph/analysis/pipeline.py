"""The whole analysis in two calls — :func:`run` (graphs and tables) and :func:`write` (exports, figures, report) —
as ``coopgraph analyze`` does it."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pandas as pd

from ..errors import InputError
from . import export, graphs, measures
from .data import CooperationData
from .roles import ROLES, UNCERTAIN_FACTOR, UNKNOWN_ROLE_WEIGHT
from .territory import check_level, place_actors

MARKER = ".coopgraph-analysis"


@dataclass
class Analysis:
    data: CooperationData
    level: str
    seed: int
    multigraph: nx.MultiGraph
    graph: nx.Graph
    actor_instrument: nx.Graph
    actor_action: nx.Graph
    placement: pd.DataFrame
    territories: nx.Graph
    departement_placement: pd.DataFrame
    departements: nx.Graph
    centralities: pd.DataFrame
    brokerage: pd.DataFrame
    communities: pd.DataFrame
    community_summary: pd.DataFrame
    components: pd.DataFrame
    cross_territory: pd.DataFrame
    departement_matrix: pd.DataFrame
    themes: pd.DataFrame
    leadership: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def display_names(g: nx.Graph, placement: pd.DataFrame) -> dict[str, str]:
    """Short labels made unique: "ADIL" twice becomes "ADIL (42)" and "ADIL (43)" (département code, else the IRI's
    last segment)."""
    code = dict(zip(placement["agent"], placement["code"], strict=True))
    short = {n: str(g.nodes[n].get("short", n)) for n in g}
    seen: dict[str, list[str]] = {}
    for n, s in short.items():
        seen.setdefault(s, []).append(n)
    out = {}
    for s, nodes in seen.items():
        for n in nodes:
            if len(nodes) == 1:
                out[n] = s
            else:
                out[n] = f"{s} ({code.get(n) or n.rstrip('/').rsplit('/', 1)[-1]})"
    if len(set(out.values())) < len(out):  # still clashing: fall back on the IRI's last segment
        out = {n: f"{short[n]} ({n.rstrip('/').rsplit('/', 1)[-1]})" for n in out}
    return out


def run(data: CooperationData, *, level: str = "departement", seed: int = measures.DEFAULT_SEED,
        betweenness_k: int | None = None, size_normalised: bool = False,
        on_step: Callable[[str, float], None] | None = None) -> Analysis:
    """Every graph and table, with the time each step took (``on_step(name, seconds)`` after each)."""
    check_level(level)
    timings: dict[str, float] = {"load": round(sum(data.timings.values()), 3)} if data.timings else {}
    clock = [time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now
        if on_step is not None:
            on_step(name, timings[name])

    geo = graphs.geography(data)
    mg = graphs.cooperation_multigraph(data, size_normalised=size_normalised)
    g = graphs.collapse(mg)
    step("cooperation graph")
    ai = graphs.actor_instrument_graph(data)
    aa = graphs.actor_action_graph(data)
    step("bipartite graphs")
    placement = place_actors(data, level, geo)
    dep_placement = placement if level == "departement" else place_actors(data, "departement", geo)
    territories = graphs.territory_graph(data, level, multigraph=mg, placement=placement)
    departements = territories if level == "departement" else graphs.territory_graph(
        data, "departement", multigraph=mg, placement=dep_placement)
    names = display_names(g, dep_placement)
    dep = dict(zip(dep_placement["agent"], dep_placement["code"], strict=True))
    for n in g:
        g.nodes[n]["display"] = names[n]
        g.nodes[n]["departement"] = dep.get(n, "")
    step("territory graphs")
    cent = measures.centralities(g, k=betweenness_k, seed=seed)
    cent.insert(3, "display", [names.get(a, a) for a in cent["actor"]])
    step("centralities")
    brok = measures.brokerage(g)
    step("brokerage")
    comm = measures.communities(g, seed=seed)
    summary = measures.community_summary(g, comm)
    step("communities")
    comps = measures.components(g)
    cross = measures.cross_territory(territories, data, actors=g)
    matrix = measures.link_matrix(departements)
    step("cross-territory")
    themes = measures.theme_cooccurrence(data)
    lead = measures.leadership(data)
    step("themes and roles")
    return Analysis(data=data, level=level, seed=seed, multigraph=mg, graph=g, actor_instrument=ai, actor_action=aa,
                    placement=placement, territories=territories, departement_placement=dep_placement,
                    departements=departements, centralities=cent, brokerage=brok, communities=comm,
                    community_summary=summary, components=comps, cross_territory=cross, departement_matrix=matrix,
                    themes=themes, leadership=lead, timings=timings)


# ----------------------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------------------


def _node_columns(a: Analysis) -> dict[str, dict[str, object]]:
    cent = a.centralities.set_index("actor")
    brok = a.brokerage.set_index("actor")
    comm = a.communities.set_index("actor")
    place = a.placement.set_index("agent")
    cols: dict[str, dict[str, object]] = {}
    for col in ("degree", "weighted_degree", "betweenness", "eigenvector"):
        cols[col] = cent[col].to_dict()
    for col in ("constraint", "effective_size"):
        cols[col] = brok[col].to_dict()
    cols["community"] = comm["community"].to_dict()
    cols[f"{a.level}_code"] = {k: v for k, v in place["code"].to_dict().items() if v}
    cols[f"{a.level}_label"] = {k: v for k, v in place["territory_label"].to_dict().items() if v}
    cols["placement"] = place["status"].to_dict()
    return cols


def write(a: Analysis, out: Path, *, figures: bool = True, source: str = "",
          command: str = "coopgraph analyze") -> list[Path]:
    """Write exports, tables, figures and ``report.md`` into ``out`` (replaced as a whole); returns the files."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise InputError(f"{out} exists and is not an analysis folder (no {MARKER}): choose another --out; "
                         "the output folder is replaced as a whole")
    tmp = out.parent / f".{out.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    level = a.level
    cols = _node_columns(a)
    written: list[Path] = []

    def keep(path: Path) -> None:
        written.append(out / path.relative_to(tmp))

    flat = {
        "cooperation": export.flat_copy(a.graph, node_extra=cols),
        "actor-instrument": export.flat_copy(a.actor_instrument),
        "actor-action": export.flat_copy(a.actor_action),
        f"territories-{level}": export.flat_copy(a.territories),
    }
    for name, graph in flat.items():
        keep(export.write_graphml(graph, tmp / f"{name}.graphml", flat=True))
        keep(export.write_gexf(graph, tmp / f"{name}.gexf", flat=True))
    by_instrument = export.flat_copy(a.multigraph)
    keep(export.write_graphml(by_instrument, tmp / "cooperation-by-instrument.graphml", flat=True))

    tables = {
        "nodes.csv": export.nodes_frame(flat["cooperation"], flat=True),
        "edges.csv": export.edges_frame(flat["cooperation"], flat=True),
        "edges-by-instrument.csv": export.edges_frame(by_instrument, flat=True),
        f"territory-nodes-{level}.csv": export.nodes_frame(flat[f"territories-{level}"], flat=True),
        f"territory-edges-{level}.csv": export.edges_frame(flat[f"territories-{level}"], flat=True),
        f"placement-{level}.csv": a.placement,
        "centralities.csv": a.centralities,
        "brokerage.csv": a.brokerage,
        "communities.csv": a.communities,
        "components.csv": a.components,
        f"cross-territory-{level}.csv": a.cross_territory,
        "departement-matrix.csv": a.departement_matrix.reset_index(names="departement"),
        "theme-cooccurrence.csv": a.themes,
        "leadership.csv": a.leadership,
    }
    for name, df in tables.items():
        keep(export.write_csv(df, tmp / name))

    payload = {
        "meta": {"level": level, "seed": a.seed, "source": source, "betweenness": a.centralities.attrs.get("betweenness"),
                 "modularity": a.communities.attrs.get("modularity"), "role_weights": a.graph.graph.get("role_weights"),
                 "uncertain_factor": UNCERTAIN_FACTOR, "size_normalised": a.graph.graph.get("size_normalised")},
        "actors": export.node_link(a.graph, node_extra=cols),
        "territories": export.node_link(a.territories),
        "cross_territory": a.cross_territory.drop(columns=["iri_a", "iri_b"]).to_dict("records"),
    }
    keep(export.write_json(payload, tmp / "network.json"))

    figure_files: dict[str, str] = {}
    if figures:
        from . import figures as fig

        (tmp / "figures").mkdir()
        community = dict(zip(a.communities["actor"], a.communities["community"], strict=True))
        keep(fig.network_figure(a.graph, tmp / "figures" / "network.png", community=community, seed=a.seed))
        keep(fig.centrality_figure(a.centralities, tmp / "figures" / "centralities.png"))
        keep(fig.matrix_figure(a.departement_matrix, tmp / "figures" / "departement-matrix.png"))
        figure_files = {"network": "figures/network.png", "centralities": "figures/centralities.png",
                        "matrix": "figures/departement-matrix.png"}
    report = tmp / "report.md"
    report.write_text(report_markdown(a, figure_files, source=source, command=command), encoding="utf-8")
    keep(report)
    (tmp / MARKER).write_text("written by coopgraph analyze; this folder is replaced as a whole\n", encoding="utf-8")
    (tmp / "timings.json").write_text(json.dumps(a.timings, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    keep(tmp / "timings.json")

    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return sorted(written)


# ----------------------------------------------------------------------------------------------------------------
# The Markdown report
# ----------------------------------------------------------------------------------------------------------------


def markdown_table(df: pd.DataFrame, columns: list[str] | None = None, *, rows: int | None = None,
                   floats: int = 3, width: int = 160) -> str:
    """A GitHub-flavoured Markdown table (pipes escaped, floats rounded, cells cut at ``width`` characters)."""
    cols = columns or list(df.columns)
    sub = df[cols].head(rows) if rows else df[cols]

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else f"{v:.{floats}f}".rstrip("0").rstrip(".")
        if isinstance(v, (list, tuple)):
            v = "; ".join(map(str, v))
        text = str(v)
        if len(text) > width:
            text = text[: width - 1].rstrip() + "…"
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in sub.itertuples(index=False)]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


_LEVEL_NAMES = {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}


def report_markdown(a: Analysis, figures: dict[str, str], *, source: str = "", command: str = "coopgraph analyze") -> str:
    d = a.data
    g = a.graph
    identified = sum(1 for _, x in g.nodes(data=True) if x.get("identified", True))
    level_name = _LEVEL_NAMES[a.level]
    dropped = a.territories.graph.get("dropped", {})
    status = a.placement["status"].value_counts().sort_index()
    lines = [
        "# Cooperation network analysis",
        "",
        f"Source: {source or 'the store given'}. Level: {level_name}. Seed: {a.seed}. Reproduce with `{command}`.",
        "",
        "## In numbers",
        "",
        f"- {g.number_of_nodes()} agents in the cooperation graph ({identified} identified actors, "
        f"{g.number_of_nodes() - identified} groups of unidentified actors), {len(d.instruments)} instruments, "
        f"{len(d.actions)} actions, {len(d.participations)} participations;",
        f"- {g.number_of_edges()} cooperation ties ({a.multigraph.number_of_edges()} when each instrument behind a tie "
        f"is counted apart), in {len(a.components)} connected components;",
        f"- {a.communities['community'].nunique()} Louvain communities, modularity "
        f"{a.communities.attrs.get('modularity', float('nan')):.3f};",
        f"- {_count(len(a.cross_territory), 'link')} between different {level_name}; "
        f"{sum(dropped.values())} actor ties could not be placed on both ends "
        f"({', '.join(f'{k}: {v}' for k, v in dropped.items()) or 'none'}).",
        "",
        "## How ties are weighted",
        "",
        "Each agent gets, in each frame it takes part in (an instrument, one of its governance bodies, an action), the "
        "weight of its strongest role there, halved when the source doubts it (\"ARS ?\"). A pair of agents gets the "
        "product of their two weights in every frame they share, summed over frames. Two parties of an entente: 1; a "
        "chef de file and a co-porteur of an action: 0.75; two partners listed together: 0.25."
        + (" Each frame is divided by (participants − 1)." if g.graph.get("size_normalised") else ""),
        "",
        markdown_table(pd.DataFrame(
            [(w, g2, ", ".join(s for s, (w2, gg) in ROLES.items() if w2 == w and gg == g2))
             for w, g2 in sorted({v for v in ROLES.values()}, key=lambda x: (-x[0], x[1]))],
            columns=["weight", "group", "roles"])),
        "",
        f"Other roles: {UNKNOWN_ROLE_WEIGHT}. Uncertain participation: × {UNCERTAIN_FACTOR}.",
        "",
    ]
    if "network" in figures:
        lines += ["## The network", "", f"![Cooperation network]({figures['network']})", ""]
    lines += [
        "## Who holds the network together",
        "",
        f"Betweenness: {a.centralities.attrs.get('betweenness', '')}, on distances 1 / weight. Eigenvector centrality "
        "is computed per connected component and scaled by the component's share of the actors.",
        "",
        markdown_table(a.centralities, ["display", "kind", "degree", "weighted_degree", "betweenness", "eigenvector"],
                       rows=12),
        "",
    ]
    if "centralities" in figures:
        lines += [f"![Centralities]({figures['centralities']})", ""]
    brokers = a.brokerage[a.brokerage["degree"] >= 2]
    lines += [
        "## Brokers",
        "",
        "Low constraint and a large effective size: actors whose partners are not tied to each other.",
        "",
        markdown_table(brokers.assign(display=[g.nodes[n].get("display", n) for n in brokers["actor"]]),
                       ["display", "degree", "constraint", "effective_size", "efficiency"], rows=10),
        "",
        "## Communities and components",
        "",
        markdown_table(a.community_summary, ["community", "size", "internal_weight", "main_actors", "n_instruments"],
                       rows=12),
        "",
        markdown_table(a.components.assign(n_instruments=[len(i) for i in a.components["instruments"]]),
                       ["component", "size", "weight", "n_instruments", "members_short"], rows=12),
        "",
        f"## Partnerships across {level_name}",
        "",
    ]
    if len(a.cross_territory):
        lines += [markdown_table(a.cross_territory, ["rank", "code_a", "territory_a", "code_b", "territory_b", "weight",
                                                     "links", "instruments", "actors_a", "actors_b"], rows=15), ""]
    else:
        lines += [f"No cooperation tie joins two different {level_name}.", ""]
    if "matrix" in figures:
        lines += [f"![Links between départements]({figures['matrix']})", ""]
    unplaced = a.placement[(a.placement["status"] != "placed") & (a.placement["status"] != "unidentified")]
    lines += [
        f"### Actors that cannot be placed at the {level_name} level",
        "",
        ", ".join(f"{k}: {v}" for k, v in status.items()) + ".",
        "",
    ]
    if len(unplaced):
        lines += [markdown_table(unplaced, ["label", "kind", "status", "how"], rows=40), ""]
    lines += [
        "## Themes worked on together",
        "",
        f"Over {a.themes.attrs.get('units', 0)} actions (themes inherited from the heading when an action has none; "
        "pairs of a theme and its broader theme left out).",
        "",
        markdown_table(a.themes, ["label_a", "label_b", "together", "jaccard", "lift"], rows=12),
        "",
        "## Who leads, who follows",
        "",
        markdown_table(a.leadership, ["short", "kind", "actions_led", "actions_supported", "lead_share", "party",
                                      "governance"], rows=12),
        "",
        "## Files",
        "",
        "GraphML and GEXF (Gephi): `cooperation`, `actor-instrument`, `actor-action`, "
        f"`territories-{a.level}`; `cooperation-by-instrument.graphml` keeps one edge per instrument. CSV: "
        "`nodes.csv`, `edges.csv`, `edges-by-instrument.csv` and one file per table above. JSON for the web page: "
        "`network.json`. Timings: `timings.json`.",
        "",
    ]
    return "\n".join(lines)
