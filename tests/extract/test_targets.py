"""The targets of the extractor on the five seed documents (read from ../shared/seeds) and on the project's own
documents (tests/extract/documents): parties and their resolution, stated dates, actions, chef de file / co-porteur."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.extract import extract_file, summary
from coopgraph.extract.actors import NoResolver
from coopgraph.extract.evaluate import evaluate, gold_files

from .conftest import DOCUMENTS, GOLD


def _run(pairs, resolver):
    return evaluate(pairs, lambda path: summary(extract_file(path, resolver=resolver)))


def _check_structure(result) -> None:
    t = result["total"]
    assert t["actions"].recall >= 0.95, t["actions"]
    assert t["dates"].recall == 1.0 and t["dates"].precision == 1.0, t["dates"]
    assert t["kind"].recall == 1.0
    assert result["lead_accuracy"] >= 0.9
    assert result["co_accuracy"] >= 0.9


def _check_parties(result) -> None:
    t = result["total"]
    for field in ("parties", "resolution", "representatives"):
        assert t[field].recall == 1.0 and t[field].precision == 1.0, (field, t[field],
                                                                       [d.errors for d in result["docs"]])


def seed_pairs(seeds: Path):
    pairs = gold_files(seeds, GOLD)
    assert len(pairs) == 5
    return pairs


@pytest.mark.shared
def test_seed_structure_without_reference(shared_seeds):
    _check_structure(_run(seed_pairs(shared_seeds), NoResolver()))


@pytest.mark.shared
def test_seed_targets_with_reference(shared_seeds, resolver):
    result = _run(seed_pairs(shared_seeds), resolver)
    _check_structure(result)
    _check_parties(result)


def test_own_documents_structure_without_reference():
    pairs = gold_files(DOCUMENTS)
    assert len(pairs) >= 6
    _check_structure(_run(pairs, NoResolver()))


def test_own_documents_with_reference(resolver):
    result = _run(gold_files(DOCUMENTS), resolver)
    _check_structure(result)
    _check_parties(result)


def test_gold_files_are_summaries():
    import json

    from coopgraph.extract.output import SUMMARY_KEYS

    for path in [*GOLD.glob("*.gold.json"), *DOCUMENTS.glob("*.gold.json")]:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert tuple(data) == SUMMARY_KEYS, path
