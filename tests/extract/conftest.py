"""Fixtures of the extractor tests: the reference layer when one is vendored, the seed and own documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO

HERE = Path(__file__).resolve().parent
DOCUMENTS = HERE / "documents"
GOLD = HERE / "gold"
# the vendored layer, or another one (a folder or its reference.nt.gz) named by COOPGRAPH_TEST_REFERENCE
LAYER = Path(os.environ.get("COOPGRAPH_TEST_REFERENCE") or REPO / "graph" / "reference" / "reference.nt.gz")
if LAYER.is_dir():
    LAYER = LAYER / "reference.nt.gz"


@pytest.fixture(scope="session")
def resolver():
    """The vendored reference layer behind the extractor's resolver interface; skips when it is not built yet."""
    if not LAYER.exists():
        pytest.skip("no vendored reference layer (graph/reference/reference.nt.gz): resolution is not tested")
    from coopgraph.extract.actors import ReferenceResolver

    return ReferenceResolver.load(LAYER)
