"""Comparing query results without regard to row order, and the expected-result files of tests/queries/expected/.

A result is reduced to a multiset of rows, each row a tuple of N-Triples terms ("" for unbound); columns the query
header declares ``unordered`` (space-separated lists such as GROUP_CONCAT output) have their items sorted.

Regenerate the expected files after a deliberate change of the seed records or of a query with::

    COOPGRAPH_UPDATE_EXPECTED=1 .venv/bin/python -m pytest tests/queries/test_library.py -k expected
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from coopgraph.queries import QueryDoc
from coopgraph.sparql import SelectResult, nt_term

EXPECTED = Path(__file__).resolve().parent / "expected"
UPDATE = os.environ.get("COOPGRAPH_UPDATE_EXPECTED") == "1"


def _term(term: Node | None, unordered: bool) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:b"  # blank node labels are local to an answer
    if unordered and isinstance(term, Literal):
        return nt_term(Literal(" ".join(sorted(str(term).split())), datatype=term.datatype, lang=term.language))
    if isinstance(term, Literal) and term.datatype is not None and term.language is None:
        # the lexical form as the store wrote it, whatever rdflib's normalisation does
        return nt_term(Literal(str(term), datatype=URIRef(term.datatype)))
    return nt_term(term)


def canonical(result: SelectResult | bool | Graph, doc: QueryDoc | None = None) -> object:
    """A comparable form of a result: a Counter of rows (SELECT), a bool (ASK) or a Counter of triples."""
    if isinstance(result, bool):
        return result
    if isinstance(result, Graph):
        return Counter(tuple(_term(t, False) for t in triple) for triple in result)
    unordered = set(doc.unordered if doc else [])
    return Counter(
        tuple(_term(t, v in unordered) for v, t in zip(result.variables, row, strict=True)) for row in result.rows
    )


def expected_path(name: str) -> Path:
    return EXPECTED / f"{name.replace('/', '--')}.json"


def write_expected(name: str, result: SelectResult, doc: QueryDoc) -> None:
    rows = sorted(canonical(result, doc).elements())  # type: ignore[union-attr]
    payload = {"query": name, "variables": result.variables, "rows": [list(r) for r in rows]}
    EXPECTED.mkdir(parents=True, exist_ok=True)
    expected_path(name).write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_expected(name: str) -> tuple[list[str], Counter]:
    payload = json.loads(expected_path(name).read_text(encoding="utf-8"))
    return payload["variables"], Counter(tuple(r) for r in payload["rows"])
