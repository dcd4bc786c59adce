"""The example queries of the query page: the research queries of ``queries/``, read by :mod:`coopgraph.queries`
(title, question and what a row means in French and English, typed parameters with their defaults).

Parameters typed into the page are turned into RDF terms by the query library and bound by the store — never pasted
into the query. When a folder holds no query, a few built-in examples keep the page useful.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.term import Node

from .. import queries as library
from ..errors import CoopgraphError

log = logging.getLogger(__name__)


@dataclass
class Example:
    name: str
    text: str
    titles: dict[str, str] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)
    returns_: dict[str, str] = field(default_factory=dict)
    params: list[library.Param] = field(default_factory=list)
    doc: library.QueryDoc | None = None

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("") or next(iter(self.titles.values()), self.name)

    def question(self, lang: str) -> str:
        return self.questions.get(lang) or self.questions.get("fr") or ""

    def returns(self, lang: str) -> str:
        return self.returns_.get(lang) or self.returns_.get("fr") or ""

    def bindings(self, values: dict[str, str]) -> dict[str, Node]:
        """Typed terms for the parameters filled in (an empty field: the default, or unbound when optional).
        A value that does not fit its type raises a CoopgraphError naming the parameter."""
        if self.doc is None:
            return {}
        return self.doc.bindings({k: v for k, v in values.items() if v.strip()})


def from_doc(doc: library.QueryDoc) -> Example:
    h = doc.header
    return Example(doc.name, doc.text, titles={"": doc.title},
                   questions={lang: h[f"question.{lang}"] for lang in ("fr", "en") if f"question.{lang}" in h},
                   returns_={lang: h[f"returns.{lang}"] for lang in ("fr", "en") if f"returns.{lang}" in h},
                   params=list(doc.params), doc=doc)


def load_examples(folder: Path | None = None) -> list[Example]:
    """The research queries of a folder (default: the shipped ``queries/``), or the built-in examples."""
    try:
        docs = library.library(folder)
    except CoopgraphError as exc:  # one bad file must not take the server down: it is left out, and said
        log.warning("coopgraph serve: the example queries cannot be read (%s); built-in examples are shown", exc)
        docs = {}
    return [from_doc(d) for d in docs.values()] or builtin_examples()


_BUILTIN = {
    "instruments-et-parties": (
        {"fr": "Instruments de coopération et leurs parties", "en": "Cooperation instruments and their parties"},
        {"fr": "Quels instruments lient quels acteurs ?", "en": "Which instruments bind which actors?"},
        """PREFIX coop: <https://w3id.org/coopgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?instrument ?instrumentLabel ?partie ?partieLabel WHERE {
  ?instrument coop:partie ?partie .
  OPTIONAL { ?instrument rdfs:label ?instrumentLabel }
  OPTIONAL { ?partie rdfs:label ?partieLabel }
}
ORDER BY ?instrumentLabel ?partieLabel
""",
    ),
    "chefs-de-file": (
        {"fr": "Qui mène quelle action", "en": "Who leads which action"},
        {"fr": "Les actions et leur chef de file.", "en": "Actions and their lead."},
        """PREFIX coop: <https://w3id.org/coopgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?action ?actionLabel ?chef ?chefLabel WHERE {
  ?action coop:chefDeFile ?chef .
  OPTIONAL { ?action rdfs:label ?actionLabel }
  OPTIONAL { ?chef rdfs:label ?chefLabel }
}
ORDER BY ?chefLabel ?actionLabel
""",
    ),
}


def builtin_examples() -> list[Example]:
    return [Example(name, text, titles=dict(titles), questions=dict(questions))
            for name, (titles, questions, text) in _BUILTIN.items()]
