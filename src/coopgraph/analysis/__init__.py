"""Network analysis of the cooperation graph: who cooperates with whom, across which borders, on what.

The package reads the graph through SPARQL (:func:`load`, any :class:`~coopgraph.store.Store`: the embedded store of a
build or a remote endpoint), builds networkx graphs from the results, and answers questions with tidy pandas tables::

    from coopgraph import analysis

    store = analysis.open_analysis_store()           # graph/build/, $COOPGRAPH_BUILD or $COOPGRAPH_ENDPOINT
    data = analysis.load(store)
    g = analysis.cooperation_graph(data)             # actor–actor, role-aware weights
    analysis.centralities(g).head()
    t = analysis.territory_graph(data, "departement")
    analysis.cross_territory(t, data, actors=g)      # partnerships across départements, strongest first

Modules: :mod:`.data` (SPARQL → tables), :mod:`.roles` (the weights and why), :mod:`.territory` (placing actors at
a level), :mod:`.graphs` (the graphs), :mod:`.measures` (the analyses), :mod:`.export` (GraphML, GEXF, CSV, JSON),
:mod:`.figures` (PNG), :mod:`.pipeline` (everything at once, as ``coopgraph analyze``).
"""

from __future__ import annotations

from .data import CooperationData, find_build, load, open_analysis_store
from .graphs import (
    actor_action_graph,
    actor_instrument_graph,
    collapse,
    cooperation_graph,
    cooperation_multigraph,
    territory_graph,
    territory_multigraph,
)
from .measures import (
    betweenness,
    brokerage,
    centralities,
    communities,
    community_summary,
    components,
    cross_territory,
    degree_table,
    ego_network,
    ego_table,
    eigenvector,
    leadership,
    link_matrix,
    modularity,
    role_table,
    roles_by_theme,
    theme_cooccurrence,
    theme_matrix,
)
from .roles import ROLE_WEIGHTS, ROLES, role_weight
from .territory import LEVELS, place_actors

__all__ = [
    "LEVELS",
    "ROLES",
    "ROLE_WEIGHTS",
    "CooperationData",
    "actor_action_graph",
    "actor_instrument_graph",
    "betweenness",
    "brokerage",
    "centralities",
    "collapse",
    "communities",
    "community_summary",
    "components",
    "cooperation_graph",
    "cooperation_multigraph",
    "cross_territory",
    "degree_table",
    "ego_network",
    "ego_table",
    "eigenvector",
    "find_build",
    "leadership",
    "link_matrix",
    "load",
    "modularity",
    "open_analysis_store",
    "place_actors",
    "role_table",
    "role_weight",
    "roles_by_theme",
    "territory_graph",
    "territory_multigraph",
    "theme_cooccurrence",
    "theme_matrix",
]
