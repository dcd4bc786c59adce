"""Fixtures of the analysis tests: a hand-checkable synthetic graph, and the seed build read through its store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coopgraph.analysis import CooperationData, load
from coopgraph.analysis.pipeline import Analysis, run
from coopgraph.build import BuildResult
from coopgraph.store import EmbeddedStore, Store, open_store

HERE = Path(__file__).resolve().parent
SYNTHETIC = HERE / "synthetic.trig"

A = "https://w3id.org/coopgraph/id/acteur/"
I = "https://w3id.org/coopgraph/id/instrument/"  # noqa: E741
T = "https://w3id.org/coopgraph/id/territoire/"


@pytest.fixture(scope="session")
def synthetic_store() -> Iterator[Store]:
    store = EmbeddedStore.from_files(SYNTHETIC)
    yield store
    store.close()


@pytest.fixture(scope="session")
def synthetic(synthetic_store: Store) -> CooperationData:
    return load(synthetic_store)


@pytest.fixture(scope="session")
def seed_store(seed_build: BuildResult) -> Iterator[Store]:
    assert seed_build.out is not None
    store = open_store(build=seed_build.out)
    yield store
    store.close()


@pytest.fixture(scope="session")
def seed_data(seed_store: Store) -> CooperationData:
    return load(seed_store)


@pytest.fixture(scope="session")
def seed_analysis(seed_data: CooperationData) -> Analysis:
    return run(seed_data)
