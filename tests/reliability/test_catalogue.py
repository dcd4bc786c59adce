"""The catalogue of bad inputs, its tests and its table in ``docs/bad-inputs.md`` agree, row for row."""

from __future__ import annotations

import importlib
import re

from tests.conftest import REPO

from .catalogue import BY_ID, CASES, TESTS, row, table

MODULES = ["test_bad_records", "test_bad_documents", "test_bad_queries", "test_bad_requests"]
DOC = REPO / "docs" / "bad-inputs.md"


def _tests() -> dict[str, str]:
    for name in MODULES:
        importlib.import_module(f"{__package__}.{name}")
    return TESTS


def _doc_rows() -> list[str]:
    return [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]


def test_at_least_45_cases_each_with_one_test() -> None:
    tests = _tests()
    assert len(CASES) >= 45
    assert sorted(tests) == sorted(BY_ID), (sorted(set(BY_ID) - set(tests)), sorted(set(tests) - set(BY_ID)))
    for case_id, qualname in tests.items():
        module, _, function = qualname.rpartition(".")
        fn = getattr(importlib.import_module(module), function)
        assert function.startswith("test_") and fn.catalogue_id == case_id


def test_every_row_of_the_document_is_a_case_and_every_case_a_row() -> None:
    ids = [re.match(r"\| `([^`]+)`", line).group(1) for line in _doc_rows()]  # type: ignore[union-attr]
    assert len(ids) == len(set(ids)), "a case is listed twice"
    assert sorted(set(ids) - set(BY_ID)) == [], "rows without a case (and a test)"
    assert sorted(set(BY_ID) - set(ids)) == [], "cases missing from docs/bad-inputs.md"


def test_the_document_shows_the_catalogue_as_it_is() -> None:
    # After changing a case: .venv/bin/python -m tests.reliability.catalogue prints the table to paste.
    assert _doc_rows() == [row(c) for c in CASES]
    assert table() in DOC.read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest tests/reliability" in DOC.read_text(encoding="utf-8")
