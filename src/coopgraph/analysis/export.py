"""Exports for the tools people already use: GraphML and GEXF (Gephi, Cytoscape, yEd), CSV node and edge lists
(spreadsheets, R, pandas), JSON (the web page, d3's node-link shape).

Deterministic: nodes and edges in sorted order, lists joined with "; ", floats rounded, no date in the files (the
GEXF writer of networkx stamps ``lastmodifieddate``; it is removed).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import networkx as nx
import pandas as pd

LIST_SEPARATOR = "; "


def _scalar(value: object) -> object:
    """A value GraphML and GEXF can hold: lists and sets joined, dicts as JSON, None as "" (NaN kept as float)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return LIST_SEPARATOR.join(str(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def flat_copy(g: nx.Graph, *, node_extra: Mapping[str, Mapping[str, object]] | None = None) -> nx.Graph:
    """A copy of ``g`` whose attributes are all scalars (what GraphML/GEXF accept), nodes and edges sorted.

    ``node_extra`` adds columns per node (e.g. centralities: {"betweenness": {node: value}}). Every node gets every
    attribute (missing values: "" or NaN), since GraphML declares one type per key.
    """
    extra = node_extra or {}
    out = g.__class__()
    out.graph.update({k: _scalar(v) for k, v in sorted(g.graph.items())})
    keys = sorted({k for _, d in g.nodes(data=True) for k in d} | set(extra))
    defaults = _defaults(g.nodes(data=True), keys, extra)
    for node, d in sorted(g.nodes(data=True)):
        attrs = {}
        for k in keys:
            v = extra[k].get(node) if k in extra else d.get(k)
            attrs[k] = defaults[k] if v is None or (isinstance(v, float) and math.isnan(v)) else _scalar(v)
            if isinstance(defaults[k], float) and isinstance(attrs[k], int) and not isinstance(attrs[k], bool):
                attrs[k] = float(attrs[k])  # one numeric type per attribute: ints become floats beside NaN
        out.add_node(node, **attrs)
    edges = list(g.edges(keys=True, data=True)) if g.is_multigraph() else [(u, v, None, d) for u, v, d in
                                                                            g.edges(data=True)]
    ekeys = sorted({k for *_, d in edges for k in d})
    edefaults = _defaults(((None, d) for *_, d in edges), ekeys, {})
    for u, v, key, d in sorted(((*sorted((u, v)), k, d) for u, v, k, d in edges), key=lambda e: (e[0], e[1], e[2] or "")):
        attrs = {k: edefaults[k] if d.get(k) is None else _scalar(d.get(k)) for k in ekeys}
        for k in ekeys:
            if isinstance(edefaults[k], float) and isinstance(attrs[k], int) and not isinstance(attrs[k], bool):
                attrs[k] = float(attrs[k])
        if attrs.get("distance") == float("inf"):
            attrs["distance"] = -1.0
        if key is None:
            out.add_edge(u, v, **attrs)
        else:
            out.add_edge(u, v, key=key, **attrs)
    return out


def _defaults(items: Iterable[tuple[object, Mapping]], keys: Iterable[str],
              extra: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    """A typed "missing" value per attribute: NaN for numbers, False for booleans, "" otherwise."""
    items = list(items)
    out: dict[str, object] = {}
    for k in keys:
        values = [v for v in (extra[k].values() if k in extra else (d.get(k) for _, d in items)) if v is not None]
        if values and all(isinstance(v, bool) for v in values):
            out[k] = False
        elif values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            complete = len(values) == (len(extra[k]) if k in extra else len(items))
            out[k] = 0 if complete and all(isinstance(v, int) for v in values) else math.nan
        else:
            out[k] = ""
    return out


def write_graphml(g: nx.Graph, path: Path, *, node_extra: Mapping[str, Mapping[str, object]] | None = None,
                  flat: bool = False) -> Path:
    """GraphML (``flat=True``: ``g`` is already a :func:`flat_copy`)."""
    nx.write_graphml(g if flat else flat_copy(g, node_extra=node_extra), path, encoding="utf-8", prettyprint=True,
                     infer_numeric_types=True)
    return path


_GEXF_DATE = re.compile(r'\s+lastmodifieddate="[^"]*"')


def write_gexf(g: nx.Graph, path: Path, *, node_extra: Mapping[str, Mapping[str, object]] | None = None,
               flat: bool = False) -> Path:
    """GEXF 1.2 without its date stamp (``flat=True``: ``g`` is already a :func:`flat_copy`)."""
    text = "\n".join(nx.generate_gexf(g if flat else flat_copy(g, node_extra=node_extra), encoding="utf-8",
                                      prettyprint=True))
    path.write_text(_GEXF_DATE.sub("", text, count=1) + "\n", encoding="utf-8")
    return path


def nodes_frame(g: nx.Graph, *, node_extra: Mapping[str, Mapping[str, object]] | None = None,
                flat: bool = False) -> pd.DataFrame:
    flat = g if flat else flat_copy(g, node_extra=node_extra)
    rows = [{"id": n, **d} for n, d in flat.nodes(data=True)]
    return pd.DataFrame(rows)


def edges_frame(g: nx.Graph, *, flat: bool = False) -> pd.DataFrame:
    flat = g if flat else flat_copy(g)
    if flat.is_multigraph():
        rows = [{"source": u, "target": v, "key": k, **d} for u, v, k, d in flat.edges(keys=True, data=True)]
    else:
        rows = [{"source": u, "target": v, **d} for u, v, d in flat.edges(data=True)]
    return pd.DataFrame(rows, columns=["source", "target"] + (["key"] if flat.is_multigraph() else [])
                        + sorted({k for r in rows for k in r} - {"source", "target", "key"}))


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [_scalar(v) if isinstance(v, (list, tuple, set, frozenset, Mapping)) else v for v in out[col]]
    out.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return path


def _json_value(value: object) -> object:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value)]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in sorted(value.items())}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if pd.isna(value):  # type: ignore[arg-type]
        return None
    return str(value)


def node_link(g: nx.Graph, *, node_extra: Mapping[str, Mapping[str, object]] | None = None) -> dict[str, object]:
    """The d3 node-link shape ({"nodes": [{"id", …}], "links": [{"source", "target", …}]}), lists kept as lists."""
    extra = node_extra or {}
    nodes = []
    for n, d in sorted(g.nodes(data=True)):
        item = {"id": n, **{k: _json_value(v) for k, v in sorted(d.items())}}
        item.update({k: _json_value(values.get(n)) for k, values in sorted(extra.items())})
        nodes.append(item)
    links = []
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    for u, v, k, d in sorted(((*sorted((u, v)), k, d) for u, v, k, d in edges), key=lambda e: (e[0], e[1], e[2] or "")):
        item = {"source": u, "target": v, **({"key": k} if k is not None else {})}
        item.update({a: _json_value(b) for a, b in sorted(d.items())})
        links.append(item)
    return {"nodes": nodes, "links": links}


def write_json(payload: Mapping[str, object], path: Path) -> Path:
    path.write_text(json.dumps(_json_value(payload), ensure_ascii=False, sort_keys=True, indent=1) + "\n",
                    encoding="utf-8")
    return path
