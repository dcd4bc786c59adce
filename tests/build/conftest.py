"""The seed build (session fixture ``seed_build``, in tests/conftest.py) loaded into an in-memory store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import BuildResult


@pytest.fixture(scope="session")
def seed_store(seed_build: BuildResult) -> ox.Store:
    """The built dataset in an in-memory Oxigraph store, queried as the union of its graphs."""
    store = ox.Store()
    assert seed_build.out is not None
    store.bulk_load(path=str(Path(seed_build.out) / "coopgraph.trig"), format=ox.RdfFormat.TRIG)
    return store
