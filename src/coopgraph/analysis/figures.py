"""PNG figures with matplotlib's Agg backend (no display needed): the cooperation network, the centralities, the
matrix of links between territories. Same graph and seed → same picture (no timestamp in the files)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

_PNG = {"Software": None}
_PALETTE = plt.get_cmap("tab20").colors


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.savefig(path, dpi=110, metadata=_PNG, bbox_inches="tight")
    plt.close(fig)
    return path


def packed_layout(g: nx.Graph, *, seed: int = 42, weight: str = "weight") -> dict[str, np.ndarray]:
    """A force-directed layout per connected component, components packed in rows (largest first), each given room
    in proportion to its size: separate cooperations stay apart and readable instead of drifting to the edges."""
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    pos: dict[str, np.ndarray] = {}
    total_area = sum(len(c) for c in comps) or 1
    width = max(2.2 * math.sqrt(len(comps[0])) if comps else 1.0, 2.4 * math.sqrt(total_area))
    x = y = row_height = 0.0
    for comp in comps:
        radius = len(comp) ** 0.62 if len(comp) > 1 else 0.5
        if x + 2 * radius > width and x > 0:
            x, y = 0.0, y - row_height - 0.6
            row_height = 0.0
        sub = nx.Graph()
        sub.add_nodes_from(comp)
        # Attraction grows with the square root of the weight: strong ties pull, without collapsing into one point.
        sub.add_weighted_edges_from(sorted((u, v, math.sqrt(max(d.get(weight, 1.0), 0.0)) + 0.5)
                                           for u, v, d in g.subgraph(comp).edges(data=True)), weight="w")
        if len(comp) == 1:
            local = {comp[0]: np.zeros(2)}
        else:
            local = nx.spring_layout(sub, weight="w", seed=seed, k=2.2 / math.sqrt(len(comp)), iterations=300)
        for node, p in local.items():
            pos[node] = np.array([x + radius + p[0] * radius, y - radius + p[1] * radius])
        x += 2 * radius + 0.6
        row_height = max(row_height, 2 * radius)
    return pos


def network_figure(g: nx.Graph, path: Path, *, community: Mapping[str, int] | None = None, labels: int = 16,
                   seed: int = 42, title: str = "Cooperation network", max_nodes: int = 150) -> Path:
    """Actors sized by weighted degree, coloured by community (grey rings: unidentified actors), ties as thick as
    their weight; the ``labels`` strongest actors are named. A graph of more than ``max_nodes`` actors is drawn as
    the ties among its ``max_nodes`` strongest actors (a picture of thousands of nodes shows nothing)."""
    full = g.number_of_nodes()
    if full > max_nodes:
        strength_all = dict(g.degree(weight="weight"))
        keep = sorted(g, key=lambda n: (-strength_all.get(n, 0.0), n))[:max_nodes]
        from .graphs import subgraph_of

        g = subgraph_of(g, keep)
        title = f"{title}: the {max_nodes} strongest of {full} agents"
    pos = packed_layout(g, seed=seed)
    strength = dict(g.degree(weight="weight"))
    top = max(strength.values(), default=1.0) or 1.0
    fig, ax = plt.subplots(figsize=(13, 10))
    weights = [d.get("weight", 1.0) for _, _, d in g.edges(data=True)]
    wmax = max(weights, default=1.0) or 1.0
    nx.draw_networkx_edges(g, pos, ax=ax, width=[0.4 + 3.6 * math.sqrt(w / wmax) for w in weights],
                           edge_color="#8a8a8a", alpha=0.45)
    nodes = sorted(g.nodes)
    identified = [n for n in nodes if g.nodes[n].get("identified", True)]
    hidden = [n for n in nodes if not g.nodes[n].get("identified", True)]

    def size(n: str) -> float:
        return 40 + 900 * math.sqrt(strength.get(n, 0.0) / top)

    colors = [_PALETTE[(community or {}).get(n, 0) % len(_PALETTE)] for n in identified]
    nx.draw_networkx_nodes(g, pos, nodelist=identified, node_size=[size(n) for n in identified], node_color=colors,
                           edgecolors="#333333", linewidths=0.6, ax=ax)
    nx.draw_networkx_nodes(g, pos, nodelist=hidden, node_size=[size(n) for n in hidden], node_color="white",
                           edgecolors="#9a9a9a", linewidths=1.0, ax=ax)
    named = sorted(identified, key=lambda n: (-strength.get(n, 0.0), n))[:labels]
    # …and the strongest identified actor of every other group of two or more, so no island stays anonymous.
    for comp in sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0])):
        lead = sorted((n for n in comp if g.nodes[n].get("identified", True)), key=lambda n: (-strength.get(n, 0), n))
        if len(comp) > 1 and lead and not set(lead) & set(named):
            named.append(lead[0])
    _place_labels(fig, ax, [(g.nodes[n].get("display", g.nodes[n].get("short", n)), pos[n]) for n in named])
    ax.set_title(f"{title}\nnode size: weighted degree; colour: community; white: unidentified actors; named: the "
                 f"{labels} strongest actors and the strongest of each other group", fontsize=11)
    ax.set_axis_off()
    return _save(fig, path)


_OFFSETS = [(7, 7), (7, -14), (-7, 7), (-7, -14), (0, 14), (0, -20), (12, 0), (-12, 0), (14, 20), (-14, -26)]


def _place_labels(fig: plt.Figure, ax: plt.Axes, items: list[tuple[str, np.ndarray]]) -> None:
    """Label points in priority order, trying a few offsets around each point until the label overlaps no label
    already placed (deterministic; the least overlapping offset when none is free)."""
    renderer = fig.canvas.get_renderer()
    placed: list = []
    for text, (x, y) in items:
        best = None
        for dx, dy in _OFFSETS:
            ha = "left" if dx >= 0 else "right"
            ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=8.5, ha=ha,
                              bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
            box = ann.get_window_extent(renderer)
            overlap = sum(_area(box, other) for other in placed)
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, ann, box)
            else:
                ann.remove()
            if overlap == 0:
                break
        assert best is not None
        placed.append(best[2])


def _area(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def centrality_figure(table: pd.DataFrame, path: Path, *, top: int = 12) -> Path:
    """Three bar charts: the ``top`` actors by weighted degree, betweenness and eigenvector centrality."""
    measures = [("weighted_degree", "Weighted degree"), ("betweenness", "Betweenness"),
                ("eigenvector", "Eigenvector")]
    fig, axes = plt.subplots(1, 3, figsize=(15, 0.42 * top + 1.6))
    names = table["display"] if "display" in table else table["short"]
    for ax, (col, title) in zip(axes, measures, strict=True):
        sub = table.assign(_name=names).sort_values([col, "actor"], ascending=[False, True]).head(top)[::-1]
        ax.barh(sub["_name"], sub[col], color="#4c72b0")
        ax.set_title(title, fontsize=11)
        ax.tick_params(axis="y", labelsize=8.5)
        ax.grid(axis="x", alpha=0.3)
    note = table.attrs.get("betweenness", "")
    fig.suptitle(f"Who holds the network together (betweenness: {note})" if note else "Centralities", fontsize=12)
    fig.tight_layout()
    return _save(fig, path)


def _compact(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v / 1000:.3g}k"
    return f"{v:.3g}"


def matrix_figure(matrix: pd.DataFrame, path: Path, *, title: str = "Links between départements",
                  max_size: int = 40) -> Path:
    """A heat map of a territory × territory matrix; the diagonal (cooperation inside a territory) is shown in grey
    figures only, so the colours show links across borders. Beyond ``max_size`` territories, only the ``max_size``
    with the strongest links across are drawn, and the title says how many are left out."""
    values = matrix.to_numpy(dtype=float)
    off = values.copy()
    if len(off):
        np.fill_diagonal(off, 0.0)
    across = off.sum(axis=1)
    if len(matrix) <= max_size:
        keep = list(range(len(matrix)))
    else:  # too many to read: the territories with the strongest links across
        keep = sorted(i for i in np.argsort(-across, kind="stable")[:max_size] if across[i] > 0)
    left_out = len(matrix) - len(keep)
    sub = matrix.iloc[keep, keep]
    values = sub.to_numpy(dtype=float)
    off = values.copy()
    n = len(sub)
    if n:
        np.fill_diagonal(off, np.nan)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * n + 3), max(4.0, 0.45 * n + 2)))
    vmax = np.nanmax(off) if n and not np.all(np.isnan(off)) else 1.0
    image = ax.imshow(np.ma.masked_invalid(off), cmap="Oranges", vmin=0, vmax=vmax or 1.0)
    ax.set_xticks(range(n), sub.columns, rotation=45, ha="right", fontsize=8.5)
    ax.set_yticks(range(n), sub.index, fontsize=8.5)
    for i in range(n):
        for j in range(n):
            v = values[i, j]
            if v == 0:
                continue
            dark = i != j and v > 0.6 * (vmax or 1.0)
            style = {"color": "#707070", "fontstyle": "italic"} if i == j else {"color": "white" if dark else "black"}
            ax.text(j, i, _compact(v), ha="center", va="center", fontsize=7.5 if n > 20 else 8, **style)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="link weight")
    note = f"; {left_out} with weaker or no links across not shown" if left_out else ""
    ax.set_title(f"{title}\n(diagonal, grey: cooperation inside the territory{note})", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)
