"""What the analyses read from the graph: a dozen SPARQL SELECTs through the :class:`~coopgraph.store.Store`.

The queries are fixed texts driven by the participations themselves, with nothing pasted into them. So the same code
reads the embedded Oxigraph store of a build or any SPARQL 1.1 endpoint, and gets the same tables. Results are
aggregated in SPARQL where that keeps the row count down (labels, themes, member communes per territory); the rest is
one row per participation. Every query reads the whole graph at once (no per-entity look-ups), with the large
properties read by scans joined by hash (see queries/README.md, "Writing a query that stays fast").

A store that caps its answers (Virtuoso's ``ResultSetMaxRows``) is read page by page with ``page_size``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..store import Store, open_store
from .roles import role_slug

COOP = "https://w3id.org/coopgraph/ontology#"
ROLE = "https://w3id.org/coopgraph/vocab/role/"
THEME_SCHEME = "https://w3id.org/coopgraph/vocab/theme"

PREFIXES = f"""PREFIX coop: <{COOP}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# The agents of the graph: whoever plays a role (a participation or one of its shortcuts), and the organisations their
# services belong to (org:unitOf, two levels up). Written as a DISTINCT subquery that the queries below join: Oxigraph
# evaluates it once (thousands of rows) instead of following a path from every participation (hundreds of thousands),
# and does not let a UNION at the start of a query drive the plan (that took minutes on the reference layer). The
# organisations come from the distinct agents joined by hash with the few org:unitOf triples (a sub-select is joined
# by hash; a pattern after it would be looked up once per participation).
_AGENTS = """{ SELECT DISTINCT ?agent WHERE {
    { ?_x coop:agent ?agent } UNION { ?_x coop:partie ?agent } UNION { ?_x coop:chefDeFile ?agent }
    UNION { ?_x coop:coPorteur ?agent }
    UNION { { SELECT DISTINCT ?_a WHERE { ?_x coop:agent ?_a } } { SELECT ?_a ?agent WHERE { ?_a org:unitOf ?agent } } }
    UNION { { SELECT DISTINCT ?_a WHERE { ?_x coop:agent ?_a } }
            { SELECT ?_a ?agent WHERE { ?_a org:unitOf/org:unitOf ?agent } } }
  } }"""

_LABEL = """OPTIONAL { ?@V@ rdfs:label ?_lfr FILTER(langMatches(lang(?_lfr), "fr")) }
  OPTIONAL { ?@V@ rdfs:label ?_lnone FILTER(lang(?_lnone) = "") }"""


def _fill(text: str, **parts: str) -> str:
    """Put fixed fragments into a query template (``@NAME@`` markers; str.format would trip on SPARQL's braces)."""
    for name, value in parts.items():
        text = text.replace(f"@{name.upper()}@", value)
    return text


QUERIES: dict[str, str] = {
    # One row per participation: who, which role, in which frame (the rare coop:incertain is a separate query; the
    # frame's instrument is joined in Python). Each property is read by one scan and the three are joined by hash
    # (sub-selects): as plain triple patterns, Oxigraph looks up the role and the frame once per participation.
    "participations": """
SELECT ?participation ?agent ?role ?frame WHERE {
  { SELECT ?participation ?agent WHERE { ?participation coop:agent ?agent } }
  { SELECT ?participation ?role WHERE { ?participation coop:role ?role } }
  { SELECT ?participation ?frame WHERE { ?participation coop:cadre ?frame } }
}""",
    "uncertain": """
SELECT ?participation WHERE { ?participation coop:incertain true }""",
    # The shortcut properties: they count only where no participation says the same thing (the build writes both;
    # other producers may write only the shortcut).
    "shortcuts": _fill("""
SELECT ?frame ?agent ?role WHERE {
  { ?frame coop:partie ?agent BIND(<@ROLE@partie> AS ?role) }
  UNION { ?frame coop:chefDeFile ?agent BIND(<@ROLE@chef-de-file> AS ?role) }
  UNION { ?frame coop:coPorteur ?agent BIND(<@ROLE@co-porteur> AS ?role) }
}""", role=ROLE),
    "bodies": """
SELECT ?instrument ?frame WHERE { ?instrument coop:gouvernance ?frame }""",
    "agents": _fill("""
SELECT ?agent (MIN(STR(COALESCE(?_lfr, ?_lnone))) AS ?label) (MIN(STR(?_sigle)) AS ?sigle)
       (GROUP_CONCAT(DISTINCT STR(?_type); separator=" ") AS ?types) (MAX(?_n) AS ?count)
       (MIN(STR(?_cat)) AS ?category) (MIN(STR(?_unit)) AS ?unit_of)
WHERE {
  @AGENTS@
  @LABEL@
  OPTIONAL { ?agent rdf:type ?_type }
  OPTIONAL { ?agent coop:sigle ?_sigle }
  OPTIONAL { ?agent coop:nombre ?_n }
  OPTIONAL { ?agent coop:categorie ?_cat }
  OPTIONAL { ?agent org:unitOf ?_unit }
} GROUP BY ?agent""", agents=_AGENTS, label=_LABEL.replace("@V@", "agent")),
    # Where each agent sits: the territory it governs, or its area of competence (a CAF's département).
    "locations": _fill("""
SELECT DISTINCT ?agent ?how ?territory ?kind ?code ?label WHERE {
  @AGENTS@
  { ?agent coop:gouverne ?territory BIND("gouverne" AS ?how) }
  UNION { ?agent coop:ressort ?territory BIND("ressort" AS ?how) }
  OPTIONAL { ?territory rdf:type ?kind }
  OPTIONAL { ?territory coop:codeInsee ?code }
  OPTIONAL { ?territory rdfs:label ?label }
}""", agents=_AGENTS),
    # Every département and région, with its région: the axes of the matrices.
    "admin": """
SELECT ?territory ?kind ?code ?label ?region WHERE {
  VALUES ?kind { coop:TerritoireDepartement coop:TerritoireRegion }
  ?territory rdf:type ?kind .
  OPTIONAL { ?territory coop:codeInsee ?code }
  OPTIONAL { ?territory rdfs:label ?label }
  OPTIONAL { ?territory coop:partieDe ?region . ?region rdf:type coop:TerritoireRegion }
}""",
    "instruments": _fill("""
SELECT ?instrument (MIN(STR(?_cls)) AS ?kind) (MIN(STR(?_title)) AS ?title)
       (MIN(STR(COALESCE(?_lfr, ?_lnone))) AS ?label) (MIN(STR(?_sigle)) AS ?sigle)
       (GROUP_CONCAT(DISTINCT STR(?_theme); separator=" ") AS ?themes)
WHERE {
  ?instrument rdf:type ?_cls . ?_cls rdfs:subClassOf* coop:Instrument .
  FILTER NOT EXISTS { ?instrument rdf:type ?_sub . ?_sub rdfs:subClassOf+ ?_cls }
  OPTIONAL { ?instrument dcterms:title ?_title }
  @LABEL@
  OPTIONAL { ?instrument coop:sigle ?_sigle }
  OPTIONAL { ?instrument coop:theme ?_theme }
} GROUP BY ?instrument""", label=_LABEL.replace("@V@", "instrument")),
    # The labels and numbers of the 70,000 actions of a national graph: one scan each, joined by hash (looked up per
    # action, they took twice as long).
    "actions": """
SELECT ?action ?instrument (MIN(STR(COALESCE(?_lfr, ?_lnone))) AS ?label) (MIN(STR(?_num)) AS ?number)
WHERE {
  { SELECT ?action ?instrument WHERE { ?action coop:instrument ?instrument } }
  OPTIONAL { SELECT ?action ?_lfr WHERE { ?action rdfs:label ?_lfr FILTER(langMatches(lang(?_lfr), "fr")) } }
  OPTIONAL { SELECT ?action ?_lnone WHERE { ?action rdfs:label ?_lnone FILTER(lang(?_lnone) = "") } }
  OPTIONAL { SELECT ?action ?_num WHERE { ?action coop:numero ?_num } }
} GROUP BY ?action ?instrument""",
    # An action's themes: its own; failing that, those of its heading (orientation, rubrique), then of the axe above.
    # The actions without a theme of their own are found first (MINUS, by hash), so that the headings and axes are
    # walked for those only (a FILTER NOT EXISTS is checked after the walk, for every action).
    "action_themes": """
SELECT DISTINCT ?action ?theme ?depth WHERE {
  {
    { SELECT ?action WHERE { ?action coop:instrument ?_i } }
    { SELECT ?action ?theme WHERE { ?action coop:theme ?theme } }
    BIND(0 AS ?depth)
  } UNION {
    { SELECT ?action WHERE { ?action coop:instrument ?_i MINUS { ?action coop:theme ?_own } } }
    ?action coop:rattacheA ?_el . ?_el coop:theme ?theme
    BIND(1 AS ?depth)
  } UNION {
    { SELECT ?action WHERE { ?action coop:instrument ?_i MINUS { ?action coop:theme ?_own } } }
    ?action coop:rattacheA ?_el . ?_axe coop:orientation ?_el . ?_axe coop:theme ?theme
    FILTER NOT EXISTS { ?_el coop:theme ?_heading }
    BIND(2 AS ?depth)
  }
}""",
    "themes": _fill("""
SELECT ?theme (MIN(STR(?_l)) AS ?label) (GROUP_CONCAT(DISTINCT STR(?_b); separator=" ") AS ?broader) WHERE {
  ?theme skos:inScheme <@SCHEME@> .
  OPTIONAL { ?theme skos:prefLabel ?_l FILTER(langMatches(lang(?_l), "fr")) }
  OPTIONAL { { ?theme skos:broader ?_b } UNION { ?_b skos:narrower ?theme } }
} GROUP BY ?theme""", scheme=THEME_SCHEME),
}


# Where the agents sit, read for all of them at once, from the agents (so that a small cooperation layer gives a
# small answer, whatever the size of the reference layer). Each property is read by one scan and the scans are joined
# by hash (sub-selects), then grouped: written as patterns after a first one, or once per EPCI and per commune as
# before, Oxigraph looks up the memberships of the reference layer one by one (40 s at national size).
GEOGRAPHY_QUERIES: dict[str, str] = {
    # An agent's member communes counted per millésime and per territory they are part of (département, région,
    # arrondissement…): the latest composition is chosen in Python (a commune that left in 2021 no longer places it).
    "epci_members": _fill("""
SELECT ?agent ?millesime ?up (COUNT(DISTINCT ?commune) AS ?communes) WHERE {
  @AGENTS@
  { SELECT ?_m ?agent WHERE { ?_m org:organization ?agent } }
  { SELECT ?_m ?_c WHERE { ?_m org:member ?_c } }
  { SELECT ?_c ?commune WHERE { ?_c coop:gouverne ?commune } }
  { SELECT ?commune WHERE { ?commune rdf:type coop:TerritoireCommune } }
  { SELECT ?commune ?up WHERE { ?commune coop:partieDe ?up } }
  OPTIONAL { SELECT ?_m ?millesime WHERE { ?_m coop:millesime ?millesime } }
} GROUP BY ?agent ?millesime ?up""", agents=_AGENTS),
    # The EPCI territory of each organisation an agent is a member of, the latest millésime of that membership, and
    # the EPCI's INSEE code and label.
    "epci_memberships": _fill("""
SELECT ?agent ?epci ?latest ?code ?label WHERE {
  {
    SELECT ?agent ?epci (MAX(STR(?millesime)) AS ?latest) WHERE {
      @AGENTS@
      { SELECT ?_m ?agent WHERE { ?_m org:member ?agent } }
      { SELECT ?_m ?_org WHERE { ?_m org:organization ?_org } }
      { SELECT ?_org ?epci WHERE { ?_org coop:gouverne ?epci } }
      { SELECT ?epci WHERE { ?epci rdf:type coop:TerritoireEPCI } }
      OPTIONAL { SELECT ?_m ?millesime WHERE { ?_m coop:millesime ?millesime } }
    } GROUP BY ?agent ?epci
  }
  OPTIONAL {
    SELECT ?epci ?code ?label WHERE { ?epci rdf:type coop:TerritoireEPCI ; coop:codeInsee ?code ; rdfs:label ?label }
  }
}""", agents=_AGENTS),
    # Everything the agents' territories are part of (coop:partieDe+, walked from each of them), with its types, INSEE
    # code and label read once per wider territory and joined by hash (looked up per row, the types took seconds).
    "anchor_up": _fill("""
SELECT ?territory ?up ?kind ?code ?label WHERE {
  {
    SELECT DISTINCT ?territory ?up WHERE {
      { SELECT DISTINCT ?territory WHERE { @AGENTS@ { ?agent coop:gouverne ?territory } UNION { ?agent coop:ressort ?territory } } }
      ?territory coop:partieDe+ ?up .
    }
  }
  { SELECT DISTINCT ?up ?kind WHERE { { SELECT DISTINCT ?up WHERE { ?_t coop:partieDe ?up } } ?up rdf:type ?kind } }
  OPTIONAL {
    SELECT DISTINCT ?up ?code ?label WHERE {
      { SELECT DISTINCT ?up WHERE { ?_t coop:partieDe ?up } }
      ?up coop:codeInsee ?code .
      ?up rdfs:label ?label .
    }
  }
}""", agents=_AGENTS),
}
QUERIES.update(GEOGRAPHY_QUERIES)


@dataclass
class CooperationData:
    """The tables every graph and analysis is built from (one load per store).

    - ``participations``: participation, agent, role (slug), frame, frame_kind (instrument | action | instance),
      instrument, uncertain, source (participation | shortcut)
    - ``agents``: agent, label, short, kind, identified, count, category, unit_of, organisation, participates
    - ``instruments``: instrument, label, short, kind, themes
    - ``actions``: action, instrument, label, number, themes, themes_from (own | heading | axe | none)
    - ``themes``: theme, label, broader, top
    - ``locations``, ``territory_up``, ``epci_spread``, ``commune_epci``, ``admin``: where agents sit
    """

    participations: pd.DataFrame
    agents: pd.DataFrame
    instruments: pd.DataFrame
    actions: pd.DataFrame
    themes: pd.DataFrame
    locations: pd.DataFrame
    territory_up: pd.DataFrame
    epci_spread: pd.DataFrame
    commune_epci: pd.DataFrame
    admin: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)

    # -- look-ups used everywhere ---------------------------------------------------------------------------------
    def agent_info(self) -> dict[str, dict]:
        return {row["agent"]: row for row in self.agents.to_dict("records")}

    def instrument_info(self) -> dict[str, dict]:
        return {row["instrument"]: row for row in self.instruments.to_dict("records")}

    def theme_labels(self) -> dict[str, str]:
        return dict(zip(self.themes["theme"], self.themes["label"], strict=True))

    def frame_themes(self) -> dict[str, tuple[str, ...]]:
        """Themes of each frame: an action's (own or inherited), an instrument's own for the instrument and its bodies."""
        out: dict[str, tuple[str, ...]] = dict(zip(self.actions["action"], self.actions["themes"], strict=True))
        inst = dict(zip(self.instruments["instrument"], self.instruments["themes"], strict=True))
        for row in self.participations[["frame", "frame_kind", "instrument"]].drop_duplicates().itertuples():
            if row.frame_kind != "action":
                out[row.frame] = inst.get(row.instrument, ())
        return out


def _columns(df: pd.DataFrame, *names: str) -> zip:
    """Rows of some columns as plain tuples."""
    return zip(*(df[n].tolist() for n in names), strict=True)


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def _select(store: Store, name: str, page_size: int | None, timeout: float | None) -> pd.DataFrame:
    query = PREFIXES + QUERIES[name]
    if not page_size:
        result = store.select(query, timeout=timeout)
        return pd.DataFrame([[_text(t) for t in row] for row in result.rows], columns=result.variables, dtype=object)
    # Paging for stores that cut answers: a stable order, then LIMIT/OFFSET (integers we write, not user text).
    variables = store.select(query + "\nLIMIT 0", timeout=timeout).variables
    order = " ".join(f"?{v}" for v in variables)
    frames: list[pd.DataFrame] = []
    offset = 0
    while True:
        page = store.select(f"{query}\nORDER BY {order}\nLIMIT {int(page_size)} OFFSET {int(offset)}", timeout=timeout)
        frames.append(pd.DataFrame([[_text(t) for t in row] for row in page.rows], columns=variables, dtype=object))
        if len(page.rows) < page_size:
            break
        offset += page_size
    return pd.concat(frames, ignore_index=True)


def _local(iri: str | None) -> str:
    if not iri:
        return ""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


_GENERIC_KINDS = ("Acteur", "AutoritePublique", "Agent", "Organization", "OrganizationalUnit")


def _agent_kind(types: str | None) -> str:
    names = sorted({_local(t) for t in (types or "").split() if t.startswith(COOP)})
    specific = [n for n in names if n not in _GENERIC_KINDS]
    if specific:
        return specific[0]
    if names:
        return names[0]
    others = sorted(_local(t) for t in (types or "").split())
    return others[0] if others else "Agent"


def _short(label: str, sigle: str | None, limit: int = 34) -> str:
    if sigle:
        return sigle
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(set((text or "").split())))


def _memberships(raw: dict[str, pd.DataFrame], locations: pd.DataFrame,
                 admin: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where EPCI sit (their communes' départements and régions) and which EPCI each commune belongs to."""
    by_org: dict[str, list[tuple[str, str, int]]] = {}
    for org, millesime, up, n in _columns(raw["epci_members"], "agent", "millesime", "up", "communes"):
        by_org.setdefault(org, []).append((millesime or "", up, int(float(n))))
    spread: set[tuple[str, str, int]] = set()
    epcis = locations[locations["kind"] == "TerritoireEPCI"][["agent", "territory"]].drop_duplicates()
    for agent, territory in sorted(epcis.itertuples(index=False, name=None)):
        rows = by_org.get(agent, [])
        latest = max((m for m, _, _ in rows), default="")
        spread.update((territory, up, n) for m, up, n in rows if m == latest and up in admin)
    spread_df = pd.DataFrame(sorted(spread), columns=["territory", "up", "communes"])

    epci_of: dict[str, dict[str, str]] = {}
    codes: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    for agent, epci, latest, code, label in _columns(raw["epci_memberships"], "agent", "epci", "latest", "code",
                                                     "label"):
        epci_of.setdefault(agent, {})[epci] = latest or ""
        if code is not None:  # the code and the label come together (or not at all)
            codes.setdefault(epci, set()).add(code)
            labels.setdefault(epci, set()).add(label)
    rows: set[tuple[str, str, str, str, str]] = set()
    communes = locations[(locations["kind"] == "TerritoireCommune") & (locations["how"] == "gouverne")]
    for agent, territory in sorted(set(communes[["agent", "territory"]].itertuples(index=False, name=None))):
        latest = epci_of.get(agent)
        if not latest:
            continue
        epci = sorted(latest, key=lambda e: (latest[e], e))[-1]
        code, label = (min(codes[epci]), min(labels[epci])) if epci in codes else ("", _local(epci))
        rows.add((territory, epci, code, label, latest[epci]))
    commune_df = pd.DataFrame(sorted(rows), columns=["territory", "epci", "code", "label", "millesime"])
    return spread_df, commune_df


_UP_KINDS = {COOP + k for k in ("TerritoireCommune", "TerritoireDepartement", "TerritoireRegion")}


def _territory_up(raw: dict[str, pd.DataFrame], locations: pd.DataFrame, admin: pd.DataFrame) -> pd.DataFrame:
    """What each anchor territory (a commune, commune déléguée, arrondissement… an agent governs or serves) is part
    of; départements and régions are read from ``admin``."""
    info = {t: (k, c, lab) for t, k, c, lab in zip(admin["territory"], admin["kind"], admin["code"], admin["label"],
                                                   strict=True)}
    rows: set[tuple[str, str, str, str, str]] = set()
    for territory, region in zip(admin["territory"], admin["region"], strict=True):
        if region:
            rows.add((territory, region, *info.get(region, ("TerritoireRegion", "", ""))))
    ups: dict[str, set[str]] = {}
    kinds: dict[str, set[str]] = {}
    codes: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    for territory, up, kind, code, label in _columns(raw["anchor_up"], "territory", "up", "kind", "code", "label"):
        if kind not in _UP_KINDS:
            continue
        ups.setdefault(territory, set()).add(up)
        kinds.setdefault(up, set()).add(kind)
        if code is not None:  # the code and the label come together (or not at all)
            codes.setdefault(up, set()).add(code)
            labels.setdefault(up, set()).add(label)
    anchors = locations[~locations["kind"].isin(["TerritoireDepartement", "TerritoireRegion", "TerritoireEPCI"])]
    for territory in sorted(set(anchors["territory"])):
        for up in sorted(ups.get(territory, ())):
            if up not in info:
                info[up] = (_local(min(kinds[up])), min(codes[up]) if up in codes else "",
                            min(labels[up]) if up in labels else _local(up))
            rows.add((territory, up, *info[up]))
    return pd.DataFrame(sorted(rows), columns=["territory", "up", "kind", "code", "label"])


def load(store: Store, *, page_size: int | None = None, timeout: float | None = None) -> CooperationData:
    """Read the cooperation layer of a store into :class:`CooperationData` (about a dozen SELECTs)."""
    timings: dict[str, float] = {}
    raw: dict[str, pd.DataFrame] = {}
    for name in QUERIES:
        started = time.perf_counter()
        raw[name] = _select(store, name, page_size, timeout)
        timings[name] = round(time.perf_counter() - started, 3)

    themes = raw["themes"].copy()
    themes["label"] = [lab or _local(t) for t, lab in zip(themes["theme"], themes["label"], strict=True)]
    themes["broader"] = [_split(b) for b in themes["broader"]]
    parents = dict(zip(themes["theme"], themes["broader"], strict=True))

    def top(theme: str) -> str:
        seen = {theme}
        current = theme
        while parents.get(current):
            nxt = sorted(parents[current])[0]
            if nxt in seen:
                break
            seen.add(nxt)
            current = nxt
        return current

    themes["top"] = [top(t) for t in themes["theme"]]
    themes = themes.sort_values("theme", ignore_index=True)

    # Participations ------------------------------------------------------------------------------------------
    instrument_of: dict[str, tuple[str, str]] = {}  # frame → (kind, instrument)
    for i in raw["instruments"]["instrument"]:
        instrument_of[i] = ("instrument", i)
    for i, frame in zip(raw["bodies"]["instrument"], raw["bodies"]["frame"], strict=True):
        instrument_of[frame] = ("instance", i)
    for a, i in zip(raw["actions"]["action"], raw["actions"]["instrument"], strict=True):
        instrument_of[a] = ("action", i)
    parts = raw["participations"].copy()
    parts["source"] = "participation"
    said = set(zip(parts["agent"], parts["frame"], parts["role"], strict=True))
    extra = raw["shortcuts"][[(a, f, r) not in said for a, f, r in zip(
        raw["shortcuts"]["agent"], raw["shortcuts"]["frame"], raw["shortcuts"]["role"], strict=True)]]
    if len(extra):
        extra = extra.assign(participation="", source="shortcut")
        parts = pd.concat([parts, extra[parts.columns]], ignore_index=True)
    uncertain = set(raw["uncertain"]["participation"])
    parts["uncertain"] = [p in uncertain for p in parts["participation"]]
    parts["role"] = [role_slug(r) for r in parts["role"]]
    # A frame that is neither an instrument, one of its bodies nor an action stands for itself ("other").
    located = [instrument_of.get(f, ("other", f)) for f in parts["frame"]]
    parts["frame_kind"] = [k for k, _ in located]
    parts["instrument"] = [i for _, i in located]
    parts = parts[["participation", "agent", "role", "frame", "frame_kind", "instrument", "uncertain", "source"]]
    parts = parts.sort_values(["instrument", "frame", "agent", "role", "participation"], ignore_index=True)

    # Agents --------------------------------------------------------------------------------------------------
    agents = raw["agents"].copy()
    agents["kind"] = [_agent_kind(t) for t in agents["types"]]
    agents["label"] = [lab or _local(a) for a, lab in zip(agents["agent"], agents["label"], strict=True)]
    agents["short"] = [_short(lab, s) for lab, s in zip(agents["label"], agents["sigle"], strict=True)]
    agents["identified"] = agents["kind"] != "ActeursNonIdentifies"
    agents["count"] = pd.array([None if c is None else int(float(c)) for c in agents["count"]], dtype="Int64")
    agents["category"] = [_local(c) if c else "" for c in agents["category"]]
    agents["unit_of"] = agents["unit_of"].fillna("")
    units = dict(zip(agents["agent"], agents["unit_of"], strict=True))

    def organisation(agent: str) -> str:
        seen = {agent}
        current = agent
        while units.get(current) and units[current] not in seen:
            current = units[current]
            seen.add(current)
        return current

    agents["organisation"] = [organisation(a) for a in agents["agent"]]
    # A service reads better with its organisation: "CCLLA / P.E", "CCLLA / Habitat".
    shorts = dict(zip(agents["agent"], agents["short"], strict=True))
    agents["short"] = [
        _short(f"{shorts.get(org, _local(org))} / {sigle or label.split(' (')[0]}", None, limit=44)
        if unit and kind == "Service" else short
        for unit, org, kind, sigle, label, short in zip(agents["unit_of"], agents["organisation"], agents["kind"],
                                                        agents["sigle"], agents["label"], agents["short"], strict=True)
    ]
    participating = set(parts["agent"])
    agents["participates"] = [a in participating for a in agents["agent"]]
    agents = agents[["agent", "label", "short", "kind", "identified", "count", "category", "unit_of", "organisation",
                     "participates"]].sort_values("agent", ignore_index=True)

    # Instruments and actions ---------------------------------------------------------------------------------
    inst = raw["instruments"].copy()
    inst["kind"] = [_local(k) for k in inst["kind"]]
    inst["label"] = [t or lab or _local(i) for i, t, lab in zip(inst["instrument"], inst["title"], inst["label"],
                                                                   strict=True)]
    inst["short"] = [_short(s or lab or _local(i), None) for i, s, lab in
                     zip(inst["instrument"], inst["sigle"], raw["instruments"]["label"], strict=True)]
    inst["themes"] = [_split(t) for t in inst["themes"]]
    inst = inst[["instrument", "label", "short", "kind", "themes"]].sort_values("instrument", ignore_index=True)

    depth_names = {0: "own", 1: "heading", 2: "axe"}
    by_action: dict[str, dict[int, set[str]]] = {}
    for row in raw["action_themes"].itertuples(index=False):
        by_action.setdefault(row.action, {}).setdefault(int(float(row.depth)), set()).add(row.theme)
    acts = raw["actions"].copy()
    acts["label"] = [lab or _local(a) for a, lab in zip(acts["action"], acts["label"], strict=True)]
    acts["number"] = acts["number"].fillna("")
    chosen = []
    for action in acts["action"]:
        levels = by_action.get(action, {})
        depth = min(levels) if levels else None
        chosen.append((tuple(sorted(levels[depth])), depth_names[depth]) if depth is not None else ((), "none"))
    acts["themes"] = [c[0] for c in chosen]
    acts["themes_from"] = [c[1] for c in chosen]
    acts = acts.sort_values("action", ignore_index=True)

    # Geography -----------------------------------------------------------------------------------------------
    def territory_table(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        if "kind" in df:
            df["kind"] = [_local(k) for k in df["kind"]]
        for col in ("code", "label"):
            if col in df:
                df[col] = df[col].fillna("")
        return df.sort_values(list(df.columns), ignore_index=True) if len(df) else df

    locations = territory_table(raw["locations"])
    admin = territory_table(raw["admin"])
    spread, commune_epci = _memberships(raw, locations, set(admin["territory"]))
    territory_up = _territory_up(raw, locations, admin)
    data = CooperationData(
        participations=parts,
        agents=agents,
        instruments=inst,
        actions=acts,
        themes=themes,
        locations=locations,
        territory_up=territory_up,
        epci_spread=spread,
        commune_epci=commune_epci,
        admin=admin,
        timings=timings,
    )
    return data


# ----------------------------------------------------------------------------------------------------------------
# Which build to read
# ----------------------------------------------------------------------------------------------------------------

BUILD_ENV = "COOPGRAPH_BUILD"
ENDPOINT_ENV = "COOPGRAPH_ENDPOINT"


def _has_store(folder: Path) -> bool:
    return (folder / "store").is_dir()


def find_build(build: str | Path | None = None, *, make: bool = False,
               builder: Callable[[Path, Path], object] | None = None) -> Path:
    """The build folder to analyse, for scripts and notebooks that may run from any folder.

    In order: ``build`` when given; the ``COOPGRAPH_BUILD`` environment variable (the test suite sets it to its one
    session build); ``graph/build`` in the current folder or the nearest parent that has one (a notebook runs from
    ``notebooks/``). With ``make=True`` and no build found, the seed records are built once into ``graph/build`` of
    the nearest folder holding ``graph/sources`` (the repository), so a fresh clone works; otherwise InputError.
    """
    if build is not None:
        path = Path(build)
        if not _has_store(path):
            raise InputError(f"{path} holds no store: run `coopgraph build --out {path}` first")
        return path
    env = os.environ.get(BUILD_ENV)
    if env:
        return find_build(env)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "graph" / "build"
        if _has_store(candidate):
            return candidate
    if not make:
        raise InputError("no build found (graph/build/store): run `coopgraph build` first, or pass --build DIR")
    root = next((f for f in (here, *here.parents) if (f / "graph" / "sources").is_dir()), here)
    out = root / "graph" / "build"
    if builder is None:
        from ..build import build as run_build
        from ..paths import data_path

        result = run_build(data_path("graph/sources"), out)
        if result.out is None:
            raise InputError("the seed records do not validate; see `coopgraph build`")
    else:
        builder(root / "graph" / "sources", out)
    return out


def open_analysis_store(build: str | Path | None = None, endpoint: str | None = None, *,
                        make: bool = False) -> Store:
    """The store to analyse: ``endpoint`` (or ``COOPGRAPH_ENDPOINT``) when given, else a build (see :func:`find_build`)."""
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
    if endpoint:
        return open_store(endpoint=endpoint)
    return open_store(build=find_build(build, make=make))
